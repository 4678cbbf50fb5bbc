"""``ovs-vsctl``: the Open_vSwitch database tool, as a declaration on the shared ctl core.

The bridge/port/interface commands and the configuration model they work on are in
:mod:`pyovn.ctl.vsctl_bridge`; here are the others (controllers, fail mode, managers, SSL,
conntrack zone timeout policies, datapath capabilities, auto-attach) and the tool's declaration.

Every invocation makes sure the ``Open_vSwitch`` row exists. Without ``--no-wait``, a transaction
that changes something also increments ``next_cfg``, and the tool then waits until
``cur_cfg`` reaches the new value (bounded by ``--timeout``), as the real tool waits for
ovs-vswitchd.
"""

from __future__ import annotations

import re

from pyovn.ctl import generic, vsctl_bridge
from pyovn.ctl.context import Context
from pyovn.ctl.registry import (
    UNLIMITED,
    CommandSyntax,
    CtlError,
    RowId,
    ShowTable,
    Tool,
    env_remote,
)
from pyovn.ctl.remotes import (
    Remotes,
    delete_referenced,
    remote_commands,
    ssl_commands,
)
from pyovn.ctl.runner import Run, run_tool
from pyovn.ctl.txnview import ViewRow
from pyovn.ctl.vsctl_bridge import config, ovs_row

__all__ = ["TOOL", "main", "default_remote"]


default_remote = env_remote("OVS_RUNDIR", "/var/run/openvswitch", "db.sock")
VERSION_TEXT = "ovs-vsctl (Open vSwitch) 3.1.0\nDB Schema 8.3.1\n"


def _before_commit(run: Run) -> None:
    if "no-wait" in run.opts.extra:
        return
    ovs = run.txn.first("Open_vSwitch")
    if ovs is not None:
        run.txn.increment(ovs, "next_cfg")


def _after_commit(run: Run) -> None:
    target = run.txn.increment_result
    if target is None:
        return
    run.wait_for_row("Open_vSwitch", "cur_cfg", target)


# -- controllers, fail mode, managers, SSL --------------------------------------------------------

def _real_bridge_row(ctx: Context) -> ViewRow:
    br = config(ctx).need_bridge(ctx.argv[1])
    row = br.real().row
    assert row is not None
    return row


def _get_controller(ctx: Context) -> None:
    controllers = ctx.view().referenced("Controller", _real_bridge_row(ctx)["controller"])
    targets = [c["target"] for c in controllers]
    ctx.out("".join(f"{t}\n" for t in sorted(targets, key=str.encode)))


def _del_controller(ctx: Context) -> None:
    delete_referenced(ctx.view(), _real_bridge_row(ctx), "controller", "Controller")


def _set_controller(ctx: Context) -> None:
    row = _real_bridge_row(ctx)
    txn = ctx.view()
    delete_referenced(txn, row, "controller", "Controller")
    probe = ctx.option("--inactivity-probe")
    new = []
    for target in ctx.argv[2:]:
        controller = txn.insert("Controller")
        txn.write(controller, "target", target)
        if probe is not None:
            txn.write(controller, "inactivity_probe", frozenset((_c_number(probe) or 0,)))
        new.append(controller.uuid)
    txn.write(row, "controller", frozenset(new))


def _get_fail_mode(ctx: Context) -> None:
    row = _real_bridge_row(ctx)
    if row["fail_mode"]:
        ctx.out(f"{next(iter(row['fail_mode']))}\n")


def _del_fail_mode(ctx: Context) -> None:
    ctx.view().write(_real_bridge_row(ctx), "fail_mode", frozenset())


def _set_fail_mode(ctx: Context) -> None:
    row = _real_bridge_row(ctx)
    mode = ctx.argv[2]
    if mode not in ("standalone", "secure"):
        raise CtlError('fail-mode must be "standalone" or "secure"')
    ctx.view().write(row, "fail_mode", frozenset((mode,)))


def _init(ctx: Context) -> None:
    """Nothing to do: the Open_vSwitch row is created for every invocation if missing."""


def _show(ctx: Context) -> None:
    generic.show(ctx, SHOW_TABLES)


def _emer_reset(ctx: Context) -> None:
    txn = ctx.view()
    ovs = ovs_row(ctx)
    txn.write(ovs, "manager_options", frozenset())
    txn.write(ovs, "ssl", frozenset())
    for brow in txn.rows("Bridge"):
        for col, value in (("controller", frozenset()), ("fail_mode", frozenset()),
                           ("mirrors", frozenset()), ("netflow", frozenset()),
                           ("sflow", frozenset()), ("ipfix", frozenset()),
                           ("flood_vlans", frozenset())):
            txn.write(brow, col, value)
        ids = {k: v for k, v in brow["other_config"].items() if k in ("hwaddr",)}
        txn.write(brow, "other_config", ids)
    for prow in txn.rows("Port"):
        txn.write(prow, "other_config", {})
    for irow in txn.rows("Interface"):
        txn.write(irow, "other_config", {})
    for table in ("Mirror", "NetFlow", "sFlow", "IPFIX", "Controller", "Manager", "SSL"):
        for row in txn.rows(table):
            txn.delete(row)


# -- conntrack zone timeout policies, datapath capabilities, auto-attach ---------------------------

def _c_number(text: str) -> int | None:
    """A leading decimal number as C's strtol reads it ("12x" is 12), or None if there is none."""
    m = re.match(r"\s*([+-]?\d+)", text)
    return int(m.group(1)) if m else None


def _datapath(ctx: Context, name: str) -> ViewRow | None:
    uuid = ovs_row(ctx)["datapaths"].get(name)
    return None if uuid is None else ctx.view().get("Datapath", uuid)


def _zone_id(ctx: Context) -> int:
    arg = ctx.argv[2]
    zone = _c_number(arg[5:]) if arg.startswith("zone=") else None
    if zone is None:
        raise CtlError(f"invalid zone id {arg}")  # the real tool reads garbage here
    return zone


def _zone_args(ctx: Context) -> tuple[int, ViewRow]:
    """add-zone-tp's and del-zone-tp's zone id and datapath row (checked in that order)."""
    zone = _zone_id(ctx)
    name = ctx.argv[1]
    dp = _datapath(ctx, name)
    if dp is None:
        raise CtlError(f"datapath {name} does not exist")
    return zone, dp


def _add_zone_tp(ctx: Context) -> None:
    zone, dp = _zone_args(ctx)
    txn = ctx.view()
    zones = dict(dp["ct_zones"])
    if zone in zones and not ctx.has("--may-exist"):
        raise CtlError(f"zone id {zone} already exists")
    timeouts: dict[str, int] = {}
    for arg in ctx.argv[3:]:
        key, _, value = arg.partition("=")
        timeouts[key] = _c_number(value) or 0
    policy = txn.insert("CT_Timeout_Policy")
    txn.write(policy, "timeouts", timeouts)
    zrow = txn.get("CT_Zone", zones[zone]) if zone in zones else None
    if zrow is None:
        zrow = txn.insert("CT_Zone")
        zones[zone] = zrow.uuid
        txn.write(dp, "ct_zones", zones)
    txn.write(zrow, "timeout_policy", frozenset((policy.uuid,)))


def _del_zone_tp(ctx: Context) -> None:
    zone, dp = _zone_args(ctx)
    zones = dict(dp["ct_zones"])
    if zone not in zones:
        if ctx.has("--if-exists"):
            return
        raise CtlError(f"zone id {zone} does not exist")
    del zones[zone]
    ctx.view().write(dp, "ct_zones", zones)


def _list_zone_tp(ctx: Context) -> None:
    dp = _datapath(ctx, ctx.argv[1])
    if dp is None:
        raise CtlError(f"datapath: {ctx.argv[1]} record not found")
    txn = ctx.view()
    out = []
    for zone, uuid in sorted(dp["ct_zones"].items()):
        zrow = txn.get("CT_Zone", uuid)
        policies = ""
        if zrow is not None and zrow["timeout_policy"]:
            prow = txn.get("CT_Timeout_Policy", next(iter(zrow["timeout_policy"])))
            if prow is not None:
                policies = "".join(f"{k}={v} " for k, v in sorted(prow["timeouts"].items()))
        out.append(f"Zone:{zone}, Timeout Policies: {policies}".rstrip(" ") + "\n")
    ctx.out("".join(out))


def _list_dp_cap(ctx: Context) -> None:
    dp = _datapath(ctx, ctx.argv[1])
    if dp is None:
        raise CtlError(f'datapath "{ctx.argv[1]}" record not found')
    # The real tool prints the capabilities in its hash table's order; sorted here.
    caps = sorted(dp["capabilities"].items())
    ctx.out(" ".join(f"{k}={v}" for k, v in caps) + "\n")


def _aa_args(ctx: Context) -> tuple[int, int]:
    numbers = []
    for arg in ctx.argv[2:4]:
        n = _c_number(arg)
        if n is None:
            raise CtlError(f"Invalid argument {arg}")
        numbers.append(n)
    return numbers[0], numbers[1]


def _add_aa_mapping(ctx: Context) -> None:
    isid, vlan = _aa_args(ctx)
    brow = _real_bridge_row(ctx)
    txn = ctx.view()
    aa = txn.get("AutoAttach", next(iter(brow["auto_attach"]))) if brow["auto_attach"] else None
    if aa is None:
        aa = txn.insert("AutoAttach")
        txn.write(brow, "auto_attach", frozenset((aa.uuid,)))
    mappings = dict(aa["mappings"])
    mappings.setdefault(isid, vlan)
    txn.write(aa, "mappings", mappings)


def _del_aa_mapping(ctx: Context) -> None:
    isid, vlan = _aa_args(ctx)
    brow = _real_bridge_row(ctx)
    txn = ctx.view()
    aa = txn.get("AutoAttach", next(iter(brow["auto_attach"]))) if brow["auto_attach"] else None
    if aa is not None and aa["mappings"].get(isid) == vlan:
        mappings = dict(aa["mappings"])
        del mappings[isid]
        txn.write(aa, "mappings", mappings)


def _get_aa_mapping(ctx: Context) -> None:
    brow = _real_bridge_row(ctx)
    txn = ctx.view()
    aa = txn.get("AutoAttach", next(iter(brow["auto_attach"]))) if brow["auto_attach"] else None
    if aa is not None:
        ctx.out("".join(f"{k} {v}\n" for k, v in sorted(aa["mappings"].items())))


SHOW_TABLES = [
    ShowTable("Open_vSwitch", None, ("manager_options", "bridges", "ovs_version")),
    ShowTable("Bridge", "name", ("controller", "fail_mode", "datapath_type", "ports")),
    ShowTable("Port", "name", ("tag", "trunks", "interfaces")),
    ShowTable("Interface", "name", ("type", "options", "error", "bfd_status")),
    ShowTable("Controller", "target", ("is_connected",)),
    ShowTable("Manager", "target", ("is_connected",)),
]

ROW_IDS = {
    "AutoAttach": [RowId("Bridge", "name", None, "auto_attach")],
    "Bridge": [RowId("Bridge", "name")],
    "Controller": [RowId("Bridge", "name", None, "controller")],
    "Flow_Sample_Collector_Set": [RowId("Flow_Sample_Collector_Set", "id")],
    "Flow_Table": [RowId("Flow_Table", "name")],
    "IPFIX": [RowId("Bridge", "name", None, "ipfix")],
    "Interface": [RowId("Interface", "name")],
    "Manager": [RowId("Manager", "target")],
    "Mirror": [RowId("Mirror", "name")],
    "NetFlow": [RowId("Bridge", "name", None, "netflow")],
    "Port": [RowId("Port", "name")],
    "QoS": [RowId("Port", "name", None, "qos")],
    "sFlow": [RowId("Bridge", "name", None, "sflow")],
}

COMMANDS = [
    CommandSyntax("init", 0, 0, _init),
    CommandSyntax("show", 0, 0, _show, mode="ro"),
    CommandSyntax("emer-reset", 0, 0, _emer_reset),
    *vsctl_bridge.COMMANDS,
    CommandSyntax("add-zone-tp", 3, UNLIMITED, _add_zone_tp, ("--may-exist",),
                  usage="DATAPATH zone=ZONE_ID POLICY=VALUE..."),
    CommandSyntax("del-zone-tp", 2, 2, _del_zone_tp, ("--if-exists",), usage="DATAPATH zone=ZONE_ID"),
    CommandSyntax("list-zone-tp", 1, 1, _list_zone_tp, mode="ro", usage="DATAPATH"),
    CommandSyntax("list-dp-cap", 1, 1, _list_dp_cap, mode="ro", usage="DATAPATH"),
    CommandSyntax("add-aa-mapping", 3, 3, _add_aa_mapping, usage="BRIDGE ISID VLAN"),
    CommandSyntax("del-aa-mapping", 3, 3, _del_aa_mapping, usage="BRIDGE ISID VLAN"),
    CommandSyntax("get-aa-mapping", 1, 1, _get_aa_mapping, mode="ro", usage="BRIDGE"),
    CommandSyntax("get-controller", 1, 1, _get_controller, mode="ro", usage="BRIDGE"),
    CommandSyntax("del-controller", 1, 1, _del_controller, usage="BRIDGE"),
    CommandSyntax("set-controller", 1, UNLIMITED, _set_controller, ("--inactivity-probe=",),
                  usage="BRIDGE TARGET..."),
    CommandSyntax("get-fail-mode", 1, 1, _get_fail_mode, mode="ro", usage="BRIDGE"),
    CommandSyntax("del-fail-mode", 1, 1, _del_fail_mode, usage="BRIDGE"),
    CommandSyntax("set-fail-mode", 2, 2, _set_fail_mode, usage="BRIDGE MODE"),
    *remote_commands(Remotes("Open_vSwitch", "manager", "manager_options", "Manager", "vsctl")),
    *ssl_commands("Open_vSwitch", protocols=False),
]


TOOL = Tool(
    "ovs-vsctl", "Open_vSwitch", default_remote, row_ids=ROW_IDS, show_tables=SHOW_TABLES,
    global_options={"no-wait": False, "retry": False}, global_table="Open_vSwitch",
    before_commit=_before_commit, after_commit=_after_commit, getopt_messages=True,
    version=VERSION_TEXT,
).add(COMMANDS, generic.COMMANDS)


def main(argv: list[str]) -> int:
    return run_tool(TOOL, argv)
