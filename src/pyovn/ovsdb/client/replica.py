"""The client's in-memory replica of monitored tables, updated from monitor notifications.

How it works: a :class:`Replica` holds one :class:`TableReplica` per monitored table, each a dict
uuid -> :class:`~pyovn.ovsdb.client.rows.RowState`. ``apply_update2`` applies a
``<table-updates2>`` object (the monitor_cond / monitor_cond_since formats; ``apply_update`` the
older RFC 7047 ``<table-updates>``) row by row: inserts build a state (absent columns take their
defaults), deletes drop it, and a "modify" changes only the columns it names — a set by toggling
the diff's elements in place, a map key by key — so its cost is the size of the diff. ``reset``
replaces the whole contents with a full snapshot (a fresh monitor reply) and reports only the rows
that really differ, so a reconnect without history yields correct create/update/delete events.

Each application returns the :class:`RowEvent` list for tables someone listens to (see
``want_events``); building an event costs O(1) per row plus O(diff) (the old side is computed
lazily, see :class:`~pyovn.ovsdb.client.rows.OldRow`).

Secondary :class:`Index` objects (any column or tuple of columns, unique or not) are maintained
on every insert, delete, and modify that touches one of their columns; ``Index.lookup_in``
restricts a lookup to a set of uuids (one parent row's children). A :class:`MemberIndex` maps
each element of a set column to the rows holding it (which switch holds this port), kept from
each modify's diff.

Everything is applied under ``Replica.lock`` (a re-entrant lock); readers in other threads take it
too, see :mod:`pyovn.ovsdb.client.rows`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from pyovn.ovsdb.client.rows import MISSING, OldRow, Row, RowState, make_converter
from pyovn.ovsdb.condition import Condition, compile_where
from pyovn.ovsdb.data import atom_from_json, datum_from_json, diff_from_json
from pyovn.ovsdb.schema import DatabaseSchema, TableSchema
from pyovn.ovsdb.types import MAP, SCALAR, SET, ColumnType

__all__ = [
    "CondRow",
    "Index",
    "MemberIndex",
    "Replica",
    "ReplicaInconsistency",
    "RowEvent",
    "TableReplica",
    "row_matches",
]

CREATE = "create"
UPDATE = "update"
DELETE = "delete"


class ReplicaInconsistency(Exception):
    """An update does not fit the replica (e.g. "modify" of an unknown row); resync needed."""


@dataclass(slots=True, frozen=True)
class RowEvent:
    """One row change: ``event`` is "create", "update" or "delete"; ``old`` only for updates."""

    event: str
    table: str
    row: Row
    old: OldRow | None = None


def _hashable(kind: str, stored: Any) -> Any:
    if kind == SCALAR:
        return stored
    if kind == MAP:
        return frozenset(stored.items())
    return frozenset(stored)


def _user_key(kind: str, value: Any) -> Any:
    """A lookup value in python-friendly form -> the index key."""
    if isinstance(value, Row):
        return value.uuid
    if kind == SCALAR:
        return value
    if kind == MAP:
        return frozenset((_ref(k), _ref(v)) for k, v in dict(value).items())
    if isinstance(value, (str, int, float, bool)):
        return frozenset((value,))
    return frozenset(_ref(v) for v in value)


class CondRow:
    """A row as the shared condition module sees one: ``row[column]``, ``_uuid`` included.

    Stored sets and dicts compare equal to the canonical frozensets/dicts the compiled
    conditions hold, so conditions run on the replica's values without converting them.
    """

    __slots__ = ("uuid", "values")

    def __init__(self, uuid: str, values: dict[str, Any]):
        self.uuid = uuid
        self.values = values

    def __getitem__(self, column: str) -> Any:
        if column == "_uuid":
            return self.uuid
        return self.values[column]


def row_matches(condition: Condition, row: Row) -> bool:
    """Evaluate a compiled condition (pyovn.ovsdb.condition) on a Row snapshot."""
    with row._table.lock:
        return condition.match(CondRow(row.uuid, row._values))  # type: ignore[arg-type]


def _ref(v: Any) -> Any:
    return v.uuid if isinstance(v, Row) else v


class Index:
    """Rows of one table by the value of one column or a tuple of columns.

    ``lookup(*values)`` takes values in python-friendly form (atoms, lists/sets for set columns,
    dicts for maps, Rows for references) and returns the matching rows; ``get`` the single match.
    """

    __slots__ = ("table", "columns", "_kinds", "_map", "_keys")

    def __init__(self, table: TableReplica, columns: tuple[str, ...]):
        for c in columns:
            if c not in table.columns:
                raise KeyError(f"{table.name} has no monitored column {c!r}")
        self.table = table
        self.columns = columns
        self._kinds = tuple(table.columns[c].kind for c in columns)
        self._map: dict[Any, set[str]] = {}
        self._keys: dict[str, Any] = {}
        for state in table.rows.values():
            self._add(state)

    def _key(self, values: dict[str, Any]) -> Any:
        if len(self.columns) == 1:
            return _hashable(self._kinds[0], values[self.columns[0]])
        return tuple(_hashable(k, values[c]) for k, c in zip(self._kinds, self.columns))

    def _add(self, state: RowState) -> None:
        key = self._key(state.values)
        self._keys[state.uuid] = key
        bucket = self._map.get(key)
        if bucket is None:
            self._map[key] = {state.uuid}
        else:
            bucket.add(state.uuid)

    def _remove(self, uuid: str) -> None:
        key = self._keys.pop(uuid, MISSING)
        if key is MISSING:
            return
        bucket = self._map.get(key)
        if bucket is not None:
            bucket.discard(uuid)
            if not bucket:
                del self._map[key]

    def _update(self, state: RowState) -> None:
        self._remove(state.uuid)
        self._add(state)

    def _lookup_key(self, values: tuple[Any, ...]) -> Any:
        if len(values) != len(self.columns):
            raise TypeError(f"index on {self.columns} takes {len(self.columns)} values")
        if len(values) == 1:
            return _user_key(self._kinds[0], values[0])
        return tuple(_user_key(k, v) for k, v in zip(self._kinds, values))

    def uuids(self, *values: Any) -> list[str]:
        with self.table.lock:
            return list(self._map.get(self._lookup_key(values), ()))

    def lookup(self, *values: Any) -> list[Row]:
        table = self.table
        with table.lock:
            uuids = self._map.get(self._lookup_key(values), ())
            return [table.rows[u].view(table) for u in uuids]

    def lookup_in(self, uuids: Any, *values: Any) -> list[Row]:
        """The matching rows among ``uuids`` (a set of row uuids, e.g. the stored value of a set
        column of references: a router's routes). Costs the smaller of ``len(uuids)`` and the
        number of matches in the whole table, so a lookup scoped to one parent row does not
        grow with the rows of other parents."""
        table = self.table
        with table.lock:
            key = self._lookup_key(values)
            bucket = self._map.get(key, ())
            if len(bucket) <= len(uuids):
                found = [u for u in bucket if u in uuids]
            else:
                keys = self._keys
                found = [u for u in uuids if keys.get(u, MISSING) == key]
            return [table.rows[u].view(table) for u in found]

    def get(self, *values: Any) -> Row | None:
        """The one matching row, None when there is none; ValueError when there are several."""
        rows = self.lookup(*values)
        if len(rows) > 1:
            raise ValueError(f"{self.table.name}: {len(rows)} rows with {self.columns}={values}")
        return rows[0] if rows else None

    def __contains__(self, value: Any) -> bool:
        values = value if isinstance(value, tuple) and len(self.columns) > 1 else (value,)
        with self.table.lock:
            return self._lookup_key(values) in self._map

    def __len__(self) -> int:
        return len(self._map)


class MemberIndex:
    """Rows of one table by the elements of one set column: ``lookup(value)`` is the rows whose
    ``column`` holds ``value`` — for a column of references, the rows that refer to a given row
    (the switch holding a port). Kept up to date from each update's diff, so a change of a big
    set costs the size of the change, not of the set."""

    __slots__ = ("table", "column", "_map")

    def __init__(self, table: TableReplica, column: str):
        ctype = table.columns.get(column)
        if ctype is None:
            raise KeyError(f"{table.name} has no monitored column {column!r}")
        if ctype.kind != SET:
            raise ValueError(f"{table.name}.{column} is not a set column")
        self.table = table
        self.column = column
        self._map: dict[Any, set[str]] = {}
        for state in table.rows.values():
            self._add(state.uuid, state.values[column])

    def _add(self, uuid: str, elements: Any) -> None:
        m = self._map
        for e in elements:
            bucket = m.get(e)
            if bucket is None:
                m[e] = {uuid}
            else:
                bucket.add(uuid)

    def _remove(self, uuid: str, elements: Any) -> None:
        m = self._map
        for e in elements:
            bucket = m.get(e)
            if bucket is not None:
                bucket.discard(uuid)
                if not bucket:
                    del m[e]

    def _toggle(self, uuid: str, toggled: Iterable[Any], now: Any) -> None:
        """After ``now ^= toggled``: each toggled element is now in ``now`` or left it."""
        for e in toggled:
            if e in now:
                self._add(uuid, (e,))
            else:
                self._remove(uuid, (e,))

    def uuids(self, value: Any) -> list[str]:
        with self.table.lock:
            return list(self._map.get(_ref(value), ()))

    def lookup(self, value: Any) -> list[Row]:
        table = self.table
        with table.lock:
            return [table.rows[u].view(table) for u in self._map.get(_ref(value), ())]

    def __contains__(self, value: Any) -> bool:
        return _ref(value) in self._map


class TableReplica:
    """The rows of one monitored table (only the monitored columns)."""

    def __init__(self, replica: Replica, schema: TableSchema, columns: Iterable[str]):
        self.replica = replica
        self.lock = replica.lock
        self.name = schema.name
        self.schema = schema
        self.columns: dict[str, ColumnType] = {c: schema.columns[c].type for c in columns}
        self.rows: dict[str, RowState] = {}
        self.indexes: dict[tuple[str, ...], Index] = {}
        self._indexed: set[str] = set()
        self.member_indexes: dict[str, MemberIndex] = {}
        self.converters: dict[str, Any] = {}
        self._defaults: dict[str, Any] = {c: t.default() for c, t in self.columns.items()}
        self.update_converters()

    def update_converters(self) -> None:
        resolve = self.replica._resolve if self.replica.resolve_refs else None
        self.converters = {c: make_converter(t, resolve) for c, t in self.columns.items()}

    # --- reading ------------------------------------------------------------------------------

    def get(self, uuid: str) -> Row | None:
        with self.lock:
            state = self.rows.get(uuid)
            return None if state is None else state.view(self)

    def __getitem__(self, uuid: str) -> Row:
        row = self.get(uuid)
        if row is None:
            raise KeyError(f"{self.name} has no row {uuid}")
        return row

    def __contains__(self, uuid: object) -> bool:
        return uuid in self.rows

    def __len__(self) -> int:
        return len(self.rows)

    def all(self) -> list[Row]:
        """Every row, as snapshots taken at one instant."""
        with self.lock:
            return [s.view(self) for s in self.rows.values()]

    def canonical_rows(self) -> dict[str, dict[str, Any]]:
        """uuid -> every row as a new dict in canonical form (each monitored column, plus
        ``_uuid``), all under one hold of the lock: what :meth:`Row.to_dict` gives row by row,
        without a Row view per row (the ctl tools' and ovn-trace's load of a whole table)."""
        sets = [c for c, t in self.columns.items() if t.kind == SET]
        maps = [c for c, t in self.columns.items() if t.kind == MAP]
        out: dict[str, dict[str, Any]] = {}
        with self.lock:
            for uuid, state in self.rows.items():
                row = dict(state.values)
                for c in sets:
                    row[c] = frozenset(row[c])
                for c in maps:
                    row[c] = dict(row[c])
                row["_uuid"] = uuid
                out[uuid] = row
        return out

    def __iter__(self) -> Iterator[Row]:
        return iter(self.all())

    def where(self, **columns: Any) -> list[Row]:
        """Rows whose columns equal the given python-friendly values (a scan unless indexed)."""
        cols = tuple(columns)
        idx = self.indexes.get(cols)
        if idx is not None:
            return idx.lookup(*columns.values())
        kinds = {c: self.columns[c].kind for c in cols}
        wanted = {c: _user_key(kinds[c], v) for c, v in columns.items()}
        with self.lock:
            return [
                s.view(self)
                for s in self.rows.values()
                if all(_hashable(kinds[c], s.values[c]) == w for c, w in wanted.items())
            ]

    def select(self, where: list[Any] | Condition) -> list[Row]:
        """Rows matching an RFC 7047 where-list (a conjunction, as in a select operation).

        The clauses are parsed and evaluated by :mod:`pyovn.ovsdb.condition`, exactly as the
        server would; they may only name monitored columns (and ``_uuid``).
        """
        cond = where if isinstance(where, Condition) else compile_where(self.schema, where)
        match = cond.match
        with self.lock:
            if cond.uuid_eq is not None:
                state = self.rows.get(cond.uuid_eq)
                candidates = [state] if state is not None else []
            else:
                candidates = list(self.rows.values())
            return [
                s.view(self)
                for s in candidates
                if match(CondRow(s.uuid, s.values))  # type: ignore[arg-type]
            ]

    def index(self, *columns: str) -> Index:
        """The index on ``columns``, built now if it does not exist yet."""
        with self.lock:
            idx = self.indexes.get(columns)
            if idx is None:
                idx = Index(self, columns)
                self.indexes[columns] = idx
                self._indexed.update(columns)
            return idx

    def member_index(self, column: str) -> MemberIndex:
        """The index of rows by the elements of set ``column``, built now if need be."""
        with self.lock:
            idx = self.member_indexes.get(column)
            if idx is None:
                idx = MemberIndex(self, column)
                self.member_indexes[column] = idx
            return idx

    # --- writing (under the replica lock, from Replica) -----------------------------------------

    def _new_state(self, uuid: str, row_json: dict[str, Any] | None) -> RowState:
        values: dict[str, Any] = {}
        row_json = row_json or {}
        for c, t in self.columns.items():
            j = row_json.get(c, MISSING)
            if j is MISSING:
                v = self._defaults[c]
            else:
                v = datum_from_json(t, j)
            kind = t.kind
            if kind == SCALAR:
                values[c] = v
            elif kind == MAP:
                values[c] = dict(v)
            else:
                values[c] = set(v)
        return RowState(uuid, values)

    def _insert(self, state: RowState) -> None:
        self.rows[state.uuid] = state
        for idx in self.indexes.values():
            idx._add(state)
        for midx in self.member_indexes.values():
            midx._add(state.uuid, state.values[midx.column])

    def _delete(self, uuid: str) -> RowState | None:
        state = self.rows.pop(uuid, None)
        if state is not None:
            for idx in self.indexes.values():
                idx._remove(uuid)
            for midx in self.member_indexes.values():
                midx._remove(uuid, state.values[midx.column])
        return state

    def _reindex(self, state: RowState, changed: Iterable[str]) -> None:
        if self._indexed and not self._indexed.isdisjoint(changed):
            for cols, idx in self.indexes.items():
                if not idx.columns or not set(cols).isdisjoint(changed):
                    idx._update(state)

    def _modify2(
        self, state: RowState, diff_row: dict[str, Any], want_old: bool
    ) -> dict[str, tuple[str, Any]]:
        """Apply one update2 "modify"; returns the OldRow changes (empty if not want_old)."""
        state.prepare_write()
        changes: dict[str, tuple[str, Any]] = {}
        columns = self.columns
        for c, j in diff_row.items():
            t = columns.get(c)
            if t is None:
                continue  # a column we did not ask for (a server may send more)
            kind = t.kind
            if kind == SCALAR:
                old = state.values[c]
                state.replace(c, atom_from_json(t.key, j))
                if want_old:
                    changes[c] = ("value", old)
            elif kind == MAP:
                d = diff_from_json(t, j)
                if t.max == 1:
                    # Like single-element sets below: a one-pair map may come as its new value.
                    cur = state.values[c]
                    new = _apply_single_map(cur, d)
                    state.replace(c, new)
                    if want_old:
                        changes[c] = ("value", cur)
                    continue
                m = state.writable(c)
                rec: dict[Any, Any] = {}
                for k, v in d.items():
                    old = m.get(k, MISSING)
                    if old is MISSING or old != v:
                        m[k] = v
                    else:
                        del m[k]
                    rec[k] = old
                if want_old:
                    changes[c] = ("diff", rec)
            else:
                d = diff_from_json(t, j)
                if t.max == 1:
                    # ovsdb-server sends the *new value* for a column of at most one element
                    # (observed with OVS 3.1: tag 5 -> 6 arrives as 6), not the symmetric
                    # difference; accept the symmetric-difference form too.
                    cur = state.values[c]
                    new_set = set(cur ^ d) if len(d) == 2 or (d and d == cur) else set(d)
                    midx = self.member_indexes.get(c)
                    if midx is not None:
                        midx._remove(state.uuid, cur)
                        midx._add(state.uuid, new_set)
                    state.replace(c, new_set)
                    if want_old:
                        changes[c] = ("value", cur)
                    continue
                s = state.writable(c)
                s ^= d
                midx = self.member_indexes.get(c)
                if midx is not None:
                    midx._toggle(state.uuid, d, s)
                if want_old:
                    changes[c] = ("diff", d)
        return changes

    def _replace_values(
        self, state: RowState, values: dict[str, Any], only: Iterable[str] | None, want_old: bool
    ) -> dict[str, tuple[str, Any]]:
        """Set whole column values (update v1 and resets); returns the columns that changed."""
        changes: dict[str, tuple[str, Any]] = {}
        cur = state.values
        for c in values if only is None else only:
            if c not in self.columns:
                continue
            new = values[c]
            if cur[c] != new:
                changes[c] = ("value", cur[c])
        if changes:
            state.prepare_write()
            for c in changes:
                midx = self.member_indexes.get(c)
                if midx is not None:
                    midx._remove(state.uuid, cur[c])
                    midx._add(state.uuid, values[c])
                state.replace(c, values[c])
        return changes


def _apply_single_map(cur: dict[Any, Any], d: dict[Any, Any]) -> dict[Any, Any]:
    if len(d) <= 1 and not (d and d.items() <= cur.items()):
        return dict(d)  # the new value
    out = dict(cur)
    for k, v in d.items():
        if k in out and out[k] == v:
            del out[k]
        else:
            out[k] = v
    return out


class Replica:
    """Replicated tables of one database, with indexes and change events.

    ``tables`` maps table name -> the columns to keep (None = all columns); None = every table.
    """

    def __init__(
        self,
        schema: DatabaseSchema,
        tables: dict[str, Iterable[str] | None] | None = None,
        *,
        resolve_refs: bool = False,
    ):
        self.schema = schema
        self.lock = threading.RLock()
        self.resolve_refs = resolve_refs
        self.tables: dict[str, TableReplica] = {}
        self._event_tables: set[str] = set()
        wanted = tables if tables is not None else {t: None for t in schema.tables}
        for name, cols in wanted.items():
            ts = schema.tables.get(name)
            if ts is None:
                raise KeyError(f"database {schema.name} has no table {name!r}")
            if cols is None:
                cols = list(ts.user_columns)
            else:
                cols = list(cols)
                for c in cols:
                    if c not in ts.user_columns:
                        raise KeyError(f"table {name} has no column {c!r}")
            self.tables[name] = TableReplica(self, ts, cols)

    def __getitem__(self, table: str) -> TableReplica:
        return self.tables[table]

    def _resolve(self, table: str, uuid: str) -> Any:
        t = self.tables.get(table)
        if t is None:
            return uuid
        state = t.rows.get(uuid)
        return None if state is None else state.view(t)

    def want_events(self, table: str, on: bool = True) -> None:
        """Ask for RowEvents of ``table`` (costs a snapshot object per changed row)."""
        if on:
            self._event_tables.add(table)
        else:
            self._event_tables.discard(table)

    def get(self, table: str, uuid: str) -> Row | None:
        return self.tables[table].get(uuid)

    # --- applying -----------------------------------------------------------------------------

    def apply_update2(self, updates: dict[str, Any]) -> list[RowEvent]:
        """Apply a <table-updates2> (update2/update3 notification or a delta monitor reply)."""
        events: list[RowEvent] = []
        with self.lock:
            for tname, rows in updates.items():
                table = self.tables.get(tname)
                if table is None:
                    continue
                want = tname in self._event_tables
                trows = table.rows
                for uuid, ru in rows.items():
                    if "modify" in ru:
                        state = trows.get(uuid)
                        if state is None:
                            raise ReplicaInconsistency(f"{tname}: modify of unknown row {uuid}")
                        diff_row = ru["modify"] or {}
                        changes = table._modify2(state, diff_row, want)
                        table._reindex(state, diff_row)
                        if want:
                            row = state.view(table)
                            events.append(RowEvent(UPDATE, tname, row, OldRow(row, changes)))
                    elif "delete" in ru:
                        state = table._delete(uuid)
                        if state is not None and want:
                            events.append(RowEvent(DELETE, tname, state.view(table)))
                    else:
                        row_json = ru.get("insert", ru.get("initial"))
                        if row_json is None and "insert" not in ru and "initial" not in ru:
                            raise ReplicaInconsistency(f"{tname}: bad row update {ru!r}")
                        self._put(table, uuid, table._new_state(uuid, row_json), want, events)
        return events

    def apply_update(self, updates: dict[str, Any]) -> list[RowEvent]:
        """Apply an RFC 7047 <table-updates> ("old"/"new" rows; update notification)."""
        events: list[RowEvent] = []
        with self.lock:
            for tname, rows in updates.items():
                table = self.tables.get(tname)
                if table is None:
                    continue
                want = tname in self._event_tables
                for uuid, ru in rows.items():
                    new = ru.get("new")
                    if new is None:
                        state = table._delete(uuid)
                        if state is not None and want:
                            events.append(RowEvent(DELETE, tname, state.view(table)))
                        continue
                    fresh = table._new_state(uuid, new)
                    self._put(table, uuid, fresh, want, events, only=ru.get("old"))
        return events

    def _put(
        self,
        table: TableReplica,
        uuid: str,
        fresh: RowState,
        want: bool,
        events: list[RowEvent],
        only: Iterable[str] | None = None,
    ) -> None:
        """Insert ``fresh``, or turn an existing row into it (reporting what changed)."""
        state = table.rows.get(uuid)
        if state is None:
            table._insert(fresh)
            if want:
                events.append(RowEvent(CREATE, table.name, fresh.view(table)))
            return
        changes = table._replace_values(state, fresh.values, only, True)
        if changes:
            table._reindex(state, changes)
            if want:
                row = state.view(table)
                events.append(RowEvent(UPDATE, table.name, row, OldRow(row, changes)))

    def reset(self, updates: dict[str, Any], version: int = 2) -> list[RowEvent]:
        """Replace the contents with a full snapshot (a monitor reply without history).

        ``version`` 2 reads <table-updates2>, 1 reads <table-updates>. Only real differences
        produce events.
        """
        events: list[RowEvent] = []
        with self.lock:
            for tname, table in self.tables.items():
                want = tname in self._event_tables
                rows = updates.get(tname) or {}
                seen = set()
                for uuid, ru in rows.items():
                    row_json = (
                        ru.get("new") if version == 1 else ru.get("initial", ru.get("insert"))
                    )
                    if row_json is None:
                        continue
                    seen.add(uuid)
                    self._put(table, uuid, table._new_state(uuid, row_json), want, events)
                for uuid in [u for u in table.rows if u not in seen]:
                    state = table._delete(uuid)
                    if state is not None and want:
                        events.append(RowEvent(DELETE, tname, state.view(table)))
        return events

    def clear(self) -> list[RowEvent]:
        return self.reset({})

    def monitor_requests(self, conditions: dict[str, list[Any]] | None = None) -> dict[str, Any]:
        """The <monitor-cond-requests> object for monitor_cond(_since), one entry per table."""
        out: dict[str, Any] = {}
        for name, table in self.tables.items():
            req: dict[str, Any] = {"columns": list(table.columns)}
            if conditions is not None and conditions.get(name) is not None:
                req["where"] = conditions[name]
            out[name] = [req]
        return out

    def snapshot(self) -> dict[str, dict[str, dict[str, Any]]]:
        """table -> uuid -> canonical row dict (monitored columns): for tests and debugging."""
        with self.lock:
            return {name: t.canonical_rows() for name, t in self.tables.items()}
