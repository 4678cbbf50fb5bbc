"""Mutations (RFC 7047 5.1 "mutate"): parsing against a table schema and applying to a row.

``parse_mutations`` turns ``[[column, mutator, value], ...]`` into :class:`Mutation` objects,
with ovsdb-server's checks and texts (unknown column, immutable column, unknown mutator, type
mismatch; the argument type is relaxed as OVS relaxes it).  ``apply_mutations`` computes the new
values of one row without touching it and raises on a range error (64-bit overflow, infinite
real), a domain error (division by zero), a constraint violation after the mutation, or a
resulting set/map size outside the column's bounds.

Integer division and remainder truncate toward zero, as C does.
"""

from __future__ import annotations

import math
from typing import Any

from pyovn.ovsdb.condition import parse_triple, type_mismatch
from pyovn.ovsdb.data import NamedUuidTable, datum_from_json
from pyovn.ovsdb.errors import (
    ConstraintViolation,
    DomainError,
    OvsdbError,
    RangeError,
    SyntaxError_,
    UnknownMutator,
)
from pyovn.ovsdb.largeset import grow
from pyovn.ovsdb.schema import TableSchema
from pyovn.ovsdb.types import INT64_MAX, INT64_MIN, INTEGER, MAP, REAL, SCALAR, SET, UINT_MAX

__all__ = ["Mutation", "MUTATORS", "parse_mutations", "apply_mutations"]

MUTATORS = ("+=", "-=", "*=", "/=", "%=", "insert", "delete")
_ARITH = ("+=", "-=", "*=", "/=", "%=")


class Mutation:
    """One parsed mutation: column, mutator, the argument (canonical value) and its type."""

    __slots__ = ("column", "mutator", "arg", "arg_type", "column_type", "delete_keys")

    def __init__(self, column: str, mutator: str, arg: Any, arg_type: Any, column_type: Any,
                 delete_keys: bool = False) -> None:
        self.column = column
        self.mutator = mutator
        self.arg = arg
        self.arg_type = arg_type
        self.column_type = column_type
        self.delete_keys = delete_keys   # map "delete" with a set of keys

    def __repr__(self) -> str:
        return f"Mutation({self.column!r}, {self.mutator!r}, {self.arg!r})"


def parse_mutation(table: TableSchema, json: Any,
                   symtab: NamedUuidTable | None = None) -> Mutation:
    name, column, mutator, arg_json = parse_triple(table, json, "mutation")
    if not column.mutable:
        raise ConstraintViolation(f"Cannot mutate immutable column {name} in table "
                                  f"{table.name}.", json)
    if mutator not in MUTATORS:
        raise UnknownMutator(f"No mutator named {mutator}.")
    ctype = column.type
    if mutator in _ARITH:
        if (ctype.kind not in (SCALAR, SET) or ctype.key.type not in (INTEGER, REAL)
                or (mutator == "%=" and ctype.key.type == REAL)):
            raise type_mismatch(mutator, name, ctype, json)
        arg_type = ctype.with_bounds(min=1, max=1, key=ctype.key.without_constraints())
        return Mutation(name, mutator, datum_from_json(arg_type, arg_json, symtab), arg_type,
                        ctype)
    if ctype.kind == SCALAR:
        raise type_mismatch(mutator, name, ctype, json)
    arg_type = ctype.with_bounds(min=0, max=UINT_MAX if mutator == "delete" else None)
    try:
        arg = datum_from_json(arg_type, arg_json, symtab)
    except OvsdbError:
        if not (ctype.kind == MAP and mutator == "delete"):
            raise
        # "delete" on a map also takes a set of keys.
        arg_type = arg_type.with_bounds(value=None)
        arg = datum_from_json(arg_type, arg_json, symtab)
        return Mutation(name, mutator, arg, arg_type, ctype, delete_keys=True)
    return Mutation(name, mutator, arg, arg_type, ctype)


def parse_mutations(table: TableSchema, json: Any,
                    symtab: NamedUuidTable | None = None) -> list[Mutation]:
    if not isinstance(json, list):
        raise SyntaxError_("Parse error in mutation.", json)
    return [parse_mutation(table, m, symtab) for m in json]


def _int_op(mutator: str, x: int, y: int) -> int:
    if mutator == "+=":
        r = x + y
    elif mutator == "-=":
        r = x - y
    elif mutator == "*=":
        r = x * y
    else:
        if y == 0:
            raise DomainError("Division by zero.")
        q = abs(x) // abs(y)
        if (x < 0) != (y < 0):
            q = -q
        r = q if mutator == "/=" else x - q * y
    if not INT64_MIN <= r <= INT64_MAX:
        raise RangeError(f'Result of "{mutator}" operation is out of range.')
    return r


def _real_op(mutator: str, x: float, y: float) -> float:
    if mutator == "+=":
        r = x + y
    elif mutator == "-=":
        r = x - y
    elif mutator == "*=":
        r = x * y
    else:
        if y == 0:
            raise DomainError("Division by zero.")
        r = x / y
    if not math.isfinite(r):
        raise RangeError(f'Result of "{mutator}" operation is out of range.')
    return r


def _apply_one(m: Mutation, value: Any) -> Any:
    ctype = m.column_type
    mutator = m.mutator
    if mutator in _ARITH:
        op = _int_op if ctype.key.type == INTEGER else _real_op
        y = m.arg
        check = ctype.key.check
        if ctype.kind == SCALAR:
            r = op(mutator, value, y)
            if check is not None:
                check(r)
            return r
        out = [op(mutator, x, y) for x in value]
        if check is not None:
            for r in out:
                check(r)
        s = frozenset(out)
        if len(s) != len(out):
            raise ConstraintViolation(f'Result of "{mutator}" operation contains duplicates.')
        return s
    arg = m.arg
    if ctype.kind == MAP:
        if mutator == "insert":
            new = dict(value)
            for k, v in arg.items():
                if k not in new:
                    new[k] = v
        elif m.delete_keys:
            new = {k: v for k, v in value.items() if k not in arg}
        else:
            new = {k: v for k, v in value.items() if k not in arg or arg[k] != v}
    elif mutator == "insert":
        # Nothing to add: the same object (no copy, and `is` tells callers nothing changed).
        new = value if all(a in value for a in arg) else grow(value) | arg
    else:
        new = grow(value) - arg if any(a in value for a in arg) else value
    if not ctype.min <= len(new) <= ctype.max:
        raise ConstraintViolation(f"Attempted to store {len(new)} elements in "
                                  f"{ctype.to_english()}.")
    return new


def apply_mutations(mutations: list[Mutation], row: dict[str, Any],
                    hints: dict[str, Any] | None = None) -> dict[str, Any]:
    """The new values of the mutated columns of ``row`` (``row`` itself is not changed).

    With ``hints``, also records for each set column changed only by insert/delete the
    (removed, added) atoms relative to ``row`` (or None when unknown), so that callers can
    follow references in time proportional to the mutation rather than to the set."""
    new: dict[str, Any] = {}
    for m in mutations:
        col = m.column
        old = new[col] if col in new else row[col]
        value = new[col] = _apply_one(m, old)
        if hints is not None:
            if m.column_type.kind != SET or m.mutator in _ARITH:
                hints[col] = None
            elif col not in hints or hints[col] is not None:
                orig = row[col]
                removed, added = hints.get(col) or (frozenset(), frozenset())
                step_removed = [a for a in m.arg if a in old and a not in value]
                step_added = [a for a in m.arg if a in value and a not in old]
                hints[col] = (
                    frozenset(a for a in (*removed, *step_removed)
                              if a in orig and a not in value),
                    frozenset(a for a in (*added, *step_added)
                              if a in value and a not in orig))
    return new

