"""The client's inactivity probe defaults as OVS's streams decide them: none over a unix socket
(the kernel reports a dead peer there; a probe only cuts off a server busy with a large
transaction), 5 s over tcp; an explicit interval wins, and a live session takes a new one."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from pyovn.ovsdb.client.connection import DEFAULT_PROBE_INTERVAL, Connection, Session
from pyovn.ovsdb.stream import parse_remote


def run(coro, timeout: float = 20):
    return asyncio.run(asyncio.wait_for(coro, timeout))


async def _mute_unix(path: Path, accepted: list) -> asyncio.AbstractServer:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(writer)
        while await reader.read(1 << 16):  # swallow requests, answer nothing
            pass

    return await asyncio.start_unix_server(handle, str(path))


def test_unix_session_has_no_probe_by_default(tmp_path):
    async def main() -> None:
        accepted: list = []
        server = await _mute_unix(tmp_path / "mute.sock", accepted)
        s = await Session.open(parse_remote(f"unix:{tmp_path}/mute.sock"))
        assert s.probe_interval == 0
        await asyncio.sleep(0.3)
        assert not s.is_closed
        await s.close()
        server.close()

    run(main())


def test_tcp_session_probes_by_default():
    async def main() -> None:
        async def handle(reader, writer):
            await reader.read(1 << 16)

        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        s = await Session.open(parse_remote(f"tcp:127.0.0.1:{port}"))
        assert s.probe_interval == DEFAULT_PROBE_INTERVAL
        await s.close()
        server.close()

    run(main())


def test_explicit_and_live_probe_interval_on_unix(tmp_path):
    """A mute server behind a unix socket: with no probe the session stays; once the live
    session is given an interval (northd's options:northd_probe_interval) it is dropped after
    about two intervals."""

    async def main() -> None:
        accepted: list = []
        server = await _mute_unix(tmp_path / "mute.sock", accepted)
        conn = Connection(f"unix:{tmp_path}/mute.sock", min_backoff=5, max_backoff=5)
        conn.start()
        session = await conn.wait_up(timeout=5)
        assert session.probe_interval == 0
        await asyncio.sleep(0.3)
        assert not session.is_closed
        t0 = time.monotonic()
        conn.set_probe_interval(0.1)
        while not session.is_closed and time.monotonic() - t0 < 5:
            await asyncio.sleep(0.02)
        assert session.is_closed
        assert time.monotonic() - t0 < 2
        await conn.close()
        server.close()

    run(main())
