"""Connection tracking for pyovn's datapath: what OVS's ``ct()`` action does for OVN.

``Conntrack`` keeps connections in zones.  A connection is found by its key, zone + 5-tuple
(protocol, addresses, ports; the ICMP echo identifier and message type stand in for the ports),
in a dict that holds both the original-direction key and the expected reply key, so tracking a
packet of a known connection is one dict lookup.  The caller hands in a microflow (``Flow``,
the keys of ``pyovn.logical``) and the current time; the tracker writes the connection tracking
fields back into that flow (``ct_state``, ``ct_zone``, ``ct_mark``, ``ct_label``, the original
direction tuple under ``CT_*`` keys) and, when NAT is asked for, the translated addresses and
ports.  No I/O, no clock: ``now`` is an argument (seconds, never decreasing).

How OVN's actions map onto the calls (ovn-sb(5); the zone is the caller's choice: the logical
port's zone for switches, the router's DNAT zone or SNAT zone):

=========================================  ===================================================
``ct_next``                                ``lookup(zone, flow, now)`` -- no NAT applied
``ct_dnat`` / ``ct_snat`` (no address),    ``lookup(zone, flow, now, nat=True)`` -- translate
``ct_*_in_czone``, ``ct_lb[_mark]`` (no    a packet of an existing NATed connection (and the
backends)                                  packet quoted by a related ICMP error, ``inner``)
``ct_commit { ct_mark=..; ... }``          ``commit(zone, flow, now, mark=, mark_mask=,
                                           label=, label_mask=)``
``ct_commit_nat``                          ``commit(zone, flow, now, nat=True, inner=...)``
``ct_dnat_in_czone(IP)`` then              ``nat(zone, flow, now, "dnat", ...)`` then
``ct_snat_in_czone(IP)`` (common zone)     ``nat(zone, flow, now, "snat", ...)``: one entry
``ct_dnat(IP[,ports])``, ``ct_snat(...)``  ``nat(zone, flow, now, "dnat"|"snat",
                                           NatTarget(ip, port_lo=, port_hi=))``
``ct_snat_to_vip``                         ``nat(snat_zone, flow, now, "snat", NatTarget(vip))``
``ct_lb[_mark](backends=...)``             ``lb(zone, flow, now, backends, hash_fields=,
                                           use_mark=, ct_flag=)``
``ct_clear``                               ``clear(flow)``
=========================================  ===================================================

Each call acts like ``ct(..., table=N)``: the flow comes back tracked.  After a ``ct(commit)``
that does not recirculate (``ct_commit``, ``ct_snat_to_vip``) OVS hands the packet on untracked,
so a host emulating those calls ``commit``/``nat`` on a copy, or ``clear``\\ s the flow after.
A packet may go through one zone several times (``ct_lb`` then ``ct_commit``): the connection
is found again through the ``CT_CONN`` key the first call left in the flow, and a second pass
does not move the protocol state on.  ``CT_CONN`` must not outlive the packet (a fresh parse
has none).  Writes go through ``dict.update``, bypassing a dict subclass's ``__setitem__``.

ct_state (ovs-fields(7)): ``new`` until a packet of the reply direction has been seen, ``est``
from then on (that packet included), ``rpl`` for reply-direction packets, ``rel`` for ICMP
errors about a tracked connection, ``inv`` alone with ``trk`` for anything conntrack refuses
(non-IP, later fragments, TCP flag combinations and transitions ``conntrack_tcp`` rejects,
unsolicited ICMP replies, ICMP errors about nothing known, NAT with no free tuple), ``snat`` /
``dnat`` when this packet's source / destination was translated (so the reply of a DNATed
connection is ``snat``).  Only committed connections are remembered; an uncommitted packet is
``new`` each time.

TCP: the state machine is in ``conntrack_tcp``.  A packet without SYN for no known connection
(an ACK, FIN+ACK) is picked up mid-stream as ``new`` by default (``tcp_loose=True``, as Linux's
``nf_conntrack_tcp_loose`` and OVS's userspace conntrack do); with ``tcp_loose=False`` it is
``inv``.  SYN+ACK and RST never start a connection.

ICMP errors (``rel``): the caller parses the datagram the error quotes (IP header and the first
8 bytes of its payload) into a ``Flow`` with the same keys and passes it as ``inner``; without
it an ICMP error is ``inv``.  With NAT the quoted packet is translated in place too (addresses,
ports / ICMP id), and the outer address that NAT changed in that direction.

NAT: ``nat``/``lb`` on a new connection choose the translated tuple, commit and translate;
on a known connection they only translate (OVS: "behaves the same as a bare nat").  SNAT keeps
the source port when the resulting reply tuple is free in the zone, otherwise takes another
(from the given port range, else from the ephemeral ports 1024-65535); address 0.0.0.0 / ``::``
keeps the address and changes only a colliding port.  DNAT without a port range keeps the
destination port; a taken reply tuple there is ``inv``.  Port and address picks start from a
hash of the packet (OVS's "hash" selection) so they are stable for a given packet.

ICMP echo identifiers are read from and written to the flow key ``ICMP_ID`` (not a logical
field; the packet codec must fill and write it); an absent key counts as 0.

Expiry: each connection expires ``timeout`` seconds after its last packet, the timeout depending
on its protocol state (``conntrack_tcp.DEFAULT_TIMEOUTS``, per-zone policies with
``set_zone_timeouts``).  Expired connections are dropped lazily when a packet meets them and by
``expire(now)``, which costs O(expired): connections wait in one insertion-ordered queue per
timeout length, a packet moving its connection to the end of its queue.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from pyovn.datapath.conntrack_table import Conn, ConnTable, NatTarget
from pyovn.datapath.conntrack_tcp import (
    FIN_WAIT,
    INVALID,
    LAST_ACK,
    REOPEN,
    SEG_ACK,
    SEG_FIN,
    SEG_SYN,
    TCP_NEXT,
    TCP_SEGMENT,
)
from pyovn.datapath.conntrack_tuple import (
    CS_DNAT,
    CS_EST,
    CS_INV,
    CS_NEW,
    CS_REL,
    CS_RPL,
    CS_SNAT,
    CS_TRK,
    CT_CONN,
    CT_IP6_DST,
    CT_IP6_SRC,
    CT_KEYS,
    CT_NW_DST,
    CT_NW_PROTO,
    CT_NW_SRC,
    CT_TP_DST,
    CT_TP_SRC,
    ICMP4,
    ICMP4_QUERY,
    ICMP6,
    ICMP6_QUERY,
    ICMP_ERRORS,
    ICMP_ID,
    ICMP_PAIR,
    M32,
    M128,
    SCTP,
    TCP,
    UDP,
    V6,
    CtEntry,
    Key,
    Zeros,
    hash_keys,
    inner_tuple,
    invert,
    mix,
    originals,
    set_invalid,
    set_new,
    tuple_fields,
    write_tuple,
)
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
    "ICMP_ID",
    "Conntrack",
    "CtEntry",
    "NatTarget",
    "lb_mark_bits",
]

# Status of a packet after tracking.
_EST, _NEW, _INV, _REL = 0, 1, 2, 3


def lb_mark_bits(ct_flag: str | None = None) -> int:
    """The ct_mark (``ct_lb_mark``) or ct_label (``ct_lb``) bits OVN's load balancing sets:
    natted (bit 1), skip_snat (bit 2) or force_snat (bit 3)."""
    bits = 0x2
    if ct_flag == "skip_snat":
        bits |= 0x4
    elif ct_flag == "force_snat":
        bits |= 0x8
    return bits


class Conntrack(ConnTable):
    """Connection tracker: zones of connections, NAT, load balancing, expiry.

    ``timeouts`` overrides entries of ``DEFAULT_TIMEOUTS``; ``tcp_loose`` picks up TCP
    connections mid-stream; ``default_limit`` caps the connections of each zone (0: none,
    ``set_zone_limit`` per zone)."""

    # --- the actions ----------------------------------------------------------------------
    def lookup(self, zone: int, flow: Flow, now: float, *, nat: bool = False,
               inner: Flow | None = None) -> None:
        """``ct(zone=zone[,nat])``: track ``flow``; with ``nat``, translate it as its
        connection was set up to be (and the quoted ``inner`` packet of a related ICMP
        error)."""
        st, conn, d, key = self._track(zone, flow, now, inner)
        if st == _EST:
            assert conn is not None
            views = conn.views or self._build_views(conn)
            flow.update(views[d | 2] if nat else views[d])
        elif st == _NEW:
            set_new(flow, key)
        elif st == _REL:
            assert conn is not None
            self._set_related(flow, conn, d, nat, inner)
        else:
            set_invalid(flow, zone)

    def commit(
        self,
        zone: int,
        flow: Flow,
        now: float,
        *,
        mark: int | None = None,
        mark_mask: int = M32,
        label: int | None = None,
        label_mask: int = M128,
        nat: bool = False,
        inner: Flow | None = None,
    ) -> bool:
        """``ct(commit, zone=zone[,nat], exec(set_field:mark/mask->ct_mark, ...))``: track
        ``flow``, create its connection when new and write ``mark``/``label`` into the entry
        (the masked bits only).  Related and invalid packets create nothing.  True when the
        packet's connection is (now) committed."""
        st, conn, d, key = self._track(zone, flow, now, inner)
        if st == _NEW:
            assert key is not None
            conn = self._create(key, (key[2], key[3], key[4], key[5]), flow, now)
            if conn is None:
                set_new(flow, key)
                return False
            d = 0
        elif st == _REL:
            assert conn is not None
            self._set_related(flow, conn, d, nat, inner)
            return False
        elif st == _INV:
            set_invalid(flow, zone)
            return False
        assert conn is not None
        self._write_marks(conn, mark, mark_mask, label, label_mask)
        views = conn.views or self._build_views(conn)
        flow.update(views[d | 2] if nat else views[d])
        return True

    def nat(
        self,
        zone: int,
        flow: Flow,
        now: float,
        kind: str,
        target: NatTarget | None = None,
        *,
        commit: bool = True,
        inner: Flow | None = None,
    ) -> bool:
        """``ct([commit,]zone=zone,nat(src|dst=target))``: a new connection is committed with
        NAT to ``target`` (``kind`` "snat" or "dnat") and the packet translated; a packet of a
        known connection is translated as that connection was set up.  Without ``target`` or
        ``commit`` a new connection is not translated (committed plainly with ``commit``).
        False when nothing was committed or translated (invalid, related, exhausted).

        A connection committed with one kind of NAT and not yet answered gets the other kind
        too when this packet asks for it (OVN's common NAT zone: ``ct_dnat_in_czone`` then
        ``ct_snat_in_czone`` on one packet), as Linux's conntrack does for a connection that
        is still new."""
        if kind not in ("snat", "dnat"):
            raise ValueError(f"{kind}: NAT kind must be snat or dnat")
        st, conn, d, key = self._track(zone, flow, now, inner)
        if st == _EST:
            assert conn is not None
            bit = CS_SNAT if kind == "snat" else CS_DNAT
            if (target is not None and commit and d == 0 and not conn.seen_reply
                    and not conn.bits[0] & bit):
                more = self._pick((zone, conn.pk, *conn.nated), kind == "snat", target, now,
                                  conn)
                if more is None:
                    self.stats["nat_exhausted"] += 1
                    set_invalid(flow, zone)
                    return False
                self._renat(conn, more)
            views = conn.views or self._build_views(conn)
            flow.update(views[d | 2])
            return True
        if st == _REL:
            assert conn is not None
            self._set_related(flow, conn, d, True, inner)
            return False
        if st == _INV:
            set_invalid(flow, zone)
            return False
        assert key is not None
        if not commit:
            set_new(flow, key)
            return False
        nated = (key[2], key[3], key[4], key[5])
        if target is not None:
            picked = self._pick(key, kind == "snat", target, now)
            if picked is None:
                self.stats["nat_exhausted"] += 1
                set_invalid(flow, zone)
                return False
            nated = picked
        conn = self._create(key, nated, flow, now)
        if conn is None:
            set_new(flow, key)
            return False
        views = conn.views or self._build_views(conn)
        flow.update(views[2])
        return True

    def lb(
        self,
        zone: int,
        flow: Flow,
        now: float,
        backends: Sequence[tuple[int, int]],
        *,
        hash_fields: str | None = None,
        use_mark: bool = True,
        ct_flag: str | None = None,
        inner: Flow | None = None,
    ) -> bool:
        """``ct_lb_mark`` / ``ct_lb`` with backends: a new connection picks one of
        ``backends`` ((address, port) pairs of the packet's family, port 0 = keep the port),
        by a hash of the 5-tuple (OVS's dp_hash) or of ``hash_fields`` ("ip_src,ip_dst,...",
        OVS field names), is DNATed to it and committed; a known connection keeps its backend.
        The committed entry gets ``lb_mark_bits(ct_flag)`` in ct_mark (``use_mark``) or in
        ct_label.  No backends: ``lookup(nat=True)``."""
        if not backends:
            self.lookup(zone, flow, now, nat=True, inner=inner)
            return False
        st, conn, d, key = self._track(zone, flow, now, inner)
        bits = lb_mark_bits(ct_flag)
        if st == _EST:
            assert conn is not None
            if use_mark:
                self._write_marks(conn, bits, bits, None, 0)
            else:
                self._write_marks(conn, None, 0, bits, bits)
            views = conn.views or self._build_views(conn)
            flow.update(views[d | 2])
            return True
        if st == _REL:
            assert conn is not None
            self._set_related(flow, conn, d, True, inner)
            return False
        if st == _INV:
            set_invalid(flow, zone)
            return False
        assert key is not None
        if hash_fields:
            fl = cast(dict[str, int], flow)
            h = mix(*(fl.get(k, 0) for k in hash_keys(hash_fields)))
        else:
            h = mix(*key[1:])
        ip, port = backends[h % len(backends)]
        p = key[1] & 0xFF
        has_ports = p in (TCP, UDP, SCTP)
        t = NatTarget(ip, port_lo=port, port_hi=port) if port and has_ports else NatTarget(ip)
        nated = self._pick(key, False, t, now)
        if nated is None:
            self.stats["nat_exhausted"] += 1
            set_invalid(flow, zone)
            return False
        conn = self._create(key, nated, flow, now)
        if conn is None:
            set_new(flow, key)
            return False
        if use_mark:
            self._write_marks(conn, bits, bits, None, 0)
        else:
            self._write_marks(conn, None, 0, bits, bits)
        views = conn.views or self._build_views(conn)
        flow.update(views[2])
        return True

    @staticmethod
    def clear(flow: Flow) -> None:
        """``ct_clear``: the flow is untracked again (all connection tracking fields zero)."""
        for k in CT_KEYS:
            flow.pop(k, None)

    # --- tracking -------------------------------------------------------------------------
    def _track(self, zone: int, flow: Flow, now: float, inner: Flow | None
               ) -> tuple[int, Conn | None, int, Key | None]:
        """(status, connection, direction 0 orig / 1 reply, key of a new connection).  Updates
        a known connection's protocol state and expiry."""
        fl: dict[str, int] = flow  # type: ignore[assignment]
        while True:
            # Subscripts are the fast way; a flow missing a key is read again with zeros.
            try:
                et = fl["eth.type"]
                if et == 0x0800:
                    pk = proto = fl["ip.proto"]
                    src = fl["ip4.src"]
                    dst = fl["ip4.dst"]
                elif et == 0x86DD:
                    proto = fl["ip.proto"]
                    pk = proto | V6
                    src = fl["ip6.src"]
                    dst = fl["ip6.dst"]
                else:
                    return _INV, None, 0, None
                seg = -1
                creates = True
                if proto == TCP:
                    sp = fl["tcp.src"]
                    dp = fl["tcp.dst"]
                    seg = TCP_SEGMENT[fl["tcp.flags"] & 0xFFF]
                elif proto == UDP:
                    sp = fl["udp.src"]
                    dp = fl["udp.dst"]
                elif (proto == ICMP4 and not pk & V6) or (proto == ICMP6 and pk & V6):
                    typ = fl["icmp6.type" if pk & V6 else "icmp4.type"]
                    if typ | (pk & V6) in ICMP_ERRORS:
                        return self._related(zone, pk, inner, now)
                    sp = fl.get(ICMP_ID, 0)
                    dp = typ
                    if typ not in (ICMP6_QUERY if pk & V6 else ICMP4_QUERY):
                        if typ | (pk & V6) not in ICMP_PAIR:
                            return _INV, None, 0, None
                        creates = False  # a reply type: only for a known connection
                elif proto == SCTP:
                    sp = fl["sctp.src"]
                    dp = fl["sctp.dst"]
                else:
                    sp = dp = 0
                break
            except KeyError:
                if isinstance(fl, Zeros):
                    raise
                fl = Zeros(fl)
        if fl.get("ip.frag", 0) & 2:
            return _INV, None, 0, None  # a later fragment: the caller reassembles
        key = (zone, pk, src, dst, sp, dp)
        conn = None
        d = 0
        hit = self._table.get(key)
        if hit is not None:
            conn, d = hit
        else:
            # A packet an earlier ct action of this zone translated: OVS keeps the connection
            # with the packet; here the flow names it, and its tuple must be a translated one.
            cid = fl.get(CT_CONN)
            if cid is not None:
                c = self._by_id.get(cid >> 1)
                if c is not None and c.zone == zone:
                    if key[2:] == c.nated:
                        conn = c
                    elif key[2:] == invert(pk, c.orig):
                        conn, d = c, 1
        if conn is not None:
            if conn.expires <= now:
                self._remove(conn)
            else:
                retime = False
                if seg >= 0:
                    state = conn.state
                    side = d ^ conn.closer if FIN_WAIT <= state <= LAST_ACK else d
                    nxt = TCP_NEXT[(state << 4) | (side << 3) | seg]
                    if nxt != state:
                        if nxt == INVALID:
                            self.stats["invalid"] += 1
                            return _INV, None, 0, None
                        if nxt == REOPEN:
                            self._remove(conn)
                            conn = None
                        else:
                            if nxt == FIN_WAIT and not FIN_WAIT <= state <= LAST_ACK:
                                conn.closer = d
                            conn.state = nxt
                            retime = True
                elif d:
                    if conn.state != 2:
                        conn.state = 2
                        retime = True
                elif conn.state == 0:
                    conn.state = 1
                    retime = True
                if conn is not None:
                    if d and not conn.seen_reply:
                        conn.seen_reply = True
                        conn.views = None
                        retime = True
                    if retime:
                        self._retime(conn)
                    conn.expires = now + conn.timeout
                    conn.queue.move_to_end(conn.id)
                    return _EST, conn, d, None
        if not creates:
            return _INV, None, 0, None
        if seg >= 0 and seg != SEG_SYN and not (self.tcp_loose and seg in (SEG_ACK, SEG_FIN)):
            self.stats["invalid"] += 1
            return _INV, None, 0, None
        return _NEW, None, 0, key

    def _related(self, zone: int, pk: int, inner: Flow | None, now: float
                 ) -> tuple[int, Conn | None, int, Key | None]:
        """An ICMP error: the connection of the packet it quotes, in the direction the error
        travels (the quoted packet went the other way)."""
        t = inner_tuple(inner) if inner is not None else None
        if t is None or t[0] & V6 != pk & V6:
            return _INV, None, 0, None
        ipk, tup = t
        hit = self._table.get((zone, ipk, *invert(ipk, tup)))
        if hit is None or hit[0].expires <= now:
            return _INV, None, 0, None
        return _REL, hit[0], hit[1], None

    # --- writing the flow -----------------------------------------------------------------
    def _build_views(self, conn: Conn) -> list[dict[str, int]]:
        base: dict[str, int] = {"ct_zone": conn.zone, "ct_mark": conn.mark,
                                "ct_label": conn.label, **originals(conn.pk, conn.orig)}
        v0 = {**base, "ct_state": CS_TRK | (CS_EST if conn.seen_reply else CS_NEW),
              CT_CONN: conn.id << 1}
        v1 = {**base, "ct_state": CS_TRK | CS_EST | CS_RPL, CT_CONN: (conn.id << 1) | 1}
        views = [v0, v1, v0, v1]
        for d, v in ((0, v0), (1, v1)):
            if conn.bits[d]:
                nv = {**v, **conn.fix[d]}
                nv["ct_state"] |= conn.bits[d]
                views[d | 2] = nv
        conn.views = views
        return views

    @staticmethod
    def _set_related(flow: Flow, conn: Conn, d: int, nat: bool, inner: Flow | None) -> None:
        flow.pop(CT_CONN, None)
        flow.update(originals(conn.pk, conn.orig))
        state = CS_TRK | CS_REL | (CS_RPL if d else 0)
        if nat and conn.bits[0]:
            # The outer header: the addresses this direction's NAT changes.
            fsrc, fdst, _, _ = tuple_fields(conn.pk)
            for k, v in conn.fix[d].items():
                if k in (fsrc, fdst):
                    flow[k] = v
            state |= conn.bits[d]
            # The quoted packet went the other way: it gets the opposite translation.
            if inner is not None:
                t = inner_tuple(inner)
                if t is not None:
                    ipk, tup = t
                    want = invert(ipk, conn.nated) if d == 0 else conn.orig
                    out: dict[str, int] = {}
                    write_tuple(out, ipk, tup, want)
                    inner.update(out)
        flow["ct_state"] = state
        flow["ct_zone"] = conn.zone
        flow["ct_mark"] = conn.mark
        flow["ct_label"] = conn.label
