#!/usr/bin/env bash
# Installs the nightly toolchain with the miri and rust-src components if missing (Miri and
# AddressSanitizer's -Zbuild-std need them). .ci/run runs it once before it starts both side by
# side (two rustup installs at once would race); scripts/miri.sh and scripts/asan.sh call it too.
set -euo pipefail
[[ -x "$HOME/.cargo/bin/cargo" ]] && export PATH="$HOME/.cargo/bin:$PATH"
installed="$(rustup component list --toolchain nightly --installed 2>/dev/null || true)"
if ! grep -q '^miri' <<<"$installed" || ! grep -q '^rust-src' <<<"$installed"; then
    rustup toolchain install nightly --profile minimal >/dev/null
    rustup component add miri rust-src --toolchain nightly >/dev/null
fi
