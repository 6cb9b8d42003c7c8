#!/usr/bin/env bash
# usage: scripts/with-xvfb.sh COMMAND [ARGS...]
# Runs COMMAND with DISPLAY set to a private Xvfb server, which it starts on a free display
# number and always stops afterwards (xvfb-run can leave stray servers behind when a child
# crashes). Also gives Qt a private XDG_RUNTIME_DIR.
set -euo pipefail

display=""
for n in $(seq 99 160); do
    if [[ ! -e /tmp/.X11-unix/X$n && ! -e /tmp/.X$n-lock ]]; then display=$n; break; fi
done
[[ -n $display ]] || { echo "with-xvfb.sh: no free X display number" >&2; exit 2; }

runtime_dir="$(mktemp -d "${TMPDIR:-/tmp}/cxx-qt-async-xdg.XXXXXX")"
chmod 700 "$runtime_dir"
Xvfb ":$display" -screen 0 1280x800x24 -nolisten tcp >"$runtime_dir/xvfb.log" 2>&1 &
xvfb_pid=$!
cleanup() {
    kill "$xvfb_pid" 2>/dev/null || true
    wait "$xvfb_pid" 2>/dev/null || true
    rm -rf "$runtime_dir"
}
trap cleanup EXIT INT TERM

for _ in $(seq 1 100); do
    [[ -e /tmp/.X11-unix/X$display ]] && break
    kill -0 "$xvfb_pid" 2>/dev/null || { cat "$runtime_dir/xvfb.log" >&2; exit 2; }
    sleep 0.05
done
[[ -e /tmp/.X11-unix/X$display ]] || { echo "with-xvfb.sh: Xvfb did not start" >&2; exit 2; }

export DISPLAY=":$display" XDG_RUNTIME_DIR="$runtime_dir"
unset QT_QPA_PLATFORM WAYLAND_DISPLAY
echo "with-xvfb.sh: Xvfb on $DISPLAY" >&2
set +e
"$@"
status=$?
set -e
exit "$status"
