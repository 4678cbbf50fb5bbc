"""Transactions: a builder that collects operations over the replica and commits them at once.

How it works: each builder call appends an RFC 7047 operation (or extends one: several ``set``
calls on one row become one ``update``; ``set`` on a row inserted by this transaction edits the
insert itself). ``verify`` adds a ``wait`` operation (``until: "=="``, ``timeout: 0``) that holds
the verified columns' values as they were read from the replica; those go first in the
transaction, so the commit fails — with status TRY_AGAIN — if anyone changed them meanwhile
(optimistic concurrency).

Unknown outcomes: a transaction sent on a session that is lost before its reply (or whose reply
times out) may have been committed — on a cluster, the old leader may have replicated it to the
member that becomes leader. Its TRY_AGAIN result says ``outcome_unknown``, and the retry loops
(``run_transaction``, ``SyncIdl.run``, pyovn.api) re-run it only after ``Idl.catch_up``: reconnected,
resynced, and past a barrier transaction that the server runs only once its database has applied
everything in its log. Rebuilt from that replica, ``may_exist`` sees the row the lost attempt made. ``increment`` is a ``mutate +=`` followed by a ``select`` whose result is
the new value. ``commit`` sends the transact request, then maps the reply to a :class:`TxnResult`:
SUCCESS, UNCHANGED (nothing to write: no request sent), TRY_AGAIN (a verify failed, or the
connection was lost or never came up within the timeout — the caller should rebuild from the
replica and retry) or ERROR (with the server's error object). Before it
returns, the replica holds the transaction's own changes: ovsdb-server sends a client's updates
before the reply, and the commit checks it for the inserted and deleted rows (waiting a moment if
a server were to answer first).

Ownership: a transaction belongs to the thread (and asyncio task) that created it; calls from
anywhere else raise :class:`TransactionOwnershipError`. A transaction is used once: after
``commit`` every further call raises. ``async with idl.transaction() as txn:`` commits on a normal
exit (raising on errors) and abandons the transaction on an exception.
"""

from __future__ import annotations

import asyncio
import enum
import itertools
import logging
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pyovn.ovsdb.client.connection import ConnectionClosed, RpcError
from pyovn.ovsdb.client.rows import Row
from pyovn.ovsdb.data import datum_to_json
from pyovn.ovsdb.types import MAP, REAL, SCALAR, UUID, ColumnType

if TYPE_CHECKING:
    from pyovn.ovsdb.client.idl import Idl

__all__ = [
    "Increment",
    "NewRow",
    "RowRef",
    "Transaction",
    "TransactionError",
    "TransactionOwnershipError",
    "TryAgain",
    "TxnResult",
    "TxnStatus",
    "catch_up_before_retry",
    "run_transaction",
]

log = logging.getLogger(__name__)

_names = itertools.count(1)


class TxnStatus(enum.Enum):
    SUCCESS = "success"
    UNCHANGED = "unchanged"
    TRY_AGAIN = "try again"
    ERROR = "error"


class TransactionError(Exception):
    """A commit did not succeed; ``result`` has the status and the server's error object."""

    def __init__(self, result: TxnResult):
        self.result = result
        self.status = result.status
        self.error = result.error
        super().__init__(result.describe())


class TryAgain(TransactionError):
    """The transaction may succeed if rebuilt from the current replica and committed again."""


class TransactionOwnershipError(RuntimeError):
    """A transaction was used outside the thread/task that created it, or after its commit."""


@dataclass
class TxnResult:
    """What a commit came to. ``error`` is the server's error object (or a local one)."""

    status: TxnStatus
    error: dict[str, Any] | None = None
    results: list[Any] = field(default_factory=list)
    uuids: dict[str, str] = field(default_factory=dict)  # uuid-name -> uuid of inserted rows
    op_index: int | None = None  # the operation the error belongs to, if any
    comment: str | None = None
    # Sent, but no reply came (connection lost, timeout): it may have been committed. Re-run it
    # only after ``Idl.catch_up`` (see ``run_transaction``), or its checks may miss its effect.
    outcome_unknown: bool = False

    @property
    def ok(self) -> bool:
        return self.status in (TxnStatus.SUCCESS, TxnStatus.UNCHANGED)

    def describe(self) -> str:
        text = self.status.value
        if self.error:
            text += f": {self.error.get('error', '')}"
            if self.error.get("details"):
                text += f" ({self.error['details']})"
            if self.op_index is not None:
                text += f" [operation {self.op_index}]"
        return text

    def check(self) -> TxnResult:
        """Raise TryAgain / TransactionError unless the commit succeeded; return self."""
        if self.status is TxnStatus.TRY_AGAIN:
            raise TryAgain(self)
        if self.status is TxnStatus.ERROR:
            raise TransactionError(self)
        return self


class RowRef:
    """A row addressed by table and uuid (a replica Row works too wherever a RowRef does)."""

    __slots__ = ("table", "uuid")

    def __init__(self, table: str, uuid: str):
        self.table = table
        self.uuid = uuid

    def __repr__(self) -> str:
        return f"RowRef({self.table!r}, {self.uuid!r})"


class NewRow:
    """A row inserted by a transaction; ``uuid`` is known after a successful commit (or when
    the caller chose it). Usable as a reference value in the same transaction."""

    __slots__ = ("table", "name", "uuid", "pending", "_op", "_txn", "_index")

    def __init__(self, table: str, name: str, uuid: str | None, op: dict[str, Any], txn: Any):
        self.table = table
        self.name = name
        self.uuid = uuid
        self.pending = True  # inserted by a transaction that has not committed successfully
        self._op = op
        self._txn = txn
        self._index = -1

    def __repr__(self) -> str:
        return f"NewRow({self.table!r}, {self.name!r}, uuid={self.uuid!r})"


class Increment:
    """The result slot of ``Transaction.increment``: ``value`` is set by a successful commit."""

    __slots__ = ("table", "uuid", "column", "value", "_select_index")

    def __init__(self, table: str, uuid: str, column: str):
        self.table = table
        self.uuid = uuid
        self.column = column
        self.value: int | None = None
        self._select_index = -1


AnyRow = Row | RowRef | NewRow


def _atom_json(atomic: str, value: Any) -> Any:
    if atomic == UUID:
        if isinstance(value, NewRow):
            if value.pending:
                return ["named-uuid", value.name]
            return ["uuid", value.uuid]
        if isinstance(value, (Row, RowRef)):
            return ["uuid", value.uuid]
        return ["uuid", value]
    if atomic == REAL and type(value) is int:
        return float(value)
    return value


def value_to_json(ctype: ColumnType, value: Any) -> Any:
    """A python-friendly or canonical value -> the wire form for ``ctype`` (named uuids kept)."""
    kind = ctype.kind
    kt = ctype.key.type
    if kind == SCALAR:
        return _atom_json(kt, value)
    if kind == MAP:
        assert ctype.value is not None
        vt = ctype.value.type
        items = value.items() if isinstance(value, dict) else value
        return ["map", [[_atom_json(kt, k), _atom_json(vt, v)] for k, v in items]]
    if value is None:
        return ["set", []]
    if isinstance(value, (str, int, float, bool, Row, RowRef, NewRow)):
        return ["set", [_atom_json(kt, value)]]
    # A set has no duplicates: the server rejects ["set", [x, x]].
    out: list[Any] = []
    seen: set[Any] = set()
    for a in value:
        j = _atom_json(kt, a)
        key = tuple(j) if isinstance(j, list) else (type(j), j)
        if key not in seen:
            seen.add(key)
            out.append(j)
    return ["set", out]


def _where(row: AnyRow) -> list[Any]:
    if isinstance(row, NewRow) and row.pending:
        return [["_uuid", "==", ["named-uuid", row.name]]]
    return [["_uuid", "==", ["uuid", row.uuid]]]


class Transaction:
    """Collects operations for one transact request. See the module docstring for the rules."""

    def __init__(self, idl: Idl, *, comment: str | None = None, _task: Any = ...):
        self.idl = idl
        self._thread = threading.get_ident()
        if _task is ...:
            try:
                _task = asyncio.current_task()
            except RuntimeError:
                _task = None
        self._task = _task
        self._ops: list[dict[str, Any]] = []
        self._waits: list[dict[str, Any]] = []
        self._updates: dict[str, dict[str, Any]] = {}  # row key -> the update op to extend
        self._inserted: list[NewRow] = []
        self._deleted: list[tuple[str, str]] = []
        self._increments: list[Increment] = []
        self._comments: list[str] = [comment] if comment else []
        self._done = False
        self.result: TxnResult | None = None

    # --- ownership ----------------------------------------------------------------------------

    def _check(self) -> None:
        if self._done:
            raise TransactionOwnershipError("transaction already committed or abandoned")
        if threading.get_ident() != self._thread:
            raise TransactionOwnershipError("transaction used from another thread")
        if self._task is not None:
            try:
                task = asyncio.current_task()
            except RuntimeError:
                task = None
            if task is not self._task:
                raise TransactionOwnershipError("transaction used from another task")

    def _column(self, table: str, column: str) -> ColumnType:
        schema = self.idl.schema
        if schema is None:
            raise ConnectionClosed("schema not known yet")
        ts = schema.tables.get(table)
        if ts is None:
            raise KeyError(f"no table {table!r}")
        col = ts.columns.get(column)
        if col is None or column.startswith("_"):
            raise KeyError(f"table {table} has no column {column!r}")
        return col.type

    @staticmethod
    def _table_of(row: AnyRow) -> str:
        return row.table

    # --- builders -----------------------------------------------------------------------------

    def insert(
        self, table: str, *, uuid: str | None = None, uuid_name: str | None = None, **columns: Any
    ) -> NewRow:
        """Insert a row; ``uuid`` chooses its uuid (OVS 2.13+ servers), ``uuid_name`` its
        named-uuid (generated if not given). Returns a handle usable as a reference."""
        self._check()
        name = uuid_name or f"row{next(_names)}"
        op: dict[str, Any] = {"op": "insert", "table": table, "row": {}, "uuid-name": name}
        if uuid is not None:
            op["uuid"] = uuid
        new = NewRow(table, name, uuid, op, self)
        for c, v in columns.items():
            op["row"][c] = value_to_json(self._column(table, c), v)
        new._index = len(self._ops)
        self._ops.append(op)
        self._inserted.append(new)
        return new

    def row(self, table: str, uuid: str) -> RowRef:
        """Address a row by uuid (e.g. one not in the replica)."""
        return RowRef(table, uuid)

    def set(self, row: AnyRow, **columns: Any) -> None:
        """Set columns of a row to new values (python-friendly or canonical form)."""
        self._check()
        table = self._table_of(row)
        values = {c: value_to_json(self._column(table, c), v) for c, v in columns.items()}
        if isinstance(row, NewRow) and row.pending and row._txn is self:
            row._op["row"].update(values)
            return
        key = self._key(row)
        op = self._updates.get(key)
        if op is None:
            op = {"op": "update", "table": table, "where": _where(row), "row": {}}
            self._ops.append(op)
            self._updates[key] = op
        op["row"].update(values)

    def _key(self, row: AnyRow) -> str:
        if isinstance(row, NewRow) and row.pending:
            return f"{row.table}/@{row.name}"
        return f"{row.table}/{row.uuid}"

    def _append(self, row: AnyRow, op: dict[str, Any]) -> None:
        # A later "set" must not be merged into an update that precedes this operation.
        self._updates.pop(self._key(row), None)
        self._ops.append(op)

    def mutate(self, row: AnyRow, column: str, mutator: str, value: Any) -> None:
        """One mutation: ``mutator`` is insert/delete (sets, maps) or +=, -=, *=, /=, %=."""
        self._check()
        table = self._table_of(row)
        ctype = self._column(table, column)
        if mutator in ("insert", "delete"):
            if ctype.kind == MAP and mutator == "delete" and not isinstance(value, dict):
                # Deleting map keys: the argument is a set of keys.
                kt = ColumnType(ctype.key, None, 0, 2**32 - 1)
                arg = value_to_json(kt, value)
            else:
                mtype = ColumnType(ctype.key, ctype.value, 0, 2**32 - 1)
                arg = value_to_json(mtype, value)
        else:
            arg = _atom_json(ctype.key.type, value)
        op = {
            "op": "mutate",
            "table": table,
            "where": _where(row),
            "mutations": [[column, mutator, arg]],
        }
        self._append(row, op)

    def add(self, row: AnyRow, column: str, *values: Any) -> None:
        """Insert elements into a set column."""
        self.mutate(row, column, "insert", list(values))

    def discard(self, row: AnyRow, column: str, *values: Any) -> None:
        """Remove elements from a set column (or keys from a map column)."""
        self.mutate(row, column, "delete", list(values))

    def update_map(self, row: AnyRow, column: str, mapping: dict[Any, Any]) -> None:
        """Set keys of a map column, replacing existing values (delete the keys, then insert)."""
        if not mapping:
            return
        self.mutate(row, column, "delete", list(mapping))
        self.mutate(row, column, "insert", dict(mapping))

    def delete(self, row: AnyRow) -> None:
        self._check()
        self._append(row, {"op": "delete", "table": row.table, "where": _where(row)})
        if not isinstance(row, NewRow):
            self._deleted.append((row.table, row.uuid))

    def verify(self, row: Row, *columns: str) -> None:
        """Fail the commit with TRY_AGAIN unless ``columns`` still hold the values of ``row``."""
        self._check()
        if not isinstance(row, Row):
            raise TypeError("verify needs a Row read from the replica")
        table = row.table
        values = {}
        for c in columns:
            ctype = self._column(table, c)
            values[c] = datum_to_json(ctype, row.raw(c))
        self._waits.append(
            {
                "op": "wait",
                "timeout": 0,
                "table": table,
                "where": _where(row),
                "columns": list(columns),
                "until": "==",
                "rows": [values],
            }
        )

    def increment(self, row: AnyRow, column: str) -> Increment:
        """Add 1 to an integer column; the returned handle's ``value`` is the new value."""
        self._check()
        self._column(row.table, column)
        inc = Increment(row.table, row.uuid or "", column)
        self._append(
            row,
            {
                "op": "mutate",
                "table": row.table,
                "where": _where(row),
                "mutations": [[column, "+=", 1]],
            },
        )
        self._ops.append(
            {"op": "select", "table": row.table, "where": _where(row), "columns": [column]}
        )
        inc._select_index = len(self._ops) - 1
        self._increments.append(inc)
        return inc

    def comment(self, text: str) -> None:
        self._check()
        self._comments.append(text)

    def abort(self) -> None:
        """Abandon the transaction (nothing was sent)."""
        self._done = True

    @property
    def operations(self) -> list[dict[str, Any]]:
        """The operations as they would be sent now (waits first, then changes, comment)."""
        ops = self._waits + self._ops
        if self._comments:
            ops = ops + [{"op": "comment", "comment": "\n".join(self._comments)}]
        return ops

    # --- commit -------------------------------------------------------------------------------

    async def commit(self, *, check_error: bool = False, timeout: float | None = None) -> TxnResult:
        """Send the transaction; see the module docstring for the statuses."""
        self._check()
        return await self._commit(check_error=check_error, timeout=timeout)

    async def _commit(self, *, check_error: bool, timeout: float | None) -> TxnResult:
        """The commit itself, without the ownership check (the sync facade checks first)."""
        self._done = True
        result = await self._send(timeout)
        self.result = result
        if check_error:
            result.check()
        return result

    async def _send(self, timeout: float | None) -> TxnResult:
        idl = self.idl
        comment = "\n".join(self._comments) or None
        if not self._ops:
            return TxnResult(TxnStatus.UNCHANGED, comment=comment)
        timeout = idl.request_timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        try:
            await idl.wait_synced(timeout)
        except TimeoutError:
            return TxnResult(TxnStatus.TRY_AGAIN, {"error": "not connected"}, comment=comment)
        ops = self.operations
        n_waits = len(self._waits)
        try:
            results = await idl.transact(ops, timeout=max(0.001, deadline - time.monotonic()))
        except (ConnectionClosed, TimeoutError) as e:
            return TxnResult(
                TxnStatus.TRY_AGAIN,
                {"error": "connection lost", "details": str(e)},
                comment=comment,
                outcome_unknown=True,
            )
        except RpcError as e:
            err = e.error if isinstance(e.error, dict) else {"error": str(e.error)}
            return TxnResult(TxnStatus.ERROR, err, comment=comment)
        for i, r in enumerate(results):
            if isinstance(r, dict) and r.get("error") is not None:
                status = TxnStatus.ERROR
                if i < n_waits and r.get("error") == "timed out":
                    status = TxnStatus.TRY_AGAIN
                return TxnResult(status, r, results, op_index=i, comment=comment)
        if len(results) < len(ops):
            return TxnResult(
                TxnStatus.ERROR,
                {"error": "protocol error", "details": "fewer results than operations"},
                results,
                comment=comment,
            )
        uuids: dict[str, str] = {}
        for new in self._inserted:
            r = results[n_waits + new._index]
            u = r.get("uuid") if isinstance(r, dict) else None
            if isinstance(u, list) and len(u) == 2:
                new.uuid = u[1]
                new.pending = False
                uuids[new.name] = u[1]
        for inc in self._increments:
            r = results[n_waits + inc._select_index]
            rows = r.get("rows") if isinstance(r, dict) else None
            if rows:
                inc.value = rows[0].get(inc.column)
        await self._await_own_updates(uuids)
        return TxnResult(TxnStatus.SUCCESS, None, results, uuids, comment=comment)

    async def _await_own_updates(self, uuids: dict[str, str]) -> None:
        """Make sure the replica shows our inserts/deletes (normally it already does)."""
        replica = self.idl.replica
        if replica is None:
            return
        present: list[tuple[Any, str]] = []  # (table replica, uuid) that must be there
        absent: list[tuple[Any, str]] = []
        for new in self._inserted:
            t = replica.tables.get(new.table)
            if new.uuid is None or t is None or self.idl.condition(new.table) not in (None, [True]):
                continue  # not replicated, or we cannot tell whether the condition matches it
            present.append((t, new.uuid))
        for table, uuid in self._deleted:
            t = replica.tables.get(table)
            if t is not None:
                absent.append((t, uuid))
        if all(u in t.rows for t, u in present) and all(u not in t.rows for t, u in absent):
            return
        # A row can be missing legitimately (an inserted row the server garbage-collected at
        # once, being unreferenced), or because a server answered before sending its updates.
        # An echo round trip settles it: every update sent before the echo reply is applied.
        try:
            await self.idl.sync(timeout=self.idl.request_timeout)
        except (ConnectionClosed, TimeoutError):
            return

    async def __aenter__(self) -> Transaction:
        return self

    async def __aexit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is not None:
            self._done = True
            return
        if not self._done:
            await self.commit(check_error=True)


TxnFunction = Callable[[Transaction], Awaitable[Any] | Any]


async def run_transaction(
    idl: Idl,
    fn: TxnFunction,
    *,
    timeout: float = 60.0,
    check_error: bool = True,
) -> TxnResult:
    """Build with ``fn(txn)`` and commit, again and again while the result is TRY_AGAIN.

    ``fn`` reads the replica afresh on each attempt (and may ``verify`` what it read).
    """
    deadline = time.monotonic() + timeout
    delay = 0.01
    while True:
        txn = Transaction(idl)
        out = fn(txn)
        if asyncio.iscoroutine(out) or isinstance(out, asyncio.Future):
            await out
        remaining = deadline - time.monotonic()
        result = await txn.commit(timeout=max(0.001, remaining))
        if result.status is not TxnStatus.TRY_AGAIN or time.monotonic() >= deadline:
            if check_error:
                result.check()
            return result
        if result.outcome_unknown:
            # It may have been committed: rebuild only from a replica that would show it.
            if not await catch_up_before_retry(idl, result, deadline):
                if check_error:
                    result.check()
                return result
            continue
        if result.op_index is not None:
            # A verify failed: the replica already holds the newer values (the server sent
            # them before its reply), so rebuilding at once is right.
            await asyncio.sleep(0)
            continue
        await asyncio.sleep(min(delay, max(0.0, deadline - time.monotonic())))
        delay = min(delay * 2, 0.5)


async def catch_up_before_retry(idl: Idl, result: TxnResult, deadline: float) -> bool:
    """After a commit whose outcome is unknown: wait until the IDL is reconnected (to the leader,
    for a leader-only IDL) and its replica holds whatever the lost transaction may have
    committed (:meth:`Idl.catch_up`), so that a re-run's checks (``may_exist``, lookups,
    verifies) see it. Returns False when that did not happen before ``deadline``: the caller
    must then give up with ``result`` rather than re-run from a stale replica."""
    try:
        await idl.catch_up(max(0.001, deadline - time.monotonic()))
    except (TimeoutError, ConnectionClosed, RpcError) as e:
        log.info("%s: not caught up after %s (%s); not re-running", idl.database,
                 result.describe(), e)
        return False
    return True
