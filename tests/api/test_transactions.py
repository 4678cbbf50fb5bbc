"""Transactions: nesting, isolation between threads and tasks, errors, retry on TRY_AGAIN."""

from __future__ import annotations

import asyncio
import threading

import pytest

from pyovn.api import Command, CommitFailed, InvalidArgument, RowNotFound
from pyovn.ovsdb.client import SyncIdl


def test_commands_commit_together_or_not_at_all(nb_any):
    api = nb_any
    with pytest.raises(RowNotFound), api.transaction(check_error=True) as txn:
        txn.add(api.ls_add("sw0"))
        txn.add(api.lsp_add("nosuch", "p1"))
    assert api.ls_list().execute(check_error=True) == []


def test_exception_in_block_abandons(nb_any):
    api = nb_any
    with pytest.raises(KeyError), api.transaction(check_error=True) as txn:
        txn.add(api.ls_add("sw0"))
        raise KeyError("boom")
    assert api.ls_list().execute(check_error=True) == []


def test_nested_transaction_joins_outer(nb_any):
    api = nb_any
    with api.transaction(check_error=True) as outer:
        outer.add(api.ls_add("sw0"))
        with api.transaction(check_error=True) as inner:
            assert inner is outer
            inner.add(api.lsp_add("sw0", "p1"))
        # Not committed yet: the outer transaction commits both.
        assert api.idl.index("Logical_Switch", "name").get("sw0") is None
        cmd = api.ls_add("sw1")
        assert cmd.execute(check_error=True) is None  # joins too; result after the commit
    assert cmd.result.name == "sw1"
    assert len(api.ls_get("sw0").execute(check_error=True).ports) == 1


def test_non_nested_transaction_is_separate(nb_any):
    api = nb_any
    with api.transaction(check_error=True) as outer:
        outer.add(api.ls_add("a"))
        with api.transaction(check_error=True, nested=False) as inner:
            assert inner is not outer
            inner.add(api.ls_add("b"))
        assert api.idl.index("Logical_Switch", "name").get("b") is not None
        assert api.idl.index("Logical_Switch", "name").get("a") is None
    assert api.idl.index("Logical_Switch", "name").get("a") is not None


def test_other_thread_gets_its_own_transaction(nb_any):
    api = nb_any
    seen = {}
    with api.transaction(check_error=True) as outer:
        outer.add(api.ls_add("main"))

        def other() -> None:
            with api.transaction(check_error=True) as t:
                seen["same"] = t is outer
                t.add(api.ls_add("thread"))
            # Committed on its own, while the main thread's transaction is still open.
            seen["committed"] = api.idl.index("Logical_Switch", "name").get("thread") is not None
            try:
                outer.add(api.ls_add("sneaky"))
            except InvalidArgument as e:
                seen["refused"] = str(e)

        th = threading.Thread(target=other)
        th.start()
        th.join()
    assert seen["same"] is False and seen["committed"] is True and "belongs" in seen["refused"]
    names = sorted(s.name for s in api.ls_list().execute(check_error=True))
    assert names == ["main", "thread"]


def test_asyncio_tasks_get_their_own_transactions(nb_any):
    api = nb_any
    identities = []

    async def task(name: str) -> None:
        with api.transaction(check_error=True) as t:
            identities.append(id(t))
            t.add(api.ls_add(name))
            await asyncio.sleep(0.01)  # the other task opens its transaction meanwhile

    async def main() -> None:
        await asyncio.gather(task("t1"), task("t2"))

    asyncio.run(main())
    assert len(set(identities)) == 2
    assert sorted(s.name for s in api.ls_list().execute(check_error=True)) == ["t1", "t2"]


def test_commit_error_carries_server_details(nb_any):
    api = nb_any
    api.db_create("Address_Set", name="as1").execute(check_error=True)
    # Address_Set.name is a schema index: the server refuses a second row named as1
    # (db_create does no client-side check).
    with pytest.raises(CommitFailed) as info, api.transaction(check_error=True) as txn:
        txn.add(api.db_create("Address_Set", name="as2"))
        txn.add(api.db_create("Address_Set", name="as1"))
    assert info.value.error["error"] == "constraint violation"
    assert "as1" in str(info.value.error.get("details"))
    assert [r.name for r in api.address_set_list().execute(check_error=True)] == ["as1"]


class _VerifiedBump(Command):
    """Test-only command: read a counter, verify it, write counter+1 (optimistic locking)."""

    verb = "test_bump"
    runs = 0

    def __init__(self, api, switch, interfere=None):
        super().__init__(api)
        self.switch = switch
        self.interfere = interfere

    def run(self, ctx):
        type(self).runs += 1
        sw = ctx.lookup("Logical_Switch", self.switch)
        n = int(sw.external_ids.get("n", "0"))
        ctx.txn.verify(sw, "external_ids")
        if self.interfere is not None:
            self.interfere()
            self.interfere = None
        ctx.set(sw, external_ids={"n": str(n + 1)})


def test_try_again_reruns_commands_on_the_new_replica(nb_any):
    api = nb_any
    api.ls_add("sw0", external_ids={"n": "0"}).execute(check_error=True)
    other = SyncIdl(api.remote, api.database)
    try:
        def interfere() -> None:
            with other.transaction() as t:
                row = other.index("Logical_Switch", "name").get("sw0")
                t.set(row, external_ids={"n": "10"})

        _VerifiedBump.runs = 0
        cmd = _VerifiedBump(api, "sw0", interfere)
        with api.transaction(check_error=True) as txn:
            txn.add(cmd)
        assert _VerifiedBump.runs == 2
        assert api.ls_get("sw0").execute(check_error=True).external_ids == {"n": "11"}
    finally:
        other.close()
