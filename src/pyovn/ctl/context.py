"""What a ctl command works with: its arguments and options, the database view, the output, and
the lookups every tool shares (table, column and record names, ``column:key=value`` arguments).

Names are matched as the OVS ctl tools match them: an exact match wins, then one that differs
only in case or ``-``/``_``, otherwise the unique longest such prefix; error texts are theirs. A record is found
by uuid, then by the tool's :class:`~pyovn.ctl.registry.RowId` list, then ``.`` for a table with
exactly one row, then by a uuid prefix of at least 4 characters.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable
from typing import Any

from pyovn.ctl.registry import CommandSyntax, CtlError, Tool
from pyovn.ctl.txnview import TxnView, ViewRow
from pyovn.ovsdb.data import is_uuid
from pyovn.ovsdb.datastr import DataStringError, RefTable, atom_from_string, token_parse
from pyovn.ovsdb.errors import OvsdbError
from pyovn.ovsdb.largeset import SET_TYPES
from pyovn.ovsdb.schema import ColumnSchema, TableSchema
from pyovn.ovsdb.tableprint import Table
from pyovn.ovsdb.types import INTEGER, STRING

__all__ = ["Context", "warn", "score_partial_match", "parse_value"]

_seq = 0


def warn(module: str, msg: str) -> None:
    """A vlog-style WARN line on stderr, as the real tools print them."""
    global _seq
    _seq += 1
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    sys.stderr.write(f"{stamp}|{_seq:05d}|{module}|WARN|{msg}\n")
    sys.stderr.flush()


def score_partial_match(name: str, s: str) -> int:
    if name == s:
        return 1 << 32
    n = 0
    for a, b in zip(name, s):
        # Case and "-" versus "_" do not matter ("external-ids" names external_ids).
        if a.lower().replace("-", "_") != b.lower().replace("-", "_"):
            break
        n += 1
    else:
        if len(name) == len(s):
            return (1 << 32) - 1
    return n if n == len(s) else 0


def _best_partial_matches(names: Iterable[str], s: str) -> list[str]:
    """The names that match ``s`` best (``score_partial_match``); none when nothing matches."""
    best: list[str] = []
    best_score = 0
    for name in names:
        score = score_partial_match(name, s)
        if score > best_score:
            best, best_score = [name], score
        elif score and score == best_score:
            best.append(name)
    return best


def parse_value(fn: Any, *args: Any) -> Any:
    """Call a datastr parser, turning its errors into CtlError texts."""
    try:
        return fn(*args)
    except DataStringError as exc:
        raise CtlError(str(exc)) from None
    except OvsdbError as exc:
        raise CtlError(f"{exc.error}: {exc.details}") from None


def _partial_uuid_len(s: str) -> int:
    pattern = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"
    if len(s) > len(pattern):
        return 0
    for c, p in zip(s, pattern):
        if p == "-":
            if c != "-":
                return 0
        elif c not in "0123456789abcdefABCDEF":
            return 0
    return len(s)


class Context:
    """One command's invocation."""

    def __init__(self, tool: Tool, command: CommandSyntax, argv: list[str],
                 options: dict[str, str | None], txn: TxnView | None, symtab: RefTable,
                 state: dict[str, Any], run_options: Any) -> None:
        self.tool = tool
        self.command = command
        self.argv = argv
        self.options = options
        self.txn = txn  # None in the "pre" phase
        self.symtab = symtab
        self.state = state  # shared by the commands of one try (tool caches)
        self.run_options = run_options
        self.output: list[str] = []
        self.table: Table | None = None
        self.try_again = False
        self.data: dict[str, Any] = {}  # run -> post

    # -- convenience --------------------------------------------------------------------------
    @property
    def schema(self) -> Any:
        return self.txn.schema if self.txn is not None else self.state["schema"]

    def has(self, option: str) -> bool:
        return option in self.options

    def option(self, option: str) -> str | None:
        return self.options.get(option)

    def out(self, text: str) -> None:
        self.output.append(text)

    def view(self) -> TxnView:
        assert self.txn is not None
        return self.txn

    # -- names ----------------------------------------------------------------------------------
    def get_table(self, name: str) -> TableSchema:
        best = _best_partial_matches(self.schema.tables, name)
        if len(best) == 1:
            return self.schema.tables[best[0]]
        if best:
            raise CtlError(f'"{name}" matches multiple table names: {", ".join(sorted(best))}')
        raise CtlError(f'unknown table "{name}"')

    def get_column(self, table: TableSchema, name: str, *, with_uuid: bool = True
                   ) -> ColumnSchema:
        names = list(table.user_columns)
        if with_uuid:
            names.append("_uuid")
        best = _best_partial_matches(names, name)
        if len(best) == 1:
            return table.columns[best[0]]
        if best:
            raise CtlError(f'{table.name} contains more than one column whose name matches '
                           f'"{name}": {", ".join(sorted(best))}')
        raise CtlError(f'{table.name} does not contain a column whose name matches "{name}"')

    def parse_column_key_value(self, arg: str, table: TableSchema, *,
                               operators: tuple[str, ...] | None = None,
                               want_value: bool = True, with_uuid: bool = True
                               ) -> tuple[ColumnSchema, str | None, str | None, str | None]:
        """``column[:key][op value]`` → (column, key text, operator, value text)."""
        try:
            name, p = token_parse(arg, 0)
        except DataStringError as exc:
            raise CtlError(str(exc)) from None
        if name == "":
            raise CtlError(f"{arg}: missing column name")
        column = self.get_column(table, name, with_uuid=with_uuid)
        key: str | None = None
        if p < len(arg) and arg[p] == ":":
            try:
                key, p = token_parse(arg, p + 1)
            except DataStringError as exc:
                raise CtlError(str(exc)) from None
        rest = arg[p:]
        if not want_value:
            if rest:
                raise CtlError(f'{arg}: trailing garbage "{rest}" in argument')
            return column, key, None, None
        ops = operators or ("=",)
        best = None
        for op in ops:
            if rest.startswith(op) and len(rest) > len(op) and (best is None or
                                                                len(op) > len(best)):
                best = op
        if best is None:
            if len(ops) == 1:
                listed = f'"{ops[0]}"'
            else:
                listed = ", ".join(f'"{o}"' for o in ops[:-1]) + f', or "{ops[-1]}"'
            raise CtlError(f"{arg}: argument does not end in {listed} followed by a value.")
        return column, key, best, rest[len(best):]

    # -- records --------------------------------------------------------------------------------
    def get_row(self, table: TableSchema, record: str, must_exist: bool = True) -> ViewRow | None:
        txn = self.view()
        row: ViewRow | None = None
        if is_uuid(record):
            row = txn.get(table.name, record.lower())
        if row is None:
            for rid in self.tool.row_ids.get(table.name, ()):
                row = self._row_by_id(table, rid, record)
                if row is not None:
                    break
        if row is None and record == ".":
            rows = txn.rows(table.name)
            if len(rows) == 1:
                row = rows[0]
        if row is None and _partial_uuid_len(record) >= 4:
            prefix = record.lower()
            for r in txn.rows(table.name):
                if r.uuid.startswith(prefix):
                    if row is not None:
                        raise CtlError(f"{table.name} contains 2 or more rows whose UUIDs begin "
                                       f"with {record}: at least {row.uuid} and {r.uuid}")
                    row = r
        if row is None and must_exist:
            raise CtlError(f'no row "{record}" in table {table.name}')
        return row

    def _row_by_id(self, table: TableSchema, rid: Any, record: str) -> ViewRow | None:
        txn = self.view()
        id_table = self.schema.tables[rid.table]
        col = id_table.columns[rid.name_column]
        referrer: ViewRow | None = None
        for r in txn.rows(rid.table):
            value = r.values[rid.name_column]
            if rid.key is not None:
                value = value.get(rid.key) if isinstance(value, dict) else None
                if value is None:
                    continue
                atom_type = col.type.value.type if col.type.value is not None else STRING
            else:
                if isinstance(value, SET_TYPES):
                    if len(value) != 1:
                        continue
                    (value,) = value
                atom_type = col.type.key.type
            if atom_type == STRING:
                match = value == record
            elif atom_type == INTEGER:
                try:
                    match = value == atom_from_string(col.type.key, record)
                except (DataStringError, OvsdbError):
                    match = False
            else:
                match = False
            if match:
                if referrer is not None:
                    raise CtlError(f'multiple rows in {table.name} match "{record}"')
                referrer = r
        if referrer is None:
            return None
        if rid.uuid_column is None:
            return referrer if rid.table == table.name else None
        ref = referrer.values[rid.uuid_column]
        if isinstance(ref, SET_TYPES):
            if len(ref) != 1:
                return None
            (ref,) = ref
        return txn.get(table.name, ref)
