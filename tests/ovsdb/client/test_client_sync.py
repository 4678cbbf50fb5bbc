"""The blocking facade, used from several threads at once, against the real ovsdb-server."""

from __future__ import annotations

import threading

import pytest

from pyovn.ovsdb.client import SyncIdl, TransactionOwnershipError, TxnStatus

pytestmark = pytest.mark.interop


def test_threads_share_one_client(real_server):
    with SyncIdl(real_server.remote, "OVN_Northbound") as client:
        by_name = client.index("Logical_Switch", "name")
        created: list[str] = []
        client.watch(lambda e, r, o: created.append(r.name), "Logical_Switch", ["create"])
        errors: list[BaseException] = []
        n_threads, per_thread = 8, 15

        def worker(k: int) -> None:
            try:
                for i in range(per_thread):
                    name = f"t{k}-{i}"
                    with client.transaction() as txn:
                        txn.insert("Logical_Switch", name=name, other_config={"i": str(i)})
                    # Our own commit is in the replica when the commit returns.
                    row = by_name.get(name)
                    assert row is not None and row.other_config == {"i": str(i)}
                    # Read-modify-write with verify, retried on conflicts by run().
                    counter = by_name.get("counter")

                    def bump(txn, counter=counter):
                        cur = by_name.get("counter")
                        txn.verify(cur, "other_config")
                        txn.set(cur, other_config={"n": str(int(cur.other_config["n"]) + 1)})

                    assert counter is not None
                    client.run(bump, timeout=30)
                    # Iterating while other threads write: every row is a whole snapshot.
                    for r in client["Logical_Switch"].all():
                        assert isinstance(r.name, str)
            except BaseException as e:  # noqa: BLE001 - reported below
                errors.append(e)

        with client.transaction() as txn:
            txn.insert("Logical_Switch", name="counter", other_config={"n": "0"})
        threads = [threading.Thread(target=worker, args=(k,)) for k in range(n_threads)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert not errors, errors
        client.sync()
        total = n_threads * per_thread
        assert len(client["Logical_Switch"]) == total + 1
        assert by_name.get("counter").other_config == {"n": str(total)}
        assert len(created) == total + 1
        dump = real_server.dump(["Logical_Switch"])["Logical_Switch"]
        assert client.idl.replica.snapshot()["Logical_Switch"] == dump


def test_transaction_belongs_to_its_thread(real_server):
    with SyncIdl(real_server.remote, "OVN_Northbound") as client:
        txn = client.transaction()
        txn.insert("Logical_Switch", name="mine")
        caught: list[BaseException] = []

        def intruder() -> None:
            try:
                txn.insert("Logical_Switch", name="theirs")
            except BaseException as e:  # noqa: BLE001
                caught.append(e)
            try:
                txn.commit()
            except BaseException as e:  # noqa: BLE001
                caught.append(e)

        t = threading.Thread(target=intruder)
        t.start()
        t.join()
        assert [type(e) for e in caught] == [TransactionOwnershipError] * 2
        assert txn.commit().status is TxnStatus.SUCCESS
        assert [r.name for r in client["Logical_Switch"]] == ["mine"]


def test_wait_until_across_clients(real_server):
    with (
        SyncIdl(real_server.remote, "OVN_Northbound") as a,
        SyncIdl(real_server.remote, "OVN_Northbound") as b,
    ):
        with a.transaction() as txn:
            txn.insert("Logical_Switch", name="from-a")
        b.wait_until(lambda: any(r.name == "from-a" for r in b["Logical_Switch"]), timeout=5)
        ev = None

        def later() -> None:
            with a.transaction() as txn:
                txn.set(a.index("Logical_Switch", "name").get("from-a"), name="renamed")

        t = threading.Timer(0.05, later)
        t.start()
        ev = b.wait_for_event("Logical_Switch", ["update"], timeout=5)
        t.join()
        assert ev.row.name == "renamed" and ev.old.name == "from-a"
