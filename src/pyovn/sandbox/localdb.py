"""The local Open_vSwitch database's one row, set up as a real host's is at boot.

On a real host, ovs-ctl runs ``ovs-vsctl init`` (the Open_vSwitch row exists) and records the
versions and the system's identity in it; the OVN administrator then sets the chassis' identity
in ``external_ids`` (``system-id``, ``ovn-remote``, ``ovn-encap-type``, ``ovn-encap-ip``), which
ovn-controller reads. ``init_open_vswitch`` does all of that in one transaction over the local
database's socket. On a restart it keeps what the user set (bridge mappings, other keys, the
chassis name unless another is asked for) and refreshes what depends on the directory.
"""

from __future__ import annotations

import socket
from typing import Any

import orjson

from pyovn import schemas
from pyovn.ovsdb.client.connection import Session, parse_remote

__all__ = ["init_open_vswitch", "row_values"]

OVS_VERSION = "3.1.0"   # the Open vSwitch whose database and tools pyovn speaks


def _os_release() -> tuple[str, str]:
    """(system-type, system-version) as ovs-ctl takes them from /etc/os-release."""
    fields: dict[str, str] = {}
    try:
        with open("/etc/os-release") as f:
            for line in f:
                k, _, v = line.strip().partition("=")
                fields[k] = v.strip('"')
    except OSError:
        pass
    return fields.get("ID", "unknown"), fields.get("VERSION_ID", "unknown")


def row_values(rundir: str, sb_remote: str, existing: dict[str, str], chassis: str | None,
               encap_ip: str | None) -> tuple[dict[str, Any], dict[str, str]]:
    """The scalar columns and the external_ids the row should have."""
    db_version = orjson.loads(schemas.path("Open_vSwitch").read_bytes())["version"]
    system_type, system_version = _os_release()
    ids = dict(existing)
    ids["system-id"] = chassis or existing.get("system-id") or "chassis-1"
    ids["hostname"] = socket.gethostname()
    ids["rundir"] = rundir
    ids["ovn-remote"] = sb_remote
    ids.setdefault("ovn-encap-type", "geneve")
    ids["ovn-encap-ip"] = encap_ip or existing.get("ovn-encap-ip") or "127.0.0.1"
    columns = {"db_version": db_version, "ovs_version": OVS_VERSION,
               "system_type": system_type, "system_version": system_version}
    return columns, ids


def _map(d: dict[str, str]) -> list[Any]:
    return ["map", [[k, v] for k, v in sorted(d.items())]]


def _bridge_ops(name: str) -> list[dict[str, Any]]:
    """``ovs-vsctl add-br NAME`` as ovn-controller makes its integration bridge: secure fail
    mode (nothing forwards until the controller says so), no in-band control."""
    return [
        {"op": "insert", "table": "Interface", "uuid-name": "iface",
         "row": {"name": name, "type": "internal"}},
        {"op": "insert", "table": "Port", "uuid-name": "port",
         "row": {"name": name, "interfaces": ["named-uuid", "iface"]}},
        {"op": "insert", "table": "Bridge", "uuid-name": "bridge",
         "row": {"name": name, "ports": ["named-uuid", "port"], "fail_mode": "secure",
                 "other_config": _map({"disable-in-band": "true"})}},
    ]


async def init_open_vswitch(remote: str, *, rundir: str, sb_remote: str,
                            chassis: str | None = None, encap_ip: str | None = None,
                            bridge: str = "br-int", timeout: float = 10.0) -> dict[str, str]:
    """Create or refresh the Open_vSwitch row, and create the integration bridge if it is
    missing (so that the first ``add-port br-int`` needs not wait for the controller to make
    it); returns the row's external_ids."""
    session = await Session.open(parse_remote(remote), probe_interval=0)
    try:
        res = await session.request("transact", [
            "Open_vSwitch",
            {"op": "select", "table": "Open_vSwitch", "where": [],
             "columns": ["_uuid", "external_ids"]},
            {"op": "select", "table": "Bridge", "where": [["name", "==", bridge]],
             "columns": ["_uuid"]}], timeout=timeout)
        rows = res[0]["rows"]
        existing = dict(rows[0]["external_ids"][1]) if rows else {}
        columns, ids = row_values(rundir, sb_remote, existing, chassis, encap_ip)
        row = {**columns, "external_ids": _map(ids)}
        add_bridge = not res[1]["rows"]
        ops = _bridge_ops(bridge) if add_bridge else []
        new_bridge = ["set", [["named-uuid", "bridge"]]]
        if rows:
            where = [["_uuid", "==", rows[0]["_uuid"]]]
            ops.append({"op": "update", "table": "Open_vSwitch", "where": where, "row": row})
            if add_bridge:
                ops.append({"op": "mutate", "table": "Open_vSwitch", "where": where,
                            "mutations": [["bridges", "insert", new_bridge]]})
        else:
            if add_bridge:
                row["bridges"] = new_bridge
            ops.append({"op": "insert", "table": "Open_vSwitch", "row": row})
        res = await session.request("transact", ["Open_vSwitch", *ops], timeout=timeout)
        errors = [r for r in res if isinstance(r, dict) and "error" in r]
        if errors:
            raise RuntimeError(f"initialising the Open_vSwitch row: {errors[0]}")
        return ids
    finally:
        await session.close()
