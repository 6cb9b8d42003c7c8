// Asks the application to quit (as Ctrl+Q does): the event loop returns, and main shuts the
// window and the runtime down in order.
#include <QtCore/QCoreApplication>

extern "C" void
async_jobs_quit()
{
  QCoreApplication::quit();
}
