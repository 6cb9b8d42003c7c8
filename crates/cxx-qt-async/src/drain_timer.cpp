// The Qt layer's second way to ask for a drain: a single-shot precise QTimer. After a drain
// spent its time budget, the next drain is scheduled through the timer list (timeout 0) instead
// of the posted-event queue, so timers already due run first and a flood cannot hold them back.
// It also drains at the earliest deadline of the engine's sleeps and intervals.
#include <QtCore/QTimer>

extern "C" void
cxx_qt_async_drain_from_timer();

extern "C" void*
cxx_qt_async_drain_timer_new()
{
  auto* timer = new QTimer();
  timer->setSingleShot(true);
  timer->setTimerType(Qt::PreciseTimer);
  timer->setInterval(0);
  QObject::connect(
    timer, &QTimer::timeout, [] { cxx_qt_async_drain_from_timer(); });
  return timer;
}

extern "C" void
cxx_qt_async_drain_timer_start(void* timer, int msec)
{
  auto* t = static_cast<QTimer*>(timer);
  t->setInterval(msec);
  t->start();
}

extern "C" void
cxx_qt_async_drain_timer_delete(void* timer)
{
  delete static_cast<QTimer*>(timer);
}
