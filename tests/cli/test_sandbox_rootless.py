"""`pyovn sandbox` for an unprivileged user: it re-executes itself in a user + network + mount
namespace of its own (mapped root), where ``ip netns add`` works; the tools reach its sockets
from outside, ``pyovn sandbox shell`` enters it, ``stop`` leaves nothing behind.

Runs as user nobody, so the test itself needs root (to become nobody); it skips, saying why,
without root or without unprivileged user namespaces.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e]

SRC = Path(__file__).resolve().parents[2] / "src"
NOBODY = {"user": "nobody", "group": "nogroup", "extra_groups": []}


def skip(why: str) -> None:
    print(f"skipped: {why}")
    pytest.skip(why)


def python_for_nobody() -> tuple[str, dict[str, str]]:
    """A Python nobody may run with pyovn importable (this one, or the system's python3 of the
    same version with pyovn's source and this environment's packages on PYTHONPATH)."""
    env = {"PYTHONPATH": os.pathsep.join([str(SRC), sysconfig.get_paths()["purelib"],
                                          sysconfig.get_paths()["platlib"]]),
           "PYTHONDONTWRITEBYTECODE": "1", "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    want = str(sys.version_info[:2])
    for py in (sys.executable, "/usr/bin/python3"):
        try:
            r = subprocess.run([py, "-c", "import sys, pyovn, orjson; print(sys.version_info[:2])"],
                               capture_output=True, text=True, env=env, timeout=60, **NOBODY)
        except (OSError, subprocess.SubprocessError):
            continue
        if r.returncode == 0 and r.stdout.strip() == want:
            return py, env
    skip(f"no Python {want} that nobody may run with pyovn's dependencies")
    raise AssertionError("unreachable")


def test_rootless_sandbox(nobody_home: Path) -> None:
    if os.geteuid() != 0:
        skip("needs root, to run the sandbox as user nobody")
    lacking = [b for b in ("unshare", "nsenter", "mount", "ip") if shutil.which(b) is None]
    if lacking:
        skip("missing: " + ", ".join(lacking))
    py, env = python_for_nobody()
    probe = subprocess.run(["unshare", "--user", "--map-root-user", "--net", "--mount", "true"],
                           capture_output=True, text=True, **NOBODY)
    if probe.returncode != 0:
        skip(f"no unprivileged user namespaces here: {probe.stderr.strip()}")
    home = nobody_home
    d = home / "sbx"
    env = {**env, "HOME": str(home)}

    def pyovn(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run([py, "-m", "pyovn", *args], capture_output=True, text=True,
                              env=env, cwd=home, timeout=timeout, **NOBODY)

    r = pyovn("sandbox", "--dir", str(d), "--detach", "--no-fsync", "--no-controller")
    try:
        assert r.returncode == 0, r.stdout + r.stderr
        assert "rootless" in r.stdout
        pid = int((d / "sandbox.pid").read_text())
        assert os.stat(f"/proc/{pid}/ns/net").st_ino != os.stat("/proc/self/ns/net").st_ino
        assert os.stat(d / "nb.sock").st_uid == 65534      # files belong to the user outside
        # From outside the namespaces: the sockets work.
        env.update(OVN_NB_DB=f"unix:{d}/nb.sock", OVN_SB_DB=f"unix:{d}/sb.sock",
                   OVS_RUNDIR=str(d))
        r = pyovn("nbctl", "--wait=sb", "--timeout=20", "ls-add", "sw0", timeout=40)
        assert r.returncode == 0, r.stderr
        assert "Bridge br-int" in pyovn("vsctl", "show", timeout=10).stdout
        # Inside: mapped root, its own network (only lo), ip netns works.
        r = pyovn("sandbox", "shell", "--dir", str(d), "--",
                  "sh", "-c", "id -u; ip -o link show; ip netns add x; ip netns list")
        assert r.returncode == 0, r.stderr
        lines = r.stdout.splitlines()
        assert lines[0] == "0"
        links = [ln.split(":")[1].strip() for ln in lines if ": <" in ln]
        assert links == ["lo"]
        assert lines[-1].split()[0] == "x"
        assert not Path("/run/netns/x").exists()    # the host's /run/netns is untouched
    finally:
        stop = pyovn("sandbox", "stop", "--dir", str(d))
    assert stop.returncode == 0, stop.stderr
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and os.path.exists(f"/proc/{pid}"):
        time.sleep(0.05)
    assert not os.path.exists(f"/proc/{pid}")
    assert sorted(p.name for p in d.iterdir() if p.suffix in (".pid", ".sock", ".ctl")) == []
