#!/usr/bin/env bash
# Builds and runs a cxx-qt app outside this repository (scripts/outside-crate/, copied to a
# temporary folder) that depends on cxx-qt-async alone, by path, as a Rust developer's app
# would. Its own QObject chains three jobs, joins two, cancels one, and an instance is destroyed
# mid-job. Checks that it builds without Qt Quick Test (the library links only Qt Core and
# Qml), and that a run prints the documented results: the chain's values, the cancelled job
# seen as cancelled, the destroyed object's job stopped by its token and its coroutine never
# resumed. The library's default build (no `tokio` feature) must not warn. The temporary folder
# is removed.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -x "$HOME/.cargo/bin/cargo" ]] && export PATH="$HOME/.cargo/bin:$PATH"
root="$PWD"
work="$(mktemp -d "${TMPDIR:-/tmp}/cxx-qt-async-outside.XXXXXX")"
runtime_dir="$(mktemp -d "${TMPDIR:-/tmp}/cxx-qt-async-outside-xdg.XXXXXX")"
trap 'rm -rf "$work" "$runtime_dir"' EXIT
cp -r scripts/outside-crate/. "$work/"
sed "s|@LIBRARY@|$root/crates/cxx-qt-async|" "$work/Cargo.toml.in" >"$work/Cargo.toml"
rm "$work/Cargo.toml.in"
# What a user's app needs too: link with lld (see the library's README).
mkdir -p "$work/.cargo" && cp .cargo/config.toml "$work/.cargo/"
# The dependency versions this repository is tested with (cargo drops the ones not used).
cp Cargo.lock "$work/"
# The workspace's target folder: what the user's app shares with the workspace's build (the
# registry crates with the same features) is reused. Not shared, by design: cxx-qt-lib with
# `qt_qml` alone (the workspace's has `qt_gui` too), so its C++ is compiled a second time (the
# largest part of this script's time), and the library and the engine without `tokio`: that is
# the build a user gets, which must build and not warn.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
# Warnings denied in the library's own code, built as a user gets it: default features (no
# `tokio`). Cargo repeats a fresh crate's warnings, so a warm target folder shows them too.
build_log="$(cd "$work" && cargo build --quiet --message-format=short 2>&1)" || {
    echo "$build_log" >&2
    exit 1
}
if grep -E "^$root/crates/[^ ]*: (warning|error)" <<<"$build_log"; then
    echo "outside-crate.sh: the library's default build warns (above)" >&2
    exit 1
fi
exe="$CARGO_TARGET_DIR/debug/outside-user"
if ldd "$exe" | grep -i 'quicktest\|Qt6Quick\.so'; then
    echo "outside-crate.sh: the user's app links Qt Quick or Qt Quick Test (above)" >&2
    exit 1
fi
status=0
out="$(cd "$work" && QT_QPA_PLATFORM=offscreen XDG_RUNTIME_DIR="$runtime_dir" timeout 120 "$exe" 2>&1)" || status=$?
echo "$out" | grep '^outside\|outside:' || true
expected='outside: chain 42 43 86; join left right; endless job cancelled'
if ((status != 0)) || ! grep -qF "$expected" <<<"$out"; then
    echo "outside-crate.sh: the outside app failed (status $status):" >&2
    echo "$out" >&2
    exit 1
fi
echo "outside-crate.sh: an app outside the repository builds on cxx-qt-async alone and runs as documented"
