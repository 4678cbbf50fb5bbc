"""``pyovn trace``: ovn-trace(8) on pyovn's logical flow language.

``pyovn trace [OPTIONS] [DATAPATH] MICROFLOW`` reads the Southbound database (``--db``, else
``$OVN_SB_DB``, else ``unix:$OVN_RUNDIR/ovnsb_db.sock``), parses the microflow, walks it through
the logical pipelines (``pyovn.trace.walk``) and prints the trace in ovn-trace's formats
(``--detailed`` by default, ``--summary``, ``--minimal``; ``--all`` prints all three).  DATAPATH
may be left out when the microflow's ``inport`` names a port.  Beyond ovn-trace, ``--explain``
(with ``--expect=PORT`` and optionally ``--nb-db``) says in words why the packet was dropped or
did not reach PORT.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import ipaddress
import os
import sys
from typing import TYPE_CHECKING

from pyovn.ovsdb.stream import add_ssl_arguments, apply_ssl_arguments

if TYPE_CHECKING:
    from pyovn.trace.sbmodel import SbModel

__all__ = ["main", "run"]

_PROG = "ovn-trace"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="pyovn trace",
        description="explain what the logical pipelines do to a packet",
        allow_abbrev=False,
    )
    p.add_argument("--db", help="Southbound database (default $OVN_SB_DB)")
    for name, text in (("detailed", "print every table and flow the packet goes through "
                                     "(the default)"),
                       ("summary", "print a nested summary of what happens to the packet"),
                       ("minimal", "print only the actions that change or output the packet"),
                       ("all", "print all three of the above")):
        p.add_argument(f"--{name}", dest="fmt", action="append_const", const=name, help=text)
    p.add_argument("--ct", action="append", default=[], help="conntrack state flags")
    p.add_argument("--lb-dst", help="IP[:PORT] a load balancer picks")
    p.add_argument("--select-id", type=int, help="member a select() action picks")
    p.add_argument("--friendly-names", dest="friendly", action="store_true", default=True,
                   help="name datapaths and ports in the output (the default)")
    p.add_argument("--no-friendly-names", dest="friendly", action="store_false",
                   help="print UUIDs and keys instead of names")
    p.add_argument("--explain", action="store_true", help="say why the packet did not arrive")
    p.add_argument("--expect", help="the port the packet should reach (with --explain)")
    p.add_argument("--nb-db", help="Northbound database, to name NB rows in --explain")
    add_ssl_arguments(p)  # for --db=ssl:...
    p.add_argument("args", nargs="+", metavar="[DATAPATH] MICROFLOW",
                   help="the packet, as a logical flow match (e.g. 'inport == \"lp1\" && "
                        "eth.src == 00:00:00:00:00:01 && ...'); DATAPATH is the switch or "
                        "router it enters, needed when inport does not say")
    return p


def parse_lb_dst(text: str) -> tuple[int, bool, int]:
    """``IP``, ``IP:PORT``, ``[IPv6]:PORT`` or a bare IPv6 address."""
    port = 0
    host = text
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        if rest.startswith(":"):
            port = int(rest[1:])
    elif text.count(":") == 1:
        host, _, p = text.partition(":")
        port = int(p)
    addr = ipaddress.ip_address(host)
    if not 0 <= port <= 65535:
        raise ValueError("port out of range")
    return int(addr), addr.version == 6, port


def _default_db() -> str:
    env = os.environ.get("OVN_SB_DB")
    if env:
        return env
    rundir = os.environ.get("OVN_RUNDIR", "/var/run/ovn")
    return f"unix:{rundir}/ovnsb_db.sock"


def main(argv: list[str]) -> int:
    rc, out, err = run(argv)
    sys.stdout.write(out)
    sys.stderr.write(err)
    return rc


def run(argv: list[str], model: SbModel | None = None) -> tuple[int, str, str]:
    """Runs the tool: (exit status, stdout text, stderr text).  ``model`` skips reading the
    database (tests trace many packets over one Southbound)."""
    out = io.StringIO()
    err = io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            rc = _run(argv, model)
    except SystemExit as e:  # argparse
        rc = int(e.code or 0)
    except RecursionError:
        rc = 2
        err.write(f"{_PROG}: trace too deep\n")
    return rc, out.getvalue(), err.getvalue()


def _run(argv: list[str], preloaded: SbModel | None) -> int:
    from pyovn.trace.microflow import MicroflowError, format_uflow, parse_microflow
    from pyovn.trace.output import format_trace
    from pyovn.trace.sbmodel import load_sb
    from pyovn.trace.walk import TraceOptions, Walker, parse_ct_flags

    # --ovs[=BRIDGE] (correlate with OpenFlow) needs ovn-controller's flows: refused up front.
    if any(a == "--ovs" or a.startswith("--ovs=") for a in argv):
        print(f"{_PROG}: --ovs is not supported: pyovn trace has no OpenFlow tables to "
              "correlate (no ovn-controller flows)", file=sys.stderr)
        return 1
    opts = _parser().parse_args(argv)
    apply_ssl_arguments(opts)
    if len(opts.args) > 2:
        print(f"{_PROG}: exactly two non-option arguments are required", file=sys.stderr)
        return 1
    try:
        ct = [parse_ct_flags(c) for c in opts.ct]
        lb_dst = parse_lb_dst(opts.lb_dst) if opts.lb_dst else None
    except ValueError as err:
        print(f"{_PROG}: {err}", file=sys.stderr)
        return 1
    if preloaded is not None:
        model = preloaded
    else:
        db = opts.db or _default_db()
        try:
            model = load_sb(db)
        except Exception as err:
            # The connection errors already name the remote, as ovn-trace's one mention of it.
            msg = str(err)
            if not msg.startswith(f"{db}:"):
                msg = f"{db}: {msg}"
            print(f"{_PROG}: {msg}", file=sys.stderr)
            return 1
    # ovn-trace reports a datapath, port or microflow it cannot use as the trace's output: on
    # stdout, exit status 0.
    dp = None
    if len(opts.args) == 2:
        dp = model.find_datapath(opts.args[0])
        if dp is None:
            print(f'unknown datapath "{opts.args[0]}"')
            return 0
    text = opts.args[-1]
    try:
        flow = parse_microflow(
            text, model.symtab, model.address_sets, model.port_groups, dp.key if dp else None
        )
    except MicroflowError as err:
        print(f"error parsing flow: {err}")
        return 0
    inport = str(flow.get("inport", ""))
    pb = model.ports.get(inport) if inport else None
    if dp is None:
        if not inport:
            print("error parsing flow: flow match expression does not match on inport")
            return 0
        if pb is None or pb.datapath is None:
            print(f'unknown port "{inport}"')
            return 0
        dp = pb.datapath
        if model.port_groups and ("@" in text):
            flow = parse_microflow(text, model.symtab, model.address_sets, model.port_groups,
                                   dp.key)
    elif inport and pb is None:
        print(f'{_PROG}: unknown logical port "{inport}"', file=sys.stderr)
        return 1

    def port_key(name: str) -> int:
        p = model.ports.get(name)
        return p.key if p is not None else 0

    walker = Walker(model, TraceOptions(ct, lb_dst, opts.select_id, opts.friendly))
    root = walker.trace(dp, flow)
    header = format_uflow(flow, port_key)
    wanted = set(opts.fmt or ["detailed"])
    if "all" in wanted:
        wanted = {"detailed", "summary", "minimal"}
    sys.stdout.write(format_trace(header, root, [f for f in ("detailed", "summary", "minimal")
                                                 if f in wanted]))
    if opts.explain:
        from pyovn.trace.explain import explain

        nb_rows = None
        if opts.nb_db:
            from pyovn.trace.explain import load_nb

            try:
                nb_rows = load_nb(opts.nb_db)
            except Exception as err:
                print(f"{_PROG}: {opts.nb_db}: {err}", file=sys.stderr)
        sys.stdout.write("\n" + "\n".join(explain(root, model, expect=opts.expect, nb=nb_rows))
                         + "\n")
    return 0
