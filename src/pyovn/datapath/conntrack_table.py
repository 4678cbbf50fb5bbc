"""The connection table of ``pyovn.datapath.conntrack``: connections by their original and reply
keys, zones with their limits and timeout policies, expiry queues (one per timeout length, a
packet moving its connection to the end of its queue), and the choice of a free tuple for NAT.
:class:`ConnTable` holds the state and its bookkeeping; :class:`~pyovn.datapath.conntrack.Conntrack`
adds the ct actions on flows on top of it."""

from __future__ import annotations

import itertools
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import cast

from pyovn.datapath.conntrack_tcp import (
    DEFAULT_TIMEOUTS,
    ESTABLISHED,
    FIN_WAIT,
    SEG_FIN,
    SEG_SYN,
    STATE_NAMES,
    SYN_SENT,
    TCP_SEGMENT,
    tcp_timeout_key,
)
from pyovn.datapath.conntrack_tuple import (
    EPHEMERAL,
    ICMP4,
    ICMP6,
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
    format_entry,
    invert,
    mix,
    nat_fixes,
    nat_ports,
)
from pyovn.logical.flow import Flow

__all__ = ["Conn", "ConnTable", "NatTarget"]


@dataclass(frozen=True, slots=True)
class NatTarget:
    """Where NAT may translate to: an address or range, optionally a port or port range
    (``port_lo`` 0 = no port given; ``port_hi`` 0 = just ``port_lo``)."""

    ip: int
    ip_hi: int | None = None
    port_lo: int = 0
    port_hi: int = 0


class Conn:
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
        self.queue: OrderedDict[int, Conn] = OrderedDict()  # of its timeout (placeholder)
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


class ConnTable:
    """Connections, zones and expiry (the base of ``Conntrack``)."""

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
        self._table: dict[Key, tuple[Conn, int]] = {}
        self._by_id: dict[int, Conn] = {}
        self._queues: dict[float, OrderedDict[int, Conn]] = {}
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

    # --- connections ----------------------------------------------------------------------
    def _create(self, key: Key, nated: Tuple4, flow: Flow, now: float) -> Conn | None:
        zone = key[0]
        limit = self._zone_limits.get(zone, self.default_limit)
        if limit and self._zone_count.get(zone, 0) >= limit:
            self.stats["zone_full"] += 1
            return None
        conn = Conn(next(self._ids), key, nated,
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

    def _renat(self, conn: Conn, nated: Tuple4) -> None:
        """Give ``conn`` a new translated tuple (its reply key changes with it)."""
        if self._table.get(conn.rkey, (None,))[0] is conn and conn.rkey != conn.okey:
            del self._table[conn.rkey]
        conn.nated = nated
        conn.rkey = (conn.zone, conn.pk, *invert(conn.pk, nated))
        conn.fix, conn.bits = nat_fixes(conn.pk, conn.orig, nated)
        conn.views = None
        if conn.rkey != conn.okey:
            self._table[conn.rkey] = (conn, 1)

    def _remove(self, conn: Conn) -> None:
        if self._by_id.pop(conn.id, None) is None:
            return
        if self._table.get(conn.okey, (None,))[0] is conn:
            del self._table[conn.okey]
        if self._table.get(conn.rkey, (None,))[0] is conn:
            del self._table[conn.rkey]
        conn.queue.pop(conn.id, None)
        self._zone_count[conn.zone] -= 1

    def _free(self, key: Key, now: float, own: Conn | None = None) -> bool:
        hit = self._table.get(key)
        if hit is None or hit[0] is own:
            return True
        if hit[0].expires <= now:
            self._remove(hit[0])
            return True
        return False

    def _timeout(self, conn: Conn) -> float:
        p = conn.pk & 0xFF
        if p == TCP:
            name = tcp_timeout_key(conn.state, conn.seen_reply)
        else:
            name = _TIMEOUT_KEYS.get(p, _OTHER_KEYS)[conn.state]
        return float(conn.timeouts[name])

    def _queue(self, timeout: float) -> OrderedDict[int, Conn]:
        q = self._queues.get(timeout)
        if q is None:
            q = self._queues[timeout] = OrderedDict()
        return q

    def _retime(self, conn: Conn) -> None:
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

    def _write_marks(self, conn: Conn, mark: int | None, mark_mask: int, label: int | None,
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
              own: Conn | None = None) -> Tuple4 | None:
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


def _state_name(c: Conn) -> str:
    p = c.pk & 0xFF
    if p == TCP:
        return STATE_NAMES[c.state]
    return _STATE_WORDS.get(p, _OTHER_WORDS)[c.state]
