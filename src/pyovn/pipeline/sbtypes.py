"""The Southbound objects the pipelines read (``pyovn.pipeline.sbmodel`` builds and indexes
them): datapaths with their ports and flow tables, port bindings, multicast groups, MAC bindings,
load balancers, chassis, and ``Changes`` (what changed since a consumer last looked).

Objects are plain dataclasses compared by identity; the model replaces or updates them as rows
change and never hands out copies, so a consumer may hold one for the length of a packet's run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pyovn.ovsdb.largeset import SET_TYPES

__all__ = [
    "LOCAL_TYPES",
    "PIPELINES",
    "TABLES",
    "Changes",
    "Chassis",
    "LogicalDatapath",
    "FlowTable",
    "LoadBalancer",
    "LogicalFlow",
    "MacBinding",
    "McGroup",
    "PortBinding",
    "hmap_mask",
]

Rows = Mapping[str, Mapping[str, Mapping[str, Any]]]

PIPELINES = ("ingress", "egress")

# The Southbound tables the model reads (what load_sb monitors, what a controller must monitor).
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
    "DNS",
)

# Port types whose packets never need another chassis (they exist on every chassis).
LOCAL_TYPES = frozenset(("patch", "localnet", "localport", "vtep"))

def _set(v: Any) -> list[Any]:
    if v is None:
        return []
    if isinstance(v, (*SET_TYPES, list, tuple)):
        return sorted(v)
    return [v]


def _opt(v: Any) -> Any:
    """An optional (min 0, max 1) column value: the atom or None."""
    if v is None or isinstance(v, str | int | bool):
        return v
    s = _set(v)
    return s[0] if s else None


def hmap_mask(n: int) -> int:
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


# --- the objects ---------------------------------------------------------------------------


@dataclass(eq=False, slots=True)
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
    datapath: LogicalDatapath | None = None
    sort_key: tuple[int, int, str] = (0, 0, "")
    refs: tuple[str, ...] = ()  # the $address_set / @port_group names the match mentions
    compiled: Any = None  # pyovn.pipeline.tables' FlowCode, cleared when it goes stale

    @property
    def stage_name(self) -> str:
        return self.external_ids.get("stage-name", "")

    @property
    def source(self) -> str:
        return self.external_ids.get("source", "")

    @property
    def stage_hint(self) -> str:
        return self.external_ids.get("stage-hint", "")


class FlowTable(list[LogicalFlow]):
    """The flows of one (datapath, pipeline, table), in lookup order; ``compiled`` is where
    ``pyovn.pipeline.tables`` keeps its compiled, indexed form (None when stale)."""

    __slots__ = ("compiled",)

    def __init__(self) -> None:
        super().__init__()
        self.compiled: Any = None


@dataclass(eq=False)
class LogicalDatapath:
    uuid: str
    key: int
    name: str
    external_ids: dict[str, str]
    ports_by_key: dict[int, PortBinding] = field(default_factory=dict)
    flows: dict[tuple[str, int], FlowTable] = field(default_factory=dict)
    localnet: dict[str, PortBinding] = field(default_factory=dict)  # by name
    _sorted_ports: list[PortBinding] | None = field(default=None, repr=False)

    @property
    def is_router(self) -> bool:
        return "logical-router" in self.external_ids

    @property
    def friendly(self) -> str:
        return self.name or self.uuid

    @property
    def ports(self) -> list[PortBinding]:
        """The ports bound to this datapath, by tunnel key."""
        ps = self._sorted_ports
        if ps is None:
            ps = self._sorted_ports = [self.ports_by_key[k] for k in sorted(self.ports_by_key)]
        return ps

    @property
    def localnet_port(self) -> PortBinding | None:
        """The switch's localnet port (the first by name when there are several)."""
        if not self.localnet:
            return None
        return self.localnet[min(self.localnet)]

    def table(self, pipeline: str, table: int) -> list[LogicalFlow]:
        return self.flows.get((pipeline, table), [])


@dataclass(eq=False)
class PortBinding:
    name: str
    type: str
    datapath: LogicalDatapath | None
    key: int
    mac: list[str]
    options: dict[str, str]
    external_ids: dict[str, str]
    chassis: str | None  # the bound chassis' name
    parent: str | None
    tag: int | None
    uuid: str = ""
    port_security: list[str] = field(default_factory=list)
    up: bool = False
    chassis_uuid: str | None = None
    dp_uuid: str = ""

    @property
    def peer(self) -> str | None:
        return self.options.get("peer") if self.type in ("patch", "l3gateway") else None

    @property
    def distributed_port(self) -> str | None:
        return self.options.get("distributed-port") if self.type == "chassisredirect" else None

    @property
    def is_local_type(self) -> bool:
        """Present on every chassis (patch, localnet, localport, vtep): never remote."""
        return self.type in LOCAL_TYPES

    def _routing(self) -> tuple[Any, ...]:
        """What routing and compiled flows may depend on (not ``up`` or external_ids)."""
        return (self.name, self.type, self.dp_uuid, self.key, self.mac, self.options,
                self.chassis, self.parent, self.tag, self.port_security)


@dataclass(eq=False)
class McGroup:
    name: str
    key: int
    datapath: LogicalDatapath | None
    member_uuids: frozenset[str]
    dp_uuid: str = ""
    uuid: str = ""
    _ports_by_uuid: Mapping[str, PortBinding] = field(default_factory=dict, repr=False)
    _members: list[PortBinding] | None = field(default=None, repr=False)

    def members(self) -> list[PortBinding]:
        """The member ports that exist, by tunnel key (then name)."""
        ms = self._members
        if ms is None:
            found = (self._ports_by_uuid.get(u) for u in self.member_uuids)
            ms = self._members = sorted((p for p in found if p is not None),
                                        key=lambda p: (p.key, p.name))
        return ms

    @property
    def ports(self) -> list[str]:
        """The member ports' names, by tunnel key."""
        return [p.name for p in self.members()]


@dataclass(eq=False)
class MacBinding:
    logical_port: str
    ip: str
    mac: str
    dp_uuid: str | None
    uuid: str = ""


@dataclass(eq=False)
class LoadBalancer:
    uuid: str
    name: str
    vips: dict[str, str]
    protocol: str
    datapath_uuids: list[str]


@dataclass(eq=False)
class Chassis:
    uuid: str
    name: str
    hostname: str
    encaps: list[str]
    other_config: dict[str, str]
    external_ids: dict[str, str]


@dataclass
class Changes:
    """What changed since the consumer last drained (see the module docstring)."""

    datapaths: set[int] = field(default_factory=set)  # keys: flows, ports or groups changed
    tables: set[tuple[int, str, int]] = field(default_factory=set)  # (dp key, pipeline, table)
    ports: set[str] = field(default_factory=set)  # logical port names (binding changed)
    mac_bindings: set[tuple[str, str]] = field(default_factory=set)  # (logical port, ip)
    fdb: set[tuple[int, str]] = field(default_factory=set)  # (dp key, mac)
    load_balancers: bool = False
    chassis: set[str] = field(default_factory=set)  # names

    def __bool__(self) -> bool:
        return bool(self.datapaths or self.tables or self.ports or self.mac_bindings
                    or self.fdb or self.load_balancers or self.chassis)
