"""Database: commits keep indexes and reference counts; file records round trip (full values
and OVS 3.1's "_is_diff" records); history for monitor_cond_since."""

import json
from pathlib import Path

import pytest

import pyovn.schemas
from pyovn.ovsdb.database import Database
from pyovn.ovsdb.schema import DatabaseSchema

NB = DatabaseSchema.from_json(json.loads(
    (Path(pyovn.schemas.__file__).parent / "ovn-nb.ovsschema").read_text()))


def contents(db):
    return {t: {u: {c: v for c, v in r.items() if c != "_version"} for u, r in tab.rows.items()}
            for t, tab in db.tables.items() if tab.rows}


@pytest.mark.parametrize("is_diff", [True, False])
def test_records_replay(is_diff):
    db2, db3 = Database(NB), Database(NB)
    recs = []
    for ops in _replay_ops():
        r = db3.transact(ops)
        assert r.changes, r.results
        rec = db3.record_of(r.changes, comment="c", date_ms=1, is_diff=is_diff)
        assert rec["_comment"] == "c" and rec["_date"] == 1
        recs.append(rec)
        db3.commit(r.changes)
    for rec in recs:
        db2.apply_record(rec)
    assert contents(db2) == contents(db3)
    assert db2.refcount == db3.refcount
    # The snapshot record rebuilds it too.
    db4 = Database(NB)
    db4.apply_record(db3.snapshot_record())
    assert contents(db4) == contents(db3)


def _replay_ops():
    yield [{"op": "insert", "table": "Logical_Switch", "row": {"name": "ls"}}]
    for i in range(4):
        yield [{"op": "insert", "table": "Logical_Switch_Port", "row": {"name": f"p{i}"},
                "uuid-name": "p"},
               {"op": "mutate", "table": "Logical_Switch", "where": [],
                "mutations": [["ports", "insert", ["set", [["named-uuid", "p"]]]],
                              ["external_ids", "insert", ["map", [[f"k{i}", "v"]]]]]}]
    yield [{"op": "mutate", "table": "Logical_Switch", "where": [],
            "mutations": [["external_ids", "delete", ["set", ["k0"]]]]}]
    yield [{"op": "update", "table": "Logical_Switch", "where": [], "row": {"ports": ["set", []]}}]


def test_real_ovs_diff_record():
    # A record as ovsdb-server 3.1 writes it (insert, then a set/map diff).
    db = Database(DatabaseSchema.from_json({"name": "t", "tables": {"a": {"columns": {
        "i": {"type": "integer"},
        "s": {"type": {"key": "string", "min": 0, "max": "unlimited"}},
        "m": {"type": {"key": "string", "value": "string", "min": 0, "max": "unlimited"}}}}}}))
    u = "4e5701e3-b33f-44a5-9823-54bbc62fe8aa"
    db.apply_record({"_date": 1, "a": {u: {"m": ["map", [["a", "b"]]], "i": 1,
                                           "s": ["set", ["x", "y"]]}}, "_is_diff": True})
    db.apply_record({"_date": 2, "a": {u: {"m": ["map", [["c", "d"]]], "s": "z"}},
                     "_is_diff": True})
    row = db.tables["a"].rows[u]
    assert row["s"] == frozenset("xyz") and row["m"] == {"a": "b", "c": "d"} and row["i"] == 1
    db.apply_record({"a": {u: None}})
    assert not db.tables["a"].rows


def test_indexes_and_history():
    db = Database(NB)
    first = db.last_txn_id
    r = db.transact([{"op": "insert", "table": "Logical_Switch", "row": {"name": "x"}}])
    db.commit(r.changes)
    t1 = db.last_txn_id
    r = db.transact([{"op": "insert", "table": "Address_Set", "row": {"name": "as"}}])
    db.commit(r.changes)
    assert db.tables["Address_Set"].indexes[0] == {("as",): next(iter(
        db.tables["Address_Set"].rows))}
    assert db.changes_since(t1) == [r.changes]
    assert db.changes_since("nope") is None and first is None
    r = db.transact([{"op": "delete", "table": "Address_Set", "where": []}])
    db.commit(r.changes)
    assert db.tables["Address_Set"].indexes[0] == {}
