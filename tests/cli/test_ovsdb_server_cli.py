"""pyovn ovsdb-server behaves like the real one for harnesses: --detach returns once serving,
the pidfile names the daemon, SIGTERM and `ovs-appctl exit` stop it cleanly, ptcp: and db:
remotes listen, errors are reported with the real exit status."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest

from pyovn import schemas
from pyovn.ovsdb import storage
from pyovn.testing.wire import RawClient, have

PY = [sys.executable, "-m", "pyovn"]


def make_db(d: Path, name: str = "OVN_Northbound") -> str:
    path = str(d / "db.db")
    storage.create(path, orjson.loads(schemas.path(name).read_bytes()))
    return path


def wait_gone(pid: int, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


def test_detach_pidfile_sigterm(tmp_path):
    db = make_db(tmp_path)
    sock, pidfile, ctl = tmp_path / "sock", tmp_path / "x.pid", tmp_path / "ctl"
    r = subprocess.run([*PY, "ovsdb-server", "--detach", f"--pidfile={pidfile}",
                        f"--remote=punix:{sock}", f"--unixctl={ctl}", "--no-chdir",
                        f"--log-file={tmp_path}/log", db], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    # --detach returns only once the daemon serves: the socket answers at once
    c = RawClient(str(sock))
    assert "OVN_Northbound" in c.call("list_dbs", [])["result"]
    pid = int(pidfile.read_text())
    assert pid != os.getpid()
    # a second daemon with the same pidfile refuses to start
    r2 = subprocess.run([*PY, "ovsdb-server", "--detach", f"--pidfile={pidfile}",
                         f"--remote=punix:{tmp_path}/sock2", "--no-chdir", db],
                        capture_output=True, text=True, timeout=30)
    assert r2.returncode != 0
    os.kill(pid, signal.SIGTERM)
    assert wait_gone(pid)
    assert not pidfile.exists() and not ctl.exists()
    assert "ovsdb-server (pyovn)" in (tmp_path / "log").read_text()


@pytest.mark.interop
def test_real_ovs_appctl_drives_pyovn(tmp_path):
    if not have("ovs-appctl"):
        pytest.skip("ovs-appctl not installed")
    db = make_db(tmp_path)
    sock, ctl = tmp_path / "sock", tmp_path / "ctl"
    p = subprocess.Popen([*PY, "ovsdb-server", f"--remote=punix:{sock}", f"--unixctl={ctl}",
                          "--no-chdir", db])
    try:
        for _ in range(200):
            if ctl.exists() and sock.exists():
                break
            time.sleep(0.05)
        out = subprocess.run(["ovs-appctl", "-t", str(ctl), "ovsdb-server/list-dbs"],
                             capture_output=True, text=True, timeout=10)
        assert out.stdout.split() == ["_Server", "OVN_Northbound"]
        out = subprocess.run(["ovs-appctl", "-t", str(ctl), "no/such-command"],
                             capture_output=True, text=True, timeout=10)
        assert out.returncode != 0 and "is not a valid command" in out.stderr
        out = subprocess.run(["ovs-appctl", "-t", str(ctl), "ovsdb-server/compact"],
                             capture_output=True, text=True, timeout=10)
        assert out.returncode == 0, out.stderr
        subprocess.run(["ovs-appctl", "-t", str(ctl), "exit"], check=True, timeout=10)
        assert p.wait(10) == 0
    finally:
        if p.poll() is None:
            p.kill()


def test_ptcp_and_db_remote(tmp_path):
    db = make_db(tmp_path)
    sock, ctl = tmp_path / "sock", tmp_path / "ctl"
    p = subprocess.Popen([*PY, "ovsdb-server", f"--remote=punix:{sock}", f"--unixctl={ctl}",
                          "--remote=db:OVN_Northbound,NB_Global,connections",
                          "--no-chdir", f"--log-file={tmp_path}/log", db])
    try:
        for _ in range(200):
            if sock.exists():
                break
            time.sleep(0.05)
        c = RawClient(str(sock))
        # find a free port, then configure it as a connection in the database
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        c.transact("OVN_Northbound",
                   {"op": "insert", "table": "Connection", "row": {"target": f"ptcp:{port}:127.0.0.1"},
                    "uuid-name": "c"},
                   {"op": "insert", "table": "NB_Global",
                    "row": {"connections": ["named-uuid", "c"]}})
        deadline = time.monotonic() + 10
        while True:
            try:
                t = socket.create_connection(("127.0.0.1", port), timeout=1)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        t.sendall(b'{"method":"list_dbs","params":[],"id":1}')
        assert b"OVN_Northbound" in t.recv(4096)
        t.close()
    finally:
        p.terminate()
        assert p.wait(10) == 0


def test_errors_like_the_real_server(tmp_path):
    r = subprocess.run([*PY, "ovsdb-server", "--remote=punix:" + str(tmp_path / "s"),
                        str(tmp_path / "missing.db")], capture_output=True, text=True, timeout=30)
    assert r.returncode == 1
    assert "missing.db" in r.stderr
    bad = tmp_path / "bad.db"
    bad.write_text("not an ovsdb file\n")
    r = subprocess.run([*PY, "ovsdb-server", "--remote=punix:" + str(tmp_path / "s"), str(bad)],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 1 and "bad.db" in r.stderr


_PORT_LINE = re.compile(r"\|(\d{5})\|socket_util\|INFO\|0:127\.0\.0\.1: listening on port (\d+)$",
                        re.M)


def _start_like_ovsdbapp(prog: list[str], tmp_path: Path, db: str) -> tuple[str, int]:
    """ovsdbapp's OvsdbServerFixture: --detach, console off but socket_util's INFO, ptcp:0; the
    port is read from what the command printed (``listening on port (\\d+)``)."""
    r = subprocess.run(
        [*prog, "--detach", "--no-chdir", "-vconsole:off", f"--pidfile={tmp_path}/s.pid",
         f"--log-file={tmp_path}/s.log", f"--remote=punix:{tmp_path}/s.sock",
         f"--unixctl={tmp_path}/s.ctl", "--remote=ptcp:0:127.0.0.1",
         "-vsocket_util:console:info", db],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=30)
    assert r.returncode == 0, r.stdout
    return r.stdout, int((tmp_path / "s.pid").read_text())


def test_ptcp_0_port_logged_as_ovsdbapp_reads_it(tmp_path):
    db = make_db(tmp_path)
    out, pid = _start_like_ovsdbapp([*PY, "ovsdb-server"], tmp_path, db)
    try:
        # the console: only that line (console off for the other modules)
        (m,) = _PORT_LINE.finditer(out)
        assert out == m.string and out.count("\n") == 1
        port = int(m.group(2))
        with socket.create_connection(("127.0.0.1", port), timeout=5) as t:
            t.sendall(b'{"method":"list_dbs","params":[],"id":1}')
            assert b"OVN_Northbound" in t.recv(4096)
        # the log file: the same message with the same sequence number
        (f,) = _PORT_LINE.finditer((tmp_path / "s.log").read_text())
        assert f.groups() == m.groups()
    finally:
        os.kill(pid, signal.SIGTERM)
        assert wait_gone(pid)


@pytest.mark.interop
def test_ptcp_0_line_matches_the_real_server(tmp_path):
    if not have("ovsdb-server"):
        pytest.skip("ovsdb-server not installed")
    lines = []
    for name, prog in (("real", ["ovsdb-server"]), ("pyovn", [*PY, "ovsdb-server"])):
        d = tmp_path / name
        d.mkdir()
        out, pid = _start_like_ovsdbapp(prog, d, make_db(d))
        try:
            port_text = _PORT_LINE.search(out)
            assert port_text is not None, f"{name}: {out!r}"
            lines.append(re.sub(r"^[^|]+\|", "", out).replace(port_text.group(2), "<port>"))
        finally:
            os.kill(pid, signal.SIGTERM)
            assert wait_gone(pid)
    assert lines[0] == lines[1] == "00002|socket_util|INFO|0:127.0.0.1: listening on port <port>\n"
