"""Multicast_Group and IP_Multicast rows.

Fixed multicast groups (ovn-architecture(7); keys as ovn-northd 23.03.1 assigns them):

========================  =====  ============================================================
``_MC_flood``             32768  every enabled switch port
``_MC_unknown``           32769  enabled switch ports with ``unknown`` among their addresses
``_MC_mrouter_flood``     32770  enabled ports with ``options:mcast_flood_reports=true`` and
                                 router ports whose router has ``options:mcast_relay=true``
``_MC_static``            32771  enabled ports with ``options:mcast_flood=true`` (switch and
                                 router ports alike)
``_MC_flood_l2``          32772  enabled switch ports that are not router ports
========================  =====  ============================================================

A group exists only with members.  On switches the ports' own builders contribute membership
(``SetMember`` on the group's ``ports`` and a ``mc:<group>`` flag on the switch), so a port coming
or going costs O(1); the switch's builder writes the rows of the groups its flags say are
non-empty.  Routers are small: their builder lists the router's ports itself.

IP_Multicast: one row per switch with its snooping/querier configuration
(``other_config:mcast_*``, defaults of ovn-nb(5)).  Groups learned through IGMP/MLD (IGMP_Group
rows from ovn-controller, keys from 32773) are not built here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pyovn.northd.context import BuildContext
from pyovn.northd.entities import Router, RouterPort, Switch, SwitchPort
from pyovn.northd.output import Default
from pyovn.northd.registry import ROUTER, SWITCH, SWITCH_PORT, builds

__all__ = [
    "MC_FLOOD", "MC_FLOOD_L2", "MC_KEYS", "MC_MROUTER_FLOOD", "MC_STATIC", "MC_UNKNOWN",
    "SWITCH_GROUPS", "ip_multicast", "mc_flag", "port_groups", "router_mc_groups",
    "switch_mc_groups", "switch_port_mc_membership",
]

# (name, tunnel key), as ovn-northd 23.03.1 writes them.
MC_FLOOD = ("_MC_flood", 32768)
MC_UNKNOWN = ("_MC_unknown", 32769)
MC_MROUTER_FLOOD = ("_MC_mrouter_flood", 32770)
MC_STATIC = ("_MC_static", 32771)
MC_FLOOD_L2 = ("_MC_flood_l2", 32772)

SWITCH_GROUPS = (MC_FLOOD, MC_UNKNOWN, MC_MROUTER_FLOOD, MC_STATIC, MC_FLOOD_L2)
MC_KEYS = dict(SWITCH_GROUPS)


def mc_flag(name: str) -> str:
    """The switch flag saying group ``name`` has members."""
    return f"mc:{name}"


def _true(opts: dict[str, str], key: str, default: bool = False) -> bool:
    """OVS's smap_get_bool: with a true default, anything but "false" is true."""
    v = opts.get(key)
    if v is None:
        return default
    return v.lower() != "false" if default else v.lower() == "true"


def port_groups(port: SwitchPort) -> list[str]:
    """The names of the fixed multicast groups a switch port belongs to."""
    if not port.enabled:
        return []
    out = [MC_FLOOD[0]]
    if port.type != "router":
        out.append(MC_FLOOD_L2[0])
    if port.has_unknown:
        out.append(MC_UNKNOWN[0])
    opts = port.options
    peer = port.peer
    relay = (
        port.type == "router"
        and isinstance(peer, RouterPort)
        and _true(peer.dp.nb.options, "mcast_relay")
    )
    if _true(opts, "mcast_flood_reports") or relay:
        out.append(MC_MROUTER_FLOOD[0])
    if _true(opts, "mcast_flood"):
        out.append(MC_STATIC[0])
    return out


@builds(SWITCH_PORT)
def switch_port_mc_membership(ctx: BuildContext, port: SwitchPort) -> Iterator[Any]:
    sw = port.dp.uuid
    member = ctx.ref("Port_Binding", port.name)
    for name in port_groups(port):
        yield ctx.member("Multicast_Group", (sw, name), "ports", member)
        yield ctx.contrib(sw, mc_flag(name))


def _group(ctx: BuildContext, dp_uuid: str, name: str, **ports: Any) -> Any:
    return ctx.row(
        "Multicast_Group",
        (dp_uuid, name),
        datapath=ctx.ref("Datapath_Binding", dp_uuid),
        name=name,
        tunnel_key=MC_KEYS[name],
        **ports,
    )


@builds(SWITCH)
def switch_mc_groups(ctx: BuildContext, sw: Switch) -> Iterator[Any]:
    for name, _ in SWITCH_GROUPS:
        if sw.has(mc_flag(name)):
            yield _group(ctx, sw.uuid, name)


@builds(ROUTER)
def router_mc_groups(ctx: BuildContext, lr: Router) -> Iterator[Any]:
    static = [
        p for p in lr.ports.values()
        if isinstance(p, RouterPort) and p.enabled and _true(p.options, "mcast_flood")
    ]
    if static:
        yield _group(ctx, lr.uuid, MC_STATIC[0],
                     ports=frozenset(ctx.ref("Port_Binding", p.name) for p in static))


def _int(opts: dict[str, str], key: str, default: int, lo: int | None = None,
         hi: int | None = None) -> int:
    try:
        v = int(opts[key])
    except (KeyError, ValueError):
        v = default
    if lo is not None and v < lo:
        v = lo
    if hi is not None and v > hi:
        v = hi
    return v


@builds(SWITCH)
def ip_multicast(ctx: BuildContext, sw: Switch) -> Iterator[Any]:
    oc = sw.nb.other_config
    idle = _int(oc, "mcast_idle_timeout", 300, 15, 3600)
    yield ctx.row(
        "IP_Multicast",
        sw.uuid,
        datapath=ctx.ref("Datapath_Binding", sw.uuid),
        enabled=frozenset([_true(oc, "mcast_snoop")]),
        querier=frozenset([_true(oc, "mcast_querier", True)]),
        eth_src=oc.get("mcast_eth_src", ""),
        ip4_src=oc.get("mcast_ip4_src", ""),
        ip6_src=oc.get("mcast_ip6_src", ""),
        table_size=frozenset([_int(oc, "mcast_table_size", 2048)]),
        idle_timeout=frozenset([idle]),
        query_interval=frozenset([_int(oc, "mcast_query_interval", idle // 2, 1, 3600)]),
        query_max_resp=frozenset([_int(oc, "mcast_query_max_response", 1)]),
        seq_no=Default(0),
    )
