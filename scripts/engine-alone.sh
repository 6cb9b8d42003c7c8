#!/usr/bin/env bash
# Checks the layering the workspace promises, then tests the engine on its own:
# * the engine's dependency tree (build and dev dependencies included) has no cxx, cxx-qt, cc
#   or Qt build tool: it builds no C++;
# * the library's tree has none of the app's crates (a user of cxx-qt-async gets no dashboard);
# * `cargo test -p cxx-qt-async-engine` passes with the engine's own features (not unified with
#   the app's), in the workspace's target folder: cargo keys artifacts by their features, so the
#   engine and the crates whose features differ get their own builds there, and the rest (most
#   of the engine's dependencies) is shared with the workspace's build instead of built again.
#   The trees checked above are what proves that nothing of Qt or C++ is built.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -x "$HOME/.cargo/bin/cargo" ]] && export PATH="$HOME/.cargo/bin:$PATH"
fail=0
engine_tree="$(cargo tree --locked -p cxx-qt-async-engine --all-features -e normal,build,dev --prefix none)"
if grep -E '^(cxx|cxx-qt|cxx-qt-lib|cxx-qt-build|cc|qt-build-utils) ' <<<"$engine_tree"; then
    echo "engine-alone.sh: the engine depends on C++ or Qt tooling (above)" >&2
    fail=1
fi
library_tree="$(cargo tree --locked -p cxx-qt-async --all-features -e normal --prefix none)"
if grep -E '^(sha2|walkdir|glob|flate2|tracing-subscriber|libtest-mimic|async-jobs|cxx-qt-async-test-support|reqwest|nix|tiny_http) ' <<<"$library_tree"; then
    echo "engine-alone.sh: the library depends on the app's or the tests' crates (above)" >&2
    fail=1
fi
((fail == 0)) || exit 1
echo "engine-alone.sh: the engine needs no C++ ($(sort -u <<<"$engine_tree" | wc -l) crates); the library has none of the app's crates ($(sort -u <<<"$library_tree" | wc -l) crates)"
exec cargo test --locked -p cxx-qt-async-engine --all-features
