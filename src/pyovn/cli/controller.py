"""pyovn controller: ovn-controller's command line over :class:`pyovn.controller.Controller`.

    pyovn controller [OPTIONS] [OVS-DATABASE]

``OVS-DATABASE`` defaults to ``unix:$OVS_RUNDIR/db.sock`` (``/var/run/openvswitch``), as
ovn-controller's.  Daemon options as every OVN daemon (``--detach``, ``--no-chdir``,
``--pidfile[=FILE]``, ``--log-file[=FILE]``, ``--unixctl=SOCKET``, ``-vSPEC``); the pidfile and
control socket default to ``ovn-controller.pid`` / ``ovn-controller.<pid>.ctl`` in
``$OVN_RUNDIR``.  ``-n NAME``: the chassis name (overrides ``external_ids:system-id``).

pyovn has no ovs-vswitchd: the controller plays its part for the local database (interfaces
into pyovn's datapath, ``ofport``, ``cur_cfg``).  ``--no-vswitchd`` (or
``PYOVN_CONTROLLER_NO_VSWITCHD=1``) turns that off, for a database a real ovs-vswitchd serves.
``PYOVN_CONTROLLER_DATAPATH=MODULE:CLASS`` names another datapath class (tests); the default is
``pyovn.datapath.core:Datapath``, constructed without arguments.

unixctl: exit [--restart] (without --restart the chassis leaves the Southbound), recompute,
inc-engine/recompute, debug/status, debug/pause, debug/resume, connection-status,
debug/delay-nb-cfg-report SECONDS, debug/dump-local-bindings (and version, vlog/*).
SIGTERM stops without removing the chassis.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import importlib
import os
import sys
from typing import Any

from pyovn import __version__
from pyovn.cli import plain_doc
from pyovn.ovsdb.stream import add_ssl_arguments, apply_ssl_arguments
from pyovn.service.daemon import (
    DAEMON_HELP,
    DaemonOptions,
    Detacher,
    Pidfile,
    apply_logging,
    install_exit_signals,
    run_event_loop,
    split_daemon_args,
)
from pyovn.service.unixctl import UnixctlError, UnixctlServer
from pyovn.util.vlog import get_logger

PROGRAM = "ovn-controller"
DATAPATH_ENV = "PYOVN_CONTROLLER_DATAPATH"
NO_VSWITCHD_ENV = "PYOVN_CONTROLLER_NO_VSWITCHD"
DEFAULT_DATAPATH = "pyovn.datapath.core:Datapath"
# Developers' profile: set to a file name prefix; the run is profiled and dumped at exit to
# PREFIX.<pid>.
PROFILE_ENV = "PYOVN_CONTROLLER_PROFILE"
GC_OFF_MAX_S = 60.0  # the garbage collector stays off at most this long at start
log = get_logger("main")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="pyovn controller", description=plain_doc(__doc__),
                                epilog=DAEMON_HELP.replace("PROGRAM", PROGRAM),
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("database", nargs="?", help="the local Open_vSwitch database")
    p.add_argument("-n", dest="chassis", help="custom chassis name")
    p.add_argument("--no-vswitchd", action="store_true",
                   help="do not play ovs-vswitchd's part (a real vswitchd serves the database)")
    p.add_argument("-V", "--version", action="store_true", help="print the version and exit")
    add_ssl_arguments(p)  # for ovn-remote=ssl:... (and an ssl: local database)
    return p


def default_database() -> str:
    rundir = os.environ.get("OVS_RUNDIR", "/var/run/openvswitch")
    return f"unix:{rundir}/db.sock"


def datapath_class() -> Any:
    """The class of the datapath the controller drives (see ``PYOVN_CONTROLLER_DATAPATH``);
    resolved before detaching, so a missing one fails the command at once."""
    spec = os.environ.get(DATAPATH_ENV) or DEFAULT_DATAPATH
    module, _, cls = spec.partition(":")
    try:
        return getattr(importlib.import_module(module), cls or "Datapath")
    except (ImportError, AttributeError) as e:
        raise SystemExit(f"{PROGRAM}: the datapath {spec} is not available: {e}") from e


async def _run(args: argparse.Namespace, opts: DaemonOptions, detacher: Detacher,
               pidfile: Pidfile | None, dp_class: Any) -> int:
    from pyovn.controller.daemon import Controller

    stop = asyncio.Event()
    graceful = False
    loop = asyncio.get_running_loop()
    install_exit_signals(loop, stop.set)
    no_vswitchd = args.no_vswitchd or os.environ.get(NO_VSWITCHD_ENV, "") not in ("", "0")
    ctl = Controller(args.database or default_database(), dp_class(),
                     vswitchd=not no_vswitchd, chassis_name=args.chassis)
    def loaded() -> None:
        if not gc.isenabled():
            gc.freeze()
            gc.enable()

    ctl.on_loaded = loaded
    # Whatever happens to the Southbound, the collector is back after a minute.
    loop.call_later(GC_OFF_MAX_S, loaded)
    ctl_path = opts.unixctl or opts.default_unixctl()
    os.makedirs(os.path.dirname(os.path.abspath(ctl_path)), exist_ok=True)
    u = UnixctlServer(ctl_path, f"ovn-controller (pyovn) {__version__}\n"
                                f"compatible with OVN 23.03.1")

    def exit_(a: list[str]) -> str:
        nonlocal graceful
        if a and a[0] != "--restart":
            raise UnixctlError(f"exit: unknown option {a[0]}")
        graceful = not a
        stop.set()
        return ""

    def recompute(a: list[str]) -> str:
        ctl.request_recompute()
        return ""

    def pause(a: list[str]) -> str:
        ctl.paused = True
        return ""

    def resume(a: list[str]) -> str:
        ctl.paused = False
        ctl.wake.set()
        return ""

    def delay(a: list[str]) -> str:
        try:
            secs = int(a[0])
        except ValueError:
            raise UnixctlError(f"invalid number of seconds: {a[0]}") from None
        ctl.nb_cfg_delay_s = max(0, secs)
        ctl.wake.set()
        if secs > 0:
            return f"delay nb_cfg report for {secs} seconds.\n"
        return "no delay for nb_cfg report.\n"

    u.register("exit", exit_, 0, 1, "")
    u.register("recompute", recompute, 0, 0, "[deprecated]")
    u.register("inc-engine/recompute", recompute, 0, 0, "")
    u.register("debug/status", lambda a: ctl.status(), 0, 0, "")
    u.register("debug/pause", pause, 0, 0, "")
    u.register("debug/resume", resume, 0, 0, "")
    u.register("connection-status", lambda a: ctl.connection_status(), 0, 0, "")
    u.register("debug/delay-nb-cfg-report", delay, 1, 1, "SECONDS")
    u.register("debug/dump-local-bindings", lambda a: ctl.local_bindings(), 0, 0, "")
    await u.start()
    await ctl.start()
    if pidfile:
        pidfile.write()
    detacher.ready()
    task = asyncio.create_task(ctl.run())
    profile = os.environ.get(PROFILE_ENV)
    prof = cProfile.Profile() if profile else None
    if prof is not None:
        prof.enable()
    await stop.wait()
    if prof is not None:
        prof.disable()
        prof.dump_stats(f"{profile}.{os.getpid()}")
    task.cancel()
    try:
        await asyncio.wait_for(ctl.close(graceful=graceful), timeout=10.0)
    except (TimeoutError, Exception) as e:  # noqa: BLE001
        log.info("closing: %s", e or "timed out")
    await u.close()
    if pidfile:
        pidfile.remove()
    return 0


def _split_n(argv: list[str]) -> list[str]:
    """``-nNAME`` -> ``-n NAME`` (getopt's attached form)."""
    out = []
    for a in argv:
        if a.startswith("-n") and len(a) > 2 and not a.startswith("--"):
            out += ["-n", a[2:]]
        else:
            out.append(a)
    return out


def main(argv: list[str]) -> int:
    opts, rest = split_daemon_args(argv, PROGRAM, ovn=True)
    args = _parser().parse_args(_split_n(rest))
    if args.version:
        print(f"ovn-controller (pyovn) {__version__}\ncompatible with OVN 23.03.1")
        return 0
    apply_logging(opts)
    apply_ssl_arguments(args)
    pidfile = Pidfile(opts.pidfile, PROGRAM, opts.overwrite_pidfile) if opts.pidfile else None
    if pidfile:
        pidfile.check()
    dp_class = datapath_class()
    # The Southbound replica, the model and the compiled flows are hundreds of thousands of
    # long-lived objects: the default thresholds rescan them all the time (twice the compile
    # time at 75,000 flows), as in northd.
    gc.set_threshold(50_000, 20, 100)
    # The first load (the whole Southbound replica, its model and compiled flows) creates
    # them with the collector off (it would rescan them, finding nothing, some ten times);
    # afterwards they are frozen out of its scans (Controller.on_loaded, see _run).
    gc.disable()
    detacher = Detacher()
    if opts.detach:
        detacher.detach(opts.no_chdir)
    return run_event_loop(_run(args, opts, detacher, pidfile, dp_class))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
