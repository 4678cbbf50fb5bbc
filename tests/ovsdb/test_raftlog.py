"""The clustered (Raft) file format for one-server clusters: records, replay, storage, server."""

from __future__ import annotations

import json
import subprocess
import sys

import orjson
import pytest

from pyovn.ovsdb import raftlog, storage
from pyovn.ovsdb.database import Database
from pyovn.ovsdb.schema import DatabaseSchema
from pyovn.testing.wire import ServerProcess

SCHEMA = {
    "name": "test",
    "version": "1.0.0",
    "tables": {
        "T": {
            "columns": {
                "name": {"type": "string"},
                "n": {"type": "integer"},
                "tags": {"type": {"key": "string", "min": 0, "max": "unlimited"}},
            },
            "isRoot": True,
        }
    },
}
ZERO = raftlog.ZERO_UUID


def ins(name, n=0, **kw):
    return {"op": "insert", "table": "T", "row": {"name": name, "n": n, **kw}}


def records(path):
    with open(path, "rb") as f:
        return [r.json for r in storage.iter_records(f, path, magic=raftlog.RAFT_MAGIC)]


def make(tmp_path, name="db0.db"):
    path = str(tmp_path / name)
    h = raftlog.create_cluster(path, "test", "unix:raft", [SCHEMA, {}])
    return path, h


# --- records --------------------------------------------------------------------------------

def test_create_cluster_header(tmp_path):
    path, h = make(tmp_path)
    [hj] = records(path)
    assert storage.read_magic(path) == "CLUSTER"
    assert hj["server_id"] == h.sid and hj["cluster_id"] == h.cid
    assert hj["prev_index"] == 1 and hj["prev_term"] == 1
    assert hj["prev_servers"] == {h.sid: "unix:raft"}
    assert hj["prev_data"] == [SCHEMA, {}]
    back = raftlog.read_header(path)
    assert back.to_json() == hj and not back.joining
    with pytest.raises(storage.StorageError, match="File exists"):
        raftlog.create_cluster(path, "test", "unix:raft", [SCHEMA, {}])


def test_create_cluster_checks_address_and_timer(tmp_path):
    with pytest.raises(raftlog.RaftFormatError, match='foo:x: expected "tcp" or "ssl" address'):
        raftlog.create_cluster(str(tmp_path / "a"), "test", "foo:x", [SCHEMA, {}])
    with pytest.raises(raftlog.RaftFormatError, match="between 100 and 600000"):
        raftlog.create_cluster(str(tmp_path / "b"), "test", "unix:x", [SCHEMA, {}],
                               election_timer=5)
    raftlog.create_cluster(str(tmp_path / "c"), "test", "tcp:1.2.3.4:6644", [SCHEMA, {}],
                           election_timer=2000)
    recs = records(str(tmp_path / "c"))
    assert recs[1] == {"term": 1, "index": 2, "election_timer": 2000}


def test_standalone_file_is_not_clustered(tmp_path):
    p = str(tmp_path / "s.db")
    storage.create(p, SCHEMA)
    with pytest.raises(storage.FileFormatError, match="not a clustered database"):
        raftlog.read_header(p)


@pytest.mark.parametrize("rec,kind", [
    ({"term": 3}, "term"),
    ({"term": 3, "vote": "11111111-2222-3333-4444-555555555555"}, "vote"),
    ({"term": 3, "leader": "11111111-2222-3333-4444-555555555555"}, "leader"),
    ({"commit_index": 7}, "commit_index"),
    ({"note": "transfer leadership", "comment": "c"}, "note"),
    ({"term": 3, "index": 4}, "entry"),
    ({"term": 3, "index": 4, "data": [None, {}], "eid": "11111111-2222-3333-4444-555555555555",
      "servers": {"11111111-2222-3333-4444-555555555555": "unix:x"}}, "entry"),
])
def test_record_round_trip(rec, kind):
    r = raftlog.RaftRecord.from_json(rec)
    assert r.kind == kind
    assert r.to_json() == rec


@pytest.mark.parametrize("rec,message", [
    ({}, "Required 'term' member is missing."),
    ({"term": "x"}, "Type mismatch for member 'term'."),
    ({"term": 1, "vote": ZERO}, "record votes for all-zeros SID"),
    ({"term": 1, "index": 2, "data": [None, {}]}, "Required 'eid' member is missing."),
    ({"term": 1, "bogus": 1}, "Member 'bogus' is present but not allowed here."),
    ({"term": 1, "index": 2, "servers": {}}, "must have at least one server"),
])
def test_record_errors(rec, message):
    with pytest.raises(raftlog.RaftFormatError) as ei:
        raftlog.RaftRecord.from_json(rec)
    assert ei.value.message == f"Parsing raft log record failed: {message}"


def test_replay_rules():
    h = raftlog.Header(sid="11111111-2222-3333-4444-555555555555", name="test",
                       local_address="unix:x", cid=ZERO.replace("0", "1"), snap_index=1,
                       snap_term=1, snap_eid=ZERO.replace("0", "2"),
                       snap_servers={"11111111-2222-3333-4444-555555555555": "unix:x"},
                       snap_data=[SCHEMA, {}])
    st = raftlog.RaftState.from_header(h)
    rec = raftlog.RaftRecord.from_json
    st.apply(1, rec({"term": 2, "index": 2}))
    st.apply(2, rec({"term": 2, "index": 3, "data": [None, {}], "eid": h.snap_eid}))
    st.apply(3, rec({"term": 2, "index": 3}))          # rewrites index 3: the log is truncated
    assert st.log_end == 4 and st.entries[-1].data is None
    st.apply(4, rec({"commit_index": 3}))
    with pytest.raises(raftlog.RaftFormatError, match="regresses commit index from 3 to 2"):
        st.apply(5, rec({"commit_index": 2}))
    with pytest.raises(raftlog.RaftFormatError, match="skips past expected index 4"):
        st.apply(5, rec({"term": 2, "index": 6}))
    with pytest.raises(raftlog.RaftFormatError, match="precedes previous entry's term 2"):
        st.apply(5, rec({"term": 1, "index": 4}))
    with pytest.raises(raftlog.RaftFormatError, match="attempts to truncate log"):
        st.apply(5, rec({"term": 2, "index": 2}))
    st.apply(5, rec({"term": 4, "vote": h.sid}))
    assert st.term == 4 and st.vote == h.sid


# --- storage and replay -----------------------------------------------------------------------

def _commit(db, rs, ops):
    res = db.transact(ops)
    db.commit(res.changes)
    rs.append(db.record_of(res.changes, date_ms=1), txn_id=db.last_txn_id)
    rs.commit(durable=True)
    return db.last_txn_id


def test_storage_start_append_reopen_compact(tmp_path):
    path, h = make(tmp_path)
    db, rs = raftlog.load(path)
    assert db.last_txn_id == h.snap_eid and [t for t, _ in db.history] == [h.snap_eid]
    assert rs.applied_index == 2 and rs.term == 2
    assert records(path)[1:] == [{"term": 2, "vote": h.sid}, {"term": 2, "leader": h.sid},
                                 {"term": 2, "index": 2}, {"commit_index": 2}]
    e1 = _commit(db, rs, [ins("a", 1, tags=["set", ["x", "y"]])])
    e2 = _commit(db, rs, [{"op": "update", "table": "T", "where": [], "row": {"n": 2}}])
    entry = records(path)[-2]
    assert entry["index"] == 4 and entry["eid"] == e2 and entry["term"] == 2
    assert entry["data"][0] is None and entry["data"][1]["_is_diff"] is True
    rs.close()

    db2, rs2 = raftlog.load(path)
    # The update's atoms (old and new row: 12) pass the database's (6): only it is kept, as
    # ovsdb-server keeps it.
    assert [t for t, _ in db2.history] == [t for t, _ in db.history] == [e2]
    assert e1 != e2
    assert db2.last_txn_id == e2
    [row] = db2.tables["T"].rows.values()
    assert (row["name"], row["n"], row["tags"]) == ("a", 2, frozenset({"x", "y"}))
    assert rs2.applied_index == 5 and rs2.term == 3
    # ovsdb-server's compaction policy counts the log's entries since the snapshot
    assert rs2.n_read + rs2.n_written == 4
    rs2.replace([db2.schema.to_json(), db2.snapshot_record()])
    hj, vote = records(path)
    assert (hj["prev_index"], hj["prev_term"], hj["prev_eid"]) == (5, 3, e2)
    assert hj["prev_election_timer"] == 1000 and vote == {"term": 3, "vote": h.sid}
    assert rs2.n_read + rs2.n_written == 0
    e3 = _commit(db2, rs2, [ins("b")])
    assert rs2.n_read + rs2.n_written == 1
    rs2.close()

    db3, rs3 = raftlog.load(path, start=False)
    assert [t for t, _ in db3.history] == [e2, e3]
    assert sorted(r["name"] for r in db3.tables["T"].rows.values()) == ["a", "b"]
    rs3.close()


def test_multi_server_file_is_refused(tmp_path):
    path = str(tmp_path / "db")
    sids = [f"{i}1111111-2222-3333-4444-555555555555" for i in range(1, 4)]
    h = raftlog.Header(sid=sids[0], cid=sids[1], name="test", local_address="unix:a",
                       snap_index=1, snap_term=1, snap_eid=sids[2],
                       snap_servers={s: f"unix:{s[:1]}" for s in sids}, snap_data=[SCHEMA, {}])
    storage.create(path, h.to_json(), magic="CLUSTER")
    with pytest.raises(storage.StorageError,
                       match=f"pyovn serves only single-server clusters: {path} has 3 servers"):
        raftlog.load(path)


def test_torn_tail_is_dropped(tmp_path):
    path, _ = make(tmp_path)
    db, rs = raftlog.load(path)
    _commit(db, rs, [ins("a")])
    rs.close()
    with open(path, "ab") as f:
        f.write(b"OVSDB CLUSTER 99 0123")
    db2, rs2 = raftlog.load(path)
    assert rs2.damage is not None and len(db2.tables["T"].rows) == 1
    rs2.close()
    assert records(path)[-1]["commit_index"] == rs2.applied_index


# --- history bounds -------------------------------------------------------------------------

def _db():
    db = Database(DatabaseSchema.from_json(SCHEMA))
    db.set_history_limit(raftlog.HISTORY_LIMIT, by_atoms=True)
    return db


def _run(db, *ops):
    res = db.transact(list(ops))
    db.commit(res.changes)
    return db.last_txn_id


def test_history_bounded_to_100():
    db = _db()
    ids = [_run(db, ins(f"r{i}")) for i in range(130)]
    assert [t for t, _ in db.history] == ids[-100:]


def test_history_bounded_by_atoms():
    db = _db()
    big = _run(db, ins("big", tags=["set", [str(i) for i in range(50)]]))
    # row atoms: _uuid, _version, name, n + 50 tags = 54
    assert db.n_atoms == 54 and db.n_history_atoms == 54
    small = _run(db, ins("small"))
    assert [t for t, _ in db.history] == [big, small]
    gone = _run(db, {"op": "delete", "table": "T", "where": [["name", "==", "big"]]})
    # the history now holds more atoms than the database: trimmed, but never below one txn
    assert db.n_atoms == 4
    assert [t for t, _ in db.history] == [gone]
    assert db.changes_since(small) is None and db.changes_since(gone) == []


# --- the server -----------------------------------------------------------------------------

def test_server_serves_clustered_db(tmp_path):
    path, h = make(tmp_path)
    srv = ServerProcess(tmp_path, [path], create=False).start()
    try:
        c = srv.client()
        [row] = c.transact("_Server", {"op": "select", "table": "Database",
                                       "where": [["name", "==", "test"]]})[0]["rows"]
        assert row["model"] == "clustered" and row["leader"] is True and row["connected"]
        assert row["cid"] == ["uuid", h.cid] and row["sid"] == ["uuid", h.sid]
        assert row["index"] == 2
        m = srv.client()
        found, last, _ = m.call("monitor_cond_since",
                                ["test", 1, {"T": [{"columns": ["name"]}]}, ZERO])["result"]
        assert found is False and last == h.snap_eid
        c.transact("test", ins("a"))
        upd = m.recv()
        eid = upd["params"][1]
        c.transact("test", ins("b"))
        assert records(path)[-2]["eid"] == m.recv()["params"][1]
        # _Server.Database.index follows the log
        for _ in range(50):
            [row] = c.transact("_Server", {"op": "select", "table": "Database",
                                           "where": [["name", "==", "test"]],
                                           "columns": ["index"]})[0]["rows"]
            if row["index"] == 4:
                break
        assert row["index"] == 4
    finally:
        assert srv.stop() == 0
    # After a restart the history is rebuilt from the log: resume with found=true.
    srv = ServerProcess(tmp_path, [path], create=False).start()
    try:
        m = srv.client()
        found, last, delta = m.call("monitor_cond_since",
                                    ["test", 1, {"T": [{"columns": ["name"]}]}, eid])["result"]
        assert found is True
        assert [v["insert"]["name"] for v in delta["T"].values()] == ["b"]
    finally:
        srv.stop()


def test_server_refuses_multi_server_cluster(tmp_path):
    path = str(tmp_path / "db0.db")
    sids = [f"{i}1111111-2222-3333-4444-555555555555" for i in range(1, 3)]
    h = raftlog.Header(sid=sids[0], cid=sids[1], name="test", local_address="unix:a",
                       snap_index=1, snap_term=1, snap_eid=sids[1],
                       snap_servers={s: f"unix:{s[:1]}" for s in sids}, snap_data=[SCHEMA, {}])
    storage.create(path, h.to_json(), magic="CLUSTER")
    p = subprocess.run([sys.executable, "-m", "pyovn", "ovsdb-server", "--remote=punix:x",
                        f"--unixctl={tmp_path}/ctl", "-vconsole:off", path],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 1
    assert f"pyovn serves only single-server clusters: {path} has 2 servers" in p.stderr


# --- the tool -------------------------------------------------------------------------------

def tool(*args):
    return subprocess.run([sys.executable, "-m", "pyovn", "ovsdb-tool", *args],
                          capture_output=True, text=True, timeout=30)


def test_tool_cluster_commands(tmp_path):
    schema = tmp_path / "s.json"
    eph = json.loads(json.dumps(SCHEMA))
    eph["tables"]["T"]["columns"]["n"]["ephemeral"] = True
    schema.write_text(json.dumps(eph))
    db = str(tmp_path / "c.db")
    p = tool("create-cluster", db, str(schema), "unix:r")
    assert p.returncode == 0
    assert ("changed 1 columns in 'test' database from ephemeral to persistent, including 'n' "
            "column in 'T' table") in p.stderr
    hj = records(db)[0]
    assert "ephemeral" not in hj["prev_data"][0]["tables"]["T"]["columns"]["n"]
    assert tool("db-is-clustered", db).returncode == 0
    assert tool("db-is-standalone", db).returncode == 2
    assert tool("db-cid", db).stdout == hj["cluster_id"] + "\n"
    assert tool("db-sid", db).stdout == hj["server_id"] + "\n"
    assert tool("db-local-address", db).stdout == "unix:r\n"
    assert tool("db-name", db).stdout == "test\n"
    out = tool("show-log", db).stdout
    assert out.startswith('record 0:\n name: "test\'\n local address: "unix:r"\n')
    assert f" prev_eid: {hj['prev_eid'][:4]}\n" in out
    p = tool("db-cid", str(schema))
    assert p.returncode == 1 and "unexpected file format" in p.stderr
    sdb = str(tmp_path / "s.db")
    storage.create(sdb, SCHEMA)
    p = tool("db-sid", sdb)
    assert p.returncode == 1 and p.stderr == f"ovsdb-tool: {sdb}: not a clustered database\n"

    # seeded from a standalone db, then back to standalone
    with storage.LogFile.open(sdb) as lg:
        for _ in lg.read():
            pass
        lg.append({"T": {"11111111-2222-3333-4444-555555555555": {"name": "x", "n": 3}}})
    db2 = str(tmp_path / "c2.db")
    assert tool("create-cluster", db2, sdb, "tcp:127.0.0.1:6644").returncode == 0
    assert records(db2)[0]["prev_data"][1]["_comment"] == f"created from {sdb}"
    back = str(tmp_path / "back.db")
    assert tool("cluster-to-standalone", back, db2).returncode == 0
    with open(back, "rb") as f:
        recs = [r.json for r in storage.iter_records(f, back)]
    assert recs[0] == orjson.loads(orjson.dumps(SCHEMA)) or recs[0]["name"] == "test"
    assert recs[1]["T"]["11111111-2222-3333-4444-555555555555"]["n"] == 3
    p = tool("cluster-to-standalone", str(tmp_path / "x.db"), sdb)
    assert p.returncode == 1 and "Database is not clustered db." in p.stderr
