"""The IDL and transactions against the real ovsdb-server (OVN_Northbound schema)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from pyovn.ovsdb.client import (
    Idl,
    TransactionError,
    TransactionOwnershipError,
    TryAgain,
    TxnStatus,
    run_transaction,
)

pytestmark = pytest.mark.interop


def run(coro: Any) -> Any:
    return asyncio.run(asyncio.wait_for(coro, 30))


def replica_view(idl: Idl, tables: list[str] | None = None) -> dict[str, Any]:
    assert idl.replica is not None
    snap = idl.replica.snapshot()
    return {t: rows for t, rows in snap.items() if rows and (tables is None or t in tables)}


def dump_view(server: Any) -> dict[str, Any]:
    return {t: rows for t, rows in server.dump().items() if rows}


def test_connect_and_replica_equals_dump(real_server):
    real_server.transact(
        {
            "op": "insert",
            "table": "Logical_Switch_Port",
            "uuid-name": "p",
            "row": {
                "name": "lp1",
                "addresses": ["set", ["00:00:00:00:00:01 10.0.0.1", "router"]],
                "options": ["map", [["a", "1"], ["b", "2"]]],
                "tag_request": 7,
            },
        },
        {
            "op": "insert",
            "table": "Logical_Switch",
            "row": {
                "name": "sw0",
                "ports": ["named-uuid", "p"],
                "external_ids": ["map", [["owner", "test"]]],
            },
        },
        {"op": "insert", "table": "NB_Global", "row": {"nb_cfg": 3}},
    )

    async def main() -> None:
        async with Idl(real_server.remote, "OVN_Northbound") as idl:
            assert idl.monitor_method == "monitor_cond_since"
            assert replica_view(idl) == dump_view(real_server)
            sw = idl.index("Logical_Switch", "name").get("sw0")
            assert sw is not None and sw.external_ids == {"owner": "test"}
            (lsp,) = idl["Logical_Switch_Port"].all()
            assert sw.ports == [lsp.uuid]
            assert lsp.tag_request == [7] and lsp.tag == []
            assert sorted(lsp.addresses) == ["00:00:00:00:00:01 10.0.0.1", "router"]
            assert lsp.raw("addresses") == frozenset(lsp.addresses)
            assert idl["NB_Global"].all()[0].nb_cfg == 3

    run(main())


@pytest.mark.parametrize("method", ["monitor_cond_since", "monitor_cond", "monitor"])
def test_round_trips_and_events(real_server, method):
    async def main() -> None:
        async with Idl(real_server.remote, "OVN_Northbound", monitor_methods=[method]) as idl:
            assert idl.monitor_method == method
            events: list[tuple[str, Any, Any]] = []
            idl.watch(lambda e, r, o: events.append((e, r, o)), "Logical_Switch")

            async with idl.transaction() as txn:
                port = txn.insert("Logical_Switch_Port", name="p1", addresses=["a"])
                sw = txn.insert("Logical_Switch", name="sw1", ports=[port], other_config={"k": "v"})
            assert txn.result.status is TxnStatus.SUCCESS
            # The reply came after the replica applied the transaction's own updates.
            assert sw.uuid in idl["Logical_Switch"] and port.uuid in idl["Logical_Switch_Port"]
            assert txn.result.uuids[sw.name] == sw.uuid
            [(ev, row, old)] = events
            assert ev == "create" and row.name == "sw1" and old is None
            assert row.ports == [port.uuid]

            # update: set + map mutate + set mutate in one transaction
            events.clear()
            async with idl.transaction() as txn:
                r = idl["Logical_Switch"][sw.uuid]
                txn.set(r, name="sw1-renamed")
                txn.update_map(r, "other_config", {"k": "v2", "x": "y"})
                txn.mutate(r, "external_ids", "insert", {"e": "1"})
            [(ev, row, old)] = events
            assert ev == "update"
            assert row.name == "sw1-renamed" and old.name == "sw1"
            assert row.other_config == {"k": "v2", "x": "y"} and old.other_config == {"k": "v"}
            assert old.changed == {"name", "other_config", "external_ids"}
            assert old.external_ids == {}
            assert not hasattr(old, "ports")  # unchanged columns are absent from "old"
            # What we received before never changes under us.
            assert r.name == "sw1"

            # set mutation: add/remove ports
            events.clear()
            async with idl.transaction() as txn:
                p2 = txn.insert("Logical_Switch_Port", name="p2")
                txn.add(idl["Logical_Switch"][sw.uuid], "ports", p2)
            [(ev, row, old)] = events
            assert sorted(row.ports) == sorted([port.uuid, p2.uuid])
            assert old.ports == [port.uuid]
            async with idl.transaction() as txn:
                txn.discard(txn.row("Logical_Switch", sw.uuid), "ports", port.uuid)
            assert idl["Logical_Switch"][sw.uuid].ports == [p2.uuid]
            # Unreferenced port rows are garbage-collected by the server; the replica follows.
            assert port.uuid not in idl["Logical_Switch_Port"]

            assert replica_view(idl) == dump_view(real_server)

            events.clear()
            async with idl.transaction() as txn:
                txn.delete(idl["Logical_Switch"][sw.uuid])
            [(ev, row, old)] = events
            assert ev == "delete" and row.name == "sw1-renamed" and old is None
            assert len(idl["Logical_Switch"]) == 0 and len(idl["Logical_Switch_Port"]) == 0
            assert replica_view(idl) == dump_view(real_server)

    run(main())


def test_named_and_given_uuids(real_server):
    given = "11111111-2222-3333-4444-555555555555"

    async def main() -> None:
        async with Idl(real_server.remote, "OVN_Northbound") as idl:
            async with idl.transaction() as txn:
                lsp = txn.insert("Logical_Switch_Port", uuid=given, name="fixed")
                txn.insert("Logical_Switch", uuid_name="my_switch", name="s", ports=[lsp])
            assert lsp.uuid == given
            sw_uuid = txn.result.uuids["my_switch"]
            assert idl["Logical_Switch"][sw_uuid].ports == [given]
            assert idl["Logical_Switch_Port"][given].name == "fixed"
            # The handle refers to the committed row in a later transaction.
            async with idl.transaction() as txn:
                txn.set(lsp, type="router")
            assert idl["Logical_Switch_Port"][given].type == "router"

    run(main())


def test_errors_and_unchanged(real_server):
    async def main() -> None:
        async with Idl(real_server.remote, "OVN_Northbound") as idl:
            txn = idl.transaction()
            res = await txn.commit()
            assert res.status is TxnStatus.UNCHANGED
            # referential integrity: a switch pointing at a missing port
            txn = idl.transaction()
            txn.insert("Logical_Switch", name="x", ports=["427a3f4b-b631-480f-955f-1b7edbc443f2"])
            res = await txn.commit()
            assert res.status is TxnStatus.ERROR
            assert res.error["error"] == "referential integrity violation"
            with pytest.raises(TransactionError) as ei:
                res.check()
            assert "referential integrity" in str(ei.value)
            # a constraint violation surfaces through check_error=True
            txn = idl.transaction()
            txn.insert("ACL", direction="sideways", action="allow", match="1", priority=1)
            with pytest.raises(TransactionError) as ei:
                await txn.commit(check_error=True)
            assert ei.value.error["error"] == "constraint violation"
            # a committed transaction cannot be reused
            with pytest.raises(TransactionOwnershipError):
                txn.insert("Logical_Switch", name="y")

    run(main())


def test_verify_conflict_is_try_again(real_server):
    async def main() -> None:
        async with (
            Idl(real_server.remote, "OVN_Northbound") as idl,
            Idl(real_server.remote, "OVN_Northbound") as other,
        ):
            async with idl.transaction() as txn:
                sw = txn.insert("Logical_Switch", name="s", other_config={"n": "0"})
            await other.wait_until(lambda: sw.uuid in other["Logical_Switch"], 5)

            row = idl["Logical_Switch"][sw.uuid]
            txn = idl.transaction()
            txn.verify(row, "other_config")
            txn.set(row, other_config={"n": "1"})
            # Someone else changes the verified column first.
            async with other.transaction() as t2:
                t2.set(other["Logical_Switch"][sw.uuid], other_config={"n": "9"})
            res = await txn.commit()
            assert res.status is TxnStatus.TRY_AGAIN
            with pytest.raises(TryAgain):
                res.check()
            await idl.sync()
            assert idl["Logical_Switch"][sw.uuid].other_config == {"n": "9"}

            # run_transaction retries with fresh reads: a read-modify-write counter.
            async def bump(replica_idl: Idl) -> None:
                def fn(t):
                    r = replica_idl["Logical_Switch"][sw.uuid]
                    t.verify(r, "other_config")
                    t.set(r, other_config={"n": str(int(r.other_config["n"]) + 1)})

                await run_transaction(replica_idl, fn, timeout=20)

            await asyncio.gather(*(bump(i) for _ in range(10) for i in (idl, other)))
            await idl.sync()
            assert idl["Logical_Switch"][sw.uuid].other_config == {"n": "29"}

    run(main())


def test_increment_and_comment(real_server):
    async def main() -> None:
        async with Idl(real_server.remote, "OVN_Northbound") as idl:
            async with idl.transaction() as txn:
                g = txn.insert("NB_Global", nb_cfg=41)
            txn = idl.transaction()
            inc = txn.increment(idl["NB_Global"][g.uuid], "nb_cfg")
            txn.comment("bump nb_cfg")
            res = await txn.commit(check_error=True)
            assert res.comment == "bump nb_cfg"
            assert inc.value == 42 == idl["NB_Global"][g.uuid].nb_cfg

    run(main())


def test_transaction_belongs_to_its_task(real_server):
    async def main() -> None:
        async with Idl(real_server.remote, "OVN_Northbound") as idl:
            txn = idl.transaction()

            async def other_task() -> None:
                txn.insert("Logical_Switch", name="nope")

            with pytest.raises(TransactionOwnershipError):
                await asyncio.create_task(other_task())
            txn.insert("Logical_Switch", name="yes")
            with pytest.raises(TransactionOwnershipError):
                await asyncio.create_task(txn.commit())
            assert (await txn.commit()).status is TxnStatus.SUCCESS

    run(main())


def test_indexes_follow_changes(real_server):
    async def main() -> None:
        async with Idl(real_server.remote, "OVN_Northbound") as idl:
            by_name = idl.index("Logical_Switch", "name")
            by_two = idl.index("Logical_Switch_Port", "name", "type")
            async with idl.transaction() as txn:
                p = txn.insert("Logical_Switch_Port", name="lp", type="router")
                s = txn.insert("Logical_Switch", name="a", ports=[p])
            assert by_name.get("a").uuid == s.uuid and "a" in by_name
            assert by_two.get("lp", "router").uuid == p.uuid
            assert by_two.lookup("lp", "") == []
            async with idl.transaction() as txn:
                txn.set(idl["Logical_Switch"][s.uuid], name="b")
            assert by_name.get("a") is None and by_name.get("b").uuid == s.uuid
            # A non-unique column.
            by_ports = idl.index("Logical_Switch", "ports")
            assert by_ports.get([p.uuid]).uuid == s.uuid
            async with idl.transaction() as txn:
                txn.delete(idl["Logical_Switch"][s.uuid])
            assert len(by_name) == 0 and len(by_two) == 0

    run(main())


def test_conditions(real_server):
    async def main() -> None:
        async with Idl(real_server.remote, "OVN_Northbound") as writer, writer.transaction() as txn:
            for n in ("a", "b", "c"):
                txn.insert("Logical_Switch", name=n)
        async with Idl(
            real_server.remote,
            "OVN_Northbound",
            conditions={"Logical_Switch": [["name", "==", "a"]]},
        ) as idl:
            names = lambda: sorted(r.name for r in idl["Logical_Switch"])  # noqa: E731
            assert names() == ["a"]
            events: list[str] = []
            idl.watch(lambda e, r, o: events.append(f"{e}:{r.name}"), "Logical_Switch")
            only_c: list[str] = []
            idl.watch(
                lambda e, r, o: only_c.append(e), "Logical_Switch", where=[["name", "==", "c"]]
            )
            await idl.set_condition("Logical_Switch", [["name", "!=", "a"]])
            assert names() == ["b", "c"]
            assert sorted(events) == ["create:b", "create:c", "delete:a"]
            assert only_c == ["create"]
            await idl.set_condition("Logical_Switch", None)
            assert names() == ["a", "b", "c"]

    run(main())
