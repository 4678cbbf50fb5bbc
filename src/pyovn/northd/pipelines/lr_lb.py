"""A logical router's load-balancing flows (ovn-northd(8)): DEFRAG, LB affinity check/learn,
the LB rules of DNAT, the LB parts of UNSNAT, UNDNAT and SNAT, and the ARP/ND replies for the
reachable VIPs in IP Input.

Who builds what:

* the LB owner ``(lb, router)``, per valid VIP: the ``lr_in_defrag`` flow, the ``lr_in_dnat``
  rule (priority 120 with a port, 110 without; ``is_chassis_resident`` of the first distributed
  gateway port; ``force_snat``/``skip_snat`` variants), the empty-backend event (130), the
  affinity flows, on a router with a distributed gateway port the ``lr_out_undnat`` rule
  (120), and the ``lr_in_unsnat`` bypass (120) for a VIP that is also a NAT external IP.  It
  contributes ``lb_vips`` (the LB has VIPs), ``lb_skip_snat`` (the LB has skip_snat), and its
  *reachable* VIPs (``neighbor_responder``: ``reachable``, the default, is a VIP inside one of
  the router's networks; ``all``; anything else none) as members of the router's SB
  Address_Sets ``_rtr_lb_<key>_ip4``/``_ip6`` plus the flags ``lb_reach4``/``lb_reach6``;
* the ROUTER builder: the default flows of the affinity stages, the router-wide ``lr_in_dnat``
  priority-70/50 flows of a router with LB VIPs, ``lr_out_snat`` 120 for skip_snat, the
  Address_Set rows and the IP Input ARP/ND replies that use them.

:mod:`lr_nat` writes the rest: NAT rules' flows, the defaults of UNSNAT/DEFRAG/DNAT/UNDNAT/SNAT,
a gateway router's ``lr_out_undnat``/``lr_out_post_undnat`` flows (for NAT or LB VIPs: it may
read the ``lb_vips`` flag contributed here instead of scanning the router's LBs), and the
``options:lb_force_snat_ip`` flows (addresses or ``router_ip``).  Strings are written the way ovn-northd 23.03 writes them
(checked against its Southbound).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from typing import Any

from pyovn.northd.context import BuildContext
from pyovn.northd.entities import NorthdDatapath, Router, RouterPort
from pyovn.northd.lb import NorthdLoadBalancer, Vip, parse_lb
from pyovn.northd.pipelines.lr_common import (
    copp_meter,
    cr_name,
    dgp_ports,
    is_gw_router,
    lrp_nets,
    nat_rows,
    router_ports,
)
from pyovn.northd.pipelines.lr_nat_ip import extract_ip_address
from pyovn.northd.pipelines.ls_lb import event_flow, lb_vip_backends_action
from pyovn.northd.registry import LB, ROUTER, builds
from pyovn.pipeline.stages import (
    LR_IN_DEFRAG,
    LR_IN_DNAT,
    LR_IN_IP_INPUT,
    LR_IN_LB_AFF_CHECK,
    LR_IN_LB_AFF_LEARN,
    LR_IN_UNSNAT,
    LR_OUT_SNAT,
    LR_OUT_UNDNAT,
)

__all__ = [
    "LB_REACH4",
    "LB_REACH6",
    "LB_SKIP_SNAT",
    "LB_VIPS",
    "lb_address_set",
    "lb_force_snat_ips",
    "reachable_vips",
]

LB_VIPS = "lb_vips"
LB_SKIP_SNAT = "lb_skip_snat"
LB_REACH4 = "lb_reach4"
LB_REACH6 = "lb_reach6"


def lb_address_set(lr: Router, ipv6: bool) -> str:
    """The name of the SB Address_Set of a router's reachable LB VIPs."""
    return f"_rtr_lb_{lr.key}_ip{6 if ipv6 else 4}"


def lb_force_snat_ips(lr: Router) -> tuple[str | None, str | None] | None:
    """``options:lb_force_snat_ip`` as addresses (IPv4, IPv6) as northd's extract_ip_address
    reads them (trailing junk ignored, at most one host address per family); None when unset,
    refused or ``router_ip``."""
    opt = lr.nb.options.get("lb_force_snat_ip")
    if opt is None or opt == "router_ip":
        return None
    return extract_ip_address(opt)


def _router_ip_snat(lr: Router) -> bool:
    return lr.nb.options.get("lb_force_snat_ip") == "router_ip" and is_gw_router(lr)


def force_snat_for_lb(lr: Router) -> bool:
    return lb_force_snat_ips(lr) is not None or _router_ip_snat(lr)


def reachable_vips(lr: Router, lb: NorthdLoadBalancer) -> list[Vip]:
    """The VIPs the router answers ARP/ND for (``neighbor_responder``)."""
    mode = lb.options.get("neighbor_responder", "reachable")
    if mode == "all":
        return list(lb.vips)
    if mode != "reachable":
        return []
    out = []
    nets = [n for p in router_ports(lr) if (n := lrp_nets(p)) is not None]
    for v in lb.vips:
        a = int(ipaddress.ip_address(v.ip))
        for n in nets:
            subnets = n.ipv6 if v.ipv6 else n.ipv4
            if any((a ^ s.value) & s.mask == 0 for s in subnets):
                out.append(v)
                break
    return out


def _nat_external_ips(ctx: BuildContext, lr: Router) -> set[str]:
    out: set[str] = set()
    for nat in nat_rows(ctx, lr):
        try:
            out.add(str(ipaddress.ip_address(nat.external_ip)))
        except ValueError:
            continue
    return out


def _snat_flavour(lr: Router, lb: NorthdLoadBalancer) -> str:
    if lb.skip_snat:
        return "skip_snat"
    if force_snat_for_lb(lr):
        return "force_snat"
    return ""


# --- the LB owner ---------------------------------------------------------------------------------


@builds(LB)
def lr_lb_flows(ctx: BuildContext, dp: NorthdDatapath, lb_row: Any) -> Iterator[Any]:
    if not isinstance(dp, Router):
        return
    lr = dp
    lb = parse_lb(lb_row, ctx.nb)
    if lb.has_vips:
        yield ctx.contrib(lr, LB_VIPS)
    if lb.skip_snat:
        yield ctx.contrib(lr, LB_SKIP_SNAT)
    for v in reachable_vips(lr, lb):
        yield ctx.member("Address_Set", lb_address_set(lr, v.ipv6), "addresses", v.ip)
        yield ctx.contrib(lr, LB_REACH6 if v.ipv6 else LB_REACH4)
    hint = lb_row
    gw = is_gw_router(lr)
    dgps = dgp_ports(lr)
    dgp = dgps[0] if dgps else None
    resident = f" && is_chassis_resident({cr_name(dgp)})" if dgp is not None else ""
    flavour = _snat_flavour(lr, lb)
    nat_ips = _nat_external_ips(ctx, lr) if (gw or dgp is not None) else set()
    for v in lb.vips:
        fam = v.ip_match
        proto_match = f" && {lb.proto} && {lb.proto}.dst == {v.port}" if v.port else ""
        yield ctx.flow(lr, LR_IN_DEFRAG, 100, f"ip && {fam}.dst == {v.ip}", "ct_dnat;",
                       hint=hint)
        if v.ip in nat_ips:
            tail = f" && {lb.proto}.dst == {v.port}" if v.port else ""
            yield ctx.flow(lr, LR_IN_UNSNAT, 120,
                           f"{fam} && {fam}.dst == {v.ip} && {lb.proto}{tail}", "next;",
                           hint=hint)
        ev = event_flow(ctx, lr, lb, v)
        if ev is not None:
            yield ctx.flow(lr, LR_IN_DNAT, 130, ev[0], ev[1], hint=hint,
                           meter=copp_meter(ctx, lr, "event-elb"))
        backends, fail = lb_vip_backends_action(ctx, lb, v)
        match = f"ct.new && !ct.rel && {fam} && {fam}.dst == {v.ip}{proto_match}"
        prio = 120 if v.port else 110
        if fail == "reject":
            yield ctx.flow(lr, LR_IN_DNAT, prio, match,
                           "reg0 = 0; reject { outport <-> inport; "
                           f"next(pipeline=egress,table={LR_OUT_SNAT.table});}};",
                           hint=hint, meter=copp_meter(ctx, lr, "reject"))
        else:
            if fail:
                action = "drop;"
            else:
                action = _ct_lb(backends, lb, flavour)
            yield ctx.flow(lr, LR_IN_DNAT, prio, match + resident, action, hint=hint)
        if lb.affinity_timeout:
            yield from _affinity(ctx, lr, lb, v, hint)
        if dgp is not None and v.backends:
            yield from _undnat(ctx, lr, lb, v, dgp, flavour, hint)


def _ct_lb(backends: str, lb: NorthdLoadBalancer, flavour: str) -> str:
    args = f"backends={backends}"
    if lb.hash_fields:
        args += f'; hash_fields="{lb.hash_fields}"'
    if flavour:
        return f"flags.{flavour}_for_lb = 1; ct_lb_mark({args}; {flavour});"
    return f"ct_lb_mark({args});"


def _affinity(ctx: BuildContext, lr: Router, lb: NorthdLoadBalancer, v: Vip,
              hint: Any) -> Iterator[Any]:
    fam = v.ip_match
    reg = "xxreg0" if v.ipv6 else "reg0"
    proto_match = f" && {lb.proto} && {lb.proto}.dst == {v.port}" if v.port else ""
    port_load = f"reg9[16..31] = {lb.proto}.dst; " if v.port else ""
    yield ctx.flow(lr, LR_IN_LB_AFF_CHECK, 100,
                   f"ct.new && !ct.rel && {fam} && {fam}.dst == {v.ip}{proto_match}",
                   f"{reg} = {fam}.dst; {port_load}reg9[6] = chk_lb_aff(); next;", hint=hint)
    breg = "xxreg1" if v.ipv6 else "reg4"
    flavour = "force_snat" if force_snat_for_lb(lr) else ("skip_snat" if lb.skip_snat else "")
    vport_match = f" && reg9[16..31] == {v.port}" if v.port else ""
    proto = f", proto = {lb.proto}" if v.port else ""
    for b in v.backends:
        bport = f" && reg8[0..15] == {b.port}" if b.port else ""
        if flavour:
            act = (f"{reg} = {v.ip}; flags.{flavour}_for_lb = 1; "
                   f"ct_lb_mark(backends={b.text}; {flavour});")
        else:
            act = f"{reg} = {v.ip}; ct_lb_mark(backends={b.text});"
        yield ctx.flow(lr, LR_IN_DNAT, 150,
                       f"reg9[6] == 1 && ct.new && {fam} && {breg} == {b.ip}{bport}", act,
                       hint=hint)
        bdst = f" && {lb.proto}.dst == {b.port}" if b.port else ""
        yield ctx.flow(
            lr, LR_IN_LB_AFF_LEARN, 100,
            f"reg9[6] == 0 && ct.new && {fam} && {reg} == {v.ip}{vport_match} && "
            f"{fam}.dst == {b.ip}{bdst}",
            f'commit_lb_aff(vip = "{v.vip_port}", backend = "{b.text}"{proto}, '
            f"timeout = {lb.affinity_timeout}); /* drop */",
            hint=hint)


def _undnat(ctx: BuildContext, lr: Router, lb: NorthdLoadBalancer, v: Vip, dgp: RouterPort,
            flavour: str, hint: Any) -> Iterator[Any]:
    fam = v.ip_match
    terms = []
    for b in v.backends:
        if b.port:
            terms.append(f"({fam}.src == {b.ip} && {lb.proto}.src == {b.port})")
        else:
            terms.append(f"({fam}.src == {b.ip})")
    match = (f"{fam} && ({' || '.join(terms)}) && outport == {dgp.json_name} && "
             f"is_chassis_resident({cr_name(dgp)})")
    action = f"flags.{flavour}_for_lb = 1; next;" if flavour else "ct_dnat_in_czone;"
    yield ctx.flow(lr, LR_OUT_UNDNAT, 120, match, action, hint=hint)


# --- the router -----------------------------------------------------------------------------------


@builds(ROUTER)
def lr_lb_router(ctx: BuildContext, lr: Router) -> Iterator[Any]:
    for stage in (LR_IN_LB_AFF_CHECK, LR_IN_LB_AFF_LEARN):
        yield ctx.flow(lr, stage, 0, "1", "next;")
    if lr.has(LB_VIPS):
        for flag in ("force_snat", "skip_snat"):
            yield ctx.flow(lr, LR_IN_DNAT, 70,
                           f"ct.est && !ct.rel && !ct.new && ct_mark.natted && "
                           f"ct_mark.{flag} == 1", f"flags.{flag}_for_lb = 1; next;")
            yield ctx.flow(lr, LR_IN_DNAT, 70, f"ct.rel && !ct.est && !ct.new && "
                           f"ct_mark.{flag} == 1", f"flags.{flag}_for_lb = 1; ct_commit_nat;")
        yield ctx.flow(lr, LR_IN_DNAT, 50, "ct.est && !ct.rel && !ct.new && ct_mark.natted",
                       "next;")
        yield ctx.flow(lr, LR_IN_DNAT, 50, "ct.rel && !ct.est && !ct.new", "ct_commit_nat;")
    if lr.has(LB_SKIP_SNAT):
        yield ctx.flow(lr, LR_OUT_SNAT, 120, "flags.skip_snat_for_lb == 1 && ip", "next;")
    yield from _vip_neighbors(ctx, lr)


def _vip_neighbors(ctx: BuildContext, lr: Router) -> Iterator[Any]:
    v4, v6 = lr.has(LB_REACH4), lr.has(LB_REACH6)
    if not (v4 or v6):
        return
    dgps = {p.uuid for p in dgp_ports(lr)}
    for ipv6, on in ((False, v4), (True, v6)):
        if on:
            name = lb_address_set(lr, ipv6)
            yield ctx.row("Address_Set", name, name=name)
    for p in router_ports(lr):
        resident = f" && is_chassis_resident({cr_name(p)})" if p.uuid in dgps else ""
        if v4:
            yield ctx.flow(
                lr, LR_IN_IP_INPUT, 90,
                f"inport == {p.json_name} && arp.op == 1 && arp.tpa == "
                f"${lb_address_set(lr, False)}{resident}",
                "eth.dst = eth.src; eth.src = xreg0[0..47]; arp.op = 2; /* ARP reply */ "
                "arp.tha = arp.sha; arp.sha = xreg0[0..47]; arp.tpa <-> arp.spa; "
                "outport = inport; flags.loopback = 1; output;")
        if v6:
            yield ctx.flow(
                lr, LR_IN_IP_INPUT, 90,
                f"inport == {p.json_name} && nd_ns && nd.target == "
                f"${lb_address_set(lr, True)}{resident}",
                "nd_na { eth.src = xreg0[0..47]; ip6.src = nd.target; nd.tll = xreg0[0..47]; "
                "outport = inport; flags.loopback = 1; output; };")
