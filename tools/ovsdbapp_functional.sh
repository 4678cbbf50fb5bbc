#!/usr/bin/env bash
# ovsdbapp 3.0's own functional suite, under its own runner (stestr), twice: once with the real
# ovsdb-server/ovsdb-tool, once with pyovn's first on PATH (everything else, ovn-northd,
# ovs-vswitchd, ovn-controller, the ctl tools, ovs-pki, stays real). Fails, printing each test
# and its error, when a test that passes on the real servers does not pass on pyovn's.
#
#   tools/ovsdbapp_functional.sh [--strict] [--keep] [STESTR-FILTER...]
#
# The suite runs from a virtualenv of its own, .venv-ovsdbapp (OVSDBAPP_VENV to choose another),
# with ovsdbapp==3.0.0, stestr and the tests' packages from PyPI; pyovn runs from .venv. Both
# sides run in this same invocation (the real one takes about 40 s), so there is no baseline file
# to keep up to date: the baseline is what passes on the real servers, here, now. A test that
# fails on pyovn only is run once more, alone; passing then, it is reported as FLAKY and does
# not fail the run (--strict: it does). Needs the real binaries (Debian's openvswitch-switch,
# ovn-central, ovn-host; as root, openvswitch-vtep and ovn-ic-db are installed for the
# hardware_vtep and ovn_ic_northbound tests, which fail on both sides without them).
# --keep leaves the work directory (stestr repositories, subunit streams, the servers' logs).
# STESTR-FILTER: stestr's regexes, e.g. test_venv or ovn_southbound.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
KEEP=0
STRICT=0
FILTERS=()
for arg in "$@"; do
    case "$arg" in
        --keep) KEEP=1 ;;
        --strict) STRICT=1 ;;
        -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) FILTERS+=("$arg") ;;
    esac
done
T0=$(date +%s)

PYOVN_PY="$REPO/.venv/bin/python"
if [ ! -x "$PYOVN_PY" ]; then
    bash "$REPO/tools/bootstrap.sh"
fi
for prog in ovsdb-server ovsdb-tool ovs-vswitchd ovn-northd ovn-controller ovn-nbctl ovn-sbctl \
        ovs-vsctl ovs-pki; do
    if ! command -v "$prog" >/dev/null 2>&1; then
        echo "ovsdbapp_functional: the real $prog is not installed" >&2
        exit 2
    fi
done
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
        && { [ ! -f /usr/share/openvswitch/vtep.ovsschema ] || [ ! -f /usr/share/ovn/ovn-ic-nb.ovsschema ]; }; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq openvswitch-vtep ovn-ic-db >/dev/null 2>&1 \
        || { apt-get update -qq && apt-get install -y -qq openvswitch-vtep ovn-ic-db >/dev/null; } \
        || echo "ovsdbapp_functional: openvswitch-vtep/ovn-ic-db not installed (their tests fail on both sides)" >&2
fi

VENV=${OVSDBAPP_VENV:-$REPO/.venv-ovsdbapp}
if [ ! -x "$VENV/bin/python" ]; then
    "${PYTHON:-python3}" -m venv "$VENV"
fi
if ! "$VENV/bin/python" - <<'EOF' 2>/dev/null
import importlib.metadata as md
assert md.version("ovsdbapp") == "3.0.0"
import oslotest, stestr, subunit, testscenarios, testtools  # noqa: F401
EOF
then
    "$VENV/bin/pip" install -q 'ovsdbapp==3.0.0' stestr oslotest testscenarios testtools python-subunit
fi
SITE=$("$VENV/bin/python" -c 'import os, ovsdbapp; print(os.path.dirname(os.path.dirname(ovsdbapp.__file__)))')
STESTR="$VENV/bin/stestr"

WORK=$(mktemp -d /tmp/pyovn-ovsdbapp.XXXXXX)
cleanup() {
    # Whatever a test left running (a setUpClass that fails half way does not stop its
    # servers): every process with the work directory in its command line, by pid.
    local pids
    pids=$(ps -eo pid=,args= | D="$WORK/" awk 'index($0, ENVIRON["D"]) {print $1}') || true
    for pid in $pids; do
        kill "$pid" 2>/dev/null || true
    done
    if [ -n "$pids" ]; then
        sleep 1
        for pid in $pids; do
            kill -9 "$pid" 2>/dev/null || true
        done
    fi
    if [ "$KEEP" = 1 ]; then
        echo "ovsdbapp_functional: kept $WORK"
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT

# pyovn's ovsdb-server and ovsdb-tool, as executables of those names (the suite uses no
# ovsdb-client).
mkdir -p "$WORK/pyovn-bin"
for prog in ovsdb-server ovsdb-tool; do
    printf '#!/bin/sh\nexec "%s" -m pyovn %s "$@"\n' "$PYOVN_PY" "$prog" >"$WORK/pyovn-bin/$prog"
    chmod +x "$WORK/pyovn-bin/$prog"
done

# One run: the suite in a directory of its own (stestr's repository; TMPDIR, where the fixtures
# make their directories), PATH the caller's with $3 first if given, stestr's arguments after.
run_suite() {
    local name=$1 label=$2 bindir=$3 dir="$WORK/$1" start
    shift 3
    mkdir -p "$dir/tmp"
    start=$(date +%s)
    echo "== ovsdbapp functional suite on $label"
    (
        cd "$dir"
        export TMPDIR="$dir/tmp"
        if [ -n "$bindir" ]; then
            export PATH="$bindir:$PATH"
        fi
        if [ "$KEEP" = 1 ]; then
            export KEEP_VENV=1 VIRTUAL_ENV="$dir"
        fi
        unset OVS_SRCDIR OVN_SRCDIR VTEP_SRCDIR
        "$STESTR" --test-path "$SITE/ovsdbapp/tests/functional" --top-dir "$SITE" init >/dev/null
        "$STESTR" --test-path "$SITE/ovsdbapp/tests/functional" --top-dir "$SITE" \
            run --subunit "$@" >"$dir/results.subunit" 2>"$dir/stestr.log" || true
    )
    echo "   $(( $(date +%s) - start )) s"
}

run_suite real "the real servers" "" ${FILTERS[@]+"${FILTERS[@]}"}
run_suite pyovn "pyovn's servers" "$WORK/pyovn-bin" ${FILTERS[@]+"${FILTERS[@]}"}
COMPARE=("$VENV/bin/python" "$REPO/tools/ovsdbapp_compare.py")
rc=0
if [ "$STRICT" = 1 ]; then
    "${COMPARE[@]}" "$WORK/real/results.subunit" "$WORK/pyovn/results.subunit" || rc=$?
elif ! "${COMPARE[@]}" --regressions-out "$WORK/regressions.txt" \
        "$WORK/real/results.subunit" "$WORK/pyovn/results.subunit" >"$WORK/compare.txt"; then
    n=$(wc -l <"$WORK/regressions.txt")
    echo "== $n tests failed on pyovn's servers only: once more, alone"
    run_suite pyovn-again "pyovn's servers (those tests again)" "$WORK/pyovn-bin" \
        --concurrency 1 --load-list "$WORK/regressions.txt"
    "${COMPARE[@]}" "$WORK/real/results.subunit" "$WORK/pyovn/results.subunit" \
        "$WORK/pyovn-again/results.subunit" || rc=$?
else
    cat "$WORK/compare.txt"
fi
echo "ovsdbapp_functional: $(( $(date +%s) - T0 )) s in all"
exit "$rc"
