"""Tables and indexes in memory; commits change sets; converts to/from file records.

A :class:`Database` holds one :class:`StoredTable` per schema table: ``rows`` (uuid -> row dict,
never mutated in place) and one dict per unique index (index key -> uuid).  It also keeps reverse
reference counts: ``refcount`` (strong references to each row, for referential integrity and
garbage collection) and ``weak_in`` (which rows weakly reference each row, so deleting a row
finds the references to drop without scanning).  ``commit`` updates all of these in time
proportional to the change set.

``transact`` runs one transaction (see ``txn``) against the current content without changing
it; the caller commits the returned change set right away (nothing may commit in between).
``apply_record``/``record_of``/``snapshot_record`` convert between change sets and the records
of the standalone file format of ovsdb(5), including OVS 3.1's ``"_is_diff": true`` records.
A bounded history of committed change sets with their transaction ids serves
monitor_cond_since: by default a deque of ``history_limit`` entries; with
``set_history_limit(n, by_atoms=True)`` it is bounded as ovsdb-server bounds a clustered
database's history (at most n transactions, and while more than one is kept, no more atoms in them
than in the whole database, atoms counted as OVS counts them: one per set element, two per map
pair, ``_uuid`` and ``_version`` included).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from operator import itemgetter
from typing import Any

from pyovn.ovsdb import txn as _txn  # a module object: safe whichever module loads first
from pyovn.ovsdb.data import (
    apply_diff,
    check_datum,
    datum_diff,
    datum_from_json_unchecked,
    datum_to_json,
    diff_to_json,
    new_uuid,
)
from pyovn.ovsdb.errors import OvsdbError, SyntaxError_
from pyovn.ovsdb.schema import DatabaseSchema, TableSchema
from pyovn.ovsdb.types import MAP, SCALAR, STRING, UINT_MAX, UUID, ColumnType

__all__ = ["Database", "StoredTable", "TableInfo", "RefColumn", "TransactOutcome", "ChangeSet",
           "RowValues", "changed_columns", "index_key", "hashable"]

RowValues = dict[str, Any]
ChangeSet = dict[str, dict[str, tuple[RowValues | None, RowValues | None]]]


def hashable(value: Any) -> Any:
    """A hashable stand-in for a value (maps become sorted item tuples)."""
    if type(value) is dict:
        return tuple(sorted(value.items()))
    return value


def index_key(row: RowValues, columns: tuple[str, ...]) -> tuple:
    return tuple(hashable(row[c]) for c in columns)


def changed_columns(old: RowValues, new: RowValues) -> set[str]:
    """Columns whose values differ between two versions of a row (``_version`` excluded)."""
    return {c for c, v in new.items() if c != "_version" and old.get(c) != v}


class RefColumn:
    """A column holding references: which tables its keys/values refer to."""

    __slots__ = ("name", "type", "kind", "key_table", "value_table")

    def __init__(self, name: str, ctype: ColumnType, key_table: str | None,
                 value_table: str | None) -> None:
        self.name = name
        self.type = ctype
        self.kind = ctype.kind
        self.key_table = key_table
        self.value_table = value_table

    def refs(self, value: Any) -> list[tuple[str, str]]:
        """(table, uuid) of every reference in ``value`` (with repetitions)."""
        out: list[tuple[str, str]] = []
        kt, vt = self.key_table, self.value_table
        if self.kind == SCALAR:
            if kt:
                out.append((kt, value))
        elif self.kind == MAP:
            if kt:
                out.extend((kt, k) for k in value)
            if vt:
                out.extend((vt, v) for v in value.values())
        elif kt:
            out.extend((kt, k) for k in value)
        return out

    def delta(self, old: Any, new: Any, hint: tuple[frozenset, frozenset] | None = None
              ) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        """(removed, added) references going from ``old`` to ``new`` (either may be None).
        ``hint``: the (removed, added) atoms of a set, when already known."""
        if hint is not None and self.kind != MAP and self.kind != SCALAR:
            return self.refs(hint[0]), self.refs(hint[1])
        if old is None:
            return [], self.refs(new)
        if new is None:
            return self.refs(old), []
        if old == new:
            return [], []
        kind = self.kind
        if kind == SCALAR:
            return self.refs(old), self.refs(new)
        if kind != MAP:
            return self.refs(old - new), self.refs(new - old)
        return self._map_refs_not_in(old, new), self._map_refs_not_in(new, old)

    def _map_refs_not_in(self, a: dict[Any, Any], b: dict[Any, Any]) -> list[tuple[str, str]]:
        """The references of the pairs of map ``a`` that map ``b`` does not have (key, then
        value, pair by pair)."""
        kt, vt = self.key_table, self.value_table
        out: list[tuple[str, str]] = []
        for k, v in a.items():
            if k not in b or b[k] != v:
                if kt:
                    out.append((kt, k))
                if vt:
                    out.append((vt, v))
        return out


class TableInfo:
    """Facts derived once from a table schema for the engine's hot paths."""

    __slots__ = ("schema", "name", "types", "defaults", "bad_defaults", "strong", "weak",
                 "persistent", "indexes", "is_root", "max_rows", "user_columns", "plain_strings",
                 "strong_names", "weak_names", "ref_names", "ref_values", "uuid_columns", "string_maps", "plain_inserts",
                 "persistent_cols")

    def __init__(self, ts: TableSchema) -> None:
        self.schema = ts
        self.name = ts.name
        self.is_root = ts.is_root
        self.max_rows = ts.max_rows
        self.types: dict[str, ColumnType] = {n: c.type for n, c in ts.columns.items()}
        # String columns with no constraints: a JSON string is their value as it is.
        self.plain_strings: frozenset[str] = frozenset(
            n for n, t in self.types.items()
            if t.kind == SCALAR and t.key.type == STRING and t.key.check is None)
        self.user_columns: tuple[str, ...] = tuple(ts.user_columns)
        # Maps of strings to strings without constraints (data.string_map_from_json).
        self.string_maps: frozenset[str] = frozenset(
            n for n, t in self.types.items()
            if t.kind == MAP and t.value is not None and t.key.type == STRING
            and t.value.type == STRING and t.key.check is None and t.value.check is None)
        # Columns (_uuid and _version too) with uuid keys or values: the only ones whose JSON
        # may hold a named-uuid.
        self.uuid_columns: frozenset[str] = frozenset(
            n for n, t in self.types.items()
            if t.key.type == UUID or (t.value is not None and t.value.type == UUID))
        self.defaults: dict[str, Any] = {n: c.type.default() for n, c in
                                         ts.user_columns.items()}
        # Columns whose default value breaks their own constraints (OVS checks these on
        # insert when the column is not given).
        self.bad_defaults: list[tuple[str, Any]] = []
        for n, c in ts.user_columns.items():
            d = self.defaults[n]
            if c.type.kind != SCALAR and len(d) != 1:
                continue
            try:
                check_datum(c.type, d)
            except OvsdbError:
                self.bad_defaults.append((n, c.type))
        self.strong: list[RefColumn] = []
        self.weak: list[RefColumn] = []
        for n, c in ts.user_columns.items():
            k, v = c.type.key, c.type.value
            for lst, strong in ((self.strong, True), (self.weak, False)):
                kt = k.ref_table if (k.is_strong_ref if strong else k.is_weak_ref) else None
                vt = None
                if v is not None:
                    vt = v.ref_table if (v.is_strong_ref if strong else v.is_weak_ref) else None
                if kt or vt:
                    lst.append(RefColumn(n, c.type, kt, vt))
        self.persistent: tuple[str, ...] = tuple(n for n, c in ts.user_columns.items()
                                                 if c.persistent)
        # The reference columns' names: ``any(map(row.__getitem__, names))`` tells in one C
        # loop whether a row refers to anything (empty sets and maps are false, a uuid true).
        self.strong_names: tuple[str, ...] = tuple(rc.name for rc in self.strong)
        self.weak_names: tuple[str, ...] = tuple(rc.name for rc in self.weak)
        self.ref_names: tuple[str, ...] = self.strong_names + self.weak_names
        # ``any(info.ref_values(row))``: whether a row refers to anything, in one C call, or
        # None when the table has no reference column.  (A name given twice: itemgetter of one
        # name would return the value, not a tuple.)
        names = self.ref_names * 2 if len(self.ref_names) == 1 else self.ref_names
        self.ref_values: Callable[[RowValues], tuple] | None = itemgetter(*names) if names else None
        self.indexes: list[tuple[str, ...]] = list(ts.indexes)
        # An inserted row that refers to nothing needs no commit-time check but the unique
        # indexes when its table is a root table (nothing to garbage-collect) without maxRows
        # (commitcheck.check_plain_inserts).
        self.plain_inserts: bool = ts.is_root and ts.max_rows == UINT_MAX
        # (name, default, type, JSON form is the value itself) of each persistent column, for
        # record_of of inserted rows.
        self.persistent_cols: tuple[tuple[str, Any, ColumnType, bool], ...] = tuple(
            (n, self.defaults[n], self.types[n],
             self.types[n].kind == SCALAR and self.types[n].key.type != UUID)
            for n in self.persistent)


class StoredTable:
    """The rows of one table and its unique indexes."""

    __slots__ = ("info", "rows", "indexes")

    def __init__(self, info: TableInfo) -> None:
        self.info = info
        self.rows: dict[str, RowValues] = {}
        self.indexes: list[dict[tuple, str]] = [{} for _ in info.indexes]

    @property
    def schema(self) -> TableSchema:
        return self.info.schema


class TransactOutcome:
    """What one transaction produced (see docs/CONTRACTS.md)."""

    __slots__ = ("results", "changes", "blocked", "durable", "comment", "timeout_ms",
                 "base_index", "error")

    def __init__(self, results: list, changes: ChangeSet | None, blocked: bool = False,
                 durable: bool = False, comment: str | None = None,
                 timeout_ms: float | None = None, base_index: int = 0,
                 error: OvsdbError | None = None) -> None:
        self.results = results
        self.changes = changes
        self.blocked = blocked
        self.durable = durable
        self.comment = comment
        # Smallest "timeout" of the wait operations (when blocked: retry by then).
        self.timeout_ms = timeout_ms
        # Database.txn_index the transaction ran against.
        self.base_index = base_index
        self.error = error

    def __repr__(self) -> str:
        return (f"TransactOutcome(results={self.results!r}, blocked={self.blocked}, "
                f"changes={'yes' if self.changes else 'no'})")


class Database:
    """An OVSDB database in memory."""

    def __init__(self, schema: DatabaseSchema, *, history_limit: int = 100) -> None:
        self.schema = schema
        self.name = schema.name
        self.infos: dict[str, TableInfo] = {n: TableInfo(t) for n, t in schema.tables.items()}
        self.tables: dict[str, StoredTable] = {n: StoredTable(i) for n, i in self.infos.items()}
        self.has_gc = any(not i.is_root for i in self.infos.values())
        self.refcount: dict[str, int] = {}
        self.weak_in: dict[str, dict[tuple[str, str], int]] = {}
        self.txn_index = 0
        self.last_txn_id: str | None = None
        self.history: deque[tuple[str, ChangeSet]] = deque(maxlen=history_limit)
        # Atom-bounded history (clustered databases): off unless set_history_limit(by_atoms=True).
        self._by_atoms = False
        self._history_limit = history_limit
        self._history_atoms: deque[int] = deque()
        self.n_atoms = 0             # atoms in the database (tracked only when _by_atoms)
        self.n_history_atoms = 0     # atoms in the history's transactions
        self.defer_prune = False     # replaying a log: prune once at the end (prune_history)
        # Set diffs known from the last transaction's mutations, valid for its change set only.
        self._hints: dict[tuple[str, str, str], tuple[frozenset, frozenset]] = {}
        self._hinted: ChangeSet | None = None
        # The same for the change set committed last (monitors and record_of use them to turn
        # a mutated set into its update2 diff without comparing the whole old and new sets).
        self._committed_hints: dict[tuple[str, str, str], tuple[frozenset, frozenset]] = {}
        self._committed: ChangeSet | None = None

    # -- history ----------------------------------------------------------------------------------
    def set_history_limit(self, limit: int, *, by_atoms: bool = False) -> None:
        """Bound the history to 'limit' transactions, and with 'by_atoms' also by atoms as
        ovsdb-server bounds a clustered database's history (the history is then emptied:
        call this before the first commit)."""
        self._history_limit = limit
        self._by_atoms = by_atoms
        if by_atoms:
            self.history = deque()
            self._history_atoms = deque()
            self.n_history_atoms = 0
            self.n_atoms = sum(self._row_atoms(t.info, r) for t in self.tables.values()
                               for r in t.rows.values())
        else:
            self.history = deque(self.history, maxlen=limit)

    @staticmethod
    def _row_atoms(info: TableInfo, row: RowValues) -> int:
        n = 2                        # _uuid and _version
        types = info.types
        for c in info.user_columns:
            kind = types[c].kind
            if kind == SCALAR:
                n += 1
            elif kind == MAP:
                n += 2 * len(row[c])
            else:
                n += len(row[c])
        return n

    def _txn_atoms(self, changes: ChangeSet) -> tuple[int, int]:
        """(atoms of the changed rows' old and new versions, change of the database's atoms)."""
        total = diff = 0
        for tname, trows in changes.items():
            info = self.infos[tname]
            for old, new in trows.values():
                if old is not None and new is not None and not changed_columns(old, new):
                    continue
                a_old = self._row_atoms(info, old) if old is not None else 0
                a_new = self._row_atoms(info, new) if new is not None else 0
                total += a_old + a_new
                diff += a_new - a_old
        return total, diff

    def prune_history(self) -> None:
        """Drop the oldest transactions while more than one is kept and there are more than
        the limit or (atom-bounded) more atoms in them than in the database."""
        if not self._by_atoms:
            return
        hist, atoms = self.history, self._history_atoms
        while len(hist) > 1 and (len(hist) > self._history_limit
                                 or self.n_history_atoms > self.n_atoms):
            hist.popleft()
            self.n_history_atoms -= atoms.popleft()

    # -- queries ----------------------------------------------------------------------------------
    def get_row(self, table: str, uuid: str) -> RowValues | None:
        return self.tables[table].rows.get(uuid)

    # -- transactions -----------------------------------------------------------------------------
    def transact(self, ops: list, *, read_only: bool = False,
                 locks: frozenset[str] | set[str] = frozenset(), now_ms: float = 0.0,
                 started_ms: float | None = None, role: str | None = None,
                 client: str | None = None) -> TransactOutcome:
        """Run ``ops`` (the transact params after the database name); does not commit.
        ``role``/``client``: the session's RBAC role and id (:mod:`pyovn.ovsdb.rbac`)."""
        elapsed = 0.0
        if started_ms is not None and now_ms > started_ms:     # (max(0, now - started))
            elapsed = now_ms - started_ms
        result, txn = _txn._execute(self, ops, read_only, locks, elapsed, role, client)
        changes = result.changes
        self._hints = txn.hints if changes else {}
        self._hinted = changes
        return result

    def commit(self, changes: ChangeSet, *, comment: str | None = None,
               txn_id: str | None = None) -> int:
        """Apply a change set; rows must already carry their new ``_version``.  Returns the
        new transaction index."""
        refcount = self.refcount
        weak_in = self.weak_in
        hints = self._hints if changes is self._hinted else {}
        self._hints, self._hinted = {}, None
        self._committed_hints, self._committed = hints, changes
        tables = self.tables
        for tname, trows in changes.items():
            table = tables[tname]
            info = table.info
            rows = table.rows
            ref_values = info.ref_values
            for uuid, (old, new) in trows.items():
                if old is None and new is not None and (ref_values is None
                                                        or not any(ref_values(new))):
                    # An inserted row that refers to nothing (most inserts): no reference
                    # counts to change, only its index keys to add.
                    rows[uuid] = new
                    if info.indexes:
                        for i, cols in enumerate(info.indexes):
                            table.indexes[i][index_key(new, cols)] = uuid
                    continue
                if new is None:
                    rows.pop(uuid, None)
                else:
                    rows[uuid] = new
                for i, cols in enumerate(info.indexes):
                    idx = table.indexes[i]
                    if old is not None:
                        k = index_key(old, cols)
                        if idx.get(k) == uuid:
                            del idx[k]
                    if new is not None:
                        idx[index_key(new, cols)] = uuid
                for rc in info.strong:
                    c = rc.name
                    if old is None:
                        ov = None
                        nv = new[c] if new is not None else None
                        if not nv:
                            continue    # (most columns of most inserted rows)
                    else:
                        ov = old[c]
                        nv = new[c] if new is not None else None
                        if ov is nv or (nv is None and not ov):
                            continue
                    removed, added = rc.delta(ov, nv, hints.get((tname, uuid, c)))
                    for _, u in removed:
                        if u == uuid:
                            continue    # self-references are not counted
                        n = refcount.get(u, 0) - 1
                        if n > 0:
                            refcount[u] = n
                        else:
                            refcount.pop(u, None)
                    for _, u in added:
                        if u != uuid:
                            refcount[u] = refcount.get(u, 0) + 1
                for rc in info.weak:
                    c = rc.name
                    if old is None:
                        ov = None
                        nv = new[c] if new is not None else None
                        if not nv:
                            continue
                    else:
                        ov = old[c]
                        nv = new[c] if new is not None else None
                        if ov is nv or (nv is None and not ov):
                            continue
                    removed, added = rc.delta(ov, nv, hints.get((tname, uuid, c)))
                    src = (tname, uuid)
                    for _, u in removed:
                        d = weak_in.get(u)
                        if d is not None:
                            n = d.get(src, 0) - 1
                            if n > 0:
                                d[src] = n
                            else:
                                d.pop(src, None)
                                if not d:
                                    del weak_in[u]
                    for _, u in added:
                        d = weak_in.setdefault(u, {})
                        d[src] = d.get(src, 0) + 1
        self.txn_index += 1
        self.last_txn_id = txn_id or new_uuid()
        if self._by_atoms:
            total, diff = self._txn_atoms(changes)
            self.n_atoms += diff
            self.history.append((self.last_txn_id, changes))
            self._history_atoms.append(total)
            self.n_history_atoms += total
            if not self.defer_prune:
                self.prune_history()
        else:
            self.history.append((self.last_txn_id, changes))
        return self.txn_index

    def set_diff_hints(self, changes: ChangeSet
                       ) -> dict[tuple[str, str, str], tuple[frozenset, frozenset]]:
        """For the change set committed last: (table, uuid, column) -> (removed, added) atoms
        of set columns changed only by mutate insert/delete, i.e. exactly old - new and
        new - old, known without comparing the sets.  Empty for any other change set."""
        return self._committed_hints if changes is self._committed else {}

    def changes_since(self, txn_id: str) -> list[ChangeSet] | None:
        """The change sets committed after ``txn_id``, or None if it is not in the history."""
        if txn_id == self.last_txn_id:
            return []
        for i, (tid, _) in enumerate(self.history):
            if tid == txn_id:
                return [c for _, c in list(self.history)[i + 1:]]
        return None

    # -- file records -----------------------------------------------------------------------------
    def record_of(self, changes: ChangeSet, comment: str | None = None,
                  date_ms: int | None = None, *, is_diff: bool = True) -> dict | None:
        """The file record of a change set (None if nothing persistent changed).  With
        ``is_diff`` (what ovsdb-server 3.1 writes) modified sets and maps are written as
        update2-style diffs; otherwise modified columns carry their full new values."""
        rec: dict[str, Any] = {}
        hints = self._committed_hints if changes is self._committed else {}  # set_diff_hints
        infos = self.infos
        for tname, trows in changes.items():
            info = infos[tname]
            types = info.types
            out: dict[str, Any] = {}
            for uuid, (old, new) in trows.items():
                if new is None:
                    if old is not None:
                        out[uuid] = None
                    continue
                row_json: dict[str, Any] = {}
                if old is None:
                    for c, d, t, plain in info.persistent_cols:
                        v = new[c]
                        # (columns an insert did not set hold the very default object)
                        if v is not d and v != d:
                            row_json[c] = v if plain else datum_to_json(t, v)
                else:
                    for c in info.persistent:
                        v = new[c]
                        ov = old[c]
                        if hints and is_diff:
                            h = hints.get((tname, uuid, c))
                            if h is not None:
                                # A mutated set: its diff is known, O(diff) not O(set).
                                if h[0] or h[1]:
                                    row_json[c] = diff_to_json(types[c], h[0] | h[1])
                                continue
                        if v is not ov and v != ov:
                            t = types[c]
                            if is_diff and t.kind != SCALAR:
                                row_json[c] = diff_to_json(t, datum_diff(t, ov, v))
                            else:
                                row_json[c] = datum_to_json(t, v)
                    if not row_json:
                        continue
                out[uuid] = row_json
            if out:
                rec[tname] = out
        if not rec:
            return None
        if date_ms is not None:
            rec["_date"] = int(date_ms)
        if comment:
            rec["_comment"] = comment
        if is_diff:
            rec["_is_diff"] = True
        return rec

    def snapshot_record(self, date_ms: int | None = None,
                        comment: str | None = None) -> dict:
        """The whole content as one record (compaction)."""
        changes: ChangeSet = {t: {u: (None, r) for u, r in table.rows.items()}
                              for t, table in self.tables.items() if table.rows}
        rec = self.record_of(changes, comment, date_ms, is_diff=False) or {}
        if date_ms is not None:
            rec.setdefault("_date", int(date_ms))
        return rec

    def apply_record(self, record: dict, *, txn_id: str | None = None) -> ChangeSet:
        """Replay one file record and commit it (as transaction 'txn_id', e.g. a Raft entry's
        eid); returns the change set."""
        if not isinstance(record, dict):
            raise SyntaxError_("transaction record must be a JSON object", record)
        is_diff = record.get("_is_diff") is True
        changes: ChangeSet = {}
        for tname, trows in record.items():
            if tname.startswith("_"):
                continue
            table = self.tables.get(tname)
            if table is None:
                raise SyntaxError_(f"No table named {tname}.", record)
            if not isinstance(trows, dict):
                raise SyntaxError_(f"records for table {tname} must be a JSON object", trows)
            info = table.info
            out: dict[str, tuple[RowValues | None, RowValues | None]] = {}
            for uuid, row_json in trows.items():
                old = table.rows.get(uuid)
                if row_json is None:
                    if old is None:
                        raise SyntaxError_(f"transaction deletes row {uuid} that does not "
                                           "exist", record)
                    out[uuid] = (old, None)
                    continue
                if not isinstance(row_json, dict):
                    raise SyntaxError_(f"row {uuid} in table {tname} must be a JSON object "
                                       "or null", row_json)
                new = dict(old) if old is not None else dict(info.defaults)
                for c, vj in row_json.items():
                    t = info.types.get(c)
                    if t is None or c in ("_uuid", "_version"):
                        raise SyntaxError_(f"No column {c} in table {tname}.", row_json)
                    if is_diff and old is not None and t.kind != SCALAR:
                        new[c] = apply_diff(t, new[c], datum_from_json_unchecked(t, vj))
                    else:
                        new[c] = datum_from_json_unchecked(t, vj)
                new["_uuid"] = uuid
                new["_version"] = new_uuid()
                out[uuid] = (old, new)
            if out:
                changes[tname] = out
        self.commit(changes, comment=record.get("_comment"), txn_id=txn_id)
        return changes
