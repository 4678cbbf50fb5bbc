"""The sandbox's processes: started in order, their output merged, stopped in reverse order.

Each part (the three ovsdb-servers, or the real ones of clustered databases, northd, the
controller) is an ordinary ``python -m pyovn
TOOL`` process with its own pidfile, control socket and log file in the sandbox directory, so
the real ``ovs-appctl``/``ovn-appctl`` reach each one, and one crashing leaves the others (and
its log) in place. A part is *up* once its pidfile holds its pid: pyovn's daemons write it only
when they serve. The parts' stdout and stderr come to the supervisor through a pipe, which
prefixes every line with the part's name (``nb|``, ``northd|`` …) and writes it to the console
and to ``sandbox.log``.

The children run in their own session, so a Ctrl-C on the terminal reaches only the supervisor,
which stops the controller and northd before the databases they talk to; and they get SIGTERM
from the kernel should the supervisor die without stopping them (``PR_SET_PDEATHSIG``).
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import glob
import os
import re
import signal
import sys
from collections import deque
from collections.abc import Iterable
from typing import TextIO

from pyovn.sandbox.layout import CENTRAL, CLUSTER_SIZE, Part, SandboxDir

__all__ = ["LogSink", "StartError", "Supervisor", "pidfile_owner", "sweep"]

_PR_SET_PDEATHSIG = 1
_TELLING = re.compile(r"error|unknown|not found|no module|denied|cannot|failed|abort", re.I)
_COLOURS = {"nb": "34", "sb": "36", "ovsdb": "35", "northd": "32", "controller": "33",
            "sandbox": "1", "demo": "1;32"}


class StartError(Exception):
    """A part the sandbox needs did not come up."""


class LogSink:
    """Writes prefixed lines to the console (coloured on a terminal) and to a log file."""

    WIDTH = 10

    def __init__(self, console: TextIO | None, file: TextIO | None):
        self.console = console
        self.file = file
        self.colour = bool(console and console.isatty() and not os.environ.get("NO_COLOR"))

    def line(self, part: str, text: str) -> None:
        prefix = f"{part:>{self.WIDTH}}|"
        if self.console is not None:
            shown = prefix
            if self.colour:
                colour = _COLOURS.get(part.rstrip("0123456789"), "0")   # nb2 as nb
                shown = f"\x1b[{colour}m{prefix}\x1b[0m"
            with contextlib.suppress(OSError, ValueError):
                self.console.write(f"{shown} {text}\n")
                self.console.flush()
        if self.file is not None:
            with contextlib.suppress(OSError, ValueError):
                self.file.write(f"{prefix} {text}\n")
                self.file.flush()

    def lines(self, part: str, text: str) -> None:
        for ln in text.rstrip("\n").splitlines():
            self.line(part, ln)


def _die_with_parent() -> None:
    """In the child, before exec: SIGTERM when the supervisor goes away."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


def pidfile_owner(path: str) -> int | None:
    """The pid of the live process holding pidfile ``path`` locked, or None (no file, or a
    stale one: the lock goes with the process, so a reused pid is not mistaken for it)."""
    import fcntl

    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        try:
            fcntl.lockf(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            with contextlib.suppress(ValueError):
                return int(os.read(fd, 64).decode().strip())
            return None
        return None
    finally:
        os.close(fd)


class _Child:
    def __init__(self, part: Part, proc: asyncio.subprocess.Process):
        self.part = part
        self.proc = proc
        self.tail: deque[str] = deque(maxlen=20)
        self.reader: asyncio.Task[None] | None = None
        self.up = False   # until then, an exit is reported by the start-up wait

    def last_words(self) -> str:
        """The line of its output that most likely says why it stopped."""
        lines = [ln.strip() for ln in self.tail if ln.strip()]
        if any(ln.startswith("Traceback") for ln in lines):
            return lines[-1]    # the exception
        for ln in lines:
            if _TELLING.search(ln):
                return ln
        return lines[-1] if lines else ""


class Supervisor:
    def __init__(self, sandbox: SandboxDir, parts: Iterable[Part], sink: LogSink,
                 env: dict[str, str] | None = None):
        self.sandbox = sandbox
        self.parts = list(parts)
        self.sink = sink
        self.env = {**os.environ, **sandbox.env(), "PYTHONUNBUFFERED": "1", **(env or {})}
        self.children: dict[str, _Child] = {}
        self.failed: dict[str, str] = {}   # part -> why it is not running
        self.stopping = False
        self._watchers: list[asyncio.Task[None]] = []

    def pidfile(self, part: Part) -> str:
        return self.sandbox / f"{part.program}.pid"

    def running(self, name: str) -> bool:
        c = self.children.get(name)
        return c is not None and c.proc.returncode is None

    # --- start ----------------------------------------------------------------------------

    async def start(self, names: Iterable[str] | None = None, timeout: float = 60.0) -> None:
        """Start the named parts (all by default) at once and wait until each serves. A fatal
        part that fails raises StartError; a non-fatal one is recorded in ``failed``."""
        todo = [p for p in self.parts if names is None or p.name in names]
        for p in todo:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.pidfile(p))
            await self._spawn(p)
        results = await asyncio.gather(*(self._wait_up(p, timeout) for p in todo))
        fatal = [f"{p.name}: {why}" for p, why in zip(todo, results) if why and p.fatal]
        for p, why in zip(todo, results):
            if why:
                self.failed[p.name] = why
        if fatal:
            raise StartError("; ".join(fatal))

    async def _spawn(self, part: Part) -> None:
        try:
            proc = await asyncio.create_subprocess_exec(
                *part.argv, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT, env=self.env, cwd=self.sandbox.path,
                start_new_session=True, preexec_fn=_die_with_parent)
        except OSError as e:
            self.failed[part.name] = str(e)
            return
        child = _Child(part, proc)
        self.children[part.name] = child
        child.reader = asyncio.create_task(self._read(child))
        self._watchers.append(asyncio.create_task(self._watch(child)))

    async def _read(self, child: _Child) -> None:
        assert child.proc.stdout is not None
        while True:
            raw = await child.proc.stdout.readline()
            if not raw:
                return
            text = raw.decode(errors="replace").rstrip("\n")
            child.tail.append(text)
            self.sink.line(child.part.name, text)

    async def _watch(self, child: _Child) -> None:
        rc = await child.proc.wait()
        if child.reader is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(child.reader, 2.0)
        if not self.stopping and child.up:
            why = _status(rc)
            self.failed[child.part.name] = why
            self.sink.line("sandbox", f"{child.part.name} {why}; its log: "
                                      f"{self.sandbox / (child.part.program + '.log')}")

    async def _wait_up(self, part: Part, timeout: float) -> str | None:
        """None once the part serves, else why it does not."""
        child = self.children.get(part.name)
        if child is None:
            return f"could not be started: {self.failed.get(part.name, '?')}"
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        path = self.pidfile(part)
        while loop.time() < deadline:
            if child.proc.returncode is not None:
                if child.reader is not None:
                    with contextlib.suppress(Exception):
                        await asyncio.wait_for(child.reader, 2.0)
                last = child.last_words()
                return f"{_status(child.proc.returncode)} while starting" + (
                    f": {last}" if last else "")
            with contextlib.suppress(OSError, ValueError), open(path) as f:
                if int(f.read().strip() or 0) == child.proc.pid:
                    child.up = True
                    return None
            await asyncio.sleep(0.02)
        return f"not up after {timeout:.0f} s"

    # --- stop -----------------------------------------------------------------------------

    async def stop(self, timeout: float = 10.0) -> None:
        """Stop the clients (controller, northd) first, then the databases; remove what they
        leave behind."""
        self.stopping = True
        clients = [c for c in self.children.values() if c.part.name in ("northd", "controller")]
        servers = [c for c in self.children.values() if c not in clients]
        for group in (clients, servers):
            await asyncio.gather(*(self._stop_one(c, timeout) for c in group))
        for w in self._watchers:
            w.cancel()
        sweep(self.sandbox, [p.program for p in self.parts])

    async def _stop_one(self, child: _Child, timeout: float) -> None:
        proc = child.proc
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(proc.wait(), timeout)
            except TimeoutError:
                self.sink.line("sandbox", f"{child.part.name} did not exit in {timeout:.0f} s: "
                                          "killed")
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
                await proc.wait()
        if child.reader is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(child.reader, 2.0)


def _status(rc: int) -> str:
    if rc < 0:
        with contextlib.suppress(ValueError):
            return f"was killed by {signal.Signals(-rc).name}"
        return f"was killed by signal {-rc}"
    return f"exited with status {rc}"


def sweep(sandbox: SandboxDir, programs: Iterable[str], timeout: float = 10.0) -> list[str]:
    """Stop whatever still runs from ``programs``' pidfiles (a supervisor killed without its
    children's cleanup), then remove their pidfiles, control sockets and the database sockets.
    Returns the names of the processes it had to stop."""
    import time

    stopped = []
    for prog in programs:
        pid = pidfile_owner(sandbox / f"{prog}.pid")
        if pid is None or pid == os.getpid():
            continue
        stopped.append(prog)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and pidfile_owner(sandbox / f"{prog}.pid") == pid:
            time.sleep(0.05)
        if pidfile_owner(sandbox / f"{prog}.pid") == pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            time.sleep(0.1)
    for prog in programs:
        for path in (sandbox / f"{prog}.pid", sandbox / f"{prog}.ctl",
                     *glob.glob(glob.escape(sandbox / prog) + ".*.ctl")):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
    members = [f"{db}{i}.{kind}" for db in CENTRAL for i in range(1, CLUSTER_SIZE + 1)
               for kind in ("sock", "raft")]
    for sock in ("nb.sock", "sb.sock", "db.sock", *members):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(sandbox / sock)
    return stopped


def print_err(msg: str) -> None:
    print(f"pyovn sandbox: {msg}", file=sys.stderr)
