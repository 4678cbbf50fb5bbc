"""`pyovn sandbox --demo`: the tutorial's two namespaces ping each other, as root (TAP devices)
and as an unprivileged user (the sandbox in its own user + network + mount namespaces, veth
pairs instead of TAP devices).

Both need pyovn's controller and datapath; until ``python -m pyovn controller --help`` works
they skip with the reason printed. The demo removes what it made; the tests check that too.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(300)]

SRC = Path(__file__).resolve().parents[2] / "src"
LOSS0 = re.compile(r"\b0% packet loss")


def skip(why: str) -> None:
    print(f"skipped: {why}")
    pytest.skip(why)


def needs(*, root: bool = True) -> None:
    if root and os.geteuid() != 0:
        skip("needs root (network namespaces; the rootless test needs root to become nobody)")
    lacking = [b for b in ("ip", "ping", "unshare", "mount") if shutil.which(b) is None]
    if lacking:
        skip("missing: " + ", ".join(lacking))
    r = subprocess.run([sys.executable, "-m", "pyovn", "controller", "--help"],
                       capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        skip(f"pyovn controller is not available yet ('python -m pyovn controller --help' "
             f"exits {r.returncode})")


def pidfiles(d: Path) -> list[str]:
    return sorted(p.name for p in d.glob("*.pid"))


def run_demo(argv: list[str], timeout: float = 240, **kw: object) -> tuple[int, str]:
    """Run a demo; past the timeout, SIGTERM first (the sandbox then removes what it made)."""
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            **kw)  # type: ignore[call-overload]
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.terminate()
        try:
            out, _ = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
        out += f"\n(timed out after {timeout:.0f} s)"
    print(out)
    return proc.returncode, out


def test_demo_as_root(tmp_path: Path) -> None:
    needs()
    if not os.path.exists("/dev/net/tun"):
        skip("no /dev/net/tun")
    d = tmp_path / "demo"
    out = ""
    try:
        rc, out = run_demo([sys.executable, "-m", "pyovn", "sandbox", "--demo", "--dir", str(d),
                            "--no-fsync"])
        assert rc == 0, out
        assert len(LOSS0.findall(out)) >= 2, out
        assert "0% packet loss both ways" in out
        assert pidfiles(d) == []
    finally:
        subprocess.run([sys.executable, "-m", "pyovn", "sandbox", "stop", "--dir", str(d)],
                       capture_output=True, timeout=60)
        # The namespaces it made (vm1-XXXX, vm2-XXXX) must be gone; remove any left anyway.
        made = set(re.findall(r"ip netns add (vm[12]-[0-9a-f]{4})", out))
        listed = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
        left = made & {ln.split()[0] for ln in listed.splitlines() if ln.strip()}
        for ns in left:
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
    assert len(made) == 2, out
    assert not left, f"the demo left namespaces behind: {left}"


def _python_for(user: str) -> tuple[list[str], dict[str, str]]:
    """A Python command ``user`` can run with pyovn importable: this interpreter if they may
    execute it, else the system's python3 of the same version with pyovn's source and this
    environment's packages on PYTHONPATH."""
    path = os.pathsep.join([str(SRC), sysconfig.get_paths()["purelib"],
                            sysconfig.get_paths()["platlib"]])
    env = {"PYTHONPATH": path, "PYTHONDONTWRITEBYTECODE": "1"}
    check = "import sys, pyovn, orjson, uvloop; print(sys.version_info[:2])"
    want = str(sys.version_info[:2])
    for py in (sys.executable, "/usr/bin/python3"):
        try:
            r = subprocess.run([py, "-c", check], capture_output=True, text=True, user=user,
                               group="nogroup", extra_groups=[], timeout=60,
                               env={"PATH": os.environ.get("PATH", ""), **env})
        except (OSError, subprocess.SubprocessError):
            continue
        if r.returncode == 0 and r.stdout.strip() == want:
            return [py], env
    skip(f"no Python {want} that user {user} may run with pyovn's dependencies")
    raise AssertionError("unreachable")


def test_demo_rootless_as_nobody(nobody_home: Path) -> None:
    needs()
    py, pyenv = _python_for("nobody")
    home = nobody_home
    d = home / "demo"
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), **pyenv}
    rc, out = run_demo([*py, "-m", "pyovn", "sandbox", "--demo", "--dir", str(d), "--no-fsync"],
                       user="nobody", group="nogroup", extra_groups=[], env=env, cwd=home)
    assert "rootless" in out, out
    assert rc == 0, out
    assert len(LOSS0.findall(out)) >= 2, out
    assert pidfiles(d) == []
