"""The Southbound contents the logical pipelines read, as small typed objects, kept up to date.

Two ways in: ``SbModel.from_rows(rows)`` takes the SB rows as the one-shot client fetches
them (table -> uuid -> row dict with canonical values, see docs/CONTRACTS.md), and
``model.apply(table, event, row, old)`` takes one IDL event (``Idl.watch``'s callback arguments:
event "create" | "update" | "delete", the row view or a canonical row dict with ``_uuid``).
``from_rows`` is ``apply("create", ...)`` of every row, so both build the same model.

What it holds (the objects are in ``pyovn.pipeline.sbtypes``): datapaths (by
uuid and tunnel key) with their ports (by tunnel key) and logical
flows grouped by (pipeline, table), highest priority first; port bindings (by name and uuid);
multicast groups (by (datapath, name) and (datapath key, tunnel key)); address sets, port groups,
MAC bindings, FDB entries, load balancers, chassis and DNS records (``dns_records(dp)``, what
``dns_lookup`` answers from).  A flow shared through a
``Logical_DP_Group`` is listed under every member datapath (one ``LogicalFlow`` per datapath:
port groups resolve per datapath).

Costs: one event costs O(that row) (a multicast group or a port group with 10,000 members is a
10,000-element row), plus O(log n) per flow inserted into a sorted table; a change of a
``Logical_DP_Group`` costs O(its flows x datapaths added or removed).  Rows may arrive in any
order: a port, flow or multicast group whose datapath is not known yet waits for it (and goes back
to waiting if the datapath row goes before it).

Order of equal-priority flows: ovn-trace keeps its IDL hash table's order (buckets by the first
32 bits of the uuid, ``_hmap_mask``); ``from_rows`` reproduces it exactly, sizing the mask for
the number of flow rows.  ``apply`` keeps the mask in force (0 for a model built by events
alone, i.e. uuid order) so every update is O(log n); ``settle_order()`` resizes it for the
current number of flows and re-sorts, after which the model equals ``from_rows`` of the same
rows.

Change tracking, for the consumers' caches: ``version`` counts the events that changed the
model; ``changed`` accumulates what changed (``Changes``: datapath keys, (datapath key,
pipeline, table) of changed flow tables, port names, MAC bindings, FDB entries, load balancers)
until ``drain_changes()`` hands it over.  Compiled state hangs on the objects
(``FlowTable.compiled``, ``LogicalFlow.compiled``, see ``pyovn.pipeline.tables``) and the model
clears exactly the slots a change makes stale, including the flows that name a changed address
set or port group.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pyovn.logical.symbols import SymbolTable
from pyovn.pipeline.sbindex import Getter, SbIndexes
from pyovn.pipeline.sbtypes import (
    TABLES,
    Changes,
    LoadBalancer,
    LogicalDatapath,
    LogicalFlow,
    MacBinding,
    McGroup,
    PortBinding,
    hmap_mask,
)

__all__ = ["SbModel", "load_sb"]

Rows = Mapping[str, Mapping[str, Mapping[str, Any]]]


def _getter(row: Any) -> tuple[str, Getter]:
    """(uuid, column -> canonical value) for an IDL Row view or a canonical row dict."""
    if isinstance(row, Mapping):
        return row["_uuid"], row.get
    raw = row.raw

    def get(column: str) -> Any:
        try:
            return raw(column)
        except (KeyError, AttributeError):
            return None  # not monitored

    return row.uuid, get


# --- the model -----------------------------------------------------------------------------


class SbModel(SbIndexes):
    """Everything the pipelines read from the Southbound database, indexed: the lookups and the
    ways in; the indexes and how row events update them are :class:`SbIndexes`'."""

    # --- lookups ---------------------------------------------------------------------------
    @property
    def load_balancers(self) -> list[LoadBalancer]:
        return list(self.lbs.values())

    def find_datapath(self, ident: str) -> LogicalDatapath | None:
        """By name, uuid, uuid prefix (at least 4 hex digits) or tunnel key, as ovn-trace."""
        for dp in self.datapaths.values():
            if ident in (dp.name, dp.uuid, dp.external_ids.get("name2")):
                return dp
        if len(ident) >= 4:
            hits = [dp for dp in self.datapaths.values() if dp.uuid.startswith(ident)]
            if len(hits) == 1:
                return hits[0]
        if ident.isdigit():
            return self.datapath_by_key.get(int(ident))
        return None

    def port_by_key(self, dp: LogicalDatapath, key: int) -> PortBinding | None:
        return dp.ports_by_key.get(key)

    def port_in(self, dp: LogicalDatapath, name: str) -> PortBinding | None:
        """The port ``name`` if it belongs to ``dp``."""
        pb = self.ports.get(name)
        return pb if pb is not None and pb.datapath is dp else None

    def mcgroup(self, dp: LogicalDatapath, name: str) -> McGroup | None:
        return self.mcgroups.get((dp.uuid, name))

    def mac_binding(self, port: str, ip: str) -> MacBinding | None:
        return self.mac_bindings.get((port, ip))

    def lookup_mac_binding(self, dp: LogicalDatapath, port: str, ip: str) -> MacBinding | None:
        """The MAC binding of ``ip`` (text) on ``port`` valid in ``dp`` (a binding whose
        datapath is not in the model applies anywhere, as ovn-trace reads it)."""
        mb = self.mac_bindings.get((port, ip))
        if mb is None:
            return None
        if mb.dp_uuid is None or mb.dp_uuid == dp.uuid or mb.dp_uuid not in self.datapaths:
            return mb
        return None

    def fdb_port(self, dp: LogicalDatapath, mac: str) -> PortBinding | None:
        """The port ``mac`` (text) was learnt on in ``dp``, per the FDB table."""
        key = self.fdb.get((dp.key, mac))
        return dp.ports_by_key.get(key) if key is not None else None

    def dns_records(self, dp: LogicalDatapath) -> Mapping[str, str]:
        """The ``records`` of the DNS rows whose ``datapaths`` include ``dp``, merged (names
        lower-cased: ``dns_lookup`` compares the query's name lower-cased)."""
        merged = self._dns_merged.get(dp.uuid)
        if merged is None:
            merged = {}
            for uuid in sorted(self._dns):
                records, dps = self._dns[uuid]
                if dp.uuid in dps:
                    merged.update((k.lower(), v) for k, v in records.items())
            self._dns_merged[dp.uuid] = merged
        return merged

    def flows(self) -> Iterator[LogicalFlow]:
        """Every (flow, datapath) instance."""
        for dp in self.datapaths.values():
            for ft in dp.flows.values():
                yield from ft

    def drain_changes(self) -> Changes:
        """What changed since the last call (and start recording afresh)."""
        out, self.changed = self.changed, Changes()
        return out

    # --- construction ----------------------------------------------------------------------
    @classmethod
    def from_rows(cls, rows: Rows, symtab: SymbolTable | None = None) -> SbModel:
        m = cls(symtab)
        m.flow_mask = hmap_mask(len(rows.get("Logical_Flow", {})))
        for table in _LOAD_ORDER:
            for u, r in rows.get(table, {}).items():
                m._apply(table, "create", u, r.get)
        m.version = 0
        m.changed = Changes()
        return m

    def apply(self, table: str, event: str, row: Any, old: Any = None) -> None:
        """One IDL event (``Idl.watch`` callback arguments, plus the table).  ``row`` is an
        IDL Row view or a canonical row dict with ``_uuid``; ``old`` is not needed."""
        uuid, get = _getter(row)
        self._apply(table, event, uuid, get)

    def watch(self, idl: Any) -> Any:
        """Registers ``apply`` for the model's tables on an ``Idl``; returns the handler."""
        return idl.watch(lambda event, row, old: self.apply(row.table, event, row, old))

    # --- comparisons -----------------------------------------------------------------------
    def snapshot(self) -> dict[str, Any]:
        """Plain data describing the model (what ``apply`` and ``from_rows`` must agree on)."""
        dps = {}
        for dp in self.datapaths.values():
            dps[dp.uuid] = {
                "key": dp.key,
                "name": dp.name,
                "external_ids": dp.external_ids,
                "ports": [(p.key, p.name) for p in dp.ports],
                "localnet": sorted(dp.localnet),
                "flows": {
                    f"{p}/{t}": [(f.uuid, f.priority, f.match, f.actions, f.dp_key) for f in ft]
                    for (p, t), ft in sorted(dp.flows.items()) if ft
                },
            }
        return {
            "datapaths": dps,
            "datapath_by_key": {k: dp.uuid for k, dp in self.datapath_by_key.items()},
            "ports": {n: (p.uuid, p.type, p.datapath.uuid if p.datapath else None, p.key, p.mac,
                          p.options, p.chassis, p.parent, p.tag, p.port_security, p.up,
                          p.external_ids) for n, p in self.ports.items()},
            "mcgroups": {f"{k[0]}/{k[1]}": (g.key, g.ports) for k, g in self.mcgroups.items()},
            "mcgroup_by_key": {f"{k[0]}/{k[1]}": g.name for k, g in self.mcgroup_by_key.items()},
            "address_sets": self.address_sets,
            "port_groups": self.port_groups,
            "mac_bindings": {f"{k[0]}/{k[1]}": (b.mac, b.dp_uuid)
                             for k, b in self.mac_bindings.items()},
            "fdb": {f"{k[0]}/{k[1]}": v for k, v in self.fdb.items()},
            "lbs": {u: (lb.name, lb.vips, lb.protocol, lb.datapath_uuids)
                    for u, lb in self.lbs.items()},
            "chassis": {u: c.name for u, c in self.chassis.items()},
            "dns": {u: (r, sorted(d)) for u, (r, d) in self._dns.items()},
        }


# from_rows' order: referenced rows first, so nothing waits (any order gives the same model).
_LOAD_ORDER = ("Chassis", "Datapath_Binding", "Port_Binding", "Multicast_Group", "Address_Set",
               "Port_Group", "Logical_DP_Group", "Logical_Flow", "MAC_Binding", "FDB",
               "Load_Balancer", "DNS")


def load_sb(remote: str, timeout: float = 30.0) -> SbModel:
    """Reads the tables the model needs from the Southbound database at ``remote``."""
    from pyovn.ovsdb.client.oneshot import fetch

    rows = fetch(remote, "OVN_Southbound", tables=TABLES, timeout=timeout)
    return SbModel.from_rows({t: rows.get(t, {}) for t in TABLES})
