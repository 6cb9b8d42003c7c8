#!/usr/bin/env bash
# Issue 24's acceptance from outside: the crate in scripts/outside-misuse/ (a Rust developer's
# app with a QObject of its own, depending on cxx-qt-async alone) is copied to a temporary
# folder outside this repository, built, and run: each misuse an outside review tried against
# the public API (a UniquePtr's pin_mut() held across an .await, a field borrowed across one,
# a lend from the backing struct's Drop, a lend inside a signal handler or an invokable behind
# cxx's shims, the runtime dropped in a coroutine, while unwinding or by a C++ destructor, a
# panicking destructor under cancel(), a report hook that panics or replaces itself) runs in a
# child process and must end in a refusal with the app alive: never an abort, a hang or an
# unsound lend. Then each misuse that must not compile is built and must fail, with the error
# the type system gives. The temporary folder is removed.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -x "$HOME/.cargo/bin/cargo" ]] && export PATH="$HOME/.cargo/bin:$PATH"
root="$PWD"
work="$(mktemp -d "${TMPDIR:-/tmp}/cxx-qt-async-misuse.XXXXXX")"
runtime_dir="$(mktemp -d "${TMPDIR:-/tmp}/cxx-qt-async-misuse-xdg.XXXXXX")"
trap 'rm -rf "$work" "$runtime_dir"' EXIT
cp -r scripts/outside-misuse/. "$work/"
mkdir -p "$work/.cargo"
cp .cargo/config.toml "$work/.cargo/"
sed -i "s|^cxx-qt-async = \"[0-9.]*\"\$|cxx-qt-async = { path = \"$root/crates/cxx-qt-async\" }|" "$work/Cargo.toml"
grep -q "path = \"$root/crates/cxx-qt-async\"" "$work/Cargo.toml"
# As scripts/outside-crate.sh: the repository's dependency profile and versions, and its
# target folder, so that what is shared with the workspace's build is built once.
printf '\n[profile.dev.package."*"]\ndebug = false\n' >>"$work/Cargo.toml"
cp Cargo.lock "$work/"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
(cd "$work" && cargo build --quiet)
status=0
QT_QPA_PLATFORM=offscreen XDG_RUNTIME_DIR="$runtime_dir" timeout 600 "$CARGO_TARGET_DIR/debug/misuse" || status=$?
if ((status != 0)); then
    echo "outside-misuse.sh: a misuse was not refused cleanly (status $status, above)" >&2
    exit 1
fi
# What must not compile, and the error that stops it.
failed=0
for case in "compile-fail-box-pin-mut E0599" "compile-fail-task-send E0277" \
    "compile-fail-handle-in-a-handler E0277"; do
    read -r feature code <<<"$case"
    if log="$(cd "$work" && cargo build --quiet --features "$feature" 2>&1)"; then
        echo "outside-misuse.sh: $feature compiled" >&2
        failed=1
    elif ! grep -q "error\[$code\]" <<<"$log"; then
        echo "outside-misuse.sh: $feature failed, but not with $code:" >&2
        echo "$log" >&2
        failed=1
    else
        echo "does not compile: $feature ($code)"
    fi
done
((failed == 0))
echo "outside-misuse.sh: every misuse was refused or did not compile"
