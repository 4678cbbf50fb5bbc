"""pyovn's northd writes the same Southbound as the real ovn-northd, topology by topology.

Each topology of ``tests/northd/topologies`` goes through ``tests/northd/sbdiff.py`` (the same
code as the command line): the real ovn-northd's result (cached in ``tests/northd/recorded``) and
``python -m pyovn northd``'s, on copies of one Northbound file, normalised and compared section by
section, tunnel keys included; ``tests/northd/known_differences.txt`` lists the accepted
differences. A failure prints the diff (real ``-``, pyovn ``+``). Skips, with the reason printed,
when the real OVN binaries are absent.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from pyovn.testing.real import require_real

NORTHD_TESTS = Path(__file__).resolve().parent.parent / "northd"
sys.path.insert(0, str(NORTHD_TESTS))
import sbdiff  # noqa: E402
import sbsides  # noqa: E402

pytestmark = pytest.mark.interop

# The shared corpus (every feature of ovn-northd(8)) and the per-feature edge cases the builders'
# authors added next to it; the NAT and router suites keep theirs with their golden data.
TOPOLOGY_FILES = sorted(
    [*NORTHD_TESTS.glob("topologies/*.sh"), *NORTHD_TESTS.glob("*_topologies/*.sh"),
     *NORTHD_TESTS.glob("lr_nat/*.sh"), *NORTHD_TESTS.glob("data/lr/8*/topology.sh")],
    key=lambda p: p.stem if p.stem != "topology" else p.parent.name)


def _name(p: Path) -> str:
    return p.parent.name if p.stem == "topology" else p.stem


def _pending() -> dict[str, str]:
    """tests/northd/pending.txt: topologies that still differ (work not done), with why."""
    out: dict[str, str] = {}
    for line in (NORTHD_TESTS / "pending.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, why = line.partition("#")
            out[name.strip()] = why.strip()
    return out


PENDING = _pending()
TOPOLOGIES = [
    pytest.param(p, id=_name(p), marks=[pytest.mark.xfail(
        reason=PENDING[_name(p)], strict=not PENDING[_name(p)].startswith("intermittent"))]
        if _name(p) in PENDING else [])
    for p in TOPOLOGY_FILES
]
MAX_DIFF_LINES = 150


@pytest.fixture(scope="module")
def known() -> list[sbsides.KnownDifference]:
    reason = require_real("ovsdb-server", "ovsdb-tool", "ovn-nbctl", "ovsdb-client", "ovn-northd")
    if reason is not None:
        print(f"skipping: {reason}")
        pytest.skip(reason)
    return sbsides.load_known_differences()


@pytest.mark.timeout(90)
@pytest.mark.parametrize("path", TOPOLOGIES)
def test_northd_identity(path: Path, known: list[sbsides.KnownDifference]) -> None:
    topo = sbsides.Topology.load(path)
    cmp = sbdiff.compare_topology(topo, sbsides.Options(known=known))
    if not cmp.ok:
        report = "\n".join(cmp.report(MAX_DIFF_LINES))
        pytest.fail(f"{cmp.summary()}\n{report}", pytrace=False)
