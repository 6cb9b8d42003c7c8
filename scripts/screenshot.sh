#!/usr/bin/env bash
# Regenerates docs/screenshot.png: the real window under Xvfb after clicking every job's Run
# button (the primes job with a large N, so it is still running in the picture; the ask job's
# dialog open).
# Needs xdotool and imagemagick (installed if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
EXTRA_PACKAGES="xdotool imagemagick" bash scripts/deps.sh
cargo build --release --locked --bin async-jobs
if [[ "${1:-}" != --inner ]]; then
    exec bash scripts/with-xvfb.sh bash "$0" --inner
fi

./target/release/async-jobs --threads 2 &
app=$!
trap 'kill $app 2>/dev/null || true' EXIT
wid=$(xdotool search --sync --name "^Async Jobs$" | head -1)
sleep 1
click() { xdotool mousemove --window "$wid" "$1" "$2" click 1; sleep 0.2; }
# Positions in the 1140x700 window (qml/Main.qml): the cards' fields and Run buttons.
click 150 117                       # primes: N field
xdotool key --window "$wid" ctrl+a
xdotool type --window "$wid" --delay 20 "2000000000"
click 327 117                       # primes: Run (still running in the picture)
click 703 117                       # chained jobs: Run
click 813 117                       # failing job: Run
click 437 448                       # panicking job: Run
click 61 462                        # ask mid-job: Run (its dialog waits for an answer)
sleep 2.5
import -window root -crop 1140x700+0+0 +repage docs/screenshot.png
echo "screenshot.sh: wrote docs/screenshot.png" >&2
