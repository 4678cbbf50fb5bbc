"""virtio_net_hdr and the software offloads (checksum completion, GSO segmentation), checked
against a plain word-by-word Internet checksum (RFC 1071) written here."""

from __future__ import annotations

import socket
import struct

import pytest

from pyovn.datapath.io import (
    F_NEEDS_CSUM,
    GSO_TCPV4,
    GSO_TCPV6,
    GSO_UDP_L4,
    Port,
    VnetHdr,
    complete_csum,
    segment,
)
from pyovn.datapath.io_vnet import GSO_ECN, GSO_UDP, pack

MAC_A = bytes.fromhex("020000000001")
MAC_B = bytes.fromhex("020000000002")


def rfc1071(data: bytes) -> int:
    """The Internet checksum, the slow obvious way."""
    if len(data) % 2:
        data += b"\0"
    total = 0
    for i in range(0, len(data), 2):
        total += (data[i] << 8) | data[i + 1]
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def pseudo4(src: bytes, dst: bytes, proto: int, length: int) -> bytes:
    return src + dst + struct.pack("!BBH", 0, proto, length)


def pseudo6(src: bytes, dst: bytes, proto: int, length: int) -> bytes:
    return src + dst + struct.pack("!I3xB", length, proto)


V4_SRC, V4_DST = socket.inet_aton("10.0.0.1"), socket.inet_aton("10.0.0.2")
V6_SRC = socket.inet_pton(socket.AF_INET6, "fd00::1")
V6_DST = socket.inet_pton(socket.AF_INET6, "fd00::2")


def ip4_header(proto: int, l4_len: int, ident: int = 0x1234) -> bytes:
    head = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + l4_len, ident, 0x4000, 64,
                                 proto, 0, V4_SRC, V4_DST))
    head[10:12] = rfc1071(bytes(head)).to_bytes(2, "big")
    return bytes(head)


def ip6_header(proto: int, l4_len: int) -> bytes:
    return struct.pack("!IHBB16s16s", 6 << 28, l4_len, proto, 64, V6_SRC, V6_DST)


def tcp_header(seq: int, flags: int, options: bytes = b"") -> bytes:
    doff = (20 + len(options)) // 4
    return struct.pack("!HHIIBBHHH", 40000, 5201, seq, 7, doff << 4, flags, 512, 0, 0) + options


def partial(frame: bytearray, l4: int, csum_at: int, pseudo: bytes) -> None:
    """Puts the pseudo-header sum (not complemented) in the checksum field, as the stack does
    for CHECKSUM_PARTIAL."""
    frame[csum_at:csum_at + 2] = (~rfc1071(pseudo) & 0xFFFF).to_bytes(2, "big")


def payload(n: int) -> bytes:
    return bytes((i * 7 + 3) % 251 for i in range(n))


def test_header_round_trip_and_zero() -> None:
    hdr = VnetHdr(F_NEEDS_CSUM, GSO_TCPV4, 66, 1448, 34, 16)
    raw = hdr.pack()
    assert len(raw) == 10
    assert raw == struct.pack("=BBHHHH", 1, 1, 66, 1448, 34, 16)
    assert VnetHdr.from_bytes(raw) == hdr
    assert VnetHdr.from_bytes(bytes(10)) is None
    assert pack(None) == bytes(10)
    assert hdr.is_gso and hdr.needs_csum
    assert not VnetHdr(gso_type=GSO_ECN).is_gso


def test_shifted_moves_csum_start_only_when_set() -> None:
    assert VnetHdr(F_NEEDS_CSUM, GSO_TCPV4, 66, 1448, 34, 16).shifted(4) == \
        VnetHdr(F_NEEDS_CSUM, GSO_TCPV4, 70, 1448, 38, 16)
    assert VnetHdr(2, 0, 0, 0, 0, 0).shifted(-4) == VnetHdr(2, 0, 0, 0, 0, 0)


def tcp4_frame(data: bytes, flags: int = 0x18, options: bytes = b"") -> tuple[bytes, bytes]:
    """(finished frame, the same frame with a partial checksum)."""
    tcp = tcp_header(1000, flags, options)
    l4 = tcp + data
    good = bytearray(MAC_B + MAC_A + b"\x08\x00" + ip4_header(6, len(l4)) + l4)
    good[50:52] = rfc1071(pseudo4(V4_SRC, V4_DST, 6, len(l4)) + l4).to_bytes(2, "big")
    part = bytearray(good)
    partial(part, 34, 50, pseudo4(V4_SRC, V4_DST, 6, len(l4)))
    return bytes(good), bytes(part)


@pytest.mark.parametrize("size", [0, 1, 2, 999, 1460])
def test_complete_csum_tcp4(size: int) -> None:
    good, part = tcp4_frame(payload(size))
    assert part != good or size == 0
    assert complete_csum(part, VnetHdr(F_NEEDS_CSUM, 0, 0, 0, 34, 16)) == good


def test_complete_csum_without_needs_csum_is_identity() -> None:
    good, part = tcp4_frame(payload(10))
    assert complete_csum(part, VnetHdr(2, 0, 0, 0, 34, 16)) == part


def test_complete_csum_udp_never_zero() -> None:
    """A UDP checksum that computes to 0 is sent as 0xffff (0 means "none")."""
    data = bytearray(payload(30))
    udp = struct.pack("!HHHH", 5000, 53, 8 + len(data), 0)
    # choose the last two payload bytes so the ones'-complement sum is 0xffff
    data[-2:] = b"\0\0"
    s = ~rfc1071(pseudo4(V4_SRC, V4_DST, 17, len(udp) + len(data)) + udp + bytes(data)) & 0xFFFF
    data[-2:] = (0xFFFF - s).to_bytes(2, "big")
    frame = bytearray(MAC_B + MAC_A + b"\x08\x00" + ip4_header(17, 8 + len(data)) + udp + data)
    partial(frame, 34, 40, pseudo4(V4_SRC, V4_DST, 17, 8 + len(data)))
    done = complete_csum(bytes(frame), VnetHdr(F_NEEDS_CSUM, 0, 0, 0, 34, 6))
    assert done[40:42] == b"\xff\xff"
    assert rfc1071(pseudo4(V4_SRC, V4_DST, 17, 8 + len(data)) + done[34:]) == 0


def test_complete_csum_out_of_range() -> None:
    with pytest.raises(ValueError):
        complete_csum(b"\0" * 40, VnetHdr(F_NEEDS_CSUM, 0, 0, 0, 34, 16))


def check_tcp_segments(segs: list[bytes], data: bytes, mss: int, l3: int, v4: bool,
                       flags: int, thl: int = 20) -> None:
    l4 = l3 + (20 if v4 else 40)
    assert [len(s) - l4 - thl for s in segs] == [min(mss, len(data) - i)
                                                 for i in range(0, len(data), mss)]
    assert b"".join(s[l4 + thl:] for s in segs) == data
    for i, s in enumerate(segs):
        last = i == len(segs) - 1
        seg_l4 = s[l4:]
        if v4:
            assert int.from_bytes(s[l3 + 2:l3 + 4], "big") == len(s) - l3
            assert int.from_bytes(s[l3 + 4:l3 + 6], "big") == 0x1234 + i
            assert rfc1071(s[l3:l4]) == 0
            assert rfc1071(pseudo4(V4_SRC, V4_DST, 6, len(seg_l4)) + seg_l4) == 0
        else:
            assert int.from_bytes(s[l3 + 4:l3 + 6], "big") == len(seg_l4)
            assert rfc1071(pseudo6(V6_SRC, V6_DST, 6, len(seg_l4)) + seg_l4) == 0
        assert int.from_bytes(s[l4 + 4:l4 + 8], "big") == 1000 + i * mss
        want = flags
        if not last:
            want &= ~0x09
        if i:
            want &= ~0x80
        assert s[l4 + 13] == want
        assert s[:l3] == segs[0][:l3]


def test_segment_tcp4_with_options() -> None:
    data = payload(5000)
    options = b"\x01\x01\x08\x0a" + b"\x00\x01\x02\x03\x04\x05\x06\x07"
    _, part = tcp4_frame(data, flags=0x80 | 0x18 | 0x01, options=options)
    hdr = VnetHdr(F_NEEDS_CSUM, GSO_TCPV4 | GSO_ECN, 66, 1448, 34, 16)
    segs = segment(part, hdr)
    assert len(segs) == 4
    check_tcp_segments(segs, data, 1448, 14, True, 0x80 | 0x18 | 0x01, thl=32)


def test_segment_tcp6_behind_vlan() -> None:
    data = payload(3000)
    l4 = tcp_header(1000, 0x18) + data
    frame = bytearray(MAC_B + MAC_A + b"\x81\x00\x00\x0a\x86\xdd" + ip6_header(6, len(l4)) + l4)
    partial(frame, 58, 58 + 16, pseudo6(V6_SRC, V6_DST, 6, len(l4)))
    segs = segment(bytes(frame), VnetHdr(F_NEEDS_CSUM, GSO_TCPV6, 78, 1200, 58, 16))
    assert len(segs) == 3
    check_tcp_segments(segs, data, 1200, 18, False, 0x18)


def test_segment_udp_l4() -> None:
    data = payload(2500)
    udp = struct.pack("!HHHH", 5000, 6000, 8 + len(data), 0)
    frame = bytearray(MAC_B + MAC_A + b"\x08\x00" + ip4_header(17, 8 + len(data)) + udp + data)
    partial(frame, 34, 40, pseudo4(V4_SRC, V4_DST, 17, 8 + len(data)))
    segs = segment(bytes(frame), VnetHdr(F_NEEDS_CSUM, GSO_UDP_L4, 42, 1000, 34, 6))
    assert [len(s) - 42 for s in segs] == [1000, 1000, 500]
    assert b"".join(s[42:] for s in segs) == data
    for i, s in enumerate(segs):
        assert int.from_bytes(s[38:40], "big") == len(s) - 34
        assert int.from_bytes(s[18:20], "big") == 0x1234 + i
        assert rfc1071(s[14:34]) == 0
        assert rfc1071(pseudo4(V4_SRC, V4_DST, 17, len(s) - 34) + s[34:]) == 0


def test_segment_non_gso_finishes_checksum() -> None:
    good, part = tcp4_frame(payload(100))
    assert segment(part, VnetHdr(F_NEEDS_CSUM, 0, 0, 0, 34, 16)) == [good]


def test_segment_refuses_ufo() -> None:
    _, part = tcp4_frame(payload(100))
    with pytest.raises(ValueError):
        segment(part, VnetHdr(F_NEEDS_CSUM, GSO_UDP, 0, 50, 34, 6))


class ListPort(Port):
    """A port whose device is a list: what the base class hands to the device."""

    def __init__(self, vnet: bool) -> None:
        super().__init__("lp", 1, "02:00:00:00:00:01", 1500, vnet)
        self.out: list[tuple[bytes | None, bytes]] = []

    def _send_vnet(self, hdr: bytes, frame: bytes) -> bool:
        self.out.append((hdr, frame))
        return True

    def _send_plain(self, frame: bytes) -> bool:
        self.out.append((None, frame))
        return True

    def _close(self) -> None:
        pass


def test_send_passes_headers_through_a_vnet_port() -> None:
    _, part = tcp4_frame(payload(4000))
    hdr = VnetHdr(F_NEEDS_CSUM, GSO_TCPV4, 54, 1448, 34, 16)
    port = ListPort(vnet=True)
    assert port.send(part, hdr)
    assert port.send_batch([(None, b"x" * 60), (hdr, part)]) == 2
    assert port.out == [(hdr.pack(), part), (bytes(10), b"x" * 60), (hdr.pack(), part)]


def test_send_finishes_offloads_for_a_plain_port() -> None:
    data = payload(4000)
    good, part = tcp4_frame(data)
    hdr = VnetHdr(F_NEEDS_CSUM, GSO_TCPV4, 54, 1448, 34, 16)
    port = ListPort(vnet=False)
    assert port.send_batch([(hdr, part), (VnetHdr(F_NEEDS_CSUM, 0, 0, 0, 34, 16), part),
                            (None, b"y" * 60)]) == 3
    frames = [f for h, f in port.out]
    assert all(h is None for h, _ in port.out)
    check_tcp_segments(frames[:3], data, 1448, 14, True, 0x18)
    assert frames[3:] == [good, b"y" * 60]
    port.close()
    assert port.closed
