#!/usr/bin/env bash
# Runs the engine's headless tests under miri (undefined behaviour, data races, leaks of the
# Rust code they execute). Needs the nightly toolchain's miri and rust-src components, which it
# tries to install. Slow: several minutes. Not part of .ci/run; see the README.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -x "$HOME/.cargo/bin/cargo" ]] && export PATH="$HOME/.cargo/bin:$PATH"
rustup component add miri rust-src --toolchain nightly >/dev/null
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target/miri}"
# /proc (thread counting) and real time need the host. Tree Borrows: under Stacked Borrows
# miri rejects async-task's spawn_local thread check (a shared read of the whole task future)
# when a coroutine keeps pinned references into itself (try_join!, pin!); see the README.
export MIRIFLAGS="${MIRIFLAGS:--Zmiri-disable-isolation -Zmiri-tree-borrows}"
exec cargo +nightly miri test --locked --no-fail-fast \
    --test engine_executor --test engine_scope --test engine_jobs --test engine_cancel \
    --test engine_timers --test engine_progress --test engine_stream "$@"
