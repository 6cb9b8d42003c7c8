# Sourced by .ci/run and scripts/test.sh: `step NAME COMMAND [ARGS...]` runs COMMAND between
# two lines, `== step NAME` and `== NAME took N s` (wall time, printed whether it passed or
# failed), and returns its status. `steps_total` prints the time since the script started.
step() {
    local name=$1 started=$SECONDS status=0
    shift
    echo "== step $name"
    "$@" || status=$?
    echo "== $name took $((SECONDS - started)) s$( ((status == 0)) || echo " (failed: status $status)")"
    return "$status"
}

steps_total() {
    echo "== total $SECONDS s"
}
