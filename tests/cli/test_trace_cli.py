"""`pyovn trace` against the real ovn-trace on the same Southbound database: what each tool does
with a datapath, port or microflow it cannot use (printed on stdout, exit status 0, as ovn-trace's
trace output) and with a database it cannot reach (named once, on stderr, exit status 1)."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pyovn.testing.real import RealOvsdbServer, require_real

_REASON = require_real("ovsdb-server", "ovsdb-tool", "ovn-sbctl", "ovn-trace")
pytestmark = [pytest.mark.interop, pytest.mark.skipif(_REASON is not None, reason=_REASON or "")]

_STAMP = re.compile(r"^\S+\|\d+\|", re.M)


def _run(argv: list[str]) -> tuple[int, str, str]:
    res = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    return res.returncode, res.stdout, _STAMP.sub("", res.stderr)


@pytest.fixture(scope="module")
def sb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with RealOvsdbServer(tmp_path_factory.mktemp("sb"), "OVN_Southbound") as server:
        subprocess.run(
            ["ovn-sbctl", f"--db={server.remote}", "create", "Datapath_Binding", "tunnel_key=1",
             "external_ids:name=sw0"],
            check=True, capture_output=True,
        )
        yield server.remote


@pytest.mark.parametrize(
    "args",
    [
        ["nosuch", 'inport == "p1"'],
        ['inport == "p1"'],
        ["ip4"],
        ["inport == p1"],
        ["sw0", "ip4.src =="],
    ],
)
def test_unusable_input_is_trace_output(sb: str, args: list[str]) -> None:
    real = _run(["ovn-trace", f"--db={sb}", *args])
    ours = _run([sys.executable, "-m", "pyovn", "trace", f"--db={sb}", *args])
    assert real[0] == 0 and real[1]  # the premise: ovn-trace says it on stdout and succeeds
    assert ours == real


def test_unknown_datapath_text(sb: str) -> None:
    rc, out, err = _run([sys.executable, "-m", "pyovn", "trace", f"--db={sb}", "nosuch", "ip4"])
    assert (rc, out, err) == (0, 'unknown datapath "nosuch"\n', "")


def test_connection_failure_names_the_socket_once(tmp_path: Path) -> None:
    db = f"unix:{tmp_path}/nonexistent"
    real = _run(["ovn-trace", f"--db={db}", "sw0", "ip4"])
    ours = _run([sys.executable, "-m", "pyovn", "trace", f"--db={db}", "sw0", "ip4"])
    assert real == (
        1, "", f"ovn-trace: {db}: database connection failed (No such file or directory)\n"
    )
    assert ours == real
