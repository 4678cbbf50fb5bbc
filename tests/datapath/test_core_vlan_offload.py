"""A VLAN tag pushed or popped by the datapath (tagged localnet ports) moves the L3 header: the
offload header that travels with a partially-checksummed or GSO frame must move with it
(pyovn.datapath.core.out_hdr), or the kernel finishes the checksum at the wrong place.
Checked with scapy's checksums on the segments the kernel's GSO would send."""

from __future__ import annotations

import pytest

scapy_all = pytest.importorskip("scapy.all")

from scapy.layers.inet import IP, TCP  # noqa: E402
from scapy.layers.l2 import Dot1Q, Ether  # noqa: E402

from pyovn.datapath.core import out_hdr  # noqa: E402
from pyovn.datapath.io_vnet import (  # noqa: E402
    F_NEEDS_CSUM,
    GSO_TCPV4,
    VnetHdr,
    complete_csum,
    segment,
)
from pyovn.datapath.packet import parse, serialize  # noqa: E402


def _partial(tagged: bool, payload: int) -> tuple[bytes, VnetHdr]:
    """A TCP super-frame as a TAP hands it over: checksum field = pseudo-header sum."""
    l2 = Ether(src="50:54:00:00:00:0a", dst="00:00:00:00:ff:01")
    if tagged:
        l2 = l2 / Dot1Q(vlan=100)
    p = l2 / IP(src="10.0.0.11", dst="172.24.4.50") / TCP(sport=1234, dport=80, flags="PA",
                                                          seq=1000) / (b"q" * payload)
    frame = bytearray(bytes(p))
    l3 = 18 if tagged else 14
    l4 = l3 + 20
    tot = len(frame) - l3
    s = 0x0A00000B + 0xAC180432 + 6 + (tot - 20)
    s = (s & 0xFFFF) + (s >> 16) + ((s >> 32) if s >> 32 else 0)
    s = ((s >> 16) + (s & 0xFFFF)) & 0xFFFF
    frame[l4 + 16 : l4 + 18] = s.to_bytes(2, "big")
    gso = payload > 1448
    hdr = VnetHdr(F_NEEDS_CSUM, GSO_TCPV4 if gso else 0, l4 + 20 if gso else 0,
                  1448 if gso else 0, l4, 16)
    return bytes(frame), hdr


def _segments_valid(frames: list[bytes]) -> bool:
    for f in frames:
        p = Ether(f)
        ck = p[TCP].chksum
        del p[TCP].chksum
        if Ether(bytes(p))[TCP].chksum != ck:
            return False
    return True


@pytest.mark.parametrize("payload", [500, 5000], ids=["csum", "gso"])
@pytest.mark.parametrize("push", [True, False], ids=["push", "pop"])
def test_the_offload_header_moves_with_a_pushed_or_popped_tag(push: bool, payload: int) -> None:
    frame, hdr = _partial(tagged=not push, payload=payload)
    flow, pkt = parse(frame, csum_partial=True)
    flow["vlan.tci"] = 0x1000 | 100 if push else 0
    out = serialize(flow, pkt)
    assert len(out) == len(frame) + (4 if push else -4)
    moved = out_hdr(hdr, pkt, out)
    assert moved is not None and moved.csum_start == hdr.csum_start + (4 if push else -4)
    assert _segments_valid(segment(out, moved))
    # The header left as it was: the kernel (as complete_csum) sums from the wrong offset.
    assert not _segments_valid([complete_csum(out, hdr._replace(gso_type=0))])


def test_an_unchanged_length_keeps_the_header() -> None:
    frame, hdr = _partial(tagged=False, payload=100)
    flow, pkt = parse(frame, csum_partial=True)
    flow["eth.src"] = 0x505400000099
    out = serialize(flow, pkt)
    assert out_hdr(hdr, pkt, out) is hdr
    assert out_hdr(None, pkt, out) is None
