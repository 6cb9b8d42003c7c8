//! The app's integration tests with libtest's own harness, one binary (each file was a test
//! binary of its own, each linking Qt and the app's C++). The GUI tests (tests/gui.rs) need the
//! main thread and have their own harness.

mod app_quit;
mod input_parsers;
