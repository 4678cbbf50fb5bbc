"""The datapath's flow cache: what OVS's megaflows are to its classifier.

A packet's walk through the logical pipelines is cut into *segments* at each conntrack
recirculation (``ct_next``, ``ct_lb``, ``ct_dnat``...: what follows depends on the tracker's
answer, which changes over a connection's life).  The first walk of a segment runs the pipeline
on a :class:`ReadTracker`, a microflow that notes every field the matches, the executor and
the host *read* before writing it; the segment's outcome is then a pure function of those
fields' values.  It is stored as a :class:`CacheEntry`: the ordered effects (deliver a copy with
these fields changed, conntrack commit, recirculate through conntrack into segment S...),
each with the changes relative to the segment's start.  The next packet whose read fields
carry the same values replays the effects without walking a table.

Lookup is per start point (an input port, or a recirculation point) through a list of
*masks* (the tuple of fields one entry read), each a dict from values to entries, the way
OVS's megaflow subtables work; a start point rarely has more than a few masks.

Invalidation is precise: every entry remembers the logical datapaths its walk went through
and the ports it sent to; a changed datapath (its flows, its ports' bindings, a MAC binding,
an address set it uses) or port drops just the entries that depend on it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pyovn.logical.flow import Flow

__all__ = ["UNSET", "CacheEntry", "Effect", "FlowCache", "ReadTracker", "apply_changes",
           "changes_from"]


class _Unset:
    __slots__ = ()

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()  # a field the segment removed from the microflow


class ReadTracker(dict):  # type: ignore[type-arg]
    """A microflow that records the fields read before being written.

    ``reads`` maps each such field to the value it had (``UNSET`` when absent).  Copies made
    with :meth:`copy` share the record (a copy's reads are the segment's reads too).  Writes
    through ``__setitem__`` are noted so that reading a field the segment set is no dependency.
    """

    __slots__ = ("reads", "written")

    def __init__(self, flow: Flow, reads: dict[str, Any] | None = None,
                 written: set[str] | None = None) -> None:
        super().__init__(flow)
        self.reads: dict[str, Any] = {} if reads is None else reads
        self.written: set[str] = set() if written is None else written

    def _note(self, key: str) -> None:
        if key not in self.written and key not in self.reads:
            self.reads[key] = dict.get(self, key, UNSET)

    def get(self, key: str, default: Any = None) -> Any:
        if key not in self.written and key not in self.reads:
            self.reads[key] = dict.get(self, key, UNSET)
        return dict.get(self, key, default)

    def __getitem__(self, key: str) -> Any:
        self._note(key)
        return dict.__getitem__(self, key)

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            self._note(key)
        return dict.__contains__(self, key)

    def __setitem__(self, key: str, value: Any) -> None:
        self.written.add(key)
        dict.__setitem__(self, key, value)

    def __delitem__(self, key: str) -> None:
        self.written.add(key)
        dict.__delitem__(self, key)

    def pop(self, key: str, *default: Any) -> Any:
        self._note(key)
        self.written.add(key)
        return dict.pop(self, key, *default)

    def setdefault(self, key: str, default: Any = None) -> Any:
        self._note(key)
        if not dict.__contains__(self, key):
            self.written.add(key)
        return dict.setdefault(self, key, default)

    def update(self, *args: Any, **kw: Any) -> None:
        other = dict(*args, **kw)
        self.written.update(other)
        dict.update(self, other)

    def copy(self) -> ReadTracker:  # type: ignore[override]
        return ReadTracker(self, self.reads, set(self.written))

    def read_all(self) -> dict[str, Any]:
        """Everything: for a walk that looked at the whole microflow (items(), a copy made
        by ``dict(...)``): the caller should not cache such a segment, or key it on all."""
        for k in dict.keys(self):
            self._note(k)
        return self.reads


def changes_from(start: Flow, flow: Flow) -> dict[str, Any]:
    """The fields of ``flow`` that differ from ``start`` (``UNSET`` for removed ones)."""
    out = {k: v for k, v in dict.items(flow) if start.get(k, UNSET) != v}
    for k in start:
        if not dict.__contains__(flow, k):
            out[k] = UNSET
    return out


def apply_changes(flow: Flow, changes: dict[str, Any]) -> Flow:
    """A new microflow: ``flow`` with ``changes`` applied."""
    out = dict(flow)
    for k, v in changes.items():
        if v is UNSET:
            out.pop(k, None)
        else:
            out[k] = v
    return out


@dataclass(slots=True)
class Effect:
    """One thing a cached segment does, in order.  ``kind`` is the host operation ("deliver",
    "remote", "ct", "commit", "drop" ...), ``changes`` the microflow's changes at that point
    relative to the segment's start, ``args`` what the operation needs (a port, a zone, the
    next segment's start point...)."""

    kind: str
    changes: dict[str, Any]
    args: tuple[Any, ...] = ()


@dataclass(slots=True)
class CacheEntry:
    start: Any
    mask: tuple[str, ...]
    values: tuple[Any, ...]
    effects: list[Effect]
    datapaths: frozenset[int] = frozenset()
    ports: frozenset[str] = frozenset()
    hits: int = 0


@dataclass(slots=True)
class _Start:
    masks: dict[tuple[str, ...], dict[tuple[Any, ...], CacheEntry]] = field(default_factory=dict)


class FlowCache:
    """Entries by start point and read fields; invalidated by datapath key or port name."""

    def __init__(self, max_entries: int = 200_000) -> None:
        self.max_entries = max_entries
        self._starts: dict[Any, _Start] = {}
        self._by_dp: dict[int, set[int]] = {}
        self._by_port: dict[str, set[int]] = {}
        self._entries: dict[int, CacheEntry] = {}
        self.hits = self.misses = self.invalidations = 0

    def __len__(self) -> int:
        return len(self._entries)

    def lookup(self, start: Any, flow: Flow) -> CacheEntry | None:
        st = self._starts.get(start)
        if st is not None:
            get = flow.get
            for mask, table in st.masks.items():
                e = table.get(tuple([get(k, UNSET) for k in mask]))
                if e is not None:
                    e.hits += 1
                    self.hits += 1
                    return e
        self.misses += 1
        return None

    def insert(self, start: Any, reads: dict[str, Any], effects: list[Effect],
               datapaths: Iterable[int], ports: Iterable[str]) -> CacheEntry:
        if len(self._entries) >= self.max_entries:
            self.clear()
        mask = tuple(sorted(reads))
        values = tuple(reads[k] for k in mask)
        entry = CacheEntry(start, mask, values, effects, frozenset(datapaths), frozenset(ports))
        st = self._starts.setdefault(start, _Start())
        table = st.masks.setdefault(mask, {})
        old = table.get(values)
        if old is not None:
            self._forget(old)
        table[values] = entry
        eid = id(entry)
        self._entries[eid] = entry
        for dp in entry.datapaths:
            self._by_dp.setdefault(dp, set()).add(eid)
        for p in entry.ports:
            self._by_port.setdefault(p, set()).add(eid)
        return entry

    def _forget(self, entry: CacheEntry) -> None:
        eid = id(entry)
        if self._entries.pop(eid, None) is None:
            return
        st = self._starts.get(entry.start)
        if st is not None:
            table = st.masks.get(entry.mask)
            if table is not None and table.get(entry.values) is entry:
                del table[entry.values]
                if not table:
                    del st.masks[entry.mask]
            if not st.masks:
                del self._starts[entry.start]
        for dp in entry.datapaths:
            s = self._by_dp.get(dp)
            if s is not None:
                s.discard(eid)
        for p in entry.ports:
            s = self._by_port.get(p)
            if s is not None:
                s.discard(eid)

    def invalidate(self, datapaths: Iterable[int] = (), ports: Iterable[str] = ()) -> int:
        """Drops the entries that went through any of ``datapaths`` or sent to ``ports``;
        returns how many."""
        doomed: set[int] = set()
        for dp in datapaths:
            doomed |= self._by_dp.pop(dp, set())
        for p in ports:
            doomed |= self._by_port.pop(p, set())
        for eid in doomed:
            e = self._entries.get(eid)
            if e is not None:
                self._forget(e)
        self.invalidations += len(doomed)
        return len(doomed)

    def invalidate_start(self, start: Any) -> None:
        st = self._starts.get(start)
        if st is not None:
            for table in list(st.masks.values()):
                for e in list(table.values()):
                    self._forget(e)

    def clear(self) -> None:
        self.invalidations += len(self._entries)
        self._starts.clear()
        self._by_dp.clear()
        self._by_port.clear()
        self._entries.clear()

    def stats(self) -> dict[str, int]:
        return {"entries": len(self._entries), "hits": self.hits, "misses": self.misses,
                "invalidations": self.invalidations,
                "masks": sum(len(s.masks) for s in self._starts.values())}
