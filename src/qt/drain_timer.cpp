// The Qt layer's second way to ask for a drain: a single-shot zero-timeout QTimer. After a
// drain spent its time budget, the next drain is scheduled through the timer list instead of
// the posted-event queue, so timers already due run first and the flood cannot hold them back.
#include <QtCore/QTimer>

extern "C" void
cxx_qt_async_drain_from_timer();

extern "C" void*
cxx_qt_async_drain_timer_new()
{
  auto* timer = new QTimer();
  timer->setSingleShot(true);
  timer->setInterval(0);
  QObject::connect(
    timer, &QTimer::timeout, [] { cxx_qt_async_drain_from_timer(); });
  return timer;
}

extern "C" void
cxx_qt_async_drain_timer_start(void* timer)
{
  static_cast<QTimer*>(timer)->start();
}

extern "C" void
cxx_qt_async_drain_timer_delete(void* timer)
{
  delete static_cast<QTimer*>(timer);
}
