// C++ that the soundness tests need from outside Rust's reach: what any C++ code may do to a
// QObject behind the library's back.
#include <QtCore/QObject>

// Disconnects every connection of `object`'s signals, `destroyed` included (Qt's documented
// "disconnect everything connected to an object's signals").
extern "C" void
cxx_qt_async_examples_disconnect_everything(void* object)
{
  QObject::disconnect(static_cast<QObject*>(object), nullptr, nullptr, nullptr);
}
