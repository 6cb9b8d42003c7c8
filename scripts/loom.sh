#!/usr/bin/env bash
# Model-checks the engine's cross-thread protocols (crates/cxx-qt-async-engine/src/latch.rs) with loom: every
# interleaving of the real code, bounded to LOOM_MAX_PREEMPTIONS (default 2) preemptions.
# Builds in its own target dir (the cfg changes every crate's build).
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -x "$HOME/.cargo/bin/cargo" ]] && export PATH="$HOME/.cargo/bin:$PATH"
# RUSTFLAGS replaces .cargo/config.toml's rustflags, so the lld link flag is repeated here.
export RUSTFLAGS="--cfg cxx_qt_async_loom -C link-arg=-fuse-ld=lld"
export LOOM_MAX_PREEMPTIONS="${LOOM_MAX_PREEMPTIONS:-2}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target/loom}"
exec cargo test --locked -p cxx-qt-async-engine --lib loom_models -- --test-threads=1
