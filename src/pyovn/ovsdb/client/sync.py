"""A synchronous facade over the IDL, for threaded callers.

How it works: :class:`SyncIdl` starts one background thread running its own asyncio event loop;
that thread owns the connection and the :class:`~pyovn.ovsdb.client.idl.Idl` (every update is
applied there, every event handler runs there). Blocking methods hand coroutines to that loop with
``asyncio.run_coroutine_threadsafe`` and wait for the result.

Reading the replica from any thread is safe without going through the loop: the replica applies
each update message under its lock, and lookups, iteration and attribute reads take the same lock,
so a reader sees a message either entirely or not at all. What a reader gets is a snapshot
(:class:`~pyovn.ovsdb.client.rows.Row`), never changed afterwards; ask again for newer values.

Transactions are built in the caller's thread (``with client.transaction() as txn:``), belong to
that thread, and are committed through the loop. Calling a blocking method from the loop thread
itself (e.g. from an event handler) would deadlock, so it raises instead.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Coroutine, Iterable
from concurrent.futures import Future
from typing import Any, TypeVar

from pyovn.ovsdb.client.idl import ALL_EVENTS, EventCallback, EventHandler, EventMatch, Idl
from pyovn.ovsdb.client.replica import Index, MemberIndex, RowEvent, TableReplica
from pyovn.ovsdb.client.transaction import (
    Transaction,
    TransactionOwnershipError,
    TxnResult,
    TxnStatus,
    catch_up_before_retry,
)

__all__ = ["SyncIdl", "SyncTransaction"]

T = TypeVar("T")


class SyncTransaction(Transaction):
    """A transaction built in one thread and committed through the IDL's loop."""

    def __init__(self, client: SyncIdl, *, comment: str | None = None):
        super().__init__(client.idl, comment=comment, _task=None)
        self._client = client

    def commit(  # type: ignore[override]
        self, *, check_error: bool = False, timeout: float | None = None
    ) -> TxnResult:
        self._check()
        return self._client._run(self._commit(check_error=check_error, timeout=timeout))

    def __enter__(self) -> SyncTransaction:
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is not None:
            self._done = True
            return
        if not self._done:
            self.commit(check_error=True)

    async def __aenter__(self) -> Transaction:
        raise TransactionOwnershipError("use `with`, not `async with`, for a SyncTransaction")


class SyncIdl:
    """An :class:`Idl` driven by a background event-loop thread; same arguments as Idl."""

    def __init__(
        self,
        remote: str | list[str],
        database: str,
        *,
        start: bool = True,
        start_timeout: float = 30.0,
        **idl_kwargs: Any,
    ):
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name=f"pyovn-idl-{database}", daemon=True
        )
        self._thread.start()
        self._closed = False

        async def make() -> Idl:
            return Idl(remote, database, **idl_kwargs)

        self.idl: Idl = self._run(make())
        if start:
            try:
                self.start(start_timeout)
            except BaseException:
                self.close()
                raise

    def start(self, timeout: float | None = 30.0) -> None:
        """Connect and wait until the replica is in sync (when built with ``start=False``)."""
        self._run(self.idl.start(timeout=timeout))

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The event loop the Idl lives in (its own thread)."""
        return self._loop

    # --- plumbing -----------------------------------------------------------------------------

    def _run(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        if threading.get_ident() == self._thread.ident:
            coro.close()
            raise RuntimeError("blocking SyncIdl call from its own event-loop thread")
        if self._closed and self._loop.is_closed():
            coro.close()
            raise RuntimeError("SyncIdl is closed")
        fut: Future[T] = asyncio.run_coroutine_threadsafe(coro, self._loop)
        return fut.result(timeout)

    def _call(self, fn: Callable[[], T]) -> T:
        """Run a plain function in the loop thread (for state the loop thread owns)."""
        if threading.get_ident() == self._thread.ident:
            return fn()

        async def wrapper() -> T:
            return fn()

        return self._run(wrapper())

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._loop.is_running():
            asyncio.run_coroutine_threadsafe(self.idl.close(), self._loop).result(10)
            self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    def __enter__(self) -> SyncIdl:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- replica (thread-safe reads) ------------------------------------------------------------

    @property
    def tables(self) -> dict[str, TableReplica]:
        return self.idl.tables

    def __getitem__(self, table: str) -> TableReplica:
        return self.idl.tables[table]

    def index(self, table: str, *columns: str) -> Index:
        idx: Index = self._call(lambda: self.idl.index(table, *columns))
        return idx

    def member_index(self, table: str, column: str) -> MemberIndex:
        midx: MemberIndex = self._call(lambda: self.idl.member_index(table, column))
        return midx

    @property
    def is_synced(self) -> bool:
        return self.idl.is_synced

    # --- waiting ------------------------------------------------------------------------------

    def wait_synced(self, timeout: float | None = None) -> None:
        self._run(self.idl.wait_synced(timeout))

    def wait_until(self, predicate: Callable[[], bool], timeout: float | None = None) -> None:
        """Block until ``predicate()`` holds (it is evaluated in the loop thread)."""
        self._run(self.idl.wait_until(predicate, timeout))

    def sync(self, timeout: float | None = None) -> None:
        self._run(self.idl.sync(timeout))

    def catch_up(self, timeout: float | None = None) -> None:
        """Block until the replica holds everything committed so far (see Idl.catch_up)."""
        self._run(self.idl.catch_up(timeout))

    def catch_up_before_retry(self, result: TxnResult, deadline: float) -> bool:
        """Before re-running a transaction whose outcome is unknown: see the transaction
        module's ``catch_up_before_retry``; False means give up with ``result``."""
        return self._run(catch_up_before_retry(self.idl, result, deadline))

    def wait_for_event(
        self,
        table: str,
        events: Iterable[str] = ALL_EVENTS,
        match: EventMatch | None = None,
        timeout: float | None = None,
    ) -> RowEvent:
        return self._run(self.idl.wait_for_event(table, events, match, timeout))

    # --- events and conditions ----------------------------------------------------------------

    def watch(
        self,
        callback: EventCallback,
        table: str | None = None,
        events: Iterable[str] = ALL_EVENTS,
        match: EventMatch | None = None,
        *,
        once: bool = False,
        where: list[Any] | None = None,
    ) -> EventHandler:
        """Register an event handler; it runs in the loop thread."""
        return self._call(
            lambda: self.idl.watch(callback, table, events, match, once=once, where=where)
        )

    def unwatch(self, handler: EventHandler) -> None:
        self._call(lambda: self.idl.unwatch(handler))

    def set_condition(self, table: str, where: list[Any] | None) -> None:
        self._run(self.idl.set_condition(table, where))

    # --- transactions -------------------------------------------------------------------------

    def transaction(self, *, comment: str | None = None) -> SyncTransaction:
        return SyncTransaction(self, comment=comment)

    def transact(self, ops: list[Any], timeout: float | None = None) -> list[Any]:
        return self._run(self.idl.transact(ops, timeout))

    def run(
        self,
        fn: Callable[[SyncTransaction], Any],
        *,
        timeout: float = 60.0,
        check_error: bool = True,
    ) -> TxnResult:
        """Build with ``fn(txn)`` in this thread and commit; retry while TRY_AGAIN."""
        deadline = time.monotonic() + timeout
        delay = 0.01
        while True:
            txn = self.transaction()
            fn(txn)
            remaining = max(0.001, deadline - time.monotonic())
            result = txn.commit(timeout=remaining)
            if result.status is not TxnStatus.TRY_AGAIN or time.monotonic() >= deadline:
                if check_error:
                    result.check()
                return result
            if result.outcome_unknown:
                # It may have been committed: rebuild only from a replica that would show it.
                if not self.catch_up_before_retry(result, deadline):
                    if check_error:
                        result.check()
                    return result
                continue
            if result.op_index is not None:
                # A verify failed: the replica already holds the newer values (the server sent
                # them before its reply), so rebuilding at once is right.
                time.sleep(0)
                continue
            time.sleep(min(delay, max(0.0, deadline - time.monotonic())))
            delay = min(delay * 2, 0.5)
