"""NAT on logical routers (ovn-northd(8): UNSNAT, DNAT, UNDNAT, SNAT, Check DNAT local, Egress
Loopback, and the NAT parts of admission, IP input, ARP resolution and gateway redirect).

The ROUTER owner builds everything from the router's NAT rows (routers are small):

* every router gets the default flows of the NAT stages;
* every router with NAT rows gets ARP/ND replies (priority 90) for the NAT external addresses,
  even one that is neither a gateway router nor has a distributed gateway port (there northd
  writes nothing else for NAT, silently);
* a gateway router (``options:chassis``) gets centralized NAT (``ct_snat``/``ct_dnat``), the
  force-SNAT flows of ``dnat_force_snat_ip`` / ``lb_force_snat_ip``, and, when it has NAT rows
  or load balancer VIPs (the ``lb_vips`` flag lr_lb contributes), unDNAT of all IP traffic;
* a router with distributed gateway ports (DGPs: ``gateway_chassis`` or ``ha_chassis_group`` on a
  port of a router that is not a gateway router) gets the common-zone NAT of the DGP each rule
  belongs to (its ``gateway_port``, the only DGP, or the DGP whose networks hold the external
  IP), restricted by ``is_chassis_resident`` to the gateway chassis, or to the chassis of
  ``logical_port`` for a distributed floating IP (``dnat_and_snat`` with ``external_mac``).

Rules are visited in uuid order (the C IDL's), and a flow that two rules produce alike is kept
once with the first rule's stage-hint, as northd does.  NAT columns go into flows verbatim; the
ARP/ND flows use the normalised external address (:mod:`lr_nat_ip`).

The ROUTER_PORT owner writes the per-port flows of ``lb_force_snat_ip=router_ip``.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pyovn.northd.addresses import in6_solicited_node, is_mac, normalize_mac
from pyovn.northd.cnum import smap_get_int
from pyovn.northd.context import BuildContext, drop_action
from pyovn.northd.entities import Router, RouterPort, json_quote
from pyovn.northd.output import Lflow
from pyovn.northd.pipelines.lr_common import (
    find_member_ip,
    is_dgp,
    is_gw_router,
    lrp_nets,
    router_ports,
    sorted_rows,
)
from pyovn.northd.pipelines.lr_lb import LB_VIPS
from pyovn.northd.pipelines.lr_nat_ip import (
    IpAddr,
    cidr_bits_v4,
    cidr_bits_v6,
    extract_ip_address,
    extract_ips,
    parse_v4_masked,
    parse_v6_masked,
)
from pyovn.northd.registry import ROUTER, ROUTER_PORT, builds
from pyovn.pipeline.stages import (
    LR_IN_ADMISSION,
    LR_IN_ARP_RESOLVE,
    LR_IN_DEFRAG,
    LR_IN_DNAT,
    LR_IN_ECMP_STATEFUL,
    LR_IN_GW_REDIRECT,
    LR_IN_IP_INPUT,
    LR_IN_UNSNAT,
    LR_OUT_CHK_DNAT_LOCAL,
    LR_OUT_EGR_LOOP,
    LR_OUT_POST_SNAT,
    LR_OUT_POST_UNDNAT,
    LR_OUT_SNAT,
    LR_OUT_UNDNAT,
    Stage,
)

__all__ = [
    "NatRule",
    "l3dgw_ports",
    "nat_rules",
    "router_snat_ips",
]

# Registers (ovn-northd(8), "Logical router registers").
REGBIT_EGRESS_LOOPBACK = "reg9[0]"
REGBIT_PKT_LARGER = "reg9[1]"
REGBIT_DST_NAT_IP_LOCAL = "reg9[4]"
REG_INPORT_ETH_ADDR = "xreg0[0..47]"
ETH_HEADER_LEN = 14

_EGR_LOOP = (
    'clone { ct_clear; inport = outport; outport = ""; eth.dst <-> eth.src; flags = 0; '
    "flags.loopback = 1; flags.use_snat_zone = " + REGBIT_DST_NAT_IP_LOCAL + "; "
    + "".join(f"reg{i} = 0; " for i in range(10))
    + REGBIT_EGRESS_LOOPBACK + " = 1; next(pipeline=ingress, table=0); };"
)


def _arp_reply(mac: str) -> str:
    return (f"eth.dst = eth.src; eth.src = {mac}; arp.op = 2; /* ARP reply */ "
            f"arp.tha = arp.sha; arp.sha = {mac}; arp.tpa <-> arp.spa; outport = inport; "
            "flags.loopback = 1; output;")


def _nd_na(mac: str) -> str:
    return (f"nd_na {{ eth.src = {mac}; ip6.src = nd.target; nd.tll = {mac}; "
            "outport = inport; flags.loopback = 1; output; };")


# --- what a router is ------------------------------------------------------------------------


def l3dgw_ports(lr: Router) -> list[RouterPort]:
    return [p for p in router_ports(lr) if is_dgp(p)]


def _cr(port: RouterPort) -> str:
    return json_quote("cr-" + port.name)


def ct_natted(ctx: BuildContext) -> str:
    """``ct_mark.natted``, or ``ct_label.natted`` while a chassis lacks ct-no-masked-label."""
    for ch in ctx.sb.get("Chassis", ()):
        oc = ch.other_config
        if oc.get("is-remote", "").lower() == "true":
            continue
        if oc.get("ct-no-masked-label", "").lower() != "true":
            return "ct_label.natted"
    return "ct_mark.natted"


def _gateway_mtu(port: RouterPort) -> int:
    return smap_get_int(port.nb.options, "gateway_mtu", 0)  # "1400 " is none


def _force_ips(lr: Router, kind: str) -> tuple[str | None, str | None]:
    """The IPv4 and IPv6 address of ``options:{kind}_force_snat_ip`` (extract_ip_address: at
    most one host address of each family, junk after them ignored); none if refused."""
    v = lr.nb.options.get(f"{kind}_force_snat_ip")
    r = extract_ip_address(v) if v is not None else None
    return r if r is not None else (None, None)


def _lb_force_router_ip(lr: Router) -> bool:
    return lr.nb.options.get("lb_force_snat_ip") == "router_ip" and is_gw_router(lr)


# --- NAT rows --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NatRule:
    """One NAT row as northd sees it.

    ``ext`` is the normalised external address (None: not exactly one IP; no ARP/ND flows) and
    ``dgp`` the distributed gateway port the rule belongs to (None on a gateway router, or when
    it cannot be told).  ``valid`` says whether the NAT stages get flows for it; the remaining
    fields are meaningful only then.
    """

    row: Any
    ext: IpAddr | None
    dgp: RouterPort | None
    valid: bool
    v6: bool = False
    cidr_bits: int = 0
    distributed: bool = False
    mac: str = ""  # external_mac as written (distributed rules)
    stateless: bool = False
    allowed: str | None = None  # address set name
    exempted: str | None = None

    @property
    def type(self) -> str:
        return self.row.type  # type: ignore[no-any-return]

    @property
    def is_snat(self) -> bool:
        return self.row.type in ("snat", "dnat_and_snat")

    @property
    def is_dnat(self) -> bool:
        return self.row.type in ("dnat", "dnat_and_snat")

    @property
    def external_ip(self) -> str:
        return self.row.external_ip  # type: ignore[no-any-return]

    @property
    def logical_ip(self) -> str:
        return self.row.logical_ip  # type: ignore[no-any-return]

    @property
    def logical_port(self) -> str:
        lp = self.row.logical_port
        return lp[0] if lp else ""

    @property
    def port_range(self) -> str:
        return self.row.external_port_range  # type: ignore[no-any-return]


def _as_name(ctx: BuildContext, ref: list[Any]) -> str | None:
    if not ref:
        return None
    t = ctx.nb.get("Address_Set")
    u = ref[0] if isinstance(ref[0], str) else ref[0].uuid
    row = t.get(u) if t is not None else None
    return row.name if row is not None else None


def _nat_dgp(ctx: BuildContext, lr: Router, row: Any, dgps: list[RouterPort]
             ) -> tuple[RouterPort | None, bool]:
    """The rule's distributed gateway port, and whether that choice is valid."""
    gp = row.gateway_port
    if gp:
        u = gp[0] if isinstance(gp[0], str) else gp[0].uuid
        port = ctx.model.ports.get(u)
        if isinstance(port, RouterPort) and port.dp is lr and is_dgp(port):
            return port, True
        return None, False
    if len(dgps) == 1:
        return dgps[0], True
    if len(dgps) > 1:
        ip = row.external_ip
        for p in dgps:
            if find_member_ip(p, ip) is not None:
                return p, True
        return None, False
    return None, True


def _nat_rule(ctx: BuildContext, lr: Router, row: Any, dgps: list[RouterPort]) -> NatRule:
    ips = extract_ips(row.external_ip)
    ext = ips[0] if ips is not None and len(ips) == 1 else None
    dgp, dgp_ok = _nat_dgp(ctx, lr, row, dgps)
    allowed = _as_name(ctx, row.allowed_ext_ips)
    exempted = _as_name(ctx, row.exempted_ext_ips)
    invalid = NatRule(row, ext, dgp, False)
    if row.allowed_ext_ips and row.exempted_ext_ips:
        return invalid
    # External IP: one IPv4 host address, else one IPv6 host address.
    v6 = False
    e4 = parse_v4_masked(row.external_ip)
    if e4 is None or e4[1] != 0xFFFFFFFF:
        e6 = parse_v6_masked(row.external_ip)
        if e6 is None or e6[1] != (1 << 128) - 1:
            return invalid
        v6 = True
    if not dgp_ok:
        return invalid
    # Logical IP: a network for SNAT, a host address otherwise.
    if v6:
        lip = parse_v6_masked(row.logical_ip)
        bits = cidr_bits_v6(lip[1]) if lip is not None else 0
        exact = lip is not None and lip[1] == (1 << 128) - 1
    else:
        lip = parse_v4_masked(row.logical_ip)
        bits = cidr_bits_v4(lip[1]) if lip is not None else 0
        exact = lip is not None and lip[1] == 0xFFFFFFFF
    if lip is None:
        return invalid
    if row.type != "snat":
        if not exact:
            return invalid
        bits = 128 if v6 else 32
    distributed = False
    mac = ""
    if dgps and row.type == "dnat_and_snat" and row.logical_port and row.external_mac:
        mac = row.external_mac[0]
        if not is_mac(mac):
            return invalid
        distributed = True
    stateless = (row.type == "dnat_and_snat"
                 and row.options.get("stateless", "").lower() == "true")
    return NatRule(row, ext, dgp, True, v6, bits, distributed, mac, stateless, allowed, exempted)


def nat_rules(ctx: BuildContext, lr: Router) -> list[NatRule]:
    """The router's NAT rules in uuid order."""
    dgps = [] if is_gw_router(lr) else l3dgw_ports(lr)
    return [_nat_rule(ctx, lr, row, dgps) for row in sorted_rows(ctx, "NAT", lr.nb.nat)]


def router_snat_ips(ctx: BuildContext, lr: Router) -> set[str]:
    """OVN's ``snat_ips`` of a router (normalised): external IPs of its ``snat`` rules and the
    ``dnat_force_snat_ip`` / ``lb_force_snat_ip`` addresses (their IPv4 and IPv6, on any
    router).  Router addresses among them are dropped in lr_in_arp_resolve (priority 2)
    instead of lr_in_ip_input (priority 60)."""
    out: set[str] = set()
    for kind in ("dnat", "lb"):
        if kind == "lb" and lr.nb.options.get("lb_force_snat_ip") == "router_ip" \
                and is_gw_router(lr):
            continue
        for a in _force_ips(lr, kind):
            if a is not None:
                out.add(a)
    for row in sorted_rows(ctx, "NAT", lr.nb.nat):
        if row.type == "snat":
            ips = extract_ips(row.external_ip)
            if ips is not None and len(ips) == 1:
                out.add(ips[0].addr)
    return out


# --- flow collection ---------------------------------------------------------------------------


class _Flows:
    """Flows of one router, the first of identical ones kept (northd's lflow dedup)."""

    def __init__(self, ctx: BuildContext, lr: Router) -> None:
        self.ctx = ctx
        self.lr = lr
        self.flows: dict[tuple[Stage, int, str, str], Lflow] = {}

    def add(self, stage: Stage, priority: int, match: str, actions: str,
            hint: Any = None) -> None:
        key = (stage, priority, match, actions)
        if key not in self.flows:
            self.flows[key] = self.ctx.flow(self.lr, stage, priority, match, actions, hint=hint)


# --- ARP/ND for NAT addresses ------------------------------------------------------------------


def _arp_order(rules: list[NatRule]) -> list[NatRule]:
    """Non-SNAT rules in uuid order, then the first rule of each SNAT address."""
    out = [r for r in rules if r.ext is not None and r.type != "snat"]
    seen: set[str] = set()
    for r in rules:
        if r.ext is not None and r.type == "snat" and r.ext.addr not in seen:
            seen.add(r.ext.addr)
            out.append(r)
    return out


def _arp_match(ext: IpAddr) -> str:
    if ext.v6:
        sn = _sn(ext.addr)
        return f"ip6.dst == {{{ext.addr}, {sn}}} && nd_ns && nd.target == {ext.addr}"
    return f"arp.op == 1 && arp.tpa == {ext.addr}"


def _sn(addr: str) -> str:
    return in6_solicited_node(ipaddress.IPv6Address(addr))


def _arp_flows(fl: _Flows, rules: list[NatRule], dgps: list[RouterPort]) -> None:
    drop = drop_action(fl.ctx)
    order = _arp_order(rules)
    for r in order:
        assert r.ext is not None
        act = _nd_na(REG_INPORT_ETH_ADDR) if r.ext.v6 else _arp_reply(REG_INPORT_ETH_ADDR)
        fl.add(LR_IN_IP_INPUT, 90, _arp_match(r.ext), act, r.row)
    for port in dgps:
        for r in order:
            assert r.ext is not None
            if r.dgp is not port:
                continue
            if r.ext.v6:
                base = (f"inport == {port.json_name} && ip6.dst == "
                        f"{{{r.ext.addr}, {_sn(r.ext.addr)}}} && nd_ns && "
                        f"nd.target == {r.ext.addr}")
            else:
                base = f"inport == {port.json_name} && arp.op == 1 && arp.tpa == {r.ext.addr}"
            fl.add(LR_IN_IP_INPUT, 91, base, drop, r.row)
            mac, resident = REG_INPORT_ETH_ADDR, _cr(port)
            row = r.row
            if (row.type == "dnat_and_snat" and row.logical_port and row.external_mac
                    and is_mac(row.external_mac[0])):
                mac, resident = row.external_mac[0], f'"{row.logical_port[0]}"'
            act = _nd_na(mac) if r.ext.v6 else _arp_reply(mac)
            fl.add(LR_IN_IP_INPUT, 92, f"{base} && is_chassis_resident({resident})", act, r.row)


# --- gateway routers ---------------------------------------------------------------------------


def _gw_rule(fl: _Flows, r: NatRule, force_dnat: bool) -> None:
    ip = "ip6" if r.v6 else "ip4"
    ext, lip = r.external_ip, r.logical_ip
    rng = f",{r.port_range}" if r.port_range else ""
    if r.is_snat:
        fl.add(LR_IN_UNSNAT, 90, f"ip && {ip}.dst == {ext}",
               "next;" if r.stateless else "ct_snat;", r.row)
    if r.is_dnat:
        match = f"ip && {ip}.dst == {ext}"
        if r.allowed:
            match += f" && {ip}.src == ${r.allowed}"
        act = "flags.force_snat_for_dnat = 1; " if force_dnat else ""
        act += "flags.loopback = 1; "
        act += f"{ip}.dst={lip}; next;" if r.stateless else f"ct_dnat({lip}{rng});"
        fl.add(LR_IN_DNAT, 100, match, act, r.row)
        if r.exempted:
            fl.add(LR_IN_DNAT, 102, f"ip && {ip}.dst == {ext} && {ip}.src == ${r.exempted}",
                   "next;", r.row)
    if r.is_snat:
        prio = r.cidr_bits + 1
        match = f"ip && {ip}.src == {lip}"
        if r.allowed:
            match += f" && {ip}.dst == ${r.allowed}"
        if r.stateless:
            act = f"{ip}.src={ext}; next;"
        else:
            match += " && (!ct.trk || !ct.rpl)"
            act = f"ct_snat({ext}{rng});"
        fl.add(LR_OUT_SNAT, prio, match, act, r.row)
        if r.exempted:
            fl.add(LR_OUT_SNAT, prio + 2, f"ip && {ip}.src == {lip} && {ip}.dst == ${r.exempted}",
                   "next;", r.row)


def _force_snat(fl: _Flows, lr: Router) -> None:
    for kind in ("dnat", "lb"):
        if kind == "lb" and _lb_force_router_ip(lr):
            continue
        v4, v6 = _force_ips(lr, kind)
        for ver, addr in (("4", v4), ("6", v6)):
            if addr is None:
                continue
            fl.add(LR_IN_UNSNAT, 110, f"ip{ver} && ip{ver}.dst == {addr}", "ct_snat;")
            fl.add(LR_OUT_SNAT, 100, f"flags.force_snat_for_{kind} == 1 && ip{ver}",
                   f"ct_snat({addr});")


# --- distributed gateway ports -----------------------------------------------------------------


def _dgp_rule(fl: _Flows, r: NatRule) -> None:
    assert r.dgp is not None
    g = r.dgp
    gname = g.json_name
    cr = _cr(g)
    ip = "ip6" if r.v6 else "ip4"
    ext, lip = r.external_ip, r.logical_ip
    rng = f",{r.port_range}" if r.port_range else ""
    here = f"is_chassis_resident({cr})"
    resident = f'is_chassis_resident("{r.logical_port}")' if r.distributed else here
    only_gw = "" if r.distributed else f" && {here}"
    eth_src = f"eth.src = {normalize_mac(r.mac)}; " if r.distributed else ""
    drop = drop_action(fl.ctx)
    nets = lrp_nets(g)
    gmac = nets.mac if nets is not None else g.nb.mac

    if r.is_snat:
        base = f"ip && {ip}.dst == {ext} && inport == {gname}"
        fl.add(LR_IN_UNSNAT, 100, f"{base} && flags.loopback == 0{only_gw}",
               "next;" if r.stateless else "ct_snat_in_czone;", r.row)
        if not r.stateless:
            fl.add(LR_IN_UNSNAT, 100,
                   f"{base} && flags.loopback == 1 && flags.use_snat_zone == 1{only_gw}",
                   "ct_snat;", r.row)
    if r.is_dnat:
        base = f"ip && {ip}.dst == {ext} && inport == {gname}{only_gw}"
        match = base + (f" && {ip}.src == ${r.allowed}" if r.allowed else "")
        act = f"{ip}.dst={lip}; next;" if r.stateless else f"ct_dnat_in_czone({lip}{rng});"
        fl.add(LR_IN_DNAT, 100, match, act, r.row)
        if r.exempted:
            fl.add(LR_IN_DNAT, 102, f"{base} && {ip}.src == ${r.exempted}", "next;", r.row)
        fl.add(LR_OUT_UNDNAT, 100, f"ip && {ip}.src == {lip} && outport == {gname}{only_gw}",
               eth_src + ("next;" if r.stateless else "ct_dnat_in_czone;"), r.row)
    if r.is_snat:
        prio = r.cidr_bits + 1 + 128
        base = f"ip && {ip}.src == {lip} && outport == {gname} && {resident}"
        match = base + (f" && {ip}.dst == ${r.allowed}" if r.allowed else "")
        if r.stateless:
            fl.add(LR_OUT_SNAT, prio, match, f"{eth_src}{ip}.src={ext}; next;", r.row)
        else:
            fl.add(LR_OUT_SNAT, prio, match, f"{eth_src}ct_snat_in_czone({ext}{rng});", r.row)
            fl.add(LR_OUT_SNAT, prio + 1, f"{match} && {REGBIT_DST_NAT_IP_LOCAL} == 1",
                   f"{eth_src}{REGBIT_DST_NAT_IP_LOCAL} = 0; ct_snat({ext}{rng});", r.row)
        if r.exempted:
            fl.add(LR_OUT_SNAT, prio + 2, f"{base} && {ip}.dst == ${r.exempted}", "next;", r.row)
    if r.type == "snat":
        fl.add(LR_IN_IP_INPUT, 120, f"inport == {gname} && {ip}.src == {ext}", "next;", r.row)

    # ARP resolution of the external address, and the loop guard for it.
    fl.add(LR_IN_ARP_RESOLVE, 150,
           f"inport == {gname} && outport == {gname} && {ip}.dst == {ext}", drop, r.row)
    reg = "xxreg0" if r.v6 else "reg0"
    fl.add(LR_IN_ARP_RESOLVE, 100, f"outport == {gname} && {reg} == {ext}",
           f"eth.dst = {r.mac if r.distributed else gmac}; next;", r.row)

    if r.distributed:
        lp = f'"{r.logical_port}"'
        mtu = _gateway_mtu(g)
        larger = (f"{REGBIT_PKT_LARGER} = check_pkt_larger({mtu + ETH_HEADER_LEN}); "
                  if mtu > 0 else "")
        adm = f"eth.dst == {normalize_mac(r.mac)} && inport == {gname} && is_chassis_resident({lp})"
        fl.add(LR_IN_ADMISSION, 50, adm, f"{larger}{REG_INPORT_ETH_ADDR} = {gmac}; next;", r.row)
        bypass = g.nb.options.get("gateway_mtu_bypass") if mtu > 0 else None
        if bypass:
            fl.add(LR_IN_ADMISSION, 55, f"{adm} && ({bypass})",
                   f"{REG_INPORT_ETH_ADDR} = {gmac}; next;", r.row)
        xreg = "xxreg1" if r.v6 else "reg1"
        fl.add(LR_IN_GW_REDIRECT, 100,
               f"{ip}.src == {lip} && outport == {gname} && is_chassis_resident({lp})",
               f"eth.src = {r.mac}; {xreg} = {ext}; next;", r.row)
        if _redirect_bridged(g.dp):
            # northd names the router's first gateway port here, whichever the rule's is.
            first = [p for p in router_ports(g.dp) if is_dgp(p)][0]
            get = "get_nd(outport, xxreg0)" if r.v6 else "get_arp(outport, reg0)"
            fl.add(LR_IN_ARP_RESOLVE, 90,
                   f"outport == {first.json_name} && {ip}.src == {lip} && "
                   f"is_chassis_resident({lp})",
                   f"{get}; next;", r.row)
        if mtu > 0:
            _too_big(fl, r, g, mtu)

    if r.stateless and r.type == "dnat_and_snat" and (r.allowed or r.exempted):
        name = r.allowed or r.exempted
        fl.add(LR_IN_GW_REDIRECT, 75, f"outport == {gname} && {ip}.src == ${name}",
               f"outport = {cr}; next;" if r.allowed else drop, g.nb)
        if r.allowed:
            fl.add(LR_IN_GW_REDIRECT, 70, f"ip && {ip}.dst == {ext}", drop)

    fl.add(LR_OUT_CHK_DNAT_LOCAL, 50, f"ip && {ip}.dst == {ext} && {resident}",
           f"{REGBIT_DST_NAT_IP_LOCAL} = 1; next;", r.row)
    fl.add(LR_OUT_EGR_LOOP, 100, f"{ip}.dst == {ext} && outport == {gname} && {resident}",
           _EGR_LOOP, r.row)


def _redirect_bridged(lr: Router) -> bool:
    """Some port of the router has options:redirect-type=bridged (northd's redirect_bridged: a
    router-wide flag, whichever port sets it)."""
    return any(p.nb.options.get("redirect-type", "").lower() == "bridged"
               and lrp_nets(p) is not None for p in router_ports(lr))


def _too_big(fl: _Flows, r: NatRule, g: RouterPort, mtu: int) -> None:
    """ICMP "fragmentation needed" from a distributed floating IP (gateway_mtu on its DGP)."""
    ext = r.external_ip
    if r.v6:
        match = (f"inport == {g.json_name} && {REGBIT_PKT_LARGER} && "
                 f"{REGBIT_EGRESS_LOOPBACK} == 0 && ip6 && ip6.dst == {ext}")
        act = (f"icmp6_error {{{REGBIT_EGRESS_LOOPBACK} = 1; {REGBIT_PKT_LARGER} = 0; "
               f"eth.dst = eth.src; eth.src = {r.mac}; ip6.dst = ip6.src; ip6.src = {ext}; "
               "ip.ttl = 254; icmp6.type = 2; /* Packet Too Big. */ icmp6.code = 0; "
               f"icmp6.frag_mtu = {mtu}; outport = {g.json_name}; flags.loopback = 1; "
               "output; };")
    else:
        match = (f"inport == {g.json_name} && {REGBIT_PKT_LARGER} && "
                 f"{REGBIT_EGRESS_LOOPBACK} == 0 && ip4 && ip4.dst == {ext}")
        act = (f"icmp4_error {{{REGBIT_EGRESS_LOOPBACK} = 1; {REGBIT_PKT_LARGER} = 0; "
               f"eth.dst = eth.src; eth.src = {r.mac}; ip4.dst = ip4.src; ip4.src = {ext}; "
               "ip.ttl = 254; icmp4.type = 3; /* Destination Unreachable. */ "
               "icmp4.code = 4; /* Frag Needed and DF was Set. */ "
               f"icmp4.frag_mtu = {mtu}; outport = {g.json_name}; flags.loopback = 1; "
               "output; };")
    fl.add(LR_IN_IP_INPUT, 160, match, act, r.row)


# --- builders ------------------------------------------------------------------------------------


_DEFAULTS: tuple[tuple[Stage, str], ...] = (
    (LR_IN_UNSNAT, "next;"),
    (LR_IN_DEFRAG, "next;"),
    (LR_IN_DNAT, "next;"),
    (LR_IN_ECMP_STATEFUL, "next;"),
    (LR_OUT_CHK_DNAT_LOCAL, f"{REGBIT_DST_NAT_IP_LOCAL} = 0; next;"),
    (LR_OUT_UNDNAT, "next;"),
    (LR_OUT_POST_UNDNAT, "next;"),
    (LR_OUT_SNAT, "next;"),
    (LR_OUT_POST_SNAT, "next;"),
    (LR_OUT_EGR_LOOP, "next;"),
)


@builds(ROUTER)
def lr_nat(ctx: BuildContext, lr: Router) -> Iterator[Any]:
    fl = _Flows(ctx, lr)
    for stage, actions in _DEFAULTS:
        fl.add(stage, 0, "1", actions)
    fl.add(LR_OUT_SNAT, 120, "nd_ns", "next;")

    gw = is_gw_router(lr)
    has_nat = bool(lr.nb.nat)
    if gw and (has_nat or lr.has(LB_VIPS)):
        fl.add(LR_OUT_UNDNAT, 100, "nd || nd_rs || nd_ra", "next;")
        fl.add(LR_OUT_UNDNAT, 50, "ip", "flags.loopback = 1; ct_dnat;")
        fl.add(LR_OUT_POST_UNDNAT, 50, "ip && ct.new", "ct_commit { } ; next; ")

    dgps = [] if gw else l3dgw_ports(lr)
    rules = nat_rules(ctx, lr) if has_nat else []
    if rules:
        _arp_flows(fl, rules, dgps)
    if gw or dgps:
        force_dnat = gw and any(a is not None for a in _force_ips(lr, "dnat"))
        for r in rules:
            if not r.valid:
                continue
            if gw:
                _gw_rule(fl, r, force_dnat)
            elif r.dgp is not None:
                _dgp_rule(fl, r)
        if has_nat:
            fl.add(LR_OUT_CHK_DNAT_LOCAL, 50, f"ip && {ct_natted(ctx)} == 1",
                   f"{REGBIT_DST_NAT_IP_LOCAL} = 1; next;", lr.nb)
        if gw:
            _force_snat(fl, lr)
    yield from fl.flows.values()


@builds(ROUTER_PORT)
def lr_nat_router_ip_snat(ctx: BuildContext, port: RouterPort) -> Iterator[Any]:
    """``lb_force_snat_ip=router_ip`` on a gateway router: SNAT load-balanced traffic to the
    address of the port it leaves by (the first IPv4 and the first non-link-local IPv6 one),
    for ports with a peer."""
    lr = port.dp
    if port.peer is None or not _lb_force_router_ip(lr):
        return
    nets = lrp_nets(port)
    if nets is None:
        return
    name = port.json_name
    # The link-local address is always last; only a port with another IPv6 address gets flows.
    for ver, addrs in (("4", nets.ipv4), ("6", nets.ipv6[:-1])):
        if not addrs:
            continue
        a = addrs[0].addr
        yield ctx.flow(lr, LR_IN_UNSNAT, 110, f"inport == {name} && ip{ver}.dst == {a}",
                       "ct_snat;")
        yield ctx.flow(lr, LR_OUT_SNAT, 110,
                       f"flags.force_snat_for_lb == 1 && ip{ver} && outport == {name}",
                       f"ct_snat({a});")
