"""Address_Set and Port_Group rows.

* Every NB Address_Set becomes an SB Address_Set of the same name and addresses.
* Every NB Port_Group gives the address sets ``<pg>_ip4`` and ``<pg>_ip6`` (the IPs in its
  ports' addresses, dynamic ones included; empty sets too), and one SB Port_Group per switch it
  has ports on, named ``<switch tunnel key>_<pg>``, listing those ports' names (ovn-northd
  23.03 splits port groups per datapath so that each chassis only gets the part it needs).
* The global ``svc_monitor_mac`` address set holds NB_Global ``options:svc_monitor_mac``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from pyovn.northd.context import BuildContext
from pyovn.northd.model import SwitchPort
from pyovn.northd.registry import ADDRESS_SET, GLOBAL, PORT_GROUP, builds

__all__ = ["address_set", "port_group", "svc_monitor_mac_set"]


@builds(ADDRESS_SET)
def address_set(ctx: BuildContext, row: Any) -> Iterator[Any]:
    yield ctx.row("Address_Set", row.name, name=row.name, addresses=frozenset(row.addresses))


@builds(PORT_GROUP)
def port_group(ctx: BuildContext, pg: Any) -> Iterator[Any]:
    model = ctx.model
    ip4: set[str] = set()
    ip6: set[str] = set()
    by_dp: defaultdict[str, list[SwitchPort]] = defaultdict(list)
    for pu in pg.ports:
        p = model.ports.get(pu)
        if not isinstance(p, SwitchPort):
            continue
        by_dp[p.dp.uuid].append(p)
        for a in p.addresses:
            ip4.update(x.addr for x in a.ipv4)
            ip6.update(x.addr for x in a.ipv6)
    yield ctx.row("Address_Set", f"{pg.name}_ip4", name=f"{pg.name}_ip4",
                  addresses=frozenset(ip4))
    yield ctx.row("Address_Set", f"{pg.name}_ip6", name=f"{pg.name}_ip6",
                  addresses=frozenset(ip6))
    for dp_uuid, ports in by_dp.items():
        dp = model.datapath(dp_uuid)
        if dp is None or not dp.key:
            continue
        name = f"{dp.key}_{pg.name}"
        yield ctx.row("Port_Group", name, name=name, ports=frozenset(p.name for p in ports))


@builds(GLOBAL)
def svc_monitor_mac_set(ctx: BuildContext) -> Iterator[Any]:
    mac = ctx.options.get("svc_monitor_mac")
    if mac:
        yield ctx.row("Address_Set", "svc_monitor_mac", name="svc_monitor_mac",
                      addresses=frozenset([mac]))
