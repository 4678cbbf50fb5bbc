#!/usr/bin/env bash
# Installs what pyovn needs on a fresh Debian machine with Python 3.11: a virtualenv with pyovn
# and its test/interop packages, and (when run as root) Debian's OVN/OVS packages, which the
# interop tests and benchmarks use as the reference. Safe to run again: it only adds what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PY" -m venv .venv
fi
if ! .venv/bin/python -c 'import pyovn, pytest, hypothesis, mypy, orjson, uvloop, immutables, ovs, ovsdbapp' 2>/dev/null; then
    .venv/bin/pip install -q --upgrade pip >/dev/null 2>&1 || true
    .venv/bin/pip install -q -e '.[test,interop]'
fi
if [ "$(id -u)" = 0 ] && { ! command -v ovn-northd >/dev/null 2>&1 || ! command -v ping >/dev/null 2>&1 \
        || ! command -v dhclient >/dev/null 2>&1 || ! command -v dig >/dev/null 2>&1 \
        || ! command -v traceroute >/dev/null 2>&1; }; then
    # The reference OVN/OVS, and what the end-to-end tests use in namespaces (DHCP and DNS
    # clients: tests/datapath/test_core_services_e2e.py; traceroute: test_core_stateful_e2e.py).
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq openvswitch-switch ovn-central ovn-host ovn-doc iproute2 iputils-ping \
        iperf3 isc-dhcp-client bind9-dnsutils traceroute >/dev/null
fi
