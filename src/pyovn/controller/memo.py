"""What the controller derived from a row, kept while the row has not changed.

The IDL hands out one :class:`~pyovn.ovsdb.client.rows.Row` snapshot per row version: the same
object for as long as the row is unchanged (and someone holds it), a new one after any write.
So "is this the snapshot I derived from last time?" is an identity test, and a pass of the
controller over N rows of which one changed costs N dictionary lookups and one derivation, not
N derivations (reading a column converts its value every time).

Entries not used for a whole pass are forgotten at the next :meth:`RowMemo.cycle`, so rows that
went do not stay alive.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

__all__ = ["RowMemo"]

T = TypeVar("T")


class RowMemo(Generic[T]):
    """``key`` -> (row snapshot, value derived from it)."""

    __slots__ = ("_cur", "_prev")

    def __init__(self) -> None:
        self._cur: dict[Hashable, tuple[Any, T]] = {}
        self._prev: dict[Hashable, tuple[Any, T]] = {}

    def get(self, key: Hashable, row: Any, derive: Callable[[Any], T]) -> T:
        """``derive(row)``, computed again only when ``row`` is not the snapshot it was
        derived from last time under ``key``."""
        hit = self._cur.get(key)
        if hit is None:
            hit = self._prev.pop(key, None)
            if hit is not None:
                self._cur[key] = hit
        if hit is not None and hit[0] is row:
            return hit[1]
        value = derive(row)
        self._cur[key] = (row, value)
        return value

    def cycle(self) -> None:
        """Start a pass: what the last pass did not use goes at the next cycle."""
        self._prev = self._cur
        self._cur = {}

    def __len__(self) -> int:
        return len(self._cur) + len(self._prev)
