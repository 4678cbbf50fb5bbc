"""The Southbound contents trace needs, as small typed objects.

``SbModel.from_rows`` takes the SB rows as the ctl backend's replica returns them (table -> uuid
-> row dict with canonical values, see docs/CONTRACTS.md) and builds: datapaths (with the ports
bound to them), port bindings, multicast groups, address sets, port groups, MAC bindings, load
balancers and chassis.  Logical flows are grouped by (datapath, pipeline, table), sorted by
descending priority; a flow shared through a ``Logical_DP_Group`` is listed under every member.
Matches and actions are parsed and compiled lazily, the first time the walk reaches their table,
because a trace touches a small part of a big Southbound.

``load_sb(remote)`` reads the rows over OVSDB (one ``monitor``, then the connection closes).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pyovn.logical.actions import ParsedActions, ParseParams, parse_actions
from pyovn.logical.expr import compile_match
from pyovn.logical.flow import Flow
from pyovn.logical.symbols import SymbolTable, default_symtab
from pyovn.ovsdb.largeset import SET_TYPES

__all__ = [
    "Datapath",
    "LogicalFlow",
    "McGroup",
    "PortBinding",
    "SbModel",
    "load_sb",
]

Rows = Mapping[str, Mapping[str, Mapping[str, Any]]]

PIPELINES = ("ingress", "egress")


def _set(v: Any) -> list[Any]:
    if v is None:
        return []
    if isinstance(v, (*SET_TYPES, list, tuple)):
        return sorted(v)
    return [v]


def _opt(v: Any) -> Any:
    """An optional (min 0, max 1) column value: the atom or None."""
    s = _set(v)
    return s[0] if s else None


@dataclass(eq=False)
class LogicalFlow:
    """One logical flow row, as seen from one datapath (port groups resolve per datapath)."""

    uuid: str
    pipeline: str
    table: int
    priority: int
    match: str
    actions: str
    external_ids: dict[str, str]
    dp_key: int
    _match_fn: Callable[[Flow], bool] | None = None
    _parsed: ParsedActions | None = None
    error: str | None = None

    @property
    def stage_name(self) -> str:
        return self.external_ids.get("stage-name", "")

    @property
    def source(self) -> str:
        return self.external_ids.get("source", "")

    @property
    def stage_hint(self) -> str:
        return self.external_ids.get("stage-hint", "")

    def matcher(self, model: SbModel) -> Callable[[Flow], bool]:
        if self._match_fn is None:
            try:
                self._match_fn = compile_match(
                    self.match, model.symtab, model.address_sets, model.port_groups, self.dp_key
                )
            except Exception as err:  # a flow we cannot parse never matches (and says why)
                self.error = f"match: {err}"
                self._match_fn = _never
        return self._match_fn

    def parsed(self, model: SbModel) -> ParsedActions | None:
        if self._parsed is None and self.error is None:
            try:
                self._parsed = parse_actions(
                    self.actions,
                    ParseParams(
                        symtab=model.symtab, pipeline=self.pipeline, table=self.table
                    ),
                )
            except Exception as err:
                self.error = f"actions: {err}"
        return self._parsed


def _never(flow: Flow) -> bool:
    return False


@dataclass(eq=False)
class Datapath:
    uuid: str
    key: int
    name: str
    external_ids: dict[str, str]
    ports: list[PortBinding] = field(default_factory=list)
    flows: dict[tuple[str, int], list[LogicalFlow]] = field(default_factory=dict)

    @property
    def is_router(self) -> bool:
        return "logical-router" in self.external_ids

    @property
    def friendly(self) -> str:
        return self.name or self.uuid

    def table(self, pipeline: str, table: int) -> list[LogicalFlow]:
        return self.flows.get((pipeline, table), [])


@dataclass(eq=False)
class PortBinding:
    name: str
    type: str
    datapath: Datapath
    key: int
    mac: list[str]
    options: dict[str, str]
    external_ids: dict[str, str]
    chassis: str | None
    parent: str | None
    tag: int | None
    uuid: str = ""
    port_security: list[str] = field(default_factory=list)
    up: bool = False

    @property
    def peer(self) -> str | None:
        return self.options.get("peer") if self.type in ("patch", "l3gateway") else None

    @property
    def distributed_port(self) -> str | None:
        return self.options.get("distributed-port") if self.type == "chassisredirect" else None


@dataclass(eq=False)
class McGroup:
    name: str
    key: int
    datapath: Datapath
    ports: list[str]


@dataclass(eq=False)
class MacBinding:
    logical_port: str
    ip: str
    mac: str
    datapath: Datapath | None


@dataclass(eq=False)
class LoadBalancer:
    uuid: str
    name: str
    vips: dict[str, str]
    protocol: str
    datapaths: list[Datapath]


class SbModel:
    """Everything a trace reads from the Southbound database, indexed."""

    def __init__(self) -> None:
        self.symtab: SymbolTable = default_symtab()
        self.datapaths: dict[str, Datapath] = {}  # by uuid
        self.ports: dict[str, PortBinding] = {}
        self.mcgroups: dict[tuple[str, str], McGroup] = {}  # (dp uuid, name)
        self.address_sets: dict[str, list[str]] = {}
        self.port_groups: dict[str, list[str]] = {}
        self.mac_bindings: dict[tuple[str, str], MacBinding] = {}  # (port, ip text)
        self.load_balancers: list[LoadBalancer] = []
        self.chassis: dict[str, dict[str, Any]] = {}  # by uuid
        self.fdb: dict[tuple[int, str], int] = {}  # (dp key, mac) -> port key
        self.flow_mask = 0  # ovn-trace's hash buckets of logical flows (see from_rows)

    # --- lookups ---------------------------------------------------------------------------
    def find_datapath(self, ident: str) -> Datapath | None:
        """By name, uuid, uuid prefix (at least 4 hex digits) or tunnel key, as ovn-trace."""
        for dp in self.datapaths.values():
            if ident in (dp.name, dp.uuid, dp.external_ids.get("name2")):
                return dp
        if len(ident) >= 4:
            hits = [dp for dp in self.datapaths.values() if dp.uuid.startswith(ident)]
            if len(hits) == 1:
                return hits[0]
        if ident.isdigit():
            for dp in self.datapaths.values():
                if dp.key == int(ident):
                    return dp
        return None

    def port_by_key(self, dp: Datapath, key: int) -> PortBinding | None:
        for p in dp.ports:
            if p.key == key:
                return p
        return None

    def mcgroup(self, dp: Datapath, name: str) -> McGroup | None:
        return self.mcgroups.get((dp.uuid, name))

    def mac_binding(self, port: str, ip: str) -> MacBinding | None:
        return self.mac_bindings.get((port, ip))

    def datapath_of_flow_keys(self) -> Iterable[Datapath]:
        return self.datapaths.values()

    # --- construction ----------------------------------------------------------------------
    @classmethod
    def from_rows(cls, rows: Rows) -> SbModel:
        m = cls()
        for u, r in rows.get("Datapath_Binding", {}).items():
            ext = dict(r.get("external_ids") or {})
            m.datapaths[u] = Datapath(u, int(r["tunnel_key"]), ext.get("name", ""), ext)
        for u, r in rows.get("Chassis", {}).items():
            m.chassis[u] = dict(r)
        for u, r in rows.get("Port_Binding", {}).items():
            dp = m.datapaths.get(r["datapath"])
            if dp is None:
                continue
            ch = _opt(r.get("chassis"))
            tag = _opt(r.get("tag"))
            p = PortBinding(
                name=r["logical_port"],
                type=r.get("type", ""),
                datapath=dp,
                key=int(r["tunnel_key"]),
                mac=_set(r.get("mac")),
                options=dict(r.get("options") or {}),
                external_ids=dict(r.get("external_ids") or {}),
                chassis=m.chassis.get(ch, {}).get("name") if ch else None,
                parent=_opt(r.get("parent_port")),
                tag=tag,
                uuid=u,
                port_security=_set(r.get("port_security")),
                up=bool(_opt(r.get("up"))),
            )
            m.ports[p.name] = p
            dp.ports.append(p)
        for dp in m.datapaths.values():
            dp.ports.sort(key=lambda p: p.key)
        port_names = {u: r["logical_port"] for u, r in rows.get("Port_Binding", {}).items()}
        for r in rows.get("Multicast_Group", {}).values():
            dp = m.datapaths.get(r["datapath"])
            if dp is None:
                continue
            names = [port_names[u] for u in _set(r.get("ports")) if u in port_names]
            names.sort(key=lambda n: m.ports[n].key if n in m.ports else 0)
            m.mcgroups[(dp.uuid, r["name"])] = McGroup(r["name"], int(r["tunnel_key"]), dp, names)
        for r in rows.get("Address_Set", {}).values():
            m.address_sets[r["name"]] = _set(r.get("addresses"))
        for r in rows.get("Port_Group", {}).values():
            m.port_groups[r["name"]] = _set(r.get("ports"))
        for r in rows.get("MAC_Binding", {}).values():
            dp = m.datapaths.get(_opt(r.get("datapath")) or "")
            mb = MacBinding(r["logical_port"], r["ip"], r["mac"], dp)
            m.mac_bindings[(mb.logical_port, mb.ip)] = mb
        for u, r in rows.get("Load_Balancer", {}).items():
            dps = [m.datapaths[d] for d in _set(r.get("datapaths")) if d in m.datapaths]
            m.load_balancers.append(
                LoadBalancer(u, r.get("name", ""), dict(r.get("vips") or {}),
                             _opt(r.get("protocol")) or "tcp", dps)
            )
        groups = {
            u: [m.datapaths[d] for d in _set(r.get("datapaths")) if d in m.datapaths]
            for u, r in rows.get("Logical_DP_Group", {}).items()
        }
        for u, r in rows.get("Logical_Flow", {}).items():
            dp_uuid = _opt(r.get("logical_datapath"))
            grp = _opt(r.get("logical_dp_group"))
            dps = [m.datapaths[dp_uuid]] if dp_uuid in m.datapaths else groups.get(grp or "", [])
            pipeline = "ingress" if r["pipeline"] == "ingress" else "egress"
            for dp in dps:
                f = LogicalFlow(
                    uuid=u,
                    pipeline=pipeline,
                    table=int(r["table_id"]),
                    priority=int(r["priority"]),
                    match=r["match"],
                    actions=r["actions"],
                    external_ids=dict(r.get("external_ids") or {}),
                    dp_key=dp.key,
                )
                dp.flows.setdefault((pipeline, f.table), []).append(f)
        mask = m.flow_mask = _hmap_mask(len(rows.get("Logical_Flow", {})))
        for dp in m.datapaths.values():
            for flows in dp.flows.values():
                # Highest priority first.  Among equal priorities ovn-trace keeps the order of
                # its IDL's hash table (buckets by the uuid's first 32 bits), so we do too.
                flows.sort(key=lambda f: (-f.priority, int(f.uuid[:8], 16) & mask, f.uuid))
        for r in rows.get("FDB", {}).values():
            m.fdb[(int(r["dp_key"]), r["mac"])] = int(r["port_key"])
        return m


TABLES = (
    "Datapath_Binding",
    "Port_Binding",
    "Logical_Flow",
    "Logical_DP_Group",
    "Multicast_Group",
    "Address_Set",
    "Port_Group",
    "MAC_Binding",
    "Load_Balancer",
    "Chassis",
    "FDB",
)


def _hmap_mask(n: int) -> int:
    """The bucket mask of an Open vSwitch ``hmap`` after ``n`` insertions (it doubles when
    it holds more than two nodes per bucket)."""
    mask = 0
    for i in range(1, n + 1):
        if i // 2 > mask:
            m = i // 2
            for shift in (1, 2, 4, 8, 16):
                m |= m >> shift
            mask = m
    return mask


def load_sb(remote: str, timeout: float = 30.0) -> SbModel:
    """Reads the tables trace needs from the Southbound database at ``remote``."""
    from pyovn.ctl.backend import connect

    backend = connect(remote, "OVN_Southbound", timeout=timeout)
    try:
        rows = backend.monitor()
    finally:
        backend.close()
    return SbModel.from_rows({t: rows.get(t, {}) for t in TABLES})
