#!/usr/bin/env bash
# The public API of the two library packages, one line per item (kind, path, signature;
# deprecated items marked), checked into the repository as api/cxx-qt-async-engine.txt and
# api/cxx-qt-async.txt. By default it lists the API from the sources (rustdoc's JSON output,
# every feature on) and fails when that differs from the files: a change to the public API
# shows in review as a change to those files. `scripts/public-api.sh --bless` rewrites them.
#
# It also fails when a public item (module, type, trait, function, constant; not methods, not
# deprecated items) has no example in its docs (no fenced code block), and lists those items.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -x "$HOME/.cargo/bin/cargo" ]] && export PATH="$HOME/.cargo/bin:$PATH"
bless=0
case "${1:-}" in
--bless) bless=1 ;;
"") ;;
*)
    echo "usage: scripts/public-api.sh [--bless]" >&2
    exit 2
    ;;
esac
target="${CARGO_TARGET_DIR:-target}"
out="$target/public-api"
mkdir -p "$out" api
# rustdoc's JSON output is unstable: the wrapper lets the stable rustdoc make it (see there).
export RUSTDOC="$PWD/scripts/lib/rustdoc-unstable"
# Every library of the workspace at once, with the workspace's features, as its other builds:
# `cargo rustdoc -p CRATE` resolves the features of CRATE alone, and where they differ for a
# build dependency (syn's did), cxx-qt-lib's build script, and its C++, are built again.
RUSTDOCFLAGS="-Z unstable-options --output-format json" \
    cargo doc --locked --quiet --workspace --lib --all-features --no-deps
status=0
for crate in cxx-qt-async-engine cxx-qt-async; do
    json="$target/doc/${crate//-/_}.json"
    python3 scripts/lib/public_api.py "$json" --missing-examples "$out/$crate.missing-examples.txt" \
        >"$out/$crate.txt"
    missing=$(wc -l <"$out/$crate.missing-examples.txt")
    echo "public-api.sh: $crate: $(wc -l <"$out/$crate.txt") lines of public API; $missing public items without an example"
    if ((missing)); then
        echo "public-api.sh: public items of $crate whose docs have no example (a fenced code block):" >&2
        cat "$out/$crate.missing-examples.txt" >&2
        status=1
    fi
    if ((bless)); then
        cp "$out/$crate.txt" "api/$crate.txt"
    elif ! diff -u "api/$crate.txt" "$out/$crate.txt"; then
        echo "public-api.sh: the public API of $crate changed (diff above: - the listing in api/$crate.txt, + the sources)." >&2
        echo "public-api.sh: if the change is meant, run scripts/public-api.sh --bless and commit api/$crate.txt (and say so in CHANGELOG.md)." >&2
        status=1
    fi
done
((bless)) && echo "public-api.sh: api/*.txt rewritten"
exit "$status"
