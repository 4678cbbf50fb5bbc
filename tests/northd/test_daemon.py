"""`pyovn northd` as a daemon: ovn-northd's options, unixctl, nb_cfg chain, lock, reconnect."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pyovn import schemas
from pyovn.service.unixctl import call
from pyovn.testing.wire import ServerProcess

PY = [sys.executable, "-m", "pyovn"]


class Setup:
    """pyovn's ovsdb-server with NB and SB in ``d``; northd instances started on it."""

    def __init__(self, d: Path) -> None:
        self.dir = d
        self.server = ServerProcess(
            d, [str(schemas.path("OVN_Northbound")), str(schemas.path("OVN_Southbound"))],
            extra=["--no-fsync"]).start()
        self.remote = f"unix:{self.server.sock}"
        self.env = dict(os.environ, OVN_NB_DB=self.remote, OVN_SB_DB=self.remote)
        self.northds: list[str] = []

    def northd(self, name: str, *extra: str) -> str:
        """Start a detached northd; returns its unixctl socket path."""
        d = self.dir
        ctl = f"{d}/{name}.ctl"
        r = subprocess.run(
            [*PY, "northd", "--detach", "--no-chdir", f"--pidfile={d}/{name}.pid",
             f"--log-file={d}/{name}.log", f"--unixctl={ctl}", f"--ovnnb-db={self.remote}",
             f"--ovnsb-db={self.remote}", "-vconsole:off", *extra],
            capture_output=True, text=True, timeout=30)
        assert r.returncode == 0, r.stderr
        self.northds.append(name)
        return ctl

    def pid(self, name: str) -> int:
        return int((self.dir / f"{name}.pid").read_text())

    def nbctl(self, *args: str, timeout: float = 20) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*PY, "nbctl", *args], capture_output=True, text=True,
                              timeout=timeout, env=self.env)

    def sbctl(self, *args: str) -> str:
        r = subprocess.run([*PY, "sbctl", *args], capture_output=True, text=True, timeout=20,
                           env=self.env)
        assert r.returncode == 0, r.stderr
        return r.stdout

    def close(self) -> None:
        for name in self.northds:
            pidfile = self.dir / f"{name}.pid"
            if pidfile.exists():
                with contextlib.suppress(ProcessLookupError, ValueError):
                    os.kill(int(pidfile.read_text()), signal.SIGTERM)
        self.server.stop()


@pytest.fixture
def setup(tmp_path: Path):
    s = Setup(tmp_path)
    yield s
    s.close()


def wait_for(pred, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(0.05)
    return False


def test_wait_sb_status_pause_resume_exit(setup: Setup) -> None:
    ctl = setup.northd("northd")
    r = setup.nbctl("--wait=sb", "--timeout=15", "ls-add", "sw0")
    assert r.returncode == 0, r.stderr
    assert "sw0" in setup.sbctl("--bare", "--columns=external_ids", "list", "Datapath_Binding")
    # Every flow names the builder line behind it, as the real one names its northd.c line.
    ids = setup.sbctl("--bare", "--columns=external_ids", "list", "Logical_Flow").split("\n\n")
    assert ids and all(re.search(r"source=pipelines/\w+\.py:\d+", i) for i in ids if i.strip())
    assert call(ctl, "status") == "Status: active\n"
    assert call(ctl, "is-paused") == "false\n"
    call(ctl, "pause")
    assert call(ctl, "status") == "Status: paused\n"
    assert call(ctl, "is-paused") == "true\n"
    assert setup.nbctl("ls-add", "sw1").returncode == 0
    time.sleep(0.5)
    assert "sw1" not in setup.sbctl("--bare", "--columns=external_ids", "list", "Datapath_Binding")
    call(ctl, "resume")
    assert wait_for(lambda: "sw1" in setup.sbctl("--bare", "--columns=external_ids", "list",
                                                   "Datapath_Binding"))
    call(ctl, "inc-engine/recompute")
    assert setup.nbctl("--wait=sb", "--timeout=15", "sync").returncode == 0
    pid = setup.pid("northd")
    call(ctl, "exit")
    assert wait_for(lambda: not (setup.dir / "northd.pid").exists())
    assert wait_for(lambda: not Path(f"/proc/{pid}").exists() or
                    "zombie" in Path(f"/proc/{pid}/status").read_text().lower())


def test_sigterm_removes_pidfile_and_socket(setup: Setup) -> None:
    setup.northd("northd")
    pid = setup.pid("northd")
    os.kill(pid, signal.SIGTERM)
    assert wait_for(lambda: not (setup.dir / "northd.pid").exists())
    assert not (setup.dir / "northd.ctl").exists()


def test_active_standby_through_the_lock(setup: Setup) -> None:
    a = setup.northd("a")
    assert wait_for(lambda: call(a, "status") == "Status: active\n")
    b = setup.northd("b")
    time.sleep(0.3)
    assert call(b, "status") == "Status: standby\n"
    assert setup.nbctl("--wait=sb", "--timeout=15", "ls-add", "sw0").returncode == 0
    os.kill(setup.pid("a"), signal.SIGTERM)
    assert wait_for(lambda: call(b, "status") == "Status: active\n")
    r = setup.nbctl("--wait=sb", "--timeout=15", "ls-add", "sw1")
    assert r.returncode == 0, r.stderr
    assert "sw1" in setup.sbctl("--bare", "--columns=external_ids", "list", "Datapath_Binding")


def test_reconnects_when_the_database_restarts(setup: Setup) -> None:
    setup.northd("northd")
    assert setup.nbctl("--wait=sb", "--timeout=15", "ls-add", "sw0").returncode == 0
    setup.server.stop()
    setup.server = ServerProcess(setup.dir, [], extra=["--no-fsync"], create=False)
    setup.server.dbs = [str(setup.dir / "db0.db"), str(setup.dir / "db1.db")]
    setup.server.start()
    r = setup.nbctl("--wait=sb", "--timeout=20", "ls-add", "sw1")
    assert r.returncode == 0, r.stderr
    out = setup.sbctl("--bare", "--columns=external_ids", "list", "Datapath_Binding")
    assert "sw0" in out and "sw1" in out


def test_health_check_status_changes_the_backends(setup: Setup) -> None:
    """ovn-controller marking a backend offline (Service_Monitor.status) takes it out of the
    load balancer's ct_lb_mark backends, without a full recompute."""
    ctl = setup.northd("northd")
    for args in (
        ["ls-add", "sw0"],
        ["lsp-add", "sw0", "p1", "--", "lsp-set-addresses", "p1", "50:54:00:00:00:01 10.0.0.3"],
        ["lsp-add", "sw0", "p2", "--", "lsp-set-addresses", "p2", "50:54:00:00:00:02 10.0.0.4"],
        ["lb-add", "lb1", "10.0.0.10:80", "10.0.0.3:80,10.0.0.4:80", "tcp"],
        ["set", "Load_Balancer", "lb1", "ip_port_mappings:10.0.0.3=p1:10.0.0.2",
         "ip_port_mappings:10.0.0.4=p2:10.0.0.2"],
        ["--id=@hc", "create", "Load_Balancer_Health_Check", 'vip="10.0.0.10:80"', "--",
         "add", "Load_Balancer", "lb1", "health_check", "@hc"],
        ["ls-lb-add", "sw0", "lb1"],
    ):
        r = setup.nbctl(*args)
        assert r.returncode == 0, (args, r.stderr)
    assert setup.nbctl("--wait=sb", "--timeout=15", "sync").returncode == 0

    def backends() -> str:
        out = setup.sbctl("lflow-list", "sw0")
        return "".join(line for line in out.splitlines() if "ct_lb_mark(backends=" in line)

    assert "10.0.0.3:80,10.0.0.4:80" in backends()
    uuid = setup.sbctl("--bare", "--columns=_uuid", "find", "Service_Monitor",
                       "ip=10.0.0.4").strip()
    assert uuid
    def recomputes() -> str:
        stats = call(ctl, "inc-engine/show-stats").splitlines()
        return next(line for line in stats if line.strip().startswith("recompute"))

    before = recomputes()
    setup.sbctl("set", "Service_Monitor", uuid, "status=offline")
    assert wait_for(lambda: "backends=10.0.0.3:80)" in backends()), backends()
    assert recomputes() == before


def test_northd_probe_interval_option(tmp_path: Path) -> None:
    """NB_Global options:northd_probe_interval sets both sessions' probe, as ovn-northd reads
    it: absent, each remote's default (none over a unix socket); below 1000 ms, 1000 ms;
    0, none."""
    import asyncio

    from pyovn.northd.daemon import Northd

    server = ServerProcess(
        tmp_path, [str(schemas.path("OVN_Northbound")), str(schemas.path("OVN_Southbound"))],
        extra=["--no-fsync"]).start()

    async def main() -> list[tuple[float, float]]:
        remote = f"unix:{server.sock}"
        northd = Northd(remote, remote)
        await northd.start()
        seen = []
        try:
            await northd.nb.wait_synced(10)
            await northd.sb.wait_synced(10)
            async with northd.nb.transaction() as txn:
                txn.insert("NB_Global")
            g = next(iter(northd.nb.tables["NB_Global"]))
            for value in (None, "300", "7000", "0", "junk"):
                if value is not None:
                    async with northd.nb.transaction() as txn:
                        txn.set(txn.row("NB_Global", g.uuid),
                                options={"northd_probe_interval": value})
                northd._apply_probe_interval()
                assert northd.nb.conn.session is not None and northd.sb.conn.session is not None
                seen.append((northd.nb.conn.session.probe_interval,
                             northd.sb.conn.session.probe_interval))
        finally:
            await northd.close()
        return seen

    try:
        seen = asyncio.run(asyncio.wait_for(main(), 30))
    finally:
        server.stop()
    assert seen == [(0.0, 0.0), (1.0, 1.0), (7.0, 7.0), (0.0, 0.0), (0.0, 0.0)]
