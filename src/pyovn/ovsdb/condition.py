"""Where-clauses (RFC 7047 5.1 conditions, with OVS's extensions) compiled into predicates.

A clause ``[column, function, value]`` (or the literal ``true``/``false``) is parsed against a
table schema exactly as ovsdb-server does: the argument's type is the column's type, relaxed for
``includes`` (any number down to 0) and ``excludes`` (any number); ``<``-style functions are only
allowed on integer/real scalars or optional scalars.  Errors carry OVS's texts.

Each clause compiles into a small closure over the column name and the parsed argument;
:func:`compile_where` ANDs them (select/update/delete/wait), :func:`compile_monitor_condition`
ORs them (monitor_cond, where an empty list means "all rows").  The returned :class:`Condition`
also exposes ``uuid_eq`` (the uuid when a clause is ``_uuid == X``) so callers can look one row
up instead of scanning a table.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from pyovn.ovsdb.data import SymbolTable, datum_from_json
from pyovn.ovsdb.errors import SyntaxError_, UnknownColumn, UnknownFunction
from pyovn.ovsdb.schema import TableSchema
from pyovn.ovsdb.types import INTEGER, MAP, REAL, SCALAR, UINT_MAX, ColumnType

__all__ = ["Clause", "Condition", "Predicate", "FUNCTIONS", "parse_clause", "compile_where",
           "compile_monitor_condition"]

Row = dict[str, Any]
Predicate = Callable[[Row], bool]

FUNCTIONS = ("<", "<=", "==", "!=", ">=", ">", "includes", "excludes")
_ORDER_OPS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


class Clause:
    """One parsed clause: ``column`` (None for a literal), ``function``, ``arg`` (canonical
    value of the relaxed type ``type``) and ``match`` (row -> bool)."""

    __slots__ = ("column", "function", "arg", "type", "match")

    def __init__(self, column: str | None, function: str, arg: Any, ctype: ColumnType | None,
                 match: Predicate) -> None:
        self.column = column
        self.function = function
        self.arg = arg
        self.type = ctype
        self.match = match

    def __repr__(self) -> str:
        return f"Clause({self.column!r}, {self.function!r}, {self.arg!r})"


def _always(row: Row) -> bool:
    return True


def _never(row: Row) -> bool:
    return False


def _type_mismatch(function: str, column: str, ctype: ColumnType, json: Any) -> SyntaxError_:
    return SyntaxError_(f'Type mismatch: "{function}" operator may not be applied to column '
                        f"{column} of type {ctype.to_english()}.", json)


def parse_clause(table: TableSchema, json: Any, symtab: SymbolTable | None = None) -> Clause:
    """Parse and compile one clause of ``table``."""
    if json is True:
        return Clause(None, "true", True, None, _always)
    if json is False:
        return Clause(None, "false", False, None, _never)
    if (not isinstance(json, list) or len(json) != 3 or not isinstance(json[0], str)
            or not isinstance(json[1], str)):
        raise SyntaxError_("Parse error in condition.", json)
    name, function, arg_json = json
    column = table.columns.get(name)
    if column is None:
        raise UnknownColumn(f"No column {name} in table {table.name}.", json)
    if function not in FUNCTIONS:
        raise UnknownFunction(f"No function named {function}.")
    ctype = column.type
    if function in _ORDER_OPS:
        if (not (ctype.kind == SCALAR or ctype.is_optional_scalar)
                or ctype.key.type not in (INTEGER, REAL)):
            raise _type_mismatch(function, name, ctype, json)
        ctype = ctype.with_bounds(min=1, max=1)
    elif function == "excludes":
        if ctype.kind != SCALAR:
            ctype = ctype.with_bounds(min=0, max=UINT_MAX)
    elif function == "includes" and ctype.kind != SCALAR:
        ctype = ctype.with_bounds(min=0)
    arg = datum_from_json(ctype, arg_json, symtab)
    return Clause(name, function, arg, ctype,
                  _compile(name, function, arg, ctype, column.type.kind != SCALAR))


def _compile(col: str, function: str, arg: Any, ctype: ColumnType,
             optional: bool = False) -> Predicate:
    kind = ctype.kind
    if function == "==":
        return lambda row: row[col] == arg
    if function == "!=":
        return lambda row: row[col] != arg
    if function in _ORDER_OPS:
        op = _ORDER_OPS[function]
        if not optional:
            return lambda row: op(row[col], arg)

        def opt_cmp(row: Row) -> bool:
            # An optional scalar column compares false when empty.
            for x in row[col]:
                return op(x, arg)
            return False
        return opt_cmp
    if function == "includes":
        if kind == SCALAR:
            return lambda row: row[col] == arg
        if kind == MAP:
            items = tuple(arg.items())
            if not items:
                return _always

            def map_includes(row: Row) -> bool:
                v = row[col]
                return all(k in v and v[k] == x for k, x in items)
            return map_includes
        if not arg:
            return _always
        return lambda row: arg <= row[col]
    # excludes
    if kind == SCALAR:
        return lambda row: row[col] != arg
    if kind == MAP:
        items = tuple(arg.items())

        def map_excludes(row: Row) -> bool:
            v = row[col]
            return not any(k in v and v[k] == x for k, x in items)
        return map_excludes

    def set_excludes(row: Row) -> bool:
        v = row[col]
        if type(v) is frozenset:
            return arg.isdisjoint(v)
        return not any(a in v for a in arg)     # a LargeSet: O(len(arg))
    return set_excludes


class Condition:
    """A parsed list of clauses with a compiled ``match(row) -> bool``."""

    __slots__ = ("clauses", "match", "uuid_eq", "disjunction")

    def __init__(self, clauses: list[Clause], disjunction: bool) -> None:
        self.clauses = clauses
        self.disjunction = disjunction
        self.uuid_eq: str | None = None
        if not disjunction:
            for c in clauses:
                if c.column == "_uuid" and c.function in ("==", "includes"):
                    self.uuid_eq = c.arg
                    break
        self.match: Predicate = (_compile_any(clauses) if disjunction
                                 else _compile_all(clauses))

    def __call__(self, row: Row) -> bool:
        return self.match(row)

    @property
    def is_true(self) -> bool:
        """True if the condition matches every row whatever its content."""
        if self.disjunction:
            return not self.clauses or any(c.function == "true" for c in self.clauses)
        return all(c.function == "true" for c in self.clauses)

    @property
    def is_false(self) -> bool:
        if self.disjunction:
            return bool(self.clauses) and all(c.function == "false" for c in self.clauses)
        return any(c.function == "false" for c in self.clauses)


def _compile_all(clauses: list[Clause]) -> Predicate:
    fns = [c.match for c in clauses if c.function != "true"]
    if any(c.function == "false" for c in clauses):
        return _never
    if not fns:
        return _always
    if len(fns) == 1:
        return fns[0]
    if len(fns) == 2:
        f0, f1 = fns
        return lambda row: f0(row) and f1(row)
    tfns = tuple(fns)
    return lambda row: all(f(row) for f in tfns)


def _compile_any(clauses: list[Clause]) -> Predicate:
    if not clauses or any(c.function == "true" for c in clauses):
        return _always
    fns = tuple(c.match for c in clauses if c.function != "false")
    if not fns:
        return _never
    if len(fns) == 1:
        return fns[0]
    return lambda row: any(f(row) for f in fns)


def _parse_list(table: TableSchema, json: Any, symtab: SymbolTable | None) -> list[Clause]:
    if not isinstance(json, list):
        raise SyntaxError_("Parse error in condition.", json)
    return [parse_clause(table, c, symtab) for c in json]


def compile_where(table: TableSchema, json: Any,
                  symtab: SymbolTable | None = None) -> Condition:
    """A where-list (conjunction) for select/update/mutate/delete/wait."""
    return Condition(_parse_list(table, json, symtab), disjunction=False)


def compile_monitor_condition(table: TableSchema, json: Any) -> Condition:
    """A monitor_cond "where" (disjunction; an empty list matches every row)."""
    return Condition(_parse_list(table, json, None), disjunction=True)
