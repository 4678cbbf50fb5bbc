"""IP fragment reassembly for connection tracking, and fragmentation on the way out.

Conntrack tracks datagrams, not fragments: OVS's ``ct()`` reassembles a fragmented IPv4 or IPv6
datagram before it looks it up, and the kernel datapath sends the packet out again cut into
fragments no larger than the largest one that came in.  Without it a later fragment (no L4
header) is ``ct.inv`` and the ACLs drop it.  The datapath does the same at its input:
``Reassembler.add`` holds the fragments of a datagram until it is whole and then returns the
whole frame and the largest fragment's size; ``fragment`` cuts a frame back into fragments of at
most that size (IPv4: the datagram's own identification; IPv6: a Fragment header with the
original identification after the IPv6 header).

Limits, as Linux's and OVS's defragmenters have: datagrams incomplete after ``timeout`` seconds
are dropped, at most ``max_pending`` datagrams wait (the oldest goes first), a datagram may not
grow past 65,535 bytes; overlapping fragments are taken as they come (the later bytes win).
"""

from __future__ import annotations

import struct
from collections import OrderedDict
from dataclasses import dataclass, field

from pyovn.datapath.packet import Packet, checksum

__all__ = ["Reassembler", "fragment"]

_IP6_EXT = frozenset((0, 43, 60))  # headers before a Fragment header (hop-by-hop, routing, dest)
FRAG_HDR = 44
MAX_DATAGRAM = 65535


@dataclass(slots=True)
class _Pending:
    started: float
    head: bytes = b""  # Ethernet + IP header (+ unfragmentable IPv6 headers) of offset 0
    next_at: int = -1  # IPv6: offset of the next-header byte to restore in ``head``
    nxt: int = 0  # IPv6: the protocol the Fragment header named
    total: int = -1  # payload length, once the last fragment came
    pieces: dict[int, bytes] = field(default_factory=dict)
    largest: int = 0  # largest fragment's frame length


@dataclass(slots=True)
class _Info:
    key: tuple[object, ...]
    offset: int
    more: bool
    payload: bytes
    head_end: int  # end of the headers a whole datagram keeps
    next_at: int = -1  # IPv6: where the header before the Fragment header names the next
    nxt: int = 0  # IPv6: the protocol after the Fragment header
    ident6: int = -1  # IPv6: the identification


def _frag_info(pkt: Packet) -> _Info | None:
    d, l3, end = pkt.data, pkt.l3, pkt.end
    if pkt.l3kind == 4:
        hl = (d[l3] & 0xF) * 4
        ident, frag = struct.unpack_from("!HH", d, l3 + 4)
        return _Info((4, bytes(d[l3 + 12 : l3 + 20]), d[l3 + 9], ident), (frag & 0x1FFF) * 8,
                     bool(frag & 0x2000), bytes(d[l3 + hl : end]), l3 + hl)
    if pkt.l3kind == 6:
        nxt_at, nxt, o = l3 + 6, d[l3 + 6], l3 + 40
        while nxt in _IP6_EXT and o + 8 <= end:
            nxt_at, nxt, o = o, d[o], o + (d[o + 1] + 1) * 8
        if nxt != FRAG_HDR or o + 8 > end:
            return None
        inner, fo, ident = struct.unpack_from("!BxHI", d, o)
        return _Info((6, bytes(d[l3 + 8 : l3 + 40]), ident), fo & 0xFFF8, bool(fo & 1),
                     bytes(d[o + 8 : end]), o, nxt_at, inner, ident)
    return None


class Reassembler:
    """Datagrams being put together, by (family, addresses, protocol, identification) and the
    port they came in on."""

    def __init__(self, timeout: float = 15.0, max_pending: int = 1024) -> None:
        self.timeout = timeout
        self.max_pending = max_pending
        self._pending: OrderedDict[tuple[object, ...], _Pending] = OrderedDict()
        self.stats = {"fragments": 0, "reassembled": 0, "expired": 0, "bad": 0}

    def __len__(self) -> int:
        return len(self._pending)

    def add(self, port: str, pkt: Packet, now: float) -> tuple[bytes, int, int] | None:
        """Takes one fragment (``pkt``, parsed); once its datagram is whole: (the whole frame,
        the largest fragment's frame length, the IPv6 identification or -1)."""
        info = _frag_info(pkt)
        if info is None:
            self.stats["bad"] += 1
            return None
        off, more, payload = info.offset, info.more, info.payload
        key = (port, *info.key)
        self.stats["fragments"] += 1
        self.expire(now)
        p = self._pending.get(key)
        if p is None:
            while len(self._pending) >= self.max_pending:
                self._pending.popitem(last=False)
                self.stats["expired"] += 1
            p = self._pending[key] = _Pending(now)
        if off + len(payload) > MAX_DATAGRAM or (more and len(payload) % 8):
            del self._pending[key]
            self.stats["bad"] += 1
            return None
        p.pieces[off] = payload
        p.largest = max(p.largest, pkt.end)
        if off == 0:
            p.head = bytes(pkt.data[: info.head_end])
            p.next_at, p.nxt = info.next_at, info.nxt
        if not more:
            p.total = off + len(payload)
        if p.total < 0 or not p.head:
            return None
        body = bytearray(p.total)
        covered = 0
        for o in sorted(p.pieces):
            piece = p.pieces[o]
            if o > covered:
                return None  # a hole
            body[o : o + len(piece)] = piece[: max(0, p.total - o)]
            covered = max(covered, o + len(piece))
        if covered < p.total:
            return None
        del self._pending[key]
        self.stats["reassembled"] += 1
        head = bytearray(p.head)
        if info.ident6 < 0:
            l3 = _l3(head)
            hl = (head[l3] & 0xF) * 4
            struct.pack_into("!H", head, l3 + 2, hl + p.total)
            head[l3 + 6] &= 0x40  # keep DF, clear MF and the offset
            head[l3 + 7] = 0
            struct.pack_into("!H", head, l3 + 10, 0)
            struct.pack_into("!H", head, l3 + 10, checksum(head[l3 : l3 + hl]))
            return bytes(head + body), p.largest, -1
        l3 = _l3(head)
        head[p.next_at] = p.nxt
        struct.pack_into("!H", head, l3 + 4, len(head) - l3 - 40 + p.total)
        return bytes(head + body), p.largest, info.ident6

    def expire(self, now: float) -> int:
        """Drops the datagrams incomplete for longer than the timeout; how many."""
        n = 0
        while self._pending:
            key, p = next(iter(self._pending.items()))
            if now - p.started < self.timeout:
                break
            del self._pending[key]
            n += 1
        self.stats["expired"] += n
        return n


def _l3(frame: bytes | bytearray) -> int:
    return 18 if frame[12:14] in (b"\x81\x00", b"\x88\xa8") else 14


def fragment(frame: bytes, size: int, ident6: int = -1) -> list[bytes]:
    """``frame`` cut into IPv4 / IPv6 fragments whose frames are at most ``size`` bytes (the
    frame itself when it fits, is not IP, or forbids fragmentation)."""
    if len(frame) <= size:
        return [frame]
    l3 = _l3(frame)
    version = frame[l3] >> 4
    if version == 4 and frame[l3 + 6] & 0x40 == 0:
        hl = (frame[l3] & 0xF) * 4
        total = struct.unpack_from("!H", frame, l3 + 2)[0]
        payload = frame[l3 + hl : l3 + total]
        step = (size - l3 - hl) // 8 * 8
        if step <= 0:
            return [frame]
        out = []
        for o in range(0, len(payload), step):
            chunk = payload[o : o + step]
            head = bytearray(frame[: l3 + hl])
            more = o + step < len(payload)
            struct.pack_into("!HHH", head, l3 + 2, hl + len(chunk),
                             struct.unpack_from("!H", frame, l3 + 4)[0],
                             (0x2000 if more else 0) | (o // 8))
            struct.pack_into("!H", head, l3 + 10, 0)
            struct.pack_into("!H", head, l3 + 10, checksum(head[l3 : l3 + hl]))
            out.append(bytes(head + chunk))
        return out
    if version == 6 and ident6 >= 0:
        plen = struct.unpack_from("!H", frame, l3 + 4)[0]
        nxt = frame[l3 + 6]
        payload = frame[l3 + 40 : l3 + 40 + plen]
        step = (size - l3 - 40 - 8) // 8 * 8
        if step <= 0:
            return [frame]
        out = []
        for o in range(0, len(payload), step):
            chunk = payload[o : o + step]
            head = bytearray(frame[: l3 + 40])
            head[l3 + 6] = FRAG_HDR
            struct.pack_into("!H", head, l3 + 4, 8 + len(chunk))
            more = o + step < len(payload)
            head += struct.pack("!BBHI", nxt, 0, o | (1 if more else 0), ident6)
            out.append(bytes(head + chunk))
        return out
    return [frame]
