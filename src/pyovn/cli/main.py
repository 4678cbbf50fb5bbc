"""The ``pyovn`` command: one entry point, one subcommand per tool.

``pyovn TOOL ARGS...`` runs the tool with the real tool's own command line, e.g.
``pyovn ovsdb-server --remote=punix:db.sock nb.db`` or ``pyovn nbctl ls-add sw0``. Each tool is a
module with ``main(argv: list[str]) -> int`` imported only when used, so start-up stays fast.
"""

from __future__ import annotations

import gc
import importlib
import os
import sys

# tool name -> (module, one-line description). Aliases let harnesses call the real binary names.
TOOLS: dict[str, tuple[str, str]] = {
    "ovsdb-server": ("pyovn.cli.ovsdb_server", "OVSDB database server (RFC 7047 + OVS extensions)"),
    "ovsdb-tool": ("pyovn.cli.ovsdb_tool", "create, inspect and compact OVSDB database files"),
    "sandbox": ("pyovn.cli.sandbox", "a whole OVN (databases, northd, controller) under one directory"),
    "vsctl": ("pyovn.cli.vsctl", "ovs-vsctl: configure the local Open_vSwitch database"),
    "nbctl": ("pyovn.cli.nbctl", "OVN Northbound management, as ovn-nbctl"),
    "sbctl": ("pyovn.cli.sbctl", "ovn-sbctl: inspect and change the OVN southbound database"),
    "trace": ("pyovn.cli.trace", "explain what the logical pipelines do to a packet"),
    "ovsdb-client": ("pyovn.cli.ovsdb_client", "OVSDB command-line client, as ovsdb-client"),
    "northd": ("pyovn.cli.northd", "ovn-northd: compile the Northbound into the Southbound"),
    "controller": ("pyovn.cli.controller", "ovn-controller: the chassis' control plane"),
    "compat": ("pyovn.cli.compat", "write shims named like the real OVN/OVS binaries"),
    "lint": ("pyovn.cli.lint", "report Northbound configurations that cannot work"),
}
# One-shot tools: a call that is not ``--detach`` connects, runs its commands and leaves.
ONE_SHOT = {"nbctl", "sbctl", "vsctl"}
ALIASES = {"ovn-northd": "northd", "ovn-nbctl": "nbctl", "ovn-sbctl": "sbctl", "ovs-vsctl": "vsctl",
           "ovn-trace": "trace", "ovn-controller": "controller"}


def usage() -> str:
    lines = ["usage: pyovn TOOL [ARGS...]", "", "tools:"]
    for name, (_, desc) in TOOLS.items():
        lines.append(f"  {name:<14} {desc}")
    lines.append("")
    lines.append("The real programs' names work as TOOL too:")
    lines.append("  " + ", ".join(ALIASES) + ".")
    lines.append("'pyovn TOOL --help' describes a tool's commands and options;")
    lines.append("'pyovn --version' prints pyovn's version.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in ("-h", "--help", "help"):
        print(usage())
        return 0
    if args[0] in ("-V", "--version"):
        from pyovn import __version__

        print(f"pyovn {__version__}")
        return 0
    name = ALIASES.get(args[0], args[0])
    if name not in TOOLS:
        print(f"pyovn: unknown tool '{args[0]}'\n\n{usage()}", file=sys.stderr)
        return 2
    module = importlib.import_module(TOOLS[name][0])
    return int(module.main(args[1:]) or 0)


def run() -> None:
    """The ``pyovn`` program (the console script, ``python -m pyovn``): :func:`main`, then exit
    (it never returns; not annotated NoReturn, because importing ``typing`` would cost a call
    through a ctl daemon, whose client imports nothing but ``os`` and ``sys``, a few ms).

    A one-shot ctl call runs without the cyclic garbage collector (its few thousand objects, or
    a replica of 10,000s of rows, are freed with the process; the collector's passes during
    start-up and while the rows load only cost time) and leaves with ``os._exit`` once its
    output is flushed, skipping the interpreter's teardown of every module and object: together
    10-20 ms of a call's ~90 ms, which a script calling ``ovn-nbctl`` hundreds of times pays
    each time.
    """
    args = sys.argv[1:]
    name = ALIASES.get(args[0], args[0]) if args else ""
    one_shot = name in ONE_SHOT and not any(
        a == "--detach" or a.startswith("--detach=") for a in args)
    if not one_shot:
        sys.exit(main(args))
    gc.disable()
    status = main(args)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except OSError:  # a closed pipe: what the interpreter's own exit would report
            status = status or 1
    os._exit(status)


if __name__ == "__main__":
    run()
