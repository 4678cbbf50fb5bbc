"""Run OVSDB servers and northd as child processes in a temp dir, for tests and benchmarks.

How it works: every daemon is started in the foreground with ``subprocess.Popen`` in a new
session (its own process group), its stdout/stderr going to a file in the daemon's directory.
Readiness is "the socket accepts a connection" (:func:`wait_for_socket`), checked while also
watching that the process has not died (then :class:`DaemonError` carries the log tail).
``stop()`` sends SIGTERM to the whole process group, waits, then SIGKILLs; every started daemon is
also in a module registry that an ``atexit`` hook empties, so no daemon outlives the interpreter.

The command line is a parameter: :class:`OvsdbServerProcess` runs ``argv_prefix`` (default the real
``ovsdb-server``) with the same options the real one takes (``--remote``, ``--unixctl``,
``--pidfile``, ``--log-file``, db files) and creates the database file with ``tool_prefix``
(default the real ``ovsdb-tool``) ``create``; with ``argv_prefix=[sys.executable, "-m", "pyovn",
"ovsdb-server"]`` and ``tool_prefix=[sys.executable, "-m", "pyovn", "ovsdb-tool"]`` the same class
runs pyovn's server. :class:`RealOvsdbServer` and :class:`RealNorthd` are the real-binary defaults.

A TCP listener (``tcp=True``) binds ``ptcp:0:127.0.0.1``; the kernel picks the port, which is read
from the server's log line ``listening on port N`` (what OVS's own test suite does) or, failing
that, from ``/proc``: the LISTEN socket on 127.0.0.1 whose inode is one of the daemon's fds.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Self

__all__ = [
    "DB_SCHEMAS",
    "Daemon",
    "DaemonError",
    "NorthdProcess",
    "OvsdbServerProcess",
    "RealNorthd",
    "RealOvsdbServer",
    "find_binary",
    "have_real_ovn",
    "listening_port",
    "require_real",
    "schema_path",
    "stop_all",
    "stop_group",
    "wait_for_socket",
]

# Where Debian/Ubuntu keep the system binaries a non-root PATH often lacks.
_EXTRA_PATH = ("/usr/sbin", "/sbin", "/usr/local/sbin", "/usr/share/openvswitch/scripts")

# Schema file names, looked for first beside the real binaries' installation, then in pyovn.
DB_SCHEMAS = {
    "OVN_Northbound": ("/usr/share/ovn/ovn-nb.ovsschema", "/usr/local/share/ovn/ovn-nb.ovsschema"),
    "OVN_Southbound": ("/usr/share/ovn/ovn-sb.ovsschema", "/usr/local/share/ovn/ovn-sb.ovsschema"),
    "Open_vSwitch": (
        "/usr/share/openvswitch/vswitch.ovsschema",
        "/usr/local/share/openvswitch/vswitch.ovsschema",
    ),
}

# Short file stems per database, for default daemon names (nb.sock, sb.sock, db.sock).
_SHORT = {"OVN_Northbound": "nb", "OVN_Southbound": "sb", "Open_vSwitch": "db"}

REAL_OVN_BINARIES = ("ovsdb-server", "ovsdb-tool", "ovn-nbctl", "ovn-sbctl", "ovn-northd")


class DaemonError(RuntimeError):
    """A daemon failed to start, died, or did not become ready in time."""


def find_binary(name: str) -> str | None:
    """Full path of executable ``name`` on PATH, in the usual sbin directories or beside the
    running interpreter, else None."""
    # The interpreter's own bin directory too: a virtualenv's ``pyovn`` script lives there.
    extra = (*_EXTRA_PATH, os.path.dirname(sys.executable))
    path = os.environ.get("PATH", os.defpath) + os.pathsep + os.pathsep.join(extra)
    return shutil.which(name, path=path)


def require_real(*binaries: str) -> str | None:
    """A pytest skip reason naming the missing real binaries, or None when all are present.

    With no arguments, checks the set OVN tests usually need (:data:`REAL_OVN_BINARIES`).
    """
    wanted = binaries or REAL_OVN_BINARIES
    missing = [b for b in wanted if find_binary(b) is None]
    if missing:
        return "real OVN/OVS binaries not installed: " + ", ".join(missing)
    return None


def stop_group(proc: subprocess.Popen, timeout: float = 10.0) -> None:  # type: ignore[type-arg]
    """Stop a process started with ``start_new_session=True`` and everything in its group:
    SIGTERM, then SIGKILL after ``timeout`` seconds."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


_LISTENING = re.compile(r"socket_util\|INFO\|0:127\.0\.0\.1: listening on port (\d+)")


def listening_port(log: str | os.PathLike[str], timeout: float = 10.0, nth: int = 0) -> int:
    """The port of the ``nth`` remote on port 0 (``ptcp:0:127.0.0.1``, ``pssl:0:127.0.0.1``)
    an ovsdb-server (the real one or pyovn's) reports in its log file."""
    path = Path(log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ports = _LISTENING.findall(path.read_text() if path.exists() else "")
        if len(ports) > nth:
            return int(ports[nth])
        time.sleep(0.05)
    raise AssertionError(f"no 'listening on port' line in {path}")


def have_real_ovn() -> bool:
    """True when the real OVN/OVS daemons and ctl tools are installed."""
    return require_real() is None


def schema_path(schema: str | os.PathLike[str]) -> Path:
    """Resolve a database name (``"OVN_Northbound"`` …) or a path to an ``.ovsschema`` file.

    A database name resolves to the installed real schema when present (so the real server runs
    its own schema), else to the identical copy shipped in :mod:`pyovn.schemas`.
    """
    name = os.fspath(schema)
    if name in DB_SCHEMAS:
        for candidate in DB_SCHEMAS[name]:
            if os.path.exists(candidate):
                return Path(candidate)
        from pyovn import schemas

        return schemas.path(name)
    return Path(name)


def wait_for_socket(
    path: str | os.PathLike[str],
    timeout: float = 10.0,
    *,
    alive: Callable[[], bool] | None = None,
) -> None:
    """Wait until the unix socket at ``path`` accepts a connection.

    ``alive`` is polled too: when it returns False (the daemon died) this raises at once instead
    of waiting out the timeout. Raises :class:`DaemonError` on timeout.
    """
    deadline = time.monotonic() + timeout
    delay = 0.002
    target = os.fspath(path)
    while True:
        if os.path.exists(target):
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                try:
                    s.connect(target)
                    return
                except OSError:
                    pass
        if alive is not None and not alive():
            raise DaemonError(f"daemon exited before {target} was ready")
        if time.monotonic() >= deadline:
            raise DaemonError(f"timed out after {timeout}s waiting for {target}")
        time.sleep(delay)
        delay = min(delay * 2, 0.05)


# --- registry of live daemons: emptied at interpreter exit ---------------------------------------

_live: set[Daemon] = set()
_live_lock = threading.Lock()


def stop_all() -> None:
    """Stop every daemon this process started and has not stopped yet."""
    with _live_lock:
        daemons = list(_live)
    for d in daemons:
        with contextlib.suppress(Exception):
            d.stop(timeout=2.0)


atexit.register(stop_all)


class Daemon:
    """A foreground child process in its own process group, with certain cleanup.

    Subclasses build ``argv`` and say what "ready" means (:meth:`_wait_ready`). Output (stdout and
    stderr) goes to ``<dir>/<name>.out``.
    """

    def __init__(
        self,
        argv: Sequence[str],
        directory: str | os.PathLike[str],
        *,
        name: str,
        env: dict[str, str] | None = None,
        ready_timeout: float = 10.0,
    ) -> None:
        self.argv = list(argv)
        self.dir = Path(directory)
        self.name = name
        self.env = env
        self.ready_timeout = ready_timeout
        self.proc: subprocess.Popen[bytes] | None = None
        self.out_path = self.dir / f"{name}.out"

    # lifecycle ------------------------------------------------------------------------------

    def start(self) -> Self:
        """Start the process and wait until it is ready; raises :class:`DaemonError` otherwise."""
        if self.proc is not None:
            raise DaemonError(f"{self.name} already started")
        self.dir.mkdir(parents=True, exist_ok=True)
        self._prepare()
        with open(self.out_path, "wb") as out:
            self.proc = subprocess.Popen(
                self.argv,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=self.dir,
                env=self.env,
                start_new_session=True,
            )
        with _live_lock:
            _live.add(self)
        try:
            self._wait_ready()
        except BaseException as exc:
            tail = self.output_tail()
            self.stop(timeout=1.0)
            if isinstance(exc, DaemonError):
                raise DaemonError(f"{self.name}: {exc}\n{tail}") from None
            raise
        return self

    def stop(self, timeout: float = 5.0) -> int | None:
        """SIGTERM the process group, wait up to ``timeout``, then SIGKILL. Returns the exit code."""
        proc = self.proc
        if proc is None:
            return None
        try:
            if proc.poll() is None:
                self._signal_group(signal.SIGTERM)
                try:
                    proc.wait(timeout)
                except subprocess.TimeoutExpired:
                    self._signal_group(signal.SIGKILL)
                    proc.wait(timeout)
            # Children left in the group (none expected) go too.
            self._signal_group(signal.SIGKILL)
        finally:
            with _live_lock:
                _live.discard(self)
        return proc.returncode

    def _signal_group(self, sig: int) -> None:
        assert self.proc is not None
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, sig)

    @property
    def pid(self) -> int | None:
        return None if self.proc is None else self.proc.pid

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    ctl_path: Path | None = None  # the --unixctl socket, when the daemon has one

    def appctl(self, *args: str, program: str = "ovs-appctl", timeout: float = 10.0) -> str:
        """Run ``ovs-appctl -t <unixctl socket> ARGS`` and return its stdout (raises on failure)."""
        if self.ctl_path is None:
            raise DaemonError(f"{self.name} has no unixctl socket")
        argv = [find_binary(program) or program, "-t", os.fspath(self.ctl_path), *args]
        res = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
        if res.returncode != 0:
            raise DaemonError(f"{' '.join(argv)}: {res.stderr.strip()}")
        return res.stdout

    def output_tail(self, lines: int = 20) -> str:
        """The last lines the daemon printed (stdout and stderr), for error messages."""
        try:
            text = self.out_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def __enter__(self) -> Self:
        if self.proc is None:
            self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"<{type(self).__name__} {self.name} pid={self.pid} {state}>"

    # hooks ----------------------------------------------------------------------------------

    def _prepare(self) -> None:
        """Work to do before the process starts (e.g. create the database file)."""

    def _wait_ready(self) -> None:
        """Block until the daemon serves; default: nothing to wait for."""


def _listening_ports(pid: int) -> list[int]:
    """TCP ports on which process ``pid`` has a socket in LISTEN state (Linux /proc)."""
    inodes = set()
    fd_dir = f"/proc/{pid}/fd"
    try:
        for fd in os.listdir(fd_dir):
            with contextlib.suppress(OSError):
                link = os.readlink(f"{fd_dir}/{fd}")
                if link.startswith("socket:["):
                    inodes.add(link[8:-1])
    except OSError:
        return []
    ports = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                next(f)
                for line in f:
                    fields = line.split()
                    # fields: sl local_address rem_address st ... inode(9)
                    if fields[3] == "0A" and fields[9] in inodes:
                        ports.append(int(fields[1].rsplit(":", 1)[1], 16))
        except (OSError, StopIteration):
            continue
    return ports


_LISTEN_RE = re.compile(rb"listening on port (\d+)")


class OvsdbServerProcess(Daemon):
    """An OVSDB server on a fresh database file, serving ``unix:<dir>/<name>.sock``.

    ``schema`` is a database name (``"OVN_Northbound"``, ``"OVN_Southbound"``, ``"Open_vSwitch"``)
    or a path to an ``.ovsschema`` file. ``tcp=True`` adds ``ptcp:0:127.0.0.1`` and sets
    :attr:`tcp_port` / :attr:`tcp_remote`. For ``Open_vSwitch`` the server also takes remotes from
    ``db:Open_vSwitch,Open_vSwitch,manager_options`` like the real startup script. ``db_file``
    names an existing database to serve instead of creating one.
    """

    def __init__(
        self,
        dbdir: str | os.PathLike[str],
        schema: str | os.PathLike[str] = "OVN_Northbound",
        *,
        name: str | None = None,
        tcp: bool = False,
        argv_prefix: Sequence[str] = ("ovsdb-server",),
        tool_prefix: Sequence[str] = ("ovsdb-tool",),
        extra_args: Sequence[str] = (),
        db_file: str | os.PathLike[str] | None = None,
        env: dict[str, str] | None = None,
        ready_timeout: float = 10.0,
    ) -> None:
        self.schema = schema_path(schema)
        db_name = os.fspath(schema) if os.fspath(schema) in DB_SCHEMAS else None
        if db_name is None:
            db_name = _schema_name(self.schema)
        self.db_name = db_name
        name = name or _SHORT.get(db_name, db_name.lower())
        directory = Path(dbdir)
        self.db_path = Path(db_file) if db_file is not None else directory / f"{name}.db"
        self._create_db = db_file is None
        self.sock_path = directory / f"{name}.sock"
        self.ctl_path = directory / f"{name}.ctl"
        self.pid_path = directory / f"{name}.pid"
        self.log_path = directory / f"{name}.log"
        self.tcp = tcp
        self.tcp_port: int | None = None
        self.argv_prefix = [_resolve(a, i) for i, a in enumerate(argv_prefix)]
        self.tool_prefix = [_resolve(a, i) for i, a in enumerate(tool_prefix)]
        argv = [
            *self.argv_prefix,
            os.fspath(self.db_path),
            f"--remote=punix:{self.sock_path}",
            f"--unixctl={self.ctl_path}",
            f"--pidfile={self.pid_path}",
            f"--log-file={self.log_path}",
        ]
        if tcp:
            argv.append("--remote=ptcp:0:127.0.0.1")
        if db_name == "Open_vSwitch":
            argv.append("--remote=db:Open_vSwitch,Open_vSwitch,manager_options")
        argv.extend(extra_args)
        super().__init__(argv, directory, name=name, env=env, ready_timeout=ready_timeout)

    @property
    def remote(self) -> str:
        """The unix remote clients use: ``unix:<dir>/<name>.sock``."""
        return f"unix:{self.sock_path}"

    @property
    def tcp_remote(self) -> str | None:
        """``tcp:127.0.0.1:<port>`` when started with ``tcp=True``."""
        return None if self.tcp_port is None else f"tcp:127.0.0.1:{self.tcp_port}"

    def _prepare(self) -> None:
        if not self._create_db:
            return
        if self.db_path.exists():
            self.db_path.unlink()
        argv = [*self.tool_prefix, "create", os.fspath(self.db_path), os.fspath(self.schema)]
        res = subprocess.run(argv, capture_output=True, env=self.env, cwd=self.dir)
        if res.returncode != 0:
            raise DaemonError(
                f"{' '.join(argv)} failed ({res.returncode}): {res.stderr.decode(errors='replace')}"
            )

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.ready_timeout
        wait_for_socket(self.sock_path, self.ready_timeout, alive=lambda: self.running)
        if self.tcp:
            self.tcp_port = self._find_tcp_port(deadline)

    def _find_tcp_port(self, deadline: float) -> int:
        while True:
            for path in (self.log_path, self.out_path):
                with contextlib.suppress(OSError):
                    m = _LISTEN_RE.search(path.read_bytes())
                    if m:
                        return int(m.group(1))
            assert self.proc is not None
            ports = _listening_ports(self.proc.pid)
            if ports:
                return ports[0]
            if not self.running:
                raise DaemonError("server exited before its TCP port was known")
            if time.monotonic() >= deadline:
                raise DaemonError("could not learn the bound TCP port")
            time.sleep(0.01)


class RealOvsdbServer(OvsdbServerProcess):
    """The real ``ovsdb-server`` (and ``ovsdb-tool create``) on a fresh database in ``dbdir``."""

    def __init__(
        self,
        dbdir: str | os.PathLike[str],
        schema: str | os.PathLike[str] = "OVN_Northbound",
        *,
        name: str | None = None,
        tcp: bool = False,
        extra_args: Sequence[str] = (),
        db_file: str | os.PathLike[str] | None = None,
        env: dict[str, str] | None = None,
        ready_timeout: float = 10.0,
    ) -> None:
        super().__init__(
            dbdir,
            schema,
            name=name,
            tcp=tcp,
            extra_args=extra_args,
            db_file=db_file,
            env=env,
            ready_timeout=ready_timeout,
        )


class NorthdProcess(Daemon):
    """A northd connected to ``nb_remote`` and ``sb_remote``; ready when its unixctl socket is."""

    def __init__(
        self,
        nb_remote: str,
        sb_remote: str,
        directory: str | os.PathLike[str],
        *,
        name: str = "northd",
        argv_prefix: Sequence[str] = ("ovn-northd",),
        extra_args: Sequence[str] = (),
        env: dict[str, str] | None = None,
        ready_timeout: float = 10.0,
    ) -> None:
        d = Path(directory)
        self.nb_remote = nb_remote
        self.sb_remote = sb_remote
        self.ctl_path = d / f"{name}.ctl"
        self.pid_path = d / f"{name}.pid"
        self.log_path = d / f"{name}.log"
        argv = [
            *[_resolve(a, i) for i, a in enumerate(argv_prefix)],
            f"--ovnnb-db={nb_remote}",
            f"--ovnsb-db={sb_remote}",
            f"--unixctl={self.ctl_path}",
            f"--pidfile={self.pid_path}",
            f"--log-file={self.log_path}",
            *extra_args,
        ]
        super().__init__(argv, d, name=name, env=env, ready_timeout=ready_timeout)

    def _wait_ready(self) -> None:
        assert self.ctl_path is not None
        wait_for_socket(self.ctl_path, self.ready_timeout, alive=lambda: self.running)


class RealNorthd(NorthdProcess):
    """The real ``ovn-northd``."""


def _resolve(arg: str, index: int) -> str:
    """Resolve the program (first word) of a command prefix to a full path when found."""
    if index != 0 or os.sep in arg:
        return arg
    return find_binary(arg) or arg


def _schema_name(path: Path) -> str:
    import json

    try:
        return str(json.loads(path.read_text())["name"])
    except (OSError, ValueError, KeyError) as exc:
        raise DaemonError(f"cannot read schema {path}: {exc}") from None
