"""Clustered central databases (``--db-model=clustered``): real ovsdb-server Raft clusters.

pyovn's own ovsdb-server has no multi-server Raft, so a clustered Northbound or Southbound is
made of the real Open vSwitch binaries, as OVN's ovn-sandbox makes it: ``ovsdb-tool
create-cluster`` writes the first member's file (from the installed real schema when there is
one), ``ovsdb-tool join-cluster`` the others' (pointing at the first member's Raft address);
each member is then one ``ovsdb-server`` process, started and supervised like any other part.
The cluster is ready once every member says "Status: cluster member" in ``ovs-appctl
cluster/status`` and one of them "Role: leader". The files stay for the next start, which
resumes the same cluster. pyovn's clients (northd, the controller, the ctl tools) take the
comma-separated list of every member and stay on the leader.
"""

from __future__ import annotations

import asyncio
import os
import subprocess

from pyovn.sandbox.layout import DATABASES, Member, SandboxDatabase, SandboxDir
from pyovn.testing.cluster import missing_cluster_binaries
from pyovn.testing.real import find_binary, schema_path

__all__ = ["ClusterError", "create_files", "leader", "missing_binaries", "status",
           "wait_formed"]


class ClusterError(Exception):
    """A clustered database could not be made or did not form."""


def missing_binaries() -> list[str]:
    """The real binaries a clustered database needs that are not installed."""
    return missing_cluster_binaries()


def create_files(sandbox: SandboxDir) -> list[str]:
    """Create the member files of every clustered database that has none yet; returns the
    commands run. Some members' files without the others' cannot be completed safely."""
    tool = find_binary("ovsdb-tool")
    ran: list[str] = []
    for db in DATABASES:
        members = sandbox.members(db)
        if not members:
            continue
        present = [m for m in members if os.path.exists(sandbox / m.file)]
        if len(present) == len(members):
            continue
        if present:
            raise ClusterError(
                f"{db.schema}: only {', '.join(sandbox / m.file for m in present)} exist; "
                "remove them to make a new cluster")
        if tool is None:
            raise ClusterError("ovsdb-tool is not installed")
        first = members[0]
        cmds = [[tool, "create-cluster", sandbox / first.file, str(schema_path(db.schema)),
                 f"unix:{sandbox / first.raft}"]]
        cmds += [[tool, "join-cluster", sandbox / m.file, db.schema, f"unix:{sandbox / m.raft}",
                  f"unix:{sandbox / first.raft}"] for m in members[1:]]
        for argv in cmds:
            r = subprocess.run(argv, capture_output=True, text=True, timeout=60)
            if r.returncode != 0:
                raise ClusterError(f"{' '.join(argv)}: {r.stderr.strip() or r.returncode}")
            ran.append(" ".join(os.path.basename(a) if i == 0 else a
                                for i, a in enumerate(argv)))
    return ran


async def status(sandbox: SandboxDir, member: Member, timeout: float = 5.0) -> str:
    """``ovs-appctl -t <member>.ctl cluster/status DB``, or "" when it does not answer."""
    appctl = find_binary("ovs-appctl")
    if appctl is None:
        return ""
    proc = await asyncio.create_subprocess_exec(
        appctl, "-t", sandbox / f"{member.program}.ctl", "cluster/status", member.db.schema,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL)
    try:
        out, _ = await asyncio.wait_for(proc.communicate(), timeout)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        return ""
    return out.decode(errors="replace") if proc.returncode == 0 else ""


async def leader(sandbox: SandboxDir, db: SandboxDatabase) -> Member | None:
    for m in sandbox.members(db):
        if "Role: leader" in await status(sandbox, m):
            return m
    return None


async def wait_formed(sandbox: SandboxDir, db: SandboxDatabase, timeout: float = 60.0) -> Member:
    """Wait until every member of ``db`` serves as a cluster member and one leads."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    members = sandbox.members(db)
    while True:
        statuses = [await status(sandbox, m) for m in members]
        socks = all(os.path.exists(sandbox / m.sock) for m in members)
        lead = [m for m, s in zip(members, statuses) if "Role: leader" in s]
        if socks and lead and all("Status: cluster member" in s for s in statuses):
            return lead[0]
        if loop.time() > deadline:
            seen = {m.part: (s.split("Status:", 1)[1].split("\n", 1)[0].strip()
                             if "Status:" in s else "no answer")
                    for m, s in zip(members, statuses)}
            raise ClusterError(f"the {db.schema} cluster did not form in {timeout:.0f} s: "
                               f"{seen}")
        await asyncio.sleep(0.1)
