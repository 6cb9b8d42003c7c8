// Bench support: a repeating Qt::PreciseTimer calling back into Rust (the stall recorder of the
// `fanout` workload, as in the C++ peers), and QCoreApplication::quit(). Compiled into the
// library by build.rs; only the `workloads` bench references these symbols.
#include <QtCore/QCoreApplication>
#include <QtCore/QTimer>

extern "C" {

typedef void (*cxx_qt_async_bench_tick)(void* context);

void*
cxx_qt_async_bench_timer_start(int interval_ms, cxx_qt_async_bench_tick tick, void* context)
{
  auto* timer = new QTimer();
  timer->setTimerType(Qt::PreciseTimer);
  timer->setInterval(interval_ms);
  QObject::connect(timer, &QTimer::timeout, [tick, context] { tick(context); });
  timer->start();
  return timer;
}

void
cxx_qt_async_bench_timer_stop(void* timer)
{
  static_cast<QTimer*>(timer)->stop();
}

void
cxx_qt_async_bench_quit()
{
  QCoreApplication::quit();
}
}
