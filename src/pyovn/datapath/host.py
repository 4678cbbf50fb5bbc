"""The executor's environment in pyovn's datapath (:mod:`pyovn.datapath.core`): one walk of
the logical pipelines cut into cacheable segments at conntrack recirculations
(:class:`SegmentExecutor`, :class:`WalkSegment`), the host that does the real work for the
walk — conntrack, packets built by actions, MAC binding and FDB learning, delivery — and records
each effect for the flow cache (:class:`Host`), and the conntrack zone numbers ovn-controller
hands out (:class:`Zones`). The registers and keys the datapath loads and clears are named here."""

from __future__ import annotations

import zlib
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pyovn.datapath.cache import UNSET, Effect, changes_from
from pyovn.datapath.conntrack import CT_CONN, CT_KEYS, Conntrack
from pyovn.datapath.io_vnet import VnetHdr
from pyovn.datapath.packet import Packet, refresh
from pyovn.datapath.pktgen import emitted_packet, reply_frame
from pyovn.logical.actions import (
    Action,
    CheckPktLarger,
    CtLb,
    CtNat,
    Program,
    Result,
    Select,
    Simple,
)
from pyovn.logical.flow import CHASSIS_RESIDENT_KEY, Flow
from pyovn.pipeline.executor import BaseHost, Executor
from pyovn.pipeline.sbtypes import LogicalDatapath, PortBinding

if TYPE_CHECKING:
    from pyovn.datapath.core import Datapath

__all__ = ["DNAT_ZONE_REG", "EGRESS_CLEARED", "MASK32", "MASK128", "PEER_CLEARED", "PKT_LEN",
           "SNAT_ZONE_REG", "VOLATILE", "ZONE_REG", "Frame", "Host",
           "SegmentExecutor", "WalkInput", "WalkSegment", "Zones"]


ZONE_REG, DNAT_ZONE_REG, SNAT_ZONE_REG = "reg13", "reg11", "reg12"
PKT_LEN = "__pkt_len__"  # the frame's length (as OVS measures for check_pkt_larger)
# Keys that never go into a cache entry's changes (per-packet objects).
VOLATILE = frozenset((CT_CONN, CHASSIS_RESIDENT_KEY))
# What connection tracking and hashing read of a packet.
_FIVE_TUPLE = frozenset(("eth.type", "ip.proto", "ip4.src", "ip4.dst", "ip6.src", "ip6.dst",
                         "tcp.src", "tcp.dst", "udp.src", "udp.dst", "sctp.src", "sctp.dst",
                         "icmp4.type", "icmp4.code", "icmp6.type", "icmp6.code", "ip.frag"))
# What port security reads (answered by the executor from the Southbound).
_PORTSEC_READS = frozenset(("inport", "outport", "eth.src", "eth.dst", "eth.type", "vlan.tci",
                            "arp.op", "arp.sha", "arp.spa", "arp.tha", "arp.tpa", "ip4.src",
                            "ip4.dst", "ip6.src", "ip6.dst", "ip.proto", "icmp6.type",
                            "icmp6.code", "nd.sll", "nd.tll", "nd.target"))
MASK32, MASK128 = (1 << 32) - 1, (1 << 128) - 1
# What ovn-controller's flows clear (physical.c), where ovn-trace (the executor's default)
# clears otherwise: between ingress and egress only reg0..reg9 (flags set in ingress, such as
# force_snat_for_lb and loopback, reach egress); into a patch or l3gateway peer's ingress the
# connection tracking state (ct_clear), zones, flags, outport and reg0..reg9.
_REGS = frozenset(f"reg{i}" for i in range(10))
EGRESS_CLEARED = _REGS
PEER_CLEARED = _REGS | frozenset((*CT_KEYS, "flags", "outport", ZONE_REG, DNAT_ZONE_REG,
                                   SNAT_ZONE_REG))


@dataclass(slots=True)
class Frame:
    """The packet whose walk is running: its bytes (parsed) and offload header; ``frag``: a
    datagram reassembled from fragments goes out cut again (largest fragment's frame length,
    IPv6 identification or -1)."""

    pkt: Packet
    hdr: VnetHdr | None
    frag: tuple[int, int] | None = None


@dataclass(slots=True)
class WalkInput:
    flow: Flow
    frame: Frame


@dataclass(slots=True)
class WalkSegment:
    """One segment of a packet's walk (up to a conntrack recirculation), as the flow cache
    stores it."""

    start: Any
    flow0: Flow
    reads: set[str] = field(default_factory=set)
    effects: list[Effect] = field(default_factory=list)
    datapaths: set[int] = field(default_factory=set)
    ports: set[str] = field(default_factory=set)
    cacheable: bool = True


class SegmentExecutor(Executor):
    """The executor with conntrack recirculation points cut into cache segments."""

    dph: Host

    def ct_next(self, flow: Flow, pipeline: str, table: int) -> None:
        assert self.dp is not None
        self.dph.recirculate(self, ("next", None), flow, pipeline or self.pipeline, table)

    def ct_nat(self, flow: Flow, action: CtNat | Simple) -> None:
        assert self.dp is not None
        if action.table < 0:  # ct_snat_to_vip: in place, no recirculation
            self.dph.ct_nat_now(self.dp, flow, action)
            return
        self.dph.recirculate(self, ("nat", action), flow, action.pipeline or self.pipeline,
                             action.table)

    def ct_lb(self, flow: Flow, action: CtLb) -> None:
        assert self.dp is not None
        self.dph.recirculate(self, ("lb", action), flow, action.pipeline or self.pipeline,
                             action.table)

    def check(self, flow: Flow, action: Action) -> int:
        if (isinstance(action, Result) and self.reads is not None
                and action.func in ("check_in_port_sec", "check_out_port_sec")):
            self.reads |= _PORTSEC_READS
        return super().check(flow, action)


class Host(BaseHost):
    """The executor's environment in the datapath (module docstring)."""

    def __init__(self, dp: Datapath) -> None:
        super().__init__(dp.model, None)
        self.d = dp
        self.seg: WalkSegment | None = None
        self.frames: list[Frame] = []

    # --- residency and metadata --------------------------------------------------------------
    def is_resident(self, port: str) -> bool:
        if port in self.d.lport_iface:
            return True
        pb = self.model.ports.get(port)
        return pb is not None and pb.chassis is not None and pb.chassis == self.d.chassis

    def load_metadata(self, dp: LogicalDatapath, pipeline: str, port: PortBinding | None,
                      flow: Flow) -> None:
        seg = self.seg
        if seg is not None:
            seg.datapaths.add(dp.key)
        zones = self.d.zones
        if dp.is_router:
            flow[DNAT_ZONE_REG] = zones.get(f"{dp.uuid}_dnat")
            flow[SNAT_ZONE_REG] = zones.get(f"{dp.uuid}_snat")
        elif port is not None:
            flow[ZONE_REG] = zones.get(port.name)

    # --- effects -----------------------------------------------------------------------------
    def _effect(self, kind: str, flow: Flow, *args: Any) -> None:
        seg = self.seg
        if seg is not None:
            changes = changes_from(seg.flow0, flow)
            for k in VOLATILE.intersection(changes):
                if changes[k] is not UNSET:  # a removal (ct_clear, a patch port) is replayed
                    del changes[k]
            seg.effects.append(Effect(kind, changes, args))

    def _uncacheable(self) -> None:
        if self.seg is not None:
            self.seg.cacheable = False

    def _read(self, keys: Collection[str]) -> None:
        seg = self.seg
        if seg is not None:
            seg.reads.update(keys)

    def deliver(self, port: PortBinding, flow: Flow) -> None:
        seg = self.seg
        if seg is not None:
            seg.ports.add(port.name)
        self._effect("deliver", flow, port.name)
        self.d.deliver(port.name, flow, self.frames[-1])

    def remote(self, port: PortBinding, chassis: str | None, flow: Flow) -> None:
        self._effect("remote", flow, port.name, chassis)
        self.d.stats["remote"] += 1

    # --- conntrack ---------------------------------------------------------------------------
    def recirculate(self, ex: SegmentExecutor, op: tuple[str, Any], flow: Flow, pipeline: str,
                    table: int) -> None:
        """A conntrack action that continues at ``table``: the current segment ends in a
        "ct" effect, the conntrack operation runs, the continuation is a segment of its own
        (replayed from the cache when it can be)."""
        dp = ex.dp
        assert dp is not None
        resume = (dp.key, pipeline, table)
        self._effect("ct", flow, op, resume)
        if not self.d.conntrack_op(dp, op, flow, self.frames[-1]):
            return
        outer = self.seg
        self.d.continue_at(ex, dp, resume, flow, self.frames[-1])
        self.seg = outer

    def ct_nat_now(self, dp: LogicalDatapath, flow: Flow, action: CtNat | Simple) -> None:
        self._effect("ct", flow, ("nat", action), None)
        self.d.conntrack_op(dp, ("nat", action), flow, self.frames[-1])

    def ct_commit(self, dp: LogicalDatapath, flow: Flow, program: Program | None) -> None:
        mark = label = None
        mark_mask = label_mask = 0
        if program is not None:
            # Which bits the program writes, and to what: run it on all-zero and all-one
            # ct_mark/ct_label and compare.
            lo = dict(flow, ct_mark=0, ct_label=0)
            hi = dict(flow, ct_mark=MASK32, ct_label=MASK128)
            program(lo, self.d.executor)
            program(hi, self.d.executor)
            lm, hm = int(lo["ct_mark"]), int(hi["ct_mark"])
            ll, hl = int(lo["ct_label"]), int(hi["ct_label"])
            mark_mask = ~(lm ^ hm) & MASK32
            label_mask = ~(ll ^ hl) & MASK128
            if mark_mask:
                mark = lm & mark_mask
            if label_mask:
                label = ll & label_mask
        args = (mark, mark_mask, label, label_mask)
        self._effect("commit", flow, args)
        self.d.commit(dp, flow, args, self.frames[-1])

    def ct_clear(self, dp: LogicalDatapath, flow: Flow) -> None:
        Conntrack.clear(flow)

    # --- packets built by actions, controller actions --------------------------------------
    def emit(self, dp: LogicalDatapath, kind: str, flow: Flow, resume: Callable[[Flow], None]) -> None:
        self._uncacheable()
        cur = self.frames[-1]
        made = emitted_packet(kind, flow, cur.pkt)
        if made is None:
            return
        nflow, npkt = made
        self.frames.append(Frame(npkt, None))
        try:
            resume(nflow)
        finally:
            self.frames.pop()

    def controller(self, dp: LogicalDatapath, flow: Flow, action: Action) -> int:
        self._uncacheable()
        cur = self.frames[-1]
        records = self.d.dns_records(dp) if isinstance(action, Result) else None
        frame = reply_frame(flow, cur.pkt, action, records)
        if frame is None:
            return 0
        cur.pkt = refresh(flow, frame)
        cur.hdr = None
        return 1

    # --- MAC bindings and FDB ----------------------------------------------------------------
    def mac_binding(self, dp: LogicalDatapath, flow: Flow, kind: str, port: str | int,
                    ip: int) -> int | None:
        name = self.port_name(dp, port)
        learnt = self.d.learnt_macs.get((name, ip))
        if learnt is not None:
            return learnt
        return super().mac_binding(dp, flow, kind, port, ip)

    def put_mac_binding(self, dp: LogicalDatapath, flow: Flow, kind: str, port: str | int, ip: int,
                        mac: int) -> None:
        self._uncacheable()
        self.d.learn_mac(dp, self.port_name(dp, port), kind, ip, mac)

    def fdb_get(self, dp: LogicalDatapath, flow: Flow, mac: int) -> str | None:
        learnt = self.d.learnt_fdb.get((dp.key, mac))
        if learnt is not None:
            return learnt
        return super().fdb_get(dp, flow, mac)

    def put_fdb(self, dp: LogicalDatapath, flow: Flow, port: str | int, mac: int) -> None:
        self._uncacheable()
        self.d.learn_fdb(dp, self.port_name(dp, port), mac)

    # --- checks, select ----------------------------------------------------------------------
    def check(self, dp: LogicalDatapath, flow: Flow, action: Action) -> int:
        if isinstance(action, CheckPktLarger):
            self._read((PKT_LEN,))
            return 1 if int(flow.get(PKT_LEN, 0) or 0) > action.length else 0
        func = getattr(action, "func", "")
        if func in ("chk_lb_hairpin", "chk_lb_hairpin_reply"):
            self._read((*_FIVE_TUPLE, *CT_KEYS))
            return self.d.lb_hairpin(dp, flow, func == "chk_lb_hairpin_reply")
        self._uncacheable()  # chk_ecmp_nh(_mac), chk_lb_aff: per-connection state
        return 0

    def select(self, dp: LogicalDatapath, flow: Flow, action: Select) -> int:
        self._read(_FIVE_TUPLE)
        members = action.members
        total = sum(max(w, 0) for _, w in members) or len(members)
        h = zlib.crc32(repr(tuple(flow.get(k, 0) for k in sorted(_FIVE_TUPLE))).encode()) % total
        for m, w in members:
            h -= max(w, 0) if total else 1
            if h < 0:
                return m
        return members[-1][0]

    def effect(self, dp: LogicalDatapath, flow: Flow, action: Action) -> None:
        return None  # set_queue, set_meter, sample: no QoS or sampling in pyovn's datapath


class Zones:
    """Conntrack zone numbers, as ovn-controller hands them out: one per logical port and two
    per router (``<uuid>_dnat``, ``<uuid>_snat``), from 1 up, reused once freed."""

    def __init__(self) -> None:
        self._by_name: dict[str, int] = {}
        self._free: list[int] = []
        self._next = 1

    def get(self, name: str) -> int:
        z = self._by_name.get(name)
        if z is None:
            z = self._free.pop() if self._free else self._next
            if z == self._next:
                self._next += 1
            self._by_name[name] = z
        return z

    def release(self, name: str) -> None:
        z = self._by_name.pop(name, None)
        if z is not None:
            self._free.append(z)
