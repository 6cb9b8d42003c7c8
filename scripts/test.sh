#!/usr/bin/env bash
# Runs every test of the workspace, with every feature (the library's `tokio` too): the engine's
# (headless, no Qt), the Qt layer's, the app's unit tests, doctests, and the GUI tests against
# the real window. Installs what is missing first (the crates are downloaded meanwhile). Prints
# each step's wall time (`== NAME took N s`).
#
# The tests are built once (`cargo test --no-run`), then run several at once, each test binary
# under an X server of its own (scripts/lib/run_tests.py): none shares a display, and a test
# that waits leaves its CPU to another. Extra arguments go to `cargo test` and run those tests
# the plain way, one after the other under one Xvfb (e.g. scripts/test.sh -p async-jobs --test
# gui; GUI_TESTS=test_a,test_b selects GUI test functions).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/step.sh
[[ -x "$HOME/.cargo/bin/cargo" ]] && export PATH="$HOME/.cargo/bin:$PATH"
step packages bash scripts/deps.sh --fetch
# Crates whose manifests say `test = false` for their library must have no tests there (they
# would never run).
if grep -rlE '#\[(test|tokio::test)\]|#\[cfg\(test\)\]' crates/examples/src crates/test-support/src \
    crates/cxx-qt-async/src; then
    echo "test.sh: tests in a crate whose library is not tested (test = false; above)" >&2
    exit 1
fi
if (($#)); then
    step "build the tests" cargo test --workspace --all-features --locked --no-run "$@"
    step "run the tests" bash scripts/with-xvfb.sh cargo test --workspace --all-features --locked "$@"
    steps_total
    exit
fi
artifacts="$(mktemp "${TMPDIR:-/tmp}/cxx-qt-async-tests.XXXXXX")"
trap 'rm -f "$artifacts"' EXIT
# Built first, so that the build's and the run's times read apart.
step "build the tests" cargo test --workspace --all-features --locked --no-run \
    --message-format=json-render-diagnostics >"$artifacts"
step "run the tests" python3 scripts/lib/run_tests.py "$artifacts" --jobs "${TEST_JOBS:-3}"
steps_total
