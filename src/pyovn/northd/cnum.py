"""Integers and booleans read from option strings the way northd's C reads them.

northd reads the same kind of value with two different parsers, and they disagree on sloppy
input ("1400abc", "1300 ", "1_400"), so which one a column goes through matters:

* :func:`atoi`: C's ``atoi`` (glibc: ``(int) strtol(s, NULL, 10)``): leading blanks, an optional
  sign, then as many decimal digits as there are; whatever follows is ignored; no digits -> 0.
  ``atoi("1400abc") == 1400``.
* :func:`str_to_int`: OVS's ``str_to_int`` (``smap_get_int`` uses it): the same ``strtoll``
  scan, but nothing may follow the digits and the value must fit an ``int``; None otherwise.
  ``str_to_int("1400abc") is None``, ``str_to_int(" 1500") == 1500``.

Python's :func:`int` is neither (it accepts trailing blanks and ``_`` between digits).

Booleans: :func:`smap_get_bool` is OVS's (``strcasecmp``: "TRUE" and "True" are true), not
``== "true"``.
"""

from __future__ import annotations

import re

__all__ = ["atoi", "smap_get_bool", "smap_get_int", "str_to_int"]

# C isspace() in the "C" locale, then strtol's optional sign and decimal digits.
_STRTOL = re.compile(r"[ \t\n\v\f\r]*([+-]?)([0-9]+)")

_LONG_MIN, _LONG_MAX = -(1 << 63), (1 << 63) - 1
_INT_MIN, _INT_MAX = -(1 << 31), (1 << 31) - 1


def _strtol(s: str) -> tuple[int, int] | None:
    """``strtol(s, &tail, 10)`` on a 64-bit long: (value clamped to long, index of tail), or
    None when no digits were read (tail == s)."""
    m = _STRTOL.match(s)
    if m is None:
        return None
    v = int(m.group(2))
    if m.group(1) == "-":
        v = -v
    return max(_LONG_MIN, min(_LONG_MAX, v)), m.end()


def atoi(s: str) -> int:
    """C ``atoi``: the leading number of ``s`` (0 if none), cut to a 32-bit int as glibc's
    ``(int) strtol(...)`` does."""
    r = _strtol(s)
    if r is None:
        return 0
    v = r[0] & 0xFFFFFFFF
    return v - (1 << 32) if v > _INT_MAX else v


def str_to_int(s: str) -> int | None:
    """OVS ``str_to_int(s, 10, &i)``: the whole string is one decimal ``int`` (leading blanks
    and a sign allowed, nothing after the digits); None if not."""
    r = _strtol(s)
    if r is None or r[1] != len(s):
        return None
    v = r[0]
    # strtoll sets ERANGE beyond long long; str_to_int then refuses anything beyond int.
    return v if _INT_MIN <= v <= _INT_MAX else None


def smap_get_int(smap: dict[str, str], key: str, default: int) -> int:
    """OVS ``smap_get_int``: ``str_to_int`` of the value, ``default`` if absent or invalid."""
    v = smap.get(key)
    if v is None:
        return default
    r = str_to_int(v)
    return default if r is None else r


def _ascii_ieq(v: str, word: str) -> bool:
    """C ``strcasecmp(v, word) == 0`` for an ASCII ``word`` (only ASCII letters fold)."""
    return v.isascii() and v.lower() == word


def smap_get_bool(smap: dict[str, str], key: str, default: bool = False) -> bool:
    """OVS ``smap_get_bool``: with a false default only "true" in any case is true; with a true
    default anything but "false" in any case is true (absent: ``default``)."""
    v = smap.get(key)
    if v is None:
        return default
    return not _ascii_ieq(v, "false") if default else _ascii_ieq(v, "true")
