"""The replica alone (no server): update application, snapshots, old values, indexes, threads."""

from __future__ import annotations

import threading
import time

import orjson
import pytest

from pyovn import schemas
from pyovn.ovsdb.client.replica import Replica, RowEvent
from pyovn.ovsdb.schema import DatabaseSchema

NB_SCHEMA = schemas.path("OVN_Northbound")
SCHEMA = DatabaseSchema.from_json(orjson.loads(NB_SCHEMA.read_bytes()))
U1 = "11111111-1111-1111-1111-111111111111"
U2 = "22222222-2222-2222-2222-222222222222"
PORTS = [f"00000000-0000-0000-0000-{i:012d}" for i in range(10_000)]


def new_replica() -> Replica:
    r = Replica(SCHEMA, {"Logical_Switch": None, "Logical_Switch_Port": None})
    r.want_events("Logical_Switch")
    r.want_events("Logical_Switch_Port")
    return r


def insert_switch(r: Replica, uuid: str = U1, **row) -> list[RowEvent]:
    return r.apply_update2({"Logical_Switch": {uuid: {"insert": row}}})


def modify(r: Replica, uuid: str = U1, **diff) -> list[RowEvent]:
    return r.apply_update2({"Logical_Switch": {uuid: {"modify": diff}}})


def test_insert_defaults_and_python_values():
    r = new_replica()
    [ev] = insert_switch(r, name="sw", other_config=["map", [["a", "1"]]])
    assert ev.event == "create" and ev.old is None
    row = r.get("Logical_Switch", U1)
    assert row.name == "sw" and row.other_config == {"a": "1"}
    assert row.ports == [] and row.copp == []  # an optional reference reads as a list
    assert row.raw("ports") == frozenset() and row.raw("other_config") == {"a": "1"}
    with pytest.raises(AttributeError):
        row.name = "x"
    with pytest.raises(AttributeError):
        _ = row.no_such_column
    # Values handed out are copies: mutating them changes nothing inside.
    row.other_config["b"] = "2"
    assert r.get("Logical_Switch", U1).other_config == {"a": "1"}


def test_modify_set_map_scalar_and_old_values():
    r = new_replica()
    insert_switch(
        r, name="sw", ports=["set", [["uuid", U2]]], other_config=["map", [["a", "1"], ["b", "2"]]]
    )
    held = r.get("Logical_Switch", U1)
    [ev] = modify(
        r,
        name="sw2",
        ports=["set", [["uuid", U2], ["uuid", PORTS[1]]]],
        other_config=["map", [["a", "1"], ["b", "3"], ["c", "4"]]],
    )
    new, old = ev.row, ev.old
    assert new.name == "sw2" and new.ports == [PORTS[1]]
    assert new.other_config == {"b": "3", "c": "4"}
    assert old.name == "sw" and old.ports == [U2] and old.other_config == {"a": "1", "b": "2"}
    assert old.changed == {"name", "ports", "other_config"}
    assert not hasattr(old, "external_ids")
    # The snapshot taken before the update is unchanged.
    assert held.name == "sw" and held.ports == [U2] and held.other_config == {"a": "1", "b": "2"}
    # Old values stay right after later updates, too.
    modify(r, ports=["set", [["uuid", PORTS[2]]]], other_config=["map", [["b", "3"]]])
    assert old.ports == [U2] and old.other_config == {"a": "1", "b": "2"}
    assert new.ports == [PORTS[1]] and new.other_config == {"b": "3", "c": "4"}
    latest = r.get("Logical_Switch", U1)
    assert sorted(latest.ports) == sorted([PORTS[1], PORTS[2]])
    assert latest.other_config == {"c": "4"}


def test_single_element_columns_take_new_value_or_symmetric_difference():
    r = new_replica()
    r.apply_update2({"Logical_Switch_Port": {U2: {"insert": {"name": "p", "tag_request": 5}}}})

    def mod(**d):
        return r.apply_update2({"Logical_Switch_Port": {U2: {"modify": d}}})

    [ev] = mod(tag_request=6)  # ovsdb-server's form: the new value
    assert ev.row.tag_request == [6] and ev.old.tag_request == [5]
    mod(tag_request=["set", []])
    assert r.get("Logical_Switch_Port", U2).tag_request == []
    mod(tag_request=7)
    mod(tag_request=["set", [7, 8]])  # the symmetric-difference form
    assert r.get("Logical_Switch_Port", U2).tag_request == [8]
    mod(tag_request=8)  # symmetric difference removing the only element
    assert r.get("Logical_Switch_Port", U2).tag_request == []


def test_delete_and_reset_events():
    r = new_replica()
    insert_switch(r, U1, name="a")
    insert_switch(r, U2, name="b")
    [ev] = r.apply_update2({"Logical_Switch": {U1: {"delete": None}}})
    assert ev.event == "delete" and ev.row.name == "a"
    events = r.reset(
        {
            "Logical_Switch": {
                U2: {"initial": {"name": "b"}},
                PORTS[0]: {"initial": {"name": "c"}},
            }
        }
    )
    assert [(e.event, e.row.name) for e in events] == [("create", "c")]
    events = r.reset({"Logical_Switch": {U2: {"initial": {"name": "b2"}}}})
    assert sorted((e.event, e.row.name) for e in events) == [("delete", "c"), ("update", "b2")]
    [upd] = [e for e in events if e.event == "update"]
    assert upd.old.name == "b" and upd.old.changed == {"name"}


def test_indexes_are_incremental():
    r = new_replica()
    by_name = r["Logical_Switch"].index("name")
    insert_switch(r, U1, name="a")
    insert_switch(r, U2, name="a")
    assert {x.uuid for x in by_name.lookup("a")} == {U1, U2}
    with pytest.raises(ValueError):
        by_name.get("a")
    modify(r, U2, name="b")
    assert by_name.get("b").uuid == U2 and by_name.get("a").uuid == U1
    r.apply_update2({"Logical_Switch": {U1: {"delete": None}}})
    assert by_name.get("a") is None and len(by_name) == 1
    assert r["Logical_Switch"].where(name="b")[0].uuid == U2


def test_resolve_refs():
    r = Replica(SCHEMA, {"Logical_Switch": None, "Logical_Switch_Port": None}, resolve_refs=True)
    r.apply_update2({"Logical_Switch_Port": {U2: {"insert": {"name": "p"}}}})
    r.apply_update2(
        {
            "Logical_Switch": {
                U1: {"insert": {"name": "s", "ports": ["set", [["uuid", U2], ["uuid", PORTS[5]]]]}}
            }
        }
    )
    (port,) = r.get("Logical_Switch", U1).ports  # the dangling reference is left out
    assert port.name == "p" and port.uuid == U2


def _big_switch() -> Replica:
    r = Replica(SCHEMA, {"Logical_Switch": ["name", "ports"]})
    insert_switch(r, name="big", ports=["set", [["uuid", u] for u in PORTS]])
    return r


def test_modify_of_big_set_costs_the_diff_not_the_set():
    r = _big_switch()
    n = 2000
    toggle = [{"Logical_Switch": {U1: {"modify": {"ports": ["uuid", U2]}}}}] * n
    t0 = time.perf_counter()
    for msg in toggle:
        r.apply_update2(msg)
    t_modify = time.perf_counter() - t0
    src = set(PORTS)
    t0 = time.perf_counter()
    for _ in range(n):
        set(src)
    t_copy = time.perf_counter() - t0
    assert len(r.get("Logical_Switch", U1).ports) == 10_000
    # One 1-element modify must be far cheaper than copying the 10,000-element set once.
    assert t_modify < t_copy / 5, (t_modify, t_copy)
    # With events on (and nobody keeping the rows), still O(diff).
    r.want_events("Logical_Switch")
    t0 = time.perf_counter()
    for msg in toggle:
        r.apply_update2(msg)
    assert time.perf_counter() - t0 < t_copy / 3


def test_readers_in_other_threads_see_whole_messages():
    r = _big_switch()
    stop = threading.Event()
    errors: list[BaseException] = []
    sizes: set[int] = set()

    def reader() -> None:
        try:
            while not stop.is_set():
                row = r.get("Logical_Switch", U1)
                sizes.add(len(row.ports))
                # A held snapshot never changes, even while the writer goes on.
                assert len(row.ports) == len(row.ports)
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=reader) for _ in range(3)]
    for t in threads:
        t.start()
    # Each message adds two and removes one element: a reader must never see a count between.
    for i in range(3000):
        r.apply_update2(
            {
                "Logical_Switch": {
                    U1: {
                        "modify": {
                            "ports": [
                                "set",
                                [
                                    ["uuid", PORTS[i]],
                                    ["uuid", f"ffffffff-0000-0000-0000-{i:012d}"],
                                    ["uuid", f"eeeeeeee-0000-0000-0000-{i:012d}"],
                                ],
                            ]
                        }
                    }
                }
            }
        )
    stop.set()
    for t in threads:
        t.join()
    assert not errors, errors
    assert all(s >= 10_000 for s in sizes)
    assert len(r.get("Logical_Switch", U1).ports) == 13_000


def test_select_uses_the_shared_condition_semantics():
    r = new_replica()
    insert_switch(
        r,
        U1,
        name="a",
        other_config=["map", [["k", "1"]]],
        ports=["set", [["uuid", PORTS[0]], ["uuid", PORTS[1]]]],
    )
    insert_switch(r, U2, name="b")
    t = r["Logical_Switch"]
    assert [x.uuid for x in t.select([["name", "==", "a"]])] == [U1]
    assert [x.uuid for x in t.select([["other_config", "includes", ["map", [["k", "1"]]]]])] == [U1]
    assert [x.uuid for x in t.select([["ports", "includes", ["uuid", PORTS[1]]]])] == [U1]
    assert [x.uuid for x in t.select([["ports", "==", ["set", []]]])] == [U2]
    assert [x.uuid for x in t.select([["_uuid", "==", ["uuid", U2]]])] == [U2]
    assert sorted(x.uuid for x in t.select([])) == [U1, U2]
    assert t.select([["name", "!=", "a"], ["name", "!=", "b"]]) == []


def test_canonical_rows_are_each_rows_to_dict_and_own_their_containers():
    r = new_replica()
    insert_switch(r, name="sw", ports=["set", [["uuid", U2]]],
                  other_config=["map", [["a", "1"]]])
    insert_switch(r, U2, name="sw2")
    rows = r.tables["Logical_Switch"].canonical_rows()
    assert rows == {u: r.get("Logical_Switch", u).to_dict() for u in (U1, U2)}
    assert rows[U1]["ports"] == frozenset({U2}) and rows[U1]["_uuid"] == U1
    rows[U1]["other_config"]["b"] = "2"  # a new dict: the replica's map is not shared
    modify(r, ports=["uuid", U2])  # the replica's set changes; the rows taken before do not
    assert r.get("Logical_Switch", U1).raw("other_config") == {"a": "1"}
    assert rows[U1]["ports"] == frozenset({U2})
    assert r.get("Logical_Switch", U1).raw("ports") == frozenset()
