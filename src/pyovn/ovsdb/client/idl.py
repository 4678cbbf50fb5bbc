"""The IDL: a connection that keeps a replica of chosen tables in sync with an OVSDB server.

How it works:

* :class:`Idl` runs a :class:`~pyovn.ovsdb.client.connection.Connection`. On every new session it
  (optionally) checks leadership through ``_Server`` (:mod:`.leader`), fetches the schema, and
  starts one monitor, trying ``monitor_cond_since`` first, then ``monitor_cond``, then ``monitor``
  when the server answers with an error. The monitor reply is applied by a reply hook in the
  session's reader, so it lands before any notification that follows it on the wire.
* Resync: ``monitor_cond_since`` carries the id of the last transaction seen (from update3). When
  the server still has that history it answers ``found=true`` and only the delta, applied like a
  normal update; otherwise (or with the older methods) the reply is a full snapshot, which
  :meth:`Replica.reset` compares with the replica, so events describe exactly what changed while
  the client was away. The remembered id is dropped whenever it might not describe the replica:
  after a condition change that the server has not confirmed, or after an inconsistent update.
* Conditions per table (``set_condition``) go out with the monitor request and, at runtime, as
  ``monitor_cond_change``; the server sends the resulting inserts/deletes before its reply.
* Events: ``watch(callback, table, events, match)`` registers a handler called as
  ``callback(event, row, old)`` after each update message is applied (in the event loop, outside
  the replica lock). ``wait_until(predicate)`` waits until a predicate over the replica holds;
  ``sync()`` is a round-trip barrier (an ``echo``: once it returns, every update the server sent
  before it is applied); ``catch_up()`` a stronger one, through the server's transaction queue
  (on a cluster's leader: every change any earlier leader may have committed is applied, see its
  docstring; used before re-running a transaction whose outcome is unknown); ``wait_for_txn_id`` waits for an update3 with a given transaction id.
* Transactions: :meth:`transaction` returns a builder (:mod:`.transaction`); ``transact`` sends
  raw operations.

Everything here runs in one event loop; see :mod:`.sync` for use from threads.
"""

from __future__ import annotations

import asyncio
import collections
import itertools
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from pyovn.ovsdb.client.connection import (
    Connection,
    ConnectionClosed,
    RpcError,
    Session,
)
from pyovn.ovsdb.client.leader import SERVER_MONITOR_ID, ServerWatch, check_leader
from pyovn.ovsdb.client.replica import (
    Index,
    MemberIndex,
    Replica,
    ReplicaInconsistency,
    RowEvent,
    TableReplica,
    row_matches,
)
from pyovn.ovsdb.client.rows import OldRow, Row
from pyovn.ovsdb.condition import Condition, compile_where
from pyovn.ovsdb.schema import DatabaseSchema

__all__ = ["EventHandler", "Idl", "MONITOR_METHODS", "ZERO_UUID"]

log = logging.getLogger(__name__)

ZERO_UUID = "00000000-0000-0000-0000-000000000000"
MONITOR_METHODS = ("monitor_cond_since", "monitor_cond", "monitor")
ALL_EVENTS = frozenset(("create", "update", "delete"))

EventCallback = Callable[[str, Row, OldRow | None], Any]
EventMatch = Callable[[str, Row, OldRow | None], bool]


@dataclass(eq=False)
class EventHandler:
    """A registered event handler (returned by :meth:`Idl.watch`, passed to ``unwatch``)."""

    callback: EventCallback
    table: str | None = None
    events: frozenset[str] = ALL_EVENTS
    match: EventMatch | None = None
    once: bool = False
    where: Condition | None = None  # compiled from watch(where=[...]); tested on the new row
    active: bool = field(default=True)

    def wants(self, ev: RowEvent) -> bool:
        if ev.event not in self.events or (self.table is not None and ev.table != self.table):
            return False
        if self.where is not None and not row_matches(self.where, ev.row):
            return False
        return self.match is None or bool(self.match(ev.event, ev.row, ev.old))


class Idl:
    """A replica of ``database`` on the server(s) ``remote``, kept in sync.

    ``tables``: table -> columns to replicate (None = all); None = every table of the schema.
    ``conditions``: table -> initial <condition> list (monitor_cond "where"); absent = all rows.
    ``leader_only``: only stay connected to the leader of a clustered database.
    ``monitor_methods``: the methods to try, in order (the default tries all three).
    """

    def __init__(
        self,
        remote: str | list[str],
        database: str,
        *,
        tables: dict[str, Iterable[str] | None] | None = None,
        conditions: dict[str, list[Any]] | None = None,
        leader_only: bool = False,
        resolve_refs: bool = False,
        probe_interval: float | None = None,
        min_backoff: float = 0.1,
        max_backoff: float = 8.0,
        monitor_methods: Iterable[str] = MONITOR_METHODS,
        request_timeout: float = 60.0,
        lock_name: str | None = None,
        retry: bool = True,
    ):
        self.database = database
        # An OVSDB lock (RFC 7047 4.1.8) held while connected, e.g. northd's "ovn_northd":
        # requested on every new session; ``has_lock`` follows the locked/stolen notifications.
        self.lock_name = lock_name
        self.has_lock = False
        self.on_lock_change: Callable[[bool], Any] | None = None
        # With retry=False: called (in the loop) once the connection has given up for good.
        self.on_give_up: Callable[[BaseException], Any] | None = None
        self.leader_only = leader_only
        self.resolve_refs = resolve_refs
        self.request_timeout = request_timeout
        self._wanted_tables = tables
        self._conditions: dict[str, list[Any]] = dict(conditions or {})
        self.monitor_methods = tuple(monitor_methods)
        self.schema: DatabaseSchema | None = None
        self._schema_json: Any = None
        self.replica: Replica | None = None
        self.last_txn_id = ZERO_UUID
        self.monitor_method: str | None = None  # the method the current monitor uses
        self._monitor_id = f"pyovn-{database}"
        self._session: Session | None = None
        self._server_watch = ServerWatch(database, leader_only)
        self._handlers: list[EventHandler] = []
        self._waiters: list[tuple[Callable[[], bool], asyncio.Future[None]]] = []
        self._synced = asyncio.Event()
        self._recent_txns: collections.deque[str] = collections.deque(maxlen=1024)
        self._index_specs: list[tuple[str, tuple[str, ...]]] = []
        self._member_specs: list[tuple[str, str]] = []
        self._ids = itertools.count(1)
        self.resyncs = 0  # full snapshots applied (not counting the first)
        self.deltas = 0  # reconnects answered with found=true
        self.conn = Connection(
            remote,
            handler=self._on_notification,
            on_session=self._setup_session,
            on_down=self._on_down,
            on_give_up=self._on_give_up,
            retry=retry,
            probe_interval=probe_interval,
            min_backoff=min_backoff,
            max_backoff=max_backoff,
        )

    # --- lifecycle ----------------------------------------------------------------------------

    async def start(self, *, wait: bool = True, timeout: float | None = 30.0) -> Idl:
        """Start connecting; with ``wait``, return once the replica is in sync."""
        self.conn.start()
        if wait:
            try:
                await self.wait_synced(timeout)
            except TimeoutError:
                why = self.conn.last_error
                raise TimeoutError(
                    f"{self.database}: not in sync after {timeout}s"
                    + (f" (last error: {why})" if why else "")
                ) from why
        return self

    async def close(self) -> None:
        await self.conn.close()
        self._synced.clear()
        for _, fut in self._waiters:
            if not fut.done():
                fut.set_exception(ConnectionClosed("idl closed"))
        self._waiters.clear()

    async def __aenter__(self) -> Idl:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def is_synced(self) -> bool:
        """Connected, and the replica reflects the server (monitor reply applied)."""
        return self._synced.is_set() and self._session is not None and not self._session.is_closed

    async def wait_synced(self, timeout: float | None = None) -> None:
        """Until the replica is in sync; with ``retry=False``, raises the connection's error
        once it has given up (every remote failed once, or the session ended)."""
        async with asyncio.timeout(timeout):
            while not self.is_synced:
                if self.conn.gave_up is not None:
                    raise self.conn.gave_up
                self._synced.clear()
                await self._synced.wait()

    def _on_give_up(self, error: BaseException) -> None:
        self._synced.set()  # wakes wait_synced, which raises the error
        if self.on_give_up is not None:
            self.on_give_up(error)

    @property
    def session(self) -> Session:
        s = self._session
        if s is None or s.is_closed:
            raise ConnectionClosed(f"not connected to {self.database}")
        return s

    # --- replica access -----------------------------------------------------------------------

    @property
    def tables(self) -> dict[str, TableReplica]:
        if self.replica is None:
            raise ConnectionClosed("no replica yet: the schema has not been received")
        return self.replica.tables

    def __getitem__(self, table: str) -> TableReplica:
        return self.tables[table]

    def create_index(self, table: str, *columns: str) -> None:
        """Keep an index on ``columns`` of ``table`` (now and across schema reloads)."""
        spec = (table, tuple(columns))
        if spec not in self._index_specs:
            self._index_specs.append(spec)
        if self.replica is not None:
            self.replica.tables[table].index(*columns)

    def index(self, table: str, *columns: str) -> Index:
        """The index on ``columns`` of ``table`` (created on first use)."""
        self.create_index(table, *columns)
        return self.tables[table].index(*columns)

    def member_index(self, table: str, column: str) -> MemberIndex:
        """The rows of ``table`` by the elements of its set ``column`` (a reverse-reference
        index: ``member_index("Logical_Switch", "ports").lookup(port)``), created on first use
        and kept across schema reloads."""
        if (table, column) not in self._member_specs:
            self._member_specs.append((table, column))
        return self.tables[table].member_index(column)

    # --- events and waiting -------------------------------------------------------------------

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
        """Call ``callback(event, row, old)`` for matching row changes until ``unwatch``.

        ``where`` is an RFC 7047 where-list (conjunction) tested on the row after the change
        (the deleted row for deletes); it needs ``table``. ``match(event, row, old)`` is any
        further test.
        """
        cond = None
        if where is not None:
            if table is None or self.schema is None:
                raise ValueError("watch(where=...) needs a table and a known schema")
            cond = compile_where(self.schema.tables[table], where)
        h = EventHandler(callback, table, frozenset(events), match, once, cond)
        self._handlers.append(h)
        self._update_event_tables()
        return h

    def unwatch(self, handler: EventHandler) -> None:
        handler.active = False
        if handler in self._handlers:
            self._handlers.remove(handler)
        self._update_event_tables()

    async def wait_for_event(
        self,
        table: str,
        events: Iterable[str] = ALL_EVENTS,
        match: EventMatch | None = None,
        timeout: float | None = None,
    ) -> RowEvent:
        """The next matching RowEvent (registered before waiting, so none is missed)."""
        fut: asyncio.Future[RowEvent] = asyncio.get_running_loop().create_future()

        def cb(event: str, row: Row, old: OldRow | None) -> None:
            if not fut.done():
                fut.set_result(RowEvent(event, table, row, old))

        h = self.watch(cb, table, events, match, once=True)
        try:
            async with asyncio.timeout(timeout):
                return await fut
        finally:
            self.unwatch(h)

    def _update_event_tables(self) -> None:
        if self.replica is None:
            return
        wanted = {h.table for h in self._handlers}
        for name in self.replica.tables:
            self.replica.want_events(name, None in wanted or name in wanted)

    def _dispatch(self, events: list[RowEvent]) -> None:
        if events and self._handlers:
            for ev in events:
                for h in list(self._handlers):
                    if not h.active:
                        continue
                    try:
                        if h.wants(ev):
                            if h.once:
                                self.unwatch(h)
                            h.callback(ev.event, ev.row, ev.old)
                    except Exception:
                        log.exception("event handler %r failed", h.callback)
        if self._waiters:
            self._check_waiters()

    def _check_waiters(self) -> None:
        keep = []
        for pred, fut in self._waiters:
            if fut.done():
                continue
            try:
                ok = pred()
            except Exception as e:
                fut.set_exception(e)
                continue
            if ok:
                fut.set_result(None)
            else:
                keep.append((pred, fut))
        self._waiters = keep

    async def wait_until(self, predicate: Callable[[], bool], timeout: float | None = None) -> None:
        """Wait until ``predicate()`` (evaluated after each applied update) is true."""
        if self.replica is not None and predicate():
            return
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append((predicate, fut))
        try:
            async with asyncio.timeout(timeout):
                await fut
        finally:
            if not fut.done():
                fut.cancel()

    async def wait_for_txn_id(self, txn_id: str, timeout: float | None = None) -> None:
        """Wait until an update3 carrying ``txn_id`` has been applied (recent ones remembered)."""
        await self.wait_until(lambda: txn_id in self._recent_txns, timeout)

    async def sync(self, timeout: float | None = None) -> None:
        """Round trip to the server: afterwards every update it sent before is applied."""
        await self.wait_synced(timeout)
        await self.session.request("echo", ["pyovn-sync"], timeout=timeout)

    async def catch_up(self, timeout: float | None = None) -> None:
        """Wait until the replica holds everything the database may have committed so far.

        For re-running a transaction whose outcome is unknown (the connection was lost after
        it was sent): its checks must see its own effect if it was committed after all. A
        clustered database's old leader may have replicated it to the member that leads now
        without the new leader having applied it yet, and a replica freshly resynced from that
        leader does not show it. So: wait for a synced session, then send an empty transaction
        as a barrier. ovsdb-server runs no transaction (not even an empty one) before its
        database has applied every entry of its Raft log (the new leader commits the entries of
        earlier terms with its first entry), and it flushes monitor updates before any reply;
        once the barrier's reply is in, so is every such change. The guarantee needs the
        leader (a follower's log can lag): use it with ``leader_only``. Standalone: a round trip.
        """
        async with asyncio.timeout(timeout):
            while True:
                await self.wait_synced()
                try:
                    await self.session.request("transact", [self.database])
                    return
                except ConnectionClosed:
                    continue  # lost again: wait for the next session

    # --- conditions ---------------------------------------------------------------------------

    def condition(self, table: str) -> list[Any] | None:
        return self._conditions.get(table)

    async def set_condition(self, table: str, where: list[Any] | None) -> None:
        """Replicate only rows of ``table`` matching ``where`` (None or [] = all rows).

        Returns once the server has applied the change (its inserts/deletes are in the replica),
        or at once when not connected (the next monitor request carries the condition).
        """
        if where is None:
            where = [True]
        self._conditions[table] = where
        s = self._session
        if s is None or s.is_closed or not self.is_synced or self.monitor_method == "monitor":
            # The history we would resume from was gathered under other conditions.
            self.last_txn_id = ZERO_UUID
            return
        try:
            await s.request(
                "monitor_cond_change",
                [self._monitor_id, self._monitor_id, {table: [{"where": where}]}],
                timeout=self.request_timeout,
            )
        except (ConnectionClosed, TimeoutError):
            self.last_txn_id = ZERO_UUID

    # --- raw requests -------------------------------------------------------------------------

    async def transact(self, ops: list[Any], timeout: float | None = None) -> list[Any]:
        """Send one transact request with raw operations; returns the raw result list."""
        s = self.session
        result = await s.request(
            "transact", [self.database, *ops], timeout=timeout or self.request_timeout
        )
        return list(result)

    def transaction(self, **kwargs: Any) -> Any:
        """A new transaction builder (use ``async with idl.transaction() as txn``)."""
        from pyovn.ovsdb.client.transaction import Transaction

        return Transaction(self, **kwargs)

    def new_request_id(self) -> int:
        return next(self._ids)

    # --- session set-up -----------------------------------------------------------------------

    async def _setup_session(self, session: Session) -> None:
        self._synced.clear()
        self._session = session
        timeout = self.request_timeout
        if self.leader_only:
            self._server_watch = ServerWatch(self.database, True)
            watching = await check_leader(session, self._server_watch, timeout)
            if watching:
                await session.request("set_db_change_aware", [True], timeout=timeout)
        schema_json = await session.request("get_schema", [self.database], timeout=timeout)
        if self.replica is None or schema_json != self._schema_json:
            self._load_schema(schema_json)
        await self._start_monitor(session)
        if self.lock_name is not None:
            reply = await session.request("lock", [self.lock_name], timeout=timeout)
            self._set_lock(bool(isinstance(reply, dict) and reply.get("locked")))
        self._synced.set()
        self._check_waiters()

    def _set_lock(self, held: bool) -> None:
        if held != self.has_lock:
            self.has_lock = held
            if self.on_lock_change is not None:
                self.on_lock_change(held)

    def _load_schema(self, schema_json: Any) -> None:
        schema = DatabaseSchema.from_json(schema_json)
        old = self.replica
        if old is not None:
            # A schema change (conversion) while we were away: start over with a new replica;
            # old rows' deletion is not reported (their types may not exist any more).
            log.info("%s: schema changed; rebuilding the replica", self.database)
            self.last_txn_id = ZERO_UUID
        tables = self._wanted_tables
        if tables is not None:
            tables = {
                t: (None if cols is None else [c for c in cols if c in schema.tables[t].columns])
                for t, cols in tables.items()
                if t in schema.tables
            }
        self.schema = schema
        self._schema_json = schema_json
        self.replica = Replica(schema, tables, resolve_refs=self.resolve_refs)
        for table, cols in self._index_specs:
            if table in self.replica.tables:
                self.replica.tables[table].index(*cols)
        for table, col in self._member_specs:
            if table in self.replica.tables:
                self.replica.tables[table].member_index(col)
        self._update_event_tables()

    async def _start_monitor(self, session: Session) -> None:
        replica = self.replica
        assert replica is not None
        methods = list(self.monitor_methods)
        last_error: Exception | None = None
        for method in methods:
            try:
                await self._monitor(session, method, replica)
                self.monitor_method = method
                return
            except RpcError as e:
                # An older or minimal server: try the next method.
                log.info("%s: %s refused (%s); trying an older method", self.database, method, e)
                last_error = e
        raise last_error or ConnectionClosed("no monitor method configured")

    async def _monitor(self, session: Session, method: str, replica: Replica) -> None:
        timeout = self.request_timeout
        first = not any(t.rows for t in replica.tables.values())
        if method == "monitor":
            reqs = {name: {"columns": list(t.columns)} for name, t in replica.tables.items()}

            def on_reply1(result: Any) -> None:
                self._apply(lambda: replica.reset(result or {}, 1), full=not first)

            await session.request(
                "monitor", [self.database, self._monitor_id, reqs], timeout, on_reply1
            )
            self.last_txn_id = ZERO_UUID
            return
        reqs = replica.monitor_requests(self._conditions)
        if method == "monitor_cond":

            def on_reply2(result: Any) -> None:
                self._apply(lambda: replica.reset(result or {}, 2), full=not first)

            await session.request(
                "monitor_cond", [self.database, self._monitor_id, reqs], timeout, on_reply2
            )
            self.last_txn_id = ZERO_UUID
            return

        def on_reply3(result: Any) -> None:
            found, last_id, updates = result
            if found:
                self.deltas += 1
                self._apply(lambda: replica.apply_update2(updates or {}))
            else:
                self._apply(lambda: replica.reset(updates or {}, 2), full=not first)
            self._note_txn(last_id)

        await session.request(
            "monitor_cond_since",
            [self.database, self._monitor_id, reqs, self.last_txn_id],
            timeout,
            on_reply3,
        )

    def _note_txn(self, txn_id: Any) -> None:
        if isinstance(txn_id, str):
            self.last_txn_id = txn_id
            if txn_id != ZERO_UUID:
                self._recent_txns.append(txn_id)

    def _apply(self, fn: Callable[[], list[RowEvent]], full: bool = False) -> None:
        try:
            events = fn()
        except (ReplicaInconsistency, KeyError, TypeError, ValueError) as e:
            # Our replica no longer matches the server's view: resync from scratch.
            self.last_txn_id = ZERO_UUID
            raise ReplicaInconsistency(f"{self.database}: cannot apply update: {e}") from e
        if full:
            self.resyncs += 1
        self._dispatch(events)

    def _on_down(self) -> None:
        self._synced.clear()
        self._session = None
        if self.lock_name is not None:
            self._set_lock(False)

    def _on_notification(self, method: str, params: Any) -> None:
        if not isinstance(params, list) or not params:
            return
        mid = params[0]
        replica = self.replica
        if method in ("locked", "stolen"):
            if mid == self.lock_name:
                self._set_lock(method == "locked")
            return
        if method == "update3":
            if mid != self._monitor_id or replica is None or len(params) < 3:
                return
            self._apply(lambda: replica.apply_update2(params[2] or {}))
            self._note_txn(params[1])
        elif method == "update2":
            if mid == SERVER_MONITOR_ID:
                if not self._server_watch.handle(params):
                    why = self._server_watch.acceptable()[1]
                    log.info("%s: %s; reconnecting", self.database, why)
                    self.conn.force_reconnect()
                return
            if mid != self._monitor_id or replica is None or len(params) < 2:
                return
            self._apply(lambda: replica.apply_update2(params[1] or {}))
        elif method == "update":
            if mid != self._monitor_id or replica is None or len(params) < 2:
                return
            self._apply(lambda: replica.apply_update(params[1] or {}))
        elif method == "monitor_canceled":
            log.info("%s: monitor %r canceled by the server; reconnecting", self.database, mid)
            self.conn.force_reconnect()
