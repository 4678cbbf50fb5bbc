"""pyovn's datapath: the Southbound's logical pipelines run on real packets, in the
controller's process (what ovs-vswitchd and ovn-controller's OpenFlow flows do together).

A frame read from a port of the integration bridge bound to a logical port is parsed into a
microflow (:mod:`pyovn.datapath.packet`) and goes through:

* the **flow cache** (:mod:`pyovn.datapath.cache`): the segment that starts at that port is
  looked up by the values of the fields earlier walks read; a hit replays its effects (copies
  delivered with their fields changed, conntrack operations, the next segment after a
  recirculation) without a table lookup;
* on a miss, the **executor** (:mod:`pyovn.pipeline.executor`) walks the pipelines with this
  module's :class:`Host` as its environment, which does the real work — conntrack
  (:mod:`pyovn.datapath.conntrack`), packets built by actions and controller actions
  (:mod:`pyovn.datapath.pktgen`), MAC binding / FDB learning, delivery — and records each
  effect so the walk becomes a cache entry.  Segments that made or rewrote packets, learnt
  something or depend on state the cache cannot key on are not cached.

What ovn-controller's physical flows load on entry is loaded here (``load_metadata``): each
logical port has a conntrack zone (``reg13``), each router a DNAT (``reg11``) and an SNAT
(``reg12``) zone.  Switch conntrack uses the port's zone; router ``ct_snat`` (not in the common
zone) the SNAT zone; everything else in a router the DNAT zone.

Localnet (and l2gateway) ports reach their physical network through the provider bridge
``ovn-bridge-mappings`` names: a learning switch (OVS's NORMAL) between that bridge's ports and
the logical switches' localnet ports of that network (802.1Q tag per localnet port's ``tag``).
Ports bound to other chassis go to ``remote`` — the tunnel encapsulation point, Geneve being
the next step; until then such packets are counted (``stats["remote"]``) and dropped.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import time
from collections.abc import Callable, Collection, Mapping
from typing import Any

from pyovn.datapath.bridge import (
    OFPP_LOCAL,
    TUNNEL_TYPES,
    Bridge,
    BridgePort,
    DatapathError,
    LearningSwitch,
    default_port_mode,
    open_io,
)
from pyovn.datapath.cache import UNSET, Effect, FlowCache, apply_changes
from pyovn.datapath.conntrack import Conntrack, NatTarget
from pyovn.datapath.conntrack_frag import Reassembler, fragment
from pyovn.datapath.conntrack_quote import is_icmp_error, quoted, requote
from pyovn.datapath.host import (
    DNAT_ZONE_REG,
    EGRESS_CLEARED,
    MASK32,
    MASK128,
    PEER_CLEARED,
    PKT_LEN,
    SNAT_ZONE_REG,
    VOLATILE,
    ZONE_REG,
    Frame,
    Host,
    SegmentExecutor,
    WalkInput,
    WalkSegment,
    Zones,
)
from pyovn.datapath.io_vnet import VnetHdr
from pyovn.datapath.packet import Packet, PacketError, parse, serialize
from pyovn.logical.actions import (
    CtLb,
    CtNat,
    Simple,
)
from pyovn.logical.flow import CHASSIS_RESIDENT_KEY, Flow, format_mac
from pyovn.pipeline.sbmodel import SbModel
from pyovn.pipeline.sbtypes import LogicalDatapath, PortBinding
from pyovn.pipeline.tables import ALL, LogicalTables

__all__ = ["Datapath", "DatapathError"]

log = logging.getLogger("pyovn.datapath")

class Datapath:
    """The datapath as :class:`pyovn.controller.dpif.Datapath` describes it."""

    iface_types: Collection[str] = ("internal", "system", "patch", *sorted(TUNNEL_TYPES))

    def __init__(self, chassis: str = "", model: SbModel | None = None, *,
                 port_mode: str | None = None, clock: Callable[[], float] = time.monotonic,
                 cache: bool = True) -> None:
        self.chassis = chassis
        self.model = model if model is not None else SbModel()
        self.tables = LogicalTables(self.model)
        self.host = Host(self)
        self.executor = SegmentExecutor(self.model, self.tables, self.host,
                                  egress_cleared=EGRESS_CLEARED, peer_cleared=PEER_CLEARED)
        self.executor.dph = self.host
        self.conntrack = Conntrack()
        self.defrag = Reassembler()
        self.cache = FlowCache()
        self.use_cache = cache
        self.clock = clock
        self.port_mode = port_mode or default_port_mode()
        self.bridges: dict[str, Bridge] = {}
        self.ifaces: dict[str, BridgePort] = {}
        self.lport_iface: dict[str, BridgePort] = {}
        self.mappings: dict[str, str] = {}  # physical network -> bridge
        self.switches: dict[str, LearningSwitch] = {}  # provider bridge -> its MAC table
        self.zones = Zones()
        self.learnt_macs: dict[tuple[str, int], int] = {}
        self.learnt_fdb: dict[tuple[int, int], str] = {}
        self.on_learn: Callable[[Any], None] | None = None
        self.on_ready: Callable[[], None] | None = None
        self.stats: dict[str, int] = {"rx": 0, "tx": 0, "drop": 0, "remote": 0, "slow": 0,
                                      "fast": 0, "bad": 0}
        self._seen = -1
        self._compiled: set[int] = set()  # keys of the local datapaths compiled at _seen
        self._loop: asyncio.AbstractEventLoop | None = None
        self._expiry: asyncio.Task[None] | None = None
        self._readers: dict[str, Any] = {}
        self._out: dict[str, list[tuple[VnetHdr | None, bytes]]] = {}

    # --- lifecycle ---------------------------------------------------------------------------
    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        for bp in self.ifaces.values():
            self._watch(bp)
        self._expiry = self._loop.create_task(self._expire_loop())

    async def _expire_loop(self, every: float = 5.0) -> None:
        """Connections past their timeout go (conntrack only drops them when asked)."""
        while True:
            await asyncio.sleep(every)
            self.conntrack.expire(self.clock())
            self.defrag.expire(self.clock())

    async def close(self) -> None:
        if self._expiry is not None:
            self._expiry.cancel()
            self._expiry = None
        for name in list(self.ifaces):
            self.remove_port(name)
        self._loop = None

    def set_chassis(self, name: str) -> None:
        if name != self.chassis:
            self.chassis = name
            self.cache.clear()

    # --- ports (vswitchd's role) ---------------------------------------------------------------
    def add_port(self, bridge: str, name: str, iface_type: str, options: Mapping[str, str],
                 ofport_request: int | None = None) -> int:
        if name in self.ifaces:
            self.remove_port(name)
        br = self.bridges.get(bridge)
        if br is None:
            br = self.bridges[bridge] = Bridge(bridge)
        type_ = iface_type or "system"
        is_local = name == bridge
        if type_ not in ("internal", "system", "patch", *TUNNEL_TYPES):
            raise DatapathError(f"{name}: interface type {iface_type!r} is not supported")
        io = None
        if type_ in ("internal", "system"):
            io = open_io(name, "internal" if is_local else type_, self.port_mode)
        ofport = br.allocate_ofport(ofport_request, is_local and type_ == "internal")
        bp = BridgePort(name, br, type_, ofport, dict(options), io)
        br.ports[name] = bp
        br.by_ofport[ofport] = bp
        self.ifaces[name] = bp
        if self._loop is not None:
            self._watch(bp)
        return ofport

    def remove_port(self, name: str) -> None:
        bp = self.ifaces.pop(name, None)
        if bp is None:
            return
        if bp.logical_port is not None:
            self.unbind(name)
        reader = self._readers.pop(name, None)
        if reader is not None:
            reader.close()
        bp.bridge.ports.pop(name, None)
        if bp.bridge.by_ofport.get(bp.ofport) is bp:
            del bp.bridge.by_ofport[bp.ofport]
        sw = self.switches.get(bp.bridge.name)
        if sw is not None:
            sw.forget_port(bp)
        if bp.io is not None:
            bp.io.close()
        if not bp.bridge.ports:
            self.bridges.pop(bp.bridge.name, None)

    def port_status(self, name: str) -> Mapping[str, Any]:
        bp = self.ifaces.get(name)
        if bp is None or bp.io is None:
            return {}
        io = bp.io
        return {"mac_in_use": io.mac, "ifindex": io.ifindex, "mtu": io.mtu,
                "link_state": "up", "admin_state": "up"}

    def _watch(self, bp: BridgePort) -> None:
        if bp.io is None or self._loop is None or bp.name in self._readers:
            return
        from pyovn.datapath.io import attach_reader

        self._readers[bp.name] = attach_reader(
            self._loop, bp.io, lambda port, batch, bp=bp: self.receive_batch(bp, batch),
            on_gone=lambda port, err, bp=bp: self._gone(bp, err))

    def _gone(self, bp: BridgePort, err: Exception) -> None:
        log.warning("%s: device gone (%s)", bp.name, err)
        reader = self._readers.pop(bp.name, None)
        if reader is not None:
            reader.close()

    # --- bindings ----------------------------------------------------------------------------
    def bind(self, iface: str, logical_port: str) -> None:
        bp = self.ifaces.get(iface)
        if bp is None:
            raise DatapathError(f"{iface}: no such interface")
        if bp.logical_port == logical_port:
            return
        if bp.logical_port is not None:
            self.unbind(iface)
        bp.logical_port = logical_port
        self.lport_iface[logical_port] = bp
        self._seen = -1  # its datapath may not be compiled yet: the next sync looks
        self.cache.invalidate(ports=[logical_port])
        self.cache.invalidate_start(("in", logical_port))
        pb = self.model.ports.get(logical_port)
        if pb is not None and pb.datapath is not None:
            self.cache.invalidate(datapaths=[pb.datapath.key])

    def unbind(self, iface: str) -> None:
        bp = self.ifaces.get(iface)
        if bp is None or bp.logical_port is None:
            return
        lp = bp.logical_port
        bp.logical_port = None
        if self.lport_iface.get(lp) is bp:
            del self.lport_iface[lp]
        self.zones.release(lp)
        self.cache.invalidate(ports=[lp])
        self.cache.invalidate_start(("in", lp))
        pb = self.model.ports.get(lp)
        if pb is not None and pb.datapath is not None:
            self.cache.invalidate(datapaths=[pb.datapath.key])

    def set_bridge_mappings(self, mappings: Mapping[str, str]) -> None:
        if dict(mappings) != self.mappings:
            self.mappings = dict(mappings)
            self.cache.clear()

    # --- the Southbound ----------------------------------------------------------------------
    def sync(self) -> None:
        """Takes in what the model changed since the last call: the cache entries that depend
        on it go, the local datapaths' flows are compiled."""
        model = self.model
        if model.version == self._seen:
            return
        self._seen = model.version
        ch = model.drain_changes()
        if ch.load_balancers or ch.chassis:
            self.cache.clear()
        else:
            dps = set(ch.datapaths) | {t[0] for t in ch.tables}
            for lp, _ip in ch.mac_bindings:
                pb = model.ports.get(lp)
                if pb is not None and pb.datapath is not None:
                    dps.add(pb.datapath.key)
            dps |= {k for k, _mac in ch.fdb}
            self.cache.invalidate(datapaths=dps, ports=ch.ports)
        local = {pb.datapath.key: pb.datapath for lp in self.lport_iface
                 if (pb := model.ports.get(lp)) is not None and pb.datapath is not None}
        for dp in local.values():
            self.tables.compile_datapath(dp)
        self._compiled = set(local)
        if self.on_ready is not None:
            self.on_ready()

    def port_ready(self, logical_port: str) -> bool:
        self.sync()
        if logical_port not in self.lport_iface:
            return False
        pb = self.model.ports.get(logical_port)
        return pb is not None and pb.datapath is not None and pb.datapath.key in self._compiled

    def flows_current(self) -> bool:
        self.sync()
        return True

    def dns_records(self, dp: LogicalDatapath) -> Mapping[str, str]:
        """What ``dns_lookup`` answers from in ``dp``: its DNS rows' records, merged."""
        return self.model.dns_records(dp)

    # --- learning ------------------------------------------------------------------------------
    def learn_mac(self, dp: LogicalDatapath, port: str, kind: str, ip: int, mac: int) -> None:
        if self.learnt_macs.get((port, ip)) == mac:
            return
        self.learnt_macs[(port, ip)] = mac
        self.cache.invalidate(datapaths=[dp.key])
        if self.on_learn is not None:
            from pyovn.controller.dpif import LearntMacBinding

            text = str(ipaddress.IPv6Address(ip) if kind == "nd"
                       else ipaddress.IPv4Address(ip & MASK32))
            self.on_learn(LearntMacBinding(port, text, format_mac(mac), dp.key))

    def learn_fdb(self, dp: LogicalDatapath, port: str, mac: int) -> None:
        if self.learnt_fdb.get((dp.key, mac)) == port:
            return
        self.learnt_fdb[(dp.key, mac)] = port
        self.cache.invalidate(datapaths=[dp.key])
        pb = self.model.ports.get(port)
        if self.on_learn is not None and pb is not None:
            from pyovn.controller.dpif import LearntFdb

            self.on_learn(LearntFdb(format_mac(mac), dp.key, pb.key))

    # --- packets in ----------------------------------------------------------------------------
    def receive_batch(self, bp: BridgePort, batch: list[tuple[VnetHdr | None, bytes]]) -> None:
        self.sync()
        for hdr, frame in batch:
            self.receive(bp, hdr, frame)
        self.flush()

    def receive(self, bp: BridgePort, hdr: VnetHdr | None, frame: bytes) -> None:
        """One frame read from ``bp`` (call :meth:`flush` after a batch)."""
        self.stats["rx"] += 1
        if bp.bridge.name in self.mappings.values() and bp.logical_port is None:
            self._from_provider(bp, hdr, frame)
            return
        lp = bp.logical_port
        pb = self.model.ports.get(lp) if lp is not None else None
        if pb is None or pb.datapath is None:
            self.stats["drop"] += 1
            return
        try:
            flow, pkt = parse(frame, hdr is not None and hdr.needs_csum)
        except PacketError:
            self.stats["bad"] += 1
            return
        fr = self._input_frame(bp, flow, pkt, hdr)
        if fr is None:
            return
        flow = fr.flow
        flow["inport"] = pb.name
        flow[PKT_LEN] = fr.frame.frag[0] if fr.frame.frag else _wire_len(hdr, frame)
        self.process(("in", pb.name), pb.datapath, flow, fr.frame)

    def _input_frame(self, bp: BridgePort, flow: Flow, pkt: Packet,
                     hdr: VnetHdr | None) -> WalkInput | None:
        """The frame as the pipelines see it: a fragment waits for the rest of its datagram
        (conntrack tracks whole datagrams, as OVS's ct() reassembles); None: held."""
        if not flow.get("ip.frag"):
            return WalkInput(flow, Frame(pkt, hdr))
        whole = self.defrag.add(bp.name, pkt, self.clock())
        if whole is None:
            return None
        frame, largest, ident = whole
        flow, pkt = parse(frame)
        return WalkInput(flow, Frame(pkt, None, (largest, ident)))

    def process(self, start: Any, dp: LogicalDatapath, flow: Flow, fr: Frame) -> None:
        """The ingress of ``dp`` for ``flow`` (from the cache, else walked and recorded)."""
        if self.use_cache:
            entry = self.cache.lookup(start, flow)
            if entry is not None:
                self.stats["fast"] += 1
                self._replay(entry.effects, flow, fr)
                return
        self.stats["slow"] += 1
        host, ex = self.host, self.executor
        seg = WalkSegment(start, dict(flow))
        saved_seg = host.seg
        host.seg = seg
        host.frames.append(fr)
        try:
            ex.run(dp, flow, seg.reads)
        finally:
            host.frames.pop()
            host.seg = saved_seg
        self._store(seg)

    def continue_at(self, ex: SegmentExecutor, dp: LogicalDatapath, resume: tuple[int, str, int],
                    flow: Flow, fr: Frame) -> None:
        """After a conntrack operation: the segment at ``resume`` for ``flow``."""
        if self.use_cache:
            entry = self.cache.lookup(resume, flow)
            if entry is not None:
                self._replay(entry.effects, flow, fr)
                return
        host = self.host
        seg = WalkSegment(resume, dict(flow))
        seg.datapaths.add(dp.key)  # no pipeline entry to note it: the walk resumes inside dp
        host.seg = seg
        pushed = not host.frames or host.frames[-1] is not fr
        if pushed:
            host.frames.append(fr)
        try:
            ex.resume_at(dp, resume[1], resume[2], flow, seg.reads)
        finally:
            if pushed:
                host.frames.pop()
        self._store(seg)

    def _store(self, seg: WalkSegment) -> None:
        if not (self.use_cache and seg.cacheable):
            return
        seg.reads.discard(ALL)
        seg.reads -= VOLATILE
        reads = {k: seg.flow0.get(k, UNSET) for k in seg.reads}
        self.cache.insert(seg.start, reads, seg.effects, seg.datapaths, seg.ports)

    def _replay(self, effects: list[Effect], flow: Flow, fr: Frame) -> None:
        for eff in effects:
            f = apply_changes(flow, eff.changes)
            kind = eff.kind
            if kind == "deliver":
                self.deliver(eff.args[0], f, fr)
            elif kind == "ct":
                op, resume = eff.args
                dp_key = resume[0] if resume is not None else None
                dp = self.model.datapath_by_key.get(dp_key) if dp_key is not None else None
                if dp is None and resume is not None:
                    continue
                if resume is None:  # ct_snat_to_vip: in place, nothing follows from here
                    continue
                f[CHASSIS_RESIDENT_KEY] = self.host.is_resident  # type: ignore[assignment]
                if self.conntrack_op(dp, op, f, fr):  # type: ignore[arg-type]
                    self.continue_at(self.executor, dp, resume, f, fr)  # type: ignore[arg-type]
            elif kind == "commit":
                dp = None
                self.commit(dp, f, eff.args[0], fr)
            elif kind == "remote":
                self.stats["remote"] += 1

    # --- conntrack -----------------------------------------------------------------------------
    def _zone(self, dp: LogicalDatapath | None, flow: Flow, snat: bool) -> int:
        if dp is not None and dp.is_router or DNAT_ZONE_REG in flow and ZONE_REG not in flow:
            v = flow.get(SNAT_ZONE_REG if snat else DNAT_ZONE_REG, 0)
        else:
            v = flow.get(ZONE_REG, 0)
        return int(v) & 0xFFFF if isinstance(v, int) else 0

    def conntrack_op(self, dp: LogicalDatapath | None, op: tuple[str, Any], flow: Flow,
                     fr: Frame | None = None) -> bool:
        """Runs a recirculating conntrack action on ``flow``; False: the packet stops.  An ICMP
        error is looked up by the packet it quotes (``rel``), which NAT rewrites in ``fr``."""
        if fr is not None and is_icmp_error(flow):
            quote = quoted(fr.pkt)
            if quote is not None:
                inner = dict(quote.flow)
                go = self._conntrack_op(dp, op, flow, inner)
                frame = requote(fr.pkt, quote, inner)
                if frame is not None:
                    fr.pkt = parse(frame)[1]
                    fr.hdr = None  # the checksums are whole now
                return go
        return self._conntrack_op(dp, op, flow, None)

    def _conntrack_op(self, dp: LogicalDatapath | None, op: tuple[str, Any], flow: Flow,
                      inner: Flow | None) -> bool:
        kind, action = op
        now = self.clock()
        ct = self.conntrack
        if kind == "next":
            ct.lookup(self._zone(dp, flow, False), flow, now, inner=inner)
            return True
        if kind == "lb":
            assert isinstance(action, CtLb)
            zone = self._zone(dp, flow, False)
            backends = _lb_backends(action)
            if not backends:
                ct.lookup(zone, flow, now, nat=True, inner=inner)
                return True
            ct.lb(zone, flow, now, backends, hash_fields=action.hash_fields,
                  use_mark=action.mark, ct_flag=action.ct_flag, inner=inner)
            return True
        if isinstance(action, CtNat):
            # ct_dnat, ct_snat, ct_dnat_in_czone, ct_snat_in_czone: only plain ct_snat uses
            # the SNAT zone; the "common zone" is the DNAT one.
            snat = action.kind == "ct_snat"
            zone = self._zone(dp, flow, snat)
            target = _nat_target(action)
            if target is None:
                ct.lookup(zone, flow, now, nat=True, inner=inner)
                return True
            ct.nat(zone, flow, now, "snat" if "snat" in action.kind else "dnat", target,
                   inner=inner)
            return True
        # Simple: ct_commit_nat (continues), ct_snat_to_vip (in place)
        assert isinstance(action, Simple)
        if action.keyword == "ct_snat_to_vip":
            vip = flow.get("__ct_nw_dst__") or flow.get("__ct_ipv6_dst__")
            if isinstance(vip, int) and vip:
                ct.nat(self._zone(dp, flow, True), flow, now, "snat", NatTarget(vip),
                       inner=inner)
            return True
        ct.commit(self._zone(dp, flow, False), flow, now, nat=True, inner=inner)
        return True

    def commit(self, dp: LogicalDatapath | None, flow: Flow,
               args: tuple[int | None, int, int | None, int], fr: Frame | None = None) -> None:
        mark, mark_mask, label, label_mask = args
        copy = dict(flow)  # ct_commit does not recirculate: the packet keeps its ct fields
        quote = quoted(fr.pkt) if fr is not None and is_icmp_error(flow) else None
        self.conntrack.commit(self._zone(dp, copy, False), copy, self.clock(), mark=mark,
                              mark_mask=mark_mask or MASK32, label=label,
                              label_mask=label_mask or MASK128,
                              inner=dict(quote.flow) if quote is not None else None)

    def lb_hairpin(self, dp: LogicalDatapath, flow: Flow, reply: bool) -> int:
        """chk_lb_hairpin: a load-balanced packet sent by the backend it was sent to;
        chk_lb_hairpin_reply: that connection's reply.

        OVN commits the hairpin SNAT (ct_snat_to_vip) in a zone of its own, so the reply
        (backend -> VIP) reaches this check untranslated; here both NATs are in the port's
        zone and the reply arrives translated back (VIP -> backend) with both ``snat`` and
        ``dnat`` in its state, which only a hairpinned connection's reply has."""
        state = int(flow.get("ct_state", 0) or 0)
        if reply:
            return 1 if state & 0x08 and state & 0xC0 == 0xC0 else 0  # rpl, snat and dnat
        if not state & 0x80:  # dnat
            return 0
        for k in ("ip4", "ip6"):
            src, dst = flow.get(f"{k}.src"), flow.get(f"{k}.dst")
            if src is not None and src == dst:
                return 1
        return 0

    # --- packets out ---------------------------------------------------------------------------
    def deliver(self, lport: str, flow: Flow, fr: Frame) -> None:
        pb = self.model.ports.get(lport)
        if pb is not None and pb.type in ("localnet", "l2gateway"):
            self._to_provider(pb, flow, fr)
            return
        bp = self.lport_iface.get(lport)
        if bp is None or bp.io is None:
            self.stats["drop"] += 1
            return
        try:
            frame = serialize(flow, fr.pkt)
        except PacketError:
            self.stats["bad"] += 1
            return
        if fr.frag is not None and len(frame) > fr.frag[0]:
            for piece in fragment(frame, *fr.frag):
                self._queue(bp, None, piece)
            return
        self._queue(bp, out_hdr(fr.hdr, fr.pkt, frame), frame)

    def _queue(self, bp: BridgePort, hdr: VnetHdr | None, frame: bytes) -> None:
        self._out.setdefault(bp.name, []).append((hdr, frame))
        self.stats["tx"] += 1

    def flush(self) -> None:
        out, self._out = self._out, {}
        for name, batch in out.items():
            bp = self.ifaces.get(name)
            if bp is not None and bp.io is not None:
                bp.io.send_batch(batch)

    # --- provider bridges (localnet, l2gateway) ---------------------------------------------
    def _network_of(self, pb: PortBinding) -> str | None:
        return pb.options.get("network_name")

    def _to_provider(self, pb: PortBinding, flow: Flow, fr: Frame) -> None:
        net = self._network_of(pb)
        br_name = self.mappings.get(net or "")
        br = self.bridges.get(br_name or "")
        if br is None:
            self.stats["drop"] += 1
            return
        f = dict(flow)
        if pb.tag:
            f["vlan.tci"] = 0x1000 | (int(pb.tag) & 0xFFF)
        try:
            frame = serialize(f, fr.pkt)
        except PacketError:
            self.stats["bad"] += 1
            return
        sw = self.switches.setdefault(br.name, LearningSwitch())
        ports = [p for p in br.ports.values() if p.io is not None and p.ofport != OFPP_LOCAL]
        dst = int(flow.get("eth.dst", 0) or 0)
        pieces = [(out_hdr(fr.hdr, fr.pkt, frame), frame)]
        if fr.frag is not None and len(frame) > fr.frag[0]:
            pieces = [(None, piece) for piece in fragment(frame, *fr.frag)]
        for p in sw.targets(dst, None, ports):
            for h, piece in pieces:
                self._queue(p, h, piece)

    def _from_provider(self, bp: BridgePort, hdr: VnetHdr | None, frame: bytes) -> None:
        try:
            flow, pkt = parse(frame, hdr is not None and hdr.needs_csum)
        except PacketError:
            self.stats["bad"] += 1
            return
        sw = self.switches.setdefault(bp.bridge.name, LearningSwitch())
        sw.learn(int(flow.get("eth.src", 0) or 0), bp)
        # NORMAL between the bridge's own ports.
        others = [p for p in bp.bridge.ports.values()
                  if p is not bp and p.io is not None and p.ofport != OFPP_LOCAL]
        for p in sw.targets(int(flow.get("eth.dst", 0) or 0), bp, others):
            self._queue(p, hdr, frame)
        nets = {n for n, b in self.mappings.items() if b == bp.bridge.name}
        inp = self._input_frame(bp, flow, pkt, hdr)
        if inp is None:
            return
        flow, wire = inp.flow, inp.frame
        tci = int(flow.get("vlan.tci", 0) or 0)
        vid = tci & 0xFFF if tci & 0x1000 else None
        for pb in (p for d in self.model.datapaths.values() for p in d.localnet.values()):
            if pb.options.get("network_name") not in nets or pb.datapath is None:
                continue
            if (int(pb.tag) if pb.tag else None) != vid:
                continue
            f = dict(flow)
            if vid is not None:
                f["vlan.tci"] = 0
            f["inport"] = pb.name
            f[PKT_LEN] = wire.frag[0] if wire.frag else _wire_len(hdr, frame)
            self.process(("in", pb.name), pb.datapath, f, Frame(wire.pkt, wire.hdr, wire.frag))


def out_hdr(hdr: VnetHdr | None, pkt: Packet, frame: bytes) -> VnetHdr | None:
    """The offload header of ``frame``, ``pkt`` serialized: a VLAN tag pushed or popped on the
    way moved the L3 header by 4 bytes, and the header's offsets with it."""
    if hdr is None:
        return None
    delta = len(frame) - len(pkt.data)
    return hdr.shifted(delta) if delta else hdr


def _wire_len(hdr: VnetHdr | None, frame: bytes) -> int:
    if hdr is not None and hdr.is_gso:
        return hdr.hdr_len + hdr.gso_size
    return len(frame)


def _lb_backends(action: CtLb) -> list[tuple[int, int]]:
    return [(b.ip, b.port) for b in action.backends]


def _nat_target(action: CtNat) -> NatTarget | None:
    if action.ip is None:
        return None
    if action.has_ports:
        return NatTarget(action.ip, port_lo=action.port_lo, port_hi=action.port_hi)
    return NatTarget(action.ip)
