"""`pyovn vsctl` against the real ovs-vsctl: the same command lines on two real ovsdb-servers,
stdout/stderr/exit status compared after normalisation (pyovn.testing.ctl_diff)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from pyovn.testing.ctl_diff import ToolSet, real_server_factory, real_tools, run_corpus_report
from pyovn.testing.real import require_real

ROOT = Path(__file__).resolve().parents[1]
CORPORA = [*sorted((ROOT / "cli" / "ctl_corpus").glob("vsctl*.txt")),
           ROOT / "ctl" / "generic_corpus.txt"]
_REASON = require_real("ovsdb-server", "ovsdb-tool", "ovs-vsctl", "ovn-sbctl")

# getopt's own messages start with the real binary's argv[0] ("/usr/bin/ovs-vsctl: ...").
KNOWN = ("unrecognized option", "requires an argument")


def candidate() -> ToolSet:
    py = [sys.executable, "-m", "pyovn"]
    cmds = {"ovn-nbctl": ["ovn-nbctl"], "ovn-sbctl": [*py, "sbctl"], "ovs-vsctl": [*py, "vsctl"]}
    return ToolSet("pyovn", cmds, real_server_factory, prog_names=("pyovn",))


@pytest.mark.interop
@pytest.mark.timeout(900)  # ~450 command lines, each a fresh Python process on the pyovn side
def test_vsctl_matches_real() -> None:
    if _REASON:
        print(f"skipping: {_REASON}")
        pytest.skip(_REASON)
    report = run_corpus_report(CORPORA, real_tools(), candidate(), only=None)
    diffs = [d for d in report.differences if d.field != "stderr"
             or not any(k in d.reference for k in KNOWN)]
    lines = report.commands.get("ovs-vsctl", 0)
    print(f"{lines} ovs-vsctl lines, {len(report.differences)} differences "
          f"({len(report.differences) - len(diffs)} known)")
    assert not diffs, "\n".join(d.format() for d in diffs)


@pytest.mark.interop
def test_vsctl_waits_for_cur_cfg(tmp_path: Path) -> None:
    """Without --no-wait the tool bumps next_cfg and waits for cur_cfg; --timeout ends it
    with SIGALRM, as the real tool does."""
    if _REASON:
        print(f"skipping: {_REASON}")
        pytest.skip(_REASON)
    import subprocess
    import threading
    import time

    from pyovn.testing.real import OvsdbServerProcess

    with OvsdbServerProcess(tmp_path, "Open_vSwitch") as server:
        db = f"--db={server.remote}"
        vs = [sys.executable, "-m", "pyovn", "vsctl", db]
        assert subprocess.run([*vs, "--no-wait", "init"]).returncode == 0
        res = subprocess.run([*vs, "--timeout=1", "add-br", "br0"], capture_output=True,
                             text=True)
        assert res.returncode == -14
        assert "terminating with signal 14 (Alarm clock)" in res.stderr
        out = subprocess.run([*vs, "--no-wait", "get", "Open_vSwitch", ".", "next_cfg"],
                             capture_output=True, text=True).stdout
        assert out == "1\n"

        def bump() -> None:
            time.sleep(0.5)
            subprocess.run(["ovs-vsctl", db, "--no-wait", "set", "Open_vSwitch", ".",
                            "cur_cfg=2"], check=True)

        t = threading.Thread(target=bump)
        t.start()
        res = subprocess.run([*vs, "--timeout=10", "add-br", "br1"], capture_output=True,
                             text=True)
        t.join()
        assert res.returncode == 0, res.stderr
