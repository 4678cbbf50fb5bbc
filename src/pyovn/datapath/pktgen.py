"""The packets ovn-controller makes for logical actions ("pinctrl"), as frames.

Packet-building actions (``arp``, ``nd_ns``, ``nd_na``, ``nd_na_router``, ``icmp4``,
``icmp4_error``, ``icmp6``, ``icmp6_error``, ``tcp_reset``, ``sctp_abort``, ``reject``): in OVN
the controller *composes* a new packet from the one being processed and the nested actions then
run on it.  ``emitted_packet(kind, flow, original)`` does the same for the datapath host: ``flow``
is the flow ``actions_exec.build_packet`` made (``ctx.emit``'s argument, before the nested
program runs), ``original`` the packet being processed (its bytes as the pipeline has changed
them, for the ICMP quote and the TCP/SCTP numbers).  It returns the new packet's flow -- the
composed frame's keys, with ``flow``'s metadata (registers, ports, ct_*) -- and Packet; run
the nested program on that flow and ``serialize`` on output applies what it changed.
``emitted_frame`` returns just the composed bytes.  None: OVN makes nothing (e.g. ``reject`` of
a TCP RST, ``sctp_abort`` of an ABORT, an action on the wrong kind of packet).

Composition, as ovn-controller 23.03 puts it on the wire (ovn-sb(5) gives the flow defaults):
  arp        Ethernet from the flow + ARP request (op, sha, spa, tha, tpa from the flow).
  nd_ns      NS for nd.target to its solicited-node group, from fe80::EUI-64(eth.src), hop
             limit 255, SLL option = eth.src.
  nd_na(_router)  NA with flags Solicited|Override (+Router), TLL option = nd.tll, hop 255.
  icmp4(_error), icmp6(_error), reject of non-TCP/SCTP  ICMP destination unreachable with the
             flow's type/code (``icmp4``/``icmp6`` and ``reject`` of UDP: port unreachable), TTL
             255, DF, as much of the original IP datagram as fits in 576 (IPv4) / 1280 (IPv6)
             bytes with the Ethernet header (RFC 1812 4.3.2.3, RFC 4443 2.4(c)).
  tcp_reset, reject of TCP  20-byte RST, ports swapped, TTL 63, DF: to a segment with ACK,
             seq = its ack (RFC 793 "Reset Generation"); otherwise seq 0, RST|ACK and ack =
             its seq + its length (SYN and FIN count).  (OVN 23.03 always sends seq 0,
             ack = seq + 1: the same for the SYN a reject usually answers.)
  sctp_abort, reject of SCTP  ABORT chunk, ports swapped, TTL 63; the verification tag is the
             INIT's initiate tag (T bit clear) when answering an INIT with tag 0, else the
             packet's own tag with the T bit set (RFC 4960 8.4).
All but ARP take IP TOS/traffic class 0 and IP id 0; the VLAN tag is the flow's (vlan.tci).

Controller actions that rewrite the packet (``reply_frame``): ``put_dhcp_opts`` and
``put_dhcpv6_opts`` (pyovn.datapath.dhcp), ``dns_lookup`` (pyovn.datapath.dns) and
``put_nd_ra_opts`` (here: the RS becomes an RA with the action's options; ovn-northd's
next flow sets the addresses).  Each returns the new frame, or None for "result 0, packet
unchanged"; ``refresh(flow, frame)`` then puts the frame's keys into the flow.
"""

from __future__ import annotations

import ipaddress
import struct
from collections.abc import Mapping

from pyovn.datapath.dhcp import put_dhcp_opts, put_dhcpv6_opts
from pyovn.datapath.dns import dns_lookup, encode_name
from pyovn.datapath.packet import (
    ETH_IP,
    ETH_IP6,
    IPPROTO_ICMP,
    IPPROTO_ICMPV6,
    IPPROTO_SCTP,
    IPPROTO_TCP,
    IPPROTO_UDP,
    L4_ICMP4,
    L4_ICMP6,
    L4_SCTP,
    L4_TCP,
    PACKET_KEYS,
    Packet,
    build,
    checksum,
    crc32c,
    eth_header,
    ip_header,
    parse,
    refresh,
    serialize,
)
from pyovn.logical.actions_ast import Action, PutOpts, Result
from pyovn.logical.flow import Flow

__all__ = [
    "EMIT_KINDS",
    "emitted_frame",
    "emitted_packet",
    "lla",
    "put_nd_ra_opts",
    "reply_frame",
]

EMIT_KINDS = frozenset({
    "arp", "nd_ns", "nd_na", "nd_na_router", "icmp4", "icmp4_error", "icmp6", "icmp6_error",
    "tcp_reset", "sctp_abort", "reject",
})  # fmt: skip

ICMP4_ROOM = 576 - 14 - 20 - 8  # original datagram bytes an ICMPv4 error quotes, at most
ICMP6_ROOM = 1280 - 14 - 40 - 8
ND_ROUTER, ND_SOLICITED, ND_OVERRIDE = 0x80000000, 0x40000000, 0x20000000
TCP_FIN, TCP_SYN, TCP_RST, TCP_ACK = 0x01, 0x02, 0x04, 0x10


def _g(flow: Flow, key: str) -> int:
    v = flow.get(key, 0)
    return v if isinstance(v, int) else 0


def lla(mac: int) -> int:
    """The IPv6 link-local address of ``mac`` (modified EUI-64, RFC 4291 appendix A)."""
    m = mac & 0xFFFFFFFFFFFF
    eui = ((m >> 24) << 40) | (0xFFFE << 24) | (m & 0xFFFFFF)
    return (0xFE80 << 112) | (eui ^ (0x02 << 56))


def _as_packet(original: bytes | bytearray | memoryview | Packet) -> tuple[Flow, Packet]:
    if isinstance(original, Packet):
        return parse(original.data)
    return parse(original)


def emitted_frame(kind: str, flow: Flow,
                  original: bytes | bytearray | memoryview | Packet) -> bytes | None:
    """The frame ovn-controller composes for packet-building action ``kind`` (see the module
    docstring); ``flow`` is the action's new flow, ``original`` the packet it replaces."""
    if kind not in EMIT_KINDS:
        raise ValueError(f"{kind!r} does not make a packet")
    of, op = _as_packet(original)
    v6 = _g(of, "eth.type") == ETH_IP6
    if kind == "arp":
        if _g(of, "eth.type") != ETH_IP:
            return None
        return build(flow)
    if kind == "nd_ns":
        if not v6:
            return None
        f = _base(flow, IPPROTO_ICMPV6, 255)
        f.update({"ip6.src": lla(_g(flow, "eth.src")), "icmp6.type": 135, "icmp6.code": 0,
                  "nd.target": _g(flow, "nd.target"), "nd.sll": _g(flow, "eth.src"),
                  "nd.tll": 0})
        return build(f)
    if kind in ("nd_na", "nd_na_router"):
        if not (v6 and op.l4kind == L4_ICMP6 and _g(of, "icmp6.type") in (135, 136)
                and _g(of, "icmp6.code") == 0):
            return None
        f = _base(flow, IPPROTO_ICMPV6, 255)
        f.update({"icmp6.type": 136, "icmp6.code": 0, "nd.target": _g(flow, "nd.target"),
                  "nd.sll": 0, "nd.tll": _g(flow, "nd.tll")})
        flags = ND_SOLICITED | ND_OVERRIDE | (ND_ROUTER if kind == "nd_na_router" else 0)
        return build(f, nd_flags=flags)
    if not op.l3kind:
        return None
    proto = _g(of, "ip.proto")
    if kind == "reject":
        if proto == IPPROTO_TCP:
            if op.l4kind != L4_TCP or _g(of, "tcp.flags") & TCP_RST:
                return None
            kind = "tcp_reset"
        elif proto == IPPROTO_SCTP:
            kind = "sctp_abort"
        else:
            if (op.l4kind == L4_ICMP4 and _g(of, "icmp4.type") == 3) or (
                op.l4kind == L4_ICMP6 and _g(of, "icmp6.type") == 1
            ):
                return None  # no error about an unreachable (a reject loop)
            kind = "icmp6" if v6 else "icmp4"
    if kind == "tcp_reset":
        return _tcp_reset(flow, of, op)
    if kind == "sctp_abort":
        return _sctp_abort(flow, of, op)
    # ICMP errors
    if kind.startswith("icmp6") != v6:
        return None
    udp_port = kind in ("icmp4", "icmp6") and proto == IPPROTO_UDP
    quote = bytes(op.data[op.l3 : op.end])[: ICMP6_ROOM if v6 else ICMP4_ROOM]
    if v6:
        f = _base(flow, IPPROTO_ICMPV6, _g(flow, "ip.ttl"))
        f["icmp6.type"] = _g(flow, "icmp6.type")
        f["icmp6.code"] = 4 if udp_port else _g(flow, "icmp6.code")
    else:
        f = _base(flow, IPPROTO_ICMP, _g(flow, "ip.ttl"))
        f["icmp4.type"] = _g(flow, "icmp4.type")
        f["icmp4.code"] = 3 if udp_port else _g(flow, "icmp4.code")
    for k in ("icmp4.frag_mtu", "icmp6.frag_mtu"):
        if k in flow:
            f[k] = flow[k]
    return build(f, quote, df=True)


def _base(flow: Flow, proto: int, ttl: int) -> Flow:
    """``flow``'s L2 and addresses under a fresh IP header (TOS 0, no fragment)."""
    f: Flow = {k: flow[k] for k in ("eth.src", "eth.dst", "eth.type", "vlan.tci",
                                    "ip4.src", "ip4.dst", "ip6.src", "ip6.dst") if k in flow}
    f.update({"ip.proto": proto, "ip.ttl": ttl & 0xFF, "ip.frag": 0, "ip.dscp": 0,
              "ip.ecn": 0, "ip6.label": 0})
    return f


def _tcp_reset(flow: Flow, of: Flow, op: Packet) -> bytes | None:
    if op.l4kind != L4_TCP:
        return None
    l4 = op.l4
    seq, ack = struct.unpack_from("!II", op.data, l4 + 4)
    flags = _g(of, "tcp.flags")
    f = _base(flow, IPPROTO_TCP, 63)
    f["tcp.src"], f["tcp.dst"] = _g(flow, "tcp.dst"), _g(flow, "tcp.src")
    if flags & TCP_ACK:
        f["tcp.flags"] = TCP_RST
        return build(f, seq=ack, df=True)
    seg_len = op.end - op.l4_payload + (1 if flags & TCP_SYN else 0) + (1 if flags & TCP_FIN
                                                                          else 0)
    f["tcp.flags"] = TCP_RST | TCP_ACK
    return build(f, ack=(seq + seg_len) & 0xFFFFFFFF, df=True)


def _sctp_abort(flow: Flow, of: Flow, op: Packet) -> bytes | None:
    # Bounds are the frame's, not the IP length's, as in OVS (which reads the chunk with
    # dp_packet_at): an INIT whose IP total length is short is still answered.
    d, l4 = op.data, op.l4
    if op.l4kind != L4_SCTP or l4 + 16 > len(d):
        return None  # no chunk
    vtag = int.from_bytes(d[l4 + 4 : l4 + 8], "big")
    chunk = d[l4 + 12]
    if chunk == 6:  # ABORT: never answered
        return None
    t_bit = 1
    if vtag == 0 and chunk == 1:
        if l4 + 20 > len(d):
            return None  # an incomplete INIT
        vtag = int.from_bytes(d[l4 + 16 : l4 + 20], "big")
        t_bit = 0
    f = _base(flow, IPPROTO_SCTP, 63)
    f["sctp.src"], f["sctp.dst"] = _g(flow, "sctp.dst"), _g(flow, "sctp.src")
    seg = bytearray(struct.pack("!HHII", f["sctp.src"], f["sctp.dst"], vtag, 0))
    seg += bytes((6, t_bit, 0, 4))
    seg[8:12] = crc32c(seg).to_bytes(4, "little")
    return eth_header(f) + ip_header(f, len(seg), df=True) + bytes(seg)


def emitted_packet(kind: str, flow: Flow,
                   original: bytes | bytearray | memoryview | Packet) -> tuple[Flow, Packet] | None:
    """The composed packet as (flow, Packet): the frame's keys plus ``flow``'s metadata.
    ``clone`` returns a copy of ``flow`` with ``original`` itself (it must be a Packet)."""
    if kind == "clone":
        if not isinstance(original, Packet):
            raise TypeError("clone needs the original Packet")
        return dict(flow), original
    frame = emitted_frame(kind, flow, original)
    if frame is None:
        return None
    new = {k: v for k, v in flow.items() if k not in PACKET_KEYS}
    return new, refresh(new, frame)


# --- put_nd_ra_opts --------------------------------------------------------------------------

RA_CUR_HOP_LIMIT, RA_LIFETIME = 255, 0xFFFF
RA_MANAGED, RA_OTHER = 0x80, 0x40
PRF = {"HIGH": 0x08, "MEDIUM": 0x00, "LOW": 0x18}
PREFIX_ON_LINK, PREFIX_AUTONOMOUS = 0x80, 0x40


def _dnssl(text: str) -> bytes:
    names = b"".join(encode_name(n) for n in text.split(",") if n.strip())
    body = struct.pack("!BBHI", 31, 0, 0, 0xFFFFFFFF) + names
    body += bytes(-len(body) % 8)
    return bytes((31, len(body) // 8)) + body[2:]


def _route_info(text: str) -> bytes:
    out = bytearray()
    for item in text.split(","):
        prf, sep, route = item.strip().partition("-")
        if not sep:
            continue
        try:
            net = ipaddress.IPv6Network(route.strip(), strict=False)
        except ValueError:
            break
        units = (net.prefixlen + 63) // 64
        out += struct.pack("!BBBBI", 24, 1 + units, net.prefixlen, PRF.get(prf, 0), 0xFFFFFFFF)
        out += net.network_address.packed[: units * 8]
    return bytes(out)


def ra_body(action: PutOpts) -> bytes:
    """The ICMPv6 Router Advertisement ``put_nd_ra_opts`` answers with (checksum 0): cur hop
    limit 255, M/O flags from ``addr_mode``, preference, router lifetime 0xffff, reachable and
    retransmit 0, then the options in the action's order: SLL, MTU, prefix information (L,
    and A unless managed; lifetimes infinity), RDNSS, DNSSL, route information (RFC 4861, 4191,
    8106; lifetimes infinity)."""
    flags = 0
    opts = bytearray()
    for o in action.options:
        name, vals = o.option.name, o.value.values
        v = vals[0].value
        if name == "addr_mode":
            flags |= {"dhcpv6_stateful": RA_MANAGED, "dhcpv6_stateless": RA_OTHER}.get(str(v), 0)
        elif name == "router_preference":
            flags |= PRF.get(str(v), 0)
        elif name == "slla":
            opts += bytes((1, 1)) + (int(v) & 0xFFFFFFFFFFFF).to_bytes(6, "big")
        elif name == "mtu":
            opts += struct.pack("!BBHI", 5, 1, 0, int(v) & 0xFFFFFFFF)
        elif name == "prefix":
            mask = vals[0].mask if vals[0].mask is not None else (1 << 128) - 1
            plen = bin(mask).count("1")
            la = PREFIX_ON_LINK | (0 if flags & RA_MANAGED else PREFIX_AUTONOMOUS)
            opts += struct.pack("!BBBBIII", 3, 4, plen, la, 0xFFFFFFFF, 0xFFFFFFFF, 0)
            opts += (int(v) & mask).to_bytes(16, "big")
        elif name == "rdnss":
            opts += struct.pack("!BBHI", 25, 3, 0, 0xFFFFFFFF) + (int(v) & (1 << 128) - 1
                                                                   ).to_bytes(16, "big")
        elif name == "dnssl":
            opts += _dnssl(str(v))
        elif name == "route_info":
            opts += _route_info(str(v))
    return struct.pack("!BBHBBHII", 134, 0, 0, RA_CUR_HOP_LIMIT, flags, RA_LIFETIME, 0, 0) + opts


def put_nd_ra_opts(flow: Flow, packet: Packet, action: PutOpts) -> bytes | None:
    """The frame with the Router Solicitation in ``packet`` (with ``flow``'s changes) replaced
    by the Router Advertisement of ``action``; None for any other packet."""
    frame = serialize(flow, packet)
    f, p = parse(frame)
    if p.l4kind != L4_ICMP6 or _g(f, "icmp6.type") != 133 or _g(f, "icmp6.code") != 0:
        return None
    body = bytearray(ra_body(action))
    l3, l4 = p.l3, p.l4
    hdr = bytearray(frame[:l4])
    plen = l4 - l3 - 40 + len(body)
    hdr[l3 + 4 : l3 + 6] = plen.to_bytes(2, "big")
    ph = int.from_bytes(hdr[l3 + 8 : l3 + 40], "big") + IPPROTO_ICMPV6 + len(body)
    body[2:4] = checksum(body, ph % 0xFFFF).to_bytes(2, "big")
    return bytes(hdr + body)


# --- dispatch --------------------------------------------------------------------------------


def reply_frame(flow: Flow, packet: Packet, action: Action,
                dns_records: Mapping[str, str] | None = None) -> bytes | None:
    """The frame a packet-rewriting controller action makes of ``packet``: put_dhcp_opts,
    put_dhcpv6_opts, put_nd_ra_opts, dns_lookup (with the datapath's ``dns_records``).
    None: result 0, packet unchanged (also for any other action)."""
    if isinstance(action, PutOpts):
        if action.func == "put_dhcp_opts":
            return put_dhcp_opts(flow, packet, action)
        if action.func == "put_dhcpv6_opts":
            return put_dhcpv6_opts(flow, packet, action)
        if action.func == "put_nd_ra_opts":
            return put_nd_ra_opts(flow, packet, action)
    elif isinstance(action, Result) and action.func == "dns_lookup":
        return dns_lookup(flow, packet, dns_records or {})
    return None

