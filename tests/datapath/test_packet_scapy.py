"""pyovn.datapath.packet cross-checked with an independent codec (scapy, a test-only
dependency): scapy decodes what build() and serialize() make -- fields and checksums, which
scapy recomputes -- and parse() decodes what scapy builds."""

from __future__ import annotations

import pytest

scapy_all = pytest.importorskip("scapy.all")

from scapy.layers.inet import ICMP, IP, TCP, UDP  # noqa: E402
from scapy.layers.inet6 import (  # noqa: E402
    ICMPv6EchoRequest,
    ICMPv6ND_NA,
    ICMPv6ND_NS,
    ICMPv6NDOptDstLLAddr,
    ICMPv6NDOptSrcLLAddr,
    IPv6,
    IPv6ExtHdrDestOpt,
    IPv6ExtHdrFragment,
    IPv6ExtHdrHopByHop,
)
from scapy.layers.l2 import ARP, Dot1Q, Ether  # noqa: E402
from scapy.layers.sctp import SCTP, SCTPChunkInit  # noqa: E402
from test_packet import CORPUS  # noqa: E402

from pyovn.datapath.packet import build, parse, serialize  # noqa: E402


def _mac(v: int) -> str:
    return ":".join(f"{(v >> s) & 0xFF:02x}" for s in range(40, -8, -8))


def _rechecksummed(frame: bytes) -> bytes:
    """``frame`` after scapy recomputed every checksum it knows."""
    p = Ether(frame)
    for layer in (IP, TCP, UDP, ICMP, SCTP):
        if p.haslayer(layer) and hasattr(p[layer], "chksum"):
            p[layer].chksum = None
    for layer in (ICMPv6EchoRequest, ICMPv6ND_NS, ICMPv6ND_NA):
        if p.haslayer(layer):
            p[layer].cksum = None
    if p.haslayer("ICMPv6 Destination Unreachable") or p.haslayer("ICMPv6 Packet Too Big"):
        p.getlayer(3).cksum = None
    return bytes(p)


@pytest.mark.parametrize(("name", "flow", "payload"), CORPUS, ids=[c[0] for c in CORPUS])
def test_scapy_decodes_build(name: str, flow: dict[str, int | str], payload: bytes) -> None:
    frame = build(flow, payload)
    p = Ether(frame)
    assert p.src == _mac(int(flow["eth.src"])) and p.dst == _mac(int(flow["eth.dst"]))
    if int(flow["vlan.tci"]) & 0x1000:
        assert p[Dot1Q].vlan == int(flow["vlan.tci"]) & 0xFFF
    if p.haslayer(IP):
        assert p[IP].src == "10.0.0.1" and p[IP].ttl == flow["ip.ttl"]
        assert p[IP].tos == (int(flow["ip.dscp"]) << 2) | int(flow["ip.ecn"])
    if p.haslayer(TCP) and not p.haslayer(IPv6ExtHdrFragment):
        assert (p[TCP].sport, p[TCP].dport) == (flow["tcp.src"], flow["tcp.dst"])
    if p.haslayer(UDP) and flow.get("ip.frag") != 3:
        assert (p[UDP].sport, p[UDP].dport) == (flow["udp.src"], flow["udp.dst"])
    if p.haslayer(ICMPv6ND_NS):
        assert int.from_bytes(bytes(p[ICMPv6ND_NS])[8:24], "big") == flow["nd.target"]
        if flow["nd.sll"]:
            assert p[ICMPv6NDOptSrcLLAddr].lladdr == _mac(int(flow["nd.sll"]))
    if p.haslayer(ICMPv6ND_NA):
        assert p[ICMPv6NDOptDstLLAddr].lladdr == _mac(int(flow["nd.tll"]))
    if p.haslayer(ARP):
        assert p[ARP].op == flow["arp.op"] and p[ARP].hwsrc == _mac(int(flow["arp.sha"]))
    if flow.get("ip.frag", 0) == 0 and flow.get("ip.proto") != 2:  # scapy rebuilds IGMP
        assert _rechecksummed(frame) == frame


SCAPY_FRAMES = [
    Ether(src="02:00:00:00:00:01", dst="ff:ff:ff:ff:ff:ff")
    / ARP(op=1, hwsrc="02:00:00:00:00:01", psrc="192.168.0.1", pdst="192.168.0.2"),
    Ether() / Dot1Q(vlan=42, prio=5) / IP(src="1.2.3.4", dst="5.6.7.8", tos=0xB9, ttl=3)
    / TCP(sport=1, dport=2, flags="SA") / b"hello",
    Ether() / IP(src="1.2.3.4", dst="5.6.7.8", options=[b"\x94\x04\0\0"]) / UDP(sport=3, dport=4)
    / (b"x" * 10),
    Ether() / IP(src="1.2.3.4", dst="5.6.7.8", flags="MF", frag=0) / UDP(sport=3, dport=4)
    / (b"x" * 30),
    Ether() / IP(src="1.2.3.4", dst="5.6.7.8", frag=100) / (b"x" * 30),
    Ether() / IP(src="1.2.3.4", dst="5.6.7.8") / ICMP(type=11, code=0) / IP() / UDP(),
    Ether() / IP(src="9.9.9.9", dst="8.8.8.8") / SCTP(sport=10, dport=20) / SCTPChunkInit(),
    Ether() / IPv6(src="fe80::1", dst="ff02::1:ff00:2", hlim=255, tc=0xAB, fl=0xFEDCB)
    / ICMPv6ND_NS(tgt="fe80::2") / ICMPv6NDOptSrcLLAddr(lladdr="02:00:00:00:00:01"),
    Ether() / IPv6(src="fe80::2", dst="fe80::1", hlim=255)
    / ICMPv6ND_NA(tgt="fe80::2", R=1, S=1, O=1) / ICMPv6NDOptDstLLAddr(lladdr="02:00:00:00:00:02"),
    Ether() / IPv6(src="2001:db8::1", dst="2001:db8::2") / IPv6ExtHdrHopByHop()
    / IPv6ExtHdrDestOpt() / TCP(sport=5, dport=6, flags="F"),
    Ether() / IPv6(src="2001:db8::1", dst="2001:db8::2") / IPv6ExtHdrFragment(offset=0, m=1)
    / UDP(sport=7, dport=8) / (b"y" * 20),
    Ether() / IPv6(src="2001:db8::1", dst="2001:db8::2") / IPv6ExtHdrFragment(offset=5, m=0, nh=17)
    / (b"y" * 20),
    Ether() / IPv6(src="2001:db8::1", dst="2001:db8::2") / ICMPv6EchoRequest(id=1, seq=2),
]


@pytest.mark.parametrize("sp", SCAPY_FRAMES, ids=[f"scapy{i}" for i in range(len(SCAPY_FRAMES))])
def test_parse_decodes_scapy(sp: scapy_all.Packet) -> None:
    frame = bytes(sp)
    flow, pkt = parse(frame)
    p = Ether(frame)
    assert flow["eth.src"] == int(p.src.replace(":", ""), 16)
    if p.haslayer(Dot1Q):
        assert flow["vlan.tci"] == 0x1000 | (p[Dot1Q].prio << 13) | p[Dot1Q].vlan
        assert flow["eth.type"] == p[Dot1Q].type
    if p.haslayer(ARP):
        assert (flow["arp.op"], flow["arp.spa"]) == (1, 0xC0A80001)
    if p.haslayer(IP):
        ip = p[IP]
        assert (flow["ip.ttl"], flow["ip.dscp"], flow["ip.ecn"]) == (ip.ttl, ip.tos >> 2,
                                                                    ip.tos & 3)
        frag = 0 if not (ip.frag or ip.flags.MF) else (3 if ip.frag else 1)
        assert flow["ip.frag"] == frag
    if p.haslayer(IPv6):
        ip6 = p[IPv6]
        assert (flow["ip.dscp"], flow["ip.ecn"], flow["ip6.label"]) == (ip6.tc >> 2,
                                                                       ip6.tc & 3, ip6.fl)
        assert flow["ip6.src"] == int.from_bytes(bytes(ip6)[8:24], "big")
    if p.haslayer(TCP):
        assert (flow["tcp.src"], flow["tcp.dst"], flow["tcp.flags"]) == (
            p[TCP].sport, p[TCP].dport, int(p[TCP].flags))
    if p.haslayer(UDP) and not p.haslayer(ICMP):
        assert (flow["udp.src"], flow["udp.dst"]) == (p[UDP].sport, p[UDP].dport)
    if p.haslayer(IPv6ExtHdrFragment) and p[IPv6ExtHdrFragment].offset:
        assert flow["ip.frag"] == 3 and flow["ip.proto"] == 17 and "udp.src" not in flow
    if p.haslayer(ICMP):
        assert (flow["icmp4.type"], flow["icmp4.code"]) == (11, 0)
    if p.haslayer(SCTP):
        assert (flow["sctp.src"], flow["sctp.dst"]) == (10, 20)
    if p.haslayer(ICMPv6ND_NS):
        assert flow["nd.sll"] == 0x020000000001 and flow["nd.target"] == (0xFE80 << 112) | 2
    if p.haslayer(ICMPv6ND_NA):
        assert flow["nd.tll"] == 0x020000000002 and flow["nd.sll"] == 0
    # Rewrite what each has, then let scapy recompute: our incremental checksums must agree.
    new = dict(flow)
    for k, v in (("eth.dst", 5), ("ip.ttl", 1), ("ip4.src", 0x7F000001), ("ip6.dst", 77),
                 ("tcp.dst", 65535), ("udp.src", 0), ("sctp.dst", 9), ("icmp4.code", 1),
                 ("nd.target", 1), ("nd.tll", 3), ("arp.tpa", 1), ("ip.dscp", 63),
                 ("vlan.tci", 0x1000 | 99)):
        if k in flow and not (k == "nd.tll" and pkt.tll < 0):  # no option to write into
            new[k] = v
    out = serialize(new, pkt)
    assert parse(out)[0] == new
    if flow.get("ip.frag", 0) == 0:
        assert _rechecksummed(out) == out
