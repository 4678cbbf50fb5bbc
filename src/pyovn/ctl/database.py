"""How a ctl tool reads and writes its database: over pyovn's one OVSDB client.

The ctl core (:mod:`pyovn.ctl.runner`) needs little of a database, the :class:`Backend`
protocol: the schema, the rows as ``{table: {uuid: row}}`` with canonical values
(docs/CONTRACTS.md), a wait for the next change (``wait-until``, ovs-vsctl waiting for
``cur_cfg``), and one transaction. :class:`IdlBackend` gives it that over an
:class:`~pyovn.ovsdb.client.idl.Idl` whose event loop runs in another thread, in both modes:

* direct (:func:`connect`): a one-shot Idl (:func:`pyovn.ovsdb.client.oneshot.open_idl`: each
  remote tried once, leader-only unless ``--no-leader-only``, the real tools' error texts),
  closed when the command is done;
* daemon (:mod:`pyovn.ctl.daemon`): the daemon's long-lived Idl, commands run in its worker.

:class:`CanonicalRows` keeps the ctl core's rows next to the Idl's replica: rebuilt from the
replica once (and after a schema change), then per row event — a created row is converted
once, an updated row gets a new dict sharing its unchanged values with the old one (only the
changed columns are converted), a deleted row is dropped. ViewRow dicts are never changed in
place, and a table dict lent to a command is copied before its next change (copy on write), so
a command's :meth:`~CanonicalRows.snapshot` costs one small dict copy instead of a conversion
of every row. Changes and snapshots happen in the event-loop thread, between update messages,
so a snapshot is never half an update. The server sends a transaction's updates before its
reply, so the next command sees the previous one's changes.
"""

from __future__ import annotations

import asyncio
import gc
import sys
import threading
import time
from collections.abc import Iterable
from typing import Any, Protocol

from pyovn.ovsdb.client.connection import ConnectionClosed
from pyovn.ovsdb.client.idl import Idl
from pyovn.ovsdb.client.oneshot import OneShotError, open_idl
from pyovn.ovsdb.client.sync import SyncIdl
from pyovn.ovsdb.schema import DatabaseSchema
from pyovn.ovsdb.stream import SslConfigError

__all__ = ["Backend", "BackendError", "CanonicalRows", "IdlBackend", "TransactionLost",
           "connect"]

Rows = dict[str, dict[str, dict[str, Any]]]


class BackendError(Exception):
    """The connection failed or broke; ``str()`` is the text after ``<prog>: ``."""


class Backend(Protocol):
    rows: Rows

    def get_schema(self) -> DatabaseSchema: ...

    def monitor(self) -> Rows:
        """The rows now (canonical values); also kept in ``rows``."""
        ...

    def wait_update(self, deadline: float | None) -> bool:
        """Block until the rows change (True) or ``deadline`` (monotonic) passes."""
        ...

    def transact(self, ops: list[Any]) -> list[Any]:
        """The results of one transaction; the server's error object raises
        :class:`~pyovn.ovsdb.client.connection.RpcError`."""
        ...

    def close(self) -> None: ...


def connect(remotes: str, db: str, *, leader_only: bool = False,
            tables: Iterable[str] | None = None) -> IdlBackend:
    """Direct mode: a one-shot connection to the first of ``remotes`` that serves ``db``,
    replicating ``tables`` (None: all of them)."""
    try:
        client = open_idl(remotes, db, tables=tables, timeout=None, leader_only=leader_only)
    except OneShotError as exc:
        for cause in exc.causes:
            if isinstance(cause, SslConfigError):
                # OVS logs the configuration problem; the tool reports the failed connection
                sys.stderr.write(f"{cause}\n")
                break
        raise BackendError(str(exc)) from None
    view = _call_in_loop(client.loop, CanonicalRows, client.idl)
    client.idl.on_give_up = lambda error: view.close("database connection closed")
    return IdlBackend(client.idl, view, client.loop, owner=client)


def _call_in_loop(loop: asyncio.AbstractEventLoop, fn: Any, *args: Any) -> Any:
    """``fn(*args)`` run in ``loop`` (another thread's), its result or exception here."""

    async def call() -> Any:
        return fn(*args)

    return asyncio.run_coroutine_threadsafe(call(), loop).result()


class CanonicalRows:
    """The ctl core's view of an Idl's replica (see the module docstring). Loop thread only."""

    def __init__(self, idl: Idl) -> None:
        self.idl = idl
        self.tables: Rows = {}
        self.generation = 0  # advanced after every applied update message
        self.cond = threading.Condition()
        self.closing: str | None = None  # why no more updates will come
        self._replica: Any = None
        self._lent: set[str] = set()
        self._flush_pending = False
        idl.watch(self._on_event)

    def _rebuild(self) -> None:
        replica = self.idl.replica
        self._replica = replica
        self._lent.clear()
        self.tables = {}
        if replica is None:
            return
        with replica.lock:
            for name, t in replica.tables.items():
                self.tables[name] = t.canonical_rows()
        # The replica and these rows live as long as the daemon: out of the cyclic collector's
        # sight, its full collections stop rescanning them (70-80 ms pauses at 10,000 ports).
        gc.freeze()

    def _on_event(self, event: str, row: Any, old: Any) -> None:
        if self.idl.replica is not self._replica:
            self._replica = None  # a new replica (schema change): rebuild at the next snapshot
        else:
            name = row.table
            table = self.tables[name]
            if name in self._lent:
                table = self.tables[name] = dict(table)
                self._lent.discard(name)
            if event == "delete":
                table.pop(row.uuid, None)
            else:
                cur = table.get(row.uuid)
                if cur is None or old is None:
                    table[row.uuid] = row.to_dict()
                else:
                    new = dict(cur)
                    for column in old.changed:
                        new[column] = row.raw(column)
                    table[row.uuid] = new
        if not self._flush_pending:
            self._flush_pending = True
            asyncio.get_running_loop().call_soon(self._flush)

    def _flush(self) -> None:
        self._flush_pending = False
        with self.cond:
            self.generation += 1
            self.cond.notify_all()

    def snapshot(self) -> tuple[Rows, int]:
        """The rows now (lent: the caller must not change them) and the generation."""
        if self._replica is None or self._replica is not self.idl.replica:
            self._rebuild()
        self._lent = set(self.tables)
        return dict(self.tables), self.generation

    def close(self, why: str = "daemon exiting") -> None:
        """No more updates: a waiting command fails with ``why``."""
        with self.cond:
            self.closing = why
            self.cond.notify_all()


class TransactionLost(Exception):
    """The connection went away during a transaction: its outcome is unknown."""


class IdlBackend:
    """:class:`Backend` over a live Idl whose event loop runs in another thread."""

    def __init__(self, idl: Idl, view: CanonicalRows, loop: asyncio.AbstractEventLoop,
                 owner: SyncIdl | None = None) -> None:
        self.idl = idl
        self.view = view
        self.loop = loop
        self.rows: Rows = {}
        self._generation = -1
        self._owner = owner  # a one-shot connection, closed with this backend

    def get_schema(self) -> DatabaseSchema:
        schema = self.idl.schema
        if schema is None:
            raise BackendError("database connection failed (no schema yet)")
        return schema

    def monitor(self) -> Rows:
        self.rows, self._generation = _call_in_loop(self.loop, self.view.snapshot)
        return self.rows

    def wait_update(self, deadline: float | None) -> bool:
        view = self.view
        with view.cond:
            while view.generation == self._generation:
                if view.closing:
                    raise BackendError(view.closing)
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return False
                view.cond.wait(left)
        self.monitor()
        return True

    def transact(self, ops: list[Any]) -> list[Any]:
        fut = asyncio.run_coroutine_threadsafe(self.idl.transact(ops), self.loop)
        try:
            return list(fut.result() or [])
        except (ConnectionClosed, TimeoutError):
            raise TransactionLost from None

    def close(self) -> None:
        if self._owner is not None:
            self._owner.close()
