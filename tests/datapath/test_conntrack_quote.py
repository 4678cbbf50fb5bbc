"""pyovn.datapath.conntrack_quote: the packet an ICMP error quotes, found by conntrack as
related and translated back through NAT.  Checked against scapy: the requoted frame equals,
byte for byte, the error scapy builds (with all its checksums) quoting the untranslated packet.
"""

from __future__ import annotations

import pytest

scapy_all = pytest.importorskip("scapy.all")

from scapy.layers.inet import ICMP, IP, TCP, UDP  # noqa: E402
from scapy.layers.inet6 import ICMPv6DestUnreach, ICMPv6EchoRequest, IPv6  # noqa: E402
from scapy.layers.l2 import Ether  # noqa: E402

from pyovn.datapath.conntrack import CS_REL, CS_TRK, Conntrack, NatTarget  # noqa: E402
from pyovn.datapath.conntrack_quote import is_icmp_error, quoted, requote  # noqa: E402
from pyovn.datapath.packet import ICMP_ID, parse  # noqa: E402

CLIENT, SERVER, ROUTER = "10.0.0.10", "10.0.9.10", "10.0.9.1"
CLIENT6, SERVER6, ROUTER6 = "fd00::10", "fd09::10", "fd09::1"
E = Ether(src="50:54:00:00:09:10", dst="00:00:00:00:ff:09")


def _ip(text: str) -> int:
    import ipaddress

    return int(ipaddress.ip_address(text))


def _error(inner: object, v6: bool = False) -> bytes:
    """The error the server's kernel sends about ``inner`` (which it received translated)."""
    if v6:
        return bytes(E / IPv6(src=SERVER6, dst=ROUTER6) / ICMPv6DestUnreach(code=4) / inner)
    return bytes(E / IP(src=SERVER, dst=ROUTER) / ICMP(type=3, code=3) / inner)


@pytest.mark.parametrize("v6", [False, True], ids=["ipv4", "ipv6"])
@pytest.mark.parametrize("l4", ["udp", "tcp", "echo"])
def test_snat_error_is_related_and_the_quote_is_translated_back(v6: bool, l4: str) -> None:
    ip = IPv6 if v6 else IP
    client, server, router = (CLIENT6, SERVER6, ROUTER6) if v6 else (CLIENT, SERVER, ROUTER)
    payload = {
        "udp": lambda: UDP(sport=40000, dport=9) / b"hello",
        "tcp": lambda: TCP(sport=40000, dport=80, flags="S", seq=1234),
        "echo": lambda: (ICMPv6EchoRequest(id=777, seq=1) if v6 else ICMP(id=777, seq=1))
        / b"ping",
    }[l4]
    original = ip(src=client, dst=server) / payload()
    # The connection, SNATed to the router's address (and port / echo id 5555).
    ct = Conntrack()
    flow, _ = parse(bytes(Ether() / original))
    ct.nat(1, flow, 0.0, "snat", NatTarget(_ip(router), port_lo=5555, port_hi=5555))
    assert flow["ip6.src" if v6 else "ip4.src"] == _ip(router)
    translated = ip(src=router, dst=server) / payload()
    if l4 == "echo":
        translated[ICMPv6EchoRequest if v6 else ICMP].id = 5555
    else:
        translated[UDP if l4 == "udp" else TCP].sport = 5555
    # The server's error about the translated packet comes back through the SNAT zone.
    frame = _error(translated, v6)
    eflow, epkt = parse(frame)
    assert is_icmp_error(eflow)
    quote = quoted(epkt)
    assert quote is not None
    inner = dict(quote.flow)
    key = "ip6.src" if v6 else "ip4.src"
    assert inner[key] == _ip(router)
    if l4 == "echo":
        assert inner[ICMP_ID] == 5555
    ct.lookup(1, eflow, 1.0, nat=True, inner=inner)
    assert eflow["ct_state"] & (CS_TRK | CS_REL) == CS_TRK | CS_REL, eflow["ct_state"]
    assert eflow["ip6.dst" if v6 else "ip4.dst"] == _ip(client)  # outer un-SNAT
    assert inner[key] == _ip(client)
    out = requote(epkt, quote, inner)
    assert out is not None
    # The outer header is serialize's job: compare with the error quoting the original.
    assert out == _error(original, v6)


def test_not_an_error_quotes_nothing_and_an_unchanged_quote_is_left() -> None:
    flow, pkt = parse(bytes(E / IP(src=CLIENT, dst=SERVER) / ICMP(type=8, id=1)))
    assert not is_icmp_error(flow) and quoted(pkt) is None
    flow, pkt = parse(bytes(E / IP(src=CLIENT, dst=SERVER) / UDP(sport=1, dport=2)))
    assert not is_icmp_error(flow) and quoted(pkt) is None
    frame = _error(IP(src=ROUTER, dst=SERVER) / UDP(sport=5, dport=9))
    flow, pkt = parse(frame)
    quote = quoted(pkt)
    assert quote is not None
    assert quote.flow == {"eth.type": 0x0800, "ip.proto": 17, "ip4.src": _ip(ROUTER),
                          "ip4.dst": _ip(SERVER), "udp.src": 5, "udp.dst": 9}
    assert requote(pkt, quote, dict(quote.flow)) is None


def test_a_truncated_quote_without_a_whole_ip_header_is_none() -> None:
    full = _error(IP(src=ROUTER, dst=SERVER) / UDP(sport=5, dport=9))
    cut = full[: 14 + 20 + 8 + 12]  # 12 bytes of the quoted IP header
    p = Ether(cut)
    p[IP].len = len(cut) - 14
    p[IP].chksum = None
    _, pkt = parse(bytes(p))
    assert quoted(pkt) is None


def test_an_error_quoting_nothing_known_is_invalid() -> None:
    ct = Conntrack()
    eflow, epkt = parse(_error(IP(src=ROUTER, dst=SERVER) / UDP(sport=5, dport=9)))
    quote = quoted(epkt)
    assert quote is not None
    ct.lookup(1, eflow, 0.0, nat=True, inner=dict(quote.flow))
    assert not eflow["ct_state"] & CS_REL
