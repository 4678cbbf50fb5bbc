"""Monitor updates list their tables in name order, as ovsdb-server does, whatever order the
transaction touched them in.

OVS's Python IDL (ovsdbapp's) resolves a reference column when it adds the referring row. With
ovsdbapp's index on IP_Multicast.datapath, an IP_Multicast row that came before its
Datapath_Binding in an update was indexed with a default Atom for its datapath; the next
comparison with a Row raised TypeError, the IDL dropped the rest of the update, and the
ovsdbapp functional tests waiting for the Port_Binding's create event timed out (ovn_southbound
test_lsp_bind and friends, now and then). ovn-northd's transactions touch tables in no
particular order; OVN's schemas have referenced tables before referring ones by name."""

from __future__ import annotations

import asyncio
import json
import socket
from pathlib import Path

import orjson
import pytest

import pyovn.schemas
from pyovn import schemas
from pyovn.ovsdb.database import Database
from pyovn.ovsdb.schema import DatabaseSchema
from pyovn.ovsdb.server import OvsdbServer
from pyovn.ovsdb.session import ServerSession
from pyovn.testing.wire import RecordingTransport, ServerProcess

SB = DatabaseSchema.from_json(json.loads(
    (Path(pyovn.schemas.__file__).parent / "ovn-sb.ovsschema").read_text()))



def _switch_txn(n: int) -> list[dict]:
    """A new logical switch's rows as ovn-northd might write them: the referring rows first."""
    return [
        {"op": "insert", "table": "Port_Binding", "uuid-name": "pb",
         "row": {"logical_port": f"p{n}", "tunnel_key": 1, "datapath": ["named-uuid", "dp"]}},
        {"op": "insert", "table": "Multicast_Group",
         "row": {"name": "_MC_flood", "tunnel_key": 32768, "datapath": ["named-uuid", "dp"],
                 "ports": ["named-uuid", "pb"]}},
        {"op": "insert", "table": "IP_Multicast", "row": {"datapath": ["named-uuid", "dp"]}},
        {"op": "insert", "table": "Datapath_Binding", "uuid-name": "dp",
         "row": {"tunnel_key": n + 1}},
    ]


def _tables(update: dict) -> list[str]:
    return list(update)


def test_updates_and_initial_contents_list_tables_by_name():
    async def run() -> None:
        srv = OvsdbServer(fsync=False, txn_history=10)
        srv.add_database(Database(SB))
        all_tables = {t: [{}] for t in SB.tables}
        requests = [
            ("monitor", None, all_tables),
            ("monitor_cond", "c", all_tables),
            ("monitor_cond_since", "s", all_tables),
            # One with a condition on a referring table: the conditional path of the fan-out.
            ("monitor_cond", "w", {**all_tables,
                                   "Port_Binding": [{"where": [["logical_port", "!=", "x"]]}]}),
        ]
        watchers = []
        for method, mid, req in requests:
            params: list = ["OVN_Southbound", mid, req]
            if method == "monitor_cond_since":
                params.append("00000000-0000-0000-0000-000000000000")
            s = ServerSession(srv, 0, False)
            t = RecordingTransport()
            s.connection_made(t)
            s.data_received(orjson.dumps({"method": method, "params": params, "id": 1}))
            watchers.append((method, t))
        writer = ServerSession(srv, 0, False)
        wt = RecordingTransport()
        writer.connection_made(wt)
        await asyncio.sleep(0)
        for _, t in watchers:
            t.messages()
        for n in range(3):
            writer.data_received(orjson.dumps({"method": "transact",
                                               "params": ["OVN_Southbound", *_switch_txn(n)],
                                               "id": n}))
        await asyncio.sleep(0)
        assert all("error" not in str(m.get("result")) for m in wt.messages())
        for method, t in watchers:
            updates = [m for m in t.messages() if m.get("method", "").startswith("update")]
            assert len(updates) == 3, method
            for m in updates:
                tables = _tables(m["params"][-1])
                assert tables == sorted(tables), (method, tables)
                assert tables[0] == "Datapath_Binding"
        # A monitor made now gets the initial contents in the same order.
        late = ServerSession(srv, 0, False)
        lt = RecordingTransport()
        late.connection_made(lt)
        late.data_received(orjson.dumps({"method": "monitor_cond",
                                         "params": ["OVN_Southbound", "late", all_tables],
                                         "id": 9}))
        await asyncio.sleep(0)
        (reply,) = lt.messages()
        tables = _tables(reply["result"])
        assert tables == sorted(tables) and "Datapath_Binding" in tables

    asyncio.run(run())


def test_ovsdbapp_sees_port_binding_created_with_its_datapath(tmp_path):
    """The symptom, through ovsdbapp's IDL (its auto-created index on IP_Multicast.datapath):
    a switch written datapath-first, then one written referring-rows-first; both
    Port_Binding create events must arrive."""
    pytest.importorskip("ovsdbapp")
    from ovsdbapp.backend.ovs_idl import connection
    from ovsdbapp.backend.ovs_idl import event as idl_event
    from ovsdbapp.event import RowEventHandler
    from ovsdbapp.schema.ovn_southbound import impl_idl

    srv = ServerProcess(tmp_path, [str(schemas.path("OVN_Southbound"))]).start()
    conn = None
    try:
        idl = connection.OvsdbIdl.from_server(f"unix:{srv.sock}", "OVN_Southbound")
        conn = connection.Connection(idl=idl, timeout=10)
        api = impl_idl.OvnSbApiIdlImpl(conn)
        handler = RowEventHandler()
        api.idl.notify = handler.notify
        writer = socket.socket(socket.AF_UNIX)
        writer.connect(srv.sock)
        dec = json.JSONDecoder()
        for n in range(4):
            ops = _switch_txn(n)
            if n % 2 == 0:
                ops.reverse()       # Datapath_Binding first
            ev = idl_event.WaitEvent((idl_event.WaitEvent.ROW_CREATE,), "Port_Binding",
                                     (("logical_port", "=", f"p{n}"),), timeout=5)
            handler.watch_event(ev)
            writer.sendall(orjson.dumps({"method": "transact",
                                         "params": ["OVN_Southbound", *ops], "id": n}))
            buf = b""
            while True:
                buf += writer.recv(65536)
                try:
                    reply, _ = dec.raw_decode(buf.decode())
                    break
                except ValueError:
                    continue
            assert not any("error" in r for r in reply["result"]), reply
            assert ev.wait(), f"no create event for p{n}"
        writer.close()
    finally:
        if conn is not None:
            conn.stop()
        srv.stop()
