"""The datagram an ICMP error quotes, for conntrack's "related" lookup and NAT.

An ICMP (or ICMPv6) error carries the start of the packet that caused it.  Conntrack finds the
error's connection through that quoted packet (``Conntrack.lookup(..., inner=flow)``) and, when
the connection is NATed, translates the quoted packet as well as the outer header -- what
Linux's ``nf_nat_icmp_reply_translation`` and OVS's userspace conntrack do -- so that the host
that gets the error recognises its own packet in it.

``quoted(pkt)`` parses the quoted IP header and the first bytes of its L4 header into a flow with
the keys conntrack reads (``eth.type``, ``ip.proto``, addresses, ports or ICMP type and echo id);
``requote(pkt, quote, inner)`` writes the changes conntrack made to that flow back into the
frame: the quoted addresses (and the quoted IPv4 header checksum), ports / echo id (and the
quoted L4 checksum when the quote holds it, updated incrementally as RFC 1624), then the outer
ICMP checksum recomputed over the whole message.  The outer header is left to ``serialize``.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from pyovn.datapath.packet import (
    ETH_IP,
    ETH_IP6,
    ICMP_ID,
    IPPROTO_ICMP,
    IPPROTO_ICMPV6,
    IPPROTO_SCTP,
    IPPROTO_TCP,
    IPPROTO_UDP,
    L4_ICMP4,
    L4_ICMP6,
    Packet,
    checksum,
)
from pyovn.logical.flow import Flow

__all__ = ["ICMP4_ERRORS", "ICMP6_ERRORS", "Quote", "is_icmp_error", "quoted", "requote"]

# Destination unreachable, source quench, redirect, time exceeded, parameter problem.
ICMP4_ERRORS = frozenset((3, 4, 5, 11, 12))
# Destination unreachable, packet too big, time exceeded, parameter problem.
ICMP6_ERRORS = frozenset((1, 2, 3, 4))
_ECHO4, _ECHO6 = frozenset((0, 8)), frozenset((128, 129))
_PORTS = {IPPROTO_TCP: "tcp", IPPROTO_UDP: "udp", IPPROTO_SCTP: "sctp"}


@dataclass(slots=True)
class Quote:
    """Where the quoted packet sits in the frame, and its keys as parsed."""

    flow: Flow
    l3: int  # offset of the quoted IP header
    l4: int  # offset of its L4 header
    end: int  # end of the quote (end of the outer datagram)


def is_icmp_error(flow: Flow) -> bool:
    """The flow is an ICMP or ICMPv6 error message."""
    proto = flow.get("ip.proto")
    if proto == IPPROTO_ICMP:
        return flow.get("eth.type") == ETH_IP and flow.get("icmp4.type") in ICMP4_ERRORS
    if proto == IPPROTO_ICMPV6:
        return flow.get("eth.type") == ETH_IP6 and flow.get("icmp6.type") in ICMP6_ERRORS
    return False


def quoted(pkt: Packet) -> Quote | None:
    """The packet the ICMP error in ``pkt`` quotes (None: not an error, or no IP header
    quoted whole)."""
    data, end = pkt.data, pkt.end
    if pkt.l4kind not in (L4_ICMP4, L4_ICMP6) or pkt.l4 + 8 > end:
        return None
    v6 = pkt.l4kind == L4_ICMP6
    if data[pkt.l4] not in (ICMP6_ERRORS if v6 else ICMP4_ERRORS):
        return None
    l3 = pkt.l4 + 8
    flow: Flow = {}
    if not v6:
        if l3 + 20 > end or data[l3] >> 4 != 4:
            return None
        hl = (data[l3] & 0xF) * 4
        if hl < 20 or l3 + hl > end:
            return None
        proto = data[l3 + 9]
        flow["eth.type"] = ETH_IP
        flow["ip4.src"] = int.from_bytes(data[l3 + 12 : l3 + 16], "big")
        flow["ip4.dst"] = int.from_bytes(data[l3 + 16 : l3 + 20], "big")
        l4 = l3 + hl
    else:
        if l3 + 40 > end:
            return None
        proto = data[l3 + 6]
        flow["eth.type"] = ETH_IP6
        flow["ip6.src"] = int.from_bytes(data[l3 + 8 : l3 + 24], "big")
        flow["ip6.dst"] = int.from_bytes(data[l3 + 24 : l3 + 40], "big")
        l4 = l3 + 40
    flow["ip.proto"] = proto
    name = _PORTS.get(proto)
    if name is not None and l4 + 4 <= end:
        flow[f"{name}.src"], flow[f"{name}.dst"] = struct.unpack_from("!HH", data, l4)
    elif proto == (IPPROTO_ICMPV6 if v6 else IPPROTO_ICMP) and l4 + 1 <= end:
        typ = data[l4]
        flow["icmp6.type" if v6 else "icmp4.type"] = typ
        if typ in (_ECHO6 if v6 else _ECHO4) and l4 + 6 <= end:
            flow[ICMP_ID] = (data[l4 + 4] << 8) | data[l4 + 5]
    return Quote(flow, l3, l4, end)


def _fold(ck: int, delta: int) -> int:
    """Checksum field ``ck`` after the covered words' sum grew by ``delta`` (RFC 1624 eqn. 3)."""
    c = (~ck & 0xFFFF) + delta % 0xFFFF
    c = (c & 0xFFFF) + (c >> 16)
    c = (c & 0xFFFF) + (c >> 16)
    return ~c & 0xFFFF


def requote(pkt: Packet, quote: Quote, inner: Flow) -> bytes | None:
    """``pkt``'s frame with the quoted packet's keys changed to ``inner``'s (see the module
    docstring); None when nothing changed."""
    old = quote.flow
    changed = [k for k, v in inner.items() if k in old and old[k] != v]
    if not changed:
        return None
    buf = bytearray(pkt.data)
    l3, l4, end = quote.l3, quote.l4, quote.end
    v6 = old["eth.type"] == ETH_IP6
    proto = int(old["ip.proto"])
    addr_delta = port_delta = 0
    for k in changed:
        new = int(inner[k])
        delta = new - int(old[k])
        if k in ("ip4.src", "ip4.dst"):
            o = l3 + (12 if k == "ip4.src" else 16)
            buf[o : o + 4] = new.to_bytes(4, "big")
            addr_delta += delta
        elif k in ("ip6.src", "ip6.dst"):
            o = l3 + (8 if k == "ip6.src" else 24)
            buf[o : o + 16] = new.to_bytes(16, "big")
            addr_delta += delta
        elif k.endswith(".src") or k.endswith(".dst"):
            o = l4 + (0 if k.endswith(".src") else 2)
            buf[o : o + 2] = new.to_bytes(2, "big")
            port_delta += delta
        elif k == ICMP_ID:
            buf[l4 + 4 : l4 + 6] = new.to_bytes(2, "big")
            port_delta += delta
    if not v6:  # the quoted IPv4 header's checksum, over the header only
        hl = (buf[l3] & 0xF) * 4
        buf[l3 + 10 : l3 + 12] = b"\0\0"
        buf[l3 + 10 : l3 + 12] = checksum(buf[l3 : l3 + hl]).to_bytes(2, "big")
    # The quoted L4 checksum, when the quote holds it (TCP/UDP/ICMPv6 cover the addresses).
    ck = {IPPROTO_TCP: 16, IPPROTO_UDP: 6, IPPROTO_ICMP: 2, IPPROTO_ICMPV6: 2}.get(proto)
    if ck is not None and l4 + ck + 2 <= end:
        field = int.from_bytes(buf[l4 + ck : l4 + ck + 2], "big")
        if not (proto == IPPROTO_UDP and field == 0 and not v6):  # UDP/IPv4 without checksum
            delta = port_delta + (0 if proto == IPPROTO_ICMP else addr_delta)
            field = _fold(field, delta)
            if proto == IPPROTO_UDP and field == 0:
                field = 0xFFFF
            buf[l4 + ck : l4 + ck + 2] = field.to_bytes(2, "big")
    # The error's own checksum, over the whole message (ICMPv6: with its pseudo-header).
    icmp = pkt.l4
    buf[icmp + 2 : icmp + 4] = b"\0\0"
    initial = 0
    if pkt.l4kind == L4_ICMP6:
        o3 = pkt.l3
        initial = (int.from_bytes(buf[o3 + 8 : o3 + 24], "big")
                   + int.from_bytes(buf[o3 + 24 : o3 + 40], "big")
                   + IPPROTO_ICMPV6 + (pkt.end - icmp)) % 0xFFFF
    buf[icmp + 2 : icmp + 4] = checksum(buf[icmp : pkt.end], initial).to_bytes(2, "big")
    return bytes(buf)
