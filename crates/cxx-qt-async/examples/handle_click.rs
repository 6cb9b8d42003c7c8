//! The seed blog's `handle_click` as a complete app: one QObject (`Greeter`, in
//! `crates/examples/src/greeter.rs`), one QML file (`crates/examples/qml/HandleClick.qml`). A QObject needs a build script, so it
//! lives in the dev-dependency `cxx-qt-async-examples` (the library's own build script builds
//! nothing but the library); its `handle_click` invokable is the seed blog's coroutine.
//!
//! `cargo run -p cxx-qt-async --example handle_click` (add `-- --demo` to have it click
//! by itself, print what it shows and quit).

fn main() -> std::process::ExitCode {
    let code = cxx_qt_async_examples::run("HandleClick.qml");
    std::process::ExitCode::from(u8::try_from(code).unwrap_or(1))
}
