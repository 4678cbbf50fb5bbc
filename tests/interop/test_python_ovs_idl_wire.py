"""python-ovs's Idl on pyovn's ovsdb-server speaks the same protocol as on the real one.

python-ovs first asks for the _Server schema with ``get_schema ["_Server", <its monitor id>]``;
ovsdb-server takes the database name and ignores the rest. pyovn's server used to refuse the
extra parameter, and the Idl then skipped _Server and fell back to plain ``monitor``, whose
"modify" updates carry the whole row: with ovsdbapp's acl_add, every new ACL sent the switch's
whole ``acls`` set (old and new) and the client re-parsed it, 42 MB for 300 ports instead of
0.7 MB of ``update3`` diffs. Here the Idl's messages and the server's notifications are recorded
on both servers, for the same transactions, and compared.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

import pytest

from pyovn import schemas
from pyovn.testing.real import require_real
from pyovn.testing.wire import ServerProcess

pytestmark = pytest.mark.interop

_skip = require_real("ovsdb-server")
if _skip:
    pytest.skip(_skip, allow_module_level=True)

ovs_jsonrpc = pytest.importorskip("ovs.jsonrpc")
ovs_idl = pytest.importorskip("ovs.db.idl")
ovs_poller = pytest.importorskip("ovs.poller")

NB = str(schemas.path("OVN_Northbound"))
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def norm(obj: Any) -> Any:
    """``obj`` with UUIDs numbered in order of appearance (key order fixed first)."""
    seen: dict[str, str] = {}
    text = UUID.sub(lambda m: seen.setdefault(m.group(0), f"<{len(seen)}>"),
                    json.dumps(obj, sort_keys=True))
    return json.loads(text)


@pytest.fixture
def wire(monkeypatch):
    """Every JSON-RPC message python-ovs sends (``>``) and receives (``<``), in order."""
    log: list[tuple[str, dict[str, Any]]] = []
    send, recv = ovs_jsonrpc.Connection.send, ovs_jsonrpc.Connection.recv

    def logged_send(self, msg):
        log.append((">", msg.to_json()))
        return send(self, msg)

    def logged_recv(self):
        error, msg = recv(self)
        if msg is not None:
            log.append(("<", msg.to_json()))
        return error, msg

    monkeypatch.setattr(ovs_jsonrpc.Connection, "send", logged_send)
    monkeypatch.setattr(ovs_jsonrpc.Connection, "recv", logged_recv)
    return log


def pump(idl: Any, done, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, "the Idl did not get there in time"
        idl.run()
        if done():
            return
        poller = ovs_poller.Poller()
        idl.wait(poller)
        poller.timer_wait(100)
        poller.block()


def session(tmp_path, real: bool, log: list) -> list[tuple[str, Any]]:
    """An Idl on a fresh OVN_Northbound; two transactions from another client, one inserting
    an address set and one mutating its ``addresses`` set. Returns what the Idl sent (method
    names, echo left out) and every notification it received, UUIDs numbered."""
    d = tmp_path / ("real" if real else "pyovn")
    d.mkdir()
    log.clear()
    with ServerProcess(d, [NB], real=real) as server:
        helper = ovs_idl.SchemaHelper(location=NB)
        helper.register_all()
        idl = ovs_idl.Idl(f"unix:{server.sock}", helper)
        try:
            pump(idl, lambda: idl.state == idl.IDL_S_MONITORING)
            c = server.client()
            c.transact("OVN_Northbound", {"op": "insert", "table": "Address_Set",
                                          "row": {"name": "as0",
                                                  "addresses": ["set", ["1", "2"]]}})
            pump(idl, lambda: len(idl.tables["Address_Set"].rows) == 1)
            c.transact("OVN_Northbound", {"op": "mutate", "table": "Address_Set", "where": [],
                                          "mutations": [["addresses", "insert", ["set", ["3"]]],
                                                        ["addresses", "delete", "1"]]})
            row = lambda: next(iter(idl.tables["Address_Set"].rows.values()))  # noqa: E731
            pump(idl, lambda: sorted(row().addresses) == ["2", "3"])
            c.close()
        finally:
            idl.close()
    sent = [m["method"] for d_, m in log if d_ == ">" and "method" in m and m["method"] != "echo"]
    notes = [m for d_, m in log if d_ == "<" and m.get("method") not in (None, "echo")]
    return [("sent", sent), *(("notification", n) for n in norm(notes))]


def test_idl_monitors_through_server_with_update3_diffs(tmp_path, wire):
    real = session(tmp_path, True, wire)
    py = session(tmp_path, False, wire)
    # The Idl takes the same path on both: _Server first, then monitor_cond_since.
    assert py[0] == real[0]
    assert py[0] == ("sent", ["get_schema", "monitor_cond", "monitor_cond_since",
                              "set_db_change_aware"])
    # The same notifications, and the mutation's update carries only the set's difference.
    assert py == real
    updates = [n for kind, n in py if kind == "notification" and n["method"] == "update3"]
    assert updates
    (table, rows), = updates[-1]["params"][2].items()
    assert table == "Address_Set"
    (change,) = rows.values()
    assert change == {"modify": {"addresses": ["set", ["1", "3"]]}}


@pytest.mark.parametrize("params", [[], [1], ["_Server", "a-monitor-id"], ["_Server", 1, 2],
                                    ["nope", "x"]])
def test_get_schema_params_as_ovsdb_server(tmp_path, params):
    """get_schema's params begin with the database name; what follows is ignored."""
    replies = []
    for real in (True, False):
        d = tmp_path / ("real" if real else "pyovn")
        d.mkdir()
        with ServerProcess(d, [NB], real=real) as server:
            c = server.client()
            reply = c.call("get_schema", params)
            c.close()
        result = reply.get("result")
        replies.append((reply.get("error"), result and (result["name"], sorted(result["tables"]))))
    assert replies[1] == replies[0]
