"""Tests of ``pyovn ovsdb-tool``: output and errors as the real ovsdb-tool prints them.

The golden show-log texts below were produced by the real ovsdb-tool 3.1.0 on the file that
``write_sample`` writes (tests/interop/test_storage_interop.py re-checks them against the binary).
"""

from __future__ import annotations

import os

import orjson
import pytest

from pyovn.cli import ovsdb_tool
from pyovn.ovsdb import storage
from pyovn.util.ovshash import hash_string, shash_order

SCHEMA = {"name": "Test", "version": "1.2.3", "cksum": "123 45", "tables": {
    "T": {"columns": {
        "name": {"type": "string"},
        "n": {"type": {"key": {"type": "integer", "maxInteger": 10}, "min": 0, "max": 2}},
        "m": {"type": {"key": "string", "value": "string", "min": 0, "max": "unlimited"}},
        "r": {"type": {"key": {"type": "uuid", "refTable": "U"}, "min": 0, "max": 1}},
        "f": {"type": "real"}, "b": {"type": "boolean"}}, "isRoot": True},
    "U": {"columns": {"x": {"type": "integer"}}, "isRoot": True}}}
A = "aaaaaaaa-0000-4000-8000-000000000001"
B = "bbbbbbbb-0000-4000-8000-000000000002"
C = "cccccccc-0000-4000-8000-000000000003"
RECORDS = [
    {"T": {A: {"name": "sw0", "n": ["set", [3, 1]], "m": ["map", [["k", "v 1"], ["a", "true"]]],
               "f": 1.5, "b": True}},
     "U": {B: {"x": 7}}, "_date": 1700000000123, "_comment": 'say "hi"\nbye', "_is_diff": True},
    # a diff that is too big for the column (3 > max 2) prints as JSON; a date in seconds
    {"T": {A: {"name": "sw1", "n": ["set", [1, 2, 3]], "r": ["uuid", B]}}, "_date": 1600000000,
     "_is_diff": True},
    {"T": {C: {"name": "", "f": 2}, A: {"m": ["map", [["k", "v 1"]]]}}, "_date": 1700000001000},
    {"_date": 1700000002000, "_comment": "empty"},
    {"T": {A: None}, "U": {B: None}, "Bogus": {C: {"zz": 1}}, "_is_diff": True},
]

GOLDEN = """\
record 0: "Test" schema, version="1.2.3", cksum="123 45"

record 1: 2023-11-14 22:13:20.123 "say "hi"
bye"
record 2: 2020-09-13 12:26:40.000
record 3: 2023-11-14 22:13:21.000
record 4: 2023-11-14 22:13:22.000 "empty"
record 5:
"""

GOLDEN_MM = """\
record 0: "Test" schema, version="1.2.3", cksum="123 45"

record 1: 2023-11-14 22:13:20.123 "say "hi"
bye"
  table U insert row bbbbbbbb:
    x=7
  table T insert row "sw0" (aaaaaaaa):
    m={a="true", k="v 1"}
    name=sw0
    b=true
    n=[1, 3]
    f=1.5

record 2: 2020-09-13 12:26:40.000
  table T row "sw0" (aaaaaaaa) diff:
    name=sw1
    n=["set",[1,2,3]]
    r=bbbbbbbb-0000-4000-8000-000000000002

record 3: 2023-11-14 22:13:21.000
  table T row "sw1" (aaaaaaaa):
    m={k="v 1"}
  table T insert row "" (cccccccc):
    name=""
    f=2

record 4: 2023-11-14 22:13:22.000 "empty"
record 5:
  table Bogus row "" (cccccccc) diff:
    zz=1
  table U row bbbbbbbb (bbbbbbbb) diff:
    delete row
  table T row "sw1" (aaaaaaaa) diff:
    delete row

"""


def write_sample(path: str) -> str:
    storage.create(path, SCHEMA)
    with storage.LogFile.open(path) as log:
        for r in RECORDS:
            log.append(r)
    return path


def run(capsys, *argv: str) -> tuple[int, str, str]:
    rc = ovsdb_tool.main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


@pytest.fixture
def sample(tmp_path) -> str:
    return write_sample(str(tmp_path / "g.db"))


@pytest.fixture
def schema_file(tmp_path) -> str:
    p = tmp_path / "test.ovsschema"
    p.write_bytes(orjson.dumps(SCHEMA))
    return str(p)


def test_show_log_golden(capsys, sample):
    assert run(capsys, "show-log", sample) == (0, GOLDEN, "")
    assert run(capsys, "-mm", "show-log", sample) == (0, GOLDEN_MM, "")
    # options may follow the command (getopt permutes) and long options may be abbreviated
    assert run(capsys, "show-log", "--mo", "-m", sample)[1] == GOLDEN_MM


def test_show_log_one_m_has_no_values(capsys, sample):
    rc, out, _ = run(capsys, "-m", "show-log", sample)
    assert rc == 0
    assert out == "".join(line + "\n" for line in GOLDEN_MM.splitlines()
                          if not line.startswith("    ") or line == "    delete row")


def test_show_log_reports_damage_after_good_records(capsys, sample):
    os.truncate(sample, os.path.getsize(sample) - 3)
    rc, out, err = run(capsys, "show-log", sample)
    assert rc == 1
    assert out == GOLDEN.replace("record 5:\n", "")
    assert err.startswith(f"ovsdb-tool: I/O error: {sample}: error reading ")


def test_ovs_hash_and_order():
    # hash_string values of Open vSwitch (murmur variant), and an order seen in a real file
    assert hash_string("") == 0
    assert hash_string("a") == 0x2B038801
    assert hash_string("Logical_Switch") == 0xCE0AF4D2
    keys = ["_date", "NB_Global", "Logical_Switch", "_is_diff", "_comment",
            "Logical_Switch_Port"]
    order = [k for k in shash_order(keys) if not k.startswith("_")]
    assert order == ["NB_Global", "Logical_Switch", "Logical_Switch_Port"]
    assert sorted(shash_order(map(str, range(100)))) == sorted(map(str, range(100)))


def test_create_and_schema_commands(capsys, tmp_path, schema_file):
    db = str(tmp_path / "new.db")
    assert run(capsys, "create", db, schema_file) == (0, "", "")
    assert run(capsys, "db-name", db) == (0, "Test\n", "")
    assert run(capsys, "db-version", db) == (0, "1.2.3\n", "")
    assert run(capsys, "db-cksum", db) == (0, "123 45\n", "")
    assert run(capsys, "schema-name", schema_file) == (0, "Test\n", "")
    assert run(capsys, "schema-version", schema_file) == (0, "1.2.3\n", "")
    assert run(capsys, "schema-cksum", schema_file) == (0, "123 45\n", "")
    assert run(capsys, "needs-conversion", db, schema_file) == (0, "no\n", "")
    other = tmp_path / "other.ovsschema"
    other.write_bytes(orjson.dumps({**SCHEMA, "version": "1.2.4"}))
    assert run(capsys, "needs-conversion", db, str(other)) == (0, "yes\n", "")
    assert run(capsys, "db-is-standalone", db)[0] == 0
    assert run(capsys, "db-is-clustered", db)[0] == 2
    rc, _, err = run(capsys, "create", db, schema_file)
    assert rc == 1 and err == f"ovsdb-tool: I/O error: {db}: create failed (File exists)\n"


def test_schema_file_errors(capsys, tmp_path):
    rc, _, err = run(capsys, "schema-name", str(tmp_path / "nope"))
    assert rc == 1
    assert err == (f'ovsdb-tool: failed to read schema: "{tmp_path}/nope" could not be read as '
                   f'JSON (error opening "{tmp_path}/nope": No such file or directory)\n')
    bad = tmp_path / "bad.ovsschema"
    bad.write_text('{"name":"x"}')
    rc, _, err = run(capsys, "schema-name", str(bad))
    assert rc == 1
    assert err.startswith('ovsdb-tool: syntax "{"name":"x"}": syntax error: failed to parse "')


def test_db_file_errors(capsys, tmp_path):
    g = tmp_path / "g.db"
    g.write_text("garbage\n")
    assert run(capsys, "db-version", str(g)) == (
        1, "", f"ovsdb-tool: ovsdb error: {g}: unexpected file format\n")
    e = tmp_path / "e.db"
    e.write_text("")
    assert run(capsys, "show-log", str(e)) == (
        1, "", f"ovsdb-tool: ovsdb error: {e}: cannot identify file type\n")
    c = tmp_path / "c.db"
    c.write_bytes(storage.encode_record({"name": "Clu"}, magic="CLUSTER"))
    assert run(capsys, "db-version", str(c)) == (
        1, "", f"ovsdb-tool: ovsdb error: {c}: cannot apply this operation to clustered "
        "database file\n")
    assert run(capsys, "db-name", str(c)) == (0, "Clu\n", "")
    assert run(capsys, "db-is-clustered", str(c))[0] == 0
    assert run(capsys, "db-is-standalone", str(c))[0] == 2


def test_command_line_errors(capsys):
    assert run(capsys) == (1, "", "ovsdb-tool: missing command name; use --help for help\n")
    assert run(capsys, "foo") == (1, "", "ovsdb-tool: unknown command 'foo'; use --help for "
                                         "help\n")
    assert run(capsys, "create", "a", "b", "c") == (
        1, "", "ovsdb-tool: 'create' command takes at most 2 arguments\n")
    assert run(capsys, "query") == (
        1, "", "ovsdb-tool: 'query' command requires at least 1 arguments\n")
    assert run(capsys, "--bogus", "show-log") == (
        1, "", "ovsdb-tool: unrecognized option '--bogus'\n")
    assert run(capsys, "-x") == (1, "", "ovsdb-tool: invalid option -- 'x'\n")
    rc, out, _ = run(capsys, "--help")
    assert rc == 0 and "usage: ovsdb-tool [OPTIONS] COMMAND [ARG...]" in out


def test_compare_versions(capsys):
    assert run(capsys, "compare-versions", "1.2.3", "<", "1.10.0")[0] == 0
    assert run(capsys, "compare-versions", "1.2.3", ">", "1.10.0")[0] == 2
    assert run(capsys, "compare-versions", "1.2.3", "==", "1.2.3")[0] == 0
    assert run(capsys, "compare-versions", "1.2", "<", "1.0.0") == (
        1, "", "ovsdb-tool: 1.2: not an OVSDB version number in format x.y.z\n")
    assert run(capsys, "compare-versions", "1.2.3", "~", "1.0.0") == (
        1, "", "ovsdb-tool: ~: not a relational operator\n")


def _select(capsys, db: str) -> list:
    rc, out, _ = run(capsys, "query", db, orjson.dumps(
        ["Test", {"op": "select", "table": "T", "where": [], "columns": ["name", "n"]}]).decode())
    assert rc == 0
    return orjson.loads(out)


def test_transact_query_compact(capsys, tmp_path, schema_file):
    db = str(tmp_path / "t.db")
    run(capsys, "create", db, schema_file)
    rc, out, _ = run(capsys, "transact", db, orjson.dumps(
        ["Test", {"op": "insert", "table": "T", "row": {"name": "a", "n": ["set", [1, 2]]}},
         {"op": "comment", "comment": "first"}]).decode())
    assert rc == 0
    res = orjson.loads(out)
    assert res[1] == {} and res[0]["uuid"][0] == "uuid"
    size = os.path.getsize(db)
    rc, out, _ = run(capsys, "transact", db, '["Test",{"op":"update","table":"T","where":[],'
                                             '"row":{"n":["set",[2,3]]}}]')
    assert orjson.loads(out) == [{"count": 1}]
    assert os.path.getsize(db) > size
    recs = storage.read_file(db)
    assert recs[1].json["_comment"] == "first"
    assert recs[2].json["_is_diff"] is True
    assert _select(capsys, db) == [{"rows": [{"name": "a", "n": ["set", [2, 3]]}]}]

    # query executes, prints, and does not write (the real tool's failed-write report included)
    size = os.path.getsize(db)
    rc, out, _ = run(capsys, "query", db, '["Test",{"op":"insert","table":"T","row":{}}]')
    assert orjson.loads(out)[1] == {"details": f"{db}: cannot truncate to length {size}",
                                    "error": "I/O error", "io-error": "Invalid argument"}
    assert os.path.getsize(db) == size

    # compaction in place and to a new file keep the content and shrink to two records
    target = str(tmp_path / "c.db")
    assert run(capsys, "compact", db, target)[0] == 0
    assert run(capsys, "compact", db)[0] == 0
    for path in (db, target):
        recs = storage.read_file(path)
        assert len(recs) == 2
        assert _select(capsys, path) == [{"rows": [{"name": "a", "n": ["set", [2, 3]]}]}]


def test_transact_errors(capsys, tmp_path, schema_file):
    sample = str(tmp_path / "q.db")
    run(capsys, "create", sample, schema_file)
    assert run(capsys, "query", sample, '["Foo"]') == (0, (
        '{"details":"database name expected as first parameter","error":"syntax error",'
        '"syntax":"[\\"Foo\\"]"}\n'), "")
    assert run(capsys, "query", sample, "{}") == (
        0, '{"details":"array expected","error":"syntax error","syntax":"{}"}\n', "")
    rc, _, err = run(capsys, "query", sample, "bad")
    assert rc == 1 and err.startswith('ovsdb-tool: "bad": ')
