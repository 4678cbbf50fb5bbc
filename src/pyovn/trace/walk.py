"""The pipeline walk: one packet through the logical pipelines, recorded as a trace tree.

The tree has the shape ovn-trace(8) builds, because its three output formats are defined on
that shape (``pyovn.trace.output``):

* a *table* node holds the flow that matched; its children are the flow's actions, each an
  *action* node followed by the nodes of what the action did;  ``next`` puts the next table's
  node among them (tables nest), tables whose only flow is ``1 => next;`` are passed over;
* ``next(pipeline=P, ...)`` adds a *pipeline* node ``P(dp=..., inport|outport=...)``;
* ``output`` in ingress adds the egress pipeline of ``outport`` (a multicast group: one per
  member, in name order, inside a ``multicast(...)`` node; a chassisredirect port is replaced
  by its distributed port); registers reg0..reg9 and flags are cleared for egress;  in egress
  it delivers: ``/* output to "p", type "t" */`` then, through a patch or l3gateway port, the
  peer datapath's ingress (registers kept), else ``output("p")``;
* conntrack actions (``ct_next``, ``ct_lb``, ``ct_dnat``...) continue the walk on a copy of
  the packet under a *transformation* node, taking ct_state from the next ``--ct`` flag
  (default est|trk); the original packet goes on with the actions after them;
* packet-building actions (``arp``, ``icmp4``, ``reject``...) run their nested actions on the
  packet ``pyovn.trace.packets`` makes;
* effects on the packet are *modify* nodes, surprises are *error* nodes.

The walk interprets each action (rather than running the compiled program) because every action
must leave a trace; plain assignments reuse the compiled form of that one action.
"""

from __future__ import annotations

import ipaddress
import json
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field

from pyovn.logical.actions import (
    Action,
    CtLb,
    CtNat,
    DecTtl,
    Exchange,
    GetFdb,
    GetMacBind,
    Load,
    Log,
    LookupFdb,
    LookupMacBind,
    Move,
    Nested,
    Next,
    PushPop,
    PutOpts,
    Result,
    Select,
    Simple,
    compile_actions,
)
from pyovn.logical.flow import (
    CHASSIS_RESIDENT_KEY,
    FieldRef,
    Flow,
    format_field_value,
    read_field,
    write_field,
)
from pyovn.trace.microflow import format_uflow
from pyovn.trace.nodes import Node, NodeType
from pyovn.trace.packets import get_tp_dst, make_packet
from pyovn.trace.portsec import in_port_sec, out_port_sec
from pyovn.trace.sbmodel import Datapath, LogicalFlow, SbModel

__all__ = ["CT_FLAGS", "TraceOptions", "Walker", "format_ct_state", "parse_ct_flags"]

# OVS's ct_state bits, in the order it prints them.
CT_FLAGS = {
    "new": 0x01, "est": 0x02, "rel": 0x04, "rpl": 0x08,
    "inv": 0x10, "trk": 0x20, "snat": 0x40, "dnat": 0x80,
}
CS_TRK = CT_FLAGS["trk"]
CS_DNAT = CT_FLAGS["dnat"]
CS_SNAT = CT_FLAGS["snat"]
DEFAULT_CT = CT_FLAGS["est"] | CS_TRK
_DEFAULT_COMMENT = " /* default (use --ct to customize) */"
# Registers ovn-controller clears between ingress and egress (all but inport/outport).
_EGRESS_CLEARED = (*(f"reg{i}" for i in range(10)), "flags")
# Where ct_lb remembers the original destination (OVS's ct_nw_dst / ct_ipv6_dst / ct_tp_dst).
CT_NW_DST, CT_IP6_DST, CT_TP_DST = "__ct_nw_dst__", "__ct_ipv6_dst__", "__ct_tp_dst__"
_CT_KEYS = ("ct_state", "ct_mark", "ct_label", "ct_zone", CT_NW_DST, CT_IP6_DST, CT_TP_DST)
MAX_DEPTH = 400


def parse_ct_flags(text: str) -> int:
    """``--ct`` flags (``new``, ``est,rpl``, ``+trk+new``...) -> ct_state bits (trk implied)."""
    state = CS_TRK
    for word in text.replace("|", ",").replace("+", ",").split(","):
        word = word.strip()
        if not word:
            continue
        if word not in CT_FLAGS:
            raise ValueError(f"{word}: unknown connection tracking state flag")
        state |= CT_FLAGS[word]
    return state


def format_ct_state(state: int) -> str:
    return "|".join(n for n, bit in CT_FLAGS.items() if state & bit)


@dataclass
class TraceOptions:
    ct: list[int] = field(default_factory=list)
    lb_dst: tuple[int, bool, int] | None = None  # (ip, is ipv6, port or 0)
    select_id: int | None = None
    friendly_names: bool = True


@dataclass
class _Ctx:
    """Where actions run: datapath, pipeline, table, and the node their nodes go under."""

    dp: Datapath
    pipeline: str
    table: int
    node: Node

    def add(self, type_: NodeType, text: str, **info: object) -> Node:
        return self.node.add(type_, text, **info)


def _is_register(ref: FieldRef) -> bool:
    bases = {s.base for s in ref.segments}
    return all(b.startswith("reg") or b in ("flags", "inport", "outport") for b in bases)


def _value_text(ref: FieldRef, value: int | str) -> str:
    """A value read from ``ref`` as ovn-trace shows it in an assignment's effect."""
    if isinstance(value, str):
        return format_field_value(ref, value)
    if ref.is_whole and not ref.symbol.name.startswith(("reg", "xreg", "xxreg")):
        text = format_field_value(ref, value)
        if not text.isdigit():
            return text
    return f"{value:#x}"


class Walker:
    """Walks packets through an SbModel's logical pipelines."""

    def __init__(self, model: SbModel, options: TraceOptions | None = None) -> None:
        self.model = model
        self.opts = options or TraceOptions()
        self._ct = list(self.opts.ct)
        self._lb_dst = self.opts.lb_dst  # ct_lb with backends uses it once
        self._depth = 0
        self.bucket_tie = False

    # --- entry point ----------------------------------------------------------------------
    def trace(self, dp: Datapath, flow: Flow) -> Node:
        """The trace tree (a root whose children are the top-level nodes)."""
        # Each table is a few Python frames; MAX_DEPTH tables must fit.
        sys.setrecursionlimit(max(sys.getrecursionlimit(), MAX_DEPTH * 12))
        root = Node(NodeType.PIPELINE, "")
        inport = str(flow.get("inport", ""))
        pnode = root.add(
            NodeType.PIPELINE,
            f'ingress(dp="{self._dp_name(dp)}", inport="{self._port_name(dp, inport)}")',
            dp=dp, pipeline="ingress",
        )
        flow = dict(flow)
        # ovn-trace is not chassis specific: every port that exists is taken as resident.
        flow[CHASSIS_RESIDENT_KEY] = self._resident
        self.table(dp, flow, "ingress", 0, pnode)
        root.info["bucket_tie"] = self.bucket_tie
        return root

    def _resident(self, port: str) -> bool:
        return not port or port in self.model.ports

    def _dp_name(self, dp: Datapath) -> str:
        nb_uuid = dp.external_ids.get("logical-switch") or dp.external_ids.get(
            "logical-router") or dp.uuid
        if not self.opts.friendly_names:
            return nb_uuid
        return _shorten_uuid(dp.external_ids.get("name2") or dp.name or nb_uuid)

    def _port_name(self, dp: Datapath, name: str) -> str:
        """The name ovn-trace shows for a port of ``dp`` ("" for none, "(unnamed)")."""
        if not name:
            return ""
        pb = self.model.ports.get(name)
        if pb is None or pb.datapath is not dp:
            return "(unnamed)"
        return self._friendly_port(pb.name)

    def _friendly_port(self, name: str) -> str:
        pb = self.model.ports.get(name)
        if pb is None or not self.opts.friendly_names:
            return name
        return _shorten_uuid(pb.external_ids.get("name") or pb.name)

    def _friendly_text(self, text: str) -> str:
        """``text`` (a match or an action) with quoted port names made friendly."""
        if not self.opts.friendly_names or '"' not in text:
            return text
        return _QUOTED.sub(lambda m: _quote(self._friendly_port(_unquote(m.group(0))))
                           if _unquote(m.group(0)) in self.model.ports else m.group(0), text)

    # --- tables ---------------------------------------------------------------------------
    def lookup(self, dp: Datapath, flow: Flow, pipeline: str, table: int) -> LogicalFlow | None:
        flows = dp.table(pipeline, table)
        for i, f in enumerate(flows):
            if f.matcher(self.model)(flow):
                self._check_tie(f, flows[i + 1:], flow)
                return f
        return None

    def _check_tie(self, f: LogicalFlow, rest: list[LogicalFlow], flow: Flow) -> None:
        """Notes (in ``bucket_tie``) when another flow of the same priority in the same hash
        bucket also matches: ovn-trace's choice between them depends on its hash table's
        history, which the walk does not model."""
        mask = self.model.flow_mask
        bucket = int(f.uuid[:8], 16) & mask
        for g in rest:
            if g.priority != f.priority or int(g.uuid[:8], 16) & mask != bucket:
                break
            if g.matcher(self.model)(flow):
                self.bucket_tie = True
                return

    def table(self, dp: Datapath, flow: Flow, pipeline: str, table: int, super_: Node) -> None:
        while True:
            f = self.lookup(dp, flow, pipeline, table)
            if f is None or not self._trivial(f, table):
                break
            table += 1
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                super_.add(NodeType.ERROR, "*** Too many nested actions; stopping trace.")
                return
            if f is None:
                stage = _stage_name(dp, pipeline, table)
                super_.add(
                    NodeType.TABLE,
                    f"{table:2d}. {stage + ': ' if stage else ''}no match (implicit drop)",
                    dp=dp, pipeline=pipeline, table=table, flow_state=dict(flow),
                )
                return
            head = f"{f.stage_name} ({f.source}): " if f.stage_name and f.source else (
                f"{f.stage_name}: " if f.stage_name else f"({f.source}): " if f.source else "")
            node = super_.add(
                NodeType.TABLE,
                f"{table:2d}. {head}{self._friendly_text(f.match)}, priority {f.priority}, uuid {f.uuid[:8]}",
                dp=dp, pipeline=pipeline, table=table, lflow=f, flow_state=dict(flow),
            )
            parsed = f.parsed(self.model)
            if parsed is None:
                node.add(NodeType.ERROR, f"*** error parsing {f.error}")
                return
            self.actions(parsed.actions, flow, _Ctx(dp, pipeline, table, node))
        finally:
            self._depth -= 1

    def _trivial(self, f: LogicalFlow, table: int) -> bool:
        if f.match.strip() != "1":
            return False
        parsed = f.parsed(self.model)
        if parsed is None or len(parsed.actions) != 1:
            return False
        a = parsed.actions[0]
        return isinstance(a, Next) and a.pipeline == f.pipeline and a.table == table + 1

    # --- actions --------------------------------------------------------------------------
    def actions(self, actions: Sequence[Action], flow: Flow, ctx: _Ctx) -> None:
        if not actions:
            ctx.add(NodeType.ACTION, "drop;", drop=True)
            return
        stack: list[int] = []
        for a in actions:
            ctx.add(NodeType.ACTION, self._friendly_text(a.to_string()))
            self.action(a, flow, ctx, stack)

    def action(self, a: Action, flow: Flow, ctx: _Ctx, stack: list[int]) -> None:  # noqa: C901
        """Runs one action (its ACTION node is already there)."""
        if isinstance(a, Load):
            self._load(a, flow, ctx)
        elif isinstance(a, Move | Exchange):
            before = dict(flow)
            compile_actions([a])(flow, _NULL_CTX)
            pairs = [(a.dst, a.src)] if isinstance(a, Move) else [(a.a, a.b), (a.b, a.a)]
            for dst, src in pairs:
                if not _is_register(dst):
                    v = read_field_any(before, src)
                    ctx.add(NodeType.MODIFY, f"{dst} = {_value_text(src, v)}")
        elif isinstance(a, PushPop):
            self._push_pop(a, flow, ctx, stack)
        elif isinstance(a, Next):
            self.next(a, flow, ctx)
        elif isinstance(a, DecTtl):
            if flow.get("eth.type") in (0x0800, 0x86DD):
                ttl = int(flow.get("ip.ttl", 0))
                if ttl:
                    flow["ip.ttl"] = ttl - 1
                    ctx.add(NodeType.MODIFY, "ip.ttl--")
                else:
                    ctx.add(NodeType.ERROR, "*** TTL underflow", drop=True)
            else:
                ctx.add(NodeType.ERROR, "*** TTL decrement of non-IP packet", drop=True)
        elif isinstance(a, Simple):
            self.simple(a, flow, ctx)
        elif isinstance(a, Nested):
            if a.kind != "ct_commit":
                made = make_packet(a.kind, flow)
                if made is not None:
                    new, title = made
                    node = ctx.add(NodeType.TRANSFORMATION, title)
                    self.actions(a.actions, new, _Ctx(ctx.dp, ctx.pipeline, ctx.table, node))
        elif isinstance(a, CtNat):
            self.ct_nat(a, flow, ctx)
        elif isinstance(a, CtLb):
            self.ct_lb(a, flow, ctx)
        elif isinstance(a, Select):
            self.select(a, flow, ctx)
        elif isinstance(a, GetMacBind):
            mac = self._mac_binding(ctx.dp, flow, a.port, a.ip)
            flow["eth.dst"] = mac or 0
            ctx.add(NodeType.ACTION,
                    f"/* MAC binding to {_mac(mac)}. */" if mac is not None
                    else "/* No MAC binding. */")
            ctx.add(NodeType.MODIFY, f"eth.dst = {_mac(mac or 0)}")
        elif isinstance(a, LookupMacBind):
            mac = self._mac_binding(ctx.dp, flow, a.port, a.ip)
            if a.mac is not None:
                found = mac is not None and mac == read_field(flow, a.mac)
                text = (f"/* MAC binding to {_mac(int(flow.get('eth.dst', 0)))} found. */"
                        if found else "/* lookup failed - No MAC binding. */")
            else:
                found = mac is not None
                text = "/* MAC binding found. */" if found else (
                    "/* lookup failed - No MAC binding. */")
            ctx.add(NodeType.ACTION, text)
            write_field(flow, a.dst, 1 if found else 0)
        elif isinstance(a, LookupFdb):
            port = self._fdb(ctx.dp, read_field(flow, a.mac))
            found = port is not None and port == self._port_key_of(flow, a.port)
            ctx.add(NodeType.ACTION,
                    f"/* MAC lookup for {_mac(int(flow.get('eth.dst', 0)))} found in FDB. */"
                    if found else "/* lookup mac failed in mac learning table. */")
            write_field(flow, a.dst, 1 if found else 0)
        elif isinstance(a, GetFdb):
            key = self._fdb(ctx.dp, read_field(flow, a.mac)) or 0
            if a.dst.is_string:
                # Port key 0 (not learnt) is what OVN's matches call "none".
                pb = self.model.port_by_key(ctx.dp, key)
                flow[a.dst.symbol.storage[0].base] = pb.name if pb is not None else "none"
            else:
                write_field(flow, a.dst, key)
        elif isinstance(a, PutOpts):
            self._put_opts(a, flow, ctx)
        elif isinstance(a, Result):
            self.result(a, flow, ctx)
        elif isinstance(a, Log):
            ctx.add(
                NodeType.TRANSFORMATION,
                f"LOG: ACL name={a.log_name or '<unnamed>'}, direction="
                f"{'IN' if ctx.pipeline == 'ingress' else 'OUT'}, verdict={a.verdict}, "
                f'severity={a.severity}, packet="{format_uflow(flow, self._port_key)}"',
            )
        # Everything else (put_arp, set_queue, check_pkt_larger, fwd_group, trigger_event...)
        # only talks to ovn-controller or the datapath's side tables: nothing to trace.

    def _load(self, a: Load, flow: Flow, ctx: _Ctx) -> None:
        if a.dst.symbol.ovn_field:
            ctx.add(NodeType.MODIFY, f"{a.dst.symbol.name} = {a.value.value}")
            return
        if not _is_register(a.dst):
            ctx.add(NodeType.MODIFY, a.to_string().rstrip(";"))
        compile_actions([a])(flow, _NULL_CTX)

    def _push_pop(self, a: PushPop, flow: Flow, ctx: _Ctx, stack: list[int]) -> None:
        if a.push:
            v = read_field(flow, a.field)
            stack.append(v)
            ctx.add(NodeType.MODIFY, f"push({a.field}) -> {v:#x}")
        elif stack:
            v = stack.pop()
            write_field(flow, a.field, v & ((1 << a.field.n_bits) - 1))
            ctx.add(NodeType.MODIFY, f"pop({a.field}) <- {v:#x}")
        else:
            ctx.add(NodeType.MODIFY, f"pop({a.field}) <- /* empty stack */")

    def _put_opts(self, a: PutOpts, flow: Flow, ctx: _Ctx) -> None:
        if a.func in ("put_dhcp_opts", "put_dhcpv6_opts"):
            ctx.add(NodeType.ERROR,
                    "/* We assume that this packet is DHCPDISCOVER or DHCPREQUEST. */")
        ctx.add(NodeType.MODIFY, a.to_string().split(" = ", 1)[1].rstrip(";"))
        if not _is_register(a.dst):
            ctx.add(NodeType.MODIFY, f"{a.dst} = 1")
        write_field(flow, a.dst, 1)

    def _port_key(self, name: str) -> int:
        p = self.model.ports.get(name)
        return p.key if p is not None else 0

    def _port_key_of(self, flow: Flow, ref: FieldRef) -> int:
        v = read_field_any(flow, ref)
        return self._port_key(v) if isinstance(v, str) else v

    def next(self, a: Next, flow: Flow, ctx: _Ctx) -> None:
        node = ctx.node
        if a.pipeline != ctx.pipeline:
            which = "inport" if a.pipeline == "ingress" else "outport"
            node = ctx.add(
                NodeType.PIPELINE,
                f'{a.pipeline}(dp="{self._dp_name(ctx.dp)}", '
                f'{which}="{self._port_name(ctx.dp, str(flow.get(which, "")))}")',
                dp=ctx.dp, pipeline=a.pipeline,
            )
        self.table(ctx.dp, flow, a.pipeline, a.table, node)

    def simple(self, a: Simple, flow: Flow, ctx: _Ctx) -> None:
        k = a.keyword
        if k == "output":
            self.output(flow, ctx)
        elif k == "ct_next":
            state, comment = self._next_ct()
            node = ctx.add(
                NodeType.TRANSFORMATION, f"ct_next(ct_state={format_ct_state(state)}{comment})"
            )
            ct_flow = dict(flow)
            ct_flow["ct_state"] = state
            self.table(ctx.dp, ct_flow, a.pipeline or ctx.pipeline, a.table, node)
        elif k == "ct_clear":
            for key in _CT_KEYS:
                flow.pop(key, None)
        elif k == "ct_snat_to_vip":
            vip = self._vip(flow)
            if vip is not None and vip[1] == int(flow.get(CT_TP_DST, 0)):
                ctx.add(NodeType.ACTION, f"/* nat(src={vip[0]}) */")
        elif k == "ct_commit_nat":
            ct_flow = dict(flow)
            text = "ct_commit_nat /* assuming no un-nat entry, so no change */"
            if not int(ct_flow.get("ct_state", 0)) & CS_TRK:
                state, comment = self._next_ct()
                ct_flow["ct_state"] = int(ct_flow.get("ct_state", 0)) | state
                text += comment
            node = ctx.add(NodeType.TRANSFORMATION, text)
            self.table(ctx.dp, ct_flow, a.pipeline or ctx.pipeline, a.table, node)

    # --- output ---------------------------------------------------------------------------
    def output(self, flow: Flow, ctx: _Ctx) -> None:  # noqa: C901
        dp = ctx.dp
        outport = str(flow.get("outport", ""))
        if outport in ("", "none"):
            ctx.add(NodeType.ERROR, "*** output to null logical port", drop=True)
            return
        pb = self.model.ports.get(outport)
        if pb is not None and pb.datapath is not dp:
            pb = None
        group = self.model.mcgroup(dp, outport) if pb is None else None
        out_name = self._port_name(dp, outport) if pb is not None else (
            outport if group is not None else "(unnamed)")
        if pb is None and group is None:
            ctx.add(NodeType.ERROR, f"*** unknown port or multicast group {outport}", drop=True)
        if ctx.pipeline == "egress":
            ctx.add(NodeType.OUTPUT,
                    f'/* output to "{out_name}", type "{pb.type if pb else ""}" */')
            peer = self.model.ports.get(pb.peer) if pb is not None and pb.peer else None
            if peer is not None:
                pnode = ctx.add(
                    NodeType.PIPELINE,
                    f'ingress(dp="{self._dp_name(peer.datapath)}", '
                    f'inport="{self._port_name(peer.datapath, peer.name)}")',
                    dp=peer.datapath, pipeline="ingress",
                )
                nflow = dict(flow)
                nflow["inport"] = peer.name
                nflow.pop("outport", None)
                self.table(peer.datapath, nflow, "ingress", 0, pnode)
            else:
                ctx.add(NodeType.MODIFY, f'output("{out_name}")', delivered=outport)
            return
        eflow = {k: v for k, v in flow.items() if k not in _EGRESS_CLEARED}
        inport = str(flow.get("inport", ""))
        in_name = self._port_name(dp, inport)
        loopback = bool(int(flow.get("flags", 0)) & 1)
        if group is not None:
            mnode = ctx.add(
                NodeType.PIPELINE, f'multicast(dp="{self._dp_name(dp)}", mcgroup="{outport}")',
                dp=dp, multicast=True,
            )
            for port in sorted(group.ports):
                enode = mnode.add(
                    NodeType.PIPELINE,
                    f'egress(dp="{self._dp_name(dp)}", inport="{in_name}", '
                    f'outport="{self._port_name(dp, port)}")',
                    dp=dp, pipeline="egress",
                )
                if port != inport or loopback:
                    enode.info["always_indent"] = True
                    mflow = dict(eflow)
                    mflow["outport"] = port
                    self.table(dp, mflow, "egress", 0, enode)
                else:
                    enode.add(NodeType.OUTPUT, "/* omitting output because inport == outport "
                              "&& !flags.loopback */", drop=True)
            return
        if pb is not None and pb.type == "chassisredirect":
            dist = self.model.ports.get(pb.distributed_port or "")
            if dist is None or dist.datapath is not dp:
                ctx.add(NodeType.ERROR, f'*** output to type "chassisredirect" port "{out_name}"'
                        " with no or invalid distributed port", drop=True)
                return
            ctx.add(NodeType.OUTPUT, f'/* Replacing type "chassisredirect" outport "{out_name}"'
                    f' with distributed port "{self._port_name(dp, dist.name)}". */')
            pb = dist
            out_name = self._port_name(dp, dist.name)
            eflow["outport"] = dist.name
        if (pb is not None and pb.name != inport) or loopback:
            enode = ctx.add(
                NodeType.PIPELINE,
                f'egress(dp="{self._dp_name(dp)}", inport="{in_name}", outport="{out_name}")',
                dp=dp, pipeline="egress",
            )
            self.table(dp, eflow, "egress", 0, enode)
        else:
            ctx.add(NodeType.OUTPUT,
                    "/* omitting output because inport == outport && !flags.loopback */",
                    drop=True)

    # --- connection tracking --------------------------------------------------------------
    def _next_ct(self) -> tuple[int, str]:
        if self._ct:
            return self._ct.pop(0), ""
        return DEFAULT_CT, _DEFAULT_COMMENT

    def ct_lb(self, a: CtLb, flow: Flow, ctx: _Ctx) -> None:
        ct_flow = dict(flow)
        comment = ""
        eth = flow.get("eth.type", 0)
        if eth in (0x0800, 0x86DD):
            v6 = eth == 0x86DD
            dst: tuple[int, int] | None = None
            lb = self._lb_dst
            if a.backends:
                fam = [b for b in a.backends if b.ipv6 == v6]
                for b in fam:
                    if lb is not None and lb[1] == v6 and b.ip == lb[0]:
                        self._lb_dst = None
                        dst = (b.ip, b.port)
                        break
                if dst is None and fam:
                    # ovn-trace picks at random; the first is as good (use --lb-dst).
                    dst = (fam[0].ip, fam[0].port)
                if dst is None:
                    ctx.add(NodeType.ERROR,
                            "*** no load balancing destination (use --lb-dst)", drop=True)
            elif lb is not None and lb[1] == v6:
                dst = (lb[0], lb[2])
            if dst is not None:
                key = "ip6.dst" if v6 else "ip4.dst"
                ct_flow[CT_IP6_DST if v6 else CT_NW_DST] = int(flow.get(key, 0))
                ct_flow[CT_TP_DST] = get_tp_dst(flow)
                ct_flow[key] = dst[0]
                if dst[1]:
                    for l4 in ("tcp.dst", "udp.dst", "sctp.dst"):
                        ct_flow[l4] = dst[1]
                    ct_flow["icmp4.code"] = ct_flow["icmp6.code"] = dst[1] & 0xFF
                ct_flow["ct_state"] = int(ct_flow.get("ct_state", 0)) | CS_DNAT
            state, comment = self._next_ct()
            ct_flow["ct_state"] = int(ct_flow.get("ct_state", 0)) | state
        name = "ct_lb_mark" if a.mark else "ct_lb"
        node = ctx.add(NodeType.TRANSFORMATION, f"{name}{comment}")
        self.table(ctx.dp, ct_flow, a.pipeline or ctx.pipeline, a.table, node)

    def ct_nat(self, a: CtNat, flow: Flow, ctx: _Ctx) -> None:
        is_dst = a.kind.startswith("ct_dnat")
        if not is_dst and a.ip is None and any(p.type == "l3gateway" for p in ctx.dp.ports):
            return  # "ct_snat;" has no visible effect in a gateway router
        d = "dst" if is_dst else "src"
        text = f"ct_{d[0]}nat{'in_czone' if a.kind.endswith('_in_czone') else ''}"
        ct_flow = dict(flow)
        if a.ip is not None:
            fam = "ip6" if a.ipv6 else "ip4"
            text += f"({fam}.{d}={a.ip_string()})"
            ct_flow[f"{fam}.{d}"] = a.ip
            ct_flow["ct_state"] = int(ct_flow.get("ct_state", 0)) | (CS_DNAT if is_dst else CS_SNAT)
        else:
            text += f" /* assuming no un-{d[0]}nat entry, so no change */"
        if not int(ct_flow.get("ct_state", 0)) & CS_TRK:
            state, comment = self._next_ct()
            ct_flow["ct_state"] = int(ct_flow.get("ct_state", 0)) | state
            text += comment
        node = ctx.add(NodeType.TRANSFORMATION, text)
        self.table(ctx.dp, ct_flow, a.pipeline or ctx.pipeline, a.table, node)

    # --- other actions --------------------------------------------------------------------
    def select(self, a: Select, flow: Flow, ctx: _Ctx) -> None:
        ids = [m for m, _ in a.members]
        if self.opts.select_id is not None and self.opts.select_id in ids:
            chosen, comment = self.opts.select_id, ""
        else:
            # ovn-trace picks at random; the first is as good (use --select-id).
            chosen, comment = ids[0], " /* Randomly selected. Use --select-id to specify. */"
        sflow = dict(flow)
        write_field(sflow, a.dst, chosen)
        node = ctx.add(NodeType.TRANSFORMATION, f"select: {a.dst} = {chosen}{comment}")
        self.table(ctx.dp, sflow, a.pipeline or ctx.pipeline, a.table, node)

    def result(self, a: Result, flow: Flow, ctx: _Ctx) -> None:
        func = a.func
        value = 0
        if func in ("check_in_port_sec", "check_out_port_sec"):
            port = str(flow.get("inport" if func == "check_in_port_sec" else "outport", ""))
            pb = self.model.ports.get(port)
            check = in_port_sec if func == "check_in_port_sec" else out_port_sec
            why = check(pb.port_security, flow) if pb is not None else None
            value = 1 if why else 0
            if why:
                ctx.node.info.setdefault("port_sec", (port, why, pb.port_security if pb else []))
        elif func == "dns_lookup":
            ctx.add(NodeType.ERROR, "*** dns_lookup action not implemented")
        elif func in ("chk_lb_hairpin", "chk_lb_hairpin_reply"):
            value = self._hairpin(flow, func == "chk_lb_hairpin")
            ctx.add(NodeType.MODIFY, f"{a.dst} = {value}")
        write_field(flow, a.dst, value)

    def _hairpin(self, flow: Flow, orig: bool) -> int:
        vip = self._vip(flow)
        eth = flow.get("eth.type")
        if vip is None or eth not in (0x0800, 0x86DD):
            return 0
        k = "ip6." if eth == 0x86DD else "ip4."
        res = int(bool(int(flow.get("ct_state", 0)) & CS_DNAT)
                  and flow.get(k + "src", 0) == flow.get(k + "dst", 0))
        port = int(flow.get(CT_TP_DST, 0)) if orig else get_tp_dst(flow)
        return res & int(vip[1] == port)

    def _vip(self, flow: Flow) -> tuple[str, int] | None:
        """The load balancer VIP (address text, port) the connection was sent to, from the
        original destination ct_lb remembered (a VIP with that port preferred)."""
        nw = int(flow.get(CT_NW_DST, 0))
        ip6 = int(flow.get(CT_IP6_DST, 0))
        tp = int(flow.get(CT_TP_DST, 0))
        hits = []
        for lb in self.model.load_balancers:
            for key in lb.vips:
                parsed = _parse_vip(key)
                if parsed is None:
                    continue
                addr, port = parsed
                if (addr.version == 4 and int(addr) == nw) or (
                        addr.version == 6 and int(addr) == ip6):
                    hits.append((str(addr), port))
        if not hits:
            return None
        return next((h for h in hits if h[1] == tp), hits[0])

    def _mac_binding(self, dp: Datapath, flow: Flow, port_ref: FieldRef,
                     ip_ref: FieldRef) -> int | None:
        port = read_field_any(flow, port_ref)
        if isinstance(port, int):
            pb = self.model.port_by_key(dp, port)
            port = pb.name if pb is not None else ""
        ip = read_field(flow, ip_ref)
        v6 = ip_ref.n_bits == 128
        text = str(ipaddress.IPv6Address(ip) if v6 else ipaddress.IPv4Address(ip & 0xFFFFFFFF))
        mb = self.model.mac_binding(port, text)
        if mb is not None and (mb.datapath is None or mb.datapath is dp):
            return int(mb.mac.replace(":", ""), 16)
        return None

    def _fdb(self, dp: Datapath, mac: int) -> int | None:
        return self.model.fdb.get((dp.key, _mac(mac)))


class _NullCtx:
    """Assignments never call the context; this satisfies the type."""

    def __getattr__(self, name: str) -> object:  # pragma: no cover
        raise RuntimeError(f"assignment asked the context for {name}")


_NULL_CTX = _NullCtx()


def read_field_any(flow: Flow, ref: FieldRef) -> int | str:
    if ref.is_string:
        return flow.get(ref.symbol.storage[0].base, "")
    return read_field(flow, ref)


def _parse_vip(key: str) -> tuple[ipaddress.IPv4Address | ipaddress.IPv6Address, int] | None:
    host, port = key, 0
    try:
        if key.startswith("["):
            host, _, rest = key[1:].partition("]")
            port = int(rest[1:]) if rest.startswith(":") else 0
        elif key.count(":") == 1:
            host, _, p = key.partition(":")
            port = int(p)
        return ipaddress.ip_address(host), port
    except ValueError:
        return None


_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')
_UUID_TAIL = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def _unquote(s: str) -> str:
    return json.loads(s) if "\\" in s else s[1:-1]


def _quote(s: str) -> str:
    return json.dumps(s)


def _shorten_uuid(name: str) -> str:
    """ovn-trace's friendly form of a name ending in a UUID: only its first 6 digits kept."""
    return name[: len(name) - 30] if _UUID_TAIL.search(name) else name


def _mac(v: int | None) -> str:
    h = f"{(v or 0) & 0xFFFFFFFFFFFF:012x}"
    return ":".join(h[i : i + 2] for i in range(0, 12, 2))


def _stage_name(dp: Datapath, pipeline: str, table: int) -> str:
    for f in dp.table(pipeline, table):
        if f.stage_name:
            return f.stage_name
    return ""
