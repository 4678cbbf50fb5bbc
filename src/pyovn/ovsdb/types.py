"""OVSDB column types: atomic types, base types with constraints, and column types.

A :class:`BaseType` is an atomic type plus its constraints (enum, integer/real range, string
length, refTable/refType).  A :class:`ColumnType` is a key base type, an optional value base type
and the min/max element counts.  Its ``kind`` decides the canonical Python form of a value (see
docs/CONTRACTS.md): ``"scalar"`` (an atom), ``"set"`` (a frozenset or a LargeSet) or ``"map"`` (a dict).

Both parse from and print to the .ovsschema JSON exactly as OVS does (``from_json`` raises
``SyntaxError_`` with ovsdb-tool's texts; ``to_json`` prints the compact normalised form that
ovsdb-server's get_schema returns).  Each BaseType precomputes ``check``, a fast constraint check
for one atom (``None`` when unconstrained), used on the hot parse path in ``data``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from pyovn.ovsdb.errors import (
    OP_ANY,
    OP_ID,
    OP_INTEGER,
    OP_NUMBER,
    OP_OBJECT,
    OP_OPTIONAL,
    OP_STRING,
    ConstraintViolation,
    MemberParser,
    SyntaxError_,
)

INTEGER = "integer"
REAL = "real"
BOOLEAN = "boolean"
STRING = "string"
UUID = "uuid"
ATOMIC_TYPES = (INTEGER, REAL, BOOLEAN, STRING, UUID)

INT64_MIN = -(2 ** 63)
INT64_MAX = 2 ** 63 - 1
UINT_MAX = 2 ** 32 - 1          # OVS's "unlimited" for max and maxLength
DBL_MAX = sys.float_info.max

STRONG = "strong"
WEAK = "weak"

ZERO_UUID = "00000000-0000-0000-0000-000000000000"
_ATOM_DEFAULTS: dict[str, Any] = {INTEGER: 0, REAL: 0.0, BOOLEAN: False, STRING: "",
                                  UUID: ZERO_UUID}


def atom_default(atomic_type: str) -> Any:
    """The default atom of an atomic type (0, 0.0, false, "", all-zero uuid)."""
    return _ATOM_DEFAULTS[atomic_type]


def _real_text(x: float) -> str:
    return f"{x:.15g}"


class BaseType:
    """An atomic type with its constraints.  Immutable after construction."""

    __slots__ = ("type", "enum", "enum_sorted", "min_integer", "max_integer", "min_real",
                 "max_real", "min_length", "max_length", "ref_table", "ref_type", "check")

    def __init__(self, type: str, *, enum: frozenset | None = None,
                 min_integer: int = INT64_MIN, max_integer: int = INT64_MAX,
                 min_real: float = -DBL_MAX, max_real: float = DBL_MAX,
                 min_length: int = 0, max_length: int = UINT_MAX,
                 ref_table: str | None = None, ref_type: str = STRONG) -> None:
        if type not in ATOMIC_TYPES:
            raise ValueError(f"{type!r} is not an atomic type")
        self.type = type
        self.enum = enum
        self.enum_sorted: tuple = tuple(sorted(enum)) if enum is not None else ()
        self.min_integer = min_integer
        self.max_integer = max_integer
        self.min_real = min_real
        self.max_real = max_real
        self.min_length = min_length
        self.max_length = max_length
        self.ref_table = ref_table if type == UUID else None
        self.ref_type = ref_type
        self.check: Callable[[Any], None] | None = self._make_check()

    # -- properties ---------------------------------------------------------------------------
    @property
    def has_constraints(self) -> bool:
        return (self.enum is not None or self.min_integer != INT64_MIN
                or self.max_integer != INT64_MAX or self.min_real != -DBL_MAX
                or self.max_real != DBL_MAX or self.min_length != 0
                or self.max_length != UINT_MAX or self.ref_table is not None)

    @property
    def is_strong_ref(self) -> bool:
        return self.ref_table is not None and self.ref_type == STRONG

    @property
    def is_weak_ref(self) -> bool:
        return self.ref_table is not None and self.ref_type == WEAK

    def without_constraints(self) -> BaseType:
        return BaseType(self.type)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, BaseType) and self.to_json() == other.to_json()

    def __hash__(self) -> int:
        return hash(self.type)

    def __repr__(self) -> str:
        return f"BaseType({self.to_json()!r})"

    # -- constraint check -----------------------------------------------------------------------
    def _make_check(self) -> Callable[[Any], None] | None:
        if self.enum is not None:
            return self._check_enum
        if self.type == INTEGER and (self.min_integer != INT64_MIN
                                     or self.max_integer != INT64_MAX):
            return self._check_integer
        if self.type == REAL and (self.min_real != -DBL_MAX or self.max_real != DBL_MAX):
            return self._check_real
        if self.type == STRING and (self.min_length != 0 or self.max_length != UINT_MAX):
            return self._check_string
        return None

    def _check_enum(self, atom: Any) -> None:
        if atom not in self.enum:  # type: ignore[operator]
            from pyovn.ovsdb.data import atom_to_string
            valid = ", ".join(atom_to_string(self.type, a) for a in self.enum_sorted)
            raise ConstraintViolation(
                f"{atom_to_string(self.type, atom)} is not one of the allowed values ([{valid}])")

    def _range_error(self, value: str, lo: Any, hi: Any, lo_none: bool, hi_none: bool,
                     fmt: Callable[[Any], str]) -> ConstraintViolation:
        if not lo_none:
            if not hi_none:
                return ConstraintViolation(
                    f"{value} is not in the valid range {fmt(lo)} to {fmt(hi)} (inclusive)")
            return ConstraintViolation(f"{value} is less than minimum allowed value {fmt(lo)}")
        return ConstraintViolation(f"{value} is greater than maximum allowed value {fmt(hi)}")

    def _check_integer(self, atom: int) -> None:
        if not self.min_integer <= atom <= self.max_integer:
            raise self._range_error(str(atom), self.min_integer, self.max_integer,
                                    self.min_integer == INT64_MIN,
                                    self.max_integer == INT64_MAX, str)

    def _check_real(self, atom: float) -> None:
        if not self.min_real <= atom <= self.max_real:
            raise self._range_error(_real_text(atom), self.min_real, self.max_real,
                                    self.min_real == -DBL_MAX, self.max_real == DBL_MAX,
                                    _real_text)

    def _check_string(self, atom: str) -> None:
        n = len(atom)
        if n < self.min_length:
            raise ConstraintViolation(f'"{atom}" length {n} is less than minimum allowed '
                                      f"length {self.min_length}")
        if n > self.max_length:
            raise ConstraintViolation(f'"{atom}" length {n} is greater than maximum allowed '
                                      f"length {self.max_length}")

    # -- JSON -----------------------------------------------------------------------------------
    @classmethod
    def from_json(cls, json: Any) -> BaseType:
        """Parse a base type: an atomic-type string or an object with constraints."""
        if isinstance(json, str):
            return cls(_atomic_type_from_json(json))
        p = MemberParser(json, "ovsdb type")
        type_json = p.member("type", OP_STRING)
        if p.error is not None:
            p.finish()
        atomic = _atomic_type_from_json(type_json)
        kw: dict[str, Any] = {}
        error: SyntaxError_ | None = None
        enum_json = p.member("enum", OP_ANY | OP_OPTIONAL)
        if enum_json is not None:
            from pyovn.ovsdb.data import datum_from_json
            enum_type = ColumnType(BaseType(atomic), None, 1, UINT_MAX)
            kw["enum"] = frozenset(datum_from_json(enum_type, enum_json))
        elif atomic == INTEGER:
            lo = p.member("minInteger", OP_INTEGER | OP_OPTIONAL)
            hi = p.member("maxInteger", OP_INTEGER | OP_OPTIONAL)
            kw["min_integer"] = INT64_MIN if lo is None else lo
            kw["max_integer"] = INT64_MAX if hi is None else hi
            if kw["min_integer"] > kw["max_integer"]:
                error = SyntaxError_("minInteger exceeds maxInteger", json)
        elif atomic == REAL:
            lo = p.member("minReal", OP_NUMBER | OP_OPTIONAL)
            hi = p.member("maxReal", OP_NUMBER | OP_OPTIONAL)
            kw["min_real"] = -DBL_MAX if lo is None else float(lo)
            kw["max_real"] = DBL_MAX if hi is None else float(hi)
            if kw["min_real"] > kw["max_real"]:
                error = SyntaxError_("minReal exceeds maxReal", json)
        elif atomic == STRING:
            for member, key, default in (("minLength", "min_length", 0),
                                         ("maxLength", "max_length", UINT_MAX)):
                n = p.member(member, OP_INTEGER | OP_OPTIONAL)
                if n is None:
                    kw[key] = default
                elif 0 <= n <= UINT_MAX:
                    kw[key] = n
                elif error is None:
                    error = SyntaxError_(f"{member} out of valid range 0 to {UINT_MAX}", json)
            if error is None and kw["min_length"] > kw["max_length"]:
                error = SyntaxError_("minLength exceeds maxLength", json)
        elif atomic == UUID:
            ref_table = p.member("refTable", OP_ID | OP_OPTIONAL)
            if ref_table is not None:
                kw["ref_table"] = ref_table
                ref_type = p.member("refType", OP_ID | OP_OPTIONAL)
                if ref_type is not None:
                    if ref_type in (STRONG, WEAK):
                        kw["ref_type"] = ref_type
                    else:
                        error = SyntaxError_('refType must be "strong" or "weak" '
                                             f'(not "{ref_type}")', json)
        if error is not None:
            raise error
        p.finish()
        return cls(atomic, **kw)

    def to_json(self) -> Any:
        if not self.has_constraints:
            return self.type
        out: dict[str, Any] = {"type": self.type}
        if self.enum is not None:
            from pyovn.ovsdb.data import datum_to_json
            out["enum"] = datum_to_json(ColumnType(BaseType(self.type), None, 1, UINT_MAX),
                                        frozenset(self.enum))
        if self.type == INTEGER:
            if self.min_integer != INT64_MIN:
                out["minInteger"] = self.min_integer
            if self.max_integer != INT64_MAX:
                out["maxInteger"] = self.max_integer
        elif self.type == REAL:
            if self.min_real != -DBL_MAX:
                out["minReal"] = self.min_real
            if self.max_real != DBL_MAX:
                out["maxReal"] = self.max_real
        elif self.type == STRING:
            if self.min_length != 0:
                out["minLength"] = self.min_length
            if self.max_length != UINT_MAX:
                out["maxLength"] = self.max_length
        elif self.type == UUID and self.ref_table is not None:
            out["refTable"] = self.ref_table
            if self.ref_type == WEAK:
                out["refType"] = WEAK
        return out


def _atomic_type_from_json(json: Any) -> str:
    if not isinstance(json, str):
        raise SyntaxError_("atomic-type expected", json)
    if json not in ATOMIC_TYPES:
        raise SyntaxError_(f'"{json}" is not an atomic-type', json)
    return json


SCALAR = "scalar"
SET = "set"
MAP = "map"


class ColumnType:
    """key + optional value base type + element count bounds; ``kind`` is scalar/set/map."""

    __slots__ = ("key", "value", "min", "max", "kind", "_default")

    def __init__(self, key: BaseType, value: BaseType | None = None, min: int = 1,
                 max: int = 1) -> None:
        self.key = key
        self.value = value
        self.min = min
        self.max = max
        if value is not None:
            self.kind = MAP
        elif min == 1 and max == 1:
            self.kind = SCALAR
        else:
            self.kind = SET
        self._default: Any = None

    @classmethod
    def scalar(cls, atomic_type: str) -> ColumnType:
        return cls(BaseType(atomic_type))

    @property
    def is_scalar(self) -> bool:
        return self.kind == SCALAR

    @property
    def is_optional_scalar(self) -> bool:
        return self.value is None and self.min == 0 and self.max == 1

    @property
    def is_set(self) -> bool:
        return self.kind == SET

    @property
    def is_map(self) -> bool:
        return self.kind == MAP

    @property
    def unlimited(self) -> bool:
        return self.max == UINT_MAX

    def with_bounds(self, min: int | None = None, max: int | None = None,
                    key: BaseType | None = None, value: Any = ...) -> ColumnType:
        """A copy with some of min/max/key/value replaced (``value=None`` drops the value)."""
        return ColumnType(self.key if key is None else key,
                          self.value if value is ... else value,
                          self.min if min is None else min, self.max if max is None else max)

    def default(self) -> Any:
        """OVS's default value: ``min`` default atoms (so a scalar gets the atom default)."""
        d = self._default
        if d is None:
            if self.kind == SCALAR:
                d = atom_default(self.key.type)
            elif self.kind == SET:
                d = frozenset([atom_default(self.key.type)]) if self.min else frozenset()
            else:
                assert self.value is not None
                d = ({atom_default(self.key.type): atom_default(self.value.type)}
                     if self.min else {})
            self._default = d
        return d

    def to_english(self) -> str:
        """OVS's ovsdb_type_to_english (used in error messages)."""
        if self.kind == SCALAR:
            return self.key.type
        s = "set" if self.kind == SET else "map"
        if self.max == UINT_MAX:
            s += f" of {self.min} or more" if self.min else " of"
        elif self.min:
            s += f" of {self.min} to {self.max}"
        else:
            s += f" of up to {self.max}"
        if self.kind == SET:
            return f"{s} {self.key.type}s"
        assert self.value is not None
        return f"{s} ({self.key.type}, {self.value.type}) pairs"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ColumnType) and self.to_json() == other.to_json()

    def __hash__(self) -> int:
        return hash((self.key.type, self.min, self.max))

    def __repr__(self) -> str:
        return f"ColumnType({self.to_json()!r})"

    @classmethod
    def from_json(cls, json: Any) -> ColumnType:
        if isinstance(json, str):
            return cls(BaseType.from_json(json))
        if not isinstance(json, dict):
            raise SyntaxError_("ovsdb type expected", json)
        p = MemberParser(json, "ovsdb type")
        key_json = p.member("key", OP_STRING | OP_OBJECT)
        value_json = p.member("value", OP_STRING | OP_OBJECT | OP_OPTIONAL)
        min_json = p.member("min", OP_INTEGER | OP_OPTIONAL)
        max_json = p.member("max", OP_INTEGER | OP_STRING | OP_OPTIONAL)
        p.finish()
        key = BaseType.from_json(key_json)
        value = BaseType.from_json(value_json) if value_json is not None else None
        n_min = _n_from_json(min_json, 1)
        if max_json == "unlimited":
            n_max = UINT_MAX
        else:
            n_max = _n_from_json(max_json, 1)
        if not (n_min <= 1 and n_min <= n_max and n_max >= 1):
            raise SyntaxError_("ovsdb type fails constraint checks", json)
        return cls(key, value, n_min, n_max)

    def to_json(self) -> Any:
        if self.kind == SCALAR and not self.key.has_constraints:
            return self.key.type
        out: dict[str, Any] = {"key": self.key.to_json()}
        if self.value is not None:
            out["value"] = self.value.to_json()
        if self.min != 1:
            out["min"] = self.min
        if self.max == UINT_MAX:
            out["max"] = "unlimited"
        elif self.max != 1:
            out["max"] = self.max
        return out


def _n_from_json(json: Any, default: int) -> int:
    if json is None:
        return default
    if isinstance(json, int) and not isinstance(json, bool) and 0 <= json < UINT_MAX:
        return json
    raise SyntaxError_("bad min or max value", json)


UUID_TYPE = ColumnType(BaseType(UUID))
