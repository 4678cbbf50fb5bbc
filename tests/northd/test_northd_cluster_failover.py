"""pyovn northd between two real 3-member Raft clusters (NB and SB) while both leaders are
SIGKILLed (issue 13): northd is leader-only on both, follows the new leaders, and what it
writes after the failover is written once — one Datapath_Binding per switch, no Logical_Flow
twice — even when the transaction it lost with the old SB leader was committed after all.
"""

from __future__ import annotations

import collections
import sys
import time
from pathlib import Path

import pytest

from pyovn.api import OvnNbApi
from pyovn.ovsdb.client import SyncIdl
from pyovn.testing.cluster import RealCluster, skip_without_cluster
from pyovn.testing.real import NorthdProcess

pytestmark = [pytest.mark.interop, pytest.mark.slow]


def wait_sb(sb: SyncIdl, n_switches: int, timeout: float = 40.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        dps = [d for d in sb.tables["Datapath_Binding"] if "logical-switch" in d.external_ids]
        if len(dps) >= n_switches:
            return
        assert time.monotonic() < deadline, f"{len(dps)} of {n_switches} datapaths in the SB"
        time.sleep(0.1)


def test_northd_keeps_working_through_failovers(tmp_path: Path) -> None:
    skip_without_cluster()
    (tmp_path / "nb").mkdir()
    (tmp_path / "sb").mkdir()
    nb = RealCluster(tmp_path / "nb", "OVN_Northbound")
    sb = RealCluster(tmp_path / "sb", "OVN_Southbound")
    northd = NorthdProcess(nb.remotes, sb.remotes, tmp_path,
                           argv_prefix=[sys.executable, "-m", "pyovn", "northd"],
                           ready_timeout=30)
    api = sb_idl = None
    try:
        nb.create().start()
        sb.create().start()
        northd.start()
        api = OvnNbApi(nb.remotes, timeout=30, min_backoff=0.05, max_backoff=0.5)
        sb_idl = SyncIdl(sb.remotes, "OVN_Southbound", leader_only=True,
                         tables={"Datapath_Binding": None, "Logical_Flow": None,
                                 "Logical_DP_Group": None},
                         min_backoff=0.05, max_backoff=0.5)
        with api.transaction(check_error=True) as txn:
            for i in range(10):
                txn.add(api.ls_add(f"a{i}"))
        wait_sb(sb_idl, 10)
        for cluster in (sb, nb):
            leader = cluster.leader()
            assert leader is not None
            cluster.kill(leader)
        for i in range(10):
            api.ls_add(f"b{i}", may_exist=True).execute(check_error=True)
        wait_sb(sb_idl, 20)
        sb_idl.sync(10)
        time.sleep(1.0)  # let northd settle (anything it would write twice shows up)
        sb_idl.sync(10)
        dps = collections.Counter(d.external_ids.get("logical-switch")
                                  for d in sb_idl.tables["Datapath_Binding"])
        assert sorted(c for c in dps.values() if c > 1) == []
        assert len(dps) == 20
        flows = collections.Counter(
            (str(f.logical_datapath), str(f.logical_dp_group), f.pipeline, f.table_id,
             f.priority, f.match, f.actions)
            for f in sb_idl.tables["Logical_Flow"])
        twice = [k for k, c in flows.items() if c > 1]
        assert not twice, twice[:3]
        assert northd.running, northd.output_tail()
    finally:
        if api is not None:
            api.close()
        if sb_idl is not None:
            sb_idl.close()
        northd.stop()
        sb.stop()
        nb.stop()
