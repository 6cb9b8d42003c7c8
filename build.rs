//! Builds the app's `AsyncJobs` QML module: its QML files and its QObjects (the library's
//! `AsyncJob` comes from the `CxxQtAsync` module of `cxx-qt-async`), the window icon, and the
//! translations: each `translations/async-jobs_LANG.ts` compiled by Qt's `lrelease` into
//! `$OUT_DIR/async-jobs_LANG.qm`, which the binary embeds.

use std::path::{Path, PathBuf};
use std::process::Command;

use cxx_qt_build::{CxxQtBuilder, QmlModule};

/// The languages shipped (a `translations/async-jobs_LANG.ts` each).
const LANGUAGES: &[&str] = &["de"];

fn main() {
    CxxQtBuilder::new_qml_module(QmlModule::new("AsyncJobs").qml_files([
        "qml/Main.qml",
        "qml/Launcher.qml",
        "qml/JobRow.qml",
        "qml/DiagnosticsPanel.qml",
        "qml/LagPlot.qml",
    ]))
    // Every bridge of a QML module must sit in one directory (QTBUG-93443): src/.
    .files([
        "src/app_settings.rs",
        "src/diagnostics.rs",
        "src/launch_helper.rs",
    ])
    // The default include root is the whole crate (target/ included), which makes this script
    // rerun on every cargo call. No headers of ours are exported.
    .crate_include_root(None)
    .qt_module("Gui")
    .qt_module("Quick")
    .cpp_file("src/window_icon.cpp")
    .cpp_file("src/translations.cpp")
    .cpp_file("src/quit.cpp")
    .build();

    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let lrelease = lrelease();
    for language in LANGUAGES {
        let ts = format!("translations/async-jobs_{language}.ts");
        println!("cargo:rerun-if-changed={ts}");
        let qm = out.join(format!("async-jobs_{language}.qm"));
        let status = Command::new(&lrelease)
            .args(["-silent", &ts, "-qm"])
            .arg(&qm)
            .status()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", lrelease.display()));
        assert!(
            status.success(),
            "{} {ts} failed: {status}",
            lrelease.display()
        );
    }
    println!("cargo:rerun-if-env-changed=LRELEASE");
}

/// Qt's `lrelease`: `$LRELEASE`, else in Qt's host binaries folder (`qmake6 -query
/// QT_HOST_BINS`), else on the PATH.
fn lrelease() -> PathBuf {
    if let Some(path) = std::env::var_os("LRELEASE") {
        return PathBuf::from(path);
    }
    let from_qmake = ["qmake6", "qmake"].iter().find_map(|qmake| {
        let out = Command::new(qmake)
            .args(["-query", "QT_HOST_BINS"])
            .output()
            .ok()?;
        let bins = String::from_utf8(out.stdout).ok()?;
        let candidate = Path::new(bins.trim()).join("lrelease");
        candidate.is_file().then_some(candidate)
    });
    if let Some(path) = from_qmake {
        return path;
    }
    if Command::new("lrelease").arg("-version").output().is_ok() {
        return PathBuf::from("lrelease");
    }
    panic!(
        "Qt's lrelease was not found (it compiles translations/*.ts). On Debian 12 install \
         qt6-l10n-tools (scripts/deps.sh does), or set LRELEASE to its path."
    );
}
