"""The unixctl management socket: JSON-RPC on a unix socket, as ``ovs-appctl`` speaks it.

``ovs-appctl -t SOCKET CMD ARGS...`` sends ``{"method": CMD, "params": [ARGS], "id": N}`` and prints
the reply's ``result`` (text), or the ``error`` text with a non-zero exit. Commands are registered
with a handler returning text, or raising ``UnixctlError`` for an error reply.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Awaitable, Callable

from pyovn.ovsdb.jsonrpc import Framer, FramingError, encode
from pyovn.util.vlog import VLOG, get_logger

log = get_logger("unixctl")

Handler = Callable[[list[str]], "str | Awaitable[str]"]


class UnixctlError(Exception):
    pass


class UnixctlServer:
    def __init__(self, path: str, version: str):
        self.path = path
        self.commands: dict[str, tuple[Handler, int, int, str]] = {}
        self._server: asyncio.base_events.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self.register("list-commands", lambda a: self._list(), 0, 0, "")
        self.register("version", lambda a: version + "\n", 0, 0, "")
        self.register("vlog/reopen", self._reopen, 0, 0, "")
        self.register("vlog/set", self._vlog_set, 0, 100, "[SPEC...]")
        self.register("vlog/list", lambda a: "console file\n", 0, 0, "")

    def register(self, name: str, handler: Handler, min_args: int, max_args: int, usage: str) -> None:
        self.commands[name] = (handler, min_args, max_args, usage)

    def _list(self) -> str:
        lines = ["The available commands are:"]
        for name in sorted(self.commands):
            usage = self.commands[name][3]
            lines.append(f"  {name:<24}{usage}".rstrip())
        return "\n".join(lines) + "\n"

    def _reopen(self, args: list[str]) -> str:
        VLOG.reopen()
        return ""

    def _vlog_set(self, args: list[str]) -> str:
        for spec in args:
            VLOG.set_spec(spec)
        return ""

    async def start(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)
        self._server = await asyncio.start_unix_server(self._session, path=self.path)

    async def close(self) -> None:
        for w in list(self._writers):
            w.close()
        if self._server:
            self._server.close()
            self._server = None
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        framer = Framer(max_size=1 << 20)
        self._writers.add(writer)
        try:
            while data := await reader.read(65536):
                for msg in framer.feed(data):
                    reply = await self._dispatch(msg)
                    if reply is not None:
                        writer.write(encode(reply))
                        await writer.drain()
        except (FramingError, ConnectionError, asyncio.CancelledError):
            pass  # a bad peer, or the daemon is exiting: either way this session ends
        finally:
            self._writers.discard(writer)
            writer.close()

    async def _dispatch(self, msg: dict) -> dict | None:
        method, params, id_ = msg.get("method"), msg.get("params") or [], msg.get("id")
        if method is None:
            return None
        entry = self.commands.get(method)
        if entry is None:
            return {"result": None, "error": f'"{method}" is not a valid command (use "list-commands" to see a list of valid commands)\n', "id": id_}
        handler, lo, hi, _ = entry
        if not lo <= len(params) <= hi:
            what = "few" if len(params) < lo else "many"
            return {"result": None, "error": f'"{method}" command takes at {"least" if what == "few" else "most"} {lo if what == "few" else hi} arguments\n', "id": id_}
        try:
            out = handler([str(p) for p in params])
            if asyncio.iscoroutine(out) or isinstance(out, asyncio.Future):
                out = await out
            return {"result": out, "error": None, "id": id_}
        except UnixctlError as e:
            return {"result": None, "error": str(e) if str(e).endswith("\n") else str(e) + "\n", "id": id_}


def call(path: str, method: str, *args: str, timeout: float = 10.0) -> str:
    """A blocking ``ovs-appctl -t PATH METHOD ARGS...``: the reply text, or UnixctlError."""
    import socket

    import orjson

    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(timeout)
        s.connect(path)
        s.sendall(orjson.dumps({"method": method, "params": list(args), "id": 0}))
        framer = Framer(max_size=1 << 24)
        while True:
            data = s.recv(65536)
            if not data:
                raise UnixctlError(f"{path}: connection closed without a reply")
            for msg in framer.feed(data):
                if msg.get("error") is not None:
                    raise UnixctlError(str(msg["error"]))
                return str(msg.get("result") or "")
