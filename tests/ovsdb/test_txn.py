"""Transactions: operations, named uuids, commit-time integrity, read-only, wait/blocking,
locks.  (OVS's own vectors run in test_conformance_engine.py; these cover the rest.)"""

import pytest

from pyovn.ovsdb.database import Database
from pyovn.ovsdb.schema import DatabaseSchema

SCHEMA = {"name": "d", "tables": {
    "root": {"isRoot": True, "columns": {
        "name": {"type": "string"},
        "kids": {"type": {"key": {"type": "uuid", "refTable": "kid"}, "min": 0,
                          "max": "unlimited"}},
        "weak": {"type": {"key": {"type": "uuid", "refTable": "kid", "refType": "weak"},
                          "min": 0, "max": "unlimited"}},
        "ids": {"type": {"key": "string", "value": "string", "min": 0, "max": "unlimited"}}},
        "indexes": [["name"]]},
    "kid": {"columns": {"n": {"type": "integer"}}},
}}


@pytest.fixture
def db():
    return Database(DatabaseSchema.from_json(SCHEMA))


def run(db, *ops, **kw):
    r = db.transact(list(ops), **kw)
    if r.changes:
        db.commit(r.changes, comment=r.comment)
    return r


def test_insert_select_with_named_uuids(db):
    r = run(db, {"op": "insert", "table": "kid", "row": {"n": 1}, "uuid-name": "k"},
            {"op": "insert", "table": "root",
             "row": {"name": "a", "kids": ["named-uuid", "k"], "ids": ["map", [["x", "y"]]]}},
            {"op": "select", "table": "root", "where": [["kids", "includes", ["named-uuid", "k"]]],
             "columns": ["name", "ids"]})
    kid = r.results[0]["uuid"][1]
    assert r.results[2] == {"rows": [{"name": "a", "ids": ["map", [["x", "y"]]]}]}
    assert set(db.tables["kid"].rows) == {kid}
    assert db.refcount[kid] == 1


def test_gc_and_strong_refs(db):
    # An unreferenced row of a non-root table is collected at once.
    run(db, {"op": "insert", "table": "kid", "row": {"n": 1}})
    assert not db.tables["kid"].rows
    run(db, {"op": "insert", "table": "kid", "row": {"n": 1}, "uuid-name": "k"},
        {"op": "insert", "table": "root", "row": {"name": "a", "kids": ["named-uuid", "k"]}})
    r = run(db, {"op": "delete", "table": "kid", "where": []})
    assert r.results[-1]["error"] == "referential integrity violation"
    assert "because of 1 remaining reference(s)" in r.results[-1]["details"]
    # Dropping the reference collects the kid.
    r = run(db, {"op": "update", "table": "root", "where": [], "row": {"kids": ["set", []]}})
    assert r.results == [{"count": 1}] and not db.tables["kid"].rows
    assert not db.refcount


def test_weak_refs_vanish(db):
    run(db, {"op": "insert", "table": "kid", "row": {"n": 1}, "uuid-name": "k"},
        {"op": "insert", "table": "root", "row": {"name": "a", "kids": ["named-uuid", "k"]}},
        {"op": "insert", "table": "root", "row": {"name": "b", "weak": ["named-uuid", "k"]}})
    (b,) = [r for r in db.tables["root"].rows.values() if r["name"] == "b"]
    assert len(b["weak"]) == 1
    run(db, {"op": "update", "table": "root", "where": [["name", "==", "a"]],
             "row": {"kids": ["set", []]}})
    (b,) = [r for r in db.tables["root"].rows.values() if r["name"] == "b"]
    assert b["weak"] == frozenset() and not db.weak_in


def test_index_violation_and_null_padding(db):
    r = run(db, {"op": "insert", "table": "root", "row": {"name": "a"}},
            {"op": "insert", "table": "root", "row": {"name": "a"}})
    assert len(r.results) == 3 and r.results[2]["error"] == "constraint violation"
    assert r.changes is None and not db.tables["root"].rows
    r = run(db, {"op": "abort"}, {"op": "insert", "table": "root", "row": {}})
    assert r.results == [{"error": "aborted", "details": "aborted by request"}, None]


def test_read_only_and_locks(db):
    r = run(db, {"op": "insert", "table": "root", "row": {}}, read_only=True)
    assert r.results[0]["error"] == "not allowed"
    assert run(db, {"op": "select", "table": "root", "where": []},
               read_only=True).results == [{"rows": []}]
    assert run(db, {"op": "assert", "lock": "l"}).results[0]["error"] == "not owner"
    assert run(db, {"op": "assert", "lock": "l"}, locks=frozenset({"l"})).results == [{}]


def test_wait_blocks_then_times_out(db):
    op = {"op": "wait", "table": "root", "where": [], "columns": ["name"], "until": "==",
          "rows": [{"name": "a"}], "timeout": 1000}
    r = db.transact([op], now_ms=0, started_ms=0)
    assert r.blocked and r.timeout_ms == 1000
    r = db.transact([op], now_ms=1500, started_ms=0)
    assert not r.blocked and r.results[0]["error"] == "timed out"
    run(db, {"op": "insert", "table": "root", "row": {"name": "a"}})
    assert db.transact([op]).results == [{}]
    assert db.transact([{**op, "timeout": 0, "until": "!="}]).results[0]["error"] == "timed out"


def test_comment_and_durable(db):
    r = run(db, {"op": "comment", "comment": "hi"}, {"op": "commit", "durable": True},
            {"op": "insert", "table": "root", "row": {"name": "x"}})
    assert r.comment == "hi" and r.durable and r.changes


def test_versions_change_on_modify(db):
    run(db, {"op": "insert", "table": "root", "row": {"name": "a"}})
    (row,) = db.tables["root"].rows.values()
    run(db, {"op": "mutate", "table": "root", "where": [],
             "mutations": [["ids", "insert", ["map", [["k", "v"]]]]]})
    (row2,) = db.tables["root"].rows.values()
    assert row2["_version"] != row["_version"] and row["ids"] == {}   # old row untouched
    # A no-op update changes nothing.
    r = run(db, {"op": "update", "table": "root", "where": [], "row": {"name": "a"}})
    assert r.results == [{"count": 1}] and r.changes is None
