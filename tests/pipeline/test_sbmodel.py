"""SbModel: row-by-row events build what from_rows builds, in any order and through any change;
real IDL events; change records; ovn-trace's tie order; stale compiled state cleared."""

from __future__ import annotations

import asyncio
import copy
import random
from typing import Any

import pipeline_rows as P
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pyovn.pipeline.sbmodel import SbModel
from pyovn.pipeline.sbtypes import hmap_mask
from pyovn.pipeline.tables import LogicalTables

# A spread of recordings: switches, routers, gateways, load balancers, port groups, DP groups.
SAMPLE = [d.name for d in P.recorded_dirs() if d.name.split("-")[0] in (
    "01", "06", "13", "15", "19", "27", "40", "nat06", "l04", "81")]


def _ordered(rows: P.Rows, rnd: random.Random) -> list[tuple[str, str, dict[str, Any]]]:
    events = [(t, u, r) for t, rs in rows.items() for u, r in rs.items()]
    rnd.shuffle(events)
    return events


def _by_events(rows: P.Rows, rnd: random.Random) -> SbModel:
    m = SbModel()
    for table, uuid, row in _ordered(rows, rnd):
        m.apply(table, "create", {**row, "_uuid": uuid})
    m.settle_order()
    return m


def test_sample_is_varied():
    assert len(SAMPLE) >= 8
    rows = [P.recorded_rows(n) for n in SAMPLE]
    assert any(r["Logical_DP_Group"] for r in rows)
    assert any(r["Port_Group"] for r in rows)
    assert any(p["type"] == "chassisredirect" for r in rows for p in r["Port_Binding"].values())


@pytest.mark.parametrize("name", SAMPLE)
def test_events_in_any_order_equal_from_rows(name):
    rows = P.recorded_rows(name)
    want = SbModel.from_rows(rows).snapshot()
    for seed in range(3):
        assert _by_events(rows, random.Random(seed)).snapshot() == want


def _mutations(rows: P.Rows, rnd: random.Random, n: int) -> list[tuple[str, str, str, Any]]:
    """Random changes of the kinds a Southbound sees, (table, event, uuid, new row), keeping
    the schema's unique indexes unique (names, tunnel keys)."""
    out = []
    dps = list(rows["Datapath_Binding"])
    fresh = iter(range(1000, 10**6))
    for _ in range(n):
        table = rnd.choice([t for t, r in rows.items() if r and t != "Chassis"] + ["Chassis"])
        cur = rows[table]
        kind = rnd.choice(["delete", "update", "create"]) if cur else "create"
        if kind == "create" or not cur:
            uuid = f"{rnd.getrandbits(32):08x}-0000-4000-8000-{rnd.getrandbits(48):012x}"
            k = next(fresh)
            if table == "Chassis":
                row = {"name": f"ch{k}", "hostname": "h", "encaps": frozenset(),
                       "other_config": {}, "external_ids": {}}
            elif not cur:
                continue
            else:
                row = copy.deepcopy(cur[rnd.choice(list(cur))])
                if table == "Logical_Flow":
                    row["priority"] = rnd.choice([row["priority"], rnd.randint(0, 100)])
                elif table == "Port_Binding":
                    row["logical_port"] = f"p{k}"
                    row["tunnel_key"] = k
                elif table == "Datapath_Binding":
                    row["tunnel_key"] = k
                elif table == "Multicast_Group":
                    row["name"], row["tunnel_key"] = f"mc{k}", 40000 + k
                elif table in ("Address_Set", "Port_Group"):
                    row["name"] = f"set{k}"
                elif table == "MAC_Binding":
                    row["ip"] = f"10.200.{k // 250}.{k % 250}"
                elif table == "FDB":
                    row["mac"] = f"00:00:00:00:{k >> 8 & 255:02x}:{k & 255:02x}"
            out.append((table, "create", uuid, row))
            cur[uuid] = row
        elif kind == "delete":
            uuid = rnd.choice(list(cur))
            out.append((table, "delete", uuid, cur.pop(uuid)))
        else:
            uuid = rnd.choice(list(cur))
            row = copy.deepcopy(cur[uuid])
            if table == "Port_Binding":
                ch = list(rows["Chassis"])
                row["chassis"] = frozenset(rnd.sample(ch, 1)) if ch and rnd.random() < .7 \
                    else frozenset()
                row["up"] = frozenset({rnd.random() < .5})
            elif table == "Multicast_Group":
                pbs = list(rows["Port_Binding"])
                row["ports"] = frozenset(rnd.sample(pbs, min(len(pbs), rnd.randint(0, 4))))
            elif table == "Logical_DP_Group" and dps:
                row["datapaths"] = frozenset(rnd.sample(dps, rnd.randint(0, len(dps))))
            elif table == "Address_Set":
                row["addresses"] = frozenset({f"10.9.9.{rnd.randint(1, 9)}"})
            elif table == "Datapath_Binding":
                row["tunnel_key"] = next(fresh)
            elif table == "Logical_Flow":
                row["priority"] = rnd.randint(0, 100)
            elif table == "Chassis":
                row["name"] = f"ch{next(fresh)}"
            out.append((table, "update", uuid, row))
            cur[uuid] = row
    return out


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(SAMPLE), st.randoms(use_true_random=False), st.integers(1, 40))
def test_any_changes_row_by_row_equal_from_rows_of_the_result(name, rnd, n):
    rows = copy.deepcopy(P.recorded_rows(name))
    m = SbModel.from_rows(rows)
    for table, event, uuid, row in _mutations(rows, rnd, n):
        m.apply(table, event, {**row, "_uuid": uuid})
    m.settle_order()
    assert m.snapshot() == SbModel.from_rows(rows).snapshot()


def test_idl_events_build_the_replicas_model():
    """Real IDL events (Row views, "create"/"update"/"delete") through Idl.watch."""
    from pyovn.testing.memory import InProcessServer

    rows = P.recorded_rows(next(n for n in SAMPLE if n.startswith("13")))

    async def run() -> None:
        async with InProcessServer("OVN_Southbound") as srv:
            idl = await srv.idl("OVN_Southbound")
            m = SbModel()
            m.watch(idl)
            async with idl.transaction() as txn:
                for table in ("Datapath_Binding", "Port_Binding", "Multicast_Group",
                              "Address_Set", "Port_Group", "Logical_DP_Group",
                              "Logical_Flow"):
                    for uuid, row in rows[table].items():
                        txn.insert(table, uuid=uuid, **row)
            await idl.sync()

            def replica() -> SbModel:
                snap = idl.replica.snapshot()
                return SbModel.from_rows({t: snap.get(t, {}) for t in rows})

            m.settle_order()
            assert m.snapshot() == replica().snapshot()
            assert m.version > 0 and m.drain_changes().datapaths
            # Changes: a port moves to a chassis, a flow goes, an address set changes.
            pb = next(iter(idl.replica["Port_Binding"]))
            flow = next(iter(idl.replica["Logical_Flow"]))
            aset = next(iter(idl.replica["Address_Set"]))
            async with idl.transaction() as txn:
                ch = txn.insert("Chassis", name="hv9", hostname="hv9",
                                encaps=[txn.insert("Encap", type="geneve", ip="1.2.3.4",
                                                   chassis_name="hv9")])
                txn.set(pb, chassis=ch)
                txn.delete(flow)
                txn.set(aset, addresses=["10.0.0.77"])
            await idl.sync()
            m.settle_order()
            assert m.snapshot() == replica().snapshot()
            changed = m.drain_changes()
            assert pb.logical_port in changed.ports
            assert m.ports[pb.logical_port].chassis == "hv9"
            assert not m.drain_changes()

    asyncio.run(run())


def test_changes_name_what_changed_and_stale_code_is_dropped():
    dp = "d0000000-0000-4000-8000-000000000001"
    rows: P.Rows = {
        "Datapath_Binding": {dp: {"tunnel_key": 5, "external_ids": {"name": "sw"}}},
        "Address_Set": {"a1": {"name": "web", "addresses": frozenset({"10.0.0.1"})}},
        "Logical_Flow": {
            "f0000001-0000-4000-8000-000000000000": {
                "logical_datapath": frozenset({dp}), "logical_dp_group": frozenset(),
                "pipeline": "ingress", "table_id": 0, "priority": 10,
                "match": "ip4.dst == $web", "actions": "next;", "external_ids": {}},
        },
    }
    m = SbModel.from_rows(rows)
    tables = LogicalTables(m)
    d = m.find_datapath("sw")
    assert d is not None
    hit = {"eth.type": 0x0800, "ip4.dst": 0x0A000002}
    assert tables.lookup(d, "ingress", 0, hit) is None
    v = m.version
    m.apply("Address_Set", "update", {"_uuid": "a1", "name": "web",
                                      "addresses": frozenset({"10.0.0.2"})})
    assert m.version > v
    ch = m.drain_changes()
    assert ch.datapaths == {5} and ch.tables == {(5, "ingress", 0)}
    assert tables.lookup(d, "ingress", 0, hit) is not None
    m.apply("Port_Binding", "create", {"_uuid": "pb1", "logical_port": "p1", "datapath": dp,
                                       "tunnel_key": 3, "type": ""})
    ch = m.drain_changes()
    assert ch.ports == {"p1"} and ch.datapaths == {5} and not ch.tables
    # Only `up` changes: the version moves, nothing a cache reads changed.
    m.apply("Port_Binding", "update", {"_uuid": "pb1", "logical_port": "p1", "datapath": dp,
                                       "tunnel_key": 3, "type": "", "up": frozenset({True})})
    assert m.ports["p1"].up and not m.drain_changes()
    m.apply("FDB", "create", {"_uuid": "fdb1", "dp_key": 5, "mac": "00:00:00:00:00:01",
                              "port_key": 3})
    assert m.drain_changes().fdb == {(5, "00:00:00:00:00:01")}
    assert m.fdb_port(d, "00:00:00:00:00:01") is m.ports["p1"]


def test_rows_may_arrive_before_what_they_refer_to_and_wait_again():
    rows = P.recorded_rows(SAMPLE[1])
    want = SbModel.from_rows(rows).snapshot()
    m = SbModel()
    m.flow_mask = hmap_mask(P.n_flows(rows))
    order = ["Logical_Flow", "Multicast_Group", "Port_Binding", "Logical_DP_Group",
             "Datapath_Binding", "Port_Group", "Address_Set", "Chassis", "MAC_Binding", "FDB",
             "Load_Balancer", "DNS"]
    for t in order:
        for u, r in rows[t].items():
            m.apply(t, "create", {**r, "_uuid": u})
    assert m.snapshot() == want
    # A datapath row deleted and created again (a monitor condition change): all comes back.
    u, r = next(iter(rows["Datapath_Binding"].items()))
    m.apply("Datapath_Binding", "delete", {**r, "_uuid": u})
    assert u not in m.datapaths and not any(p.datapath and p.datapath.uuid == u
                                            for p in m.ports.values())
    m.apply("Datapath_Binding", "create", {**r, "_uuid": u})
    assert m.snapshot() == want


def test_ties_keep_ovn_trace_bucket_order():
    assert [hmap_mask(n) for n in (1, 2, 4, 7, 8, 572)] == [0, 1, 3, 3, 7, 511]
    dp = "d0000000-0000-4000-8000-000000000001"

    def flow(u: str) -> dict[str, Any]:
        return {"logical_datapath": frozenset({dp}), "logical_dp_group": frozenset(),
                "pipeline": "ingress", "table_id": 0, "priority": 5, "match": "1",
                "actions": "next;", "external_ids": {}}

    uuids = [f"{b:08x}-0000-4000-8000-000000000000" for b in (0xFFFF0001, 0x00000002,
                                                                0x00000009, 0x80000000)]
    rows = {"Datapath_Binding": {dp: {"tunnel_key": 1, "external_ids": {}}},
            "Logical_Flow": {u: flow(u) for u in uuids}}
    m = SbModel.from_rows(rows)  # 4 flows: mask 3
    got = [f.uuid[:8] for f in m.datapaths[dp].table("ingress", 0)]
    # Buckets (first 32 bits & 3): 0 -> 80000000; 1 -> 00000009, ffff0001; 2 -> 00000002.
    assert got == ["80000000", "00000009", "ffff0001", "00000002"]
    # Built by events, uuid order until the mask is settled.
    e = SbModel()
    for u in reversed(uuids):
        e.apply("Logical_Flow", "create", {**flow(u), "_uuid": u})
    e.apply("Datapath_Binding", "create", {"_uuid": dp, "tunnel_key": 1, "external_ids": {}})
    assert [f.uuid[:8] for f in e.datapaths[dp].table("ingress", 0)] == sorted(
        u[:8] for u in uuids)
    assert e.settle_order()
    assert [f.uuid[:8] for f in e.datapaths[dp].table("ingress", 0)] == got
