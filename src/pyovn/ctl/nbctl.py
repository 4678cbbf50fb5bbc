"""``ovn-nbctl``: the northbound database tool, as a declaration on the shared ctl core.

The commands live in feature modules (``nbctl_switch``, ``nbctl_router``, ``nbctl_nat``,
``nbctl_acl``, ``nbctl_lb``, ``nbctl_misc``, ``nbctl_show``); this module declares the tool:
its default database, the global options it adds (``--wait``, ``--print-wait-time``, the daemon
options it accepts and ignores), how database commands name rows, and the hooks around the
transaction. Like the real tool, every invocation makes sure the single ``NB_Global`` row exists.

``--wait=sb|hv``: a transaction that changes something (or contains ``sync``) also increments
``NB_Global.nb_cfg``; after the commit the tool waits, reading the monitor's updates, until
``sb_cfg`` (or ``hv_cfg``) reaches the new value. ``--timeout`` bounds the wait (the core's alarm).
"""

from __future__ import annotations

import sys
import time

from pyovn.ctl import (
    generic,
    nbctl_acl,
    nbctl_lb,
    nbctl_misc,
    nbctl_nat,
    nbctl_router,
    nbctl_show,
    nbctl_switch,
)
from pyovn.ctl.context import Context
from pyovn.ctl.nbctl_common import nb_global
from pyovn.ctl.options import RunOptions
from pyovn.ctl.registry import CommandSyntax, CtlError, RowId, Tool, env_remote, row_ids
from pyovn.ctl.runner import Run, run_tool

__all__ = ["TOOL", "main", "default_remote"]

VERSION_TEXT = "ovn-nbctl 23.03.1\nOpen vSwitch Library 3.1.0\nDB Schema 7.0.0\n"
_WAIT_TYPES = ("none", "sb", "hv")


default_remote = env_remote("OVN_RUNDIR", "/var/run/ovn", "ovnnb_db.sock", env="OVN_NB_DB")


def _check_options(opts: RunOptions) -> None:
    if "wait" in opts.extra and opts.extra["wait"] not in _WAIT_TYPES:
        raise CtlError('argument to --wait must be "none", "sb", or "hv"')


def _wait_type(run: Run) -> str:
    extra = run.opts.extra
    if "no-wait" in extra:
        return "none"
    return extra.get("wait") or "none"


def _before_commit(run: Run) -> None:
    if _wait_type(run) == "none":
        return
    nb = run.txn.first("NB_Global")
    if nb is None:
        return
    force = any(c.command.name == "sync" for c in run.contexts)
    run.txn.increment(nb, "nb_cfg", force=force)
    run.state["wait_start"] = time.time()


def _after_commit(run: Run) -> None:
    target = run.txn.increment_result
    if target is None:
        return
    kind = _wait_type(run)
    nb = run.wait_for_row("NB_Global", "sb_cfg" if kind == "sb" else "hv_cfg", target)
    if "print-wait-time" in run.opts.extra:
        _print_wait_time(run, nb, target, kind)


def _print_wait_time(run: Run, nb: dict, target: int, kind: str) -> None:
    start = int(run.state.get("wait_start", time.time()) * 1000)
    lines = [f"Time spent on processing nb_cfg {target}:\n"]
    nb_ts = nb.get("nb_cfg_timestamp", 0)
    sb_ts = nb.get("sb_cfg_timestamp", 0)
    lines.append(f"\tovn-northd delay before processing:\t{nb_ts - start}ms\n")
    lines.append(f"\tovn-northd completion:\t\t\t{sb_ts - start}ms\n")
    if kind == "hv":
        hv_ts = nb.get("hv_cfg_timestamp", 0)
        lines.append(f"\tovn-controller(s) completion:\t\t{hv_ts - start}ms\n")
    # Printed after the commands' own output, as the real tool does.
    run.state["wait_text"] = "".join(lines)
    sys.stdout.write(run.state["wait_text"])


def _init(ctx: Context) -> None:
    """Nothing more: the NB_Global row is created for every invocation if missing."""


def _sync(ctx: Context) -> None:
    """Only meaningful with --wait: forces the nb_cfg increment (see _before_commit)."""
    nb_global(ctx)


ROW_IDS: dict[str, list[RowId]] = {
    "ACL": row_ids("ACL", "name"),
    "Address_Set": row_ids("Address_Set", "name"),
    "Chassis_Template_Var": row_ids("Chassis_Template_Var", "chassis"),
    "Connection": row_ids("Connection", "target"),
    "DHCP_Options": [
        RowId("Logical_Switch_Port", "name", None, "dhcpv4_options"),
        RowId("Logical_Switch_Port", "external_ids", "neutron:port_name", "dhcpv4_options"),
        RowId("Logical_Switch_Port", "name", None, "dhcpv6_options"),
        RowId("Logical_Switch_Port", "external_ids", "neutron:port_name", "dhcpv6_options"),
    ],
    "Forwarding_Group": row_ids("Forwarding_Group", "name"),
    "HA_Chassis": row_ids("HA_Chassis", "chassis_name"),
    "HA_Chassis_Group": row_ids("HA_Chassis_Group", "name"),
    "Load_Balancer": row_ids("Load_Balancer", "name"),
    "Load_Balancer_Group": row_ids("Load_Balancer_Group", "name"),
    "Load_Balancer_Health_Check": row_ids("Load_Balancer_Health_Check", "vip"),
    "Logical_Router": row_ids("Logical_Router", "name", "external_ids:neutron:router_name"),
    "Logical_Router_Port": row_ids("Logical_Router_Port", "name"),
    "Logical_Switch": row_ids("Logical_Switch", "name", "external_ids:neutron:network_name"),
    "Logical_Switch_Port": row_ids("Logical_Switch_Port", "name",
                                "external_ids:neutron:port_name"),
    "Meter": row_ids("Meter", "name"),
    "NAT": row_ids("NAT", "external_ip"),
    "Port_Group": row_ids("Port_Group", "name"),
}

GLOBAL_OPTIONS = {
    "wait": True, "no-wait": False, "print-wait-time": False, "detach": False,
    "monitor": False, "no-chdir": False, "overwrite-pidfile": False, "user": True,
    "unixctl": True, "pidfile": False, "no-self-confinement": False,
}


TOOL = Tool(
    "ovn-nbctl", "OVN_Northbound", default_remote, row_ids=ROW_IDS,
    global_options=GLOBAL_OPTIONS, global_table="NB_Global", check_options=_check_options,
    before_commit=_before_commit, after_commit=_after_commit, version=VERSION_TEXT,
).add(
    [
        CommandSyntax("init", 0, 0, _init, tables=()),
        CommandSyntax("sync", 0, 0, _sync, tables=()),
        CommandSyntax("show", 0, 1, nbctl_show.show, mode="ro", usage="[SWITCH|ROUTER]"),
    ],
    nbctl_switch.COMMANDS, nbctl_acl.COMMANDS, nbctl_router.COMMANDS, nbctl_nat.COMMANDS,
    nbctl_lb.COMMANDS, nbctl_misc.COMMANDS, generic.COMMANDS,
)


def main(argv: list[str]) -> int:
    return run_tool(TOOL, argv)
