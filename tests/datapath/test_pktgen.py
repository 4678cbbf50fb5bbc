"""pyovn.datapath.pktgen: the packets of the packet-building actions.

The expected frames marked "ovn.at" are the byte strings OVN 23.03's own test suite expects
the real ovn-controller to send (tests/ovn.at: "ACL reject", "IP packet larger than MTU",
"IPv6 ND NS"...), rebuilt here from the same inputs.  The flow each action starts from is
``pyovn.logical.actions_exec.build_packet``'s, as the datapath host gets it from ``ctx.emit``.
"""

from __future__ import annotations

import struct

import pytest
from test_packet import verify_checksums

from pyovn.datapath.packet import build, parse, serialize
from pyovn.datapath.pktgen import emitted_frame, emitted_packet, lla
from pyovn.logical.actions_exec import build_packet

ETH_A, ETH_B = "000000000011", "000000000021"
IP_A, IP_B = "c0a8010b", "c0a80115"  # 192.168.1.11, 192.168.1.21


def _emit(kind: str, frame_hex: str) -> str:
    flow, pkt = parse(bytes.fromhex(frame_hex))
    out = emitted_frame(kind, build_packet(kind, flow), pkt)
    assert out is not None
    return out.hex()


# --- ovn.at "ACL reject" vectors (reject in a switch: the reply is the composed packet) --------


def test_reject_tcp_syn_ovn_vector() -> None:
    syn = (f"{ETH_B}{ETH_A}08004500002800004000ff060000{IP_A}{IP_B}"
           "8b40303900000001000000005002721000000000")
    rst = (f"{ETH_A}{ETH_B}08004500002800004000" "3f06b85f" f"{IP_B}{IP_A}"
           "30398b4000000000000000025014000070e40000")
    assert _emit("reject", syn) == rst


@pytest.mark.parametrize(("tag", "csum", "abort_csum"), [
    ("00000001", "82112601", "10fe95b6"),
    ("00000002", "C0379D5A", "39f23aaf"),
])
def test_reject_sctp_init_ovn_vector(tag: str, csum: str, abort_csum: str) -> None:
    init = (f"{ETH_B}{ETH_A}0800" f"4500002500004000ff840000{IP_A}{IP_B}"
            f"8b40303900000000{csum}" f"01000014{tag}0000000000010001{tag}")
    abort = (f"{ETH_A}{ETH_B}0800" f"45000024000040003f84b7e5{IP_B}{IP_A}"
             f"30398b40{tag}{abort_csum}" "06000004")
    assert _emit("reject", init) == abort


def test_reject_ip_ovn_vector() -> None:
    ip = f"4500001400004000ff010000{IP_A}{IP_B}"
    reply = (f"{ETH_A}{ETH_B}08004500003000004000ff01f85b{IP_B}{IP_A}"
             f"0301f57600000000{ip}")
    assert _emit("reject", f"{ETH_B}{ETH_A}0800{ip}") == reply


def test_reject_ipv6_ovn_vector() -> None:
    s6, d6 = "fe80000000000000020001fffe000001", "fe80000000000000020001fffe000002"
    ip6h = f"6000000000083aff{s6}{d6}"
    reply = (f"{ETH_A}{ETH_B}86dd6000000000383aff{d6}{s6}0101617b00000000"
             f"{ip6h}0000000000000000")
    assert _emit("reject", f"{ETH_B}{ETH_A}86dd{ip6h}0000000000000000") == reply


def test_reject_ignores_rst_and_unreachable() -> None:
    flow = {"eth.src": 1, "eth.dst": 2, "eth.type": 0x800, "ip.proto": 6, "ip.ttl": 64,
            "ip4.src": 1, "ip4.dst": 2, "tcp.src": 1, "tcp.dst": 2, "tcp.flags": 0x14}
    f, p = parse(build(flow))
    assert emitted_frame("reject", build_packet("reject", f), p) is None
    icmp = {**flow, "ip.proto": 1, "icmp4.type": 3, "icmp4.code": 3}
    del icmp["tcp.flags"]
    f, p = parse(build(icmp, bytes(28)))
    assert emitted_frame("reject", build_packet("reject", f), p) is None
    assert emitted_packet("reject", build_packet("reject", f), p) is None


# --- ICMP errors ------------------------------------------------------------------------------


def test_icmp4_error_frag_needed_ovn_vector() -> None:
    """ovn.at "IP packet larger than MTU": the router answers a 114-byte packet with
    ICMP "fragmentation needed", quoting it whole (with the TTL it already decremented)."""
    src_mac, rtr_mac = "505400000001", "00000000ff01"
    l3_rest = "0a000003aca800030800f7ff00000000" + "00" * 86
    frame = bytes.fromhex(f"{rtr_mac}{src_mac}0800450000720000000040 01c3dd".replace(" ", "")
                          + l3_rest)
    flow, pkt = parse(frame)
    flow["ip.ttl"] -= 1  # the router's ip.ttl-- before the MTU check
    current = serialize(flow, pkt)
    new, npkt = emitted_packet("icmp4_error", build_packet("icmp4_error", flow), current)
    # the nested actions northd writes: icmp4.type = 3; icmp4.code = 4; frag_mtu; addresses;
    # the reply then goes through the router again (TTL 255 - 1)
    new.update({"icmp4.type": 3, "icmp4.code": 4, "icmp4.frag_mtu": 100,
                "eth.dst": int(src_mac, 16), "eth.src": int(rtr_mac, 16),
                "ip4.dst": 0x0A000003, "ip4.src": 0x0A000001, "ip.ttl": 254})
    out = serialize(new, npkt)
    expected = (f"{src_mac}{rtr_mac}08004500008e00004000fe01686b0a0000010a000003"
                f"0304fc9700000064" f"450000720000000" "03f01c4dd" + l3_rest)
    assert out.hex() == expected
    verify_checksums(out)


def test_icmp_quote_is_limited() -> None:
    big4 = {"eth.src": 1, "eth.dst": 2, "eth.type": 0x800, "ip.proto": 17, "ip.ttl": 64,
            "ip4.src": 1, "ip4.dst": 2, "udp.src": 1, "udp.dst": 2}
    f, p = parse(build(big4, bytes(1400)))
    out = emitted_frame("icmp4_error", build_packet("icmp4_error", f), p)
    assert out is not None and len(out) == 576  # 14 + 20 + 8 + 534 (OVN counts Ethernet too)
    assert out[14 + 28 : 14 + 28 + 20] == p.data[14:34]  # the quoted IP header
    verify_checksums(out)
    # icmp4 (not _error) of UDP: port unreachable (code 3); icmp4_error keeps code 1
    f2 = parse(emitted_frame("icmp4", build_packet("icmp4", f), p) or b"")[0]
    assert (f2["icmp4.type"], f2["icmp4.code"]) == (3, 3)
    assert parse(out)[0]["icmp4.code"] == 1
    big6 = {"eth.src": 1, "eth.dst": 2, "eth.type": 0x86DD, "ip.proto": 17, "ip.ttl": 64,
            "ip6.src": 1, "ip6.dst": 2, "udp.src": 1, "udp.dst": 2}
    f, p = parse(build(big6, bytes(3000)))
    out = emitted_frame("icmp6_error", build_packet("icmp6_error", f), p)
    assert out is not None and len(out) == 1280
    verify_checksums(out)
    f6 = parse(emitted_frame("icmp6", build_packet("icmp6", f), p) or b"")[0]
    assert (f6["icmp6.type"], f6["icmp6.code"], f6["ip.ttl"]) == (1, 4, 255)
    # wrong family, or not IP at all: nothing
    assert emitted_frame("icmp4", build_packet("icmp4", f), p) is None


# --- TCP RST and SCTP ABORT -------------------------------------------------------------------


def _tcp(flags: int, payload: bytes = b"", seq: int = 1000, ack: int = 5000) -> bytes:
    flow = {"eth.src": 1, "eth.dst": 2, "eth.type": 0x800, "ip.proto": 6, "ip.ttl": 64,
            "ip4.src": 0x01010101, "ip4.dst": 0x02020202, "tcp.src": 1234, "tcp.dst": 80,
            "tcp.flags": flags}
    return build(flow, payload, seq=seq, ack=ack)


@pytest.mark.parametrize(("flags", "payload", "seq", "ack", "rflags"), [
    (0x002, b"", 0, 1001, 0x014),  # SYN: seq 0, ack = seq + 1, RST|ACK
    (0x018, b"abcd", 5000, 0, 0x004),  # ACK: seq = its ack, RST
    (0x001, b"ab", 0, 1003, 0x014),  # FIN without ACK: ack = seq + 2 + 1
    (0x000, b"xyz", 0, 1003, 0x014),
])
def test_tcp_reset_numbers(flags: int, payload: bytes, seq: int, ack: int,
                           rflags: int) -> None:
    f, p = parse(_tcp(flags, payload))
    out = emitted_frame("tcp_reset", build_packet("tcp_reset", f), p)
    assert out is not None
    rf, rp = parse(out)
    assert (rf["tcp.src"], rf["tcp.dst"], rf["tcp.flags"], rf["ip.ttl"]) == (80, 1234,
                                                                              rflags, 63)
    # tcp_reset does not swap the addresses (the nested actions do), reject does
    assert (rf["ip4.src"], rf["ip4.dst"]) == (0x01010101, 0x02020202)
    assert struct.unpack_from("!II", out, rp.l4 + 4) == (seq, ack)
    assert len(out) == 14 + 20 + 20
    verify_checksums(out)
    out = emitted_frame("reject", build_packet("reject", f), p)
    assert out is not None and parse(out)[0]["ip4.src"] == 0x02020202


def test_sctp_abort_reflects_the_tag() -> None:
    flow = {"eth.src": 1, "eth.dst": 2, "eth.type": 0x86DD, "ip.proto": 132, "ip.ttl": 64,
            "ip6.src": 1, "ip6.dst": 2, "sctp.src": 7, "sctp.dst": 8}
    data_chunk = bytes((0, 3, 0, 16)) + bytes(12)
    frame = bytearray(build(flow, data_chunk))
    frame[14 + 40 + 4 : 14 + 40 + 8] = (0xDEADBEEF).to_bytes(4, "big")
    f, p = parse(bytes(frame))
    out = emitted_frame("sctp_abort", build_packet("sctp_abort", f), p)
    assert out is not None
    rf, rp = parse(out)
    assert (rf["sctp.src"], rf["sctp.dst"], rf["ip.ttl"]) == (8, 7, 63)
    assert out[rp.l4 + 4 : rp.l4 + 8] == (0xDEADBEEF).to_bytes(4, "big")
    assert out[rp.l4 + 12 : rp.l4 + 16] == bytes((6, 1, 0, 4))  # ABORT, T bit set
    verify_checksums(out)
    abort = bytes((6, 0, 0, 4))
    f, p = parse(build(flow, abort))
    assert emitted_frame("sctp_abort", build_packet("sctp_abort", f), p) is None


# --- ARP, ND ----------------------------------------------------------------------------------


def test_arp_request() -> None:
    flow = {"eth.src": 0x000020201213, "eth.dst": 0xFFFFFFFFFFFF, "eth.type": 0x800,
            "vlan.tci": 0x1000 | 10, "ip.proto": 1, "ip.ttl": 64, "ip4.src": 0xACA80064,
            "ip4.dst": 0xACA80003, "icmp4.type": 8, "icmp4.code": 0, "reg0": 0xACA80003,
            "outport": "lrp1"}
    f, p = parse(build(flow, bytes(8)))
    f.update(reg0=0xACA80003, outport="lrp1")
    new, np_ = emitted_packet("arp", build_packet("arp", f), p) or ({}, None)
    assert np_ is not None
    assert np_.data.hex() == ("ffffffffffff000020201213" "8100000a" "0806000108000604"
                              "0001000020201213aca80064000000000000aca80003")
    assert new["reg0"] == 0xACA80003 and new["outport"] == "lrp1" and new["arp.op"] == 1
    new["arp.tpa"] = 0xACA800FE  # e.g. "arp { arp.tpa = reg0; output; }"
    assert parse(serialize(new, np_))[0]["arp.tpa"] == 0xACA800FE


def test_nd_ns_ovn_vector() -> None:
    """ovn.at "IPv6 ND NS": a router resolving 2001:db8:1::200:2ff:fe01:205 sends an NS from
    its link-local address."""
    rtr = "000002010204"
    dst = "20010db800010000020002fffe010205"
    pkt_hex = (f"000000000000{rtr}86dd6000000000083afe"
               f"aef0000000000000526400fffe000002{dst}8000000000000000")
    flow, pkt = parse(bytes.fromhex(pkt_hex))
    out = emitted_frame("nd_ns", build_packet("nd_ns", flow), pkt)
    assert out is not None
    expected = (f"3333ff010205{rtr}86dd6000000000203aff" "fe80000000000000020002fffe010204"
                "ff0200000000000000000001ff010205" "8700XXXX00000000" f"{dst}0101{rtr}")
    got = out.hex()
    assert got[:112] == expected[:112] and got[116:] == expected[116:]
    verify_checksums(out)
    assert lla(0x000002010204) == 0xFE80_0000_0000_0000_0200_02FF_FE01_0204


def test_nd_na_ovn_vector() -> None:
    """ovn.at "IPv6 Neighbor Solicitation/Advertisement": the switch's ND responder answers
    lp1's NS for lp2's address: ``nd_na { eth.src = E; ip6.src = A; nd.target = A;
    nd.tll = E; outport = inport; flags.loopback = 1; output; }``."""
    ns = bytes.fromhex(
        "3333ffa1f9aefa163e94059886dd6000000000203afffd81ce49a9480000f8163efffe940598fd81ce4"
        "9a9480000f8163efffea1f9ae8700e01160000000fd81ce49a9480000f8163efffea1f9ae0101fa163e94"
        "0598")
    na = ("fa163e940598fa163ea1f9ae86dd6000000000203afffd81ce49a9480000f8163efffea1f9aefd81ce"
          "49a9480000f8163efffe9405988800e9ed60000000fd81ce49a9480000f8163efffea1f9ae0201fa163e"
          "a1f9ae")
    flow, pkt = parse(ns)
    flow["inport"] = "lp1"
    new, npkt = emitted_packet("nd_na", build_packet("nd_na", flow), pkt) or ({}, None)
    assert npkt is not None
    mac, addr = 0xFA163EA1F9AE, 0xFD81CE49A9480000F8163EFFFEA1F9AE
    new.update({"eth.src": mac, "ip6.src": addr, "nd.target": addr, "nd.tll": mac,
                "outport": new["inport"]})
    assert serialize(new, npkt).hex() == na
    # nd_na_router sets the Router flag too
    out = emitted_frame("nd_na_router", build_packet("nd_na_router", flow), pkt)
    assert out is not None and out[14 + 40 + 4] == 0xE0
    # not an NS/NA: nothing
    other, opkt = parse(build({**flow, "icmp6.type": 128}))
    assert emitted_frame("nd_na", build_packet("nd_na", other), opkt) is None


def test_clone_and_unknown_kind() -> None:
    flow, pkt = parse(_tcp(2))
    new, same = emitted_packet("clone", flow, pkt) or ({}, None)
    assert same is pkt and new == flow and new is not flow
    with pytest.raises(ValueError):
        emitted_frame("clone", flow, pkt)
