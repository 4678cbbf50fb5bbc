"""HA_Chassis_Group rows (with their HA_Chassis) for gateway ports.

Two sources, as in ovn-northd 23.03: an NB HA_Chassis_Group that an external switch port or a
distributed gateway router port references (same name, one HA_Chassis per NB HA_Chassis), and
the Gateway_Chassis rows of a distributed gateway port without a group (a group named after the
port, one HA_Chassis per Gateway_Chassis).  HA_Chassis is not a root table: its rows are written
inline in the group's ``ha_chassis`` column (:class:`~pyovn.northd.output.Inline`).  An HA_Chassis
refers to the SB Chassis of that name when it exists, and always records the name in
``external_ids:chassis-name``.

The builders of the ports that use a group yield its row; a group several ports share is the
same row from each (the row table counts owners).  ``ref_chassis`` follows where ports are
bound (Port_Binding.chassis): the daemon writes it (:mod:`pyovn.northd.refchassis`).
"""

from __future__ import annotations

from typing import Any

from pyovn.northd.context import BuildContext
from pyovn.northd.entities import RouterPort
from pyovn.northd.output import Inline, SbRow

__all__ = ["chassis_lookup", "lrp_ha_group", "nb_ha_group"]


def chassis_lookup(ctx: BuildContext, name: str) -> str | None:
    """The uuid of the SB Chassis named ``name`` (or with that hostname), if it exists."""
    table = ctx.sb.get("Chassis")
    if table is None or not name:
        return None
    by_host = None
    for ch in table:
        if ch.name == name:
            return ch.uuid
        if by_host is None and ch.hostname == name:
            by_host = ch.uuid
    return by_host


def _ha_chassis(ctx: BuildContext, name: str, priority: int) -> Inline:
    ch = chassis_lookup(ctx, name)
    return Inline.make(
        "HA_Chassis",
        chassis=frozenset([ch]) if ch else frozenset(),
        priority=priority,
        external_ids={"chassis-name": name},
    )


def nb_ha_group(ctx: BuildContext, group: Any) -> SbRow:
    """The SB copy of an NB HA_Chassis_Group."""
    table = ctx.nb.get("HA_Chassis")
    members = []
    for u in group.ha_chassis:
        hc = table.get(u) if table is not None else None
        if hc is not None:
            members.append(_ha_chassis(ctx, hc.chassis_name, hc.priority))
    return ctx.row(
        "HA_Chassis_Group",
        group.name,
        name=group.name,
        ha_chassis=frozenset(members),
        external_ids={},  # (not copied from the NB group)
    )


def lrp_ha_group(ctx: BuildContext, port: RouterPort) -> SbRow | None:
    """The group made of a router port's Gateway_Chassis rows (named after the port)."""
    table = ctx.nb.get("Gateway_Chassis")
    members = []
    for u in port.nb.gateway_chassis:
        gc = table.get(u) if table is not None else None
        if gc is not None:
            members.append(_ha_chassis(ctx, gc.chassis_name, gc.priority))
    if not members:
        return None
    return ctx.row(
        "HA_Chassis_Group",
        port.name,
        name=port.name,
        ha_chassis=frozenset(members),
        external_ids={},
    )
