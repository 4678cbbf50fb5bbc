"""pyovn northd under the real ovn-controller and ovs-vswitchd (userspace datapath): packets.

The seed tutorial (two namespaces on one logical switch ping each other) and two switches behind
a router (ping across it), with pyovn's northd writing the Southbound; the same with the real
ovn-northd is the control that shows the rig itself works.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pyovn.testing.chassis import OvnStack, missing_for_stack

pytestmark = [pytest.mark.e2e, pytest.mark.interop, pytest.mark.slow]


@pytest.fixture(params=["pyovn", "real"])
def stack(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[OvnStack]:
    why = missing_for_stack()
    if why:
        print(f"skipped: {why}")
        pytest.skip(why)
    s = OvnStack(tmp_path / "ovn", northd=request.param)
    try:
        yield s
    finally:
        s.close()


def test_tutorial_two_namespaces_ping(stack: OvnStack) -> None:
    stack.nbctl("ls-add", "sw0",
                "--", "lsp-add", "sw0", "sw0-port1",
                "--", "lsp-set-addresses", "sw0-port1", "50:54:00:00:00:01 192.168.0.11",
                "--", "lsp-add", "sw0", "sw0-port2",
                "--", "lsp-set-addresses", "sw0-port2", "50:54:00:00:00:02 192.168.0.12")
    assert stack.nbctl("lsp-get-up", "sw0-port1").strip() == "down"
    vm1 = stack.vm("vm1", "sw0-port1", "50:54:00:00:00:01", "192.168.0.11/24")
    vm2 = stack.vm("vm2", "sw0-port2", "50:54:00:00:00:02", "192.168.0.12/24")
    stack.nbctl("--wait=hv", "--timeout=20", "sync")
    stack.wait(lambda: stack.nbctl("lsp-get-up", "sw0-port1").strip() == "up", "sw0-port1 up")
    stack.wait(lambda: stack.nbctl("lsp-get-up", "sw0-port2").strip() == "up", "sw0-port2 up")
    assert stack.ping(vm1, "192.168.0.12")
    assert stack.ping(vm2, "192.168.0.11")


def test_two_switches_behind_a_router(stack: OvnStack) -> None:
    n = stack.nbctl
    n("lr-add", "lr0")
    for i, (net, mac) in enumerate([("10.0.1", "00:00:00:00:ff:01"), ("10.0.2", "00:00:00:00:ff:02")], 1):
        sw = f"sw{i}"
        n("ls-add", sw)
        n("lrp-add", "lr0", f"lr0-{sw}", mac, f"{net}.1/24")
        n("lsp-add", sw, f"{sw}-lr0", "--", "lsp-set-type", f"{sw}-lr0", "router",
          "--", "lsp-set-addresses", f"{sw}-lr0", "router",
          "--", "lsp-set-options", f"{sw}-lr0", f"router-port=lr0-{sw}")
        n("lsp-add", sw, f"{sw}-vm", "--", "lsp-set-addresses", f"{sw}-vm",
          f"50:54:00:00:0{i}:01 {net}.10")
    vm1 = stack.vm("vm1", "sw1-vm", "50:54:00:00:01:01", "10.0.1.10/24", gw="10.0.1.1")
    vm2 = stack.vm("vm2", "sw2-vm", "50:54:00:00:02:01", "10.0.2.10/24", gw="10.0.2.1")
    n("--wait=hv", "--timeout=20", "sync")
    stack.wait(lambda: n("lsp-get-up", "sw2-vm").strip() == "up", "sw2-vm up")
    assert stack.ping(vm1, "10.0.1.1"), "the router port answers ping"
    assert stack.ping(vm1, "10.0.2.10")
    assert stack.ping(vm2, "10.0.1.10")
