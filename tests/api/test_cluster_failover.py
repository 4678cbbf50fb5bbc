"""pyovn.api on a real 3-member Raft cluster while the leader is SIGKILLed (issue 13).

The workload of the report, scaled down: ``ls_add(name, may_exist=True)`` for 600 names, 5 in
flight (5 threads), through an Api connected leader-only to all three members; the leader is
killed with SIGKILL twice mid-way (the killed member is restarted before the second kill, so a
majority is left each time). Every acknowledged switch must exist, and no name twice: a
transaction whose outcome is unknown (connection lost after sending) may only be re-run once
the replica is as new as anything the old leader could have committed.
"""

from __future__ import annotations

import collections
import threading
import time
from pathlib import Path

import pytest

from pyovn.api import OvnNbApi
from pyovn.ovsdb.client import SyncIdl
from pyovn.testing.cluster import RealCluster, skip_without_cluster

pytestmark = [pytest.mark.interop, pytest.mark.slow]

N_SWITCHES = 600
IN_FLIGHT = 5


def names_in(remote: str) -> collections.Counter[str]:
    with SyncIdl(remote, "OVN_Northbound", tables={"Logical_Switch": ["name"]},
                 leader_only=True) as idl:
        idl.sync(10)
        return collections.Counter(r.name for r in idl["Logical_Switch"])


def run_workload(cluster: RealCluster, kills: int) -> tuple[set[str], collections.Counter[str]]:
    api = OvnNbApi(cluster.remotes, timeout=30, leader_only=True, min_backoff=0.05,
                   max_backoff=0.5)
    acked: set[str] = set()
    errors: list[str] = []
    lock = threading.Lock()
    todo = collections.deque(f"sw{i}" for i in range(N_SWITCHES))

    def worker() -> None:
        while True:
            with lock:
                if not todo:
                    return
                name = todo.popleft()
            try:
                api.ls_add(name, may_exist=True).execute(check_error=True)
            except Exception as e:  # unacknowledged: may or may not exist, never twice
                with lock:
                    errors.append(f"{name}: {e}")
                continue
            with lock:
                acked.add(name)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(IN_FLIGHT)]
    try:
        for t in threads:
            t.start()
        for k in range(kills):
            target = N_SWITCHES * (k + 1) // (kills + 1)
            deadline = time.monotonic() + 40
            while len(acked) < target and time.monotonic() < deadline:
                time.sleep(0.005)
            leader = cluster.leader()
            assert leader is not None
            cluster.kill(leader)
            if k + 1 < kills:
                # Bring the member back so the next kill still leaves a majority.
                cluster.wait_formed(30)
                leader.start()
                cluster.wait_formed(30)
        for t in threads:
            t.join(60)
        assert not any(t.is_alive() for t in threads), "workload did not finish"
    finally:
        with lock:
            todo.clear()
        api.close()
    assert len(errors) < N_SWITCHES // 10, errors[:5]
    return acked, names_in(cluster.remotes)


def test_ls_add_may_exist_through_leader_failovers(tmp_path: Path) -> None:
    skip_without_cluster()
    with RealCluster(tmp_path).create() as cluster:
        cluster.start()
        acked, counts = run_workload(cluster, kills=2)
    twice = sorted(n for n, c in counts.items() if c > 1)
    missing = sorted(acked - set(counts))
    assert not twice, f"{len(twice)} switch name(s) twice: {twice[:10]}"
    assert not missing, f"acknowledged but missing: {missing[:10]}"
    assert len(acked) > N_SWITCHES * 0.9
