"""pyovn compat: shims named like the real binaries run pyovn's tools, so a shell script written
for the real OVN runs unchanged with the shim directory first on PATH."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

import pytest

from pyovn.cli import compat
from pyovn.cli.main import TOOLS

SCRIPT = r"""
set -e
cd "$WORK"
ovsdb-tool create nb.db "$SCHEMA"
ovsdb-server --detach --no-chdir --pidfile="$WORK/nb.pid" --unixctl="$WORK/nb.ctl" \
    --remote=punix:"$WORK/nb.sock" --log-file="$WORK/nb.log" nb.db
ovn-nbctl --db=unix:"$WORK/nb.sock" ls-add sw0
ovn-nbctl --db=unix:"$WORK/nb.sock" lsp-add sw0 p1
ovn-nbctl --db=unix:"$WORK/nb.sock" show
ovsdb-client dump unix:"$WORK/nb.sock" OVN_Northbound Logical_Switch name
cat "$WORK/nb.pid" > "$WORK/server.pid"
tr '\0' ' ' < /proc/$(cat "$WORK/nb.pid")/cmdline > "$WORK/server.cmdline"
ovs-appctl -t "$WORK/nb.ctl" exit
"""


def test_list_shows_only_existing_tools(capsys):
    assert compat.main(["--list"]) == 0
    out = capsys.readouterr().out
    assert "ovn-nbctl        pyovn nbctl\n" in out
    assert "ovsdb-client     pyovn ovsdb-client\n" in out
    names = [line.split()[0] for line in out.splitlines()]
    assert all(compat.REAL_NAMES[n] in TOOLS for n in names)
    assert "ovs-appctl" not in names or "appctl" in TOOLS


def test_shims_are_executable_and_refuse_foreign_files(tmp_path, capsys):
    assert compat.main([str(tmp_path / "bin")]) == 0
    shim = tmp_path / "bin" / "ovsdb-tool"
    assert os.access(shim, os.X_OK)
    assert sys.executable in shim.read_text()
    r = subprocess.run([str(shim), "schema-name", str(_schema())], capture_output=True,
                       text=True, timeout=30)
    assert r.stdout == "OVN_Northbound\n", r.stderr
    assert compat.main([str(tmp_path / "bin")]) == 0  # rewriting our own shims is fine
    foreign = tmp_path / "bin2"
    foreign.mkdir()
    (foreign / "ovn-nbctl").write_text("#!/bin/sh\necho real\n")
    assert compat.main([str(foreign)]) == 1
    assert "not a pyovn shim" in capsys.readouterr().err
    assert compat.main(["--force", str(foreign)]) == 0


def _schema():
    from pyovn import schemas

    return schemas.path("OVN_Northbound")


def test_script_for_real_tools_runs_pyovn(tmp_path):
    if shutil.which("ovs-appctl") is None:
        print("skipping: ovs-appctl (the script's way to stop the server) is not installed")
        pytest.skip("ovs-appctl not installed")
    bindir = tmp_path / "bin"
    assert compat.main([str(bindir)]) == 0
    work = tmp_path / "work"
    work.mkdir()
    env = dict(os.environ, PATH=f"{bindir}:{os.environ['PATH']}", WORK=str(work),
               SCHEMA=str(_schema()))
    r = subprocess.run(["sh", "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 0, r.stderr
    assert 'switch ' in r.stdout and "(sw0)" in r.stdout and "port p1" in r.stdout
    assert "Logical_Switch table\nname\n----\nsw0\n" in r.stdout
    # the server the script started was pyovn's, and `ovs-appctl exit` stopped it
    pid = int((work / "server.pid").read_text())
    assert "-m pyovn ovsdb-server" in (work / "server.cmdline").read_text()
    deadline = time.monotonic() + 10
    while os.path.exists(f"/proc/{pid}") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not (work / "nb.pid").exists()
