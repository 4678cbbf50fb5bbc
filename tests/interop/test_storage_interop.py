"""Interop of the database file format with the real ovsdb-tool and ovsdb-server (OVS 3.1).

- the real ``ovsdb-tool show-log`` reads files pyovn wrote, and prints what pyovn's tool prints;
- pyovn reads files the real ovsdb-server wrote, and ``pyovn ovsdb-tool show-log`` prints exactly
  what the real one prints for them;
- a pyovn-compacted file is served by the real ovsdb-server with the same content;
- a torn file: the real server and pyovn agree on where the intact part ends;
- the lock file excludes pyovn while the real server holds the database.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator

import orjson
import pytest

from pyovn.cli import ovsdb_tool
from pyovn.ovsdb import storage


def _load_cli_tests():
    # tests/ is not a package: load the sibling test module by path for its sample and golden.
    path = os.path.join(os.path.dirname(__file__), "..", "cli", "test_ovsdb_tool.py")
    spec = importlib.util.spec_from_file_location("_ovsdb_tool_tests", path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


_cli_tests = _load_cli_tests()
GOLDEN_MM = _cli_tests.GOLDEN_MM
write_sample = _cli_tests.write_sample
pytestmark = pytest.mark.interop

NB_SCHEMA = "/usr/share/ovn/ovn-nb.ovsschema"
ENV = {**os.environ, "TZ": "UTC"}


def need(*binaries: str) -> None:
    for b in binaries:
        if shutil.which(b) is None:
            print(f"skipping: {b} not installed")
            pytest.skip(f"{b} not installed")
    if not os.path.exists(NB_SCHEMA):
        pytest.skip(f"{NB_SCHEMA} not installed")


def real(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(list(args), capture_output=True, text=True, env=ENV, check=check,
                          timeout=30)


def pyovn_tool(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        rc = ovsdb_tool.main(list(args))
    return rc, out.getvalue()


@pytest.fixture
def workdir() -> Iterator[str]:
    # Short path: unix socket names are limited to ~107 bytes.
    d = tempfile.mkdtemp(prefix="pyovn-st-", dir="/tmp")
    try:
        yield d
    finally:
        shutil.rmtree(d, ignore_errors=True)


@contextlib.contextmanager
def ovsdb_server(workdir: str, db: str) -> Iterator[str]:
    sock = os.path.join(workdir, "db.sock")
    proc = subprocess.Popen(
        ["ovsdb-server", f"--remote=punix:{sock}", "--no-chdir",
         f"--unixctl={os.path.join(workdir, 'ctl')}",
         f"--log-file={os.path.join(workdir, 'server.log')}", db],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
    try:
        deadline = time.monotonic() + 10
        while not os.path.exists(sock):
            if proc.poll() is not None or time.monotonic() > deadline:
                with open(os.path.join(workdir, "server.log")) as f:
                    raise RuntimeError(f"ovsdb-server did not start: {f.read()}")
            time.sleep(0.02)
        yield f"unix:{sock}"
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)


def transact(remote: str, *ops: dict) -> list:
    out = real("ovsdb-client", "transact", remote,
               orjson.dumps(["OVN_Northbound", *ops]).decode()).stdout
    res = orjson.loads(out)
    assert not any(isinstance(r, dict) and "error" in r for r in res), res
    return res


def server_written_db(workdir: str) -> str:
    db = os.path.join(workdir, "nb.db")
    real("ovsdb-tool", "create", db, NB_SCHEMA)
    with ovsdb_server(workdir, db) as remote:
        transact(remote, {"op": "insert", "table": "NB_Global", "row": {}})
        transact(remote, {"op": "comment", "comment": 'first "one"\nsecond'},
                 {"op": "insert", "table": "Logical_Switch", "uuid-name": "ls",
                  "row": {"name": "sw0", "other_config": ["map", [["a", "1"], ["b", "x y"]]]}},
                 {"op": "insert", "table": "Address_Set",
                  "row": {"name": "as1", "addresses": ["set", ["10.0.0.1", "10.0.0.2"]]}})
        port_uuids = []
        for i in range(30):
            res = transact(remote, {"op": "insert", "table": "Logical_Switch_Port",
                                    "uuid-name": "p",
                                    "row": {"name": f"p{i}",
                                            "addresses": f"00:00:00:00:00:{i:02x}"}},
                           {"op": "mutate", "table": "Logical_Switch",
                            "where": [["name", "==", "sw0"]],
                            "mutations": [["ports", "insert", ["set", [["named-uuid", "p"]]]]]})
            port_uuids.append(res[0]["uuid"])
        transact(remote, {"op": "update", "table": "Logical_Switch", "where": [],
                          "row": {"other_config": ["map", [["a", "2"], ["c", "3"]]]}})
        transact(remote, {"op": "update", "table": "Address_Set", "where": [],
                          "row": {"name": "as2", "addresses": ["set", ["10.0.0.2", "10.0.0.3"]]}})
        # dropping the only reference garbage-collects the port (a deletion in the log)
        transact(remote, {"op": "mutate", "table": "Logical_Switch", "where": [],
                          "mutations": [["ports", "delete", port_uuids[3]]]})
        transact(remote, {"op": "delete", "table": "Address_Set", "where": []})
    return db


def select_all(db: str) -> list:
    ops = [{"op": "select", "table": t, "where": []}
           for t in ("NB_Global", "Logical_Switch", "Logical_Switch_Port", "Address_Set")]
    out = real("ovsdb-tool", "query", db, orjson.dumps(["OVN_Northbound", *ops]).decode()).stdout
    res = orjson.loads(out)
    for r in res:
        for row in r["rows"]:
            row.pop("_version", None)
        r["rows"].sort(key=lambda row: row["_uuid"][1])
    return res


def test_real_show_log_reads_pyovn_file(workdir):
    need("ovsdb-tool")
    db = write_sample(os.path.join(workdir, "g.db"))
    assert real("ovsdb-tool", "-mm", "show-log", db).stdout == GOLDEN_MM
    for more in ([], ["-m"], ["-mm"]):
        assert pyovn_tool(*more, "show-log", db)[1] == \
            real("ovsdb-tool", *more, "show-log", db).stdout


def test_pyovn_reads_server_written_file(workdir):
    need("ovsdb-tool", "ovsdb-server", "ovsdb-client")
    db = server_written_db(workdir)
    records = storage.read_file(db)
    assert len(records) == 1 + 36
    assert records[0].json["name"] == "OVN_Northbound"
    assert any(r.json.get("_comment") == 'first "one"\nsecond' for r in records)
    assert all(r.json.get("_is_diff") is True for r in records[1:])
    for more in ([], ["-m"], ["-mm"]):
        expected = real("ovsdb-tool", *more, "show-log", db).stdout
        rc, got = pyovn_tool(*more, "show-log", db)
        assert rc == 0
        assert got == expected


def test_schema_commands_match_real(workdir):
    need("ovsdb-tool")
    db = os.path.join(workdir, "nb.db")
    assert ovsdb_tool.main(["create", db, NB_SCHEMA]) == 0
    for cmd, arg in (("db-name", db), ("db-version", db), ("db-cksum", db),
                     ("schema-name", NB_SCHEMA), ("schema-version", NB_SCHEMA),
                     ("schema-cksum", NB_SCHEMA)):
        assert pyovn_tool(cmd, arg) == (0, real("ovsdb-tool", cmd, arg).stdout)
    assert real("ovsdb-tool", "needs-conversion", db, NB_SCHEMA).stdout == "no\n"
    assert real("ovsdb-tool", "show-log", db).stdout == pyovn_tool("show-log", db)[1]


def test_pyovn_compaction_is_served_by_real_server(workdir):
    need("ovsdb-tool", "ovsdb-server", "ovsdb-client")
    db = server_written_db(workdir)
    before = select_all(db)
    size = os.path.getsize(db)
    assert ovsdb_tool.main(["compact", db]) == 0
    assert os.path.getsize(db) < size
    assert len(storage.read_file(db)) == 2
    assert select_all(db) == before
    # the real server opens it and appends after it; pyovn reads the result
    with ovsdb_server(workdir, db) as remote:
        transact(remote, {"op": "insert", "table": "Address_Set", "row": {"name": "after"}})
    assert len(storage.read_file(db)) == 3
    assert pyovn_tool("-mm", "show-log", db)[1] == real("ovsdb-tool", "-mm", "show-log", db).stdout


def test_pyovn_transact_then_real_reads(workdir):
    need("ovsdb-tool")
    db = os.path.join(workdir, "nb.db")
    real("ovsdb-tool", "create", db, NB_SCHEMA)
    rc, out = pyovn_tool("transact", db, orjson.dumps(["OVN_Northbound", {
        "op": "insert", "table": "Logical_Switch",
        "row": {"name": "sw9", "external_ids": ["map", [["k", "v"]]]}}]).decode())
    assert rc == 0
    pyovn_tool("transact", db, orjson.dumps(["OVN_Northbound", {
        "op": "update", "table": "Logical_Switch", "where": [],
        "row": {"external_ids": ["map", [["k", "w"], ["z", "1"]]]}}]).decode())
    res = select_all(db)
    assert [(r["name"], r["external_ids"]) for r in res[1]["rows"]] == \
        [("sw9", ["map", [["k", "w"], ["z", "1"]]])]
    assert pyovn_tool("-mm", "show-log", db)[1] == real("ovsdb-tool", "-mm", "show-log", db).stdout


def test_torn_file_recovery_agrees_with_real_server(workdir):
    need("ovsdb-tool", "ovsdb-server", "ovsdb-client")
    db = server_written_db(workdir)
    os.truncate(db, os.path.getsize(db) - 7)
    with storage.LogFile.open(db, read_only=True) as log:
        n_good = sum(1 for _ in log.read())
        assert log.damage is not None and log.damage.tail
        good_end = log.damage.offset
    with ovsdb_server(workdir, db) as remote:
        transact(remote, {"op": "insert", "table": "Address_Set", "row": {"name": "new"}})
    records = storage.read_file(db)       # the real server cut the torn record where we said
    assert len(records) == n_good + 1
    assert records[-1].offset == good_end


def test_lock_excludes_pyovn_while_real_server_runs(workdir):
    need("ovsdb-tool", "ovsdb-server")
    db = os.path.join(workdir, "nb.db")
    real("ovsdb-tool", "create", db, NB_SCHEMA)
    with ovsdb_server(workdir, db):
        with pytest.raises(storage.StorageIOError, match="failed to lock lockfile"):
            storage.LogFile.open(db)
        assert ovsdb_tool.main(["compact", db]) == 1
    # and the real tool is excluded while pyovn holds it
    with storage.LogFile.open(db):
        r = real("ovsdb-tool", "compact", db, check=False)
        assert r.returncode == 1 and "failed to lock lockfile" in r.stderr
