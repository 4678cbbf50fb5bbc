"""``ovn-sbctl``: the southbound database tool, as a declaration on the shared ctl core.

Commands: ``init``, ``show``, ``chassis-add``/``chassis-del``, ``lsp-bind``/``lsp-unbind``,
``lflow-list``/``dump-flows``/``count-flows``, ``get-/set-/del-connection``, ``get-/set-/del-ssl``,
plus the generic database commands. Like the real tool, every invocation first makes sure the
single ``SB_Global`` row exists (inserting it into an empty database).
"""

from __future__ import annotations

from pyovn.ctl import generic
from pyovn.ctl.context import Context
from pyovn.ctl.lflow import expand_flows, format_counts, format_lflows
from pyovn.ctl.registry import (
    UNLIMITED,
    CommandSyntax,
    CtlError,
    ShowTable,
    Tool,
    env_remote,
    row_ids,
)
from pyovn.ctl.remotes import Remotes, remote_commands, ssl_commands
from pyovn.ctl.runner import run_tool
from pyovn.ctl.txnview import ViewRow

__all__ = ["TOOL", "main", "default_remote"]


default_remote = env_remote("OVN_RUNDIR", "/var/run/ovn", "ovnsb_db.sock", env="OVN_SB_DB")
VERSION_TEXT = "ovn-sbctl 23.03.1\nOpen vSwitch Library 3.1.0\nDB Schema 20.27.0\n"


def _init(ctx: Context) -> None:
    """Nothing to do: the SB_Global row is created for every invocation if missing."""


def _show(ctx: Context) -> None:
    generic.show(ctx, SHOW_TABLES)


# -- chassis ------------------------------------------------------------------------------------

def _find_chassis(ctx: Context, name: str) -> ViewRow | None:
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

def _find_port(ctx: Context, name: str) -> ViewRow | None:
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
        # --may-exist forgives only a binding to this same chassis.
        bound_uuid = next(iter(pb["chassis"]))
        if ctx.has("--may-exist") and bound_uuid == ch.uuid:
            return
        bound = ctx.view().get("Chassis", bound_uuid)
        bound_name = bound["name"] if bound is not None else ""
        raise CtlError(f"lport ({port}) has already been binded to chassis ({bound_name})")
    ctx.view().write(pb, "chassis", frozenset((ch.uuid,)))
    ctx.view().write(pb, "up", frozenset((True,)))


def _lsp_unbind(ctx: Context) -> None:
    port = ctx.argv[1]
    pb = _find_port(ctx, port)
    if pb is None:
        if ctx.has("--if-exists"):
            return
        raise CtlError(f"no port named {port}")
    ctx.view().write(pb, "chassis", frozenset())
    ctx.view().write(pb, "up", frozenset())


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
    if len(ctx.argv) > 1:
        table = ctx.schema.tables["Datapath_Binding"]
        if ctx.get_row(table, ctx.argv[1], must_exist=False) is None:
            ctx.out(format_counts([]))  # an unknown datapath counts no flows, as in ovn-sbctl
            return
    ctx.out(format_counts(_select_flows(ctx)))


def _ip_multicast_flush(ctx: Context) -> None:
    """Make ovn-controller forget the learnt multicast groups: bump IP_Multicast seq_no."""
    dp = None
    if len(ctx.argv) > 1:
        table = ctx.schema.tables["Datapath_Binding"]
        dp = ctx.get_row(table, ctx.argv[1], must_exist=False)
        if dp is None:
            raise CtlError(f"{ctx.argv[1]} is not a valid datapath")
    txn = ctx.view()
    for row in txn.rows("IP_Multicast"):
        if dp is None or row["datapath"] == dp.uuid:
            txn.write(row, "seq_no", row["seq_no"] + 1)


SHOW_TABLES = [
    ShowTable("Chassis", "name", ("hostname", "encaps"), "Port_Binding", "logical_port",
              "chassis"),
    ShowTable("Encap", "type", ("ip", "options")),
]


ROW_IDS = {
    "Address_Set": row_ids("Address_Set", "name"),
    "Chassis": row_ids("Chassis", "name"),
    "Chassis_Private": row_ids("Chassis_Private", "name"),
    "Chassis_Template_Var": row_ids("Chassis_Template_Var", "chassis"),
    "Connection": row_ids("Connection", "target"),
    "DHCP_Options": row_ids("DHCP_Options", "name"),
    "DHCPv6_Options": row_ids("DHCPv6_Options", "name"),
    "Datapath_Binding": row_ids("Datapath_Binding", "external_ids:name", "external_ids:name2",
                             "external_ids:logical-switch", "external_ids:logical-router"),
    "Gateway_Chassis": row_ids("Gateway_Chassis", "name"),
    "HA_Chassis_Group": row_ids("HA_Chassis_Group", "name"),
    "Load_Balancer": row_ids("Load_Balancer", "name"),
    "MAC_Binding": row_ids("MAC_Binding", "logical_port"),
    "Meter": row_ids("Meter", "name"),
    "Mirror": row_ids("Mirror", "name"),
    "Port_Binding": row_ids("Port_Binding", "logical_port", "external_ids:name"),
    "Port_Group": row_ids("Port_Group", "name"),
    "RBAC_Permission": row_ids("RBAC_Permission", "table"),
    "RBAC_Role": row_ids("RBAC_Role", "name"),
    "Service_Monitor": row_ids("Service_Monitor", "logical_port"),
}

COMMANDS = [
    CommandSyntax("init", 0, 0, _init, tables=()),
    CommandSyntax("show", 0, 0, _show, mode="ro"),
    CommandSyntax("chassis-add", 3, 3, _chassis_add, ("--may-exist",),
                  usage="CHASSIS ENCAP-TYPE ENCAP-IP", tables=("Chassis", "Encap")),
    CommandSyntax("chassis-del", 1, 1, _chassis_del, ("--if-exists",), usage="CHASSIS",
                  tables=("Chassis", "Encap", "Chassis_Private")),
    CommandSyntax("lsp-bind", 2, 2, _lsp_bind, ("--may-exist",), usage="PORT CHASSIS",
                  tables=("Port_Binding", "Chassis")),
    CommandSyntax("lsp-unbind", 1, 1, _lsp_unbind, ("--if-exists",), usage="PORT",
                  tables=("Port_Binding",)),
    CommandSyntax("lflow-list", 0, UNLIMITED, _lflow_list, ("--uuid", "--ovs", "--stats", "--vflows"),
                  mode="ro", usage="[DATAPATH] [LFLOW...]"),
    CommandSyntax("dump-flows", 0, UNLIMITED, _lflow_list, ("--uuid", "--ovs", "--stats", "--vflows"),
                  mode="ro", usage="[DATAPATH] [LFLOW...]"),
    CommandSyntax("count-flows", 0, 1, _count_flows, mode="ro", usage="[DATAPATH]"),
    CommandSyntax("ip-multicast-flush", 0, 1, _ip_multicast_flush, usage="[SWITCH]"),
    *remote_commands(Remotes("SB_Global", "connection", "connections", "Connection", "sbctl",
                             roles=True)),
    *ssl_commands("SB_Global", protocols=True),
]


TOOL = Tool(
    "ovn-sbctl", "OVN_Southbound", default_remote, row_ids=ROW_IDS, show_tables=SHOW_TABLES,
    global_table="SB_Global", version=VERSION_TEXT,
).add(COMMANDS, generic.COMMANDS)


def main(argv: list[str]) -> int:
    return run_tool(TOOL, argv)
