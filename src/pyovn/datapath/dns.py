"""``dns_lookup()``: answering a DNS query from the Southbound DNS records, as ovn-controller does.

ovn-sb(5): applied to a valid DNS query, the action turns the packet into the reply when the
records answer it and stores 1; otherwise the packet is left alone and 0 stored.  The later
flows (ls_in_dns_response) swap the addresses and ports and send it back; this module only
rewrites the UDP payload (and the IP/UDP lengths and checksums that depend on it).

What is answered (OVN 23.03's behaviour): a query (QR clear) with at least one question and no
additional records; the first question's name, lower-cased, looked up in ``records`` (the
``records`` maps of the DNS rows of the packet's datapath, merged; values are addresses
separated by spaces or commas, or for ``<reversed-ip>.in-addr.arpa``/``.ip6.arpa`` keys the
host name); types A, AAAA, ANY (A and AAAA) and PTR.  The reply is the query with QR set,
ANCOUNT answers appended after the question (the query name copied, class IN, TTL 3600) and
ARCOUNT 0.  The UDP checksum is 0 over IPv4 and computed over IPv6.

``encode_name``/``encode_names`` are the RFC 1035 (3.1, 4.1.4) name encodings DHCP options and
RA DNSSL options share.
"""

from __future__ import annotations

import ipaddress
import struct
from collections.abc import Iterable, Mapping

from pyovn.datapath.packet import L4_UDP, Packet, parse, serialize, with_udp_payload
from pyovn.logical.flow import Flow

__all__ = ["DNS_TTL", "dns_lookup", "encode_name", "encode_names"]

DNS_TTL = 3600
QTYPE_A, QTYPE_PTR, QTYPE_AAAA, QTYPE_ANY = 1, 12, 28, 255
CLASS_IN = 1


def encode_name(name: str) -> bytes:
    """``name`` as DNS labels ending with the root label (no compression)."""
    out = bytearray()
    for label in name.strip().strip(".").split("."):
        if label:
            b = label.encode()[:63]
            out.append(len(b))
            out += b
    out.append(0)
    return bytes(out)


def encode_names(names: Iterable[str], compress: bool = True) -> bytes:
    """A list of names, each suffix already written replaced by a pointer to it (RFC 1035
    4.1.4; offsets from the start of the list, as DHCP option 119 wants, RFC 3397)."""
    out = bytearray()
    seen: dict[tuple[str, ...], int] = {}
    for name in names:
        labels = tuple(x for x in name.strip().strip(".").split(".") if x)
        for i in range(len(labels)):
            suffix = labels[i:]
            where = seen.get(suffix) if compress else None
            if where is not None:
                out += struct.pack("!H", 0xC000 | where)
                break
            if len(out) < 0x3FFF:
                seen[suffix] = len(out)
            b = labels[i].encode()[:63]
            out.append(len(b))
            out += b
        else:
            out.append(0)
    return bytes(out)


def _addresses(value: str) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    out: list[ipaddress.IPv4Address | ipaddress.IPv6Address] = []
    for word in value.replace(",", " ").split():
        try:
            out.append(ipaddress.ip_address(word))
        except ValueError:
            continue
    return out


def dns_lookup(flow: Flow, packet: Packet, records: Mapping[str, str]) -> bytes | None:
    """The DNS reply frame for the query in ``packet`` (with ``flow``'s changes), or None when
    the query is not one the action answers (see the module docstring)."""
    frame = serialize(flow, packet)
    _, p = parse(frame)
    if p.l4kind != L4_UDP:
        return None
    udp = p.l4
    end = min(p.end, udp + int.from_bytes(frame[udp + 4 : udp + 6], "big"))
    dns = udp + 8
    if end < dns + 12:
        return None
    _id, flags, qd, _an, _ns, ar = struct.unpack_from("!HHHHHH", frame, dns)
    if flags & 0x8000 or not qd or ar:
        return None
    labels: list[str] = []
    o = dns + 12
    while o < end and frame[o]:
        n = frame[o]
        if n & 0xC0 or o + 1 + n > end:
            return None
        labels.append(frame[o + 1 : o + 1 + n].decode("latin-1"))
        o += 1 + n
    o += 1
    if o + 4 > end:
        return None
    qname = frame[dns + 12 : o]
    qtype = int.from_bytes(frame[o : o + 2], "big")
    if qtype not in (QTYPE_A, QTYPE_AAAA, QTYPE_ANY, QTYPE_PTR):
        return None
    value = records.get(".".join(labels).lower())
    if value is None:
        return None
    answers = bytearray()
    count = 0

    def rr(rtype: int, rdata: bytes) -> None:
        nonlocal count
        answers.extend(qname + struct.pack("!HHIH", rtype, CLASS_IN, DNS_TTL, len(rdata)) + rdata)
        count += 1

    if qtype == QTYPE_PTR:
        rr(QTYPE_PTR, encode_name(value))
    else:
        for ip in _addresses(value):
            if ip.version == 4 and qtype in (QTYPE_A, QTYPE_ANY):
                rr(QTYPE_A, ip.packed)
            elif ip.version == 6 and qtype in (QTYPE_AAAA, QTYPE_ANY):
                rr(QTYPE_AAAA, ip.packed)
    if not count:
        return None
    head = struct.pack("!HHHHHH", _id, flags | 0x8000, qd, count, _ns, 0)
    return with_udp_payload(frame, p, head + bytes(frame[dns + 12 : end]) + answers)
