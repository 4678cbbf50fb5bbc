"""The incremental engine: owners' outputs kept, rebuilt when a Northbound change touches them.

``Engine.recompute()`` rebuilds the model and every owner.  ``Engine.process(changes)`` takes
the Northbound changes of one batch (:class:`~pyovn.northd.changes.Change` objects), lets the
change handlers update the model and name the dirty owners (or ask for a full recompute), and
rebuilds only those.  Rebuilding an owner runs its kind's builders, diffs the new output with
the old one and applies the difference to the :class:`~pyovn.northd.output.LflowTable` and
:class:`~pyovn.northd.output.RowTable`, which remember what changed for the Southbound writer.

Contributions (``Contrib``) are counted per datapath; when the set of a datapath's flags changes,
that datapath's own owner is rebuilt after the others (datapath kinds build last), and so are
the other owners that read the flag (``NorthdDatapath.has`` records who reads what while they
build).
"""

from __future__ import annotations

import logging
import time
from collections import Counter, deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pyovn.northd.context import BuildContext
from pyovn.northd.entities import FLAG_READER, OwnerKey
from pyovn.northd.model import Model
from pyovn.northd.output import Contrib, Lflow, LflowTable, RowTable, SbRow, SetMember
from pyovn.northd.registry import KINDS

__all__ = ["Engine", "EngineStats", "Output"]

log = logging.getLogger(__name__)

_LAST_KINDS = ("switch", "router")


@dataclass(slots=True)
class Output:
    flows: frozenset[Lflow] = frozenset()
    rows: dict[tuple[str, Any], SbRow] = field(default_factory=dict)
    contribs: Counter[Contrib] = field(default_factory=Counter)
    members: frozenset[SetMember] = frozenset()


_EMPTY = Output()


@dataclass
class EngineStats:
    recomputes: int = 0
    incremental_runs: int = 0
    owners_built: int = 0
    last_run_s: float = 0.0
    last_kind: str = ""


class Engine:
    def __init__(self, nb: Mapping[str, Any], sb: Mapping[str, Any] | None = None) -> None:
        self.model = Model(nb, sb)
        self.ctx = BuildContext(self.model)
        self.flows = LflowTable()
        self.flows.dp_rank = self.model.dp_rank
        self.flows.hint_rank = self.model.hint_rank
        self.rows = RowTable()
        self.outputs: dict[OwnerKey, Output] = {}
        self.stats = EngineStats()
        self._dp_version = 0
        self.full_sync_pending = True

    # --- full -----------------------------------------------------------------------------------

    def recompute(self) -> None:
        t0 = time.perf_counter()
        self.model.build()
        self._dp_version = self.model.dp_version
        self.flows = LflowTable()
        self.flows.dp_rank = self.model.dp_rank
        self.flows.hint_rank = self.model.hint_rank
        self.rows = RowTable()
        self.outputs = {}
        keys = list(self.model.owners())
        first = [k for k in keys if k[0] not in _LAST_KINDS]
        last = [k for k in keys if k[0] in _LAST_KINDS]
        self._build_all(first, last)
        self.full_sync_pending = True
        self.stats.recomputes += 1
        self.stats.last_run_s = time.perf_counter() - t0
        self.stats.last_kind = "recompute"

    # --- incremental ----------------------------------------------------------------------------

    def process(self, changes: Iterable[Any]) -> bool:
        """Apply one batch of NB changes; returns False if it fell back to a full recompute."""
        from pyovn.northd.changes import handle_changes

        t0 = time.perf_counter()
        dirty = handle_changes(self.model, list(changes))
        if dirty is None:
            self.recompute()
            return False
        self.rebuild(dirty)
        version = self.model.dp_version
        if version != self._dp_version:
            # Datapaths came or went: the real northd's walk order, which picks the stage-hint
            # of a flow shared by several datapaths, may have changed.
            self._dp_version = version
            self.flows.dirty.update(c for c, d in self.flows.flows.items() if len(d) > 1)
        self.stats.incremental_runs += 1
        self.stats.last_run_s = time.perf_counter() - t0
        self.stats.last_kind = "incremental"
        return True

    def rebuild(self, dirty: Iterable[OwnerKey]) -> None:
        dirty = set(dirty)
        # Owners that are gone go first: a new owner may want a row key a gone one held (a port
        # deleted and re-created under the same name in one batch).
        gone = [k for k in dirty if self.model.resolve(k) is None]
        dirty.difference_update(gone)
        first = gone + [k for k in dirty if k[0] not in _LAST_KINDS]
        last = [k for k in dirty if k[0] in _LAST_KINDS]
        self._build_all(first, last)

    def _build_all(self, first: Iterable[OwnerKey], last: Iterable[OwnerKey]) -> None:
        """Build ``first`` in order, then the datapath owners of ``last`` and those whose flags
        changed; an owner that read a flag which then flipped is built again (at most a few
        times: a builder whose contributions depend on the flags it reads could go on)."""
        work = deque(first)
        queued = set(work)
        last_set = dict.fromkeys(last)
        count: Counter[OwnerKey] = Counter()
        while work:
            k = work.popleft()
            queued.discard(k)
            count[k] += 1
            for t in self._build(k):
                if t[0] in _LAST_KINDS:
                    last_set[t] = None
                elif t in queued:
                    continue
                elif count[t] < 3:
                    work.append(t)
                    queued.add(t)
                else:
                    log.warning("owner %r: its flags keep flipping, not rebuilt again", t)
        for k in last_set:
            self._build(k)

    # --- one owner -------------------------------------------------------------------------------

    def _build(self, key: OwnerKey) -> set[OwnerKey]:
        """Rebuild one owner; returns the owners to rebuild because it flipped a datapath's flag
        (the datapath's own owner and the owners that read the flag)."""
        args = self.model.resolve(key)
        new = _EMPTY if args is None else self._run(key, args)
        old = self.outputs.get(key, _EMPTY)
        if new is _EMPTY:
            self.outputs.pop(key, None)
        else:
            self.outputs[key] = new
        self.stats.owners_built += 1
        if old.flows is not new.flows:
            removed = old.flows - new.flows
            added = new.flows - old.flows
            if removed:
                self.flows.remove(removed)
            if added:
                self.flows.add(added)
        if old.rows or new.rows:
            gone = [r for k, r in old.rows.items() if new.rows.get(k) != r]
            came = [r for k, r in new.rows.items() if old.rows.get(k) != r]
            if gone:
                self.rows.remove(gone)
            if came:
                self.rows.add(came)
        if old.members is not new.members:
            gone_m = old.members - new.members
            came_m = new.members - old.members
            if gone_m:
                self.rows.add_members(gone_m, -1)
            if came_m:
                self.rows.add_members(came_m, +1)
        if old.contribs or new.contribs:
            return self._apply_contribs(old.contribs, new.contribs)
        return set()

    def _run(self, key: OwnerKey, args: tuple[Any, ...]) -> Output:
        kind = KINDS[key[0]]
        flows: set[Lflow] = set()
        rows: dict[tuple[str, Any], SbRow] = {}
        contribs: Counter[Contrib] = Counter()
        members: set[SetMember] = set()
        ctx = self.ctx
        # Datapath owners are rebuilt on every flag change anyway: only others are recorded.
        FLAG_READER.owner = None if key[0] in _LAST_KINDS else key
        try:
            for builder in kind.builders:
                for item in builder(ctx, *args):
                    t = type(item)
                    if t is Lflow:
                        flows.add(item)
                    elif t is SbRow:
                        rows[(item.table, item.key)] = item
                    elif t is SetMember:
                        members.add(item)
                    elif t is Contrib:
                        contribs[item] += 1
                    else:
                        raise TypeError(f"builder {builder.__name__} yielded {item!r}")
        finally:
            FLAG_READER.owner = None
        if not flows and not rows and not contribs and not members:
            return _EMPTY
        return Output(frozenset(flows), rows, contribs, frozenset(members))

    def _apply_contribs(self, old: Counter[Contrib], new: Counter[Contrib]) -> set[OwnerKey]:
        touched: set[OwnerKey] = set()
        model = self.model
        for c in set(old) | set(new):
            delta = new.get(c, 0) - old.get(c, 0)
            if not delta:
                continue
            dp = model.datapath(c.dp)
            if dp is None:
                continue
            before = dp.flags[c.flag] > 0
            n = dp.flags[c.flag] + delta
            if n > 0:
                dp.flags[c.flag] = n
            else:
                del dp.flags[c.flag]
            if (n > 0) != before:
                touched.add(("switch" if dp.is_switch else "router", dp.uuid))
                touched.update(dp.flag_readers.pop(c.flag, ()))
        return touched

    # --- checks ---------------------------------------------------------------------------------

    def snapshot(self) -> tuple[dict[Any, frozenset[str]], dict[Any, dict[str, Any]]]:
        """The desired Southbound, for comparing an incremental engine with a full one."""
        return self.flows.snapshot(), self.rows.snapshot()
