"""Executes one transaction's operations against a database, no I/O, copy-on-write.

``execute(db, ops, ...)`` (and ``Database.transact``, which calls ``_execute`` to keep the
set-diff hints) parses and runs each operation in order (insert, select, update, mutate,
delete, wait, commit, abort, comment, assert), dispatching from ``OPERATIONS``, which also says
whether an operation only reads (a writing operation in a read-only session fails with
"not allowed").  A plain insert (known table, a "row" object, an optional valid "uuid-name",
nothing else) skips the generic member parser.  Changes go into ``Txn.changes`` (table -> uuid ->
(old, new)); the committed rows are never touched, and a row is copied once, on its first
modification in the transaction.  With an RBAC role (:mod:`pyovn.ovsdb.rbac`) insert, update,
mutate and delete are checked against it.  The first failing operation stops the transaction:
its error object is its result and the remaining operations get ``null``; a failed ``wait``
with a timeout not yet passed marks the result ``blocked`` (the server runs it again later).

When every operation succeeded, the commit-time checks run (:mod:`pyovn.ovsdb.commitcheck`:
references, garbage collection, maxRows, weak references, unique indexes); a failure there is
appended as one extra result.  Otherwise the result's change set is ready to commit, and
``Txn.hints`` holds the set columns changed only by mutate insert/delete
(``Database.set_diff_hints``).  Committing it (``Database.commit``), writing it to storage and
replying are the caller's (the server's).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pyovn.ovsdb import commitcheck, rbac
from pyovn.ovsdb import database as _database
from pyovn.ovsdb.condition import Condition, compile_where
from pyovn.ovsdb.data import (
    NamedUuidTable,
    check_datum,
    datum_from_json,
    datum_sort_key,
    datum_to_json,
    is_uuid,
    new_uuid,
    string_map_from_json,
)
from pyovn.ovsdb.errors import (
    OP_ARRAY,
    OP_BOOLEAN,
    OP_ID,
    OP_NUMBER,
    OP_OBJECT,
    OP_OPTIONAL,
    OP_STRING,
    Aborted,
    ConstraintViolation,
    DuplicateUuid,
    DuplicateUuidName,
    MemberParser,
    NotAllowed,
    NotOwner,
    NotSupported,
    OvsdbError,
    SyntaxError_,
    TimedOut,
    UnknownColumn,
    is_id,
)
from pyovn.ovsdb.mutation import apply_mutations, parse_mutations
from pyovn.ovsdb.schema import parse_column_set
from pyovn.ovsdb.types import ZERO_UUID

if TYPE_CHECKING:
    from pyovn.ovsdb.database import Database, RowValues, TableInfo, TransactOutcome

__all__ = ["execute", "Txn"]


class _OpParser(MemberParser):
    """The parser of one operation, named "ovsdb operation I of N" in its errors; the name is
    only formatted when an error needs it."""

    __slots__ = ("index", "count")

    def __init__(self, json: Any, index: int, count: int) -> None:  # noqa: D107
        self.json = json
        self.index = index
        self.count = count
        self.used = set()
        self.error = None
        if not isinstance(json, dict):
            self.error = SyntaxError_(f"Parsing {self.name} failed: Object expected.")

    @property  # type: ignore[override]
    def name(self) -> str:  # type: ignore[override]
        return f"ovsdb operation {self.index} of {self.count}"


_NONE: frozenset[str] = frozenset()


class Txn:
    """The state of one transaction in progress."""

    __slots__ = ("db", "changes", "_symtab", "deleted", "read_only", "locks", "elapsed_ms",
                 "durable", "comments", "timeout_ms", "hints", "role", "client")

    def __init__(self, db: Database, read_only: bool, locks: frozenset[str] | set[str],
                 elapsed_ms: float, role: str | None = None, client: str | None = None) -> None:
        self.db = db
        # RBAC (pyovn.ovsdb.rbac): the session's role, when it has one and the database has
        # roles; ``client`` is its id (the certificate's common name).
        self.role = role if role and rbac.ROLE_TABLE in db.tables else None
        self.client = client
        # The change set being built: entries are (old, new) tuples, replaced (never changed)
        # on deletion, so that it is returned as it is.
        self.changes: dict[str, dict[str, tuple]] = {}
        self._symtab: NamedUuidTable | None = None
        # (deleted and comments: made when first needed, most transactions delete nothing
        # and have no comment)
        self.deleted: set[str] | frozenset[str] = _NONE
        self.read_only = read_only
        self.locks = locks
        self.elapsed_ms = elapsed_ms
        self.durable = False
        self.comments: list[str] | None = None
        self.timeout_ms: float | None = None
        # (table, uuid, column) -> (removed, added) atoms of a set column changed only by
        # mutate insert/delete (see mutation.apply_mutations).
        self.hints: dict[tuple[str, str, str], tuple[frozenset, frozenset]] = {}

    @property
    def symtab(self) -> NamedUuidTable:
        """The named uuids, made on first use: most transactions (no "uuid-name", no
        "named-uuid") never need them."""
        s = self._symtab
        if s is None:
            s = self._symtab = NamedUuidTable()
        return s

    # -- row access -------------------------------------------------------------------------------
    def get(self, table: str, uuid: str) -> RowValues | None:
        table_changes = self.changes.get(table)
        if table_changes is not None:
            e = table_changes.get(uuid)
            if e is not None:
                return e[1]
        return self.db.tables[table].rows.get(uuid)

    def query(self, table: str, cond: Condition) -> list[RowValues]:
        match = cond.match
        if cond.uuid_eq is not None:
            row = self.get(table, cond.uuid_eq)
            return [row] if row is not None and match(row) else []
        rows = self.db.tables[table].rows
        table_changes = self.changes.get(table)
        if not table_changes:
            return [r for r in rows.values() if match(r)]
        out = [r for u, r in rows.items() if u not in table_changes and match(r)]
        out.extend(e[1] for e in table_changes.values() if e[1] is not None and match(e[1]))
        return out

    def modify(self, table: str, row: RowValues) -> RowValues:
        """A transaction-owned copy of ``row`` to change in place."""
        table_changes = self.changes.setdefault(table, {})
        uuid = row["_uuid"]
        e = table_changes.get(uuid)
        if e is None:
            new = dict(row)
            table_changes[uuid] = (row, new)
            return new
        return e[1]

    def delete(self, table: str, row: RowValues) -> None:
        table_changes = self.changes.setdefault(table, {})
        uuid = row["_uuid"]
        e = table_changes.get(uuid)
        table_changes[uuid] = (row if e is None else e[0], None)
        if isinstance(self.deleted, set):
            self.deleted.add(uuid)
        else:
            self.deleted = {uuid}   # the first deletion

    # -- parsing helpers --------------------------------------------------------------------------
    def table(self, parser: MemberParser, member: str = "table") -> TableInfo | None:
        json = parser.json
        if type(json) is dict:
            name = json.get(member)
            info = self.db.infos.get(name) if type(name) is str else None
            if info is not None:
                # A table's name is an <id>: what the general path below would check.
                parser.used.add(member)
                return info
        name = parser.member(member, OP_ID)
        if name is None:
            return None
        info = self.db.infos.get(name)
        if info is None:
            parser.raise_error(f"No table named {name}.")
        return info

    def parse_row(self, info: TableInfo, json: Any, *, for_insert: bool,
                  into: dict[str, Any] | None = None) -> dict[str, Any]:
        """Column values given in a "row" object (ovsdb_row_from_json), stored into 'into'
        (a new dict by default)."""
        return _parse_row(self, info, json, for_insert, {} if into is None else into)


def _parse_row(txn: Txn, info: TableInfo, json: dict, for_insert: bool, out: dict[str, Any]
               ) -> dict[str, Any]:
    """``Txn.parse_row`` with positional arguments (one per insert)."""
    types = info.types
    plain = info.plain_strings
    uuid_columns = info.uuid_columns
    string_maps = info.string_maps
    for name, value in json.items():
        if type(value) is str and name in plain:
            out[name] = value   # what datum_from_json returns for these, without the calls
            continue
        if name in string_maps:
            out[name] = string_map_from_json(types[name], value)
            continue
        t = types.get(name)
        if t is None:
            raise UnknownColumn(f"No column {name} in table {info.name}.", json)
        # (only a uuid can be a named-uuid: other columns need no symbol table)
        v = datum_from_json(t, value, txn.symtab if name in uuid_columns else None)
        if for_insert and (name == "_uuid" or name == "_version"):
            continue    # ovsdb-server accepts and ignores these on insert
        out[name] = v
    return out


# ---------------------------------------------------------------------------------------------
# Operations
# ---------------------------------------------------------------------------------------------

def _op_insert(txn: Txn, parser: MemberParser) -> dict:
    info = txn.table(parser)
    if info is None:
        raise parser.error   # type: ignore[misc]  # (set whenever there is no table)
    # The op is an object (it has a table); optional members it lacks need no parsing.
    json = parser.json
    uuid_json = parser.member("uuid", OP_STRING | OP_OPTIONAL) if "uuid" in json else None
    uuid_name = parser.member("uuid-name", OP_ID | OP_OPTIONAL) if "uuid-name" in json else None
    row_json = parser.member("row", OP_OBJECT | OP_OPTIONAL) if "row" in json else None
    if parser.error is not None:
        raise parser.error
    return _insert(txn, info, uuid_json, uuid_name, row_json)


_PLAIN_INSERT_MEMBERS = frozenset(("op", "table", "row", "uuid-name"))


def _plain_insert(txn: Txn, op: dict) -> TableInfo | None:
    """The table of an insert that needs no member parser (a known table, an optional "row"
    object and valid "uuid-name", nothing else: what most clients send), else None."""
    if not _PLAIN_INSERT_MEMBERS.issuperset(op):
        return None
    name = op.get("table")
    info = txn.db.infos.get(name) if type(name) is str else None
    if info is None:
        return None
    if "row" in op and type(op["row"]) is not dict:
        return None
    if "uuid-name" in op:
        uuid_name = op["uuid-name"]
        if type(uuid_name) is not str or not is_id(uuid_name):
            return None
    return info


def _insert(txn: Txn, info: TableInfo, uuid_json: str | None, uuid_name: str | None,
            row_json: dict | None) -> dict:
    uuid: str | None = None
    if uuid_json is not None:
        if not is_uuid(uuid_json):
            raise SyntaxError_("bad uuid", uuid_json)
        uuid = uuid_json.lower()
        if txn.get(info.name, uuid) is not None or uuid in txn.deleted:
            raise DuplicateUuid("This UUID would duplicate a UUID already present within the "
                                "table or deleted within the same transaction.", uuid_json)
    if uuid_name is not None:
        symtab = txn.symtab
        if uuid_name in symtab.created:
            raise DuplicateUuidName('This "uuid-name" appeared on an earlier "insert" '
                                    "operation.", uuid_name)
        if uuid is not None:
            symtab.uuids[uuid_name] = uuid
        else:
            uuid = symtab.get(uuid_name)
        symtab.created.add(uuid_name)
    elif uuid is None:
        uuid = new_uuid()
    row = dict(info.defaults)
    if row_json:
        _parse_row(txn, info, row_json, True, row)
    for name, ctype in info.bad_defaults:
        if not row_json or name not in row_json:
            check_datum(ctype, info.defaults[name])
    if txn.role is not None and not rbac.may_insert(txn, txn.role, txn.client, info.name, row):
        raise rbac.denied("insert", txn.client, txn.role, info.name)
    row["_uuid"] = uuid
    row["_version"] = new_uuid()
    table_changes = txn.changes.get(info.name)
    if table_changes is None:
        table_changes = txn.changes[info.name] = {}
    table_changes[uuid] = (None, row)
    return {"uuid": ["uuid", uuid]}


def _row_to_json(info: TableInfo, row: RowValues, columns: tuple[str, ...]) -> dict:
    types = info.types
    return {c: datum_to_json(types[c], row[c]) for c in columns}


def _op_select(txn: Txn, parser: MemberParser) -> dict:
    info = txn.table(parser)
    where = parser.member("where", OP_ARRAY)
    columns_json = parser.member("columns", OP_ARRAY | OP_OPTIONAL)
    sort_json = parser.member("sort", OP_ARRAY | OP_OPTIONAL)
    if parser.error is not None:
        raise parser.error
    assert info is not None
    cond = compile_where(info.schema, where, txn.symtab)
    columns = (tuple(info.types) if columns_json is None
               else parse_column_set(info.schema, columns_json))
    sort = parse_column_set(info.schema, sort_json) if sort_json is not None else ()
    rows = txn.query(info.name, cond)
    if "_uuid" not in columns and len(rows) > 1:
        # OVS returns distinct rows when _uuid is not selected.
        seen: set = set()
        distinct = []
        for r in rows:
            k = tuple(_hashable(r[c]) for c in columns)
            if k not in seen:
                seen.add(k)
                distinct.append(r)
        rows = distinct
    if sort and len(rows) > 1:
        types = info.types
        rows.sort(key=lambda r: tuple(datum_sort_key(types[c], r[c]) for c in sort))
    return {"rows": [_row_to_json(info, r, columns) for r in rows]}


def _hashable(v: Any) -> Any:
    return tuple(sorted(v.items())) if type(v) is dict else v


def _op_update(txn: Txn, parser: MemberParser) -> dict:
    info = txn.table(parser)
    where = parser.member("where", OP_ARRAY)
    row_json = parser.member("row", OP_OBJECT)
    if parser.error is not None:
        raise parser.error
    assert info is not None
    values = txn.parse_row(info, row_json, for_insert=False)
    schema_cols = info.schema.columns
    for name in values:
        if not schema_cols[name].mutable:
            raise ConstraintViolation(f"Cannot update immutable column {name} in table "
                                      f"{info.name}.", parser.json)
    cond = compile_where(info.schema, where, txn.symtab)
    rows = txn.query(info.name, cond)
    if txn.role is not None and not rbac.may_modify(txn, txn.role, txn.client, info.name, values, rows):
        raise rbac.denied("update", txn.client, txn.role, info.name)
    for row in rows:
        if any(row[c] != v for c, v in values.items()):
            txn.modify(info.name, row).update(values)
            if txn.hints:
                for c in values:
                    txn.hints.pop((info.name, row["_uuid"], c), None)
    return {"count": len(rows)}


def _op_mutate(txn: Txn, parser: MemberParser) -> dict:
    info = txn.table(parser)
    where = parser.member("where", OP_ARRAY)
    mutations_json = parser.member("mutations", OP_ARRAY)
    if parser.error is not None:
        raise parser.error
    assert info is not None
    mutations = parse_mutations(info.schema, mutations_json, txn.symtab)
    cond = compile_where(info.schema, where, txn.symtab)
    rows = txn.query(info.name, cond)
    tname = info.name
    if txn.role is not None and not rbac.may_modify(txn, txn.role, txn.client, tname,
                                                  [m.column for m in mutations], rows):
        raise rbac.denied("mutate", txn.client, txn.role, tname)
    hints = txn.hints
    for row in rows:
        row_hints: dict[str, Any] = {}
        values = apply_mutations(mutations, row, row_hints)
        if any(row[c] != v for c, v in values.items()):
            uuid = row["_uuid"]
            entry = txn.changes.get(tname, {}).get(uuid)
            committed = entry[0] if entry is not None else row
            # Columns this transaction has not changed yet (the row may have been changed in
            # others): their diff is relative to the committed value, as a hint must be.
            untouched = {c for c in row_hints
                         if committed is not None and committed[c] is row[c]}
            txn.modify(tname, row).update(values)
            for c, h in row_hints.items():
                key = (tname, uuid, c)
                if h is None or committed is None:
                    hints.pop(key, None)
                elif key in hints:
                    hints[key] = _compose(hints[key], h, row, values[c], txn, tname, uuid, c)
                elif c in untouched:
                    hints[key] = h
                else:
                    hints.pop(key, None)
    return {"count": len(rows)}


def _compose(first: tuple[frozenset, frozenset], second: tuple[frozenset, frozenset],
             row: RowValues, final: Any, txn: Txn, tname: str, uuid: str, c: str
             ) -> tuple[frozenset, frozenset]:
    """Chain two set diffs; ``row`` is the intermediate value's row, ``final`` the result."""
    orig = txn.changes[tname][uuid][0]
    if orig is None:
        return (frozenset(), frozenset())
    o = orig[c]
    removed = frozenset(a for a in (*first[0], *second[0]) if a in o and a not in final)
    added = frozenset(a for a in (*first[1], *second[1]) if a in final and a not in o)
    return removed, added


def _op_delete(txn: Txn, parser: MemberParser) -> dict:
    info = txn.table(parser)
    where = parser.member("where", OP_ARRAY)
    if parser.error is not None:
        raise parser.error
    assert info is not None
    cond = compile_where(info.schema, where, txn.symtab)
    rows = txn.query(info.name, cond)
    if txn.role is not None and not rbac.may_delete(txn, txn.role, txn.client, info.name, rows):
        raise rbac.denied("delete", txn.client, txn.role, info.name)
    for row in rows:
        txn.delete(info.name, row)
    return {"count": len(rows)}


def _op_wait(txn: Txn, parser: MemberParser) -> dict:
    info = txn.table(parser)
    where = parser.member("where", OP_ARRAY)
    columns_json = parser.member("columns", OP_ARRAY | OP_OPTIONAL)
    until = parser.member("until", OP_STRING)
    rows_json = parser.member("rows", OP_ARRAY)
    timeout = parser.member("timeout", OP_NUMBER | OP_OPTIONAL)
    if parser.error is not None:
        raise parser.error
    assert info is not None
    cond = compile_where(info.schema, where, txn.symtab)
    columns = (tuple(info.types) if columns_json is None
               else parse_column_set(info.schema, columns_json))
    if timeout is not None:
        if timeout < 0:
            raise SyntaxError_("timeout must be nonnegative", timeout)
        if txn.timeout_ms is None or timeout < txn.timeout_ms:
            txn.timeout_ms = timeout
    if until not in ("==", "!="):
        raise SyntaxError_('"until" must be "==" or "!="', until)
    expected: set = set()
    for rj in rows_json:
        if not isinstance(rj, dict):
            raise SyntaxError_("row must be JSON object", rj)
        row = dict(info.defaults)
        row.update(txn.parse_row(info, rj, for_insert=False))
        row.setdefault("_uuid", ZERO_UUID)
        row.setdefault("_version", ZERO_UUID)
        expected.add(tuple(_hashable(row[c]) for c in columns))
    actual = {tuple(_hashable(r[c]) for c in columns) for r in txn.query(info.name, cond)}
    if (actual == expected) != (until == "=="):
        if timeout is not None and (timeout == 0 or txn.elapsed_ms >= timeout):
            raise TimedOut('"where" clause test failed')
        if timeout is None or txn.elapsed_ms < timeout:
            raise NotSupported("triggers not supported")
    return {}


def _op_commit(txn: Txn, parser: MemberParser) -> dict:
    durable = parser.member("durable", OP_BOOLEAN)
    if durable:
        txn.durable = True
    return {}


def _op_abort(txn: Txn, parser: MemberParser) -> dict:
    raise Aborted("aborted by request")


def _op_comment(txn: Txn, parser: MemberParser) -> dict:
    comment = parser.member("comment", OP_STRING)
    if comment is not None:
        if txn.comments is None:
            txn.comments = [comment]
        else:
            txn.comments.append(comment)
    return {}


def _op_assert(txn: Txn, parser: MemberParser) -> dict:
    lock = parser.member("lock", OP_ID)
    if lock is None:
        return {}
    if lock in txn.locks:
        return {}
    raise NotOwner(f"Asserted lock {lock} not held.")


# name -> (executor, read-only)
OPERATIONS: dict[str, tuple[Callable[[Txn, MemberParser], dict], bool]] = {
    "insert": (_op_insert, False),
    "select": (_op_select, True),
    "update": (_op_update, False),
    "mutate": (_op_mutate, False),
    "delete": (_op_delete, False),
    "wait": (_op_wait, True),
    "commit": (_op_commit, False),
    "abort": (_op_abort, True),
    "comment": (_op_comment, True),
    "assert": (_op_assert, True),
}


# ---------------------------------------------------------------------------------------------
# The transaction
# ---------------------------------------------------------------------------------------------

def execute(db: Database, ops: list, *, read_only: bool = False,
            locks: frozenset[str] | set[str] = frozenset(), elapsed_ms: float = 0.0,
            role: str | None = None, client: str | None = None) -> TransactOutcome:
    """Run one transaction; see the module docstring.  ``role`` and ``client``: the RBAC role
    and id of the session (:mod:`pyovn.ovsdb.rbac`).  (Database.transact calls ``_execute``
    itself, for the set-diff hints of the change set.)"""
    return _execute(db, ops, read_only, locks, elapsed_ms, role, client)[0]


def _execute(db: Database, ops: list, read_only: bool, locks: frozenset[str] | set[str],
             elapsed_ms: float, role: str | None = None,
             client: str | None = None) -> tuple[TransactOutcome, Txn]:
    TransactOutcome = _database.TransactOutcome
    txn = Txn(db, read_only, locks, elapsed_ms, role, client)
    n = len(ops)
    results: list = []
    error: OvsdbError | None = None
    for i, op_json in enumerate(ops, 1):
        if type(op_json) is dict and op_json.get("op") == "insert" and not read_only:
            info = _plain_insert(txn, op_json)
            if info is not None:
                try:
                    results.append(_insert(txn, info, None, op_json.get("uuid-name"),
                                           op_json.get("row")))
                    continue
                except OvsdbError as e:
                    error = e
                    results.append(e.to_json())
                    break
        parser = _OpParser(op_json, i, n)
        # The operation's name: a known name is an <id>, so the parser's checks are implied.
        op_name = op_json.get("op") if type(op_json) is dict else None
        entry = OPERATIONS.get(op_name) if type(op_name) is str else None  # type: ignore[arg-type]
        if entry is not None:
            parser.used.add("op")
        else:
            op_name = parser.member("op", OP_ID)
            if op_name is not None:
                parser.raise_error(f'No operation "{op_name}"')
        result: dict | None = None
        ro = True
        if entry is not None:
            executor, ro = entry
            try:
                result = executor(txn, parser)
            except OvsdbError as e:
                error = e
        if parser.error is not None or len(op_json) > len(parser.used):
            try:
                parser.finish()
            except OvsdbError as e:
                error = e   # a parse error overrides any other error
        if error is None and read_only and not ro:
            error = NotAllowed(f"{op_name} operation not allowed when database server is in "
                               "read only mode")
        if error is not None:
            results.append(error.to_json())
            break
        results.append(result)
    comment = "\n".join(txn.comments) if txn.comments else None
    # (TransactOutcome's arguments by position: results, changes, blocked, durable, comment,
    # timeout_ms, base_index, error)
    if error is not None:
        results.extend([None] * (n - len(results)))
        blocked = isinstance(error, NotSupported) and txn.timeout_ms != 0
        return TransactOutcome(results, None, blocked, txn.durable, comment,
                               txn.timeout_ms, db.txn_index, error), txn
    if not txn.changes:
        return TransactOutcome(results, None, False, txn.durable, comment, txn.timeout_ms,
                               db.txn_index), txn
    try:
        changes = commitcheck.check_plain_inserts(txn)
        if changes is None:
            changes = commitcheck.check_changes(txn)
    except OvsdbError as e:
        results.append(e.to_json())
        return TransactOutcome(results, None, False, txn.durable, comment, txn.timeout_ms,
                               db.txn_index, e), txn
    return TransactOutcome(results, changes or None, False, txn.durable, comment,
                           txn.timeout_ms, db.txn_index), txn
