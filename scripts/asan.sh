#!/usr/bin/env bash
# Runs the Qt layer's Qt-loop tests (soundness: every unsound lend refused; owners_destroyed:
# ten thousand objects destroyed mid-job) with AddressSanitizer, on the nightly toolchain that
# runs Miri: a path the checks missed then shows as a use-after-free report, not as luck. The
# Rust code (std included, -Zbuild-std) is instrumented; Qt and the C++ are not, but ASan's
# allocator sees their frees, so Rust reading a freed QObject is caught. Installs the nightly
# toolchain's rust-src if missing. A target folder of its own (every crate is built with the
# sanitizer). Extra arguments go to `cargo test`.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -x "$HOME/.cargo/bin/cargo" ]] && export PATH="$HOME/.cargo/bin:$PATH"
bash scripts/lib/nightly.sh
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target/asan}"
# RUSTFLAGS replaces .cargo/config.toml's rustflags, so the lld link flag is repeated here.
export RUSTFLAGS="-Zsanitizer=address -C link-arg=-fuse-ld=lld"
# Qt's own allocations at exit are not ours to judge; a bad access is.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=0}"
export QT_QPA_PLATFORM=offscreen
if [[ -z "${XDG_RUNTIME_DIR:-}" ]]; then
    XDG_RUNTIME_DIR="$(mktemp -d)"
    chmod 700 "$XDG_RUNTIME_DIR"
    export XDG_RUNTIME_DIR
    trap 'rm -rf "$XDG_RUNTIME_DIR"' EXIT
fi
# The Qt-loop binary's soundness and owners_destroyed groups (not stream_flood: a timing claim).
export QT_LOOP_GROUPS="${QT_LOOP_GROUPS:-soundness,owners_destroyed}"
cargo +nightly test --locked -Zbuild-std --target x86_64-unknown-linux-gnu \
    -p cxx-qt-async --test qt_loop "$@"
