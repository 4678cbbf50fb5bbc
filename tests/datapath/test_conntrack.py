"""Conntrack: ct_state and the fields it sets, UDP/ICMP/other protocols, commit with marks and
labels, zones, expiry on a fake clock, limits, flush, dump."""

from __future__ import annotations

from ipaddress import ip_address

import pytest

from pyovn.datapath.conntrack import (
    CS_EST,
    CS_INV,
    CS_NEW,
    CS_RPL,
    CS_TRK,
    CT_CONN,
    CT_IP6_DST,
    CT_IP6_SRC,
    CT_NW_DST,
    CT_NW_PROTO,
    CT_NW_SRC,
    CT_TP_DST,
    CT_TP_SRC,
    ICMP_ID,
    Conntrack,
)
from pyovn.logical.flow import Flow


def ip(s: str) -> int:
    return int(ip_address(s))


A, B, C = ip("10.0.0.1"), ip("10.0.0.2"), ip("10.0.0.3")
A6, B6 = ip("fd00::1"), ip("fd00::2")
NEW, EST, RPL = CS_TRK | CS_NEW, CS_TRK | CS_EST, CS_TRK | CS_EST | CS_RPL
INV = CS_TRK | CS_INV


def udp(src: int, dst: int, sp: int = 5000, dp: int = 53) -> Flow:
    return {"eth.type": 0x800, "ip.proto": 17, "ip4.src": src, "ip4.dst": dst,
            "udp.src": sp, "udp.dst": dp}


def tcp(src: int, dst: int, sp: int = 1000, dp: int = 80, flags: int = 0x02) -> Flow:
    return {"eth.type": 0x800, "ip.proto": 6, "ip4.src": src, "ip4.dst": dst,
            "tcp.src": sp, "tcp.dst": dp, "tcp.flags": flags}


def icmp(src: int, dst: int, typ: int = 8, ident: int = 7) -> Flow:
    return {"eth.type": 0x800, "ip.proto": 1, "ip4.src": src, "ip4.dst": dst,
            "icmp4.type": typ, "icmp4.code": 0, ICMP_ID: ident}


def icmp6(src: int, dst: int, typ: int = 128, ident: int = 7) -> Flow:
    return {"eth.type": 0x86DD, "ip.proto": 58, "ip6.src": src, "ip6.dst": dst,
            "icmp6.type": typ, "icmp6.code": 0, ICMP_ID: ident}


def track(ct: Conntrack, zone: int, f: Flow, now: float = 0.0, commit: bool = True) -> int:
    ct.lookup(zone, f, now)
    if commit and f["ct_state"] & CS_NEW:
        ct.commit(zone, f, now)
    return int(f["ct_state"])


# --- ct_state and fields --------------------------------------------------------------------

def test_udp_new_until_reply_then_established() -> None:
    ct = Conntrack()
    assert track(ct, 1, udp(A, B)) == NEW
    assert track(ct, 1, udp(A, B), 1) == NEW  # no reply yet
    assert track(ct, 1, udp(B, A, 53, 5000), 2) == RPL
    assert track(ct, 1, udp(A, B), 3) == EST
    assert [e.state for e in ct.entries()] == ["MULTIPLE"]


def test_uncommitted_connection_is_new_every_time() -> None:
    ct = Conntrack()
    assert track(ct, 1, udp(A, B), commit=False) == NEW
    assert track(ct, 1, udp(B, A, 53, 5000), commit=False) == NEW
    assert len(ct) == 0


def test_fields_of_a_tracked_packet() -> None:
    ct = Conntrack()
    f = tcp(A, B)
    ct.lookup(3, f, 0)
    assert f["ct_state"] == NEW and f["ct_zone"] == 3
    assert (f["ct_mark"], f["ct_label"]) == (0, 0)
    # Uncommitted: the original tuple is the packet's own.
    assert (f[CT_NW_SRC], f[CT_NW_DST], f[CT_NW_PROTO], f[CT_TP_SRC], f[CT_TP_DST]) == (
        A, B, 6, 1000, 80)
    assert ct.commit(3, f, 0, mark=0x5, label=1 << 100)
    r = tcp(B, A, 80, 1000, 0x12)
    ct.lookup(3, r, 1)
    assert r["ct_state"] == RPL
    assert (r["ct_mark"], r["ct_label"]) == (0x5, 1 << 100)
    # A reply carries the original direction's tuple.
    assert (r[CT_NW_SRC], r[CT_NW_DST], r[CT_TP_SRC], r[CT_TP_DST]) == (A, B, 1000, 80)


def test_ipv6_original_tuple_keys() -> None:
    ct = Conntrack()
    f = icmp6(A6, B6)
    ct.lookup(1, f, 0)
    assert f["ct_state"] == NEW
    assert (f[CT_IP6_SRC], f[CT_IP6_DST], f[CT_NW_PROTO], f[CT_TP_SRC], f[CT_TP_DST]) == (
        A6, B6, 58, 128, 0)
    assert CT_NW_SRC not in f


def test_masked_mark_and_label_writes() -> None:
    ct = Conntrack()
    f = udp(A, B)
    ct.commit(1, f, 0, mark=0xFF00, label=0xF0F0)
    # ct_mark.blocked = 1 (bit 0) leaves the rest; ct_label.label (bits 96..127) likewise.
    g = udp(A, B)
    ct.commit(1, g, 1, mark=1, mark_mask=1, label=0xABCD << 96, label_mask=0xFFFFFFFF << 96)
    assert g["ct_mark"] == 0xFF01
    assert g["ct_label"] == (0xABCD << 96) | 0xF0F0
    h = udp(A, B)
    ct.commit(1, h, 2, mark=0, mark_mask=0x100)
    assert h["ct_mark"] == 0xFE01
    e = ct.entries()[0]
    assert (e.mark, e.label) == (0xFE01, (0xABCD << 96) | 0xF0F0)


def test_commit_of_an_established_packet_keeps_the_entry() -> None:
    ct = Conntrack()
    track(ct, 1, udp(A, B))
    track(ct, 1, udp(B, A, 53, 5000))
    f = udp(A, B)
    assert ct.commit(1, f, 1, mark=2)
    assert f["ct_state"] == EST and f["ct_mark"] == 2 and len(ct) == 1


def test_non_ip_and_later_fragments_are_invalid() -> None:
    ct = Conntrack()
    arp: Flow = {"eth.type": 0x806, "arp.op": 1}
    ct.lookup(1, arp, 0)
    assert arp["ct_state"] == INV
    frag = udp(A, B)
    frag["ip.frag"] = 3
    ct.lookup(1, frag, 0)
    assert frag["ct_state"] == INV
    first = udp(A, B)
    first["ip.frag"] = 1  # the first fragment carries the ports: tracked
    assert track(ct, 1, first) == NEW
    assert not ct.commit(1, arp, 0) and len(ct) == 1


def test_missing_keys_read_as_zero() -> None:
    ct = Conntrack()
    f: Flow = {"eth.type": 0x800, "ip.proto": 17, "ip4.src": A, "ip4.dst": B}
    assert track(ct, 1, f) == NEW
    assert ct.entries()[0].orig == (A, B, 0, 0)


def test_clear() -> None:
    ct = Conntrack()
    f = udp(A, B)
    track(ct, 1, f)
    ct.clear(f)
    assert not any(k.startswith("ct_") or k.startswith("__ct") for k in f)
    assert f["udp.src"] == 5000


# --- ICMP and other protocols ---------------------------------------------------------------

def test_icmp_echo_by_identifier() -> None:
    ct = Conntrack()
    assert track(ct, 1, icmp(A, B, 8, 7)) == NEW
    assert track(ct, 1, icmp(B, A, 0, 7), 1) == RPL
    assert track(ct, 1, icmp(B, A, 0, 8), 1) == INV  # a reply to nothing
    assert track(ct, 1, icmp(B, A, 8, 7), 1) == NEW  # B pings A: another connection
    assert len(ct) == 2
    assert track(ct, 1, icmp(A, B, 3), 1) == INV  # an error without the quoted packet
    assert track(ct, 1, icmp(A, B, 9), 1) == INV  # router advertisement: not tracked


def test_icmpv6_echo() -> None:
    ct = Conntrack()
    assert track(ct, 1, icmp6(A6, B6)) == NEW
    assert track(ct, 1, icmp6(B6, A6, 129), 1) == RPL
    assert track(ct, 1, icmp6(A6, B6, 135), 1) == INV  # ND is not tracked
    assert [e.state for e in ct.entries()] == ["REPLY"]


def test_other_protocols_by_address() -> None:
    ct = Conntrack()
    gre: Flow = {"eth.type": 0x800, "ip.proto": 47, "ip4.src": A, "ip4.dst": B}
    assert track(ct, 1, dict(gre)) == NEW
    assert track(ct, 1, dict(gre, **{"ip4.src": B, "ip4.dst": A}), 1) == RPL
    assert ct.entries()[0].state == "BIDIR"


def test_sctp_by_ports() -> None:
    ct = Conntrack()
    s: Flow = {"eth.type": 0x800, "ip.proto": 132, "ip4.src": A, "ip4.dst": B,
               "sctp.src": 1, "sctp.dst": 2}
    assert track(ct, 1, dict(s)) == NEW
    assert track(ct, 1, dict(s, **{"sctp.src": 3}), 1) == NEW
    assert len(ct) == 2


def test_families_do_not_meet() -> None:
    ct = Conntrack()
    track(ct, 1, udp(1, 2))
    v6: Flow = {"eth.type": 0x86DD, "ip.proto": 17, "ip6.src": 2, "ip6.dst": 1,
                "udp.src": 53, "udp.dst": 5000}
    assert track(ct, 1, v6, commit=False) == NEW


# --- zones ----------------------------------------------------------------------------------

def test_zones_are_isolated() -> None:
    ct = Conntrack()
    track(ct, 1, udp(A, B))
    assert track(ct, 2, udp(B, A, 53, 5000), commit=False) == NEW
    assert track(ct, 1, udp(B, A, 53, 5000)) == RPL
    track(ct, 2, udp(A, B), 1)
    assert len(ct) == 2
    assert ct.flush(1) == 1
    assert [e.zone for e in ct.entries()] == [2]
    assert ct.flush() == 1 and len(ct) == 0


def test_zone_limit() -> None:
    ct = Conntrack(default_limit=2)
    ct.set_zone_limit(5, 1)
    for i in range(3):
        track(ct, 1, udp(A, B, 5000 + i))
        track(ct, 5, udp(A, B, 5000 + i))
    assert ct.get_limits() == {1: (2, 2), 5: (1, 1)}
    f = udp(A, B, 6000)
    assert not ct.commit(5, f, 0)
    assert f["ct_state"] == NEW
    assert ct.stats["zone_full"] >= 1
    ct.set_zone_limit(5, 0)  # unlimited
    assert ct.commit(5, f, 0)


def test_cached_connection_found_again_after_nat_in_the_same_zone() -> None:
    """ct_lb DNATs; ct_commit later in the same zone must find that connection (OVS keeps it
    with the packet), though the packet's tuple is now the translated one."""
    ct = Conntrack()
    f = tcp(A, C, dp=80)
    ct.lb(4, f, 0, [(B, 8080)])
    assert f["ip4.dst"] == B and f[CT_CONN]
    assert ct.commit(4, f, 0, mark=0x10, mark_mask=0x10)
    assert len(ct) == 1 and ct.entries()[0].mark == 0x12
    g = dict(f)
    ct.clear(g)  # without the cached connection the translated tuple is unknown
    ct.lookup(4, g, 0)
    assert g["ct_state"] == NEW
    h = tcp(A, C, sp=1001, dp=80)  # a stale reference to another connection is ignored
    h[CT_CONN] = f[CT_CONN]
    ct.lookup(4, h, 0)
    assert h["ct_state"] == NEW


# --- expiry ---------------------------------------------------------------------------------

def test_udp_timeouts_by_state() -> None:
    ct = Conntrack()
    track(ct, 1, udp(A, B), 0)
    assert ct.entries()[0].expires == 60  # udp_first
    assert ct.expire(59.9) == 0
    track(ct, 1, udp(B, A, 53, 5000), 50)
    assert ct.entries()[0].expires == 80  # udp_multiple
    assert ct.expire(79) == 0 and ct.expire(80) == 1
    assert track(ct, 1, udp(B, A, 53, 5000), 81, commit=False) == NEW


def test_tcp_timeouts_follow_state() -> None:
    ct = Conntrack()
    track(ct, 1, tcp(A, B, flags=0x02), 0)
    assert ct.entries()[0].expires == 30
    track(ct, 1, tcp(B, A, 80, 1000, 0x12), 1)
    track(ct, 1, tcp(A, B, flags=0x10), 2)
    assert ct.entries()[0].expires == 2 + 24 * 3600
    track(ct, 1, tcp(A, B, flags=0x04), 3)
    assert ct.entries()[0].expires == 33  # tcp_close


def test_lazy_expiry_on_lookup() -> None:
    ct = Conntrack()
    track(ct, 1, icmp(A, B), 0)
    assert track(ct, 1, icmp(B, A, 0), 60, commit=False) == INV  # expired at 60
    assert len(ct) == 0


def test_expire_costs_only_expired_and_keeps_order() -> None:
    ct = Conntrack()
    for i in range(100):
        track(ct, 1, udp(A, B, 1000 + i), float(i))
    # Refresh the oldest: it moves behind the others in its queue.
    track(ct, 1, udp(A, B, 1000), 50.0)
    assert ct.expire(60 + 10.5) == 10  # ports 1001..1010 (created at 1..10)
    ports = sorted(e.orig[2] for e in ct.entries())
    assert ports[0] == 1000 and ports[1] == 1011


def test_configurable_timeouts() -> None:
    ct = Conntrack({"udp_first": 5})
    track(ct, 1, udp(A, B), 0)
    track(ct, 2, udp(A, B), 0)
    ct.set_zone_timeouts(2, {"udp_first": 100})
    assert {e.zone: e.expires for e in ct.entries()} == {1: 5, 2: 100}
    ct.set_timeouts({"udp_first": 7})
    assert {e.zone: e.expires for e in ct.entries()} == {1: 7, 2: 100}
    assert ct.expire(8) == 1
    ct.set_zone_timeouts(2, None)
    assert ct.expire(8) == 1
    with pytest.raises(ValueError):
        ct.set_zone_timeouts(3, {"udp_forever": 1})


# --- dump -----------------------------------------------------------------------------------

def test_dump_like_dpctl() -> None:
    ct = Conntrack()
    track(ct, 5, tcp(A, B), 0)
    f = icmp(A, B)
    track(ct, 0, f, 0)
    ct.commit(0, f, 0, mark=3, label=0x10)
    assert ct.dump(now=10) == (
        "icmp,orig=(src=10.0.0.1,dst=10.0.0.2,id=7,type=8,code=0),"
        "reply=(src=10.0.0.2,dst=10.0.0.1,id=7,type=0,code=0),mark=3,labels=0x10,timeout=50\n"
        "tcp,orig=(src=10.0.0.1,dst=10.0.0.2,sport=1000,dport=80),"
        "reply=(src=10.0.0.2,dst=10.0.0.1,sport=80,dport=1000),zone=5,timeout=20,"
        "protoinfo=(state=SYN_SENT)\n"
    )
    ct6 = Conntrack()
    track(ct6, 1, icmp6(A6, B6))
    assert ct6.dump(1) == ("icmpv6,orig=(src=fd00::1,dst=fd00::2,id=7,type=128,code=0),"
                           "reply=(src=fd00::2,dst=fd00::1,id=7,type=129,code=0),zone=1\n")
