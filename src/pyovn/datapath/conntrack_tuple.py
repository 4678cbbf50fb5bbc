"""Connection tuples for ``pyovn.datapath.conntrack``: how a microflow maps to a conntrack key
and back.

A connection's key is ``(zone, proto, src, dst, sport, dport)`` where ``proto`` is the IP
protocol number plus ``V6`` for IPv6 (so the families never meet) and, for ICMP queries, the
"ports" are the echo identifier and the message type (a reply's key has the reply type, so a
request from the other side is another connection).  ``invert`` gives the tuple of a packet
going the other way; NAT is a pair of tuples (as first seen, as translated) from which
``nat_fixes`` derives the flow writes and the ct_state snat/dnat bits of each direction.
Also here: the flow keys conntrack writes (the ct fields, OVS's original direction tuple,
the connection reference, the ICMP identifier), the ports NAT tries, a stable hash, and the
address formats of ``dpctl/dump-conntrack``.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, cast

from pyovn.logical.flow import Flow

__all__ = [
    "CS_DNAT",
    "CS_EST",
    "CS_INV",
    "CS_NEW",
    "CS_REL",
    "CS_RPL",
    "CS_SNAT",
    "CS_TRK",
    "CT_CONN",
    "CT_IP6_DST",
    "CT_IP6_SRC",
    "CT_KEYS",
    "CT_NW_DST",
    "CT_NW_PROTO",
    "CT_NW_SRC",
    "CT_TP_DST",
    "CT_TP_SRC",
    "CtEntry",
    "EPHEMERAL",
    "ICMP4",
    "ICMP4_QUERY",
    "ICMP6",
    "ICMP6_QUERY",
    "ICMP_ERRORS",
    "ICMP_ID",
    "ICMP_PAIR",
    "M32",
    "M64",
    "M128",
    "MAX_ADDRS",
    "SCTP",
    "TCP",
    "UDP",
    "V6",
    "Key",
    "Tuple4",
    "Zeros",
    "fmt4",
    "fmt6",
    "format_entry",
    "hash_keys",
    "inner_tuple",
    "invert",
    "mix",
    "nat_fixes",
    "nat_ports",
    "originals",
    "set_invalid",
    "set_new",
    "tuple_fields",
    "write_tuple",
]

# ct_state bits (ovs-fields(7)).
CS_NEW, CS_EST, CS_REL, CS_RPL = 0x01, 0x02, 0x04, 0x08
CS_INV, CS_TRK, CS_SNAT, CS_DNAT = 0x10, 0x20, 0x40, 0x80

# Flow keys conntrack writes besides ct_state/ct_zone/ct_mark/ct_label: OVS's original direction
# tuple (ct_nw_src, ct_nw_dst, ...; for ICMP, ct_tp_src/ct_tp_dst are the type and code), the
# connection found (so a packet NATed by one ct action finds its connection again in the same
# zone, as OVS caches it), and the ICMP echo identifier.
CT_NW_SRC, CT_NW_DST = "__ct_nw_src__", "__ct_nw_dst__"
CT_IP6_SRC, CT_IP6_DST = "__ct_ipv6_src__", "__ct_ipv6_dst__"
CT_NW_PROTO, CT_TP_SRC, CT_TP_DST = "__ct_nw_proto__", "__ct_tp_src__", "__ct_tp_dst__"
CT_CONN = "__ct_conn__"
ICMP_ID = "__icmp_id__"
CT_KEYS = ("ct_state", "ct_zone", "ct_mark", "ct_label", CT_NW_SRC, CT_NW_DST, CT_IP6_SRC,
           CT_IP6_DST, CT_NW_PROTO, CT_TP_SRC, CT_TP_DST, CT_CONN)

M32, M64, M128 = (1 << 32) - 1, (1 << 64) - 1, (1 << 128) - 1
V6 = 0x100  # added to the IP protocol number in keys: IPv6
TCP, UDP, SCTP, ICMP4, ICMP6 = 6, 17, 132, 1, 58
# ICMP queries: request -> reply type (both ways in ICMP_PAIR), and error types.
ICMP4_QUERY = {8: 0, 13: 14, 15: 16, 17: 18}
ICMP6_QUERY = {128: 129}
ICMP_PAIR = {
    **{t: r for t, r in ICMP4_QUERY.items()}, **{r: t for t, r in ICMP4_QUERY.items()},
    **{t | V6: r for t, r in ICMP6_QUERY.items()},
    **{r | V6: t for t, r in ICMP6_QUERY.items()},
}
ICMP_ERRORS = frozenset({3, 4, 5, 11, 12, *(t | V6 for t in (1, 2, 3, 4))})
EPHEMERAL = (1024, 65535)
MAX_ADDRS = 256  # addresses of a NAT range tried per connection

Tuple4 = tuple[int, int, int, int]  # src, dst, sport, dport (ICMP: id, type)
Key = tuple[int, int, int, int, int, int]  # zone, proto(+V6), src, dst, sport, dport


@dataclass(frozen=True, slots=True)
class CtEntry:
    """One connection, for inspection (``Conntrack.entries``)."""

    zone: int
    proto: int
    ipv6: bool
    orig: Tuple4  # as first seen, before NAT
    reply: Tuple4  # what a reply looks like (after NAT)
    state: str  # TCP state name, or FIRST / SINGLE / MULTIPLE / REPLY...
    mark: int
    label: int
    nat: int  # CS_SNAT | CS_DNAT: what NAT changes in the original direction
    expires: float


class Zeros(dict[str, int]):
    """A flow whose missing keys read as 0."""

    def __missing__(self, key: str) -> int:
        return 0


def invert(pk: int, t: Tuple4) -> Tuple4:
    """The tuple of a packet going the other way."""
    p = pk & 0xFF
    if p in (ICMP4, ICMP6):
        return (t[1], t[0], t[2], ICMP_PAIR.get(t[3] | (pk & V6), t[3]))
    return (t[1], t[0], t[3], t[2])


def tuple_fields(pk: int) -> tuple[str, str, str | None, str | None]:
    """Flow keys of source/destination address and port (ICMP: the id, no destination)."""
    src, dst = ("ip6.src", "ip6.dst") if pk & V6 else ("ip4.src", "ip4.dst")
    p = pk & 0xFF
    if p == TCP:
        return src, dst, "tcp.src", "tcp.dst"
    if p == UDP:
        return src, dst, "udp.src", "udp.dst"
    if p == SCTP:
        return src, dst, "sctp.src", "sctp.dst"
    if p in (ICMP4, ICMP6):
        return src, dst, ICMP_ID, None
    return src, dst, None, None


def write_tuple(out: dict[str, int], pk: int, old: Tuple4, new: Tuple4) -> int:
    """Add to ``out`` the writes turning a packet with tuple ``old`` into ``new``; the
    CS_SNAT/CS_DNAT bits of what changed."""
    fsrc, fdst, psrc, pdst = tuple_fields(pk)
    bits = 0
    if new[0] != old[0]:
        out[fsrc] = new[0]
        bits |= CS_SNAT
    if new[1] != old[1]:
        out[fdst] = new[1]
        bits |= CS_DNAT
    if psrc is not None and new[2] != old[2]:
        out[psrc] = new[2]
        bits |= CS_SNAT
    if pdst is not None and new[3] != old[3]:
        out[pdst] = new[3]
        bits |= CS_DNAT
    return bits


_NO_FIXES: tuple[dict[str, int], ...] = ({}, {})  # shared: never written to


def nat_fixes(pk: int, orig: Tuple4, nated: Tuple4) -> tuple[tuple[dict[str, int], ...],
                                                             tuple[int, int]]:
    """Per direction (original, reply): the flow writes NAT makes and its ct_state bits."""
    if orig == nated:
        return _NO_FIXES, (0, 0)
    f0: dict[str, int] = {}
    f1: dict[str, int] = {}
    b0 = write_tuple(f0, pk, orig, nated)
    b1 = write_tuple(f1, pk, invert(pk, nated), invert(pk, orig))
    return (f0, f1), (b0, b1)


def originals(pk: int, t: Tuple4) -> dict[str, int]:
    p = pk & 0xFF
    if p in (ICMP4, ICMP6):
        sp, dp = t[3], 0  # ICMP type and code (queries have code 0)
    else:
        sp, dp = t[2], t[3]
    if pk & V6:
        return {CT_IP6_SRC: t[0], CT_IP6_DST: t[1], CT_NW_PROTO: p, CT_TP_SRC: sp, CT_TP_DST: dp}
    return {CT_NW_SRC: t[0], CT_NW_DST: t[1], CT_NW_PROTO: p, CT_TP_SRC: sp, CT_TP_DST: dp}


def mix(*vals: int) -> int:
    """A hash of integers, the same in every process (CPython hashes ints by value, without
    the per-process salt of str; the tuple hash mixes them)."""
    return hash(vals) & M64


# OVS field names of a select group's hash fields -> flow keys (ip_src covers both families).
HASH_KEYS = {
    "eth_src": ("eth.src",), "eth_dst": ("eth.dst",),
    "ip_src": ("ip4.src", "ip6.src"), "ip_dst": ("ip4.dst", "ip6.dst"),
    "ipv6_src": ("ip6.src",), "ipv6_dst": ("ip6.dst",),
    "tcp_src": ("tcp.src",), "tcp_dst": ("tcp.dst",),
    "udp_src": ("udp.src",), "udp_dst": ("udp.dst",),
    "sctp_src": ("sctp.src",), "sctp_dst": ("sctp.dst",),
    "tp_src": ("tcp.src", "udp.src", "sctp.src"), "tp_dst": ("tcp.dst", "udp.dst", "sctp.dst"),
}


@lru_cache(maxsize=256)
def hash_keys(fields: str) -> tuple[str, ...]:
    keys: list[str] = []
    for name in fields.replace(" ", "").split(","):
        if not name:
            continue
        if name not in HASH_KEYS:
            raise ValueError(f"{name}: unknown load balancer hash field")
        keys.extend(HASH_KEYS[name])
    return tuple(keys)


def nat_ports(port0: int, prange: tuple[int, int] | None, h: int, keep: bool) -> Iterator[int]:
    """Ports to try: the packet's own first (when allowed or in the range), then the range
    from a hashed starting point."""
    if prange is None:
        yield port0
        return
    lo, hi = prange
    if keep or lo <= port0 <= hi:
        yield port0
    size = hi - lo + 1
    start = h % size
    for i in range(size):
        yield lo + (start + i) % size


def inner_tuple(inner: Flow) -> tuple[int, Tuple4] | None:
    """(proto key, tuple) of the packet an ICMP error quotes."""
    fl = cast(dict[str, Any], inner)
    et = fl.get("eth.type")
    if et == 0x0800:
        pk = fl.get("ip.proto", 0)
        src, dst = fl.get("ip4.src", 0), fl.get("ip4.dst", 0)
    elif et == 0x86DD:
        pk = fl.get("ip.proto", 0) | V6
        src, dst = fl.get("ip6.src", 0), fl.get("ip6.dst", 0)
    else:
        return None
    p = pk & 0xFF
    if p in (TCP, UDP, SCTP):
        name = {TCP: "tcp", UDP: "udp", SCTP: "sctp"}[p]
        return pk, (src, dst, fl.get(name + ".src", 0), fl.get(name + ".dst", 0))
    if (p == ICMP4 and not pk & V6) or (p == ICMP6 and pk & V6):
        typ = fl.get("icmp6.type" if pk & V6 else "icmp4.type", 0)
        if typ | (pk & V6) not in ICMP_PAIR:
            return None
        return pk, (src, dst, fl.get(ICMP_ID, 0), typ)
    return pk, (src, dst, 0, 0)


def fmt4(v: int) -> str:
    return ".".join(str((v >> s) & 0xFF) for s in (24, 16, 8, 0))


def fmt6(v: int) -> str:
    return str(ipaddress.IPv6Address(v))


def set_new(flow: Flow, key: Key | None) -> None:
    """The fields of a packet of no (committed) connection: ``new``, its own tuple."""
    assert key is not None
    flow["ct_state"] = CS_TRK | CS_NEW
    flow["ct_zone"] = key[0]
    flow["ct_mark"] = 0
    flow["ct_label"] = 0
    flow.pop(CT_CONN, None)
    flow.update(originals(key[1], (key[2], key[3], key[4], key[5])))


def set_invalid(flow: Flow, zone: int) -> None:
    """The fields of a packet conntrack refuses: ``trk|inv``, nothing else."""
    for k in CT_KEYS:
        flow.pop(k, None)
    flow["ct_state"] = CS_TRK | CS_INV
    flow["ct_zone"] = zone


PROTO_NAMES = {TCP: "tcp", UDP: "udp", SCTP: "sctp", ICMP4: "icmp", ICMP6: "icmpv6"}


def format_entry(e: CtEntry, now: float | None = None) -> str:
    """One line of ``ovs-appctl dpctl/dump-conntrack`` (``-s``: with ``now``, the seconds
    left)."""
    fmt = fmt6 if e.ipv6 else fmt4
    tuples = []
    for t in (e.orig, e.reply):
        s = f"src={fmt(t[0])},dst={fmt(t[1])}"
        if e.proto in (ICMP4, ICMP6):
            s += f",id={t[2]},type={t[3]},code=0"
        elif e.proto in (TCP, UDP, SCTP):
            s += f",sport={t[2]},dport={t[3]}"
        tuples.append(s)
    line = f"{PROTO_NAMES.get(e.proto, str(e.proto))},orig=({tuples[0]}),reply=({tuples[1]})"
    if e.zone:
        line += f",zone={e.zone}"
    if e.mark:
        line += f",mark={e.mark}"
    if e.label:
        line += f",labels={e.label:#x}"
    if now is not None:
        line += f",timeout={max(0, int(e.expires - now))}"
    if e.proto == TCP:
        line += f",protoinfo=(state={e.state})"
    return line
