"""One blocking JSON-RPC session to an OVSDB server, for ovsdb-client's one-shot commands.

:func:`open_session` connects to ``unix:PATH``, ``tcp:HOST:PORT`` or ``ssl:HOST:PORT`` (the
first reachable of a comma-separated list; :mod:`pyovn.ovsdb.stream`) with the real tool's error
text. :meth:`RpcSession.call` sends a request and returns its reply message, answering ``echo`` and
queueing notifications that arrive meanwhile; :meth:`RpcSession.next_notification` returns them one
by one (blocking), for ``monitor`` and ``lock``.
"""

from __future__ import annotations

import errno
import os
import socket
from typing import Any

from pyovn.ovsdb.jsonrpc import Framer, encode, is_request
from pyovn.ovsdb.stream import close_socket, error_code, parse_remote

__all__ = ["RpcError", "RpcSession", "open_session"]


class RpcError(Exception):
    """A connection problem; ``str()`` is the text after ``ovsdb-client: ``."""


def _connect(remote: str) -> socket.socket:
    try:
        target = parse_remote(remote)
    except ValueError:
        kind = remote.partition(":")[0]
        code = errno.EINVAL if kind in ("unix", "tcp", "ssl") else errno.EAFNOSUPPORT
        raise OSError(code, os.strerror(code)) from None
    return target.connect()


def open_session(remotes: str) -> RpcSession:
    """Connect to the first reachable remote of ``remotes``."""
    first: OSError | None = None
    for remote in remotes.split(","):
        try:
            return RpcSession(_connect(remote.strip()))
        except OSError as exc:
            first = first or exc
    code = (first.errno if first else None) or errno.EIO
    raise RpcError(f'failed to connect to "{remotes}" ({os.strerror(code)})')


class RpcSession:
    """A connected JSON-RPC peer with request ids and a queue of notifications."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.framer = Framer()
        self.inbox: list[Any] = []
        self.notifications: list[dict[str, Any]] = []
        self.next_id = 0

    def send(self, msg: Any) -> None:
        try:
            self.sock.sendall(encode(msg))
        except OSError as exc:
            raise RpcError(f"transaction failed ({os.strerror(error_code(exc))})") from None

    def _recv(self) -> Any:
        while not self.inbox:
            try:
                data = self.sock.recv(1 << 16)
            except OSError as exc:
                raise RpcError(f"connection failed ({os.strerror(error_code(exc))})") from None
            if not data:
                raise RpcError("connection closed by server")
            self.inbox.extend(self.framer.feed(data))
        return self.inbox.pop(0)

    def _handle(self, msg: dict[str, Any]) -> None:
        if msg.get("method") == "echo" and msg.get("id") is not None:
            self.send({"result": msg.get("params"), "error": None, "id": msg["id"]})
        elif msg.get("id") is None:
            self.notifications.append(msg)

    def call(self, method: str, params: Any) -> dict[str, Any]:
        """Send a request; return the whole reply message (``result``/``error``)."""
        self.next_id += 1
        rid = self.next_id
        self.send({"method": method, "params": params, "id": rid})
        while True:
            msg = self._recv()
            if is_request(msg):
                self._handle(msg)
            elif msg.get("id") == rid:
                return dict(msg)

    def next_notification(self) -> dict[str, Any]:
        """Block until the server sends a notification (echo requests are answered)."""
        while not self.notifications:
            msg = self._recv()
            if is_request(msg):
                self._handle(msg)
        return self.notifications.pop(0)

    def close(self) -> None:
        close_socket(self.sock)
