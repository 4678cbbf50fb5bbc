"""Conditional monitoring of the Southbound: which rows this chassis replicates (pure).

:func:`sb_conditions` gives, per table, the monitor_cond "where" (a disjunction of clauses)
ovn-controller uses: Port_Binding rows of local datapaths, of local iface-ids, of this chassis,
and every patch / chassisredirect / external port (to find the local datapaths and the active
gateways); logical flows of the local datapaths and every flow of a datapath group (groups
are filtered on this side, as ovn-controller does); the datapath-scoped tables by datapath;
FDB by datapath tunnel key; Chassis_Template_Var by chassis name.  With ``ovn-monitor-all``
every table is monitored whole.  The tables not listed (Chassis, Encap, SB_Global,
Datapath_Binding, HA_Chassis_Group...) are always monitored whole.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pyovn.controller import ops as o

__all__ = ["CONDITIONAL_TABLES", "sb_conditions"]

CONDITIONAL_TABLES = (
    "Port_Binding", "Logical_Flow", "Logical_DP_Group", "Multicast_Group", "MAC_Binding",
    "Static_MAC_Binding", "IP_Multicast", "IGMP_Group", "DNS", "FDB", "Load_Balancer",
    "Chassis_Template_Var",
)

NOTHING: list[Any] = [False]
EVERYTHING: list[Any] = [True]


def sb_conditions(*, monitor_all: bool, chassis_uuid: str | None, chassis_name: str | None,
                  iface_ids: Iterable[str], local_datapaths: Iterable[str],
                  dp_keys: Iterable[int]) -> dict[str, list[Any]]:
    if monitor_all:
        return {t: list(EVERYTHING) for t in CONDITIONAL_TABLES}
    dps = sorted(local_datapaths)
    keys = sorted(dp_keys)
    pb: list[Any] = [["type", "==", t] for t in ("chassisredirect", "external", "patch")]
    if chassis_uuid is not None:
        pb += [["chassis", "==", o.uuid(chassis_uuid)],
               ["requested_chassis", "==", o.uuid(chassis_uuid)]]
    if chassis_name is not None:
        pb += [["options", "includes", o.omap({k: chassis_name})]
               for k in ("l2gateway-chassis", "l3gateway-chassis")]
    pb += [["logical_port", "==", i] for i in sorted(set(iface_ids))]
    pb += [["datapath", "==", o.uuid(d)] for d in dps]

    def by_dp(column: str = "datapath", op: str = "==") -> list[Any]:
        return [[column, op, o.uuid(d)] for d in dps] or list(NOTHING)

    conds: dict[str, list[Any]] = {
        "Port_Binding": pb,
        "Logical_Flow": ([["logical_datapath", "==", o.uuid(d)] for d in dps]
                         + [["logical_dp_group", "!=", o.oset([])]]) if dps else list(NOTHING),
        "Logical_DP_Group": by_dp("datapaths", "includes"),
        "Multicast_Group": by_dp(),
        "MAC_Binding": by_dp(),
        "Static_MAC_Binding": by_dp(),
        "IP_Multicast": by_dp(),
        "IGMP_Group": by_dp(),
        "DNS": by_dp("datapaths", "includes"),
        "FDB": [["dp_key", "==", k] for k in keys] or list(NOTHING),
        "Load_Balancer": ([["datapaths", "includes", o.uuid(d)] for d in dps]
                          + [["datapath_group", "!=", o.oset([])]]) if dps else list(NOTHING),
        "Chassis_Template_Var": ([["chassis", "==", chassis_name]] if chassis_name
                                 else list(NOTHING)),
    }
    return conds
