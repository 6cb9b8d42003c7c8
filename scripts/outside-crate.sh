#!/usr/bin/env bash
# Builds and runs the app of the README's "Use it in your app" section, taken from the README
# itself (each of its files is a fenced block marked `<!-- outside-crate: PATH -->`), in a
# temporary folder outside this repository, so that the README's setup and what is tested
# cannot drift apart. The app depends on cxx-qt-async alone, as a Rust developer's app would.
# Its one QObject's coroutine chains three jobs, joins two and cancels one; a second instance
# is destroyed mid-coroutine. The changes made to the README's text, and nothing else: the
# `cxx-qt-async = "…"` line points at this checkout by path, and the repository's profile for
# dependencies is added (below). Checks that the library's default build (no `tokio` feature)
# does not warn, that the app links neither Qt Quick nor Qt Quick Test (the library needs
# Qt Core and Qml only), and that a run prints the README's marked output, every line of it.
# The temporary folder is removed.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -x "$HOME/.cargo/bin/cargo" ]] && export PATH="$HOME/.cargo/bin:$PATH"
root="$PWD"
work="$(mktemp -d "${TMPDIR:-/tmp}/cxx-qt-async-outside.XXXXXX")"
runtime_dir="$(mktemp -d "${TMPDIR:-/tmp}/cxx-qt-async-outside-xdg.XXXXXX")"
trap 'rm -rf "$work" "$runtime_dir"' EXIT
# The README's marked blocks, each to its file (`output`: what a run must print).
python3 - README.md "$work" <<'PY'
import os, re, sys
readme, work = sys.argv[1], sys.argv[2]
text = open(readme).read()
blocks = re.findall(r"<!-- outside-crate: (\S+) -->\n```[a-z]*\n(.*?)\n```\n", text, re.S)
names = [name for name, _ in blocks]
need = ["Cargo.toml", "build.rs", ".cargo/config.toml", "src/main.rs", "src/hello.rs", "src/chain.rs", "output"]
if sorted(names) != sorted(need):
    sys.exit(f"outside-crate.sh: README.md's marked blocks are {names}, expected one each of {need}")
for name, body in blocks:
    path = os.path.join(work, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(body + "\n")
PY
# The library by path: the README's one dependency line for it, replaced.
grep -c '^cxx-qt-async = "[0-9.]*"$' "$work/Cargo.toml" | grep -qx 1 || {
    echo 'outside-crate.sh: the README'"'"'s Cargo.toml has no line `cxx-qt-async = "VERSION"`' >&2
    exit 1
}
sed -i "s|^cxx-qt-async = \"[0-9.]*\"\$|cxx-qt-async = { path = \"$root/crates/cxx-qt-async\" }|" "$work/Cargo.toml"
# The repository's own setting for its dependencies (no debug information), so that this app,
# built in the repository's target folder, shares the dependencies built there with the same
# features (cxx-qt-lib's C++ with Qt Gui and Qml, as the workspace's) instead of building them
# again. A user's app leaves it out.
printf '\n[profile.dev.package."*"]\ndebug = false\n' >>"$work/Cargo.toml"
# The dependency versions this repository is tested with (cargo drops the ones not used).
cp Cargo.lock "$work/"
# The workspace's target folder: what the app shares with the workspace's build is reused. Not
# shared, by design: the library and the engine without `tokio`, which is the build a user
# gets, which must build and not warn.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
# Warnings denied in the library's own code, built as a user gets it: default features (no
# `tokio`). Cargo repeats a fresh crate's warnings, so a warm target folder shows them too.
build_log="$(cd "$work" && cargo build --quiet --message-format=short 2>&1)" || {
    echo "$build_log" >&2
    exit 1
}
if grep -E "^($root/crates/|src/)[^ ]*: (warning|error)" <<<"$build_log"; then
    echo "outside-crate.sh: the library's default build, or the README's app, warns (above)" >&2
    exit 1
fi
exe="$CARGO_TARGET_DIR/debug/my-app"
if ldd "$exe" | grep -i 'quicktest\|Qt6Quick\.so'; then
    echo "outside-crate.sh: the user's app links Qt Quick or Qt Quick Test (above)" >&2
    exit 1
fi
status=0
out="$(cd "$work" && QT_QPA_PLATFORM=offscreen XDG_RUNTIME_DIR="$runtime_dir" timeout 120 "$exe" 2>&1)" || status=$?
echo "$out" | grep 'my-app:' || true
missing=0
while IFS= read -r line; do
    grep -qF -- "$line" <<<"$out" || {
        echo "outside-crate.sh: the run did not print: $line" >&2
        missing=1
    }
done <"$work/output"
if ((status != 0 || missing)); then
    echo "outside-crate.sh: the README's app failed (status $status):" >&2
    echo "$out" >&2
    exit 1
fi
echo "outside-crate.sh: the README's app builds outside the repository on cxx-qt-async alone and prints what the README says"
