"""ovn-nbctl / ovn-sbctl daemon mode: one live replica, commands served over unixctl.

``pyovn nbctl --detach [--pidfile[=FILE]] [--log-file[=FILE]] [--unixctl=SOCKET|-u SOCKET]
[--db=REMOTE] [SSL options]`` starts a daemon that keeps a replica of the whole database with
pyovn's asyncio :class:`~pyovn.ovsdb.client.Idl` (monitored once, then kept current by the
server's updates; it reconnects and resyncs when the server restarts) and prints its control
socket on stdout, as ``export OVN_NB_DAEMON=$(ovn-nbctl --pidfile --detach)`` expects. The
clients (:mod:`pyovn.cli.ctl_client`, or the real ``ovn-nbctl`` with ``OVN_NB_DAEMON`` set) send
``run [OPTIONS] -- COMMAND...``; the daemon runs them with the same command implementations and
the same core as direct mode (:mod:`pyovn.ctl.runner`) and replies with the output, or with the
error text direct mode would print after ``<prog>: ``. ``exit`` (``ovs-appctl -t SOCKET exit``)
and SIGTERM stop it; the pidfile and socket are removed.

How it fits together:

* The replica and the rows the ctl core reads are :mod:`pyovn.ctl.database`'s
  (:class:`~pyovn.ctl.database.CanonicalRows` over the daemon's Idl).
* Commands run one at a time in one worker thread, because the ctl core is blocking code:
  :class:`~pyovn.ctl.database.IdlBackend` hands the worker a snapshot, sends ``transact``
  through the Idl's session and waits in ``wait_update`` for the next applied update
  (``--wait``, ``wait-until``), as in direct mode. A transaction lost
  with the connection is run again from the start once the replica is back in sync.
* Output: the worker's writes to ``sys.stdout`` go to that command's buffer (a per-thread
  router), its warnings (``sys.stderr``) to the daemon's log; everything else the daemon writes
  goes where it went before.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import io
import os
import queue
import sys
import threading
from typing import Any

from pyovn import __version__
from pyovn.ctl.database import BackendError, CanonicalRows, IdlBackend, TransactionLost
from pyovn.ctl.options import _parse_globals, parse_command_line
from pyovn.ctl.registry import CtlError, Tool
from pyovn.ctl.runner import CtlExit, _execute
from pyovn.ovsdb.client.connection import RpcError
from pyovn.ovsdb.client.idl import Idl
from pyovn.ovsdb.errors import json_text
from pyovn.ovsdb.stream import configure_ssl
from pyovn.service.daemon import (
    Detacher,
    Pidfile,
    apply_logging,
    install_exit_signals,
    run_event_loop,
    split_daemon_args,
)
from pyovn.service.unixctl import UnixctlError, UnixctlServer
from pyovn.util.vlog import get_logger

__all__ = ["serve"]

log = get_logger("ovn_dbctl")

# Options a ``run`` request may not carry (they configure the connection or the process): the
# real daemon rejects them as unknown.
_NOT_IN_RUN = {
    "db", "private-key", "certificate", "ca-cert", "bootstrap-ca-cert", "ssl-protocols",
    "ssl-ciphers", "peer-ca-cert", "leader-only", "no-leader-only", "shuffle-remotes",
    "no-shuffle-remotes", "help", "version", "commands", "options", "detach", "monitor",
    "no-chdir", "overwrite-pidfile", "user", "unixctl", "pidfile", "no-self-confinement",
    "log-file", "verbose", "no-syslog", "syslog-method", "syslog-target",
}
_MAX_RETRIES = 5


class _StdoutRouter(io.TextIOBase):
    """``sys.stdout`` (or ``sys.stderr``) for the daemon: writes from a thread that set a buffer
    go to it."""

    def __init__(self, target: Any) -> None:
        self.target = target
        self.local = threading.local()

    def write(self, s: str) -> int:  # type: ignore[override]
        buf = getattr(self.local, "buf", None)
        if buf is not None:
            buf.append(s)
        else:
            self.target.write(s)
        return len(s)

    def flush(self) -> None:
        if getattr(self.local, "buf", None) is None:
            with contextlib.suppress(Exception):
                self.target.flush()


def _check_run_options(params: list[str]) -> None:
    for arg in params:
        if arg == "--" or not arg.startswith("--"):
            return
        if arg[2:].partition("=")[0] in _NOT_IN_RUN:
            raise CtlError(f"unrecognized option '{arg}'")


def _log_warnings(text: str) -> None:
    """What a command wrote to stderr (vlog-style WARN lines, as direct mode prints them) goes
    to the daemon's log, as the real daemon logs its warnings."""
    for line in text.splitlines():
        parts = line.split("|", 4)
        if len(parts) == 5:
            get_logger(parts[2]).warning("%s", parts[4])
        elif line:
            log.warning("%s", line)


def run_one(tool: Tool, backend: IdlBackend, params: list[str], router: _StdoutRouter,
            err_router: _StdoutRouter | None = None) -> tuple[str | None, str | None]:
    """One ``run`` request in the worker thread: (output, None) or (None, error text)."""
    if err_router is None:
        return _run_one(tool, backend, params, router)
    errors: list[str] = []
    err_router.local.buf = errors
    try:
        return _run_one(tool, backend, params, router)
    finally:
        err_router.local.buf = None
        _log_warnings("".join(errors))


def _run_one(tool: Tool, backend: IdlBackend, params: list[str],
             router: _StdoutRouter) -> tuple[str | None, str | None]:
    try:
        _check_run_options(params)
        opts, commands = parse_command_line(tool, params)
        if tool.check_options is not None:
            tool.check_options(opts)
    except CtlError as exc:
        return None, f"{exc}\n"
    buf: list[str] = []
    router.local.buf = buf
    try:
        status = _execute(tool, opts, commands, params, backend)  # type: ignore[arg-type]
    except CtlExit as exc:
        status = exc.status
    except RpcError as exc:
        return None, f"transaction error: {json_text(exc.error)}\n"
    except (CtlError, BackendError) as exc:
        return None, f"{exc}\n"
    finally:
        router.local.buf = None
    if status:
        return None, "".join(buf)
    return "".join(buf), None


class _Worker:
    """The one thread that runs commands (a daemon thread: exiting never waits for it)."""

    def __init__(self, tool: Tool, backend: IdlBackend, router: _StdoutRouter,
                 err_router: _StdoutRouter) -> None:
        self.tool = tool
        self.backend = backend
        self.router = router
        self.err_router = err_router
        self.jobs: queue.Queue[Any] = queue.Queue()
        threading.Thread(target=self._loop, name="ctl-worker", daemon=True).start()

    def _loop(self) -> None:
        while True:
            params, fut, loop = self.jobs.get()
            try:
                out: Any = run_one(self.tool, self.backend, params, self.router,
                                   self.err_router)
            except TransactionLost:
                out = TransactionLost
            except Exception as exc:  # noqa: BLE001 - a bug must not kill the daemon
                log.warning("command failed: %r", exc)
                out = (None, f"{type(exc).__name__}: {exc}\n")
            with contextlib.suppress(RuntimeError):  # the loop is gone: the daemon is exiting
                loop.call_soon_threadsafe(_set_result, fut, out)

    async def run(self, params: list[str]) -> Any:
        loop = asyncio.get_running_loop()
        fut = loop.create_future()
        self.jobs.put((params, fut, loop))
        return await fut


def _set_result(fut: asyncio.Future[Any], value: Any) -> None:
    if not fut.done():
        fut.set_result(value)


def _preprocess(argv: list[str]) -> list[str]:
    """``-u SOCKET`` / ``-uSOCKET`` as ``--unixctl=SOCKET`` (util.daemon knows only the latter)."""
    out: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--" or not arg.startswith("-"):
            out.extend(argv[i:])
            break
        if arg == "-u" and i + 1 < len(argv):
            out.append(f"--unixctl={argv[i + 1]}")
            i += 2
            continue
        if arg.startswith("-u") and not arg.startswith("--"):
            out.append(f"--unixctl={arg[2:]}")
        else:
            out.append(arg)
        i += 1
    return out


async def _serve(tool: Tool, remote: str, leader_only: bool, ctl_path: str | None,
                 detacher: Detacher, pidfile: Pidfile | None) -> int:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    install_exit_signals(loop, stop.set)
    # A command makes a view object per row (10,000s): collect the young generation less often.
    gc.set_threshold(20_000, 20, 100)
    path = ctl_path or os.path.join(os.environ.get("OVN_RUNDIR", "/var/run/ovn"),
                                    f"{tool.prog}.{os.getpid()}.ctl")
    path = os.path.abspath(path)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    idl = Idl(remote, tool.db, leader_only=leader_only, max_backoff=2.0)
    view = CanonicalRows(idl)
    router = _StdoutRouter(sys.stdout)
    err_router = _StdoutRouter(sys.stderr)
    sys.stdout, sys.stderr = router, err_router
    worker = _Worker(tool, IdlBackend(idl, view, loop), router, err_router)
    lock = asyncio.Lock()

    async def run(params: list[str]) -> str:
        log.info("Running command run %s", " ".join(params))
        async with lock:
            for _ in range(_MAX_RETRIES):
                await idl.wait_synced()
                out = await worker.run(params)
                if out is not TransactionLost:
                    break
                log.info("connection lost during a transaction; running the commands again")
            else:
                raise UnixctlError("database connection failed (transaction lost)")
        result, error = out
        if error is not None:
            raise UnixctlError(error)
        return result or ""

    def exit_(args: list[str]) -> str:
        stop.set()
        return ""

    version = "\n".join((tool.version or f"{tool.prog} (pyovn) {__version__}").splitlines()[:2])
    server = UnixctlServer(path, version)
    server.register("run", run, 0, 1 << 30, "")
    server.register("exit", exit_, 0, 0, "")
    await server.start()
    await idl.start(wait=False)
    if pidfile is not None:
        pidfile.write()
    log.info("%s (pyovn) %s: serving %s on %s", tool.prog, __version__, remote, path)
    router.target.write(path + "\n")
    router.target.flush()
    detacher.ready()
    await stop.wait()
    view.close()
    await server.close()
    try:
        await asyncio.wait_for(idl.close(), timeout=2.0)
    except (TimeoutError, Exception) as exc:  # noqa: BLE001
        log.info("closing the database connection: %s", exc or "timed out")
    if pidfile is not None:
        pidfile.remove()
    return 0


def serve(tool: Tool, argv: list[str]) -> int:
    """``<tool> --detach ...``: start the daemon (returns in the parent once it serves)."""
    try:
        dopts, rest = split_daemon_args(_preprocess(argv), tool.prog, ovn=True)
    except SystemExit as exc:
        sys.stderr.write(f"{exc}\n")
        return 1
    try:
        opts, _local, words = _parse_globals(tool, rest)
    except CtlError as exc:
        sys.stderr.write(f"{tool.prog}: {exc}\n")
        return 1
    if words:
        sys.stderr.write(f"{tool.prog}: non-option arguments not supported with --detach "
                         "(use --help for help)\n")
        return 1
    apply_logging(dopts)
    if opts.ssl:
        configure_ssl(opts.ssl)
    pidfile = Pidfile(dopts.pidfile, tool.prog, dopts.overwrite_pidfile) if dopts.pidfile else None
    if pidfile is not None:
        try:
            pidfile.check()
        except SystemExit as exc:
            sys.stderr.write(f"{exc}\n")
            return 1
    ctl_path = dopts.unixctl
    if ctl_path and not os.path.isabs(ctl_path):
        ctl_path = os.path.abspath(ctl_path)
    detacher = Detacher()
    detacher.detach(dopts.no_chdir)
    remote = opts.db or tool.default_remote()
    return run_event_loop(_serve(tool, remote, opts.leader_only, ctl_path, detacher, pidfile))
