#!/usr/bin/env bash
# usage: scripts/bare-timing.sh [RUNS]   (default 1; as root)
#        scripts/bare-timing.sh --prepare   (only makes the cached root, no timing)
# Times the README's two commands as a newcomer meets them on a bare Debian 12 machine (no Qt,
# an empty cargo registry, no target folder), without touching this machine's packages or its
# ~/.cargo: in a Debian 12 root of its own (debootstrap, minbase plus what a person who cloned
# the repository has: git, ca-certificates) entered with chroot, the host's Rust toolchain bound
# in read-only (~/.rustup, ~/.cargo/bin) with an empty CARGO_HOME inside. Each run:
#   1. a fresh root (unpacked from a cached tarball; the first run makes it with debootstrap);
#   2. `bash scripts/test.sh` in a fresh clone: packages, building the tests (crates downloaded),
#      running them; its tests counted;
#   3. `bash scripts/run.sh` in a second fresh clone (Qt and the registry now there, its target
#      empty), on an X display of its own, until the window "Async Jobs" is mapped;
# then prints each step's wall time and the machine's load (1-minute average, sampled every
# 5 s: min / mean / max over the step; other people's builds count in it), and the ten longest
# units of each build from cargo's own --timings report (a wrapper named cargo in the root adds
# --timings to the two builds: `cargo test --no-run` and `cargo run`).
# The clone is of this checkout's HEAD (BARE_REV=REV for another commit). Everything is
# unmounted and removed at the end, on failure or interrupt too; the tarball is kept (in
# BARE_CACHE, default /var/cache/cxx-qt-async-bare; remove it to make a new one).
# Environment: BARE_MIRROR (default http://deb.debian.org/debian), BARE_WORK (where the root
# goes, default /tmp), BARE_KEEP_LOGS=DIR copies each run's logs and timing reports there.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"
prepare=0
[[ ${1:-} == --prepare ]] && { prepare=1; shift; }
runs="${1:-1}"
[[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "usage: scripts/bare-timing.sh [RUNS]" >&2; exit 2; }
((EUID == 0)) || { echo "bare-timing.sh: run as root (debootstrap, mount, chroot)" >&2; exit 2; }
rev="$(git rev-parse "${BARE_REV:-HEAD}")"
cache="${BARE_CACHE:-/var/cache/cxx-qt-async-bare}"
mirror="${BARE_MIRROR:-http://deb.debian.org/debian}"
tarball="$cache/bookworm-minbase.tar"
rustup_home="${RUSTUP_HOME:-$HOME/.rustup}"
cargo_bin="${CARGO_HOME:-$HOME/.cargo}/bin"
[[ -x $cargo_bin/cargo && -d $rustup_home/toolchains ]] || {
    echo "bare-timing.sh: no rustup toolchain in $rustup_home and $cargo_bin" >&2
    exit 2
}

root=""
sampler=""
# Unmounts whatever is mounted under the root (deepest first), ends the processes running in
# it (each by its id: only those whose root directory is this one), then removes it, but only
# once nothing is mounted there any more (the toolchain is bound in read-only, and stays safe).
cleanup() {
    local status=$? pid left
    set +e +o pipefail
    [[ -n $sampler ]] && kill "$sampler" 2>/dev/null || true
    if [[ -n $root && -d $root ]]; then
        for pid in $(ls /proc | grep -E '^[0-9]+$'); do
            [[ "$(readlink "/proc/$pid/root" 2>/dev/null)" == "$root" ]] && kill -KILL "$pid" 2>/dev/null || true
        done
        sleep 0.5
        for _ in 1 2 3; do
            findmnt -rn -o TARGET | grep -F "$root/" | sort -r | while read -r m; do
                umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
            done
        done
        left="$(findmnt -rn -o TARGET | grep -F "$root/" || true)"
        if [[ -n $left ]]; then
            echo "bare-timing.sh: still mounted, $root NOT removed: $left" >&2
            status=1
        else
            rm -rf "$root"
        fi
        rm -f "$root".load.*
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The root, as a tarball made once.
if [[ ! -f $tarball ]]; then
    command -v debootstrap >/dev/null || {
        echo "bare-timing.sh: installing debootstrap" >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
    }
    mkdir -p "$cache"
    root="$(mktemp -d "${BARE_WORK:-/tmp}/cxx-qt-async-bare.XXXXXX")"
    echo "bare-timing.sh: debootstrap bookworm (minbase) into $root, from $mirror" >&2
    started=$SECONDS
    debootstrap --variant=minbase --include=ca-certificates,git bookworm "$root" "$mirror" \
        >"$root.debootstrap.log" 2>&1 || { cat "$root.debootstrap.log" >&2; rm -f "$root.debootstrap.log"; exit 1; }
    rm -f "$root.debootstrap.log"
    # The sources of a fresh Debian 12 (updates and security too), and no package lists yet.
    rm -f "$root/etc/apt/sources.list"
    cat >"$root/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $mirror
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${mirror%/debian}/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    find "$root/var/lib/apt/lists" -maxdepth 1 -type f -delete
    rm -f "$root"/var/cache/apt/archives/*.deb
    tar -C "$root" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
    echo "bare-timing.sh: cached the root in $tarball ($(du -h "$tarball" | cut -f1), $((SECONDS - started)) s)" >&2
    rm -rf "$root"
    root=""
fi

# `in_root CMD`: runs a bash command inside the root as a newcomer's login shell would.
in_root() {
    env -i HOME=/root USER=root LOGNAME=root TERM=dumb SHELL=/bin/bash CARGO_TERM_COLOR=never \
        PATH=/root/.cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        ${DISPLAY_IN_ROOT:+DISPLAY=$DISPLAY_IN_ROOT} \
        chroot "$root" /bin/bash -c "$1"
}

# `load_sampler FILE`: appends the 1-minute load average to FILE every 5 s.
load_sampler() {
    while :; do cut -d' ' -f1 /proc/loadavg >>"$1"; sleep 5; done
}
load_summary() {
    awk 'NR == 1 {min = max = $1} {s += $1; if ($1 < min) min = $1; if ($1 > max) max = $1}
         END {if (NR) printf "load %.2f / %.2f / %.2f (min / mean / max, %d samples)", min, s / NR, max, NR}' "$1"
}

# `timed NAME LOGFILE CMD`: runs CMD (inside the root) with its output in LOGFILE, prints the
# wall time and the load over it. Fails the run if CMD fails (its log's tail printed).
declare -A took
timed() {
    local name=$1 log=$2 cmd=$3 started status=0 loads
    loads="$(mktemp "$root.load.XXXXXX")"
    load_sampler "$loads" &
    sampler=$!
    started=$(date +%s.%N)
    in_root "$cmd" >"$log" 2>&1 || status=$?
    took[$name]=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN {print b - a}')
    kill "$sampler"; wait "$sampler" 2>/dev/null || true; sampler=""
    printf '  %-58s %6.0f s   %s\n' "$name" "${took[$name]}" "$(load_summary "$loads")"
    rm -f "$loads"
    if ((status != 0)); then
        echo "bare-timing.sh: $name failed (status $status); the end of its log:" >&2
        tail -40 "$log" >&2
        return "$status"
    fi
}

# The ten longest units of the newest cargo --timings report under DIR (its UNIT_DATA).
longest_units() {
    python3 - "$1" <<'PY'
import glob, json, os, re, sys
reports = sorted(glob.glob(os.path.join(sys.argv[1], "cargo-timing-*.html")), key=os.path.getmtime)
best = None
for path in reports:
    m = re.search(r"const UNIT_DATA = (\[.*?\]);\n", open(path).read(), re.S)
    units = json.loads(m.group(1)) if m else []
    if best is None or len(units) >= len(best[1]):
        best = (path, units)
if not best or not best[1]:
    print("    (no cargo --timings report)")
    sys.exit()
path, units = best
total = max(u["start"] + u["duration"] for u in units)
print(f"    {len(units)} units, {total:.0f} s wall ({os.path.basename(path)}); the ten longest:")
for u in sorted(units, key=lambda u: -u["duration"])[:10]:
    what = u.get("target", "").strip() or "lib"
    print(f"    {u['duration']:7.1f} s  {u['name']} {u['version']}{what} ({u.get('mode', '')})")
PY
}

((prepare)) && { echo "bare-timing.sh: the root is cached in $tarball"; exit 0; }
logs_out="${BARE_KEEP_LOGS:-}"
for run in $(seq 1 "$runs"); do
    root="$(mktemp -d "${BARE_WORK:-/tmp}/cxx-qt-async-bare.XXXXXX")"
    tar -C "$root" -xf "$tarball"
    chmod 755 "$root" # (mktemp's 0700, also in the tarball's ".": other users could not enter /)
    # apt's download folder, as a fresh system has it (owned by apt's own user).
    chroot "$root" install -d -o _apt -g root -m 700 /var/lib/apt/lists/partial
    # The network as this machine reaches it: its name servers, and the certificate
    # authorities its bundle has beyond Debian's (a registry mirror's own, say), added the way a
    # person adds one (/usr/local/share/ca-certificates). And dpkg's and apt's settings of this
    # kind of machine (a container image's: unsafe-io, no caches kept), so that the packages
    # install as fast as they would on it.
    cp /etc/resolv.conf "$root/etc/resolv.conf"
    python3 - /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt" \
        "$root/usr/local/share/ca-certificates" <<'PY'
import re, sys
pem = re.compile(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", re.S)
host, root = (set(pem.findall(open(p).read())) for p in sys.argv[1:3])
for i, cert in enumerate(sorted(host - root)):
    open(f"{sys.argv[3]}/host-extra-{i}.crt", "w").write(cert + "\n")
PY
    chroot "$root" update-ca-certificates >/dev/null 2>&1
    cp /etc/dpkg/dpkg.cfg.d/docker-* "$root/etc/dpkg/dpkg.cfg.d/" 2>/dev/null || true
    cp /etc/apt/apt.conf.d/docker-* "$root/etc/apt/apt.conf.d/" 2>/dev/null || true
    # As in Debian's container images: packages installed here start no services.
    printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
    chmod +x "$root/usr/sbin/policy-rc.d"
    mount -t proc proc "$root/proc"
    mount -t sysfs -o ro sysfs "$root/sys"
    mount --bind /dev "$root/dev"
    mount -t devpts -o newinstance,ptmxmode=0666 devpts "$root/dev/pts"
    mount -t tmpfs -o mode=1777 tmpfs "$root/dev/shm"
    # The toolchain, read-only; CARGO_HOME (/root/.cargo) is the root's own, empty but for bin/.
    mkdir -p "$root/root/.rustup" "$root/opt/host-cargo-bin" "$root/root/.cargo/bin"
    mount --bind "$rustup_home" "$root/root/.rustup"
    mount -o remount,bind,ro "$root/root/.rustup"
    mount --bind "$cargo_bin" "$root/opt/host-cargo-bin"
    mount -o remount,bind,ro "$root/opt/host-cargo-bin"
    for tool in "$cargo_bin"/*; do
        ln -s "/opt/host-cargo-bin/$(basename "$tool")" "$root/root/.cargo/bin/$(basename "$tool")"
    done
    rm "$root/root/.cargo/bin/cargo"
    cat >"$root/root/.cargo/bin/cargo" <<'EOF'
#!/bin/sh
# bare-timing.sh: cargo, with --timings added to the builds it times.
case "$1 $*" in
"test "*--no-run*|"run "*|"build "*) sub=$1; shift; exec /opt/host-cargo-bin/cargo "$sub" --timings "$@" ;;
esac
exec /opt/host-cargo-bin/cargo "$@"
EOF
    chmod +x "$root/root/.cargo/bin/cargo"
    git clone -q --no-checkout "$repo" "$root/root/clone-test"
    git -C "$root/root/clone-test" checkout -q "$rev"
    git clone -q --no-checkout "$repo" "$root/root/clone-run"
    git -C "$root/root/clone-run" checkout -q "$rev"

    echo "== run $run of $runs: $(git log -1 --format='%h %s' "$rev" | cut -c1-80)"
    echo "  $(nproc) CPUs; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
    timed "bash scripts/test.sh (fresh clone, bare root)" "$root/test.log" \
        'cd /root/clone-test && bash scripts/test.sh'
    # test.sh's own steps, and its test count (libtest's summary lines, GUI harness included).
    grep -E '^== .* took [0-9]+ s' "$root/test.log" | sed 's/^== /      /'
    python3 - "$root/test.log" <<'PY'
import re, sys
text = open(sys.argv[1], errors="replace").read()
passed = failed = ignored = 0
for m in re.finditer(r"test result: \w+\. (\d+) passed; (\d+) failed; (\d+) ignored", text):
    passed += int(m.group(1)); failed += int(m.group(2)); ignored += int(m.group(3))
print(f"      tests: {passed} passed, {failed} failed, {ignored} ignored")
PY
    echo "    build of the tests (cargo test --no-run --timings):"
    longest_units "$root/root/clone-test/target/cargo-timings"

    # The window: run.sh in the second clone, on a display of the root's own (as a person at a
    # desktop; without one run.sh starts its own Xvfb), until the window is mapped.
    # (-displayfd: a number free on the host too, whose abstract sockets the root shares.)
    in_root 'Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>/tmp/xvfb.display >/tmp/xvfb.log 2>&1 &
             echo $! >/tmp/xvfb.pid
             for i in $(seq 100); do grep -q "^[0-9]" /tmp/xvfb.display && exit 0; sleep 0.1; done; exit 1' || {
        echo "bare-timing.sh: Xvfb did not start in the root" >&2
        exit 1
    }
    DISPLAY_IN_ROOT=":$(head -1 "$root/tmp/xvfb.display")" timed "bash scripts/run.sh (second fresh clone) to the window" "$root/run.log" \
        'cd /root/clone-run && { setsid bash scripts/run.sh </dev/null & echo $! >/tmp/run.pid; } &&
         XDG_RUNTIME_DIR=/tmp timeout 1800 xdotool search --sync --onlyvisible --name "^Async Jobs$" >/dev/null ||
         { echo "no window within 30 min"; exit 1; }'
    grep -E 'Finished|Compiling async-jobs' "$root/run.log" | sed 's/^ */      /' | tail -2
    echo "    build of the app (cargo run --release --timings):"
    longest_units "$root/root/clone-run/target/cargo-timings"
    in_root 'kill -- -$(cat /tmp/run.pid) 2>/dev/null; kill $(cat /tmp/xvfb.pid) 2>/dev/null; sleep 1; true'
    echo "  load after: $(cut -d' ' -f1-3 /proc/loadavg)"
    if [[ -n $logs_out ]]; then
        mkdir -p "$logs_out/run$run"
        cp "$root/test.log" "$root/run.log" "$logs_out/run$run/"
        cp -r "$root/root/clone-test/target/cargo-timings" "$logs_out/run$run/timings-test"
        cp -r "$root/root/clone-run/target/cargo-timings" "$logs_out/run$run/timings-run"
    fi
    # Unmount and remove this run's root before the next one.
    (trap - EXIT; cleanup) || exit 1
    root=""
done
