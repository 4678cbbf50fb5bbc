"""What northd wants in the Southbound: logical flows and rows, each owned by one builder run.

Builders (see :mod:`pyovn.northd.registry`) yield :class:`Lflow` and :class:`SbRow` objects for
one *owner* (a switch, a port, an ACL on a switch, ...).  The engine keeps each owner's last
output; replacing it diffs old against new and feeds the difference into

* :class:`LflowTable`: flow content (stage, priority, match, actions, hint, meter) -> how many
  times each datapath wants it.  A content wanted by one datapath becomes one SB row with
  ``logical_datapath``, by several one row with a ``logical_dp_group``.
* :class:`RowTable`: (SB table, key) -> desired column values; one owner per key.

Both record which keys changed since the last sync, so the Southbound is written as the minimal
diff of what changed.  A full recompute syncs every key instead.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from pyovn.pipeline.stages import Stage

__all__ = [
    "Contrib", "Default", "Inline", "Lflow", "LflowTable", "Ref", "RowTable", "SbRow", "SetMember",
    "hint_of",
]


def hint_of(uuid: str | None) -> str | None:
    """The ``stage-hint`` external id of an NB row: the first 8 hex digits of its uuid."""
    return uuid[:8] if uuid else None


@dataclass(frozen=True, slots=True)
class Lflow:
    """One logical flow on one datapath (``dp``: the NB uuid of its switch or router).

    ``hint`` is the NB row uuid behind the flow (``stage-hint``), ``meter`` the
    ``controller_meter`` column, ``lport`` the port in ``tags:in_out_port`` (set by northd on
    flows that match one port's inport/outport), ``source`` the builder's ``file:line``
    (``external_ids:source``: the real northd names its northd.c line, pyovn its own).  Two
    builder lines yielding the same flow for the same datapath are one Southbound row (the
    tables count them; the row's source is the first in sort order).
    """

    dp: str
    stage: Stage
    priority: int
    match: str
    actions: str
    hint: str | None = None
    meter: str | None = None
    lport: str | None = None
    source: str | None = None

    def content(self) -> Content:
        """The flow's identity in the Southbound (its stage-hint is an attribute of the row)."""
        return (self.stage, self.priority, self.match, self.actions, self.meter, self.lport)


Content = tuple[Stage, int, str, str, "str | None", "str | None"]


@dataclass(frozen=True, slots=True)
class Ref:
    """A reference to another desired SB row, by its (table, key); resolved to a uuid at sync."""

    table: str
    key: Any


@dataclass(frozen=True, slots=True)
class Inline:
    """A row of a non-root SB table (HA_Chassis, Meter_Band) written inside its parent's column:
    inserted with the parent, compared by content, left to garbage collection when replaced.

    ``items``: sorted ``(column, value)`` pairs; map values as sorted tuples of pairs (hashable),
    see :meth:`make`.
    """

    table: str
    items: tuple[tuple[str, Any], ...]

    @classmethod
    def make(cls, table: str, **columns: Any) -> Inline:
        items = []
        for c, v in sorted(columns.items()):
            if isinstance(v, dict):
                v = tuple(sorted(v.items()))
            elif isinstance(v, (set, list)):
                v = frozenset(v)
            items.append((c, v))
        return cls(table, tuple(items))


@dataclass(frozen=True, slots=True)
class Default:
    """A column value northd writes only when the row is inserted or the column is empty (the
    initial ``up=false`` of a Port_Binding, which ovn-controller then owns)."""

    value: Any


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
class SetMember:
    """One element of a set column of a desired SB row, contributed by an owner other than the
    row's own (a port's membership in its switch's _MC_flood group, in a Port_Group).

    Keeps large sets O(change): a port joining adds one member, and the Southbound gets a
    ``mutate insert`` of it, instead of the group's owner rebuilding a set of 10,000.
    """

    table: str
    key: Any
    column: str
    value: Any


@dataclass(frozen=True, slots=True)
class Contrib:
    """A fact an owner contributes to a datapath (``flag`` on ``dp``), counted by the engine.

    Datapath-level builders read ``datapath.flags`` (the flags with a non-zero count), so a
    datapath's default flows follow aggregates such as "has a stateful ACL" without scanning.
    """

    dp: str
    flag: str


class LflowTable:
    """Flow key -> datapath -> stage-hints wanting it; remembers keys changed since the sync.

    A flow's key leaves out its stage-hint: identical flows on several datapaths are one SB
    row (with a datapath group) even when each datapath's builder gave its own hint, and the
    row carries the hint of the datapath the real northd visits first (``dp_rank``: its hash
    map order), as ovn-northd does.
    """

    def __init__(self) -> None:
        self.flows: dict[Content, dict[str, Counter[str | None]]] = {}
        # Key -> the builder's file:line, or (two or more lines, or one line twice) file:line
        # -> count; external_ids:source is the first in sort order.  A plain string in the
        # common case: one Counter per flow would cost more than the flows' other state.
        self.sources: dict[Content, str | Counter[str]] = {}
        self.dirty: set[Content] = set()
        self.dp_rank: Callable[[str], Any] = lambda dp: dp
        # Among several hints for one flow on one datapath: the one the real northd meets
        # first (Model.hint_rank: load balancers' hash order, which is where this happens).
        self.hint_rank: Callable[[str | None], Any] = lambda h: (h is None, h or "")

    def __len__(self) -> int:
        return len(self.flows)

    def add(self, flows: Iterable[Lflow]) -> None:
        table = self.flows
        dirty = self.dirty
        for f in flows:
            c = f.content()
            dps = table.get(c)
            if dps is None:
                dps = table[c] = {}
            hints = dps.get(f.dp)
            if hints is None:
                hints = dps[f.dp] = Counter()
            hints[f.hint] += 1
            src = f.source
            if src is not None:
                srcs = self.sources.get(c)
                if srcs is None:
                    self.sources[c] = src
                elif isinstance(srcs, str):
                    self.sources[c] = Counter((srcs, src))
                else:
                    srcs[src] += 1
            dirty.add(c)

    def remove(self, flows: Iterable[Lflow]) -> None:
        table = self.flows
        dirty = self.dirty
        for f in flows:
            c = f.content()
            dps = table[c]
            hints = dps[f.dp]
            n = hints[f.hint] - 1
            if n:
                hints[f.hint] = n
            else:
                del hints[f.hint]
                if not hints:
                    del dps[f.dp]
                    if not dps:
                        del table[c]
            src = f.source
            if src is not None:
                srcs = self.sources[c]
                if isinstance(srcs, str):
                    del self.sources[c]
                else:
                    n = srcs[src] - 1
                    if n:
                        srcs[src] = n
                    else:
                        del srcs[src]
                        if not srcs:
                            del self.sources[c]
            dirty.add(c)

    def datapaths(self, content: Content) -> frozenset[str]:
        dps = self.flows.get(content)
        return frozenset(dps) if dps else frozenset()

    def hint(self, content: Content) -> str | None:
        """The stage-hint of the flow's SB row: the first datapath's (in dp_rank order)."""
        dps = self.flows.get(content)
        if not dps:
            return None
        first = min(dps, key=self.dp_rank) if len(dps) > 1 else next(iter(dps))
        hints = dps[first]
        if len(hints) == 1:
            return next(iter(hints))
        return min(hints, key=self.hint_rank)

    def source(self, content: Content) -> str | None:
        """The external_ids:source of the flow's SB row."""
        srcs = self.sources.get(content)
        if srcs is None or isinstance(srcs, str):
            return srcs
        return min(srcs) if srcs else None

    def snapshot(self) -> dict[Content, tuple[frozenset[str], str | None, str | None]]:
        """Key -> (datapaths, hint, source), for comparing two tables (tests: incremental ==
        full)."""
        return {c: (frozenset(d), self.hint(c), self.source(c)) for c, d in self.flows.items()}


class RowTable:
    """(table, key) -> SbRow, one owner per key, plus set columns built from members.

    ``members[(table, key, column)]`` counts each element contributed by ``SetMember`` items;
    ``deltas`` holds the net element changes since the last sync (what a ``mutate`` writes).
    ``dirty`` has every (table, key) whose row or members changed since the last sync.
    """

    def __init__(self) -> None:
        self.rows: dict[tuple[str, Any], SbRow] = {}
        self.versions: dict[tuple[str, Any], Counter[SbRow]] = {}
        self.members: dict[tuple[str, Any, str], Counter[Any]] = {}
        self.deltas: dict[tuple[str, Any, str], dict[Any, int]] = {}
        self.member_cols: dict[tuple[str, Any], set[str]] = {}
        self.dirty: set[tuple[str, Any]] = set()

    def add(self, rows: Iterable[SbRow]) -> None:
        # Several owners may want the same row (an HA_Chassis_Group shared by ports, a fair
        # meter's copy for an ACL on several switches): each owner's version is counted, the
        # row goes when the last one does.  While a batch rebuilds them one by one, two owners
        # may briefly want different versions: the last one added wins.
        for r in rows:
            k = (r.table, r.key)
            self.versions.setdefault(k, Counter())[r] += 1
            self.rows[k] = r
            self.dirty.add(k)

    def remove(self, rows: Iterable[SbRow]) -> None:
        for r in rows:
            k = (r.table, r.key)
            vs = self.versions.get(k)
            if not vs or not vs[r]:
                continue
            vs[r] -= 1
            if vs[r] > 0:
                continue
            del vs[r]
            if not vs:
                del self.versions[k]
                del self.rows[k]
                self.dirty.add(k)
            elif self.rows[k] == r:
                self.rows[k] = next(iter(vs))
                self.dirty.add(k)

    def add_members(self, members: Iterable[SetMember], sign: int) -> None:
        for m in members:
            mk = (m.table, m.key, m.column)
            c = self.members.get(mk)
            if c is None:
                c = self.members[mk] = Counter()
                self.member_cols.setdefault((m.table, m.key), set()).add(m.column)
            n = c[m.value] + sign
            if n > 0:
                c[m.value] = n
            else:
                del c[m.value]
                if not c:
                    del self.members[mk]
            if (n > 0) != (n - sign > 0):
                d = self.deltas.setdefault(mk, {})
                net = d.get(m.value, 0) + (1 if n > 0 else -1)
                if net:
                    d[m.value] = net
                else:
                    del d[m.value]
                self.dirty.add((m.table, m.key))

    def member_set(self, table: str, key: Any, column: str) -> frozenset[Any]:
        c = self.members.get((table, key, column))
        return frozenset(c) if c else frozenset()

    def member_columns(self, table: str, key: Any) -> list[str]:
        """The set columns of (table, key) that have members (or had, with a pending delta)."""
        return sorted(self.member_cols.get((table, key), ()))

    def get(self, table: str, key: Any) -> SbRow | None:
        return self.rows.get((table, key))

    def snapshot(self) -> dict[tuple[str, Any], dict[str, Any]]:
        out = {k: dict(r.values) for k, r in self.rows.items()}
        for (t, k, c), members in self.members.items():
            if (t, k) in out:
                out[(t, k)][c] = frozenset(members)
        return out
