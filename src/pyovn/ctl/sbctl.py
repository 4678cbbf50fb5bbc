"""``ovn-sbctl``: the southbound database tool, as a declaration on the shared ctl core.

Commands: ``init``, ``show``, ``chassis-add``/``chassis-del``, ``lsp-bind``/``lsp-unbind``,
``lflow-list``/``dump-flows``/``count-flows``, ``get-/set-/del-connection``, ``get-/set-/del-ssl``,
plus the generic database commands. Like the real tool, every invocation first makes sure the
single ``SB_Global`` row exists (inserting it into an empty database).
"""

from __future__ import annotations

import os

from pyovn.ctl import generic
from pyovn.ctl.context import Context, warn
from pyovn.ctl.lflow import expand_flows, format_counts, format_lflows
from pyovn.ctl.registry import UNLIMITED, Command, CtlError, RowId, ShowTable, Tool
from pyovn.ctl.runner import Run, run_tool
from pyovn.ctl.txnview import Row

__all__ = ["TOOL", "main", "default_remote"]


def default_remote() -> str:
    env = os.environ.get("OVN_SB_DB")
    if env:
        return env
    rundir = os.environ.get("OVN_RUNDIR", "/var/run/ovn")
    return f"unix:{rundir}/ovnsb_db.sock"


def _sb_global(ctx: Context) -> Row:
    row = ctx.view().first("SB_Global")
    assert row is not None  # _on_start made sure
    return row


def _on_start(run: Run) -> None:
    if run.txn.first("SB_Global") is None:
        run.txn.insert("SB_Global")


def _init(ctx: Context) -> None:
    """Nothing to do: the SB_Global row is created for every invocation if missing."""


def _show(ctx: Context) -> None:
    generic.show(ctx, SHOW_TABLES)


# -- chassis ------------------------------------------------------------------------------------

def _find_chassis(ctx: Context, name: str) -> Row | None:
    for row in ctx.view().rows("Chassis"):
        if row["name"] == name:
            return row
    return None


def _chassis_add(ctx: Context) -> None:
    name, types, ip = ctx.argv[1:4]
    txn = ctx.view()
    if ctx.has("--may-exist") and _find_chassis(ctx, name) is not None:
        return
    if _find_chassis(ctx, name) is not None:
        raise CtlError(f"cannot create a chassis named {name} because a chassis named {name} "
                       "already exists")
    encaps = []
    for t in sorted({t for t in types.split(",") if t}):
        enc = txn.insert("Encap")
        txn.write(enc, "type", t)
        txn.write(enc, "ip", ip)
        txn.write(enc, "options", {"csum": "true"})
        txn.write(enc, "chassis_name", name)
        encaps.append(enc.uuid)
    ch = txn.insert("Chassis")
    txn.write(ch, "name", name)
    txn.write(ch, "encaps", frozenset(encaps))


def _chassis_del(ctx: Context) -> None:
    name = ctx.argv[1]
    txn = ctx.view()
    ch = _find_chassis(ctx, name)
    if ch is None:
        if ctx.has("--if-exists"):
            return
        raise CtlError(f"no chassis named {name}")
    for u in ch["encaps"]:
        enc = txn.get("Encap", u)
        if enc is not None:
            txn.delete(enc)
    for priv in txn.rows("Chassis_Private"):
        if priv["name"] == name:
            txn.delete(priv)
    txn.delete(ch)


# -- port binding -------------------------------------------------------------------------------

def _find_port(ctx: Context, name: str) -> Row | None:
    for row in ctx.view().rows("Port_Binding"):
        if row["logical_port"] == name:
            return row
    return None


def _lsp_bind(ctx: Context) -> None:
    port, chassis = ctx.argv[1:3]
    pb = _find_port(ctx, port)
    if pb is None:
        raise CtlError(f"no port named {port}")
    ch = _find_chassis(ctx, chassis)
    if ch is None:
        raise CtlError(f"no chassis named {chassis}")
    if pb["chassis"]:
        if ctx.has("--may-exist"):
            return
        bound = ctx.view().get("Chassis", next(iter(pb["chassis"])))
        bound_name = bound["name"] if bound is not None else ""
        raise CtlError(f"lport ({port}) has already been binded to chassis ({bound_name})")
    ctx.view().write(pb, "chassis", frozenset((ch.uuid,)))


def _lsp_unbind(ctx: Context) -> None:
    port = ctx.argv[1]
    pb = _find_port(ctx, port)
    if pb is None:
        if ctx.has("--if-exists"):
            return
        raise CtlError(f"no port named {port}")
    ctx.view().write(pb, "chassis", frozenset())


# -- logical flows ------------------------------------------------------------------------------

def _partial_uuid(s: str) -> str | None:
    from pyovn.ctl.context import _partial_uuid_len

    if s and _partial_uuid_len(s) == len(s):
        return s.lower()
    if s.startswith("0x") and len(s) > 2 and _partial_uuid_len(s[2:]) == len(s) - 2:
        return s[2:].lower()
    return None


def _select_flows(ctx: Context) -> list:
    txn = ctx.view()
    args = ctx.argv[1:]
    dp_filter = None
    if args:
        table = ctx.schema.tables["Datapath_Binding"]
        dp = ctx.get_row(table, args[0], must_exist=False)
        if dp is not None:
            dp_filter = dp.uuid
            args = args[1:]
    prefixes = []
    for a in args:
        p = _partial_uuid(a)
        if p is None:
            raise CtlError(f"{a} is not a UUID or the beginning of a UUID")
        prefixes.append(p)
    datapaths = {r.uuid: r.values for r in txn.rows("Datapath_Binding")}
    groups = {r.uuid: r.values for r in txn.rows("Logical_DP_Group")}
    flows = [r.values for r in txn.rows("Logical_Flow")
             if not prefixes or any(r.uuid.startswith(p) for p in prefixes)]
    out = expand_flows(flows, datapaths, groups)
    if dp_filter is not None:
        out = [f for f in out if f.dp["_uuid"] == dp_filter]
    return out


def _lflow_list(ctx: Context) -> None:
    ctx.out(format_lflows(_select_flows(ctx), show_uuid=ctx.has("--uuid")))


def _count_flows(ctx: Context) -> None:
    ctx.out(format_counts(_select_flows(ctx)))


# -- connections and SSL ------------------------------------------------------------------------

_ACTIVE = ("tcp:", "ssl:", "unix:")
_PASSIVE = ("ptcp:", "pssl:", "punix:")


def _get_connection(ctx: Context) -> None:
    lines = set()
    for c in ctx.view().rows("Connection"):
        mode = "read-only" if c["read_only"] else "read-write"
        lines.add(f'{mode} role="{c["role"]}" {c["target"]}')
    ctx.out("".join(f"{line}\n" for line in sorted(lines, key=lambda s: s.encode())))


def _delete_connections(ctx: Context) -> None:
    txn = ctx.view()
    for c in txn.rows("Connection"):
        txn.delete(c)
    txn.write(_sb_global(ctx), "connections", frozenset())


def _del_connection(ctx: Context) -> None:
    _delete_connections(ctx)


def _set_connection(ctx: Context) -> None:
    _delete_connections(ctx)
    txn = ctx.view()
    probe = ctx.option("--inactivity-probe")
    read_only = False
    role = ""
    conns = []
    for target in ctx.argv[1:]:
        if target == "read-only":
            read_only = True
            continue
        if target == "read-write":
            read_only = False
            continue
        if target.startswith("role="):
            role = target[5:]
            continue
        if not target.startswith(_ACTIVE + _PASSIVE):
            warn("sbctl", f'target type "{target}" is possibly erroneous')
        c = txn.insert("Connection")
        txn.write(c, "target", target)
        if read_only:
            txn.write(c, "read_only", True)
        if role:
            txn.write(c, "role", role)
        if probe is not None:
            try:
                msecs = int(probe)
            except ValueError:
                msecs = 0
            txn.write(c, "inactivity_probe", frozenset((msecs,)))
        conns.append(c.uuid)
    txn.write(_sb_global(ctx), "connections", frozenset(conns))


def _get_ssl(ctx: Context) -> None:
    sb = _sb_global(ctx)
    ssl = ctx.view().get("SSL", next(iter(sb["ssl"]))) if sb["ssl"] else None
    if ssl is None:
        return
    ctx.out(f"Private key: {ssl['private_key']}\nCertificate: {ssl['certificate']}\n"
            f"CA Certificate: {ssl['ca_cert']}\n"
            f"Bootstrap: {'true' if ssl['bootstrap_ca_cert'] else 'false'}\n")


def _del_ssl(ctx: Context) -> None:
    sb = _sb_global(ctx)
    txn = ctx.view()
    if sb["ssl"]:
        ssl = txn.get("SSL", next(iter(sb["ssl"])))
        if ssl is not None:
            txn.delete(ssl)
        txn.write(sb, "ssl", frozenset())


def _set_ssl(ctx: Context) -> None:
    _del_ssl(ctx)
    txn = ctx.view()
    ssl = txn.insert("SSL")
    args = ctx.argv[1:]
    txn.write(ssl, "private_key", args[0])
    txn.write(ssl, "certificate", args[1])
    txn.write(ssl, "ca_cert", args[2])
    if ctx.has("--bootstrap"):
        txn.write(ssl, "bootstrap_ca_cert", True)
    if len(args) > 3:
        txn.write(ssl, "ssl_protocols", args[3])
    if len(args) > 4:
        txn.write(ssl, "ssl_ciphers", args[4])
    txn.write(_sb_global(ctx), "ssl", frozenset((ssl.uuid,)))


SHOW_TABLES = [
    ShowTable("Chassis", "name", ("hostname", "encaps"), "Port_Binding", "logical_port",
              "chassis"),
    ShowTable("Encap", "type", ("ip", "options")),
]


def _ids(table: str, *columns: str) -> list[RowId]:
    out = []
    for c in columns:
        col, _, key = c.partition(":")
        out.append(RowId(table, col, key or None))
    return out


ROW_IDS = {
    "Address_Set": _ids("Address_Set", "name"),
    "Chassis": _ids("Chassis", "name"),
    "Chassis_Private": _ids("Chassis_Private", "name"),
    "Chassis_Template_Var": _ids("Chassis_Template_Var", "chassis"),
    "Connection": _ids("Connection", "target"),
    "DHCP_Options": _ids("DHCP_Options", "name"),
    "DHCPv6_Options": _ids("DHCPv6_Options", "name"),
    "Datapath_Binding": _ids("Datapath_Binding", "external_ids:name", "external_ids:name2",
                             "external_ids:logical-switch", "external_ids:logical-router"),
    "Gateway_Chassis": _ids("Gateway_Chassis", "name"),
    "HA_Chassis_Group": _ids("HA_Chassis_Group", "name"),
    "Load_Balancer": _ids("Load_Balancer", "name"),
    "MAC_Binding": _ids("MAC_Binding", "logical_port"),
    "Meter": _ids("Meter", "name"),
    "Mirror": _ids("Mirror", "name"),
    "Port_Binding": _ids("Port_Binding", "logical_port", "external_ids:name"),
    "Port_Group": _ids("Port_Group", "name"),
    "RBAC_Permission": _ids("RBAC_Permission", "table"),
    "RBAC_Role": _ids("RBAC_Role", "name"),
    "Service_Monitor": _ids("Service_Monitor", "logical_port"),
}

COMMANDS = [
    Command("init", 0, 0, _init),
    Command("show", 0, 0, _show, mode="ro"),
    Command("chassis-add", 3, 3, _chassis_add, ("--may-exist",),
            usage="CHASSIS ENCAP-TYPE ENCAP-IP"),
    Command("chassis-del", 1, 1, _chassis_del, ("--if-exists",), usage="CHASSIS"),
    Command("lsp-bind", 2, 2, _lsp_bind, ("--may-exist",), usage="PORT CHASSIS"),
    Command("lsp-unbind", 1, 1, _lsp_unbind, ("--if-exists",), usage="PORT"),
    Command("lflow-list", 0, UNLIMITED, _lflow_list, ("--uuid", "--ovs", "--stats", "--vflows"),
            mode="ro", usage="[DATAPATH] [LFLOW...]"),
    Command("dump-flows", 0, UNLIMITED, _lflow_list, ("--uuid", "--ovs", "--stats", "--vflows"),
            mode="ro", usage="[DATAPATH] [LFLOW...]"),
    Command("count-flows", 0, 1, _count_flows, mode="ro", usage="[DATAPATH]"),
    Command("get-connection", 0, 0, _get_connection, mode="ro"),
    Command("del-connection", 0, 0, _del_connection),
    Command("set-connection", 1, UNLIMITED, _set_connection, ("--inactivity-probe=",),
            usage="TARGET..."),
    Command("get-ssl", 0, 0, _get_ssl, mode="ro"),
    Command("del-ssl", 0, 0, _del_ssl),
    Command("set-ssl", 3, 5, _set_ssl, ("--bootstrap",),
            usage="PRIV-KEY CERT CA-CERT [SSL-PROTOS [SSL-CIPHERS]]"),
]


def make_tool() -> Tool:
    tool = Tool("ovn-sbctl", "OVN_Southbound", default_remote, row_ids=ROW_IDS,
                show_tables=SHOW_TABLES, on_start=_on_start)  # type: ignore[arg-type]
    tool.add(COMMANDS)
    tool.add(generic.COMMANDS)
    return tool


TOOL = make_tool()


def main(argv: list[str]) -> int:
    return run_tool(TOOL, argv)
