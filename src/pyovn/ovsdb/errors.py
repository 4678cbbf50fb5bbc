"""The error kinds ovsdb-server returns, one table.

Every failure inside the OVSDB engine is an :class:`OvsdbError` subclass whose class attribute
``error`` is the wire string of RFC 7047 / ovsdb-server ("constraint violation", "syntax error"…).
An instance carries ``details`` (human text, OVS's wording) and optionally ``syntax`` (the JSON
text of the offending input, serialised like OVS: compact, keys sorted).  ``to_json()`` gives the
error object exactly as ovsdb-server puts it into a transact reply.

Kinds that have no subclass can still be raised with ``OvsdbError(details, error="...")``.
"""

from __future__ import annotations

import math
from typing import Any

__all__ = [
    "OvsdbError", "SyntaxError_", "ConstraintViolation", "ReferentialIntegrityViolation",
    "json_string",
    "ResourcesExhausted", "UnknownDatabase", "NotOwner", "TimedOut", "DuplicateUuidName",
    "DuplicateUuid", "DomainError", "RangeError", "IOError_", "NotAllowed", "NotSupported",
    "UnknownError", "UnknownColumn", "UnknownTable", "UnknownFunction", "UnknownMutator",
    "Aborted", "OvsdbInternalError", "json_text",
]


def json_text(value: Any) -> str:
    """Serialise JSON like OVS's json_to_string(JSSF_SORT): compact, keys sorted, %.15g reals."""
    parts: list[str] = []
    _emit(value, parts)
    return "".join(parts)


def _emit(value: Any, out: list[str]) -> None:
    if isinstance(value, str):
        out.append(json_string(value))
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif value is None:
        out.append("null")
    elif isinstance(value, int):
        out.append(str(value))
    elif isinstance(value, float):
        if math.isfinite(value):
            out.append(f"{value:.15g}")
        else:
            out.append("null")
    elif isinstance(value, dict):
        out.append("{")
        first = True
        for key in sorted(value):
            if not first:
                out.append(",")
            first = False
            out.append(json_string(str(key)))
            out.append(":")
            _emit(value[key], out)
        out.append("}")
    elif isinstance(value, (list, tuple)):
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            _emit(item, out)
        out.append("]")
    else:
        out.append(json_string(str(value)))


_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r",
            "\t": "\\t"}


def json_string(s: str) -> str:
    """``s`` as OVS's JSON serialiser writes a string (short escapes for \\b \\f \\n \\r \\t,
    ``\\u00XX`` for the other control characters)."""
    out = ['"']
    for ch in s:
        esc = _ESCAPES.get(ch)
        if esc is not None:
            out.append(esc)
        elif ch < " ":
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


class OvsdbError(Exception):
    """An OVSDB error: ``error`` (wire tag), ``details`` and optional ``syntax``."""

    error = "unknown error"

    def __init__(self, details: str | None = None, syntax: Any = None, *,
                 error: str | None = None, syntax_text: str | None = None) -> None:
        """``syntax`` is the offending JSON value (serialised OVS-style); ``syntax_text`` a
        ready-made text.  ``error`` overrides the class's tag."""
        if error is not None:
            self.error = error
        self.details = details
        if syntax_text is not None:
            self.syntax: str | None = syntax_text
        elif syntax is not None:
            self.syntax = json_text(syntax)
        else:
            self.syntax = None
        super().__init__(self.__str__())

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"error": self.error}
        if self.details is not None:
            out["details"] = self.details
        if self.syntax is not None:
            out["syntax"] = self.syntax
        return out

    def __str__(self) -> str:
        text = self.error
        if self.details:
            text = f"{text}: {self.details}"
        if self.syntax is not None:
            text = f'syntax "{self.syntax}": {text}'
        return text


class SyntaxError_(OvsdbError):
    error = "syntax error"


class ConstraintViolation(OvsdbError):
    error = "constraint violation"


class ReferentialIntegrityViolation(OvsdbError):
    error = "referential integrity violation"


class ResourcesExhausted(OvsdbError):
    error = "resources exhausted"


class UnknownDatabase(OvsdbError):
    error = "unknown database"


class NotOwner(OvsdbError):
    error = "not owner"


class TimedOut(OvsdbError):
    error = "timed out"


class DuplicateUuidName(OvsdbError):
    error = "duplicate uuid-name"


class DuplicateUuid(OvsdbError):
    error = "duplicate uuid"


class DomainError(OvsdbError):
    error = "domain error"


class RangeError(OvsdbError):
    error = "range error"


class IOError_(OvsdbError):
    error = "I/O error"


class NotAllowed(OvsdbError):
    error = "not allowed"


class NotSupported(OvsdbError):
    error = "not supported"


class UnknownError(OvsdbError):
    error = "unknown error"


class UnknownColumn(OvsdbError):
    error = "unknown column"


class UnknownTable(OvsdbError):
    error = "unknown table"


class UnknownFunction(OvsdbError):
    error = "unknown function"


class UnknownMutator(OvsdbError):
    error = "unknown mutator"


class Aborted(OvsdbError):
    error = "aborted"


# OVS raises some errors with a NULL tag (e.g. "set contains duplicate").
class OvsdbInternalError(OvsdbError):
    error = "ovsdb error"


# --- JSON object member parsing, with OVS's "Parsing X failed: ..." errors -----------------------

OP_NULL = 1
OP_FALSE = 2
OP_TRUE = 4
OP_OBJECT = 8
OP_ARRAY = 16
OP_INTEGER = 32
OP_REAL = 64
OP_STRING = 128
OP_ID = 256
OP_OPTIONAL = 512
OP_BOOLEAN = OP_FALSE | OP_TRUE
OP_NUMBER = OP_INTEGER | OP_REAL
OP_ANY = OP_NULL | OP_BOOLEAN | OP_OBJECT | OP_ARRAY | OP_NUMBER | OP_STRING


_KINDS: dict[type, int] = {}


def json_kind(value: Any) -> int:
    """The OP_* bit of one JSON value."""
    k = _KINDS.get(type(value))
    if k is not None:
        return k
    if value is None:
        return OP_NULL
    if value is True:
        return OP_TRUE
    if value is False:
        return OP_FALSE
    if isinstance(value, str):
        return OP_STRING
    if isinstance(value, int):
        return OP_INTEGER
    if isinstance(value, float):
        return OP_REAL
    if isinstance(value, dict):
        return OP_OBJECT
    if isinstance(value, list):
        return OP_ARRAY
    return 0


_ID_CACHE: dict[str, bool] = {}


def is_id(s: str) -> bool:
    """OVSDB <id>: [a-zA-Z_][a-zA-Z0-9_]* (ASCII only)."""
    r = _ID_CACHE.get(s)
    if r is None:
        if len(_ID_CACHE) > 4096:
            _ID_CACHE.clear()
        r = _ID_CACHE[s] = _is_id(s)
    return r


def _is_id(s: str) -> bool:
    if not s or not s.isascii():
        return False
    c = s[0]
    if not (c.isalpha() or c == "_"):
        return False
    return all(ch.isalnum() or ch == "_" for ch in s)


_MISSING = object()


class MemberParser:
    """Reads the members of one JSON object the way OVS's ovsdb_parser does: the first problem
    becomes a syntax error "Parsing <name> failed: <problem>" carrying the whole object, and
    members nobody asked for are reported by :meth:`finish`."""

    __slots__ = ("json", "name", "used", "error")

    def __init__(self, json: Any, name: str) -> None:
        self.json = json
        self.name = name
        self.used: set[str] = set()
        self.error: OvsdbError | None = None
        if not isinstance(json, dict):
            self.error = SyntaxError_(f"Parsing {name} failed: Object expected.")

    def raise_error(self, message: str) -> None:
        if self.error is None:
            self.error = SyntaxError_(f"Parsing {self.name} failed: {message}", self.json)

    def member(self, name: str, types: int) -> Any:
        # Runs several times per operation of every transaction: one dict lookup decides the
        # common cases (missing, or present with a plainly typed value).
        json = self.json
        if self.error is not None and not isinstance(json, dict):
            return None
        value = json.get(name, _MISSING)
        if value is _MISSING:
            if not types & OP_OPTIONAL:
                self.raise_error(f"Required '{name}' member is missing.")
            return None
        kind = _KINDS.get(type(value))
        if kind is None:
            kind = json_kind(value)
        if kind & types or (types & OP_ID and kind == OP_STRING and is_id(value)):
            self.used.add(name)
            return value
        self.raise_error(f"Type mismatch for member '{name}'.")
        return None

    def finish(self) -> None:
        """Raise the first error, or one for the first member that was not asked for."""
        if self.error is None and isinstance(self.json, dict) and len(self.json) > len(self.used):
            for key in self.json:
                if key not in self.used:
                    self.raise_error(f"Member '{key}' is present but not allowed here.")
                    break
        if self.error is not None:
            raise self.error


_KINDS.update({str: OP_STRING, int: OP_INTEGER, float: OP_REAL, dict: OP_OBJECT, list: OP_ARRAY,
               type(None): OP_NULL})
