"""``pyovn lint`` end to end on pyovn's own ovsdb-server: exit statuses, text and JSON output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pyovn.testing.real import OvsdbServerProcess

PY = [sys.executable, "-m", "pyovn"]


def run(*argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*PY, *argv], capture_output=True, text=True, timeout=60, env=env)


@pytest.fixture
def nb(tmp_path: Path):
    server = OvsdbServerProcess(tmp_path, "OVN_Northbound",
                                argv_prefix=[*PY, "ovsdb-server"],
                                tool_prefix=[*PY, "ovsdb-tool"],
                                extra_args=["--no-fsync"])
    with server:
        yield server.remote


def nbctl(remote: str, *commands: list[str]) -> None:
    argv = ["nbctl", f"--db={remote}"]
    for i, c in enumerate(commands):
        argv += (["--"] if i else []) + c
    r = run(*argv)
    assert r.returncode == 0, r.stderr


def test_connection_failure_is_exit_2(tmp_path: Path) -> None:
    r = run("lint", "--db", f"unix:{tmp_path}/none.sock")
    assert r.returncode == 2
    assert r.stderr == (f"pyovn lint: unix:{tmp_path}/none.sock: database connection failed "
                        "(No such file or directory)\n")
    assert r.stdout == ""


def test_default_database_follows_ovn_rundir(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "OVN_NB_DB"}
    env["OVN_RUNDIR"] = str(tmp_path)
    r = run("lint", env=env)
    assert r.returncode == 2 and f"unix:{tmp_path}/ovnnb_db.sock" in r.stderr


def test_unknown_check_and_list() -> None:
    r = run("lint", "--only", "no-such-check")
    assert r.returncode == 2 and "no-such-check" in r.stderr
    r = run("lint", "--list")
    assert r.returncode == 0 and "nat-no-gateway" in r.stdout


def test_clean_then_broken(nb: str) -> None:
    nbctl(nb, ["ls-add", "sw0"], ["lsp-add", "sw0", "vm1"],
          ["lsp-set-addresses", "vm1", "50:54:00:00:00:01 10.0.0.5"],
          ["lr-add", "lr0"], ["lrp-add", "lr0", "lr0-sw0", "00:00:00:00:ff:01", "10.0.0.1/24"],
          ["lrp-add", "lr0", "lr0-pub", "00:00:00:00:ff:02", "172.16.0.1/24"],
          ["lsp-add", "sw0", "sw0-lr0"], ["lsp-set-type", "sw0-lr0", "router"],
          ["lsp-set-addresses", "sw0-lr0", "router"],
          ["lsp-set-options", "sw0-lr0", "router-port=lr0-sw0"])
    r = run("lint", "--db", nb)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.startswith("no problems found")

    nbctl(nb, ["lr-nat-add", "lr0", "dnat_and_snat", "172.16.0.100", "10.0.0.5"])
    r = run("lint", "--db", nb)
    assert r.returncode == 1
    assert r.stdout.startswith("ERROR nat-no-gateway: router lr0 has 1 NAT rule(s)")
    assert "  fix:  ovn-nbctl lrp-set-gateway-chassis lr0-pub <CHASSIS> 20\n" in r.stdout
    doc = json.loads(run("lint", "--db", nb, "--format", "json").stdout)
    [f] = doc["findings"]
    assert f["check"] == "nat-no-gateway" and f["severity"] == "error"
    assert [x["table"] for x in f["rows"]] == ["Logical_Router", "NAT"]
    assert all(len(x["uuid"]) == 36 for x in f["rows"])
    assert doc["summary"] == {"findings": 1, "errors": 1, "warnings": 0}

    nbctl(nb, ["lrp-set-gateway-chassis", "lr0-pub", "ch1", "20"])
    assert run("lint", "--db", nb).returncode == 0
