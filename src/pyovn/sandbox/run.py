"""One sandbox's life: create the databases, start the parts, (demo,) serve, stop.

``start`` runs in the supervisor process (the foreground one, or the detached child): database
files created on first use, the ovsdb-servers started together (and clustered databases'
Raft clusters waited for until they have a leader), the local Open_vSwitch row initialised,
then northd and the controller together. What the user needs (environment, warnings, the
demo's output) is printed before a detached sandbox lets its parent return, so it reaches the
terminal either way. SIGINT/SIGTERM/SIGHUP stop everything in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import sys
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any, TypeVar

import orjson

from pyovn import schemas
from pyovn.ovsdb import storage
from pyovn.sandbox import cluster, rootless
from pyovn.sandbox.demo import Demo
from pyovn.sandbox.layout import DATABASES, SandboxDir, env_text
from pyovn.sandbox.localdb import init_open_vswitch
from pyovn.sandbox.supervisor import LogSink, StartError, Supervisor
from pyovn.service.daemon import Detacher, Pidfile, install_exit_signals

__all__ = ["Options", "ensure_files", "start"]

T = TypeVar("T")


@dataclass
class Options:
    dir: str
    detach: bool = False
    fsync: bool = True
    northd: bool = True
    controller: bool = True
    chassis: str | None = None
    encap_ip: str | None = None
    demo: bool = False
    keep: bool = False
    verbose: bool = False
    models: dict[str, str] = field(default_factory=dict)   # "nb"/"sb" -> model


def ensure_files(sandbox: SandboxDir) -> list[str]:
    """Create what is missing; returns the real tools' commands it ran (clustered)."""
    os.makedirs(sandbox.path, exist_ok=True)
    sandbox.save_models()
    ran = cluster.create_files(sandbox)
    for db in DATABASES:
        if sandbox.clustered(db):
            continue
        path = sandbox / db.file
        if not os.path.exists(path):
            storage.create(path, orjson.loads(schemas.path(db.schema).read_bytes()))
    return ran


def start(opts: Options) -> int:
    """Runs in the process that will supervise (after any re-exec into namespaces)."""
    sandbox = SandboxDir(opts.dir, opts.models)
    if rootless.inside():
        rootless.setup_inside()
    pidfile = Pidfile(sandbox.pidfile, "pyovn sandbox", False)
    pidfile.check()   # before touching the files a running sandbox uses
    try:
        made = ensure_files(sandbox)
    except cluster.ClusterError as e:
        print(f"pyovn sandbox: {e}", file=sys.stderr)
        return 1
    detacher = Detacher()
    if opts.detach:
        detacher.detach(no_chdir=True)
    return asyncio.run(_serve(sandbox, opts, detacher, pidfile, made))


async def _serve(sandbox: SandboxDir, opts: Options, detacher: Detacher,
                 pidfile: Pidfile, made: list[str]) -> int:
    stop = asyncio.Event()
    install_exit_signals(asyncio.get_running_loop(), stop.set)
    log = open(sandbox / "sandbox.log", "a")  # noqa: SIM115 (open for the sandbox's life)
    sink = LogSink(sys.stdout, log)
    for cmd in made:
        sink.line("sandbox", f"$ {cmd}")
    parts = sandbox.parts(fsync=opts.fsync, northd=opts.northd, controller=opts.controller,
                          ovsdb_server=cluster.find_binary("ovsdb-server") or "ovsdb-server")
    if opts.verbose or not (opts.detach or opts.demo):
        # The parts log what they do on the console we merge; a demo shows only warnings.
        parts = [dataclasses.replace(p, argv=(*p.argv, "-vconsole:info")) for p in parts]
    sup = Supervisor(sandbox, parts, sink)
    try:
        rc = await _run(sandbox, opts, sup, sink, stop, detacher, pidfile)
    finally:
        await sup.stop()
        pidfile.remove()
        sink.line("sandbox", "stopped")
        log.close()
    return rc


async def _until(stop: asyncio.Event, coro: Coroutine[Any, Any, T]) -> tuple[bool, T | None]:
    """Await ``coro`` unless a stop signal comes first: (True, its result), or (False, None)
    with the work cancelled."""
    task = asyncio.ensure_future(coro)
    waiter = asyncio.ensure_future(stop.wait())
    done, _ = await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
    waiter.cancel()
    if task in done:
        return True, task.result()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await task
    return False, None


async def _run(sandbox: SandboxDir, opts: Options, sup: Supervisor, sink: LogSink,
               stop: asyncio.Event, detacher: Detacher, pidfile: Pidfile) -> int:
    where = " (rootless: own user, network and mount namespaces)" if rootless.inside() else ""
    sink.line("sandbox", f"starting in {sandbox.path}{where}")
    dbs = [p.name for p in sup.parts if p.database]
    try:
        if not (await _until(stop, sup.start(dbs)))[0]:
            return 1
        for db in DATABASES:
            if sandbox.clustered(db):
                formed, lead = await _until(stop, cluster.wait_formed(sandbox, db))
                if not formed or lead is None:
                    return 1
                sink.line("sandbox", f"{db.schema}: Raft cluster of "
                                     f"{len(sandbox.members(db))} real ovsdb-servers, "
                                     f"leader {lead.part}")
        ids = await init_open_vswitch(sandbox.ovs, rundir=sandbox.path, sb_remote=sandbox.sb,
                                      chassis=opts.chassis, encap_ip=opts.encap_ip)
        sink.line("sandbox", f"chassis {ids['system-id']}: ovn-remote={ids['ovn-remote']} "
                             f"encap {ids['ovn-encap-type']} {ids['ovn-encap-ip']}")
        rest = [p.name for p in sup.parts if p.name not in dbs]
        if rest and not (await _until(stop, sup.start(rest)))[0]:
            return 1
    except (StartError, cluster.ClusterError) as e:
        sink.line("sandbox", f"could not start: {e}")
        return 1
    pidfile.write()
    warnings = _warnings(opts, sup)
    for w in warnings:
        sink.line("sandbox", w)
    if not opts.demo or opts.keep:
        ready = "running" + ("" if opts.detach else " (Ctrl-C stops it)")
        print(f"\npyovn sandbox {ready} in {sandbox.path}. For the tools "
              f"(pyovn's and the real ones):\n", flush=True)
        print(env_text(sandbox), flush=True)
        if rootless.inside():
            print("Rootless: devices and namespaces live in the sandbox's own namespaces; "
                  f"'pyovn sandbox shell --dir {sandbox.path}' opens a shell there.\n",
                  flush=True)
    rc = 0
    demo: Demo | None = None
    try:
        if opts.demo:
            if not sup.running("controller"):
                sink.line("demo", "the demo needs the controller, which is not running")
                return 1
            demo = Demo(sandbox, sink, private_netns=rootless.inside())
            finished, result = await _until(stop, demo.run(keep=opts.keep))
            rc = result if finished and result is not None else 1
            if not opts.keep or stop.is_set():
                return rc
        detacher.ready()
        await stop.wait()
        return rc
    finally:
        if demo is not None:   # what a kept (or interrupted) demo made goes before the chassis
            await demo.cleanup()


def _warnings(opts: Options, sup: Supervisor) -> list[str]:
    out = []
    if opts.controller and "controller" in sup.failed:
        out.append(f"the controller failed to start: {sup.failed['controller']}. The databases "
                   "and northd run, but nothing plays ovs-vswitchd: ovs-vsctl commands that "
                   "change the database will wait (use --no-wait), and no port comes up.")
    if not opts.controller:
        out.append("no controller (--no-controller): run a chassis yourself, e.g. ovs-vswitchd "
                   "and ovn-controller on unix:" + sup.sandbox / "db.sock")
    if not opts.northd:
        out.append("no northd (--no-northd): run ovn-northd yourself")
    return out
