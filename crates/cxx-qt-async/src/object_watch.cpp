// The Qt side of `QObjectRef`'s liveness: a QObject's `destroyed` signal, connected once per
// object that runs coroutines, tells Rust when the C++ object goes (whatever happened to the
// Rust side's fields), and whether it is still on the thread that asked.
#include <QtCore/QObject>
#include <QtCore/QThread>

extern "C" void
cxx_qt_async_object_destroyed(void* entry);

// Connects `object`'s `destroyed` to `cxx_qt_async_object_destroyed(entry)`, called exactly
// once, while `~QObject` runs (after the derived classes, and so the Rust backing struct, are
// gone). The connection has no context object: it lives as long as `object`.
extern "C" void
cxx_qt_async_watch_object(const void* object, void* entry)
{
  auto* obj = static_cast<QObject*>(const_cast<void*>(object));
  QObject::connect(obj, &QObject::destroyed, [entry] {
    cxx_qt_async_object_destroyed(entry);
  });
}

// `true` when `object` lives on the calling thread.
extern "C" bool
cxx_qt_async_object_on_current_thread(const void* object)
{
  return static_cast<const QObject*>(object)->thread() == QThread::currentThread();
}
