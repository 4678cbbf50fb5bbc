"""Property: random transactions through the client leave the replica equal to the server's dump.

One real ovsdb-server per test run; every hypothesis example connects a client, applies a random
sequence of transactions (each of several random operations on switches and ports: inserts,
sets, map and set mutations, deletes), and then compares the replica — and the replica of a
second client that only watched — with ``ovsdb-client dump``.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pyovn.ovsdb.client import Idl, TxnStatus

pytestmark = pytest.mark.interop

names = st.text(alphabet="abcxyz-", min_size=0, max_size=4)
small_map = st.dictionaries(st.sampled_from(["k1", "k2", "k3", "k4"]), names, max_size=3)
action = st.one_of(
    st.tuples(st.just("add_switch"), names, small_map),
    st.tuples(st.just("add_port"), st.integers(0, 50), names, st.lists(names, max_size=3)),
    st.tuples(st.just("rename"), st.integers(0, 50), names),
    st.tuples(st.just("set_map"), st.integers(0, 50), small_map),
    st.tuples(st.just("map_insert"), st.integers(0, 50), small_map),
    st.tuples(st.just("map_delete"), st.integers(0, 50), st.lists(st.sampled_from(["k1", "k2"]))),
    st.tuples(st.just("drop_port"), st.integers(0, 50)),
    st.tuples(st.just("set_tag"), st.integers(0, 50), st.one_of(st.none(), st.integers(1, 4095))),
    st.tuples(st.just("del_switch"), st.integers(0, 50)),
)
transactions = st.lists(st.lists(action, min_size=1, max_size=4), min_size=1, max_size=6)


def apply_action(idl: Idl, txn: Any, act: tuple[Any, ...]) -> None:
    switches = sorted(idl["Logical_Switch"].all(), key=lambda r: r.uuid)
    ports = sorted(idl["Logical_Switch_Port"].all(), key=lambda r: r.uuid)
    kind = act[0]
    if kind == "add_switch":
        txn.insert("Logical_Switch", name=act[1], other_config=act[2])
        return
    if kind in ("add_port", "rename", "set_map", "map_insert", "map_delete", "del_switch"):
        if not switches:
            return
        sw = switches[act[1] % len(switches)]
        if kind == "add_port":
            p = txn.insert("Logical_Switch_Port", name=act[2], addresses=act[3])
            txn.add(sw, "ports", p)
        elif kind == "rename":
            txn.set(sw, name=act[2])
        elif kind == "set_map":
            txn.set(sw, other_config=act[2])
        elif kind == "map_insert":
            txn.mutate(sw, "other_config", "insert", act[2])
        elif kind == "map_delete":
            txn.discard(sw, "other_config", *act[2])
        else:
            txn.delete(sw)
        return
    if not ports:
        return
    port = ports[act[1] % len(ports)]
    if kind == "drop_port":
        for sw in switches:
            if port.uuid in sw.ports:
                txn.discard(sw, "ports", port)
    else:
        txn.set(port, tag_request=[] if act[2] is None else act[2])


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(txns=transactions)
def test_random_transactions_keep_replica_equal_to_dump(shared_server, txns):
    async def main() -> None:
        async with (
            Idl(shared_server.remote, "OVN_Northbound") as idl,
            Idl(shared_server.remote, "OVN_Northbound") as watcher,
        ):
            for ops in txns:
                txn = idl.transaction()
                for act in ops:
                    apply_action(idl, txn, act)
                res = await txn.commit()
                # One writer: no conflicts. A transaction may fail on the schema's constraints
                # (port names are unique), which must leave the replica as it was.
                assert res.status is not TxnStatus.TRY_AGAIN, res.describe()
                if res.status is TxnStatus.ERROR:
                    assert res.error["error"] == "constraint violation", res.describe()
            await watcher.sync()
            dump = {t: r for t, r in shared_server.dump().items() if r}
            for client in (idl, watcher):
                snap = {t: r for t, r in client.replica.snapshot().items() if r}
                assert snap == dump

    asyncio.run(asyncio.wait_for(main(), 60))
