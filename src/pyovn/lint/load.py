"""Reading a Northbound database once, with pyovn's client (the only I/O of ``pyovn lint``).

How it works: an :class:`~pyovn.ovsdb.client.Idl` monitors every table; as soon as its replica
is in sync the rows are copied out in canonical form and the connection is closed. A one-shot
tool should fail at once rather than retry the way a daemon does, so the first failed attempt
(no socket, refused, wrong database) ends the read with a :class:`LoadError` saying why, as
ovn-nbctl does.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
from typing import Any

__all__ = ["LoadError", "read_tables"]

NB_DB = "OVN_Northbound"


class LoadError(Exception):
    """The database could not be read; ``str()`` is the message for the user."""


def _why(exc: BaseException | None) -> str:
    if isinstance(exc, OSError) and exc.errno:
        return os.strerror(exc.errno)
    if isinstance(exc, FileNotFoundError):
        return os.strerror(errno.ENOENT)
    return str(exc) if exc is not None else "unknown error"


async def _read(remote: str, timeout: float) -> dict[str, list[dict[str, Any]]]:
    from pyovn.ovsdb.client import Idl

    idl = Idl(remote, NB_DB, max_backoff=0.5)
    try:
        await idl.start(wait=False)
        deadline = asyncio.get_running_loop().time() + timeout
        while not idl.is_synced:
            err = idl.conn.last_error
            if err is not None:
                raise LoadError(f"{remote}: database connection failed ({_why(err)})")
            if asyncio.get_running_loop().time() >= deadline:
                raise LoadError(f"{remote}: no reply from the database within {timeout:g}s")
            with contextlib.suppress(TimeoutError):
                await idl.wait_synced(0.02)
        return {name: [row.to_dict() for row in table.all()]
                for name, table in idl.tables.items()}
    finally:
        await idl.close()


def read_tables(remote: str, timeout: float = 30.0) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table of the Northbound at ``remote`` (canonical values, ``_uuid``)."""
    try:
        return asyncio.run(_read(remote, timeout))
    except LoadError:
        raise
    except Exception as exc:  # the client's own errors (bad remote syntax, schema, ...)
        raise LoadError(f"{remote}: {exc}") from exc
