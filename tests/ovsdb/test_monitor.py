"""Monitors: update2 diffs from mutation hints equal the full recompute; monitors with the same
request share one serialised update and get the same bytes as if each had its own; uuids."""

from __future__ import annotations

import asyncio
import json
import random
import uuid as uuidlib
from pathlib import Path

import orjson

import pyovn.schemas
from pyovn.ovsdb.data import new_uuid
from pyovn.ovsdb.database import Database
from pyovn.ovsdb.monitor import Monitor
from pyovn.ovsdb.schema import DatabaseSchema
from pyovn.ovsdb.server import OvsdbServer
from pyovn.ovsdb.session import ServerSession
from pyovn.testing.wire import RecordingTransport

NB = DatabaseSchema.from_json(json.loads(
    (Path(pyovn.schemas.__file__).parent / "ovn-nb.ovsschema").read_text()))

PG_COLUMNS = ["name", "ports", "acls", "external_ids"]


def _random_txn(rng: random.Random, ports: list[str]) -> list:
    """One to three operations mutating (or updating) the port group's sets."""
    ops: list = []
    for _ in range(rng.randint(1, 3)):
        kind = rng.random()
        if kind < 0.8:
            muts = []
            for _ in range(rng.randint(1, 3)):
                sample = rng.sample(ports, rng.randint(0, 3))
                muts.append(["ports", rng.choice(["insert", "delete"]),
                             ["set", [["uuid", u] for u in sample]]])
            if rng.random() < 0.3:
                muts.append(["external_ids", "insert", ["map", [[f"k{rng.randint(0, 3)}", "v"]]]])
            ops.append({"op": "mutate", "table": "Port_Group", "where": [],
                        "mutations": muts})
        else:
            sample = rng.sample(ports, rng.randint(0, 4))
            ops.append({"op": "update", "table": "Port_Group", "where": [],
                        "row": {"ports": ["set", [["uuid", u] for u in sample]]}})
    return ops


def _setup_ops() -> list[dict]:
    """Switch ``ls`` with ports p0..p11 and an empty port group ``pg``: what _random_txn mutates."""
    setup = [{"op": "insert", "table": "Logical_Switch", "row": {
        "name": "ls", "ports": ["set", [["named-uuid", f"p{i}"] for i in range(12)]]}}]
    setup += [{"op": "insert", "table": "Logical_Switch_Port", "uuid-name": f"p{i}",
               "row": {"name": f"p{i}"}} for i in range(12)]
    setup.append({"op": "insert", "table": "Port_Group", "row": {"name": "pg"}})
    return setup


def test_hinted_diffs_equal_full_recompute():
    """The monitor's update2 and the file record's diff use the mutation hints of the change
    set just committed; they must equal what comparing whole old and new values gives."""
    db = Database(NB)
    r = db.transact(_setup_ops())
    assert r.changes, r.results
    db.commit(r.changes)
    ports = sorted(db.tables["Logical_Switch_Port"].rows)
    mon = Monitor(db, None, {"Port_Group": {"columns": PG_COLUMNS}}, 2)
    rng = random.Random(7)
    hinted = 0
    for _ in range(300):
        r = db.transact(_random_txn(rng, ports))
        if not r.changes:
            continue
        db.commit(r.changes)
        hints = db.set_diff_hints(r.changes)
        hinted += bool(hints)
        full = dict(r.changes)     # another object: no hints apply to it
        assert db.set_diff_hints(full) == {}
        assert mon.changes_to_json(r.changes, hints) == mon.changes_to_json(full)
        assert db.record_of(r.changes, date_ms=1) == db.record_of(full, date_ms=1)
    assert hinted > 100     # the hinted path was exercised



def test_fan_out_shares_updates_without_changing_them():
    async def run() -> None:
        srv = OvsdbServer(fsync=False, txn_history=10)
        srv.add_database(Database(NB))
        requests = [
            ("monitor_cond", "a", {"Logical_Switch": [{"columns": ["name", "external_ids"]}]}),
            ("monitor_cond", "b", {"Logical_Switch": [{"columns": ["name", "external_ids"]}]}),
            ("monitor_cond", ["x", 1], {"Logical_Switch": [{"columns": ["name", "external_ids"]}]}),
            ("monitor", None, {"Logical_Switch": [{"columns": ["name", "external_ids"]}]}),
            ("monitor_cond_since", "s", {"Logical_Switch": [{"columns": ["name", "external_ids"]}]}),
            ("monitor_cond_since", "t", {"Logical_Switch": [{"columns": ["name", "external_ids"]}]}),
            ("monitor_cond", "c", {"Logical_Switch": [{"columns": ["name"],
                                                       "where": [["name", "!=", "ls1"]]}]}),
        ]
        sessions = []
        for method, mid, req in requests:
            s = ServerSession(srv, 0, False)
            t = RecordingTransport()
            s.connection_made(t)
            s.data_received(orjson.dumps({"method": method, "params": ["OVN_Northbound", mid, req],
                                          "id": 1}))
            sessions.append((s, t, mid))
        writer = ServerSession(srv, 0, False)
        writer.connection_made(RecordingTransport())
        await asyncio.sleep(0)
        for _, t, _ in sessions:
            t.messages()
        for i in range(3):
            writer.data_received(orjson.dumps({"method": "transact", "params": [
                "OVN_Northbound",
                {"op": "insert", "table": "Logical_Switch",
                 "row": {"name": f"ls{i}", "external_ids": ["map", [["k", str(i)]]]}}],
                "id": i}))
        await asyncio.sleep(0)
        got = {repr(mid): t.messages() for _, t, mid in sessions}
        # Identical requests got identical updates, each under its own monitor id.
        assert [m["params"][1] for m in got["'a'"]] == [m["params"][1] for m in got["'b'"]]
        assert [m["params"][1] for m in got["'a'"]] == [m["params"][1] for m in got["['x', 1]"]]
        assert all(m["params"][0] == ["x", 1] for m in got["['x', 1]"])
        assert len(got["'a'"]) == 3 and got["'a'"][0]["method"] == "update2"
        assert got["'a'"][0]["params"][1] == {"Logical_Switch": {
            next(iter(got["'a'"][0]["params"][1]["Logical_Switch"])): {
                "insert": {"name": "ls0", "external_ids": ["map", [["k", "0"]]]}}}}
        assert [m["method"] for m in got["None"]] == ["update"] * 3
        # update3 carries each transaction's id.
        ids_s = [m["params"][1] for m in got["'s'"]]
        assert len(set(ids_s)) == 3 and ids_s == [m["params"][1] for m in got["'t'"]]
        # The conditional monitor (no sharing) still sees only its rows.
        assert len(got["'c'"]) == 2

    asyncio.run(run())


def test_notification_bytes_equal_serialised_notification():
    db = Database(NB)
    upd = {"Logical_Switch": {"u": {"insert": {"name": "x"}}}}
    for version in (1, 2, 3):
        for mid in (None, "m", ["a", 1], {"k": "v"}):
            mon = Monitor(db, mid, {"Logical_Switch": {"columns": ["name"]}}, version)
            tid = new_uuid()
            assert (mon.notification_bytes(orjson.dumps(upd), tid)
                    == orjson.dumps(mon.notification(upd, tid)))


def test_new_uuid_is_random_version_4():
    uuids = [new_uuid() for _ in range(3000)]
    assert len(set(uuids)) == len(uuids)
    for u in uuids:
        parsed = uuidlib.UUID(u)
        assert str(parsed) == u and parsed.version == 4 and parsed.variant == uuidlib.RFC_4122


def test_hint_for_second_column_mutated_in_one_transaction():
    """The port-creation shape: one transaction inserts a port and 8 ACLs and mutates the
    switch twice (``ports``, then ``acls``). The second column's diff must still come from the
    hint (O(change)), and equal the full recompute."""
    db = Database(NB)
    r = db.transact([{"op": "insert", "table": "Logical_Switch", "row": {"name": "ls"}}])
    db.commit(r.changes)
    mon = Monitor(db, None, {"Logical_Switch": {"columns": ["ports", "acls"]}}, 2)
    for i in range(3):
        ops: list = [
            {"op": "insert", "table": "Logical_Switch_Port", "uuid-name": "p", "row": {"name": f"p{i}"}},
            {"op": "mutate", "table": "Logical_Switch", "where": [],
             "mutations": [["ports", "insert", ["named-uuid", "p"]]]},
        ]
        for k in range(8):
            ops.append({"op": "insert", "table": "ACL", "uuid-name": f"a{k}", "row": {
                "direction": "to-lport", "priority": 1000 + k, "match": f"outport == \"p{i}\"",
                "action": "allow"}})
        ops.append({"op": "mutate", "table": "Logical_Switch", "where": [], "mutations": [
            ["acls", "insert", ["set", [["named-uuid", f"a{k}"] for k in range(8)]]]]})
        r = db.transact(ops)
        assert r.changes, r.results
        db.commit(r.changes)
        hints = db.set_diff_hints(r.changes)
        (ls_uuid,) = db.tables["Logical_Switch"].rows
        assert ("Logical_Switch", ls_uuid, "acls") in hints
        assert ("Logical_Switch", ls_uuid, "ports") in hints
        full = dict(r.changes)
        assert mon.changes_to_json(r.changes, hints) == mon.changes_to_json(full)
        assert db.record_of(r.changes, date_ms=1) == db.record_of(full, date_ms=1)
