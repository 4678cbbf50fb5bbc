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

import os
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
from pyovn.ctl.options import parse_command_line
from pyovn.ctl.registry import CtlError, RowId, Tool
from pyovn.ctl.runner import Run, run_tool

__all__ = ["TOOL", "main", "default_remote", "make_tool"]

VERSION_TEXT = "ovn-nbctl 23.03.1\nOpen vSwitch Library 3.1.0\nDB Schema 7.0.0\n"
_WAIT_TYPES = ("none", "sb", "hv")


def default_remote() -> str:
    env = os.environ.get("OVN_NB_DB")
    if env:
        return env
    rundir = os.environ.get("OVN_RUNDIR", "/var/run/ovn")
    return f"unix:{rundir}/ovnnb_db.sock"


def _wait_type(run: Run) -> str:
    extra = run.opts.extra
    if "no-wait" in extra:
        return "none"
    return extra.get("wait") or "none"


def _on_start(run: Run) -> None:
    if run.txn.first("NB_Global") is None:
        run.txn.insert("NB_Global")


def _before_commit(run: Run) -> None:
    if _wait_type(run) == "none":
        return
    nb = run.txn.first("NB_Global")
    if nb is None:
        return
    force = any(c.command.name == "sync" for c in run.contexts)
    if force and not run.txn.changed:
        run.txn.write(nb, "nb_cfg", nb["nb_cfg"])
    run.txn.increment = (nb, "nb_cfg")
    run.state["wait_start"] = time.time()


def _after_commit(run: Run) -> None:
    target = run.txn.increment_result
    if target is None:
        return
    kind = _wait_type(run)
    column = "sb_cfg" if kind == "sb" else "hv_cfg"
    backend = run.backend
    while True:
        rows = backend.rows.get("NB_Global", {})  # type: ignore[attr-defined]
        done = [r for r in rows.values() if r.get(column, 0) >= target]
        if done:
            if "print-wait-time" in run.opts.extra:
                _print_wait_time(run, done[0], target, kind)
            return
        backend.wait_update(None)


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


def _ids(table: str, *columns: str) -> list[RowId]:
    out = []
    for c in columns:
        col, _, key = c.partition(":")
        out.append(RowId(table, col, key or None))
    return out


ROW_IDS: dict[str, list[RowId]] = {
    "ACL": _ids("ACL", "name"),
    "Address_Set": _ids("Address_Set", "name"),
    "Chassis_Template_Var": _ids("Chassis_Template_Var", "chassis"),
    "Connection": _ids("Connection", "target"),
    "DHCP_Options": [
        RowId("Logical_Switch_Port", "name", None, "dhcpv4_options"),
        RowId("Logical_Switch_Port", "external_ids", "neutron:port_name", "dhcpv4_options"),
        RowId("Logical_Switch_Port", "name", None, "dhcpv6_options"),
        RowId("Logical_Switch_Port", "external_ids", "neutron:port_name", "dhcpv6_options"),
    ],
    "Forwarding_Group": _ids("Forwarding_Group", "name"),
    "HA_Chassis": _ids("HA_Chassis", "chassis_name"),
    "HA_Chassis_Group": _ids("HA_Chassis_Group", "name"),
    "Load_Balancer": _ids("Load_Balancer", "name"),
    "Load_Balancer_Group": _ids("Load_Balancer_Group", "name"),
    "Load_Balancer_Health_Check": _ids("Load_Balancer_Health_Check", "vip"),
    "Logical_Router": _ids("Logical_Router", "name", "external_ids:neutron:router_name"),
    "Logical_Router_Port": _ids("Logical_Router_Port", "name"),
    "Logical_Switch": _ids("Logical_Switch", "name", "external_ids:neutron:network_name"),
    "Logical_Switch_Port": _ids("Logical_Switch_Port", "name",
                                "external_ids:neutron:port_name"),
    "Meter": _ids("Meter", "name"),
    "NAT": _ids("NAT", "external_ip"),
    "Port_Group": _ids("Port_Group", "name"),
}

GLOBAL_OPTIONS = {
    "wait": True, "no-wait": False, "print-wait-time": False, "detach": False,
    "monitor": False, "no-chdir": False, "overwrite-pidfile": False, "user": True,
    "unixctl": True, "pidfile": False, "no-self-confinement": False,
}


def make_tool() -> Tool:
    from pyovn.ctl.registry import Command

    tool = Tool("ovn-nbctl", "OVN_Northbound", default_remote, row_ids=ROW_IDS,
                global_options=GLOBAL_OPTIONS,  # type: ignore[arg-type]
                on_start=_on_start, before_commit=_before_commit,  # type: ignore[arg-type]
                after_commit=_after_commit)
    tool.add([
        Command("init", 0, 0, _init),
        Command("sync", 0, 0, _sync),
        Command("show", 0, 1, nbctl_show.show, mode="ro", usage="[SWITCH|ROUTER]"),
    ])
    for module in (nbctl_switch, nbctl_acl, nbctl_router, nbctl_nat, nbctl_lb, nbctl_misc):
        tool.add(module.COMMANDS)
    tool.add(generic.COMMANDS)
    return tool


TOOL = make_tool()


def main(argv: list[str]) -> int:
    argv = nbctl_router.split_bfd_values(argv)
    # Checks the real tool makes while parsing options, before it connects anywhere.
    try:
        opts, _ = parse_command_line(TOOL, argv)
    except CtlError:
        opts = None
    if opts is not None:
        if opts.version:
            sys.stdout.write(VERSION_TEXT)
            return 0
        wait = opts.extra.get("wait")
        if "wait" in opts.extra and wait not in _WAIT_TYPES:
            sys.stderr.write('ovn-nbctl: argument to --wait must be "none", "sb", or "hv"\n')
            return 1
    return run_tool(TOOL, argv)
