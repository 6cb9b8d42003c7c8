#!/usr/bin/env bash
# usage: scripts/flaky-hunt.sh [N]   (default 10)
# Runs the tests that drive a real window or a real Qt event loop N times in a row on a loaded
# machine, to find the ones that pass only on a quiet one: the GUI tests (tests/gui.rs), the
# app's integration tests (the real process through xdotool and AT-SPI), its benchmark's smoke
# run, the Qt layer's Qt-loop tests, its integration tests (the examples) and its workloads'
# smoke run. They run as scripts/test.sh runs them (several at once, each under an X server of
# its own), while `stress-ng --cpu N` (FLAKY_LOAD_CPUS, default 2: every CPU of a 2-CPU machine;
# 0: none, for a load of your own such as a build beside it) competes with them at their own
# priority. Prints each round's result and the tests that failed, then `flaky-hunt: K/N rounds
# green`; exits 1 unless all were. Each round's whole output is kept in FLAKY_LOGS (default: a
# temporary folder, removed when all were green).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-10}"
[[ $rounds =~ ^[1-9][0-9]*$ ]] || { echo "usage: scripts/flaky-hunt.sh [N]" >&2; exit 2; }
EXTRA_PACKAGES="stress-ng" bash scripts/deps.sh
[[ -x "$HOME/.cargo/bin/cargo" ]] && export PATH="$HOME/.cargo/bin:$PATH"
only="async-jobs/gui,async-jobs/it,async-jobs/app,cxx-qt-async/qt_loop,cxx-qt-async/it,cxx-qt-async/workloads"
logs="${FLAKY_LOGS:-$(mktemp -d "${TMPDIR:-/tmp}/cxx-qt-async-flaky.XXXXXX")}"
mkdir -p "$logs"
load_pid=""
trap '[[ -n $load_pid ]] && kill "$load_pid" 2>/dev/null; wait 2>/dev/null || true' EXIT
cargo test --workspace --all-features --locked --no-run --message-format=json-render-diagnostics \
    >"$logs/artifacts.json"
if ((${FLAKY_LOAD_CPUS:-2} > 0)); then
    stress-ng --cpu "${FLAKY_LOAD_CPUS:-2}" --quiet &
    load_pid=$!
fi
green=0
for round in $(seq 1 "$rounds"); do
    started=$SECONDS
    status=0
    python3 scripts/lib/run_tests.py "$logs/artifacts.json" --only "$only" >"$logs/round-$round.log" 2>&1 ||
        status=$?
    summary="$(grep -E '^tests: ' "$logs/round-$round.log" | tail -1)"
    if ((status == 0)); then
        green=$((green + 1))
        echo "flaky-hunt: round $round/$rounds green ($((SECONDS - started)) s, load $(cut -d' ' -f1 /proc/loadavg)): $summary"
    else
        echo "flaky-hunt: round $round/$rounds FAILED ($((SECONDS - started)) s, load $(cut -d' ' -f1 /proc/loadavg)): $summary"
        grep -E '^test .* FAILED$|^---- |FAILED: |^FAIL!' "$logs/round-$round.log" | sed 's/^/    /' || true
    fi
done
[[ -n $load_pid ]] && kill "$load_pid" 2>/dev/null
if ((green == rounds)) && [[ -z ${FLAKY_LOGS:-} ]]; then
    rm -rf "$logs"
    echo "flaky-hunt: $green/$rounds rounds green"
else
    echo "flaky-hunt: $green/$rounds rounds green (each round's output: $logs)"
fi
((green == rounds))
