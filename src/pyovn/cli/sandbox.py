"""``pyovn sandbox``: an OVN playground under one directory, from one command.

Today it runs the three OVSDB servers OVN needs — Northbound (``nb.sock``), Southbound
(``sb.sock``) and the local Open_vSwitch database (``db.sock``) — in one process, creating their
database files on first use, and prints the environment that points the tools at them (the real
``ovn-nbctl``/``ovn-sbctl``/``ovs-vsctl`` work as well as pyovn's). northd and the controller join
it as they are built.

    pyovn sandbox [--dir DIR] [--detach] [--no-fsync]
    pyovn sandbox stop [--dir DIR]
    pyovn sandbox env [--dir DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import time
from pathlib import Path

import orjson

from pyovn import schemas
from pyovn.cli.ovsdb_server import load_database
from pyovn.ovsdb import storage
from pyovn.ovsdb.server import OvsdbServer
from pyovn.util.daemon import Detacher, Pidfile, install_exit_signals
from pyovn.util.vlog import VLOG, get_logger

log = get_logger("sandbox")

DATABASES = [  # (schema name, file, socket)
    ("OVN_Northbound", "ovnnb_db.db", "nb.sock"),
    ("OVN_Southbound", "ovnsb_db.db", "sb.sock"),
    ("Open_vSwitch", "conf.db", "db.sock"),
]


def env_text(d: str) -> str:
    d = os.path.abspath(d)
    return (f"export OVN_NB_DB=unix:{d}/nb.sock\n"
            f"export OVN_SB_DB=unix:{d}/sb.sock\n"
            f"export OVS_RUNDIR={d}\n"
            f"export OVN_RUNDIR={d}\n"
            f"export OVS_DBDIR={d}\n")


def _ensure_files(d: str) -> None:
    os.makedirs(d, exist_ok=True)
    for name, fname, _ in DATABASES:
        path = os.path.join(d, fname)
        if not os.path.exists(path):
            storage.create(path, orjson.loads(schemas.path(name).read_bytes()))


async def _serve(d: str, fsync: bool, detacher: Detacher, pidfile: Pidfile) -> int:
    stop = asyncio.Event()
    install_exit_signals(asyncio.get_running_loop(), stop.set)
    servers = []
    for _, fname, sock in DATABASES:
        srv = OvsdbServer(fsync=fsync)
        db, lg = load_database(os.path.join(d, fname), sync=fsync)
        srv.add_database(db, log=lg, path=os.path.join(d, fname))
        await srv.add_remote(f"punix:{os.path.join(d, sock)}")
        servers.append(srv)
    pidfile.write()
    log.info("sandbox ready in %s", d)
    if not detacher.is_detached():
        print(f"pyovn sandbox running in {d} (Ctrl-C stops it). For the tools:\n")
        print(env_text(d))
        sys.stdout.flush()
    detacher.ready()
    await stop.wait()
    for srv in servers:
        await srv.close()
    pidfile.remove()
    return 0


def _stop(d: str) -> int:
    pidpath = os.path.join(d, "sandbox.pid")
    try:
        pid = int(Path(pidpath).read_text().strip())
    except (OSError, ValueError):
        print(f"pyovn sandbox: no sandbox running in {d}", file=sys.stderr)
        return 1
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        print(f"pyovn sandbox: stale pidfile {pidpath}", file=sys.stderr)
        return 1
    for _ in range(100):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return 0
        time.sleep(0.05)
    print(f"pyovn sandbox: pid {pid} did not exit", file=sys.stderr)
    return 1


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="pyovn sandbox", description="OVN playground")
    p.add_argument("action", nargs="?", choices=["start", "stop", "env"], default="start")
    p.add_argument("--dir", default=os.environ.get("PYOVN_SANDBOX", "sandbox"))
    p.add_argument("--detach", action="store_true")
    p.add_argument("--no-fsync", action="store_true")
    args = p.parse_args(argv)
    d = os.path.abspath(args.dir)
    if args.action == "stop":
        return _stop(d)
    if args.action == "env":
        print(env_text(d), end="")
        return 0
    _ensure_files(d)
    pidfile = Pidfile(os.path.join(d, "sandbox.pid"), "pyovn sandbox", False)
    pidfile.check()
    if not args.detach:
        VLOG.set_spec("console:info")
    VLOG.open_file(os.path.join(d, "sandbox.log"))
    detacher = Detacher()
    if args.detach:
        print(env_text(d), end="")
        sys.stdout.flush()
        detacher.detach(no_chdir=True)
    return asyncio.run(_serve(d, not args.no_fsync, detacher, pidfile))
