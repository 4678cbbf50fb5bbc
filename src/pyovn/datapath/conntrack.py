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

import itertools
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import cast

from pyovn.datapath.conntrack_tcp import (
    DEFAULT_TIMEOUTS,
    ESTABLISHED,
    FIN_WAIT,
    INVALID,
    LAST_ACK,
    REOPEN,
    SEG_ACK,
    SEG_FIN,
    SEG_SYN,
    STATE_NAMES,
    SYN_SENT,
    TCP_NEXT,
    TCP_SEGMENT,
    tcp_timeout_key,
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
    EPHEMERAL,
    ICMP4,
    ICMP4_QUERY,
    ICMP6,
    ICMP6_QUERY,
    ICMP_ERRORS,
    ICMP_ID,
    ICMP_PAIR,
    M32,
    M128,
    MAX_ADDRS,
    SCTP,
    TCP,
    UDP,
    V6,
    CtEntry,
    Key,
    Tuple4,
    Zeros,
    format_entry,
    hash_keys,
    inner_tuple,
    invert,
    mix,
    nat_fixes,
    nat_ports,
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


@dataclass(frozen=True, slots=True)
class NatTarget:
    """Where NAT may translate to: an address or range, optionally a port or port range
    (``port_lo`` 0 = no port given; ``port_hi`` 0 = just ``port_lo``)."""

    ip: int
    ip_hi: int | None = None
    port_lo: int = 0
    port_hi: int = 0


def lb_mark_bits(ct_flag: str | None = None) -> int:
    """The ct_mark (``ct_lb_mark``) or ct_label (``ct_lb``) bits OVN's load balancing sets:
    natted (bit 1), skip_snat (bit 2) or force_snat (bit 3)."""
    bits = 0x2
    if ct_flag == "skip_snat":
        bits |= 0x4
    elif ct_flag == "force_snat":
        bits |= 0x8
    return bits


class _Conn:
    __slots__ = (
        "bits", "closer", "expires", "fix", "id", "label", "mark", "nated", "okey",
        "orig", "pk", "queue", "rkey", "seen_reply", "state", "timeout", "timeouts", "views",
        "zone",
    )

    def __init__(self, cid: int, key: Key, nated: Tuple4, timeouts: Mapping[str, float]) -> None:
        self.id = cid
        self.zone = key[0]
        self.pk = key[1]
        self.orig: Tuple4 = key[2:]  # type: ignore[assignment]
        self.nated = nated
        self.okey = key
        self.rkey: Key = (key[0], key[1], *invert(key[1], nated))
        self.state = 0
        self.closer = 0
        self.seen_reply = False
        self.mark = 0
        self.label = 0
        self.timeouts = timeouts
        self.timeout = 0.0
        self.expires = 0.0
        self.queue: OrderedDict[int, _Conn] = OrderedDict()  # of its timeout (placeholder)
        self.views: list[dict[str, int]] | None = None
        self.fix, self.bits = nat_fixes(self.pk, self.orig, nated)


_STATE_WORDS = {
    UDP: ("FIRST", "SINGLE", "MULTIPLE"),
    ICMP4: ("FIRST", "FIRST", "REPLY"),
    ICMP6: ("FIRST", "FIRST", "REPLY"),
}
_OTHER_WORDS = ("FIRST", "MULTIPLE", "BIDIR")
_TIMEOUT_KEYS = {
    UDP: ("udp_first", "udp_single", "udp_multiple"),
    ICMP4: ("icmp_first", "icmp_first", "icmp_reply"),
    ICMP6: ("icmp_first", "icmp_first", "icmp_reply"),
}
_OTHER_KEYS = ("other_first", "other_multiple", "other_bidir")


class Conntrack:
    """Connection tracker: zones of connections, NAT, load balancing, expiry.

    ``timeouts`` overrides entries of ``DEFAULT_TIMEOUTS``; ``tcp_loose`` picks up TCP
    connections mid-stream; ``default_limit`` caps the connections of each zone (0: none,
    ``set_zone_limit`` per zone)."""

    def __init__(
        self,
        timeouts: Mapping[str, float] | None = None,
        *,
        tcp_loose: bool = True,
        default_limit: int = 0,
    ) -> None:
        self.timeouts: dict[str, float] = {**DEFAULT_TIMEOUTS, **(timeouts or {})}
        self.tcp_loose = tcp_loose
        self.default_limit = default_limit
        self.stats: dict[str, int] = {"invalid": 0, "nat_exhausted": 0, "zone_full": 0,
                                      "reply_collision": 0}
        self._table: dict[Key, tuple[_Conn, int]] = {}
        self._by_id: dict[int, _Conn] = {}
        self._queues: dict[float, OrderedDict[int, _Conn]] = {}
        self._zone_timeouts: dict[int, dict[str, float]] = {}
        self._zone_limits: dict[int, int] = {}
        self._zone_count: dict[int, int] = {}
        self._ids = itertools.count(1)

    # --- configuration --------------------------------------------------------------------
    def set_zone_timeouts(self, zone: int, timeouts: Mapping[str, float] | None) -> None:
        """A zone's timeout policy (CT_Zone:timeout_policy); None: the default.  The zone's
        connections then expire their new timeout after their last packet."""
        if timeouts is None:
            self._zone_timeouts.pop(zone, None)
        else:
            unknown = set(timeouts) - set(DEFAULT_TIMEOUTS)
            if unknown:
                raise ValueError(f"unknown conntrack timeouts: {', '.join(sorted(unknown))}")
            self._zone_timeouts[zone] = {**self.timeouts, **timeouts}
        self._retime_all(zone)

    def set_timeouts(self, timeouts: Mapping[str, float]) -> None:
        """Change default timeouts (zones with a policy keep theirs)."""
        unknown = set(timeouts) - set(DEFAULT_TIMEOUTS)
        if unknown:
            raise ValueError(f"unknown conntrack timeouts: {', '.join(sorted(unknown))}")
        self.timeouts.update(timeouts)
        for z, policy in self._zone_timeouts.items():
            self._zone_timeouts[z] = {**self.timeouts, **policy}
        self._retime_all(None)

    def set_zone_limit(self, zone: int, limit: int | None) -> None:
        """Most connections ``zone`` may hold (0: unlimited; None: the default limit)."""
        if limit is None:
            self._zone_limits.pop(zone, None)
        else:
            self._zone_limits[zone] = limit

    def get_limits(self) -> dict[int, tuple[int, int]]:
        """zone -> (limit, count) for zones with a limit or connections (``ct-get-limits``)."""
        zones = set(self._zone_limits) | {z for z, n in self._zone_count.items() if n}
        return {z: (self._zone_limits.get(z, self.default_limit), self._zone_count.get(z, 0))
                for z in sorted(zones)}

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

    # --- table management -----------------------------------------------------------------
    def flush(self, zone: int | None = None) -> int:
        """Forget every connection (of ``zone``); how many were dropped."""
        victims = [c for c in self._by_id.values() if zone is None or c.zone == zone]
        for c in victims:
            self._remove(c)
        return len(victims)

    def expire(self, now: float) -> int:
        """Drop the connections whose timeout has passed; how many."""
        n = 0
        for q in list(self._queues.values()):
            while q:
                conn = next(iter(q.values()))
                if conn.expires > now:
                    break
                self._remove(conn)
                n += 1
        return n

    def __len__(self) -> int:
        return len(self._by_id)

    def entries(self, zone: int | None = None) -> list[CtEntry]:
        out = []
        for c in self._by_id.values():
            if zone is not None and c.zone != zone:
                continue
            out.append(CtEntry(
                zone=c.zone, proto=c.pk & 0xFF, ipv6=bool(c.pk & V6), orig=c.orig,
                reply=invert(c.pk, c.nated), state=_state_name(c), mark=c.mark,
                label=c.label, nat=c.bits[0], expires=c.expires,
            ))
        return out

    def dump(self, zone: int | None = None, now: float | None = None) -> str:
        """The connections as ``ovs-appctl dpctl/dump-conntrack [-s]`` prints them (``-s``:
        with ``now``, the seconds left)."""
        lines = [format_entry(e, now) for e in self.entries(zone)]
        return "".join(line + "\n" for line in sorted(lines))

    # --- tracking -------------------------------------------------------------------------
    def _track(self, zone: int, flow: Flow, now: float, inner: Flow | None
               ) -> tuple[int, _Conn | None, int, Key | None]:
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
                 ) -> tuple[int, _Conn | None, int, Key | None]:
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

    # --- connections ----------------------------------------------------------------------
    def _create(self, key: Key, nated: Tuple4, flow: Flow, now: float) -> _Conn | None:
        zone = key[0]
        limit = self._zone_limits.get(zone, self.default_limit)
        if limit and self._zone_count.get(zone, 0) >= limit:
            self.stats["zone_full"] += 1
            return None
        conn = _Conn(next(self._ids), key, nated,
                     self._zone_timeouts.get(zone, self.timeouts))
        if conn.rkey != key and not self._free(conn.rkey, now):
            self.stats["reply_collision"] += 1
            return None
        if key[1] & 0xFF == TCP:
            seg = TCP_SEGMENT[cast(dict[str, int], flow).get("tcp.flags", 0) & 0xFFF]
            conn.state = SYN_SENT if seg == SEG_SYN else (
                FIN_WAIT if seg == SEG_FIN else ESTABLISHED)
        self._table[key] = (conn, 0)
        if conn.rkey != key:
            self._table[conn.rkey] = (conn, 1)
        self._by_id[conn.id] = conn
        self._zone_count[zone] = self._zone_count.get(zone, 0) + 1
        conn.timeout = self._timeout(conn)
        conn.expires = now + conn.timeout
        conn.queue = self._queue(conn.timeout)
        conn.queue[conn.id] = conn
        return conn

    def _renat(self, conn: _Conn, nated: Tuple4) -> None:
        """Give ``conn`` a new translated tuple (its reply key changes with it)."""
        if self._table.get(conn.rkey, (None,))[0] is conn and conn.rkey != conn.okey:
            del self._table[conn.rkey]
        conn.nated = nated
        conn.rkey = (conn.zone, conn.pk, *invert(conn.pk, nated))
        conn.fix, conn.bits = nat_fixes(conn.pk, conn.orig, nated)
        conn.views = None
        if conn.rkey != conn.okey:
            self._table[conn.rkey] = (conn, 1)

    def _remove(self, conn: _Conn) -> None:
        if self._by_id.pop(conn.id, None) is None:
            return
        if self._table.get(conn.okey, (None,))[0] is conn:
            del self._table[conn.okey]
        if self._table.get(conn.rkey, (None,))[0] is conn:
            del self._table[conn.rkey]
        conn.queue.pop(conn.id, None)
        self._zone_count[conn.zone] -= 1

    def _free(self, key: Key, now: float, own: _Conn | None = None) -> bool:
        hit = self._table.get(key)
        if hit is None or hit[0] is own:
            return True
        if hit[0].expires <= now:
            self._remove(hit[0])
            return True
        return False

    def _timeout(self, conn: _Conn) -> float:
        p = conn.pk & 0xFF
        if p == TCP:
            name = tcp_timeout_key(conn.state, conn.seen_reply)
        else:
            name = _TIMEOUT_KEYS.get(p, _OTHER_KEYS)[conn.state]
        return float(conn.timeouts[name])

    def _queue(self, timeout: float) -> OrderedDict[int, _Conn]:
        q = self._queues.get(timeout)
        if q is None:
            q = self._queues[timeout] = OrderedDict()
        return q

    def _retime(self, conn: _Conn) -> None:
        conn.timeouts = self._zone_timeouts.get(conn.zone, self.timeouts)
        t = self._timeout(conn)
        if t != conn.timeout:
            conn.queue.pop(conn.id, None)
            conn.timeout = t
            conn.queue = self._queue(t)
            conn.queue[conn.id] = conn

    def _retime_all(self, zone: int | None) -> None:
        """Apply changed timeouts to existing connections: each expires its new timeout after
        its last packet; the queues are rebuilt in expiry order."""
        conns = list(self._by_id.values())
        for c in conns:
            if zone is None or c.zone == zone:
                last = c.expires - c.timeout
                c.timeouts = self._zone_timeouts.get(c.zone, self.timeouts)
                c.timeout = self._timeout(c)
                c.expires = last + c.timeout
        self._queues = {}
        for c in sorted(conns, key=lambda c: c.expires):
            c.queue = self._queue(c.timeout)
            c.queue[c.id] = c

    def _write_marks(self, conn: _Conn, mark: int | None, mark_mask: int, label: int | None,
                     label_mask: int) -> None:
        changed = False
        if mark is not None and mark_mask:
            m = (conn.mark & ~mark_mask & M32) | (mark & mark_mask)
            changed = m != conn.mark
            conn.mark = m
        if label is not None and label_mask:
            lab = (conn.label & ~label_mask & M128) | (label & label_mask)
            changed = changed or lab != conn.label
            conn.label = lab
        if changed:
            conn.views = None

    def _pick(self, key: Key, snat: bool, target: NatTarget, now: float,
              own: _Conn | None = None) -> Tuple4 | None:
        """The NATed tuple of a new connection (or ``own``, re-NATed): a free reply key."""
        zone, pk, src, dst, sp, dp = key
        p = pk & 0xFF
        icmp = p in (ICMP4, ICMP6)
        h = mix(src, dst, dp if snat else sp, pk)
        lo = target.ip
        hi = target.ip_hi if target.ip_hi is not None else lo
        if hi < lo:
            lo, hi = hi, lo
        if lo == 0 and snat:
            addrs: Iterable[int] = (src,)  # nat(src=0.0.0.0): only a colliding port changes
        else:
            n = hi - lo + 1
            addrs = (lo + (h + i) % n for i in range(min(n, MAX_ADDRS)))
        port0 = sp if snat else dp
        if not (p in (TCP, UDP, SCTP) or (icmp and snat)):
            prange: tuple[int, int] | None = None
        elif target.port_lo:
            prange = (target.port_lo, target.port_hi or target.port_lo)
        else:
            prange = EPHEMERAL if snat else None
        for a in addrs:
            for port in nat_ports(port0, prange, h, not target.port_lo):
                t = (a, dst, port, dp) if snat else (src, a, sp, port)
                if self._free((zone, pk, *invert(pk, t)), now, own):
                    return t
        return None

    # --- writing the flow -----------------------------------------------------------------
    def _build_views(self, conn: _Conn) -> list[dict[str, int]]:
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
    def _set_related(flow: Flow, conn: _Conn, d: int, nat: bool, inner: Flow | None) -> None:
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


def _state_name(c: _Conn) -> str:
    p = c.pk & 0xFF
    if p == TCP:
        return STATE_NAMES[c.state]
    return _STATE_WORDS.get(p, _OTHER_WORDS)[c.state]
