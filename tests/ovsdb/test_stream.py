"""pyovn.ovsdb.stream: remote parsing, the process's SSL settings, and pssl:/ssl: in one process.

In one process the SSL settings are shared by the server and its clients (as in OVS, they are
per process), so these tests give both sides the same identity; tests with distinct identities
(another CA refused, configuration from the database, CA bootstrap) run servers as processes:
tests/cli/test_ovsdb_server_ssl.py and tests/interop/test_ssl_interop.py.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import orjson
import pytest

from pyovn import schemas
from pyovn.ctl.database import BackendError
from pyovn.ctl.database import connect as ctl_connect
from pyovn.ovsdb import stream
from pyovn.ovsdb.client.connection import Session
from pyovn.ovsdb.database import Database
from pyovn.ovsdb.schema import DatabaseSchema
from pyovn.ovsdb.server import OvsdbServer
from pyovn.testing.pki import have_ovs_pki, make_pki


@pytest.fixture(autouse=True)
def fresh_settings():
    saved = stream._state.settings
    stream._state.settings = stream.SslSettings()
    stream._state.cache.clear()
    yield
    stream._state.settings = saved
    stream._state.cache.clear()


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    if not have_ovs_pki():
        print("ovs-pki is not installed: SSL tests skipped")
        pytest.skip("ovs-pki is not installed")
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.mark.parametrize("text, kind, address, port", [
    ("unix:/run/nb.sock", "unix", "/run/nb.sock", 0),
    ("tcp:10.0.0.1:6641", "tcp", "10.0.0.1", 6641),
    ("ssl:10.0.0.1:6641", "ssl", "10.0.0.1", 6641),
    ("ssl:[::1]:6641", "ssl", "::1", 6641),
])
def test_parse_remote(text, kind, address, port):
    r = stream.parse_remote(text)
    assert (r.kind, r.address, r.port) == (kind, address, port)
    assert str(r) == text


@pytest.mark.parametrize("text", ["ssl:host", "ssl:", "pssl:6641", "tls:h:1", "ssl:h:x"])
def test_parse_remote_refuses(text):
    with pytest.raises(ValueError):
        stream.parse_remote(text)


def test_parse_remotes_list():
    assert [str(r) for r in stream.parse_remotes("ssl:a:1, tcp:b:2,unix:/c")] == \
        ["ssl:a:1", "tcp:b:2", "unix:/c"]


def test_configure_keeps_and_replaces():
    stream.configure_ssl({"private_key": "k", "certificate": "c"})
    s = stream.configure_ssl({"ca_cert": "ca"})
    assert (s.private_key, s.certificate, s.ca_cert, s.bootstrap_ca_cert) == ("k", "c", "ca", False)
    s = stream.configure_ssl({"bootstrap_ca_cert": "boot"})
    assert (s.ca_cert, s.bootstrap_ca_cert) == ("boot", True)
    s = stream.configure_ssl({"private_key": "k2"}, keep=False)
    assert (s.private_key, s.certificate, s.ca_cert) == ("k2", None, None)
    with pytest.raises(TypeError):
        stream.configure_ssl({"privkey": "x"})


def test_unconfigured_ssl_says_what_is_missing():
    with pytest.raises(stream.SslConfigError) as e:
        stream.client_context()
    assert "Private key must be configured to use SSL" in str(e.value)
    with pytest.raises(BackendError, match=r"ssl:127.0.0.1:1: database connection failed"):
        ctl_connect("ssl:127.0.0.1:1", "OVN_Northbound")


def test_bad_protocol_and_files(pki):
    stream.configure_ssl({**pki["client"].settings(), "ssl_protocols": "SSLv2"})
    with pytest.raises(stream.SslConfigError, match="SSLv2: SSL protocol not recognized"):
        stream.client_context()
    stream.configure_ssl({**pki["client"].settings(), "ssl_protocols": None,
                          "private_key": pki["server"].private_key}, keep=False)
    with pytest.raises(stream.SslConfigError):
        stream.client_context()  # key and certificate do not match


def test_context_follows_file_changes(pki, tmp_path):
    ident = pki["client"]
    ca = tmp_path / "ca.pem"
    ca.write_bytes(Path(ident.ca_cert).read_bytes())
    stream.configure_ssl({**ident.settings(), "ca_cert": str(ca)})
    first = stream.client_context()
    assert stream.client_context() is first
    st = os.stat(ca)
    os.utime(ca, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    assert stream.client_context() is not first


def _nb_server() -> OvsdbServer:
    srv = OvsdbServer(fsync=False)
    schema = orjson.loads(schemas.path("OVN_Northbound").read_bytes())
    srv.add_database(Database(DatabaseSchema.from_json(schema)))
    return srv


async def _with_pssl_server(body, protocols: str | None = None):
    srv = _nb_server()
    await srv.add_remote("pssl:0:127.0.0.1")
    try:
        return await body(srv, srv.bound_port("pssl:0:127.0.0.1"))
    finally:
        await srv.close()


def test_pssl_server_and_ssl_clients_in_one_process(pki):
    stream.configure_ssl(pki["server"].settings())

    async def body(srv, port):
        remote = stream.parse_remote(f"ssl:127.0.0.1:{port}")
        session = await Session.open(remote, probe_interval=0)
        try:
            dbs = await session.request("list_dbs", [])
            assert "OVN_Northbound" in dbs
            (peer,) = list(srv.sessions)
            assert peer.peer_id is not None and peer.peer_id.startswith("server id:")
        finally:
            await session.close()

        # the blocking path of the ctl tools, from a thread (the server runs in this loop)
        def ctl() -> list[str]:
            backend = ctl_connect(f"ssl:127.0.0.1:{port}", "OVN_Northbound")
            try:
                return sorted(backend.get_schema().tables)
            finally:
                backend.close()

        tables = await asyncio.to_thread(ctl)
        assert "Logical_Switch" in tables

    asyncio.run(_with_pssl_server(body))


def test_ssl_protocols_limit_the_version(pki):
    stream.configure_ssl({**pki["server"].settings(), "ssl_protocols": "TLSv1.2"})

    async def body(srv, port):
        reader, writer = await stream.parse_remote(f"ssl:127.0.0.1:{port}").open()
        try:
            assert writer.get_extra_info("ssl_object").version() == "TLSv1.2"
        finally:
            writer.close()

    asyncio.run(_with_pssl_server(body))


def test_tcp_client_on_pssl_is_dropped(pki, caplog):
    stream.configure_ssl(pki["server"].settings())

    async def body(srv, port):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b'{"method":"list_dbs","params":[],"id":1}')
        data = await asyncio.wait_for(reader.read(), 10)
        writer.close()
        assert not data.startswith(b"{")
        assert not srv.sessions

    asyncio.run(_with_pssl_server(body))
    assert "SSL_accept" in caplog.text
