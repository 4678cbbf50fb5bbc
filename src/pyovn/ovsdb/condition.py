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

:class:`ConditionIndex` holds many monitor conditions on one table (one per member, e.g. one per
monitor) and answers "which members select this row" with hash lookups: clauses ``column == v``
(and ``includes`` of one atom) map ``v`` to the members, the other clauses of a member are ORed
into a residual predicate tried row by row. A row then costs one lookup per indexed column plus
the members with a residual, not one evaluation per member.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from pyovn.ovsdb.data import NamedUuidTable, datum_from_json
from pyovn.ovsdb.errors import SyntaxError_, UnknownColumn, UnknownFunction
from pyovn.ovsdb.schema import ColumnSchema, TableSchema
from pyovn.ovsdb.types import INTEGER, MAP, REAL, SCALAR, UINT_MAX, ColumnType

__all__ = ["Clause", "Condition", "ConditionIndex", "Predicate", "FUNCTIONS", "parse_clause",
           "parse_triple", "type_mismatch", "compile_where", "compile_monitor_condition"]

RowValues = dict[str, Any]
Predicate = Callable[[RowValues], bool]

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


def _always(row: RowValues) -> bool:
    return True


def _never(row: RowValues) -> bool:
    return False


def type_mismatch(operator: str, column: str, ctype: ColumnType, json: Any) -> SyntaxError_:
    """The error of a condition's function or a mutation's mutator that ``column`` cannot take."""
    return SyntaxError_(f'Type mismatch: "{operator}" operator may not be applied to column '
                        f"{column} of type {ctype.to_english()}.", json)


def parse_triple(table: TableSchema, json: Any, what: str) -> tuple[str, ColumnSchema, Any, Any]:
    """A condition's or a mutation's (``what``) ``[column, operator, value]`` on ``table``: the
    column's name and schema, the operator (a string, not checked) and the value's JSON."""
    if (not isinstance(json, list) or len(json) != 3 or not isinstance(json[0], str)
            or not isinstance(json[1], str)):
        raise SyntaxError_(f"Parse error in {what}.", json)
    name, operator, arg_json = json
    column = table.columns.get(name)
    if column is None:
        raise UnknownColumn(f"No column {name} in table {table.name}.", json)
    return name, column, operator, arg_json


def parse_clause(table: TableSchema, json: Any, symtab: NamedUuidTable | None = None) -> Clause:
    """Parse and compile one clause of ``table``."""
    if json is True:
        return Clause(None, "true", True, None, _always)
    if json is False:
        return Clause(None, "false", False, None, _never)
    name, column, function, arg_json = parse_triple(table, json, "condition")
    if function not in FUNCTIONS:
        raise UnknownFunction(f"No function named {function}.")
    ctype = column.type
    if function in _ORDER_OPS:
        if (not (ctype.kind == SCALAR or ctype.is_optional_scalar)
                or ctype.key.type not in (INTEGER, REAL)):
            raise type_mismatch(function, name, ctype, json)
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

        def opt_cmp(row: RowValues) -> bool:
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

            def map_includes(row: RowValues) -> bool:
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

        def map_excludes(row: RowValues) -> bool:
            v = row[col]
            return not any(k in v and v[k] == x for k, x in items)
        return map_excludes

    def set_excludes(row: RowValues) -> bool:
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

    def __call__(self, row: RowValues) -> bool:
        return self.match(row)

    @property
    def is_true(self) -> bool:
        """True if the condition matches every row whatever its content."""
        if self.disjunction:
            return not self.clauses or any(c.function == "true" for c in self.clauses)
        return all(c.function == "true" for c in self.clauses)


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


def _parse_list(table: TableSchema, json: Any, symtab: NamedUuidTable | None) -> list[Clause]:
    if not isinstance(json, list):
        raise SyntaxError_("Parse error in condition.", json)
    return [parse_clause(table, c, symtab) for c in json]


def compile_where(table: TableSchema, json: Any,
                  symtab: NamedUuidTable | None = None) -> Condition:
    """A where-list (conjunction) for select/update/mutate/delete/wait."""
    return Condition(_parse_list(table, json, symtab), disjunction=False)


def compile_monitor_condition(table: TableSchema, json: Any) -> Condition:
    """A monitor_cond "where" (disjunction; an empty list matches every row)."""
    return Condition(_parse_list(table, json, None), disjunction=True)


class ConditionIndex:
    """Members (any hashable objects) and their monitor conditions on one table.

    Each clause of a member's condition (a disjunction) goes where it can be looked up:
    ``col == v`` on a scalar or set column, and ``includes`` on a scalar column (the same test),
    into ``_eq[col][v]``; ``includes`` of a single atom on a set column into ``_elem[col][atom]``
    (a row's set is probed atom by atom, or the index key by key when that is shorter); every
    other clause (``!=``, ``excludes``, ordering, includes of several atoms, any map test) into
    the member's residual predicate, tried on each row. ``false`` selects nothing and is dropped.
    ``match(row)`` gives the set of members whose condition selects ``row``, exactly as
    ``condition(row)`` would for each of them."""

    __slots__ = ("_eq", "_elem", "_scan", "_entries")

    def __init__(self) -> None:
        self._eq: dict[str, dict[Any, set[Any]]] = {}
        self._elem: dict[str, dict[Any, set[Any]]] = {}
        self._scan: dict[Any, Predicate] = {}
        self._entries: dict[Any, list[tuple[dict[Any, set[Any]], Any]]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, member: object) -> bool:
        return member in self._entries

    def add(self, member: Any, cond: Condition) -> None:
        """Index ``member`` with ``cond`` (a monitor condition, i.e. a disjunction)."""
        if member in self._entries:
            self.remove(member)
        if not cond.disjunction:
            raise ValueError("ConditionIndex takes monitor conditions (disjunctions)")
        entries: list[tuple[dict[Any, set[Any]], Any]] = []
        seen: set[tuple[str, str | None, Any]] = set()
        residual: list[Predicate] = []
        for c in cond.clauses:
            where = _index_place(c)
            if where is None:
                if c.function == "true":
                    residual = [_always]
                elif c.function != "false":
                    residual.append(c.match)
                continue
            kind, key = where
            maps = self._eq if kind == "eq" else self._elem
            if (kind, c.column, key) in seen:
                continue
            seen.add((kind, c.column, key))
            by_value = maps.setdefault(c.column, {})  # type: ignore[arg-type]
            by_value.setdefault(key, set()).add(member)
            entries.append((by_value, key))
        self._entries[member] = entries
        if residual:
            if len(residual) == 1:
                self._scan[member] = residual[0]
            else:
                fns = tuple(residual)
                self._scan[member] = lambda row: any(f(row) for f in fns)

    def remove(self, member: Any) -> None:
        entries = self._entries.pop(member, None)
        if entries is None:
            return
        for by_value, key in entries:
            members = by_value.get(key)
            if members is not None:
                members.discard(member)
                if not members:
                    del by_value[key]
        self._scan.pop(member, None)
        for maps in (self._eq, self._elem):
            for col in [c for c, by_value in maps.items() if not by_value]:
                del maps[col]

    def match(self, row: RowValues) -> set[Any]:
        """The members whose condition selects ``row``."""
        out: set[Any] = set()
        for col, by_value in self._eq.items():
            hit = by_value.get(row[col])
            if hit:
                out |= hit
        for col, by_atom in self._elem.items():
            v = row[col]
            if len(v) <= len(by_atom):
                for a in v:
                    hit = by_atom.get(a)
                    if hit:
                        out |= hit
            else:
                for a, hit in by_atom.items():
                    if a in v:
                        out |= hit
        if self._scan:
            for member, pred in self._scan.items():
                if member not in out and pred(row):
                    out.add(member)
        return out


def _index_place(c: Clause) -> tuple[str, Any] | None:
    """("eq", value) or ("elem", atom) for a clause that a hash lookup can answer, else None."""
    t = c.type
    if t is None:
        return None
    if c.function == "==" or (c.function == "includes" and t.kind == SCALAR):
        if t.kind == MAP:
            return None     # a dict: no hash (and == on maps is rare in conditions)
        return ("eq", c.arg)
    if c.function == "includes" and t.kind != MAP and len(c.arg) == 1:
        for a in c.arg:
            return ("elem", a)
    return None
