"""The OVSDB server: the served databases, listeners, locks, blocked waits and the commit path.

Sessions and their method dispatch (RFC 7047 + OVS) are :mod:`pyovn.ovsdb.session`'s; what a
method does to the databases is here.

How a write flows: a session's ``transact`` runs in the engine (``Database.transact``, no I/O);
a change set is committed in memory at once (so the next transaction sees it), appended to the
database file, and turned into monitor updates. The updates and the reply are not sent yet: they
go into one ordered outbox behind everything queued before them, and leave when the file has been
fsynced up to that transaction (group commit: one fsync covers every transaction appended while
the previous one ran). Every message to every client passes the outbox in order, so a client gets
the updates of its own transaction before the reply, and an ``echo`` sent after a transaction is
answered after that transaction's updates. With ``fsync=False`` the outbox drains at once, as the
real ovsdb-server (which writes but does not fsync each transaction) behaves. A database's monitors
are a ``monitor.MonitorSet``: a commit's updates are made for the monitors it concerns (conditions
indexed), and monitors that get the same update share one serialisation.

Other pieces: ``wait`` operations that block are re-run after each commit and at their deadline;
locks are server-wide (``lock``/``steal``/``unlock`` with ``locked``/``stolen`` notifications);
the ``_Server`` database describes the served databases and can be monitored; ``db:`` remotes
read their targets from a column and are re-read after commits; a row they refer to (OVN's
``Connection``) gives its remote's ``read_only`` and RBAC ``role`` (``pyovn.ovsdb.rbac``: the
checks run in the engine with the session's role and certificate CN). A client whose unsent output passes
``max_backlog`` bytes when more is to be sent is disconnected, so one slow client never holds
memory or other clients (a single large reply to a client that reads always goes out).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
import uuid as uuidlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from pyovn.ovsdb import storage
from pyovn.ovsdb.database import Database
from pyovn.ovsdb.largeset import SET_TYPES
from pyovn.ovsdb.monitor import MonitorSet
from pyovn.ovsdb.schema import DatabaseSchema
from pyovn.ovsdb.session import RequestError, ServerSession, error_json, now_ms
from pyovn.ovsdb.stream import start_tls_server
from pyovn.util.vlog import get_logger

log = get_logger("ovsdb_server")
_socket_log = get_logger("socket_util")

SERVER_DB = "_Server"
_NO_LOCKS: frozenset[str] = frozenset()
ZERO_UUID = "00000000-0000-0000-0000-000000000000"


@dataclass(slots=True)
class PendingTxn:
    session: ServerSession
    id: Any
    ops: list[Any]
    started_ms: float
    deadline_ms: float | None


@dataclass(eq=False)  # (identity: a key of the pending-records dict)
class DbState:
    """One served database: the engine, its file, its monitors, its transaction history."""

    name: str
    db: Database
    log: storage.Storage | None = None  # the database's file (None: in memory)
    path: str | None = None
    monitors: MonitorSet = field(default_factory=MonitorSet)
    # The engine keeps the recent (txn id, change set)s for monitor_cond_since. Like ovsdb-server,
    # a standalone database keeps none (its transaction ids are all zero) unless asked to.
    keep_history: bool = False
    last_txn_id: str = ZERO_UUID
    waiters: list[PendingTxn] = field(default_factory=list)
    row_uuid: str | None = None  # this database's row in _Server.Database
    read_only: bool = False
    txns_since_compact: int = 0
    last_compact_ms: float = 0.0
    schedule: Any = None  # storage.CompactionSchedule, made on first commit
    # _Server.Database's model: "standalone", or "clustered" for a one-server Raft file (which
    # keeps the transaction history as ovsdb-server does and records eids as txn ids).
    model: str = "standalone"


# --- the server ---------------------------------------------------------------------------------

class OvsdbServer:
    """Serves databases on any number of remotes."""

    def __init__(self, *, fsync: bool = True, max_backlog: int = 64 * 1024 * 1024,
                 max_message: int = 256 * 1024 * 1024, read_only: bool = False,
                 txn_history: int = 0):
        self.dbs: dict[str, DbState] = {}
        self.fsync = fsync
        self.max_backlog = max_backlog
        self.soft_backlog = max(1, max_backlog // 8)
        self.max_message = max_message
        self.read_only = read_only
        self.txn_history = txn_history
        self.server_id = str(uuidlib.uuid4())
        self.sessions: set[ServerSession] = set()
        self.listeners: dict[str, asyncio.base_events.Server] = {}
        self.db_remotes: list[tuple[str, str, str]] = []  # (db, table, column)
        self._db_remote_targets: set[str] = set()
        self.lock_owners: dict[str, ServerSession] = {}
        self.lock_waiters: dict[str, list[ServerSession]] = {}
        # ordered outbox and group commit
        self._seq = 0  # last committed transaction
        self._durable = 0  # last transaction known durable
        self._outbox: deque[tuple[int, ServerSession, bytes]] = deque()
        self._dirty_logs: set[Any] = set()
        # records (and their transaction ids) committed in this pass, not yet written
        self._pending_records: dict[DbState, tuple[list[dict[str, Any]], list[str | None]]] = {}
        self._sync_scheduled = False
        self._flush_scheduled = False
        self._output_sessions: list[ServerSession] = []
        self.receiving = False  # a session is handling what it read (it flushes when done)
        self._timers: dict[int, asyncio.TimerHandle] = {}
        self.on_commit: list[Callable[[DbState, Any], None]] = []
        self._server_db = self._make_server_db()

    # --- databases ------------------------------------------------------------------------------
    def _make_server_db(self) -> DbState:
        from pyovn import schemas

        schema = DatabaseSchema.from_json(orjson.loads(schemas.path(SERVER_DB).read_bytes()))
        dbstate = DbState(SERVER_DB, Database(schema), read_only=True)
        self.dbs[SERVER_DB] = dbstate
        return dbstate

    def add_database(self, db: Database, *, log: storage.Storage | None = None,
                     path: str | None = None) -> DbState:
        """Serve ``db``, kept in ``log`` (:class:`storage.Storage`, of either format;
        None: in memory)."""
        name = db.schema.name
        if name in self.dbs:
            raise ValueError(f"{path or name}: duplicate database name {name}")
        if log is not None:
            keep_history, last_txn_id = log.history(db, self.txn_history)
            columns = log.server_columns()
        else:
            keep_history, last_txn_id = storage.memory_history(db, self.txn_history)
            columns = {"model": "standalone"}
        dbstate = DbState(name, db, log=log, path=path, read_only=self.read_only,
                          last_compact_ms=now_ms(), keep_history=keep_history,
                          last_txn_id=last_txn_id, model=columns["model"])
        self.dbs[name] = dbstate
        schema_text = orjson.dumps(db.schema.to_json()).decode()
        row: dict[str, Any] = {"name": name, "connected": True, "leader": True,
                               "schema": schema_text, **columns}
        if log is not None and log.live_server_columns():
            self.on_commit.append(self._server_row_hook(dbstate))
        res = self._server_db.db.transact(
            [{"op": "insert", "table": "Database", "row": row}],
            read_only=False, now_ms=now_ms(), started_ms=now_ms())
        dbstate.row_uuid = res.results[0]["uuid"][1]
        self._commit(self._server_db, res.changes)
        return dbstate

    # --- _Server.Database columns that follow the file (a cluster's index) ----------------------
    def _server_row_hook(self, dbstate: DbState) -> Callable[[DbState, Any], None]:
        pending = [False]
        db_log = dbstate.log
        assert db_log is not None

        def update_row() -> None:
            pending[0] = False
            res = self._server_db.db.transact(
                [{"op": "update", "table": "Database",
                  "where": [["_uuid", "==", ["uuid", dbstate.row_uuid]]],
                  "row": db_log.live_server_columns()}],
                read_only=False, now_ms=now_ms(), started_ms=now_ms())
            if res.changes:
                self._commit(self._server_db, res.changes)

        def on_commit(committed: DbState, changes: Any) -> None:
            if committed is dbstate and not pending[0]:
                pending[0] = True  # once per event-loop pass, as ovsdb-server's main loop does
                asyncio.get_event_loop().call_soon(update_row)

        return on_commit

    # --- transactions ---------------------------------------------------------------------------
    def submit_txn(self, dbstate: DbState, session: ServerSession, id_: Any, ops: list) -> None:
        """Run a session's ``transact`` and reply; one blocked on a ``wait`` waits (re-run after
        each commit and at its deadline)."""
        started = now_ms()
        if not self.run_txn(dbstate, session, id_, ops, started):
            pending = PendingTxn(session, id_, ops, started, None)
            dbstate.waiters.append(pending)
            self.schedule_wait_timer(dbstate, pending)

    def cancel_txn(self, session: ServerSession, id_: Any) -> None:
        """``cancel``: a waiting transaction of ``session`` with request id ``id_`` gets a
        "canceled" error reply."""
        for dbstate in self.dbs.values():
            for pending in list(dbstate.waiters):
                if pending.session is session and pending.id == id_:
                    dbstate.waiters.remove(pending)
                    session.send({"result": None, "error": error_json("canceled"),
                                  "id": pending.id})

    def run_txn(self, dbstate: DbState, session: ServerSession, id_: Any, ops: list,
                started_ms: float) -> bool:
        """Execute a transaction and reply; False if it is blocked on a ``wait``."""
        read_only = dbstate.read_only or session.read_only
        locks = (frozenset(n for n, owned in session.locks.items() if owned) if session.locks
                 else _NO_LOCKS)
        res = dbstate.db.transact(ops, read_only=read_only, locks=locks,
                             now_ms=now_ms(), started_ms=started_ms,
                             role=session.role, client=session.peer_id)
        if res.blocked:
            return False
        if res.changes:
            self._commit(dbstate, res.changes, comment=res.comment)
        self.outbox_send(session, orjson.dumps({"result": res.results, "error": None, "id": id_}))
        return True

    def _commit(self, dbstate: DbState, changes: Any, comment: str | None = None) -> None:
        db = dbstate.db
        db.commit(changes)
        self._seq += 1
        if dbstate.keep_history:
            txn_id = dbstate.last_txn_id = db.last_txn_id or ZERO_UUID
        else:
            txn_id = ZERO_UUID
        dbstate.txns_since_compact += 1
        db_log = dbstate.log
        record = None
        if db_log is not None:
            record = db.record_of(changes, comment=comment, date_ms=int(time.time() * 1000))
        if record is not None:
            # Written with the others of this pass in one go, before any reply leaves
            # (flush_logs): each write reaches the kernel before its reply. Compaction is
            # considered there too, once per pass.
            pending = self._pending_records.get(dbstate)
            if pending is None:
                if not self._pending_records and not self.receiving:
                    # (data_received flushes when it is done; elsewhere, e.g. a waiting
                    # transaction run by a timer, the end of the pass does)
                    asyncio.get_running_loop().call_soon(self.flush_logs)
                self._pending_records[dbstate] = ([record], [db.last_txn_id])
            else:
                pending[0].append(record)
                pending[1].append(db.last_txn_id)
            if self.fsync:
                self._dirty_logs.add(db_log)
                self._kick_fsync()
            else:
                self._durable = self._seq
        elif not self._outbox and self._durable == self._seq - 1:
            self._durable = self._seq
        if dbstate.monitors:
            self._notify_monitors(dbstate, changes, txn_id)
        for hook in self.on_commit:
            hook(dbstate, changes)
        if dbstate.waiters:
            asyncio.get_event_loop().call_soon(self._rerun_waiters, dbstate)

    def _notify_monitors(self, dbstate: DbState, changes: Any, txn_id: str) -> None:
        """Send each monitor that the change concerns its update (``MonitorSet.updates``: made once
        per view, serialised once per distinct update; only the envelope is per monitor)."""
        send = self.outbox_send
        for blob, mons in dbstate.monitors.updates(changes, dbstate.db.set_diff_hints(changes)):
            for mon in mons:
                send(mon.session, mon.notification_bytes(blob, txn_id))

    def _rerun_waiters(self, dbstate: DbState) -> None:
        for pending in list(dbstate.waiters):
            if pending.session.closed:
                dbstate.waiters.remove(pending)
                continue
            if self.run_txn(dbstate, pending.session, pending.id, pending.ops, pending.started_ms):
                dbstate.waiters.remove(pending)
                self._cancel_timer(pending)

    def schedule_wait_timer(self, dbstate: DbState, pending: PendingTxn) -> None:
        deadline = None
        for op in pending.ops:
            if isinstance(op, dict) and op.get("op") == "wait" and isinstance(op.get("timeout"), (int, float)):
                t = pending.started_ms + op["timeout"]
                deadline = t if deadline is None else min(deadline, t)
        if deadline is None:
            return
        loop = asyncio.get_event_loop()
        delay = max(0.0, (deadline - now_ms()) / 1000.0) + 0.001
        self._timers[id(pending)] = loop.call_later(delay, self._wait_timeout, dbstate, pending)

    def _wait_timeout(self, dbstate: DbState, pending: PendingTxn) -> None:
        self._timers.pop(id(pending), None)
        if pending in dbstate.waiters and self.run_txn(dbstate, pending.session, pending.id, pending.ops, pending.started_ms):
            dbstate.waiters.remove(pending)

    def _cancel_timer(self, pending: PendingTxn) -> None:
        timer = self._timers.pop(id(pending), None)
        if timer:
            timer.cancel()

    # --- ordered output and group commit --------------------------------------------------------
    def pending_output(self, session: ServerSession) -> None:
        if not self._flush_scheduled:
            self._flush_scheduled = True
            asyncio.get_running_loop().call_soon(self._flush_output)
        self._output_sessions.append(session)

    def _flush_output(self) -> None:
        self._flush_scheduled = False
        sessions, self._output_sessions = self._output_sessions, []
        for session in sessions:
            session.flush_output()

    def outbox_send(self, session: ServerSession, data: bytes) -> None:
        if not self._outbox and self._durable >= self._seq:
            session.write_now(data)
        else:
            self._outbox.append((self._seq, session, data))

    def _drain_outbox(self) -> None:
        box = self._outbox
        while box and box[0][0] <= self._durable:
            _, session, data = box.popleft()
            session.write_now(data)

    def _kick_fsync(self) -> None:
        if not self.fsync:
            self._durable = self._seq
            return
        if not self._sync_scheduled:
            # Group commit: everything handled in this pass of the event loop is appended first;
            # one fdatasync then covers it all, before any reply or update leaves. The sync
            # waits for one more look at the sockets (a callback that schedules it runs before
            # the loop's next poll for I/O, the sync after it): requests that arrived meanwhile
            # are executed first and share it, e.g. the rest of a client's pipelined requests.
            # (A synchronous fsync, ~0.2 ms, is far cheaper than handing it to a thread and
            # back: the thread waits for the GIL.)
            self._sync_scheduled = True
            loop = asyncio.get_running_loop()
            loop.call_soon(loop.call_soon, self._sync_and_drain)

    def flush_logs(self) -> None:
        """Write the records of transactions committed since the last call (one write per file),
        then compact the files that are due."""
        if not self._pending_records:
            return
        pending, self._pending_records = self._pending_records, {}
        for dbstate, (records, txn_ids) in pending.items():
            db_log = dbstate.log
            assert db_log is not None
            try:
                db_log.append_records(records, txn_ids=txn_ids)
            except storage.StorageError as e:
                log.error("%s: %d transaction(s) not written: %s", db_log.path, len(records), e)
        for dbstate in pending:
            self._maybe_compact(dbstate)

    def _sync_and_drain(self) -> None:
        self._sync_scheduled = False
        self.flush_logs()
        target = self._seq
        logs = list(self._dirty_logs)
        self._dirty_logs.clear()
        try:
            _sync_all(logs)
        except (OSError, storage.StorageError) as e:
            log.error("fsync failed: %s", e)
        self._durable = target
        self._drain_outbox()

    async def flush(self) -> None:
        """Make everything committed durable and send it (shutdown)."""
        if self._durable < self._seq:
            self._sync_and_drain()

    # --- compaction -----------------------------------------------------------------------------
    def _maybe_compact(self, dbstate: DbState) -> None:
        if dbstate.schedule is None:
            dbstate.schedule = storage.CompactionSchedule.start(time.monotonic() * 1000)
        now = time.monotonic() * 1000
        if now < dbstate.schedule.next_min_ms:
            return  # what should_compact would say, without gathering its arguments
        db_log = dbstate.log
        assert db_log is not None
        if storage.should_compact(dbstate.schedule, now,
                                  n_records=db_log.n_read + db_log.n_written, size=db_log.offset, base=db_log.base):
            try:
                self.compact(dbstate)
            except storage.StorageError as e:
                log.warning("%s: compaction failed: %s", dbstate.path, e)
                dbstate.schedule.reschedule(time.monotonic() * 1000, quick=True)

    def compact(self, dbstate: DbState) -> str:
        if dbstate.log is None:
            return f"{dbstate.name}: cannot compact an in-memory database"
        self.flush_logs()
        dbstate.log.compact(dbstate.db.schema.to_json(), dbstate.db.snapshot_record())
        dbstate.txns_since_compact = 0
        dbstate.last_compact_ms = now_ms()
        if dbstate.schedule is not None:
            dbstate.schedule.reschedule(time.monotonic() * 1000)
        log.info("%s: compacted database %s", dbstate.path, dbstate.name)
        return ""

    # --- locks ----------------------------------------------------------------------------------
    def locks_request(self, session: ServerSession, name: str, *, steal: bool) -> bool:
        owner = self.lock_owners.get(name)
        if owner is session:
            return True
        if name in session.locks and not steal:
            raise RequestError(error_json("duplicate lock", f"lock {name} already requested"))
        if owner is None or steal:
            if owner is not None:
                owner.locks[name] = False
                owner.send({"method": "stolen", "params": [name], "id": None})
                self.lock_waiters.setdefault(name, []).insert(0, owner)
            self.lock_owners[name] = session
            session.locks[name] = True
            waiters = self.lock_waiters.get(name)
            if waiters and session in waiters:
                waiters.remove(session)
            return True
        session.locks[name] = False
        self.lock_waiters.setdefault(name, []).append(session)
        return False

    def locks_release(self, session: ServerSession, name: str) -> None:
        session.locks.pop(name, None)
        waiters = self.lock_waiters.get(name, [])
        if session in waiters:
            waiters.remove(session)
        if self.lock_owners.get(name) is session:
            del self.lock_owners[name]
            while waiters:
                nxt = waiters.pop(0)
                if nxt.closed or name not in nxt.locks:
                    continue
                self.lock_owners[name] = nxt
                nxt.locks[name] = True
                nxt.send({"method": "locked", "params": [name], "id": None})
                break

    # --- sessions and listeners -----------------------------------------------------------------
    def session_closed(self, session: ServerSession) -> None:
        self.sessions.discard(session)
        for mon in session.monitors.values():
            mon.dbstate.monitors.discard(mon)
        session.monitors.clear()
        for name in list(session.locks):
            self.locks_release(session, name)
        for dbstate in self.dbs.values():
            dbstate.waiters = [pending for pending in dbstate.waiters if pending.session is not session]

    async def add_remote(self, target: str, *, read_only: bool = False,
                         role: str | None = None) -> None:
        """Listen on ``punix:PATH``, ``ptcp:PORT[:IP]`` or ``pssl:PORT[:IP]`` (TLS with the
        process's SSL settings, :mod:`pyovn.ovsdb.stream`); ``db:DB,TABLE,COLUMN`` is read
        later. ``role``: the RBAC role of the sessions it accepts (from a ``db:`` remote's row;
        like ovsdb-server, fixed when the listener opens)."""
        if target in self.listeners:
            return
        loop = asyncio.get_running_loop()
        kind, _, rest = target.partition(":")
        srv: Any
        if kind == "punix":
            path = rest
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
            srv = await loop.create_unix_server(
                lambda: ServerSession(self, 0, read_only or self.read_only, role), path=path)
        elif kind in ("ptcp", "pssl"):
            port_s, _, ip = rest.partition(":")
            ip = ip.strip("[]") or "0.0.0.0"
            if port_s and not port_s.isdigit():
                raise ValueError(f"{target}: bad port number")

            def make() -> ServerSession:
                return ServerSession(self, 5000, read_only or self.read_only, role)

            if kind == "ptcp":
                srv = await loop.create_server(make, host=ip, port=int(port_s or 0),
                                               reuse_address=True)
            else:
                srv = await start_tls_server(make, ip, int(port_s or 0))
            if int(port_s or 0) == 0:
                # OVS's inet_open_passive says which port the kernel chose; test harnesses
                # (OVS's own, ovsdbapp's fixture) read it from this line.
                port = srv.sockets[0].getsockname()[1]
                _socket_log.info("%s: listening on port %d", rest, port)
        elif kind == "db":
            parts = rest.split(",")
            if len(parts) != 3:
                raise ValueError(f"{target}: db remote must be db:DB,TABLE,COLUMN")
            self.db_remotes.append((parts[0], parts[1], parts[2]))
            await self.refresh_db_remotes()
            return
        else:
            raise ValueError(f"{target}: unsupported remote (use punix:, ptcp:, pssl: or db:)")
        self.listeners[target] = srv

    def bound_port(self, target: str) -> int:
        srv = self.listeners[target]
        return srv.sockets[0].getsockname()[1]

    async def refresh_db_remotes(self) -> None:
        targets: set[str] = set()
        # A row referred to (e.g. OVN's Connection) also gives its remote's options, as
        # ovsdb-server's add_manager_options reads them: read_only and the RBAC role.
        options: dict[str, tuple[bool, str | None]] = {}
        for dbname, table, column in self.db_remotes:
            dbstate = self.dbs.get(dbname)
            if dbstate is None or table not in dbstate.db.tables:
                continue
            tschema = dbstate.db.schema.tables[table]
            if column not in tschema.columns:
                continue
            ref = getattr(tschema.columns[column].type.key, "ref_table", None)
            for row in dbstate.db.tables[table].rows.values():
                value = row[column]
                values = value if isinstance(value, SET_TYPES) else [value]
                for v in values:
                    if ref:
                        target_row = dbstate.db.tables[ref].rows.get(v)
                        if target_row is not None and "target" in target_row:
                            targets.add(target_row["target"])
                            options[target_row["target"]] = _remote_options(target_row)
                    elif isinstance(v, str):
                        targets.add(v)
        for t in targets - self._db_remote_targets:
            if t.startswith(("ptcp:", "pssl:", "punix:")):
                ro, role = options.get(t, (False, None))
                try:
                    await self.add_remote(t, read_only=ro, role=role)
                except (OSError, ValueError) as e:
                    log.warning("%s: %s", t, e)
        for t in self._db_remote_targets - targets:
            srv = self.listeners.pop(t, None)
            if srv:
                srv.close()
        self._db_remote_targets = targets

    async def close(self) -> None:
        for target, srv in self.listeners.items():
            srv.close()
            if target.startswith("punix:"):
                # as ovsdb-server does on exit, remove the socket file
                with contextlib.suppress(OSError):
                    os.unlink(target[len("punix:"):])
        for session in list(self.sessions):
            session.close()
        self.flush_logs()
        await self.flush()
        for dbstate in self.dbs.values():
            if dbstate.log is not None:
                _sync_all([dbstate.log])
                dbstate.log.close()


def _remote_options(row: Any) -> tuple[bool, str | None]:
    """(read_only, role) of a remote's row: a column missing or empty gives the default."""
    def one(value: Any) -> Any:
        if isinstance(value, SET_TYPES):
            return next(iter(value), None)
        return value

    ro = one(row.get("read_only"))
    role = one(row.get("role"))
    return ro is True, role if isinstance(role, str) else None


def _sync_all(logs: list[Any]) -> None:
    for db_log in logs:
        db_log.commit(durable=True)
