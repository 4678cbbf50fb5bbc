"""lr_in_arp_resolve: the neighbours a router knows statically (ovn-northd(8), "Static MAC
bindings"), written by whoever owns the neighbour:

* a switch port (VIF, localport, ...) on a switch connected to routers: for each of its
  addresses and each router port on the switch whose networks contain it, ``outport == P &&
  reg0 == A`` -> ``eth.dst = E`` on that router;
* a router-type switch port: on the router behind it, the addresses of every other router port
  on the same switch (unless that router sets ``dynamic_neigh_routers``) and, if that router is
  a gateway (router or port), their routable addresses (lr_common.routable_addresses);
* a router port peered directly with another router port: its own addresses, on the peer's
  router.

The hint is the row that owns the flow (the switch port, or the router port whose addresses
are resolved).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pyovn.northd.cnum import smap_get_bool
from pyovn.northd.context import BuildContext
from pyovn.northd.entities import RouterPort, SwitchPort
from pyovn.northd.pipelines.lr_common import (
    LrpNets,
    find_member_ip,
    is_dgp,
    is_gw_router,
    lrp_nets,
    put_networks,
    routable_addresses,
    router_enabled,
)
from pyovn.northd.registry import ROUTER_PORT, SWITCH_PORT, builds
from pyovn.pipeline.stages import LR_IN_ARP_RESOLVE


def _switch_router_peers(sw: Any) -> list[tuple[SwitchPort, RouterPort]]:
    out = []
    for sp in sw.router_ports:
        if isinstance(sp.peer, RouterPort) and router_enabled(sp.peer.dp):
            out.append((sp, sp.peer))
    return sorted(out, key=lambda t: t[0].uuid)


def _dynamic_neigh(lr: Any) -> bool:
    return smap_get_bool(lr.nb.options, "dynamic_neigh_routers")


@builds(SWITCH_PORT)
def lr_arp_resolve_from_lsp(ctx: BuildContext, port: SwitchPort) -> Iterator[Any]:
    if not port.enabled:
        return
    if port.type == "router":
        yield from _router_lsp(ctx, port)
        return
    if port.type == "virtual":
        return
    peers = _switch_router_peers(port.dp)
    if not peers:
        return
    for la in port.addresses:
        for v4 in la.ipv4:
            for _sp, rp in peers:
                if find_member_ip(rp, v4.addr) is None:
                    continue
                yield ctx.flow(rp.dp, LR_IN_ARP_RESOLVE, 100,
                               f"outport == {rp.json_name} && reg0 == {v4.addr}",
                               f"eth.dst = {la.mac}; next;", hint=port.nb)
        for v6 in la.ipv6:
            for _sp, rp in peers:
                if find_member_ip(rp, v6.addr) is None:
                    continue
                yield ctx.flow(rp.dp, LR_IN_ARP_RESOLVE, 100,
                               f"outport == {rp.json_name} && xxreg0 == {v6.addr}",
                               f"eth.dst = {la.mac}; next;", hint=port.nb)


def _resolve_networks(ctx: BuildContext, peer: RouterPort, nets: LrpNets, hint: Any,
                      reg0_eq: str) -> Iterator[Any]:
    """On ``peer``'s router: next hops in a router port's networks resolve to its MAC."""
    if nets.ipv4:
        yield ctx.flow(peer.dp, LR_IN_ARP_RESOLVE, 100,
                       f"outport == {peer.json_name} && {reg0_eq}"
                       f"{put_networks(n.addr for n in nets.ipv4)}",
                       f"eth.dst = {nets.mac}; next;", hint=hint)
    if nets.ipv6:
        yield ctx.flow(peer.dp, LR_IN_ARP_RESOLVE, 100,
                       f"outport == {peer.json_name} && xxreg0 == "
                       f"{put_networks(n.addr for n in nets.ipv6)}",
                       f"eth.dst = {nets.mac}; next;", hint=hint)


def _router_lsp(ctx: BuildContext, port: SwitchPort) -> Iterator[Any]:
    peer = port.peer
    if (not isinstance(peer, RouterPort) or not router_enabled(peer.dp)
            or _dynamic_neigh(peer.dp)):
        return
    gateway = is_gw_router(peer.dp) or (is_dgp(peer) and lrp_nets(peer) is not None)
    for _sp, rp in _switch_router_peers(port.dp):
        if rp is peer:
            continue
        nets = lrp_nets(rp)
        if nets is None:
            continue
        yield from _resolve_networks(ctx, peer, nets, port.nb, "reg0 == ")
        if gateway:
            for mac, ips in routable_addresses(ctx, rp):
                # No hint: northd adds these without one.  (An entry without IPv4 addresses
                # gives "reg0 == {}", as northd writes it.)
                yield ctx.flow(peer.dp, LR_IN_ARP_RESOLVE, 100,
                               f"outport == {peer.json_name} && reg0 == {{{', '.join(ips)}}}",
                               f"eth.dst = {mac}; next;")


@builds(ROUTER_PORT)
def lr_arp_resolve_from_lrp(ctx: BuildContext, port: RouterPort) -> Iterator[Any]:
    """A router port peered with another router's port: its addresses on the peer's router."""
    peer = port.peer
    if (not port.nb.peer or not isinstance(peer, RouterPort) or not router_enabled(peer.dp)
            or not router_enabled(port.dp) or _dynamic_neigh(peer.dp)):
        return
    nets = lrp_nets(port)
    if nets is None:
        return
    # "reg0== ": northd writes this one without the space.
    yield from _resolve_networks(ctx, peer, nets, port.nb, "reg0== ")
