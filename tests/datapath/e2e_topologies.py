"""The topologies the datapath's feature tests (:mod:`test_core_services_e2e`,
:mod:`test_core_stateful_e2e`) share, built on a :class:`rig.Rig`: ``sw0``, one switch with two
VMs (IPv4 and IPv6), and ``router``, two switches joined by a router, a VM on each; and
``router_link``, the nbctl commands that join a switch to a router port (:mod:`test_core_e2e`
builds its routers with it too).
"""

from __future__ import annotations

from collections.abc import Sequence

from rig import Rig

__all__ = ["ROUTER", "SW0", "router", "router_link", "sw0"]


SW0: list[tuple[str, ...]] = [
    ("ls-add", "sw0"),
    ("lsp-add", "sw0", "p1"),
    ("lsp-set-addresses", "p1", "50:54:00:00:00:01 192.168.0.11 fd00::11"),
    ("lsp-add", "sw0", "p2"),
    ("lsp-set-addresses", "p2", "50:54:00:00:00:02 192.168.0.12 fd00::12"),
]


async def sw0(rig: Rig) -> tuple[str, str]:
    """Switch sw0 with VMs on p1 (192.168.0.11, fd00::11) and p2 (.12, ::12): their namespaces."""
    for cmd in SW0:
        rig.nbctl(*cmd)
    await rig.sync()
    vm1 = rig.vm("1", "p1", "50:54:00:00:00:01", "192.168.0.11/24", cidr6="fd00::11/64")
    vm2 = rig.vm("2", "p2", "50:54:00:00:00:02", "192.168.0.12/24", cidr6="fd00::12/64")
    await rig.until(lambda: rig.dp.port_ready("p1") and rig.dp.port_ready("p2"),
                    "ports ready", 30)
    return vm1, vm2


def router_link(switch: str, port: str, router_port: str) -> list[tuple[str, ...]]:
    """Joins ``switch`` to the router port ``router_port`` through the switch's port ``port``."""
    return [("lsp-add", switch, port), ("lsp-set-type", port, "router"),
            ("lsp-set-addresses", port, "router"),
            ("lsp-set-options", port, f"router-port={router_port}")]


ROUTER: list[tuple[str, ...]] = [
    ("ls-add", "a"), ("ls-add", "b"), ("lr-add", "r"),
    ("lrp-add", "r", "r-a", "00:00:00:00:ff:01", "10.0.1.1/24", "fd01::1/64"),
    ("lrp-add", "r", "r-b", "00:00:00:00:ff:02", "10.0.2.1/24", "fd02::1/64"),
    *router_link("a", "a-r", "r-a"),
    *router_link("b", "b-r", "r-b"),
    ("lsp-add", "a", "pa"), ("lsp-set-addresses", "pa", "50:54:00:00:01:01 10.0.1.11 fd01::11"),
    ("lsp-add", "b", "pb"), ("lsp-set-addresses", "pb", "50:54:00:00:02:01 10.0.2.11 fd02::11"),
]


async def router(rig: Rig, extra: Sequence[tuple[str, ...]] = ()) -> tuple[str, str]:
    """Switches a (10.0.1.0/24, fd01::/64) and b (10.0.2.0/24, fd02::/64) joined by router r, a VM
    on each (pa, pb), after the ``extra`` nbctl commands: their namespaces."""
    for c in (*ROUTER, *extra):
        rig.nbctl(*c)
    await rig.sync()
    va = rig.vm("a", "pa", "50:54:00:00:01:01", "10.0.1.11/24", gw="10.0.1.1",
                cidr6="fd01::11/64", gw6="fd01::1")
    vb = rig.vm("b", "pb", "50:54:00:00:02:01", "10.0.2.11/24", gw="10.0.2.1",
                cidr6="fd02::11/64", gw6="fd02::1")
    await rig.until(lambda: rig.dp.port_ready("pa") and rig.dp.port_ready("pb"),
                    "ports ready", 30)
    return va, vb
