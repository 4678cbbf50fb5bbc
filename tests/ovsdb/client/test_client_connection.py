"""Connection layer against small in-process peers: remotes, echo, matching, monitor fallback."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest

from pyovn import schemas
from pyovn.ovsdb import jsonrpc
from pyovn.ovsdb.client import Idl, RpcError, Session, parse_remotes
from pyovn.ovsdb.client.connection import Remote, parse_remote


def run(coro: Any) -> Any:
    return asyncio.run(asyncio.wait_for(coro, 20))


def test_parse_remotes():
    assert parse_remotes("unix:/a/b.sock, tcp:127.0.0.1:6641,tcp:[::1]:6642") == [
        Remote("unix", "/a/b.sock"),
        Remote("tcp", "127.0.0.1", 6641),
        Remote("tcp", "::1", 6642),
    ]
    assert str(parse_remote("tcp:[::1]:6642")) == "tcp:[::1]:6642"
    assert parse_remote("ssl:1.2.3.4:6641") == Remote("ssl", "1.2.3.4", 6641)
    for bad in ("", "tcp:1.2.3.4", "foo:bar", "ssl:1.2.3.4", "unix:"):
        with pytest.raises(ValueError):
            parse_remotes(bad)


Handler = Callable[[dict[str, Any], Callable[[Any], None]], None]


async def serve(path: Path, on_request: Handler) -> asyncio.AbstractServer:
    """A peer that frames messages and passes each to ``on_request(msg, send)``."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        framer = jsonrpc.Framer()

        def send(msg: Any) -> None:
            writer.write(jsonrpc.encode(msg))

        while data := await reader.read(65536):
            for msg in framer.feed(data):
                on_request(msg, send)
        writer.close()

    return await asyncio.start_unix_server(handle, str(path))


def test_session_matches_replies_answers_echo_and_dispatches(tmp_path):
    async def main() -> None:
        seen: list[Any] = []

        def peer(msg: dict[str, Any], send: Callable[[Any], None]) -> None:
            seen.append(msg)
            if msg.get("method") == "slow":
                asyncio.get_running_loop().call_later(
                    0.05, send, jsonrpc.response("slow-done", msg["id"])
                )
            elif msg.get("method") == "fast":
                # Ask the client for an echo and push a notification before answering.
                send(jsonrpc.request("echo", ["ping"], "srv-1"))
                send(jsonrpc.notification("hello", [1]))
                send(jsonrpc.response("fast-done", msg["id"]))
            elif msg.get("method") == "bad":
                send(jsonrpc.error_response({"error": "nope", "details": "d"}, msg["id"]))

        server = await serve(tmp_path / "p.sock", peer)
        notes: list[Any] = []
        s = await Session.open(
            parse_remote(f"unix:{tmp_path / 'p.sock'}"), handler=lambda m, p: notes.append((m, p))
        )
        slow = asyncio.ensure_future(s.request("slow", []))
        assert await s.request("fast", []) == "fast-done"
        assert notes == [("hello", [1])]  # dispatched before the reply that followed it
        assert await slow == "slow-done"
        with pytest.raises(RpcError) as ei:
            await s.request("bad", [])
        assert ei.value.kind == "nope"
        # The client answered the server's echo with the same params.
        assert {"result": ["ping"], "error": None, "id": "srv-1"} in seen
        await s.close()
        server.close()

    run(main())


def test_idl_falls_back_to_older_monitor_methods(tmp_path):
    """A server knowing only RFC 7047 "monitor": the IDL ends up using it."""
    schema_json = orjson.loads(schemas.path("OVN_Northbound").read_bytes())

    async def main() -> None:
        tried: list[str] = []

        def peer(msg: dict[str, Any], send: Callable[[Any], None]) -> None:
            method, rid = msg.get("method"), msg.get("id")
            if method == "get_schema":
                send(jsonrpc.response(schema_json, rid))
            elif method in ("monitor_cond_since", "monitor_cond"):
                tried.append(method)
                send(jsonrpc.error_response("unknown method", rid))
            elif method == "monitor":
                tried.append(method)
                send(
                    jsonrpc.response(
                        {
                            "Logical_Switch": {
                                "11111111-1111-1111-1111-111111111111": {"new": {"name": "sw"}}
                            }
                        },
                        rid,
                    )
                )
                send(
                    jsonrpc.notification(
                        "update",
                        [
                            msg["params"][1],
                            {
                                "Logical_Switch": {
                                    "11111111-1111-1111-1111-111111111111": {
                                        "old": {"name": "sw"},
                                        "new": {"name": "sw2"},
                                    }
                                }
                            },
                        ],
                    )
                )

        server = await serve(tmp_path / "m.sock", peer)
        async with Idl(f"unix:{tmp_path / 'm.sock'}", "OVN_Northbound") as idl:
            assert tried[:3] == ["monitor_cond_since", "monitor_cond", "monitor"]
            assert idl.monitor_method == "monitor"
            await idl.wait_until(
                lambda: [r.name for r in idl["Logical_Switch"]] == ["sw2"], timeout=5
            )
        server.close()

    run(main())
