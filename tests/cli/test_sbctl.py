"""`pyovn sbctl` against the real ovn-sbctl (same command lines, outputs compared), and lflow-list
on flows written by the real ovn-northd."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pyovn.testing.ctl_diff import ToolSet, real_server_factory, real_tools, run_corpus_report
from pyovn.testing.real import require_real

ROOT = Path(__file__).resolve().parents[1]
CORPORA = sorted((ROOT / "cli" / "ctl_corpus").glob("sbctl*.txt"))
_REASON = require_real("ovsdb-server", "ovsdb-tool", "ovn-sbctl", "ovn-nbctl", "ovn-northd")


def candidate() -> ToolSet:
    py = [sys.executable, "-m", "pyovn"]
    cmds = {"ovn-nbctl": ["ovn-nbctl"], "ovn-sbctl": [*py, "sbctl"], "ovs-vsctl": [*py, "vsctl"]}
    return ToolSet("pyovn", cmds, real_server_factory, prog_names=("pyovn",))


@pytest.mark.interop
@pytest.mark.timeout(600)
def test_sbctl_matches_real() -> None:
    if _REASON:
        print(f"skipping: {_REASON}")
        pytest.skip(_REASON)
    report = run_corpus_report(CORPORA, real_tools(), candidate())
    print(f"{report.commands.get('ovn-sbctl', 0)} ovn-sbctl lines, "
          f"{len(report.differences)} differences")
    assert not report.differences, "\n".join(d.format() for d in report.differences)


@pytest.mark.interop
def test_lflow_list_on_real_northd_flows(tmp_path: Path) -> None:
    if _REASON:
        print(f"skipping: {_REASON}")
        pytest.skip(_REASON)
    import time

    from pyovn.testing.real import OvsdbServerProcess, RealNorthd

    with OvsdbServerProcess(tmp_path, "OVN_Northbound") as nb, \
            OvsdbServerProcess(tmp_path, "OVN_Southbound") as sb:
        nbctl = ["ovn-nbctl", f"--db={nb.remote}"]
        subprocess.run([*nbctl, "ls-add", "sw0", "--", "lsp-add", "sw0", "p1", "--",
                        "lsp-set-addresses", "p1", "00:00:00:00:00:01 10.0.0.1", "--",
                        "lr-add", "r0", "--", "lrp-add", "r0", "r0-sw0", "00:00:00:00:01:01",
                        "10.0.0.254/24"], check=True)
        with RealNorthd(nb.remote, sb.remote, tmp_path):
            real = ["ovn-sbctl", f"--db={sb.remote}"]
            mine = [sys.executable, "-m", "pyovn", "sbctl", f"--db={sb.remote}"]
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                n = subprocess.run([*real, "count-flows"], capture_output=True, text=True)
                if "= 0" not in n.stdout.splitlines()[-1]:
                    break
                time.sleep(0.1)
            time.sleep(0.5)
            for args in (["lflow-list"], ["count-flows"], ["lflow-list", "sw0"],
                         ["--uuid", "dump-flows", "r0"], ["count-flows", "r0"]):
                a = subprocess.run([*real, *args], capture_output=True, text=True)
                b = subprocess.run([*mine, *args], capture_output=True, text=True)
                assert (b.returncode, b.stdout, b.stderr) == (a.returncode, a.stdout, a.stderr)
                assert a.stdout.count("\n") > 10
