"""RBAC on the Southbound, pyovn's ovsdb-server next to the real one (Open vSwitch 3.1), on the
same setup: the real ovn-northd 23.03 writes the ovn-controller role and its permissions (the
same as pyovn's northd writes); the
Southbound's SB_Global.connections names a pssl remote and a punix remote of that role (the
server reads them with ``--remote=db:OVN_Southbound,SB_Global,connections``); a chassis with the
certificate CN=hv1 then writes through the real ovsdb-client. Every transaction's reply, errors
included, must be the same from both servers.

A throw-away PKI is made with ovs-pki (``-u``: the common name is the chassis name); every
process runs in its own process group and is killed whatever happens.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest

from pyovn import schemas
from pyovn.northd.nodes.misc import RBAC_PERMISSIONS
from pyovn.testing.pki import have_ovs_pki, make_pki
from pyovn.testing.real import require_real, stop_group
from pyovn.testing.wire import RawClient, ServerProcess

pytestmark = pytest.mark.interop

NEED = ["ovsdb-server", "ovsdb-client", "ovsdb-tool", "ovn-northd", "ovs-pki"]
REASON = require_real(*NEED)
if REASON:
    print(REASON)
    pytest.skip(REASON, allow_module_level=True)
assert have_ovs_pki()

NB = str(schemas.path("OVN_Northbound"))
SB = str(schemas.path("OVN_Southbound"))
PORT = re.compile(r"socket_util\|INFO\|0:127\.0\.0\.1: listening on port (\d+)")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return make_pki(tmp_path_factory.mktemp("pki"), ("server", "hv1", "hv2"), unique=True)


def wait_for(what: str, probe, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def transact(c: RawClient, *ops) -> list:
    reply = c.call("transact", ["OVN_Southbound", *ops])
    results = reply["result"]
    assert all(r is not None and "error" not in r for r in results), results
    return results


def select(c: RawClient, table: str, where=()) -> list[dict]:
    return transact(c, {"op": "select", "table": table, "where": list(where)})[0]["rows"]


def run_real_northd(d: Path, nb: ServerProcess, sb: ServerProcess) -> None:
    """Run the real ovn-northd until it has written the RBAC tables, then stop it (it would
    remove the bindings made below, which no Northbound row backs)."""
    proc = subprocess.Popen(
        ["ovn-northd", f"--ovnnb-db=unix:{nb.sock}", f"--ovnsb-db=unix:{sb.sock}",
         "--no-chdir", "-vconsole:off", f"--log-file={d}/northd.log",
         f"--unixctl={d}/northd.ctl"],
        start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        c = sb.client()
        wait_for("northd's RBAC rows",
                 lambda: len(select(c, "RBAC_Permission")) == 10 and select(c, "RBAC_Role")
                 and select(c, "SB_Global"))
        c.sock.close()
    finally:
        stop_group(proc)


def written_permissions(c: RawClient) -> dict:
    """RBAC_Permission as table -> (authorization, insert_delete, update), of the role
    ovn-controller."""
    def strings(v):
        return sorted(v[1]) if isinstance(v, list) else [v]

    role = select(c, "RBAC_Role", [["name", "==", "ovn-controller"]])[0]
    perms = {r["_uuid"][1]: r for r in select(c, "RBAC_Permission")}
    out = {}
    for table, ref in role["permissions"][1]:
        p = perms[ref[1]]
        assert p["table"] == table
        out[table] = (strings(p["authorization"]), p["insert_delete"], strings(p["update"]))
    return out


def setup_southbound(sb: ServerProcess, role_sock: str) -> None:
    c = sb.client()
    transact(
        c,
        {"op": "insert", "table": "Connection", "uuid-name": "ssl",
         "row": {"target": "pssl:0:127.0.0.1", "role": "ovn-controller"}},
        {"op": "insert", "table": "Connection", "uuid-name": "unix",
         "row": {"target": f"punix:{role_sock}", "role": "ovn-controller"}},
        {"op": "update", "table": "SB_Global", "where": [],
         "row": {"connections": ["set", [["named-uuid", "ssl"], ["named-uuid", "unix"]]]}},
        *[op for n in ("hv1", "hv2") for op in (
            {"op": "insert", "table": "Encap", "uuid-name": f"e{n}",
             "row": {"type": "geneve", "ip": f"192.168.0.{n[-1]}", "chassis_name": n}},
            {"op": "insert", "table": "Chassis",
             "row": {"name": n, "hostname": f"host-{n}", "encaps": ["named-uuid", f"e{n}"]}},
            {"op": "insert", "table": "Chassis_Private", "row": {"name": n}})],
        {"op": "insert", "table": "Datapath_Binding", "uuid-name": "dp",
         "row": {"tunnel_key": 1, "external_ids": ["map", [["name", "sw0"]]]}},
        {"op": "insert", "table": "Port_Binding",
         "row": {"logical_port": "lp1", "datapath": ["named-uuid", "dp"], "tunnel_key": 1}},
        {"op": "insert", "table": "Port_Binding",
         "row": {"logical_port": "lp2", "datapath": ["named-uuid", "dp"], "tunnel_key": 2}})
    c.sock.close()


def chassis_transactions(hv1: str, dp: str) -> list[tuple[str, list]]:
    """(who, operations): what a chassis may and may not do. ``hv1``: the uuid of Chassis hv1,
    ``dp``: of the datapath."""
    pb = [["logical_port", "==", "lp1"]]
    return [
        # its own Chassis and Chassis_Private, Encap: allowed columns
        ("hv1", [{"op": "update", "table": "Chassis", "where": [["name", "==", "hv1"]],
                  "row": {"external_ids": ["map", [["ovn-bridge-mappings", "phys:br-phys"]]],
                          "other_config": ["map", [["datapath-type", "system"]]]}}]),
        ("hv1", [{"op": "mutate", "table": "Chassis_Private", "where": [["name", "==", "hv1"]],
                  "mutations": [["nb_cfg", "+=", 1]]}]),
        ("hv1", [{"op": "update", "table": "Encap", "where": [["chassis_name", "==", "hv1"]],
                  "row": {"options": ["map", [["csum", "true"]]]}}]),
        # a column of its own Chassis outside the permission
        ("hv1", [{"op": "update", "table": "Chassis", "where": [["name", "==", "hv1"]],
                  "row": {"hostname": "elsewhere"}}]),
        # the other chassis
        ("hv1", [{"op": "update", "table": "Chassis", "where": [["name", "==", "hv2"]],
                  "row": {"nb_cfg": 5}}]),
        ("hv1", [{"op": "mutate", "table": "Chassis", "where": [],
                  "mutations": [["external_ids", "insert", ["map", [["a", "b"]]]]]}]),
        ("hv1", [{"op": "delete", "table": "Chassis_Private", "where": [["name", "==", "hv2"]]}]),
        ("hv1", [{"op": "update", "table": "Encap", "where": [["chassis_name", "==", "hv2"]],
                  "row": {"ip": "10.9.9.9"}}]),
        ("hv1", [{"op": "insert", "table": "Chassis", "row": {"name": "hv2-imposter"}}]),
        # Port_Binding: any chassis, the listed columns only; no insert or delete
        ("hv1", [{"op": "update", "table": "Port_Binding", "where": pb,
                  "row": {"chassis": ["uuid", hv1], "up": True}}]),
        ("hv1", [{"op": "mutate", "table": "Port_Binding", "where": pb,
                  "mutations": [["options", "insert",
                                 ["map", [["additional-chassis-activated", "hv1"]]]]]}]),
        ("hv1", [{"op": "update", "table": "Port_Binding", "where": pb,
                  "row": {"type": "localport"}}]),
        ("hv1", [{"op": "delete", "table": "Port_Binding", "where": pb}]),
        ("hv2", [{"op": "update", "table": "Port_Binding",
                  "where": [["logical_port", "==", "lp2"]], "row": {"up": True}}]),
        # tables northd owns: read only
        ("hv1", [{"op": "insert", "table": "Logical_Flow",
                  "row": {"logical_datapath": ["uuid", dp], "pipeline": "ingress",
                          "table_id": 0, "priority": 100, "match": "1", "actions": "drop;"}}]),
        ("hv1", [{"op": "update", "table": "SB_Global", "where": [], "row": {"nb_cfg": 42}}]),
        ("hv1", [{"op": "delete", "table": "RBAC_Role", "where": []}]),
        ("hv1", [{"op": "select", "table": "Chassis", "where": [], "columns": ["name"],
                  "sort": ["name"]}]),
        # everyone's tables
        ("hv1", [{"op": "insert", "table": "MAC_Binding",
                  "row": {"logical_port": "lp1", "ip": "10.0.0.5", "mac": "00:00:00:00:00:05",
                          "datapath": ["uuid", dp]}}]),
        # several operations: the refused one fails the whole transaction
        ("hv1", [{"op": "update", "table": "Chassis", "where": [["name", "==", "hv1"]],
                  "row": {"nb_cfg": 9}},
                 {"op": "update", "table": "Chassis", "where": [["name", "==", "hv2"]],
                  "row": {"nb_cfg": 9}},
                 {"op": "select", "table": "Chassis", "where": []}]),
        # the unix remote of the same role: a client without a certificate has no id
        ("unix", [{"op": "update", "table": "Chassis", "where": [["name", "==", "hv1"]],
                   "row": {"nb_cfg": 1}}]),
        ("unix", [{"op": "select", "table": "SB_Global", "where": [], "columns": ["nb_cfg"]}]),
    ]


def normalise(text: str) -> str:
    seen: dict[str, str] = {}
    return UUID.sub(lambda m: seen.setdefault(m.group(0), f"<{len(seen)}>"), text)


def test_chassis_rbac_same_as_the_real_server(tmp_path, pki):
    outputs: dict[str, list] = {}
    servers: list[ServerProcess] = []
    try:
        for side in ("real", "py"):
            d = tmp_path / side
            (d / "nb").mkdir(parents=True)
            nb = ServerProcess(d / "nb", [NB], real=True)
            sb = ServerProcess(d, [SB], real=side == "real",
                               extra=["--remote=db:OVN_Southbound,SB_Global,connections",
                                      *pki["server"].options()])
            servers += [nb, sb]
            nb.start()
            sb.start()
            run_real_northd(d, nb, sb)
            c = sb.client()
            assert written_permissions(c) == {
                t: (sorted(a), i, sorted(u)) for t, (a, i, u) in RBAC_PERMISSIONS.items()}
            c.sock.close()
            role_sock = str(d / "role.sock")
            setup_southbound(sb, role_sock)
            log = d / "log"
            port = int(wait_for("the pssl listener", lambda log=log: PORT.search(
                log.read_text() if log.exists() else "")).group(1))
            wait_for("the punix listener", lambda sock=role_sock: os.path.exists(sock))
            c = sb.client()
            hv1 = select(c, "Chassis", [["name", "==", "hv1"]])[0]["_uuid"][1]
            dp = select(c, "Datapath_Binding")[0]["_uuid"][1]
            c.sock.close()
            out = []
            for who, ops in chassis_transactions(hv1, dp):
                if who == "unix":
                    argv = ["ovsdb-client", "transact", f"unix:{role_sock}"]
                else:
                    argv = ["ovsdb-client", *pki[who].options(), "transact",
                            f"ssl:127.0.0.1:{port}"]
                r = subprocess.run([*argv, orjson.dumps(["OVN_Southbound", *ops]).decode()],
                                   capture_output=True, text=True, timeout=30)
                out.append((who, r.returncode, normalise(r.stdout.strip()),
                            r.stderr.strip().replace(str(port), "PORT")))
            outputs[side] = out
            # what the chassis did, as the root (no role) client sees it
            c = sb.client()
            rows = sorted((r["name"], orjson.dumps(r["external_ids"]).decode(), r["nb_cfg"])
                          for r in select(c, "Chassis"))
            c.sock.close()
            outputs[side].append(("state", 0, str(rows), ""))
            sb.stop()
            nb.stop()
    finally:
        for srv in servers:
            srv.stop()
    real, py = outputs["real"], outputs["py"]
    assert len(py) == len(real)
    for a, b in zip(py, real):
        assert a == b
    # and the texts are the ones expected
    texts = "\n".join(o[2] for o in real)
    for expected in (
            r'RBAC rules for client \"hv1\" role \"ovn-controller\" prohibit modification of '
            r'table \"Chassis\".',
            r'prohibit mutate operation on table \"Chassis\".',
            r'prohibit row deletion from table \"Chassis_Private\".',
            r'prohibit row insertion into table \"Logical_Flow\".',
            r'RBAC rules for client \"(null)\" role \"ovn-controller\" prohibit modification',
    ):
        assert expected in texts, texts
    assert real[0][2] == '[{"count":1}]'
    assert real[9][2] == '[{"count":1}]'   # Port_Binding.chassis and up


def test_ovsdb_tool_rbac_role_as_the_real_one(tmp_path):
    """``ovsdb-tool --rbac-role=ROLE transact|query``: RBAC for a client with no id."""
    grant = ["OVN_Southbound",
             {"op": "insert", "table": "RBAC_Permission", "uuid-name": "p",
              "row": {"table": "Chassis", "authorization": "name", "insert_delete": True,
                      "update": "nb_cfg"}},
             {"op": "insert", "table": "RBAC_Role",
              "row": {"name": "ovn-controller", "permissions": ["map", [["Chassis", ["named-uuid", "p"]]]]}}]
    steps = [
        ("--rbac-role=ovn-controller", "transact",
         [{"op": "insert", "table": "MAC_Binding", "row": {"ip": "1.1.1.1"}}]),
        ("--rbac-role=ovn-controller", "transact",
         [{"op": "update", "table": "Chassis", "where": [], "row": {"nb_cfg": 1}}]),
        ("--rbac-role=ovn-controller", "query",
         [{"op": "delete", "table": "Chassis", "where": []}]),
        ("--rbac-role=", "transact", [{"op": "delete", "table": "Chassis", "where": []}]),
    ]
    out = {}
    for side, tool in (("real", ["ovsdb-tool"]), ("py", [sys.executable, "-m", "pyovn", "ovsdb-tool"])):
        db = str(tmp_path / f"{side}.db")
        subprocess.run([*tool, "create", db, SB], check=True)
        subprocess.run([*tool, "transact", db, orjson.dumps(grant).decode()], check=True,
                       capture_output=True)
        out[side] = [subprocess.run([*tool, opt, cmd, db,
                                     orjson.dumps(["OVN_Southbound", *ops]).decode()],
                                    capture_output=True, text=True).stdout
                     for opt, cmd, ops in steps]
    assert out["py"] == out["real"]
    assert 'client \\"(null)\\" role \\"ovn-controller\\"' in out["real"][0]
