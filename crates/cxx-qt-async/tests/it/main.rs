//! The Qt layer's integration tests that need no Qt event loop of their own, one binary (each
//! file was a test binary of its own, each linking Qt and the library's C++). The tests that
//! run a real Qt event loop on the main thread (stream_flood, owners_destroyed) have their own.

mod examples_run;
mod qt_signal_headless;
mod runtime_rules;
