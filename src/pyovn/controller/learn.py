"""MAC_Binding and FDB rows from what the datapath learnt (pure: entries + replica -> ops).

The datapath reports each learnt entry through ``on_learn``; the controller keeps the latest
entry per key — (logical_port, ip) for MAC_Binding, (mac, dp_key) for FDB, the tables' own
indexes — and :func:`learnt_ops` turns the batch into operations: an insert when the replica
has no row for the key, an update when the row says something else, nothing when it already
says the same.  MAC_Binding rows carry ``timestamp`` (the chassis advertises
``mac-binding-timestamp``).  Entries whose datapath is not in the replica wait for it.
A virtual port's parent (``bind_vport``) becomes ``Port_Binding.virtual_parent``; the binding
logic then claims the virtual port here while that parent is bound here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pyovn.controller import ops as o
from pyovn.controller.dpif import Learnt, LearntFdb, LearntMacBinding, LearntVirtualParent

__all__ = ["LearntQueue", "learnt_ops"]


class LearntQueue:
    """The learnt entries not yet written, one per key (the latest wins)."""

    def __init__(self) -> None:
        self.mac_bindings: dict[tuple[str, str], LearntMacBinding] = {}
        self.fdb: dict[tuple[str, int], LearntFdb] = {}
        self.vports: dict[str, str] = {}  # virtual port -> its parent

    def add(self, entry: Learnt) -> None:
        if isinstance(entry, LearntMacBinding):
            self.mac_bindings[(entry.logical_port, entry.ip)] = entry
        elif isinstance(entry, LearntFdb):
            self.fdb[(entry.mac.lower(), entry.dp_key)] = entry
        elif isinstance(entry, LearntVirtualParent):
            self.vports[entry.virtual_port] = entry.virtual_parent

    def __bool__(self) -> bool:
        return bool(self.mac_bindings or self.fdb or self.vports)


def learnt_ops(queue: LearntQueue, sb: Mapping[str, Any], now_ms: int) -> list[o.Op]:
    """Operations for the queued entries; written entries (and ones already in the
    Southbound) leave the queue, entries whose datapath is unknown stay."""
    ops: list[o.Op] = []
    dps = sb["Datapath_Binding"].index("tunnel_key")
    mbs = sb["MAC_Binding"].index("logical_port", "ip")
    for mb_key, e in list(queue.mac_bindings.items()):
        dp = dps.get(e.dp_key)
        if dp is None:
            continue
        del queue.mac_bindings[mb_key]
        row = mbs.get(e.logical_port, e.ip)
        if row is None:
            ops.append(o.insert("MAC_Binding", {
                "logical_port": e.logical_port, "ip": e.ip, "mac": e.mac,
                "datapath": o.uuid(dp.uuid), "timestamp": now_ms}))
        elif row.mac != e.mac or row.datapath != dp.uuid:
            ops.append(o.update("MAC_Binding", row.uuid, {
                "mac": e.mac, "datapath": o.uuid(dp.uuid), "timestamp": now_ms}))
    fdbs = sb["FDB"].index("mac", "dp_key")
    for key, f in list(queue.fdb.items()):
        if dps.get(f.dp_key) is None:
            continue
        del queue.fdb[key]
        row = fdbs.get(key[0], f.dp_key)
        if row is None:
            ops.append(o.insert("FDB", {"mac": key[0], "dp_key": f.dp_key,
                                        "port_key": f.port_key}))
        elif row.port_key != f.port_key:
            ops.append(o.update("FDB", row.uuid, {"port_key": f.port_key}))
    pbs = sb["Port_Binding"].index("logical_port")
    for vport, parent in list(queue.vports.items()):
        del queue.vports[vport]
        pb = pbs.get(vport)
        if pb is not None and pb.type == "virtual" and pb.virtual_parent != [parent]:
            ops.append(o.update("Port_Binding", pb.uuid, {"virtual_parent": parent}))
    return ops
