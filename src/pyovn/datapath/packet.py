"""The datapath's packet codec: Ethernet frames <-> the microflow keys of ``pyovn.logical``.

``parse(frame)`` reads a frame the way Open vSwitch's flow extraction does (ovs-fields(7)) and
returns the microflow (``Flow``) with a ``Packet`` holding the bytes, the layer offsets and the
values it parsed.  ``serialize(flow, packet)`` writes back only the keys whose value in ``flow``
differs from the parsed one: the IPv4 header checksum and the L4 checksum are updated
incrementally (RFC 1624, eqn. 3), SCTP's CRC32c recomputed.  ``build(flow, payload)`` makes a
frame from scratch with full checksums (generated packets, tests).

Keys (OVS's definitions of the fields):
  eth.src, eth.dst, eth.type, vlan.tci -- with one 802.1Q/802.1ad tag, ``eth.type`` is the type
      after the tag and ``vlan.tci`` the tag's TCI with bit 12 (CFI: "a tag is present") set; 0
      untagged.  A length instead of a type (< 0x600) reads as eth.type 0x05ff.
  arp.op, arp.spa, arp.tpa, arp.sha, arp.tha -- ARP and RARP for Ethernet/IPv4 only.
  ip.proto (IPv6: after the extension headers), ip.dscp, ip.ecn, ip.ttl, ip.frag (bit 0: a
      fragment, bit 1: not the first one -- 0, 1 = first, 3 = later), ip4.src/dst, ip6.src/dst,
      ip6.label.  A malformed IP header leaves only the L2 keys, as in OVS.
  L4, only when its header is in the frame (never in a later fragment): tcp.src/dst/flags
      (12 bits), udp.src/dst, sctp.src/dst, icmp4.type/code, icmp6.type/code; for ICMPv6 NS/NA
      with code 0 also nd.target, nd.sll, nd.tll (0 when the option is absent).
  ``serialize`` also writes ``icmp4.frag_mtu`` (ICMPv4 bytes 6-7, RFC 1191) and
  ``icmp6.frag_mtu`` (ICMPv6 bytes 4-7, RFC 4443) when the flow has them; parse never sets them.

Checksums: a UDP/IPv4 checksum of 0 ("none", RFC 768) stays 0 and a computed 0 is sent as
0xffff.  Partial checksums (a vnet header with NEEDS_CSUM; ``parse(frame, csum_partial=True)``):
the L4 checksum field holds only the pseudo-header sum, which the device completes over the L4
bytes.  Then an address change updates the field by the same delta (uncomplemented: the field is
a sum, not a checksum), a port or other L4 header change must not touch it, and SCTP's CRC is
left alone.  GSO super-frames parse and serialize like any frame: only headers are touched.

VLAN: a changed ``vlan.tci`` rewrites the tag, pops it (CFI bit clear) or pushes an 802.1Q tag,
so the frame grows or shrinks by 4 bytes before L3 (shift a vnet header's csum_start).
"""

from __future__ import annotations

import struct
from typing import Final

from pyovn.logical.flow import Flow

__all__ = [
    "L4_ICMP4",
    "L4_ICMP6",
    "L4_NONE",
    "L4_SCTP",
    "L4_TCP",
    "L4_UDP",
    "PACKET_KEYS",
    "Packet",
    "PacketError",
    "build",
    "checksum",
    "crc32c",
    "eth_header",
    "ip_header",
    "l4_header",
    "parse",
    "pseudo_sum",
    "refresh",
    "serialize",
    "with_udp_payload",
]

ETH_IP, ETH_IP6, ETH_ARP, ETH_RARP = 0x0800, 0x86DD, 0x0806, 0x8035
ETH_VLAN, ETH_VLAN_AD, ETH_NONE = 0x8100, 0x88A8, 0x05FF
VLAN_CFI: Final = 0x1000
IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMPV6, IPPROTO_SCTP = 1, 6, 17, 58, 132
_IP6_EXT = frozenset({0, 43, 44, 51, 60})  # hop-by-hop, routing, fragment, AH, dest. options

# What sits at the L4 offset (Packet.l4kind).
L4_NONE, L4_TCP, L4_UDP, L4_SCTP, L4_ICMP4, L4_ICMP6 = 0, 1, 2, 3, 4, 5

# Every key parse() may set (refresh() replaces exactly these).
# The identifier of an ICMP/ICMPv6 echo request or reply: not a logical field, but conntrack
# keys echo "connections" on it and SNAT may rewrite it (pyovn.datapath.conntrack.ICMP_ID).
ICMP_ID: Final = "__icmp_id__"
_ECHO4, _ECHO6 = frozenset((0, 8)), frozenset((128, 129))
PACKET_KEYS: Final = frozenset(
    {
        "eth.src", "eth.dst", "eth.type", "vlan.tci",
        "arp.op", "arp.spa", "arp.tpa", "arp.sha", "arp.tha",
        "ip.proto", "ip.dscp", "ip.ecn", "ip.ttl", "ip.frag",
        "ip4.src", "ip4.dst", "ip6.src", "ip6.dst", "ip6.label",
        "tcp.src", "tcp.dst", "tcp.flags", "udp.src", "udp.dst", "sctp.src", "sctp.dst",
        "icmp4.type", "icmp4.code", "icmp6.type", "icmp6.code",
        "nd.target", "nd.sll", "nd.tll", ICMP_ID,
    }
)  # fmt: skip

_ETH = struct.Struct("!HIHIH").unpack_from  # dst hi/lo, src hi/lo, type
_HH = struct.Struct("!HH").unpack_from
_H = struct.Struct("!H").unpack_from
_IP4 = struct.Struct("!BBHHHBBHII").unpack_from
_IP6 = struct.Struct("!IHBB").unpack_from
_ARP = struct.Struct("!HHBBHHIIHII").unpack_from
_TCP = struct.Struct("!HH8xH").unpack_from
_BB = struct.Struct("!BB").unpack_from


class PacketError(ValueError):
    """The bytes are not an Ethernet frame (shorter than its header)."""


class Packet:
    """A parsed frame: its bytes, where each layer starts, and the keys parse() produced.

    ``l3``/``l4`` are offsets into ``data`` (``l4`` -1 when there is no L4 header), ``end`` the
    end of the L3 datagram (Ethernet padding excluded), ``ck`` the offset of the L4 checksum
    field (-1: none), ``sll``/``tll`` the offsets of the ND link-layer address option values.
    """

    __slots__ = (
        "data", "orig", "csum_partial", "vlan", "l3", "l3kind", "l4", "l4kind", "end", "ck",
        "sll", "tll",
    )  # fmt: skip

    def __init__(self, data: bytes | bytearray | memoryview, csum_partial: bool = False) -> None:
        self.data = data
        self.orig: Flow = {}
        self.csum_partial = csum_partial
        self.vlan = False
        self.l3 = 14
        self.l3kind = 0  # 4, 6, or 0 (none / ARP: see eth.type)
        self.l4 = -1
        self.l4kind = L4_NONE
        self.end = len(data)
        self.ck = -1
        self.sll = -1
        self.tll = -1

    @property
    def l4_payload(self) -> int:
        """Offset of the L4 payload (after the TCP/UDP/SCTP/ICMP header); -1 without L4."""
        k = self.l4kind
        if k == L4_TCP:
            return self.l4 + (self.data[self.l4 + 12] >> 4) * 4
        if k in (L4_UDP, L4_ICMP4, L4_ICMP6):
            return self.l4 + 8
        if k == L4_SCTP:
            return self.l4 + 12
        return -1

    def __repr__(self) -> str:
        return f"<Packet {len(self.data)} bytes l3={self.l3} l4={self.l4} kind={self.l4kind}>"


# --- parse -----------------------------------------------------------------------------------


def parse(frame: bytes | bytearray | memoryview, csum_partial: bool = False) -> tuple[Flow, Packet]:
    """The microflow keys of ``frame`` and its Packet (see the module docstring)."""
    n = len(frame)
    if n < 14:
        raise PacketError(f"{n}-byte frame is shorter than an Ethernet header")
    dh, dl, sh, sl, etype = _ETH(frame, 0)
    pkt = Packet(frame, csum_partial)
    flow: Flow = {"eth.dst": (dh << 32) | dl, "eth.src": (sh << 32) | sl}
    off = 14
    tci = 0
    if etype in (ETH_VLAN, ETH_VLAN_AD):
        if n >= 18:
            tci, etype = _HH(frame, 14)
            tci |= VLAN_CFI
            off = 18
            pkt.vlan = True
        else:
            etype = ETH_NONE
    if etype < 0x600:
        etype = ETH_NONE
    flow["vlan.tci"] = tci
    flow["eth.type"] = etype
    pkt.l3 = off
    if etype == ETH_IP:
        _parse_ip4(frame, n, off, flow, pkt)
    elif etype == ETH_IP6:
        _parse_ip6(frame, n, off, flow, pkt)
    elif etype in (ETH_ARP, ETH_RARP) and n >= off + 28:
        ht, pt, hl, pl, op, sha_h, sha_l, spa, tha_h, tha_l, tpa = _ARP(frame, off)
        if ht == 1 and pt == ETH_IP and hl == 6 and pl == 4:
            flow["arp.op"] = op
            flow["arp.spa"] = spa
            flow["arp.tpa"] = tpa
            flow["arp.sha"] = (sha_h << 32) | sha_l
            flow["arp.tha"] = (tha_h << 32) | tha_l
    pkt.orig = flow.copy()
    return flow, pkt


def _parse_ip4(frame: bytes | bytearray | memoryview, n: int, off: int, flow: Flow,
               pkt: Packet) -> None:
    if n < off + 20:
        return
    vihl, tos, tot, _id, frag, ttl, proto, _ck, src, dst = _IP4(frame, off)
    hl = (vihl & 0xF) << 2
    if vihl >> 4 != 4 or hl < 20 or tot < hl or off + tot > n:
        return
    end = off + tot
    pkt.l3kind = 4
    pkt.end = end
    flow["ip.proto"] = proto
    flow["ip.dscp"] = tos >> 2
    flow["ip.ecn"] = tos & 3
    flow["ip.ttl"] = ttl
    flow["ip4.src"] = src
    flow["ip4.dst"] = dst
    if frag & 0x3FFF:  # MF or an offset: a fragment
        if frag & 0x1FFF:
            flow["ip.frag"] = 3
            return
        flow["ip.frag"] = 1
    else:
        flow["ip.frag"] = 0
    _parse_l4(frame, end, off + hl, proto, False, flow, pkt)


def _parse_ip6(frame: bytes | bytearray | memoryview, n: int, off: int, flow: Flow,
               pkt: Packet) -> None:
    if n < off + 40:
        return
    vtf, plen, nxt, hop = _IP6(frame, off)
    if off + 40 + plen > n:  # (OVS does not check the version of an IPv6 header)
        return
    end = off + 40 + plen
    pkt.l3kind = 6
    pkt.end = end
    flow["ip.dscp"] = (vtf >> 22) & 0x3F
    flow["ip.ecn"] = (vtf >> 20) & 3
    flow["ip6.label"] = vtf & 0xFFFFF
    flow["ip.ttl"] = hop
    flow["ip6.src"] = int.from_bytes(frame[off + 8 : off + 24], "big")
    flow["ip6.dst"] = int.from_bytes(frame[off + 24 : off + 40], "big")
    l4 = off + 40
    frag = 0
    while nxt in _IP6_EXT and l4 + 8 <= end:
        if nxt == 44:
            frag = 1
            nxt = frame[l4]
            later = _H(frame, l4 + 2)[0] & 0xFFF8
            l4 += 8
            if later:
                frag = 3
                break
        elif nxt == 51:
            nxt, ln = frame[l4], (frame[l4 + 1] + 2) << 2
            l4 += ln
        else:
            nxt, ln = frame[l4], (frame[l4 + 1] + 1) << 3
            l4 += ln
    flow["ip.proto"] = nxt
    flow["ip.frag"] = frag
    if frag != 3 and nxt not in _IP6_EXT:
        _parse_l4(frame, end, l4, nxt, True, flow, pkt)


def _parse_l4(frame: bytes | bytearray | memoryview, end: int, l4: int, proto: int, v6: bool,
              flow: Flow, pkt: Packet) -> None:
    if proto == IPPROTO_TCP:
        if l4 + 20 <= end:
            s, d, of = _TCP(frame, l4)
            flow["tcp.src"] = s
            flow["tcp.dst"] = d
            flow["tcp.flags"] = of & 0xFFF
            pkt.l4, pkt.l4kind, pkt.ck = l4, L4_TCP, l4 + 16
    elif proto == IPPROTO_UDP:
        if l4 + 8 <= end:
            s, d = _HH(frame, l4)
            flow["udp.src"] = s
            flow["udp.dst"] = d
            pkt.l4, pkt.l4kind, pkt.ck = l4, L4_UDP, l4 + 6
    elif proto == IPPROTO_SCTP:
        if l4 + 12 <= end:
            s, d = _HH(frame, l4)
            flow["sctp.src"] = s
            flow["sctp.dst"] = d
            pkt.l4, pkt.l4kind, pkt.ck = l4, L4_SCTP, l4 + 8
    elif proto == IPPROTO_ICMP and not v6:
        if l4 + 8 <= end:
            t, c = _BB(frame, l4)
            flow["icmp4.type"] = t
            flow["icmp4.code"] = c
            if t in _ECHO4:
                flow[ICMP_ID] = (frame[l4 + 4] << 8) | frame[l4 + 5]
            pkt.l4, pkt.l4kind, pkt.ck = l4, L4_ICMP4, l4 + 2
    elif proto == IPPROTO_ICMPV6 and v6 and l4 + 4 <= end:
        t, c = _BB(frame, l4)
        flow["icmp6.type"] = t
        flow["icmp6.code"] = c
        if t in _ECHO6 and l4 + 8 <= end:
            flow[ICMP_ID] = (frame[l4 + 4] << 8) | frame[l4 + 5]
        pkt.l4, pkt.l4kind, pkt.ck = l4, L4_ICMP6, l4 + 2
        if (t == 135 or t == 136) and c == 0 and l4 + 24 <= end:
            flow["nd.target"] = int.from_bytes(frame[l4 + 8 : l4 + 24], "big")
            sll = tll = 0
            o = l4 + 24
            while o + 8 <= end:
                ot, ol = _BB(frame, o)
                ol <<= 3
                if not ol or o + ol > end:
                    break
                if ol == 8:
                    if ot == 1 and pkt.sll < 0:
                        pkt.sll = o + 2
                        sll = int.from_bytes(frame[o + 2 : o + 8], "big")
                    elif ot == 2 and pkt.tll < 0:
                        pkt.tll = o + 2
                        tll = int.from_bytes(frame[o + 2 : o + 8], "big")
                o += ol
            flow["nd.sll"] = sll
            flow["nd.tll"] = tll


def refresh(flow: Flow, frame: bytes | bytearray | memoryview,
            csum_partial: bool = False) -> Packet:
    """Parses ``frame`` (e.g. a reply an action made of the packet) into ``flow`` in place:
    the packet keys are replaced by the frame's, metadata (registers, ports, ct_*) is kept.
    Returns the new Packet."""
    new, pkt = parse(frame, csum_partial)
    for k in PACKET_KEYS.intersection(flow):
        del flow[k]
    flow.update(new)
    return pkt


# --- serialize -------------------------------------------------------------------------------


def _adjust(ck: int, delta: int) -> int:
    """Checksum field ``ck`` after the covered data's ones'-complement sum grew by ``delta``
    (mod 0xffff): RFC 1624 eqn. 3, HC' = ~(~HC + ~m + m')."""
    c = (~ck & 0xFFFF) + delta
    c = (c & 0xFFFF) + (c >> 16)
    return ~c & 0xFFFF


def _get(flow: Flow, key: str) -> int:
    v = flow.get(key, 0)
    return v if isinstance(v, int) else 0


def serialize(flow: Flow, pkt: Packet) -> bytes:
    """``pkt``'s frame with the packet keys of ``flow`` that changed since parse() written in.

    Only changed fields are touched; checksums are updated for exactly those (see the module
    docstring for partial checksums).  Keys that are not writable (eth.type, ip.proto,
    ip.frag, tcp.flags) or whose layer the frame lacks are ignored."""
    orig = pkt.orig
    l4kind = pkt.l4kind
    data = pkt.data
    if orig.items() <= flow.items() and l4kind != L4_ICMP4 and l4kind != L4_ICMP6:
        return data if isinstance(data, bytes) else bytes(data)  # the common case: unchanged
    changed = [k for k, v in orig.items() if flow.get(k, 0) != v]
    fmtu = -1
    if l4kind == L4_ICMP4:
        if "icmp4.frag_mtu" in flow:
            fmtu = _get(flow, "icmp4.frag_mtu") & 0xFFFF
            if int.from_bytes(pkt.data[pkt.l4 + 6 : pkt.l4 + 8], "big") == fmtu:
                fmtu = -1
    elif l4kind == L4_ICMP6 and "icmp6.frag_mtu" in flow:
        fmtu = _get(flow, "icmp6.frag_mtu") & 0xFFFFFFFF
        if int.from_bytes(pkt.data[pkt.l4 + 4 : pkt.l4 + 8], "big") == fmtu:
            fmtu = -1
    if not changed and fmtu < 0:
        return data if isinstance(data, bytes) else bytes(data)
    buf = bytearray(data)
    l3, l4 = pkt.l3, pkt.l4
    dip = dph = dl4 = 0  # growth of the sums under the IPv4 header / pseudo-header / L4 checksum
    crc = False
    new_tci = -1
    for k in changed:
        new = _get(flow, k)
        old = orig[k]
        assert isinstance(old, int)
        if k == "eth.dst":
            buf[0:6] = (new & 0xFFFFFFFFFFFF).to_bytes(6, "big")
        elif k == "eth.src":
            buf[6:12] = (new & 0xFFFFFFFFFFFF).to_bytes(6, "big")
        elif k == "vlan.tci":
            new_tci = new & 0xFFFF
        elif k in ("ip4.src", "ip4.dst"):
            new &= 0xFFFFFFFF
            o = l3 + (12 if k == "ip4.src" else 16)
            buf[o : o + 4] = new.to_bytes(4, "big")
            d = new - old
            dip += d
            dph += d
        elif k in ("ip6.src", "ip6.dst"):
            new &= (1 << 128) - 1
            o = l3 + (8 if k == "ip6.src" else 24)
            buf[o : o + 16] = new.to_bytes(16, "big")
            dph += new - old
        elif k == "ip.ttl":
            new &= 0xFF
            if pkt.l3kind == 4:
                buf[l3 + 8] = new
                dip += (new - old) << 8
            else:
                buf[l3 + 7] = new
        elif k in ("ip.dscp", "ip.ecn", "ip6.label"):
            if pkt.l3kind == 4:
                tos = ((_get(flow, "ip.dscp") & 0x3F) << 2) | (_get(flow, "ip.ecn") & 3)
                dip += tos - buf[l3 + 1]
                buf[l3 + 1] = tos
            else:
                vtf = (
                    (buf[l3] & 0xF0) << 24  # the version, as it was
                    | (_get(flow, "ip.dscp") & 0x3F) << 22
                    | (_get(flow, "ip.ecn") & 3) << 20
                    | (_get(flow, "ip6.label") & 0xFFFFF)
                )
                buf[l3 : l3 + 4] = vtf.to_bytes(4, "big")
        elif k in _PORT_KEYS:
            new &= 0xFFFF
            o = l4 + (0 if k.endswith(".src") else 2)
            buf[o : o + 2] = new.to_bytes(2, "big")
            if l4kind == L4_SCTP:
                crc = True
            else:
                dl4 += new - old
        elif k in ("icmp4.type", "icmp6.type"):
            buf[l4] = new & 0xFF
            dl4 += ((new & 0xFF) - old) << 8
        elif k in ("icmp4.code", "icmp6.code"):
            buf[l4 + 1] = new & 0xFF
            dl4 += (new & 0xFF) - old
        elif k == ICMP_ID:
            new &= 0xFFFF
            buf[l4 + 4 : l4 + 6] = new.to_bytes(2, "big")
            dl4 += new - old
        elif k == "nd.target":
            new &= (1 << 128) - 1
            buf[l4 + 8 : l4 + 24] = new.to_bytes(16, "big")
            dl4 += new - old
        elif k in ("nd.sll", "nd.tll"):
            o = pkt.sll if k == "nd.sll" else pkt.tll
            if o >= 0:  # no option to write into: OVS does not add one either
                new &= 0xFFFFFFFFFFFF
                buf[o : o + 6] = new.to_bytes(6, "big")
                dl4 += new - old
        elif k.startswith("arp."):
            o, size = _ARP_FIELDS[k]
            buf[l3 + o : l3 + o + size] = (new & ((1 << (8 * size)) - 1)).to_bytes(size, "big")
        # eth.type, ip.proto, ip.frag, tcp.flags: read-only
    if fmtu >= 0:
        if l4kind == L4_ICMP4:
            old = int.from_bytes(buf[l4 + 6 : l4 + 8], "big")
            buf[l4 + 6 : l4 + 8] = fmtu.to_bytes(2, "big")
        else:
            old = int.from_bytes(buf[l4 + 4 : l4 + 8], "big")
            buf[l4 + 4 : l4 + 8] = fmtu.to_bytes(4, "big")
        dl4 += fmtu - old
    if dip and pkt.l3kind == 4:
        d = dip % 0xFFFF
        if d:
            o = l3 + 10
            ck = _adjust((buf[o] << 8) | buf[o + 1], d)
            buf[o], buf[o + 1] = ck >> 8, ck & 0xFF
    o = pkt.ck
    if o >= 0:
        if l4kind == L4_SCTP:
            if crc and not pkt.csum_partial:
                buf[o : o + 4] = b"\0\0\0\0"
                buf[o : o + 4] = crc32c(buf[l4 : pkt.end]).to_bytes(4, "little")
        else:
            if pkt.csum_partial:  # the field is the pseudo-header sum: only addresses count
                d = 0 if l4kind == L4_ICMP4 else dph % 0xFFFF
            else:
                d = (dl4 if l4kind == L4_ICMP4 else dph + dl4) % 0xFFFF
            if d:
                ck = (buf[o] << 8) | buf[o + 1]
                if pkt.csum_partial:
                    s = ck + d
                    ck = (s & 0xFFFF) + (s >> 16)
                elif not (ck == 0 and l4kind == L4_UDP and pkt.l3kind == 4):
                    ck = _adjust(ck, d)
                    if ck == 0 and (l4kind == L4_UDP or not (any(buf[l4:o]) or any(buf[o + 2 : pkt.end]))):
                        # UDP sends a zero checksum as 0xffff; all-zero data (an ICMPv4
                        # message has no pseudo-header) sums to +0, whose checksum is 0xffff
                        ck = 0xFFFF
                buf[o], buf[o + 1] = ck >> 8, ck & 0xFF
    if new_tci >= 0:
        _set_vlan(buf, pkt.vlan, new_tci)
    return bytes(buf)


_PORT_KEYS = frozenset({"tcp.src", "tcp.dst", "udp.src", "udp.dst", "sctp.src", "sctp.dst"})
# Offset and size of each ARP field in the ARP header.
_ARP_FIELDS = {
    "arp.op": (6, 2), "arp.sha": (8, 6), "arp.spa": (14, 4), "arp.tha": (18, 6),
    "arp.tpa": (24, 4),
}  # fmt: skip


def _set_vlan(buf: bytearray, tagged: bool, tci: int) -> None:
    """Rewrites, pops or pushes the VLAN tag (OVS writes the TCI with the CFI bit clear)."""
    if tci & VLAN_CFI:
        tag = (tci & ~VLAN_CFI).to_bytes(2, "big")
        if tagged:
            buf[14:16] = tag
        else:
            buf[12:12] = ETH_VLAN.to_bytes(2, "big") + tag
    elif tagged:
        del buf[12:16]


# --- checksums -------------------------------------------------------------------------------


def checksum(data: bytes | bytearray | memoryview, initial: int = 0) -> int:
    """The Internet checksum (RFC 1071) of ``data``, with ``initial`` (e.g. a pseudo-header's
    sum) added in.  A sum of 16-bit words is the big-endian integer mod 0xffff (2**16 = 1)."""
    b = bytes(data)
    if len(b) & 1:
        b += b"\0"
    s = (int.from_bytes(b, "big") + initial) % 0xFFFF
    if s == 0 and (initial or any(b)):
        s = 0xFFFF
    return ~s & 0xFFFF


def _crc32c_table() -> list[int]:
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_CRC32C = _crc32c_table()


def crc32c(data: bytes | bytearray | memoryview) -> int:
    """CRC-32C (Castagnoli, RFC 3309), as SCTP's checksum; SCTP stores it little-endian."""
    c = 0xFFFFFFFF
    t = _CRC32C
    for b in bytes(data):
        c = t[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def pseudo_sum(flow: Flow, proto: int, length: int) -> int:
    """Sum (mod 0xffff) of the IPv4 or IPv6 pseudo-header for ``flow``'s addresses."""
    if _get(flow, "eth.type") == ETH_IP6:
        return (_get(flow, "ip6.src") + _get(flow, "ip6.dst") + proto + length) % 0xFFFF
    return (_get(flow, "ip4.src") + _get(flow, "ip4.dst") + proto + length) % 0xFFFF


def with_udp_payload(frame: bytes, pkt: Packet, payload: bytes, *, ipv4_csum: bool = False,
                     ip4_dst: int | None = None) -> bytes:
    """``frame`` (parsed as ``pkt``, a UDP datagram) with its UDP payload replaced and whatever
    ends after it dropped: UDP length, IPv4 total length and header checksum or IPv6 payload
    length updated, the UDP checksum computed (always over IPv6; over IPv4 only with
    ``ipv4_csum``, else 0 = none).  ``ip4_dst`` also rewrites the IPv4 destination."""
    udp, l3 = pkt.l4, pkt.l3
    seg = bytearray(frame[udp : udp + 8])
    seg += payload
    n = len(seg)
    seg[4:6] = n.to_bytes(2, "big")
    seg[6:8] = b"\0\0"
    hdr = bytearray(frame[:udp])
    if pkt.l3kind == 4:
        if ip4_dst is not None:
            hdr[l3 + 16 : l3 + 20] = ip4_dst.to_bytes(4, "big")
        hdr[l3 + 2 : l3 + 4] = (udp - l3 + n).to_bytes(2, "big")
        hdr[l3 + 10 : l3 + 12] = b"\0\0"
        hdr[l3 + 10 : l3 + 12] = checksum(hdr[l3:udp]).to_bytes(2, "big")
        if ipv4_csum:
            ph = int.from_bytes(hdr[l3 + 12 : l3 + 20], "big") + IPPROTO_UDP + n
            seg[6:8] = (checksum(seg, ph % 0xFFFF) or 0xFFFF).to_bytes(2, "big")
    else:
        hdr[l3 + 4 : l3 + 6] = (udp - l3 - 40 + n).to_bytes(2, "big")
        ph = int.from_bytes(hdr[l3 + 8 : l3 + 40], "big") + IPPROTO_UDP + n
        seg[6:8] = (checksum(seg, ph % 0xFFFF) or 0xFFFF).to_bytes(2, "big")
    return bytes(hdr + seg)


# --- build -----------------------------------------------------------------------------------


def build(
    flow: Flow,
    payload: bytes = b"",
    *,
    seq: int = 0,
    ack: int = 0,
    window: int = 0,
    nd_flags: int = 0,
    ip_id: int = 0,
    df: bool = False,
) -> bytes:
    """A frame made from ``flow``'s packet keys, with full checksums.

    Layers follow ``eth.type`` and ``ip.proto``: Ethernet (an 802.1Q tag when ``vlan.tci`` has
    the CFI bit), ARP/RARP, IPv4/IPv6 (a fragment header for an IPv6 fragment), then TCP (with
    ``seq``/``ack``/``window``), UDP, SCTP (``payload`` = its chunks), ICMPv4/ICMPv6 (an 8-byte
    header: type, code, checksum and a word that carries ``icmp4.frag_mtu``/``icmp6.frag_mtu``
    when the flow has them; ND NS/NA add ``nd_flags`` (NA: R/S/O bits, 0x80000000...), the
    target and the SLL/TLL option when ``nd.sll``/``nd.tll`` is non-zero), or the bare
    ``payload`` for other protocols.  An IP fragment (``ip.frag``) carries only ``payload``.
    ``parse(build(flow))`` gives back ``flow``'s packet keys."""
    g = _get
    etype = g(flow, "eth.type")
    head = eth_header(flow)
    if etype in (ETH_ARP, ETH_RARP):
        return head + struct.pack(
            "!HHBBH6sI6sI", 1, ETH_IP, 6, 4, g(flow, "arp.op"),
            (g(flow, "arp.sha") & 0xFFFFFFFFFFFF).to_bytes(6, "big"), g(flow, "arp.spa"),
            (g(flow, "arp.tha") & 0xFFFFFFFFFFFF).to_bytes(6, "big"), g(flow, "arp.tpa"),
        ) + payload  # fmt: skip
    if etype not in (ETH_IP, ETH_IP6):
        return head + payload
    frag = g(flow, "ip.frag") & 3
    l4 = payload if frag == 3 else l4_header(flow, payload, seq=seq, ack=ack, window=window,
                                              nd_flags=nd_flags)
    return head + ip_header(flow, len(l4), ip_id=ip_id, df=df) + l4


def eth_header(flow: Flow) -> bytes:
    """The Ethernet header (with an 802.1Q tag when ``vlan.tci`` has the CFI bit) of ``flow``."""
    g = _get
    tci = g(flow, "vlan.tci")
    head = (g(flow, "eth.dst") & 0xFFFFFFFFFFFF).to_bytes(6, "big") + (
        g(flow, "eth.src") & 0xFFFFFFFFFFFF
    ).to_bytes(6, "big")
    if tci & VLAN_CFI:
        head += struct.pack("!HH", ETH_VLAN, tci & ~VLAN_CFI & 0xFFFF)
    return head + struct.pack("!H", g(flow, "eth.type") & 0xFFFF)


def ip_header(flow: Flow, l4_len: int, *, ip_id: int = 0, df: bool = False) -> bytes:
    """The IPv4 or IPv6 header for ``flow`` over ``l4_len`` bytes of L4 (IPv6 fragments get a
    fragment header; IPv4 fragments MF/offset)."""
    g = _get
    proto = g(flow, "ip.proto") & 0xFF
    frag = g(flow, "ip.frag") & 3
    dscp, ecn, ttl = g(flow, "ip.dscp") & 0x3F, g(flow, "ip.ecn") & 3, g(flow, "ip.ttl") & 0xFF
    if g(flow, "eth.type") == ETH_IP6:
        vtf = 0x60000000 | dscp << 22 | ecn << 20 | (g(flow, "ip6.label") & 0xFFFFF)
        addrs = (g(flow, "ip6.src") & (1 << 128) - 1).to_bytes(16, "big") + (
            g(flow, "ip6.dst") & (1 << 128) - 1
        ).to_bytes(16, "big")
        if frag:
            fh = struct.pack("!BBHI", proto, 0, 185 << 3 if frag == 3 else 1, 0)
            return struct.pack("!IHBB", vtf, l4_len + 8, 44, ttl) + addrs + fh
        return struct.pack("!IHBB", vtf, l4_len, proto, ttl) + addrs
    fo = (0x4000 if df else 0) | (0x2000 if frag == 1 else 185 if frag == 3 else 0)
    h = struct.pack(
        "!BBHHHBBHII", 0x45, dscp << 2 | ecn, 20 + l4_len, ip_id & 0xFFFF, fo, ttl, proto, 0,
        g(flow, "ip4.src") & 0xFFFFFFFF, g(flow, "ip4.dst") & 0xFFFFFFFF,
    )  # fmt: skip
    return h[:10] + checksum(h).to_bytes(2, "big") + h[12:]


def l4_header(flow: Flow, payload: bytes = b"", *, seq: int = 0, ack: int = 0,
              window: int = 0, nd_flags: int = 0) -> bytes:
    """The L4 segment (header + ``payload``) for ``flow``, checksummed (see ``build``)."""
    g = _get
    proto = g(flow, "ip.proto")
    v6 = g(flow, "eth.type") == ETH_IP6
    if proto == IPPROTO_TCP:
        seg = bytearray(struct.pack(
            "!HHIIHHHH", g(flow, "tcp.src"), g(flow, "tcp.dst"), seq & 0xFFFFFFFF,
            ack & 0xFFFFFFFF, 0x5000 | (g(flow, "tcp.flags") & 0xFFF), window & 0xFFFF, 0, 0,
        ) + payload)  # fmt: skip
        ck = 16
    elif proto == IPPROTO_UDP:
        seg = bytearray(struct.pack("!HHHH", g(flow, "udp.src"), g(flow, "udp.dst"),
                                    8 + len(payload), 0) + payload)
        ck = 6
    elif proto == IPPROTO_SCTP:
        seg = bytearray(struct.pack("!HHII", g(flow, "sctp.src"), g(flow, "sctp.dst"), 0, 0)
                        + payload)
        seg[8:12] = crc32c(seg).to_bytes(4, "little")
        return bytes(seg)
    elif proto == IPPROTO_ICMP and not v6:
        word = g(flow, "icmp4.frag_mtu") & 0xFFFF
        if g(flow, "icmp4.type") in _ECHO4:
            word |= (g(flow, ICMP_ID) & 0xFFFF) << 16
        seg = bytearray(struct.pack("!BBHI", g(flow, "icmp4.type"), g(flow, "icmp4.code"), 0,
                                    word) + payload)
        seg[2:4] = checksum(seg).to_bytes(2, "big")
        return bytes(seg)
    elif proto == IPPROTO_ICMPV6 and v6:
        t, c = g(flow, "icmp6.type") & 0xFF, g(flow, "icmp6.code") & 0xFF
        if t in (135, 136) and c == 0:
            seg = bytearray(struct.pack("!BBHI", t, c, 0, nd_flags & 0xFFFFFFFF))
            seg += (g(flow, "nd.target") & (1 << 128) - 1).to_bytes(16, "big")
            for key, otype in (("nd.sll", 1), ("nd.tll", 2)):
                mac = g(flow, key) & 0xFFFFFFFFFFFF
                if mac:
                    seg += bytes((otype, 1)) + mac.to_bytes(6, "big")
            seg += payload
        else:
            word = g(flow, "icmp6.frag_mtu") & 0xFFFFFFFF
            if t in _ECHO6:
                word |= (g(flow, ICMP_ID) & 0xFFFF) << 16
            seg = bytearray(struct.pack("!BBHI", t, c, 0, word) + payload)
        ck = 2
    else:
        return payload
    s = checksum(seg, pseudo_sum(flow, proto, len(seg)))
    if s == 0 and proto == IPPROTO_UDP:
        s = 0xFFFF
    seg[ck : ck + 2] = s.to_bytes(2, "big")
    return bytes(seg)
