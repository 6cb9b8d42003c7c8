//! The user's own QML module `Outside`, holding its QObject `Chain`.

use cxx_qt_build::{CxxQtBuilder, QmlModule};

fn main() {
    CxxQtBuilder::new_qml_module(QmlModule::new("Outside"))
        .files(["src/chain.rs"])
        .build();
}
