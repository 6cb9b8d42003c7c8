//! Compiles the Qt Quick Test entry point and the precise Qt timer against the system's Qt 6
//! (found by qmake, like cxx-qt does) and links Qt Core, Qt Qml and Qt Quick Test.

fn main() {
    let qt = qt_build_utils::QtBuild::new(vec![
        "Core".to_owned(),
        "Qml".to_owned(),
        "QuickTest".to_owned(),
    ])
    .expect("Qt 6 with Qt Quick Test (Debian: qt6-declarative-dev, libqt6quicktest6)");
    let mut build = cc::Build::new();
    build
        .cpp(true)
        .std("c++17")
        .file("cpp/quick_test_main.cpp")
        .file("cpp/qt_timer.cpp");
    for path in qt.include_paths() {
        build.include(path);
    }
    qt.cargo_link_libraries(&mut build);
    build.compile("cxx_qt_async_test_support");
    println!("cargo::rerun-if-changed=cpp");
}
