"""A transaction lost with its connection is re-run only from a caught-up replica.

The session is dropped right after the transact request is written: the server commits it,
the reply never arrives, and the result is TRY_AGAIN with ``outcome_unknown``. The retry loops
must not rebuild from the replica they had (it does not show the commit) but wait for the new
session and ``Idl.catch_up``; a "create unless it exists" transaction then finds its row and
writes nothing, instead of creating it twice. Runs on the real ovsdb-server and on pyovn's.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from pyovn.ovsdb.client import Idl, SyncIdl, TxnStatus, run_transaction
from pyovn.ovsdb.client.transaction import Transaction

pytestmark = pytest.mark.interop


def drop_after_first_send(idl: Idl) -> list[int]:
    """Make the IDL's first transact request lose its connection once written."""
    calls = [0]
    original = idl.transact

    async def transact(ops: list[Any], timeout: float | None = None) -> list[Any]:
        calls[0] += 1
        if calls[0] > 1:
            return await original(ops, timeout)
        session = idl.session
        fut = session.send_request("transact", [idl.database, *ops])
        idl.conn.force_reconnect()  # the request is flushed; its reply is lost
        return list(await fut)

    idl.transact = transact  # type: ignore[method-assign]
    # A slow reconnect (as to a cluster's new leader): a retry that does not wait for it would
    # rebuild from the replica of the lost session, which lacks the commit.
    setup = idl._setup_session

    async def slow_setup(session: Any) -> None:
        if calls[0]:
            await asyncio.sleep(0.3)
        await setup(session)

    idl.conn.on_session = slow_setup
    return calls


def add_once(idl: Idl, name: str, attempts: list[int]) -> Any:
    def fn(txn: Transaction) -> None:
        attempts.append(1)
        if not any(r.name == name for r in idl["Logical_Switch"]):
            txn.insert("Logical_Switch", name=name)

    return fn


def test_async_retry_after_lost_connection_sees_the_commit(real_server) -> None:
    async def main() -> None:
        async with Idl(real_server.remote, "OVN_Northbound", min_backoff=0.01,
                       max_backoff=0.1) as idl:
            calls = drop_after_first_send(idl)
            attempts: list[int] = []
            result = await run_transaction(idl, add_once(idl, "sw", attempts), timeout=20)
            assert calls[0] == 1  # the re-run found the row: nothing more to send
            assert len(attempts) == 2
            assert result.status is TxnStatus.UNCHANGED
            await idl.sync(10)
            assert [r.name for r in idl["Logical_Switch"]] == ["sw"]

    asyncio.run(asyncio.wait_for(main(), 30))


def test_sync_retry_after_lost_connection_sees_the_commit(real_server) -> None:
    with SyncIdl(real_server.remote, "OVN_Northbound", min_backoff=0.01,
                 max_backoff=0.1) as client:
        calls = client._call(lambda: drop_after_first_send(client.idl))
        attempts: list[int] = []
        result = client.run(add_once(client.idl, "sw", attempts), timeout=20)
        assert (calls[0], len(attempts), result.status) == (1, 2, TxnStatus.UNCHANGED)
        client.sync(10)
        assert [r.name for r in client["Logical_Switch"]] == ["sw"]


def test_catch_up_is_a_barrier_on_a_live_session(real_server) -> None:
    async def main() -> None:
        async with Idl(real_server.remote, "OVN_Northbound") as idl:
            real_server.transact({"op": "insert", "table": "Logical_Switch",
                                  "row": {"name": "x"}})
            await idl.catch_up(10)
            assert [r.name for r in idl["Logical_Switch"]] == ["x"]

    asyncio.run(asyncio.wait_for(main(), 30))
