"""A real 3-member (or N-member) Raft cluster of ``ovsdb-server`` processes in a temp dir, for tests.

How it works: :meth:`RealCluster.create` runs the real ``ovsdb-tool create-cluster`` for the first
member and ``join-cluster`` for the others (Raft addresses are unix sockets beside the database
files), :meth:`start` runs one ``ovsdb-server`` per member in the foreground, each in its own
process group, serving ``punix:<dir>/<name>.sock``, and waits until every member reports
"cluster member" and one of them "leader" (``ovs-appctl cluster/status``). :meth:`kill` sends
SIGKILL to one member (the failover the tests are about); :meth:`stop` kills every member by its
pid. Use it as a context manager so no server outlives the test, also on failure.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path
from types import TracebackType

from pyovn.testing.real import find_binary, schema_path, wait_for_socket

__all__ = ["ClusterMember", "RealCluster", "missing_cluster_binaries", "skip_without_cluster"]

_BINARIES = ("ovsdb-server", "ovsdb-tool", "ovs-appctl")


def missing_cluster_binaries() -> list[str]:
    """The real binaries a cluster needs that are not installed."""
    return [b for b in _BINARIES if find_binary(b) is None]


def skip_without_cluster() -> None:
    """In a test: skip it, the reason printed, when a real cluster cannot be made here."""
    missing = missing_cluster_binaries()
    if missing:
        import pytest

        reason = "real OVS binaries not installed: " + ", ".join(missing)
        print(reason)
        pytest.skip(reason)


class ClusterMember:
    """One member: ``<dir>/<name>.db``, ``.sock`` (clients), ``.raft`` (peers), ``.ctl``, ``.log``."""

    def __init__(self, directory: Path, name: str):
        self.dir = directory
        self.name = name
        self.db = directory / f"{name}.db"
        self.sock = directory / f"{name}.sock"
        self.raft = f"unix:{directory / (name + '.raft')}"
        self.ctl = directory / f"{name}.ctl"
        self.log = directory / f"{name}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def remote(self) -> str:
        return f"unix:{self.sock}"

    @property
    def running(self) -> bool:
        return self.is_running()

    def is_running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self) -> None:
        server = find_binary("ovsdb-server")
        assert server is not None
        self.proc = subprocess.Popen(
            [server, f"--remote=punix:{self.sock}", f"--unixctl={self.ctl}",
             f"--log-file={self.log}", "-vconsole:off", "--no-chdir", str(self.db)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )

    def kill(self) -> None:
        """SIGKILL, by pid (the member's own process group)."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(5)
        self.sock.unlink(missing_ok=True)

    def status(self, database: str) -> str:
        """``ovs-appctl cluster/status DB`` output, or "" when the member does not answer."""
        if not self.running:
            return ""
        appctl = find_binary("ovs-appctl")
        assert appctl is not None
        try:
            out = subprocess.run([appctl, "-t", str(self.ctl), "cluster/status", database],
                                 capture_output=True, text=True, timeout=5)
        except subprocess.TimeoutExpired:
            return ""
        return out.stdout


class RealCluster:
    """``size`` real ovsdb-servers forming one Raft cluster of ``database``."""

    def __init__(self, directory: Path, database: str = "OVN_Northbound", size: int = 3,
                 schema: str | Path | None = None):
        self.dir = directory
        self.database = database
        self.schema = str(schema or schema_path(database))
        self.members = [ClusterMember(directory, f"s{i + 1}") for i in range(size)]

    @property
    def remotes(self) -> str:
        """Every member's client remote, comma-separated (as OVS tools take them)."""
        return ",".join(m.remote for m in self.members)

    def create(self) -> RealCluster:
        tool = find_binary("ovsdb-tool")
        assert tool is not None
        first = self.members[0]
        subprocess.run([tool, "create-cluster", str(first.db), self.schema, first.raft],
                       check=True, capture_output=True)
        for m in self.members[1:]:
            subprocess.run([tool, "join-cluster", str(m.db), self.database, m.raft, first.raft],
                           check=True, capture_output=True)
        return self

    def start(self, timeout: float = 30.0) -> RealCluster:
        for m in self.members:
            m.start()
        for m in self.members:
            wait_for_socket(m.sock, timeout=timeout, alive=m.is_running)
        self.wait_formed(timeout)
        return self

    def wait_formed(self, timeout: float = 30.0) -> ClusterMember:
        """Wait until every running member is a cluster member and one is the leader."""
        deadline = time.monotonic() + timeout
        while True:
            statuses = {m.name: m.status(self.database) for m in self.members if m.running}
            leader = self.leader()
            if leader is not None and all("Status: cluster member" in s
                                          for s in statuses.values()):
                return leader
            if time.monotonic() > deadline:
                raise TimeoutError(f"cluster of {self.database} did not form: {statuses}")
            time.sleep(0.1)

    def leader(self) -> ClusterMember | None:
        for m in self.members:
            if "Role: leader" in m.status(self.database):
                return m
        return None

    def kill(self, member: ClusterMember) -> None:
        member.kill()

    def stop(self) -> None:
        for m in self.members:
            m.kill()

    def __enter__(self) -> RealCluster:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
