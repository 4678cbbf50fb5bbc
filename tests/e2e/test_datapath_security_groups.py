"""Security groups in Neutron's shape, for every stack flavour (issue 12's second check).

Both ports in port group ``pg_sg`` (from-lport: allow-related all IPv4 the VMs send; to-lport:
allow-related ICMP and TCP port 22) and in ``pg_drop`` (the default drop, both directions, at a
lower priority). Before the ACLs every port answers (the control); after them TCP 22 connects,
TCP 80 does not, ping still works, and the replies of a connection a VM opened come back.
"""

from __future__ import annotations

import pytest

from pyovn.testing.stack import Stack

pytestmark = [pytest.mark.e2e, pytest.mark.interop, pytest.mark.slow, pytest.mark.timeout(300)]


MAC1, IP1 = "50:54:00:00:00:01", "192.168.50.21"
MAC2, IP2 = "50:54:00:00:00:02", "192.168.50.22"

# (port group, direction, priority, match, action), as Neutron's OVN driver writes them.
ACLS = [
    ("pg_sg", "from-lport", "1002", "inport == @pg_sg && ip4", "allow-related"),
    ("pg_sg", "to-lport", "1002", "outport == @pg_sg && ip4 && icmp4", "allow-related"),
    ("pg_sg", "to-lport", "1002", "outport == @pg_sg && ip4 && tcp.dst == 22", "allow-related"),
    ("pg_drop", "from-lport", "1001", "inport == @pg_drop && ip", "drop"),
    ("pg_drop", "to-lport", "1001", "outport == @pg_drop && ip", "drop"),
]


def test_security_groups(stack: Stack) -> None:
    n = stack.nbctl
    n("ls-add", "sw0",
      "--", "lsp-add", "sw0", "sw0-port1", "--", "lsp-set-addresses", "sw0-port1", f"{MAC1} {IP1}",
      "--", "lsp-add", "sw0", "sw0-port2", "--", "lsp-set-addresses", "sw0-port2", f"{MAC2} {IP2}")
    vm1 = stack.vm("vm1", "sw0-port1", MAC1, f"{IP1}/24")
    vm2 = stack.vm("vm2", "sw0-port2", MAC2, f"{IP2}/24")
    stack.sync_hv()
    stack.wait_up("sw0-port1", "sw0-port2")
    for ns, ip in ((vm1, IP1), (vm2, IP2)):
        stack.listen(ns, ip, 22)
        stack.listen(ns, ip, 80)

    # Without ACLs everything passes: the blocked port below is blocked by the ACLs.
    assert stack.connect(vm1, IP2, 80) == IP1
    assert stack.connect(vm2, IP1, 80) == IP2

    cmd = ["pg-add", "pg_sg", "sw0-port1", "sw0-port2",
           "--", "pg-add", "pg_drop", "sw0-port1", "sw0-port2"]
    for pg, direction, priority, match, action in ACLS:
        cmd += ["--", "--type=port-group", "acl-add", pg, direction, priority, match, action]
    n(*cmd)
    stack.sync_hv()

    # vm1 opens connections to vm2:22 (egress allowed from vm1, ingress 22 allowed to vm2);
    # the listener's first line and the data check are the replies coming back.
    assert stack.connect(vm1, IP2, 22, nbytes=1 << 20) == IP1
    assert stack.connect(vm2, IP1, 22) == IP2
    assert stack.connect(vm1, IP2, 80, timeout=2) is None
    assert stack.connect(vm2, IP1, 80, timeout=2) is None
    assert stack.ping_loss(vm1, IP2) == 0
    assert stack.ping_loss(vm2, IP1) == 0

    # Dropping the ICMP rule drops ping; port 22 still connects.
    icmp = n("--bare", "--columns=_uuid", "find", "ACL", 'match="outport == @pg_sg && ip4 && icmp4"')
    n("remove", "Port_Group", "pg_sg", "acls", icmp.strip())
    stack.sync_hv()
    assert stack.ping_loss(vm1, IP2, count=2) == 100
    assert stack.connect(vm1, IP2, 22) == IP1
