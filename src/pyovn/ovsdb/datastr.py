"""OVSDB's string syntax for atoms and datums, as the ctl tools read it (ovs-vsctl(8),
"Database Values"), plus the "bare" text form they print with ``--data=bare``.

Reading works in two layers. :func:`token_parse` cuts one token off the front of a string: it
stops at an unquoted delimiter (``:=, []{}!<>``), keeps double-quoted parts verbatim (quotes
included) and drops the backslash of an escape outside quotes. :func:`atom_from_string` turns
one whole token into an atom of a base type (a string may be JSON-quoted; integers may be a
``lo-hi`` range when the caller allows it; ``@name`` is a row reference resolved through a
:class:`RefTable`); then the base type's constraints are checked. :func:`datum_from_string`
reads a whole column value: an optional ``[...]`` (set) or ``{...}`` (map) wrapper, tokens
separated by commas or spaces, ``key=value`` for maps. Errors raise :class:`DataStringError`
with the texts the real tools print; constraint failures raise the engine's
``ConstraintViolation`` (printed as ``constraint violation: ...``).

Printing the string form is ``data.atom_to_string`` / ``data.datum_to_string``; this module adds
only :func:`datum_to_bare` (atoms unquoted, separated by spaces, ``k=v`` for maps).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from pyovn.ovsdb.data import atom_to_string, is_uuid, new_uuid
from pyovn.ovsdb.types import (
    BOOLEAN,
    INT64_MAX,
    INT64_MIN,
    INTEGER,
    MAP,
    REAL,
    SCALAR,
    STRING,
    BaseType,
    ColumnType,
)

__all__ = [
    "DataStringError",
    "RefTable",
    "token_parse",
    "is_delim",
    "atom_from_string",
    "datum_from_string",
    "datum_to_bare",
    "atom_to_bare",
]

DELIMS = ":=, []{}!<>"


class DataStringError(Exception):
    """A value in the string syntax could not be read; ``str()`` is the tool's message."""


class RefSymbol:
    """A ``@name`` row reference: its uuid and whether a command created or referenced it."""

    __slots__ = ("name", "uuid", "created", "strong_ref", "weak_ref", "root")

    def __init__(self, name: str, uuid: str) -> None:
        self.name = name
        self.uuid = uuid
        self.created = False
        self.strong_ref = False
        self.weak_ref = False
        self.root = False  # the created row is in a root table (no reference needed)


class RefTable:
    """The ``@name`` symbols of one ctl transaction (``--id=@name`` and references to it)."""

    def __init__(self) -> None:
        self.symbols: dict[str, RefSymbol] = {}

    def get(self, name: str) -> RefSymbol | None:
        return self.symbols.get(name)

    def insert(self, name: str) -> RefSymbol:
        """The symbol for ``name``, allocating a fresh uuid on first use."""
        sym = self.symbols.get(name)
        if sym is None:
            sym = self.symbols[name] = RefSymbol(name, new_uuid())
        return sym

    def by_uuid(self) -> dict[str, RefSymbol]:
        return {s.uuid: s for s in self.symbols.values()}


def is_delim(c: str) -> bool:
    return c != "" and c in DELIMS


def token_parse(s: str, pos: int = 0) -> tuple[str, int]:
    """Cut one token from ``s`` at ``pos``; returns (token, position after it)."""
    out: list[str] = []
    in_quotes = False
    n = len(s)
    p = pos
    while p < n:
        c = s[p]
        p += 1
        if c == "\\":
            if in_quotes:
                out.append("\\")
            if p >= n:
                raise DataStringError(f"{s[pos:]}: backslash at end of argument")
            out.append(s[p])
            p += 1
        elif not in_quotes and c in DELIMS:
            p -= 1
            break
        else:
            out.append(c)
            if c == '"':
                in_quotes = not in_quotes
    if in_quotes:
        raise DataStringError(f"{s[pos:]}: quoted string extends past end of argument")
    return "".join(out), p


_INT_RE = re.compile(r"[ \t\n\v\f\r]*[+-]?[0-9]+\Z")
_REAL_RE = re.compile(r"[ \t\n\v\f\r]*[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
                      r"|inf|infinity|nan)\Z", re.IGNORECASE)
_TRUE = ("true", "yes", "on", "1")
_FALSE = ("false", "no", "off", "0")


def _to_int(s: str) -> int | None:
    if not _INT_RE.match(s):
        return None
    v = int(s)
    return v if INT64_MIN <= v <= INT64_MAX else None


def _json_unescape(body: str) -> str:
    try:
        out = json.loads('"' + body + '"')
    except ValueError as exc:
        raise DataStringError(str(exc)) from None
    return out


def atom_from_string(base: BaseType, s: str, refs: RefTable | None = None,
                     ranges: bool = False) -> Any:
    """One atom of ``base`` from the whole string ``s`` (not tokenised).

    With ``ranges`` an integer may be ``lo-hi``; the result is then a list of atoms."""
    t = base.type
    atom: Any
    if t == INTEGER:
        atom = _to_int(s)
        if atom is None:
            lo, sep, hi = s.partition("-")
            if ranges and sep and lo.strip() and hi:
                a, b = _to_int(lo), _to_int(hi)
                if a is not None and b is not None:
                    if b < a:
                        raise DataStringError(
                            f'"{s}" is not a valid range. Range end cannot be before start.')
                    atoms = list(range(a, b + 1))
                    for x in atoms:
                        _check(base, x)
                    return atoms
            raise DataStringError(f'"{s}" is not a valid integer or range')
    elif t == REAL:
        if not _REAL_RE.match(s):
            raise DataStringError(f'"{s}" is not a valid real number')
        atom = float(s)
        if atom in (float("inf"), float("-inf")) or atom != atom:
            raise DataStringError(f'"{s}" is not a valid real number')
    elif t == BOOLEAN:
        if s in _TRUE:
            atom = True
        elif s in _FALSE:
            atom = False
        else:
            raise DataStringError(f'"{s}" is not a valid boolean (use "true" or "false")')
    elif t == STRING:
        if s == "":
            raise DataStringError('An empty string is not valid as input; use "" to represent '
                                  'the empty string')
        if s[0] == '"':
            if len(s) < 2 or s[-1] != '"':
                raise DataStringError(f"{s}: missing quote at end of quoted string")
            try:
                atom = _json_unescape(s[1:-1])
            except DataStringError as exc:
                raise DataStringError(f"{s}: {exc}") from None
        else:
            atom = s
    else:
        if s.startswith("@") and refs is not None:
            sym = refs.insert(s)
            if base.is_strong_ref:
                sym.strong_ref = True
            elif base.is_weak_ref:
                sym.weak_ref = True
            atom = sym.uuid
        elif is_uuid(s):
            atom = s.lower()
        else:
            raise DataStringError(f'"{s}" is not a valid UUID')
    _check(base, atom)
    return [atom] if ranges else atom


def _check(base: BaseType, atom: Any) -> None:
    check: Callable[[Any], None] | None = base.check
    if check is not None:
        check(atom)


def _skip_spaces(s: str, p: int) -> int:
    n = len(s)
    while p < n and s[p] in " \t\n\v\f\r":
        p += 1
    return p


def datum_from_string(ctype: ColumnType, s: str, refs: RefTable | None = None) -> Any:
    """A whole column value of ``ctype`` in canonical form (see docs/CONTRACTS.md)."""
    is_map = ctype.kind == MAP
    p = _skip_spaces(s, 0)
    n = len(s)
    if p < n and s[p] == ("{" if is_map else "["):
        end_delim = "}" if is_map else "]"
        p = _skip_spaces(s, p + 1)
    elif p >= n:
        raise DataStringError('use "{}" to specify the empty map' if is_map
                              else 'use "[]" to specify the empty set')
    else:
        end_delim = ""
    keys: list[Any] = []
    values: list[Any] = []
    while p < n and s[p] != end_delim:
        if s[p] in DELIMS:
            raise DataStringError(f'{s}: unexpected "{s[p]}" parsing {ctype.to_english()}')
        start = p
        token, p = token_parse(s, p)
        got = atom_from_string(ctype.key, token, refs, ranges=not is_map and
                               ctype.key.type == INTEGER)
        if is_map:
            p = _skip_spaces(s, p)
            if p < n and s[p] == "=":
                p = _skip_spaces(s, p + 1)
                vtoken, p = token_parse(s, p)
                assert ctype.value is not None
                values.append(atom_from_string(ctype.value, vtoken, refs))
            else:
                if p >= n:
                    # OVS formats the NUL that ends its string into the message with %c, so
                    # its text stops right there.
                    raise DataStringError(f'{s[start:]}: syntax error at "')
                raise DataStringError(f'{s[start:]}: syntax error at "{s[p]}" expecting "="')
            keys.append(got)
        elif isinstance(got, list):
            keys.extend(got)
        else:
            keys.append(got)
        p = _skip_spaces(s, p)
        if p < n and s[p] == ",":
            p = _skip_spaces(s, p + 1)
    if end_delim:
        if p >= n:
            raise DataStringError(f'{s}: missing "{end_delim}" at end of data')
        p = _skip_spaces(s, p + 1)
        if p < n:
            raise DataStringError(f'{s}: trailing garbage after "{end_delim}"')
    count = len(keys)
    if count < ctype.min:
        raise DataStringError(f"{s}: {count} value(s) specified but the minimum number is "
                              f"{ctype.min}")
    if count > ctype.max:
        raise DataStringError(f"{s}: {count} value(s) specified but the maximum number is "
                              f"{ctype.max}")
    if is_map:
        out = dict(zip(keys, values))
        if len(out) != count:
            raise DataStringError(f"{s}: map contains duplicate key")
        return out
    if ctype.kind == SCALAR:
        return keys[0]
    fs = frozenset(keys)
    if len(fs) != count:
        raise DataStringError(f"{s}: set contains duplicate value")
    return fs


def atom_to_bare(atomic_type: str, atom: Any) -> str:
    """An atom with no quoting at all (``--data=bare``): ``atom_to_string`` but for strings."""
    if atomic_type == STRING:
        return atom
    return atom_to_string(atomic_type, atom)


def datum_to_bare(ctype: ColumnType, value: Any) -> str:
    """OVS's ovsdb_datum_to_bare: elements separated by spaces, maps as ``k=v``."""
    kt = ctype.key.type
    if ctype.kind == SCALAR:
        return atom_to_bare(kt, value)
    if ctype.kind == MAP:
        assert ctype.value is not None
        vt = ctype.value.type
        return " ".join(f"{atom_to_bare(kt, k)}={atom_to_bare(vt, value[k])}"
                        for k in sorted(value))
    return " ".join(atom_to_bare(kt, a) for a in sorted(value))


