"""Interop of one-server clustered (Raft) files with the real ovsdb-tool and ovsdb-server 3.1.

- files made by ``pyovn ovsdb-tool create-cluster`` are accepted by the real tool and server;
- pyovn's tool answers db-cid, db-sid, db-local-address, db-name and show-log (every verbosity)
  exactly as the real tool does, on files written by the real server and by pyovn's;
- pyovn's server serves a file the real server wrote, resumes monitor_cond_since from a
  transaction id the real server gave out, and compacts; the real server then serves the result;
- cluster-to-standalone writes the same records as the real tool.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pyovn.ovsdb import raftlog, storage
from pyovn.testing.wire import ServerProcess

pytestmark = pytest.mark.interop
ENV = {**os.environ, "TZ": "UTC"}
VSWITCH = "/usr/share/openvswitch/vswitch.ovsschema"
SCHEMA = {
    "name": "test", "version": "1.2.3",
    "tables": {"T": {"columns": {"name": {"type": "string"}, "n": {"type": "integer"},
                                 "tags": {"type": {"key": "string", "min": 0,
                                                   "max": "unlimited"}},
                                 "ext": {"type": {"key": "string", "value": "string",
                                                  "min": 0, "max": "unlimited"}}},
                     "isRoot": True}},
}


def need(*binaries: str) -> None:
    for b in binaries:
        if shutil.which(b) is None:
            print(f"skipping: {b} not installed")
            pytest.skip(f"{b} not installed")


def real(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["ovsdb-tool", *args], capture_output=True, text=True, env=ENV,
                          timeout=30)


def ours(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pyovn", "ovsdb-tool", *args],
                          capture_output=True, text=True, env=ENV, timeout=30)


def same_output(*args: str) -> str:
    r, o = real(*args), ours(*args)
    assert (o.returncode, o.stdout, o.stderr) == (r.returncode, r.stdout, r.stderr), args
    return r.stdout


def schema_file(d: Path) -> str:
    p = d / "schema.json"
    p.write_text(json.dumps(SCHEMA))
    return str(p)


def ins(name: str, n: int = 0, **kw: object) -> dict:
    return {"op": "insert", "table": "T", "row": {"name": name, "n": n, **kw}}


def start(d: Path, db: str, *, real_server: bool) -> ServerProcess:
    srv = ServerProcess(d, [db], real=real_server, create=False).start()
    if real_server:
        # The real server elects itself leader first; wait until it serves writes.
        for _ in range(100):
            r = srv.client().transact("_Server", {"op": "select", "table": "Database",
                                                  "where": [["name", "==", "test"]],
                                                  "columns": ["leader"]})
            if r[0]["rows"] and r[0]["rows"][0]["leader"]:
                break
            time.sleep(0.05)
    return srv


def write_some(srv: ServerProcess, tag: str) -> None:
    c = srv.client()
    c.transact("test", ins(f"{tag}1", 1, tags=["set", ["x", "y"]]), {"op": "comment",
                                                                     "comment": tag})
    c.transact("test", {"op": "update", "table": "T", "where": [["name", "==", f"{tag}1"]],
                        "row": {"n": 2, "tags": ["set", ["y", "z"]],
                                "ext": ["map", [["k", "v"]]]}})
    c.transact("test", ins(f"{tag}2", 3))
    c.transact("test", {"op": "delete", "table": "T", "where": [["name", "==", f"{tag}2"]]})


def names(srv: ServerProcess) -> list[str]:
    r = srv.client().transact("test", {"op": "select", "table": "T", "where": [],
                                       "columns": ["name"]})
    return sorted(row["name"] for row in r[0]["rows"])


def test_pyovn_created_cluster_accepted_by_real_tool_and_server(tmp_path):
    need("ovsdb-tool", "ovsdb-server")
    db = str(tmp_path / "db0.db")
    p = ours("create-cluster", db, schema_file(tmp_path), f"unix:{tmp_path}/raft")
    assert p.returncode == 0, p.stderr
    assert real("db-is-clustered", db).returncode == 0
    assert real("db-is-standalone", db).returncode == 2
    for cmd in ("db-cid", "db-sid", "db-local-address", "db-name"):
        same_output(cmd, db)
    for m in ([], ["-m"], ["-mm"]):
        same_output(*m, "show-log", db)
    srv = start(tmp_path, db, real_server=True)
    try:
        write_some(srv, "r")
        assert names(srv) == ["r1"]
    finally:
        srv.stop()
    for m in ([], ["-m"], ["-mm"]):
        same_output(*m, "show-log", db)


def test_pyovn_server_on_real_file_resumes_and_compacts(tmp_path):
    need("ovsdb-tool", "ovsdb-server", "ovs-appctl")
    db = str(tmp_path / "db0.db")
    assert real("create-cluster", db, schema_file(tmp_path), f"unix:{tmp_path}/raft").returncode == 0
    cols = {"T": [{"columns": ["name", "n"]}]}
    srv = start(tmp_path, db, real_server=True)
    try:
        write_some(srv, "r")
        found, real_last, _ = srv.client().call(
            "monitor_cond_since", ["test", 1, cols, raftlog.ZERO_UUID])["result"]
    finally:
        srv.stop()
    h = raftlog.read_header(db)

    srv = start(tmp_path, db, real_server=False)
    try:
        c = srv.client()
        [row] = c.transact("_Server", {"op": "select", "table": "Database",
                                       "where": [["name", "==", "test"]]})[0]["rows"]
        assert (row["model"], row["leader"], row["connected"]) == ("clustered", True, True)
        assert row["cid"] == ["uuid", h.cid] and row["sid"] == ["uuid", h.sid]
        # The history was rebuilt from the real server's log: resume from its last id.
        found, last, delta = c.call("monitor_cond_since", ["test", 1, cols, real_last])["result"]
        assert (found, last, delta) == (True, real_last, {})
        # Inserts only: the history keeps fewer atoms than the database, so nothing is dropped.
        c.transact("test", ins("p1"))
        c.transact("test", ins("p2"))
        found, _, delta = srv.client().call("monitor_cond_since",
                                            ["test", 1, cols, real_last])["result"]
        assert found is True
        assert sorted(v["insert"]["name"] for v in delta["T"].values()) == ["p1", "p2"]
        # An update and a delete make the history heavier than the database: it is trimmed
        # (ovsdb-server's bound), and resuming from the real server's id is no longer possible.
        write_some(srv, "q")
        found, _, _ = srv.client().call("monitor_cond_since", ["test", 1, cols, real_last])["result"]
        assert found is False
    finally:
        assert srv.stop() == 0
    for m in ([], ["-m"], ["-mm"]):
        same_output(*m, "show-log", db)

    srv = start(tmp_path, db, real_server=False)
    try:
        r = subprocess.run(["ovs-appctl", "-t", str(tmp_path / "ctl"), "ovsdb-server/compact"],
                           capture_output=True, text=True, timeout=30)
        assert r.returncode == 0, r.stderr
        srv.client().transact("test", ins("after"))
    finally:
        srv.stop()
    with open(db, "rb") as f:
        recs = [x.json for x in storage.iter_records(f, db, magic="CLUSTER")]
    # The snapshot header, the vote, then the one transaction after the compaction.
    assert "prev_data" in recs[0]
    assert [sorted(r) for r in recs[1:]] == [["term", "vote"], ["data", "eid", "index", "term"],
                                             ["commit_index"]]
    srv = start(tmp_path, db, real_server=True)
    try:
        assert names(srv) == ["after", "p1", "p2", "q1", "r1"]
        srv.client().transact("test", ins("real-again"))
    finally:
        srv.stop()
    same_output("-mm", "show-log", db)


def test_cluster_to_standalone_and_seeded_create(tmp_path):
    need("ovsdb-tool", "ovsdb-server")
    db = str(tmp_path / "db0.db")
    assert ours("create-cluster", db, schema_file(tmp_path), "unix:r").returncode == 0
    srv = start(tmp_path, db, real_server=False)
    try:
        write_some(srv, "p")
    finally:
        srv.stop()
    out_real, out_ours = str(tmp_path / "real.db"), str(tmp_path / "ours.db")
    assert real("cluster-to-standalone", out_real, db).returncode == 0
    assert ours("cluster-to-standalone", out_ours, db).returncode == 0

    def recs(p: str) -> list[dict]:
        with open(p, "rb") as f:
            return [x.json for x in storage.iter_records(f, p)]
    assert recs(out_ours) == recs(out_real)
    same_output("-mm", "show-log", out_ours)
    # A cluster seeded from a standalone database: the same content for both tools.
    c_real, c_ours = str(tmp_path / "c_real.db"), str(tmp_path / "c_ours.db")
    assert real("create-cluster", c_real, out_ours, "unix:x").returncode == 0
    assert ours("create-cluster", c_ours, out_ours, "unix:x").returncode == 0
    with open(c_real, "rb") as f:
        hr = next(storage.iter_records(f, c_real, magic="CLUSTER")).json
    with open(c_ours, "rb") as f:
        ho = next(storage.iter_records(f, c_ours, magic="CLUSTER")).json
    assert ho["prev_data"][1]["_comment"] == hr["prev_data"][1]["_comment"]
    assert {t: set(rows) for t, rows in ho["prev_data"][1].items() if not t.startswith("_")} \
        == {t: set(rows) for t, rows in hr["prev_data"][1].items() if not t.startswith("_")}


def test_create_cluster_errors_and_warning_match_real(tmp_path):
    need("ovsdb-tool")
    if not os.path.exists(VSWITCH):
        pytest.skip(f"{VSWITCH} not installed")
    r = real("create-cluster", str(tmp_path / "r.db"), VSWITCH, "unix:x")
    o = ours("create-cluster", str(tmp_path / "o.db"), VSWITCH, "unix:x")
    assert r.returncode == o.returncode == 0
    # The warning line after its timestamp: which columns became persistent.
    assert o.stderr.split("|", 1)[1] == r.stderr.split("|", 1)[1]
    hr, ho = raftlog.read_header(str(tmp_path / "r.db")), raftlog.read_header(str(tmp_path / "o.db"))
    assert ho.snap_data[0] == hr.snap_data[0]
    for args in (("create-cluster", str(tmp_path / "x.db"), schema_file(tmp_path), "foo:x"),
                 ("create-cluster", str(tmp_path / "r.db"), schema_file(tmp_path), "unix:x"),
                 ("db-cid", str(tmp_path / "schema.json")),
                 ("db-local-address", str(tmp_path / "missing.db"))):
        same_output(*args)
