"""A logical switch's ACL, QoS and stateful stages (ovn-northd(8)): Pre-ACL, Pre-stateful, ACL
hints, ACLs (before and after load balancing), QoS marking and metering, Stateful — in both
pipelines.

Who builds what:

* the ACL owner ``(switch, acl)`` (an ACL of the switch's ``acls`` or of a port group with a port
  on the switch): the ACL's own flows — its allow/drop/reject translation in ``ls_in_acl``,
  ``ls_in_acl_after_lb`` or ``ls_out_acl``, the stateless filter of an ``allow-stateless`` ACL in
  Pre-ACL, and the priority-65533 reply/related logging flows of ``options:log-related`` — and
  the contributions ``acl`` (northd's ``has_acls``) and, for ``allow-related``,
  ``stateful_acl`` (``has_stateful_acl``) to the switch;
* the SWITCH builder: the stages' default flows, which depend on those flags and on ``lb_vips``
  (a load balancer with VIPs is on the switch: ls_lb.py contributes it), the Pre-ACL conntrack
  skips of the router ports and localnet ports, the DNS-reply allow flow and the QoS rules
  (a switch's ``qos_rules`` are its own NB rows);
* the SWITCH_PORT builder: the priority-34000 ``ls_out_acl`` flows that let the DHCP replies of
  ovn-controller out to a port with DHCP options.

An ACL's flows depend on whether the switch is *stateful* (a stateful ACL or an LB VIP on it):
then an allow commits to conntrack and a drop/reject has a "new" and an "established" flavour.
The ACL and port owners read that with ``sw.has(...)``; the engine rebuilds the owners that
read a flag when the flag flips.

Strings are written the way ovn-northd 23.03 writes them (checked against its Southbound).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pyovn.northd.addresses import eth_addr_to_ipv6_lla, is_mac
from pyovn.northd.context import BuildContext, drop_action
from pyovn.northd.entities import Switch, SwitchPort
from pyovn.northd.pipelines.ls_l2 import copp_meter, smap_bool
from pyovn.northd.pipelines.ls_lb import LB_VIPS, STATEFUL_ACL
from pyovn.northd.registry import ACL, SWITCH, SWITCH_PORT, builds
from pyovn.pipeline.stages import (
    LS_IN_ACL,
    LS_IN_ACL_AFTER_LB,
    LS_IN_ACL_HINT,
    LS_IN_L2_LKUP,
    LS_IN_PRE_ACL,
    LS_IN_PRE_STATEFUL,
    LS_IN_QOS_MARK,
    LS_IN_QOS_METER,
    LS_IN_STATEFUL,
    LS_OUT_ACL,
    LS_OUT_ACL_HINT,
    LS_OUT_PRE_ACL,
    LS_OUT_PRE_STATEFUL,
    LS_OUT_QOS_MARK,
    LS_OUT_QOS_METER,
    LS_OUT_STATEFUL,
    Stage,
)

__all__ = ["HAS_ACLS", "AclSettings", "acl_log", "acl_settings", "acl_stage", "is_stateful"]

HAS_ACLS = "acl"  # contributed by every ACL owner: the switch has ACLs

# ACL priorities are offset so northd's own flows fit above and below them.
ACL_PRI_OFFSET = 1000
PRI_MAX = 65535

# Logical registers (ovn-northd's REGBIT_* names in comments).
CT_DEFRAG = "reg0[0]"  # REGBIT_CONNTRACK_DEFRAG
CT_COMMIT = "reg0[1]"  # REGBIT_CONNTRACK_COMMIT
CT_NAT = "reg0[2]"  # REGBIT_CONNTRACK_NAT
HINT_ALLOW_NEW = "reg0[7]"
HINT_ALLOW = "reg0[8]"
HINT_DROP = "reg0[9]"
HINT_BLOCK = "reg0[10]"
ACL_LABEL = "reg0[13]"
ACL_STATELESS = "reg0[16]"
HINT_ALLOW_REL = "reg0[17]"
REG_LABEL = "reg3"

ND_MATCH = "nd || nd_ra || nd_rs || mldv1 || mldv2"
PRE_ACL_ND_MATCH = "nd || nd_rs || nd_ra || mldv1 || mldv2 || (udp && udp.src == 546 && udp.dst == 547)"
REJECT_COMMENT = "/* eth.dst <-> eth.src; ip.dst <-> ip.src; is implicit. */"


# --- global settings ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AclSettings:
    """What NB_Global's options and the chassis' features change in these stages."""

    blocked: str  # ct_mark.blocked, or ct_label.blocked while a chassis lacks ct-no-masked-label
    ct_lb: str  # ct_lb_mark; / ct_lb;
    related: str  # how related traffic goes on: ct_commit_nat; / next; (ovn-ct-lb-related)
    use_ct_inv: bool  # options:use_ct_inv_match (default true)
    default_drop: bool  # options:default_acl_drop (default false)
    drop: str  # the explicit drop: "drop;" or a debug sample
    implicit_drop: str  # the drop of an ACL: "/* drop */" or a debug sample

    @property
    def commit_block(self) -> str:
        return f"ct_commit {{ {self.blocked} = 1; }}; "


def _chassis_feature(ctx: BuildContext, feature: str) -> bool:
    """A feature of ovn-controller that northd uses only when every (local) chassis has it."""
    for ch in ctx.sb.get("Chassis", ()):
        oc = ch.other_config
        if oc.get("is-remote", "").lower() == "true":
            continue
        if oc.get(feature, "").lower() != "true":
            return False
    return True


def acl_settings(ctx: BuildContext) -> AclSettings:
    """The settings of the current model, computed once per full build (a change of NB_Global
    or of the chassis recomputes everything, so a new model means new settings)."""
    token = ctx.model.switches  # a new dict per full build (held, so never a reused id)
    cached = getattr(ctx, "_acl_settings", None)
    if cached is not None and cached[0] is token:
        return cached[1]  # type: ignore[no-any-return]
    opts = ctx.options
    masked = _chassis_feature(ctx, "ct-no-masked-label")
    drop = drop_action(ctx)
    s = AclSettings(
        blocked="ct_mark.blocked" if masked else "ct_label.blocked",
        ct_lb="ct_lb_mark;" if masked else "ct_lb;",
        related="ct_commit_nat;" if _chassis_feature(ctx, "ovn-ct-lb-related") else "next;",
        use_ct_inv=smap_bool(opts, "use_ct_inv_match", True),
        default_drop=smap_bool(opts, "default_acl_drop", False),
        drop=drop,
        implicit_drop="/* drop */" if drop == "drop;" else drop,
    )
    ctx._acl_settings = (token, s)  # type: ignore[attr-defined]
    return s


def is_stateful(sw: Switch) -> bool:
    """northd's ``has_stateful``: a stateful ACL or a load balancer VIP on the switch."""
    return sw.has(STATEFUL_ACL) or sw.has(LB_VIPS)


# --- one ACL --------------------------------------------------------------------------------------


def _opt(v: Any) -> Any:
    """An optional column's value (a list of zero or one), or None."""
    if isinstance(v, list):
        return v[0] if v else None
    return v


def acl_stage(acl: Any) -> Stage:
    if acl.direction == "from-lport":
        if smap_bool(acl.options, "apply-after-lb"):
            return LS_IN_ACL_AFTER_LB
        return LS_IN_ACL
    return LS_OUT_ACL


def _meter_name(ctx: BuildContext, name: str, acl: Any) -> str:
    """A fair meter is copied per ACL (nodes/misc.py writes the copy): its name gets the ACL's
    uuid."""
    table = ctx.nb.get("Meter")
    for m in table if table is not None else ():
        if m.name == name:
            if _opt(m.fair):
                return f"{name}__{acl.uuid}"
            break
    return name


def acl_log(ctx: BuildContext, acl: Any) -> str:
    """The ``log(...)`` action of a logged ACL, with its trailing space; "" if not logged."""
    if not acl.log:
        return ""
    parts = []
    name = _opt(acl.name)
    if name is not None:
        parts.append(f'name="{name}"')  # written as it is, not escaped (as northd does)
    parts.append(f"severity={_opt(acl.severity) or 'info'}")
    verdict = {"drop": "drop", "reject": "reject"}.get(acl.action, "allow")
    parts.append(f"verdict={verdict}")
    meter = _opt(acl.meter)
    if meter is not None:
        parts.append(f'meter="{_meter_name(ctx, meter, acl)}"')
    return f"log({', '.join(parts)}); "


def _reject_action(stage: Stage, log: str, extra: str) -> str:
    """``extra``: actions before the reject ("" or "ct_commit {...}; ", which northd follows
    with one more space)."""
    if stage.pipeline == "ingress":
        nxt = f"next(pipeline=egress,table={LS_OUT_QOS_MARK.table});"
    else:
        nxt = f"next(pipeline=ingress,table={LS_IN_L2_LKUP.table});"
    pre = f"{extra} " if extra else ""
    return f"{log}{pre}reg0 = 0; reject {{ {REJECT_COMMENT} outport <-> inport; {nxt} }};"


@builds(ACL)
def acl_flows(ctx: BuildContext, sw: Switch, acl: Any) -> Iterator[Any]:
    yield ctx.contrib(sw, HAS_ACLS)
    action = acl.action
    if action == "allow-related":
        yield ctx.contrib(sw, STATEFUL_ACL)
        stateful = True
    else:
        stateful = is_stateful(sw)
    s = acl_settings(ctx)
    stage = acl_stage(acl)
    prio = acl.priority + ACL_PRI_OFFSET
    match = acl.match
    log = acl_log(ctx, acl)

    def flow(st: Stage, p: int, m: str, a: str, meter: str | None = None) -> Any:
        return ctx.flow(sw, st, p, m, a, hint=acl, meter=meter)

    if action == "allow-stateless":
        if stateful:
            # Stateless traffic skips conntrack (Pre-ACL), and so the Pre-LB too.
            pre = LS_IN_PRE_ACL if acl.direction == "from-lport" else LS_OUT_PRE_ACL
            yield flow(pre, prio, match, f"{ACL_STATELESS} = 1; next;")
        yield flow(stage, prio, match, f"{log}next;")
    elif action in ("allow", "allow-related"):
        if not stateful:
            yield flow(stage, prio, match, f"{log}next;")
            return
        label = ""
        if acl.label:
            label = f"{ACL_LABEL} = 1; {REG_LABEL} = {acl.label}; "
        # A new connection (or one marked blocked) is committed in the Stateful stage; an
        # established one only when it has a label to (re)write.
        yield flow(stage, prio, f"{HINT_ALLOW_NEW} == 1 && ({match})",
                   f"{CT_COMMIT} = 1; {label}{log}next;")
        commit = f"{CT_COMMIT} = 1; {label}" if label else ""
        yield flow(stage, prio, f"{HINT_ALLOW} == 1 && ({match})", f"{commit}{log}next;")
        yield from _log_related(ctx, sw, acl, s, log)
    elif action in ("drop", "reject"):
        meter = copp_meter(ctx, sw.nb, "reject") if action == "reject" else None
        if not stateful:
            if action == "reject":
                yield flow(stage, prio, match, _reject_action(stage, log, ""), meter)
            else:
                yield flow(stage, prio, match, f"{log}{s.implicit_drop}")
            return
        # Not established: drop/reject.  Established and allowed so far: the policy changed,
        # mark the connection blocked in conntrack, then drop/reject.
        for hint, extra in ((HINT_DROP, ""), (HINT_BLOCK, s.commit_block)):
            if action == "reject":
                yield flow(stage, prio, f"({hint} == 1) && {match}",
                           _reject_action(stage, log, extra), meter)
            else:
                yield flow(stage, prio, f"{hint} == 1 && ({match})",
                           f"{extra}{log}{s.implicit_drop}")


def _log_related(ctx: BuildContext, sw: Switch, acl: Any, s: AclSettings, log: str) -> Iterator[Any]:
    """Replies and related traffic of a logged, labelled connection are logged too (in the
    other direction's ACL stage, where they pass)."""
    if not (log and acl.label and smap_bool(acl.options, "log-related")):
        return
    stage = LS_OUT_ACL if acl.direction == "from-lport" else LS_IN_ACL
    inv = " && !ct.inv" if s.use_ct_inv else ""
    tail = f"{s.blocked} == 0 && ct_label.label == {acl.label}"
    for m in (f"ct.est && !ct.rel && !ct.new{inv} && ct.rpl && {tail}",
              f"!ct.est && ct.rel && !ct.new{inv} && {tail}"):
        yield ctx.flow(sw, stage, PRI_MAX - 2, m, f"{log}next;", hint=acl)


# --- DHCP replies (per port) ----------------------------------------------------------------------


def _row(ctx: BuildContext, table: str, refs: list[str]) -> Any | None:
    if not refs:
        return None
    t = ctx.nb.get(table)
    return t.get(refs[0]) if t is not None else None


@builds(SWITCH_PORT)
def lsp_dhcp_acl(ctx: BuildContext, port: SwitchPort) -> Iterator[Any]:
    """ovn-controller's DHCP replies to a port with DHCP options pass the egress ACLs (whatever
    the port's type, state and addresses; but an external port's replies leave through the
    localnet port)."""
    if port.type == "external":
        return
    nb = port.nb
    v4 = _row(ctx, "DHCP_Options", nb.dhcpv4_options)
    v6 = _row(ctx, "DHCP_Options", nb.dhcpv6_options)
    if v4 is None and v6 is None:
        return
    sw = port.dp
    action = "ct_commit; next;" if is_stateful(sw) else "next;"
    name = f'"{port.name}"'  # northd quotes the NB name as it is here
    if v4 is not None:
        o = v4.options
        sid, smac = o.get("server_id"), o.get("server_mac")
        if sid and smac and o.get("lease_time"):
            yield ctx.flow(
                sw, LS_OUT_ACL, 34000,
                f"outport == {name} && eth.src == {smac} && ip4.src == {sid} && udp && "
                "udp.src == 67 && udp.dst == 68",
                action, hint=v4, lport=port.name)
    if v6 is not None:
        smac = v6.options.get("server_id")
        if smac and is_mac(smac):
            yield ctx.flow(
                sw, LS_OUT_ACL, 34000,
                f"outport == {name} && eth.src == {smac} && ip6.src == "
                f"{eth_addr_to_ipv6_lla(smac)} && udp && udp.src == 547 && udp.dst == 546",
                action, hint=v6, lport=port.name)


# --- the switch -----------------------------------------------------------------------------------


@builds(SWITCH)
def ls_acl_defaults(ctx: BuildContext, sw: Switch) -> Iterator[Any]:
    s = acl_settings(ctx)
    has_acls = sw.has(HAS_ACLS)
    has_stateful_acl = sw.has(STATEFUL_ACL)
    has_lb = sw.has(LB_VIPS)
    stateful = has_stateful_acl or has_lb
    yield from _pre_acl(ctx, sw, has_stateful_acl)
    for stage in (LS_IN_PRE_STATEFUL, LS_OUT_PRE_STATEFUL):
        yield ctx.flow(sw, stage, 0, "1", "next;")
        yield ctx.flow(sw, stage, 110, f"{CT_NAT} == 1", s.ct_lb)
        yield ctx.flow(sw, stage, 100, f"{CT_DEFRAG} == 1", "ct_next;")
    yield from _acl_hints(ctx, sw, s, has_acls or has_lb, stateful)
    yield from _acl_defaults(ctx, sw, s, has_acls, has_lb, stateful)
    yield from _qos(ctx, sw)
    for stage in (LS_IN_STATEFUL, LS_OUT_STATEFUL):
        yield ctx.flow(sw, stage, 0, "1", "next;")
        yield ctx.flow(sw, stage, 100, f"{CT_COMMIT} == 1 && {ACL_LABEL} == 1",
                       f"ct_commit {{ {s.blocked} = 0; ct_label.label = {REG_LABEL}; }}; next;")
        yield ctx.flow(sw, stage, 100, f"{CT_COMMIT} == 1 && {ACL_LABEL} == 0",
                       f"ct_commit {{ {s.blocked} = 0; }}; next;")


def _pre_acl(ctx: BuildContext, sw: Switch, has_stateful_acl: bool) -> Iterator[Any]:
    for stage in (LS_IN_PRE_ACL, LS_OUT_PRE_ACL):
        yield ctx.flow(sw, stage, 0, "1", "next;")
    yield ctx.flow(sw, LS_IN_PRE_ACL, 110, "eth.dst == $svc_monitor_mac", "next;")
    yield ctx.flow(sw, LS_OUT_PRE_ACL, 110, "eth.src == $svc_monitor_mac", "next;")
    if not has_stateful_acl:
        return
    # Router and localnet ports can't use conntrack here (the router's own conntrack zone, or
    # the physical network, sees the other half of the traffic).
    for p in [*sw.router_ports, *sw.localnet_ports]:
        if p.type == "router" and p.peer is None:
            continue
        yield ctx.flow(sw, LS_IN_PRE_ACL, 110, f"ip && inport == {p.json_name}", "next;",
                       hint=p.nb, lport=p.name)
        yield ctx.flow(sw, LS_OUT_PRE_ACL, 110, f"ip && outport == {p.json_name}", "next;",
                       hint=p.nb, lport=p.name)
    for stage in (LS_IN_PRE_ACL, LS_OUT_PRE_ACL):
        yield ctx.flow(sw, stage, 110, "eth.mcast", "next;")
        yield ctx.flow(sw, stage, 110, PRE_ACL_ND_MATCH, "next;")
        yield ctx.flow(sw, stage, 100, "ip", f"{CT_DEFRAG} = 1; next;")


_HINTS = (
    (7, "ct.new && !ct.est", (HINT_ALLOW_NEW, HINT_DROP)),
    (6, "!ct.new && ct.est && !ct.rpl && {b} == 1", (HINT_ALLOW_NEW, HINT_DROP)),
    (5, "!ct.trk", (HINT_ALLOW, HINT_DROP)),
    (4, "!ct.new && ct.est && !ct.rpl && {b} == 0", (HINT_ALLOW, HINT_BLOCK)),
    (3, "!ct.est", (HINT_DROP,)),
    (2, "ct.est && {b} == 1", (HINT_DROP,)),
    (1, "ct.est && {b} == 0", (HINT_BLOCK,)),
)


def _acl_hints(ctx: BuildContext, sw: Switch, s: AclSettings, any_acl: bool,
               stateful: bool) -> Iterator[Any]:
    for stage in (LS_IN_ACL_HINT, LS_OUT_ACL_HINT):
        yield ctx.flow(sw, stage, 0 if any_acl else PRI_MAX, "1", "next;")
        if not stateful:
            continue
        for prio, m, bits in _HINTS:
            yield ctx.flow(sw, stage, prio, m.format(b=s.blocked),
                           "".join(f"{b} = 1; " for b in bits) + "next;")


def _acl_defaults(ctx: BuildContext, sw: Switch, s: AclSettings, has_acls: bool, has_lb: bool,
                  stateful: bool) -> Iterator[Any]:
    if has_acls:
        default = s.implicit_drop if s.default_drop else "next;"
        for stage in (LS_IN_ACL, LS_OUT_ACL, LS_IN_ACL_AFTER_LB):
            yield ctx.flow(sw, stage, 0, "1", default)
    else:
        for stage in (LS_IN_ACL, LS_OUT_ACL):
            yield ctx.flow(sw, stage, 0 if has_lb else PRI_MAX, "1", "next;")
        yield ctx.flow(sw, LS_IN_ACL_AFTER_LB, 0, "1", "next;")
    for stage in (LS_IN_ACL, LS_OUT_ACL, LS_IN_ACL_AFTER_LB):
        yield ctx.flow(sw, stage, PRI_MAX - 3, ND_MATCH, "next;")
    if stateful:
        b = s.blocked
        inv = " && !ct.inv" if s.use_ct_inv else ""
        commit = f"{CT_COMMIT} = 1; next;"
        for stage in (LS_IN_ACL, LS_OUT_ACL):
            # Commit what is not established (both directions may need it: the other side
            # may have stateful ACLs), or drop it by default.
            yield ctx.flow(sw, stage, 1, "ip && !ct.est",
                           s.implicit_drop if s.default_drop else commit)
            yield ctx.flow(sw, stage, 1, f"ip && ct.est && {b} == 1", commit)
            yield ctx.flow(sw, stage, PRI_MAX - 3,
                           f"{'ct.inv || ' if s.use_ct_inv else ''}(ct.est && ct.rpl && {b} == 1)",
                           s.drop)
        rpl = f"ct.est && !ct.rel && !ct.new{inv} && ct.rpl && {b} == 0"
        rel = f"!ct.est && ct.rel && !ct.new{inv} && {b} == 0"
        yield ctx.flow(sw, LS_IN_ACL, PRI_MAX - 3, rpl,
                       f"{HINT_DROP} = 0; {HINT_BLOCK} = 0; {HINT_ALLOW_REL} = 1; next;")
        yield ctx.flow(sw, LS_OUT_ACL, PRI_MAX - 3, rpl, "next;")
        yield ctx.flow(sw, LS_IN_ACL, PRI_MAX - 3, rel, f"{HINT_ALLOW_REL} = 1; {s.related}")
        yield ctx.flow(sw, LS_OUT_ACL, PRI_MAX - 3, rel, s.related)
        yield ctx.flow(sw, LS_IN_ACL_AFTER_LB, PRI_MAX - 3, f"{HINT_ALLOW_REL} == 1", "next;")
    if _has_dns_records(ctx, sw):
        yield ctx.flow(sw, LS_OUT_ACL, 34000, "udp.src == 53",
                       "ct_commit; next;" if stateful else "next;")
    if has_acls or has_lb:
        yield ctx.flow(sw, LS_IN_ACL, 34000, "eth.dst == $svc_monitor_mac", "next;")
        yield ctx.flow(sw, LS_OUT_ACL, 34000, "eth.src == $svc_monitor_mac", "next;")


def _has_dns_records(ctx: BuildContext, sw: Switch) -> bool:
    table = ctx.nb.get("DNS")
    if table is None:
        return False
    for u in sw.nb.dns_records:
        r = table.get(u)
        if r is not None and r.records:
            return True
    return False


# --- QoS ------------------------------------------------------------------------------------------


def _qos(ctx: BuildContext, sw: Switch) -> Iterator[Any]:
    for stage in (LS_IN_QOS_MARK, LS_OUT_QOS_MARK, LS_IN_QOS_METER, LS_OUT_QOS_METER):
        yield ctx.flow(sw, stage, 0, "1", "next;")
    table = ctx.nb.get("QoS")
    if table is None:
        return
    for u in sw.nb.qos_rules:
        q = table.get(u)
        if q is None:
            continue
        ingress = q.direction == "from-lport"
        dscp = q.action.get("dscp")
        if dscp is not None:
            yield ctx.flow(sw, LS_IN_QOS_MARK if ingress else LS_OUT_QOS_MARK, q.priority,
                           q.match, f"ip.dscp = {dscp}; next;", hint=q)
        rate = q.bandwidth.get("rate", 0)
        burst = q.bandwidth.get("burst", 0)
        if rate:
            meter = f"set_meter({rate}, {burst}); next;" if burst else f"set_meter({rate}); next;"
            yield ctx.flow(sw, LS_IN_QOS_METER if ingress else LS_OUT_QOS_METER, q.priority,
                           q.match, meter, hint=q)

