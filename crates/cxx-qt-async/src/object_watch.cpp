// The Qt side of `QObjectRef`: a QObject's `destroyed` signal, connected once per object that
// runs coroutines, tells Rust when the C++ object goes (to end its coroutines); whether it lives
// on the thread that asks; whether a QML engine made it (then no Rust code owns it); and
// `deleteLater` for a `QObjectBox` dropped while its object is lent. (When its destruction
// *begins* comes from cxx-qt's thread handle, on the Rust side.)
#include <QtCore/QObject>
#include <QtCore/QThread>
#include <QtQml/qqml.h>

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

// `true` when a QML engine made `object` (it has a QML context): no Rust code owns it, so Rust
// gets its `Pin<&mut T>` only inside C++ frames (invokables, signal handlers, queued closures).
extern "C" bool
cxx_qt_async_object_made_by_qml(const void* object)
{
  return qmlEngine(static_cast<const QObject*>(object)) != nullptr;
}

// Deletes `object` once control is back in its thread's event loop.
extern "C" void
cxx_qt_async_delete_later(void* object)
{
  static_cast<QObject*>(object)->deleteLater();
}
