"""pyovn.testing.real: daemons start, serve, and stop without leaving anything behind."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pyovn.testing import real
from pyovn.testing.real import (
    Daemon,
    DaemonError,
    RealNorthd,
    RealOvsdbServer,
    require_real,
    wait_for_socket,
)


def _gone(pid: int, timeout: float = 5.0) -> bool:
    """True once no process ``pid`` exists (zombies of our own children are reaped by Popen)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        try:
            with open(f"/proc/{pid}/stat") as f:
                if f.read().split(")")[-1].split()[0] == "Z":
                    return True
        except OSError:
            return True
        time.sleep(0.02)
    return False


# --- without real binaries -----------------------------------------------------------------------


def test_require_real_names_missing_binaries() -> None:
    reason = require_real("ovsdb-server", "no-such-binary-pyovn-test")
    assert reason is not None
    assert "no-such-binary-pyovn-test" in reason
    assert require_real("sh") is None


def test_wait_for_socket_times_out(tmp_path: Path) -> None:
    t0 = time.monotonic()
    with pytest.raises(DaemonError, match="timed out"):
        wait_for_socket(tmp_path / "never.sock", timeout=0.2)
    assert time.monotonic() - t0 < 2


def test_wait_for_socket_stops_when_daemon_dies(tmp_path: Path) -> None:
    t0 = time.monotonic()
    with pytest.raises(DaemonError, match="exited"):
        wait_for_socket(tmp_path / "never.sock", timeout=30, alive=lambda: False)
    assert time.monotonic() - t0 < 1


def test_wait_for_socket_connects(tmp_path: Path) -> None:
    import socket

    path = tmp_path / "s.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as srv:
        srv.bind(str(path))
        srv.listen(1)
        wait_for_socket(path, timeout=1)


_SPAWN_CHILD = """
import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
open(sys.argv[1], "w").write(str(child.pid))
time.sleep(60)
"""


def test_daemon_stop_kills_whole_process_group(tmp_path: Path) -> None:
    pidfile = tmp_path / "child.pid"
    d = Daemon([sys.executable, "-c", _SPAWN_CHILD, str(pidfile)], tmp_path, name="sleeper")
    with d:
        assert d.running
        deadline = time.monotonic() + 5
        while not pidfile.exists() or not pidfile.read_text():
            assert time.monotonic() < deadline, "child never started"
            time.sleep(0.02)
        child = int(pidfile.read_text())
        parent = d.pid
        assert parent is not None
    assert not d.running
    assert _gone(parent)
    assert _gone(child), "the daemon's child survived stop()"


def test_daemon_stop_escalates_to_sigkill(tmp_path: Path) -> None:
    ignore_term = (
        "import signal, sys, time\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "print('ready', flush=True)\n"
        "time.sleep(60)\n"
    )
    d = Daemon([sys.executable, "-c", ignore_term], tmp_path, name="stubborn").start()
    deadline = time.monotonic() + 5
    while "ready" not in d.output_tail():
        assert time.monotonic() < deadline
        time.sleep(0.02)
    t0 = time.monotonic()
    code = d.stop(timeout=0.3)
    assert code == -9
    assert time.monotonic() - t0 < 3


class _NeverReady(Daemon):
    def _wait_ready(self) -> None:
        wait_for_socket(self.dir / "x.sock", 5, alive=lambda: self.running)


def test_daemon_that_dies_reports_its_output(tmp_path: Path) -> None:
    d = _NeverReady(
        [sys.executable, "-c", "print('boom: bad option'); raise SystemExit(3)"],
        tmp_path,
        name="dies",
    )
    with pytest.raises(DaemonError, match="boom: bad option"):
        d.start()
    assert not d.running
    assert d not in real._live


def test_stop_all_stops_registered_daemons(tmp_path: Path) -> None:
    d = Daemon([sys.executable, "-c", "import time; time.sleep(60)"], tmp_path, name="a").start()
    assert d in real._live
    real.stop_all()
    assert not d.running
    assert d not in real._live


def test_atexit_cleanup_in_a_child_interpreter(tmp_path: Path) -> None:
    # The interpreter exits without calling stop(): the atexit hook must kill the daemon.
    code = (
        "import sys\n"
        "from pyovn.testing.real import Daemon\n"
        "d = Daemon([sys.executable, '-c', 'import time; time.sleep(60)'], sys.argv[1], name='x')\n"
        "d.start()\n"
        "print(d.pid, flush=True)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, timeout=30
    )
    assert out.returncode == 0, out.stderr
    pid = int(out.stdout.strip())
    assert _gone(pid), "daemon survived interpreter exit"


def test_schema_path_resolves_names_and_paths(tmp_path: Path) -> None:
    p = real.schema_path("OVN_Northbound")
    assert p.exists() and p.name == "ovn-nb.ovsschema"
    assert real.schema_path(tmp_path / "x.ovsschema") == tmp_path / "x.ovsschema"


def test_command_prefix_is_a_parameter(tmp_path: Path) -> None:
    srv = real.OvsdbServerProcess(
        tmp_path,
        "OVN_Southbound",
        argv_prefix=[sys.executable, "-m", "pyovn", "ovsdb-server"],
        tool_prefix=[sys.executable, "-m", "pyovn", "ovsdb-tool"],
    )
    assert srv.argv[:4] == [sys.executable, "-m", "pyovn", "ovsdb-server"]
    assert srv.argv[4] == str(tmp_path / "sb.db")
    assert f"--remote=punix:{tmp_path / 'sb.sock'}" in srv.argv
    assert f"--unixctl={tmp_path / 'sb.ctl'}" in srv.argv
    assert srv.remote == f"unix:{tmp_path / 'sb.sock'}"
    ovs = real.OvsdbServerProcess(tmp_path, "Open_vSwitch")
    assert "--remote=db:Open_vSwitch,Open_vSwitch,manager_options" in ovs.argv
    assert ovs.remote.endswith("/db.sock")


# --- with the real daemons -----------------------------------------------------------------------

_SERVER_REASON = require_real("ovsdb-server", "ovsdb-tool", "ovn-nbctl")
needs_server = pytest.mark.skipif(_SERVER_REASON is not None, reason=_SERVER_REASON or "")


@pytest.mark.interop
@needs_server
def test_real_nb_server_unix_and_tcp(tmp_path: Path) -> None:
    with RealOvsdbServer(tmp_path, "OVN_Northbound", tcp=True) as nb:
        assert nb.tcp_port and nb.tcp_remote == f"tcp:127.0.0.1:{nb.tcp_port}"
        nbctl = real.find_binary("ovn-nbctl")
        assert nbctl
        subprocess.run([nbctl, f"--db={nb.remote}", "ls-add", "sw0"], check=True, timeout=10)
        out = subprocess.run(
            [nbctl, f"--db={nb.tcp_remote}", "--bare", "--columns=name", "list", "Logical_Switch"],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        )
        assert out.stdout.strip() == "sw0"
        remotes = nb.appctl("ovsdb-server/list-remotes").split()
        assert f"punix:{nb.sock_path}" in remotes and "ptcp:0:127.0.0.1" in remotes
        pid = nb.pid
    assert pid is not None and _gone(pid)
    assert not nb.running
    # The database survives the server: a new server on the same file sees the switch.
    with RealOvsdbServer(tmp_path, "OVN_Northbound", name="nb2", db_file=nb.db_path) as again:
        out = subprocess.run(
            [nbctl, f"--db={again.remote}", "ls-list"], capture_output=True, text=True, timeout=10
        )
        assert "(sw0)" in out.stdout


@pytest.mark.interop
@needs_server
def test_real_server_bad_schema_fails_cleanly(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ovsschema"
    bad.write_text('{"name": "Bad", "tables": {"T": {"columns": {"c": {"type": "nonsense"}}}}}')
    srv = RealOvsdbServer(tmp_path, bad)
    with pytest.raises(DaemonError):
        srv.start()
    assert not srv.running


@pytest.mark.interop
@pytest.mark.skipif(
    require_real("ovsdb-server", "ovsdb-tool", "ovs-vsctl") is not None,
    reason=require_real("ovsdb-server", "ovsdb-tool", "ovs-vsctl") or "",
)
def test_real_open_vswitch_server_serves_manager_options(tmp_path: Path) -> None:
    vsctl = real.find_binary("ovs-vsctl")
    assert vsctl
    with RealOvsdbServer(tmp_path, "Open_vSwitch") as ovs:
        mgr = tmp_path / "mgr.sock"
        subprocess.run(
            [vsctl, f"--db={ovs.remote}", "--no-wait", "init", "--", "set-manager", f"punix:{mgr}"],
            check=True,
            timeout=10,
        )
        # The remote comes from db:Open_vSwitch,Open_vSwitch,manager_options.
        wait_for_socket(mgr, timeout=10)
        out = subprocess.run(
            [vsctl, f"--db=unix:{mgr}", "--no-wait", "get-manager"],
            capture_output=True,
            text=True,
            timeout=10,
        )
        assert out.stdout.strip() == f"punix:{mgr}"


@pytest.mark.interop
@pytest.mark.skipif(require_real() is not None, reason=require_real() or "")
def test_real_northd_translates_nb_to_sb(tmp_path: Path) -> None:
    nbctl, sbctl = real.find_binary("ovn-nbctl"), real.find_binary("ovn-sbctl")
    assert nbctl and sbctl
    with (
        RealOvsdbServer(tmp_path, "OVN_Northbound") as nb,
        RealOvsdbServer(tmp_path, "OVN_Southbound") as sb,
        RealNorthd(nb.remote, sb.remote, tmp_path) as northd,
    ):
        daemons = [nb, sb, northd]
        pids = [d.pid for d in daemons]
        subprocess.run(
            [nbctl, f"--db={nb.remote}", "ls-add", "sw0", "--", "lsp-add", "sw0", "p1"],
            check=True,
            timeout=10,
        )
        subprocess.run([nbctl, f"--db={nb.remote}", "--wait=sb", "sync"], check=True, timeout=30)
        out = subprocess.run(
            [
                sbctl,
                f"--db={sb.remote}",
                "--bare",
                "--columns=logical_port",
                "list",
                "Port_Binding",
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        )
        assert out.stdout.strip() == "p1"
    for pid in pids:
        assert pid is not None and _gone(pid), f"pid {pid} survived"
    assert not any(d in real._live for d in daemons)
