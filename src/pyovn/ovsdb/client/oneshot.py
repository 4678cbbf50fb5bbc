"""Blocking, one-shot use of the client, for the tools that connect, work and leave.

* :func:`open_idl` opens the same :class:`~pyovn.ovsdb.client.idl.Idl` the daemons use, as OVS
  opens a tool's session: each remote tried once (``retry=False``), leader-only on request, no
  inactivity probe. It returns a :class:`~pyovn.ovsdb.client.sync.SyncIdl` in sync (the ctl
  tools run their commands over it, :mod:`pyovn.ctl.database`); :func:`fetch` reads rows with it
  and closes it (ovn-trace's Southbound and Northbound reads).
* :class:`BlockingSession` is one :class:`~pyovn.ovsdb.client.connection.Session` driven from
  the calling thread, for ovsdb-client: raw requests (its commands print the server's replies
  and errors as they are), and the notifications of its ``monitor`` and ``lock`` commands.

Errors read as the real tools': ``REMOTE: database connection failed (REASON)``, REASON being
the system's text for the first failed connection's errno, or empty when every server that
answered was not its cluster's leader; a list of remotes is named whole. ovsdb-client says
``failed to connect to "REMOTES" (REASON)``.
"""

from __future__ import annotations

import asyncio
import errno
import os
from collections.abc import Iterable
from typing import Any

from pyovn.ovsdb.client.connection import (
    ConnectionClosed,
    RpcError,
    Session,
    TryAnotherRemote,
)
from pyovn.ovsdb.client.sync import SyncIdl
from pyovn.ovsdb.stream import Remote, parse_remote, parse_remotes

__all__ = ["BlockingSession", "OneShotError", "Rows", "failure_text", "fetch", "open_idl"]

Rows = dict[str, dict[str, dict[str, Any]]]


class OneShotError(Exception):
    """The tool cannot go on; ``str()`` is the text after ``<prog>: ``. ``causes``: the
    errors behind it, remote by remote (an SSL configuration problem the tool may report)."""

    def __init__(self, text: str, causes: list[BaseException] | None = None) -> None:
        super().__init__(text)
        self.causes = causes or []


def _check_remotes(remotes: str) -> None:
    try:
        parse_remotes(remotes)
    except ValueError:
        raise OneShotError(f"{remotes}: database connection failed "
                           f"({os.strerror(_bad_remote_errno(remotes))})") from None


def _bad_remote_errno(remote: str) -> int:
    kind = remote.partition(":")[0]
    return errno.EINVAL if kind in ("unix", "tcp", "ssl") else errno.EAFNOSUPPORT


def open_idl(remotes: str, database: str, *, tables: Iterable[str] | None = None,
             timeout: float | None = 30.0, leader_only: bool = False) -> SyncIdl:
    """An Idl of ``tables`` (all when None) of ``database``, in sync with the first of
    ``remotes`` that serves it; the caller closes it."""
    _check_remotes(remotes)
    wanted = None if tables is None else dict.fromkeys(tables)
    client = SyncIdl(remotes, database, start=False, tables=wanted, leader_only=leader_only,
                     retry=False, probe_interval=0)
    try:
        client.start(timeout)
    except TimeoutError:
        client.close()
        raise OneShotError(f"{remotes}: no reply within {timeout:g} seconds") from None
    except (OSError, TryAnotherRemote, RpcError, ConnectionClosed):
        client.close()
        failures = client.idl.conn.failures
        raise OneShotError(failure_text(remotes, database, failures),
                           [error for _remote, error in failures]) from None
    except BaseException:
        client.close()
        raise
    return client


def fetch(remotes: str, database: str, *, tables: Iterable[str] | None = None,
          timeout: float = 30.0, leader_only: bool = False) -> Rows:
    """table -> uuid -> row (every column in canonical form, plus ``_uuid``) of ``tables``
    (all of them when None) of ``database`` at the first of ``remotes`` that serves it."""
    client = open_idl(remotes, database, tables=tables, timeout=timeout, leader_only=leader_only)
    try:
        replica = client.idl.replica
        assert replica is not None
        return replica.snapshot()
    finally:
        client.close()


def failure_text(remotes: str, database: str,
                 failures: list[tuple[Remote, BaseException]]) -> str:
    """The real tools' words for a connection that gave up after ``failures``."""
    for _remote, error in failures:
        if isinstance(error, RpcError) and error.method == "get_schema":
            return f'database "{database}" not found: {error.error}'
    # A failed connection's errno wins over "not the leader" (no errno: "()"), as in OVS.
    chosen = next(((r, e) for r, e in failures if isinstance(e, OSError)), None)
    if chosen is not None:
        remote, error = chosen
        code = getattr(error, "errno", None) or errno.EIO
        text = f"{remote}: database connection failed ({os.strerror(code)})"
    elif failures:
        remote = failures[0][0]
        text = f"{remote}: database connection failed ()"
    else:
        return f"{remotes}: database connection failed"
    return text.replace(str(remote), remotes, 1) if "," in remotes else text


class BlockingSession:
    """One JSON-RPC session to an OVSDB server, used from blocking code (ovsdb-client).

    The session's event loop runs only inside :meth:`call` and :meth:`next_notification`; the
    kernel buffers what arrives in between. The server's ``echo`` is answered while it runs.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, session: Session,
                 notes: asyncio.Queue[dict[str, Any]]) -> None:
        self._loop = loop
        self.session = session
        self._notes = notes

    @classmethod
    def open(cls, remotes: str) -> BlockingSession:
        """Connect to the first reachable of the comma-separated ``remotes``."""
        loop = asyncio.new_event_loop()
        notes: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

        def handler(method: str, params: Any) -> None:
            notes.put_nowait({"method": method, "params": params})

        first: OSError | None = None
        for text in remotes.split(","):
            try:
                remote = parse_remote(text.strip())
            except ValueError:
                first = first or OSError(_bad_remote_errno(text.strip()), "bad remote")
                continue
            try:
                session = loop.run_until_complete(
                    Session.open(remote, handler=handler, probe_interval=0))
            except OSError as exc:
                first = first or exc
                continue
            return cls(loop, session, notes)
        loop.close()
        code = (first.errno if first else None) or errno.EIO
        raise OneShotError(f'failed to connect to "{remotes}" ({os.strerror(code)})')

    def call(self, method: str, params: Any) -> dict[str, Any]:
        """Send a request; return its reply as ``{"result": ...}`` or ``{"error": ...}``."""
        try:
            result = self._loop.run_until_complete(self.session.request(method, params))
        except RpcError as exc:
            return {"result": None, "error": exc.error}
        except ConnectionClosed:
            raise OneShotError(f"{method} failed (End of file)") from None
        return {"result": result, "error": None}

    def next_notification(self) -> dict[str, Any]:
        """Block until the server sends a notification: ``{"method": ..., "params": ...}``."""
        notes = self._notes
        if notes.empty():
            waiting = self._loop.create_task(notes.get())
            closed = self._loop.create_task(self.session.wait_closed())
            self._loop.run_until_complete(
                asyncio.wait([waiting, closed], return_when=asyncio.FIRST_COMPLETED))
            closed.cancel()
            if not waiting.done():
                waiting.cancel()
                raise OneShotError("connection closed by server")
            return waiting.result()
        return notes.get_nowait()

    def close(self) -> None:
        if self._loop.is_closed():
            return
        self._loop.run_until_complete(self.session.close())
        self._loop.close()
