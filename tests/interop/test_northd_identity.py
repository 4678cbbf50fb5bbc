"""pyovn's northd writes the same Southbound as the real ovn-northd, topology by topology.

Each topology of ``tests/northd/topologies`` goes through ``tests/northd/sbdiff.py`` (the same
code as the command line): the real ovn-northd's result (cached in ``tests/northd/.cache``) and
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

pytestmark = pytest.mark.interop

TOPOLOGIES = sorted(p.stem for p in (NORTHD_TESTS / "topologies").glob("*.sh"))
MAX_DIFF_LINES = 150


@pytest.fixture(scope="module")
def known() -> list[sbdiff.KnownDifference]:
    reason = require_real("ovsdb-server", "ovsdb-tool", "ovn-nbctl", "ovsdb-client", "ovn-northd")
    if reason is not None:
        print(f"skipping: {reason}")
        pytest.skip(reason)
    return sbdiff.load_known_differences()


@pytest.mark.timeout(90)
@pytest.mark.parametrize("name", TOPOLOGIES)
def test_northd_identity(name: str, known: list[sbdiff.KnownDifference]) -> None:
    topo = sbdiff.Topology.load(NORTHD_TESTS / "topologies" / f"{name}.sh")
    cmp = sbdiff.compare_topology(topo, sbdiff.Options(known=known))
    if not cmp.ok:
        report = "\n".join(cmp.report(MAX_DIFF_LINES))
        pytest.fail(f"{cmp.summary()}\n{report}", pytrace=False)
