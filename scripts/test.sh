#!/usr/bin/env bash
# Runs every test of the workspace, with every feature (the library's `tokio` too): the engine's (headless, no Qt), the Qt layer's, the app's
# unit tests, doctests, and the GUI tests against the real window under a private Xvfb server.
# Installs what is missing first. Extra arguments go to `cargo test` (e.g. scripts/test.sh -p
# async-jobs --test gui). Prints each step's wall time (`== NAME took N s`).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/step.sh
step packages bash scripts/deps.sh
[[ -x "$HOME/.cargo/bin/cargo" ]] && export PATH="$HOME/.cargo/bin:$PATH"
# Built first, outside Xvfb, so that the build's and the run's times read apart.
step "build the tests" cargo test --workspace --all-features --locked --no-run "$@"
step "run the tests" bash scripts/with-xvfb.sh cargo test --workspace --all-features --locked "$@"
steps_total
