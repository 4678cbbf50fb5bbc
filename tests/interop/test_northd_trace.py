"""Traces over pyovn northd's Southbound: the real ovn-trace and pyovn trace give the same
verdicts on it as on the real ovn-northd's, for the same Northbound and the same packets.

One Northbound (built with the real ovn-nbctl) is served twice (real ovsdb-servers, the same
file, so the same UUIDs); the real ovn-northd writes one Southbound and pyovn's northd the other.
Every microflow below is traced with the real ``ovn-trace`` and with ``pyovn trace`` on both, in
``--minimal`` and ``--summary`` forms, and the outputs must be identical.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pyovn.testing.real import NorthdProcess, RealOvsdbServer, require_real

pytestmark = pytest.mark.interop

NB_LINES = [
    "ls-add sw0",
    "lsp-add sw0 vm1 -- lsp-set-addresses vm1 '50:54:00:00:00:01 10.0.0.11'"
    " -- lsp-set-port-security vm1 '50:54:00:00:00:01 10.0.0.11'",
    "lsp-add sw0 vm2 -- lsp-set-addresses vm2 '50:54:00:00:00:02 10.0.0.12'",
    "ls-add sw1",
    "lsp-add sw1 vm3 -- lsp-set-addresses vm3 '50:54:00:00:01:03 10.0.1.13'",
    "lr-add lr0",
    "lrp-add lr0 lr0-sw0 00:00:00:00:ff:01 10.0.0.1/24",
    "lrp-add lr0 lr0-sw1 00:00:00:00:ff:02 10.0.1.1/24",
    "lsp-add sw0 sw0-lr0 -- lsp-set-type sw0-lr0 router -- lsp-set-addresses sw0-lr0 router"
    " -- lsp-set-options sw0-lr0 router-port=lr0-sw0",
    "lsp-add sw1 sw1-lr0 -- lsp-set-type sw1-lr0 router -- lsp-set-addresses sw1-lr0 router"
    " -- lsp-set-options sw1-lr0 router-port=lr0-sw1",
    "pg-add pg_web vm2",
    "acl-add pg_web to-lport 1002 'outport == @pg_web && ip4 && tcp.dst == 80' allow-related",
    "acl-add pg_web to-lport 1001 'outport == @pg_web && ip4' drop",
    "lb-add lb0 10.0.0.100:80 10.0.0.12:80 tcp -- ls-lb-add sw0 lb0",
]

MICROFLOWS = [
    ("sw0", 'inport == "vm1" && eth.src == 50:54:00:00:00:01 && eth.dst == 50:54:00:00:00:02 && '
            "ip4.src == 10.0.0.11 && ip4.dst == 10.0.0.12 && ip.ttl == 64 && tcp.dst == 80"),
    ("sw0", 'inport == "vm1" && eth.src == 50:54:00:00:00:01 && eth.dst == 50:54:00:00:00:02 && '
            "ip4.src == 10.0.0.11 && ip4.dst == 10.0.0.12 && ip.ttl == 64 && tcp.dst == 22"),
    ("sw0", 'inport == "vm1" && eth.src == 50:54:00:00:00:09 && eth.dst == 50:54:00:00:00:02 && '
            "ip4.src == 10.0.0.11 && ip4.dst == 10.0.0.12 && ip.ttl == 64 && icmp4"),
    ("sw0", 'inport == "vm1" && eth.src == 50:54:00:00:00:01 && eth.dst == 00:00:00:00:ff:01 && '
            "ip4.src == 10.0.0.11 && ip4.dst == 10.0.1.13 && ip.ttl == 64 && icmp4"),
    ("sw0", 'inport == "vm1" && eth.src == 50:54:00:00:00:01 && eth.dst == ff:ff:ff:ff:ff:ff && '
            "arp.op == 1 && arp.sha == 50:54:00:00:00:01 && arp.spa == 10.0.0.11 && "
            "arp.tpa == 10.0.0.1"),
    ("sw0", 'inport == "vm1" && eth.src == 50:54:00:00:00:01 && eth.dst == 50:54:00:00:00:02 && '
            "ip4.src == 10.0.0.11 && ip4.dst == 10.0.0.100 && ip.ttl == 64 && tcp.dst == 80"),
]


class Central:
    """NB + SB (real ovsdb-servers, NB from ``nb_file``) with a northd on them."""

    def __init__(self, d: Path, nb_file: Path, northd: list[str]) -> None:
        d.mkdir()
        shutil.copy(nb_file, d / "nb.db")
        self.nb = RealOvsdbServer(d / "nbd", "OVN_Northbound", db_file=d / "nb.db").start()
        self.sb = RealOvsdbServer(d / "sbd", "OVN_Southbound").start()
        self.northd = NorthdProcess(self.nb.remote, self.sb.remote, d, argv_prefix=northd).start()
        r = subprocess.run(["ovn-nbctl", f"--db={self.nb.remote}", "--wait=sb", "--timeout=30",
                            "sync"], capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr

    def trace(self, tool: list[str], dp: str, flow: str, fmt: str) -> str:
        r = subprocess.run([*tool, f"--db={self.sb.remote}", fmt, dp, flow],
                           capture_output=True, text=True, timeout=60)
        return f"exit {r.returncode}\n{r.stdout}{r.stderr}"

    def close(self) -> None:
        for daemon in (self.northd, self.sb, self.nb):
            daemon.stop()


@pytest.fixture(scope="module")
def centrals(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Central, Central]]:
    reason = require_real("ovsdb-server", "ovsdb-tool", "ovn-nbctl", "ovn-northd", "ovn-trace")
    if reason is not None:
        print(f"skipping: {reason}")
        pytest.skip(reason)
    d = tmp_path_factory.mktemp("northd-trace")
    nb = RealOvsdbServer(d / "build", "OVN_Northbound").start()
    try:
        for line in NB_LINES:
            r = subprocess.run(f"ovn-nbctl --db={nb.remote} {line}", shell=True,
                               capture_output=True, text=True, timeout=30)
            assert r.returncode == 0, (line, r.stderr)
    finally:
        nb.stop()
    nb_file = next((d / "build").glob("*.db"))
    real = Central(d / "real", nb_file, ["ovn-northd"])
    try:
        ours = Central(d / "pyovn", nb_file, [sys.executable, "-m", "pyovn", "northd"])
    except BaseException:
        real.close()
        raise
    yield real, ours
    ours.close()
    real.close()


@pytest.mark.parametrize("fmt", ["--minimal", "--summary"])
@pytest.mark.parametrize("tool", ["real", "pyovn"])
@pytest.mark.parametrize("case", range(len(MICROFLOWS)))
def test_same_trace_on_both_southbounds(centrals: tuple[Central, Central], case: int, tool: str,
                                        fmt: str) -> None:
    real, ours = centrals
    argv = ["ovn-trace"] if tool == "real" else [sys.executable, "-m", "pyovn", "trace"]
    dp, flow = MICROFLOWS[case]
    expected = real.trace(argv, dp, flow, fmt)
    assert "exit 0" in expected.splitlines()[0], expected
    assert ours.trace(argv, dp, flow, fmt) == expected
