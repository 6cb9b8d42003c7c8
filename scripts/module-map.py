#!/usr/bin/env python3
"""Checks the module maps against the code: every module a library's lib.rs declares (and every
sub-module folder) is named in that crate's entry of the README's "Source layout", and, for the
engine, in its crate docs' module table; every source file the README names for a library
exists. Prints what disagrees and exits 1; run by CI (no build needed)."""
import os
import re
import sys

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
os.chdir(root)
readme = open("README.md").read()
layout = readme.split("## Source layout", 1)[1].split("```text", 1)[1].split("```", 1)[0]
crates = {
    "engine": ("crates/cxx-qt-async-engine", "crates/cxx-qt-async-engine/", "crates/cxx-qt-async/"),
    "qt": ("crates/cxx-qt-async", "crates/cxx-qt-async/ ", "crates/test-support/"),
}
problems = []


def declared(crate_dir):
    """The modules lib.rs declares (`mod x;`, `pub mod x;`, cfg'd or not)."""
    text = open(f"{crate_dir}/src/lib.rs").read()
    return sorted(set(re.findall(r"^\s*(?:pub(?:\([a-z]+\))? )?mod (\w+);", text, re.M)))


for name, (crate_dir, start, end) in crates.items():
    section = layout.split(start, 1)[1].split(end, 1)[0]
    mods = declared(crate_dir)
    for mod in mods:
        if not re.search(rf"(?<![\w]){mod}(\.rs|/)", section):
            problems.append(f"README's source layout ({crate_dir}) does not name module {mod} ({mod}.rs or {mod}/)")
    # Files the README names there must exist (a stale map names what was moved or removed).
    for mentioned in set(re.findall(r"(?<![\w./-])([a-z_]+)\.(rs|cpp)\b", section)):
        stem, ext = mentioned
        hits = [p for d, _, fs in os.walk(crate_dir) if "/target" not in d for f in fs
                for p in [os.path.join(d, f)] if f == f"{stem}.{ext}"]
        if not hits:
            problems.append(f"README's source layout ({crate_dir}) names {stem}.{ext}, which does not exist")
    if name == "engine":
        lib = open(f"{crate_dir}/src/lib.rs").read()
        table = "\n".join(l for l in lib.splitlines() if l.startswith("//! |"))
        for mod in mods:
            if not re.search(rf"(`|\[`){mod}`", table):
                problems.append(f"{crate_dir}/src/lib.rs's module table does not name module {mod}")

for p in problems:
    print(f"module-map: {p}")
if problems:
    sys.exit(1)
print("module-map: the crate docs' and the README's module maps name every module, and nothing gone")
