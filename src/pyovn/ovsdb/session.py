"""The server's side of one client connection: a JSON-RPC session and its method dispatch.

``ServerSession`` is an asyncio protocol: bytes are framed and each request handled in
``data_received`` itself; replies and notifications go through the server's ordered outbox
(``OvsdbServer.outbox_send``) and leave in one write per pass of the event loop (with the
output backlog limit and the inactivity probe).  ``METHODS`` maps each RFC 7047 / ovsdb-server
method to its handler ``(session, params, id) -> result``; a handler raises ``RequestError``
for an error reply, returns ``_DEFERRED`` when it replies itself (or later: a transaction
blocked on a ``wait``).  What a method does to the served databases — transactions and their
commit, blocked waits, locks, monitors' registry — is the server's (:mod:`pyovn.ovsdb.server`).
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import orjson

from pyovn.ovsdb import errors
from pyovn.ovsdb.jsonrpc import Framer, FramingError
from pyovn.ovsdb.monitor import Monitor, MonitorRequestError, merge_changes
from pyovn.ovsdb.stream import peer_common_name
from pyovn.ovsdb.types import ZERO_UUID
from pyovn.util.vlog import get_logger

if TYPE_CHECKING:
    from pyovn.ovsdb.server import DbState, OvsdbServer

__all__ = ["METHODS", "RequestError", "ServerSession", "error_json", "now_ms"]

log = get_logger("ovsdb_server")


def now_ms() -> float:
    return time.monotonic() * 1000.0


def error_json(kind: str, details: str | None = None) -> dict[str, Any]:
    e: dict[str, Any] = {"error": kind}
    if details is not None:
        e["details"] = details
    return e


class RequestError(Exception):
    """A request that gets an error reply (the error object is the JSON-RPC ``error``)."""

    def __init__(self, error: Any):
        super().__init__(str(error))
        self.error = error


class ServerSession(asyncio.Protocol):
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
            self.send({"result": None, "error": error_json("syntax error", str(e)), "id": None})
            self.close()
            return
        # Output produced while handling these messages is written once, right after them,
        # rather than from a callback at the end of the loop pass (one callback less per
        # request); output for this session produced elsewhere still goes that way.
        server = self.server
        self._receiving = server.receiving = True
        try:
            for msg in msgs:
                if self.closed:
                    break
                self.handle(msg)
        finally:
            self._receiving = server.receiving = False
            if self._wbuf:
                self.flush_output()
            if server._pending_records:
                server.flush_logs()    # e.g. transactions with no reply ("id": null), a closed session

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
            self.send({"result": None, "error": error_json("syntax error", "message is not an object"), "id": None})
            return
        method = msg.get("method")
        id_ = msg.get("id")
        if method is None:
            # A response: the only requests we send are echo probes.
            return
        params = msg.get("params")
        if not isinstance(method, str) or not isinstance(params, list):
            self.send({"result": None,
                       "error": error_json("syntax error", "request has wrong \"method\" or \"params\""),
                       "id": id_})
            return
        handler = METHODS.get(method)
        if handler is None:
            if id_ is not None:
                self.send({"result": None, "error": error_json("unknown method", f"unknown method {method}"), "id": id_})
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
            self.send({"result": None, "error": error_json("internal error", f"{type(e).__name__}: {e}"), "id": id_})
            return
        if result is not _DEFERRED and id_ is not None:
            self.send({"result": result, "error": None, "id": id_})


_DEFERRED = object()


# --- method handlers ----------------------------------------------------------------------------

def _db(session: ServerSession, name: Any, method: str) -> DbState:
    dbstate = session.server.dbs.get(name) if isinstance(name, str) else None
    if dbstate is None:
        raise RequestError(error_json("unknown database", f"{method} request specifies unknown database {name}"))
    return dbstate


def m_list_dbs(session: ServerSession, params: list, id_: Any) -> Any:
    return list(session.server.dbs)


def m_get_schema(session: ServerSession, params: list, id_: Any) -> Any:
    # As ovsdb-server: the params begin with the database name, and whatever follows is
    # ignored. python-ovs sends ["_Server", <its monitor id>]; refusing that made it give up
    # on _Server and fall back to "monitor", whose updates carry whole rows.
    name = params[0] if params else None
    if not isinstance(name, str):
        err = error_json("syntax error", "get_schema request params must begin with <db-name>")
        err["syntax"] = orjson.dumps(params).decode()
        raise RequestError(err)
    dbstate = session.server.dbs.get(name)
    if dbstate is None:
        err = error_json("unknown database", f"get_schema request specifies unknown database {name}")
        err["syntax"] = orjson.dumps(params).decode()
        raise RequestError(err)
    return dbstate.db.schema.to_json()


def m_echo(session: ServerSession, params: list, id_: Any) -> Any:
    return params


def m_get_server_id(session: ServerSession, params: list, id_: Any) -> Any:
    return session.server.server_id


def m_set_db_change_aware(session: ServerSession, params: list, id_: Any) -> Any:
    if len(params) != 1 or not isinstance(params[0], bool):
        raise RequestError(error_json("syntax error", "set_db_change_aware takes one boolean parameter"))
    session.db_change_aware = params[0]
    return {}


def m_transact(session: ServerSession, params: list, id_: Any) -> Any:
    if not params:
        raise RequestError(error_json("syntax error", "transact request has no database name"))
    dbstate = _db(session, params[0], "transact")
    session.server.submit_txn(dbstate, session, id_, params[1:])
    return _DEFERRED


def m_cancel(session: ServerSession, params: list, id_: Any) -> Any:
    if len(params) != 1:
        raise RequestError(error_json("syntax error", "cancel takes one parameter"))
    session.server.cancel_txn(session, params[0])
    return _DEFERRED  # cancel has no reply of its own (RFC 7047 4.1.4)


def _monitor_common(session: ServerSession, params: list, version: int, method: str) -> tuple[DbState, str, Monitor]:
    if len(params) < 3:
        raise RequestError(error_json("syntax error", f"{method} request has too few parameters"))
    dbstate = _db(session, params[0], method)
    key = orjson.dumps(params[1]).decode()
    if key in session.monitors:
        raise RequestError(error_json("duplicate monitor ID", f"duplicate monitor ID {key}"))
    try:
        mon = Monitor(dbstate.db, params[1], params[2], version)
    except MonitorRequestError as e:
        raise RequestError(e.to_json()) from None
    except errors.OvsdbError as e:
        raise RequestError(e.to_json()) from None
    return dbstate, key, mon


def _attach(session: ServerSession, dbstate: DbState, key: str, mon: Monitor) -> None:
    mon.session = session
    mon.dbstate = dbstate
    session.monitors[key] = mon
    dbstate.monitors.add(mon)


def m_monitor(session: ServerSession, params: list, id_: Any) -> Any:
    dbstate, key, mon = _monitor_common(session, params, 1, "monitor")
    _attach(session, dbstate, key, mon)
    return mon.initial()


def m_monitor_cond(session: ServerSession, params: list, id_: Any) -> Any:
    dbstate, key, mon = _monitor_common(session, params, 2, "monitor_cond")
    _attach(session, dbstate, key, mon)
    return mon.initial()


def m_monitor_cond_since(session: ServerSession, params: list, id_: Any) -> Any:
    dbstate, key, mon = _monitor_common(session, params, 3, "monitor_cond_since")
    last = params[3] if len(params) > 3 else ZERO_UUID
    _attach(session, dbstate, key, mon)
    if isinstance(last, str) and last != ZERO_UUID and dbstate.keep_history:
        # The client saw transaction ``last``: send only what came after it, if we still know.
        after = dbstate.db.changes_since(last)
        if after is not None:
            return [True, dbstate.last_txn_id, mon.changes_to_json(merge_changes(after)) or {}]
    return [False, dbstate.last_txn_id, mon.initial()]


def m_monitor_cond_change(session: ServerSession, params: list, id_: Any) -> Any:
    if len(params) != 3:
        raise RequestError(error_json("syntax error", "monitor_cond_change takes three parameters"))
    old_key = orjson.dumps(params[0]).decode()
    new_key = orjson.dumps(params[1]).decode()
    mon = session.monitors.get(old_key)
    if mon is None:
        raise RequestError(error_json("unknown monitor", f"unknown monitor session {old_key}"))
    if new_key != old_key and new_key in session.monitors:
        raise RequestError(error_json("duplicate monitor ID", f"duplicate monitor ID {new_key}"))
    try:
        update = mon.change_condition(params[2])
    except MonitorRequestError as e:
        raise RequestError(e.to_json()) from None
    except errors.OvsdbError as e:
        raise RequestError(e.to_json()) from None
    if new_key != old_key:
        del session.monitors[old_key]
        session.monitors[new_key] = mon
        mon.monitor_id = params[1]
    # The reply first, then the rows that now match or stop matching.
    session.send({"result": {}, "error": None, "id": id_})
    if update:
        session.send(mon.notification(update, session.server.dbs[mon.dbstate.name].last_txn_id))
    return _DEFERRED


def m_monitor_cancel(session: ServerSession, params: list, id_: Any) -> Any:
    if len(params) != 1:
        raise RequestError(error_json("syntax error", "monitor_cancel takes one parameter"))
    key = orjson.dumps(params[0]).decode()
    mon = session.monitors.pop(key, None)
    if mon is None:
        raise RequestError(error_json("unknown monitor", f"unknown monitor {key}"))
    mon.dbstate.monitors.discard(mon)
    return {}


def _lock_name(params: list, method: str) -> str:
    if len(params) != 1 or not isinstance(params[0], str):
        raise RequestError(error_json("syntax error", f"{method} request must have one string parameter"))
    return params[0]


def m_lock(session: ServerSession, params: list, id_: Any) -> Any:
    name = _lock_name(params, "lock")
    return {"locked": session.server.locks_request(session, name, steal=False)}


def m_steal(session: ServerSession, params: list, id_: Any) -> Any:
    name = _lock_name(params, "steal")
    return {"locked": session.server.locks_request(session, name, steal=True)}


def m_unlock(session: ServerSession, params: list, id_: Any) -> Any:
    name = _lock_name(params, "unlock")
    if name not in session.locks:
        raise RequestError(error_json("not locked", f"unlock of lock {name} not held"))
    session.server.locks_release(session, name)
    return {}


METHODS: dict[str, Callable[[ServerSession, list, Any], Any]] = {
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
