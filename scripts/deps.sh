#!/usr/bin/env bash
# Installs what building, running and testing cxx-qt-async needs on Debian 12 (bookworm):
# Qt 6 development files and lrelease (build.rs compiles translations/*.ts), every QML module
# the window loads (the file and folder dialogs' own non-native implementation needs
# Qt.labs.folderlistmodel), Qt's own translations (its dialogs in German), lld, Xvfb for the
# GUI tests, and the accessibility stack the AT-SPI tests read the window through (D-Bus,
# at-spi2-core's bus launcher, Debian's python3-pyatspi).
# Only missing packages are installed (as root, or through sudo). Checks that cargo is there.
# `deps.sh --fetch` also downloads the crates the workspace builds (`cargo fetch`, for this
# machine's target only) while the packages install.
set -euo pipefail
cd "$(dirname "$0")/.."
fetch_pid=""
fetch_log=""
if [[ ${1:-} == --fetch ]]; then
    [[ -x "$HOME/.cargo/bin/cargo" ]] && export PATH="$HOME/.cargo/bin:$PATH"
    if command -v cargo >/dev/null; then
        fetch_log="$(mktemp "${TMPDIR:-/tmp}/cxx-qt-async-fetch.XXXXXX")"
        host="$(rustc -vV | sed -n 's/^host: //p')"
        cargo fetch --locked --target "$host" >"$fetch_log" 2>&1 &
        fetch_pid=$!
        trap 'kill "$fetch_pid" 2>/dev/null || true; rm -f "$fetch_log"' EXIT
    fi
fi

BUILD="g++ pkg-config lld libgl-dev qt6-base-dev qt6-declarative-dev qt6-declarative-dev-tools
       qt6-l10n-tools"
RUN="qt6-qpa-plugins qml6-module-qtqml qml6-module-qtqml-models qml6-module-qtqml-workerscript
     qml6-module-qtquick qml6-module-qtquick-controls qml6-module-qtquick-layouts
     qml6-module-qtquick-templates qml6-module-qtquick-window qml6-module-qtquick-dialogs
     qml6-module-qt-labs-folderlistmodel qt6-translations-l10n"
TEST="libqt6quicktest6 qml6-module-qttest xvfb xauth xdotool
      dbus at-spi2-core python3 python3-pyatspi gir1.2-atspi-2.0"

missing=()
for p in $BUILD $RUN $TEST ${EXTRA_PACKAGES:-}; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    sudo=()
    if [[ $EUID -ne 0 ]]; then
        command -v sudo >/dev/null || { echo "deps.sh: please install as root: ${missing[*]}" >&2; exit 2; }
        sudo=(sudo)
    fi
    echo "deps.sh: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v cargo >/dev/null; then
    [[ -x "$HOME/.cargo/bin/cargo" ]] && export PATH="$HOME/.cargo/bin:$PATH"
fi
if ! command -v cargo >/dev/null; then
    echo "deps.sh: cargo not found. Install Rust (1.85 or newer) with rustup: https://rustup.rs" >&2
    exit 2
fi

if [[ -n $fetch_pid ]]; then
    wait "$fetch_pid" || {
        cat "$fetch_log" >&2
        echo "deps.sh: cargo fetch failed (above)" >&2
        exit 1
    }
    fetch_pid=""
fi
