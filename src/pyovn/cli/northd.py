"""pyovn northd: ovn-northd's command line over :class:`pyovn.northd.daemon.Northd`.

    pyovn northd [--ovnnb-db=REMOTE] [--ovnsb-db=REMOTE] [--detach] [--no-chdir]
                 [--pidfile[=FILE]] [--log-file[=FILE]] [--unixctl=SOCKET] [-vSPEC]
                 [-p PRIVKEY] [-c CERT] [-C CACERT] [--bootstrap-ca-cert=CACERT]
                 [--ssl-protocols=P] [--ssl-ciphers=C]

A REMOTE may be ``ssl:HOST:PORT`` (with the SSL options).

Defaults as ovn-northd's: ``$OVN_NB_DB`` / ``$OVN_SB_DB``, else ``unix:$OVN_RUNDIR/ovnnb_db.sock``
and ``ovnsb_db.sock``.  unixctl: exit, pause, resume, is-paused, status, inc-engine/recompute
(and the version/vlog commands every daemon has).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import sys

from pyovn import __version__
from pyovn.cli import plain_doc
from pyovn.ovsdb.stream import add_ssl_arguments, apply_ssl_arguments
from pyovn.service.daemon import (
    DAEMON_HELP,
    Detacher,
    Pidfile,
    apply_logging,
    install_exit_signals,
    run_event_loop,
    split_daemon_args,
)
from pyovn.service.unixctl import UnixctlServer
from pyovn.util.vlog import get_logger

PROGRAM = "ovn-northd"
log = get_logger("northd")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="pyovn northd", description=plain_doc(__doc__),
                                epilog=DAEMON_HELP.replace("PROGRAM", PROGRAM),
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--ovnnb-db", help="the Northbound database (default: $OVN_NB_DB)")
    p.add_argument("--ovnsb-db", help="the Southbound database (default: $OVN_SB_DB)")
    p.add_argument("--n-threads", type=int, default=1, help="accepted; pyovn northd is one thread")
    p.add_argument("--dry-run", action="store_true",
                   help="start paused (standby), as ovn-northd --dry-run")
    p.add_argument("-V", "--version", action="store_true", help="print the version and exit")
    add_ssl_arguments(p)
    return p


def _default_db(kind: str) -> str:
    env = os.environ.get(f"OVN_{kind.upper()}_DB")
    if env:
        return env
    rundir = os.environ.get("OVN_RUNDIR", "/var/run/ovn")
    return f"unix:{rundir}/ovn{kind}_db.sock"


async def _run(args: argparse.Namespace, opts: object, detacher: Detacher,
               pidfile: Pidfile | None) -> int:
    from pyovn.northd.daemon import Northd

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    install_exit_signals(loop, stop.set)
    northd = Northd(args.ovnnb_db or _default_db("nb"), args.ovnsb_db or _default_db("sb"))
    northd.paused = bool(args.dry_run)
    ctl_path = opts.unixctl or opts.default_unixctl()  # type: ignore[attr-defined]
    os.makedirs(os.path.dirname(os.path.abspath(ctl_path)), exist_ok=True)
    u = UnixctlServer(ctl_path, f"ovn-northd (pyovn) {__version__}")

    def exit_(a: list[str]) -> str:
        stop.set()
        return ""

    def pause(a: list[str]) -> str:
        northd.paused = True
        northd.wake.set()
        return ""

    def resume(a: list[str]) -> str:
        northd.paused = False
        northd.request_recompute()
        return ""

    def recompute(a: list[str]) -> str:
        northd.request_recompute()
        return ""

    u.register("exit", exit_, 0, 1, "[--restart]")
    u.register("pause", pause, 0, 0, "")
    u.register("resume", resume, 0, 0, "")
    u.register("is-paused", lambda a: "true\n" if northd.paused else "false\n", 0, 0, "")
    u.register("status", lambda a: f"Status: {northd.status()}\n", 0, 0, "")
    u.register("inc-engine/recompute", recompute, 0, 0, "")
    u.register("inc-engine/show-stats", lambda a: _stats(northd), 0, 2, "[NODE] [STAT]")
    u.register("nb-connection-status",
               lambda a: "connected\n" if northd.nb.is_synced else "not connected\n", 0, 0, "")
    u.register("sb-connection-status",
               lambda a: "connected\n" if northd.sb.is_synced else "not connected\n", 0, 0, "")
    await u.start()
    await northd.start()
    if pidfile:
        pidfile.write()
    log.info("ovn-northd (pyovn) %s", __version__)
    detacher.ready()
    task = asyncio.create_task(northd.run())
    await stop.wait()
    task.cancel()
    try:
        # A connection still being set up may not close promptly; exiting must not wait on it.
        await asyncio.wait_for(northd.close(), timeout=2.0)
    except (TimeoutError, Exception) as e:  # noqa: BLE001
        log.info("closing the database connections: %s", e or "timed out")
    await u.close()
    if pidfile:
        pidfile.remove()
    return 0


def _stats(northd: object) -> str:
    e = getattr(northd, "engine", None)
    if e is None:
        return "no run yet\n"
    s = e.stats
    return (f"northd\n\trecompute\t{s.recomputes}\n\tcompute\t{s.incremental_runs}\n"
            f"\towners built\t{s.owners_built}\n\tlast run\t{s.last_kind} "
            f"{s.last_run_s * 1000:.1f} ms\n")


def main(argv: list[str]) -> int:
    opts, rest = split_daemon_args(argv, PROGRAM, ovn=True)
    args = _parser().parse_args(rest)
    if args.version:
        print(f"ovn-northd (pyovn) {__version__}\ncompatible with OVN 23.03.1")
        return 0
    apply_logging(opts)
    apply_ssl_arguments(args)
    pidfile = Pidfile(opts.pidfile, PROGRAM, opts.overwrite_pidfile) if opts.pidfile else None
    if pidfile:
        pidfile.check()
    # northd holds hundreds of thousands of long-lived objects (replicas, flows): the default
    # young-generation threshold (700 allocations) makes the cyclic collector rescan them over
    # and over during a recompute.  Collect less often; the daemon also freezes what a full
    # recompute built (pyovn.northd.daemon).
    gc.set_threshold(50_000, 20, 100)
    detacher = Detacher()
    if opts.detach:
        detacher.detach(opts.no_chdir)
    return run_event_loop(_run(args, opts, detacher, pidfile))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
