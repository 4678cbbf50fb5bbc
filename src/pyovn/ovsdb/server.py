"""The OVSDB server: asyncio listeners, JSON-RPC sessions, method dispatch (RFC 7047 + OVS).

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
import itertools
import os
import time
import uuid as uuidlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from pyovn.ovsdb import errors, storage
from pyovn.ovsdb.database import Database
from pyovn.ovsdb.jsonrpc import Framer, FramingError
from pyovn.ovsdb.largeset import SET_TYPES
from pyovn.ovsdb.monitor import Monitor, MonitorError, MonitorSet, merge_changes
from pyovn.ovsdb.schema import DatabaseSchema
from pyovn.ovsdb.stream import peer_common_name, start_tls_server
from pyovn.util.vlog import get_logger

log = get_logger("ovsdb_server")
_socket_log = get_logger("socket_util")

SERVER_DB = "_Server"
ZERO_UUID = "00000000-0000-0000-0000-000000000000"


def now_ms() -> float:
    return time.monotonic() * 1000.0


def _error(kind: str, details: str | None = None) -> dict[str, Any]:
    e: dict[str, Any] = {"error": kind}
    if details is not None:
        e["details"] = details
    return e


class RequestError(Exception):
    """A request that gets an error reply (the error object is the JSON-RPC ``error``)."""

    def __init__(self, error: Any):
        super().__init__(str(error))
        self.error = error


@dataclass(slots=True)
class PendingTxn:
    session: Session
    id: Any
    ops: list[Any]
    started_ms: float
    deadline_ms: float | None


@dataclass(eq=False)  # (identity: a key of the pending-records dict)
class DbState:
    """One served database: the engine, its file, its monitors, its transaction history."""

    name: str
    db: Database
    log: Any = None  # storage.Log or None for in-memory databases
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
    # "standalone", or "clustered" for a one-server Raft file (log is a raftlog.RaftStorage,
    # which keeps the transaction history as ovsdb-server does and records eids as txn ids).
    model: str = "standalone"


class Session(asyncio.Protocol):
    """One client connection, as an asyncio protocol: bytes are framed and handled in
    ``data_received`` itself, so a request costs no task switch before it is answered."""

    _ids = itertools.count(1)

    def __init__(self, server: OvsdbServer, probe_ms: int, read_only: bool,
                 role: str | None = None):
        self.server = server
        self.transport: asyncio.Transport | None = None
        self.name = "unix"
        self.peer_id: str | None = None  # the CN of an ssl client's certificate
        self.role = role  # the RBAC role of the remote it came from (pyovn.ovsdb.rbac)
        self.n = next(self._ids)
        self.read_only = read_only
        self.framer = Framer(max_size=server.max_message)
        self.monitors: dict[str, Monitor] = {}  # key: JSON text of the monitor id
        self.locks: dict[str, bool] = {}  # lock name -> owned
        self.db_change_aware = False
        self.closed = False
        self.probe_ms = probe_ms
        self.last_rx = now_ms()
        self.echo_pending = False
        self._probe: asyncio.TimerHandle | None = None
        self._wbuf: list[bytes] = []  # output of this event-loop pass, written once at its end
        self._receiving = False  # in data_received, which writes _wbuf when it is done

    # --- transport events -----------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        t: asyncio.Transport = transport  # type: ignore[assignment]  # uvloop's is not an asyncio.Transport
        self.transport = t
        peer = t.get_extra_info("peername")
        if isinstance(peer, tuple):
            self.name = f"{peer[0]}:{peer[1]}"
        self.peer_id = peer_common_name(t.get_extra_info("peercert"))
        # Past the soft limit we stop reading this client's requests until it reads our output.
        t.set_write_buffer_limits(high=self.server.soft_backlog)
        self.server.sessions.add(self)
        if self.probe_ms:
            self._probe = asyncio.get_running_loop().call_later(self.probe_ms / 1000.0, self._probe_tick)

    def data_received(self, data: bytes) -> None:
        if self.closed:
            return
        self.last_rx = now_ms()
        self.echo_pending = False
        try:
            msgs = self.framer.feed(data)
        except FramingError as e:
            log.warning("%s: %s, disconnecting", self.name, e)
            self.send({"result": None, "error": _error("syntax error", str(e)), "id": None})
            self.close()
            return
        # Output produced while handling these messages is written once, right after them,
        # rather than from a callback at the end of the loop pass (one callback less per
        # request); output for this session produced elsewhere still goes that way.
        srv = self.server
        self._receiving = srv.receiving = True
        try:
            for msg in msgs:
                if self.closed:
                    break
                self.handle(msg)
        finally:
            self._receiving = srv.receiving = False
            if self._wbuf:
                self.flush_output()
            if srv._pending_records:
                srv.flush_logs()    # e.g. transactions with no reply ("id": null), a closed session

    def connection_lost(self, exc: Exception | None) -> None:
        self.close()

    def pause_writing(self) -> None:
        if self.transport is not None and not self.closed:
            self.transport.pause_reading()

    def resume_writing(self) -> None:
        if self.transport is not None and not self.closed:
            self.transport.resume_reading()

    # --- output -------------------------------------------------------------------------------
    def write_now(self, data: bytes) -> None:
        if self.closed:
            return
        if not self._wbuf and not self._receiving:
            self.server.pending_output(self)
        self._wbuf.append(data)

    def flush_output(self) -> None:
        """Write what this pass produced in one system call: one wake-up of the client, not one
        per message (on a busy machine each wake-up can cost the server its CPU)."""
        transport = self.transport
        buf = self._wbuf
        if self.closed or transport is None or not buf:
            buf.clear()
            return
        self.server.flush_logs()  # what a reply confirms is in the file before the reply leaves
        # The limit is on output the client has left unread *before* this write: a client that
        # stops reading while updates pile up is dropped, but one large message (the initial
        # reply of a monitor on a big database, 100 MB at 10,000 ports with their own ACLs) to
        # a client that reads is always sent, as the real ovsdb-server sends it.
        backlog = transport.get_write_buffer_size()
        if backlog > self.server.max_backlog:
            log.warning("%s: disconnecting: more than %d bytes of output backlog", self.name,
                        self.server.max_backlog)
            buf.clear()
            self.close(abort=True)
            return
        transport.write(buf[0] if len(buf) == 1 else b"".join(buf))
        buf.clear()

    def send(self, msg: Any) -> None:
        self.server.outbox_send(self, orjson.dumps(msg))

    def close(self, abort: bool = False) -> None:
        if self.closed:
            return
        if not abort:
            self.flush_output()  # e.g. the error reply that precedes a disconnect
        self.closed = True
        if self._probe is not None:
            self._probe.cancel()
        if self.transport is not None:
            if abort:
                self.transport.abort()
            else:
                self.transport.close()
        self.server.session_closed(self)

    # --- inactivity probe -----------------------------------------------------------------------
    def _probe_tick(self) -> None:
        if self.closed:
            return
        idle = now_ms() - self.last_rx
        loop = asyncio.get_running_loop()
        if idle >= self.probe_ms:
            if self.echo_pending:
                log.warning("%s: no response to inactivity probe after %.3g seconds, disconnecting",
                            self.name, idle / 1000.0)
                self.close()
                return
            self.echo_pending = True
            self.send({"method": "echo", "params": [], "id": "echo"})
            idle = 0
        self._probe = loop.call_later((self.probe_ms - idle) / 1000.0, self._probe_tick)

    def handle(self, msg: Any) -> None:
        if not isinstance(msg, dict):
            self.send({"result": None, "error": _error("syntax error", "message is not an object"), "id": None})
            return
        method = msg.get("method")
        id_ = msg.get("id")
        if method is None:
            # A response: the only requests we send are echo probes.
            return
        params = msg.get("params")
        if not isinstance(method, str) or not isinstance(params, list):
            self.send({"result": None,
                       "error": _error("syntax error", "request has wrong \"method\" or \"params\""),
                       "id": id_})
            return
        handler = METHODS.get(method)
        if handler is None:
            if id_ is not None:
                self.send({"result": None, "error": _error("unknown method", f"unknown method {method}"), "id": id_})
            return
        try:
            result = handler(self, params, id_)
        except RequestError as e:
            if id_ is not None or method == "echo":
                self.send({"result": None, "error": e.error, "id": id_})
            return
        except errors.OvsdbError as e:
            self.send({"result": None, "error": e.to_json(), "id": id_})
            return
        except Exception as e:  # a bug must not take the server down
            log.exception("%s: internal error handling %s", self.name, method)
            self.send({"result": None, "error": _error("internal error", f"{type(e).__name__}: {e}"), "id": id_})
            return
        if result is not _DEFERRED and id_ is not None:
            self.send({"result": result, "error": None, "id": id_})


_DEFERRED = object()
_NO_LOCKS: frozenset[str] = frozenset()


# --- method handlers ----------------------------------------------------------------------------

def _db(session: Session, name: Any, method: str) -> DbState:
    st = session.server.dbs.get(name) if isinstance(name, str) else None
    if st is None:
        raise RequestError(_error("unknown database", f"{method} request specifies unknown database {name}"))
    return st


def m_list_dbs(s: Session, params: list, id_: Any) -> Any:
    return list(s.server.dbs)


def m_get_schema(s: Session, params: list, id_: Any) -> Any:
    # As ovsdb-server: the params begin with the database name, and whatever follows is
    # ignored. python-ovs sends ["_Server", <its monitor id>]; refusing that made it give up
    # on _Server and fall back to "monitor", whose updates carry whole rows.
    name = params[0] if params else None
    if not isinstance(name, str):
        err = _error("syntax error", "get_schema request params must begin with <db-name>")
        err["syntax"] = orjson.dumps(params).decode()
        raise RequestError(err)
    st = s.server.dbs.get(name)
    if st is None:
        err = _error("unknown database", f"get_schema request specifies unknown database {name}")
        err["syntax"] = orjson.dumps(params).decode()
        raise RequestError(err)
    return st.db.schema.to_json()


def m_echo(s: Session, params: list, id_: Any) -> Any:
    return params


def m_get_server_id(s: Session, params: list, id_: Any) -> Any:
    return s.server.server_id


def m_set_db_change_aware(s: Session, params: list, id_: Any) -> Any:
    if len(params) != 1 or not isinstance(params[0], bool):
        raise RequestError(_error("syntax error", "set_db_change_aware takes one boolean parameter"))
    s.db_change_aware = params[0]
    return {}


def m_transact(s: Session, params: list, id_: Any) -> Any:
    if not params:
        raise RequestError(_error("syntax error", "transact request has no database name"))
    st = _db(s, params[0], "transact")
    ops = params[1:]
    srv = s.server
    started = now_ms()
    if not srv.run_txn(st, s, id_, ops, started):
        pending = PendingTxn(s, id_, ops, started, None)
        st.waiters.append(pending)
        srv.schedule_wait_timer(st, pending)
    return _DEFERRED


def m_cancel(s: Session, params: list, id_: Any) -> Any:
    if len(params) != 1:
        raise RequestError(_error("syntax error", "cancel takes one parameter"))
    for st in s.server.dbs.values():
        for p in list(st.waiters):
            if p.session is s and p.id == params[0]:
                st.waiters.remove(p)
                s.send({"result": None, "error": _error("canceled"), "id": p.id})
    return _DEFERRED  # cancel has no reply of its own (RFC 7047 4.1.4)


def _monitor_common(s: Session, params: list, version: int, method: str) -> tuple[DbState, str, Monitor]:
    if len(params) < 3:
        raise RequestError(_error("syntax error", f"{method} request has too few parameters"))
    st = _db(s, params[0], method)
    key = orjson.dumps(params[1]).decode()
    if key in s.monitors:
        raise RequestError(_error("duplicate monitor ID", f"duplicate monitor ID {key}"))
    try:
        mon = Monitor(st.db, params[1], params[2], version)
    except MonitorError as e:
        raise RequestError(e.to_json()) from None
    except errors.OvsdbError as e:
        raise RequestError(e.to_json()) from None
    return st, key, mon


def _attach(s: Session, st: DbState, key: str, mon: Monitor) -> None:
    mon.session = s
    mon.dbstate = st
    s.monitors[key] = mon
    st.monitors.add(mon)


def m_monitor(s: Session, params: list, id_: Any) -> Any:
    st, key, mon = _monitor_common(s, params, 1, "monitor")
    _attach(s, st, key, mon)
    return mon.initial()


def m_monitor_cond(s: Session, params: list, id_: Any) -> Any:
    st, key, mon = _monitor_common(s, params, 2, "monitor_cond")
    _attach(s, st, key, mon)
    return mon.initial()


def m_monitor_cond_since(s: Session, params: list, id_: Any) -> Any:
    st, key, mon = _monitor_common(s, params, 3, "monitor_cond_since")
    last = params[3] if len(params) > 3 else ZERO_UUID
    _attach(s, st, key, mon)
    if isinstance(last, str) and last != ZERO_UUID and st.keep_history:
        # The client saw transaction ``last``: send only what came after it, if we still know.
        after = st.db.changes_since(last)
        if after is not None:
            return [True, st.last_txn_id, mon.changes_to_json(merge_changes(after)) or {}]
    return [False, st.last_txn_id, mon.initial()]


def m_monitor_cond_change(s: Session, params: list, id_: Any) -> Any:
    if len(params) != 3:
        raise RequestError(_error("syntax error", "monitor_cond_change takes three parameters"))
    old_key = orjson.dumps(params[0]).decode()
    new_key = orjson.dumps(params[1]).decode()
    mon = s.monitors.get(old_key)
    if mon is None:
        raise RequestError(_error("unknown monitor", f"unknown monitor session {old_key}"))
    if new_key != old_key and new_key in s.monitors:
        raise RequestError(_error("duplicate monitor ID", f"duplicate monitor ID {new_key}"))
    try:
        update = mon.change_condition(params[2])
    except MonitorError as e:
        raise RequestError(e.to_json()) from None
    except errors.OvsdbError as e:
        raise RequestError(e.to_json()) from None
    if new_key != old_key:
        del s.monitors[old_key]
        s.monitors[new_key] = mon
        mon.monitor_id = params[1]
    # The reply first, then the rows that now match or stop matching.
    s.send({"result": {}, "error": None, "id": id_})
    if update:
        s.send(mon.notification(update, s.server.dbs[mon.dbstate.name].last_txn_id))
    return _DEFERRED


def m_monitor_cancel(s: Session, params: list, id_: Any) -> Any:
    if len(params) != 1:
        raise RequestError(_error("syntax error", "monitor_cancel takes one parameter"))
    key = orjson.dumps(params[0]).decode()
    mon = s.monitors.pop(key, None)
    if mon is None:
        raise RequestError(_error("unknown monitor", f"unknown monitor {key}"))
    mon.dbstate.monitors.discard(mon)
    return {}


def _lock_name(params: list, method: str) -> str:
    if len(params) != 1 or not isinstance(params[0], str):
        raise RequestError(_error("syntax error", f"{method} request must have one string parameter"))
    return params[0]


def m_lock(s: Session, params: list, id_: Any) -> Any:
    name = _lock_name(params, "lock")
    return {"locked": s.server.locks_request(s, name, steal=False)}


def m_steal(s: Session, params: list, id_: Any) -> Any:
    name = _lock_name(params, "steal")
    return {"locked": s.server.locks_request(s, name, steal=True)}


def m_unlock(s: Session, params: list, id_: Any) -> Any:
    name = _lock_name(params, "unlock")
    if name not in s.locks:
        raise RequestError(_error("not locked", f"unlock of lock {name} not held"))
    s.server.locks_release(s, name)
    return {}


METHODS: dict[str, Callable[[Session, list, Any], Any]] = {
    "list_dbs": m_list_dbs,
    "get_schema": m_get_schema,
    "transact": m_transact,
    "cancel": m_cancel,
    "monitor": m_monitor,
    "monitor_cond": m_monitor_cond,
    "monitor_cond_since": m_monitor_cond_since,
    "monitor_cond_change": m_monitor_cond_change,
    "monitor_cancel": m_monitor_cancel,
    "lock": m_lock,
    "steal": m_steal,
    "unlock": m_unlock,
    "echo": m_echo,
    "get_server_id": m_get_server_id,
    "set_db_change_aware": m_set_db_change_aware,
}


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
        self.sessions: set[Session] = set()
        self.listeners: dict[str, asyncio.base_events.Server] = {}
        self.db_remotes: list[tuple[str, str, str]] = []  # (db, table, column)
        self._db_remote_targets: set[str] = set()
        self.lock_owners: dict[str, Session] = {}
        self.lock_waiters: dict[str, list[Session]] = {}
        # ordered outbox and group commit
        self._seq = 0  # last committed transaction
        self._durable = 0  # last transaction known durable
        self._outbox: deque[tuple[int, Session, bytes]] = deque()
        self._dirty_logs: set[Any] = set()
        self._pending_records: dict[Any, list[dict[str, Any]]] = {}
        self._sync_scheduled = False
        self._flush_scheduled = False
        self._output_sessions: list[Session] = []
        self.receiving = False  # a session is handling what it read (it flushes when done)
        self._timers: dict[int, asyncio.TimerHandle] = {}
        self.on_commit: list[Callable[[DbState, Any], None]] = []
        self._server_db = self._make_server_db()

    # --- databases ------------------------------------------------------------------------------
    def _make_server_db(self) -> DbState:
        from pyovn import schemas

        schema = DatabaseSchema.from_json(orjson.loads(schemas.path(SERVER_DB).read_bytes()))
        st = DbState(SERVER_DB, Database(schema), read_only=True)
        self.dbs[SERVER_DB] = st
        return st

    def add_database(self, db: Database, *, log: Any = None, path: str | None = None) -> DbState:
        name = db.schema.name
        if name in self.dbs:
            raise ValueError(f"{path or name}: duplicate database name {name}")
        model = getattr(log, "model", "standalone")
        if model != "clustered":  # a clustered db's history is bounded by raftlog.load
            db.history = deque(db.history, maxlen=self.txn_history)
        st = DbState(name, db, log=log, path=path, read_only=self.read_only,
                     last_compact_ms=now_ms(),
                     keep_history=self.txn_history > 0 or model == "clustered", model=model)
        self.dbs[name] = st
        schema_text = orjson.dumps(db.schema.to_json()).decode()
        row: dict[str, Any] = {"name": name, "model": model, "connected": True, "leader": True,
                               "schema": schema_text}
        if model == "clustered":
            st.last_txn_id = db.last_txn_id or ZERO_UUID
            row.update(cid=["uuid", log.cid], sid=["uuid", log.sid], index=log.applied_index)
            self.on_commit.append(self._clustered_hook(st))
        res = self._server_db.db.transact(
            [{"op": "insert", "table": "Database", "row": row}],
            read_only=False, now_ms=now_ms(), started_ms=now_ms())
        st.row_uuid = res.results[0]["uuid"][1]
        self._commit(self._server_db, res.changes)
        return st

    # --- clustered databases (pyovn.ovsdb.raftlog): _Server.Database.index follows the log ----
    def _clustered_hook(self, st: DbState) -> Callable[[DbState, Any], None]:
        pending = [False]

        def update_index() -> None:
            pending[0] = False
            res = self._server_db.db.transact(
                [{"op": "update", "table": "Database",
                  "where": [["_uuid", "==", ["uuid", st.row_uuid]]],
                  "row": {"index": st.log.applied_index}}],
                read_only=False, now_ms=now_ms(), started_ms=now_ms())
            if res.changes:
                self._commit(self._server_db, res.changes)

        def on_commit(committed: DbState, changes: Any) -> None:
            if committed is st and not pending[0]:
                pending[0] = True  # once per event-loop pass, as ovsdb-server's main loop does
                asyncio.get_event_loop().call_soon(update_index)

        return on_commit

    # --- transactions ---------------------------------------------------------------------------
    def run_txn(self, st: DbState, session: Session, id_: Any, ops: list,
                started_ms: float) -> bool:
        """Execute a transaction and reply; False if it is blocked on a ``wait``."""
        read_only = st.read_only or session.read_only
        locks = (frozenset(n for n, owned in session.locks.items() if owned) if session.locks
                 else _NO_LOCKS)
        res = st.db.transact(ops, read_only=read_only, locks=locks,
                             now_ms=now_ms(), started_ms=started_ms,
                             role=session.role, client=session.peer_id)
        if res.blocked:
            return False
        if res.changes:
            self._commit(st, res.changes, comment=res.comment)
        self.outbox_send(session, orjson.dumps({"result": res.results, "error": None, "id": id_}))
        return True

    def _commit(self, st: DbState, changes: Any, comment: str | None = None) -> None:
        db = st.db
        db.commit(changes)
        self._seq += 1
        if st.keep_history:
            txn_id = st.last_txn_id = db.last_txn_id or ZERO_UUID
        else:
            txn_id = ZERO_UUID
        st.txns_since_compact += 1
        lg = st.log
        record = None
        if lg is not None:
            record = db.record_of(changes, comment=comment, date_ms=int(time.time() * 1000))
        if record is not None:
            if type(lg) is storage.Log:
                # Written with the others of this pass in one system call, before any reply
                # leaves (flush_logs): each write reaches the kernel before its reply.
                # Compaction is considered there too, once per pass.
                pending = self._pending_records.get(st)
                if pending is None:
                    if not self._pending_records and not self.receiving:
                        # (data_received flushes when it is done; elsewhere, e.g. a waiting
                        # transaction run by a timer, the end of the pass does)
                        asyncio.get_running_loop().call_soon(self.flush_logs)
                    self._pending_records[st] = [record]
                else:
                    pending.append(record)
            else:
                lg.append(record, txn_id=db.last_txn_id)
            if self.fsync:
                self._dirty_logs.add(lg)
                self._kick_fsync()
            else:
                self._durable = self._seq
        elif not self._outbox and self._durable == self._seq - 1:
            self._durable = self._seq
        if st.monitors:
            self._notify_monitors(st, changes, txn_id)
        for hook in self.on_commit:
            hook(st, changes)
        if st.waiters:
            asyncio.get_event_loop().call_soon(self._rerun_waiters, st)
        if record is not None and type(lg) is not storage.Log:
            self._maybe_compact(st)

    def _notify_monitors(self, st: DbState, changes: Any, txn_id: str) -> None:
        """Send each monitor that the change concerns its update (``MonitorSet.updates``: made once
        per view, serialised once per distinct update; only the envelope is per monitor)."""
        send = self.outbox_send
        for blob, mons in st.monitors.updates(changes, st.db.set_diff_hints(changes)):
            for mon in mons:
                send(mon.session, mon.notification_bytes(blob, txn_id))

    def _rerun_waiters(self, st: DbState) -> None:
        for p in list(st.waiters):
            if p.session.closed:
                st.waiters.remove(p)
                continue
            if self.run_txn(st, p.session, p.id, p.ops, p.started_ms):
                st.waiters.remove(p)
                self._cancel_timer(p)

    def schedule_wait_timer(self, st: DbState, p: PendingTxn) -> None:
        deadline = None
        for op in p.ops:
            if isinstance(op, dict) and op.get("op") == "wait" and isinstance(op.get("timeout"), (int, float)):
                t = p.started_ms + op["timeout"]
                deadline = t if deadline is None else min(deadline, t)
        if deadline is None:
            return
        loop = asyncio.get_event_loop()
        delay = max(0.0, (deadline - now_ms()) / 1000.0) + 0.001
        self._timers[id(p)] = loop.call_later(delay, self._wait_timeout, st, p)

    def _wait_timeout(self, st: DbState, p: PendingTxn) -> None:
        self._timers.pop(id(p), None)
        if p in st.waiters and self.run_txn(st, p.session, p.id, p.ops, p.started_ms):
            st.waiters.remove(p)

    def _cancel_timer(self, p: PendingTxn) -> None:
        h = self._timers.pop(id(p), None)
        if h:
            h.cancel()

    # --- ordered output and group commit --------------------------------------------------------
    def pending_output(self, session: Session) -> None:
        if not self._flush_scheduled:
            self._flush_scheduled = True
            asyncio.get_running_loop().call_soon(self._flush_output)
        self._output_sessions.append(session)

    def _flush_output(self) -> None:
        self._flush_scheduled = False
        sessions, self._output_sessions = self._output_sessions, []
        for s in sessions:
            s.flush_output()

    def outbox_send(self, session: Session, data: bytes) -> None:
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
        for st, records in pending.items():
            lg = st.log
            try:
                lg.append_records(records)
            except storage.StorageError as e:
                log.error("%s: %d transaction(s) not written: %s", lg.path, len(records), e)
        for st in pending:
            self._maybe_compact(st)

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
    def _maybe_compact(self, st: DbState) -> None:
        if st.schedule is None:
            st.schedule = storage.CompactionSchedule.start(time.monotonic() * 1000)
        now = time.monotonic() * 1000
        if now < st.schedule.next_min_ms:
            return  # what should_compact would say, without gathering its arguments
        lg = st.log
        if storage.should_compact(st.schedule, now,
                                  n_records=lg.n_read + lg.n_written, size=lg.offset, base=lg.base):
            try:
                self.compact(st)
            except storage.StorageError as e:
                log.warning("%s: compaction failed: %s", st.path, e)
                st.schedule.reschedule(time.monotonic() * 1000, quick=True)

    def compact(self, st: DbState) -> str:
        if st.log is None:
            return f"{st.name}: cannot compact an in-memory database"
        self.flush_logs()
        st.log.replace([st.db.schema.to_json(), st.db.snapshot_record()])
        st.txns_since_compact = 0
        st.last_compact_ms = now_ms()
        if st.schedule is not None:
            st.schedule.reschedule(time.monotonic() * 1000)
        log.info("%s: compacted database %s", st.path, st.name)
        return ""

    # --- locks ----------------------------------------------------------------------------------
    def locks_request(self, s: Session, name: str, *, steal: bool) -> bool:
        owner = self.lock_owners.get(name)
        if owner is s:
            return True
        if name in s.locks and not steal:
            raise RequestError(_error("duplicate lock", f"lock {name} already requested"))
        if owner is None or steal:
            if owner is not None:
                owner.locks[name] = False
                owner.send({"method": "stolen", "params": [name], "id": None})
                self.lock_waiters.setdefault(name, []).insert(0, owner)
            self.lock_owners[name] = s
            s.locks[name] = True
            waiters = self.lock_waiters.get(name)
            if waiters and s in waiters:
                waiters.remove(s)
            return True
        s.locks[name] = False
        self.lock_waiters.setdefault(name, []).append(s)
        return False

    def locks_release(self, s: Session, name: str) -> None:
        s.locks.pop(name, None)
        waiters = self.lock_waiters.get(name, [])
        if s in waiters:
            waiters.remove(s)
        if self.lock_owners.get(name) is s:
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
    def session_closed(self, s: Session) -> None:
        self.sessions.discard(s)
        for mon in s.monitors.values():
            mon.dbstate.monitors.discard(mon)
        s.monitors.clear()
        for name in list(s.locks):
            self.locks_release(s, name)
        for st in self.dbs.values():
            st.waiters = [p for p in st.waiters if p.session is not s]

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
                lambda: Session(self, 0, read_only or self.read_only, role), path=path)
        elif kind in ("ptcp", "pssl"):
            port_s, _, ip = rest.partition(":")
            ip = ip.strip("[]") or "0.0.0.0"
            if port_s and not port_s.isdigit():
                raise ValueError(f"{target}: bad port number")

            def make() -> Session:
                return Session(self, 5000, read_only or self.read_only, role)

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
            st = self.dbs.get(dbname)
            if st is None or table not in st.db.tables:
                continue
            tschema = st.db.schema.tables[table]
            if column not in tschema.columns:
                continue
            ref = getattr(tschema.columns[column].type.key, "ref_table", None)
            for row in st.db.tables[table].rows.values():
                value = row[column]
                values = value if isinstance(value, SET_TYPES) else [value]
                for v in values:
                    if ref:
                        target_row = st.db.tables[ref].rows.get(v)
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
        for s in list(self.sessions):
            s.close()
        self.flush_logs()
        await self.flush()
        for st in self.dbs.values():
            if st.log is not None:
                _sync_all([st.log])
                st.log.close()


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
    for lg in logs:
        lg.commit(durable=True)
