//! The seed blog's `handle_click` as a complete app: one QObject (`Greeter`, in
//! `crates/examples/src/greeter.rs`), one QML file (`qml/HandleClick.qml`).
//!
//! `cargo run -p cxx-qt-async-examples --example handle_click` (add `-- --demo` to have it click
//! by itself, print what it shows and quit).

fn main() -> std::process::ExitCode {
    let code = cxx_qt_async_examples::run("HandleClick.qml");
    std::process::ExitCode::from(u8::try_from(code).unwrap_or(1))
}
