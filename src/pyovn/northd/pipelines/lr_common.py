"""What the logical router builders share: router ports' networks as northd sees them, the
router's kind (gateway router, distributed gateway ports), NAT/LB addresses, CoPP meters.

Router port networks follow OVN's own parsing, not the deduplicated model view: the Northbound
``networks`` set in its stored (sorted) order, then the EUI-64 link-local address always appended
to the IPv6 list, even when a network already names it (flows then list it twice, as the real
northd does).  Sets of uuids are visited sorted, the order the C IDL keeps them in; ids northd
hands out in visiting order (route tables, ECMP groups) depend on it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from pyovn.northd.addresses import (
    eth_addr_to_ipv6_lla,
    in6_solicited_node,
    is_mac,
    normalize_mac,
)
from pyovn.northd.cnum import smap_get_bool
from pyovn.northd.context import BuildContext
from pyovn.northd.entities import Router, RouterPort, json_quote
from pyovn.util.ovshash import sset_order

__all__ = [
    "LrpNets",
    "Net4",
    "Net6",
    "copp_meter",
    "dgp_ports",
    "find_member_ip",
    "is_dgp",
    "is_gw_router",
    "lb_ips",
    "lrp_nets",
    "nat_rows",
    "peer_has_localnet",
    "put_networks",
    "routable_addresses",
    "router_enabled",
    "sorted_rows",
    "uuid_of",
]


@dataclass(frozen=True, slots=True)
class Net4:
    addr: str
    plen: int
    network: str
    bcast: str
    value: int
    mask: int


@dataclass(frozen=True, slots=True)
class Net6:
    addr: str
    plen: int
    network: str
    sn_addr: str
    value: int
    mask: int

    @property
    def is_lla(self) -> bool:
        return (self.value >> 118) == 0x3FA  # fe80::/10


@dataclass(frozen=True, slots=True)
class LrpNets:
    mac: str
    ipv4: tuple[Net4, ...]
    ipv6: tuple[Net6, ...]

    @property
    def lla(self) -> str:
        return eth_addr_to_ipv6_lla(self.mac)


def _mask(bits: int, plen: int) -> int:
    return ((1 << bits) - 1) ^ ((1 << (bits - plen)) - 1)


def net4(addr: str, plen: int) -> Net4:
    v = int(ipaddress.IPv4Address(addr))
    m = _mask(32, plen)
    return Net4(str(ipaddress.IPv4Address(v)), plen, str(ipaddress.IPv4Address(v & m)),
                str(ipaddress.IPv4Address(v | (~m & 0xFFFFFFFF))), v, m)


def net6(addr: str, plen: int) -> Net6:
    a = ipaddress.IPv6Address(addr)
    v = int(a)
    m = _mask(128, plen)
    return Net6(str(a), plen, str(ipaddress.IPv6Address(v & m)), in6_solicited_node(a), v, m)


def lrp_nets(port: RouterPort) -> LrpNets | None:
    """The port's MAC and networks as OVN's extract_lrp_networks gives them (cached on the port
    object, which the model replaces whenever the row changes)."""
    cached = port.__dict__.get("_lr_nets", False)
    if cached is not False:
        return cached  # type: ignore[no-any-return]
    nb = port.nb
    out: LrpNets | None = None
    if is_mac(nb.mac):
        mac = normalize_mac(nb.mac)
        v4: list[Net4] = []
        v6: list[Net6] = []
        for n in sorted(nb.networks):
            addr, sep, plen_s = n.partition("/")
            if not sep:
                continue
            try:
                ip = ipaddress.ip_address(addr)
                plen = int(plen_s)
            except ValueError:
                continue
            if ip.version == 4 and 0 <= plen <= 32:
                v4.append(net4(addr, plen))
            elif ip.version == 6 and 0 <= plen <= 128:
                v6.append(net6(addr, plen))
        v6.append(net6(eth_addr_to_ipv6_lla(mac), 64))
        out = LrpNets(mac, tuple(v4), tuple(v6))
    port.__dict__["_lr_nets"] = out
    return out


def put_networks(addrs: Iterable[str], braces_always: bool = False) -> str:
    """``A`` for one address, ``{A, B}`` for several (or always braces)."""
    lst = list(addrs)
    if len(lst) == 1 and not braces_always:
        return lst[0]
    return "{" + ", ".join(lst) + "}"


def uuid_of(v: Any) -> str:
    return v if isinstance(v, str) else v.uuid


def sorted_rows(ctx: BuildContext, table: str, refs: Iterable[Any]) -> list[Any]:
    """The rows a set-of-references column names, in the C IDL's order (by uuid)."""
    t = ctx.nb.get(table)
    out = []
    for u in sorted(uuid_of(r) for r in refs):
        row = t.get(u) if t is not None else None
        if row is not None:
            out.append(row)
    return out


def router_ports(lr: Router) -> list[RouterPort]:
    """The router's ports in the order of its NB ``ports`` set (by uuid)."""
    return sorted((p for p in lr.ports.values() if isinstance(p, RouterPort)),
                  key=lambda p: p.uuid)


def is_gw_router(lr: Router) -> bool:
    """A gateway router: ``options:chassis`` present, whatever its value (even empty), as
    northd checks it (smap_get != NULL)."""
    return "chassis" in lr.nb.options


def is_dgp(port: RouterPort) -> bool:
    """A distributed gateway port (gateway chassis or HA chassis group; 23.03 ignores the old
    options:redirect-chassis), on a router that is not a gateway router: the model's."""
    return port.is_dgp


def router_enabled(lr: Router) -> bool:
    """northd builds nothing for a router with enabled=false (it has no datapath)."""
    e = lr.nb.enabled
    return not e or bool(e[0])


def peer_has_localnet(port: RouterPort) -> bool:
    """Whether the switch on the other side of the port has a localnet port."""
    peer = port.peer
    return peer is not None and peer.dp.is_switch and bool(peer.dp.localnet_ports)  # type: ignore[attr-defined]


def dgp_ports(lr: Router) -> list[RouterPort]:
    return [p for p in router_ports(lr) if is_dgp(p)]


def cr_name(port: RouterPort) -> str:
    return json_quote("cr-" + port.name)


def nat_rows(ctx: BuildContext, lr: Router) -> list[Any]:
    return sorted_rows(ctx, "NAT", lr.nb.nat)


def _norm_ip(s: str) -> str | None:
    try:
        return str(ipaddress.ip_address(s))
    except ValueError:
        return None


def lb_force_snat_router_ip(lr: Router) -> bool:
    return lr.nb.options.get("lb_force_snat_ip") == "router_ip" and is_gw_router(lr)


def _vip_ip(vip: str) -> str | None:
    if vip.startswith("["):
        return _norm_ip(vip[1:].split("]", 1)[0])
    if vip.count(":") == 1:
        return _norm_ip(vip.split(":", 1)[0])
    return _norm_ip(vip)


def lb_ips(ctx: BuildContext, lr: Router) -> set[str]:
    """The VIP addresses of the router's load balancers (its own and its groups')."""
    out: set[str] = set()
    lbs = ctx.nb.get("Load_Balancer")
    if lbs is None:
        return out
    for u in ctx.model.dp_lbs(lr.nb):
        lb = lbs.get(u)
        if lb is None:
            continue
        for vip in lb.vips:
            ip = _vip_ip(vip)
            if ip:
                out.add(ip)
    return out


def _scan_ipv4_host(s: str) -> str | None:
    """``s`` as an IPv4 host address (``A.B.C.D``, optionally ``/32`` or ``/255.255.255.255``),
    normalised; None for anything else, IPv6 included (OVS's ip_parse_masked, which scans
    decimal octets)."""
    addr, _, mask = s.strip().partition("/")
    parts = addr.split(".")
    if len(parts) != 4 or not all(p.isdigit() for p in parts):
        return None
    octets = [int(p) for p in parts]
    if any(o > 255 for o in octets):
        return None
    if mask and mask not in ("32", "255.255.255.255"):
        return None
    return ".".join(map(str, octets))


def routable_addresses(ctx: BuildContext, lrp: RouterPort) -> list[tuple[str, list[str]]]:
    """A distributed gateway port's "routable" addresses: the external IPs of its router's NAT
    rules with options:add_route=true (not snat) and the VIPs of its load balancers with
    options:add_route=true, as (MAC, IPv4 addresses) entries: one per distributed NAT rule
    (its external MAC), one for the rest (the port's MAC).  Other routers on the same switch
    route those addresses to this router (lr_in_ip_routing) and, if they are gateways,
    resolve them (lr_in_arp_resolve).

    northd computes them once, while it is still counting the router's gateway ports: a NAT
    rule is checked against the port (gateway_port, or the port's networks) only when this
    port is not the router's first gateway port."""
    nets = lrp_nets(lrp)
    if nets is None or not is_dgp(lrp):
        return []
    lr = lrp.dp
    rank = 0
    for p in dgp_ports(lr):
        if lrp_nets(p) is not None:
            rank += 1
        if p is lrp:
            break
    own = {a.addr for a in nets.ipv4} | {a.addr for a in nets.ipv6}
    out: list[tuple[str, list[str]]] = []
    central: list[str] = []
    has_central = False
    for nat in nat_rows(ctx, lr):
        if nat.type == "snat" or not smap_get_bool(nat.options, "add_route"):
            continue
        ext = _scan_ipv4_host(nat.external_ip)
        if ext is None:
            continue
        if rank > 1 and ((not nat.gateway_port and find_member_ip(lrp, ext) is None)
                         or (nat.gateway_port and uuid_of(nat.gateway_port[0]) != lrp.uuid)):
            continue
        if nat.type == "dnat_and_snat" and nat.logical_port and nat.external_mac:
            if is_mac(nat.external_mac[0]):
                mac = normalize_mac(nat.external_mac[0])
                out.append((mac, [ext]))
        elif nat.external_ip not in own:
            central.append(ext)
            has_central = True
    lbs = ctx.nb.get("Load_Balancer")
    v4: list[str] = []
    v6: list[str] = []
    for u in ctx.model.dp_lbs(lr.nb) if lbs is not None else ():
        lb = lbs.get(u)  # type: ignore[union-attr]
        # lb.c: a template load balancer is never routable.
        if lb is None or not smap_get_bool(lb.options, "add_route") \
                or smap_get_bool(lb.options, "template"):
            continue
        for vip in lb.vips:
            ip = _vip_ip(vip)
            if ip:
                (v6 if ":" in ip else v4).append(ip)
    if v4 or v6:
        central.extend(sset_order(v4))
        has_central = True
    if has_central:
        out.append((nets.mac, central))
    return out


def copp_meter(ctx: BuildContext, lr: Router, feature: str) -> str | None:
    """The meter the router's Copp row names for ``feature``, if that meter exists."""
    copp = lr.nb.copp
    if not copp:
        return None
    t = ctx.nb.get("Copp")
    row = t.get(uuid_of(copp[0])) if t is not None else None
    if row is None:
        return None
    name = row.meters.get(feature)
    if not name:
        return None
    meters = ctx.nb.get("Meter")
    if meters is None or not any(m.name == name for m in meters):
        return None
    return name  # type: ignore[no-any-return]


def find_member_ip(port: RouterPort, ip: str) -> str | None:
    """The port's own address in the network that contains ``ip`` (OVN's find_lrp_member_ip)."""
    nets = lrp_nets(port)
    if nets is None:
        return None
    try:
        a = ipaddress.ip_address(ip)
    except ValueError:
        return None
    v = int(a)
    if a.version == 4:
        for n in nets.ipv4:
            if (v ^ n.value) & n.mask == 0:
                return n.addr
    else:
        for n6 in nets.ipv6:
            if (v ^ n6.value) & n6.mask == 0:
                return n6.addr
    return None


def iter_enabled(ports: Iterable[RouterPort]) -> Iterator[RouterPort]:
    return (p for p in ports if p.enabled)
