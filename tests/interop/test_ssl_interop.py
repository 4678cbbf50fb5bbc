"""SSL both ways between pyovn and the real Open vSwitch 3.1 / OVN 23.03: real ovsdb-client and
ovn-nbctl on pyovn's pssl: server, pyovn's tools, IDL and northd on the real server's, and a
client whose certificate comes from another CA, refused by both servers alike.

A throw-away PKI is made with ovs-pki in the test's temp dir; every server runs in its own process
group and is killed whatever happens (ServerProcess; the northd process in a finally).
"""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pyovn import schemas
from pyovn.ovsdb import stream
from pyovn.ovsdb.client import Idl
from pyovn.testing.pki import have_ovs_pki, make_pki
from pyovn.testing.real import listening_port, require_real, stop_group
from pyovn.testing.wire import ServerProcess

pytestmark = pytest.mark.interop

NEED = ["ovsdb-server", "ovsdb-client", "ovsdb-tool", "ovn-nbctl", "ovn-sbctl", "ovs-pki"]
REASON = require_real(*NEED)
if REASON:
    print(REASON)
    pytest.skip(REASON, allow_module_level=True)
assert have_ovs_pki()

PY = [sys.executable, "-m", "pyovn"]
NB = str(schemas.path("OVN_Northbound"))
SB = str(schemas.path("OVN_Southbound"))
PORT = re.compile(r"socket_util\|INFO\|0:127\.0\.0\.1: listening on port (\d+)")


@pytest.fixture(scope="module")
def pkis(tmp_path_factory):
    good = make_pki(tmp_path_factory.mktemp("pki"), ("server", "client", "northd"))
    other = make_pki(tmp_path_factory.mktemp("pki2"), ("rogue",))
    return good, other


def bound_port(server: ServerProcess, timeout: float = 10.0) -> int:
    return listening_port(Path(server.dir) / "log", timeout)


def run(argv: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, timeout=30)


@pytest.fixture
def servers(tmp_path, pkis):
    """The real server and pyovn's, each serving a fresh OVN_Northbound on pssl:0:127.0.0.1."""
    good, _ = pkis
    out = {}
    try:
        for name, real in (("real", True), ("py", False)):
            (tmp_path / name).mkdir()
            srv = ServerProcess(tmp_path / name, [NB], real=real,
                                extra=["--remote=pssl:0:127.0.0.1", *good["server"].options()])
            out[name] = srv.start()
            out[name].port = bound_port(srv)  # type: ignore[attr-defined]
        yield out
    finally:
        for srv in out.values():
            srv.stop()


def norm(text: str, port: int) -> str:
    text = re.sub(r"^\S+\|\d+\|", "", text, flags=re.M)  # timestamps and sequence numbers
    return text.replace(str(port), "PORT")


def test_pssl_0_logs_the_port_as_the_real_server(servers):
    for srv in servers.values():
        lines = [ln for ln in (Path(srv.dir) / "log").read_text().splitlines() if "listening" in ln]
        assert [re.sub(r"^\S+\|\d+\|", "", ln) for ln in lines] == \
            [f"socket_util|INFO|0:127.0.0.1: listening on port {srv.port}"]


def test_real_clients_on_both_servers(servers, pkis):
    good, _ = pkis
    opts = good["client"].options()
    results = {}
    for name, srv in servers.items():
        db = f"ssl:127.0.0.1:{srv.port}"
        steps = [run(["ovsdb-client", *opts, "list-dbs", db]),
                 run(["ovn-nbctl", *opts, f"--db={db}", "ls-add", "sw0"]),
                 run(["ovn-nbctl", *opts, f"--db={db}", "lsp-add", "sw0", "p1"]),
                 run(["ovn-nbctl", *opts, f"--db={db}", "--columns=name", "list",
                      "Logical_Switch_Port"])]
        results[name] = [(r.returncode, r.stdout, norm(r.stderr, srv.port)) for r in steps]
    assert results["py"] == results["real"]
    assert results["py"][0][1].split() == ["OVN_Northbound", "_Server"]


def test_pyovn_tools_and_idl_on_the_real_server(servers, pkis):
    good, _ = pkis
    real = servers["real"]
    db = f"ssl:127.0.0.1:{real.port}"
    c = good["client"]
    r = run([*PY, "nbctl", *c.options(), f"--db={db}", "ls-add", "swx"])
    assert r.returncode == 0, r.stderr
    r = run([*PY, "ovsdb-client", *c.options(), "list-dbs", db])
    assert r.stdout.split() == ["OVN_Northbound", "_Server"], r.stderr
    r = run([*PY, "nbctl", *c.options(), f"--db={db}", "show"])
    assert "(swx)" in r.stdout, r.stderr

    saved = stream._state.settings
    stream.configure_ssl(c.settings(), keep=False)

    async def idl_round_trip() -> list[str]:
        idl = Idl(db, "OVN_Northbound")
        await idl.start(timeout=15)
        try:
            return sorted(st.values["name"] for st in idl.tables["Logical_Switch"].rows.values())
        finally:
            await idl.close()

    try:
        assert asyncio.run(idl_round_trip()) == ["swx"]
    finally:
        stream._state.settings = saved
        stream._state.cache.clear()
    # pyovn's clients close with an SSL close_notify: the real server logs no error
    assert "unexpected eof" not in (Path(real.dir) / "log").read_text()


def test_client_of_another_ca_is_refused_by_both(servers, pkis):
    good, other = pkis
    rogue = other["rogue"]
    seen = {}
    for name, srv in servers.items():
        db = f"ssl:127.0.0.1:{srv.port}"
        # it does not trust the server's CA: refused on the client side
        a = run(["ovsdb-client", *rogue.options(), "list-dbs", db])
        # it trusts the server's CA, but the server refuses its certificate
        b = run(["ovsdb-client", *rogue.options(good.ca_cert), "list-dbs", db])
        c = run(["ovn-nbctl", *rogue.options(good.ca_cert), f"--db={db}", "ls-list"])
        d = run([*PY, "nbctl", *rogue.options(good.ca_cert), f"--db={db}", "ls-list"])
        log = (Path(srv.dir) / "log").read_text()
        seen[name] = (
            (a.returncode, norm(a.stderr, srv.port)),
            # the client's last word without its errno: the real server sends an "unknown ca"
            # alert (the client reads it: EIO, or writes first: EPIPE); Python's ssl closes
            # without one (EPIPE, or EIO for the EOF)
            (b.returncode, b.stderr.splitlines()[-1].split(" (")[0]),
            (c.returncode, c.stderr.splitlines()[-1].split(" (")[0].replace(str(srv.port), "P")),
            d.returncode,
            # both servers log the refusal as a failed SSL_accept
            bool(re.search(r"stream_ssl\|WARN\|.*SSL_accept: ", log)),
        )
    assert seen["py"] == seen["real"], seen
    assert seen["py"][0][0] == 1 and seen["py"][1][0] == 1 and seen["py"][4]


def test_pyovn_northd_over_ssl_with_real_servers(tmp_path, pkis):
    good, _ = pkis
    (tmp_path / "nb").mkdir()
    (tmp_path / "sb").mkdir()
    nbs = ServerProcess(tmp_path / "nb", [NB], real=True,
                        extra=["--remote=pssl:0:127.0.0.1", *good["server"].options()])
    sbs = ServerProcess(tmp_path / "sb", [SB], real=True,
                        extra=["--remote=pssl:0:127.0.0.1", *good["server"].options()])
    northd: subprocess.Popen[bytes] | None = None
    try:
        nbs.start()
        sbs.start()
        nb_port, sb_port = bound_port(nbs), bound_port(sbs)
        northd = subprocess.Popen(
            [*PY, "northd", f"--ovnnb-db=ssl:127.0.0.1:{nb_port}",
             f"--ovnsb-db=ssl:127.0.0.1:{sb_port}", *good["northd"].options(),
             f"--unixctl={tmp_path}/northd.ctl", "--no-chdir", "-vconsole:off",
             f"--log-file={tmp_path}/northd.log"],
            start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        assert run(["ovn-nbctl", f"--db=unix:{nbs.sock}", "ls-add", "sw-ssl"]).returncode == 0
        deadline = time.monotonic() + 30
        out = ""
        while time.monotonic() < deadline:
            out = run(["ovn-sbctl", f"--db=unix:{sbs.sock}", "--bare", "--columns=external_ids",
                       "list", "Datapath_Binding"]).stdout
            if "sw-ssl" in out:
                break
            assert northd.poll() is None, (tmp_path / "northd.log").read_text()
            time.sleep(0.2)
        assert "sw-ssl" in out, (tmp_path / "northd.log").read_text()
    finally:
        if northd is not None:
            stop_group(northd)
        nbs.stop()
        sbs.stop()
