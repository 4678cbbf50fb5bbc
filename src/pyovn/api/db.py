"""The generic db_* verbs of every database (ovs-vsctl's create/set/add/remove/clear/destroy/
get/list/find), each declared once for all Api classes.

How it works: records are given as a Row, a uuid, or a name looked up through the Api's
``lookups`` (``Logical_Switch`` by ``name``, ``Open_vSwitch`` by ``"."`` …). Writes are set
operations or mutations (``db_add``/``db_remove`` never replace a whole set, so concurrent writers
do not conflict). Map semantics follow ovs-vsctl: ``db_set`` with a dict updates those keys,
``db_add`` adds keys that are absent, ``db_remove`` deletes keys (or key=value pairs).
``db_find`` uses an index for an equality condition on one indexed column, else scans.
"""

from __future__ import annotations

from typing import Any

from pyovn.api.base import Api, Command, RunContext, verb
from pyovn.api.errors import InvalidArgument
from pyovn.ovsdb.client import Row
from pyovn.ovsdb.largeset import SET_TYPES
from pyovn.ovsdb.types import MAP, SCALAR

__all__ = ["row_to_dict"]

CONDITION_OPS = ("=", "!=", "<", ">", "<=", ">=", "{=}", "{!=}", "{<}", "{>}", "{<=}", "{>=}")


def row_to_dict(row: Row, columns: list[str] | None = None) -> dict[str, Any]:
    """A Row as ``{"_uuid": uuid, column: python-friendly value, ...}``."""
    cols = columns if columns is not None else list(row._table.columns)
    out: dict[str, Any] = {"_uuid": row.uuid}
    for c in cols:
        if c != "_uuid":
            out[c] = getattr(row, c)
    return out


class _TableCommand(Command):
    def __init__(self, api: Api, table: str):
        super().__init__(api)
        self.table = api.check_table(table)

    def _kind(self, column: str) -> str:
        col = self.api.schema.tables[self.table].columns.get(column)
        if col is None:
            raise InvalidArgument(f"table {self.table} has no column {column!r}")
        return col.type.kind


@verb()
class DbCreate(_TableCommand):
    """Insert a row; the result is its uuid."""

    verb = "db_create"

    def __init__(self, api: Api, table: str, **col_values: Any):
        super().__init__(api, table)
        self.columns = api.check_columns(table, col_values)

    def run(self, ctx: RunContext) -> None:
        self.result = ctx.insert(self.table, **self.columns)

    def post_commit(self, ctx: RunContext) -> None:
        self.result = self.result.uuid


@verb()
class DbCreateRow(DbCreate):
    """Insert a row; the result is the new Row."""

    verb = "db_create_row"

    def post_commit(self, ctx: RunContext) -> None:
        self.result = ctx.resolve(self.result)


@verb()
class DbDestroy(_TableCommand):
    """Delete a row."""

    verb = "db_destroy"

    def __init__(self, api: Api, table: str, record: Any):
        super().__init__(api, table)
        self.record = record

    def run(self, ctx: RunContext) -> None:
        ctx.delete(ctx.lookup(self.table, self.record))


@verb()
class DbSet(_TableCommand):
    """Set columns: ``db_set(table, record, (col, value), ..., **columns)``; a dict value
    for a map column sets those keys, leaving the others."""

    verb = "db_set"

    def __init__(self, api: Api, table: str, record: Any, *col_values: tuple[str, Any],
                 if_exists: bool = True, **columns: Any):
        super().__init__(api, table)
        self.record = record
        self.if_exists = if_exists
        pairs = list(col_values) + list(columns.items())
        for p in pairs:
            if not isinstance(p, tuple) or len(p) != 2:
                raise InvalidArgument(f"db_set: expected (column, value), got {p!r}")
        api.check_columns(table, dict(pairs))
        self.pairs = pairs

    def run(self, ctx: RunContext) -> None:
        row = ctx.lookup(self.table, self.record, required=not self.if_exists)
        if row is None:
            return
        plain: dict[str, Any] = {}
        for col, val in self.pairs:
            if self._kind(col) == MAP and isinstance(val, dict):
                ctx.update_map(row, col, val)
            else:
                plain[col] = val
        if plain:
            ctx.set(row, **plain)


@verb()
class DbAdd(_TableCommand):
    """Add elements to a set column, or key/value pairs (only absent keys) to a map column."""

    verb = "db_add"

    def __init__(self, api: Api, table: str, record: Any, column: str, *values: Any):
        super().__init__(api, table)
        self.record = record
        self.column = column
        kind = self._kind(column)
        if kind == SCALAR:
            raise InvalidArgument(f"{table}.{column} is not a set or a map")
        if kind == MAP and not all(isinstance(v, dict) for v in values):
            raise InvalidArgument(f"{table}.{column} is a map: values must be dicts")
        self.values = values

    def run(self, ctx: RunContext) -> None:
        row = ctx.lookup(self.table, self.record)
        if self._kind(self.column) == MAP:
            merged: dict[Any, Any] = {}
            for d in self.values:
                merged.update(d)
            # "insert" on a map adds only keys that are not there yet: ovs-vsctl add semantics.
            ctx.mutate(row, self.column, "insert", merged)
        else:
            elems: list[Any] = []
            for v in self.values:
                elems.extend(v if isinstance(v, (list, tuple, *SET_TYPES)) else [v])
            ctx.add(row, self.column, *elems)
        self.result = None


@verb()
class DbRemove(_TableCommand):
    """Remove set elements, map keys (``*values``) or map pairs (``**keyvalues``)."""

    verb = "db_remove"

    def __init__(self, api: Api, table: str, record: Any, column: str, *values: Any,
                 if_exists: bool = False, **keyvalues: Any):
        super().__init__(api, table)
        self.record = record
        self.column = column
        self.if_exists = if_exists
        if self._kind(column) == SCALAR:
            raise InvalidArgument(f"{table}.{column} is not a set or a map")
        if keyvalues and self._kind(column) != MAP:
            raise InvalidArgument(f"{table}.{column} is not a map")
        self.values = values
        self.keyvalues = keyvalues

    def run(self, ctx: RunContext) -> None:
        row = ctx.lookup(self.table, self.record, required=not self.if_exists)
        if row is None:
            return
        if self.values:
            ctx.discard(row, self.column, *self.values)
        if self.keyvalues:
            ctx.mutate(row, self.column, "delete", dict(self.keyvalues))


@verb()
class DbClear(_TableCommand):
    """Empty a set or map column."""

    verb = "db_clear"

    def __init__(self, api: Api, table: str, record: Any, column: str):
        super().__init__(api, table)
        self.record = record
        self.column = column
        self._kind(column)

    def run(self, ctx: RunContext) -> None:
        row = ctx.lookup(self.table, self.record)
        kind = self._kind(self.column)
        ctx.set(row, **{self.column: {} if kind == MAP else []})


@verb()
class DbGet(_TableCommand):
    """The value of one column of a record."""

    verb = "db_get"

    def __init__(self, api: Api, table: str, record: Any, column: str):
        super().__init__(api, table)
        self.record = record
        self.column = column
        if column != "_uuid":
            self._kind(column)

    def run(self, ctx: RunContext) -> None:
        row = ctx.lookup(self.table, self.record)
        self.result = row.uuid if self.column == "_uuid" else ctx.value(row, self.column)


def _records(ctx: RunContext, table: str, records: Any, if_exists: bool) -> list[Any]:
    if records is None:
        return ctx.api.idl.tables[table].all()
    if not isinstance(records, (list, tuple)):
        records = [records]
    out = []
    for r in records:
        row = ctx.lookup(table, r, required=not if_exists)
        if row is not None:
            out.append(row)
    return out


@verb()
class DbList(_TableCommand):
    """Rows as dicts (``{"_uuid": ..., column: value}``): all, or the given records."""

    verb = "db_list"

    def __init__(self, api: Api, table: str, records: Any = None, columns: list[str] | None = None,
                 if_exists: bool = False):
        super().__init__(api, table)
        self.records = records
        self.columns = columns
        for c in columns or ():
            if c != "_uuid":
                self._kind(c)
        self.if_exists = if_exists

    def run(self, ctx: RunContext) -> None:
        rows = _records(ctx, self.table, self.records, self.if_exists)
        self.result = [row_to_dict(r, self.columns) for r in rows if isinstance(r, Row)]

    def post_commit(self, ctx: RunContext) -> None:
        pass


@verb()
class DbListRows(_TableCommand):
    """Rows (Row snapshots): all, or the given record."""

    verb = "db_list_rows"

    def __init__(self, api: Api, table: str, record: Any = None, if_exists: bool = False):
        super().__init__(api, table)
        self.record = record
        self.if_exists = if_exists

    def run(self, ctx: RunContext) -> None:
        self.result = _records(ctx, self.table, self.record, self.if_exists)


def _matches(kind: str, have: Any, op: str, want: Any) -> bool:
    if kind == SCALAR:
        if isinstance(want, Row):
            want = want.uuid
        if isinstance(have, Row):
            have = have.uuid
        if op.startswith("{"):
            op = op[1:-1]
        return {
            "=": have == want, "!=": have != want, "<": have < want, ">": have > want,
            "<=": have <= want, ">=": have >= want,
        }[op]
    if kind == MAP:
        h = set(dict(have).items())
        w = set(dict(want).items())
    else:
        h = set(have)
        w = set(want) if isinstance(want, (list, tuple, *SET_TYPES)) else {want}
    return {
        "=": h == w, "!=": h != w, "{=}": h == w, "{!=}": h != w, "{<}": h < w, "{>}": h > w,
        "{<=}": h <= w, "{>=}": h >= w, "<": h < w, ">": h > w, "<=": h <= w, ">=": h >= w,
    }[op]


@verb()
class DbFindRows(_TableCommand):
    """Rows matching every ``(column, op, value)`` condition (ops as in ovs-vsctl find)."""

    verb = "db_find_rows"

    def __init__(self, api: Api, table: str, *conditions: tuple[str, str, Any], **kwargs: Any):
        super().__init__(api, table)
        self.columns = kwargs.pop("columns", None)
        if kwargs:
            raise InvalidArgument(f"unexpected arguments {sorted(kwargs)}")
        conds = []
        for c in conditions:
            if not isinstance(c, (tuple, list)) or len(c) != 3 or c[1] not in CONDITION_OPS:
                raise InvalidArgument(f"bad condition {c!r}: (column, op, value) with op in "
                                      f"{CONDITION_OPS}")
            conds.append((c[0], c[1], c[2], self._kind(c[0]) if c[0] != "_uuid" else SCALAR))
        self.conditions = conds

    def _rows(self, ctx: RunContext) -> list[Row]:
        rows: list[Any] | None = None
        for col, op, val, kind in self.conditions:
            if op == "=" and kind == SCALAR and (self.table, (col,)) in ctx.api._indexes:
                rows = [r for r in ctx.find(self.table, (col,), val) if isinstance(r, Row)]
                break
        if rows is None:
            rows = ctx.api.idl.tables[self.table].all()
        out = []
        for r in rows:
            if all(_matches(k, r.uuid if c == "_uuid" else getattr(r, c), op, v)
                   for c, op, v, k in self.conditions):
                out.append(r)
        return out

    def run(self, ctx: RunContext) -> None:
        self.result = self._rows(ctx)


@verb()
class DbFind(DbFindRows):
    """Like db_find_rows, as dicts (``columns=[...]`` to choose them)."""

    verb = "db_find"

    def run(self, ctx: RunContext) -> None:
        self.result = [row_to_dict(r, self.columns) for r in self._rows(ctx)]

    def post_commit(self, ctx: RunContext) -> None:
        pass

