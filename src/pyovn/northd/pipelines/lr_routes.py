"""Static routes and router policies: lr_in_ip_routing_pre, lr_in_ip_routing (static part),
lr_in_ip_routing_ecmp, lr_in_policy, lr_in_policy_ecmp and the IPv6 next-hop solicitations of
lr_in_arp_request.  One ROUTER builder; ids are handed out in the order northd visits rows
(ports, then static routes, then policies, each by uuid):

* route tables: a port's ``options:route_table`` or a route's ``route_table`` gets the next id
  (1, 2, ...) the first time the name is seen; ``reg7`` carries it, 0 being the main table;
* ECMP groups: routes with the same table, prefix and policy form a group once there are two
  (a lone ``ecmp_symmetric_reply`` route is no group); groups and their members are numbered in
  visiting order;
* policy ECMP groups: one per reroute policy with several next hops.

Route priority is ``plen * 3`` plus 1 for a destination route (0 for a source route), so
longest prefix wins and connected routes (``+ 2``, per port in :mod:`lr_in`) beat static ones of
the same length.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pyovn.northd.cnum import smap_get_bool
from pyovn.northd.context import BuildContext, drop_action
from pyovn.northd.entities import Router, RouterPort
from pyovn.northd.pipelines.lr_common import (
    copp_meter,
    find_member_ip,
    is_gw_router,
    lrp_nets,
    router_enabled,
    router_ports,
    sorted_rows,
    uuid_of,
)
from pyovn.northd.registry import ROUTER, builds
from pyovn.pipeline.stages import (
    LR_IN_ARP_REQUEST,
    LR_IN_ARP_RESOLVE,
    LR_IN_DEFRAG,
    LR_IN_ECMP_STATEFUL,
    LR_IN_IP_ROUTING,
    LR_IN_IP_ROUTING_ECMP,
    LR_IN_IP_ROUTING_PRE,
    LR_IN_POLICY,
    LR_IN_POLICY_ECMP,
)

ROUTE_PRIO_STATIC = 1


@dataclass
class _Route:
    row: Any
    table_id: int
    network: str
    plen: int
    v4: bool
    src: bool
    discard: bool
    nexthop: str | None
    out: RouterPort | None
    lrp_addr: str | None
    symmetric: bool

    @property
    def key(self) -> tuple[Any, ...]:
        return (self.table_id, self.network, self.plen, self.v4, self.src)


@dataclass
class _Group:
    gid: int
    routes: list[_Route] = field(default_factory=list)


def _parse_prefix(s: str) -> tuple[str, int, bool] | None:
    try:
        net = ipaddress.ip_network(s, strict=False)
    except ValueError:
        return None
    return str(net.network_address), net.prefixlen, net.version == 4


def _find_out_port(lr: Router, nexthop: str) -> tuple[RouterPort | None, str | None]:
    for p in router_ports(lr):
        a = find_member_ip(p, nexthop)
        if a is not None:
            return p, a
    return None, None


def _bfd_down(ctx: BuildContext, ref: Any) -> bool:
    """A route watched by BFD is left out while its session is down (a new session starts
    down: northd writes that status back to the Northbound)."""
    t = ctx.nb.get("BFD")
    row = t.get(uuid_of(ref)) if t is not None else None
    if row is None:
        return False
    status = row.status[0] if row.status else "down"
    return status == "down"


def _parse_route(ctx: BuildContext, lr: Router, row: Any, table_id: int) -> _Route | None:
    if row.bfd and _bfd_down(ctx, row.bfd[0]):
        return None
    pfx = _parse_prefix(row.ip_prefix)
    if pfx is None:
        return None
    network, plen, v4 = pfx
    discard = row.nexthop == "discard"
    nexthop: str | None = None
    if not discard:
        try:
            nh = ipaddress.ip_address(row.nexthop)
        except ValueError:
            return None
        if (nh.version == 4) != v4:
            return None
        nexthop = str(nh)
    out: RouterPort | None = None
    lrp_addr: str | None = None
    if row.output_port:
        p = next((q for q in router_ports(lr) if q.name == row.output_port[0]), None)
        if p is None:
            return None
        out = p
        if nexthop is not None:
            lrp_addr = find_member_ip(p, nexthop)
        if lrp_addr is None:
            nets = lrp_nets(p)
            if nets is not None:
                lst = nets.ipv4 if v4 else nets.ipv6
                lrp_addr = lst[0].addr if lst else None
        if lrp_addr is None and not discard:
            return None
    elif nexthop is not None:
        out, lrp_addr = _find_out_port(lr, nexthop)
        if out is None:
            return None
    opts = row.options
    return _Route(row, table_id, network, plen, v4, row.policy == ["src-ip"], discard, nexthop,
                  out, lrp_addr, smap_get_bool(opts, "ecmp_symmetric_reply"))


def _match(r: _Route) -> tuple[int, str]:
    ver = "4" if r.v4 else "6"
    if r.src:
        return r.plen * 3, f"ip{ver}.src == {r.network}/{r.plen}"
    return (r.plen * 3 + ROUTE_PRIO_STATIC,
            f"reg7 == {r.table_id} && ip{ver}.dst == {r.network}/{r.plen}")


def _regs(r: _Route) -> tuple[str, str]:
    return ("reg0", "reg1") if r.v4 else ("xxreg0", "xxreg1")


@builds(ROUTER)
def lr_static_routes(ctx: BuildContext, lr: Router) -> Iterator[Any]:
    if not router_enabled(lr):
        return
    f = ctx.flow
    tables: dict[str, int] = {}

    def table_id(name: str) -> int:
        if not name:
            return 0
        if name not in tables:
            tables[name] = len(tables) + 1
        return tables[name]

    for p in router_ports(lr):
        name = p.nb.options.get("route_table")
        if name:
            yield f(lr, LR_IN_IP_ROUTING_PRE, 100, f"inport == {p.json_name}",
                    f"reg7 = {table_id(name)}; next;")

    rows = sorted_rows(ctx, "Logical_Router_Static_Route", lr.nb.static_routes)
    groups: dict[tuple[Any, ...], _Group] = {}
    unique: dict[tuple[Any, ...], _Route] = {}
    n_groups = 0
    for row in rows:
        r = _parse_route(ctx, lr, row, table_id(row.route_table))
        if r is None:
            continue
        g = groups.get(r.key)
        if g is not None:
            g.routes.append(r)
            continue
        first = unique.pop(r.key, None)
        if first is not None:
            n_groups += 1
            groups[r.key] = _Group(n_groups, [first, r])
        else:
            unique[r.key] = r
    # A lone ecmp_symmetric_reply route stays a unique route (no group, no conntrack of its
    # replies): build_static_route_flows_for_lrouter only groups routes sharing a prefix.

    for g in groups.values():
        r0 = g.routes[0]
        prio, match = _match(r0)
        members = ", ".join(str(i) for i in range(1, len(g.routes) + 1))
        yield f(lr, LR_IN_IP_ROUTING, prio, match,
                f"ip.ttl--; flags.loopback = 1; reg8[0..15] = {g.gid}; "
                f"reg8[16..31] = select({members});")
        visited: set[str] = set()
        for i, r in enumerate(g.routes, 1):
            if r.out is None or r.discard:
                continue
            nets = lrp_nets(r.out)
            if nets is None:
                continue
            if r.symmetric and is_gw_router(lr) and r.out.name not in visited:
                visited.add(r.out.name)
                yield from _symmetric_reply(ctx, lr, r, nets.mac, match)
            nh, src = _regs(r)
            yield f(lr, LR_IN_IP_ROUTING_ECMP, 100,
                    f"reg8[0..15] == {g.gid} && reg8[16..31] == {i}",
                    f"{nh} = {r.nexthop}; {src} = {r.lrp_addr}; eth.src = {nets.mac}; "
                    f"outport = {r.out.json_name}; next;", hint=r.row)

    for r in unique.values():
        prio, match = _match(r)
        if r.discard:
            yield f(lr, LR_IN_IP_ROUTING, prio, match, drop_action(ctx), hint=r.row)
            continue
        assert r.out is not None
        nets = lrp_nets(r.out)
        if nets is None:
            continue
        nh, src = _regs(r)
        yield f(lr, LR_IN_IP_ROUTING, prio, match,
                f"ip.ttl--; reg8[0..15] = 0; {nh} = {r.nexthop}; {src} = {r.lrp_addr}; "
                f"eth.src = {nets.mac}; outport = {r.out.json_name}; flags.loopback = 1; next;",
                hint=r.row)

    # Neighbour solicitations for IPv6 next hops, sent to their solicited-node address.
    meter = copp_meter(ctx, lr, "nd-ns-resolve")
    for row in rows:
        try:
            nh6 = ipaddress.ip_address(row.nexthop)
        except ValueError:
            continue
        if nh6.version != 6:
            continue
        low = int(nh6) & 0xFFFFFF
        sn = ipaddress.IPv6Address((0xFF02 << 112) | (1 << 32) | (0xFF << 24) | low)
        mac = "33:33:" + ":".join(f"{b:02x}" for b in sn.packed[12:])
        yield f(lr, LR_IN_ARP_REQUEST, 200,
                f"eth.dst == 00:00:00:00:00:00 && ip6 && xxreg0 == {nh6}",
                f"nd_ns {{ eth.dst = {mac}; ip6.dst = {sn}; nd.target = {nh6}; output; }};",
                hint=row, meter=meter)

    yield from _policies(ctx, lr)


def _symmetric_reply(ctx: BuildContext, lr: Router, r: _Route, mac: str,
                     route_match: str) -> Iterator[Any]:
    """ECMP symmetric replies (gateway routers): remember in conntrack which port and MAC a
    connection came in from, and send its replies back there."""
    f = ctx.flow
    assert r.out is not None
    ver = "4" if r.v4 else "6"
    out = r.out.json_name
    key = r.out.key
    came_in = f"inport == {out} && ip{ver}.src == {r.network}/{r.plen}"
    yield f(lr, LR_IN_DEFRAG, 100, came_in, "reg9[5] = chk_ecmp_nh_mac(); ct_next;", hint=r.row)
    yield f(lr, LR_IN_DEFRAG, 100, route_match, "reg9[5] = chk_ecmp_nh(); ct_next;", hint=r.row)
    commit = ("ct_commit { ct_label.ecmp_reply_eth = eth.src;  "
              f"ct_mark.ecmp_reply_port = {key};}}; ")
    ipv6 = "false" if r.v4 else "true"
    for proto in ("tcp", "udp", "sctp"):
        action = f"{commit}commit_ecmp_nh(ipv6 = {ipv6}, proto = {proto}); next;"
        yield f(lr, LR_IN_ECMP_STATEFUL, 100, f"{came_in} && (ct.new && !ct.est) && {proto}",
                action, hint=r.row)
        yield f(lr, LR_IN_ECMP_STATEFUL, 100,
                f"{came_in} && (!ct.rpl && ct.est) && {proto} && reg9[5] == 0", action,
                hint=r.row)
    reply = f"ct.rpl && reg9[5] == 1 && ct_mark.ecmp_reply_port == {key}"
    src = "reg1" if r.v4 else "xxreg1"
    yield f(lr, LR_IN_IP_ROUTING, 10300, f"{reply} && {route_match}",
            f"ip.ttl--; flags.loopback = 1; eth.src = {mac}; {src} = {r.lrp_addr}; "
            f"outport = {out}; next;", hint=r.row)
    yield f(lr, LR_IN_POLICY, 65535, reply, "next;", hint=r.row)
    yield f(lr, LR_IN_ARP_RESOLVE, 200, reply,
            "push(xxreg1); xxreg1 = ct_label; eth.dst = xxreg1[32..79]; pop(xxreg1); next;",
            hint=r.row)


def _pkt_mark(row: Any) -> str:
    v = row.options.get("pkt_mark")
    try:
        m = int(v) if v is not None else 0
    except ValueError:
        m = 0
    return f"pkt.mark = {m}; " if 0 < m <= 0xFFFFFFFF else ""


def _policies(ctx: BuildContext, lr: Router) -> Iterator[Any]:
    f = ctx.flow
    gid = 0
    for row in sorted_rows(ctx, "Logical_Router_Policy", lr.nb.policies):
        mark = _pkt_mark(row)
        action = row.action
        if action == "allow":
            yield f(lr, LR_IN_POLICY, row.priority, row.match,
                    f"{mark}reg8[0..15] = 0; next;", hint=row)
        elif action == "drop":
            yield f(lr, LR_IN_POLICY, row.priority, row.match, drop_action(ctx), hint=row)
        elif action == "reroute":
            nexthops = sorted(row.nexthops) if row.nexthops else list(row.nexthop)
            if len(nexthops) == 1:
                hop = _reroute_hop(lr, nexthops[0])
                if hop is None:
                    continue
                yield f(lr, LR_IN_POLICY, row.priority, row.match,
                        f"{mark}{hop}reg8[0..15] = 0; next;", hint=row)
            elif len(nexthops) > 1:
                gid += 1
                hops = [_reroute_hop(lr, nh) for nh in nexthops]
                if any(h is None for h in hops):
                    continue
                for i, hop in enumerate(hops, 1):
                    yield f(lr, LR_IN_POLICY_ECMP, 100,
                            f"reg8[0..15] == {gid} && reg8[16..31] == {i}",
                            f"{mark}{hop}next;", hint=row)
                members = ", ".join(str(i) for i in range(1, len(hops) + 1))
                yield f(lr, LR_IN_POLICY, row.priority, row.match,
                        f"reg8[0..15] = {gid}; reg8[16..31] = select({members});", hint=row)


def _reroute_hop(lr: Router, nexthop: str) -> str | None:
    try:
        nh = ipaddress.ip_address(nexthop)
    except ValueError:
        return None
    out, addr = _find_out_port(lr, str(nh))
    if out is None:
        return None
    nets = lrp_nets(out)
    if nets is None:
        return None
    r0, r1 = ("reg0", "reg1") if nh.version == 4 else ("xxreg0", "xxreg1")
    return (f"{r0} = {nh}; {r1} = {addr}; eth.src = {nets.mac}; outport = {out.json_name}; "
            "flags.loopback = 1; ")
