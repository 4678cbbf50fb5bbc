"""HA_Chassis_Group.ref_chassis: pyovn's northd and the real one, same commands, same result.

Each side: real NB and SB ovsdb-servers and one northd.  Three chassis are registered with
ovn-sbctl, two routers joined by a transit switch, one of them with a distributed gateway port
on two (then one) gateway chassis, switches behind both routers, and ports bound on the chassis
with ``ovn-sbctl lsp-bind``; the groups' ref_chassis (as chassis names) are compared after each
step, unit-tested against :func:`pyovn.northd.refchassis.desired_ref_chassis` by the way.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pyovn.testing.real import NorthdProcess, RealNorthd, RealOvsdbServer, require_real

pytestmark = pytest.mark.interop

SETUP = [
    ["nbctl", "lr-add", "lr0"],
    ["nbctl", "lrp-add", "lr0", "lr0-pub", "00:00:00:00:ff:01", "172.16.0.1/24"],
    ["nbctl", "lrp-set-gateway-chassis", "lr0-pub", "gw1", "20"],
    ["nbctl", "lrp-set-gateway-chassis", "lr0-pub", "gw2", "10"],
    ["nbctl", "lrp-add", "lr0", "lr0-join", "00:00:00:00:ff:02", "100.64.0.1/24"],
    ["nbctl", "ls-add", "join"],
    ["nbctl", "lsp-add", "join", "join-lr0", "--", "lsp-set-type", "join-lr0", "router", "--",
     "lsp-set-addresses", "join-lr0", "router", "--",
     "lsp-set-options", "join-lr0", "router-port=lr0-join"],
    ["nbctl", "lr-add", "lr1"],
    ["nbctl", "lrp-add", "lr1", "lr1-join", "00:00:00:00:ff:03", "100.64.0.2/24"],
    ["nbctl", "lsp-add", "join", "join-lr1", "--", "lsp-set-type", "join-lr1", "router", "--",
     "lsp-set-addresses", "join-lr1", "router", "--",
     "lsp-set-options", "join-lr1", "router-port=lr1-join"],
    ["nbctl", "lrp-add", "lr1", "lr1-sw1", "00:00:00:00:ff:04", "10.1.0.1/24"],
    ["nbctl", "ls-add", "sw1"],
    ["nbctl", "lsp-add", "sw1", "sw1-lr1", "--", "lsp-set-type", "sw1-lr1", "router", "--",
     "lsp-set-addresses", "sw1-lr1", "router", "--",
     "lsp-set-options", "sw1-lr1", "router-port=lr1-sw1"],
    ["nbctl", "lsp-add", "sw1", "vm1"],
    ["nbctl", "lsp-add", "sw1", "vm2"],
    ["nbctl", "ls-add", "lonely"],  # behind no router
    ["nbctl", "lsp-add", "lonely", "vm3"],
    ["sbctl", "chassis-add", "hv1", "geneve", "10.0.0.1"],
    ["sbctl", "chassis-add", "hv2", "geneve", "10.0.0.2"],
    ["sbctl", "chassis-add", "hv3", "geneve", "10.0.0.3"],
    ["sbctl", "chassis-add", "gw1", "geneve", "10.0.0.11"],
    ["sbctl", "chassis-add", "gw2", "geneve", "10.0.0.12"],
]
STEPS = [
    [["sbctl", "lsp-bind", "vm1", "hv1"]],
    [["sbctl", "lsp-bind", "vm2", "hv2"], ["sbctl", "lsp-bind", "vm3", "hv3"]],
    [["sbctl", "lsp-unbind", "vm1"]],
    [["nbctl", "lrp-del-gateway-chassis", "lr0-pub", "gw2"]],  # one gateway: no refs
    [["nbctl", "lrp-set-gateway-chassis", "lr0-pub", "gw2", "10"]],
    [["nbctl", "lsp-del", "join-lr1"]],  # sw1's router no longer reaches the gateway
]


class Side:
    def __init__(self, d: Path, pyovn: bool) -> None:
        d.mkdir()
        self.nb = RealOvsdbServer(d, "OVN_Northbound", name="nb").start()
        self.sb = RealOvsdbServer(d, "OVN_Southbound", name="sb").start()
        prefix = (sys.executable, "-m", "pyovn", "northd") if pyovn else ("ovn-northd",)
        cls = NorthdProcess if pyovn else RealNorthd
        self.northd = cls(self.nb.remote, self.sb.remote, d, argv_prefix=prefix).start()

    def run(self, tool: str, *args: str) -> str:
        exe = {"nbctl": "ovn-nbctl", "sbctl": "ovn-sbctl"}[tool]
        db = self.nb.remote if tool == "nbctl" else self.sb.remote
        r = subprocess.run([exe, f"--db={db}", *args], capture_output=True, text=True,
                           timeout=30)
        assert r.returncode == 0, f"{exe} {args}: {r.stderr}"
        return r.stdout

    def sync(self) -> None:
        self.run("nbctl", "--wait=sb", "--timeout=20", "sync")

    def ref_chassis(self) -> dict[str, list[str]]:
        names = {}
        for line in self.run("sbctl", "--bare", "--columns=_uuid,name", "find",
                             "Chassis").split("\n\n"):
            parts = line.split()
            if len(parts) == 2:
                names[parts[0]] = parts[1]
        out = {}
        for block in self.run("sbctl", "--bare", "--columns=name,ref_chassis", "list",
                              "HA_Chassis_Group").split("\n\n"):
            lines = block.strip().split("\n")
            if lines and lines[0]:
                refs = lines[1].split() if len(lines) > 1 else []
                out[lines[0]] = sorted(names.get(u, u) for u in refs)
        return out

    def close(self) -> None:
        for d in (self.northd, self.sb, self.nb):
            d.stop()


@pytest.fixture
def sides(tmp_path: Path) -> Iterator[tuple[Side, Side]]:
    reason = require_real("ovsdb-server", "ovsdb-tool", "ovn-nbctl", "ovn-sbctl", "ovn-northd")
    if reason:
        pytest.skip(reason)
    made: list[Side] = []
    try:
        made.append(Side(tmp_path / "real", pyovn=False))
        made.append(Side(tmp_path / "pyovn", pyovn=True))
        yield made[0], made[1]
    finally:
        for s in made:
            s.close()


def _settled(side: Side) -> dict[str, list[str]]:
    """ref_chassis once two syncs agree (northd writes it a run after the groups appear)."""
    last = None
    for _ in range(20):
        side.sync()
        now = side.ref_chassis()
        if now == last:
            return now
        last = now
        time.sleep(0.1)
    return now


def test_ref_chassis_as_real_northd(sides: tuple[Side, Side]) -> None:
    real, mine = sides
    for side in sides:
        for cmd in SETUP:
            side.run(*cmd)
    assert _settled(mine) == _settled(real)
    seen = []
    for step in STEPS:
        for side in sides:
            for cmd in step:
                side.run(*cmd)
        want = _settled(real)
        assert _settled(mine) == want, f"after {step}"
        seen.append(want)
    # The steps are not vacuous: some group was referenced by some chassis on the way.
    assert any(refs for state in seen for refs in state.values())
