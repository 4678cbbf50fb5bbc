"""``HA_Chassis_Group.ref_chassis``: the chassis that need a group's gateways (ovn-sb(5)).

ovn-controller on a gateway chassis runs BFD towards the chassis in ``ref_chassis`` of the groups
it belongs to, and the chassis there run BFD towards the gateways: that is how a gateway learns
it is reachable and how the others pick the active one.  ovn-northd 23.03 computes it on every
run from where ports are bound:

* routers connected to each other, directly (router port peers) or through switches (a switch
  with router ports joins the routers behind them), form a *router group*;
* a group needs the Southbound HA_Chassis_Group of each of its distributed gateway ports (the
  group named by the ``cr-`` port's binding) that has more than one HA_Chassis;
* a Port_Binding of a switch port, claimed by a chassis, makes that chassis a referrer of the
  router group behind its switch (through the switch's router ports);
* every group with more than one HA_Chassis gets the referrers of the router groups needing it
  (possibly none); every other group gets an empty ``ref_chassis``.

:func:`desired_ref_chassis` is that computation, pure: the northd model and the Southbound
tables in, group uuid -> chassis uuids out.  The daemon writes the difference.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pyovn.northd.entities import RouterPort, SwitchPort
from pyovn.northd.model import Model

__all__ = ["desired_ref_chassis"]


def _router_groups(model: Model) -> dict[str, int]:
    """Router uuid -> its router group's number (connected components, as above)."""
    parent: dict[str, str] = {u: u for u in model.routers}

    def find(u: str) -> str:
        while parent[u] != u:
            parent[u] = parent[parent[u]]
            u = parent[u]
        return u

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[rb] = ra

    for lr in model.routers.values():
        for p in lr.ports.values():
            peer = p.peer
            if isinstance(peer, RouterPort) and peer.dp.uuid in parent:
                union(lr.uuid, peer.dp.uuid)
    for sw in model.switches.values():
        behind = [p.peer.dp.uuid for p in sw.ports.values()
                  if isinstance(p.peer, RouterPort) and p.peer.dp.uuid in parent]
        for u in behind[1:]:
            union(behind[0], u)
    roots: dict[str, int] = {}
    return {u: roots.setdefault(find(u), len(roots)) for u in parent}


def desired_ref_chassis(model: Model, sb: Mapping[str, Any]) -> dict[str, frozenset[str]]:
    """SB HA_Chassis_Group uuid -> the ``ref_chassis`` ovn-northd would write (every group)."""
    groups = sb.get("HA_Chassis_Group")
    if groups is None:
        return {}
    out: dict[str, frozenset[str]] = {g.uuid: frozenset() for g in groups}
    multi = {g.uuid for g in groups if len(g.ha_chassis) > 1}
    if not multi:
        return out
    pbs = sb["Port_Binding"]
    by_port = pbs.index("logical_port")
    group_of = _router_groups(model)
    # Router group -> the HA groups (more than one gateway) its gateway ports use.
    needs: dict[int, set[str]] = {}
    for lr in model.routers.values():
        for p in lr.ports.values():
            if not isinstance(p, RouterPort) or not p.is_dgp:
                continue
            cr = by_port.get(f"cr-{p.name}")
            if cr is not None and cr.ha_chassis_group and cr.ha_chassis_group[0] in multi:
                needs.setdefault(group_of[lr.uuid], set()).add(cr.ha_chassis_group[0])
    if not needs:
        return out
    # Switch uuid -> the router group behind it (any of its router ports with a peer: the
    # routers behind one switch are in one group).
    behind: dict[str, int] = {}
    for sw in model.switches.values():
        for p in sw.ports.values():
            if isinstance(p.peer, RouterPort) and p.peer.dp.uuid in group_of:
                behind[sw.uuid] = group_of[p.peer.dp.uuid]
                break
    refs: dict[int, set[str]] = {}
    for pb in pbs:
        if not pb.chassis:
            continue
        port = model.port_by_name.get(pb.logical_port)
        if not isinstance(port, SwitchPort):
            continue
        g = behind.get(port.dp.uuid)
        if g is not None and g in needs:
            refs.setdefault(g, set()).add(pb.chassis[0])
    acc: dict[str, set[str]] = {}
    for g, names in needs.items():
        for hg in names:
            acc.setdefault(hg, set()).update(refs.get(g, ()))
    for hg, chassis in acc.items():
        out[hg] = frozenset(chassis)
    return out
