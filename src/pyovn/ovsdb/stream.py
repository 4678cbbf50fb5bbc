"""Streams to OVSDB peers: the one place a remote string becomes a connection (unix, tcp, ssl).

How it works:

* :func:`parse_remote` turns ``unix:PATH``, ``tcp:HOST:PORT`` or ``ssl:HOST:PORT`` (IPv6 hosts in
  brackets) into a :class:`Remote`. :meth:`Remote.open` opens asyncio streams, the one
  client's connection (:mod:`pyovn.ovsdb.client`; the tools' blocking use goes through it
  too). A failed TLS handshake is logged with OpenSSL's reason and raised as EPROTO.
* SSL settings are process-wide, as in Open vSwitch's stream-ssl: :func:`configure_ssl` records
  file names, protocols and ciphers (the ``-p/-c/-C``, ``--bootstrap-ca-cert``,
  ``--peer-ca-cert``, ``--ssl-protocols``, ``--ssl-ciphers`` options of every tool).
  :func:`client_context` / :func:`server_context` build an :class:`ssl.SSLContext` from them and
  build it again when a setting or one of the files' mtimes changes (OVS re-reads changed files).
* Both sides verify the peer's certificate against the CA certificate, and only that: no host
  name check (OVS checks the chain, not names); a server requires a client certificate. CA
  ``none`` turns verification off, as in OVS.
* ``--bootstrap-ca-cert=FILE`` (client side): while FILE does not exist, the server's certificate
  is not verified; after the handshake the top certificate of the chain it sent is saved to FILE
  if it is self-signed (a CA), the connection is dropped and opened again, verified from then on.
  A server whose CA file is missing cannot verify clients, so it refuses them (OVS alike).
* :func:`start_tls_server` listens for ``pssl:``: each accepted connection gets the server
  context current at accept time (so a server's SSL configuration can change while it listens);
  the protocol's transport gives the verified client certificate, whose common name
  (:func:`peer_common_name`) is what OVN's RBAC matches against chassis names.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import socket
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from pyovn.util.vlog import get_logger

__all__ = [
    "Remote",
    "SSL_OPTIONS",
    "SslConfigError",
    "SslSettings",
    "add_ssl_arguments",
    "apply_ssl_arguments",
    "client_context",
    "configure_ssl",
    "parse_remote",
    "parse_remotes",
    "peer_common_name",
    "server_context",
    "ssl_settings",
    "start_tls_server",
]

_log = get_logger("stream_ssl")
_READ_CHUNK = 256 * 1024
DEFAULT_PROTOCOLS = "TLSv1,TLSv1.1,TLSv1.2"
DEFAULT_CIPHERS = "HIGH:!aNULL:!MD5"
HANDSHAKE_TIMEOUT = 10.0


class SslConfigError(OSError):
    """SSL is not (or not correctly) configured; the text is what OVS logs."""

    def __init__(self, msg: str):
        super().__init__(errno.ENOPROTOOPT, msg)

    def __str__(self) -> str:
        return str(self.strerror)


# --- settings -------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class SslSettings:
    private_key: str | None = None
    certificate: str | None = None
    ca_cert: str | None = None
    bootstrap_ca_cert: bool = False
    peer_ca_cert: str | None = None
    protocols: str | None = None
    ciphers: str | None = None

    @property
    def configured(self) -> bool:
        return bool(self.private_key or self.certificate or self.ca_cert)


@dataclass
class _State:
    settings: SslSettings = field(default_factory=SslSettings)
    cache: dict[bool, tuple[Any, ssl.SSLContext]] = field(default_factory=dict)


_state = _State()


def ssl_settings() -> SslSettings:
    return _state.settings


SSL_OPTIONS = ("private_key", "certificate", "ca_cert", "bootstrap_ca_cert", "peer_ca_cert",
               "ssl_protocols", "ssl_ciphers")


def configure_ssl(options: Mapping[str, str | None], *, keep: bool = True) -> SslSettings:
    """Set the process's SSL configuration from options named as in :data:`SSL_OPTIONS` (the
    tools' long options with ``_``). ``bootstrap_ca_cert`` is a CA file name, as the option's
    argument (it replaces ``ca_cert``). With ``keep``, options absent or None keep their current
    value (options given one by one); without, they are cleared (a server re-reading its
    database)."""
    unknown = set(options) - set(SSL_OPTIONS)
    if unknown:
        raise TypeError(f"unknown SSL options: {sorted(unknown)}")
    old = _state.settings if keep else SslSettings()

    def get(name: str, current: str | None) -> str | None:
        value = options.get(name)
        return value if value is not None else current

    ca, boot = old.ca_cert, old.bootstrap_ca_cert
    if options.get("bootstrap_ca_cert") is not None:
        ca, boot = options["bootstrap_ca_cert"], True
    elif options.get("ca_cert") is not None:
        ca, boot = options["ca_cert"], False
    new = replace(old, private_key=get("private_key", old.private_key),
                  certificate=get("certificate", old.certificate), ca_cert=ca,
                  bootstrap_ca_cert=boot, peer_ca_cert=get("peer_ca_cert", old.peer_ca_cert),
                  protocols=get("ssl_protocols", old.protocols),
                  ciphers=get("ssl_ciphers", old.ciphers))
    _state.settings = new
    return new


SSL_HELP = {
    "--private-key": "SSL: this side's private key (PEM)",
    "--certificate": "SSL: the certificate for that key",
    "--ca-cert": "SSL: the CA certificate the peer's certificate must be signed by",
    "--bootstrap-ca-cert": "SSL: like --ca-cert, but fetched from the peer on first contact "
                           "while the file does not exist",
    "--peer-ca-cert": "SSL: an extra CA certificate sent to the peer with this side's",
    "--ssl-protocols": "SSL: the TLS versions to allow (comma-separated)",
    "--ssl-ciphers": "SSL: the cipher suites to allow (OpenSSL cipher list)",
}
SSL_METAVAR = {"--bootstrap-ca-cert": "FILE", "--peer-ca-cert": "FILE",
               "--ssl-protocols": "LIST", "--ssl-ciphers": "LIST"}


def add_ssl_arguments(parser: Any, short: bool = True) -> None:
    """The SSL options of OVS daemons and tools, on an argparse parser."""
    for opt, letter in (("--private-key", "-p"), ("--certificate", "-c"), ("--ca-cert", "-C")):
        names = (letter, opt) if short else (opt,)
        parser.add_argument(*names, dest=opt[2:].replace("-", "_"), metavar="FILE",
                            help=SSL_HELP[opt])
    for opt in ("--bootstrap-ca-cert", "--peer-ca-cert", "--ssl-protocols", "--ssl-ciphers"):
        parser.add_argument(opt, dest=opt[2:].replace("-", "_"), metavar=SSL_METAVAR[opt],
                            help=SSL_HELP[opt])


def apply_ssl_arguments(args: Any) -> None:
    """configure_ssl() from what :func:`add_ssl_arguments` parsed (absent ones: None)."""
    configure_ssl({k: getattr(args, k, None) for k in SSL_OPTIONS})


# --- contexts -------------------------------------------------------------------------------------

_VERSIONS = {"tlsv1": ssl.TLSVersion.TLSv1, "tlsv1.1": ssl.TLSVersion.TLSv1_1,
             "tlsv1.2": ssl.TLSVersion.TLSv1_2}


def _mtime(path: str | None) -> float | None:
    if not path:
        return None
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return None


def _bootstrapping(s: SslSettings) -> bool:
    return bool(s.bootstrap_ca_cert and s.ca_cert and not os.path.exists(s.ca_cert))


def _build(s: SslSettings, server_side: bool) -> ssl.SSLContext:
    problems = []
    if not s.private_key:
        problems.append("Private key must be configured to use SSL")
    if not s.certificate:
        problems.append("Certificate must be configured to use SSL")
    if not s.ca_cert:
        problems.append("CA certificate must be configured to use SSL")
    if problems:
        raise SslConfigError("; ".join(problems))
    assert s.private_key and s.certificate and s.ca_cert
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER if server_side else ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    try:
        if s.peer_ca_cert:
            ctx.load_cert_chain(_with_chain(s.certificate, s.peer_ca_cert), s.private_key)
        else:
            ctx.load_cert_chain(s.certificate, s.private_key)
    except (ssl.SSLError, OSError) as e:
        raise SslConfigError(f"SSL_use_certificate_file/SSL_use_PrivateKey_file: {e}") from None
    if s.ca_cert == "none":
        ctx.verify_mode = ssl.CERT_NONE
    elif _bootstrapping(s):
        # a client takes the server's CA on trust this once; a server has nothing to check with
        ctx.verify_mode = ssl.CERT_NONE if not server_side else ssl.CERT_REQUIRED
    else:
        try:
            ctx.load_verify_locations(s.ca_cert)
        except (ssl.SSLError, OSError) as e:
            raise SslConfigError(f"SSL_CTX_load_verify_locations: {s.ca_cert}: {e}") from None
        ctx.verify_mode = ssl.CERT_REQUIRED
    if s.protocols and s.protocols != DEFAULT_PROTOCOLS:
        chosen = []
        for word in s.protocols.replace(",", " ").replace("\t", " ").split():
            v = _VERSIONS.get(word.lower())
            if v is None:
                raise SslConfigError(f"{word}: SSL protocol not recognized")
            chosen.append(v)
        if chosen:
            # OVS turns protocols on one by one; OpenSSL ranges cover the usual choices
            ctx.minimum_version, ctx.maximum_version = min(chosen), max(chosen)
    try:
        ctx.set_ciphers(s.ciphers or DEFAULT_CIPHERS)
    except ssl.SSLError as e:
        raise SslConfigError(f"SSL_CTX_set_cipher_list: {e}") from None
    return ctx


def _with_chain(certificate: str, extra: str) -> str:
    """A PEM file holding the certificate followed by the extra certificates to send."""
    import tempfile

    with open(certificate, "rb") as f:
        data = f.read()
    with open(extra, "rb") as f:
        data += b"\n" + f.read()
    fd, path = tempfile.mkstemp(prefix="pyovn-chain-", suffix=".pem")
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    import atexit

    def remove() -> None:
        with contextlib.suppress(OSError):
            os.unlink(path)

    atexit.register(remove)
    return path


def _context(server_side: bool) -> ssl.SSLContext:
    s = _state.settings
    key = (s, _mtime(s.private_key), _mtime(s.certificate), _mtime(s.ca_cert),
           _mtime(s.peer_ca_cert))
    hit = _state.cache.get(server_side)
    if hit is not None and hit[0] == key:
        return hit[1]
    ctx = _build(s, server_side)
    _state.cache[server_side] = (key, ctx)
    return ctx


def client_context() -> ssl.SSLContext:
    """The context for ``ssl:`` connections, from the current settings (SslConfigError)."""
    return _context(False)


def server_context() -> ssl.SSLContext:
    """The context for connections accepted on ``pssl:``."""
    return _context(True)


def peer_common_name(cert: Any) -> str | None:
    """The commonName of a certificate as :meth:`ssl.SSLSocket.getpeercert` returns it."""
    if not cert:
        return None
    for rdn in cert.get("subject", ()):
        for k, v in rdn:
            if k == "commonName":
                return str(v)
    return None


def _describe(e: BaseException) -> str:
    if isinstance(e, ssl.SSLError):
        return e.verify_message if isinstance(e, ssl.SSLCertVerificationError) \
            and e.verify_message else (e.reason or str(e)).lower().replace("_", " ")
    return str(e) or type(e).__name__


def _bootstrap(sslobj: Any, s: SslSettings) -> None:
    """Save the CA certificate the server sent (the top of its chain), as OVS does."""
    chain = []
    with_chain = getattr(sslobj, "get_unverified_chain", None) \
        or getattr(getattr(sslobj, "_sslobj", None), "get_unverified_chain", None)
    if with_chain is not None:
        chain = list(with_chain() or [])
    if not chain:
        _log.error("could not bootstrap CA cert: no certificate presented by peer")
        raise ssl.SSLError("bootstrap failed")
    top = chain[-1]
    info = top.get_info()
    if info.get("subject") != info.get("issuer"):
        _log.error("could not bootstrap CA cert: obtained certificate is not self-signed")
        if len(chain) < 2:
            _log.error("only one certificate was received, so probably the peer is not "
                       "configured to send its CA certificate")
        raise ssl.SSLError("bootstrap failed")
    assert s.ca_cert
    pem = top.public_bytes(ssl._ssl.ENCODING_PEM)  # type: ignore[attr-defined]
    try:
        fd = os.open(s.ca_cert, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o444)
    except FileExistsError:
        _log.info("reading CA cert %s created by another process", s.ca_cert)
        return
    with os.fdopen(fd, "w") as f:
        f.write(pem)
    _log.info("successfully bootstrapped CA cert to %s", s.ca_cert)
    _log.info("killing successful connection to retry using CA cert")


# --- remotes --------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Remote:
    """One active remote: ``unix:PATH``, ``tcp:HOST:PORT`` or ``ssl:HOST:PORT``."""

    kind: str  # "unix" | "tcp" | "ssl"
    address: str  # socket path, or host
    port: int = 0

    def __str__(self) -> str:
        if self.kind == "unix":
            return f"unix:{self.address}"
        host = f"[{self.address}]" if ":" in self.address else self.address
        return f"{self.kind}:{host}:{self.port}"

    async def open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self.kind == "unix":
            return await asyncio.open_unix_connection(self.address, limit=_READ_CHUNK)
        if self.kind == "tcp":
            return await asyncio.open_connection(self.address, self.port, limit=_READ_CHUNK)
        for _ in range(2):
            boot = _bootstrapping(_state.settings)
            try:
                reader, writer = await asyncio.open_connection(
                    self.address, self.port, limit=_READ_CHUNK, ssl=client_context(),
                    server_hostname="", ssl_handshake_timeout=HANDSHAKE_TIMEOUT)
            except ssl.SSLError as e:
                # OVS logs OpenSSL's reason and reports the connection's failure as EPROTO
                _log.warning("SSL_connect: %s", _describe(e))
                raise OSError(errno.EPROTO, os.strerror(errno.EPROTO)) from e
            if not boot:
                return reader, writer
            try:
                _bootstrap(writer.get_extra_info("ssl_object"), _state.settings)
            finally:
                writer.close()
        raise OSError(errno.EPROTO, "CA certificate bootstrap did not complete")


def parse_remote(text: str) -> Remote:
    """Parse one active remote; raises ValueError for unsupported or malformed ones."""
    text = text.strip()
    kind, sep, rest = text.partition(":")
    if not sep or not rest:
        raise ValueError(f"{text!r}: remote must be unix:PATH, tcp:HOST:PORT or ssl:HOST:PORT")
    if kind == "unix":
        return Remote("unix", rest)
    if kind in ("tcp", "ssl"):
        if rest.startswith("["):
            host, _, port = rest[1:].partition("]:")
        else:
            host, _, port = rest.rpartition(":")
        if not host or not port.isdigit():
            raise ValueError(f"{text!r}: expected {kind}:HOST:PORT")
        return Remote(kind, host, int(port))
    raise ValueError(f"{text!r}: unknown remote type {kind!r}")


def parse_remotes(spec: str | list[str] | tuple[str, ...]) -> list[Remote]:
    """Parse a comma-separated remote list (as OVS tools take it) or a list of remotes."""
    items = spec.split(",") if isinstance(spec, str) else list(spec)
    remotes = [parse_remote(s) for s in items if s.strip()]
    if not remotes:
        raise ValueError("no remote given")
    return remotes


# --- the server side ------------------------------------------------------------------------------

class TlsServer:
    """A ``pssl:`` listener. It accepts TCP connections itself and hands each one to the loop
    (``connect_accepted_socket``) with the SSL context current at that moment, so a server's
    SSL configuration may change while it listens. (A context fixed per listener, as
    ``create_server(ssl=...)`` takes it, could not; ``start_tls`` from a protocol loses the
    ClientHello on uvloop, which starts reading right after ``connection_made``.)"""

    def __init__(self, sock: socket.socket, make: Callable[[], asyncio.Protocol]):
        self.sockets = [sock]
        self._make = make
        self._handshakes: set[asyncio.Task[None]] = set()
        self._task = asyncio.get_running_loop().create_task(self._serve())

    async def _serve(self) -> None:
        loop = asyncio.get_running_loop()
        sock = self.sockets[0]
        while True:
            try:
                conn, addr = await loop.sock_accept(sock)
            except OSError as e:
                _log.warning("accept: %s", e.strerror or e)
                await asyncio.sleep(0.1)
                continue
            t = loop.create_task(self._handshake(conn, addr))
            self._handshakes.add(t)
            t.add_done_callback(self._handshakes.discard)

    async def _handshake(self, conn: socket.socket, addr: Any) -> None:
        name = f"ssl:{addr[0]}:{addr[1]}" if isinstance(addr, tuple) else "ssl"
        try:
            ctx = server_context()
        except SslConfigError as e:
            _log.error("%s", e)
            conn.close()
            return
        conn.setblocking(False)
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            await asyncio.get_running_loop().connect_accepted_socket(
                self._make, conn, ssl=ctx, ssl_handshake_timeout=HANDSHAKE_TIMEOUT)
        except (ssl.SSLError, OSError, TimeoutError) as e:
            _log.warning("%s: SSL_accept: %s", name, _describe(e))
            conn.close()

    def close(self) -> None:
        self._task.cancel()
        for t in list(self._handshakes):
            t.cancel()
        self.sockets[0].close()


async def start_tls_server(make: Callable[[], asyncio.Protocol], host: str,
                           port: int) -> TlsServer:
    """Listen on ``host``:``port`` (0: the kernel chooses) for TLS connections; each one's
    protocol comes from ``make``; its transport's ``get_extra_info("peercert")`` is the verified
    client certificate (:func:`peer_common_name` gives its CN)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.create_server((host, port), family=family)
    sock.setblocking(False)
    return TlsServer(sock, make)
