"""`pyovn sandbox`: databases, northd and the controller under one directory, from one command.

Each test starts its own sandbox in its own temporary directory and stops it also on failure;
commands that could wait forever in a broken sandbox (``ovs-vsctl show``, ``--wait=sb``) run
with a timeout, so a hang is a failure, not a stuck suite.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pyovn.sandbox.layout import Part, SandboxDir
from pyovn.sandbox.supervisor import LogSink, StartError, Supervisor
from pyovn.testing.stack import alive

PY = [sys.executable, "-m", "pyovn"]
PROGRAMS = ("ovnnb_db", "ovnsb_db", "ovsdb-server", "ovn-northd", "ovn-controller")


def run(argv: list[str], env: dict[str, str] | None = None, timeout: float = 30,
        ) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, env=env)


def controller_missing() -> str | None:
    r = run([*PY, "controller", "--help"])
    return None if r.returncode == 0 else "pyovn controller does not exist yet"


def sandbox_env(d: Path) -> dict[str, str]:
    env = dict(os.environ)
    for line in run([*PY, "sandbox", "env", "--dir", str(d)]).stdout.splitlines():
        k, v = line.removeprefix("export ").split("=", 1)
        if k != "PATH":
            env[k] = v
    return env


def pids(d: Path) -> dict[str, int]:
    out = {}
    for prog in (*PROGRAMS, "sandbox"):
        p = d / f"{prog}.pid"
        if p.exists():
            out[prog] = int(p.read_text())
    return out


def assert_nothing_left(d: Path, before: dict[str, int]) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(alive(p) for p in before.values()):
        time.sleep(0.05)
    assert [n for n, p in before.items() if alive(p)] == []
    left = sorted(p.name for p in d.iterdir()
                  if p.suffix in (".sock", ".ctl", ".pid") or p.is_socket())
    assert left == []


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Path]:
    d = tmp_path / "sbx"
    r = run([*PY, "sandbox", "--dir", str(d), "--detach", "--no-fsync"], timeout=90)
    try:
        assert r.returncode == 0, r.stdout + r.stderr
        assert f"export OVN_NB_DB=unix:{d}/nb.sock" in r.stdout
        yield d
    finally:
        run([*PY, "sandbox", "stop", "--dir", str(d)])


def test_detach_tools_stop_restart(sandbox: Path) -> None:
    d = sandbox
    env = sandbox_env(d)
    running = pids(d)
    assert {"ovnnb_db", "ovnsb_db", "ovsdb-server", "ovn-northd", "sandbox"} <= set(running)
    # The local database has its Open_vSwitch row and br-int: show answers at once.
    show = run([*PY, "vsctl", "show"], env, timeout=10)
    assert show.returncode == 0 and "Bridge br-int" in show.stdout, show.stderr
    assert 'ovs_version: "3.1.0"' in show.stdout
    # northd answers --wait=sb.
    r = run([*PY, "nbctl", "--wait=sb", "--timeout=20", "ls-add", "sw0"], env, timeout=30)
    assert r.returncode == 0, r.stderr
    assert "sw0" in run([*PY, "sbctl", "--columns=external_ids", "list", "Datapath_Binding"],
                        env).stdout
    assert run([*PY, "vsctl", "--no-wait", "set", "Open_vSwitch", ".",
                "external_ids:ovn-bridge-mappings=physnet1:br-ex"], env).returncode == 0
    # A second start in the same directory refuses.
    again = run([*PY, "sandbox", "--dir", str(d), "--detach"])
    assert again.returncode != 0 and "already running" in again.stderr
    assert run([*PY, "sandbox", "stop", "--dir", str(d)]).returncode == 0
    assert_nothing_left(d, running)
    assert run([*PY, "sandbox", "stop", "--dir", str(d)]).returncode == 1   # nothing to stop
    # State persists; the user's settings in the Open_vSwitch row stay, --chassis renames.
    r = run([*PY, "sandbox", "--dir", str(d), "--detach", "--chassis", "hv7"])
    assert r.returncode == 0, r.stderr
    assert run([*PY, "nbctl", "ls-list"], env).stdout.split()[-1] == "(sw0)"
    ids = run([*PY, "vsctl", "get", "Open_vSwitch", ".", "external_ids"], env).stdout
    assert "system-id=hv7" in ids and "ovn-bridge-mappings=\"physnet1:br-ex\"" in ids
    assert f'ovn-remote="unix:{d}/sb.sock"' in ids


def test_open_vswitch_row_as_ovs_ctl_sets_it(sandbox: Path) -> None:
    env = sandbox_env(sandbox)

    def get(column: str) -> str:
        r = run([*PY, "vsctl", "get", "Open_vSwitch", ".", column], env)
        return r.stdout.strip().strip('"')

    assert get("external_ids:system-id") == "chassis-1"
    assert get("external_ids:ovn-encap-type") == "geneve"
    assert get("external_ids:ovn-encap-ip") == "127.0.0.1"
    assert get("external_ids:hostname") == os.uname().nodename
    assert get("db_version") == "8.3.1"
    assert get("system_type") not in ("", "[]")
    assert run([*PY, "vsctl", "get", "Bridge", "br-int", "fail_mode"], env).stdout == "secure\n"


@pytest.mark.skipif(shutil.which("ovs-vsctl") is None or shutil.which("ovn-nbctl") is None,
                    reason="the real ovs-vsctl / ovn-nbctl are not installed")
def test_real_tools_find_everything(sandbox: Path) -> None:
    env = sandbox_env(sandbox)
    show = run(["ovs-vsctl", "show"], env, timeout=10)   # db.sock in OVS_RUNDIR
    assert show.returncode == 0 and "Bridge br-int" in show.stdout
    r = run(["ovn-nbctl", "--wait=sb", "--timeout=20", "ls-add", "sw1"], env, timeout=30)
    assert r.returncode == 0, r.stderr
    # ovn-appctl / ovs-appctl find <name>.pid and <name>.<pid>.ctl in the run directories.
    status = run(["ovn-appctl", "-t", "ovn-northd", "status"], env, timeout=10)
    assert status.stdout.strip() == "Status: active", status.stderr
    dbs = run(["ovs-appctl", "-t", "ovsdb-server", "ovsdb-server/list-dbs"], env, timeout=10)
    assert "Open_vSwitch" in dbs.stdout.split()
    nb = run(["ovn-appctl", "-t", f"{sandbox}/ovnnb_db.ctl", "ovsdb-server/list-dbs"], env,
             timeout=10)
    assert "OVN_Northbound" in nb.stdout.split()
    if controller_missing() is None:
        r = run(["ovn-appctl", "-t", "ovn-controller", "connection-status"], env, timeout=10)
        assert r.stdout.strip() == "connected", r.stderr


def test_vsctl_and_wait_hv_return(sandbox: Path) -> None:
    """ovs-vsctl waits for the vswitchd role (the controller) to acknowledge a change,
    ``--wait=hv`` for the chassis to catch up with the Northbound."""
    why = controller_missing()
    if why:
        print(f"skipped: {why}")
        pytest.skip(why)
    env = sandbox_env(sandbox)
    r = run([*PY, "vsctl", "--timeout=20", "add-br", "br-test"], env, timeout=30)
    assert r.returncode == 0, r.stderr
    if shutil.which("ovs-vsctl"):
        r = run(["ovs-vsctl", "--timeout=20", "add-br", "br-test2"], env, timeout=30)
        assert r.returncode == 0, r.stderr
    assert {"br-int", "br-test"} <= set(run([*PY, "vsctl", "list-br"], env).stdout.split())
    # --wait=hv: the chassis acknowledges the Northbound's nb_cfg.
    r = run([*PY, "nbctl", "--wait=hv", "--timeout=20", "ls-add", "sw-hv"], env, timeout=30)
    assert r.returncode == 0, r.stderr
    if shutil.which("ovn-nbctl"):
        r = run(["ovn-nbctl", "--wait=hv", "--timeout=20", "sync"], env, timeout=30)
        assert r.returncode == 0, r.stderr
    assert "Chassis chassis-1" in run([*PY, "sbctl", "show"], env).stdout


def test_foreground_merged_logs_and_ctrl_c(tmp_path: Path) -> None:
    d = tmp_path / "fg"
    proc = subprocess.Popen([*PY, "sandbox", "--dir", str(d), "--no-fsync", "--no-controller"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if line.startswith("export PYOVN_SANDBOX="):
                break
        running = pids(d)
        assert {"ovnnb_db", "ovn-northd", "sandbox"} <= set(running), "".join(lines)
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=30)
        lines.append(out)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        run([*PY, "sandbox", "stop", "--dir", str(d)])
    text = "".join(lines)
    assert proc.returncode == 0, text
    for part in ("nb", "sb", "ovsdb", "northd", "sandbox"):
        assert f" {part}| " in text or text.startswith(f"{part}| "), part
    assert "sandbox| stopped" in text
    assert_nothing_left(d, running)


def test_killed_supervisor_takes_its_parts_along(sandbox: Path) -> None:
    running = pids(sandbox)
    os.kill(running["sandbox"], signal.SIGKILL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(alive(p) for p in running.values()):
        time.sleep(0.05)
    assert [n for n, p in running.items() if alive(p)] == []
    run([*PY, "sandbox", "stop", "--dir", str(sandbox)])   # removes the stale pidfile
    assert_nothing_left(sandbox, running)
    r = run([*PY, "sandbox", "--dir", str(sandbox), "--detach", "--no-controller"])
    assert r.returncode == 0, r.stderr


def test_env_and_stop_without_sandbox(tmp_path: Path) -> None:
    d = tmp_path / "none"
    r = run([*PY, "sandbox", "env", "--dir", str(d)])
    assert f"export OVN_SB_DB=unix:{d}/sb.sock\n" in r.stdout
    assert f"export OVS_RUNDIR={d}\n" in r.stdout
    r = run([*PY, "sandbox", "stop", "--dir", str(d)])
    assert r.returncode == 1 and "no sandbox running" in r.stderr


# --- the supervisor alone -------------------------------------------------------------------


def _part(name: str, code: str, fatal: bool) -> Part:
    return Part(name, name, (sys.executable, "-c", code), fatal)


def _serving(pidfile: Path) -> str:
    """A part that serves: writes its pidfile (as pyovn's daemons do once up), then waits."""
    return (f"import os, time; open({str(pidfile)!r}, 'w').write(str(os.getpid())); "
            "print('serving', flush=True); time.sleep(60)")


def test_supervisor_reports_parts_that_fail(tmp_path: Path) -> None:
    sbx = SandboxDir(str(tmp_path))
    good = _part("good", _serving(tmp_path / "good.pid"), True)
    bad = _part("controller", "import sys; print('boom: cannot bind'); sys.exit(3)",
                False)
    seen: list[str] = []

    class Sink(LogSink):
        def line(self, part: str, text: str) -> None:
            seen.append(f"{part}| {text}")

    async def main() -> None:
        sup = Supervisor(sbx, [good, bad], Sink(None, None))
        try:
            await sup.start(timeout=20)
            assert sup.running("good") and not sup.running("controller")
            assert sup.failed["controller"] == ("exited with status 3 while starting: "
                                                "boom: cannot bind")
            fatal = Supervisor(sbx, [_part("db", "raise SystemExit(4)", True)],
                               Sink(None, None))
            with pytest.raises(StartError, match="db: exited with status 4"):
                await fatal.start(timeout=20)
            await fatal.stop()
        finally:
            await sup.stop()
        assert not sup.running("good")

    asyncio.run(main())
    assert "good| serving" in seen and "controller| boom: cannot bind" in seen
    assert not (tmp_path / "good.pid").exists()
