"""pyovn.datapath.packet: parse, serialize (incremental checksums), build.

The oracle for serialize is build(): a frame built from flow A, parsed, its keys changed to
flow B and serialized must be byte for byte build(flow B) -- the incremental checksum updates
equal a full recomputation.  Checksums are also verified by an independent word-by-word sum.
"""

from __future__ import annotations

import struct
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pyovn.datapath.packet import (
    ICMP_ID,
    L4_ICMP4,
    L4_ICMP6,
    L4_SCTP,
    L4_TCP,
    L4_UDP,
    PACKET_KEYS,
    PacketError,
    build,
    checksum,
    crc32c,
    l4_header,
    parse,
    refresh,
    serialize,
)

MAC1, MAC2 = 0x0A0000000001, 0x0A0000000002
IP1, IP2 = 0x0A000001, 0x0A000002
IP6A = 0xFD00_0000_0000_0000_0000_0000_0000_0001
IP6B = 0xFD00_0000_0000_0000_0000_0000_0000_0002


# --- an independent checksum verifier ---------------------------------------------------------


def ones_sum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    s = 0
    for i in range(0, len(data), 2):
        s += (data[i] << 8) | data[i + 1]
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def verify_checksums(frame: bytes) -> None:
    """Asserts the IPv4 header checksum and the L4 checksum (TCP, UDP unless 0 over IPv4,
    ICMPv4, ICMPv6, SCTP CRC32c) of ``frame`` are right."""
    _, p = parse(frame)
    l3, l4 = p.l3, p.l4
    if p.l3kind == 4:
        hl = (frame[l3] & 0xF) * 4
        assert ones_sum(frame[l3 : l3 + hl]) == 0xFFFF, "IPv4 header checksum"
    if l4 < 0:
        return
    seg = frame[l4 : p.end]
    if p.l4kind == L4_SCTP:
        zeroed = seg[:8] + b"\0\0\0\0" + seg[12:]
        assert crc32c(zeroed).to_bytes(4, "little") == seg[8:12], "SCTP CRC32c"
        return
    if p.l4kind == L4_ICMP4:
        assert ones_sum(seg) == 0xFFFF, "ICMPv4 checksum"
        return
    proto = {L4_TCP: 6, L4_UDP: 17, L4_ICMP6: 58}[p.l4kind]
    if p.l4kind == L4_UDP and p.l3kind == 4 and seg[6:8] == b"\0\0":
        return
    if p.l3kind == 4:
        ph = frame[l3 + 12 : l3 + 20] + struct.pack("!HH", proto, len(seg))
    else:
        # the upper-layer length: the L4 segment (extension headers are not part of it)
        ph = frame[l3 + 8 : l3 + 40] + struct.pack("!IxxxB", len(seg), proto)
    assert ones_sum(ph + seg) == 0xFFFF, f"L4 checksum (proto {proto})"


def test_verifier_catches_a_bad_checksum() -> None:
    frame = bytearray(build(tcp4()))
    verify_checksums(bytes(frame))
    frame[-1] ^= 1  # the TCP header's last byte (urgent pointer)
    with pytest.raises(AssertionError):
        verify_checksums(bytes(frame))


# --- flows of the corpus ----------------------------------------------------------------------


def eth(etype: int, **kw: int) -> dict[str, int | str]:
    f: dict[str, int | str] = {"eth.src": MAC1, "eth.dst": MAC2, "eth.type": etype,
                               "vlan.tci": 0}
    f.update(kw)
    return f


def ip4(proto: int, **kw: int) -> dict[str, int | str]:
    return eth(0x0800, **{"ip.proto": proto, "ip.dscp": 10, "ip.ecn": 1, "ip.ttl": 64,
                          "ip.frag": 0, "ip4.src": IP1, "ip4.dst": IP2, **kw})


def ip6(proto: int, **kw: int) -> dict[str, int | str]:
    return eth(0x86DD, **{"ip.proto": proto, "ip.dscp": 46, "ip.ecn": 2, "ip.ttl": 64,
                          "ip.frag": 0, "ip6.src": IP6A, "ip6.dst": IP6B, "ip6.label": 0x12345,
                          **kw})


def tcp4(**kw: int) -> dict[str, int | str]:
    return ip4(6, **{"tcp.src": 40000, "tcp.dst": 80, "tcp.flags": 0x18, **kw})


CORPUS: list[tuple[str, dict[str, int | str], bytes]] = [
    ("arp", eth(0x0806, **{"arp.op": 1, "arp.spa": IP1, "arp.tpa": IP2, "arp.sha": MAC1,
                           "arp.tha": 0}), b""),
    ("rarp", eth(0x8035, **{"arp.op": 3, "arp.spa": 0, "arp.tpa": 0, "arp.sha": MAC1,
                            "arp.tha": MAC1}), b""),
    ("arp-vlan", eth(0x0806, **{"vlan.tci": 0x1000 | 0x2064, "arp.op": 2, "arp.spa": IP1,
                                "arp.tpa": IP2, "arp.sha": MAC1, "arp.tha": MAC2}), b""),
    ("tcp4", tcp4(), b"GET / HTTP/1.0\r\n\r\n"),
    ("tcp4-vlan", tcp4(**{"vlan.tci": 0x1000 | 100}), b"x" * 33),
    ("udp4", ip4(17, **{"udp.src": 68, "udp.dst": 67}), b"\x01" * 300),
    ("sctp4", ip4(132, **{"sctp.src": 5000, "sctp.dst": 6000}), bytes(range(20))),
    ("icmp4", ip4(1, **{"icmp4.type": 8, "icmp4.code": 0, ICMP_ID: 0x1234}), b"ping" * 10),
    ("icmp4-frag-needed", ip4(1, **{"icmp4.type": 3, "icmp4.code": 4}), bytes(28)),
    ("ip4-first-frag", ip4(17, **{"ip.frag": 1, "udp.src": 1, "udp.dst": 2}), b"a" * 64),
    ("ip4-later-frag", ip4(17, **{"ip.frag": 3}), b"b" * 64),
    ("igmp", ip4(2), bytes(8)),
    ("tcp6", ip6(6, **{"tcp.src": 22, "tcp.dst": 50000, "tcp.flags": 0x12}), b""),
    ("udp6", ip6(17, **{"udp.src": 546, "udp.dst": 547}), b"dhcpv6" * 7),
    ("sctp6", ip6(132, **{"sctp.src": 1, "sctp.dst": 2}), bytes(16)),
    ("icmp6-echo", ip6(58, **{"icmp6.type": 128, "icmp6.code": 0, ICMP_ID: 7}), b"abc"),
    ("nd-ns", ip6(58, **{"ip.ttl": 255, "icmp6.type": 135, "icmp6.code": 0,
                         "nd.target": IP6B, "nd.sll": MAC1, "nd.tll": 0}), b""),
    ("nd-na", ip6(58, **{"ip.ttl": 255, "icmp6.type": 136, "icmp6.code": 0,
                         "nd.target": IP6B, "nd.sll": 0, "nd.tll": MAC2}), b""),
    ("nd-ns-dad", ip6(58, **{"ip.ttl": 255, "icmp6.type": 135, "icmp6.code": 0,
                             "ip6.src": 0, "nd.target": IP6B, "nd.sll": 0, "nd.tll": 0}), b""),
    ("ip6-first-frag", ip6(17, **{"ip.frag": 1, "udp.src": 7, "udp.dst": 8}), b"c" * 40),
    ("ip6-later-frag", ip6(6, **{"ip.frag": 3}), b"d" * 40),
    ("ip6-other", ip6(89), b"ospf"),
    ("lldp", eth(0x88CC), b"\x02\x07" + bytes(20)),
]


@pytest.mark.parametrize(("name", "flow", "payload"), CORPUS, ids=[c[0] for c in CORPUS])
def test_corpus_round_trip(name: str, flow: dict[str, int | str], payload: bytes) -> None:
    frame = build(flow, payload)
    got, pkt = parse(frame)
    assert got == _with_echo_id(flow)
    assert serialize(got, pkt) == frame  # nothing changed: the same bytes
    assert serialize(dict(got, inport="lp1", reg0=5), pkt) == frame  # metadata is not packet
    verify_checksums(frame)


# --- hand-written frames ----------------------------------------------------------------------


def test_ipv4_options_and_padding() -> None:
    # IPv4 with a 4-byte option (IHL 6), UDP, then Ethernet padding up to 60 bytes.
    udp = struct.pack("!HHHH", 1000, 2000, 10, 0) + b"hi"
    hdr = struct.pack("!BBHHHBBH4s4s", 0x46, 0, 24 + len(udp), 1, 0, 64, 17, 0,
                      bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])) + b"\x94\x04\0\0"
    hdr = hdr[:10] + checksum(hdr).to_bytes(2, "big") + hdr[12:]
    frame = bytes.fromhex("0a00000000020a00000000010800") + hdr + udp
    frame += bytes(60 - len(frame))
    flow, pkt = parse(frame)
    assert (flow["ip.proto"], flow["udp.src"], flow["udp.dst"]) == (17, 1000, 2000)
    assert pkt.l4 == 14 + 24 and pkt.end == 14 + 24 + 10
    flow["ip4.src"] = 0xC0A80101
    flow["udp.dst"] = 53
    out = serialize(flow, pkt)
    verify_checksums(out)
    assert out[-(60 - 14 - 24 - 10) :] == bytes(60 - 14 - 24 - 10)  # padding kept
    assert out[14 + 20 : 14 + 24] == b"\x94\x04\0\0"  # option kept
    assert out[14 + 24 + 6 : 14 + 24 + 8] == b"\0\0"  # UDP checksum 0 (none) stays 0


def test_ipv6_extension_headers() -> None:
    # hop-by-hop (8 bytes) -> destination options (16 bytes) -> TCP
    f = ip6(6, **{"tcp.src": 1, "tcp.dst": 2, "tcp.flags": 2})
    tcp = l4_header(f, b"payload", window=100)
    hbh = bytes([60, 0, 5, 2, 0, 0, 1, 0])
    dst = bytes([6, 1]) + bytes([1, 12]) + bytes(12)
    addrs = IP6A.to_bytes(16, "big") + IP6B.to_bytes(16, "big")
    vtf = 0x60000000 | (46 << 22) | (2 << 20) | 0x12345
    ip = struct.pack("!IHBB", vtf, len(hbh) + len(dst) + len(tcp), 0, 64) + addrs
    frame = bytes.fromhex("0a00000000020a000000000186dd") + ip + hbh + dst + tcp
    got, pkt = parse(frame)
    assert got == f
    assert pkt.l4 == 14 + 40 + 24
    verify_checksums(frame)
    got["ip6.dst"] = IP6A + 5
    got["tcp.dst"] = 8080
    verify_checksums(serialize(got, pkt))


def test_ipv6_fragments_and_atomic_fragment() -> None:
    addrs = IP6A.to_bytes(16, "big") + IP6B.to_bytes(16, "big")
    for offlg, frag in ((0x0000, 1), (0x0001, 1), (0x0008, 3)):
        fh = struct.pack("!BBHI", 17, 0, offlg, 7)
        udp = struct.pack("!HHHH", 5, 6, 8, 0)
        frame = (bytes.fromhex("0a00000000020a000000000186dd")
                 + struct.pack("!IHBB", 0x60000000, 16, 44, 9) + addrs + fh + udp)
        flow, _ = parse(frame)
        assert (flow["ip.proto"], flow["ip.frag"]) == (17, frag)
        assert ("udp.src" in flow) == (frag == 1)


def test_malformed_ip_keeps_only_l2() -> None:
    good = build(tcp4())
    for bad in (
        good[:14] + b"\x44" + good[15:],  # IHL 4
        good[:14] + b"\x65" + good[15:],  # version 6 in an IPv4 frame
        good[:16] + b"\xff\xff" + good[18:],  # total length beyond the frame
        good[:30],  # truncated header
    ):
        flow, _ = parse(bad)
        assert set(flow) == {"eth.src", "eth.dst", "eth.type", "vlan.tci"}
    # A truncated TCP header: IP keys, no L4 keys.
    short = bytearray(good[:14 + 20 + 10])
    short[16:18] = (30).to_bytes(2, "big")
    flow, pkt = parse(bytes(short))
    assert flow["ip.proto"] == 6 and "tcp.src" not in flow and pkt.l4 < 0
    with pytest.raises(PacketError):
        parse(b"\0" * 13)


def test_llc_and_double_tag() -> None:
    flow, _ = parse(bytes(12) + b"\x00\x2e" + b"\xaa\xaa\x03" + bytes(43))
    assert flow["eth.type"] == 0x05FF
    # 802.1ad outer tag: one tag parsed (OVS's default vlan-limit), the inner TPID is eth.type
    frame = bytes(12) + bytes.fromhex("88a8 0064 8100 00c8 0800".replace(" ", "")) + bytes(20)
    flow, _ = parse(frame)
    assert (flow["vlan.tci"], flow["eth.type"]) == (0x1064, 0x8100)


def test_ovn_nd_packets() -> None:
    # From OVN's own test suite (ovn.at): an NS and the NA answering it.
    ns = bytes.fromhex(
        "3333ffa1f9aefa163e94059886dd6000000000203afffd81ce49a9480000f8163efffe940598fd81ce4"
        "9a9480000f8163efffea1f9ae8700e01160000000fd81ce49a9480000f8163efffea1f9ae0101fa163e94"
        "0598")
    flow, _ = parse(ns)
    assert flow["icmp6.type"] == 135 and flow["nd.sll"] == 0xFA163E940598
    assert flow["nd.target"] == 0xFD81CE49A9480000F8163EFFFEA1F9AE and flow["nd.tll"] == 0
    verify_checksums(ns)
    na = bytes.fromhex(
        "fa163e940598fa163ea1f9ae86dd6000000000203afffd81ce49a9480000f8163efffea1f9aefd81ce4"
        "9a9480000f8163efffe9405988800e9ed60000000fd81ce49a9480000f8163efffea1f9ae0201fa163ea1"
        "f9ae")
    flow, pkt = parse(na)
    assert flow["nd.tll"] == 0xFA163EA1F9AE and flow["nd.sll"] == 0 and flow["ip.ttl"] == 255
    verify_checksums(na)
    flow["nd.tll"] = MAC1
    flow["nd.target"] = IP6A
    out = serialize(flow, pkt)
    verify_checksums(out)
    assert parse(out)[0]["nd.tll"] == MAC1


# --- rewrites ---------------------------------------------------------------------------------


def test_udp4_zero_checksum_stays_zero_and_computed_zero_is_ffff() -> None:
    f = ip4(17, **{"udp.src": 1, "udp.dst": 2})
    frame = bytearray(build(f, b"data"))
    frame[14 + 20 + 6 : 14 + 20 + 8] = b"\0\0"
    flow, pkt = parse(bytes(frame))
    flow["ip4.dst"] = 0x08080808
    flow["udp.dst"] = 53
    out = serialize(flow, pkt)
    assert out[14 + 26 : 14 + 28] == b"\0\0"
    # Find a destination port that makes the correct checksum 0: it must be sent as 0xffff.
    flow, pkt = parse(build(f, b"data"))
    ck = int.from_bytes(build(f, b"data")[40:42], "big")
    flow["udp.dst"] = (2 + (ck if ck != 0xFFFF else 0)) % 0xFFFF
    out = serialize(flow, pkt)
    verify_checksums(out)
    if ones_sum(out[34:]) == 0xFFFF and out[40:42] in (b"\xff\xff", b"\0\0"):
        assert out[40:42] == b"\xff\xff"


def test_vlan_push_pop_rewrite() -> None:
    f = tcp4()
    flow, pkt = parse(build(f, b"p"))
    flow["vlan.tci"] = 0x1000 | 0x6005
    pushed = serialize(flow, pkt)
    assert pushed == build(dict(f, **{"vlan.tci": 0x1000 | 0x6005}), b"p")
    flow2, pkt2 = parse(pushed)
    assert flow2["vlan.tci"] == 0x7005 and flow2["eth.type"] == 0x0800
    flow2["vlan.tci"] = 0x1000 | 7
    assert serialize(flow2, pkt2) == build(dict(f, **{"vlan.tci": 0x1007}), b"p")
    flow2["vlan.tci"] = 0
    flow2["ip.ttl"] = 5
    assert serialize(flow2, pkt2) == build(dict(f, **{"ip.ttl": 5}), b"p")


def test_frag_mtu_written() -> None:
    f = ip4(1, **{"icmp4.type": 3, "icmp4.code": 4})
    flow, pkt = parse(build(f, bytes(28)))
    flow["icmp4.frag_mtu"] = 1400
    out = serialize(flow, pkt)
    assert out[34 + 6 : 34 + 8] == (1400).to_bytes(2, "big")
    assert out == build(dict(f, **{"icmp4.frag_mtu": 1400}), bytes(28))
    f6 = ip6(58, **{"icmp6.type": 2, "icmp6.code": 0})
    flow, pkt = parse(build(f6, bytes(48)))
    flow["icmp6.frag_mtu"] = 1280
    out = serialize(flow, pkt)
    assert out == build(dict(f6, **{"icmp6.frag_mtu": 1280}), bytes(48))
    verify_checksums(out)


def test_refresh_keeps_metadata() -> None:
    flow, _ = parse(build(tcp4()))
    flow.update({"inport": "lp1", "reg0": 7, "ct_state": 0x21})
    pkt = refresh(flow, build(ip4(17, **{"udp.src": 1, "udp.dst": 2})))
    assert flow["inport"] == "lp1" and flow["reg0"] == 7 and flow["ct_state"] == 0x21
    assert flow["udp.dst"] == 2 and "tcp.src" not in flow and pkt.l4 == 34
    assert set(flow) - {"inport", "reg0", "ct_state"} <= PACKET_KEYS


def _with_echo_id(flow: dict[str, int | str]) -> dict[str, int | str]:
    """What parse() gives for ``flow``: an echo's identifier (conntrack's "port") is always
    there."""
    want = dict(flow)
    if flow.get("icmp4.type") in (0, 8) or flow.get("icmp6.type") in (128, 129):
        want.setdefault(ICMP_ID, 0)
    return want


# --- property: incremental == full recomputation ----------------------------------------------

_WRITABLE = {
    "eth.src": 48, "eth.dst": 48, "ip.dscp": 6, "ip.ecn": 2, "ip.ttl": 8, "ip4.src": 32,
    "ip4.dst": 32, "ip6.src": 128, "ip6.dst": 128, "ip6.label": 20, "tcp.src": 16,
    "tcp.dst": 16, "udp.src": 16, "udp.dst": 16, "sctp.src": 16, "sctp.dst": 16,
    "icmp4.type": 8, "icmp4.code": 8, "icmp6.type": 8, "icmp6.code": 8, "nd.target": 128,
    ICMP_ID: 16,
    "nd.sll": 48, "nd.tll": 48, "arp.op": 16, "arp.spa": 32, "arp.tpa": 32, "arp.sha": 48,
    "arp.tha": 48,
}  # fmt: skip


@st.composite
def rewrites(draw: st.DrawFn) -> tuple[dict[str, int | str], bytes, dict[str, int | str]]:
    name, flow, payload = draw(st.sampled_from(CORPUS))
    new = dict(flow)
    keys = sorted(k for k in flow if k in _WRITABLE)
    for k in draw(st.lists(st.sampled_from(keys), unique=True)) if keys else []:
        if k in ("nd.sll", "nd.tll") and not flow[k]:
            continue  # no option to write into (build would add one)
        lo = 1 if k in ("nd.sll", "nd.tll") else 0
        if k in ("icmp6.type", "icmp6.code") and flow.get("icmp6.type") in (135, 136):
            continue  # turning an ND message into another kind changes its layout
        if k in ("icmp4.type", "icmp6.type") and ICMP_ID in flow:
            continue  # an echo stays an echo: other types have no identifier there
        new[k] = draw(st.integers(lo, (1 << _WRITABLE[k]) - 1))
    if draw(st.booleans()):
        new["vlan.tci"] = draw(st.sampled_from([0, 0x1000, 0x1000 | 0xE123, 0x1FFF]))
    return flow, payload, new


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rewrites())
def test_rewrites_equal_full_recompute(case: tuple[dict[str, int | str], bytes,
                                                   dict[str, int | str]]) -> None:
    flow, payload, new = case
    got, pkt = parse(build(flow, payload))
    got.update(new)
    out = serialize(got, pkt)
    assert out == build(new, payload)
    verify_checksums(out)
    assert parse(out)[0] == _with_echo_id(new)


# --- partial checksums (vnet NEEDS_CSUM) and GSO ----------------------------------------------


def _partial(frame: bytes) -> tuple[bytes, int]:
    """``frame`` with its L4 checksum replaced by the pseudo-header sum, as a guest sends it
    with NEEDS_CSUM; returns it and the checksum's offset."""
    flow, p = parse(frame)
    seg_len = p.end - p.l4
    proto = {L4_TCP: 6, L4_UDP: 17}[p.l4kind]
    if p.l3kind == 4:
        ph = frame[p.l3 + 12 : p.l3 + 20] + struct.pack("!HH", proto, seg_len)
    else:
        ph = frame[p.l3 + 8 : p.l3 + 40] + struct.pack("!IxxxB", seg_len, proto)
    out = bytearray(frame)
    out[p.ck : p.ck + 2] = ones_sum(ph).to_bytes(2, "big")
    return bytes(out), p.ck


def _complete(frame: bytes, l4: int, ck: int) -> bytes:
    """What the device does for NEEDS_CSUM: fold the sum over frame[l4:] into the field."""
    out = bytearray(frame)
    out[ck : ck + 2] = (~ones_sum(frame[l4:]) & 0xFFFF).to_bytes(2, "big")
    return bytes(out)


@pytest.mark.parametrize("size", [0, 1, 1400, 30000])
@pytest.mark.parametrize("base", [tcp4(), ip6(6, **{"tcp.src": 1, "tcp.dst": 2,
                                                     "tcp.flags": 0x10}),
                                  ip4(17, **{"udp.src": 9, "udp.dst": 10})])
def test_partial_checksum_address_and_port_changes(base: dict[str, int | str],
                                                   size: int) -> None:
    payload = bytes(i & 0xFF for i in range(size))  # size 30000: a GSO super-frame
    partial, ck = _partial(build(base, payload))
    flow, pkt = parse(partial, csum_partial=True)
    new = dict(flow)
    if base["eth.type"] == 0x0800:
        new.update({"ip4.src": 0xC0A80001, "ip4.dst": 0x08080808})
    else:
        new.update({"ip6.src": IP6A ^ (0xABCD << 64), "ip6.dst": 1})
    l4 = "tcp" if base["ip.proto"] == 6 else "udp"
    new.update({f"{l4}.src": 1111, f"{l4}.dst": 2222, "ip.ttl": 3, "eth.dst": 7})
    flow.update(new)
    out = serialize(flow, pkt)
    # The field is still a pseudo-header sum (ports were not folded in) ...
    assert out[ck : ck + 2] == _partial(build(new, payload))[0][ck : ck + 2]
    # ... and completing it gives the right checksum.
    done = _complete(out, pkt.l4, ck)
    assert done == build(new, payload)
    verify_checksums(done)


def test_partial_port_only_change_leaves_field() -> None:
    partial, ck = _partial(build(tcp4(), b"z" * 100))
    flow, pkt = parse(partial, csum_partial=True)
    flow["tcp.dst"] = 443
    out = serialize(flow, pkt)
    assert out[ck : ck + 2] == partial[ck : ck + 2]
    assert _complete(out, pkt.l4, ck) == build(dict(tcp4(), **{"tcp.dst": 443}), b"z" * 100)


def test_sctp_port_change_recomputes_crc() -> None:
    f = ip4(132, **{"sctp.src": 5000, "sctp.dst": 6000})
    flow, pkt = parse(build(f, bytes(range(40))))
    flow["sctp.dst"] = 7
    out = serialize(flow, pkt)
    verify_checksums(out)
    assert out == build(dict(f, **{"sctp.dst": 7}), bytes(range(40)))


def test_crc32c_check_value() -> None:
    assert crc32c(b"123456789") == 0xE3069283  # RFC 3720 B.4 / the usual check value


# --- speed ------------------------------------------------------------------------------------


def test_speed_report(capsys: pytest.CaptureFixture[str]) -> None:
    """Measures parse + serialize per packet (printed with -s); generous bound as a guard."""
    frames = {
        "tcp4": build(tcp4(), bytes(1000)),
        "udp6": build(ip6(17, **{"udp.src": 1, "udp.dst": 2}), bytes(100)),
        "arp": build(CORPUS[0][1]),
    }
    results = {}
    n = 3000
    for name, frame in frames.items():
        t = time.perf_counter()
        for _ in range(n):
            flow, pkt = parse(frame)
            serialize(flow, pkt)
        unchanged = (time.perf_counter() - t) / n * 1e6
        t = time.perf_counter()
        for _ in range(n):
            flow, pkt = parse(frame)
            flow["eth.dst"] = 1
            flow["ip.ttl"] = 9
            serialize(flow, pkt)
        changed = (time.perf_counter() - t) / n * 1e6
        results[name] = (unchanged, changed)
    with capsys.disabled():
        for name, (u, c) in results.items():
            print(f"\n  {name}: parse+serialize {u:.1f} us unchanged, {c:.1f} us with 2 writes",
                  end="")
    assert all(c < 200 for _, c in results.values())
