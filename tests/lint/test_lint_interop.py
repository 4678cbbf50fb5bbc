"""``pyovn lint`` on a Northbound built by the real ovn-nbctl on the real ovsdb-server.

One database broken in every way the checks know (some of it through ovn-nbctl's generic
``set``, since its verbs refuse duplicates), then ``python -m pyovn lint`` must name each problem
with the right rows; and the floating-IP story: NAT works while the router has a gateway port and
is reported the moment the port loses its gateway chassis. Skips, printing the reason, when the
real binaries are absent.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pyovn.testing.real import RealOvsdbServer, find_binary, require_real

pytestmark = pytest.mark.interop


@pytest.fixture
def nb(tmp_path: Path):
    reason = require_real("ovsdb-server", "ovsdb-tool", "ovn-nbctl")
    if reason is not None:
        print(f"skipping: {reason}")
        pytest.skip(reason)
    with RealOvsdbServer(tmp_path, "OVN_Northbound") as server:
        yield server.remote


class Nbctl:
    def __init__(self, remote: str):
        self.remote = remote
        self.exe = find_binary("ovn-nbctl") or "ovn-nbctl"

    def __call__(self, *args: str) -> str:
        r = subprocess.run([self.exe, f"--db={self.remote}", *args], capture_output=True,
                           text=True, timeout=30)
        assert r.returncode == 0, f"ovn-nbctl {' '.join(args)}: {r.stderr}"
        return r.stdout.strip()


def lint(remote: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pyovn", "lint", "--db", remote, *extra],
                          capture_output=True, text=True, timeout=60,
                          env={k: v for k, v in os.environ.items() if k != "OVN_NB_DB"})


def test_broken_northbound(nb: str) -> None:
    c = Nbctl(nb)
    c("ls-add", "sw0")
    c("lsp-add", "sw0", "vm1")
    c("lsp-set-addresses", "vm1", "50:54:00:00:00:01 10.0.0.5")
    c("lsp-add", "sw0", "vm2")
    c("set", "Logical_Switch_Port", "vm2", 'addresses="50:54:00:00:00:02 10.0.0.5"')
    c("lsp-add", "sw0", "vm3")
    c("lsp-set-addresses", "vm3", "50:54:00:00:00:03 192.168.9.9")
    c("lr-add", "lr0")
    c("lrp-add", "lr0", "lr0-sw0", "00:00:00:00:ff:01", "10.0.0.1/24")
    c("lrp-add", "lr0", "lr0-pub", "00:00:00:00:ff:02", "172.16.0.1/24")
    c("lrp-add", "lr0", "lr0-dup", "00:00:00:00:ff:03", "10.0.0.129/25")
    c("lsp-add", "sw0", "sw0-lr0")
    c("lsp-set-type", "sw0-lr0", "router")
    c("lsp-set-addresses", "sw0-lr0", "router")
    c("lsp-set-options", "sw0-lr0", "router-port=lr0-sw0")
    c("lsp-add", "sw0", "sw0-ghost")
    c("lsp-set-type", "sw0-ghost", "router")
    c("lsp-set-options", "sw0-ghost", "router-port=lr9-sw0")
    c("lr-nat-add", "lr0", "dnat_and_snat", "172.16.0.100", "10.0.0.5")
    c("lr-route-add", "lr0", "0.0.0.0/0", "192.168.50.1")
    c("acl-add", "sw0", "from-lport", "1000", "ip4", "drop")
    c("acl-add", "sw0", "from-lport", "900", "ip4 && tcp.dst == 22", "allow")
    c("acl-add", "sw0", "to-lport", "800", "outport == @nopg && ip4.src == $noas", "allow")
    c("pg-add", "emptypg")
    c("acl-add", "sw0", "to-lport", "700", "outport == @emptypg", "allow")
    c("lb-add", "lb0", "10.0.0.100:80", "10.0.0.5:80")
    c("lb-add", "lb1", "10.0.0.101:80", "10.0.0.5:80")
    c("lr-lb-add", "lr0", "lb1")
    c("lr-add", "lr1")
    c("lrp-add", "lr1", "lr1-gw", "00:00:00:00:ff:11", "172.17.0.1/24")
    group = c("ha-chassis-group-add", "hag") or c("--bare", "--columns=_uuid", "find",
                                                  "HA_Chassis_Group", "name=hag")
    c("set", "Logical_Router_Port", "lr1-gw", f"ha_chassis_group={group}")

    r = lint(nb)
    assert r.returncode == 1, r.stderr
    doc = json.loads(lint(nb, "--format", "json").stdout)
    got = {(f["check"], tuple(sorted(x["name"] for x in f["rows"]
                                     if x["table"] not in ("ACL", "NAT",
                                                           "Logical_Router_Static_Route"))))
           for f in doc["findings"]}
    assert got == {
        ("nat-no-gateway", ("lr0",)),
        ("gateway-chassis-empty", ("hag", "lr1", "lr1-gw")),
        ("router-subnet-overlap", ("lr0", "lr0-dup", "lr0-sw0")),
        ("lsp-address-outside-subnet", ("sw0", "vm3")),
        ("duplicate-ip", ("sw0", "vm1", "vm2")),
        ("lsp-router-port-missing", ("sw0", "sw0-ghost")),
        ("route-nexthop-unreachable", ("lr0",)),
        ("lb-unreachable", ("lb0",)),
        ("lb-unreachable", ("lb1", "lr0")),
        ("port-group-missing", ("sw0",)),
        ("port-group-empty", ("emptypg", "sw0")),
        ("address-set-missing", ("sw0",)),
        ("acl-shadowed", ("sw0",)),
    }
    # every uuid is the database's own
    acl_uuids = set(c("--bare", "--columns=_uuid", "list", "ACL").split())
    for f in doc["findings"]:
        for row in f["rows"]:
            if row["table"] == "ACL":
                assert row["uuid"] in acl_uuids
    # the suggested fixes are commands ovn-nbctl accepts, and they clear their findings
    shadow = next(f for f in doc["findings"] if f["check"] == "acl-shadowed")
    c(*shadow["fix"].split()[1:])
    again = json.loads(lint(nb, "--format", "json").stdout)
    assert "acl-shadowed" not in {f["check"] for f in again["findings"]}


def test_floating_ip_unreachable_after_gateway_port_lost(nb: str) -> None:
    c = Nbctl(nb)
    c("ls-add", "sw0")
    c("lsp-add", "sw0", "vm1")
    c("lsp-set-addresses", "vm1", "50:54:00:00:00:01 10.0.0.5")
    c("lr-add", "lr0")
    c("lrp-add", "lr0", "lr0-sw0", "00:00:00:00:ff:01", "10.0.0.1/24")
    c("lrp-add", "lr0", "lr0-public", "00:00:00:00:ff:02", "172.16.0.1/24")
    c("lsp-add", "sw0", "sw0-lr0", "--", "lsp-set-type", "sw0-lr0", "router", "--",
      "lsp-set-addresses", "sw0-lr0", "router", "--",
      "lsp-set-options", "sw0-lr0", "router-port=lr0-sw0")
    c("lrp-set-gateway-chassis", "lr0-public", "gw1", "20")
    c("lr-nat-add", "lr0", "dnat_and_snat", "172.16.0.100", "10.0.0.5")
    r = lint(nb)
    assert r.returncode == 0, r.stdout + r.stderr

    c("lrp-del-gateway-chassis", "lr0-public", "gw1")
    r = lint(nb)
    assert r.returncode == 1
    first = r.stdout.splitlines()[0]
    assert first.startswith("ERROR nat-no-gateway: router lr0 has 1 NAT rule(s) (172.16.0.100)")
    assert "fix:  ovn-nbctl lrp-set-gateway-chassis lr0-public <CHASSIS> 20" in r.stdout
