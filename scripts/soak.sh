#!/usr/bin/env bash
# usage: scripts/soak.sh [SECONDS]   (default 180)
# A soak of the real window under Xvfb, driven by xdotool like a person: for SECONDS it starts
# random jobs (compute, pipeline, fan-out, scan, hash then Delete to cancel, fail, panic) and
# clears the finished ones, while it samples the app's resident memory every second, and the app
# logs its heap in use every second (its diagnostics, RUST_LOG=async_jobs::memory=debug). Prints
# one line: `soak seconds=.. ops=.. rss_first_mb=.. rss_peak_mb=.. rss_last_mb=..
# slope_kb_per_min=.. heap_last_mb=.. heap_slope_kb_per_min=.. trims=..` (slopes: a least-squares
# line through the second half of the samples; flat memory reads near 0).
# SOAK_PROFILE=debug uses the debug build (default: release).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-180}"
EXTRA_PACKAGES="xdotool" bash scripts/deps.sh
[[ -x "$HOME/.cargo/bin/cargo" ]] && export PATH="$HOME/.cargo/bin:$PATH"
profile="${SOAK_PROFILE:-release}"
if [[ "${2:-}" != --inner ]]; then
    # The workspace's features, as scripts/test.sh builds them: after the tests (CI) the debug
    # binary is already there, instead of a second build of the app and its crates (~100 s).
    if [[ $profile == release ]]; then
        cargo build --release --locked --workspace --all-features --bin async-jobs
    else
        cargo build --locked --workspace --all-features --bin async-jobs
    fi
    exec bash scripts/with-xvfb.sh bash "$0" "$seconds" --inner
fi

work="$(mktemp -d)"
export ASYNC_JOBS_CONFIG_DIR="$work/config"
RUST_LOG=warn,async_jobs::memory=debug "./target/$profile/async-jobs" --threads 2 2>"$work/app.log" &
app=$!
trap 'kill $app 2>/dev/null || true; rm -rf "$work"' EXIT
wid=$(xdotool search --sync --name "^Async Jobs$" | head -1)
sleep 1.5

# The launcher's kinds (y in the 1280x800 window, qml/Launcher.qml) and the "Clear finished" button.
declare -A kind=([hash]=84 [scan]=118 [compute]=152 [pipeline]=186 [fanout]=220 [fail]=288 [panic]=322)
pick() { xdotool mousemove --window "$wid" 120 "${kind[$1]}" click 1; sleep 0.2; }
field() { xdotool key Tab ctrl+a; xdotool type --delay 5 "$1"; }
enter() { xdotool key Return; sleep 0.3; }
clear_finished() { xdotool mousemove --window "$wid" 876 55 click 1; sleep 0.2; }

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$app/status"; }
: >"$work/rss"
( while kill -0 "$app" 2>/dev/null; do echo "$(date +%s.%N) $(rss_kb)" >>"$work/rss"; sleep 1; done ) &

ops=0
end=$(( $(date +%s) + seconds ))
while (( $(date +%s) < end )); do
    case $(( RANDOM % 7 )) in
        0) pick compute; field $(( 1000000 + RANDOM * 100 )); enter ;;
        1) pick pipeline; field $(( 1 + RANDOM % 32 )); enter ;;
        2) pick fanout; field $(( 100 + RANDOM % 5000 )); enter ;;
        3) pick scan; field "$PWD/crates"; xdotool key Tab; field "*.rs"; enter ;;
        4) pick hash; field /dev/zero; enter; sleep 0.3
           xdotool mousemove --window "$wid" 600 100 click 1; xdotool key Delete ;;
        5) pick fail; enter ;;
        6) pick panic; enter ;;
    esac
    ops=$(( ops + 1 ))
    (( ops % 8 == 0 )) && { sleep 1; clear_finished; }
done
sleep 2; clear_finished; sleep 2
kill -0 "$app" || { echo "soak.sh: the app died; its log:" >&2; cat "$work/app.log" >&2; exit 1; }
xdotool key ctrl+q
wait "$app" || { echo "soak.sh: the app exited with an error" >&2; exit 1; }
python3 - "$work/rss" "$seconds" "$ops" "$work/app.log" <<'PY'
import re, sys
from datetime import datetime
rows = [tuple(map(float, l.split())) for l in open(sys.argv[1]) if len(l.split()) == 2]
# The app's own readings, about one a second: when (its log's UTC time), heap in use (kB), and
# whether it trimmed.
log = [l for l in open(sys.argv[4], errors="replace") if "async_jobs::memory" in l]
heap = [(datetime.fromisoformat(m.group(1) + "+00:00").timestamp(), float(m.group(2)))
        for l in log if (m := re.match(r"(\S+?)Z .*heap_kb=(\d+)", l))]
trims = sum("trimmed=true" in l for l in log)
def slope(points):
    half = points[len(points) // 2:]
    if len(half) < 2:
        return float("nan")
    t0 = half[0][0]
    xs = [(t - t0) / 60 for t, _ in half]
    ys = [kb for _, kb in half]
    n = len(xs); mx = sum(xs) / n; my = sum(ys) / n
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / max(sum((x - mx) ** 2 for x in xs), 1e-9)
print(f"soak seconds={sys.argv[2]} ops={sys.argv[3]} samples={len(rows)} rss_first_mb={rows[0][1]/1024:.1f} "
      f"rss_peak_mb={max(r[1] for r in rows)/1024:.1f} rss_last_mb={rows[-1][1]/1024:.1f} "
      f"slope_kb_per_min={slope(rows):.0f} "
      f"heap_last_mb={(heap[-1][1] / 1024 if heap else float('nan')):.1f} "
      f"heap_slope_kb_per_min={slope(heap):.0f} trims={trims}")
# Resident and heap at the end of every minute (MB), to see the level, not only the slope.
t0 = rows[0][0]
def each_minute(points):
    return [next((kb for t, kb in points if t - t0 >= 60 * m), points[-1][1])
            for m in range(1, int((rows[-1][0] - t0) // 60) + 1)] if points else []
minutes, heap_minutes = each_minute(rows), each_minute(heap)
if minutes:
    print("soak rss_mb_each_minute=" + "/".join(f"{kb / 1024:.0f}" for kb in minutes)
          + " heap_mb_each_minute=" + "/".join(f"{kb / 1024:.0f}" for kb in heap_minutes))
PY
