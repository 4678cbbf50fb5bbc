"""The daemon options every Open vSwitch / OVN daemon takes, with the same behaviour.

``--detach`` (the parent returns only once the daemon is ready to serve, as OVS's does),
``--pidfile[=FILE]`` (locked, removed on exit; relative names are in the run directory),
``--overwrite-pidfile``, ``--no-chdir``, ``--monitor`` (accepted), ``--log-file[=FILE]``,
``--unixctl=SOCKET``, ``-v``/``--verbose[=SPEC]``, ``--user`` (accepted when it is the current
user). Optional arguments are only taken in the ``--opt=value`` form, as getopt_long does, so a
database file after ``--pidfile`` stays a positional argument.

``split_daemon_args`` pulls these options out of an argv; the program parses the rest itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import signal
import sys
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

from pyovn.util.vlog import VLOG, get_logger

log = get_logger("daemon")

_FLAGS = {"--detach", "--no-chdir", "--monitor", "--overwrite-pidfile", "--no-self-confinement"}
_OPTIONAL = {"--pidfile", "--log-file", "--verbose"}
_REQUIRED = {"--unixctl", "--user"}

# The daemon options as an argparse epilog (they are taken out of argv before argparse sees it).
DAEMON_HELP = """daemon options:
  --detach              go to the background once ready to serve
  --pidfile[=FILE]      write (and lock) a pidfile, by default PROGRAM.pid in the run
                        directory
  --overwrite-pidfile   take over a pidfile even if its process is still running
  --no-chdir            stay in the current directory when detaching
  --monitor             accepted (no monitoring process is started)
  --user=USER[:GROUP]   accepted when it names the current user
  --unixctl=SOCKET      the control socket (default: PROGRAM.PID.ctl in the run directory)
  --log-file[=FILE]     also log to FILE (default: PROGRAM.log in the log directory)
  -v, --verbose[=SPEC]  set log levels: [MODULE][:DESTINATION][:LEVEL], e.g. -vdbg
"""


@dataclass
class DaemonOptions:
    program: str
    rundir: str
    logdir: str
    detach: bool = False
    no_chdir: bool = False
    monitor: bool = False
    overwrite_pidfile: bool = False
    pidfile: str | None = None
    log_file: str | None = None
    unixctl: str | None = None
    verbose: list[str] = field(default_factory=list)

    def default_unixctl(self) -> str:
        return os.path.join(self.rundir, f"{self.program}.{os.getpid()}.ctl")


def split_daemon_args(argv: list[str], program: str, *, ovn: bool = False) -> tuple[DaemonOptions, list[str]]:
    """Separate the daemon options from the program's own arguments."""
    if ovn:
        rundir = os.environ.get("OVN_RUNDIR", "/var/run/ovn")
        logdir = os.environ.get("OVN_LOGDIR", "/var/log/ovn")
    else:
        rundir = os.environ.get("OVS_RUNDIR", "/var/run/openvswitch")
        logdir = os.environ.get("OVS_LOGDIR", "/var/log/openvswitch")
    opts = DaemonOptions(program=program, rundir=rundir, logdir=logdir)
    rest: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        i += 1
        if arg == "--":
            rest.append(arg)
            rest.extend(argv[i:])
            break
        name, eq, value = arg.partition("=")
        if name in _FLAGS and not eq:
            setattr(opts, name[2:].replace("-", "_"), True) if name != "--no-self-confinement" else None
        elif name in _OPTIONAL:
            if name == "--pidfile":
                opts.pidfile = value if eq else f"{program}.pid"
            elif name == "--log-file":
                opts.log_file = value if eq else os.path.join(logdir, f"{program}.log")
            else:
                opts.verbose.append(value if eq else "")
        elif name in _REQUIRED:
            if not eq:
                if i >= len(argv):
                    raise SystemExit(f"{program}: option '{name}' requires an argument")
                value = argv[i]
                i += 1
            if name == "--unixctl":
                opts.unixctl = value
        elif arg.startswith("-v") and not arg.startswith("--"):
            opts.verbose.append(arg[2:])
        else:
            rest.append(arg)
    if opts.pidfile and not os.path.isabs(opts.pidfile):
        opts.pidfile = os.path.join(opts.rundir, opts.pidfile)
    if opts.unixctl and not opts.unixctl.startswith("/") and "/" not in opts.unixctl:
        opts.unixctl = os.path.join(opts.rundir, opts.unixctl)
    return opts, rest


def apply_logging(opts: DaemonOptions) -> None:
    for spec in opts.verbose:
        VLOG.set_spec(spec)
    if opts.log_file:
        VLOG.open_file(os.path.abspath(opts.log_file))


class Pidfile:
    """A pidfile locked for the daemon's lifetime, as OVS does, and removed on exit."""

    def __init__(self, path: str, program: str, overwrite: bool):
        self.path = os.path.abspath(path)
        self.program = program
        self.overwrite = overwrite
        self.fd: int | None = None

    def check(self) -> None:
        """Fail early (before detaching) when another live process holds the pidfile."""
        if self.overwrite or not os.path.exists(self.path):
            return
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except OSError:
            return
        try:
            fcntl.lockf(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            with open(self.path) as f:
                pid = f.read().strip()
            raise SystemExit(f"{self.program}: {self.path}: already running as pid {pid}, aborting") from None
        finally:
            os.close(fd)

    def write(self) -> None:
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        tmp = f"{self.path}.tmp{os.getpid()}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.write(fd, f"{os.getpid()}\n".encode())
        os.rename(tmp, self.path)
        self.fd = fd  # keep it open: the lock lasts as long as the process

    def remove(self) -> None:
        if self.fd is not None:
            with contextlib.suppress(OSError):
                os.unlink(self.path)
            os.close(self.fd)
            self.fd = None


class Detacher:
    """``--detach``: fork; the parent waits for the child's word that it is ready, then exits."""

    def __init__(self) -> None:
        self._wfd: int | None = None

    def detach(self, no_chdir: bool) -> None:
        rfd, wfd = os.pipe()
        pid = os.fork()
        if pid > 0:
            os.close(wfd)
            data = os.read(rfd, 1)
            if data != b"\x00":
                _, status = os.waitpid(pid, 0)
                code = os.waitstatus_to_exitcode(status)
                os._exit(code if code else 1)
            os._exit(0)
        os.close(rfd)
        os.setsid()
        self._wfd = wfd
        if not no_chdir:
            os.chdir("/")

    def is_detached(self) -> bool:
        return self._wfd is not None

    def ready(self) -> None:
        """The daemon serves: release the waiting parent and drop the terminal."""
        if self._wfd is None:
            return
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        os.close(devnull)
        os.write(self._wfd, b"\x00")
        os.close(self._wfd)
        self._wfd = None


def install_exit_signals(loop, stop) -> None:  # type: ignore[no-untyped-def]
    """SIGTERM/SIGINT/SIGHUP end the daemon cleanly (pidfile and sockets removed)."""
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        loop.add_signal_handler(sig, stop)


def run_event_loop(main: Coroutine[Any, Any, int]) -> int:
    """Run a daemon's main coroutine on uvloop (libuv: a faster event loop) when installed."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(main)
    return uvloop.run(main)


def program_error(program: str, msg: str) -> SystemExit:
    print(f"{program}: {msg}", file=sys.stderr)
    return SystemExit(1)
