"""pyovn lint: report Northbound configurations that cannot work (no real OVN tool has this).

    pyovn lint [--db NB_REMOTE] [--format text|json] [--only ID,...] [--list] [--timeout SECS]

Reads the Northbound once (default, as ovn-nbctl: ``$OVN_NB_DB``, else
``unix:$OVN_RUNDIR/ovnnb_db.sock``) and prints each finding: a check id, a severity, the rows
involved, a one-line explanation and a one-line fix (an ovn-nbctl command where possible).

Exit status: 0 when nothing was found, 1 when something was, 2 on errors (the database could not
be read, bad options).
"""

from __future__ import annotations

import argparse
import os
import sys

from pyovn.cli import plain_doc

PROG = "pyovn lint"


def default_db() -> str:
    env = os.environ.get("OVN_NB_DB")
    if env:
        return env
    return f"unix:{os.environ.get('OVN_RUNDIR', '/var/run/ovn')}/ovnnb_db.sock"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=PROG, description=plain_doc(__doc__),
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", help="the Northbound database (default: $OVN_NB_DB, else "
                                "unix:$OVN_RUNDIR/ovnnb_db.sock)")
    p.add_argument("-f", "--format", choices=("text", "json"), default="text",
                   help="text for people (the default), json for programs")
    p.add_argument("--only", help="run only these checks (comma-separated ids)")
    p.add_argument("--list", action="store_true", help="list the checks and exit")
    p.add_argument("-t", "--timeout", type=float, default=30.0,
                   help="give up reading the database after this many seconds (default 30)")
    return p



def main(argv: list[str]) -> int:
    try:
        opts = _parser().parse_args(argv)
    except SystemExit as e:  # argparse: --help (0) or a usage error (2)
        return int(e.code or 0)
    from pyovn.lint import CHECKS, build_nb, lint
    from pyovn.lint.load import LoadError, read_tables
    from pyovn.lint.report import format_json, format_text

    if opts.list:
        for c in CHECKS:
            print(f"{c.id:<28} {c.severity.value:<8} {c.summary}")
        return 0
    only = [x for x in opts.only.split(",") if x] if opts.only else None
    unknown = sorted(set(only or ()) - {c.id for c in CHECKS})
    if unknown:
        print(f"{PROG}: unknown check(s): {', '.join(unknown)} (see --list)", file=sys.stderr)
        return 2
    remote = opts.db or default_db()
    try:
        nb = build_nb(read_tables(remote, opts.timeout))
    except LoadError as err:
        print(f"{PROG}: {err}", file=sys.stderr)
        return 2
    findings = lint(nb, only)
    out = format_json(findings, remote) if opts.format == "json" else format_text(findings, remote)
    sys.stdout.write(out)
    return 1 if findings else 0
