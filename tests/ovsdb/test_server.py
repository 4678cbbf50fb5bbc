"""pyovn ovsdb-server over the wire: methods, monitors, locks, waits, history, persistence."""

from __future__ import annotations

import json
import socket
import threading
import time

import pytest

from pyovn.testing.wire import RawClient, ServerProcess

SCHEMA = {
    "name": "test",
    "version": "1.0.0",
    "tables": {
        "T": {
            "columns": {
                "name": {"type": "string"},
                "n": {"type": "integer"},
                "tags": {"type": {"key": "string", "min": 0, "max": "unlimited"}},
                "ext": {"type": {"key": "string", "value": "string", "min": 0, "max": "unlimited"}},
            },
            "indexes": [["name"]],
            "isRoot": True,
        }
    },
}


@pytest.fixture
def server(tmp_path):
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps(SCHEMA))
    srv = ServerProcess(tmp_path, [str(schema)]).start()
    yield srv
    srv.stop()


def ins(name, n=0, **kw):
    row = {"name": name, "n": n}
    row.update(kw)
    return {"op": "insert", "table": "T", "row": row}


def test_list_dbs_schema_echo_server_id(server):
    c = server.client()
    assert sorted(c.call("list_dbs", [])["result"]) == ["_Server", "test"]
    schema = c.call("get_schema", ["test"])["result"]
    assert schema["name"] == "test" and set(schema["tables"]) == {"T"}
    err = c.call("get_schema", ["nope"])["error"]
    assert err == {"error": "unknown database", "syntax": '["nope"]',
                   "details": "get_schema request specifies unknown database nope"}
    assert c.call("echo", ["a", 1])["result"] == ["a", 1]
    sid = c.call("get_server_id", [])["result"]
    assert isinstance(sid, str) and len(sid) == 36


def test_transact_and_errors(server):
    c = server.client()
    r = c.transact("test", ins("a", 1), ins("b", 2))
    assert len(r) == 2 and all("uuid" in x for x in r)
    rows = c.transact("test", {"op": "select", "table": "T", "where": [["n", ">", 1]],
                               "columns": ["name"]})
    assert rows == [{"rows": [{"name": "b"}]}]
    # unique index violation: the error comes as an extra result, nothing is committed
    r = c.transact("test", ins("c"), ins("a"))
    assert r[-1]["error"] == "constraint violation"
    assert c.transact("test", {"op": "select", "table": "T", "where": [["name", "==", "c"]]}) == [{"rows": []}]
    reply = c.call("transact", ["nodb", ins("x")])
    assert reply["error"]["error"] == "unknown database"
    reply = c.call("frobnicate", [])
    assert reply["error"]["error"] == "unknown method"


def test_monitor_cond_updates_before_reply(server):
    m = server.client()
    init = m.call("monitor_cond", ["test", "mid", {"T": [{"columns": ["name", "tags"]}]}])
    assert init["result"] == {}
    w = server.client()
    w.transact("test", ins("a", tags=["set", ["x"]]))
    # the writer's own monitor would see it first; here check the separate monitor gets update2
    msg = m.recv()
    assert msg["method"] == "update2"
    (u, change), = msg["params"][1]["T"].items()
    assert change == {"insert": {"name": "a", "tags": "x"}}
    w.transact("test", {"op": "mutate", "table": "T", "where": [["_uuid", "==", ["uuid", u]]],
                        "mutations": [["tags", "insert", ["set", ["y"]]]]})
    msg = m.recv()
    assert msg["params"][1]["T"][u] == {"modify": {"tags": "y"}}
    # own transaction: the update arrives before the reply
    m.send({"method": "transact", "params": ["test", {"op": "delete", "table": "T", "where": []}], "id": 99})
    first, second = m.recv(), m.recv()
    assert first["method"] == "update2" and first["params"][1]["T"][u] == {"delete": None}
    assert second["id"] == 99 and second["result"] == [{"count": 1}]


def test_monitor_v1_and_cancel(server):
    m = server.client()
    server.client().transact("test", ins("a", 5))
    init = m.call("monitor", ["test", ["x"], {"T": {"columns": ["name", "n"]}}])["result"]
    (u, row), = init["T"].items()
    assert row == {"new": {"name": "a", "n": 5}}
    server.client().transact("test", {"op": "update", "table": "T", "where": [], "row": {"n": 6}})
    msg = m.recv()
    assert msg["method"] == "update" and msg["params"][0] == ["x"]
    assert msg["params"][1]["T"][u] == {"old": {"n": 5}, "new": {"name": "a", "n": 6}}
    assert m.call("monitor_cancel", [["x"]])["result"] == {}
    assert m.call("monitor_cancel", [["x"]])["error"]["error"] == "unknown monitor"


def test_monitor_condition_and_change(server):
    w = server.client()
    w.transact("test", ins("a", 1), ins("b", 2))
    m = server.client()
    init = m.call("monitor_cond", ["test", None, {"T": [{"where": [["n", "==", 1]], "columns": ["name"]}]}])
    assert [r["initial"]["name"] for r in init["result"]["T"].values()] == ["a"]
    # b starts to match: insert; a stops matching: delete
    w.transact("test", {"op": "update", "table": "T", "where": [], "row": {"n": 1}})
    msg = m.recv()
    assert sorted(next(iter(v)) for v in msg["params"][1]["T"].values()) == ["insert"]
    reply = m.call("monitor_cond_change", [None, None, {"T": [{"where": [["name", "==", "b"]]}]}])
    assert reply["result"] == {}
    upd = m.recv()
    assert list(upd["params"][1]["T"].values()) == [{"delete": None}]


def test_monitor_cond_since_standalone_has_no_history(server):
    zero = "00000000-0000-0000-0000-000000000000"
    m = server.client()
    assert m.call("monitor_cond_since", ["test", 1, {"T": [{}]}, zero])["result"] == [False, zero, {}]
    server.client().transact("test", ins("a"))
    assert m.recv()["params"][1] == zero


def test_monitor_cond_since_resync(tmp_path):
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps(SCHEMA))
    with ServerProcess(tmp_path, [str(schema)], extra=["--txn-history=50"]) as server:
        _resync(server)


def _resync(server):
    m = server.client()
    r = m.call("monitor_cond_since", ["test", 1, {"T": [{"columns": ["name"]}]},
                                      "00000000-0000-0000-0000-000000000000"])["result"]
    assert r[0] is False
    w = server.client()
    w.transact("test", ins("a"))
    upd = m.recv()
    assert upd["method"] == "update3"
    last = upd["params"][1]
    m.close()
    w.transact("test", ins("b"))
    w.transact("test", {"op": "delete", "table": "T", "where": [["name", "==", "a"]]})
    m2 = server.client()
    found, last2, delta = m2.call("monitor_cond_since", ["test", 1, {"T": [{"columns": ["name"]}]}, last])["result"]
    assert found is True and last2 != last
    kinds = sorted(next(iter(v)) for v in delta["T"].values())
    assert kinds == ["delete", "insert"]
    # unknown id: full initial contents
    found, _, full = server.client().call(
        "monitor_cond_since", ["test", 1, {"T": [{"columns": ["name"]}]}, "11111111-1111-1111-1111-111111111111"])["result"]
    assert found is False and [v["initial"]["name"] for v in full["T"].values()] == ["b"]


def test_locks(server):
    a, b = server.client(), server.client()
    assert a.call("lock", ["L"])["result"] == {"locked": True}
    assert b.call("lock", ["L"])["result"] == {"locked": False}
    assert a.call("unlock", ["L"])["result"] == {}
    msg = b.recv()
    assert msg == {"method": "locked", "params": ["L"], "id": None}
    assert a.call("steal", ["L"])["result"] == {"locked": True}
    assert b.recv() == {"method": "stolen", "params": ["L"], "id": None}
    # assert op needs the lock
    r = b.transact("test", {"op": "assert", "lock": "L"})
    assert r[0]["error"] == "not owner"
    assert a.transact("test", {"op": "assert", "lock": "L"}) == [{}]


def test_wait_blocks_until_commit_and_times_out(server):
    w = server.client()
    waiter = server.client()
    waiter.send({"method": "transact", "id": 5, "params": ["test", {
        "op": "wait", "table": "T", "where": [["name", "==", "z"]], "columns": ["name"],
        "until": "==", "rows": [{"name": "z"}], "timeout": 5000}]})
    time.sleep(0.2)
    w.transact("test", ins("z"))
    reply = waiter.recv()
    assert reply["id"] == 5 and reply["result"] == [{}]
    t0 = time.monotonic()
    r = waiter.transact("test", {"op": "wait", "table": "T", "where": [["name", "==", "q"]],
                                 "columns": ["name"], "until": "==", "rows": [{"name": "q"}],
                                 "timeout": 300})
    assert r[0]["error"] == "timed out"
    assert 0.25 < time.monotonic() - t0 < 5


def test_persistence_across_restart(tmp_path):
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps(SCHEMA))
    srv = ServerProcess(tmp_path, [str(schema)]).start()
    srv.client().transact("test", ins("keep", 7, ext=["map", [["k", "v"]]]))
    assert srv.stop() == 0
    srv2 = ServerProcess(tmp_path, [str(schema)], create=False).start()
    rows = srv2.client().transact("test", {"op": "select", "table": "T", "where": [],
                                           "columns": ["name", "n", "ext"]})
    srv2.stop()
    assert rows == [{"rows": [{"name": "keep", "n": 7, "ext": ["map", [["k", "v"]]]}]}]


def test_sigkill_loses_no_acknowledged_transaction(tmp_path):
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps(SCHEMA))
    srv = ServerProcess(tmp_path, [str(schema)]).start()
    acked: list[str] = []
    stop = threading.Event()

    def writer(k: int) -> None:
        c = RawClient(srv.sock)
        i = 0
        try:
            while not stop.is_set():
                name = f"w{k}-{i}"
                r = c.transact("test", ins(name, i))
                if "uuid" in r[0]:
                    acked.append(name)
                i += 1
        except (OSError, ConnectionError, RuntimeError):
            pass

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    time.sleep(1.0)
    srv.kill()  # SIGKILL in the middle of the load
    stop.set()
    for t in threads:
        t.join()
    assert len(acked) > 50
    srv2 = ServerProcess(tmp_path, [str(schema)], create=False).start()
    rows = srv2.client().transact("test", {"op": "select", "table": "T", "where": [], "columns": ["name"]})
    srv2.stop()
    have = {r["name"] for r in rows[0]["rows"]}
    missing = [n for n in acked if n not in have]
    assert not missing, f"{len(missing)} acknowledged transactions lost"


def test_robustness_bad_input_others_unaffected(server):
    good = server.client()
    good.transact("test", ins("a"))
    # malformed JSON: error or disconnect, never a crash
    bad = server.client()
    bad.send(b'{"method": "echo", "params": [}')
    assert bad.closed_by_peer()
    # not an object / wrong params
    c = server.client()
    assert c.call("transact", ["test", "not an op"])["result"][0]["error"]
    reply = c.call("get_schema", [1, 2, 3])
    assert reply["error"]
    c.send({"method": 5, "params": [], "id": 1})
    assert c.recv()["error"]["error"] == "syntax error"
    # deep nesting
    deep = server.client()
    deep.send(b'{"method":"echo","params":' + b"[" * 100000 + b"]" * 100000 + b',"id":1}')
    assert deep.closed_by_peer()
    # a large but valid message is processed
    big = server.client()
    assert big.call("echo", ["x" * 5_000_000])["result"] == ["x" * 5_000_000]
    assert good.call("echo", [1])["result"] == [1]
    assert good.transact("test", {"op": "select", "table": "T", "where": [], "columns": ["name"]}) == \
        [{"rows": [{"name": "a"}]}]


def test_client_that_never_reads_is_dropped(tmp_path):
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps(SCHEMA))
    srv = ServerProcess(tmp_path, [str(schema)], extra=["--max-backlog=2000000", "--no-fsync"]).start()
    try:
        lazy = srv.client()
        lazy.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        lazy.send({"method": "monitor_cond", "params": ["test", None, {"T": [{}]}], "id": 1})
        w = srv.client()
        blob = "y" * 20000
        for i in range(400):  # ~8 MB of updates the lazy client never reads
            w.transact("test", ins(f"r{i}", tags=["set", [blob + str(i)]]))
        assert w.call("echo", [])["result"] == []
        assert lazy.closed_by_peer(timeout=10)
    finally:
        srv.stop()


def test_one_reply_larger_than_the_backlog_limit_is_sent(tmp_path):
    # The limit drops clients that stop reading while output piles up; a single reply larger
    # than it (a monitor's initial contents of a big database) still goes to a client that reads.
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps(SCHEMA))
    srv = ServerProcess(tmp_path, [str(schema)], extra=["--max-backlog=2000000", "--no-fsync"]).start()
    try:
        w = srv.client()
        blob = "z" * 20000
        for i in range(0, 400, 50):  # ~8 MB in the table
            w.transact("test", *[ins(f"r{j}", tags=["set", [blob + str(j)]])
                                 for j in range(i, i + 50)])
        reader = RawClient(srv.sock, timeout=30)
        reply = reader.call("monitor_cond", ["test", None, {"T": [{}]}])
        assert len(reply["result"]["T"]) == 400
        assert reader.call("echo", [7])["result"] == [7]
    finally:
        srv.stop()
