"""`pyovn sandbox --db-model=clustered`: NB and SB as 3-member Raft clusters of the real
ovsdb-server, pyovn's northd, controller and tools on all members.

The first tests need no process: the option without the real binaries refuses clearly, and the
layout (remotes, parts) follows the model. The others run real clusters: they need root (the
sandbox would otherwise go rootless, and the demo makes namespaces) and the real ovsdb-server,
ovsdb-tool and ovs-appctl; they skip with the reason printed. Each runs in a directory of its
own and, also on failure, stops the sandbox, kills by pid whatever it started that still runs,
deletes the demo's namespaces and removes the directory; then it asserts nothing was left.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pyovn.cli import sandbox as sandbox_cli
from pyovn.sandbox import cluster
from pyovn.sandbox.layout import DATABASES, SandboxDir
from pyovn.testing.stack import alive

PY = [sys.executable, "-m", "pyovn"]
LOSS0 = re.compile(r"\b0% packet loss")
MEMBERS = [f"{db}{i}" for db in ("ovnnb_db", "ovnsb_db") for i in (1, 2, 3)]


def skip(why: str) -> None:
    print(f"skipped: {why}")
    pytest.skip(why)


def needs_cluster() -> None:
    if os.geteuid() != 0:
        skip("needs root (as another user the sandbox runs rootless, in namespaces of its own)")
    missing = cluster.missing_binaries()
    if missing:
        skip(f"the real {', '.join(missing)} not installed")


def run(argv: list[str], env: dict[str, str] | None = None, timeout: float = 30,
        ) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, env=env)


def pids(d: Path) -> dict[str, int]:
    out = {}
    for p in d.glob("*.pid"):
        with contextlib.suppress(OSError, ValueError):
            out[p.stem] = int(p.read_text())
    return out


def processes_in(d: Path) -> list[int]:
    """Every live process whose command line names the directory (whoever started it)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if str(d) + "/" in cmd and alive(int(entry)):
            found.append(int(entry))
    return found


def netns() -> set[str]:
    listed = run(["ip", "netns", "list"]).stdout
    return {ln.split()[0] for ln in listed.splitlines() if ln.strip()}


def devices() -> set[str]:
    with open("/proc/net/dev") as f:
        return {ln.split(":", 1)[0].strip() for ln in f if ":" in ln}


@pytest.fixture
def where() -> Iterator[Path]:
    """A sandbox directory; afterwards nothing of it is left: no process, no namespace or
    device it made, no directory."""
    top = Path(tempfile.mkdtemp(prefix="pyovn-clustered-"))
    d = top / "sbx"
    ns_before, dev_before = netns(), devices()
    seen: dict[str, int] = {}
    try:
        yield d
    finally:
        seen.update(pids(d) if d.exists() else {})
        run([*PY, "sandbox", "stop", "--dir", str(d)], timeout=90)
        strays = [p for p in (*seen.values(), *processes_in(d)) if alive(p)]
        for p in strays:   # only what this sandbox started
            os.kill(p, signal.SIGKILL)
        for ns in netns() - ns_before:
            run(["ip", "netns", "del", ns])
        shutil.rmtree(top, ignore_errors=True)
    assert strays == [], f"left running after stop: {strays}"
    assert netns() - ns_before == set()
    assert devices() - dev_before == set()
    assert not top.exists()


# --- without processes ---------------------------------------------------------------------


def test_without_the_real_server_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(cluster, "missing_binaries", lambda: ["ovsdb-server", "ovsdb-tool"])
    d = tmp_path / "none"
    for argv in (["--db-model=clustered"], ["--db-model", "clustered", "--demo"],
                 ["--sbdb-model=clustered"]):
        assert sandbox_cli.main([*argv, "--dir", str(d)]) == 1
        err = capsys.readouterr().err
        assert "needs the real Open vSwitch ovsdb-server" in err, err
        assert "not installed: ovsdb-server, ovsdb-tool" in err
        assert "no multi-server Raft" in err
    assert not d.exists()


def test_remotes_and_parts_follow_the_model(tmp_path: Path) -> None:
    d = tmp_path / "m"
    d.mkdir()
    sbx = SandboxDir(str(d), {"nb": "clustered", "sb": "clustered"})
    sbx.save_models()
    env = run([*PY, "sandbox", "env", "--dir", str(d)]).stdout
    nb = ",".join(f"unix:{d}/nb{i}.sock" for i in (1, 2, 3))
    sb = ",".join(f"unix:{d}/sb{i}.sock" for i in (1, 2, 3))
    assert f"export OVN_NB_DB={nb}\n" in env and f"export OVN_SB_DB={sb}\n" in env
    parts = sbx.parts(fsync=False, northd=True, controller=True, ovsdb_server="/x/ovsdb-server")
    real = [p for p in parts if p.argv[0] == "/x/ovsdb-server"]
    assert [p.program for p in real] == MEMBERS
    assert all(p.database for p in real) and "--no-fsync" not in real[0].argv
    northd = next(p for p in parts if p.name == "northd")
    assert f"--ovnnb-db={nb}" in northd.argv and f"--ovnsb-db={sb}" in northd.argv
    # Standalone stays the default, and a mixed model is possible (as ovn-sandbox's).
    assert SandboxDir(str(tmp_path / "new")).nb == f"unix:{tmp_path}/new/nb.sock"
    mixed = SandboxDir(str(d), {"nb": "standalone", "sb": "clustered"})
    assert mixed.nb == f"unix:{d}/nb.sock" and mixed.sb == sb
    assert [len(mixed.members(db)) for db in DATABASES] == [0, 3, 0]


# --- real clusters -------------------------------------------------------------------------


def nb_leader(d: Path) -> str | None:
    for i in (1, 2, 3):
        r = run(["ovs-appctl", "-t", str(d / f"ovnnb_db{i}.ctl"), "cluster/status",
                 "OVN_Northbound"], timeout=10)
        if r.returncode == 0 and "Role: leader" in r.stdout:
            return f"ovnnb_db{i}"
    return None


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_leader_killed_tools_go_on_and_stop_stops_all(where: Path) -> None:
    needs_cluster()
    d = where
    r = run([*PY, "sandbox", "--db-model=clustered", "--dir", str(d), "--detach", "--no-fsync",
             "--no-controller"], timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    nb = ",".join(f"unix:{d}/nb{i}.sock" for i in (1, 2, 3))
    assert f"export OVN_NB_DB={nb}\n" in r.stdout, r.stdout
    running = pids(d)
    assert set(MEMBERS) | {"ovn-northd", "sandbox"} <= set(running), running
    env = {**os.environ, "OVN_NB_DB": nb,
           "OVN_SB_DB": ",".join(f"unix:{d}/sb{i}.sock" for i in (1, 2, 3))}
    wait = [*PY, "nbctl", "--wait=sb", "--timeout=30"]
    assert run([*wait, "ls-add", "sw0"], env, timeout=60).returncode == 0

    leader = nb_leader(d)
    assert leader is not None
    os.kill(running[leader], signal.SIGKILL)
    deadline = time.monotonic() + 30   # a new election: the two left choose a leader
    while time.monotonic() < deadline and nb_leader(d) in (None, leader):
        time.sleep(0.2)
    assert nb_leader(d) not in (None, leader)
    r = run([*wait, "ls-add", "x"], env, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "x" in run([*PY, "sbctl", "--bare", "--columns=external_ids", "list",
                       "Datapath_Binding"], env).stdout
    assert run([*PY, "nbctl", "ls-list"], env).stdout.count("(") == 2
    assert "was killed by SIGKILL" in (d / "sandbox.log").read_text()

    assert run([*PY, "sandbox", "stop", "--dir", str(d)], timeout=90).returncode == 0
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(alive(p) for p in running.values()):
        time.sleep(0.05)
    assert [n for n, p in running.items() if alive(p)] == []
    assert processes_in(d) == []
    left = sorted(p.name for p in d.iterdir() if p.suffix in (".sock", ".ctl", ".pid", ".raft")
                  or p.is_socket())
    assert left == []


@pytest.mark.e2e
@pytest.mark.slow
@pytest.mark.timeout(300)
def test_clustered_demo(where: Path) -> None:
    needs_cluster()
    if shutil.which("ping") is None or not os.path.exists("/dev/net/tun"):
        skip("no ping or /dev/net/tun")
    d = where
    proc = subprocess.Popen([*PY, "sandbox", "--db-model=clustered", "--demo", "--dir", str(d),
                             "--no-fsync"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    try:
        out, _ = proc.communicate(timeout=240)
    except subprocess.TimeoutExpired:
        proc.terminate()   # the sandbox then removes what it made
        out, _ = proc.communicate(timeout=60)
    print(out)
    assert proc.returncode == 0, out
    assert "OVN_Northbound: Raft cluster of 3 real ovsdb-servers" in out
    assert "OVN_Southbound: Raft cluster of 3 real ovsdb-servers" in out
    assert len(LOSS0.findall(out)) >= 2, out
    assert "0% packet loss both ways" in out
    assert list(d.glob("*.pid")) == []
    assert processes_in(d) == []
