"""The commit-time checks of a transaction whose operations all succeeded (ovsdb-server's
order), and the change set they leave ready to commit.

``check_changes(txn)``: drop no-op changes, strong reference counts (dangling references,
deleting referenced rows), garbage collection of unreferenced rows of non-root tables, maxRows,
weak reference removal (and the min-size check it may trigger), unique indexes.  A change set
made only of inserts of rows that refer to nothing, into root tables without maxRows, takes a
shorter path (``check_plain_inserts``: only the unique indexes can fail; None sends the caller
to ``check_changes``).  A failure raises the ``OvsdbError`` the transaction fails with.  The
change set returned is ready to commit: inserted rows got their ``_version`` on insert,
modified rows get a new one here.  ``txn`` is a :class:`pyovn.ovsdb.txn.Txn` (its
``changes``, ``deleted`` and ``hints`` may be changed: garbage collection deletes rows, weak
reference removal modifies them).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pyovn.ovsdb import database as _database  # a module object: safe whichever module loads first
from pyovn.ovsdb.data import datum_sort_key, datum_to_string, new_uuid
from pyovn.ovsdb.errors import ConstraintViolation, ReferentialIntegrityViolation
from pyovn.ovsdb.types import MAP, SCALAR, UINT_MAX, ZERO_UUID

if TYPE_CHECKING:
    from pyovn.ovsdb.database import ChangeSet, RowValues
    from pyovn.ovsdb.txn import Txn

__all__ = ["check_changes", "check_plain_inserts"]


def _english_list(items: list[str]) -> str:
    if len(items) == 1:
        return items[0]
    if len(items) == 2:
        return f"{items[0]} and {items[1]}"
    return ", ".join(items[:-1]) + ", and " + items[-1]


def check_plain_inserts(txn: Txn) -> ChangeSet | None:
    """``check_changes`` of what most transactions do: insert rows that refer to no row into root
    tables without maxRows.  Then only the unique indexes can fail (no no-op changes, strong or
    weak references, garbage or row limits to check).  None when the change set holds anything
    else: the caller runs the general ``check_changes``."""
    infos = txn.db.infos
    changes = txn.changes
    indexed = False
    for tname, trows in changes.items():
        info = infos[tname]
        if not info.plain_inserts or not trows:
            return None
        ref_values = info.ref_values
        for old, new in trows.values():
            if old is not None or new is None or (ref_values is not None
                                                  and any(ref_values(new))):
                return None
        if info.indexes:
            indexed = True
    if indexed:
        # (after every table passed: the general path checks references first)
        for tname, trows in changes.items():
            if infos[tname].indexes:
                _check_indexes(txn, tname, trows)
    return changes   # (inserted rows got their _version on insert)


def check_changes(txn: Txn) -> ChangeSet:
    db = txn.db
    infos = db.infos
    changes = txn.changes
    # 1. Drop changes that change nothing.  The same pass notes what later steps need to look
    # at (deletions, non-root tables, row limits), so that a step with nothing to do
    # costs nothing: most transactions touch a row or two.
    has_delete = gc_tables = limited = False
    for tname in list(changes):
        trows = changes[tname]
        noops = None
        for uuid, (old, new) in trows.items():
            if old is None:
                if new is not None:
                    continue
            elif new is None:
                has_delete = True
                continue
            elif not _same_row(old, new):
                continue
            if noops is None:
                noops = [uuid]
            else:
                noops.append(uuid)
        if noops:
            for uuid in noops:
                del trows[uuid]
        if not trows:
            del changes[tname]
            continue
        info = infos[tname]
        if not info.is_root:
            gc_tables = True
        if info.max_rows != UINT_MAX:
            limited = True
    if not changes:
        return {}

    # 2. Strong references: dangling references, then deletions of referenced rows.
    hints = txn.hints
    delta: dict[str, int] = {}
    delta_table: dict[str, str] = {}
    for tname, trows in changes.items():
        info = infos[tname]
        strong = info.strong
        if not strong:
            continue
        for uuid, (old, new) in trows.items():
            if old is None and not any(map(new.__getitem__, info.strong_names)):
                continue    # an inserted row that refers to nothing
            for ref_column in strong:
                c = ref_column.name
                # (no-op changes were dropped: old and new are not both None)
                if old is None:
                    ov = None
                    nv = new[c]     # type: ignore[index]
                    if not nv:
                        continue
                elif new is None:
                    ov = old[c]
                    nv = None
                    if not ov:
                        continue
                else:
                    ov = old[c]
                    nv = new[c]
                    if ov is nv:
                        continue
                removed, added = ref_column.delta(ov, nv, hints.get((tname, uuid, c)))
                for _, u in removed:
                    if u != uuid:   # a row's references to itself do not keep it alive
                        delta[u] = delta.get(u, 0) - 1
                for rt, u in added:
                    if u == uuid:
                        continue
                    if txn.get(rt, u) is None:
                        raise ReferentialIntegrityViolation(
                            f"Table {tname} column {c} row {uuid} references nonexistent row "
                            f"{u} in table {rt}.")
                    delta[u] = delta.get(u, 0) + 1
                    delta_table[u] = rt
    refcount = db.refcount
    if has_delete and (delta or refcount):
        for tname, trows in changes.items():
            for uuid, (old, new) in trows.items():
                if old is not None and new is None:
                    left = refcount.get(uuid, 0) + delta.get(uuid, 0)
                    if left > 0:
                        raise ReferentialIntegrityViolation(
                            f"cannot delete {tname} row {uuid} because of {left} remaining "
                            "reference(s)")

    # 3. Garbage collection of unreferenced rows in non-root tables (candidates: rows of
    # non-root tables this transaction changed, and rows whose reference count changed).
    if db.has_gc and (gc_tables or delta):
        _collect_garbage(txn, delta, delta_table)

    # 4. maxRows.
    if limited:
        for tname, trows in changes.items():
            info = infos[tname]
            if info.max_rows != UINT_MAX:
                n = len(db.tables[tname].rows)
                for old, new in trows.values():
                    n += (new is not None) - (old is not None)
                if n > info.max_rows:
                    raise ConstraintViolation(
                        f'transaction causes "{tname}" table to contain {n} rows, greater than '
                        f"the schema-defined limit of {info.max_rows} row(s)")

    # 5. Weak references.
    _assess_weak_refs(txn)

    # 6. Unique indexes (of every table changed by now: step 5 may have changed more).
    for tname, trows in changes.items():
        if infos[tname].indexes:
            _check_indexes(txn, tname, trows)

    # Done: new versions and the change set.
    out: ChangeSet = {}
    for tname, trows in changes.items():
        if not trows:
            continue
        for old, new in trows.values():
            if new is not None and old is not None:
                new["_version"] = new_uuid()    # inserted rows got theirs on insert
        out[tname] = trows
    return out


def _same_row(old: RowValues, new: RowValues) -> bool:
    return all(c == "_version" or old[c] == v for c, v in new.items())


def _collect_garbage(txn: Txn, delta: dict[str, int], delta_table: dict[str, str]) -> None:
    db = txn.db
    infos = db.infos
    refcount = db.refcount
    candidates: list[tuple[str, str]] = []
    for tname, trows in txn.changes.items():
        if not infos[tname].is_root:
            candidates.extend((tname, u) for u, entry in trows.items() if entry[1] is not None)
    for u, d in delta.items():
        if d:
            t = delta_table.get(u)
            if t is None:
                # A reference removed from a row deleted earlier: find its table.
                t = _table_of(txn, u)
            if t is not None and not infos[t].is_root:
                candidates.append((t, u))
    while candidates:
        tname, u = candidates.pop()
        row = txn.get(tname, u)
        if row is None or refcount.get(u, 0) + delta.get(u, 0) != 0:
            continue
        txn.delete(tname, row)
        entry = txn.changes[tname][u]
        if entry[0] is None:
            del txn.changes[tname][u]
        for ref_column in infos[tname].strong:
            for rt, ref in ref_column.refs(row[ref_column.name]):
                if ref == u:
                    continue
                delta[ref] = delta.get(ref, 0) - 1
                if not infos[rt].is_root:
                    candidates.append((rt, ref))


def _table_of(txn: Txn, uuid: str) -> str | None:
    for tname, table in txn.db.tables.items():
        if uuid in table.rows:
            return tname
        trows = txn.changes.get(tname)
        if trows and uuid in trows:
            return tname
    return None


def _assess_weak_refs(txn: Txn) -> None:
    db = txn.db
    infos = db.infos
    changes = txn.changes
    # Rows weakly referring to rows this transaction deletes.
    todo: dict[tuple[str, str], None] = {}
    weak_in = db.weak_in
    if weak_in:
        for trows in changes.values():
            for u, (old, new) in trows.items():
                if new is None and old is not None:
                    srcs = weak_in.get(u)
                    if srcs:
                        for src in srcs:
                            todo[src] = None
    for tname, trows in changes.items():
        weak = infos[tname].weak
        if weak:
            for u, (old, new) in trows.items():
                if new is None:
                    continue
                if old is None and not any(map(new.__getitem__, infos[tname].weak_names)):
                    # An inserted row whose weak reference columns are all empty sets or maps
                    # has nothing to check (the loop below would skip every column).
                    continue
                todo[(tname, u)] = None
    for tname, u in todo:
        row = txn.get(tname, u)
        if row is None:
            continue
        info = infos[tname]
        tchanges = changes.get(tname)
        entry = tchanges.get(u) if tchanges else None
        inserted = entry is not None and entry[0] is None
        for ref_column in info.weak:
            c = ref_column.name
            value = row[c]
            if ref_column.kind != SCALAR and not value:
                continue
            if entry is not None and entry[0] is not None:
                if entry[0][c] == value and not txn.deleted:
                    continue
                hint = txn.hints.get((tname, u, c))
                target = ref_column.key_table or ""  # a weak reference always names its table
                if hint is not None and not any(
                        txn.get(target, a) is None for a in hint[1]) and not (
                        txn.deleted and not txn.deleted.isdisjoint(value)):
                    continue    # only known-good references were added
            new_value, n_removed, zero = _drop_dangling(txn, ref_column, value)
            if not n_removed:
                continue
            ctype = ref_column.type
            if ctype.kind == SCALAR or len(new_value) < ctype.min:
                if zero and inserted:
                    raise ConstraintViolation(
                        f'Weak reference column "{c}" in "{tname}" row {u} (inserted within '
                        "this transaction) contained all-zeros UUID (probably as the default "
                        "value for this column) but deleting this value caused a constraint "
                        "volation because this column is not allowed to be empty.")
                raise ConstraintViolation(
                    f"Deletion of {n_removed} weak reference(s) to deleted (or never-existing) "
                    f'rows from column "{c}" in "{tname}" row {u} '
                    f"{'(inserted within this transaction) ' if inserted else ''}caused this "
                    "column to become empty, but constraints on this column disallow an empty "
                    "column.")
            txn.modify(tname, row)[c] = new_value
            txn.hints.pop((tname, u, c), None)
            row = txn.get(tname, u)
            assert row is not None
            entry = changes[tname][u]


def _drop_dangling(txn: Txn, ref_column: Any, value: Any) -> tuple[Any, int, bool]:
    """``value`` without references to rows that do not exist after the transaction."""
    get = txn.get
    kt, vt = ref_column.key_table, ref_column.value_table
    zero = False
    if ref_column.kind == SCALAR:
        if get(kt, value) is None:
            return value, 1, value == ZERO_UUID
        return value, 0, False
    if ref_column.kind == MAP:
        keep = {}
        n = 0
        for k, v in value.items():
            if (kt and get(kt, k) is None) or (vt and get(vt, v) is None):
                n += 1
                zero = zero or k == ZERO_UUID or v == ZERO_UUID
            else:
                keep[k] = v
        return (keep if n else value), n, zero
    gone = [a for a in value if get(kt, a) is None]
    if not gone:
        return value, 0, False
    return value.difference(gone), len(gone), ZERO_UUID in gone


def _check_indexes(txn: Txn, tname: str,
                   trows: dict[str, tuple[RowValues | None, RowValues | None]]) -> None:
    table = txn.db.tables[tname]
    info = table.info
    hashable = _database.hashable
    for i, cols in enumerate(info.indexes):
        committed = table.indexes[i]
        seen: dict[tuple, str] = {}
        for u, (_old, new) in trows.items():
            if new is None:
                continue
            key = tuple(hashable(new[c]) for c in cols)
            other = seen.get(key)
            if other is None:
                cu = committed.get(key)
                if cu is not None and cu != u and cu not in trows:
                    other = cu
            if other is not None:
                raise _duplicate_index_error(txn, tname, cols, txn.get(tname, other), new)
            seen[key] = u


def _duplicate_index_error(txn: Txn, tname: str, cols: tuple[str, ...], a: RowValues | None,
                           b: RowValues) -> ConstraintViolation:
    assert a is not None
    info = txn.db.infos[tname]
    types = info.types
    order = [c for c in info.user_columns] + ["_uuid"]

    def key(r: RowValues) -> tuple:
        return tuple(datum_sort_key(types[c], r[c]) for c in order)
    if key(a) < key(b):
        a, b = b, a
    values = _english_list([datum_to_string(types[c], a[c]) for c in cols])
    names = _english_list([f'"{c}"' for c in cols])
    trows = txn.changes.get(tname, {})

    def describe(r: RowValues, title: str) -> str:
        entry = trows.get(r["_uuid"])
        s = f"{title} row, with UUID {r['_uuid']}, "
        if entry is None:
            return s + ("existed in the database before this transaction and was not "
                        "modified by the transaction.")
        if entry[0] is None:
            return s + "was inserted by this transaction."
        old = entry[0]
        if all(old[c] == r[c] for c in cols):
            return s + ("existed in the database before this transaction, which modified "
                        "some of the row's columns but not any columns in this index.")
        before = _english_list([datum_to_string(types[c], old[c]) for c in cols])
        return s + f"had the following index values before the transaction: {before}."
    return ConstraintViolation(
        f'Transaction causes multiple rows in "{tname}" table to have identical values '
        f"({values}) for index on column{'s' if len(cols) > 1 else ''} {names}.  "
        f"{describe(a, 'First')}  {describe(b, 'Second')}")
