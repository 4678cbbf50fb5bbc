"""What northd wants in the Southbound: logical flows and rows, each owned by one builder run.

Builders (see :mod:`pyovn.northd.registry`) yield :class:`Lflow` and :class:`SbRow` objects for
one *owner* (a switch, a port, an ACL on a switch, ...).  The engine keeps each owner's last
output; replacing it diffs old against new and feeds the difference into

* :class:`FlowTable`: flow content (stage, priority, match, actions, hint, meter) -> how many
  times each datapath wants it.  A content wanted by one datapath becomes one SB row with
  ``logical_datapath``, by several one row with a ``logical_dp_group``.
* :class:`RowTable`: (SB table, key) -> desired column values; one owner per key.

Both record which keys changed since the last sync, so the Southbound is written as the minimal
diff of what changed.  A full recompute syncs every key instead.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pyovn.pipeline.stages import Stage

__all__ = ["Contrib", "FlowTable", "Lflow", "Ref", "RowTable", "SbRow", "hint_of"]


def hint_of(uuid: str | None) -> str | None:
    """The ``stage-hint`` external id of an NB row: the first 8 hex digits of its uuid."""
    return uuid[:8] if uuid else None


@dataclass(frozen=True, slots=True)
class Lflow:
    """One logical flow on one datapath (``dp``: the NB uuid of its switch or router).

    ``hint`` is the NB row uuid behind the flow (``stage-hint``), ``meter`` the
    ``controller_meter`` column, ``lport`` the port in ``tags:in_out_port`` (set by northd on
    flows that match one port's inport/outport).  Equality ignores nothing: two builders
    yielding the same flow for the same datapath are one flow.
    """

    dp: str
    stage: Stage
    priority: int
    match: str
    actions: str
    hint: str | None = None
    meter: str | None = None
    lport: str | None = None

    def content(self) -> tuple[Stage, int, str, str, str | None, str | None, str | None]:
        return (
            self.stage, self.priority, self.match, self.actions, self.hint, self.meter, self.lport
        )


Content = tuple[Stage, int, str, str, "str | None", "str | None", "str | None"]


@dataclass(frozen=True, slots=True)
class Ref:
    """A reference to another desired SB row, by its (table, key); resolved to a uuid at sync."""

    table: str
    key: Any


@dataclass(frozen=True, slots=True)
class SbRow:
    """A desired SB row: ``values`` maps the columns northd owns to canonical values.

    Canonical values (docs/CONTRACTS.md): atom, frozenset, dict; a :class:`Ref` (or a frozenset
    of them) stands for a uuid of another desired row.
    """

    table: str
    key: Any
    values: dict[str, Any] = field(hash=False, compare=True)


@dataclass(frozen=True, slots=True)
class Contrib:
    """A fact an owner contributes to a datapath (``flag`` on ``dp``), counted by the engine.

    Datapath-level builders read ``datapath.flags`` (the flags with a non-zero count), so a
    datapath's default flows follow aggregates such as "has a stateful ACL" without scanning.
    """

    dp: str
    flag: str


class FlowTable:
    """Flow content -> Counter of datapaths wanting it; remembers contents changed since sync."""

    def __init__(self) -> None:
        self.flows: dict[Content, Counter[str]] = {}
        self.dirty: set[Content] = set()

    def __len__(self) -> int:
        return len(self.flows)

    def add(self, flows: Iterable[Lflow]) -> None:
        table = self.flows
        dirty = self.dirty
        for f in flows:
            c = f.content()
            dps = table.get(c)
            if dps is None:
                dps = table[c] = Counter()
            n = dps[f.dp]
            dps[f.dp] = n + 1
            if n == 0:
                dirty.add(c)

    def remove(self, flows: Iterable[Lflow]) -> None:
        table = self.flows
        dirty = self.dirty
        for f in flows:
            c = f.content()
            dps = table[c]
            n = dps[f.dp] - 1
            if n:
                dps[f.dp] = n
                continue
            del dps[f.dp]
            dirty.add(c)
            if not dps:
                del table[c]

    def datapaths(self, content: Content) -> frozenset[str]:
        dps = self.flows.get(content)
        return frozenset(dps) if dps else frozenset()

    def snapshot(self) -> dict[Content, frozenset[str]]:
        """Content -> datapaths, for comparing two tables (tests: incremental == full)."""
        return {c: frozenset(d) for c, d in self.flows.items()}


class RowTable:
    """(table, key) -> SbRow; one owner per key.  Remembers keys changed since the last sync."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, Any], SbRow] = {}
        self.dirty: set[tuple[str, Any]] = set()

    def add(self, rows: Iterable[SbRow]) -> None:
        for r in rows:
            k = (r.table, r.key)
            old = self.rows.get(k)
            if old is not None and old != r:
                raise ValueError(f"two owners want different {r.table} rows for key {r.key!r}")
            self.rows[k] = r
            self.dirty.add(k)

    def remove(self, rows: Iterable[SbRow]) -> None:
        for r in rows:
            k = (r.table, r.key)
            if self.rows.get(k) == r:
                del self.rows[k]
                self.dirty.add(k)

    def get(self, table: str, key: Any) -> SbRow | None:
        return self.rows.get((table, key))

    def of_table(self, table: str) -> list[SbRow]:
        return [r for (t, _), r in self.rows.items() if t == table]

    def snapshot(self) -> dict[tuple[str, Any], dict[str, Any]]:
        return {k: r.values for k, r in self.rows.items()}
