#!/usr/bin/env bash
# Builds (release) and opens the Async Jobs window. Installs what is missing first.
# Arguments go to the app: scripts/run.sh --threads 4
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
[[ -x "$HOME/.cargo/bin/cargo" ]] && export PATH="$HOME/.cargo/bin:$PATH"
if [[ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]]; then
    echo "run.sh: no display (DISPLAY/WAYLAND_DISPLAY unset); running under a private Xvfb instead." >&2
    exec bash scripts/with-xvfb.sh cargo run --release --locked -- "$@"
fi
exec cargo run --release --locked -- "$@"
