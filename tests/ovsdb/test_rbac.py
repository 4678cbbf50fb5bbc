"""RBAC in the transaction engine (pyovn.ovsdb.rbac): the Southbound with the ovn-controller role
exactly as the real ovn-northd 23.03 writes it (rows taken from a recorded real run), and the
authorization forms ovsdb-server knows (a string column, a map's key, everyone).  The wire
behaviour next to the real ovsdb-server is tests/interop/test_rbac_interop.py."""

from __future__ import annotations

import os
import time
from pathlib import Path

import orjson
import pytest

from pyovn import schemas
from pyovn.northd.nodes.misc import RBAC_PERMISSIONS
from pyovn.ovsdb.database import Database
from pyovn.ovsdb.schema import DatabaseSchema
from pyovn.testing.wire import RawClient, ServerProcess

RECORDED_SB = (Path(__file__).parent.parent / "northd" / "recorded" / "00-empty-d8f0f97fd0ea793f"
               / "sb.json")


def real_northd_rbac_ops() -> list[dict]:
    """Insert operations for the RBAC_Role and RBAC_Permission rows the real ovn-northd wrote
    (``ovsdb-client dump`` of its Southbound, recorded)."""
    tables = {}
    for line in RECORDED_SB.read_text().splitlines():
        t = orjson.loads(line)
        tables[t["caption"].removesuffix(" table")] = t
    ops = []
    perm = tables["RBAC_Permission"]
    names = {}
    for i, row in enumerate(perm["data"]):
        values = dict(zip(perm["headings"], row))
        uuid = values.pop("_uuid")[1]
        names[uuid] = f"p{i}"
        ops.append({"op": "insert", "table": "RBAC_Permission", "uuid-name": f"p{i}",
                    "row": values})
    role = tables["RBAC_Role"]
    for row in role["data"]:
        values = dict(zip(role["headings"], row))
        values.pop("_uuid")
        values["permissions"] = ["map", [[k, ["named-uuid", names[v[1]]]]
                                         for k, v in values["permissions"][1]]]
        ops.append({"op": "insert", "table": "RBAC_Role", "row": values})
    return ops


def perm_error(client, op, table, role="ovn-controller"):
    return {"error": "permission error",
            "details": f'RBAC rules for client "{client}" role "{role}" {op} table "{table}".'}


INSERT = "prohibit row insertion into"
MODIFY = "prohibit modification of"
MUTATE = "prohibit mutate operation on"
DELETE = "prohibit row deletion from"


def run(db, *ops, **kw):
    r = db.transact(list(ops), **kw)
    if r.changes:
        db.commit(r.changes)
    return r.results


def uuid_of(db, table, **match):
    for u, row in db.tables[table].rows.items():
        if all(row[k] == v for k, v in match.items()):
            return u
    raise KeyError(match)


@pytest.fixture
def sb():
    db = Database(DatabaseSchema.from_json(orjson.loads(schemas.path("OVN_Southbound").read_bytes())))
    res = run(db, *real_northd_rbac_ops(),
              *[op for n in ("hv1", "hv2") for op in (
                  {"op": "insert", "table": "Encap", "uuid-name": f"e{n}",
                   "row": {"type": "geneve", "ip": f"10.0.0.{n[-1]}", "chassis_name": n}},
                  {"op": "insert", "table": "Chassis",
                   "row": {"name": n, "hostname": n, "encaps": ["named-uuid", f"e{n}"]}},
                  {"op": "insert", "table": "Chassis_Private", "row": {"name": n}})],
              {"op": "insert", "table": "Datapath_Binding", "uuid-name": "dp",
               "row": {"tunnel_key": 1}},
              {"op": "insert", "table": "Port_Binding",
               "row": {"logical_port": "lp1", "datapath": ["named-uuid", "dp"], "tunnel_key": 1}})
    assert all(r is not None and "error" not in r for r in res), res[-2:]
    return db


def hv(db, *ops, client="hv1", role="ovn-controller"):
    return run(db, *ops, role=role, client=client)


def test_pyovn_northd_writes_the_real_northds_permissions():
    ops = real_northd_rbac_ops()
    real = {}
    for op in ops:
        if op["table"] == "RBAC_Permission":
            row = op["row"]

            def strings(v):
                return sorted(v[1]) if isinstance(v, list) else [v]

            real[row["table"]] = (strings(row["authorization"]), row["insert_delete"],
                                  strings(row["update"]))
    ours = {t: (sorted(a), i, sorted(u)) for t, (a, i, u) in RBAC_PERMISSIONS.items()}
    assert ours == real


def test_chassis_writes_its_own_rows(sb):
    assert hv(sb, {"op": "update", "table": "Chassis", "where": [["name", "==", "hv1"]],
                   "row": {"external_ids": ["map", [["k", "v"]]], "nb_cfg": 3}}) == [{"count": 1}]
    assert hv(sb, {"op": "mutate", "table": "Chassis_Private", "where": [["name", "==", "hv1"]],
                   "mutations": [["external_ids", "insert", ["map", [["a", "b"]]]]]}) == [{"count": 1}]
    assert hv(sb, {"op": "update", "table": "Encap", "where": [["chassis_name", "==", "hv1"]],
                   "row": {"ip": "10.0.0.9"}}) == [{"count": 1}]
    # a column outside the permission's "update"
    assert hv(sb, {"op": "update", "table": "Chassis", "where": [["name", "==", "hv1"]],
                   "row": {"hostname": "x"}}) == [perm_error("hv1", MODIFY, "Chassis")]
    # its own Chassis row: insert and delete are allowed
    assert hv(sb, {"op": "delete", "table": "Chassis_Private",
                   "where": [["name", "==", "hv1"]]}) == [{"count": 1}]
    r = hv(sb, {"op": "insert", "table": "Chassis_Private", "row": {"name": "hv1"}})
    assert list(r[0]) == ["uuid"]


def test_chassis_cannot_touch_another_chassis(sb):
    assert hv(sb, {"op": "update", "table": "Chassis", "where": [["name", "==", "hv2"]],
                   "row": {"nb_cfg": 1}}) == [perm_error("hv1", MODIFY, "Chassis")]
    assert hv(sb, {"op": "mutate", "table": "Chassis", "where": [],
                   "mutations": [["nb_cfg", "+=", 1]]}) == [perm_error("hv1", MUTATE, "Chassis")]
    assert hv(sb, {"op": "delete", "table": "Chassis", "where": [["name", "==", "hv2"]]}) \
        == [perm_error("hv1", DELETE, "Chassis")]
    assert hv(sb, {"op": "insert", "table": "Chassis", "row": {"name": "hv3"}}) \
        == [perm_error("hv1", INSERT, "Chassis")]
    assert hv(sb, {"op": "update", "table": "Encap", "where": [["chassis_name", "==", "hv2"]],
                   "row": {"ip": "1.1.1.1"}}) == [perm_error("hv1", MODIFY, "Encap")]
    # nothing selected: nothing to refuse
    assert hv(sb, {"op": "update", "table": "Chassis", "where": [["name", "==", "nope"]],
                   "row": {"nb_cfg": 1}}) == [{"count": 0}]


def test_port_binding_columns(sb):
    ch = uuid_of(sb, "Chassis", name="hv1")
    # authorization "": any chassis may set the columns listed, on any binding
    assert hv(sb, {"op": "update", "table": "Port_Binding", "where": [["logical_port", "==", "lp1"]],
                   "row": {"chassis": ["uuid", ch], "up": True}}, client="hv2") == [{"count": 1}]
    assert hv(sb, {"op": "mutate", "table": "Port_Binding", "where": [],
                   "mutations": [["options", "insert", ["map", [["x", "y"]]]]]}) == [{"count": 1}]
    assert hv(sb, {"op": "update", "table": "Port_Binding", "where": [],
                   "row": {"tag": 5}}) == [perm_error("hv1", MODIFY, "Port_Binding")]
    assert hv(sb, {"op": "mutate", "table": "Port_Binding", "where": [],
                   "mutations": [["external_ids", "insert", ["map", [["x", "y"]]]]]}) \
        == [perm_error("hv1", MUTATE, "Port_Binding")]
    # insert_delete false
    assert hv(sb, {"op": "delete", "table": "Port_Binding", "where": []}) \
        == [perm_error("hv1", DELETE, "Port_Binding")]


def test_tables_without_permissions_are_read_only(sb):
    r = hv(sb, {"op": "insert", "table": "Logical_Flow",
                "row": {"pipeline": "ingress", "table_id": 0, "priority": 0, "match": "1",
                        "actions": "next;"}},
           {"op": "select", "table": "Chassis", "where": []})
    assert r == [perm_error("hv1", INSERT, "Logical_Flow"), None]
    assert hv(sb, {"op": "update", "table": "SB_Global", "where": [], "row": {"nb_cfg": 1}}) \
        == [perm_error("hv1", MODIFY, "SB_Global")]
    assert hv(sb, {"op": "delete", "table": "Datapath_Binding", "where": []}) \
        == [perm_error("hv1", DELETE, "Datapath_Binding")]
    assert hv(sb, {"op": "delete", "table": "RBAC_Role", "where": []}) \
        == [perm_error("hv1", DELETE, "RBAC_Role")]
    # reading is never checked
    assert len(hv(sb, {"op": "select", "table": "Chassis", "where": []})[0]["rows"]) == 2
    # everyone may insert into MAC_Binding
    r = hv(sb, {"op": "insert", "table": "MAC_Binding",
                "row": {"logical_port": "lp1", "ip": "1.1.1.1", "mac": "00:00:00:00:00:01",
                        "datapath": ["uuid", uuid_of(sb, "Datapath_Binding", tunnel_key=1)]}})
    assert list(r[0]) == ["uuid"]


def test_no_id_unknown_role_and_no_role(sb):
    # a session with a role but no certificate (e.g. a unix or tcp remote): its id prints as
    # "(null)", like the real server's printf of a null string
    assert hv(sb, {"op": "update", "table": "Chassis", "where": [["name", "==", "hv1"]],
                   "row": {"nb_cfg": 1}}, client=None) == [perm_error("(null)", MODIFY, "Chassis")]
    assert hv(sb, {"op": "update", "table": "Chassis", "where": [["name", "==", "hv1"]],
                   "row": {"nb_cfg": 1}}, role="nobody") \
        == [perm_error("hv1", MODIFY, "Chassis", role="nobody")]
    # no role (or an empty one): no checks
    for role in (None, ""):
        assert hv(sb, {"op": "update", "table": "SB_Global", "where": [], "row": {"nb_cfg": 1}},
                  role=role) == [{"count": 0}]


def test_checks_see_the_transaction_so_far(sb):
    # the delete selects hv1's Encap by the address an earlier operation gave it, and passes
    # (the commit then fails: Chassis hv1 still refers to it)
    r = hv(sb, {"op": "update", "table": "Encap", "where": [["chassis_name", "==", "hv1"]],
                "row": {"ip": "10.0.0.99"}},
           {"op": "delete", "table": "Encap", "where": [["ip", "==", "10.0.0.99"]]})
    assert r[:2] == [{"count": 1}, {"count": 1}]
    assert r[2]["error"] == "referential integrity violation"
    # a permission taken away (by a client without a role) holds from the next transaction
    r = run(sb, {"op": "mutate", "table": "RBAC_Role", "where": [],
                 "mutations": [["permissions", "delete", ["set", ["Chassis"]]]]})
    assert r == [{"count": 1}]
    assert hv(sb, {"op": "update", "table": "Chassis", "where": [["name", "==", "hv1"]],
                   "row": {"nb_cfg": 8}}) == [perm_error("hv1", MODIFY, "Chassis")]


OTHER = {"name": "mydb", "tables": {
    "RBAC_Role": {"isRoot": True, "columns": {
        "name": {"type": "string"},
        "permissions": {"type": {"key": "string",
                                 "value": {"type": "uuid", "refTable": "RBAC_Permission",
                                           "refType": "weak"},
                                 "min": 0, "max": "unlimited"}}}},
    "RBAC_Permission": {"isRoot": True, "columns": {
        "table": {"type": "string"},
        "authorization": {"type": {"key": "string", "min": 0, "max": "unlimited"}},
        "insert_delete": {"type": "boolean"},
        "update": {"type": {"key": "string", "min": 0, "max": "unlimited"}}}},
    "owned": {"isRoot": True, "columns": {
        "owner": {"type": {"key": "string", "value": "string", "min": 0, "max": "unlimited"}},
        "maybe": {"type": {"key": "string", "min": 0, "max": 1}},
        "value": {"type": "integer"}}},
}}


def test_map_key_and_optional_string_authorization():
    db = Database(DatabaseSchema.from_json(OTHER))
    run(db, {"op": "insert", "table": "RBAC_Permission", "uuid-name": "p",
             "row": {"table": "owned", "authorization": ["set", ["owner:chassis", "maybe"]],
                     "insert_delete": True, "update": "value"}},
        {"op": "insert", "table": "RBAC_Role",
         "row": {"name": "r", "permissions": ["map", [["owned", ["named-uuid", "p"]]]]}})

    def as_(client, *ops):
        return run(db, *ops, role="r", client=client)

    ins = {"op": "insert", "table": "owned", "row": {"owner": ["map", [["chassis", "c1"]]]}}
    assert list(as_("c1", ins)[0]) == ["uuid"]
    assert as_("c2", ins) == [perm_error("c2", INSERT, "owned", role="r")]
    assert list(as_("c3", {"op": "insert", "table": "owned", "row": {"maybe": "c3"}})[0]) \
        == ["uuid"]
    upd = {"op": "update", "table": "owned", "where": [], "row": {"value": 1}}
    assert as_("c1", upd) == [perm_error("c1", MODIFY, "owned", role="r")]  # c3's row too
    assert as_("c1", {**upd, "where": [["maybe", "==", ["set", []]]]}) == [{"count": 1}]
    assert as_("c3", {**upd, "where": [["maybe", "==", "c3"]]}) == [{"count": 1}]


def test_role_and_read_only_of_a_remote_from_the_database(tmp_path):
    """pyovn's ovsdb-server takes a db: remote's role (and read_only) from the row it comes from;
    a session on that remote without a certificate has no id."""
    srv = ServerProcess(tmp_path, [str(schemas.path("OVN_Southbound"))],
                        extra=["--remote=db:OVN_Southbound,SB_Global,connections"]).start()
    try:
        root = srv.client()
        role_sock, ro_sock = str(tmp_path / "role.sock"), str(tmp_path / "ro.sock")
        r = root.call("transact", ["OVN_Southbound", *real_northd_rbac_ops(),
                                   {"op": "insert", "table": "Connection", "uuid-name": "c1",
                                    "row": {"target": f"punix:{role_sock}",
                                            "role": "ovn-controller"}},
                                   {"op": "insert", "table": "Connection", "uuid-name": "c2",
                                    "row": {"target": f"punix:{ro_sock}", "read_only": True}},
                                   {"op": "insert", "table": "SB_Global",
                                    "row": {"connections": ["set", [["named-uuid", "c1"],
                                                                    ["named-uuid", "c2"]]]}},
                                   {"op": "insert", "table": "Encap", "uuid-name": "e",
                                    "row": {"type": "geneve", "ip": "10.0.0.1",
                                            "chassis_name": "hv1"}},
                                   {"op": "insert", "table": "Chassis",
                                    "row": {"name": "hv1", "encaps": ["named-uuid", "e"]}}])
        assert all(x is not None and "error" not in x for x in r["result"]), r["result"][-3:]
        deadline = time.monotonic() + 10
        while not (os.path.exists(role_sock) and os.path.exists(ro_sock)):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        upd = {"op": "update", "table": "Chassis", "where": [], "row": {"nb_cfg": 1}}
        assert RawClient(role_sock).call("transact", ["OVN_Southbound", upd])["result"] == \
            [perm_error("(null)", MODIFY, "Chassis")]
        assert RawClient(ro_sock).call("transact", ["OVN_Southbound", upd])["result"] == \
            [{"error": "not allowed",
              "details": "update operation not allowed when database server is in read only mode"}]
        assert root.call("transact", ["OVN_Southbound", upd])["result"] == [{"count": 1}]
    finally:
        srv.stop()
