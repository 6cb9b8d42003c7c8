#!/usr/bin/env python3
"""Runs the workspace's tests as scripts/test.sh builds them, several at once.

usage: run_tests.py ARTIFACTS.json [--jobs N] [--only PACKAGE/TARGET,...]

ARTIFACTS.json is what `cargo test --no-run --message-format=json-render-diagnostics` printed:
every test binary it built (unit tests, integration tests, benches run as smoke tests). Each
binary runs as `cargo test` would run it (from its package's folder, CARGO_MANIFEST_DIR and
CARGO_PKG_* set), under an X server of its own (scripts/with-xvfb.sh: none shares a display),
and the doctests run through `cargo test --doc` (rustdoc builds them). At most N (default 3)
at once: the long ones first (the GUI tests, the app's integration tests, the doctests), so
that the short ones fill in beside them; a test that waits (for a window, a process, a timer)
leaves its CPU to another. Each one's output is printed whole when it ends; at the end, the
wall time of each and the totals of libtest's summary lines. Exits 1 if any failed.
`--only async-jobs/gui,cxx-qt-async/qt_loop` runs only those binaries (no doctests unless
`doctests/doctests` is named): scripts/flaky-hunt.sh does.
"""

import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# Run first (longest first), by (package, target name); the rest in cargo's order after them.
LONG = [("async-jobs", "gui"), ("async-jobs", "it"), ("doctests", "doctests")]


def read_binaries(path):
    binaries, seen = [], set()
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line.startswith("{"):
                continue
            msg = json.loads(line)
            if msg.get("reason") != "compiler-artifact" or not msg.get("executable"):
                continue
            # What `cargo test` runs: unit tests (a library or binary built with the test
            # harness), integration tests, and benches marked `test = true` (run as smoke tests).
            # Not the examples (built for the tests that run them) nor the plain binaries.
            target = msg["target"]
            kind = target["kind"][0]
            if not (
                kind == "test"
                or (kind == "bench" and target.get("test", False))
                or (kind in ("lib", "bin") and msg["profile"]["test"])
            ):
                continue
            exe = msg["executable"]
            if exe in seen:
                continue
            seen.add(exe)
            package = msg["package_id"]
            manifest_dir = os.path.dirname(msg["manifest_path"])
            with open(msg["manifest_path"]) as m:
                name = re.search(r'^name\s*=\s*"([^"]+)"', m.read(), re.M).group(1)
            src = os.path.relpath(msg["target"]["src_path"], manifest_dir)
            label = f"unittests {src}" if kind in ("lib", "bin") else src
            binaries.append(
                {
                    "package": name,
                    "target": msg["target"]["name"],
                    "label": f"{name}: {label} ({os.path.relpath(exe, ROOT)})",
                    "cmd": [exe],
                    "cwd": manifest_dir,
                    "env": {
                        "CARGO_MANIFEST_DIR": manifest_dir,
                        "CARGO_PKG_NAME": name,
                        "CARGO_CRATE_NAME": msg["target"]["name"].replace("-", "_"),
                    },
                    "id": package,
                }
            )
    return binaries


def run_one(job, results, lock):
    env = dict(os.environ, **job["env"])
    started = time.monotonic()
    with tempfile.TemporaryFile() as out:
        status = subprocess.call(
            ["bash", os.path.join(ROOT, "scripts/with-xvfb.sh")] + job["cmd"],
            cwd=job["cwd"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        out.seek(0)
        text = out.read().decode(errors="replace")
    took = time.monotonic() - started
    with lock:
        print(f"\n     Running {job['label']}  [{took:.1f} s]", flush=True)
        sys.stdout.write(text)
        sys.stdout.flush()
        results.append((job, status, took, text))


def main():
    args = sys.argv[1:]
    jobs_max = 3
    if "--jobs" in args:
        i = args.index("--jobs")
        jobs_max = int(args[i + 1])
        del args[i : i + 2]
    only = None
    if "--only" in args:
        i = args.index("--only")
        only = set(args[i + 1].split(","))
        del args[i : i + 2]
    artifacts = args[0]
    binaries = read_binaries(artifacts)
    doctests = {
        "package": "doctests",
        "target": "doctests",
        "label": "doctests (cargo test --workspace --all-features --doc)",
        "cmd": ["cargo", "test", "--workspace", "--all-features", "--locked", "--doc"],
        "cwd": ROOT,
        "env": {},
    }
    queue = binaries + [doctests]
    first = [j for key in LONG for j in queue if (j["package"], j["target"]) == key]
    queue = first + [j for j in queue if j not in first]
    if only is not None:
        unknown = only - {f"{j['package']}/{j['target']}" for j in queue}
        if unknown:
            sys.exit(f"run_tests.py: --only names no test binary: {sorted(unknown)}")
        queue = [j for j in queue if f"{j['package']}/{j['target']}" in only]

    results, lock, running = [], threading.Lock(), []
    started = time.monotonic()
    print(f"run_tests.py: {len(queue)} test runs, at most {jobs_max} at once, "
          "each under an X server of its own", flush=True)
    for job in queue:
        while len([t for t in running if t.is_alive()]) >= jobs_max:
            time.sleep(0.05)
        thread = threading.Thread(target=run_one, args=(job, results, lock))
        thread.start()
        running.append(thread)
    for thread in running:
        thread.join()

    totals = [0, 0, 0]
    failed = []
    for job, status, took, text in results:
        for m in re.finditer(r"test result: \w+\. (\d+) passed; (\d+) failed; (\d+) ignored", text):
            for i in range(3):
                totals[i] += int(m.group(i + 1))
        if status != 0:
            failed.append(job["label"])
    print(f"\nrun_tests.py: {time.monotonic() - started:.0f} s; each (wall time):")
    for job, status, took, _ in sorted(results, key=lambda r: -r[2]):
        print(f"  {took:6.1f} s  {'ok    ' if status == 0 else 'FAILED'}  {job['label']}")
    for label in failed:
        print(f"run_tests.py: FAILED: {label}", file=sys.stderr)
    print(f"tests: {totals[0]} passed, {totals[1]} failed, {totals[2]} skipped")
    sys.exit(1 if failed or totals[1] else 0)


if __name__ == "__main__":
    main()
