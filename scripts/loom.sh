#!/usr/bin/env bash
# Model-checks the engine's cross-thread protocols (crates/cxx-qt-async-engine/src/latch.rs) with loom: every
# interleaving of the real code, bounded to LOOM_MAX_PREEMPTIONS (default 2) preemptions.
# Builds in its own target dir, target/loom: RUSTFLAGS (the cfg) are part of every crate's
# fingerprint but not of its artifact names, so in the workspace's folder each loom run and each
# normal build would rebuild the other's crates in turn. The loom build is small (the engine and
# its few dependencies, no Qt).
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -x "$HOME/.cargo/bin/cargo" ]] && export PATH="$HOME/.cargo/bin:$PATH"
# RUSTFLAGS replaces .cargo/config.toml's rustflags, so the lld link flag is repeated here.
export RUSTFLAGS="--cfg cxx_qt_async_loom -C link-arg=-fuse-ld=lld"
export LOOM_MAX_PREEMPTIONS="${LOOM_MAX_PREEMPTIONS:-2}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target/loom}"
exec cargo test --locked -p cxx-qt-async-engine --lib loom_models -- --test-threads=1
