"""pyovn's datapath on real packets, driven directly (no controller): the real ovsdb-servers and
ovn-northd write the Southbound, a :class:`pyovn.datapath.core.Datapath` in this process runs
it, its TAP devices are moved into network namespaces that ping and talk TCP through it.

Checks the executor, conntrack (ACLs with allow-related), routing across a router and the flow
cache on the paths the tutorial and the security-group story take.
"""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import Callable

import pytest
from e2e_topologies import router_link
from rig import Rig, in_rig, sh

pytestmark = [pytest.mark.e2e, pytest.mark.interop]


TUTORIAL: list[tuple[str, ...]] = [
    ("ls-add", "sw0"),
    ("lsp-add", "sw0", "p1"), ("lsp-set-addresses", "p1", "50:54:00:00:00:01 192.168.0.11"),
    ("lsp-add", "sw0", "p2"), ("lsp-set-addresses", "p2", "50:54:00:00:00:02 192.168.0.12"),
]


async def _tutorial(rig: Rig) -> tuple[str, str]:
    for cmd in TUTORIAL:
        rig.nbctl(*cmd)
    await rig.sync()
    vm1 = rig.vm("1", "p1", "50:54:00:00:00:01", "192.168.0.11/24")
    vm2 = rig.vm("2", "p2", "50:54:00:00:00:02", "192.168.0.12/24")
    await rig.until(lambda: rig.dp.port_ready("p1") and rig.dp.port_ready("p2"), "ports ready")
    return vm1, vm2


def test_tutorial_ping_both_ways_and_cache_hits() -> None:
    in_rig(_tutorial_ping_both_ways_and_cache_hits)


async def _tutorial_ping_both_ways_and_cache_hits(rig: Rig) -> None:
    vm1, vm2 = await _tutorial(rig)
    assert await rig.ping(vm1, "192.168.0.12")
    assert await rig.ping(vm2, "192.168.0.11")
    assert rig.dp.stats["fast"] > 0 or not rig.dp.use_cache, rig.dp.stats  # later echoes: cache
    assert await rig.tcp(vm2, vm1, "192.168.0.12", 5001, nbytes=2_000_000)


def test_security_group_allows_ssh_and_replies_not_http() -> None:
    in_rig(_security_group_allows_ssh_and_replies_not_http)


async def _security_group_allows_ssh_and_replies_not_http(rig: Rig) -> None:
    vm1, vm2 = await _tutorial(rig)
    rig.nbctl("pg-add", "sg", "p1", "p2")
    acls: list[tuple[str, ...]] = [
        ("from-lport", "1002", "inport == @sg && ip4", "allow-related"),
        ("to-lport", "1002", "outport == @sg && ip4 && icmp4", "allow-related"),
        ("to-lport", "1002", "outport == @sg && ip4 && tcp.dst == 22", "allow-related"),
        ("to-lport", "1001", "outport == @sg && ip4", "drop"),
    ]
    for d, prio, match, action in acls:
        rig.nbctl("acl-add", "sg", d, prio, match, action)
    await rig.sync()
    assert await rig.ping(vm1, "192.168.0.12")
    assert await rig.tcp(vm2, vm1, "192.168.0.12", 22)
    assert not await rig.tcp(vm2, vm1, "192.168.0.12", 80)
    assert rig.dp.conntrack.entries(), "allow-related committed connections"


def test_router_between_two_switches() -> None:
    in_rig(_router_between_two_switches)


async def _router_between_two_switches(rig: Rig) -> None:
    cmds: list[tuple[str, ...]] = [
        ("ls-add", "a"), ("ls-add", "b"), ("lr-add", "r"),
        ("lrp-add", "r", "r-a", "00:00:00:00:ff:01", "10.0.1.1/24"),
        ("lrp-add", "r", "r-b", "00:00:00:00:ff:02", "10.0.2.1/24"),
        *router_link("a", "a-r", "r-a"),
        *router_link("b", "b-r", "r-b"),
        ("lsp-add", "a", "pa"), ("lsp-set-addresses", "pa", "50:54:00:00:01:01 10.0.1.11"),
        ("lsp-add", "b", "pb"), ("lsp-set-addresses", "pb", "50:54:00:00:02:01 10.0.2.11"),
    ]
    for c in cmds:
        rig.nbctl(*c)
    await rig.sync()
    va = rig.vm("a", "pa", "50:54:00:00:01:01", "10.0.1.11/24", gw="10.0.1.1")
    vb = rig.vm("b", "pb", "50:54:00:00:02:01", "10.0.2.11/24", gw="10.0.2.1")
    assert await rig.ping(va, "10.0.1.1"), "the router answers on its port"
    assert await rig.ping(va, "10.0.2.11")
    assert await rig.ping(vb, "10.0.1.11")
    learnt: list[object] = []
    rig.dp.on_learn = learnt.append
    assert await rig.tcp(vb, va, "10.0.2.11", 5002)
    check: Callable[[], bool] = lambda: rig.dp.stats["bad"] == 0  # noqa: E731
    assert check()


def test_floating_ip_through_a_localnet_gateway() -> None:
    in_rig(_floating_ip_through_a_localnet_gateway)


async def _floating_ip_through_a_localnet_gateway(rig: Rig) -> None:
    """The seed's second story on one chassis: a private switch, a router whose gateway port
    sits on a public switch with a localnet port bridged (br-ex) to a veth whose peer is in an
    "external" namespace; SNAT for the subnet and a floating IP for the VM."""
    sh("ovn-sbctl", f"--db={rig.sb.remote}", "chassis-add", "hv1", "geneve", "127.0.0.1")
    cmds: list[tuple[str, ...]] = [
        ("ls-add", "priv"), ("ls-add", "pub"), ("lr-add", "r"),
        ("lrp-add", "r", "r-priv", "00:00:00:00:ff:01", "10.0.0.1/24"),
        ("lrp-add", "r", "r-pub", "00:00:00:00:ff:02", "172.24.4.1/24"),
        ("lrp-set-gateway-chassis", "r-pub", "hv1", "10"),
        *router_link("priv", "priv-r", "r-priv"),
        *router_link("pub", "pub-r", "r-pub"),
        ("lsp-add", "pub", "ln"), ("lsp-set-type", "ln", "localnet"),
        ("lsp-set-addresses", "ln", "unknown"), ("lsp-set-options", "ln", "network_name=physnet1"),
        ("lsp-add", "priv", "vm"), ("lsp-set-addresses", "vm", "50:54:00:00:00:0a 10.0.0.11"),
        ("lr-nat-add", "r", "snat", "172.24.4.1", "10.0.0.0/24"),
        ("lr-nat-add", "r", "dnat_and_snat", "172.24.4.100", "10.0.0.11"),
    ]
    for c in cmds:
        rig.nbctl(*c)
    await rig.sync()
    # The gateway's chassisredirect port lives here (what the controller's claim does).
    sh("ovn-sbctl", f"--db={rig.sb.remote}", "lsp-bind", "cr-r-pub", "hv1")
    vm = rig.vm("vm", "vm", "50:54:00:00:00:0a", "10.0.0.11/24", gw="10.0.0.1")
    ext = f"x{rig.tag}ext"
    ours, theirs = f"x{rig.tag}o", f"x{rig.tag}t"
    sh("ip", "link", "add", ours, "type", "veth", "peer", "name", theirs)
    try:
        sh("ip", "netns", "add", ext)
        rig.namespaces.append(ext)
        sh("ip", "link", "set", theirs, "netns", ext)
        sh("ip", "link", "set", ours, "up")
        for cmd in (("addr", "add", "172.24.4.50/24", "dev", theirs), ("link", "set", theirs, "up"),
                    ("link", "set", "lo", "up")):
            sh("ip", "netns", "exec", ext, "ip", *cmd)
        rig.dp.add_port("brex" + rig.tag, ours, "", {})
        rig.dp.set_bridge_mappings({"physnet1": "brex" + rig.tag})
        await rig.until(lambda: rig.dp.model.ports.get("cr-r-pub") is not None
                        and rig.dp.model.ports["cr-r-pub"].chassis == "hv1", "cr port bound")
        rig.dp.chassis = "hv1"
        assert await rig.ping(ext, "172.24.4.1"), "the gateway answers"
        assert await rig.ping(ext, "172.24.4.100"), "the floating IP answers"
        assert await rig.tcp(vm, ext, "172.24.4.100", 2222), "TCP to the floating IP"
        # The VM's own connection leaves from its floating IP.
        script = ("import socket; s=socket.socket(); s.bind(('0.0.0.0', 7777)); s.listen(1);"
                  " s.settimeout(8); c,a=s.accept(); print(a[0])")
        listener = await asyncio.create_subprocess_exec(
            "ip", "netns", "exec", ext, "python3", "-c", script,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        await asyncio.sleep(0.3)
        await rig.run(vm, "python3", "-c",
                      "import socket; socket.create_connection(('172.24.4.50', 7777), 3)")
        out, _ = await asyncio.wait_for(listener.communicate(), 10)
        assert out.decode().strip() == "172.24.4.100", out
    finally:
        subprocess.run(["ip", "link", "del", ours], capture_output=True)
