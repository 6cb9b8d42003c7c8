use cxx_qt_build::{CxxQtBuilder, QmlModule};

fn main() {
    CxxQtBuilder::new_qml_module(QmlModule::new("Misuse"))
        .files(["src/victim.rs"])
        .build();
}
