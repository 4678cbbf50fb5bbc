"""Trace: one packet through the logical pipelines, recorded as a tree in ovn-trace's shape.

The pipelines run on ``pyovn.pipeline.executor.Executor`` (the datapath's executor: table
lookup, ``next``, ingress -> egress, multicast groups, chassisredirect, patch ports, the
loopback rule); ``TraceRecorder`` is its recorder and its host.  As host it answers as ovn-trace
does: every port that exists is resident, conntrack takes ct_state from the next ``--ct`` flag
(default est|trk), ``ct_lb`` picks ``--lb-dst`` or the first backend, ``select`` ``--select-id``
or the first member, MAC bindings and FDB come from the Southbound.  As recorder it builds the
tree ``pyovn.trace.output`` prints:

* a *table* node holds the flow that matched; its children are the flow's actions, each an
  *action* node followed by the nodes of what the action did;  ``next`` puts the next table's
  node among them (tables nest); tables whose only flow is ``1 => next;`` are passed over;
* ``next(pipeline=P, ...)`` adds a *pipeline* node ``P(dp=..., inport|outport=...)``;
* ``output`` in ingress adds the egress pipeline of ``outport`` (a multicast group: one per
  member, in name order, inside a ``multicast(...)`` node; a chassisredirect port is replaced
  by its distributed port);  in egress it delivers: ``/* output to "p", type "t" */`` then,
  through a patch or l3gateway port, the peer datapath's ingress, else ``output("p")``;
* conntrack actions continue on a copy of the packet under a *transformation* node;
* packet-building actions (``arp``, ``icmp4``, ``reject``...) run their nested actions on the
  packet ``pyovn.trace.packets`` makes (ovn-trace's, not the datapath's);
* effects on the packet are *modify* nodes, surprises are *error* nodes.

The recorder runs a matched flow's actions one by one (every action leaves a trace): the ones
whose effect is the pipeline's (assignments, ``next``, ``output``, conntrack) run as their
compiled form with the executor as context; the ones ovn-trace shows in its own words
(``dec_ttl``, push/pop, packet builders, ``select``, MAC binding and FDB lookups, ``put_*_opts``,
checks, ``log``) are recorded here as ovn-trace does them.
"""

from __future__ import annotations

import ipaddress
import json
import re
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
    FieldRef,
    Flow,
    format_field_value,
    format_mac,
    read_field,
    write_field,
)
from pyovn.ovsdb.data import UUID_PATTERN
from pyovn.pipeline.executor import MAX_DEPTH, BaseHost, Executor
from pyovn.pipeline.portsec import in_port_sec, out_port_sec
from pyovn.pipeline.sbmodel import SbModel
from pyovn.pipeline.sbtypes import LogicalDatapath, McGroup, PortBinding
from pyovn.pipeline.tables import CompiledFlow, CompiledTable, LogicalTables
from pyovn.trace.microflow import format_uflow
from pyovn.trace.nodes import Node, NodeType
from pyovn.trace.packets import get_tp_dst, make_packet

__all__ = [
    "CT_FLAGS",
    "TraceOptions",
    "TraceRecorder",
    "Walker",
    "format_ct_state",
    "parse_ct_flags",
]

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
# Where ct_lb remembers the original destination (OVS's ct_nw_dst / ct_ipv6_dst / ct_tp_dst).
CT_NW_DST, CT_IP6_DST, CT_TP_DST = "__ct_nw_dst__", "__ct_ipv6_dst__", "__ct_tp_dst__"
_CT_KEYS = ("ct_state", "ct_mark", "ct_label", "ct_zone", CT_NW_DST, CT_IP6_DST, CT_TP_DST)


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
    """Traces packets through an SbModel's logical pipelines."""

    def __init__(self, model: SbModel, options: TraceOptions | None = None) -> None:
        self.model = model
        self.opts = options or TraceOptions()
        self.bucket_tie = False

    def trace(self, dp: LogicalDatapath, flow: Flow) -> Node:
        """The trace tree (a root whose children are the top-level nodes)."""
        rec = TraceRecorder(self.model, self.opts)
        ex = Executor(self.model, LogicalTables(self.model), rec, rec, max_depth=MAX_DEPTH,
                      member_order="name")
        ex.run(dp, flow)
        self.bucket_tie = rec.bucket_tie
        rec.root.info["bucket_tie"] = rec.bucket_tie
        return rec.root


class TraceRecorder(BaseHost):
    """The executor's host and recorder for one trace (module docstring)."""

    def __init__(self, model: SbModel, options: TraceOptions) -> None:
        super().__init__(model)
        self.opts = options
        self.root = Node(NodeType.PIPELINE, "")
        self._stack = [self.root]
        self._ct = list(options.ct)
        self._lb_dst = options.lb_dst  # ct_lb with backends uses it once
        self._note = ""  # what the last conntrack host call did (its transformation's title)
        self.bucket_tie = False

    def add(self, type_: NodeType, text: str, **info: object) -> Node:
        return self._stack[-1].add(type_, text, **info)

    def _push(self, node: Node) -> None:
        self._stack.append(node)

    # --- names -----------------------------------------------------------------------------
    def _dp_name(self, dp: LogicalDatapath) -> str:
        nb_uuid = dp.external_ids.get("logical-switch") or dp.external_ids.get(
            "logical-router") or dp.uuid
        if not self.opts.friendly_names:
            return nb_uuid
        return _shorten_uuid(dp.external_ids.get("name2") or dp.name or nb_uuid)

    def _port_name(self, dp: LogicalDatapath, name: str) -> str:
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

    def _out_name(self, dp: LogicalDatapath, outport: str, pb: PortBinding | None,
                  group: McGroup | None) -> str:
        if pb is not None:
            return self._port_name(dp, outport)
        return outport if group is not None else "(unnamed)"

    # --- Recorder --------------------------------------------------------------------------
    def enter_pipeline(self, dp: LogicalDatapath, pipeline: str, flow: Flow) -> None:
        which = "inport" if pipeline == "ingress" else "outport"
        self._push(self.add(
            NodeType.PIPELINE,
            f'{pipeline}(dp="{self._dp_name(dp)}", '
            f'{which}="{self._port_name(dp, str(flow.get(which, "")))}")',
            dp=dp, pipeline=pipeline,
        ))

    def enter_egress(self, dp: LogicalDatapath, flow: Flow, port: PortBinding | None, member: bool,
                     runs: bool) -> None:
        in_name = self._port_name(dp, str(flow.get("inport", "")))
        out_name = self._port_name(dp, port.name) if port is not None else "(unnamed)"
        node = self.add(
            NodeType.PIPELINE,
            f'egress(dp="{self._dp_name(dp)}", inport="{in_name}", outport="{out_name}")',
            dp=dp, pipeline="egress",
        )
        if member and runs:
            node.info["always_indent"] = True
        self._push(node)

    def enter_multicast(self, dp: LogicalDatapath, group: McGroup) -> None:
        self._push(self.add(
            NodeType.PIPELINE, f'multicast(dp="{self._dp_name(dp)}", mcgroup="{group.name}")',
            dp=dp, multicast=True,
        ))

    def enter_transformation(self, flow: Flow) -> None:
        self._push(self.add(NodeType.TRANSFORMATION, self._note))

    def leave(self) -> None:
        self._stack.pop()

    def lookup(self, table: CompiledTable, entry: CompiledFlow, flow: Flow) -> None:
        """Notes (in ``bucket_tie``) when another flow of the same priority in the same hash
        bucket also matches: ovn-trace's choice between them depends on its hash table's
        history, which is not modelled."""
        mask = self.model.flow_mask
        f = entry.lflow
        bucket = int(f.uuid[:8], 16) & mask
        for g in table.entries[entry.pos + 1:]:
            if g.lflow.priority != f.priority or int(g.lflow.uuid[:8], 16) & mask != bucket:
                break
            if g.match(flow):
                self.bucket_tie = True
                return

    def dropped(self, reason: str, dp: LogicalDatapath, flow: Flow, outport: str) -> None:
        if reason == "null-outport":
            self.add(NodeType.ERROR, "*** output to null logical port", drop=True)
        elif reason == "unknown-outport":
            self.add(NodeType.ERROR, f"*** unknown port or multicast group {outport}", drop=True)
        elif reason == "loopback":
            self.add(NodeType.OUTPUT,
                     "/* omitting output because inport == outport && !flags.loopback */",
                     drop=True)
        elif reason == "bad-chassisredirect":
            self.add(NodeType.ERROR, f'*** output to type "chassisredirect" port '
                     f'"{self._port_name(dp, outport)}" with no or invalid distributed port',
                     drop=True)
        elif reason == "too-deep":
            self.add(NodeType.ERROR, "*** Too many nested actions; stopping trace.")

    def output(self, dp: LogicalDatapath, outport: str, port: PortBinding | None,
               group: McGroup | None) -> None:
        self.add(NodeType.OUTPUT, f'/* output to "{self._out_name(dp, outport, port, group)}", '
                 f'type "{port.type if port else ""}" */')

    def delivered(self, dp: LogicalDatapath, outport: str, port: PortBinding | None,
                  group: McGroup | None) -> None:
        self.add(NodeType.MODIFY, f'output("{self._out_name(dp, outport, port, group)}")',
                 delivered=outport)

    def redirected(self, dp: LogicalDatapath, cr: PortBinding, dist: PortBinding) -> None:
        self.add(NodeType.OUTPUT, f'/* Replacing type "chassisredirect" outport '
                 f'"{self._port_name(dp, cr.name)}" with distributed port '
                 f'"{self._port_name(dp, dist.name)}". */')

    def table(self, ex: Executor, dp: LogicalDatapath, pipeline: str, table: int,
              entry: CompiledFlow | None, flow: Flow) -> None:
        if entry is None:
            stage = _stage_name(dp, pipeline, table)
            self.add(
                NodeType.TABLE,
                f"{table:2d}. {stage + ': ' if stage else ''}no match (implicit drop)",
                dp=dp, pipeline=pipeline, table=table, flow_state=dict(flow),
            )
            return
        f = entry.lflow
        head = f"{f.stage_name} ({f.source}): " if f.stage_name and f.source else (
            f"{f.stage_name}: " if f.stage_name else f"({f.source}): " if f.source else "")
        node = self.add(
            NodeType.TABLE,
            f"{table:2d}. {head}{self._friendly_text(f.match)}, priority {f.priority}, "
            f"uuid {f.uuid[:8]}",
            dp=dp, pipeline=pipeline, table=table, lflow=f, flow_state=dict(flow),
        )
        parsed = entry.code.parsed
        assert parsed is not None  # flows whose actions do not parse are not in the tables
        self._push(node)
        try:
            self.actions(ex, parsed.actions, flow)
        finally:
            self.leave()

    # --- actions, one by one ---------------------------------------------------------------
    def actions(self, ex: Executor, actions: Sequence[Action], flow: Flow) -> None:
        if not actions:
            self.add(NodeType.ACTION, "drop;", drop=True)
            return
        stack: list[int] = []
        for a in actions:
            self.add(NodeType.ACTION, self._friendly_text(a.to_string()))
            self.action(ex, a, flow, stack)

    def action(self, ex: Executor, a: Action, flow: Flow,  # noqa: C901
               stack: list[int]) -> None:
        """Runs one action (its ACTION node is already there)."""
        dp = ex.dp
        assert dp is not None
        if isinstance(a, Load):
            if a.dst.symbol.ovn_field:
                self.add(NodeType.MODIFY, f"{a.dst.symbol.name} = {a.value.value}")
                return
            if not _is_register(a.dst):
                self.add(NodeType.MODIFY, a.to_string().rstrip(";"))
            compile_actions([a])(flow, ex)
        elif isinstance(a, Move | Exchange):
            before = dict(flow)
            compile_actions([a])(flow, ex)
            pairs = [(a.dst, a.src)] if isinstance(a, Move) else [(a.a, a.b), (a.b, a.a)]
            for dst, src in pairs:
                if not _is_register(dst):
                    v = read_field_any(before, src)
                    self.add(NodeType.MODIFY, f"{dst} = {_value_text(src, v)}")
        elif isinstance(a, PushPop):
            self._push_pop(a, flow, stack)
        elif isinstance(a, Next | CtNat | CtLb):
            compile_actions([a])(flow, ex)
        elif isinstance(a, Simple):
            if a.keyword in ("output", "ct_next", "ct_clear", "ct_snat_to_vip",
                             "ct_commit_nat"):
                compile_actions([a])(flow, ex)
        elif isinstance(a, DecTtl):
            self._dec_ttl(flow)
        elif isinstance(a, Nested):
            if a.kind != "ct_commit":
                made = make_packet(a.kind, flow)
                if made is not None:
                    new, title = made
                    self._push(self.add(NodeType.TRANSFORMATION, title))
                    try:
                        self.actions(ex, a.actions, new)
                    finally:
                        self.leave()
        elif isinstance(a, Select):
            self._select(ex, a, flow)
        elif isinstance(a, GetMacBind):
            mac = self._mac_binding(dp, flow, a.port, a.ip)
            flow["eth.dst"] = mac or 0
            self.add(NodeType.ACTION, f"/* MAC binding to {format_mac(mac)}. */" if mac is not None
                     else "/* No MAC binding. */")
            self.add(NodeType.MODIFY, f"eth.dst = {format_mac(mac or 0)}")
        elif isinstance(a, LookupMacBind):
            mac = self._mac_binding(dp, flow, a.port, a.ip)
            if a.mac is not None:
                found = mac is not None and mac == read_field(flow, a.mac)
                text = (f"/* MAC binding to {format_mac(int(flow.get('eth.dst', 0)))} found. */"
                        if found else "/* lookup failed - No MAC binding. */")
            else:
                found = mac is not None
                text = "/* MAC binding found. */" if found else (
                    "/* lookup failed - No MAC binding. */")
            self.add(NodeType.ACTION, text)
            write_field(flow, a.dst, 1 if found else 0)
        elif isinstance(a, LookupFdb):
            port = self._fdb(dp, read_field(flow, a.mac))
            found = port is not None and port == self._port_key_of(flow, a.port)
            self.add(NodeType.ACTION,
                     f"/* MAC lookup for {format_mac(int(flow.get('eth.dst', 0)))} found in FDB. */"
                     if found else "/* lookup mac failed in mac learning table. */")
            write_field(flow, a.dst, 1 if found else 0)
        elif isinstance(a, GetFdb):
            key = self._fdb(dp, read_field(flow, a.mac)) or 0
            if a.dst.is_string:
                # Port key 0 (not learnt) is what OVN's matches call "none".
                pb = dp.ports_by_key.get(key)
                flow[a.dst.symbol.storage[0].base] = pb.name if pb is not None else "none"
            else:
                write_field(flow, a.dst, key)
        elif isinstance(a, PutOpts):
            self._put_opts(a, flow)
        elif isinstance(a, Result):
            self._result(a, flow)
        elif isinstance(a, Log):
            self.add(
                NodeType.TRANSFORMATION,
                f"LOG: ACL name={a.log_name or '<unnamed>'}, direction="
                f"{'IN' if ex.pipeline == 'ingress' else 'OUT'}, verdict={a.verdict}, "
                f'severity={a.severity}, packet="{format_uflow(flow, self._port_key)}"',
            )
        # Everything else (put_arp, set_queue, check_pkt_larger, fwd_group, trigger_event...)
        # only talks to ovn-controller or the datapath's side tables: nothing to trace.

    def _dec_ttl(self, flow: Flow) -> None:
        # ovn-trace's dec_ttl: a TTL of 1 goes to 0 and the trace goes on; 0 is an error.
        if flow.get("eth.type") in (0x0800, 0x86DD):
            ttl = int(flow.get("ip.ttl", 0))
            if ttl:
                flow["ip.ttl"] = ttl - 1
                self.add(NodeType.MODIFY, "ip.ttl--")
            else:
                self.add(NodeType.ERROR, "*** TTL underflow", drop=True)
        else:
            self.add(NodeType.ERROR, "*** TTL decrement of non-IP packet", drop=True)

    def _push_pop(self, a: PushPop, flow: Flow, stack: list[int]) -> None:
        if a.push:
            v = read_field(flow, a.field)
            stack.append(v)
            self.add(NodeType.MODIFY, f"push({a.field}) -> {v:#x}")
        elif stack:
            v = stack.pop()
            write_field(flow, a.field, v & ((1 << a.field.n_bits) - 1))
            self.add(NodeType.MODIFY, f"pop({a.field}) <- {v:#x}")
        else:
            self.add(NodeType.MODIFY, f"pop({a.field}) <- /* empty stack */")

    def _put_opts(self, a: PutOpts, flow: Flow) -> None:
        if a.func in ("put_dhcp_opts", "put_dhcpv6_opts"):
            self.add(NodeType.ERROR,
                     "/* We assume that this packet is DHCPDISCOVER or DHCPREQUEST. */")
        self.add(NodeType.MODIFY, a.to_string().split(" = ", 1)[1].rstrip(";"))
        if not _is_register(a.dst):
            self.add(NodeType.MODIFY, f"{a.dst} = 1")
        write_field(flow, a.dst, 1)

    def _select(self, ex: Executor, a: Select, flow: Flow) -> None:
        ids = [m for m, _ in a.members]
        if self.opts.select_id is not None and self.opts.select_id in ids:
            chosen, comment = self.opts.select_id, ""
        else:
            # ovn-trace picks at random; the first is as good (use --select-id).
            chosen, comment = ids[0], " /* Randomly selected. Use --select-id to specify. */"
        sflow = dict(flow)
        write_field(sflow, a.dst, chosen)
        self._push(self.add(NodeType.TRANSFORMATION, f"select: {a.dst} = {chosen}{comment}"))
        try:
            ex.goto(sflow, a.pipeline, a.table)
        finally:
            self.leave()

    def _result(self, a: Result, flow: Flow) -> None:
        func = a.func
        value = 0
        if func in ("check_in_port_sec", "check_out_port_sec"):
            port = str(flow.get("inport" if func == "check_in_port_sec" else "outport", ""))
            pb = self.model.ports.get(port)
            check = in_port_sec if func == "check_in_port_sec" else out_port_sec
            why = check(pb.port_security, flow) if pb is not None else None
            value = 1 if why else 0
            if why:
                self._stack[-1].info.setdefault(
                    "port_sec", (port, why, pb.port_security if pb else []))
        elif func == "dns_lookup":
            self.add(NodeType.ERROR, "*** dns_lookup action not implemented")
        elif func in ("chk_lb_hairpin", "chk_lb_hairpin_reply"):
            value = self._hairpin(flow, func == "chk_lb_hairpin")
            self.add(NodeType.MODIFY, f"{a.dst} = {value}")
        write_field(flow, a.dst, value)

    # --- Host: conntrack as ovn-trace assumes it -------------------------------------------
    def is_resident(self, port: str) -> bool:
        # ovn-trace is not chassis specific: every port that exists is taken as resident.
        return not port or port in self.model.ports

    def _next_ct(self) -> tuple[int, str]:
        if self._ct:
            return self._ct.pop(0), ""
        return DEFAULT_CT, _DEFAULT_COMMENT

    def ct_next(self, dp: LogicalDatapath, flow: Flow) -> None:
        state, comment = self._next_ct()
        flow["ct_state"] = state
        self._note = f"ct_next(ct_state={format_ct_state(state)}{comment})"

    def ct_clear(self, dp: LogicalDatapath, flow: Flow) -> None:
        for key in _CT_KEYS:
            flow.pop(key, None)

    def ct_nat(self, dp: LogicalDatapath, flow: Flow, action: CtNat | Simple) -> bool:
        if isinstance(action, Simple):
            if action.keyword == "ct_snat_to_vip":
                vip = self._vip(flow)
                if vip is not None and vip[1] == int(flow.get(CT_TP_DST, 0)):
                    self.add(NodeType.ACTION, f"/* nat(src={vip[0]}) */")
                return False
            return self._nat_note(
                flow, "ct_commit_nat /* assuming no un-nat entry, so no change */")
        a = action
        is_dst = a.kind.startswith("ct_dnat")
        if not is_dst and a.ip is None and any(p.type == "l3gateway" for p in dp.ports):
            return False  # "ct_snat;" has no visible effect in a gateway router
        d = "dst" if is_dst else "src"
        text = f"ct_{d[0]}nat{'in_czone' if a.kind.endswith('_in_czone') else ''}"
        if a.ip is not None:
            fam = "ip6" if a.ipv6 else "ip4"
            text += f"({fam}.{d}={a.ip_string()})"
            flow[f"{fam}.{d}"] = a.ip
            flow["ct_state"] = int(flow.get("ct_state", 0)) | (CS_DNAT if is_dst else CS_SNAT)
        else:
            text += f" /* assuming no un-{d[0]}nat entry, so no change */"
        return self._nat_note(flow, text)

    def _nat_note(self, flow: Flow, text: str) -> bool:
        """A NAT action's note; an untracked packet goes through conntrack first."""
        if not int(flow.get("ct_state", 0)) & CS_TRK:
            state, comment = self._next_ct()
            flow["ct_state"] = int(flow.get("ct_state", 0)) | state
            text += comment
        self._note = text
        return True

    def ct_lb(self, dp: LogicalDatapath, flow: Flow, action: CtLb) -> bool:
        a = action
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
                    self.add(NodeType.ERROR,
                             "*** no load balancing destination (use --lb-dst)", drop=True)
            elif lb is not None and lb[1] == v6:
                dst = (lb[0], lb[2])
            if dst is not None:
                key = "ip6.dst" if v6 else "ip4.dst"
                flow[CT_IP6_DST if v6 else CT_NW_DST] = int(flow.get(key, 0))
                flow[CT_TP_DST] = get_tp_dst(flow)
                flow[key] = dst[0]
                if dst[1]:
                    for l4 in ("tcp.dst", "udp.dst", "sctp.dst"):
                        flow[l4] = dst[1]
                    flow["icmp4.code"] = flow["icmp6.code"] = dst[1] & 0xFF
                flow["ct_state"] = int(flow.get("ct_state", 0)) | CS_DNAT
            state, comment = self._next_ct()
            flow["ct_state"] = int(flow.get("ct_state", 0)) | state
        self._note = f"{'ct_lb_mark' if a.mark else 'ct_lb'}{comment}"
        return True

    # --- Southbound lookups as ovn-trace shows them ----------------------------------------
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
        for lb in self.model.lbs.values():
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

    def _mac_binding(self, dp: LogicalDatapath, flow: Flow, port_ref: FieldRef,
                     ip_ref: FieldRef) -> int | None:
        port = read_field_any(flow, port_ref)
        name = self.port_name(dp, port)
        ip = read_field(flow, ip_ref)
        v6 = ip_ref.n_bits == 128
        text = str(ipaddress.IPv6Address(ip) if v6 else ipaddress.IPv4Address(ip & 0xFFFFFFFF))
        mb = self.model.lookup_mac_binding(dp, name, text)
        return int(mb.mac.replace(":", ""), 16) if mb is not None else None

    def _fdb(self, dp: LogicalDatapath, mac: int) -> int | None:
        return self.model.fdb.get((dp.key, format_mac(mac)))

    def _port_key(self, name: str) -> int:
        p = self.model.ports.get(name)
        return p.key if p is not None else 0

    def _port_key_of(self, flow: Flow, ref: FieldRef) -> int:
        v = read_field_any(flow, ref)
        return self._port_key(v) if isinstance(v, str) else v


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
_UUID_TAIL = re.compile(UUID_PATTERN + "$")


def _unquote(s: str) -> str:
    return json.loads(s) if "\\" in s else s[1:-1]


def _quote(s: str) -> str:
    return json.dumps(s)


def _shorten_uuid(name: str) -> str:
    """ovn-trace's friendly form of a name ending in a UUID: only its first 6 digits kept."""
    return name[: len(name) - 30] if _UUID_TAIL.search(name) else name


def _stage_name(dp: LogicalDatapath, pipeline: str, table: int) -> str:
    for f in dp.table(pipeline, table):
        if f.stage_name:
            return f.stage_name
    return ""
