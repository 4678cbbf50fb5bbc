"""Executes one transaction's operations against a database, no I/O, copy-on-write.

``execute(db, ops, ...)`` (and ``Database.transact``, which calls ``_execute`` to keep the
set-diff hints) parses and runs each operation in order (insert, select, update, mutate,
delete, wait, commit, abort, comment, assert), dispatching from ``OPERATIONS``, which also says
whether an operation only reads (a writing operation in a read-only session fails with
"not allowed").  A plain insert (known table, a "row" object, an optional valid "uuid-name",
nothing else) skips the generic member parser.  Changes go into ``Txn.ch`` (table -> uuid ->
(old, new)); the committed rows are never touched, and a row is copied once, on its first
modification in the transaction.  With an RBAC role (:mod:`pyovn.ovsdb.rbac`) insert, update,
mutate and delete are checked against it.  The first failing operation stops the transaction:
its error object is its result and the remaining operations get ``null``; a failed ``wait``
with a timeout not yet passed marks the result ``blocked`` (the server runs it again later).

When every operation succeeded, the commit-time checks run in ovsdb-server's order: drop no-op
changes, strong reference counts (dangling references, deleting referenced rows), garbage
collection of unreferenced rows of non-root tables, maxRows, weak reference removal (and the
min-size check it may trigger), unique indexes.  A change set made only of inserts of rows that
refer to nothing, into root tables without maxRows, takes a shorter path
(``_precommit_inserts``: only the unique indexes can fail).  A failure is appended as one extra
result.  Otherwise the result's change set is ready to commit: inserted rows got their
``_version`` on insert, modified rows get a new one here, and ``Txn.hints`` holds the set
columns changed only by mutate insert/delete (``Database.set_diff_hints``).  Committing it
(``Database.commit``), writing it to storage and replying are the caller's (the server's).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pyovn.ovsdb import database as _database
from pyovn.ovsdb import rbac
from pyovn.ovsdb.condition import Condition, compile_where
from pyovn.ovsdb.data import (
    SymbolTable,
    check_datum,
    datum_from_json,
    datum_sort_key,
    datum_to_json,
    datum_to_string,
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
    ReferentialIntegrityViolation,
    SyntaxError_,
    TimedOut,
    UnknownColumn,
    is_id,
)
from pyovn.ovsdb.mutation import apply_mutations, parse_mutations
from pyovn.ovsdb.schema import parse_column_set
from pyovn.ovsdb.types import MAP, SCALAR, UINT_MAX, ZERO_UUID

if TYPE_CHECKING:
    from pyovn.ovsdb.database import ChangeSet, Database, Row, TableInfo, TxnResult

__all__ = ["execute", "Txn"]


def _english_list(items: list[str]) -> str:
    if len(items) == 1:
        return items[0]
    if len(items) == 2:
        return f"{items[0]} and {items[1]}"
    return ", ".join(items[:-1]) + ", and " + items[-1]


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

    __slots__ = ("db", "ch", "_symtab", "deleted", "read_only", "locks", "elapsed_ms",
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
        self.ch: dict[str, dict[str, tuple]] = {}
        self._symtab: SymbolTable | None = None
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
    def symtab(self) -> SymbolTable:
        """The named uuids, made on first use: most transactions (no "uuid-name", no
        "named-uuid") never need them."""
        s = self._symtab
        if s is None:
            s = self._symtab = SymbolTable()
        return s

    # -- row access -------------------------------------------------------------------------------
    def get(self, table: str, uuid: str) -> Row | None:
        ch = self.ch.get(table)
        if ch is not None:
            e = ch.get(uuid)
            if e is not None:
                return e[1]
        return self.db.tables[table].rows.get(uuid)

    def query(self, table: str, cond: Condition) -> list[Row]:
        match = cond.match
        if cond.uuid_eq is not None:
            row = self.get(table, cond.uuid_eq)
            return [row] if row is not None and match(row) else []
        rows = self.db.tables[table].rows
        ch = self.ch.get(table)
        if not ch:
            return [r for r in rows.values() if match(r)]
        out = [r for u, r in rows.items() if u not in ch and match(r)]
        out.extend(e[1] for e in ch.values() if e[1] is not None and match(e[1]))
        return out

    def modify(self, table: str, row: Row) -> Row:
        """A transaction-owned copy of ``row`` to change in place."""
        ch = self.ch.setdefault(table, {})
        uuid = row["_uuid"]
        e = ch.get(uuid)
        if e is None:
            new = dict(row)
            ch[uuid] = (row, new)
            return new
        return e[1]

    def delete(self, table: str, row: Row) -> None:
        ch = self.ch.setdefault(table, {})
        uuid = row["_uuid"]
        e = ch.get(uuid)
        ch[uuid] = (row if e is None else e[0], None)
        if isinstance(self.deleted, set):
            self.deleted.add(uuid)
        else:
            self.deleted = {uuid}   # the first deletion

    # -- parsing helpers --------------------------------------------------------------------------
    def table(self, p: MemberParser, member: str = "table") -> TableInfo | None:
        json = p.json
        if type(json) is dict:
            name = json.get(member)
            info = self.db.infos.get(name) if type(name) is str else None
            if info is not None:
                # A table's name is an <id>: what the general path below would check.
                p.used.add(member)
                return info
        name = p.member(member, OP_ID)
        if name is None:
            return None
        info = self.db.infos.get(name)
        if info is None:
            p.raise_error(f"No table named {name}.")
        return info

    def parse_row(self, info: TableInfo, json: Any, *, for_insert: bool,
                  into: dict[str, Any] | None = None) -> dict[str, Any]:
        """Column values given in a "row" object (ovsdb_row_from_json), stored into 'into'
        (a new dict by default)."""
        return _parse_row(self, info, json, for_insert, {} if into is None else into)


def _parse_row(x: Txn, info: TableInfo, json: dict, for_insert: bool, out: dict[str, Any]
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
        v = datum_from_json(t, value, x.symtab if name in uuid_columns else None)
        if for_insert and (name == "_uuid" or name == "_version"):
            continue    # ovsdb-server accepts and ignores these on insert
        out[name] = v
    return out


# ---------------------------------------------------------------------------------------------
# Operations
# ---------------------------------------------------------------------------------------------

def _op_insert(x: Txn, p: MemberParser) -> dict:
    info = x.table(p)
    if info is None:
        raise p.error   # type: ignore[misc]  # (set whenever there is no table)
    # The op is an object (it has a table); optional members it lacks need no parsing.
    json = p.json
    uuid_json = p.member("uuid", OP_STRING | OP_OPTIONAL) if "uuid" in json else None
    uuid_name = p.member("uuid-name", OP_ID | OP_OPTIONAL) if "uuid-name" in json else None
    row_json = p.member("row", OP_OBJECT | OP_OPTIONAL) if "row" in json else None
    if p.error is not None:
        raise p.error
    return _insert(x, info, uuid_json, uuid_name, row_json)


_PLAIN_INSERT_MEMBERS = frozenset(("op", "table", "row", "uuid-name"))


def _plain_insert(x: Txn, op: dict) -> TableInfo | None:
    """The table of an insert that needs no member parser (a known table, an optional "row"
    object and valid "uuid-name", nothing else: what most clients send), else None."""
    if not _PLAIN_INSERT_MEMBERS.issuperset(op):
        return None
    name = op.get("table")
    info = x.db.infos.get(name) if type(name) is str else None
    if info is None:
        return None
    if "row" in op and type(op["row"]) is not dict:
        return None
    if "uuid-name" in op:
        uuid_name = op["uuid-name"]
        if type(uuid_name) is not str or not is_id(uuid_name):
            return None
    return info


def _insert(x: Txn, info: TableInfo, uuid_json: str | None, uuid_name: str | None,
            row_json: dict | None) -> dict:
    uuid: str | None = None
    if uuid_json is not None:
        if not is_uuid(uuid_json):
            raise SyntaxError_("bad uuid", uuid_json)
        uuid = uuid_json.lower()
        if x.get(info.name, uuid) is not None or uuid in x.deleted:
            raise DuplicateUuid("This UUID would duplicate a UUID already present within the "
                                "table or deleted within the same transaction.", uuid_json)
    if uuid_name is not None:
        symtab = x.symtab
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
        _parse_row(x, info, row_json, True, row)
    for name, ctype in info.bad_defaults:
        if not row_json or name not in row_json:
            check_datum(ctype, info.defaults[name])
    if x.role is not None and not rbac.may_insert(x, x.role, x.client, info.name, row):
        raise rbac.denied("insert", x.client, x.role, info.name)
    row["_uuid"] = uuid
    row["_version"] = new_uuid()
    ch = x.ch.get(info.name)
    if ch is None:
        ch = x.ch[info.name] = {}
    ch[uuid] = (None, row)
    return {"uuid": ["uuid", uuid]}


def _row_to_json(info: TableInfo, row: Row, columns: tuple[str, ...]) -> dict:
    types = info.types
    return {c: datum_to_json(types[c], row[c]) for c in columns}


def _op_select(x: Txn, p: MemberParser) -> dict:
    info = x.table(p)
    where = p.member("where", OP_ARRAY)
    columns_json = p.member("columns", OP_ARRAY | OP_OPTIONAL)
    sort_json = p.member("sort", OP_ARRAY | OP_OPTIONAL)
    if p.error is not None:
        raise p.error
    assert info is not None
    cond = compile_where(info.schema, where, x.symtab)
    columns = (tuple(info.types) if columns_json is None
               else parse_column_set(info.schema, columns_json))
    sort = parse_column_set(info.schema, sort_json) if sort_json is not None else ()
    rows = x.query(info.name, cond)
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


def _op_update(x: Txn, p: MemberParser) -> dict:
    info = x.table(p)
    where = p.member("where", OP_ARRAY)
    row_json = p.member("row", OP_OBJECT)
    if p.error is not None:
        raise p.error
    assert info is not None
    values = x.parse_row(info, row_json, for_insert=False)
    schema_cols = info.schema.columns
    for name in values:
        if not schema_cols[name].mutable:
            raise ConstraintViolation(f"Cannot update immutable column {name} in table "
                                      f"{info.name}.", p.json)
    cond = compile_where(info.schema, where, x.symtab)
    rows = x.query(info.name, cond)
    if x.role is not None and not rbac.may_modify(x, x.role, x.client, info.name, values, rows):
        raise rbac.denied("update", x.client, x.role, info.name)
    for row in rows:
        if any(row[c] != v for c, v in values.items()):
            x.modify(info.name, row).update(values)
            if x.hints:
                for c in values:
                    x.hints.pop((info.name, row["_uuid"], c), None)
    return {"count": len(rows)}


def _op_mutate(x: Txn, p: MemberParser) -> dict:
    info = x.table(p)
    where = p.member("where", OP_ARRAY)
    mutations_json = p.member("mutations", OP_ARRAY)
    if p.error is not None:
        raise p.error
    assert info is not None
    mutations = parse_mutations(info.schema, mutations_json, x.symtab)
    cond = compile_where(info.schema, where, x.symtab)
    rows = x.query(info.name, cond)
    tname = info.name
    if x.role is not None and not rbac.may_modify(x, x.role, x.client, tname,
                                                  [m.column for m in mutations], rows):
        raise rbac.denied("mutate", x.client, x.role, tname)
    hints = x.hints
    for row in rows:
        row_hints: dict[str, Any] = {}
        values = apply_mutations(mutations, row, row_hints)
        if any(row[c] != v for c, v in values.items()):
            uuid = row["_uuid"]
            entry = x.ch.get(tname, {}).get(uuid)
            committed = entry[0] if entry is not None else row
            # Columns this transaction has not changed yet (the row may have been changed in
            # others): their diff is relative to the committed value, as a hint must be.
            untouched = {c for c in row_hints
                         if committed is not None and committed[c] is row[c]}
            x.modify(tname, row).update(values)
            for c, h in row_hints.items():
                key = (tname, uuid, c)
                if h is None or committed is None:
                    hints.pop(key, None)
                elif key in hints:
                    hints[key] = _compose(hints[key], h, row, values[c], x, tname, uuid, c)
                elif c in untouched:
                    hints[key] = h
                else:
                    hints.pop(key, None)
    return {"count": len(rows)}


def _compose(first: tuple[frozenset, frozenset], second: tuple[frozenset, frozenset],
             row: Row, final: Any, x: Txn, tname: str, uuid: str, c: str
             ) -> tuple[frozenset, frozenset]:
    """Chain two set diffs; ``row`` is the intermediate value's row, ``final`` the result."""
    orig = x.ch[tname][uuid][0]
    if orig is None:
        return (frozenset(), frozenset())
    o = orig[c]
    removed = frozenset(a for a in (*first[0], *second[0]) if a in o and a not in final)
    added = frozenset(a for a in (*first[1], *second[1]) if a in final and a not in o)
    return removed, added


def _op_delete(x: Txn, p: MemberParser) -> dict:
    info = x.table(p)
    where = p.member("where", OP_ARRAY)
    if p.error is not None:
        raise p.error
    assert info is not None
    cond = compile_where(info.schema, where, x.symtab)
    rows = x.query(info.name, cond)
    if x.role is not None and not rbac.may_delete(x, x.role, x.client, info.name, rows):
        raise rbac.denied("delete", x.client, x.role, info.name)
    for row in rows:
        x.delete(info.name, row)
    return {"count": len(rows)}


def _op_wait(x: Txn, p: MemberParser) -> dict:
    info = x.table(p)
    where = p.member("where", OP_ARRAY)
    columns_json = p.member("columns", OP_ARRAY | OP_OPTIONAL)
    until = p.member("until", OP_STRING)
    rows_json = p.member("rows", OP_ARRAY)
    timeout = p.member("timeout", OP_NUMBER | OP_OPTIONAL)
    if p.error is not None:
        raise p.error
    assert info is not None
    cond = compile_where(info.schema, where, x.symtab)
    columns = (tuple(info.types) if columns_json is None
               else parse_column_set(info.schema, columns_json))
    if timeout is not None:
        if timeout < 0:
            raise SyntaxError_("timeout must be nonnegative", timeout)
        if x.timeout_ms is None or timeout < x.timeout_ms:
            x.timeout_ms = timeout
    if until not in ("==", "!="):
        raise SyntaxError_('"until" must be "==" or "!="', until)
    expected: set = set()
    for rj in rows_json:
        if not isinstance(rj, dict):
            raise SyntaxError_("row must be JSON object", rj)
        row = dict(info.defaults)
        row.update(x.parse_row(info, rj, for_insert=False))
        row.setdefault("_uuid", ZERO_UUID)
        row.setdefault("_version", ZERO_UUID)
        expected.add(tuple(_hashable(row[c]) for c in columns))
    actual = {tuple(_hashable(r[c]) for c in columns) for r in x.query(info.name, cond)}
    if (actual == expected) != (until == "=="):
        if timeout is not None and (timeout == 0 or x.elapsed_ms >= timeout):
            raise TimedOut('"where" clause test failed')
        if timeout is None or x.elapsed_ms < timeout:
            raise NotSupported("triggers not supported")
    return {}


def _op_commit(x: Txn, p: MemberParser) -> dict:
    durable = p.member("durable", OP_BOOLEAN)
    if durable:
        x.durable = True
    return {}


def _op_abort(x: Txn, p: MemberParser) -> dict:
    raise Aborted("aborted by request")


def _op_comment(x: Txn, p: MemberParser) -> dict:
    comment = p.member("comment", OP_STRING)
    if comment is not None:
        if x.comments is None:
            x.comments = [comment]
        else:
            x.comments.append(comment)
    return {}


def _op_assert(x: Txn, p: MemberParser) -> dict:
    lock = p.member("lock", OP_ID)
    if lock is None:
        return {}
    if lock in x.locks:
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
            role: str | None = None, client: str | None = None) -> TxnResult:
    """Run one transaction; see the module docstring.  ``role`` and ``client``: the RBAC role
    and id of the session (:mod:`pyovn.ovsdb.rbac`).  (Database.transact calls ``_execute``
    itself, for the set-diff hints of the change set.)"""
    return _execute(db, ops, read_only, locks, elapsed_ms, role, client)[0]


def _execute(db: Database, ops: list, read_only: bool, locks: frozenset[str] | set[str],
             elapsed_ms: float, role: str | None = None,
             client: str | None = None) -> tuple[TxnResult, Txn]:
    TxnResult = _database.TxnResult
    x = Txn(db, read_only, locks, elapsed_ms, role, client)
    n = len(ops)
    results: list = []
    error: OvsdbError | None = None
    for i, op_json in enumerate(ops, 1):
        if type(op_json) is dict and op_json.get("op") == "insert" and not read_only:
            info = _plain_insert(x, op_json)
            if info is not None:
                try:
                    results.append(_insert(x, info, None, op_json.get("uuid-name"),
                                           op_json.get("row")))
                    continue
                except OvsdbError as e:
                    error = e
                    results.append(e.to_json())
                    break
        p = _OpParser(op_json, i, n)
        # The operation's name: a known name is an <id>, so the parser's checks are implied.
        op_name = op_json.get("op") if type(op_json) is dict else None
        entry = OPERATIONS.get(op_name) if type(op_name) is str else None  # type: ignore[arg-type]
        if entry is not None:
            p.used.add("op")
        else:
            op_name = p.member("op", OP_ID)
            if op_name is not None:
                p.raise_error(f'No operation "{op_name}"')
        result: dict | None = None
        ro = True
        if entry is not None:
            executor, ro = entry
            try:
                result = executor(x, p)
            except OvsdbError as e:
                error = e
        if p.error is not None or len(op_json) > len(p.used):
            try:
                p.finish()
            except OvsdbError as e:
                error = e   # a parse error overrides any other error
        if error is None and read_only and not ro:
            error = NotAllowed(f"{op_name} operation not allowed when database server is in "
                               "read only mode")
        if error is not None:
            results.append(error.to_json())
            break
        results.append(result)
    comment = "\n".join(x.comments) if x.comments else None
    # (TxnResult's arguments by position: results, changes, blocked, durable, comment,
    # timeout_ms, base_index, error)
    if error is not None:
        results.extend([None] * (n - len(results)))
        blocked = isinstance(error, NotSupported) and x.timeout_ms != 0
        return TxnResult(results, None, blocked, x.durable, comment, x.timeout_ms,
                         db.txn_index, error), x
    if not x.ch:
        return TxnResult(results, None, False, x.durable, comment, x.timeout_ms,
                         db.txn_index), x
    try:
        changes = _precommit_inserts(x)
        if changes is None:
            changes = _precommit(x)
    except OvsdbError as e:
        results.append(e.to_json())
        return TxnResult(results, None, False, x.durable, comment, x.timeout_ms,
                         db.txn_index, e), x
    return TxnResult(results, changes or None, False, x.durable, comment, x.timeout_ms,
                     db.txn_index), x


def _precommit_inserts(x: Txn) -> ChangeSet | None:
    """``_precommit`` of what most transactions do: insert rows that refer to no row into root
    tables without maxRows.  Then only the unique indexes can fail (no no-op changes, strong or
    weak references, garbage or row limits to check).  None when the change set holds anything
    else: the caller runs the general ``_precommit``."""
    infos = x.db.infos
    ch = x.ch
    indexed = False
    for tname, trows in ch.items():
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
        for tname, trows in ch.items():
            if infos[tname].indexes:
                _check_indexes(x, tname, trows)
    return ch   # (inserted rows got their _version on insert)


def _precommit(x: Txn) -> ChangeSet:
    db = x.db
    infos = db.infos
    ch = x.ch
    # 1. Drop changes that change nothing.  The same pass notes what later steps need to look
    # at (deletions, non-root tables, row limits), so that a step with nothing to do
    # costs nothing: most transactions touch a row or two.
    has_delete = gc_tables = limited = False
    for tname in list(ch):
        trows = ch[tname]
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
            del ch[tname]
            continue
        info = infos[tname]
        if not info.is_root:
            gc_tables = True
        if info.max_rows != UINT_MAX:
            limited = True
    if not ch:
        return {}

    # 2. Strong references: dangling references, then deletions of referenced rows.
    hints = x.hints
    delta: dict[str, int] = {}
    delta_table: dict[str, str] = {}
    for tname, trows in ch.items():
        info = infos[tname]
        strong = info.strong
        if not strong:
            continue
        for uuid, (old, new) in trows.items():
            if old is None and not any(map(new.__getitem__, info.strong_names)):
                continue    # an inserted row that refers to nothing
            for rc in strong:
                c = rc.name
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
                removed, added = rc.delta(ov, nv, hints.get((tname, uuid, c)))
                for _, u in removed:
                    if u != uuid:   # a row's references to itself do not keep it alive
                        delta[u] = delta.get(u, 0) - 1
                for rt, u in added:
                    if u == uuid:
                        continue
                    if x.get(rt, u) is None:
                        raise ReferentialIntegrityViolation(
                            f"Table {tname} column {c} row {uuid} references nonexistent row "
                            f"{u} in table {rt}.")
                    delta[u] = delta.get(u, 0) + 1
                    delta_table[u] = rt
    refcount = db.refcount
    if has_delete and (delta or refcount):
        for tname, trows in ch.items():
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
        _collect_garbage(x, delta, delta_table)

    # 4. maxRows.
    if limited:
        for tname, trows in ch.items():
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
    _assess_weak_refs(x)

    # 6. Unique indexes (of every table changed by now: step 5 may have changed more).
    for tname, trows in ch.items():
        if infos[tname].indexes:
            _check_indexes(x, tname, trows)

    # Done: new versions and the change set.
    out: ChangeSet = {}
    for tname, trows in ch.items():
        if not trows:
            continue
        for old, new in trows.values():
            if new is not None and old is not None:
                new["_version"] = new_uuid()    # inserted rows got theirs on insert
        out[tname] = trows
    return out


def _same_row(old: Row, new: Row) -> bool:
    return all(c == "_version" or old[c] == v for c, v in new.items())


def _collect_garbage(x: Txn, delta: dict[str, int], delta_table: dict[str, str]) -> None:
    db = x.db
    infos = db.infos
    refcount = db.refcount
    candidates: list[tuple[str, str]] = []
    for tname, trows in x.ch.items():
        if not infos[tname].is_root:
            candidates.extend((tname, u) for u, e in trows.items() if e[1] is not None)
    for u, d in delta.items():
        if d:
            t = delta_table.get(u)
            if t is None:
                # A reference removed from a row deleted earlier: find its table.
                t = _table_of(x, u)
            if t is not None and not infos[t].is_root:
                candidates.append((t, u))
    while candidates:
        tname, u = candidates.pop()
        row = x.get(tname, u)
        if row is None or refcount.get(u, 0) + delta.get(u, 0) != 0:
            continue
        x.delete(tname, row)
        e = x.ch[tname][u]
        if e[0] is None:
            del x.ch[tname][u]
        for rc in infos[tname].strong:
            for rt, ref in rc.refs(row[rc.name]):
                if ref == u:
                    continue
                delta[ref] = delta.get(ref, 0) - 1
                if not infos[rt].is_root:
                    candidates.append((rt, ref))


def _table_of(x: Txn, uuid: str) -> str | None:
    for tname, table in x.db.tables.items():
        if uuid in table.rows:
            return tname
        trows = x.ch.get(tname)
        if trows and uuid in trows:
            return tname
    return None


def _assess_weak_refs(x: Txn) -> None:
    db = x.db
    infos = db.infos
    ch = x.ch
    # Rows weakly referring to rows this transaction deletes.
    todo: dict[tuple[str, str], None] = {}
    weak_in = db.weak_in
    if weak_in:
        for trows in ch.values():
            for u, (old, new) in trows.items():
                if new is None and old is not None:
                    srcs = weak_in.get(u)
                    if srcs:
                        for src in srcs:
                            todo[src] = None
    for tname, trows in ch.items():
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
        row = x.get(tname, u)
        if row is None:
            continue
        info = infos[tname]
        tchanges = ch.get(tname)
        e = tchanges.get(u) if tchanges else None
        inserted = e is not None and e[0] is None
        for rc in info.weak:
            c = rc.name
            value = row[c]
            if rc.kind != SCALAR and not value:
                continue
            if e is not None and e[0] is not None:
                if e[0][c] == value and not x.deleted:
                    continue
                hint = x.hints.get((tname, u, c))
                target = rc.key_table or ""  # a weak reference always names its table
                if hint is not None and not any(
                        x.get(target, a) is None for a in hint[1]) and not (
                        x.deleted and not x.deleted.isdisjoint(value)):
                    continue    # only known-good references were added
            new_value, n_removed, zero = _drop_dangling(x, rc, value)
            if not n_removed:
                continue
            ctype = rc.type
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
            x.modify(tname, row)[c] = new_value
            x.hints.pop((tname, u, c), None)
            row = x.get(tname, u)
            assert row is not None
            e = ch[tname][u]


def _drop_dangling(x: Txn, rc: Any, value: Any) -> tuple[Any, int, bool]:
    """``value`` without references to rows that do not exist after the transaction."""
    get = x.get
    kt, vt = rc.key_table, rc.value_table
    zero = False
    if rc.kind == SCALAR:
        if get(kt, value) is None:
            return value, 1, value == ZERO_UUID
        return value, 0, False
    if rc.kind == MAP:
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


def _check_indexes(x: Txn, tname: str, trows: dict[str, tuple[Row | None, Row | None]]
                   ) -> None:
    table = x.db.tables[tname]
    info = table.info
    for i, cols in enumerate(info.indexes):
        committed = table.indexes[i]
        seen: dict[tuple, str] = {}
        for u, (_old, new) in trows.items():
            if new is None:
                continue
            key = tuple(_hashable(new[c]) for c in cols)
            other = seen.get(key)
            if other is None:
                cu = committed.get(key)
                if cu is not None and cu != u and cu not in trows:
                    other = cu
            if other is not None:
                raise _duplicate_index_error(x, tname, cols, x.get(tname, other), new)
            seen[key] = u


def _duplicate_index_error(x: Txn, tname: str, cols: tuple[str, ...], a: Row | None,
                           b: Row) -> ConstraintViolation:
    assert a is not None
    info = x.db.infos[tname]
    types = info.types
    order = [c for c in info.user_columns] + ["_uuid"]

    def key(r: Row) -> tuple:
        return tuple(datum_sort_key(types[c], r[c]) for c in order)
    if key(a) < key(b):
        a, b = b, a
    values = _english_list([datum_to_string(types[c], a[c]) for c in cols])
    names = _english_list([f'"{c}"' for c in cols])
    trows = x.ch.get(tname, {})

    def describe(r: Row, title: str) -> str:
        e = trows.get(r["_uuid"])
        s = f"{title} row, with UUID {r['_uuid']}, "
        if e is None:
            return s + ("existed in the database before this transaction and was not "
                        "modified by the transaction.")
        if e[0] is None:
            return s + "was inserted by this transaction."
        old = e[0]
        if all(old[c] == r[c] for c in cols):
            return s + ("existed in the database before this transaction, which modified "
                        "some of the row's columns but not any columns in this index.")
        before = _english_list([datum_to_string(types[c], old[c]) for c in cols])
        return s + f"had the following index values before the transaction: {before}."
    return ConstraintViolation(
        f'Transaction causes multiple rows in "{tname}" table to have identical values '
        f"({values}) for index on column{'s' if len(cols) > 1 else ''} {names}.  "
        f"{describe(a, 'First')}  {describe(b, 'Second')}")
