"""LargeSet: the persistent set large set columns take on mutation, and the engine with it."""

from __future__ import annotations

import pickle
import random

import pytest
from test_monitor import NB, PG_COLUMNS, _random_txn, _setup_ops  # same directory (rootdir import)

import pyovn.ovsdb.largeset as largeset
from pyovn.ovsdb.database import Database
from pyovn.ovsdb.largeset import LargeSet, grow
from pyovn.ovsdb.monitor import Monitor

pytest.importorskip("immutables")


def test_behaves_as_frozenset():
    rng = random.Random(3)
    ref = frozenset(range(3000))
    s = grow(ref)
    assert isinstance(s, LargeSet)
    for _ in range(200):
        arg = frozenset(rng.sample(range(3200), rng.randint(0, 5)))
        k = rng.random()
        if k < 0.4:
            ref, s = ref | arg, s | arg
        elif k < 0.6:
            ref, s = ref ^ arg, s ^ arg
        else:
            ref, s = ref - arg, s - arg
        assert s == ref and ref == s and (s != ref) is False and len(s) == len(ref)
        assert hash(s) == hash(ref)
        assert sorted(s) == sorted(ref)
    assert s | frozenset() is s and s - frozenset({-1}) is s
    big = frozenset(range(1000, 5000))
    assert s | big == ref | big and big | s == big | ref
    assert s - big == ref - big and big - s == big - ref
    assert s & big == ref & big and big & s == big & ref
    assert s ^ big == ref ^ big and big ^ s == big ^ ref
    assert frozenset({1, 2}) <= s and s >= frozenset({1, 2}) and not s <= frozenset({1})
    assert s.issuperset([1, 2]) and s.union([-5]) == ref | {-5}
    assert s.difference([1]) == ref - {1} and s.intersection([1, -7]) == ref & {1, -7}
    assert pickle.loads(pickle.dumps(s)) == ref
    assert {s: 1}[ref] == 1
    small = s - frozenset(range(100, 3200))
    assert type(small) is frozenset and small == ref - frozenset(range(100, 3200))


def test_engine_with_large_sets(monkeypatch):
    """Random mutations with LargeSet above a tiny threshold: hinted monitor updates and file
    records equal the full recompute, and replaying the records gives the same rows."""
    monkeypatch.setattr(largeset, "THRESHOLD", 4)
    db = Database(NB)
    replica = Database(NB)
    r = db.transact(_setup_ops())
    assert r.changes, r.results
    db.commit(r.changes)
    replica.apply_record(db.record_of(r.changes, date_ms=1))
    ports = sorted(db.tables["Logical_Switch_Port"].rows)
    mon = Monitor(db, None, {"Port_Group": {"columns": PG_COLUMNS},
                             "Logical_Switch": {"columns": ["ports"]}}, 2)
    rng = random.Random(11)
    large = 0
    for _ in range(400):
        ops = _random_txn(rng, ports)
        if rng.random() < 0.05:   # a port goes: the port group's weak reference goes too
            ops.append({"op": "mutate", "table": "Logical_Switch", "where": [],
                        "mutations": [["ports", "delete", ["uuid", rng.choice(ports)]]]})
        r = db.transact(ops)
        if not r.changes:
            continue
        db.commit(r.changes)
        large += sum(isinstance(v, LargeSet) for tbl in db.tables.values()
                     for row in tbl.rows.values() for v in row.values())
        hints = db.set_diff_hints(r.changes)
        full = dict(r.changes)
        assert mon.changes_to_json(r.changes, hints) == mon.changes_to_json(full)
        record = db.record_of(r.changes, date_ms=1)
        assert record == db.record_of(full, date_ms=1)
        if record is not None:
            replica.apply_record(record)
    assert large > 100
    for t, tbl in db.tables.items():
        assert set(replica.tables[t].rows) == set(tbl.rows)
        for u, row in tbl.rows.items():
            got = replica.tables[t].rows[u]
            assert {c: v for c, v in got.items() if c != "_version"} == {
                c: v for c, v in row.items() if c != "_version"}
    fresh = Database(NB)
    fresh.apply_record(db.snapshot_record(date_ms=1))
    for t, tbl in db.tables.items():
        for u, row in tbl.rows.items():
            assert {c: v for c, v in fresh.tables[t].rows[u].items() if c != "_version"} == {
                c: v for c, v in row.items() if c != "_version"}


def test_conditions_on_large_sets():
    from pyovn.ovsdb.condition import compile_where

    ts = NB.tables["Port_Group"]
    uuids = [f"00000000-0000-4000-8000-{i:012x}" for i in range(3000)]
    ref = frozenset(uuids[:2000])
    large = grow(ref)
    assert isinstance(large, LargeSet)
    for func, arg in [("includes", uuids[:3]), ("includes", uuids[1999:2001]),
                      ("excludes", uuids[2500:2503]), ("excludes", uuids[5:7]),
                      ("==", uuids[:2000]), ("!=", uuids[:2000]), ("==", uuids[:3]),
                      ("includes", []), ("excludes", [])]:
        cond = compile_where(ts, [["ports", func, ["set", [["uuid", u] for u in arg]]]], None)
        assert cond.match({"ports": large}) == cond.match({"ports": ref}), (func, len(arg))
