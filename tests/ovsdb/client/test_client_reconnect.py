"""Reconnects against the real ovsdb-server: resync with and without history, leader-only."""

from __future__ import annotations

import asyncio
import subprocess
import time
from typing import Any

import pytest

from pyovn.ovsdb.client import Idl

pytestmark = pytest.mark.interop


def run(coro: Any, timeout: float = 60) -> Any:
    return asyncio.run(asyncio.wait_for(coro, timeout))


def replica_view(idl: Idl) -> dict[str, Any]:
    assert idl.replica is not None
    return {t: rows for t, rows in idl.replica.snapshot().items() if rows}


def dump_view(server: Any) -> dict[str, Any]:
    return {t: rows for t, rows in server.dump().items() if rows}


def _changes_while_away(server: Any, a: str, b: str) -> None:
    """Delete switch a, rename b, add c (through ovsdb-client on a side socket)."""
    server.transact(
        {"op": "delete", "table": "Logical_Switch", "where": [["_uuid", "==", ["uuid", a]]]},
        {
            "op": "update",
            "table": "Logical_Switch",
            "where": [["_uuid", "==", ["uuid", b]]],
            "row": {"name": "b2", "other_config": ["map", [["x", "1"]]]},
        },
        {"op": "insert", "table": "Logical_Switch", "row": {"name": "c"}},
    )


async def _scenario(server: Any, how: str, expect_delta: bool) -> None:
    async with Idl(server.remote, "OVN_Northbound", min_backoff=0.02, max_backoff=0.2) as idl:
        # ovsdb-server trims its history (oldest first) to fewer atoms than the database
        # holds: give the database some bulk first, in its own transaction, so the one we
        # resume from stays in the history.
        async with idl.transaction() as txn:
            for i in range(40):
                txn.insert(
                    "Logical_Switch",
                    name=f"filler{i}",
                    other_config={f"k{j}": "v" for j in range(5)},
                )
        async with idl.transaction() as txn:
            a = txn.insert("Logical_Switch", name="a")
            b = txn.insert("Logical_Switch", name="b")
            txn.insert("Logical_Switch", name="same")
        events: list[tuple[str, str, Any]] = []
        idl.watch(lambda e, r, o: events.append((e, r.name, o)), "Logical_Switch")
        before = idl.conn.connections

        if how == "restart":
            # Take the server away from the client's socket; change the data meanwhile through
            # a side socket, so the changes certainly happen while the client is disconnected.
            main_sock = server.sock
            server.stop()
            await asyncio.sleep(0.05)
            assert not idl.is_synced
            server.sock = main_sock.with_name("side.sock")
            server.start()
            _changes_while_away(server, a.uuid, b.uuid)
            server.stop()
            server.sock = main_sock
            server.start()
        else:
            # Drop our session and change the data before the event loop (blocked in the
            # subprocess call) can reconnect; the server keeps running with its history.
            idl.conn.force_reconnect()
            _changes_while_away(server, a.uuid, b.uuid)

        t0 = time.monotonic()
        while not (idl.is_synced and idl.conn.connections > before):
            assert time.monotonic() - t0 < 20, "no resync"
            await asyncio.sleep(0.01)
        assert replica_view(idl) == dump_view(server)
        got = sorted((e, n) for e, n, _ in events)
        assert got == [("create", "c"), ("delete", "a"), ("update", "b2")]
        (old,) = [o for e, _, o in events if e == "update"]
        assert old.name == "b" and old.other_config == {}
        assert old.changed == {"name", "other_config"}
        if expect_delta:
            assert (idl.deltas, idl.resyncs) == (1, 0)
        else:
            assert (idl.deltas, idl.resyncs) == (0, 1)

        # Still live after the resync.
        async with idl.transaction() as txn:
            txn.insert("Logical_Switch", name="d")
        names = sorted(r.name for r in idl["Logical_Switch"] if not r.name.startswith("filler"))
        assert names == ["b2", "c", "d", "same"]


@pytest.mark.parametrize("how", ["restart", "drop"])
def test_reconnect_standalone_full_resync_with_correct_events(real_server, how):
    # A standalone database keeps no transaction history: the server answers found=false and
    # sends everything; the replica reports only what really changed.
    run(_scenario(real_server, how, expect_delta=False))


def test_reconnect_clustered_resumes_with_monitor_cond_since(make_server):
    # A clustered database keeps recent transactions: after a dropped session the server
    # answers monitor_cond_since with found=true and only the delta.
    server = make_server("c1").create_cluster().start()
    run(_scenario(server, "drop", expect_delta=True))


def test_reconnect_clustered_after_restart(make_server):
    # The cluster's log keeps the history across a server restart: still only the delta.
    server = make_server("c1").create_cluster().start()
    run(_scenario(server, "restart", expect_delta=True))


def test_inactivity_probe_detects_dead_peer(tmp_path):
    """A server that accepts but never answers: the client probes, then drops the session."""

    async def main() -> None:
        sock = tmp_path / "mute.sock"
        accepted = []

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            accepted.append(writer)
            await reader.read(1 << 20)  # swallow the requests, answer nothing

        server = await asyncio.start_unix_server(handle, str(sock))
        idl = Idl(
            f"unix:{sock}",
            "OVN_Northbound",
            probe_interval=0.1,
            min_backoff=0.05,
            max_backoff=0.05,
            request_timeout=30,
        )
        await idl.start(wait=False)
        t0 = time.monotonic()
        while len(accepted) < 2 and time.monotonic() - t0 < 5:
            await asyncio.sleep(0.02)
        # The first session was dropped after ~2 probe intervals, then the client reconnected.
        assert len(accepted) >= 2
        assert time.monotonic() - t0 < 2
        await idl.close()
        server.close()

    run(main())


def _cluster_status(server: Any) -> str:
    out = subprocess.run(
        [
            "ovs-appctl",
            "-t",
            str(server.dir / f"{server.name}.ctl"),
            "cluster/status",
            "OVN_Northbound",
        ],
        capture_output=True,
        text=True,
    )
    return out.stdout


@pytest.mark.slow
def test_leader_only_follows_the_leader(make_server):
    import shutil

    if shutil.which("ovs-appctl") is None:
        pytest.skip("ovs-appctl not installed")
    s1 = make_server("s1").create_cluster()
    s2 = make_server("s2").join_cluster(s1)
    s3 = make_server("s3").join_cluster(s1)
    for s in (s1, s2, s3):
        s.start()
    servers = [s1, s2, s3]

    def leader() -> Any:
        for s in servers:
            if s.proc is not None and "Role: leader" in _cluster_status(s):
                return s
        return None

    deadline = time.monotonic() + 20
    while leader() is None or any(
        "Status: cluster member" not in _cluster_status(s) for s in servers
    ):
        assert time.monotonic() < deadline, "cluster did not form"
        time.sleep(0.1)
    first = leader()
    # Put the leader last so the client has to skip followers.
    order = [s for s in servers if s is not first] + [first]
    remotes = ",".join(s.remote for s in order)

    async def main() -> None:
        async with Idl(
            remotes, "OVN_Northbound", leader_only=True, min_backoff=0.05, max_backoff=0.5
        ) as idl:
            assert idl.session.remote is not None
            assert str(idl.session.remote) == first.remote
            async with idl.transaction() as txn:
                txn.insert("Logical_Switch", name="before")
            # Kill the leader: the client must land on the newly elected one.
            first.stop()
            await asyncio.sleep(0.1)
            t0 = time.monotonic()
            while True:
                new = leader()
                if new is not None and idl.is_synced and str(idl.session.remote) == new.remote:
                    break
                assert time.monotonic() - t0 < 30, "client did not follow the new leader"
                await asyncio.sleep(0.1)
            async with idl.transaction() as txn:
                txn.insert("Logical_Switch", name="after")
            assert sorted(r.name for r in idl["Logical_Switch"]) == ["after", "before"]

    run(main(), 90)
