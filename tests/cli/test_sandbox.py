"""The main job: `pyovn sandbox` serves the three OVN databases under one directory."""

from __future__ import annotations

import os
import subprocess
import sys

PY = [sys.executable, "-m", "pyovn"]


def run(argv, env=None):
    return subprocess.run(argv, capture_output=True, text=True, timeout=60, env=env)


def test_sandbox_detach_tools_stop(tmp_path):
    d = tmp_path / "sbx"
    r = run([*PY, "sandbox", "--dir", str(d), "--detach"])
    assert r.returncode == 0, r.stderr
    assert f"export OVN_NB_DB=unix:{d}/nb.sock" in r.stdout
    env = dict(os.environ)
    for line in run([*PY, "sandbox", "env", "--dir", str(d)]).stdout.splitlines():
        k, v = line.removeprefix("export ").split("=", 1)
        env[k] = v
    try:
        assert run([*PY, "vsctl", "--no-wait", "init"], env).returncode == 0
        assert run([*PY, "vsctl", "--no-wait", "add-br", "br-int"], env).returncode == 0
        assert run([*PY, "vsctl", "list-br"], env).stdout == "br-int\n"
        assert run([*PY, "sbctl", "chassis-add", "ch1", "geneve", "127.0.0.1"], env).returncode == 0
        assert "Chassis ch1" in run([*PY, "sbctl", "show"], env).stdout
        # a second start in the same directory refuses
        again = run([*PY, "sandbox", "--dir", str(d), "--detach"])
        assert again.returncode != 0
    finally:
        assert run([*PY, "sandbox", "stop", "--dir", str(d)]).returncode == 0
    assert not (d / "nb.sock").exists() and not (d / "sandbox.pid").exists()
    # state persists: a restarted sandbox still has the bridge
    assert run([*PY, "sandbox", "--dir", str(d), "--detach"]).returncode == 0
    try:
        assert run([*PY, "vsctl", "list-br"], env).stdout == "br-int\n"
    finally:
        run([*PY, "sandbox", "stop", "--dir", str(d)])
