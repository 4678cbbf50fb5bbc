"""pyovn.datapath.conntrack_frag: fragments put back together for conntrack and cut again on
the way out, checked against scapy's fragmentation (IPv4 ``fragment``, IPv6 ``fragment6``)."""

from __future__ import annotations

import random

import pytest

scapy_all = pytest.importorskip("scapy.all")

from scapy.layers.inet import IP, UDP, fragment  # noqa: E402
from scapy.layers.inet6 import IPv6, IPv6ExtHdrFragment, fragment6  # noqa: E402
from scapy.layers.l2 import Dot1Q, Ether  # noqa: E402

from pyovn.datapath import conntrack_frag  # noqa: E402
from pyovn.datapath.conntrack_frag import Reassembler  # noqa: E402
from pyovn.datapath.packet import parse  # noqa: E402

ETH = Ether(src="50:54:00:00:00:01", dst="50:54:00:00:00:02")


def _whole4(n: int = 4000, vlan: bool = False) -> bytes:
    l2 = ETH / Dot1Q(vlan=7) if vlan else ETH
    return bytes(l2 / IP(src="10.0.0.1", dst="10.0.0.2", id=4242) / UDP(sport=5, dport=7000)
                 / (b"x" * n))


def _feed(r: Reassembler, frames: list[bytes], now: float = 0.0
          ) -> tuple[bytes, int, int] | None:
    out = None
    for f in frames:
        flow, pkt = parse(f)
        assert flow["ip.frag"] in (1, 3)
        got = r.add("p1", pkt, now)
        assert out is None, "whole before the last fragment"
        out = got
    return out


@pytest.mark.parametrize("vlan", [False, True])
def test_ipv4_fragments_in_any_order_give_the_datagram_back(vlan: bool) -> None:
    whole = _whole4(vlan=vlan)
    l2 = ETH / Dot1Q(vlan=7) if vlan else ETH
    pieces = [bytes(l2 / f) for f in fragment(Ether(whole)[IP], fragsize=1480)]
    random.Random(3).shuffle(pieces)
    r = Reassembler()
    got = _feed(r, pieces)
    assert got is not None
    frame, largest, ident6 = got
    assert frame == whole and ident6 == -1
    assert largest == max(len(p) for p in pieces)
    assert len(r) == 0 and r.stats["reassembled"] == 1
    # And cut again: fragments no larger than the largest that came, the same datagram.
    again = conntrack_frag.fragment(frame, largest)
    assert len(again) == len(pieces) and all(len(p) <= largest for p in again)
    for p in again:
        ip = Ether(p)[IP]
        ck = ip.chksum
        del ip.chksum
        assert IP(bytes(ip)).chksum == ck
        assert ip.id == 4242
    assert _feed(Reassembler(), again) == (whole, largest, -1)


def test_ipv6_fragments_give_the_datagram_back_and_are_cut_with_their_identification() -> None:
    pkt = (IPv6(src="fd00::1", dst="fd00::2") / IPv6ExtHdrFragment(id=0xABCDE)
           / UDP(sport=5, dport=7000) / (b"y" * 5000))
    pieces = [bytes(ETH / f) for f in fragment6(pkt, 1400)]
    whole = bytes(ETH / IPv6(src="fd00::1", dst="fd00::2") / UDP(sport=5, dport=7000)
                  / (b"y" * 5000))
    r = Reassembler()
    got = _feed(r, list(reversed(pieces)))
    assert got is not None
    frame, largest, ident6 = got
    assert frame == whole and ident6 == 0xABCDE and largest == max(map(len, pieces))
    again = conntrack_frag.fragment(frame, largest, ident6)
    assert [len(p) for p in again] == [len(p) for p in pieces]
    assert again == pieces  # byte for byte what scapy cuts
    assert _feed(Reassembler(), again) == (whole, largest, ident6)


def test_incomplete_datagrams_expire_and_the_pending_count_is_bounded() -> None:
    pieces = [bytes(ETH / f) for f in fragment(Ether(_whole4())[IP], fragsize=1480)]
    r = Reassembler(timeout=15.0, max_pending=2)
    assert _feed(r, pieces[:-1], now=0.0) is None
    assert len(r) == 1
    assert r.expire(14.0) == 0 and r.expire(15.0) == 1 and len(r) == 0
    assert _feed(r, pieces[-1:], now=16.0) is None  # its first fragments are gone
    for ident in range(3):
        other = Ether(_whole4())
        other[IP].id = ident
        frags = [bytes(ETH / f) for f in fragment(other[IP], fragsize=1480)]
        _feed(r, frags[:1], now=16.0)
    assert len(r) == 2  # the oldest made room


def test_frames_that_fit_or_forbid_fragmentation_are_left_whole() -> None:
    whole = _whole4(1000)
    assert conntrack_frag.fragment(whole, 1514) == [whole]
    df = Ether(_whole4())
    df[IP].flags = "DF"
    df[IP].chksum = None
    frame = bytes(df)
    assert conntrack_frag.fragment(frame, 1514) == [frame]
