"""Which Port_Bindings this chassis binds, and which datapaths are therefore local (pure).

:func:`plan_bindings` reads the Southbound replica and the VIFs of the integration bridge
(``external_ids:iface-id`` -> interface, only interfaces with an ofport > 0) and decides, as
ovn-controller(8) and ovn-sb(5) describe:

* a VIF port (type "") named by a local iface-id is claimed unless it is requested elsewhere:
  ``Port_Binding.requested_chassis`` (northd's resolution of ``options:requested-chassis``)
  must be this chassis, or, when that column is empty, the option's first name must be this
  chassis' name or hostname;
* a ``localport`` named by a local iface-id is bound to the interface but never claimed;
* ``l3gateway`` / ``l2gateway`` ports whose ``options:l3gateway-chassis`` /
  ``l2gateway-chassis`` is this chassis are claimed;
* a ``virtual`` port is claimed while its ``virtual_parent`` (written when the datapath reports
  ``bind_vport``) is a VIF claimed here;
* ``chassisredirect`` and ``external`` ports are claimed when this chassis is the active member
  of their HA_Chassis_Group (or legacy Gateway_Chassis list): the highest priority among the
  members whose Chassis row exists (no BFD: a single gateway, or an ordered failover by
  priority when a chassis row disappears);
* every other port that points at this chassis is released.

Local datapaths: those of the ports bound here, plus every datapath reachable from them through
patch ports (``options:peer``), as ovn-controller computes them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from pyovn.controller.memo import RowMemo

__all__ = ["VIF", "BindingPlan", "ha_active_chassis", "plan_bindings", "requested_here"]

VIF = "vif"  # kind of a claim whose up / ovn-installed wait for the datapath


@dataclass
class BindingPlan:
    claims: dict[str, str] = field(default_factory=dict)  # logical port -> kind
    ifaces: dict[str, str] = field(default_factory=dict)  # logical port -> interface (VIFs)
    releases: list[Any] = field(default_factory=list)  # Port_Binding rows to release
    local_datapaths: frozenset[str] = frozenset()
    pbs: dict[str, Any] = field(default_factory=dict)  # logical port -> row, for the claims


def requested_here(pb: Any, chassis_uuid: str | None, name: str, hostname: str) -> bool:
    """May ``pb`` be bound on this chassis?"""
    if pb.requested_chassis:
        return pb.requested_chassis[0] == chassis_uuid
    return _requested_option_here(pb.options.get("requested-chassis", ""), name, hostname)


def _requested_option_here(opt: str, name: str, hostname: str) -> bool:
    opt = opt.strip()
    if not opt:
        return True
    first = opt.split(",")[0].strip()
    return first in (name, hostname)


def ha_active_chassis(sb: Mapping[str, Any], pb: Any) -> str | None:
    """The name of the active gateway chassis of a chassisredirect / external port."""
    chassis = sb["Chassis"]
    members: list[tuple[int, str]] = []

    def chassis_name(ref: list[str], fallback: str | None) -> str | None:
        if ref:
            ch = chassis.get(ref[0])
            return ch.name if ch is not None else None
        return None if fallback is None else (
            fallback if any(c.name == fallback for c in chassis) else None)

    if pb.ha_chassis_group:
        group = sb["HA_Chassis_Group"].get(pb.ha_chassis_group[0])
        if group is not None:
            for u in group.ha_chassis:
                hc = sb["HA_Chassis"].get(u)
                if hc is not None:
                    n = chassis_name(hc.chassis, hc.external_ids.get("chassis-name"))
                    if n is not None:
                        members.append((hc.priority, n))
    elif pb.gateway_chassis:
        for u in pb.gateway_chassis:
            gc = sb["Gateway_Chassis"].get(u)
            if gc is not None:
                n = chassis_name(gc.chassis, None)
                if n is not None:
                    members.append((gc.priority, n))
    if not members:
        return None
    members.sort(key=lambda m: (-m[0], m[1]))
    return members[0][1]


class _Facts(NamedTuple):
    """What plan_bindings reads of one Port_Binding."""

    type: str
    logical_port: str
    datapath: str
    chassis: tuple[str, ...]
    peer: str | None  # patch
    gateway_chassis: str | None  # l3gateway / l2gateway: options:<type>-chassis
    virtual_parent: str | None
    requested_chassis: str | None  # the column
    requested_option: str  # options:requested-chassis


def _facts(pb: Any) -> _Facts:
    t = pb.type
    opts = pb.options
    vp = pb.virtual_parent if t == "virtual" else []
    rc = pb.requested_chassis
    return _Facts(t, pb.logical_port, pb.datapath, tuple(pb.chassis), opts.get("peer"),
                  opts.get(f"{t}-chassis"), vp[0] if vp else None, rc[0] if rc else None,
                  opts.get("requested-chassis", ""))


def plan_bindings(sb: Mapping[str, Any], *, chassis_uuid: str | None, name: str, hostname: str,
                  vifs: Mapping[str, str], memo: RowMemo[Any] | None = None) -> BindingPlan:
    """``vifs``: iface-id -> interface name (local interfaces with a valid ofport); ``memo``
    (kept by the caller from pass to pass) saves reading rows that did not change."""
    if memo is None:
        memo = RowMemo()
    plan = BindingPlan()
    pbs = sb["Port_Binding"]
    by_name = pbs.index("logical_port")
    roots: set[str] = set()
    for lp, iface in vifs.items():
        pb = by_name.get(lp)
        if pb is None:
            continue
        f = memo.get(pb.uuid, pb, _facts)
        if f.type == "":
            if (f.requested_chassis == chassis_uuid if f.requested_chassis is not None
                    else _requested_option_here(f.requested_option, name, hostname)):
                plan.claims[lp] = VIF
                plan.ifaces[lp] = iface
                plan.pbs[lp] = pb
                roots.add(f.datapath)
        elif f.type == "localport":
            plan.ifaces[lp] = iface
            roots.add(f.datapath)
    patches: dict[str, list[str]] = {}  # datapath -> peers of its patch ports
    mine = (chassis_uuid,)
    for pb in pbs:
        f = memo.get(pb.uuid, pb, _facts)
        t = f.type
        if t == "":
            if f.chassis == mine and chassis_uuid is not None and f.logical_port not in \
                    plan.claims:
                plan.releases.append(pb)
            continue
        if t == "patch":
            if f.peer:
                patches.setdefault(f.datapath, []).append(f.peer)
        else:
            if t in ("l3gateway", "l2gateway"):
                here = f.gateway_chassis == name
            elif t in ("chassisredirect", "external"):
                here = ha_active_chassis(sb, pb) == name
            elif t == "virtual":
                here = f.virtual_parent is not None and plan.claims.get(f.virtual_parent) == VIF
            else:
                here = False
            if here:
                plan.claims[f.logical_port] = t
                plan.pbs[f.logical_port] = pb
                roots.add(f.datapath)
        if f.chassis == mine and chassis_uuid is not None and f.logical_port not in plan.claims:
            plan.releases.append(pb)
    local = set(roots)
    todo = list(roots)
    while todo:
        dp = todo.pop()
        for peer in patches.get(dp, ()):
            p = by_name.get(peer)
            if p is not None and p.datapath not in local:
                local.add(p.datapath)
                todo.append(p.datapath)
    plan.local_datapaths = frozenset(local)
    return plan
