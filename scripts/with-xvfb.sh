#!/usr/bin/env bash
# usage: scripts/with-xvfb.sh COMMAND [ARGS...]
# Runs COMMAND with DISPLAY set to a private Xvfb server, which it always stops afterwards
# (xvfb-run can leave stray servers behind when a child crashes). Xvfb picks a free display
# number itself and hands it back (`-displayfd`), so runs started at the same time never pick
# the same one. Also gives Qt a private XDG_RUNTIME_DIR.
set -euo pipefail

runtime_dir="$(mktemp -d "${TMPDIR:-/tmp}/cxx-qt-async-xdg.XXXXXX")"
chmod 700 "$runtime_dir"
display_file="$runtime_dir/display"
# Xvfb writes the display number it took, newline-terminated, to this descriptor once it is
# ready for clients.
exec {display_fd}>"$display_file"
Xvfb -displayfd "$display_fd" -screen 0 1280x800x24 -nolisten tcp >"$runtime_dir/xvfb.log" 2>&1 &
xvfb_pid=$!
exec {display_fd}>&-
cleanup() {
    kill "$xvfb_pid" 2>/dev/null || true
    wait "$xvfb_pid" 2>/dev/null || true
    rm -rf "$runtime_dir"
}
trap cleanup EXIT INT TERM

display=""
for _ in $(seq 1 200); do
    # `read` succeeds only on a whole (newline-terminated) line.
    if read -r display <"$display_file"; then break; fi
    display=""
    kill -0 "$xvfb_pid" 2>/dev/null || { cat "$runtime_dir/xvfb.log" >&2; exit 2; }
    sleep 0.05
done
[[ $display =~ ^[0-9]+$ ]] || { echo "with-xvfb.sh: Xvfb did not start within 10 s" >&2; cat "$runtime_dir/xvfb.log" >&2; exit 2; }

export DISPLAY=":$display" XDG_RUNTIME_DIR="$runtime_dir"
unset QT_QPA_PLATFORM WAYLAND_DISPLAY
echo "with-xvfb.sh: Xvfb on $DISPLAY" >&2
set +e
"$@"
status=$?
set -e
exit "$status"
