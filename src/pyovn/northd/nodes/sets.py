"""Address_Set and Port_Group rows.

* Every NB Address_Set becomes an SB Address_Set of the same name and addresses.
* Every NB Port_Group gives the address sets ``<pg>_ip4`` and ``<pg>_ip6`` (the IPs in its
  ports' addresses, dynamic ones included; empty sets too), and one SB Port_Group per switch it
  has ports on, named ``<switch tunnel key>_<pg>``, listing those ports' names (ovn-northd
  23.03 splits port groups per datapath so that each chassis only gets the part it needs).
* The global ``svc_monitor_mac`` address set holds NB_Global ``options:svc_monitor_mac``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pyovn.northd.context import BuildContext
from pyovn.northd.entities import SwitchPort
from pyovn.northd.registry import ADDRESS_SET, GLOBAL, PORT_GROUP, SWITCH_PORT, builds

__all__ = ["address_set", "port_group", "port_group_members", "svc_monitor_mac_set"]


@builds(ADDRESS_SET)
def address_set(ctx: BuildContext, row: Any) -> Iterator[Any]:
    yield ctx.row("Address_Set", row.name, name=row.name, addresses=frozenset(row.addresses))


@builds(PORT_GROUP)
def port_group(ctx: BuildContext, pg: Any) -> Iterator[Any]:
    """The rows of a port group; their contents (port names, IPs) come from its ports' owners
    (``port_group_members``), so a port joining a group of 10,000 costs one mutate."""
    model = ctx.model
    for fam in ("ip4", "ip6"):
        yield ctx.row("Address_Set", f"{pg.name}_{fam}", name=f"{pg.name}_{fam}")
    for dp_uuid in model.pg_switches.get(pg.uuid, ()):
        dp = model.datapath(dp_uuid)
        if dp is None or not dp.key:
            continue
        name = f"{dp.key}_{pg.name}"
        yield ctx.row("Port_Group", name, name=name)


@builds(SWITCH_PORT)
def port_group_members(ctx: BuildContext, port: SwitchPort) -> Iterator[Any]:
    model = ctx.model
    groups = model.port_groups_of(port.uuid)
    if not groups:
        return
    pgs = ctx.nb["Port_Group"]
    for pg_uuid in groups:
        pg = pgs.get(pg_uuid)
        if pg is None:
            continue
        if port.dp.key:
            yield ctx.member("Port_Group", f"{port.dp.key}_{pg.name}", "ports", port.name)
        for a in port.addresses:
            for x in a.ipv4:
                yield ctx.member("Address_Set", f"{pg.name}_ip4", "addresses", x.addr)
            for y in a.ipv6:
                yield ctx.member("Address_Set", f"{pg.name}_ip6", "addresses", y.addr)


@builds(GLOBAL)
def svc_monitor_mac_set(ctx: BuildContext) -> Iterator[Any]:
    mac = ctx.options.get("svc_monitor_mac")
    if mac:
        yield ctx.row("Address_Set", "svc_monitor_mac", name="svc_monitor_mac",
                      addresses=frozenset([mac]))
