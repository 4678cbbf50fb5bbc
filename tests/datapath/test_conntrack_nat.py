"""Conntrack NAT: SNAT port allocation, DNAT and un-NAT of replies, SNAT and DNAT zones of a
router, hairpin, load balancing, ICMP errors related to (NATed) connections."""

from __future__ import annotations

from collections import Counter

from test_conntrack import EST, INV, NEW, RPL, A, B, C, icmp, ip, tcp, udp  # same directory

from pyovn.datapath.conntrack import (
    CS_DNAT,
    CS_REL,
    CS_RPL,
    CS_SNAT,
    CS_TRK,
    CT_NW_DST,
    CT_TP_DST,
    ICMP_ID,
    Conntrack,
    NatTarget,
    lb_mark_bits,
)
from pyovn.logical.flow import Flow

E = ip("8.8.8.8")  # outside
S = ip("172.16.0.1")  # router's external address
VIP = ip("30.0.0.1")


def udp_tuple(f: Flow) -> tuple[int | str, ...]:
    return (f["ip4.src"], f["ip4.dst"], f["udp.src"], f["udp.dst"])


def tcp_tuple(f: Flow) -> tuple[int | str, ...]:
    return (f["ip4.src"], f["ip4.dst"], f["tcp.src"], f["tcp.dst"])


def reply_of(f: Flow) -> Flow:
    """The reply to a (translated) UDP packet."""
    return udp(int(f["ip4.dst"]), int(f["ip4.src"]), int(f["udp.dst"]), int(f["udp.src"]))


# --- SNAT -----------------------------------------------------------------------------------

def test_snat_keeps_the_port_when_free_and_un_nats_replies() -> None:
    ct = Conntrack()
    f = udp(A, E)
    assert ct.nat(9, f, 0, "snat", NatTarget(S))
    assert udp_tuple(f) == (S, E, 5000, 53)
    assert f["ct_state"] == NEW | CS_SNAT
    r = udp(E, S, 53, 5000)
    ct.lookup(9, r, 1, nat=True)
    assert udp_tuple(r) == (E, A, 53, 5000)
    assert r["ct_state"] == RPL | CS_DNAT  # un-SNAT rewrote the destination
    g = udp(A, E)
    ct.nat(9, g, 2, "snat", NatTarget(ip("172.16.0.99")))  # known: as set up, not the new IP
    assert udp_tuple(g) == (S, E, 5000, 53) and g["ct_state"] == EST | CS_SNAT


def test_snat_port_collisions_get_distinct_ports() -> None:
    ct = Conntrack()
    hosts = [ip(f"10.0.1.{i}") for i in range(1, 51)]
    out = []
    for h in hosts:
        f = udp(h, E)  # all from port 5000 to the same server
        assert ct.nat(9, f, 0, "snat", NatTarget(S))
        assert f["ip4.src"] == S
        out.append(f["udp.src"])
    assert out[0] == 5000
    assert len(set(out)) == 50
    assert all(1024 <= p <= 65535 for p in out)
    # Each reply goes back to its own host and port.
    for h, p in zip(hosts, out):
        r = udp(E, S, 53, int(p))
        ct.lookup(9, r, 1, nat=True)
        assert udp_tuple(r) == (E, h, 53, 5000)


def test_snat_port_range_and_exhaustion() -> None:
    ct = Conntrack()
    target = NatTarget(S, port_lo=2000, port_hi=2001)
    ports = []
    for i in range(2):
        f = udp(A, E, 40000 + i)
        assert ct.nat(9, f, 0, "snat", target)
        ports.append(f["udp.src"])
    assert sorted(ports) == [2000, 2001]
    f = udp(A, E, 40002)
    assert not ct.nat(9, f, 0, "snat", target)
    assert f["ct_state"] == INV and f["udp.src"] == 40002
    assert ct.stats["nat_exhausted"] == 1 and len(ct) == 2
    # A free port again once a connection expired.
    assert ct.nat(9, udp(A, E, 40002), 61, "snat", target)


def test_snat_address_range() -> None:
    ct = Conntrack()
    lo, hi = ip("172.16.0.10"), ip("172.16.0.13")
    seen = set()
    for i in range(40):
        f = udp(ip("10.0.2.0") + i, E)
        ct.nat(9, f, 0, "snat", NatTarget(lo, hi))
        assert lo <= int(f["ip4.src"]) <= hi
        seen.add(f["ip4.src"])
    assert len(seen) > 1


def test_snat_to_zero_address_changes_only_colliding_ports() -> None:
    """nat(src=0.0.0.0): keep the address, change the port only if the reply would collide."""
    ct = Conntrack()
    f = udp(A, E, 6000)
    ct.nat(9, f, 0, "snat", NatTarget(0))
    assert udp_tuple(f) == (A, E, 6000, 53) and f["ct_state"] == NEW
    g = udp(C, E)
    ct.nat(9, g, 0, "snat", NatTarget(A))  # C:5000 appears as A:5000
    assert udp_tuple(g) == (A, E, 5000, 53)
    h = udp(A, E)  # A's own 5000 would get the same replies
    ct.nat(9, h, 0, "snat", NatTarget(0))
    assert h["ip4.src"] == A and h["udp.src"] != 5000
    assert h["ct_state"] == NEW | CS_SNAT


def test_icmp_echo_snat_rewrites_identifier_on_collision() -> None:
    ct = Conntrack()
    f1, f2 = icmp(A, E, ident=7), icmp(C, E, ident=7)
    ct.nat(9, f1, 0, "snat", NatTarget(S))
    ct.nat(9, f2, 0, "snat", NatTarget(S))
    assert f1[ICMP_ID] == 7 and f2[ICMP_ID] != 7
    r = icmp(E, S, 0, int(f2[ICMP_ID]))
    ct.lookup(9, r, 1, nat=True)
    assert (r["ip4.dst"], r[ICMP_ID]) == (C, 7)


# --- DNAT -----------------------------------------------------------------------------------

def test_dnat_and_reply_un_dnat() -> None:
    ct = Conntrack()
    f = tcp(C, VIP)
    assert ct.nat(3, f, 0, "dnat", NatTarget(B, port_lo=8080))
    assert tcp_tuple(f) == (C, B, 1000, 8080) and f["ct_state"] == NEW | CS_DNAT
    assert (f[CT_NW_DST], f[CT_TP_DST]) == (VIP, 80)  # the original destination
    r = tcp(B, C, 8080, 1000, 0x12)
    ct.lookup(3, r, 1, nat=True)
    assert tcp_tuple(r) == (VIP, C, 80, 1000) and r["ct_state"] == RPL | CS_SNAT
    # ct_next (no nat): tracked, not translated, no NAT bits.
    g = tcp(C, VIP, flags=0x10)
    ct.lookup(3, g, 2)
    assert tcp_tuple(g) == (C, VIP, 1000, 80) and g["ct_state"] == EST
    ct.lookup(3, g, 2, nat=True)
    assert tcp_tuple(g) == (C, B, 1000, 8080) and g["ct_state"] == EST | CS_DNAT


def test_dnat_without_port_keeps_it_and_ipv6() -> None:
    ct = Conntrack()
    v6vip, v6b = ip("fd00::100"), ip("fd00::2")
    f: Flow = {"eth.type": 0x86DD, "ip.proto": 17, "ip6.src": ip("fd00::9"), "ip6.dst": v6vip,
               "udp.src": 7, "udp.dst": 53}
    ct.nat(3, f, 0, "dnat", NatTarget(v6b))
    assert (f["ip6.dst"], f["udp.dst"]) == (v6b, 53)
    r: Flow = {"eth.type": 0x86DD, "ip.proto": 17, "ip6.src": v6b, "ip6.dst": ip("fd00::9"),
               "udp.src": 53, "udp.dst": 7}
    ct.lookup(3, r, 0, nat=True)
    assert r["ip6.src"] == v6vip


def test_dnat_reply_collision_is_invalid() -> None:
    ct = Conntrack()
    assert ct.nat(3, tcp(C, VIP), 0, "dnat", NatTarget(B))
    f = tcp(C, ip("30.0.0.2"))  # another VIP, same backend, same client port
    assert not ct.nat(3, f, 0, "dnat", NatTarget(B))
    assert f["ct_state"] == INV


def test_nat_without_target_or_commit() -> None:
    ct = Conntrack()
    f = udp(A, E)
    assert not ct.nat(9, f, 0, "snat", NatTarget(S), commit=False)
    assert udp_tuple(f) == (A, E, 5000, 53) and f["ct_state"] == NEW and len(ct) == 0
    # ct_commit_nat on a new connection: committed, nothing to translate.
    assert ct.commit(9, f, 0, nat=True)
    assert f["ct_state"] == NEW and len(ct) == 1
    g = udp(A, E)
    ct.nat(9, g, 0, "snat")  # ct_snat; : bare nat on a plain connection
    assert udp_tuple(g) == (A, E, 5000, 53) and g["ct_state"] == NEW


# --- router zones, hairpin ------------------------------------------------------------------

DNAT_ZONE, SNAT_ZONE = 11, 12


def test_dnat_zone_then_snat_zone() -> None:
    """A load balancer with force_snat: DNAT in the DNAT zone, SNAT in the SNAT zone; the
    reply is un-SNATed then un-DNATed."""
    ct = Conntrack()
    f = udp(C, VIP, 4000, 80)
    ct.lb(DNAT_ZONE, f, 0, [(B, 8080)], ct_flag="force_snat")
    assert udp_tuple(f) == (C, B, 4000, 8080)
    assert f["ct_mark"] == 0x2 | 0x8
    ct.clear(f)
    ct.nat(SNAT_ZONE, f, 0, "snat", NatTarget(S))
    assert udp_tuple(f) == (S, B, 4000, 8080)
    r = reply_of(f)
    ct.lookup(SNAT_ZONE, r, 1, nat=True)
    assert udp_tuple(r) == (B, C, 8080, 4000)
    ct.clear(r)
    ct.lookup(DNAT_ZONE, r, 1, nat=True)
    assert udp_tuple(r) == (VIP, C, 80, 4000)
    assert r["ct_state"] == RPL | CS_SNAT and r["ct_mark"] == 0xA


def test_floating_ip_both_ways() -> None:
    """dnat_and_snat: inbound to the FIP is DNATed, outbound from the VM SNATed; distinct
    connections in distinct zones."""
    ct = Conntrack()
    fip = S
    i = udp(E, fip, 53, 6000)
    ct.nat(DNAT_ZONE, i, 0, "dnat", NatTarget(A))
    assert udp_tuple(i) == (E, A, 53, 6000)
    o = udp(A, E, 7000, 53)
    ct.nat(SNAT_ZONE, o, 0, "snat", NatTarget(fip))
    assert udp_tuple(o) == (fip, E, 7000, 53)
    back = udp(A, E, 6000, 53)  # the VM answers the inbound connection
    ct.lookup(DNAT_ZONE, back, 1, nat=True)
    assert udp_tuple(back) == (fip, E, 6000, 53)
    assert len(ct.entries(DNAT_ZONE)) == len(ct.entries(SNAT_ZONE)) == 1


def test_common_zone_dnat_then_snat_on_one_connection() -> None:
    ct = Conntrack()
    f = udp(E, VIP, 53, 6000)
    ct.nat(5, f, 0, "dnat", NatTarget(B))
    ct.nat(5, f, 0, "snat", NatTarget(S))  # same packet, same zone: both NATs on one entry
    assert udp_tuple(f) == (S, B, 53, 6000)
    assert f["ct_state"] == NEW | CS_SNAT | CS_DNAT
    assert len(ct) == 1
    r = reply_of(f)
    ct.lookup(5, r, 1, nat=True)
    assert udp_tuple(r) == (VIP, E, 6000, 53)
    assert r["ct_state"] == RPL | CS_SNAT | CS_DNAT
    # Answered: no more NAT kinds are added.
    g = udp(E, VIP, 53, 6000)
    ct.nat(5, g, 2, "dnat", NatTarget(C))
    assert udp_tuple(g) == (S, B, 53, 6000)


def test_hairpin_through_a_vip() -> None:
    """A backend reaching itself through the VIP: DNAT (ct_lb) in its port's zone, SNAT to
    the VIP (ct_snat_to_vip) in the SNAT zone; its reply is un-SNATed then un-DNATed."""
    ct = Conntrack()
    f = tcp(B, VIP, 33000, 80)
    ct.lb(1, f, 0, [(B, 8080)])
    assert tcp_tuple(f) == (B, B, 33000, 8080) and f["ct_state"] & CS_DNAT
    vip = int(f[CT_NW_DST])
    ct.clear(f)
    ct.nat(SNAT_ZONE, f, 0, "snat", NatTarget(vip))
    assert tcp_tuple(f) == (VIP, B, 33000, 8080)
    r = tcp(B, VIP, 8080, 33000, 0x12)  # B answers the VIP
    ct.lookup(SNAT_ZONE, r, 1, nat=True)
    assert tcp_tuple(r) == (B, B, 8080, 33000)
    ct.clear(r)
    ct.lookup(1, r, 1, nat=True)
    assert tcp_tuple(r) == (VIP, B, 80, 33000) and r["ct_state"] & CS_RPL


# --- load balancing -------------------------------------------------------------------------

BACKENDS = [(ip(f"10.0.3.{i}"), 8080) for i in range(1, 5)]


def test_lb_sticks_to_the_backend_of_a_connection() -> None:
    ct = Conntrack()
    f = tcp(C, VIP, 1234, 80)
    assert ct.lb(1, f, 0, BACKENDS)
    first = f["ip4.dst"]
    assert f["ct_state"] == NEW | CS_DNAT and f["ct_mark"] == 0x2
    r = tcp(int(first), C, 8080, 1234, 0x12)
    ct.lookup(1, r, 0, nat=True)
    assert r["ct_state"] == RPL | CS_SNAT and r["ip4.src"] == VIP
    for n in range(5):
        g = tcp(C, VIP, 1234, 80, 0x10)
        ct.lb(1, g, 1 + n, list(reversed(BACKENDS)))  # the backends' order does not matter
        assert g["ip4.dst"] == first and g["ct_state"] == EST | CS_DNAT
    # Without backends (ct_lb_mark;) a known connection is translated too.
    h = tcp(C, VIP, 1234, 80, 0x10)
    ct.lookup(1, h, 9, nat=True)
    assert (h["ip4.dst"], h["tcp.dst"]) == (first, 8080)
    h = tcp(C, VIP, 1234, 80, 0x10)
    ct.lb(1, h, 9, [])
    assert (h["ip4.dst"], h["tcp.dst"]) == (first, 8080) and h["ct_state"] == EST | CS_DNAT
    # A new connection from another port may land elsewhere; this one stays.
    assert len({ct.lb(1, tcp(C, VIP, p, 80), 10, BACKENDS) for p in range(2000, 2020)}) == 1
    assert len({e.reply[0] for e in ct.entries()}) > 1


def test_lb_distribution() -> None:
    ct = Conntrack()
    counts: Counter[int | str] = Counter()
    for port in range(1024, 1024 + 2000):
        f = tcp(C, VIP, port, 80)
        ct.lb(1, f, 0, BACKENDS)
        counts[f["ip4.dst"]] += 1
    assert len(counts) == 4
    assert all(350 <= n <= 650 for n in counts.values()), counts


def test_lb_hash_fields() -> None:
    ct = Conntrack()
    by_src: dict[int, set[int | str]] = {}
    for h in range(1, 41):
        src = ip(f"10.0.4.{h}")
        for port in (1000, 2000, 3000):
            f = tcp(src, VIP, port, 80)
            ct.lb(1, f, 0, BACKENDS, hash_fields="ip_src")
            by_src.setdefault(src, set()).add(f["ip4.dst"])
    assert all(len(s) == 1 for s in by_src.values())  # one backend per client
    assert len(set().union(*by_src.values())) > 1


def test_lb_marks_in_ct_label_and_flags() -> None:
    ct = Conntrack()
    f = tcp(C, VIP)
    ct.lb(1, f, 0, BACKENDS, use_mark=False, ct_flag="skip_snat")
    assert (f["ct_mark"], f["ct_label"]) == (0, 0x2 | 0x4)
    assert lb_mark_bits() == 0x2 and lb_mark_bits("force_snat") == 0xA


def test_lb_without_backends_of_the_family_or_port() -> None:
    ct = Conntrack()
    f = tcp(C, VIP)
    assert not ct.lb(1, f, 0, [])
    assert f["ct_state"] == NEW and len(ct) == 0
    g = icmp(C, VIP)
    ct.lb(1, g, 0, BACKENDS)  # a VIP without port: ICMP balanced by address only
    assert g["ip4.dst"] in {b for b, _ in BACKENDS} and g["icmp4.type"] == 8
    assert g[ICMP_ID] == 7


# --- related ICMP errors --------------------------------------------------------------------

def icmp_error(src: int, dst: int, quoted: Flow, typ: int = 3) -> tuple[Flow, Flow]:
    return {"eth.type": 0x800, "ip.proto": 1, "ip4.src": src, "ip4.dst": dst,
            "icmp4.type": typ, "icmp4.code": 3}, dict(quoted)


def test_icmp_error_is_related() -> None:
    ct = Conntrack()
    f = udp(A, B)
    ct.commit(1, f, 0, mark=4)
    # B answers A's datagram with port unreachable: it travels in the reply direction.
    err, inner = icmp_error(B, A, udp(A, B))
    ct.lookup(1, err, 1, inner=inner)
    assert err["ct_state"] == CS_TRK | CS_REL | CS_RPL and err["ct_mark"] == 4
    # A router near A about a reply datagram (B -> A): original direction.
    err, inner = icmp_error(C, B, udp(B, A, 53, 5000), typ=11)
    ct.lookup(1, err, 1, inner=inner)
    assert err["ct_state"] == CS_TRK | CS_REL
    # Quoting a connection conntrack does not know, or quoting nothing: invalid.
    err, inner = icmp_error(B, A, udp(A, B, 5001))
    ct.lookup(1, err, 1, inner=inner)
    assert err["ct_state"] == INV
    err, _ = icmp_error(B, A, udp(A, B))
    ct.lookup(1, err, 1)
    assert err["ct_state"] == INV
    # Related packets are never committed as connections of their own.
    err, inner = icmp_error(B, A, udp(A, B))
    assert not ct.commit(1, err, 1, inner=inner) and len(ct) == 1


def test_icmp_error_un_snat() -> None:
    ct = Conntrack()
    f = udp(C, E)
    ct.nat(9, udp(A, E), 0, "snat", NatTarget(S))
    ct.nat(9, f, 0, "snat", NatTarget(S))  # port 5000 taken: C gets another
    p = int(f["udp.src"])
    err, inner = icmp_error(ip("9.9.9.9"), S, f)  # a router out there, quoting what it got
    ct.lookup(9, err, 1, nat=True, inner=inner)
    assert (err["ip4.src"], err["ip4.dst"]) == (ip("9.9.9.9"), C)
    assert udp_tuple(inner) == (C, E, 5000, 53)
    assert err["ct_state"] == CS_TRK | CS_REL | CS_RPL | CS_DNAT
    # Without nat: tracked, not translated.
    err, inner = icmp_error(ip("9.9.9.9"), S, f)
    ct.lookup(9, err, 1, inner=inner)
    assert err["ip4.dst"] == S and udp_tuple(inner) == (S, E, p, 53)


def test_icmp_error_un_dnat_and_ct_commit_nat() -> None:
    ct = Conntrack()
    f = tcp(C, VIP)
    ct.lb(1, f, 0, [(B, 8080)])
    err, inner = icmp_error(B, C, f)  # the backend refuses what it received
    assert not ct.commit(1, err, 1, nat=True, inner=inner)  # ct_commit_nat
    assert (err["ip4.src"], err["ip4.dst"]) == (VIP, C)
    assert tcp_tuple(inner) == (C, VIP, 1000, 80)
    assert err["ct_state"] == CS_TRK | CS_REL | CS_RPL | CS_SNAT


def test_icmp_error_about_a_natted_echo() -> None:
    ct = Conntrack()
    ct.nat(9, icmp(A, E, ident=7), 0, "snat", NatTarget(S))
    f = icmp(C, E, ident=7)
    ct.nat(9, f, 0, "snat", NatTarget(S))
    err, inner = icmp_error(ip("9.9.9.9"), S, f, typ=11)
    ct.lookup(9, err, 1, nat=True, inner=inner)
    assert err["ip4.dst"] == C and (inner["ip4.src"], inner[ICMP_ID]) == (C, 7)
