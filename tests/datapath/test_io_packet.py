"""AF_PACKET ports (root) on one end of a veth pair, the other end driven by a plain packet
socket of the test: frames both ways, VLAN tags put back from auxdata (csum_start moved with
them), our own transmissions not read back, device down/gone; veth ports (root and, as user
nobody, inside an unprivileged user namespace), with TCP through a relay between namespaces."""

from __future__ import annotations

import json
import select
import socket
import struct
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from test_io_rig import Relay, link_exists, move, need_root, netns, sh, tcp_transfer, uniq
from test_io_tap import tso_check

from pyovn.datapath import io_packet
from pyovn.datapath.io import (
    F_NEEDS_CSUM,
    GSO_TCPV4,
    PacketSocketPort,
    Port,
    PortError,
    PortGone,
    VethPort,
    VnetHdr,
    complete_csum,
    link_info,
    veth_peer_name,
)
from pyovn.datapath.io_netlink import tx_csum
from pyovn.datapath.io_vnet import fold, ones_sum

pytestmark = pytest.mark.e2e

SOL_PACKET = 263
PACKET_VNET_HDR = 15
ETHERTYPE_TEST = b"\x88\xb5"  # IEEE local experimental: nothing in the kernel answers it
SRC = bytes.fromhex("020000bb0001")
DST = bytes.fromhex("020000bb0002")


@contextmanager
def veth_pair() -> Iterator[tuple[str, str]]:
    a, b = uniq("pa"), uniq("pb")
    sh("ip", "link", "add", a, "type", "veth", "peer", "name", b)
    try:
        sh("ip", "link", "set", a, "up")
        sh("ip", "link", "set", b, "up")
        yield a, b
    finally:
        subprocess.run(["ip", "link", "del", a], capture_output=True)
    assert not link_exists(a) and not link_exists(b)


def raw_socket(ifname: str, *, vnet: bool = False) -> socket.socket:
    """A plain packet socket of the test's own on `ifname`."""
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
    if vnet:
        s.setsockopt(SOL_PACKET, PACKET_VNET_HDR, 1)
    s.bind((ifname, 0x0003))
    return s


def raw_recv(s: socket.socket, want: bytes, timeout: float = 2.0) -> tuple[bytes, int]:
    """The first frame carrying `want` (and its packet type) that `s` reads."""
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        if select.select([s], [], [], left)[0]:
            frame, addr = s.recvfrom(70000)
            if want in frame:
                return frame, addr[2]
    raise AssertionError(f"no frame with {want!r}")


def port_recv(port: Port, want: bytes, timeout: float = 2.0) -> list[tuple[VnetHdr | None, bytes]]:
    """Frames of the port carrying `want` (waits for the first, then drains a little more)."""
    got: list[tuple[VnetHdr | None, bytes]] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got += [(h, f) for h, f in port.recv_batch() if want in f]
        if got:
            time.sleep(0.05)
            return got + [(h, f) for h, f in port.recv_batch() if want in f]
        time.sleep(0.005)
    return got


def test_attach_frames_both_ways_and_promiscuous() -> None:
    need_root()
    with veth_pair() as (a, b):
        port = PacketSocketPort.attach(a)
        peer = raw_socket(b)
        try:
            info = link_info(a)
            assert (port.name, port.ifindex, port.mac, port.mtu) == (a, *info)
            assert port.kind == "system" and port.vnet_hdr and port.ignores_outgoing
            assert "promiscuity 1 " in sh("ip", "-d", "link", "show", a).stdout
            frame = DST + SRC + ETHERTYPE_TEST + b"from the peer" * 5
            peer.send(frame)
            assert port_recv(port, b"from the peer") == [(None, frame)]
            reply = SRC + DST + ETHERTYPE_TEST + b"from the port" * 5
            assert port.send(reply)
            assert raw_recv(peer, b"from the port")[0] == reply
        finally:
            port.close()
            peer.close()
        assert "promiscuity 0 " in sh("ip", "-d", "link", "show", a).stdout


def test_attach_missing_device() -> None:
    need_root()
    with pytest.raises(PortError):
        PacketSocketPort.attach(uniq("px"))


@pytest.mark.parametrize("tpid", [0x8100, 0x88A8])
def test_vlan_tag_put_back(tpid: int) -> None:
    """The kernel strips the tag before packet sockets see the frame (a bare packet socket gets
    it without); the port puts it back from the auxdata, byte for byte."""
    need_root()
    with veth_pair() as (a, b):
        port = PacketSocketPort.attach(a, vnet_hdr=False)
        bare = raw_socket(a)
        peer = raw_socket(b)
        try:
            tag = struct.pack("!HH", tpid, (5 << 13) | 10)
            frame = DST + SRC + tag + ETHERTYPE_TEST + b"tagged" * 10
            peer.send(frame)
            assert port_recv(port, b"tagged") == [(None, frame)]
            stripped, _ = raw_recv(bare, b"tagged")
            assert stripped == DST + SRC + ETHERTYPE_TEST + b"tagged" * 10
        finally:
            port.close()
            bare.close()
            peer.close()


def tagged_tcp(payload: bytes) -> bytes:
    """An 802.1Q-tagged TCP/IPv4 frame whose checksum field holds the pseudo-header sum."""
    src, dst = socket.inet_aton("10.0.0.1"), socket.inet_aton("10.0.0.2")
    tcp = bytearray(struct.pack("!HHIIBBHHH", 40000, 80, 1000, 0, 5 << 4, 0x18, 512, 0, 0))
    tcp += payload
    tcp[16:18] = (0xFFFF - fold(ones_sum(src + dst, 6 + len(tcp)))).to_bytes(2, "big")
    ip = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0x4000, 64, 6, 0,
                               src, dst))
    ip[10:12] = fold(ones_sum(ip)).to_bytes(2, "big")
    return DST + SRC + b"\x81\x00\x00\x0a\x08\x00" + bytes(ip) + bytes(tcp)


@pytest.mark.parametrize("gso", [False, True], ids=["csum", "gso"])
def test_vlan_with_vnet_header_moves_csum_start(gso: bool) -> None:
    """A tagged frame with a partial checksum (and GSO) comes in whole; the kernel's csum_start
    counts without the stripped tag, so putting the tag back moves it by 4: it points at the
    TCP header of the frame as we hand it on, and finishing the checksum there gives a valid
    one."""
    need_root()
    with veth_pair() as (a, b):
        port = PacketSocketPort.attach(a)
        peer = raw_socket(b, vnet=True)
        try:
            frame = tagged_tcp(bytes(range(256)) * (12 if gso else 1))
            sent = VnetHdr(F_NEEDS_CSUM, GSO_TCPV4 if gso else 0, 58 if gso else 0,
                           1000 if gso else 0, 38, 16)
            peer.sendmsg([sent.pack(), frame])
            [(hdr, got)] = port_recv(port, b"\x81\x00\x00\x0a\x08\x00")
            assert got == frame
            assert hdr is not None and hdr.csum_start == 38 and hdr.csum_offset == 16
            assert hdr.flags & F_NEEDS_CSUM
            assert (hdr.gso_type, hdr.gso_size) == ((GSO_TCPV4, 1000) if gso else (0, 0))
            done = complete_csum(got, hdr)
            pseudo = done[18 + 12:18 + 20]
            assert fold(ones_sum(done[38:], ones_sum(pseudo, 6 + len(done) - 38))) == 0xFFFF
        finally:
            port.close()
            peer.close()


@pytest.mark.parametrize("kernel_filter", [True, False], ids=["ignore-outgoing", "pkttype"])
def test_outgoing_frames_not_read(kernel_filter: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """Frames leaving the device are not the port's input: neither its own (the kernel never
    loops a frame back to the socket that sent it) nor others' (the host stack's, another
    socket's), which a bare packet socket does see, as outgoing. The kernel filters them
    (PACKET_IGNORE_OUTGOING) or, on kernels without it, the port skips them by packet type."""
    need_root()
    if not kernel_filter:
        monkeypatch.setattr(io_packet, "PACKET_IGNORE_OUTGOING", 9999)  # an unknown option
    with veth_pair() as (a, b):
        port = PacketSocketPort.attach(a)
        assert port.ignores_outgoing is kernel_filter
        bare = raw_socket(a)
        peer = raw_socket(b)
        try:
            ours = SRC + DST + ETHERTYPE_TEST + b"ours" * 10
            assert port.send(ours)
            assert raw_recv(peer, b"ours")[0] == ours
            assert raw_recv(bare, b"ours") == (ours, socket.PACKET_OUTGOING)
            other = SRC + DST + ETHERTYPE_TEST + b"host's" * 10
            bare.send(other)
            assert raw_recv(peer, b"host's")[0] == other
            time.sleep(0.2)
            frames = [f for _, f in port.recv_batch(1000)]
            assert not any(b"ours" in f or b"host's" in f for f in frames)
            peer.send(DST + SRC + ETHERTYPE_TEST + b"theirs" * 10)
            assert len(port_recv(port, b"theirs")) == 1
        finally:
            port.close()
            bare.close()
            peer.close()


def test_device_down_then_gone() -> None:
    """Down is not the end (frames flow again once up); deleted is (PortGone)."""
    need_root()
    with veth_pair() as (a, b):
        port = PacketSocketPort.attach(a)
        peer = raw_socket(b)
        try:
            sh("ip", "link", "set", a, "down")
            time.sleep(0.05)
            for _ in range(5):
                port.recv_batch()  # the ENETDOWN it meets must not end the port
            sh("ip", "link", "set", a, "up")
            time.sleep(0.05)
            peer.send(DST + SRC + ETHERTYPE_TEST + b"again" * 10)
            assert len(port_recv(port, b"again")) == 1
            sh("ip", "link", "del", a)
            with pytest.raises(PortGone):
                deadline = time.monotonic() + 2
                while time.monotonic() < deadline:
                    port.recv_batch()
                    time.sleep(0.01)
            assert not port.send(SRC + DST + ETHERTYPE_TEST + b"x" * 50)
        finally:
            port.close()
            peer.close()


def test_veth_port_create_move_close() -> None:
    need_root()
    name = uniq("pv")
    port = VethPort.create(name, mtu=1400, mac="02:00:00:bb:00:09")
    try:
        assert port.kind == "veth" and port.peer == veth_peer_name(name)
        assert len(port.peer) <= 15 and port.peer != name
        assert (port.name, port.ifindex, port.mac, port.mtu) == (name, *link_info(name))
        assert port.mac == "02:00:00:bb:00:09" and port.mtu == 1400
        assert link_info(port.peer).mtu == 1400
        with netns() as ns:
            move(name, ns, "10.79.2.1/24")
            port.close()
            assert not link_exists(name, ns)
    finally:
        port.close()
    assert not link_exists(port.peer) and not link_exists(name)


@pytest.mark.parametrize("vnet", [True, False], ids=["vnet", "plain"])
def test_tcp_through_a_veth_relay(vnet: bool) -> None:
    """Rootless-style ports: the user ends in two namespaces, our ends relayed: intact data;
    with vnet headers as super-frames, without (offloads turned off on the user ends) in MTU
    frames."""
    need_root()
    with netns() as ns1, netns() as ns2:
        a = VethPort.create(uniq("pv"), vnet_hdr=vnet)
        b = VethPort.create(uniq("pv"), vnet_hdr=vnet)
        try:
            assert tx_csum(a.name) is vnet
            move(a.name, ns1, "10.79.3.1/24")
            move(b.name, ns2, "10.79.3.2/24")
            with Relay(a, b, check=tso_check) as relay:
                tcp_transfer(ns1, ns2, "10.79.3.2", 8_000_000)
            assert relay.errors == []
            biggest = max(n for _, n in relay.seen)
            if vnet:
                assert biggest > 20_000
            else:
                assert biggest <= 1514 and all(h is None for h, _ in relay.seen)
        finally:
            a.close()
            b.close()
        for p in (a, b):
            assert not link_exists(p.peer)


_UNPRIVILEGED = r"""
import json, os, socket, time
from pyovn.datapath.io import PortError, TapPort, open_internal, tap_available
res = {"uid": os.getuid(), "tap_available": tap_available()}
try:
    TapPort.create("tapx").close()
    res["tap"] = "created"
except PortError as e:
    res["tap"] = e.errno
port = open_internal("vm1", mtu=1400)
res["kind"], res["mtu"], res["peer"] = port.kind, port.mtu, port.peer
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
s.bind(("vm1", 3))
frame = b"\xff" * 6 + b"\x02\x00\x00\x00\x00\x08\x88\xb5" + b"hello" * 20
s.send(frame)
got = []
deadline = time.time() + 2
while time.time() < deadline and not any(f == frame for _, f in got):
    got += port.recv_batch()
    time.sleep(0.01)
res["received"] = any(f == frame and h is None for h, f in got)
back = b"\xff" * 6 + b"\x02\x00\x00\x00\x00\x09\x88\xb5" + b"world" * 20
res["sent"] = port.send(back)
s.settimeout(2)
res["echo"] = False
try:
    while not res["echo"]:
        res["echo"] = s.recv(2048) == back
except TimeoutError:
    pass
port.close()
names = [n for _, n in socket.if_nameindex()]
res["left"] = [n for n in ("vm1", res["peer"]) if n in names]
print(json.dumps(res))
"""


def _unprivileged_python() -> tuple[str, str] | None:
    """An interpreter user nobody can run, and a PYTHONPATH giving it pyovn and pyroute2."""
    import pyroute2

    src = str(Path(__file__).resolve().parents[2] / "src")
    site = str(Path(pyroute2.__file__).resolve().parents[1])
    for exe in (sys.executable, "/usr/bin/python3"):
        r = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                            "env", f"PYTHONPATH={src}:{site}", exe, "-c",
                            "import sys, pyroute2, pyovn; assert sys.version_info >= (3, 11)"],
                           capture_output=True)
        if r.returncode == 0:
            return exe, f"{src}:{site}"
    return None


def test_veth_port_as_nobody_in_a_user_namespace() -> None:
    """Rootless: user nobody in `unshare -Urn` (mapped root, no /dev/net/tun) gets a veth port
    for an internal interface, frames cross it both ways, close removes both ends."""
    need_root()
    found = _unprivileged_python()
    if found is None:
        print("skipped: no Python that user nobody can run with pyovn and pyroute2")
        pytest.skip("no Python that user nobody can run with pyovn and pyroute2")
    exe, path = found
    r = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                        "unshare", "-Urn", "env", f"PYTHONPATH={path}", exe, "-c", _UNPRIVILEGED],
                       capture_output=True, text=True, timeout=60)
    if r.returncode and "unshare" in r.stderr and "Operation not permitted" in r.stderr:
        print(f"skipped: unprivileged user namespaces disabled: {r.stderr.strip()}")
        pytest.skip("unprivileged user namespaces disabled")
    assert r.returncode == 0, r.stderr
    res = json.loads(r.stdout)
    assert res["uid"] == 0  # mapped root, really nobody outside
    assert res["tap_available"] is False and res["tap"] in (1, 13)  # EPERM / EACCES
    assert res["kind"] == "veth" and res["mtu"] == 1400
    assert res["received"] and res["sent"] and res["echo"]
    assert res["left"] == []
