"""Atoms and datums: canonical Python values, their JSON wire form, ordering and diffs.

Values follow docs/CONTRACTS.md: atoms are plain ``int``/``float``/``bool``/``str`` (uuids are
canonical lowercase strings); a column value is the atom itself (scalar), a ``frozenset``
(set; a large set changed by mutation may be a ``largeset.LargeSet``, equal to the frozenset of
its atoms) or a ``dict`` never mutated after creation (map), as decided by ``ColumnType.kind``.

``datum_from_json`` parses the wire form with every check ovsdb-server makes and its error texts;
named uuids (``["named-uuid", name]``) resolve through a :class:`NamedUuidTable` when one is
given.
``datum_to_json`` prints the wire form (sorted; a one-element set bare, as OVS sends it).

The update2 "modify" diff helpers (``datum_diff``/``apply_diff``) cost O(size of the diff) for
applying and O(size of the values) for computing: a set diff is the symmetric difference, a map
diff maps each key to add, remove (same value as the old one) or change (new value). (Monitors and
file records skip the computing when a mutation already says what it added and removed: see
``Database.set_diff_hints``.)
"""

from __future__ import annotations

import os as _os
import re
from collections.abc import Callable
from functools import partial
from os import urandom as _urandom
from typing import Any

from pyovn.ovsdb.errors import OvsdbInternalError, SyntaxError_, is_id
from pyovn.ovsdb.largeset import grow
from pyovn.ovsdb.types import (
    BOOLEAN,
    INT64_MAX,
    INT64_MIN,
    INTEGER,
    MAP,
    REAL,
    SCALAR,
    SET,
    STRING,
    UINT_MAX,
    UUID,
    BaseType,
    ColumnType,
)

__all__ = [
    "NamedUuidTable", "new_uuid", "is_uuid", "atom_from_json", "atom_to_json", "datum_from_json",
    "datum_to_json", "atom_to_string", "datum_to_string", "check_datum", "datum_len",
    "datum_atoms", "datum_sort_key", "compare_datums", "datum_diff", "apply_diff", "diff_type",
    "diff_to_json", "diff_from_json", "datum_from_json_unchecked", "string_map_from_json",
]

# A UUID in its 36-character text form, the one pattern every part of pyovn matches it with.
UUID_PATTERN = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_UUID_RE = re.compile(UUID_PATTERN + r"\Z")


# Uuids are made 256 at a time from one read of the kernel's random source: one getrandom()
# per uuid cost more than everything else about making it. The version (4) and variant (10xx)
# bits are set on the whole batch at once with one integer mask.  The batch is printed in hex
# in groups of 4 digits joined by dashes (40 characters a uuid): the dashes a uuid has not
# (after its 1st, 6th and 7th group) become dots deleted in one pass, the one after its last
# group a space to split on (all in C: formatting each uuid in Python cost three times as much).
_BATCH = 256
_VERSION_MASK = int.from_bytes(bytes.fromhex("ffffffffffff0fff3fffffffffffffff") * _BATCH, "big")
_VERSION_BITS = int.from_bytes(bytes.fromhex("00000000000040008000000000000000") * _BATCH, "big")
_DOTS = b"." * _BATCH
_SPACES = b" " * (_BATCH - 1)
_pool: list[str] = []


def _refill() -> None:
    n = _BATCH * 16
    raw = ((int.from_bytes(_urandom(n), "big") & _VERSION_MASK) | _VERSION_BITS).to_bytes(
        n, "big")
    out = bytearray(raw.hex("-", 2), "ascii")   # xxxx-xxxx-xxxx-xxxx-xxxx-xxxx-xxxx-xxxx-...
    out[4::40] = _DOTS
    out[29::40] = _DOTS
    out[34::40] = _DOTS
    out[39::40] = _SPACES
    _pool.extend(out.translate(None, b".").decode().split())


def new_uuid() -> str:
    """A random (version 4) uuid in canonical form."""
    # list.pop is atomic, so threads never share a uuid; refilling twice is harmless.
    try:
        return _pool.pop()
    except IndexError:
        _refill()
        return _pool.pop()


# A forked child must not hand out the uuids its parent still holds.
_os.register_at_fork(after_in_child=_pool.clear)


def is_uuid(s: Any) -> bool:
    """``s`` is a UUID's text form (either case)."""
    return isinstance(s, str) and len(s) == 36 and _UUID_RE.match(s) is not None


class NamedUuidTable:
    """Named uuids of one transaction: name -> uuid, and which names an insert created."""

    __slots__ = ("uuids", "created")

    def __init__(self) -> None:
        self.uuids: dict[str, str] = {}
        self.created: set[str] = set()

    def get(self, name: str) -> str:
        """The uuid for ``name``, allocating one on first use (a forward reference)."""
        u = self.uuids.get(name)
        if u is None:
            u = self.uuids[name] = new_uuid()
        return u


# ---------------------------------------------------------------------------------------------
# Atoms
# ---------------------------------------------------------------------------------------------

def _parse_uuid(json: Any, symtab: NamedUuidTable | None) -> str:
    if (isinstance(json, list) and len(json) == 2 and isinstance(json[1], str)):
        tag = json[0]
        if tag == "uuid":
            s = json[1]
            if len(s) == 36 and _UUID_RE.match(s):
                return s.lower()
            raise SyntaxError_(f'"{s}" is not a valid UUID', json)
        if tag == "named-uuid" and symtab is not None:
            if not is_id(json[1]):
                raise SyntaxError_("named-uuid string is not a valid <id>", json)
            return symtab.get(json[1])
    raise SyntaxError_('expected ["uuid", <string>]', json)


def atom_from_json(base: BaseType, json: Any, symtab: NamedUuidTable | None = None) -> Any:
    """Parse one atom of ``base`` and check its constraints (not referential integrity)."""
    t = base.type
    if t == STRING:
        if type(json) is not str:
            raise SyntaxError_("expected string", json)
        atom: Any = json
    elif t == UUID:
        atom = _parse_uuid(json, symtab)
    elif t == INTEGER:
        if type(json) is not int or not INT64_MIN <= json <= INT64_MAX:
            # OVS's JSON parser reads integers beyond int64 as reals.
            syntax = float(json) if type(json) is int else json
            raise SyntaxError_("expected integer", syntax)
        atom = json
    elif t == REAL:
        if type(json) is float:
            atom = json
        elif type(json) is int:
            atom = float(json)
        else:
            raise SyntaxError_("expected real", json)
    else:
        if type(json) is not bool:
            raise SyntaxError_("expected boolean", json)
        atom = json
    check = base.check
    if check is not None:
        check(atom)
    return atom


def atom_to_json(atomic_type: str, atom: Any) -> Any:
    if atomic_type == UUID:
        return ["uuid", atom]
    return atom


def _string_needs_quotes(s: str) -> bool:
    if not s:
        return True
    c = s[0]
    if not (c.isascii() and (c.isalpha() or c == "_")):
        return True
    for ch in s:
        if not (ch.isascii() and (ch.isalnum() or ch in "_-.")):
            return True
    return s in ("true", "false") or is_uuid(s)


def atom_to_string(atomic_type: str, atom: Any) -> str:
    """OVS's ovsdb_atom_to_string: the text form used in error messages and by the CLIs."""
    if atomic_type == STRING:
        if _string_needs_quotes(atom):
            from pyovn.ovsdb.errors import json_text
            return json_text(atom)
        return atom
    if atomic_type == REAL:
        return f"{atom:.15g}"
    if atomic_type == BOOLEAN:
        return "true" if atom else "false"
    return str(atom)


# ---------------------------------------------------------------------------------------------
# Datums
# ---------------------------------------------------------------------------------------------

def _unwrap(json: Any, name: str) -> list:
    if (isinstance(json, list) and len(json) == 2 and json[0] == name
            and isinstance(json[1], list)):
        return json[1]
    raise SyntaxError_(f'expected ["{name}", <array>]', json)


def _count_error(json: Any, cls: str, ctype: ColumnType, n: int) -> SyntaxError_:
    if ctype.min == 1 and ctype.max == 1:
        return SyntaxError_(f"{cls} must have exactly one member but {n} are present", json)
    return SyntaxError_(f"{cls} must have {ctype.min} to {ctype.max} members but {n} are "
                        "present", json)


def _add_map_pair(out: dict, key: BaseType, value: BaseType, pair: Any,
                  symtab: NamedUuidTable | None) -> None:
    """One ``[key, value]`` member of a <map> into ``out``."""
    if not isinstance(pair, list) or len(pair) != 2:
        raise SyntaxError_("expected 2-element array", pair)
    k = atom_from_json(key, pair[0], symtab)
    v = atom_from_json(value, pair[1], symtab)
    if k in out:
        raise OvsdbInternalError("map contains duplicate key")
    out[k] = v


def datum_from_json(ctype: ColumnType, json: Any, symtab: NamedUuidTable | None = None) -> Any:
    """Parse a column value of type ``ctype`` into its canonical Python form."""
    kind = ctype.kind
    key = ctype.key
    if kind == MAP:
        if type(json) is list and len(json) == 2 and json[0] == "map" and type(json[1]) is list:
            inner = json[1]     # (what _unwrap returns, without the call)
        else:
            inner = _unwrap(json, "map")
        n = len(inner)
        if n < ctype.min or n > ctype.max:
            raise _count_error(json, "map", ctype, n)
        value = ctype.value
        assert value is not None
        out: dict = {}
        if (key.type == STRING and value.type == STRING and key.check is None
                and value.check is None):
            # string -> string maps without constraints (external_ids, options, ...): the
            # common case, where a well-formed pair needs no per-atom parsing.
            for pair in inner:
                if type(pair) is list and len(pair) == 2:
                    k, v = pair
                    if type(k) is str and type(v) is str:
                        if k in out:
                            raise OvsdbInternalError("map contains duplicate key")
                        out[k] = v
                        continue
                _add_map_pair(out, key, value, pair, symtab)
            return out
        for pair in inner:
            _add_map_pair(out, key, value, pair, symtab)
        return out
    if (isinstance(json, list) and json and json[0] == "set"):
        inner = _unwrap(json, "set")
        n = len(inner)
        if n < ctype.min or n > ctype.max:
            raise _count_error(json, "set", ctype, n)
        atoms = [atom_from_json(key, a, symtab) for a in inner]
        if kind == SCALAR:
            return atoms[0]
        s = frozenset(atoms)
        if len(s) != n:
            raise OvsdbInternalError("set contains duplicate")
        return s
    atom = atom_from_json(key, json, symtab)
    if kind == SCALAR:
        return atom
    return frozenset((atom,))


def string_map_from_json(ctype: ColumnType, json: Any) -> Any:
    """``datum_from_json`` for a map of strings to strings without constraints (external_ids,
    options, ...): a well-formed value, what clients send, is read with the fewest checks;
    anything else goes to ``datum_from_json`` (for its errors)."""
    if type(json) is list and len(json) == 2 and json[0] == "map":
        inner = json[1]
        if type(inner) is list and ctype.min <= len(inner) <= ctype.max:
            out: dict = {}
            for pair in inner:
                if type(pair) is list and len(pair) == 2:
                    k, v = pair
                    if type(k) is str and type(v) is str and k not in out:
                        out[k] = v
                        continue
                return datum_from_json(ctype, json)
            return out
    return datum_from_json(ctype, json)


def datum_from_json_unchecked(ctype: ColumnType, json: Any) -> Any:
    """Parse a value without constraint checks (used when replaying trusted files)."""
    plain = ColumnType(ctype.key.without_constraints(),
                       ctype.value.without_constraints() if ctype.value is not None else None,
                       0, UINT_MAX) if ctype.kind != SCALAR else ColumnType(
                           ctype.key.without_constraints())
    value = datum_from_json(plain, json)
    if ctype.kind == SET and not isinstance(value, frozenset):
        value = frozenset((value,))
    return value


def datum_to_json(ctype: ColumnType, value: Any) -> Any:
    """The wire form: sorted, a one-element set sent bare, maps always wrapped."""
    kind = ctype.kind
    kt = ctype.key.type
    if kind == SCALAR:
        return ["uuid", value] if kt == UUID else value
    if kind == SET:
        if len(value) == 1:
            for a in value:
                return ["uuid", a] if kt == UUID else a
        if kt == UUID:
            return ["set", [["uuid", a] for a in sorted(value)]]
        return ["set", sorted(value)]
    assert ctype.value is not None
    vt = ctype.value.type
    if kt != UUID and vt != UUID:
        if len(value) == 1:
            for k, v in value.items():     # (nothing to sort: e.g. most external_ids)
                return ["map", [[k, v]]]
        return ["map", [[k, value[k]] for k in sorted(value)]]
    return ["map", [[atom_to_json(kt, k), atom_to_json(vt, value[k])] for k in sorted(value)]]


def _uuid_atom(value: str) -> list[str]:
    return ["uuid", value]


def _uuid_set_json(value: Any) -> Any:
    if len(value) == 1:
        for a in value:
            return ["uuid", a]
    return ["set", [["uuid", a] for a in sorted(value)]]


def _set_json(value: Any) -> Any:
    if len(value) == 1:
        for a in value:
            return a
    return ["set", sorted(value)]


def json_converter(ctype: ColumnType) -> Callable[[Any], Any] | None:
    """:func:`datum_to_json` for one column type, decided once: the function that makes a
    value's wire form, or None when the value is its own wire form (a scalar that is not a
    uuid). For code that converts many values of the same column (a monitor's rows)."""
    kind = ctype.kind
    uuid = ctype.key.type == UUID
    if kind == SCALAR:
        return _uuid_atom if uuid else None
    if kind == SET:
        return _uuid_set_json if uuid else _set_json
    return partial(datum_to_json, ctype)


def datum_atoms(ctype: ColumnType, value: Any) -> tuple[list, list]:
    """(keys, values) of a value as lists (values empty unless a map)."""
    kind = ctype.kind
    if kind == SCALAR:
        return [value], []
    if kind == SET:
        return list(value), []
    return list(value), list(value.values())


def datum_len(ctype: ColumnType, value: Any) -> int:
    return 1 if ctype.kind == SCALAR else len(value)


def check_datum(ctype: ColumnType, value: Any) -> None:
    """Check every atom against its base type's constraints (ovsdb_datum_check_constraints)."""
    kc = ctype.key.check
    kind = ctype.kind
    if kind == SCALAR:
        if kc is not None:
            kc(value)
        return
    if kc is not None:
        for a in value:
            kc(a)
    if kind == MAP:
        assert ctype.value is not None
        vc = ctype.value.check
        if vc is not None:
            for a in value.values():
                vc(a)


def check_count(ctype: ColumnType, value: Any) -> bool:
    if ctype.kind == SCALAR:
        return True
    return ctype.min <= len(value) <= ctype.max


def datum_to_string(ctype: ColumnType, value: Any) -> str:
    """OVS's ovsdb_datum_to_string (error messages, CLI output)."""
    kt = ctype.key.type
    kind = ctype.kind
    if kind == SCALAR:
        return atom_to_string(kt, value)
    if kind == SET:
        inner = ", ".join(atom_to_string(kt, a) for a in sorted(value))
        if ctype.max > 1 or not value:
            return f"[{inner}]"
        return inner
    assert ctype.value is not None
    vt = ctype.value.type
    inner = ", ".join(f"{atom_to_string(kt, k)}={atom_to_string(vt, value[k])}"
                      for k in sorted(value))
    if ctype.max > 1 or not value:
        return "{" + inner + "}"
    return inner


# ---------------------------------------------------------------------------------------------
# Ordering
# ---------------------------------------------------------------------------------------------

def datum_sort_key(ctype: ColumnType, value: Any) -> Any:
    """A key ordering values like OVS's ovsdb_datum_compare_3way: size, keys, then values."""
    kind = ctype.kind
    if kind == SCALAR:
        return (1, (value,), ())
    if kind == SET:
        return (len(value), tuple(sorted(value)), ())
    keys = sorted(value)
    return (len(value), tuple(keys), tuple(value[k] for k in keys))


def compare_datums(ctype: ColumnType, a: Any, b: Any) -> int:
    ka, kb = datum_sort_key(ctype, a), datum_sort_key(ctype, b)
    return (ka > kb) - (ka < kb)


# ---------------------------------------------------------------------------------------------
# update2 diffs
# ---------------------------------------------------------------------------------------------

def diff_type(ctype: ColumnType) -> ColumnType:
    """The type a "modify" diff of ``ctype`` is parsed with (any number of elements)."""
    if ctype.kind == SCALAR:
        return ctype
    return ColumnType(ctype.key, ctype.value, 0, UINT_MAX)


def datum_diff(ctype: ColumnType, old: Any, new: Any) -> Any:
    """The update2 diff from ``old`` to ``new``: for scalars the new value, for sets the
    symmetric difference, for maps key -> new value for added/changed keys and key -> old
    value for removed keys."""
    kind = ctype.kind
    if kind == SCALAR:
        return new
    if kind == SET:
        return old ^ new
    out = {}
    for k, v in new.items():
        if k not in old or old[k] != v:
            out[k] = v
    for k, v in old.items():
        if k not in new:
            out[k] = v
    return out


def apply_diff(ctype: ColumnType, old: Any, diff: Any) -> Any:
    """Apply an update2 diff (see :func:`datum_diff`) to ``old``; cost O(len(diff))
    plus the copy of ``old`` for maps and small sets (a large set becomes a LargeSet)."""
    kind = ctype.kind
    if kind == SCALAR:
        return diff
    if kind == SET:
        return grow(old) ^ diff
    out = dict(old)
    for k, v in diff.items():
        if k in out and out[k] == v:
            del out[k]
        else:
            out[k] = v
    return out


def diff_to_json(ctype: ColumnType, diff: Any) -> Any:
    # datum_to_json looks only at the kind and the atomic types, which diff_type keeps.
    return datum_to_json(ctype, diff)


def diff_from_json(ctype: ColumnType, json: Any) -> Any:
    return datum_from_json(diff_type(ctype), json)

