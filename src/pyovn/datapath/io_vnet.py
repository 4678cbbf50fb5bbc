"""The virtio-net header that travels with a frame, and software offloads for ports without it.

A TAP opened with IFF_VNET_HDR and an AF_PACKET socket with PACKET_VNET_HDR exchange each frame
with a 10-byte ``struct virtio_net_hdr`` (virtio spec 1.x, 5.1.6 "Device Operation"; the legacy
layout, in the host's byte order, which is what tun and af_packet use unless told otherwise):

    u8 flags        NEEDS_CSUM: the L4 checksum is partial (the field holds the pseudo-header
                    sum, the sum over frame[csum_start:] is still to be folded in)
                    DATA_VALID: the checksum was verified
    u8 gso_type     NONE, TCPV4, UDP (UFO, not produced: never enabled), TCPV6, UDP_L4 (USO);
                    ECN bit
    u16 hdr_len     length of the headers (a hint)
    u16 gso_size    payload bytes per segment
    u16 csum_start  offset of the L4 header (where the checksum sum starts)
    u16 csum_offset offset of the checksum field from csum_start

With offloads, a TCP stream leaves a namespace as 64 KB super-frames with partial checksums and
goes into another TAP whole: neither side segments or checksums. A port that cannot carry the
header (opened without vnet headers) gets the frame finished in software here instead:
`complete_csum` folds the checksum in, `segment` cuts a GSO frame into MTU-sized frames (what
the kernel's GSO would have sent). Pure functions of bytes; no I/O.
"""

from __future__ import annotations

import struct
from typing import NamedTuple

VNET_HDR_LEN = 10

F_NEEDS_CSUM = 1
F_DATA_VALID = 2

GSO_NONE = 0
GSO_TCPV4 = 1
GSO_UDP = 3
GSO_TCPV6 = 4
GSO_UDP_L4 = 5
GSO_ECN = 0x80

_HDR = struct.Struct("=BBHHHH")
ZERO_HDR = bytes(VNET_HDR_LEN)

_ETH_P_IP = 0x0800
_ETH_P_IPV6 = 0x86DD
_VLAN_TPIDS = (0x8100, 0x88A8, 0x9100)
_TCP_FIN, _TCP_PSH, _TCP_CWR = 0x01, 0x08, 0x80


class VnetHdr(NamedTuple):
    """One frame's virtio_net_hdr. `None` stands for the all-zero header (a finished frame)."""

    flags: int = 0
    gso_type: int = 0
    hdr_len: int = 0
    gso_size: int = 0
    csum_start: int = 0
    csum_offset: int = 0

    @classmethod
    def from_bytes(cls, data: bytes | bytearray | memoryview) -> VnetHdr | None:
        """The header in the first 10 bytes of `data`; None when it is all zero."""
        if data[:VNET_HDR_LEN] == ZERO_HDR:
            return None
        return cls._make(_HDR.unpack_from(data))

    def pack(self) -> bytes:
        return _HDR.pack(*self)

    @property
    def needs_csum(self) -> bool:
        return bool(self.flags & F_NEEDS_CSUM)

    @property
    def is_gso(self) -> bool:
        return (self.gso_type & ~GSO_ECN) != GSO_NONE

    def shifted(self, delta: int) -> VnetHdr:
        """The header after `delta` bytes were inserted (or removed, if negative) before the L3
        header, e.g. a VLAN tag pushed (+4) or popped (-4)."""
        return self._replace(
            csum_start=self.csum_start + delta if self.flags & F_NEEDS_CSUM else self.csum_start,
            hdr_len=self.hdr_len + delta if self.hdr_len else 0)


def pack(hdr: VnetHdr | None) -> bytes:
    """The 10 wire bytes of `hdr` (zeros for None)."""
    return ZERO_HDR if hdr is None else _HDR.pack(*hdr)


def ones_sum(data: bytes | bytearray | memoryview, initial: int = 0) -> int:
    """The ones'-complement sum of `data` as 16-bit big-endian words, plus `initial`, reduced
    mod 0xffff (2**16 is 1 mod 0xffff, so a whole buffer is summed by one bignum remainder)."""
    n = int.from_bytes(data, "big")
    if len(data) & 1:
        n <<= 8
    return (n + initial) % 0xFFFF


def fold(total: int) -> int:
    """The checksum field for a ones'-complement sum (never 0, which UDP reserves)."""
    return 0xFFFF - (total % 0xFFFF)


def complete_csum(frame: bytes, hdr: VnetHdr) -> bytes:
    """`frame` with its partial L4 checksum finished (what a NIC does for NEEDS_CSUM)."""
    if not hdr.flags & F_NEEDS_CSUM:
        return frame
    start = hdr.csum_start
    at = start + hdr.csum_offset
    if at + 2 > len(frame):
        raise ValueError(f"csum_start {start} + csum_offset {hdr.csum_offset} past the frame")
    value = fold(ones_sum(memoryview(frame)[start:]))
    return b"".join((frame[:at], value.to_bytes(2, "big"), frame[at + 2:]))


def l3_offset(frame: bytes | bytearray | memoryview) -> tuple[int, int]:
    """(offset of the L3 header, ethertype), past any VLAN tags."""
    off = 12
    ethertype = int.from_bytes(frame[off:off + 2], "big")
    while ethertype in _VLAN_TPIDS:
        off += 4
        ethertype = int.from_bytes(frame[off:off + 2], "big")
    return off + 2, ethertype


def segment(frame: bytes, hdr: VnetHdr) -> list[bytes]:
    """The frames the kernel's GSO would send for a TCP (TSO) or UDP (USO) super-frame, each with
    its IP length, IPv4 id and header checksum, TCP sequence number and flags and L4 checksum
    fixed. A frame that is not GSO is returned with its checksum finished."""
    gso = hdr.gso_type & ~GSO_ECN
    if gso == GSO_NONE or hdr.gso_size == 0:
        return [complete_csum(frame, hdr)]
    if gso not in (GSO_TCPV4, GSO_TCPV6, GSO_UDP_L4):
        raise ValueError(f"cannot segment gso_type {hdr.gso_type} in software")
    l3, ethertype = l3_offset(frame)
    if ethertype == _ETH_P_IP:
        v4 = True
        l4 = l3 + (frame[l3] & 0x0F) * 4
        proto = frame[l3 + 9]
        addrs = ones_sum(frame[l3 + 12:l3 + 20])
    elif ethertype == _ETH_P_IPV6:
        v4 = False
        l4 = hdr.csum_start if hdr.flags & F_NEEDS_CSUM else l3 + 40
        proto = 17 if gso == GSO_UDP_L4 else 6
        addrs = ones_sum(frame[l3 + 8:l3 + 40])
    else:
        raise ValueError(f"GSO frame with ethertype {ethertype:#06x}")
    tcp = gso != GSO_UDP_L4
    l4_len = (frame[l4 + 12] >> 4) * 4 if tcp else 8
    payload_at = l4 + l4_len
    mss = hdr.gso_size
    total = len(frame) - payload_at
    if total <= 0:
        return [complete_csum(frame, hdr)]
    head = bytearray(frame[:payload_at])
    ip_id = int.from_bytes(head[l3 + 4:l3 + 6], "big") if v4 else 0
    seq = int.from_bytes(head[l4 + 4:l4 + 8], "big") if tcp else 0
    flags = head[l4 + 13] if tcp else 0
    out = []
    for i, at in enumerate(range(payload_at, len(frame), mss)):
        chunk = frame[at:at + mss]
        last = at + mss >= len(frame)
        seg_l4_len = l4_len + len(chunk)
        if v4:
            head[l3 + 2:l3 + 4] = (l4 - l3 + seg_l4_len).to_bytes(2, "big")
            head[l3 + 4:l3 + 6] = ((ip_id + i) & 0xFFFF).to_bytes(2, "big")
            head[l3 + 10:l3 + 12] = b"\0\0"
            head[l3 + 10:l3 + 12] = fold(ones_sum(head[l3:l4])).to_bytes(2, "big")
        else:
            head[l3 + 4:l3 + 6] = (l4 - l3 - 40 + seg_l4_len).to_bytes(2, "big")
        if tcp:
            head[l4 + 4:l4 + 8] = ((seq + i * mss) & 0xFFFFFFFF).to_bytes(4, "big")
            f = flags
            if not last:
                f &= ~(_TCP_FIN | _TCP_PSH)
            if i:
                f &= ~_TCP_CWR
            head[l4 + 13] = f
            csum_at = l4 + 16
        else:
            head[l4 + 4:l4 + 6] = seg_l4_len.to_bytes(2, "big")
            csum_at = l4 + 6
        head[csum_at:csum_at + 2] = b"\0\0"
        pseudo = addrs + proto + seg_l4_len
        s = ones_sum(chunk, ones_sum(head[l4:payload_at], pseudo))
        head[csum_at:csum_at + 2] = fold(s).to_bytes(2, "big")
        out.append(bytes(head) + chunk)
    return out
