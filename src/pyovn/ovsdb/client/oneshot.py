"""Blocking, one-shot use of the client, for tools that connect, read and leave (ovn-trace's
Southbound and Northbound reads): the same :class:`~pyovn.ovsdb.client.idl.Idl` as the
daemons use, opened as OVS opens a tool's session — each remote tried once (``retry=False``),
leader-only on request — and closed once the replica is in sync.

Errors read as the real tools': ``REMOTE: database connection failed (REASON)``, REASON being
the system's text for the first failed connection's errno, or empty when every server that
answered was not its cluster's leader; a list of remotes is named whole.
"""

from __future__ import annotations

import asyncio
import errno
import os
from collections.abc import Iterable
from typing import Any

from pyovn.ovsdb.client.connection import RpcError, TryAnotherRemote
from pyovn.ovsdb.client.idl import Idl
from pyovn.ovsdb.stream import Remote, parse_remotes

__all__ = ["FetchError", "Rows", "fetch"]

Rows = dict[str, dict[str, dict[str, Any]]]


class FetchError(Exception):
    """The database could not be read; ``str()`` is the text after ``<prog>: ``."""


def fetch(remotes: str, database: str, *, tables: Iterable[str] | None = None,
          timeout: float = 30.0, leader_only: bool = False) -> Rows:
    """table -> uuid -> row (every column in canonical form, plus ``_uuid``) of ``tables``
    (all of them when None) of ``database`` at the first of ``remotes`` that serves it."""
    try:
        parse_remotes(remotes)
    except ValueError:
        kind = remotes.partition(":")[0]
        code = errno.EINVAL if kind in ("unix", "tcp", "ssl") else errno.EAFNOSUPPORT
        raise FetchError(f"{remotes}: database connection failed ({os.strerror(code)})") \
            from None
    wanted: dict[str, Iterable[str] | None] | None = (
        None if tables is None else dict.fromkeys(tables))
    return asyncio.run(_fetch(remotes, database, wanted, timeout, leader_only))


async def _fetch(remotes: str, database: str, tables: dict[str, Iterable[str] | None] | None,
                 timeout: float, leader_only: bool) -> Rows:
    idl = Idl(remotes, database, tables=tables, leader_only=leader_only, retry=False,
              probe_interval=0)
    try:
        try:
            await idl.start(timeout=timeout)
        except TimeoutError:
            raise FetchError(f"{remotes}: no reply within {timeout:g} seconds") from None
        except (OSError, TryAnotherRemote, RpcError, ConnectionError):
            raise FetchError(_failure_text(remotes, database, idl.conn.failures)) from None
        assert idl.replica is not None
        return idl.replica.snapshot()
    finally:
        await idl.close()


def _failure_text(remotes: str, database: str,
                  failures: list[tuple[Remote, BaseException]]) -> str:
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
