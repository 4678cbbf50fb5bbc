"""`pyovn controller` as a daemon: ovn-controller's options, default names, unixctl, SIGTERM
and exit, ovs-vsctl waiting on cur_cfg (pyovn's ovs-vsctl, pyovn's ovsdb-server, the fake
datapath loaded through PYOVN_CONTROLLER_DATAPATH)."""

from __future__ import annotations

import contextlib
import os
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
HERE = Path(__file__).parent


def wait_for(pred, timeout: float = 15.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(0.05)
    return False


class Setup:
    def __init__(self, d: Path) -> None:
        self.dir = d
        self.server = ServerProcess(d, [str(schemas.path("Open_vSwitch")),
                                        str(schemas.path("OVN_Southbound"))],
                                    extra=["--no-fsync"]).start()
        self.remote = f"unix:{self.server.sock}"
        self.env = dict(os.environ, OVS_RUNDIR=str(d), OVN_RUNDIR=str(d), OVN_LOGDIR=str(d),
                        OVS_LOGDIR=str(d), OVN_SB_DB=self.remote,
                        PYOVN_CONTROLLER_DATAPATH="fakedp:FakeDatapath",
                        PYTHONPATH=os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]))
        self.vsctl("--no-wait", "init")
        self.vsctl("--no-wait", "set", "Open_vSwitch", ".", "external_ids:system-id=hv1",
                   f"external_ids:ovn-remote={self.remote}", "external_ids:ovn-encap-type=geneve",
                   "external_ids:ovn-encap-ip=192.0.2.1")

    def run(self, *argv: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*PY, *argv], capture_output=True, text=True, timeout=timeout,
                              env=self.env, cwd=self.dir)

    def vsctl(self, *args: str) -> str:
        r = self.run("vsctl", f"--db={self.remote}", "--timeout=20", *args)
        assert r.returncode == 0, r.stderr
        return r.stdout

    def sbctl(self, *args: str) -> str:
        r = self.run("sbctl", *args)
        assert r.returncode == 0, r.stderr
        return r.stdout

    def pid(self) -> int:
        return int((self.dir / "ovn-controller.pid").read_text())

    def close(self) -> None:
        pidfile = self.dir / "ovn-controller.pid"
        if pidfile.exists():
            with contextlib.suppress(ProcessLookupError, ValueError):
                os.kill(int(pidfile.read_text()), signal.SIGKILL)
        self.server.stop()


@pytest.fixture
def setup(tmp_path: Path):  # type: ignore[no-untyped-def]
    s = Setup(tmp_path)
    yield s
    s.close()


def test_daemon_defaults_unixctl_and_exit(setup: Setup) -> None:
    # No database argument: unix:$OVS_RUNDIR/db.sock; pidfile and socket in $OVN_RUNDIR.
    r = setup.run("controller", "--detach", "--no-chdir", "--pidfile", "--log-file",
                  "-vconsole:off")
    assert r.returncode == 0, r.stderr
    pid = setup.pid()
    ctl = str(setup.dir / f"ovn-controller.{pid}.ctl")
    assert Path(ctl).exists()
    assert call(ctl, "debug/status") == "running\n"
    assert wait_for(lambda: call(ctl, "connection-status") == "connected\n")
    assert wait_for(lambda: "br-int" in setup.vsctl("list-br").split())
    log = (setup.dir / "ovn-controller.log").read_text()
    assert "|main|INFO|OVN internal version is : [23.03.1-20.27.0-70.6]" in log

    dp = setup.sbctl("create", "Datapath_Binding", "tunnel_key=1").strip()
    setup.sbctl("create", "Port_Binding", "logical_port=p1", f"datapath={dp}", "tunnel_key=1")
    # ovs-vsctl without --no-wait returns once the controller (as vswitchd) applied it.
    setup.vsctl("add-port", "br-int", "vm1", "--", "set", "Interface", "vm1",
                "external_ids:iface-id=p1")
    assert setup.vsctl("get", "Interface", "vm1", "ofport").strip() == "1"
    call(ctl, "debug/pause")
    assert call(ctl, "debug/status") == "paused\n"
    call(ctl, "debug/resume")
    assert call(ctl, "debug/delay-nb-cfg-report", "2") == "delay nb_cfg report for 2 seconds.\n"
    assert call(ctl, "debug/delay-nb-cfg-report", "0") == "no delay for nb_cfg report.\n"
    assert call(ctl, "recompute") == ""
    assert wait_for(lambda: "primary lport : [p1]" in call(ctl, "debug/dump-local-bindings"))
    assert wait_for(lambda: setup.sbctl("--bare", "--columns=up", "find", "Port_Binding",
                                        "logical_port=p1").strip() == "true")
    assert "hv1" in setup.sbctl("--bare", "--columns=name", "list", "Chassis")

    call(ctl, "exit")  # graceful: the chassis leaves the Southbound
    assert wait_for(lambda: not (setup.dir / "ovn-controller.pid").exists())
    assert not Path(ctl).exists()
    assert setup.sbctl("--bare", "--columns=name", "list", "Chassis").strip() == ""
    assert wait_for(lambda: not Path(f"/proc/{pid}").exists()
                    or "zombie" in Path(f"/proc/{pid}/status").read_text().lower())


def test_sigterm_keeps_the_chassis(setup: Setup) -> None:
    ctl = str(setup.dir / "c.ctl")
    r = setup.run("controller", "--detach", "--no-chdir", f"--pidfile={setup.dir}/ovn-controller.pid",
                  f"--unixctl={ctl}", "-vconsole:off", setup.remote)
    assert r.returncode == 0, r.stderr
    assert wait_for(lambda: "hv1" in setup.sbctl("--bare", "--columns=name", "list",
                                                  "Chassis_Private"))
    os.kill(setup.pid(), signal.SIGTERM)
    assert wait_for(lambda: not (setup.dir / "ovn-controller.pid").exists())
    assert not Path(ctl).exists()
    assert "hv1" in setup.sbctl("--bare", "--columns=name", "list", "Chassis")


def test_missing_datapath_fails_at_once(setup: Setup) -> None:
    setup.env["PYOVN_CONTROLLER_DATAPATH"] = "no_such_module:Datapath"
    r = setup.run("controller", "--detach", "--no-chdir", "-vconsole:off", setup.remote)
    assert r.returncode != 0
    assert "no_such_module:Datapath is not available" in r.stderr
