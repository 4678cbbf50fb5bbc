"""Monitor conditions indexed (condition.ConditionIndex) and updates made for all monitors at once
(monitor.MonitorSet): the same monitors selected, and the same update contents, as evaluating
each monitor alone (Monitor.changes_to_json, the reference) — for conditions with ==, includes,
!=, excludes, ordering, true/false and mixes of them, and as monitor_cond_change moves monitors
between the index, the scan list and the unconditional groups."""

from __future__ import annotations

import random
from typing import Any

import orjson
import pytest

from pyovn.ovsdb.condition import ConditionIndex, compile_monitor_condition
from pyovn.ovsdb.database import Database
from pyovn.ovsdb.monitor import Monitor, MonitorSet
from pyovn.ovsdb.schema import DatabaseSchema

_COLUMNS = {
    "name": {"type": "string"},
    "kind": {"type": "string"},
    "n": {"type": "integer"},
    "tags": {"type": {"key": "string", "min": 0, "max": "unlimited"}},
    "num": {"type": {"key": "integer", "min": 0, "max": 1}},
    "flag": {"type": {"key": "boolean", "min": 0, "max": 1}},
    "ref": {"type": {"key": "uuid", "min": 0, "max": 1}},
    "m": {"type": {"key": "string", "value": "string", "min": 0, "max": "unlimited"}},
}
SCHEMA = DatabaseSchema.from_json({
    "name": "Test", "version": "1.0.0",
    "tables": {"T": {"columns": _COLUMNS, "isRoot": True},
               "U": {"columns": _COLUMNS, "isRoot": True}}})
REFS = ["11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"]
NAMES = ["n0", "n1", "n2", "n3"]
TAGS = ["x", "y", "z"]


def _random_clause(rng: random.Random) -> Any:
    c = rng.randrange(22)
    return [
        True, False,
        ["name", "==", rng.choice(NAMES)], ["name", "!=", rng.choice(NAMES)],
        ["name", "includes", rng.choice(NAMES)], ["name", "excludes", rng.choice(NAMES)],
        ["kind", "==", rng.choice("abc")], ["n", "==", rng.randrange(3)],
        ["n", "<", rng.randrange(3)], ["n", ">=", rng.randrange(3)],
        ["tags", "includes", ["set", [rng.choice(TAGS)]]],
        ["tags", "includes", ["set", rng.sample(TAGS, 2)]],
        ["tags", "includes", ["set", []]],
        ["tags", "==", ["set", rng.sample(TAGS, rng.randrange(3))]],
        ["tags", "excludes", ["set", [rng.choice(TAGS)]]],
        ["num", "==", ["set", [rng.randrange(3)]] if rng.random() < 0.7 else ["set", []]],
        ["num", "<", rng.randrange(3)],
        ["flag", "==", rng.random() < 0.5],
        ["ref", "==", ["uuid", rng.choice(REFS)]],
        ["ref", "includes", ["uuid", rng.choice(REFS)]],
        ["m", "includes", ["map", [["k", rng.choice("vw")]]]],
        ["m", "==", ["map", []]],
    ][c]


def _random_where(rng: random.Random) -> Any:
    r = rng.random()
    if r < 0.1:
        return None     # no condition
    if r < 0.15:
        return []       # every row
    return [_random_clause(rng) for _ in range(rng.randint(1, 3))]


def _random_row(rng: random.Random) -> dict[str, Any]:
    row: dict[str, Any] = {}
    if rng.random() < 0.8:
        row["name"] = rng.choice(NAMES)
    if rng.random() < 0.5:
        row["kind"] = rng.choice("abc")
    if rng.random() < 0.5:
        row["n"] = rng.randrange(3)
    if rng.random() < 0.6:
        row["tags"] = ["set", rng.sample(TAGS, rng.randrange(4))]
    if rng.random() < 0.5:
        row["num"] = ["set", [rng.randrange(3)]] if rng.random() < 0.7 else ["set", []]
    if rng.random() < 0.4:
        row["flag"] = ["set", [rng.random() < 0.5]]
    if rng.random() < 0.4:
        row["ref"] = ["set", [["uuid", rng.choice(REFS)]]] if rng.random() < 0.8 else ["set", []]
    if rng.random() < 0.4:
        row["m"] = ["map", [["k", rng.choice("vw")]] if rng.random() < 0.7 else []]
    return row


def _random_txn(rng: random.Random, db: Database) -> list[Any]:
    ops: list[Any] = []
    for _ in range(rng.randint(1, 4)):
        table = rng.choice("TU")
        rows = list(db.tables[table].rows)
        r = rng.random()
        if r < 0.35 or not rows:
            ops.append({"op": "insert", "table": table, "row": _random_row(rng)})
        elif r < 0.5:
            ops.append({"op": "delete", "table": table,
                        "where": [["_uuid", "==", ["uuid", rng.choice(rows)]]]})
        elif r < 0.6:
            ops.append({"op": "mutate", "table": table,
                        "where": [["_uuid", "==", ["uuid", rng.choice(rows)]]],
                        "mutations": [["tags", rng.choice(["insert", "delete"]),
                                       ["set", [rng.choice(TAGS)]]]]})
        else:
            ops.append({"op": "update", "table": table,
                        "where": [["_uuid", "==", ["uuid", rng.choice(rows)]]],
                        "row": _random_row(rng)})
    return ops


def _random_monitor(rng: random.Random, db: Database, i: int) -> Monitor:
    version = rng.choice([1, 2, 2, 3, 3, 3])
    reqs: dict[str, Any] = {}
    for table in rng.sample("TU", rng.randint(1, 2)):
        req: dict[str, Any] = {}
        if rng.random() < 0.3:
            req["columns"] = rng.sample(list(_COLUMNS), 3)
        if rng.random() < 0.2:
            req["select"] = {rng.choice(["insert", "delete", "modify"]): False}
        where = _random_where(rng)
        if version >= 2 and where is not None:
            req["where"] = where
        reqs[table] = [req]
    return Monitor(db, f"m{i}", reqs, version)


def _check(ms: MonitorSet, monitors: list[Monitor], changes: Any, hints: Any) -> None:
    got = {m: orjson.loads(blob) for blob, mons in ms.updates(changes, hints) for m in mons}
    want = {m: u for m in monitors if (u := m.changes_to_json(changes, hints))}
    assert set(got) == set(want)
    for m, u in want.items():
        assert orjson.dumps(got[m]) == orjson.dumps(u), (m.monitor_id, m.tables)


@pytest.mark.parametrize("seed", range(6))
def test_updates_equal_each_monitor_alone(seed: int) -> None:
    rng = random.Random(seed)
    db = Database(SCHEMA)
    for _ in range(10):
        r = db.transact(_random_txn(rng, db))
        if r.changes:
            db.commit(r.changes)
    ms = MonitorSet()
    monitors = [_random_monitor(rng, db, i) for i in range(40)]
    for m in monitors:
        ms.add(m)
    for step in range(120):
        if step % 10 == 5:
            # monitor_cond_change: into and out of the index, the scan list and "no condition"
            for m in rng.sample([m for m in monitors if m.version >= 2], 5):
                table = rng.choice(list(m.tables))
                where = _random_where(rng)
                m.change_condition({table: [{"where": where if where is not None else [True]}]})
        if step % 30 == 29:
            gone = rng.choice(monitors)
            monitors.remove(gone)
            ms.discard(gone)
        r = db.transact(_random_txn(rng, db))
        if not r.changes:
            continue
        db.commit(r.changes)
        _check(ms, monitors, r.changes, db.set_diff_hints(r.changes))


def test_index_matches_each_condition() -> None:
    rng = random.Random(7)
    db = Database(SCHEMA)
    for _ in range(60):
        r = db.transact([{"op": "insert", "table": "T", "row": _random_row(rng)}])
        db.commit(r.changes)
    tschema = SCHEMA.tables["T"]
    conds = {}
    index = ConditionIndex()
    for i in range(80):
        where = _random_where(rng) or [["name", "==", "n0"]]
        conds[i] = compile_monitor_condition(tschema, where)
        index.add(i, conds[i])
    for row in db.tables["T"].rows.values():
        assert index.match(row) == {i for i, c in conds.items() if c(row)}
    for i in range(0, 80, 2):
        index.remove(i)
    for row in db.tables["T"].rows.values():
        assert index.match(row) == {i for i, c in conds.items() if i % 2 and c(row)}


def _row(**kw: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"_uuid": REFS[0], "name": "", "kind": "a", "n": 0,
                            "tags": frozenset(), "num": frozenset(), "flag": frozenset(),
                            "ref": frozenset(), "m": {}}
    base.update(kw)
    return base


def test_index_clause_kinds() -> None:
    t = SCHEMA.tables["T"]
    index = ConditionIndex()
    cases = {
        "eq": [["name", "==", "n1"]],
        "incl-scalar": [["name", "includes", "n2"]],
        "incl-one": [["tags", "includes", ["set", ["x"]]]],
        "incl-two": [["tags", "includes", ["set", ["x", "y"]]]],
        "set-eq": [["tags", "==", ["set", ["x", "y"]]]],
        "opt-eq": [["ref", "==", ["uuid", REFS[1]]]],
        "opt-empty": [["num", "==", ["set", []]]],
        "ne": [["name", "!=", "n1"]],
        "false": [False],
        "mixed": [False, ["n", "==", 2], ["kind", "!=", "a"]],
    }
    for member, where in cases.items():
        index.add(member, compile_monitor_condition(t, where))
    assert index.match(_row(name="n1", num=frozenset({1}))) == {"eq"}
    assert index.match(_row(name="n2", num=frozenset({1}))) == {"incl-scalar", "ne"}
    assert index.match(_row(name="n1", tags=frozenset({"x", "y"}), num=frozenset({1}))) == {
        "eq", "incl-one", "incl-two", "set-eq"}
    assert index.match(_row(name="n1", tags=frozenset({"x", "y", "z"}), num=frozenset({1}))) == {
        "eq", "incl-one", "incl-two"}
    assert index.match(_row(name="n1", ref=frozenset({REFS[1]}))) == {"eq", "opt-eq", "opt-empty"}
    assert index.match(_row(name="n1", n=2, num=frozenset({0}))) == {"eq", "mixed"}
    assert index.match(_row(name="n1", kind="b", num=frozenset({0}))) == {"eq", "mixed"}
    # a member indexed again replaces its old condition
    index.add("eq", compile_monitor_condition(t, [["name", "==", "n3"]]))
    assert "eq" not in index.match(_row(name="n1", num=frozenset({1})))
    assert "eq" in index.match(_row(name="n3", num=frozenset({1})))
    for member in cases:
        index.remove(member)
    assert len(index) == 0 and not index._eq and not index._elem and not index._scan


def test_cond_change_moves_monitor() -> None:
    db = Database(SCHEMA)
    ms = MonitorSet()
    m = Monitor(db, "m", {"T": [{"columns": ["name"], "where": [["name", "==", "a"]]}]}, 3)
    other = Monitor(db, "o", {"T": [{"columns": ["name"]}]}, 3)
    ms.add(m)
    ms.add(other)

    def commit(ops: list[Any]) -> dict[str, Any]:
        r = db.transact(ops)
        db.commit(r.changes)
        return {mon.monitor_id: orjson.loads(b) for b, mons in ms.updates(r.changes)
                for mon in mons}

    ins = commit([{"op": "insert", "table": "T", "row": {"name": "a"}},
                  {"op": "insert", "table": "T", "row": {"name": "b"}}])
    ua, ub = (u for u, row in db.tables["T"].rows.items() if row["name"] in "ab")
    if db.tables["T"].rows[ua]["name"] != "a":
        ua, ub = ub, ua
    assert ins["m"] == {"T": {ua: {"insert": {"name": "a"}}}}
    assert set(ins["o"]["T"]) == {ua, ub}
    # to name == b: a leaves (delete), b enters (insert)
    upd = m.change_condition({"T": [{"where": [["name", "==", "b"]]}]})
    assert upd == {"T": {ua: {"delete": None}, ub: {"insert": {"name": "b"}}}}
    got = commit([{"op": "update", "table": "T", "where": [["name", "==", "a"]],
                   "row": {"name": "a2"}}])
    assert set(got) == {"o"}
    got = commit([{"op": "update", "table": "T", "where": [["name", "==", "b"]],
                   "row": {"name": "c"}}])
    assert got["m"] == {"T": {ub: {"delete": None}}}
    # [true]: the monitor joins the unconditional view of "o" and shares its bytes
    m.change_condition({"T": [{"where": [True]}]})
    r = db.transact([{"op": "update", "table": "T", "where": [], "row": {"name": "z"}}])
    db.commit(r.changes)
    out = ms.updates(r.changes)
    assert len(out) == 1 and set(out[0][1]) == {m, other}
    # back to a condition, then cancelled: nothing more
    m.change_condition({"T": [{"where": [["name", "==", "q"]]}]})
    assert set(commit([{"op": "insert", "table": "T", "row": {"name": "q"}}])) == {"m", "o"}
    ms.discard(m)
    assert m.registry is None
    assert set(commit([{"op": "insert", "table": "T", "row": {"name": "q2"}}])) == {"o"}
    assert set(commit([{"op": "update", "table": "T", "where": [["name", "==", "q"]],
                        "row": {"name": "q3"}}])) == {"o"}
    assert len(ms) == 1
