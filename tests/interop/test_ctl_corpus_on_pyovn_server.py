"""The real ovn-nbctl / ovn-sbctl / ovs-vsctl print the same against pyovn's server as against
the real ovsdb-server: the whole ctl corpus (tests/cli/ctl_corpus), each scenario on fresh
databases on both sides."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from pyovn.testing import ctl_diff
from pyovn.testing.real import OvsdbServerProcess, require_real

pytestmark = pytest.mark.interop

CORPUS = sorted((Path(__file__).parent.parent / "cli" / "ctl_corpus").glob("*.txt"))


def pyovn_server(db: str, directory: Path) -> OvsdbServerProcess:
    py = [sys.executable, "-m", "pyovn"]
    # the database file is made by the real ovsdb-tool: pyovn serves real files unchanged
    return OvsdbServerProcess(directory, db, argv_prefix=[*py, "ovsdb-server"],
                              tool_prefix=["ovsdb-tool"])


@pytest.mark.timeout(900)  # a pyovn ovsdb-server started per scenario and database
def test_real_tools_same_output_on_pyovn_server():
    reason = require_real("ovsdb-server", "ovsdb-tool", "ovn-nbctl", "ovn-sbctl", "ovs-vsctl")
    if reason:
        pytest.skip(reason)
    report = ctl_diff.run_corpus_report(CORPUS, ctl_diff.real_tools(),
                                        ctl_diff.real_tools(pyovn_server), jobs=2)
    assert sum(report.commands.values()) >= 700
    assert not report.differences, "\n".join(str(d) for d in report.differences[:10])
