"""Rows of the client replica: mutable per-row state inside, immutable snapshot views outside.

How it works:

* A :class:`RowState` is the replica's own copy of a row: ``values`` maps each monitored column to
  its stored value — the atom for a scalar column, a mutable ``set`` for any other column without
  a value type (optional columns included), a mutable ``dict`` for a map. Keeping sets and dicts
  mutable is what makes an update2 ``modify`` cost proportional to its diff: one element toggled
  in a 10,000-element set is one ``set`` operation, not a copy.
* A :class:`Row` is what users and event handlers receive: a *snapshot* of one row version. While
  it is the row's current version it shares the state's ``values`` dict (creating it is O(1)).
  The state keeps a weak reference to that view; before the state is written, a view that is
  still alive is *detached*: it gets a shallow copy of the dict (O(number of columns)) and every
  container becomes shared, so the state copies a container before its first in-place write
  (copy-on-write per column). Nobody holding the old view → no copy at all. Values read from a
  Row are fresh Python objects (lists, dicts), so nothing a caller holds changes later.
* :class:`OldRow` is the "old" side of an update event, with only the changed columns, like the
  OVS Python IDL (so ``hasattr(old, "up")`` asks "did ``up`` change?"). It stores what the update
  replaced — the diff itself for sets and maps — and computes an old value only when asked, from
  the new snapshot it holds; so an update costs O(diff) even when events are delivered.
* Thread safety: the replica applies each update message under its lock; views take the same
  lock to read, so a reader in another thread never sees a half-applied message or a container
  being modified.

Python-friendly values (what attribute access returns): a scalar column gives the atom; every
other set column (optional ones included) a ``list`` (so an optional column reads ``[]`` or
``[x]``, as ovsdbapp users expect); a map column a ``dict``. With reference resolution on
(``Replica(resolve_refs=True)``), uuids of rows in monitored tables become :class:`Row` objects
(a dangling reference is left out, as the OVS IDL does); references into unmonitored tables stay
uuid strings. ``Row.raw(column)`` gives the canonical form of docs/CONTRACTS.md instead.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pyovn.ovsdb.types import MAP, SCALAR, UUID, ColumnType

if TYPE_CHECKING:
    from pyovn.ovsdb.client.replica import TableReplica

__all__ = ["OldRow", "Row", "RowState", "copy_stored", "to_canonical"]

_MISSING = object()


def copy_stored(value: Any) -> Any:
    """A private copy of a stored value (containers copied, atoms as they are)."""
    t = type(value)
    if t is set:
        return set(value)
    if t is dict:
        return dict(value)
    return value


def to_canonical(kind: str, stored: Any) -> Any:
    """Stored value -> the canonical form of docs/CONTRACTS.md (atom / frozenset / new dict)."""
    if kind == SCALAR:
        return stored
    if kind == MAP:
        return dict(stored)
    return frozenset(stored)


class RowState:
    """The replica's mutable copy of one row (see the module docstring for the sharing rules)."""

    __slots__ = ("uuid", "values", "_view", "_owned")

    def __init__(self, uuid: str, values: dict[str, Any]):
        self.uuid = uuid
        self.values = values
        self._view: weakref.ReferenceType[Row] | None = None
        # Columns whose containers this state owns alone; None = all of them (no view detached).
        self._owned: set[str] | None = None

    def view(self, table: TableReplica) -> Row:
        """The snapshot of the current version (the same object while it is alive)."""
        ref = self._view
        if ref is not None:
            v = ref()
            if v is not None:
                return v
        v = Row(table, self.uuid, self.values)
        self._view = weakref.ref(v)
        return v

    def prepare_write(self) -> None:
        """Call before any change to ``values``: a live snapshot keeps the current values."""
        ref = self._view
        if ref is not None:
            self._view = None
            v = ref()
            if v is not None:
                _set(v, "_values", dict(self.values))
                self._owned = set()

    def writable(self, column: str) -> Any:
        """The container of ``column``, copied first if a detached snapshot shares it.

        Only after ``prepare_write``; the caller then mutates the result in place.
        """
        owned = self._owned
        value = self.values[column]
        if owned is not None and column not in owned:
            value = copy_stored(value)
            self.values[column] = value
            owned.add(column)
        return value

    def replace(self, column: str, value: Any) -> None:
        """Store a new value (after ``prepare_write``); the state owns it from now on."""
        self.values[column] = value
        if self._owned is not None:
            self._owned.add(column)


Converter = Callable[[Any], Any]
_set = object.__setattr__


def make_converter(ctype: ColumnType, resolve: Callable[[str, str], Any] | None) -> Converter:
    """Stored value -> python-friendly value for one column type.

    ``resolve(table, uuid)`` turns a reference into a Row (or None when the row is missing); it
    is given only for references into monitored tables when resolution is on.
    """
    kind = ctype.kind
    kres = _ref_resolver(ctype.key.type, ctype.key.ref_table, resolve)
    vres = (
        _ref_resolver(ctype.value.type, ctype.value.ref_table, resolve)
        if ctype.value is not None
        else None
    )
    if kind == SCALAR:
        if kres is None:
            return _identity
        return lambda v: kres(v)
    if kind == MAP:
        if kres is None and vres is None:
            return dict

        def conv_map(m: dict[Any, Any]) -> dict[Any, Any]:
            out = {}
            for k, val in m.items():
                if kres is not None:
                    k = kres(k)
                    if k is None:
                        continue
                if vres is not None:
                    val = vres(val)
                    if val is None:
                        continue
                out[k] = val
            return out

        return conv_map
    if kres is None:
        return list

    def conv_set(s: set[Any]) -> list[Any]:
        return [r for r in map(kres, s) if r is not None]

    return conv_set


def _identity(v: Any) -> Any:
    return v


def _ref_resolver(
    atomic: str, ref_table: str | None, resolve: Callable[[str, str], Any] | None
) -> Callable[[str], Any] | None:
    if atomic != UUID or ref_table is None or resolve is None:
        return None
    return lambda u: resolve(ref_table, u)


class Row:
    """A snapshot of one row version: ``row.uuid``, ``row.<column>`` (python-friendly values).

    Obtained from the replica (lookups, iteration, indexes, events); never changes afterwards.
    Ask the replica again (``replica.get(table, row.uuid)`` or :meth:`latest`) for a newer version.
    """

    __slots__ = ("_table", "uuid", "_values", "__weakref__")
    _table: TableReplica
    uuid: str
    _values: dict[str, Any]

    def __init__(self, table: TableReplica, uuid: str, values: dict[str, Any]):
        # object.__setattr__: this class's own __setattr__ refuses writes (read-only snapshot).
        _set(self, "_table", table)
        _set(self, "uuid", uuid)
        _set(self, "_values", values)

    @property
    def _uuid(self) -> str:
        return self.uuid

    @property
    def table(self) -> str:
        """The table's name."""
        return self._table.name

    def __getattr__(self, name: str) -> Any:
        table = self._table
        conv = table.converters.get(name)
        if conv is None:
            raise AttributeError(f"{table.name} has no monitored column {name!r}")
        with table.lock:
            return conv(self._values[name])

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(
            f"Row is a read-only snapshot; change {self._table.name}.{name} in a transaction"
        )

    def get(self, column: str, default: Any = None) -> Any:
        """``row.<column>``, or ``default`` for a column that is not monitored."""
        try:
            return getattr(self, column)
        except AttributeError:
            return default

    def raw(self, column: str) -> Any:
        """The value in the canonical form of docs/CONTRACTS.md (atom / frozenset / dict)."""
        table = self._table
        col = table.columns[column]
        with table.lock:
            return to_canonical(col.kind, self._values[column])

    def stored(self, column: str) -> Any:
        """Internal: the stored value under the lock (callers must not mutate or keep it)."""
        return self._values[column]

    def to_dict(self) -> dict[str, Any]:
        """Every monitored column in canonical form, plus ``_uuid``."""
        table = self._table
        with table.lock:
            out = {c: to_canonical(table.columns[c].kind, v) for c, v in self._values.items()}
        out["_uuid"] = self.uuid
        return out

    def latest(self) -> Row | None:
        """The current version of this row in the replica, or None when it was deleted."""
        return self._table.get(self.uuid)

    def __eq__(self, other: object) -> bool:
        # Same row (uuid and table); the values are not compared (versions of one row are equal,
        # which is what sets and dict keys of rows need).
        return isinstance(other, Row) and other.uuid == self.uuid and other._table is self._table

    def __hash__(self) -> int:
        return hash(self.uuid)

    def __repr__(self) -> str:
        return f"<Row {self._table.name} {self.uuid}>"

    def __dir__(self) -> list[str]:
        return sorted(set(self._table.converters) | {"uuid", "table"})


class OldRow:
    """The previous values of an updated row's changed columns (see the module docstring).

    ``changes`` maps each changed column to either ``("value", stored_old_value)`` or
    ``("diff", d)``, where ``d`` is the set diff (old = new ^ d) or, for maps, key -> old value
    (``_MISSING`` for a key that was added).
    """

    __slots__ = ("_new", "_changes")
    _new: Row

    def __init__(self, new: Row, changes: dict[str, tuple[str, Any]]):
        self._new = new
        self._changes = changes

    @property
    def uuid(self) -> str:
        return self._new.uuid

    @property
    def changed(self) -> frozenset[str]:
        """Names of the columns that changed."""
        return frozenset(self._changes)

    def _stored(self, name: str) -> Any:
        how, data = self._changes[name]
        if how == "value":
            return data
        cur = self._new._values[name]
        if type(cur) is set:
            return cur ^ data
        old = dict(cur)
        for k, v in data.items():
            if v is _MISSING:
                old.pop(k, None)
            else:
                old[k] = v
        return old

    def __getattr__(self, name: str) -> Any:
        changes = self._changes
        if name not in changes:
            raise AttributeError(f"column {name!r} did not change")
        table = self._new._table
        with table.lock:
            return table.converters[name](self._stored(name))

    def raw(self, column: str) -> Any:
        table = self._new._table
        with table.lock:
            return to_canonical(table.columns[column].kind, self._stored(column))

    def set_delta(self, column: str) -> tuple[frozenset[Any], frozenset[Any]]:
        """A changed set column's (added, removed) atoms, in O(change) when the update was a
        diff (update2), from the whole old value otherwise."""
        table = self._new._table
        with table.lock:
            how, data = self._changes[column]
            cur = self._new._values[column]
            if how == "value":
                old = data if isinstance(data, (set, frozenset)) else {data}
                new = cur if isinstance(cur, (set, frozenset)) else {cur}
                return frozenset(new - old), frozenset(old - new)
            return frozenset(x for x in data if x in cur), frozenset(x for x in data if x not in cur)

    def __repr__(self) -> str:
        return f"<OldRow {self._new._table.name} {self.uuid} {sorted(self._changes)}>"


MISSING = _MISSING
