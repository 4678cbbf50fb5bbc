"""TAP ports (root): creation, frames both ways with and without vnet headers, GSO super-frames
through a TAP-to-TAP relay between two namespaces, a device moved away and deleted, the
asyncio reader, cleanup."""

from __future__ import annotations

import asyncio
import os
import socket
import struct
import subprocess
import time

import pytest
from test_io_rig import (
    BROADCAST,
    Relay,
    arp,
    eth,
    icmp_echo,
    ipv4,
    link_exists,
    mac_bytes,
    move,
    need_root,
    netns,
    sh,
    tcp_transfer,
    uniq,
)

from pyovn.datapath.io import (
    F_NEEDS_CSUM,
    GSO_TCPV4,
    GSO_TCPV6,
    Port,
    PortError,
    PortGone,
    TapPort,
    VnetHdr,
    attach_reader,
)
from pyovn.datapath.io_tap import TUN_F_CSUM, TUN_F_TSO4, TUN_F_TSO6
from pyovn.datapath.io_vnet import l3_offset

pytestmark = pytest.mark.e2e

OUR_MAC = "02:00:00:aa:00:02"
OUR_IP = "10.79.0.2"
NS_IP = "10.79.0.1"


def test_create_sets_link_and_close_removes_it() -> None:
    need_root()
    name = uniq("pt")
    port = TapPort.create(name, mtu=1400, mac="02:00:00:aa:00:01")
    try:
        assert port.name == name and port.kind == "tap"
        assert port.mtu == 1400 and port.mac == "02:00:00:aa:00:01"
        assert port.ifindex == socket.if_nametoindex(name)
        assert port.vnet_hdr
        assert port.offloads & (TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6) == \
            TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6
        detail = sh("ip", "-d", "link", "show", "dev", name).stdout
        assert "vnet_hdr on" in detail and "persist off" in detail and ",UP" in detail
    finally:
        port.close()
        port.close()
    assert not link_exists(name)


def test_create_refuses_bad_names() -> None:
    need_root()
    for bad in ("", "x" * 16, "a/b", "a b"):
        with pytest.raises(PortError):
            TapPort.create(bad)


def wait_for(port: Port, pred, timeout: float = 3.0) -> list[tuple[VnetHdr | None, bytes]]:
    got: list[tuple[VnetHdr | None, bytes]] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got += port.recv_batch()
        if any(pred(h, f) for h, f in got):
            return got
        time.sleep(0.005)
    raise AssertionError(f"nothing matching after {timeout}s: {len(got)} frames")


def answer(port: Port, frames: list[tuple[VnetHdr | None, bytes]]) -> int:
    """Plays host OUR_IP on the wire: answers ARP requests and ICMP echo requests for it; the
    number of echo replies sent."""
    me = mac_bytes(OUR_MAC)
    replies = 0
    for _, f in frames:
        ethertype = int.from_bytes(f[12:14], "big")
        if ethertype == 0x0806 and f[20:22] == b"\0\1" and f[38:42] == socket.inet_aton(OUR_IP):
            port.send(eth(f[6:12], me, 0x0806, arp(2, me, OUR_IP, f[22:28], NS_IP)))
        elif ethertype == 0x0800 and f[23] == 1 and f[34] == 8 and \
                f[30:34] == socket.inet_aton(OUR_IP):
            ihl = (f[14] & 15) * 4
            ident, seq = struct.unpack("!HH", f[14 + ihl + 4:14 + ihl + 8])
            data = f[14 + ihl + 8:]
            reply = ipv4(OUR_IP, NS_IP, 1, icmp_echo(0, ident, seq, data))
            assert port.send(eth(f[6:12], me, 0x0800, reply))
            replies += 1
    return replies


@pytest.mark.parametrize("vnet", [True, False], ids=["vnet", "plain"])
def test_ping_through_the_port(vnet: bool) -> None:
    """The namespace pings an address we play on the other side of the TAP: ARP request in, ARP
    reply out, echo requests in, echo replies out; ping counts the replies."""
    need_root()
    with netns() as ns:
        port = TapPort.create(uniq("pt"), vnet_hdr=vnet)
        try:
            move(port.name, ns, f"{NS_IP}/24")
            ping = subprocess.Popen(["ip", "netns", "exec", ns, "ping", "-c", "3", "-i", "0.2",
                                     "-W", "2", OUR_IP], stdout=subprocess.PIPE, text=True)
            replies = 0
            seen: list[tuple[VnetHdr | None, bytes]] = []
            deadline = time.monotonic() + 10
            while ping.poll() is None and time.monotonic() < deadline:
                batch = port.recv_batch()
                seen += batch
                replies += answer(port, batch)
                time.sleep(0.002)
            out = ping.communicate(timeout=5)[0]
            assert ping.returncode == 0, out
            assert "3 received" in out and replies >= 3
            assert all(h is None for h, _ in seen)
            assert any(f[12:14] == b"\x08\x06" and f[:6] == BROADCAST for _, f in seen)
        finally:
            port.close()
        assert not link_exists(port.name, ns)


def tso_check(hdr: VnetHdr | None, frame: bytes) -> None:
    """A super-frame's header must point csum_start at its TCP header and promise segments no
    bigger than the MTU allows."""
    if hdr is None or not hdr.is_gso:
        return
    l3, ethertype = l3_offset(frame)
    l4 = l3 + ((frame[l3] & 15) * 4 if ethertype == 0x0800 else 40)
    assert hdr.flags & F_NEEDS_CSUM and hdr.csum_start == l4 and hdr.csum_offset == 16, hdr
    assert hdr.gso_type & 0x7F == (GSO_TCPV4 if ethertype == 0x0800 else GSO_TCPV6), hdr
    assert 0 < hdr.gso_size <= 1500 - (l4 - l3) - 20, hdr


@pytest.mark.parametrize(("vnet", "offloads", "ipv6"), [
    (True, True, False), (True, True, True), (True, False, False), (False, False, False)],
    ids=["offloads-v4", "offloads-v6", "vnet-no-offloads", "plain"])
def test_tcp_through_a_tap_relay(vnet: bool, offloads: bool, ipv6: bool) -> None:
    """Two namespaces, a TAP in each, the relay copies frames between the fds: the TCP data
    arrives intact; with offloads it crossed as GSO super-frames, without in MTU frames."""
    need_root()
    with netns() as ns1, netns() as ns2:
        a = TapPort.create(uniq("pt"), vnet_hdr=vnet, offloads=offloads)
        b = TapPort.create(uniq("pt"), vnet_hdr=vnet, offloads=offloads)
        try:
            move(a.name, ns1, "10.79.1.1/24")
            move(b.name, ns2, "10.79.1.2/24")
            dst = "10.79.1.2"
            if ipv6:
                sh("ip", "-6", "addr", "add", "fd79::1/64", "dev", a.name, "nodad", netns=ns1)
                sh("ip", "-6", "addr", "add", "fd79::2/64", "dev", b.name, "nodad", netns=ns2)
                dst = "fd79::2"
            with Relay(a, b, check=tso_check) as relay:
                tcp_transfer(ns1, ns2, dst, 8_000_000)
            assert relay.errors == []
            sizes = [n for _, n in relay.seen]
            if offloads:
                supers = [h for h, n in relay.seen if n > 1514]
                assert supers and all(h is not None and h.is_gso for h in supers)
                assert max(sizes) > 20_000
            else:
                assert max(sizes) <= 1514
                assert all(h is None or not h.is_gso for h, _ in relay.seen)
            if not vnet:
                assert all(h is None for h, _ in relay.seen)
        finally:
            a.close()
            b.close()
        assert not link_exists(a.name, ns1) and not link_exists(b.name, ns2)


def test_device_gone_with_its_namespace() -> None:
    """The TAP keeps working in another namespace; when that namespace is deleted the device
    goes with it and recv_batch says so (PortGone); close() still works."""
    need_root()
    port = TapPort.create(uniq("pt"))
    try:
        with netns() as ns:
            move(port.name, ns, f"{NS_IP}/24")
            sh("ping", "-c", "1", "-W", "0.3", OUR_IP, netns=ns, check=False)
            frames = wait_for(port, lambda h, f: f[12:14] == b"\x08\x06")
            assert frames
        deadline = time.monotonic() + 3
        with pytest.raises(PortGone):
            while time.monotonic() < deadline:
                port.recv_batch()
                time.sleep(0.01)
        assert not port.send(b"\xff" * 60)
        assert port.tx_dropped == 1
    finally:
        port.close()
    assert port.closed


def test_asyncio_reader_batches_and_gone() -> None:
    need_root()

    async def main() -> tuple[int, str]:
        loop = asyncio.get_running_loop()
        port = TapPort.create(uniq("pt"))
        got: list[int] = []
        gone: asyncio.Future[str] = loop.create_future()
        try:
            reader = attach_reader(loop, port, lambda p, b: got.append(len(b)), max_batch=8,
                                   on_gone=lambda p, e: gone.set_result(type(e).__name__))
            with netns() as ns:
                move(port.name, ns, f"{NS_IP}/24")
                await asyncio.to_thread(sh, "ping", "-c", "2", "-i", "0.2", "-W", "0.3",
                                        OUR_IP, netns=ns, check=False)
            kind = await asyncio.wait_for(gone, 5)
            assert not reader.active
            reader.close()
            return sum(got), kind
        finally:
            port.close()

    frames, kind = asyncio.run(main())
    assert frames >= 2 and kind == "PortGone"


def test_persistent_tap_is_left_in_place() -> None:
    """A TAP someone made persistent (ip tuntap add) is attached to, not removed on close."""
    need_root()
    name = uniq("pt")
    sh("ip", "tuntap", "add", "dev", name, "mode", "tap", "vnet_hdr")
    try:
        port = TapPort.create(name)
        port.close()
        assert link_exists(name)
    finally:
        subprocess.run(["ip", "tuntap", "del", "dev", name, "mode", "tap"], capture_output=True)
    assert not link_exists(name)


def test_ports_of_this_process_are_all_gone() -> None:
    """Runs last in this file: no device named by this process's tests is left."""
    need_root()
    names = sh("ip", "-o", "link", "show").stdout
    assert f"pt{os.getpid()}x" not in names
