"""Where a sandbox keeps everything: one directory, named files, the tools' environment.

Every part of a sandbox lives under one directory: database files, sockets, pidfiles, control
sockets and logs. The names are the ones the real tools look for when ``OVS_RUNDIR`` /
``OVN_RUNDIR`` point there: ``db.sock`` (ovs-vsctl's default database), ``ovsdb-server.pid`` and
``ovn-northd.pid`` / ``ovn-controller.pid`` next to ``<program>.<pid>.ctl`` (what ``ovs-appctl -t
ovsdb-server`` and ``ovn-appctl -t ovn-northd`` open), ``ovnnb_db.ctl`` / ``ovnsb_db.ctl`` (as
ovn-ctl names the central databases' control sockets).

With ``--db-model=clustered`` the Northbound and Southbound databases are each a 3-member Raft
cluster of the real ``ovsdb-server`` (as OVN's ovn-sandbox makes them): member ``i`` of the
Northbound keeps ``ovnnb_db<i>.db``, serves ``nb<i>.sock``, talks Raft on ``nb<i>.raft`` and has
``ovnnb_db<i>.pid/.ctl/.log``; the tools' remote lists all members, comma-separated. The models
a sandbox was started with are kept in ``db-model``, so ``env`` and ``stop`` know them later.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from dataclasses import dataclass

__all__ = ["CLUSTER_SIZE", "DATABASES", "MODELS", "Member", "Part", "SandboxDir", "all_programs",
           "env_text"]


@dataclass(frozen=True, slots=True)
class SandboxDatabase:
    """One of the sandbox's databases: where it lives and what serves it."""

    part: str       # the name its log lines carry
    schema: str     # the schema's name (pyovn.schemas)
    file: str       # database file
    sock: str       # the socket the tools connect to
    program: str    # pidfile/log base name


DATABASES = (
    SandboxDatabase("nb", "OVN_Northbound", "ovnnb_db.db", "nb.sock", "ovnnb_db"),
    SandboxDatabase("sb", "OVN_Southbound", "ovnsb_db.db", "sb.sock", "ovnsb_db"),
    SandboxDatabase("ovsdb", "Open_vSwitch", "conf.db", "db.sock", "ovsdb-server"),
)
CENTRAL = ("nb", "sb")   # the databases that may be clustered
MODELS = ("standalone", "clustered")
CLUSTER_SIZE = 3


@dataclass(frozen=True, slots=True)
class Member:
    """One member of a clustered central database."""

    db: SandboxDatabase
    index: int    # from 1

    @property
    def part(self) -> str:
        return f"{self.db.part}{self.index}"

    @property
    def program(self) -> str:
        return f"{self.db.program}{self.index}"

    @property
    def file(self) -> str:
        return f"{self.db.program}{self.index}.db"

    @property
    def sock(self) -> str:
        return f"{self.db.part}{self.index}.sock"

    @property
    def raft(self) -> str:
        return f"{self.db.part}{self.index}.raft"


def all_programs() -> tuple[str, ...]:
    """Every pidfile base name a sandbox may have, whatever its models (for ``stop``)."""
    out = ["ovn-controller", "ovn-northd"]
    for db in DATABASES:
        out.append(db.program)
        if db.part in CENTRAL:
            out += [Member(db, i).program for i in range(1, CLUSTER_SIZE + 1)]
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Part:
    """One process of the sandbox: its log prefix, pidfile base name and command line."""

    name: str
    program: str
    argv: tuple[str, ...]
    fatal: bool = True   # the sandbox cannot run without it
    database: bool = False   # a database server (stopped after its clients)


class SandboxDir:
    """The paths of one sandbox directory."""

    MODEL_FILE = "db-model"

    def __init__(self, path: str, models: dict[str, str] | None = None):
        """``models``: "nb"/"sb" → "standalone" or "clustered"; by default the ones the
        sandbox was last started with (standalone for a new one)."""
        self.path = os.path.abspath(path)
        self.models = {part: "standalone" for part in CENTRAL}
        self.models.update(self._saved_models() if models is None else models)

    def __truediv__(self, name: str) -> str:
        return os.path.join(self.path, name)

    def _saved_models(self) -> dict[str, str]:
        try:
            with open(self / self.MODEL_FILE) as f:
                pairs = [ln.strip().partition("=") for ln in f if "=" in ln]
        except OSError:
            return {}
        return {k: v for k, _, v in pairs if k in CENTRAL and v in MODELS}

    def save_models(self) -> None:
        with open(self / self.MODEL_FILE, "w") as f:
            f.writelines(f"{k}={v}\n" for k, v in sorted(self.models.items()))

    def clustered(self, db: SandboxDatabase) -> bool:
        return self.models.get(db.part) == "clustered"

    def members(self, db: SandboxDatabase) -> list[Member]:
        """A clustered database's members (none for a standalone one)."""
        if not self.clustered(db):
            return []
        return [Member(db, i) for i in range(1, CLUSTER_SIZE + 1)]

    def remote(self, db: SandboxDatabase) -> str:
        """What a client connects to: the socket, or every member's, comma-separated."""
        members = self.members(db)
        if members:
            return ",".join(f"unix:{self / m.sock}" for m in members)
        return f"unix:{self / db.sock}"

    @property
    def nb(self) -> str:
        return self.remote(DATABASES[0])

    @property
    def sb(self) -> str:
        return self.remote(DATABASES[1])

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
              python: str = sys.executable, ovsdb_server: str = "ovsdb-server") -> list[Part]:
        """The processes, in start order (stopped in reverse). ``ovsdb_server`` is the real
        server's binary, for clustered databases."""
        py = (python, "-m", "pyovn")
        out = []
        for db in DATABASES:
            members = self.members(db)
            for m in members:
                # The real server: its console quiet but for warnings unless asked otherwise
                # (a later -vconsole wins); no --no-fsync there.
                out.append(Part(m.part, m.program, (
                    ovsdb_server, "-vconsole:warn", "-vsyslog:off", self / m.file,
                    f"--remote=punix:{self / m.sock}",
                    f"--pidfile={self / (m.program + '.pid')}",
                    f"--log-file={self / (m.program + '.log')}",
                    f"--unixctl={self / (m.program + '.ctl')}", "--no-chdir"), database=True))
            if members:
                continue
            argv = [*py, "ovsdb-server", self / db.file, f"--remote=punix:{self / db.sock}",
                    f"--pidfile={self / (db.program + '.pid')}",
                    f"--log-file={self / (db.program + '.log')}"]
            if db.program != "ovsdb-server":   # the local one takes ovsdb-server.<pid>.ctl
                argv.append(f"--unixctl={self / (db.program + '.ctl')}")
            if not fsync:
                argv.append("--no-fsync")
            out.append(Part(db.part, db.program, tuple(argv), database=True))
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
