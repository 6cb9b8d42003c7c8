//! The app's integration tests with libtest's own harness, one binary (each file was a test
//! binary of its own, each linking Qt and the app's C++). The GUI tests (tests/gui.rs) need the
//! main thread and have their own harness.

mod accessibility;
mod app_quit;
mod download;
mod input_parsers;

/// The tests' own HTTP server on 127.0.0.1 (shared with tests/gui.rs).
#[path = "../support/http_server.rs"]
#[allow(dead_code)] // each test binary uses a part of the server
mod http_server;
