"""JSON-RPC sessions for OVSDB clients: one live stream, and a reconnecting connection over it.

How it works:

* :func:`parse_remotes` turns an OVS-style remote list (``"unix:/run/nb.sock,ssl:10.0.0.1:6641"``)
  into :class:`Remote` values; :meth:`Remote.open` opens an asyncio stream to one of them (both
  from :mod:`pyovn.ovsdb.stream`, which also holds the process's SSL configuration).
* :class:`Session` owns one open stream. A reader task feeds bytes to the framer of
  :mod:`pyovn.ovsdb.jsonrpc` and handles each message *synchronously, in arrival order*: a response
  resolves the future of the request with the same id; the server's ``echo`` request is answered at
  once; a notification is passed to the session's handler. Handling notifications synchronously is
  what lets a caller rely on OVSDB's ordering promise ("updates are sent before the transact reply"):
  by the time a reply's future is resolved, the updates before it have been applied.
* Inactivity probe, both ways: the server's echoes are answered; when nothing has arrived for
  ``probe_interval`` seconds the session sends its own ``echo``, and when still nothing has arrived
  after another interval it closes the stream (the peer is dead or wedged). ``probe_interval=None``
  (the default) means the remote's own default, as OVS's streams decide it: 5 s over tcp and
  ssl, no probe over a unix socket, whose peer's death the kernel reports at once (a probe there
  only cuts off a server that is busy with a large transaction).
* :class:`Connection` keeps a session up: it tries the remotes in turn, runs the caller's
  ``on_session`` coroutine on each new session (get the schema, check leadership, start monitors),
  waits for the session to end, and tries again with exponential backoff (reset after a session
  that came up successfully). ``on_session`` raising :class:`TryAnotherRemote` moves on to the next
  remote at once (used by leader-only connections).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any

from pyovn.ovsdb import jsonrpc
from pyovn.ovsdb.stream import Remote, parse_remote, parse_remotes

__all__ = [
    "Connection",
    "ConnectionClosed",
    "Remote",
    "RpcError",
    "Session",
    "TryAnotherRemote",
    "parse_remote",
    "parse_remotes",
]

log = logging.getLogger(__name__)

DEFAULT_PROBE_INTERVAL = 5.0  # seconds, ovsdb-server's and the OVS IDL's default


def default_probe_interval(remote: Remote | None) -> float:
    """OVS's default for a remote: probes over tcp and ssl, none over a unix socket."""
    return 0.0 if remote is not None and remote.kind == "unix" else DEFAULT_PROBE_INTERVAL
_READ_CHUNK = 256 * 1024


class RpcError(Exception):
    """The server answered a request with an error object; ``error`` is that object as received."""

    def __init__(self, method: str, error: Any):
        self.method = method
        self.error = error
        if isinstance(error, dict):
            text = error.get("error", "")
            details = error.get("details")
            msg = f"{method}: {text}" + (f" ({details})" if details else "")
        else:
            msg = f"{method}: {error!r}"
        super().__init__(msg)

    @property
    def kind(self) -> str:
        """The error string (``"unknown method"``, ``"unknown database"`` …), or ``""``."""
        if isinstance(self.error, dict):
            return str(self.error.get("error", ""))
        return str(self.error) if isinstance(self.error, str) else ""


class ConnectionClosed(Exception):
    """The session ended (or was never up) before the request could be answered."""


class TryAnotherRemote(Exception):
    """Raised by ``on_session`` to drop this session and try the next remote without delay."""


NotificationHandler = Callable[[str, Any], None]
ReplyHook = Callable[[Any], Any]


class Session:
    """One open JSON-RPC stream to an OVSDB server.

    ``handler(method, params)`` receives notifications (and requests other than ``echo``, which
    are answered with an error after the handler ran). It runs in the reader task, in order.
    """

    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        *,
        remote: Remote | None = None,
        handler: NotificationHandler | None = None,
        probe_interval: float | None = None,
    ):
        self.remote = remote
        self.handler = handler
        if probe_interval is None:
            probe_interval = default_probe_interval(remote)
        self.probe_interval = probe_interval
        self._reader = reader
        self._writer = writer
        self._framer = jsonrpc.Framer()
        self._pending: dict[int, tuple[str, asyncio.Future[Any], ReplyHook | None]] = {}
        self._ids = itertools.count(1)
        self._last_rx = time.monotonic()
        self._closed = asyncio.get_running_loop().create_future()
        self._reader_task = asyncio.create_task(self._read_loop(), name=f"ovsdb-rx {remote}")
        self._probe_task: asyncio.Task[None] | None = None
        if probe_interval > 0:
            self._probe_task = asyncio.create_task(self._probe_loop(), name=f"ovsdb-probe {remote}")

    def set_probe_interval(self, probe_interval: float | None) -> None:
        """Change the probe interval of this live session (None: the remote's default)."""
        if probe_interval is None:
            probe_interval = default_probe_interval(self.remote)
        self.probe_interval = probe_interval
        task, self._probe_task = self._probe_task, None
        if task is not None:
            task.cancel()
        if probe_interval > 0 and not self.is_closed:
            self._probe_task = asyncio.create_task(self._probe_loop(),
                                                   name=f"ovsdb-probe {self.remote}")

    @classmethod
    async def open(
        cls,
        remote: Remote,
        *,
        handler: NotificationHandler | None = None,
        probe_interval: float | None = None,
    ) -> Session:
        reader, writer = await remote.open()
        return cls(reader, writer, remote=remote, handler=handler, probe_interval=probe_interval)

    # --- sending ------------------------------------------------------------------------------

    @property
    def is_closed(self) -> bool:
        return self._closed.done()

    def send_request(
        self, method: str, params: Any, on_reply: ReplyHook | None = None
    ) -> asyncio.Future[Any]:
        """Send a request now; the returned future gets its result (or RpcError/ConnectionClosed).

        Sending synchronously (not in a coroutine) fixes the order of requests on the wire to the
        order of calls, which monitor_cond_change and transact ordering rely on. ``on_reply``
        runs in the reader, in stream order, on a successful result before the future resolves
        (a monitor reply must be applied before the notifications that follow it); what it
        returns becomes the future's result, what it raises the future's exception.
        """
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        if self.is_closed:
            fut.set_exception(ConnectionClosed(f"session to {self.remote} is closed"))
            return fut
        rid = next(self._ids)
        self._pending[rid] = (method, fut, on_reply)
        self._write(jsonrpc.request(method, params, rid))
        return fut

    async def request(
        self,
        method: str,
        params: Any,
        timeout: float | None = None,
        on_reply: ReplyHook | None = None,
    ) -> Any:
        """Send a request and wait for its result; raises RpcError or ConnectionClosed."""
        fut = self.send_request(method, params, on_reply)
        if timeout is None:
            return await fut
        return await asyncio.wait_for(fut, timeout)

    def notify(self, method: str, params: Any) -> None:
        if not self.is_closed:
            self._write(jsonrpc.notification(method, params))

    def _write(self, msg: Any) -> None:
        try:
            self._writer.write(jsonrpc.encode(msg))
        except (ConnectionError, RuntimeError) as e:
            self._shutdown(e)

    # --- lifecycle ----------------------------------------------------------------------------

    async def wait_closed(self) -> BaseException | None:
        """Wait until the session ends; returns the reason (None for a clean close)."""
        return await asyncio.shield(self._closed)

    async def close(self) -> None:
        self._shutdown(None)
        for task in (self._reader_task, self._probe_task):
            if task is not None and task is not asyncio.current_task():
                task.cancel()
                with contextlib.suppress(BaseException):
                    await task

    def _shutdown(self, reason: BaseException | None) -> None:
        if self._closed.done():
            return
        self._closed.set_result(reason)
        with contextlib.suppress(Exception):
            self._writer.close()
        pending, self._pending = self._pending, {}
        for method, fut, _ in pending.values():
            if not fut.done():
                fut.set_exception(ConnectionClosed(f"{method}: connection to {self.remote} lost"))
        for task in (self._reader_task, self._probe_task):
            if task is not None and task is not asyncio.current_task():
                task.cancel()

    # --- receiving ----------------------------------------------------------------------------

    async def _read_loop(self) -> None:
        reason: BaseException | None = None
        try:
            while True:
                data = await self._reader.read(_READ_CHUNK)
                if not data:
                    reason = ConnectionClosed(f"{self.remote} closed the connection")
                    break
                self._last_rx = time.monotonic()
                for msg in self._framer.feed(data):
                    self._dispatch(msg)
                    if self.is_closed:
                        return
        except asyncio.CancelledError:
            raise
        except Exception as e:  # framing errors, resets: the session is over either way
            reason = e
        finally:
            self._shutdown(reason)

    def _dispatch(self, msg: Any) -> None:
        if not isinstance(msg, dict):
            return
        if "method" in msg:
            method = msg.get("method")
            params = msg.get("params")
            rid = msg.get("id")
            if method == "echo" and rid is not None:
                self._write(jsonrpc.response(params, rid))
                return
            if self.handler is not None:
                try:
                    self.handler(str(method), params)
                except Exception:
                    # A bug in a handler must not kill the session silently; the replica may be
                    # inconsistent now, so drop the session (reconnect resyncs from scratch).
                    log.exception("handler for %s failed; closing session", method)
                    self._shutdown(RuntimeError(f"handler for {method} failed"))
                    return
            if rid is not None:
                self._write(jsonrpc.error_response({"error": "unknown method"}, rid))
            return
        rid = msg.get("id")
        entry = self._pending.pop(rid, None) if isinstance(rid, int) else None
        if entry is None:
            return  # a reply to an echo we sent, or to a request abandoned on timeout
        method, fut, on_reply = entry
        if msg.get("error") is not None:
            if not fut.done():
                fut.set_exception(RpcError(method, msg["error"]))
            return
        result = msg.get("result")
        if on_reply is not None:
            try:
                result = on_reply(result)
            except Exception as e:
                if not fut.done():
                    fut.set_exception(e)
                return
        if not fut.done():
            fut.set_result(result)

    async def _probe_loop(self) -> None:
        interval = self.probe_interval
        probe_sent_at: float | None = None
        while not self.is_closed:
            idle = time.monotonic() - self._last_rx
            if probe_sent_at is not None and self._last_rx >= probe_sent_at:
                probe_sent_at = None
            if probe_sent_at is None:
                if idle >= interval:
                    probe_sent_at = time.monotonic()
                    # An id the reply matcher does not know: the reply only refreshes _last_rx.
                    self._write(jsonrpc.request("echo", [], "echo"))
                    await asyncio.sleep(interval)
                else:
                    await asyncio.sleep(interval - idle)
            else:
                if time.monotonic() - probe_sent_at >= interval:
                    log.warning("%s: no reply to inactivity probe; disconnecting", self.remote)
                    self._shutdown(ConnectionClosed(f"{self.remote}: inactivity probe timed out"))
                    return
                await asyncio.sleep(interval - (time.monotonic() - probe_sent_at))


SessionSetup = Callable[[Session], Awaitable[None]]


class Connection:
    """Keeps one session up over a list of remotes, reconnecting with exponential backoff.

    ``on_session(session)`` runs on every new session before it counts as up; when it raises,
    the session is closed and the next remote is tried (at once for TryAnotherRemote, after the
    backoff for anything else). ``on_down()`` runs when an up session ends.
    """

    def __init__(
        self,
        remotes: str | list[str] | list[Remote],
        *,
        handler: NotificationHandler | None = None,
        on_session: SessionSetup | None = None,
        on_down: Callable[[], None] | None = None,
        on_give_up: Callable[[BaseException], None] | None = None,
        probe_interval: float | None = None,
        min_backoff: float = 0.1,
        max_backoff: float = 8.0,
        shuffle: bool = False,
        retry: bool = True,
    ):
        if isinstance(remotes, list) and remotes and isinstance(remotes[0], Remote):
            self.remotes: list[Remote] = [r for r in remotes if isinstance(r, Remote)]
        else:
            self.remotes = parse_remotes(remotes)  # type: ignore[arg-type]
        if shuffle:
            random.shuffle(self.remotes)
        self.handler = handler
        self.on_session = on_session
        self.on_down = on_down
        self.on_give_up = on_give_up
        self.probe_interval = probe_interval
        self.min_backoff = min_backoff
        self.max_backoff = max_backoff
        self.session: Session | None = None  # set while a session is up
        self.connections = 0  # sessions that came up, for tests and statistics
        self.last_error: BaseException | None = None  # why the last attempt or session failed
        self._next = 0
        self._task: asyncio.Task[None] | None = None
        self._up = asyncio.Event()
        self._stopping = False
        # retry=False (OVS's one-shot sessions, as the ctl tools open them): each remote is
        # tried once, and the connection gives up when all have failed or the session ends.
        self.retry = retry
        self.gave_up: BaseException | None = None
        self.failures: list[tuple[Remote, BaseException]] = []  # this round's, remote by remote

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="ovsdb-connection")

    async def close(self) -> None:
        self._stopping = True
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(BaseException):
                await task
        if self.session is not None:
            await self.session.close()
            self.session = None

    @property
    def is_up(self) -> bool:
        return self.session is not None and not self.session.is_closed

    async def wait_up(self, timeout: float | None = None) -> Session:
        """Wait until a session is up (``on_session`` finished) and return it."""
        async with asyncio.timeout(timeout):
            while True:
                s = self.session
                if s is not None and not s.is_closed:
                    return s
                if self.gave_up is not None:
                    raise self.gave_up
                self._up.clear()
                await self._up.wait()

    def set_probe_interval(self, probe_interval: float | None) -> None:
        """The probe interval of this connection's sessions, the live one included (None: each
        remote's default)."""
        if probe_interval == self.probe_interval:
            return
        self.probe_interval = probe_interval
        if self.session is not None and not self.session.is_closed:
            self.session.set_probe_interval(probe_interval)

    def force_reconnect(self) -> None:
        """Drop the current session; the connection loop reconnects."""
        if self.session is not None:
            self.session._shutdown(ConnectionClosed("reconnect requested"))

    async def _run(self) -> None:
        backoff = 0.0
        failures_in_row = 0
        while not self._stopping:
            remote = self.remotes[self._next % len(self.remotes)]
            self._next += 1
            session = None
            try:
                session = await Session.open(
                    remote, handler=self.handler, probe_interval=self.probe_interval
                )
                if self.on_session is not None:
                    await self.on_session(session)
                if session.is_closed:
                    raise ConnectionClosed(f"{remote} closed during set-up")
            except asyncio.CancelledError:
                if session is not None:
                    await session.close()
                raise
            except Exception as e:
                self.last_error = e
                self.failures.append((remote, e))
                if isinstance(e, TryAnotherRemote):
                    log.info("%s: %s; trying another remote", remote, e)
                else:
                    log.info("%s: connection failed: %s", remote, e)
                if session is not None:
                    await session.close()
                failures_in_row += 1
                if failures_in_row >= len(self.remotes):
                    if not self.retry:
                        self._give_up(e)
                        return
                    # Every remote failed or refused: back off before cycling through them again.
                    backoff = self._bump(backoff)
                    failures_in_row = 0
                    await asyncio.sleep(backoff)
                continue
            # Up.
            backoff = 0.0
            failures_in_row = 0
            self.failures.clear()
            self._next -= 1  # reconnect to the same remote first next time
            self.session = session
            self.connections += 1
            self._up.set()
            reason = await session.wait_closed()
            self.last_error = reason
            log.info("%s: session ended: %s", remote, reason)
            await session.close()
            self.session = None
            if self.on_down is not None:
                try:
                    self.on_down()
                except Exception:
                    log.exception("on_down callback failed")
            if not self.retry:
                self._give_up(reason or ConnectionClosed(f"{remote}: session ended"))
                return
            if reason is not None:
                # A session that died (not one we closed) moves on to the next remote, so a
                # dead cluster member is skipped; the same remote comes round again later.
                self._next += 1

    def _give_up(self, error: BaseException) -> None:
        self.gave_up = error
        self._up.set()
        if self.on_give_up is not None:
            self.on_give_up(error)

    def _bump(self, backoff: float) -> float:
        return min(self.max_backoff, max(self.min_backoff, backoff * 2))
