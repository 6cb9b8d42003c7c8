// Entry point of the GUI tests: Qt Quick Test's runner, callable from the Rust test binary
// (tests/gui.rs). It creates the QGuiApplication, a QML engine per test file, runs every
// TestCase in the tst_*.qml files under `source_dir` and returns the number of failures.
#include <QtQuickTest/quicktest.h>

extern "C" int
cxx_qt_async_quick_test_main(int argc, char** argv, const char* source_dir)
{
  return quick_test_main(argc, argv, "async_jobs_gui", source_dir);
}
