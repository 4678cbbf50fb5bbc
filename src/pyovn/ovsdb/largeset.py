"""A persistent set for large set columns, so a mutate costs O(change), not O(set).

``LargeSet`` behaves as a read-only set of atoms (``collections.abc.Set``: ``in``, ``len``,
iteration, ``==`` with ``frozenset``, ``|``, ``-``, ``&``, ``^``, ``<=``..., ``hash`` equal to the
equal ``frozenset``'s) and is backed by ``immutables.Map`` (a C hash array mapped trie, atom ->
None), so inserting or deleting k atoms costs O(k log n) and shares the rest with the old value.
An insert/delete that changes nothing returns the same object (``is``).

Only mutation makes one (``grow``), for sets of at least ``THRESHOLD`` atoms; everything else may
hold either form (docs/CONTRACTS.md).  Without the ``immutables`` package, sets stay frozensets.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Set
from typing import Any

_immutables: Any
try:
    import immutables as _immutables
except ImportError:  # pragma: no cover - optional speed-up
    _immutables = None

__all__ = ["LargeSet", "SET_TYPES", "THRESHOLD", "grow"]

THRESHOLD = 1024
# "Small" operands are applied element by element to the trie; bigger ones rebuild.
_SMALL = 64


class LargeSet(Set):
    __slots__ = ("_m", "_h")

    def __init__(self, items: Iterable[Any] = ()) -> None:
        assert _immutables is not None
        self._m = _immutables.Map([(a, None) for a in items])
        self._h: int | None = None

    @classmethod
    def _wrap(cls, m: Any) -> LargeSet:
        s = cls.__new__(cls)
        s._m = m
        s._h = None
        return s

    @classmethod
    def _from_iterable(cls, it: Iterable[Any]) -> Any:
        return _make(it)

    def __contains__(self, a: object) -> bool:
        return a in self._m

    def __iter__(self) -> Iterator[Any]:
        return iter(self._m)

    def __len__(self) -> int:
        return len(self._m)

    def __repr__(self) -> str:
        return f"LargeSet(<{len(self._m)} atoms>)"

    def __reduce__(self) -> Any:
        return (LargeSet, (list(self._m),))

    def __hash__(self) -> int:
        h = self._h
        if h is None:
            h = self._h = hash(frozenset(self._m))
        return h

    def __eq__(self, other: object) -> bool:
        if other is self:
            return True
        if isinstance(other, LargeSet):
            return len(self._m) == len(other._m) and self._m == other._m
        if isinstance(other, (frozenset, set)):
            if len(self._m) != len(other):
                return False
            m = self._m
            return all(a in m for a in other)
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        r = self.__eq__(other)
        return r if r is NotImplemented else not r

    def __or__(self, other: Any) -> Any:
        if not isinstance(other, (Set, set, frozenset)):
            return NotImplemented
        m = self._m
        if len(other) <= _SMALL or len(other) * 8 < len(m):
            new = [a for a in other if a not in m]
            if not new:
                return self
            with m.mutate() as mm:
                for a in new:
                    mm[a] = None
                return LargeSet._wrap(mm.finish())
        return _make([*m, *(a for a in other if a not in m)])

    __ror__ = __or__

    def __sub__(self, other: Any) -> Any:
        if not isinstance(other, (Set, set, frozenset)):
            return NotImplemented
        m = self._m
        if len(other) <= _SMALL or len(other) * 8 < len(m):
            gone = [a for a in other if a in m]
            if not gone:
                return self
            with m.mutate() as mm:
                for a in gone:
                    del mm[a]
                return _make_from_map(mm.finish())
        return _make([a for a in m if a not in other])

    def __xor__(self, other: Any) -> Any:
        if not isinstance(other, (Set, set, frozenset)):
            return NotImplemented
        m = self._m
        if len(other) <= _SMALL or len(other) * 8 < len(m):
            if not other:
                return self
            with m.mutate() as mm:
                for a in other:
                    if a in mm:
                        del mm[a]
                    else:
                        mm[a] = None
                return _make_from_map(mm.finish())
        return _make([*(a for a in m if a not in other), *(a for a in other if a not in m)])

    __rxor__ = __xor__

    def __rsub__(self, other: Any) -> Any:
        if not isinstance(other, (Set, set, frozenset)):
            return NotImplemented
        m = self._m
        return frozenset(a for a in other if a not in m)

    def __and__(self, other: Any) -> Any:
        if not isinstance(other, (Set, set, frozenset)):
            return NotImplemented
        if len(other) <= len(self._m):
            m = self._m
            return frozenset(a for a in other if a in m)
        return frozenset(a for a in self._m if a in other)

    __rand__ = __and__

    # frozenset's named methods, for code written against frozenset.
    def union(self, *others: Iterable[Any]) -> Any:
        r: Any = self
        for o in others:
            r = r | (o if isinstance(o, (Set, set, frozenset)) else frozenset(o))
        return r

    def difference(self, *others: Iterable[Any]) -> Any:
        r: Any = self
        for o in others:
            r = r - (o if isinstance(o, (Set, set, frozenset)) else frozenset(o))
        return r

    def intersection(self, *others: Iterable[Any]) -> Any:
        r: Any = self
        for o in others:
            r = r & (o if isinstance(o, (Set, set, frozenset)) else frozenset(o))
        return r

    def issubset(self, other: Iterable[Any]) -> bool:
        o = other if isinstance(other, (Set, set, frozenset)) else frozenset(other)
        return self <= o

    def issuperset(self, other: Iterable[Any]) -> bool:
        return all(a in self._m for a in other)

    def copy(self) -> LargeSet:
        return self


def _make_from_map(m: Any) -> Any:
    if len(m) < THRESHOLD // 2:
        return frozenset(m)
    return LargeSet._wrap(m)


def _make(items: Iterable[Any]) -> Any:
    items = list(items)
    if _immutables is None or len(items) < THRESHOLD:
        return frozenset(items)
    return LargeSet(items)


def grow(value: Any) -> Any:
    """``value`` (a set datum about to be mutated) in the form a mutation should work on."""
    if (_immutables is not None and type(value) is frozenset
            and len(value) >= THRESHOLD):
        return LargeSet(value)
    return value


SET_TYPES = (frozenset, set, LargeSet)
