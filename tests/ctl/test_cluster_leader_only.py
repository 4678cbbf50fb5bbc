"""ctl tools on a real 3-member Raft cluster: leader-only by default, as the real tools are.

With several comma-separated remotes the tool uses the leader (passing over followers), fails
like the real ovn-nbctl when only followers are given ("database connection failed ()"), a
failed connection's errno winning; ``--no-leader-only`` writes through a follower. Each case runs the real ovn-nbctl and pyovn's, and compares exit status and output.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pyovn.testing.cluster import RealCluster, missing_cluster_binaries
from pyovn.testing.real import find_binary

pytestmark = pytest.mark.interop


def run(argv: list[str], tmp: Path) -> tuple[int, str, str]:
    r = subprocess.run(argv, capture_output=True, text=True, timeout=20)
    return r.returncode, r.stdout.replace(str(tmp), "DIR"), r.stderr.replace(str(tmp), "DIR")


def test_nbctl_leader_only_like_the_real_one(tmp_path: Path) -> None:
    missing = missing_cluster_binaries() + ([] if find_binary("ovn-nbctl") else ["ovn-nbctl"])
    if missing:
        reason = "real binaries not installed: " + ", ".join(missing)
        print(reason)
        pytest.skip(reason)
    real = [find_binary("ovn-nbctl") or "ovn-nbctl"]
    ours = [sys.executable, "-m", "pyovn", "nbctl"]
    with RealCluster(tmp_path).create() as cluster:
        cluster.start()
        leader = cluster.leader()
        assert leader is not None
        f1, f2 = (m.remote for m in cluster.members if m is not leader)  # followers
        dead = f"unix:{tmp_path}/nothing.sock"
        one = ["--no-shuffle-remotes"]
        cases = [
            ["--db=" + f1, "ls-list"],
            ["--db=" + f1, "--leader-only", "ls-list"],
            ["--db=" + ",".join((f1, f2)), *one, "ls-list"],
            ["--db=" + ",".join((dead, f1)), *one, "ls-list"],
            ["--db=" + ",".join((f1, dead)), *one, "ls-list"],
            ["--db=" + ",".join((f1, dead, leader.remote)), *one, "ls-add", "{who}1"],
            ["--db=" + f1, "--no-leader-only", "ls-add", "{who}2"],
            ["--db=" + ",".join((f1, leader.remote)), *one, "--bare", "--columns=name",
             "find", "Logical_Switch", "name={who}1"],
        ]
        for case in cases:
            got = {}
            for who, prog in (("real", real), ("ours", ours)):
                argv = [a.format(who=who) for a in case]
                rc, out, err = run([*prog, *argv], tmp_path)
                got[who] = (rc, out.replace(who, "WHO"), err.replace("ovn-nbctl", "PROG"))
            assert got["ours"] == got["real"], case
