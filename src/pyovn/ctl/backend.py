"""How a ctl tool talks to its database: a small interface and a blocking-socket implementation.

ctl tools are one-shot: connect, get the schema, take a replica of the rows, run the commands,
send one transaction. :class:`Backend` is all they need; :class:`SocketBackend` implements it over
:mod:`pyovn.ovsdb.jsonrpc` with a blocking socket (``unix:PATH``, ``tcp:IP:PORT``,
``ssl:IP:PORT``, opened by :mod:`pyovn.ovsdb.stream`). The replica
comes from one ``monitor`` request over every table; the monitor stays open so that
:meth:`Backend.wait_update` can block until the database changes (``wait-until``, and ovs-vsctl
waiting for ``cur_cfg``) and fold the update into the replica. This is deliberately small, so it
can be swapped for the shared asyncio client later. Like the real tools, :func:`connect` is
leader-only by default for clustered databases (checked through ``_Server``), moving on to the
next remote of a comma-separated list.
"""

from __future__ import annotations

import errno
import os
import socket
import sys
import time
from typing import Any, Protocol

from pyovn.ovsdb.data import datum_from_json_unchecked
from pyovn.ovsdb.jsonrpc import Framer, encode, is_request
from pyovn.ovsdb.schema import DatabaseSchema
from pyovn.ovsdb.stream import SslConfigError, close_socket, error_code, parse_remote

__all__ = ["Backend", "BackendError", "SocketBackend", "connect"]

Rows = dict[str, dict[str, dict[str, Any]]]


class BackendError(Exception):
    """The connection failed or broke; ``str()`` is the text after ``<prog>: ``."""


class RpcError(BackendError):
    """The server answered a request with an error."""

    def __init__(self, error: Any) -> None:
        self.error = error
        super().__init__(str(error))


class Backend(Protocol):
    def get_schema(self) -> DatabaseSchema: ...

    def monitor(self) -> Rows:
        """Start monitoring every table; return the replica (canonical values)."""
        ...

    def wait_update(self, deadline: float | None) -> bool:
        """Block until the replica changes (True) or ``deadline`` (monotonic) passes."""
        ...

    def transact(self, ops: list[Any]) -> list[Any]: ...

    def close(self) -> None: ...


def _open_socket(remote: str, timeout: float | None) -> socket.socket:
    try:
        target = parse_remote(remote)
    except ValueError:
        kind = remote.partition(":")[0]
        code = errno.EINVAL if kind in ("unix", "tcp", "ssl") else errno.EAFNOSUPPORT
        raise BackendError(f"{remote}: database connection failed ({os.strerror(code)})") \
            from None
    try:
        return target.connect(timeout)
    except OSError as exc:
        code = exc.errno or errno.EIO
        if isinstance(exc, SslConfigError):
            # OVS logs the configuration problem; the tool reports the failed connection
            sys.stderr.write(f"{exc}\n")
        raise BackendError(f"{remote}: database connection failed ({os.strerror(code)})") \
            from None


def connect(remotes: str, db: str, timeout: float | None = None, *,
            leader_only: bool = False) -> SocketBackend:
    """Connect to the first reachable of the comma-separated ``remotes``.

    With ``leader_only`` (what the real tools do unless given ``--no-leader-only``), a server
    whose copy of a clustered ``db`` is not the cluster's leader (or not connected to the
    cluster) is passed over like an unreachable one: its reads may be stale. When no remote
    will do, the error is the real tools' "database connection failed ()".
    """
    error: tuple[str, BackendError] | None = None
    not_leader: tuple[str, BackendError] | None = None
    for remote in (r.strip() for r in remotes.split(",")):
        try:
            backend = SocketBackend(_open_socket(remote, timeout), db)
        except BackendError as exc:
            error = error or (remote, exc)
            continue
        try:
            ok = not leader_only or backend.serves_as_leader()
        except (BackendError, OSError):
            ok = False
        if ok:
            return backend
        backend.close()
        not_leader = not_leader or (remote, BackendError(f"{remote}: database connection failed ()"))
    # A failed connection's errno wins over "not the leader" (no errno: "()"), as in OVS; the
    # message names the whole list when there are several remotes.
    failed = error or not_leader
    if failed is None:
        raise BackendError(f"{remotes}: database connection failed")
    remote, first = failed
    if "," in remotes:
        raise BackendError(str(first).replace(remote, remotes, 1))
    raise first


class SocketBackend:
    """One blocking JSON-RPC session to an OVSDB server, for one database."""

    def __init__(self, sock: socket.socket, db: str) -> None:
        self.sock = sock
        self.db = db
        self.framer = Framer()
        self.pending: list[Any] = []
        self.next_id = 0
        self.schema: DatabaseSchema | None = None
        self.rows: Rows = {}
        self._monitor_id: str | None = None

    # -- raw I/O ---------------------------------------------------------------------------------
    def _send(self, msg: Any) -> None:
        try:
            self.sock.sendall(encode(msg))
        except OSError as exc:
            raise BackendError(f"database connection failed "
                               f"({os.strerror(error_code(exc))})") from None

    def _recv_one(self, deadline: float | None) -> Any:
        while not self.pending:
            if deadline is not None:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError
                self.sock.settimeout(left)
            else:
                self.sock.settimeout(None)
            try:
                data = self.sock.recv(1 << 16)
            except TimeoutError:
                raise TimeoutError from None
            except OSError as exc:
                raise BackendError(f"database connection failed "
                                   f"({os.strerror(error_code(exc))})") from None
            if not data:
                raise BackendError("database connection closed")
            self.pending.extend(self.framer.feed(data))
        return self.pending.pop(0)

    def _handle_request(self, msg: dict[str, Any]) -> None:
        method = msg.get("method")
        if method == "echo" and msg.get("id") is not None:
            self._send({"result": msg.get("params"), "error": None, "id": msg["id"]})
        elif method == "update" and self._monitor_id is not None:
            params = msg.get("params") or []
            if len(params) == 2 and params[0] == self._monitor_id:
                self._apply(params[1])

    def call(self, method: str, params: Any) -> Any:
        self.next_id += 1
        rid = self.next_id
        self._send({"method": method, "params": params, "id": rid})
        while True:
            msg = self._recv_one(None)
            if is_request(msg):
                self._handle_request(msg)
                continue
            if msg.get("id") != rid:
                continue
            if msg.get("error") is not None:
                raise RpcError(msg["error"])
            return msg.get("result")

    def serves_as_leader(self) -> bool:
        """False when the server's copy of our database is a clustered one that is not the
        leader or not connected to its cluster (``_Server``'s ``Database`` row), or a relay;
        True for standalone databases and servers without ``_Server``."""
        try:
            result = self.call("transact", ["_Server", {
                "op": "select", "table": "Database", "where": [["name", "==", self.db]],
                "columns": ["model", "connected", "leader"]}])
        except RpcError:
            return True  # no _Server database: nothing to check
        rows = (result or [{}])[0].get("rows") if isinstance(result, list) else None
        if not rows:
            return True  # the server does not host it: get_schema reports that
        row = rows[0]
        if row.get("model") == "clustered":
            return row.get("connected") is True and row.get("leader") is True
        return row.get("model") != "relay"

    # -- Backend ---------------------------------------------------------------------------------
    def get_schema(self) -> DatabaseSchema:
        if self.schema is None:
            try:
                self.schema = DatabaseSchema.from_json(self.call("get_schema", [self.db]))
            except RpcError as exc:
                raise BackendError(f'database "{self.db}" not found: {exc.error}') from None
        return self.schema

    def monitor(self) -> Rows:
        schema = self.get_schema()
        self._monitor_id = "ctl"
        self.rows = {t: {} for t in schema.tables}
        result = self.call("monitor", [self.db, self._monitor_id,
                                       {t: {} for t in schema.tables}])
        self._apply(result)
        return self.rows

    def _apply(self, updates: Any) -> None:
        schema = self.get_schema()
        for table, rows in (updates or {}).items():
            ts = schema.tables.get(table)
            if ts is None:
                continue
            current = self.rows.setdefault(table, {})
            for uuid, change in rows.items():
                new = change.get("new")
                if new is None:
                    current.pop(uuid, None)
                    continue
                old = current.get(uuid)
                row = dict(old) if old is not None else {
                    n: c.type.default() for n, c in ts.user_columns.items()}
                row["_uuid"] = uuid
                for col, value in new.items():
                    cs = ts.columns.get(col)
                    if cs is not None and col not in ("_uuid", "_version"):
                        row[col] = datum_from_json_unchecked(cs.type, value)
                current[uuid] = row

    def wait_update(self, deadline: float | None) -> bool:
        while True:
            try:
                msg = self._recv_one(deadline)
            except TimeoutError:
                return False
            if is_request(msg):
                self._handle_request(msg)
                if msg.get("method") == "update":
                    return True

    def transact(self, ops: list[Any]) -> list[Any]:
        result = self.call("transact", [self.db, *ops])
        return list(result or [])

    def close(self) -> None:
        close_socket(self.sock)
