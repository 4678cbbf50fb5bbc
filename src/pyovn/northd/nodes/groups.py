"""Multicast_Group rows (per switch: _MC_flood, _MC_flood_l2, _MC_unknown, ...).

Membership is contributed port by port (``SetMember`` on the group's ``ports`` column, plus a
``Contrib`` flag so the switch knows the group is not empty), so a port joining a switch of
10,000 ports costs one ``mutate``; the switch's own builder writes the group rows that have
members (the real northd writes no empty group).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pyovn.northd.context import BuildContext
from pyovn.northd.model import Switch, SwitchPort
from pyovn.northd.registry import SWITCH, SWITCH_PORT, builds

# Fixed multicast group keys (ovn-architecture(7); checked against the real northd's SB).
MC_FLOOD = ("_MC_flood", 32768)
MC_UNKNOWN = ("_MC_unknown", 32769)
MC_MROUTER_FLOOD = ("_MC_mrouter_flood", 32770)
MC_MROUTER_STATIC = ("_MC_mrouter_static", 32771)
MC_FLOOD_L2 = ("_MC_flood_l2", 32772)
MC_STATIC = ("_MC_static", 32773)

SWITCH_GROUPS = (MC_FLOOD, MC_UNKNOWN, MC_MROUTER_FLOOD, MC_MROUTER_STATIC, MC_FLOOD_L2, MC_STATIC)


def mc_flag(name: str) -> str:
    return f"mc:{name}"


def port_groups(port: SwitchPort) -> list[str]:
    """The switch multicast groups a port belongs to."""
    if not port.enabled:
        return []
    out = [MC_FLOOD[0]]
    if port.type != "router":
        out.append(MC_FLOOD_L2[0])
    if port.has_unknown:
        out.append(MC_UNKNOWN[0])
    return out


@builds(SWITCH_PORT)
def switch_port_mc_membership(ctx: BuildContext, port: SwitchPort) -> Iterator[Any]:
    sw = port.dp
    for name in port_groups(port):
        yield ctx.member("Multicast_Group", (sw.uuid, name), "ports",
                         ctx.ref("Port_Binding", port.name))
        yield ctx.contrib(sw, mc_flag(name))


@builds(SWITCH)
def switch_mc_groups(ctx: BuildContext, sw: Switch) -> Iterator[Any]:
    for name, key in SWITCH_GROUPS:
        if sw.has(mc_flag(name)):
            yield ctx.row("Multicast_Group", (sw.uuid, name),
                          datapath=ctx.ref("Datapath_Binding", sw.uuid), name=name,
                          tunnel_key=key)
