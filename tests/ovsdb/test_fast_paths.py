"""The engine's fast paths for plain inserts give exactly what its general paths give.

Each scenario (a list of transactions) runs twice on fresh databases with the same uuids: once
as it is, once with the fast paths switched off (``commitcheck.check_plain_inserts`` finds nothing to do,
``Database.commit`` sees every inserted row as referring to something, ``Txn.parse_row`` reads
string maps with ``datum_from_json``), comparing every transaction's results, errors, change
set, set-diff hints and file record, and the databases' rows, indexes and reference counts.
``record_of`` is also checked against a plain reimplementation, and ``string_map_from_json``
against ``datum_from_json`` on good and bad input.
"""

import itertools
import uuid as _uuid

import pytest

from pyovn.ovsdb import commitcheck, data, database, txn
from pyovn.ovsdb.data import datum_from_json, datum_to_json, diff_to_json, string_map_from_json
from pyovn.ovsdb.database import Database
from pyovn.ovsdb.errors import OvsdbError
from pyovn.ovsdb.schema import DatabaseSchema
from pyovn.ovsdb.types import ColumnType

SCHEMA = {"name": "d", "tables": {
    "root": {"isRoot": True, "columns": {
        "name": {"type": "string"},
        "kids": {"type": {"key": {"type": "uuid", "refTable": "kid"}, "min": 0,
                          "max": "unlimited"}},
        "weak": {"type": {"key": {"type": "uuid", "refTable": "kid", "refType": "weak"},
                          "min": 0, "max": "unlimited"}},
        "ids": {"type": {"key": "string", "value": "string", "min": 0, "max": "unlimited"}},
        "n": {"type": "integer"},
        "tmp": {"type": "string", "ephemeral": True}},
        "indexes": [["name"]]},
    "plain": {"isRoot": True, "columns": {
        "s": {"type": "string"},
        "ids": {"type": {"key": "string", "value": "string", "min": 0, "max": "unlimited"}},
        "one": {"type": {"key": "string", "value": "string", "min": 1, "max": 1}},
        "tags": {"type": {"key": "string", "min": 0, "max": "unlimited"}}}},
    "limited": {"isRoot": True, "maxRows": 2, "columns": {"s": {"type": "string"}}},
    "kid": {"columns": {"n": {"type": "integer"}}},
    "wref": {"isRoot": True, "columns": {
        # a scalar weak reference: its default (the all-zero uuid) refers to nothing
        "w": {"type": {"key": {"type": "uuid", "refTable": "kid", "refType": "weak"}}}}},
}}

U = "8f1025e9-0cf8-4808-8a08-11c4ea46d393"
INS = "insert"

SCENARIOS = [
    # plain inserts, given values equal to the defaults (not written to the record)
    [[{"op": INS, "table": "plain", "row": {"s": "a", "ids": ["map", [["k", "v"]]]}}],
     [{"op": INS, "table": "plain", "row": {"s": "", "ids": ["map", []], "tags": ["set", []]}}],
     [{"op": INS, "table": "plain"}, {"op": INS, "table": "plain", "row": {}}],
     [{"op": INS, "table": "plain", "row": {"ids": ["map", [["b", "2"], ["a", "1"]]],
                                            "one": ["map", [["x", "y"]]], "tags": "t"}}]],
    # malformed maps (errors from datum_from_json), unknown column
    [[{"op": INS, "table": "plain", "row": {"ids": ["map", [["k", "v"], ["k", "w"]]]}}],
     [{"op": INS, "table": "plain", "row": {"ids": ["map", [["k", 1]]]}}],
     [{"op": INS, "table": "plain", "row": {"ids": ["map", [["k"]]]}}],
     [{"op": INS, "table": "plain", "row": {"ids": ["set", []]}}],
     [{"op": INS, "table": "plain", "row": {"ids": "x"}}],
     [{"op": INS, "table": "plain", "row": {"one": ["map", []]}}],
     [{"op": INS, "table": "plain", "row": {"nope": 1}}],
     [{"op": INS, "table": "plain", "row": {"s": "a"}}, {"op": "abort"}]],
    # unique indexes: within a transaction, against committed rows, ephemeral columns
    [[{"op": INS, "table": "root", "row": {"name": "a", "tmp": "t", "n": 0}}],
     [{"op": INS, "table": "root", "row": {"name": "a"}}],
     [{"op": INS, "table": "root", "row": {"name": "b"}},
      {"op": INS, "table": "root", "row": {"name": "b"}}],
     [{"op": INS, "table": "root", "row": {"name": "c"}},
      {"op": INS, "table": "plain", "row": {"s": "c"}}]],
    # maxRows, garbage collection of non-root rows, strong and weak references
    [[{"op": INS, "table": "limited"}, {"op": INS, "table": "limited"}],
     [{"op": INS, "table": "limited"}],
     [{"op": INS, "table": "kid", "row": {"n": 1}}],
     [{"op": INS, "table": "kid", "row": {"n": 2}, "uuid-name": "k"},
      {"op": INS, "table": "root", "row": {"name": "r", "kids": ["named-uuid", "k"],
                                           "weak": ["named-uuid", "k"]}}],
     [{"op": INS, "table": "root", "row": {"name": "s", "weak": ["uuid", U]}}],
     [{"op": INS, "table": "root", "row": {"name": "t", "kids": ["uuid", U]}}],
     [{"op": INS, "table": "wref"}],
     [{"op": INS, "table": "wref", "row": {"w": ["uuid", U]}}]],
    # caller-given uuids, forward references, insert then change or delete in one transaction
    [[{"op": INS, "table": "plain", "uuid": U, "row": {"s": "u"}}],
     [{"op": INS, "table": "plain", "uuid": U, "row": {"s": "u"}}],
     [{"op": INS, "table": "root", "row": {"name": "f", "kids": ["named-uuid", "later"]}},
      {"op": INS, "table": "kid", "uuid-name": "later"}],
     [{"op": INS, "table": "plain", "uuid-name": "p", "row": {"s": "x"}},
      {"op": "mutate", "table": "plain", "where": [["_uuid", "==", ["named-uuid", "p"]]],
       "mutations": [["tags", "insert", ["set", ["a", "b"]]]]},
      {"op": "update", "table": "plain", "where": [["_uuid", "==", ["named-uuid", "p"]]],
       "row": {"s": ""}}],
     [{"op": INS, "table": "plain", "uuid-name": "q"},
      {"op": "delete", "table": "plain", "where": [["_uuid", "==", ["named-uuid", "q"]]]}],
     [{"op": INS, "table": "plain", "uuid-name": "r"}, {"op": INS, "table": "plain",
                                                       "uuid-name": "r"}]],
    # mixed with updates, mutations (set-diff hints) and deletions of committed rows
    [[{"op": INS, "table": "plain", "row": {"s": "m", "tags": ["set", ["a"]]}}],
     [{"op": "mutate", "table": "plain", "where": [["s", "==", "m"]],
       "mutations": [["tags", "insert", "b"]]},
      {"op": INS, "table": "plain", "row": {"s": "n"}}],
     [{"op": "update", "table": "plain", "where": [["s", "==", "n"]], "row": {"s": "n"}},
      {"op": INS, "table": "root", "row": {"name": "m"}}],
     [{"op": "delete", "table": "plain", "where": [["s", "==", "m"]]},
      {"op": INS, "table": "plain", "row": {"s": "o"}}],
     [{"op": INS, "table": "plain", "row": {"s": "p"}}, {"op": "comment", "comment": "c"},
      {"op": "commit", "durable": False}]],
]


@pytest.fixture
def fixed_uuids(monkeypatch):
    """The same uuids in the same order for each run."""
    def install():
        counter = itertools.count(1)

        def new_uuid():
            return str(_uuid.UUID(int=next(counter)))
        for mod in (data, txn, commitcheck, database):
            monkeypatch.setattr(mod, "new_uuid", new_uuid)
    return install


def _general_paths(monkeypatch, db):
    monkeypatch.setattr(commitcheck, "check_plain_inserts", lambda txn: None)
    monkeypatch.setattr(txn, "string_map_from_json", lambda t, j: datum_from_json(t, j))
    for info in db.infos.values():
        info.ref_values = lambda row: (True,)


def _run(scenario, fast, monkeypatch, fixed_uuids):
    fixed_uuids()
    db = Database(DatabaseSchema.from_json(SCHEMA))
    if not fast:
        _general_paths(monkeypatch, db)
    out = []
    for ops in scenario:
        r = db.transact(ops, now_ms=0, started_ms=0)
        entry = [r.results, r.blocked, r.durable, r.comment, r.timeout_ms, r.base_index,
                 None if r.error is None else r.error.to_json(), r.changes]
        if r.changes:
            entry.append(db.commit(r.changes))
            entry.append(dict(db.set_diff_hints(r.changes)))
            entry.append(db.record_of(r.changes, comment="c", date_ms=1))
            entry.append(db.record_of(r.changes, is_diff=False))
            entry.append(_record_reference(db, r.changes))
            assert entry[-1] == entry[-2]
        out.append(entry)
    state = ({t: dict(tb.rows) for t, tb in db.tables.items()},
             {t: [dict(i) for i in tb.indexes] for t, tb in db.tables.items()},
             dict(db.refcount), {u: dict(d) for u, d in db.weak_in.items()}, db.txn_index)
    monkeypatch.undo()
    return out, state


def _record_reference(db, changes):
    """record_of(changes, is_diff=False) as written before the fast paths (every persistent
    column of an inserted row compared with its default)."""
    rec = {}
    for tname, trows in changes.items():
        info = db.infos[tname]
        out = {}
        for u, (old, new) in trows.items():
            if new is None:
                out[u] = None
                continue
            base = info.defaults if old is None else old
            row_json = {c: datum_to_json(info.types[c], new[c]) for c in info.persistent
                        if new[c] != base[c]}
            if row_json or old is None:
                out[u] = row_json
        if out:
            rec[tname] = out
    return rec or None


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_fast_and_general_paths_agree(scenario, monkeypatch, fixed_uuids):
    fast = _run(scenario, True, monkeypatch, fixed_uuids)
    general = _run(scenario, False, monkeypatch, fixed_uuids)
    assert fast == general


def test_fast_paths_are_taken(monkeypatch):
    """The common case really uses them (else the test above compares general with general)."""
    db = Database(DatabaseSchema.from_json(SCHEMA))
    calls = []
    fast = commitcheck.check_plain_inserts
    monkeypatch.setattr(commitcheck, "check_plain_inserts",
                        lambda txn: calls.append(fast(txn)) or calls[-1])
    r = db.transact([{"op": INS, "table": "plain", "row": {"ids": ["map", [["k", "v"]]]}}])
    assert calls == [r.changes] and r.changes is not None
    r = db.transact([{"op": INS, "table": "kid"}])
    assert calls[-1] is None    # a non-root table: the general path


def test_insert_record_omits_given_defaults():
    db = Database(DatabaseSchema.from_json(SCHEMA))
    r = db.transact([{"op": INS, "table": "plain", "row": {
        "s": "", "ids": ["map", []], "tags": ["set", ["x"]], "one": ["map", [["", ""]]]}}])
    db.commit(r.changes)
    (u,) = r.changes["plain"]
    assert db.record_of(r.changes) == {"plain": {u: {"tags": "x"}}, "_is_diff": True}


_MAP = ColumnType.from_json({"key": "string", "value": "string", "min": 0, "max": 2})
_ONE = ColumnType.from_json({"key": "string", "value": "string", "min": 1, "max": 1})


@pytest.mark.parametrize("ctype", [_MAP, _ONE])
@pytest.mark.parametrize("value", [
    ["map", []], ["map", [["a", "b"]]], ["map", [["b", "1"], ["a", "2"]]],
    ["map", [["a", "1"], ["b", "2"], ["c", "3"]]], ["map", [["a", "1"], ["a", "2"]]],
    ["map", [["a", 1]]], ["map", [[1, "a"]]], ["map", [["a"]]], ["map", [("a", "b")]],
    ["map", ["ab"]], ["map", "ab"], ["set", []], ["map"], ["map", [], 1], "map", None, {},
    ["map", [["a", ["uuid", U]]]], ["map", [["a", "b", "c"]]]])
def test_string_map_from_json_is_datum_from_json(ctype, value):
    def parse(f):
        try:
            return ("ok", f(ctype, value))
        except OvsdbError as e:
            return ("error", type(e), e.to_json())
    fast = parse(string_map_from_json)
    assert fast == parse(datum_from_json)
    if fast[0] == "ok":
        assert diff_to_json(ctype, fast[1]) == datum_to_json(ctype, fast[1])
