"""A logical switch's load-balancing stages (ovn-northd(8)): Pre-LB, the LB part of
Pre-stateful, LB affinity check/learn, LB, Pre-Hairpin, Nat-Hairpin and Hairpin.

Who builds what:

* the LB owner ``(lb, switch)``: everything one load balancer puts on one switch — per valid
  VIP the priority-120 ``ls_in_pre_stateful`` flow, the ``ls_in_lb`` flow, the empty-backend
  event (``ls_in_pre_lb`` 130), the affinity flows; the health-check ARP replies of its
  service monitors (on the switches of the monitored ports); and the contribution
  ``lb_vips`` to the switch when its NB ``vips`` map is not empty;
* the SWITCH builder: the stages' default flows, the router-port/localnet conntrack skips of
  Pre-LB (one per port of ``sw.router_ports``/``sw.localnet_ports``), the vtep hairpin flows,
  and — when the switch has ``lb_vips`` — the Pre-LB priority-100 flows and the hairpin flows.

For the ACL stages (another module): ``lb_vips`` is the flag "a load balancer with VIPs is on
this switch" (northd's ``has_lb_vip``), which turns on the stateful ACL defaults; the Pre-LB
skip flows read ``stateful_acl`` ("the switch has a stateful ACL").  The priority-110/100/0
flows of ``ls_in_pre_stateful``/``ls_out_pre_stateful`` and the Stateful stages are the ACL
module's, only the per-VIP priority-120 ones are here.

Strings are written the way ovn-northd 23.03 writes them (checked against its Southbound).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pyovn.northd.context import BuildContext
from pyovn.northd.entities import NorthdDatapath, RouterPort, Switch, SwitchPort, json_quote
from pyovn.northd.lb import NorthdLoadBalancer, Vip, parse_lb
from pyovn.northd.pipelines.ls_l2 import copp_meter, is_l3dgw_port
from pyovn.northd.registry import LB, SWITCH, builds
from pyovn.pipeline.stages import (
    LS_IN_ARP_RSP,
    LS_IN_HAIRPIN,
    LS_IN_L2_LKUP,
    LS_IN_LB,
    LS_IN_LB_AFF_CHECK,
    LS_IN_LB_AFF_LEARN,
    LS_IN_NAT_HAIRPIN,
    LS_IN_PRE_HAIRPIN,
    LS_IN_PRE_LB,
    LS_IN_PRE_STATEFUL,
    LS_OUT_PRE_LB,
)

__all__ = [
    "LB_VIPS",
    "STATEFUL_ACL",
    "lb_vip_backends_action",
    "service_monitors",
    "vip_match",
]

LB_VIPS = "lb_vips"  # contributed by an LB owner whose LB has VIPs
STATEFUL_ACL = "stateful_acl"  # contributed by the ACL module

REJECT_ACTION = "reg0 = 0; reject { outport <-> inport; next(pipeline=egress,table=5);};"


def _ports(v: Vip, lb: NorthdLoadBalancer, field: str = "dst") -> str:
    return f" && {lb.proto}.{field} == {v.port}" if v.port else ""


def vip_match(v: Vip, lb: NorthdLoadBalancer) -> str:
    """``ip4.dst == VIP && tcp.dst == PORT`` (the protocol part only with a port)."""
    return f"{v.ip_match}.dst == {v.ip}{_ports(v, lb)}"


# --- health checks --------------------------------------------------------------------------------


def _sm_index(ctx: BuildContext) -> Any:
    t = ctx.sb.get("Service_Monitor")
    if t is None:
        return None
    idx = getattr(t, "index", None)
    return idx("logical_port", "ip", "port") if idx is not None else t


def _sm_status(index: Any, port: str, ip: str, tp: int, proto: str) -> str | None:
    """The status ovn-controller wrote on the Service_Monitor row, None if none (or no row)."""
    if index is None:
        return None
    rows = index.lookup(port, ip, tp) if hasattr(index, "lookup") else [
        r for r in index if (r.logical_port, r.ip, r.port) == (port, ip, tp)]
    for r in rows:
        p = r.protocol
        p = (p[0] if p else "tcp") if isinstance(p, list) else (p or "tcp")
        if p == proto:
            st = r.status
            st = (st[0] if st else None) if isinstance(st, list) else st
            return st or None
    return None


def _sm_protocol(lb: NorthdLoadBalancer) -> str:
    return "udp" if lb.proto == "udp" else "tcp"


def service_monitors(
    ctx: BuildContext, lb: NorthdLoadBalancer, v: Vip
) -> list[tuple[Any, SwitchPort, str] | None]:
    """Per backend of a health-checked VIP: (backend, its port, source IP) when it is monitored
    (``ip_port_mappings`` names an existing switch port and an IPv4 source), else None."""
    out: list[tuple[Any, SwitchPort, str] | None] = []
    for b in v.backends:
        mapping = lb.ip_port_mappings.get(b.ip) if not b.ipv6 else None
        mon = None
        if mapping:
            pname, sep, src = mapping.partition(":")
            port = ctx.model.port_by_name.get(pname)
            if sep and isinstance(port, SwitchPort) and _is_ipv4(src):
                mon = (b, port, src)
        out.append(mon)
    return out


def _is_ipv4(s: str) -> bool:
    parts = s.split(".")
    return len(parts) == 4 and all(p.isdigit() and len(p) <= 3 and int(p) <= 255 and (
        p == "0" or not p.startswith("0")) for p in parts)


def lb_vip_backends_action(ctx: BuildContext, lb: NorthdLoadBalancer, v: Vip) -> tuple[str, str]:
    """("backends", "") for ``ct_lb_mark(backends=...)``, or ("", "drop"|"reject") when the VIP
    has no (live) backend."""
    if lb.health_check(v) is not None:
        index = _sm_index(ctx)
        proto = _sm_protocol(lb)
        live = []
        for mon in service_monitors(ctx, lb, v):
            if mon is None:
                continue
            b, port, _src = mon
            st = _sm_status(index, port.name, b.ip, b.port, proto)
            if st is not None and st != "online":
                continue
            live.append(b.ip_port)
        if live:
            return ",".join(live), ""
        return "", "reject" if lb.reject else "drop"
    if not v.backends:
        return "", "reject" if lb.reject else "drop"
    return v.backends_text, ""


def _ct_lb(backends: str, lb: NorthdLoadBalancer, extra: str = "") -> str:
    args = f"backends={backends}"
    if lb.hash_fields:
        args += f'; hash_fields="{lb.hash_fields}"'
    return f"ct_lb_mark({args}{extra});"


def event_flow(ctx: BuildContext, dp: NorthdDatapath, lb: NorthdLoadBalancer,
               v: Vip) -> tuple[str, str] | None:
    """(match, action) of the empty-backend controller event for a VIP, if northd adds one."""
    if v.backends or lb.reject:
        return None
    if not (lb.event or ctx.options.get("controller_event", "").lower() == "true"):
        return None
    match = f"{v.ip_match}.dst == {v.ip} && {lb.proto}{_ports(v, lb)}"
    action = (f'trigger_event(event = "empty_lb_backends", vip = "{v.vip_port}", '
              f'protocol = "{lb.proto}", load_balancer = "{lb.uuid}");')
    return match, action


# --- the LB owner ---------------------------------------------------------------------------------


@builds(LB)
def ls_lb_flows(ctx: BuildContext, dp: NorthdDatapath, lb_row: Any) -> Iterator[Any]:
    if not isinstance(dp, Switch):
        return
    lb = parse_lb(lb_row, ctx.nb)
    # A load balancer a switch only inherits from its router (install_ls_lb_from_router) gets
    # its VIP flows but does not make the switch an "LB switch" (checked with the real northd).
    if lb.has_vips and lb_row.uuid not in dp.lb_inherited:
        yield ctx.contrib(dp, LB_VIPS)
    hint = lb_row
    for v in lb.vips:
        reg = "xxreg1" if v.ipv6 else "reg1"
        port_reg = f"reg2[0..15] = {v.port}; " if v.port else ""
        yield ctx.flow(dp, LS_IN_PRE_STATEFUL, 120, f"reg0[2] == 1 && {vip_match(v, lb)}",
                       f"{reg} = {v.ip}; {port_reg}ct_lb_mark;", hint=hint)
        ev = event_flow(ctx, dp, lb, v)
        if ev is not None:
            yield ctx.flow(dp, LS_IN_PRE_LB, 130, ev[0], ev[1], hint=hint,
                           meter=copp_meter(ctx, dp.nb, "event-elb"))
        backends, fail = lb_vip_backends_action(ctx, lb, v)
        meter = None
        if fail == "reject":
            action = REJECT_ACTION
            meter = copp_meter(ctx, dp.nb, "reject")
        elif fail:
            action = "drop;"
        else:
            action = "reg0[1] = 0; " + _ct_lb(backends, lb)
        yield ctx.flow(dp, LS_IN_LB, 120 if v.port else 110, f"ct.new && {vip_match(v, lb)}",
                       action, hint=hint, meter=meter)
        if lb.affinity_timeout:
            yield from _affinity(ctx, dp, lb, v, reg, port_reg, hint)
        if lb.health_check(v) is not None:
            yield from _svc_arp(ctx, lb, v, hint)


def _affinity(ctx: BuildContext, dp: NorthdDatapath, lb: NorthdLoadBalancer, v: Vip, reg: str,
              port_reg: str, hint: Any) -> Iterator[Any]:
    fam = "ip6" if v.ipv6 else "ip4"
    vip_cond = f"{fam} && {reg} == {v.ip}" + (f" && reg2[0..15] == {v.port}" if v.port else "")
    yield ctx.flow(dp, LS_IN_LB_AFF_CHECK, 100, f"ct.new && {vip_cond}",
                   "reg9[6] = chk_lb_aff(); next;", hint=hint)
    breg = "xxreg0" if v.ipv6 else "reg4"
    proto = f", proto = {lb.proto}" if v.port else ""
    for b in v.backends:
        bport = f" && reg8[0..15] == {b.port}" if b.port else ""
        yield ctx.flow(
            dp, LS_IN_LB, 150, f"reg9[6] == 1 && ct.new && {fam} && {breg} == {b.ip}{bport}",
            f"reg0[1] = 0; {reg} = {v.ip}; {port_reg}ct_lb_mark(backends={b.text});", hint=hint)
        bdst = f" && {lb.proto}.dst == {b.port}" if b.port else ""
        yield ctx.flow(
            dp, LS_IN_LB_AFF_LEARN, 100,
            f"reg9[6] == 0 && ct.new && {vip_cond} && {fam}.dst == {b.ip}{bdst}",
            f'commit_lb_aff(vip = "{v.vip_port}", backend = "{b.text}"{proto}, '
            f"timeout = {lb.affinity_timeout}); /* drop */",
            hint=hint)


def _svc_arp(ctx: BuildContext, lb: NorthdLoadBalancer, v: Vip, hint: Any) -> Iterator[Any]:
    mac = ctx.options.get("svc_monitor_mac", "")
    for mon in service_monitors(ctx, lb, v):
        if mon is None:
            continue
        _b, port, src = mon
        yield ctx.flow(
            port.dp, LS_IN_ARP_RSP, 110, f"arp.tpa == {src} && arp.op == 1",
            f"eth.dst = eth.src; eth.src = {mac}; arp.op = 2; /* ARP reply */ "
            f"arp.tha = arp.sha; arp.sha = {mac}; arp.tpa = arp.spa; arp.spa = {src}; "
            "outport = inport; flags.loopback = 1; output;",
            hint=hint)


# --- the switch -----------------------------------------------------------------------------------


@builds(SWITCH)
def ls_lb_defaults(ctx: BuildContext, sw: Switch) -> Iterator[Any]:
    for stage in (LS_IN_LB_AFF_CHECK, LS_IN_LB, LS_IN_LB_AFF_LEARN, LS_IN_PRE_HAIRPIN,
                  LS_IN_NAT_HAIRPIN, LS_IN_HAIRPIN):
        yield ctx.flow(sw, stage, 0, "1", "next;")
    yield from _pre_lb(ctx, sw)
    if sw.has(LB_VIPS):
        yield ctx.flow(sw, LS_IN_PRE_HAIRPIN, 100, "ip && ct.trk",
                       "reg0[6] = chk_lb_hairpin(); reg0[12] = chk_lb_hairpin_reply(); next;",
                       hint=sw.nb)
        yield ctx.flow(sw, LS_IN_NAT_HAIRPIN, 100, "ip && ct.new && ct.trk && reg0[6] == 1",
                       "ct_snat_to_vip; next;", hint=sw.nb)
        yield ctx.flow(sw, LS_IN_NAT_HAIRPIN, 100, "ip && ct.est && ct.trk && reg0[6] == 1",
                       "ct_snat;", hint=sw.nb)
        yield ctx.flow(sw, LS_IN_NAT_HAIRPIN, 90, "ip && reg0[12] == 1", "ct_snat;", hint=sw.nb)
        yield ctx.flow(sw, LS_IN_HAIRPIN, 1, "(reg0[6] == 1 || reg0[12] == 1)",
                       "eth.dst <-> eth.src; outport = inport; flags.loopback = 1; output;")
    if sw.ports_by_type["vtep"]:
        for rp in sw.router_ports:
            peer = rp.peer
            if isinstance(peer, RouterPort) and is_l3dgw_port(peer):
                yield ctx.flow(sw, LS_IN_HAIRPIN, 2000,
                               "reg0[14] == 1 && is_chassis_resident("
                               f"{json_quote('cr-' + peer.name)})",
                               "next;")
        yield ctx.flow(sw, LS_IN_HAIRPIN, 1000, "reg0[14] == 1",
                       f"next(pipeline=ingress, table={LS_IN_L2_LKUP.table});")


def _pre_lb(ctx: BuildContext, sw: Switch) -> Iterator[Any]:
    for stage, svc in ((LS_IN_PRE_LB, "eth.dst"), (LS_OUT_PRE_LB, "eth.src")):
        yield ctx.flow(sw, stage, 0, "1", "next;")
        yield ctx.flow(sw, stage, 110, "eth.mcast", "next;")
        yield ctx.flow(sw, stage, 110, "nd || nd_rs || nd_ra || mldv1 || mldv2", "next;")
        yield ctx.flow(sw, stage, 110, "reg0[16] == 1", "next;")
        yield ctx.flow(sw, stage, 110, f"{svc} == $svc_monitor_mac", "next;")
        if sw.has(LB_VIPS):
            yield ctx.flow(sw, stage, 100, "ip", "reg0[2] = 1; next;")
    out_action = "next;" if sw.has(STATEFUL_ACL) else "ct_clear; next;"
    # Localnet ports skip conntrack here only while the switch has no load balancer VIP
    # (checked against the real northd: with VIPs their traffic goes through ct_lb).
    skip = [*sw.router_ports, *([] if sw.has(LB_VIPS) else sw.localnet_ports)]
    for p in skip:
        if p.type == "router" and p.peer is None:
            continue
        yield ctx.flow(sw, LS_IN_PRE_LB, 110, f"ip && inport == {p.json_name}", "next;",
                       hint=p.nb, lport=p.name)
        yield ctx.flow(sw, LS_OUT_PRE_LB, 110, f"ip && outport == {p.json_name}", out_action,
                       hint=p.nb, lport=p.name)
