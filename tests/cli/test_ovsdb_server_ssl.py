"""``pyovn ovsdb-server`` on pssl: with pyovn's tools as clients (no real binary but ovs-pki).

Each server is a process (the SSL settings are per process) started by ServerProcess, which
kills its process group whatever happens; the PKI and the databases live in the test's tmp_path.
The port of ``pssl:0`` is read from the log line the real server writes too.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from pyovn import schemas
from pyovn.testing.pki import have_ovs_pki, make_pki
from pyovn.testing.real import listening_port
from pyovn.testing.wire import ServerProcess

PY = [sys.executable, "-m", "pyovn"]
NB = str(schemas.path("OVN_Northbound"))


@pytest.fixture(scope="module")
def pkis(tmp_path_factory):
    if not have_ovs_pki():
        print("ovs-pki is not installed: SSL tests skipped")
        pytest.skip("ovs-pki is not installed")
    good = make_pki(tmp_path_factory.mktemp("pki"), ("server", "client"))
    other = make_pki(tmp_path_factory.mktemp("pki2"), ("rogue",))
    return good, other


def bound_port(server: ServerProcess, timeout: float = 10.0, nth: int = 0) -> int:
    return listening_port(Path(server.dir) / "log", timeout, nth)


def run(argv: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, timeout=30)


@pytest.fixture
def pssl_server(tmp_path, pkis):
    good, _ = pkis
    srv = ServerProcess(tmp_path, [NB], extra=["--remote=pssl:0:127.0.0.1",
                                               *good["server"].options()])
    srv.start()
    try:
        yield srv, bound_port(srv)
    finally:
        srv.stop()


def test_pyovn_tools_over_ssl(pssl_server, pkis):
    srv, port = pssl_server
    good, _ = pkis
    db = f"ssl:127.0.0.1:{port}"
    r = run([*PY, "nbctl", *good["client"].options(), f"--db={db}", "ls-add", "sw0"])
    assert r.returncode == 0, r.stderr
    long_opts = [f"--private-key={good['client'].private_key}",
                 f"--certificate={good['client'].certificate}", f"--ca-cert={good.ca_cert}"]
    r = run([*PY, "nbctl", *long_opts, f"--db={db}", "ls-list"])
    assert r.returncode == 0 and "(sw0)" in r.stdout, r.stderr
    r = run([*PY, "ovsdb-client", *good["client"].options(), "list-dbs", db])
    assert r.stdout.split() == ["OVN_Northbound", "_Server"], r.stderr
    # the same database over unix: is unchanged
    r = run([*PY, "nbctl", f"--db=unix:{srv.sock}", "ls-list"])
    assert "(sw0)" in r.stdout


def test_client_of_another_ca_is_refused(pssl_server, pkis):
    srv, port = pssl_server
    good, other = pkis
    db = f"ssl:127.0.0.1:{port}"
    # it does not trust the server's CA: the client gives up
    r = run([*PY, "ovsdb-client", *other["rogue"].options(), "list-dbs", db])
    assert r.returncode == 1
    assert f'failed to connect to "{db}" (Protocol error)' in r.stderr
    # it trusts the server, but the server does not trust its certificate
    r = run([*PY, "nbctl", *other["rogue"].options(good.ca_cert), f"--db={db}", "ls-list"])
    assert r.returncode == 1 and "database connection failed" in r.stderr
    log = (Path(srv.dir) / "log").read_text()
    assert re.search(r"stream_ssl\|WARN\|ssl:127\.0\.0\.1:\d+: SSL_accept: ", log), log


def test_ssl_configuration_from_the_database(tmp_path, pkis):
    """ovn-ctl's command line: SSL files and remotes named by db: columns, read again when the
    database changes."""
    good, other = pkis
    db_opts = [f"--{opt}=db:OVN_Northbound,SSL,{col}" for opt, col in (
        ("private-key", "private_key"), ("certificate", "certificate"), ("ca-cert", "ca_cert"),
        ("ssl-protocols", "ssl_protocols"), ("ssl-ciphers", "ssl_ciphers"))]
    srv = ServerProcess(tmp_path, [NB], extra=["--remote=db:OVN_Northbound,NB_Global,connections",
                                               *db_opts])
    srv.start()
    try:
        unix = [*PY, "nbctl", f"--db=unix:{srv.sock}"]
        assert run([*unix, "init"]).returncode == 0
        c = good["client"]
        r = run([*unix, "set-ssl", good["server"].private_key, good["server"].certificate,
                 good.ca_cert])
        assert r.returncode == 0, r.stderr
        assert run([*unix, "set-connection", "pssl:0:127.0.0.1"]).returncode == 0
        db = f"ssl:127.0.0.1:{bound_port(srv)}"
        r = run([*PY, "nbctl", *c.options(), f"--db={db}", "ls-add", "sw1"])
        assert r.returncode == 0, r.stderr
        # now clients must be signed by the other CA
        r = run([*unix, "set-ssl", good["server"].private_key, good["server"].certificate,
                 other.ca_cert])
        assert r.returncode == 0, r.stderr
        r = run([*PY, "nbctl", *c.options(), f"--db={db}", "ls-list"])
        assert r.returncode == 1
        r = run([*PY, "nbctl", *other["rogue"].options(good.ca_cert), f"--db={db}", "ls-list"])
        assert r.returncode == 0 and "(sw1)" in r.stdout, r.stderr
    finally:
        srv.stop()


def test_bootstrap_ca_cert(tmp_path, pkis):
    good, _ = pkis
    srv = ServerProcess(tmp_path, [NB], extra=["--remote=pssl:0:127.0.0.1",
                                               *good["server"].options(),
                                               f"--peer-ca-cert={good.ca_cert}"])
    srv.start()
    try:
        db = f"ssl:127.0.0.1:{bound_port(srv)}"
        boot = tmp_path / "boot-cacert.pem"
        c = good["client"]
        r = run([*PY, "ovsdb-client", "-p", c.private_key, "-c", c.certificate,
                 f"--bootstrap-ca-cert={boot}", "list-dbs", db])
        assert r.returncode == 0, r.stderr
        pem = Path(good.ca_cert).read_text()
        assert boot.read_text().strip() == pem[pem.index("-----BEGIN"):].strip()
        # from then on the file is the CA
        r = run([*PY, "nbctl", "-p", c.private_key, "-c", c.certificate,
                 f"--bootstrap-ca-cert={boot}", f"--db={db}", "ls-list"])
        assert r.returncode == 0, r.stderr
    finally:
        srv.stop()
