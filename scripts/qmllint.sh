#!/usr/bin/env bash
# Lints the app's QML (qml/) with Qt's qmllint (Debian: qt6-declarative-dev-tools), against the
# QML modules the last `cargo build` generated (AsyncJobs, CxxQtAsync). Fails on any warning.
# Run it after a build (scripts/test.sh builds).
#
# Three categories are lowered to information, and four known false warnings are listed below:
# cxx-qt 0.10's generated type descriptions do not name the C++ base classes of its QObjects nor
# map `::std::int32_t`, so qmllint cannot compile bindings on them (`compiler`), sees the
# modules' file lists as relative paths (`import`) and the delegates' model roles as unqualified
# names (`unqualified`). Unknown properties (`colour: "red"`), bad types, signals, required
# properties, aliases and deprecated API stay warnings, and fail this script.
set -euo pipefail
cd "$(dirname "$0")/.."
qmllint=/usr/lib/qt6/bin/qmllint
[[ -x $qmllint ]] || { echo "qmllint.sh: $qmllint missing (scripts/deps.sh installs it)" >&2; exit 2; }
module_dir() {
    for d in $(ls -td target/debug/build/*/out/qt-build-utils/qml_modules 2>/dev/null); do
        [[ -d $d/$1 ]] && { echo "$d"; return; }
    done
    echo "qmllint.sh: no generated $1 module; run cargo build first" >&2
    exit 2
}
report="$(mktemp)"
trap 'rm -f "$report"' EXIT

"$qmllint" -I "$(module_dir AsyncJobs)" -I "$(module_dir CxxQtAsync)" \
    --unqualified info --import info --compiler info --controls-sanity info \
    --json "$report" qml/*.qml >/dev/null 2>&1 || true
# Print the warnings and errors only (the information is long and known); fail on any that is
# not a known false warning.
python3 - "$report" <<'PY'
import json, re, sys
KNOWN = [
    # cxx-qt 0.10 writes i32 properties as ::std::int32_t into its qmltypes.
    r'Type "::std::int32_t" of property "\w+" not found',
    # ... and a QList<QVariant> property under the bridge's alias name (QML sees a JS array).
    r'Type "QList_QVariant" of property "\w+" not found',
    # ... and no base class for its QObjects, so they do not convert to QObject.
    r"Cannot assign binding of type \w+ to QObject",
    # Qt 6.4's qmllint does not know that Qt.callLater is a method (fixed in later Qt).
    r'Property "callLater" is a QJSValue property',
]
files = json.load(open(sys.argv[1]))["files"]
bad, known = [], 0
for f in files:
    for w in f["warnings"]:
        if w["type"] == "info":
            continue
        if any(re.search(k, w["message"]) for k in KNOWN):
            known += 1
            continue
        bad.append(f"{f['filename']}:{w.get('line', '?')}:{w.get('column', '?')}: {w['type']}: {w['message']}")
print("\n".join(bad))
print(f"qmllint: {len(files)} files, {len(bad)} warnings ({known} known false ones not counted)")
sys.exit(1 if bad else 0)
PY
