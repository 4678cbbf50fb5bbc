"""Multicast_Group rows (per switch: _MC_flood, _MC_flood_l2, _MC_unknown, ...)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pyovn.northd.context import BuildContext
from pyovn.northd.model import Switch, SwitchPort
from pyovn.northd.registry import MCAST, builds

# Fixed multicast group keys (ovn-architecture(7), OVN_MCAST_* in 23.03).
MC_FLOOD = ("_MC_flood", 32768)
MC_UNKNOWN = ("_MC_unknown", 32769)
MC_MROUTER_FLOOD = ("_MC_mrouter_flood", 32770)
MC_MROUTER_STATIC = ("_MC_mrouter_static", 32771)
MC_FLOOD_L2 = ("_MC_flood_l2", 32772)
MC_STATIC = ("_MC_static", 32773)


def _mc(ctx: BuildContext, sw: Switch, group: tuple[str, int], ports: list[SwitchPort]) -> Any:
    name, key = group
    return ctx.row(
        "Multicast_Group",
        (sw.uuid, name),
        datapath=ctx.ref("Datapath_Binding", sw.uuid),
        name=name,
        tunnel_key=key,
        ports=frozenset(ctx.ref("Port_Binding", p.name) for p in ports),
    )


@builds(MCAST)
def switch_mc_groups(ctx: BuildContext, sw: Switch) -> Iterator[Any]:
    ports = [p for p in sw.ports.values() if isinstance(p, SwitchPort) and p.enabled]
    yield _mc(ctx, sw, MC_FLOOD, ports)
    l2 = [p for p in ports if p.type != "router"]
    if l2:
        yield _mc(ctx, sw, MC_FLOOD_L2, l2)
    unknown = [p for p in ports if p.has_unknown]
    if unknown:
        yield _mc(ctx, sw, MC_UNKNOWN, unknown)
