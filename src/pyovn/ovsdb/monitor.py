"""Monitors: what each client asked to see, and the updates a change set means for it.

A ``Monitor`` is made from a ``monitor`` / ``monitor_cond`` / ``monitor_cond_since`` request
(RFC 7047 4.1.5 and ovsdb-server(7)); ``version`` picks the update format:

* 1, ``update``: ``{"old": changed columns' old values, "new": all monitored columns}``;
* 2, ``update2`` and 3, ``update3``: ``initial``/``insert`` carry the row without default-valued
  columns, ``modify`` only the changed columns — a set column as the symmetric difference of old
  and new, a map column as the entries that were removed, added or changed — and ``delete`` null.

With a condition (monitor_cond) a row that starts to match is sent as ``insert`` and one that stops
matching as ``delete``. Nothing here does I/O: the server hands in change sets and sends the JSON
this returns.

A database's monitors live in a ``MonitorSet``, which computes a commit's updates for all of them
at once (``MonitorSet.updates``), at a cost in proportion to the monitors a change concerns rather
than to all monitors: per table, the monitors without a condition are grouped by *view* (update
format, columns, selections), and each group's rows are made once; those with a condition sit in
a ``condition.ConditionIndex``, which names the monitors whose condition selects a row's old and
new contents (row by row: insert, delete or modify for each of them), each row's update made once
per view. Monitors whose updates come out identical (e.g. 1,000 chassis' monitors seeing one
SB_Global change) share one serialisation; ``notification_bytes`` wraps it in each monitor's
envelope. ``Monitor.changes_to_json`` computes one monitor's update alone (monitor_cond_since's
catch-up), with the same per-row rules. With the database's set-diff hints
(``Database.set_diff_hints``) a mutated set's "modify" diff is the known removed and added
elements: adding one port to a group of 10,000 costs O(1) here, not O(10,000).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import orjson

from pyovn.ovsdb import condition as condmod
from pyovn.ovsdb import data
from pyovn.ovsdb.database import ChangeSet, Database, RowValues


class MonitorRequestError(Exception):
    """A monitor request the server refuses; ``to_json`` is the error object it replies with."""

    def __init__(self, error: str, details: str):
        super().__init__(details)
        self.error = error
        self.details = details

    def to_json(self) -> dict[str, Any]:
        return {"error": self.error, "details": self.details}


def _syntax(details: str) -> MonitorRequestError:
    return MonitorRequestError("syntax error", details)


_SELECT_KEYS = ("initial", "insert", "delete", "modify")
_NO_ID = object()


class TableMonitor:
    """One table's part of a monitor."""

    __slots__ = ("table", "schema", "columns", "coltypes", "tojson", "initial", "insert",
                 "delete", "modify", "where", "cond", "view", "v2")

    def __init__(self, table: str, schema: Any, columns: list[str], select: dict[str, bool],
                 where: Any, v2: bool = True):
        self.table = table
        self.schema = schema
        self.columns = columns
        self.coltypes = [(c, schema.columns[c].type, schema.columns[c].type.default()) for c in columns]
        # (column, converter to the wire form or None for "as is", default) for rows' JSON
        self.tojson = [(c, data.json_converter(t), default) for c, t, default in self.coltypes]
        self.initial = select.get("initial", True)
        self.insert = select.get("insert", True)
        self.delete = select.get("delete", True)
        self.modify = select.get("modify", True)
        self.v2 = v2
        # Parts of monitors with the same view get the same update for the same rows.
        self.view = (v2, table, tuple(columns), self.initial, self.insert, self.delete, self.modify)
        self.set_condition(where)

    def set_condition(self, where: Any) -> None:
        self.where = where
        if where is None:
            self.cond: condmod.Condition | None = None
        else:
            cond = condmod.compile_monitor_condition(self.schema, where)
            # A condition that selects every row ([], [true], ...): skip evaluating it.
            self.cond = None if cond.is_true else cond

    def matches(self, row: RowValues | None) -> bool:
        if row is None:
            return False
        return self.cond is None or self.cond(row)


class Monitor:
    """One monitor of one session."""

    def __init__(self, db: Database, monitor_id: Any, requests: Any, version: int):
        self.db = db
        self.monitor_id = monitor_id
        self.version = version
        self._prefix = b""
        self._prefix_of: Any = _NO_ID     # the monitor id _prefix was made for
        self.session: Any = None
        self.dbstate: Any = None
        self.registry: MonitorSet | None = None   # the set this monitor is in, kept up to date
        self.tables: dict[str, TableMonitor] = {}
        if not isinstance(requests, dict):
            raise _syntax("monitor requests must be an object")
        for table, reqs in requests.items():
            tschema = db.schema.tables.get(table)
            if tschema is None:
                raise _syntax(f"no table named {table}")
            if isinstance(reqs, dict):
                reqs = [reqs]
            if not isinstance(reqs, list):
                raise _syntax(f"monitor request for table {table} must be an object or an array")
            columns: list[str] = []
            seen: set[str] = set()
            select: dict[str, bool] = {}
            where = None
            for req in reqs:
                if not isinstance(req, dict):
                    raise _syntax(f"monitor request for table {table} must be an object")
                cols = req.get("columns")
                if cols is None:
                    cols = [c for c in tschema.columns if not c.startswith("_")]
                elif not isinstance(cols, list):
                    raise _syntax("array expected")
                for c in cols:
                    if not isinstance(c, str):
                        raise _syntax("array of column names expected")
                    if c not in tschema.columns:
                        raise _syntax(f"{table} table does not contain column {c}")
                    if c in seen:
                        raise _syntax(f"column {c} mentioned more than once")
                    seen.add(c)
                    columns.append(c)
                sel = req.get("select")
                if sel is not None:
                    if not isinstance(sel, dict):
                        raise _syntax("select must be an object")
                    for k in _SELECT_KEYS:
                        if k in sel:
                            if not isinstance(sel[k], bool):
                                raise _syntax(f"\"{k}\" must be a boolean")
                            select[k] = sel[k]
                if version >= 2 and "where" in req:
                    where = req["where"]
            self.tables[table] = TableMonitor(table, tschema, columns, select, where, version >= 2)

    # --- JSON of rows ---------------------------------------------------------------------------
    @staticmethod
    def _row_json(tm: TableMonitor, row: RowValues, skip_defaults: bool) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for c, conv, default in tm.tojson:
            v = row[c]
            if skip_defaults and v == default:
                continue
            out[c] = v if conv is None else conv(v)
        return out

    def initial(self) -> dict[str, Any]:
        """The reply to the monitor request: every selected row, as initial contents."""
        out: dict[str, Any] = {}
        v2 = self.version >= 2
        for name in sorted(self.tables):     # tables by name, as ovsdb-server (see updates)
            tm = self.tables[name]
            if not tm.initial:
                continue
            rows = self.db.tables[name].rows
            trows: dict[str, Any] = {}
            for u, row in rows.items():
                if tm.cond is not None and not tm.cond(row):
                    continue
                if v2:
                    trows[u] = {"initial": self._row_json(tm, row, True)}
                else:
                    trows[u] = {"new": self._row_json(tm, row, False)}
            if trows:
                out[name] = trows
        return out

    def changes_to_json(self, changes: ChangeSet,
                        hints: dict[tuple[str, str, str], tuple[frozenset, frozenset]]
                        | None = None) -> dict[str, Any] | None:
        """The table-updates (version 1) or table-updates2 (2, 3) for one change set.
        'hints' (``Database.set_diff_hints``): set columns whose (removed, added) atoms are
        already known, so their update2 diff costs O(diff), not O(set)."""
        out: dict[str, Any] = {}
        v2 = self.version >= 2
        for name in sorted(changes):         # tables by name, as ovsdb-server (see updates)
            rows = changes[name]
            tm = self.tables.get(name)
            if tm is None:
                continue
            trows: dict[str, Any] = {}
            for u, (old, new) in rows.items():
                upd = _row_update(tm, v2, tm.matches(old), tm.matches(new), old, new, name, u, hints)
                if upd is not None:
                    trows[u] = upd
            if trows:
                out[name] = trows
        return out or None

    @staticmethod
    def _modify(tm: TableMonitor, old: RowValues, new: RowValues, v2: bool, table: str = "",
                uuid: str = "",
                hints: dict[tuple[str, str, str], tuple[frozenset, frozenset]] | None = None
                ) -> dict[str, Any] | None:
        changed: dict[str, Any] = {}
        if v2:
            for c, t, _ in tm.coltypes:
                a, b = old[c], new[c]
                if a is b:
                    continue
                if hints and t.max != 1:
                    h = hints.get((table, uuid, c))
                    if h is not None:
                        if h[0] or h[1]:
                            changed[c] = data.diff_to_json(t, h[0] | h[1])
                        continue
                if a == b:
                    continue
                # As ovsdb-server: a column of at most one element carries its new value,
                # larger sets and maps the difference.
                changed[c] = (data.datum_to_json(t, b) if t.max == 1
                              else data.diff_to_json(t, data.datum_diff(t, a, b)))
            return {"modify": changed} if changed else None
        for c, t, _ in tm.coltypes:
            a, b = old[c], new[c]
            if a is b or a == b:
                continue
            changed[c] = data.datum_to_json(t, a)
        if not changed:
            return None
        return {"old": changed, "new": Monitor._row_json(tm, new, False)}

    def notification(self, updates: dict[str, Any], txn_id: str) -> dict[str, Any]:
        if self.version == 1:
            return {"method": "update", "params": [self.monitor_id, updates], "id": None}
        if self.version == 2:
            return {"method": "update2", "params": [self.monitor_id, updates], "id": None}
        return {"method": "update3", "params": [self.monitor_id, txn_id, updates], "id": None}

    def notification_bytes(self, updates_json: bytes, txn_id: str) -> bytes:
        """``notification`` with the updates already serialised (shared between monitors)."""
        mid = self.monitor_id
        if self._prefix_of is not mid:
            # The envelope up to the updates, made again only when the id changes
            # (monitor_cond_change may give the monitor a new one).
            method = ("update", "update2", "update3")[min(self.version, 3) - 1]
            self._prefix = (b'{"method":"' + method.encode() + b'","params":['
                            + orjson.dumps(mid) + b",")
            self._prefix_of = mid
        if self.version < 3:
            return self._prefix + updates_json + b'],"id":null}'
        return self._prefix + b'"' + txn_id.encode() + b'",' + updates_json + b'],"id":null}'

    # --- monitor_cond_change --------------------------------------------------------------------
    def change_condition(self, requests: Any) -> dict[str, Any] | None:
        """Apply new conditions; return the update2 of rows that start or stop matching."""
        if self.version < 2:
            raise _syntax("monitor_cond_change on a monitor that is not conditional")
        if not isinstance(requests, dict):
            raise _syntax("monitor_cond_change requests must be an object")
        staged: list[tuple[TableMonitor, Any]] = []
        for table, reqs in requests.items():
            tm = self.tables.get(table)
            if tm is None:
                raise _syntax(f"no table named {table}")
            if isinstance(reqs, dict):
                reqs = [reqs]
            if not isinstance(reqs, list) or not reqs:
                raise _syntax(f"monitor_cond_change request for table {table} must be an array")
            for req in reqs:
                if not isinstance(req, dict):
                    raise _syntax("monitor_cond_change request must be an object")
                if req.get("columns") is not None and list(req["columns"]) != tm.columns:
                    raise _syntax("changing columns of a monitor is not supported")
                where = req.get("where")
                if where is not None:
                    condmod.compile_monitor_condition(tm.schema, where)  # validate first
                    staged.append((tm, where))
        out: dict[str, Any] = {}
        for tm, where in staged:
            before = tm.cond
            tm.set_condition(where)
            trows: dict[str, Any] = {}
            for u, row in self.db.tables[tm.table].rows.items():
                was = before is None or before(row)
                now = tm.cond is None or tm.cond(row)
                if now and not was:
                    trows[u] = {"insert": self._row_json(tm, row, True)}
                elif was and not now:
                    trows[u] = {"delete": None}
            if trows:
                out[tm.table] = trows
        if self.registry is not None:
            self.registry.reindex(self)
        return dict(sorted(out.items())) or None


def _row_update(tm: TableMonitor, v2: bool, was: bool, now: bool, old: RowValues | None,
                new: RowValues | None, table: str, u: str,
                hints: dict[tuple[str, str, str], tuple[frozenset, frozenset]] | None
                ) -> dict[str, Any] | None:
    """One row's update for a monitor part that selected the row before (``was``) and/or after
    (``now``) the change: insert, delete, modify or nothing, as ``tm``'s selections allow."""
    if now:
        if not was:
            if not tm.insert:
                return None
            return ({"insert": Monitor._row_json(tm, new, True)} if v2  # type: ignore[arg-type]
                    else {"new": Monitor._row_json(tm, new, False)})  # type: ignore[arg-type]
        if not tm.modify:
            return None
        return Monitor._modify(tm, old, new, v2, table, u, hints)  # type: ignore[arg-type]
    if was and tm.delete:
        return {"delete": None} if v2 else {"old": Monitor._row_json(tm, old, False)}  # type: ignore[arg-type]
    return None


_NOTHING: frozenset[Any] = frozenset()


def _add_part(parts: dict[Monitor, Any], mon: Monitor, part: tuple[str, Any]) -> None:
    """One table's rows for ``mon``: a lone part as itself, several in a list (most monitors
    get one table of a commit, and no list is made for them)."""
    p = parts.get(mon)
    if p is None:
        parts[mon] = part
    elif type(p) is list:
        p.append(part)
    else:
        parts[mon] = [p, part]


class _TableFanout:
    """The monitors of one table: without a condition, by view; with one, in an index."""

    __slots__ = ("uncond", "cond")

    def __init__(self) -> None:
        self.uncond: dict[tuple[Any, ...], dict[Monitor, None]] = {}
        self.cond = condmod.ConditionIndex()


class MonitorSet:
    """The monitors of one database, indexed by what they watch (see the module docstring).
    Behaves as a set of monitors (add, discard, len, iteration, truth)."""

    def __init__(self) -> None:
        self._monitors: dict[Monitor, None] = {}
        self._tables: dict[str, _TableFanout] = {}

    def __len__(self) -> int:
        return len(self._monitors)

    def __bool__(self) -> bool:
        return bool(self._monitors)

    def __iter__(self) -> Any:
        return iter(list(self._monitors))

    def __contains__(self, mon: object) -> bool:
        return mon in self._monitors

    def add(self, mon: Monitor) -> None:
        if mon in self._monitors:
            return
        self._monitors[mon] = None
        mon.registry = self
        self._place(mon)

    def discard(self, mon: Monitor) -> None:
        if mon not in self._monitors:
            return
        del self._monitors[mon]
        self._unplace(mon)
        if mon.registry is self:
            mon.registry = None

    def reindex(self, mon: Monitor) -> None:
        """Place ``mon`` again after its conditions changed (monitor_cond_change)."""
        if mon in self._monitors:
            self._unplace(mon)
            self._place(mon)

    def _place(self, mon: Monitor) -> None:
        for table, tm in mon.tables.items():
            tf = self._tables.get(table)
            if tf is None:
                tf = self._tables[table] = _TableFanout()
            if tm.cond is None:
                tf.uncond.setdefault(tm.view, {})[mon] = None
            else:
                tf.cond.add(mon, tm.cond)

    def _unplace(self, mon: Monitor) -> None:
        for table, tm in mon.tables.items():
            tf = self._tables.get(table)
            if tf is None:
                continue
            tf.cond.remove(mon)
            group = tf.uncond.get(tm.view)
            if group is not None:
                group.pop(mon, None)
                if not group:
                    del tf.uncond[tm.view]
            if not tf.uncond and not len(tf.cond):
                del self._tables[table]

    def updates(self, changes: ChangeSet,
                hints: dict[tuple[str, str, str], tuple[frozenset, frozenset]] | None = None
                ) -> list[tuple[bytes, list[Monitor]]]:
        """(serialised table-updates, the monitors that get them) for each distinct update the
        monitors have to see in ``changes``: for each monitor, the contents ``changes_to_json``
        gives it alone. (Grouped by update, the common case makes no object per monitor: fewer
        allocations, fewer passes of the garbage collector over a large database.)"""
        # Per monitor, its parts in table order: (table, rows dict) — a dict shared by a whole
        # view group for a table without condition, its own for a table with one. One part is
        # kept as the tuple itself, more as a list.
        parts: dict[Monitor, Any] = {}
        owned: set[int] = set()     # ids of the monitors' own rows dicts
        # Tables in name order, as ovsdb-server sends them, not in the order the transaction
        # touched them: OVS's Python IDL resolves a reference when it adds the referring row, so
        # a row must come after the rows it refers to (Datapath_Binding before IP_Multicast,
        # Multicast_Group, Port_Binding...); OVN's schemas are in that order by name, and with a
        # referring row first the IDL's index of a reference column breaks (it then compares a
        # default Atom with a Row) and drops the rest of the update, ovsdbapp's events with it.
        for table in sorted(changes):
            rows = changes[table]
            tf = self._tables.get(table)
            if tf is None:
                continue
            for group in tf.uncond.values():
                tm = next(iter(group)).tables[table]
                trows: dict[str, Any] = {}
                v2 = tm.v2
                for u, (old, new) in rows.items():
                    upd = _row_update(tm, v2, old is not None, new is not None, old, new,
                                      table, u, hints)
                    if upd is not None:
                        trows[u] = upd
                if trows:
                    part = (table, trows)
                    for mon in group:
                        _add_part(parts, mon, part)
            index = tf.cond
            if not len(index):
                continue
            match = index.match
            own: dict[Monitor, dict[str, Any]] = {}
            for u, (old, new) in rows.items():
                before = match(old) if old is not None else _NOTHING
                after = match(new) if new is not None else _NOTHING
                if not before and not after:
                    continue
                made: dict[tuple[Any, bool, bool], dict[str, Any] | None] = {}
                for mon in (before | after) if before and after else (before or after):
                    tm = mon.tables[table]
                    was = mon in before
                    now = mon in after
                    key = (tm.view, was, now)
                    if key in made:
                        upd = made[key]
                    else:
                        upd = made[key] = _row_update(tm, tm.v2, was, now, old, new, table, u,
                                                      hints)
                    if upd is not None:
                        trows = own.get(mon)   # type: ignore[assignment]
                        if trows is None:
                            trows = own[mon] = {}
                            _add_part(parts, mon, (table, trows))
                        trows[u] = upd
            owned.update(map(id, own.values()))
        # Monitors with the same parts get the same bytes: a shared part is known by its identity,
        # a monitor's own rows by the row updates in it (made once per view and row, so equal
        # updates are the same objects).
        groups: dict[Any, list[Monitor]] = {}
        first: dict[Any, Any] = {}
        for mon, p in parts.items():
            if type(p) is tuple and id(p[1]) not in owned:
                sig: Any = id(p[1])     # the common case: one table, a view's shared rows
            else:
                if type(p) is tuple:
                    p = [p]
                sig = tuple((t, tuple((u, id(x)) for u, x in r.items()) if id(r) in owned
                             else id(r)) for t, r in p)
            g = groups.get(sig)
            if g is None:
                groups[sig] = [mon]
                first[sig] = p
            else:
                g.append(mon)
        out: list[tuple[bytes, list[Monitor]]] = []
        for sig, mons in groups.items():
            p = first[sig]
            out.append((orjson.dumps(dict([p] if type(p) is tuple else p)), mons))
        return out


def merge_changes(change_sets: Iterable[ChangeSet]) -> ChangeSet:
    """Fold successive change sets into one: each row's first old value and last new value."""
    out: ChangeSet = {}
    for changes in change_sets:
        for table, rows in changes.items():
            trows = out.setdefault(table, {})
            for u, (old, new) in rows.items():
                prev = trows.get(u)
                trows[u] = (old if prev is None else prev[0], new)
    for table in list(out):
        trows = out[table]
        for u in [u for u, (o, n) in trows.items() if o is None and n is None]:
            del trows[u]
    return out

