"""The database commands every ctl tool has (ovs-vsctl(8) "Database Commands"), and ``show``.

``list``, ``find``, ``get``, ``set``, ``add``, ``remove``, ``clear``, ``create``, ``destroy`` and
``wait-until`` behave as in OVS's db-ctl-base: names are checked in ``pre`` (before any command
runs), values are parsed with :mod:`pyovn.ovsdb.datastr` when the command runs, and each change
is made on the :class:`~pyovn.ctl.txnview.TxnView` in the form the real tools send it (``set
col:key=value`` and ``add`` are partial updates; ``remove``/``clear``/``set col=value`` full
writes). :func:`show` prints a tree from a tool's :class:`~pyovn.ctl.registry.ShowTable` list.
"""

from __future__ import annotations

from typing import Any

from pyovn.ctl.context import Context, parse_value, warn
from pyovn.ctl.registry import UNLIMITED, CommandSyntax, CtlError, ShowTable
from pyovn.ctl.txnview import ViewRow
from pyovn.ovsdb.data import atom_to_string, compare_datums, datum_to_string
from pyovn.ovsdb.datastr import DataStringError, atom_from_string, datum_from_string, token_parse
from pyovn.ovsdb.schema import ColumnSchema, TableSchema
from pyovn.ovsdb.tableprint import Table
from pyovn.ovsdb.types import MAP, SCALAR, SET, UINT_MAX, UUID, ColumnType

__all__ = ["COMMANDS", "RELOPS", "show", "check_mutable", "set_column", "list_columns"]

RELOPS = ("=", "!=", "<", ">", "<=", ">=", "{=}", "{!=}", "{<}", "{>}", "{<=}", "{>=}", "{in}",
          "{not-in}")


def _as_set(ctype: ColumnType, value: Any) -> Any:
    """A value as a set/map (a scalar becomes a one-element set)."""
    return frozenset((value,)) if ctype.kind == SCALAR else value


def check_mutable(row: ViewRow, column: ColumnSchema) -> None:
    if not column.mutable and not row.is_new:
        raise CtlError(f"cannot modify read-only column {column.name} in table "
                       f"{row.table.name}")


def set_column(ctx: Context, row: ViewRow, arg: str) -> None:
    """Apply one ``column[:key]=value`` argument to ``row`` (``set`` and ``create``)."""
    table = row.table
    column, key, _, value = ctx.parse_column_key_value(arg, table, with_uuid=False)
    assert value is not None
    check_mutable(row, column)
    ctype = column.type
    txn = ctx.view()
    if key is not None:
        if ctype.kind != MAP:
            raise CtlError(f"cannot specify key to set for non-map column {column.name}")
        assert ctype.value is not None
        k = parse_value(atom_from_string, ctype.key, key, ctx.symtab)
        v = parse_value(atom_from_string, ctype.value, value, ctx.symtab)
        txn.map_set(row, column.name, k, v)
    else:
        txn.write(row, column.name, parse_value(datum_from_string, ctype, value, ctx.symtab))


def list_columns(ctx: Context, table: TableSchema) -> list[ColumnSchema]:
    spec = ctx.option("--columns")
    if spec is None:
        return [table.columns["_uuid"]] + [table.columns[c] for c in sorted(table.user_columns)]
    return [ctx.get_column(table, name) for name in spec.split(",")]


def _row_cells(row: ViewRow, columns: list[ColumnSchema]) -> list[tuple[ColumnType, Any]]:
    return [(c.type, row.values[c.name]) for c in columns]


# -- list / find ----------------------------------------------------------------------------------

def _pre_list(ctx: Context) -> None:
    list_columns(ctx, ctx.get_table(ctx.argv[1]))


def _list(ctx: Context) -> None:
    table = ctx.get_table(ctx.argv[1])
    columns = list_columns(ctx, table)
    out = Table([c.name for c in columns])
    if len(ctx.argv) > 2:
        for record in ctx.argv[2:]:
            row = ctx.get_row(table, record, must_exist=not ctx.has("--if-exists"))
            if row is not None:
                out.add_row(_row_cells(row, columns))
    else:
        for row in ctx.view().rows(table.name):
            out.add_row(_row_cells(row, columns))
    ctx.table = out


def _pre_find(ctx: Context) -> None:
    table = ctx.get_table(ctx.argv[1])
    list_columns(ctx, table)
    for arg in ctx.argv[2:]:
        pre_column(ctx, table, arg)


def pre_column(ctx: Context, table: TableSchema, arg: str, *, with_uuid: bool = True) -> None:
    """OVS's pre-phase check of a ``column[:key]...`` argument: the column name only."""
    try:
        name, _ = token_parse(arg, 0)
    except DataStringError as exc:
        raise CtlError(str(exc)) from None
    if name == "":
        raise CtlError(f"{arg}: missing column name")
    ctx.get_column(table, name, with_uuid=with_uuid)


def check_condition(ctx: Context, table: TableSchema, row: ViewRow, arg: str) -> bool:
    column, key, op, value = ctx.parse_column_key_value(arg, table, operators=RELOPS)
    assert op is not None and value is not None
    ctype = column.type
    have = row.values[column.name]
    if key is not None:
        if ctype.kind != MAP:
            raise CtlError(f"cannot specify key to check for non-map column {column.name}")
        assert ctype.value is not None
        k = parse_value(atom_from_string, ctype.key, key, ctx.symtab)
        vtype = ColumnType(ctype.value, None, ctype.min, ctype.max)
        want = _as_set(vtype, parse_value(datum_from_string, vtype, value, ctx.symtab))
        atype = ColumnType(ctype.value, None, 0, UINT_MAX)
        if k not in have and not op.startswith("{"):
            return False  # a missing key satisfies no scalar comparison
        a = frozenset((have[k],)) if k in have else frozenset()
        return _relop(atype, a, frozenset(want) if vtype.kind != MAP else want, op)
    want = parse_value(datum_from_string, ctype, value, ctx.symtab)
    if ctype.kind == SCALAR:
        stype = ColumnType(ctype.key, None, 0, UINT_MAX)
        return _relop(stype, frozenset((have,)), frozenset((want,)), op)
    return _relop(ctype, have, want, op)


def _includes_all(ctype: ColumnType, a: Any, b: Any) -> bool:
    """Every element of ``b`` is in ``a`` (OVS's ovsdb_datum_includes_all(b, a))."""
    if ctype.kind == MAP:
        return all(k in a and a[k] == v for k, v in b.items())
    return all(x in a for x in b)


def _excludes_all(ctype: ColumnType, a: Any, b: Any) -> bool:
    if ctype.kind == MAP:
        return not any(k in a and a[k] == v for k, v in b.items())
    return not any(x in a for x in b)


def _relop(ctype: ColumnType, a: Any, b: Any, op: str) -> bool:
    if op in ("=", "{=}"):
        return compare_datums(ctype, a, b) == 0
    if op in ("!=", "{!=}"):
        return compare_datums(ctype, a, b) != 0
    if op == "<":
        return compare_datums(ctype, a, b) < 0
    if op == ">":
        return compare_datums(ctype, a, b) > 0
    if op == "<=":
        return compare_datums(ctype, a, b) <= 0
    if op == ">=":
        return compare_datums(ctype, a, b) >= 0
    if op == "{<}":
        return len(b) > len(a) and _includes_all(ctype, b, a)
    if op == "{>}":
        return len(a) > len(b) and _includes_all(ctype, a, b)
    if op in ("{<=}", "{in}"):
        return _includes_all(ctype, b, a)
    if op == "{>=}":
        return _includes_all(ctype, a, b)
    return _excludes_all(ctype, a, b)  # {not-in}


def _find(ctx: Context) -> None:
    table = ctx.get_table(ctx.argv[1])
    columns = list_columns(ctx, table)
    out = Table([c.name for c in columns])
    for row in ctx.view().rows(table.name):
        if all(check_condition(ctx, table, row, arg) for arg in ctx.argv[2:]):
            out.add_row(_row_cells(row, columns))
    ctx.table = out


# -- get ------------------------------------------------------------------------------------------

def _pre_get(ctx: Context) -> None:
    table = ctx.get_table(ctx.argv[1])
    for arg in ctx.argv[3:]:
        pre_column(ctx, table, arg)


def create_symbol(ctx: Context, name: str) -> tuple[Any, bool]:
    if not name.startswith("@"):
        raise CtlError(f'row id "{name}" does not begin with "@"')
    new = ctx.symtab.get(name) is None
    sym = ctx.symtab.insert(name)
    if sym.created:
        raise CtlError(f'row id "{name}" may only be specified on one --id option')
    sym.created = True
    return sym, new


def _get(ctx: Context) -> None:
    table = ctx.get_table(ctx.argv[1])
    record = ctx.argv[2]
    must_exist = not ctx.has("--if-exists")
    row = ctx.get_row(table, record, must_exist=must_exist)
    if row is None:
        return
    ident = ctx.option("--id")
    if ident is not None:
        sym, new = create_symbol(ctx, ident)
        if not new:
            raise CtlError(f'row id "{ident}" specified on "get" command was used before it '
                           "was defined")
        sym.uuid = row.uuid
        sym.strong_ref = True
    for arg in ctx.argv[3:]:
        column, key, _, _ = ctx.parse_column_key_value(arg, table, want_value=False)
        ctype = column.type
        value = row.values[column.name]
        if key is not None:
            if ctype.kind != MAP:
                raise CtlError(f"cannot specify key to get for non-map column {column.name}")
            assert ctype.value is not None
            k = parse_value(atom_from_string, ctype.key, key, ctx.symtab)
            if k in value:
                ctx.out(atom_to_string(ctype.value.type, value[k]))
            elif must_exist:
                raise CtlError(f'no key "{key}" in {table.name} record "{record}" column '
                               f"{column.name}")
        else:
            ctx.out(datum_to_string(ctype, value))
        ctx.out("\n")


# -- set / add / remove / clear -------------------------------------------------------------------

def _pre_columns(first_arg: int, *, with_value: bool) -> Any:
    def pre(ctx: Context) -> None:
        table = ctx.get_table(ctx.argv[1])
        for arg in ctx.argv[first_arg:first_arg + (UNLIMITED if with_value else 1)]:
            if with_value:
                pre_column(ctx, table, arg, with_uuid=False)
            else:
                ctx.get_column(table, arg, with_uuid=False)
    return pre


def _pre_clear(ctx: Context) -> None:
    table = ctx.get_table(ctx.argv[1])
    for arg in ctx.argv[3:]:
        ctx.get_column(table, arg, with_uuid=False)


def _set(ctx: Context) -> None:
    table = ctx.get_table(ctx.argv[1])
    row = ctx.get_row(table, ctx.argv[2], must_exist=not ctx.has("--if-exists"))
    if row is None:
        return
    for arg in ctx.argv[3:]:
        set_column(ctx, row, arg)


def _english_count(ctype: ColumnType) -> str:
    return "pairs" if ctype.kind == MAP else "values"


def _mutable_column(ctx: Context) -> tuple[TableSchema, ViewRow, ColumnSchema] | None:
    """add/remove's TABLE RECORD COLUMN: None when the record is missing with --if-exists."""
    table = ctx.get_table(ctx.argv[1])
    row = ctx.get_row(table, ctx.argv[2], must_exist=not ctx.has("--if-exists"))
    if row is None:
        return None
    column = ctx.get_column(table, ctx.argv[3], with_uuid=False)
    check_mutable(row, column)
    return table, row, column


def _add(ctx: Context) -> None:
    target = _mutable_column(ctx)
    if target is None:
        return
    table, row, column = target
    ctype = column.type
    add_type = ColumnType(ctype.key, ctype.value, 1, UINT_MAX)
    acc_keys: list[Any] = []
    acc: dict[Any, Any] = {}
    for arg in ctx.argv[4:]:
        got = parse_value(datum_from_string, add_type, arg, ctx.symtab)
        if add_type.kind == MAP:
            for k in sorted(got):
                if k not in acc:
                    acc[k] = got[k]
                    acc_keys.append(k)
        else:
            for a in sorted(got):
                if a not in acc:
                    acc[a] = None
                    acc_keys.append(a)
    old = row.values[column.name]
    if ctype.kind == MAP:
        total = len(set(old) | set(acc))
    else:
        total = len(_as_set(ctype, old) | set(acc)) if ctype.kind == SET else len(acc)
    if ctype.kind != SCALAR and total > ctype.max:
        raise CtlError(f'"add" operation would put {total} {_english_count(ctype)} in column '
                       f"{column.name} of table {table.name} but the maximum number is "
                       f"{ctype.max}")
    txn = ctx.view()
    for k in acc_keys:
        if ctype.kind == MAP:
            txn.map_set(row, column.name, k, acc[k])
        else:
            txn.set_insert(row, column.name, k)


def _remove(ctx: Context) -> None:
    target = _mutable_column(ctx)
    if target is None:
        return
    table, row, column = target
    ctype = column.type
    value = row.values[column.name]
    if ctype.kind == MAP:
        cur = dict(value)
    else:
        cur_set = set(_as_set(ctype, value))
    rm_type = ColumnType(ctype.key, ctype.value, 1, UINT_MAX)
    for arg in ctx.argv[4:]:
        try:
            rm = datum_from_string(rm_type, arg, ctx.symtab)
            is_keys = False
        except Exception as first:
            if ctype.kind != MAP:
                parse_value(datum_from_string, rm_type, arg, ctx.symtab)
                raise first from None
            key_type = ColumnType(ctype.key, None, 1, UINT_MAX)
            rm = parse_value(datum_from_string, key_type, arg, ctx.symtab)
            is_keys = True
        if ctype.kind == MAP:
            if is_keys:
                for k in rm:
                    cur.pop(k, None)
            else:
                for k, v in rm.items():
                    if cur.get(k, _MISSING) == v:
                        del cur[k]
        else:
            cur_set -= set(rm)
    n = len(cur) if ctype.kind == MAP else len(cur_set)
    if n < ctype.min:
        raise CtlError(f'"remove" operation would put {n} {_english_count(ctype)} in column '
                       f"{column.name} of table {table.name} but the minimum number is "
                       f"{ctype.min}")
    if ctype.kind == MAP:
        new: Any = cur
    elif ctype.kind == SCALAR:
        (new,) = cur_set
    else:
        new = frozenset(cur_set)
    ctx.view().write(row, column.name, new)


_MISSING = object()


def _clear(ctx: Context) -> None:
    table = ctx.get_table(ctx.argv[1])
    row = ctx.get_row(table, ctx.argv[2], must_exist=not ctx.has("--if-exists"))
    if row is None:
        return
    for arg in ctx.argv[3:]:
        column = ctx.get_column(table, arg, with_uuid=False)
        check_mutable(row, column)
        if column.type.min > 0:
            raise CtlError(f'"clear" operation cannot be applied to column {column.name} of '
                           f"table {table.name}, which is not allowed to be empty")
        ctx.view().write(row, column.name, {} if column.type.kind == MAP else frozenset())


# -- create / destroy -----------------------------------------------------------------------------

def _pre_create(ctx: Context) -> None:
    table = ctx.get_table(ctx.argv[1])
    for arg in ctx.argv[2:]:
        pre_column(ctx, table, arg, with_uuid=False)


def _create(ctx: Context) -> None:
    table = ctx.get_table(ctx.argv[1])
    ident = ctx.option("--id")
    uuid = None
    if ident is not None:
        sym, _ = create_symbol(ctx, ident)
        sym.root = table.is_root
        uuid = sym.uuid
    elif not table.is_root:
        warn("db_ctl_base", f'applying "create" command to table {table.name} without --id '
             "option will have no effect")
    row = ctx.view().insert(table.name, uuid)
    for arg in ctx.argv[2:]:
        set_column(ctx, row, arg)
    ctx.data["row"] = row.uuid


def _post_create(ctx: Context) -> None:
    ctx.out(ctx.view().insert_result(ctx.data["row"]) + "\n")


def _destroy(ctx: Context) -> None:
    table = ctx.get_table(ctx.argv[1])
    delete_all = ctx.has("--all")
    records = ctx.argv[2:]
    if delete_all and records:
        raise CtlError("--all and records argument should not be specified together")
    if not delete_all and not records:
        warn("db_ctl_base", "either --all or records argument should be specified")
        return
    txn = ctx.view()
    if delete_all:
        for row in txn.rows(table.name):
            txn.delete(row)
        return
    for record in records:
        row = ctx.get_row(table, record, must_exist=not ctx.has("--if-exists"))
        if row is not None:
            txn.delete(row)


# -- wait-until -----------------------------------------------------------------------------------

def _pre_wait(ctx: Context) -> None:
    table = ctx.get_table(ctx.argv[1])
    for arg in ctx.argv[3:]:
        pre_column(ctx, table, arg)


def _wait_until(ctx: Context) -> None:
    table = ctx.get_table(ctx.argv[1])
    row = ctx.get_row(table, ctx.argv[2], must_exist=False)
    if row is None:
        ctx.try_again = True
        return
    for arg in ctx.argv[3:]:
        if not check_condition(ctx, table, row, arg):
            ctx.try_again = True
            return


def _comment(ctx: Context) -> None:
    """Nothing: the real tools only add the words to the transaction's log comment."""


COMMANDS: list[CommandSyntax] = [
    CommandSyntax("list", 1, UNLIMITED, _list, ("--if-exists", "--columns="), pre=_pre_list,
                  mode="ro", usage="TABLE [RECORD]..."),
    CommandSyntax("find", 1, UNLIMITED, _find, ("--columns=",), pre=_pre_find, mode="ro",
                  usage="TABLE [COLUMN[:KEY]=VALUE]..."),
    CommandSyntax("get", 2, UNLIMITED, _get, ("--if-exists", "--id="), pre=_pre_get, mode="ro",
                  usage="TABLE RECORD [COLUMN[:KEY]]..."),
    CommandSyntax("set", 3, UNLIMITED, _set, ("--if-exists",), pre=_pre_columns(3, with_value=True),
                  usage="TABLE RECORD COLUMN[:KEY]=VALUE..."),
    CommandSyntax("add", 4, UNLIMITED, _add, ("--if-exists",), pre=_pre_columns(3, with_value=False),
                  usage="TABLE RECORD COLUMN [KEY=]VALUE..."),
    CommandSyntax("remove", 4, UNLIMITED, _remove, ("--if-exists",),
                  pre=_pre_columns(3, with_value=False), usage="TABLE RECORD COLUMN KEY|VALUE..."),
    CommandSyntax("clear", 3, UNLIMITED, _clear, ("--if-exists",), pre=_pre_clear,
                  usage="TABLE RECORD COLUMN..."),
    CommandSyntax("create", 2, UNLIMITED, _create, ("--id=",), pre=_pre_create, post=_post_create,
                  usage="TABLE COLUMN[:KEY]=VALUE..."),
    CommandSyntax("destroy", 1, UNLIMITED, _destroy, ("--if-exists", "--all"),
                  usage="TABLE [RECORD]..."),
    CommandSyntax("wait-until", 2, UNLIMITED, _wait_until, (), pre=_pre_wait, mode="ro",
                  usage="TABLE RECORD [COLUMN[:KEY]=VALUE]..."),
    CommandSyntax("comment", 0, UNLIMITED, _comment, (), mode="ro", usage="[ARG]..."),
]


# -- show -----------------------------------------------------------------------------------------

def show(ctx: Context, tables: list[ShowTable]) -> None:
    """OVS's generic ``show``: a tree from the first show table's rows."""
    if not tables:
        return
    by_name = {t.table: t for t in tables}
    out: list[str] = []
    shown: set[str] = set()
    txn = ctx.view()
    for row in txn.rows(tables[0].table):
        _show_row(ctx, by_name, row, 0, shown, out)
    ctx.out("".join(out))


def _show_row(ctx: Context, by_name: dict[str, ShowTable], row: ViewRow, level: int,
              shown: set[str], out: list[str]) -> None:
    txn = ctx.view()
    spec = by_name.get(row.table.name)
    indent = " " * (level * 4)
    if spec is not None and spec.name_column is not None:
        ctype = row.table.columns[spec.name_column].type
        out.append(f"{indent}{row.table.name} "
                   f"{datum_to_string(ctype, row.values[spec.name_column])}\n")
    else:
        out.append(f"{indent}{row.uuid}\n")
    if spec is None or spec.table in shown:
        return
    shown.add(spec.table)
    for cname in spec.columns:
        column = row.table.columns[cname]
        ctype = column.type
        value = row.values[cname]
        ref = ctype.key.ref_table if ctype.key.type == UUID else None
        if ref is not None and ctype.kind != MAP:
            if ref in by_name:
                for u in sorted(_as_set(ctype, value)):
                    target = txn.get(ref, u)
                    if target is not None:
                        _show_row(ctx, by_name, target, level + 1, shown, out)
                continue
        elif (ctype.kind == MAP and ctype.value is not None and ctype.value.type == UUID
              and ctype.value.ref_table is not None):
            ref_spec = by_name.get(ctype.value.ref_table)
            if ref_spec is not None and ref_spec.name_column is not None:
                out.append(" " * ((level + 1) * 4) + f"{cname}:\n")
                for k in sorted(value):
                    target = txn.get(ref_spec.table, value[k])
                    text = '"<null>"'
                    if target is not None:
                        ntype = target.table.columns[ref_spec.name_column].type
                        text = datum_to_string(ntype, target.values[ref_spec.name_column])
                    out.append(" " * ((level + 2) * 4)
                               + f"{atom_to_string(ctype.key.type, k)}={text}\n")
                continue
        if value != ctype.default():
            out.append(" " * ((level + 1) * 4) + f"{cname}: {datum_to_string(ctype, value)}\n")
    if spec.wref_table and spec.wref_name_column and spec.wref_column:
        wtable = ctx.schema.tables[spec.wref_table]
        for w in txn.rows(spec.wref_table):
            ref = w.values[spec.wref_column]
            refs = _as_set(wtable.columns[spec.wref_column].type, ref)
            if len(refs) == 1 and row.uuid in refs:
                ntype = wtable.columns[spec.wref_name_column].type
                out.append(" " * ((level + 1) * 4) + f"{spec.wref_table} "
                           f"{datum_to_string(ntype, w.values[spec.wref_name_column])}\n")
    shown.discard(spec.table)
