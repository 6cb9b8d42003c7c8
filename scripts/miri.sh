#!/usr/bin/env bash
# Runs the engine's tests under Miri (undefined behaviour, data races, leaks of the Rust code
# they execute): every test of the Qt-free engine crate (not its benches, whose smoke sizes
# would take Miri hours), which builds no C++. Needs the nightly toolchain's miri and rust-src
# components, which it installs if missing. Slow: a few minutes.
# Extra arguments go to `cargo miri test` (e.g. scripts/miri.sh engine_stream::, a filter).
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -x "$HOME/.cargo/bin/cargo" ]] && export PATH="$HOME/.cargo/bin:$PATH"
bash scripts/lib/nightly.sh
# A target dir of its own: Miri builds every crate for its interpreter with the nightly
# toolchain; nothing of it can be shared with the stable builds.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target/miri}"
# /proc (thread counting) and real time need the host.
export MIRIFLAGS="${MIRIFLAGS:--Zmiri-disable-isolation}"
# The integration tests: tests/it (without the `tokio` feature, so without tokio_interop's
# sockets) and engine_timer_threads (whose one test Miri ignores: it counts OS threads).
exec cargo +nightly miri test --locked -p cxx-qt-async-engine --lib --test it --test engine_timer_threads --no-fail-fast "$@"
