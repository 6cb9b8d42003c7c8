#!/usr/bin/env bash
# Regenerates the README's screenshots from the real window under Xvfb, driven by xdotool like a
# person at the mouse and keyboard:
#   docs/dashboard.png   jobs running, done, failed and cancelled; the lag plot; the task list
#   docs/ask-dialog.png  the "Ask mid-job" job waiting for its answer
#   docs/small-window.png the window at 800x600: a command's output, a slow poll named
#   docs/dashboard-de.png the window in German (LANG=de_DE.UTF-8)
# Needs xdotool and imagemagick (installed if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
EXTRA_PACKAGES="xdotool imagemagick" bash scripts/deps.sh
[[ -x "$HOME/.cargo/bin/cargo" ]] && export PATH="$HOME/.cargo/bin:$PATH"
# SCREENSHOT_PROFILE=debug takes them from the debug build (the same window, no 7 min build).
profile="${SCREENSHOT_PROFILE:-release}"
if [[ $profile == release ]]; then
    cargo build --release --locked --bin async-jobs
else
    cargo build --locked --bin async-jobs
fi
export profile
if [[ "${1:-}" != --inner ]]; then
    exec bash scripts/with-xvfb.sh bash "$0" --inner
fi

export ASYNC_JOBS_CONFIG_DIR="$(mktemp -d)"
"./target/$profile/async-jobs" --threads 2 &
app=$!
trap 'kill $app 2>/dev/null || true; rm -rf "$ASYNC_JOBS_CONFIG_DIR"' EXIT
wid=$(xdotool search --sync --name "^Async Jobs$" | head -1)
sleep 1.5

# The launcher's list of job kinds (qml/Launcher.qml), y of each row in the 1280x800 window.
declare -A kind=([hash]=84 [scan]=118 [compute]=152 [pipeline]=186 [fanout]=220 [race]=254
                 [fail]=288 [panic]=322 [ask]=356 [block]=390 [download]=424 [command]=458)
pick() { xdotool mousemove --window "$wid" 120 "${kind[$1]}" click 1; sleep 0.3; }
field() { xdotool key Tab ctrl+a; xdotool type --delay 10 "$1"; }   # the next field
enter() { xdotool key Return; sleep 0.4; }

pick block;                                    enter   # a slow poll, named in the panel
pick compute;  field 2000000000;               enter   # runs on: progress
pick pipeline; field 768;                      enter   # runs on: step by step
pick scan;     field "$PWD"; xdotool key Tab; field "*.rs"; enter   # done: matches streamed
pick fanout;   field 50000;                    enter   # done: jobs per second
pick fail;                                     enter   # failed: the context chain
pick race;     field 2000000000; field 300;    enter   # failed: the timeout
pick hash;     field /dev/zero;                enter   # cancelled below
sleep 1
xdotool mousemove --window "$wid" 600 100 click 1    # select the newest row (the hash)
xdotool key Delete                                   # Delete cancels it
sleep 2.5
mkdir -p docs
import -window root -crop 1280x800+0+0 +repage docs/dashboard.png

pick ask; enter                                      # asks "Overwrite the output?"
sleep 1.5
import -window root -crop 1280x800+0+0 +repage docs/ask-dialog.png
xdotool key Escape; sleep 0.5                        # the dialog answers No

pick command;  field "ls -la /";               enter   # its lines streamed into the row
sleep 1
xdotool windowsize "$wid" 800 600
sleep 2
import -window root -crop 800x600+0+0 +repage docs/small-window.png
xdotool key ctrl+q 2>/dev/null || true
wait "$app" 2>/dev/null || true

# The same window in German: the chrome translated, numbers and sizes as German writes them.
LANG=de_DE.UTF-8 "./target/$profile/async-jobs" --threads 2 &
app=$!
wid=$(xdotool search --sync --name "^Async Jobs$" | head -1)
sleep 1.5
pick compute;  field 2000000000;               enter   # läuft
pick scan;     field "$PWD"; xdotool key Tab; field "*.rs"; enter
pick fanout;   field 50000;                    enter
pick fail;                                     enter
pick hash;     field /dev/zero;                enter
sleep 1
xdotool mousemove --window "$wid" 600 100 click 1
xdotool key Delete                                   # abgebrochen, keeps what it had read
sleep 2.5
import -window root -crop 1280x800+0+0 +repage docs/dashboard-de.png
xdotool key ctrl+q 2>/dev/null || true
echo "screenshot.sh: wrote docs/dashboard.png, docs/ask-dialog.png, docs/small-window.png and docs/dashboard-de.png" >&2
