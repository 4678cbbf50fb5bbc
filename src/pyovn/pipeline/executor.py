"""The pipeline executor: one packet through the logical pipelines, as ovn-controller's flows do.

``Executor(model, tables, host)`` implements pyovn.logical's ``ActionContext`` with the
semantics the logical flows are written against (ovn-architecture(7), "Logical-to-physical
translation"):

* ``run(dp, flow)`` runs the ingress pipeline of ``dp`` from table 0 (``flow["inport"]`` set);
  ``run_egress(dp, flow)`` runs the egress pipeline (``flow["outport"]`` set: a packet another
  chassis sent); ``resume_at(dp, pipeline, table, flow)`` starts at any table (a datapath's
  recirculation after conntrack).  A table's first matching flow (``pyovn.pipeline.tables``) runs its compiled
  program; ``next`` runs another table as a subroutine (what it changes stays changed); no
  match drops.  Tables whose flow is ``1 => next;`` are passed over without a call.
* ``output`` in ingress: ``outport`` names a port of the datapath or a multicast group.
  Registers reg0..reg9 and flags are cleared for egress (``egress_cleared``: what ovn-trace
  clears; ovn-controller keeps flags).  A multicast group runs egress once per
  member (by tunnel key); a member that is the inport is skipped unless ``flags.loopback`` is
  set, and so is a unicast outport equal to the inport.  A chassisredirect port resident here is
  replaced by its distributed port; elsewhere it goes to its chassis.  A port that needs a
  chassis (VIF, l2gateway, l3gateway, chassisredirect...) and is not resident goes to
  ``host.remote`` with the flow egress would have started with — except in a switch with a
  localnet port, where VIFs of other chassis are reached through the localnet port (egress runs
  for it; multicast members on other chassis are left to the localnet port, a member too).
* ``output`` in egress delivers: through a patch or l3gateway port into the peer datapath's
  ingress (inport = the peer; registers kept, as ovn-trace does, but for ``peer_cleared``),
  else ``host.deliver(port, flow)``.
* Conntrack, packets built by actions, controller actions, MAC bindings, FDB, checks and
  select go to the ``Host``; the executor continues at the table a conntrack action names once
  the host returns (``ct_nat``/``ct_lb`` may say the packet stops).  Port security checks
  (``check_in_port_sec``/``check_out_port_sec``) are answered from the Southbound
  (``pyovn.pipeline.portsec``).
* ``host.load_metadata(dp, pipeline, port, flow)`` is called whenever a pipeline is entered
  (run, a patch peer's ingress, each egress) so a datapath can load what ovn-controller loads
  there (conntrack zones).  ``is_chassis_resident()`` asks ``host.is_resident``.
* At most ``max_depth`` nested tables (a loop in the flows stops there).

Recording: with a ``recorder`` (trace), the executor reports each pipeline, table, output,
redirect and drop to it, and lets it run each matched flow's actions (it records them one by
one, calling back into the executor for ``next``, ``output`` and the conntrack continuations).
Without one (the datapath), each flow's whole compiled program runs, and the only cost of the
recording hooks is a ``None`` test at each pipeline and output.  ``reads``: when a set is given
to ``run``, the executor adds the read set of every table it looks up and every flow it runs
(``pyovn.pipeline.tables``), which is what a flow cache entry must be keyed on.
"""

from __future__ import annotations

import ipaddress
import sys
from collections.abc import Callable
from typing import Any, Protocol

from pyovn.logical.actions import (
    Action,
    CtLb,
    CtNat,
    FwdGroup,
    Program,
    Result,
    Select,
    Simple,
)
from pyovn.logical.flow import CHASSIS_RESIDENT_KEY, Flow, format_mac
from pyovn.pipeline.portsec import in_port_sec, out_port_sec
from pyovn.pipeline.sbmodel import SbModel
from pyovn.pipeline.sbtypes import LOCAL_TYPES, LogicalDatapath, McGroup, PortBinding
from pyovn.pipeline.tables import ROUTING_READS, CompiledFlow, CompiledTable, LogicalTables

__all__ = [
    "EGRESS_CLEARED",
    "MAX_DEPTH",
    "BaseHost",
    "Executor",
    "Host",
    "Recorder",
]

MAX_DEPTH = 400
# Registers ovn-controller clears between ingress and egress (all but inport/outport).
EGRESS_CLEARED = frozenset((*(f"reg{i}" for i in range(10)), "flags"))
_FLAG_LOOPBACK = 1
# Port types a switch with a localnet port reaches on other chassis through the localnet port.
_BRIDGED_TYPES = frozenset(("", "virtual", "external"))


class Host(Protocol):
    """What the environment provides (the datapath, trace, tests).  ``dp`` is the datapath
    whose pipeline is running."""

    def is_resident(self, port: str) -> bool:
        """``is_chassis_resident(port)``: the port is bound to this chassis."""

    def load_metadata(self, dp: LogicalDatapath, pipeline: str, port: PortBinding | None,
                      flow: Flow) -> None:
        """A pipeline is entered through ``port`` (the inport for ingress, the outport for
        egress): load what the environment keeps per port or datapath (conntrack zones)."""

    def deliver(self, port: PortBinding, flow: Flow) -> None:
        """The packet leaves through ``port`` (after its egress pipeline)."""

    def remote(self, port: PortBinding, chassis: str | None, flow: Flow) -> None:
        """``port`` is bound to another chassis (None: to none): send ``flow`` there, where
        egress runs (``Executor.run_egress``)."""

    def ct_next(self, dp: LogicalDatapath, flow: Flow) -> None:
        """Conntrack lookup: set ct_state (and ct_mark, ct_label...) in ``flow`` (a copy)."""

    def ct_commit(self, dp: LogicalDatapath, flow: Flow, program: Program | None) -> None: ...

    def ct_nat(self, dp: LogicalDatapath, flow: Flow, action: CtNat | Simple) -> bool:
        """NAT ``flow`` (a copy, except for ``ct_snat_to_vip``); False: the packet stops."""

    def ct_lb(self, dp: LogicalDatapath, flow: Flow, action: CtLb) -> bool:
        """Load balance ``flow`` (a copy); False: the packet stops."""

    def ct_clear(self, dp: LogicalDatapath, flow: Flow) -> None: ...

    def emit(self, dp: LogicalDatapath, kind: str, flow: Flow, resume: Callable[[Flow], None]) -> None:
        """A packet built by an action (``kind`` as ``ActionContext.emit``); ``resume(flow)``
        runs the action's nested actions on it where the action sits (now or later)."""

    def controller(self, dp: LogicalDatapath, flow: Flow, action: Action) -> int: ...

    def mac_binding(self, dp: LogicalDatapath, flow: Flow, kind: str, port: str | int,
                    ip: int) -> int | None: ...

    def put_mac_binding(self, dp: LogicalDatapath, flow: Flow, kind: str, port: str | int, ip: int,
                        mac: int) -> None: ...

    def fdb_get(self, dp: LogicalDatapath, flow: Flow, mac: int) -> str | None: ...

    def put_fdb(self, dp: LogicalDatapath, flow: Flow, port: str | int, mac: int) -> None: ...

    def check(self, dp: LogicalDatapath, flow: Flow, action: Action) -> int:
        """check_pkt_larger, chk_lb_hairpin(_reply), chk_ecmp_nh(_mac), chk_lb_aff."""

    def select(self, dp: LogicalDatapath, flow: Flow, action: Select) -> int: ...

    def fwd_group(self, dp: LogicalDatapath, flow: Flow, action: FwdGroup) -> str | None: ...

    def effect(self, dp: LogicalDatapath, flow: Flow, action: Action) -> None: ...


class Recorder(Protocol):
    """What a recording executor reports (trace builds its tree from it).  ``enter_*`` calls
    are matched by one ``leave`` each."""

    def enter_pipeline(self, dp: LogicalDatapath, pipeline: str, flow: Flow) -> None:
        """A pipeline starts at its table 0 (run, a patch peer) or ``next(pipeline=...)``."""

    def enter_egress(self, dp: LogicalDatapath, flow: Flow, port: PortBinding | None, member: bool,
                     runs: bool) -> None:
        """``output`` in ingress starts egress for ``port`` (a multicast member when
        ``member``; ``runs`` False when the loopback rule skips it)."""

    def enter_multicast(self, dp: LogicalDatapath, group: McGroup) -> None: ...

    def enter_transformation(self, flow: Flow) -> None:
        """A conntrack action continues with the packet the host just changed."""

    def leave(self) -> None: ...

    def lookup(self, table: CompiledTable, entry: CompiledFlow, flow: Flow) -> None:
        """``entry`` matched ``flow`` in ``table`` (also for tables passed over)."""

    def table(self, ex: Executor, dp: LogicalDatapath, pipeline: str, table: int,
              entry: CompiledFlow | None, flow: Flow) -> None:
        """Run (and record) ``entry``'s actions on ``flow`` with ``ex`` as their context; None:
        nothing matched."""

    def dropped(self, reason: str, dp: LogicalDatapath, flow: Flow, outport: str) -> None:
        """"null-outport", "unknown-outport" (the packet goes on regardless), "loopback",
        "bad-chassisredirect" or "too-deep"."""

    def output(self, dp: LogicalDatapath, outport: str, port: PortBinding | None,
               group: McGroup | None) -> None:
        """``output`` in egress (before the peer's ingress or the delivery)."""

    def delivered(self, dp: LogicalDatapath, outport: str, port: PortBinding | None,
                  group: McGroup | None) -> None: ...

    def redirected(self, dp: LogicalDatapath, cr: PortBinding, dist: PortBinding) -> None:
        """A chassisredirect outport was replaced by its distributed port."""


class Executor:
    """Runs packets through an SbModel's logical pipelines (module docstring)."""

    def __init__(
        self,
        model: SbModel,
        tables: LogicalTables | None = None,
        host: Host | None = None,
        recorder: Recorder | None = None,
        *,
        max_depth: int = MAX_DEPTH,
        member_order: str = "key",
        egress_cleared: frozenset[str] = EGRESS_CLEARED,
        peer_cleared: frozenset[str] = frozenset(),
    ) -> None:
        self.model = model
        self.tables = tables if tables is not None else LogicalTables(model)
        self.host: Host = host if host is not None else BaseHost(model)
        self.rec = recorder
        self.max_depth = max_depth
        self.member_order = member_order  # "key" (ovn-controller) or "name" (ovn-trace)
        # Keys dropped between ingress and egress, and on the way into a patch peer's ingress
        # (ovn-trace's defaults; ovn-controller keeps flags for egress and clears more at a
        # patch port: the datapath passes its own sets).
        self.egress_cleared = egress_cleared
        self.peer_cleared = peer_cleared
        self.dp: LogicalDatapath | None = None  # where the running flow is
        self.pipeline = "ingress"
        self.depth = 0
        self.reads: set[str] | None = None
        self.too_deep = 0  # packets stopped by max_depth (statistics)
        # Each nested table is a few Python frames.
        sys.setrecursionlimit(max(sys.getrecursionlimit(), max_depth * 16 + 200))

    # --- entry points ----------------------------------------------------------------------
    def run(self, dp: LogicalDatapath, flow: Flow, reads: set[str] | None = None) -> None:
        """The ingress pipeline of ``dp`` from table 0 on a copy of ``flow``."""
        self._start(dp, "ingress", flow, reads)

    def run_egress(self, dp: LogicalDatapath, flow: Flow, reads: set[str] | None = None) -> None:
        """The egress pipeline of ``dp`` from table 0 (a packet from another chassis)."""
        self._start(dp, "egress", flow, reads)

    def _start(self, dp: LogicalDatapath, pipeline: str, flow: Flow, reads: set[str] | None) -> None:
        flow = dict(flow)
        flow[CHASSIS_RESIDENT_KEY] = self.host.is_resident  # type: ignore[assignment]
        saved = (self.dp, self.pipeline, self.depth, self.reads)
        self.dp, self.pipeline, self.depth, self.reads = dp, pipeline, 0, reads
        try:
            port = self.model.port_in(dp, str(flow.get("inport" if pipeline == "ingress"
                                                         else "outport", "")))
            self.host.load_metadata(dp, pipeline, port, flow)
            rec = self.rec
            if rec is None:
                self._table(flow, pipeline, 0)
            else:
                rec.enter_pipeline(dp, pipeline, flow)
                self._table(flow, pipeline, 0)
                rec.leave()
        finally:
            self.dp, self.pipeline, self.depth, self.reads = saved

    def resume_at(self, dp: LogicalDatapath, pipeline: str, table: int, flow: Flow,
                  reads: set[str] | None = None) -> None:
        """A new run that starts at ``table`` of ``pipeline`` in ``dp`` on ``flow`` itself (not
        a copy): a packet back from a recirculation (conntrack) the datapath did not cache."""
        flow.setdefault(CHASSIS_RESIDENT_KEY, self.host.is_resident)  # type: ignore[arg-type]
        saved = (self.dp, self.pipeline, self.depth, self.reads)
        self.dp, self.pipeline, self.depth, self.reads = dp, pipeline, 0, reads
        try:
            self._table(flow, pipeline, table)
        finally:
            self.dp, self.pipeline, self.depth, self.reads = saved

    def goto(self, flow: Flow, pipeline: str, table: int) -> None:
        """Continue at ``table`` of ``pipeline`` ("" = the current one) in the current
        datapath, as a subroutine (for recorders running actions themselves)."""
        self._table(flow, pipeline or self.pipeline, table)

    # --- tables ----------------------------------------------------------------------------
    def _table(self, flow: Flow, pipeline: str, table: int) -> None:
        dp = self.dp
        assert dp is not None
        flows = dp.flows
        rec = self.rec
        reads = self.reads
        while True:
            ft = flows.get((pipeline, table))
            if ft is None:
                e = None
                break
            ct = ft.compiled or self.tables._compile(ft)
            e = ct.lookup(flow)
            if reads is not None:
                reads |= ct.reads
            if e is None or not e.trivial:
                break
            if rec is not None:
                rec.lookup(ct, e, flow)
            table += 1
        if rec is not None and e is not None:
            rec.lookup(ct, e, flow)
        self.depth += 1
        saved = self.pipeline
        try:
            if self.depth > self.max_depth:
                self.too_deep += 1
                if rec is not None:
                    rec.dropped("too-deep", dp, flow, "")
                return
            self.pipeline = pipeline
            if rec is not None:
                rec.table(self, dp, pipeline, table, e, flow)
            elif e is not None:
                if reads is not None:
                    reads |= e.code.action_reads
                e.program(flow, self)
        finally:
            self.depth -= 1
            self.pipeline = saved

    # --- ActionContext: tables and outputs -------------------------------------------------
    def next(self, flow: Flow, pipeline: str, table: int) -> None:
        rec = self.rec
        if rec is not None and pipeline != self.pipeline:
            assert self.dp is not None
            rec.enter_pipeline(self.dp, pipeline, flow)
            self._table(flow, pipeline, table)
            rec.leave()
        else:
            self._table(flow, pipeline or self.pipeline, table)

    def drop(self, flow: Flow) -> None:
        """An empty action list: nothing to do (the packet goes nowhere)."""

    def output(self, flow: Flow) -> None:
        if self.reads is not None:
            self.reads |= ROUTING_READS
        if self.pipeline == "egress":
            self._egress_output(flow)
        else:
            self._ingress_output(flow)

    def _ingress_output(self, flow: Flow) -> None:  # noqa: C901 - one branch per port kind
        dp = self.dp
        assert dp is not None
        rec = self.rec
        model = self.model
        outport = flow.get("outport", "")
        if outport == "" or outport == "none":
            if rec is not None:
                rec.dropped("null-outport", dp, flow, "")
            return
        assert isinstance(outport, str)
        pb = model.port_in(dp, outport)
        group = model.mcgroups.get((dp.uuid, outport)) if pb is None else None
        if pb is None and group is None and rec is not None:
            rec.dropped("unknown-outport", dp, flow, outport)
        cleared = self.egress_cleared
        eflow = {k: v for k, v in flow.items() if k not in cleared}
        inport = flow.get("inport", "")
        flags = flow.get("flags", 0)
        loopback = bool(flags & _FLAG_LOOPBACK) if isinstance(flags, int) else False
        if group is not None:
            self._multicast(dp, group, eflow, inport, loopback)
            return
        if pb is not None and pb.type == "chassisredirect":
            if not self.host.is_resident(pb.name):
                self.host.remote(pb, pb.chassis, eflow)
                return
            dist = model.port_in(dp, pb.distributed_port or "")
            if dist is None:
                if rec is not None:
                    rec.dropped("bad-chassisredirect", dp, flow, outport)
                return
            if rec is not None:
                rec.redirected(dp, pb, dist)
            pb = dist
            eflow["outport"] = dist.name
        if (pb is not None and pb.name != inport) or loopback:
            if pb is not None and pb.type not in LOCAL_TYPES and not self.host.is_resident(
                    pb.name):
                ln = dp.localnet_port if pb.type in _BRIDGED_TYPES else None
                if ln is None:
                    self.host.remote(pb, pb.chassis, eflow)
                    return
                pb = ln
                eflow["outport"] = ln.name
            if rec is None:
                self._egress(dp, pb, eflow)
            else:
                rec.enter_egress(dp, eflow, pb, False, True)
                self._egress(dp, pb, eflow)
                rec.leave()
        elif rec is not None:
            rec.dropped("loopback", dp, flow, outport)

    def _multicast(self, dp: LogicalDatapath, group: McGroup, eflow: Flow, inport: Any,
                   loopback: bool) -> None:
        rec = self.rec
        host = self.host
        members = group.members()
        if self.member_order == "name":
            members = sorted(members, key=lambda p: p.name)
        bridged = dp.localnet_port is not None
        if rec is not None:
            rec.enter_multicast(dp, group)
        for m in members:
            runs = m.name != inport or loopback
            if rec is not None:
                rec.enter_egress(dp, eflow, m, True, runs)
            if not runs:
                if rec is not None:
                    rec.dropped("loopback", dp, eflow, m.name)
            elif m.type in LOCAL_TYPES or host.is_resident(m.name):
                mflow = dict(eflow)
                mflow["outport"] = m.name
                self._egress(dp, m, mflow)
            elif not bridged:
                mflow = dict(eflow)
                mflow["outport"] = m.name
                host.remote(m, m.chassis, mflow)
            if rec is not None:
                rec.leave()
        if rec is not None:
            rec.leave()

    def _egress(self, dp: LogicalDatapath, port: PortBinding | None, flow: Flow) -> None:
        self.host.load_metadata(dp, "egress", port, flow)
        self._table(flow, "egress", 0)

    def _egress_output(self, flow: Flow) -> None:
        dp = self.dp
        assert dp is not None
        rec = self.rec
        model = self.model
        outport = flow.get("outport", "")
        if outport == "" or outport == "none":
            if rec is not None:
                rec.dropped("null-outport", dp, flow, "")
            return
        assert isinstance(outport, str)
        pb = model.port_in(dp, outport)
        group = model.mcgroups.get((dp.uuid, outport)) if pb is None else None
        if rec is not None:
            if pb is None and group is None:
                rec.dropped("unknown-outport", dp, flow, outport)
            rec.output(dp, outport, pb, group)
        if pb is not None:
            peer_name = pb.peer
            peer = model.ports.get(peer_name) if peer_name else None
            if peer is not None and peer.datapath is not None:
                nflow = dict(flow)
                nflow["inport"] = peer.name
                nflow.pop("outport", None)
                for k in self.peer_cleared:
                    nflow.pop(k, None)
                self._enter_peer(peer.datapath, peer, nflow)
                return
        if rec is not None:
            rec.delivered(dp, outport, pb, group)
        if pb is not None:
            self.host.deliver(pb, flow)

    def _enter_peer(self, dp: LogicalDatapath, port: PortBinding, flow: Flow) -> None:
        saved = (self.dp, self.pipeline)
        self.dp, self.pipeline = dp, "ingress"
        try:
            self.host.load_metadata(dp, "ingress", port, flow)
            rec = self.rec
            if rec is None:
                self._table(flow, "ingress", 0)
            else:
                rec.enter_pipeline(dp, "ingress", flow)
                self._table(flow, "ingress", 0)
                rec.leave()
        finally:
            self.dp, self.pipeline = saved

    # --- ActionContext: connection tracking ------------------------------------------------
    def _resume(self, flow: Flow, pipeline: str, table: int) -> None:
        rec = self.rec
        if rec is None:
            self._table(flow, pipeline or self.pipeline, table)
        else:
            rec.enter_transformation(flow)
            self._table(flow, pipeline or self.pipeline, table)
            rec.leave()

    def ct_next(self, flow: Flow, pipeline: str, table: int) -> None:
        assert self.dp is not None
        self.host.ct_next(self.dp, flow)
        self._resume(flow, pipeline, table)

    def ct_commit(self, flow: Flow, program: Program | None) -> None:
        assert self.dp is not None
        self.host.ct_commit(self.dp, flow, program)

    def ct_nat(self, flow: Flow, action: CtNat | Simple) -> None:
        assert self.dp is not None
        if self.host.ct_nat(self.dp, flow, action) and action.table >= 0:
            self._resume(flow, action.pipeline, action.table)

    def ct_lb(self, flow: Flow, action: CtLb) -> None:
        assert self.dp is not None
        if self.host.ct_lb(self.dp, flow, action):
            self._resume(flow, action.pipeline, action.table)

    def ct_clear(self, flow: Flow) -> None:
        assert self.dp is not None
        self.host.ct_clear(self.dp, flow)

    # --- ActionContext: everything else ----------------------------------------------------
    def emit(self, kind: str, flow: Flow, program: Program) -> None:
        dp, pipeline = self.dp, self.pipeline
        assert dp is not None

        def resume(new: Flow) -> None:
            saved = (self.dp, self.pipeline)
            self.dp, self.pipeline = dp, pipeline
            try:
                program(new, self)
            finally:
                self.dp, self.pipeline = saved

        self.host.emit(dp, kind, flow, resume)

    def mac_binding(self, flow: Flow, kind: str, port: str, ip: int) -> int | None:
        assert self.dp is not None
        return self.host.mac_binding(self.dp, flow, kind, port, ip)

    def put_mac_binding(self, flow: Flow, kind: str, port: str, ip: int, mac: int) -> None:
        assert self.dp is not None
        self.host.put_mac_binding(self.dp, flow, kind, port, ip, mac)

    def fdb_get(self, flow: Flow, mac: int) -> str | None:
        assert self.dp is not None
        return self.host.fdb_get(self.dp, flow, mac)

    def put_fdb(self, flow: Flow, port: str, mac: int) -> None:
        assert self.dp is not None
        self.host.put_fdb(self.dp, flow, port, mac)

    def port_key(self, port: str) -> int:
        pb = self.model.ports.get(port)
        return pb.key if pb is not None else 0

    def controller(self, flow: Flow, action: Action) -> int:
        assert self.dp is not None
        return self.host.controller(self.dp, flow, action)

    def check(self, flow: Flow, action: Action) -> int:
        assert self.dp is not None
        if isinstance(action, Result) and action.func in ("check_in_port_sec",
                                                           "check_out_port_sec"):
            return port_security_check(self.model, flow, action.func == "check_in_port_sec")
        return self.host.check(self.dp, flow, action)

    def select(self, flow: Flow, action: Select) -> int:
        assert self.dp is not None
        return self.host.select(self.dp, flow, action)

    def fwd_group(self, flow: Flow, action: FwdGroup) -> str | None:
        assert self.dp is not None
        return self.host.fwd_group(self.dp, flow, action)

    def effect(self, flow: Flow, action: Action) -> None:
        assert self.dp is not None
        self.host.effect(self.dp, flow, action)


def port_security_check(model: SbModel, flow: Flow, ingress: bool) -> int:
    """1 when ``flow`` fails the inport's (ingress) or outport's (egress) port security."""
    pb = model.ports.get(str(flow.get("inport" if ingress else "outport", "")))
    if pb is None:
        return 0
    check = in_port_sec if ingress else out_port_sec
    return 1 if check(pb.port_security, flow) else 0


class BaseHost:
    """A host with the Southbound's answers and no environment: ports resident when bound to
    ``chassis``; deliveries and remote sends dropped; conntrack leaves packets untracked;
    packets built by actions run at once; MAC bindings and FDB from the model; ``select``
    picks the first member; checks answer 0.  Subclass what an environment does for real."""

    def __init__(self, model: SbModel, chassis: str | None = None) -> None:
        self.model = model
        self.chassis = chassis

    def is_resident(self, port: str) -> bool:
        pb = self.model.ports.get(port)
        return pb is not None and pb.chassis is not None and pb.chassis == self.chassis

    def load_metadata(self, dp: LogicalDatapath, pipeline: str, port: PortBinding | None,
                      flow: Flow) -> None:
        return None

    def deliver(self, port: PortBinding, flow: Flow) -> None:
        return None

    def remote(self, port: PortBinding, chassis: str | None, flow: Flow) -> None:
        return None

    def ct_next(self, dp: LogicalDatapath, flow: Flow) -> None:
        return None

    def ct_commit(self, dp: LogicalDatapath, flow: Flow, program: Program | None) -> None:
        return None

    def ct_nat(self, dp: LogicalDatapath, flow: Flow, action: CtNat | Simple) -> bool:
        return True

    def ct_lb(self, dp: LogicalDatapath, flow: Flow, action: CtLb) -> bool:
        return True

    def ct_clear(self, dp: LogicalDatapath, flow: Flow) -> None:
        return None

    def emit(self, dp: LogicalDatapath, kind: str, flow: Flow, resume: Callable[[Flow], None]) -> None:
        resume(flow)

    def controller(self, dp: LogicalDatapath, flow: Flow, action: Action) -> int:
        return 0

    def port_name(self, dp: LogicalDatapath, port: str | int) -> str:
        """A port operand (a name, or a tunnel key of ``dp``) as a name ("" if unknown)."""
        if isinstance(port, int):
            pb = dp.ports_by_key.get(port)
            return pb.name if pb is not None else ""
        return port

    def mac_binding(self, dp: LogicalDatapath, flow: Flow, kind: str, port: str | int,
                    ip: int) -> int | None:
        text = str(ipaddress.IPv6Address(ip) if kind == "nd"
                   else ipaddress.IPv4Address(ip & 0xFFFFFFFF))
        mb = self.model.lookup_mac_binding(dp, self.port_name(dp, port), text)
        return int(mb.mac.replace(":", ""), 16) if mb is not None else None

    def put_mac_binding(self, dp: LogicalDatapath, flow: Flow, kind: str, port: str | int, ip: int,
                        mac: int) -> None:
        return None

    def fdb_get(self, dp: LogicalDatapath, flow: Flow, mac: int) -> str | None:
        pb = self.model.fdb_port(dp, format_mac(mac))
        return pb.name if pb is not None else None

    def put_fdb(self, dp: LogicalDatapath, flow: Flow, port: str | int, mac: int) -> None:
        return None

    def check(self, dp: LogicalDatapath, flow: Flow, action: Action) -> int:
        return 0

    def select(self, dp: LogicalDatapath, flow: Flow, action: Select) -> int:
        return action.members[0][0]

    def fwd_group(self, dp: LogicalDatapath, flow: Flow, action: FwdGroup) -> str | None:
        return action.child_ports[0] if action.child_ports else None

    def effect(self, dp: LogicalDatapath, flow: Flow, action: Action) -> None:
        return None
