// Entry point of the GUI tests: Qt Quick Test's runner, callable from the Rust test binary
// (tests/gui.rs). It creates the QGuiApplication, a QML engine per test file, runs every
// TestCase in the tst_*.qml files under `source_dir` and returns the number of failures.
//
// It also registers the QML singleton `TestEnv` (`import TestEnv`): one string property per
// environment variable whose name starts with GUI_TEST_ (e.g. `TestEnv.GUI_TEST_SERVER`), so a
// Rust harness can hand its QML tests what it set up (a local server's address).
#include <QtCore/QProcessEnvironment>
#include <QtQml/QJSEngine>
#include <QtQml/QJSValue>
#include <QtQml/QQmlEngine>
#include <QtQml/qqml.h>
#include <QtQuickTest/quicktest.h>

extern "C" int
cxx_qt_async_quick_test_main(int argc, char** argv, const char* source_dir)
{
  qmlRegisterSingletonType(
    "TestEnv", 1, 0, "TestEnv", [](QQmlEngine*, QJSEngine* js) -> QJSValue {
      QJSValue env = js->newObject();
      const auto all = QProcessEnvironment::systemEnvironment();
      for (const auto& name : all.keys()) {
        if (name.startsWith(QStringLiteral("GUI_TEST_")))
          env.setProperty(name, all.value(name));
      }
      return env;
    });
  return quick_test_main(argc, argv, "async_jobs_gui", source_dir);
}
