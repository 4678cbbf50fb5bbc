"""Shared rig of the datapath I/O tests: root check, unique names, namespaces, a relay thread,
hand-made frames, a TCP transfer between namespaces. Its own tests check that the rig cleans up
after a failing test."""

from __future__ import annotations

import hashlib
import itertools
import os
import selectors
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from pyovn.datapath.io import Port, VnetHdr
from pyovn.datapath.io_vnet import fold, ones_sum

_seq = itertools.count()


def need_root() -> None:
    """Skips (with a printed reason) unless root with /dev/net/tun and `ip netns`."""
    why = None
    if os.geteuid() != 0:
        why = "needs root (network namespaces, TAP devices)"
    elif not os.path.exists("/dev/net/tun"):
        why = "no /dev/net/tun"
    elif subprocess.run(["ip", "-V"], capture_output=True).returncode != 0:
        why = "no iproute2"
    if why:
        print(f"skipped: {why}")
        pytest.skip(why)


def uniq(prefix: str) -> str:
    """A device or namespace name unique to this process and call (at most 15 bytes)."""
    name = f"{prefix}{os.getpid()}x{next(_seq)}"
    assert len(name) <= 15, f"{name}: prefix too long"
    return name


def link_exists(name: str, netns: str | None = None) -> bool:
    cmd = ["ip", "link", "show", "dev", name]
    if netns:
        cmd = ["ip", "netns", "exec", netns, *cmd]
    return subprocess.run(cmd, capture_output=True).returncode == 0


def sh(*cmd: str, netns: str | None = None, check: bool = True,
       timeout: float = 30) -> subprocess.CompletedProcess[str]:
    full = ["ip", "netns", "exec", netns, *cmd] if netns else list(cmd)
    r = subprocess.run(full, capture_output=True, text=True, timeout=timeout)
    if check and r.returncode != 0:
        raise AssertionError(f"{' '.join(full)} -> {r.returncode}: {r.stderr or r.stdout}")
    return r


@contextmanager
def netns(prefix: str = "pio") -> Iterator[str]:
    """A fresh network namespace (lo up), deleted on the way out, also on failure."""
    name = uniq(prefix)
    sh("ip", "netns", "add", name)
    try:
        sh("ip", "link", "set", "lo", "up", netns=name)
        yield name
    finally:
        subprocess.run(["ip", "netns", "delete", name], capture_output=True)


def move(dev: str, ns: str, cidr: str, *, mtu: int | None = None) -> None:
    """Moves `dev` into `ns`, gives it `cidr` and brings it up there."""
    sh("ip", "link", "set", dev, "netns", ns)
    sh("ip", "addr", "add", cidr, "dev", dev, netns=ns)
    if mtu:
        sh("ip", "link", "set", dev, "mtu", str(mtu), netns=ns)
    sh("ip", "link", "set", dev, "up", netns=ns)


class Relay:
    """Copies frames between two ports on a thread (what the datapath will do, minus the
    pipeline), recording every frame's (vnet header, length) and calling `check(hdr, frame)`
    on each if given (failures are kept in `errors`)."""

    def __init__(self, a: Port, b: Port, *, batch: int = 64,
                 check: Callable[[VnetHdr | None, bytes], None] | None = None) -> None:
        self.a, self.b, self.batch, self.check = a, b, batch, check
        self.seen: list[tuple[VnetHdr | None, int]] = []
        self.errors: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Relay:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)

    def _run(self) -> None:
        sel = selectors.DefaultSelector()
        sel.register(self.a.fileno(), selectors.EVENT_READ, (self.a, self.b))
        sel.register(self.b.fileno(), selectors.EVENT_READ, (self.b, self.a))
        while not self._stop.is_set():
            for key, _ in sel.select(0.05):
                src, dst = key.data
                batch = src.recv_batch(self.batch)
                for hdr, frame in batch:
                    self.seen.append((hdr, len(frame)))
                    if self.check:
                        try:
                            self.check(hdr, frame)
                        except AssertionError as e:
                            self.errors.append(str(e))
                dst.send_batch(batch)
        sel.close()


# --- hand-made frames ------------------------------------------------------------------------

BROADCAST = b"\xff" * 6


def mac_bytes(mac: str) -> bytes:
    return bytes.fromhex(mac.replace(":", ""))


def eth(dst: bytes, src: bytes, ethertype: int, payload: bytes, vlan: int | None = None) -> bytes:
    tag = struct.pack("!HH", 0x8100, vlan) if vlan is not None else b""
    return dst + src + tag + struct.pack("!H", ethertype) + payload


def arp(op: int, sha: bytes, spa: str, tha: bytes, tpa: str) -> bytes:
    return struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, op, sha, socket.inet_aton(spa),
                       tha, socket.inet_aton(tpa))


def ipv4(src: str, dst: str, proto: int, payload: bytes) -> bytes:
    head = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, 0x4000, 64,
                                 proto, 0, socket.inet_aton(src), socket.inet_aton(dst)))
    head[10:12] = fold(ones_sum(head)).to_bytes(2, "big")
    return bytes(head) + payload


def icmp_echo(kind: int, ident: int, seq: int, data: bytes) -> bytes:
    msg = bytearray(struct.pack("!BBHHH", kind, 0, 0, ident, seq) + data)
    msg[2:4] = fold(ones_sum(msg)).to_bytes(2, "big")
    return bytes(msg)


# --- TCP between namespaces ------------------------------------------------------------------

_SERVER = r"""
import hashlib, socket, sys
s = socket.socket(socket.AF_INET6); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.bind(("::", int(sys.argv[1]))); s.listen(1)
print("ready", flush=True)
c, _ = s.accept(); h = hashlib.sha256(); n = 0
while True:
    b = c.recv(1 << 20)
    if not b:
        break
    h.update(b); n += len(b)
print(n, h.hexdigest(), flush=True)
"""

_CLIENT = r"""
import socket, sys, time
data = bytes(range(256)) * 4096
total = int(sys.argv[3]); sent = 0
deadline = time.time() + 10
while True:
    try:
        c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5)
        break
    except OSError:
        if time.time() > deadline:
            raise
        time.sleep(0.1)
while sent < total:
    n = min(len(data), total - sent)
    c.sendall(data[:n])
    sent += n
c.close()
"""


def tcp_transfer(src_ns: str, dst_ns: str, dst_ip: str, nbytes: int, port: int = 5201) -> None:
    """Sends `nbytes` from `src_ns` to `dst_ip` in `dst_ns` over TCP; asserts they arrived
    intact."""
    server = subprocess.Popen(["ip", "netns", "exec", dst_ns, sys.executable, "-c", _SERVER,
                               str(port)], stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        assert server.stdout.readline().strip() == "ready"
        t0 = time.monotonic()
        sh(sys.executable, "-c", _CLIENT, dst_ip, str(port), str(nbytes), netns=src_ns,
           timeout=60)
        out, _ = server.communicate(timeout=max(5.0, 30 - (time.monotonic() - t0)))
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    pattern = bytes(range(256)) * 4096
    h = hashlib.sha256()
    left = nbytes
    while left:
        chunk = pattern[:min(left, len(pattern))]
        h.update(chunk)
        left -= len(chunk)
    assert out.split() == [str(nbytes), h.hexdigest()], out


# --- the rig's own tests ---------------------------------------------------------------------

pytestmark = pytest.mark.e2e


def test_netns_deleted_on_failure() -> None:
    need_root()
    seen = None
    with pytest.raises(RuntimeError), netns() as ns:
        seen = ns
        assert ns in sh("ip", "netns", "list").stdout
        raise RuntimeError("test failed inside")
    assert seen and seen not in sh("ip", "netns", "list").stdout

