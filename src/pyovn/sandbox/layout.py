"""Where a sandbox keeps everything: one directory, named files, the tools' environment.

Every part of a sandbox lives under one directory: database files, sockets, pidfiles, control
sockets and logs. The names are the ones the real tools look for when ``OVS_RUNDIR`` /
``OVN_RUNDIR`` point there: ``db.sock`` (ovs-vsctl's default database), ``ovsdb-server.pid`` and
``ovn-northd.pid`` / ``ovn-controller.pid`` next to ``<program>.<pid>.ctl`` (what ``ovs-appctl -t
ovsdb-server`` and ``ovn-appctl -t ovn-northd`` open), ``ovnnb_db.ctl`` / ``ovnsb_db.ctl`` (as
ovn-ctl names the central databases' control sockets).
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from dataclasses import dataclass

__all__ = ["DATABASES", "Part", "SandboxDir", "env_text"]


@dataclass(frozen=True, slots=True)
class Database:
    part: str       # the name its log lines carry
    schema: str     # the schema's name (pyovn.schemas)
    file: str       # database file
    sock: str       # the socket the tools connect to
    program: str    # pidfile/log base name


DATABASES = (
    Database("nb", "OVN_Northbound", "ovnnb_db.db", "nb.sock", "ovnnb_db"),
    Database("sb", "OVN_Southbound", "ovnsb_db.db", "sb.sock", "ovnsb_db"),
    Database("ovsdb", "Open_vSwitch", "conf.db", "db.sock", "ovsdb-server"),
)


@dataclass(frozen=True, slots=True)
class Part:
    """One process of the sandbox: its log prefix, pidfile base name and command line."""

    name: str
    program: str
    argv: tuple[str, ...]
    fatal: bool = True   # the sandbox cannot run without it


class SandboxDir:
    """The paths of one sandbox directory."""

    def __init__(self, path: str):
        self.path = os.path.abspath(path)

    def __truediv__(self, name: str) -> str:
        return os.path.join(self.path, name)

    @property
    def nb(self) -> str:
        return f"unix:{self / 'nb.sock'}"

    @property
    def sb(self) -> str:
        return f"unix:{self / 'sb.sock'}"

    @property
    def ovs(self) -> str:
        return f"unix:{self / 'db.sock'}"

    @property
    def pidfile(self) -> str:
        return self / "sandbox.pid"

    def env(self) -> dict[str, str]:
        """The variables that point pyovn's and the real tools at this sandbox."""
        d = self.path
        return {"OVN_NB_DB": self.nb, "OVN_SB_DB": self.sb, "OVS_RUNDIR": d, "OVN_RUNDIR": d,
                "OVS_DBDIR": d, "OVS_LOGDIR": d, "OVN_LOGDIR": d, "PYOVN_SANDBOX": d}

    def parts(self, *, fsync: bool, northd: bool, controller: bool,
              python: str = sys.executable) -> list[Part]:
        """The processes, in start order (stopped in reverse)."""
        py = (python, "-m", "pyovn")
        out = []
        for db in DATABASES:
            argv = [*py, "ovsdb-server", self / db.file, f"--remote=punix:{self / db.sock}",
                    f"--pidfile={self / (db.program + '.pid')}",
                    f"--log-file={self / (db.program + '.log')}"]
            if db.program != "ovsdb-server":   # the local one takes ovsdb-server.<pid>.ctl
                argv.append(f"--unixctl={self / (db.program + '.ctl')}")
            if not fsync:
                argv.append("--no-fsync")
            out.append(Part(db.part, db.program, tuple(argv)))
        if northd:
            out.append(Part("northd", "ovn-northd", (
                *py, "northd", f"--ovnnb-db={self.nb}", f"--ovnsb-db={self.sb}",
                f"--pidfile={self / 'ovn-northd.pid'}", f"--log-file={self / 'ovn-northd.log'}")))
        if controller:
            out.append(Part("controller", "ovn-controller", (
                *py, "controller", f"--pidfile={self / 'ovn-controller.pid'}",
                f"--log-file={self / 'ovn-controller.log'}", self.ovs), fatal=False))
        return out


def _pyovn_bin() -> str | None:
    """The directory of the ``pyovn`` script installed next to this Python, when the shell
    would not find it on PATH already."""
    here = os.path.dirname(sys.executable)
    script = os.path.join(here, "pyovn")
    if not os.access(script, os.X_OK):
        return None
    found = shutil.which("pyovn")
    if found and os.path.realpath(found) == os.path.realpath(script):
        return None
    return here


def env_text(sandbox: SandboxDir) -> str:
    """``export`` lines for a shell's eval."""
    lines = [f"export {k}={shlex.quote(v)}" for k, v in sandbox.env().items()]
    bindir = _pyovn_bin()
    if bindir:
        lines.append(f'export PATH={shlex.quote(bindir)}:"$PATH"')
    return "\n".join(lines) + "\n"
