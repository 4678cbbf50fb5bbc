"""The OVN tutorial on one chassis, for every stack flavour (issue 12's first check).

Switch sw0 with two ports; each port is ``down`` until a VM's interface is bound to it and
``up`` after; ``ovn-sbctl show`` lists the chassis, its encapsulation and both bindings (and
pyovn's sbctl prints exactly what the real one prints, on the same Southbound); the two VMs
ping each other with no loss and move 10 MB over TCP intact; ``ovs-vsctl del-port`` of a VM's
interface takes its port down again and its traffic stops.

Flavours (pyovn.testing.stack.FLAVOURS): all-real, pyovn's controller under the real central
parts, with pyovn's northd, pyovn everything, and pyovn's central parts under the real chassis.
A flavour that cannot run here is skipped with the reason printed.
"""

from __future__ import annotations

import pytest

from pyovn.testing.stack import Stack

pytestmark = [pytest.mark.e2e, pytest.mark.interop, pytest.mark.slow, pytest.mark.timeout(300)]


MAC1, IP1 = "50:54:00:00:00:01", "192.168.50.21"
MAC2, IP2 = "50:54:00:00:00:02", "192.168.50.22"


def show_blocks(text: str) -> dict[str, list[str]]:
    """``ovn-sbctl show`` as chassis name -> its indented lines (stripped)."""
    blocks: dict[str, list[str]] = {}
    current: list[str] = []
    for line in text.splitlines():
        if line.startswith("Chassis "):
            current = blocks.setdefault(line.split(None, 1)[1].strip('"'), [])
        elif line.strip():
            current.append(line.strip())
    return blocks


def show_shape(text: str) -> list[str]:
    """The lines of ``ovn-sbctl show`` with each chassis' Port_Binding lines sorted: the real
    ovn-sbctl lists them in its hash map's order (by row UUID), which differs between runs."""
    out: list[str] = []
    bindings: list[str] = []
    for line in [*text.splitlines(), ""]:
        if line.strip().startswith("Port_Binding "):
            bindings.append(line)
            continue
        out += sorted(bindings)
        bindings = []
        out.append(line)
    return out


def test_tutorial(stack: Stack) -> None:
    n = stack.nbctl
    n("ls-add", "sw0",
      "--", "lsp-add", "sw0", "sw0-port1", "--", "lsp-set-addresses", "sw0-port1", f"{MAC1} {IP1}",
      "--", "lsp-add", "sw0", "sw0-port2", "--", "lsp-set-addresses", "sw0-port2", f"{MAC2} {IP2}")
    n("--wait=sb", "sync")
    assert n("lsp-get-up", "sw0-port1").strip() == "down"
    assert n("lsp-get-up", "sw0-port2").strip() == "down"

    vm1 = stack.vm("vm1", "sw0-port1", MAC1, f"{IP1}/24")
    vm2 = stack.vm("vm2", "sw0-port2", MAC2, f"{IP2}/24")
    stack.sync_hv()
    stack.wait_up("sw0-port1", "sw0-port2")

    real_show = stack.tool("sbctl", "show", impl="real")
    blocks = show_blocks(real_show)
    assert list(blocks) == [stack.system_id], real_show
    lines = blocks[stack.system_id]
    assert "Encap geneve" in lines, real_show
    assert 'ip: "127.0.0.1"' in lines, real_show
    assert sorted(x for x in lines if x.startswith("Port_Binding")) == [
        "Port_Binding sw0-port1", "Port_Binding sw0-port2"], real_show
    assert show_shape(stack.tool("sbctl", "show", impl="pyovn")) == show_shape(real_show)

    assert stack.ping_loss(vm1, IP2) == 0
    assert stack.ping_loss(vm2, IP1) == 0

    stack.listen(vm2, IP2, 5001)
    # connect() raises if the listener's byte count or hash differs from what was sent.
    assert stack.connect(vm1, IP2, 5001, nbytes=10 << 20, timeout=5) == IP1

    stack.unplug("vm1")
    stack.wait(lambda: not stack.lsp_up("sw0-port1"), "sw0-port1 down after del-port")
    assert stack.lsp_up("sw0-port2")
    show = show_blocks(stack.tool("sbctl", "show", impl="real"))
    assert [x for x in show[stack.system_id] if x.startswith("Port_Binding")] == [
        "Port_Binding sw0-port2"]
    assert stack.ping_loss(vm2, IP1, count=2) == 100
