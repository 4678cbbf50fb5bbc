"""The pipeline walk: one packet through the logical pipelines, recorded as a trace tree.

The walk interprets each matching flow's parsed actions one by one (rather than running the
compiled program) because every action must leave a trace: the action as written, what it did
to the packet, and where the packet went.  Plain assignments reuse the compiled form of that one
action; everything else is done here, the way ovn-trace(8) simulates it:

* a table runs the highest-priority flow whose match holds; ``next`` continues at the next
  table (a subroutine: actions after it still run), ``next(pipeline=ingress, ...)`` starts a
  new ingress pipeline;
* ``output`` in ingress runs the egress pipeline of ``outport`` (each member of a multicast
  group, with registers reg0..reg9 cleared as ovn-controller does; a chassisredirect port is
  replaced by its distributed port); in egress it delivers: through a patch port into the peer
  datapath's ingress (registers, flags and conntrack state cleared), else ``output("port")``;
* ``ct_next``/``ct_lb``/``ct_dnat``... continue with a copy of the packet whose ct_state comes
  from the next ``--ct`` flag (default est|trk); ``ct_lb`` picks the ``--lb-dst`` backend (or the
  first one: ovn-trace picks one at random);
* packet-building actions (``arp``, ``icmp4``, ``reject``...) run their nested actions on the
  new packet; the original continues;
* controller actions (``put_dhcp_opts``...) are assumed to succeed; MAC bindings come from the
  Southbound; port security checks use the ports' ``port_security``.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass, field

from pyovn.logical.actions import (
    Action,
    CheckPktLarger,
    CtLb,
    CtNat,
    DecTtl,
    Exchange,
    FwdGroup,
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
    build_packet,
    compile_actions,
)
from pyovn.logical.flow import FieldRef, Flow, format_field_value, read_field, write_field
from pyovn.trace.microflow import format_uflow
from pyovn.trace.nodes import Node, NodeType
from pyovn.trace.portsec import in_port_sec, out_port_sec
from pyovn.trace.sbmodel import N_TABLES, Datapath, LogicalFlow, SbModel

__all__ = ["CT_FLAGS", "TraceOptions", "Walker", "format_ct_state", "parse_ct_flags"]

# OVS's ct_state bits, in the order it prints them.
CT_FLAGS = {
    "new": 0x01, "est": 0x02, "rel": 0x04, "rpl": 0x08,
    "inv": 0x10, "trk": 0x20, "snat": 0x40, "dnat": 0x80,
}
CS_TRK = CT_FLAGS["trk"]
CS_DNAT = CT_FLAGS["dnat"]
DEFAULT_CT = CT_FLAGS["est"] | CS_TRK
_DEFAULT_COMMENT = " /* default (use --ct to customize) */"
_LOG_REGS = tuple(f"reg{i}" for i in range(10))
_ORIG_DST = "__ct_orig_dst__"  # where a dnat'ing ct_lb remembers the VIP, for ct_snat_to_vip
MAX_DEPTH = 150


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
    """Where actions run: datapath, pipeline, table, and where their nodes go."""

    dp: Datapath
    pipeline: str
    table: int
    anode: Node  # actions and their effects
    tnode: Node  # the tables that follow


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
        self._depth = 0

    # --- entry point ----------------------------------------------------------------------
    def trace(self, dp: Datapath, flow: Flow) -> Node:
        """The trace tree (a root whose children are the top-level nodes)."""
        import sys

        # Each table is a few Python frames; MAX_DEPTH tables must fit.
        sys.setrecursionlimit(max(sys.getrecursionlimit(), MAX_DEPTH * 12))
        root = Node(NodeType.PIPELINE, "")
        inport = str(flow.get("inport", ""))
        pnode = root.add(
            NodeType.PIPELINE,
            f'ingress(dp="{self._dp_name(dp)}", inport="{inport}")',
            dp=dp, pipeline="ingress",
        )
        self.table(dp, dict(flow), "ingress", 0, pnode)
        return root

    def _dp_name(self, dp: Datapath) -> str:
        return dp.name if self.opts.friendly_names and dp.name else dp.uuid

    # --- tables ---------------------------------------------------------------------------
    def lookup(self, dp: Datapath, flow: Flow, pipeline: str, table: int) -> LogicalFlow | None:
        for f in dp.table(pipeline, table):
            if f.matcher(self.model)(flow):
                return f
        return None

    def table(self, dp: Datapath, flow: Flow, pipeline: str, table: int, super_: Node) -> None:
        # Like ovn-trace, pass silently over tables whose flow is just "1 => next;".
        while table < N_TABLES:
            f = self.lookup(dp, flow, pipeline, table)
            if f is None or not self._trivial(f):
                break
            table += 1
        if table >= N_TABLES:
            return
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                super_.add(NodeType.ERROR, "*** Too many nested actions; stopping trace.")
                return
            f = self.lookup(dp, flow, pipeline, table)
            if f is None:
                stage = _stage_name(dp, pipeline, table)
                super_.add(
                    NodeType.TABLE,
                    f"{table:2d}. {stage}: no match (implicit drop)",
                    dp=dp, pipeline=pipeline, table=table, flow_state=dict(flow),
                )
                return
            src = f" ({f.source})" if f.source else ""
            node = super_.add(
                NodeType.TABLE,
                f"{table:2d}. {f.stage_name}{src}: {f.match}, priority {f.priority}, "
                f"uuid {f.uuid[:8]}",
                dp=dp, pipeline=pipeline, table=table, lflow=f, flow_state=dict(flow),
            )
            parsed = f.parsed(self.model)
            if parsed is None:
                node.add(NodeType.ERROR, f"*** error parsing {f.error}")
                return
            self.actions(parsed.actions, flow, _Ctx(dp, pipeline, table, node, super_))
        finally:
            self._depth -= 1

    def _trivial(self, f: LogicalFlow) -> bool:
        if f.match.strip() != "1":
            return False
        parsed = f.parsed(self.model)
        if parsed is None or len(parsed.actions) != 1:
            return False
        a = parsed.actions[0]
        return isinstance(a, Next) and a.pipeline == f.pipeline and a.table == f.table + 1

    # --- actions --------------------------------------------------------------------------
    def actions(self, actions: Sequence[Action], flow: Flow, ctx: _Ctx) -> None:
        if not actions:
            ctx.anode.add(NodeType.ACTION, "drop;", drop=True)
            return
        for a in actions:
            if not self.action(a, flow, ctx):
                return

    def action(self, a: Action, flow: Flow, ctx: _Ctx) -> bool:  # noqa: C901
        """Runs one action; False stops the rest of the list."""
        text = a.to_string()
        add = ctx.anode.add
        if isinstance(a, Load | Move | Exchange | PushPop):
            add(NodeType.ACTION, text)
            before = dict(flow)
            compile_actions([a])(flow, _NULL_CTX)
            self._modified(a, before, flow, ctx)
            return True
        if isinstance(a, Next):
            if a.pipeline != ctx.pipeline:
                x = add(NodeType.XNEXT, text)
                p = x.add(
                    NodeType.PIPELINE,
                    f'{a.pipeline}(dp="{self._dp_name(ctx.dp)}", inport="{flow.get("inport", "")}")',
                    dp=ctx.dp, pipeline=a.pipeline,
                )
                self.table(ctx.dp, flow, a.pipeline, a.table, p)
            else:
                add(NodeType.ACTION, text)
                self.table(ctx.dp, flow, ctx.pipeline, a.table, ctx.tnode)
            return True
        if isinstance(a, DecTtl):
            add(NodeType.ACTION, text)
            ttl = flow.get("ip.ttl", 0)
            assert isinstance(ttl, int)
            if ttl == 0:
                add(NodeType.ERROR, "*** TTL underflow; stopping", drop=True)
                return False
            flow["ip.ttl"] = ttl - 1
            add(NodeType.MODIFY, "ip.ttl--")
            return True
        if isinstance(a, Simple):
            return self.simple(a, flow, ctx, text)
        if isinstance(a, Nested):
            add(NodeType.ACTION, text)
            if a.kind == "ct_commit":
                return True
            self.nested(a, flow, ctx)
            return True
        if isinstance(a, CtNat):
            add(NodeType.ACTION, text)
            self.ct_nat(a, flow, ctx)
            return True
        if isinstance(a, CtLb):
            add(NodeType.ACTION, text)
            self.ct_lb(a, flow, ctx)
            return True
        if isinstance(a, Select):
            add(NodeType.ACTION, text)
            self.select(a, flow, ctx)
            return False
        if isinstance(a, GetMacBind):
            add(NodeType.ACTION, text)
            port = str(read_field_any(flow, a.port))
            ip = read_field(flow, a.ip)
            mac = self._mac_binding(port, ip, a.kind == "nd")
            if mac is None:
                add(NodeType.ACTION, "/* No MAC binding. */")
                flow["eth.dst"] = 0
            else:
                add(NodeType.ACTION, f"/* MAC binding to {_mac(mac)}. */")
                flow["eth.dst"] = mac
            add(NodeType.MODIFY, f"eth.dst = {_mac(int(flow['eth.dst']))}")
            return True
        if isinstance(a, LookupMacBind):
            add(NodeType.ACTION, text)
            port = str(read_field_any(flow, a.port))
            mac = self._mac_binding(port, read_field(flow, a.ip), a.kind == "nd")
            want = read_field(flow, a.mac) if a.mac is not None else None
            found = mac is not None and (want is None or mac == want)
            write_field(flow, a.dst, 1 if found else 0)
            return True
        if isinstance(a, GetFdb | LookupFdb):
            add(NodeType.ACTION, text)
            if isinstance(a, GetFdb):
                # Not learnt: port key 0, which OVN's matches call "none".
                write_field(flow, a.dst, "none" if a.dst.is_string else 0)
            else:
                add(NodeType.ACTION, "/* lookup mac failed in mac learning table. */")
                write_field(flow, a.dst, 0)
            return True
        if isinstance(a, PutOpts):
            add(NodeType.ACTION, text)
            add(NodeType.MODIFY, _ASSUME.get(a.func, "/* We assume the controller handles it. */"))
            add(NodeType.MODIFY, text.split(" = ", 1)[1].rstrip(";"))
            write_field(flow, a.dst, 1)
            return True
        if isinstance(a, Result):
            add(NodeType.ACTION, text)
            self.result(a, flow, ctx)
            return True
        if isinstance(a, CheckPktLarger):
            add(NodeType.ACTION, text)
            write_field(flow, a.dst, 0)
            return True
        if isinstance(a, FwdGroup):
            add(NodeType.ACTION, text)
            if a.child_ports:
                flow["outport"] = a.child_ports[0]
                self.output(flow, ctx)
            return True
        if isinstance(a, Log):
            add(NodeType.ACTION, text)
            header = format_uflow(flow, self._port_key)
            add(
                NodeType.MODIFY,
                f"LOG: ACL name={a.log_name or '<unnamed>'}, direction="
                f"{'IN' if ctx.pipeline == 'ingress' else 'OUT'}, verdict={a.verdict}, "
                f'severity={a.severity}, packet="{header}"',
            )
            return True
        # Everything else only talks to ovn-controller or the datapath's side tables.
        add(NodeType.ACTION, text)
        return True

    def _port_key(self, name: str) -> int:
        p = self.model.ports.get(name)
        return p.key if p is not None else 0

    def _modified(self, a: Action, before: Flow, flow: Flow, ctx: _Ctx) -> None:
        if isinstance(a, Load):
            if not _is_register(a.dst):
                ctx.anode.add(NodeType.MODIFY, a.to_string().rstrip(";"))
        elif isinstance(a, Move):
            if not _is_register(a.dst):
                v = read_field_any(before, a.src)
                ctx.anode.add(NodeType.MODIFY, f"{a.dst} = {_value_text(a.src, v)}")
        elif isinstance(a, Exchange):
            for dst, src in ((a.a, a.b), (a.b, a.a)):
                if not _is_register(dst):
                    v = read_field_any(before, src)
                    ctx.anode.add(NodeType.MODIFY, f"{dst} = {_value_text(src, v)}")

    def simple(self, a: Simple, flow: Flow, ctx: _Ctx, text: str) -> bool:
        k = a.keyword
        ctx.anode.add(NodeType.ACTION, text)
        if k == "output":
            self.output(flow, ctx)
        elif k == "ct_next":
            state, comment = self._next_ct()
            ct_flow = dict(flow)
            ct_flow["ct_state"] = state
            node = ctx.anode.add(
                NodeType.TRANSFORMATION, f"ct_next(ct_state={format_ct_state(state)}{comment})"
            )
            self.table(ctx.dp, ct_flow, a.pipeline or ctx.pipeline, a.table, node)
        elif k == "ct_clear":
            for key in ("ct_state", "ct_mark", "ct_label"):
                flow.pop(key, None)
        elif k == "ct_snat_to_vip":
            vip = flow.get(_ORIG_DST)
            if isinstance(vip, str):
                ctx.anode.add(NodeType.ACTION, f"/* nat(src={vip}) */")
        elif k == "ct_commit_nat":
            state, comment = self._next_ct()
            ct_flow = dict(flow)
            ct_flow["ct_state"] = state
            node = ctx.anode.add(NodeType.TRANSFORMATION, f"ct_commit_nat{comment}")
            self.table(ctx.dp, ct_flow, a.pipeline or ctx.pipeline, a.table, node)
        return True

    # --- output ---------------------------------------------------------------------------
    def output(self, flow: Flow, ctx: _Ctx) -> None:
        dp = ctx.dp
        outport = str(flow.get("outport", ""))
        inport = str(flow.get("inport", ""))
        if ctx.pipeline == "ingress":
            group = self.model.mcgroup(dp, outport)
            if group is not None:
                mnode = ctx.anode.add(
                    NodeType.PIPELINE,
                    f'multicast(dp="{self._dp_name(dp)}", mcgroup="{outport}")',
                    dp=dp, multicast=True, indent=True,
                )
                for port in sorted(group.ports):
                    eflow = _egress_flow(flow)
                    eflow["outport"] = port
                    if port == inport and not _loopback(flow):
                        continue
                    enode = mnode.add(
                        NodeType.PIPELINE,
                        f'egress(dp="{self._dp_name(dp)}", inport="{inport}", outport="{port}")',
                        dp=dp, pipeline="egress", indent=True,
                    )
                    self.table(dp, eflow, "egress", 0, enode)
                return
            pb = self.model.ports.get(outport)
            if pb is not None and pb.type == "chassisredirect" and pb.distributed_port:
                ctx.anode.add(
                    NodeType.OUTPUT,
                    f'/* Replacing type "chassisredirect" outport "{outport}" with distributed '
                    f'port "{pb.distributed_port}". */',
                )
                outport = pb.distributed_port
            eflow = _egress_flow(flow)
            eflow["outport"] = outport
            enode = ctx.anode.add(
                NodeType.PIPELINE,
                f'egress(dp="{self._dp_name(dp)}", inport="{inport}", outport="{outport}")',
                dp=dp, pipeline="egress",
            )
            self.table(dp, eflow, "egress", 0, enode)
            return
        # Egress: deliver.
        pb = self.model.ports.get(outport)
        if pb is None or pb.datapath is not dp:
            ctx.anode.add(NodeType.ERROR, f'*** unknown port "{outport}"', drop=True)
            return
        if outport == inport and not _loopback(flow):
            ctx.anode.add(
                NodeType.OUTPUT,
                "/* omitting output because inport == outport && !flags.loopback */",
                drop=True,
            )
            return
        ctx.anode.add(NodeType.OUTPUT, f'/* output to "{outport}", type "{pb.type}" */')
        peer = self.model.ports.get(pb.peer) if pb.peer else None
        if peer is not None:
            nflow = _patch_flow(flow, peer.name)
            pnode = ctx.anode.add(
                NodeType.PIPELINE,
                f'ingress(dp="{self._dp_name(peer.datapath)}", inport="{peer.name}")',
                dp=peer.datapath, pipeline="ingress",
            )
            self.table(peer.datapath, nflow, "ingress", 0, pnode)
            return
        ctx.anode.add(NodeType.MODIFY, f'output("{outport}")', delivered=outport)

    # --- connection tracking --------------------------------------------------------------
    def _next_ct(self) -> tuple[int, str]:
        if self._ct:
            return self._ct.pop(0), ""
        return DEFAULT_CT, _DEFAULT_COMMENT

    def ct_lb(self, a: CtLb, flow: Flow, ctx: _Ctx) -> None:
        ct_flow = dict(flow)
        state, comment = self._next_ct()
        ct_flow["ct_state"] = state
        eth = flow.get("eth.type", 0)
        v6 = eth == 0x86DD
        if eth in (0x0800, 0x86DD):
            dst: tuple[int, int] | None = None
            lb = self.opts.lb_dst
            if a.backends:
                for b in a.backends:
                    if lb is not None and b.ipv6 == lb[1] and b.ip == lb[0] and (
                        not lb[2] or b.port == lb[2]
                    ):
                        dst = (b.ip, b.port)
                        break
                if dst is None:
                    fam = [b for b in a.backends if b.ipv6 == v6]
                    if fam:
                        dst = (fam[0].ip, fam[0].port)
            elif lb is not None and lb[1] == v6:
                dst = (lb[0], lb[2])
            if dst is not None:
                key = "ip6.dst" if v6 else "ip4.dst"
                orig = flow.get(key, 0)
                assert isinstance(orig, int)
                ct_flow[_ORIG_DST] = str(
                    ipaddress.IPv6Address(orig) if v6 else ipaddress.IPv4Address(orig)
                )
                ct_flow[key] = dst[0]
                if dst[1]:
                    for l4 in ("tcp", "udp", "sctp"):
                        if flow.get("ip.proto") == {"tcp": 6, "udp": 17, "sctp": 132}[l4]:
                            ct_flow[f"{l4}.dst"] = dst[1]
                ct_flow["ct_state"] = int(ct_flow["ct_state"]) | CS_DNAT
        name = "ct_lb_mark" if a.mark else "ct_lb"
        node = ctx.anode.add(NodeType.TRANSFORMATION, f"{name}{comment}")
        self.table(ctx.dp, ct_flow, a.pipeline or ctx.pipeline, a.table, node)

    def ct_nat(self, a: CtNat, flow: Flow, ctx: _Ctx) -> None:
        ct_flow = dict(flow)
        state, comment = self._next_ct()
        ct_flow["ct_state"] = state
        is_dst = "dnat" in a.kind
        v6 = flow.get("eth.type") == 0x86DD
        # ovn-trace spells the zone variants without the underscore: "ct_snatin_czone".
        name = a.kind.replace("_in_czone", "in_czone")
        if a.ip is not None:
            field_ = ("ip6." if v6 else "ip4.") + ("dst" if is_dst else "src")
            ct_flow[field_] = a.ip
            ct_flow["ct_state"] = int(ct_flow["ct_state"]) | (CS_DNAT if is_dst else CT_FLAGS["snat"])
            text = f"{name}(ip{'6' if v6 else '4'}.{'dst' if is_dst else 'src'}={a.ip_string()})"
        else:
            text = f"{name} /* assuming no un-{'dnat' if is_dst else 'snat'} entry, so no change */"
        node = ctx.anode.add(NodeType.TRANSFORMATION, text + comment)
        if a.table >= 0:
            self.table(ctx.dp, ct_flow, a.pipeline or ctx.pipeline, a.table, node)

    # --- other actions --------------------------------------------------------------------
    def nested(self, a: Nested, flow: Flow, ctx: _Ctx) -> None:
        kind = a.kind
        if kind == "reject":
            proto = flow.get("ip.proto")
            if proto == 6 and int(flow.get("tcp.flags", 0)) & 0x004:
                return  # no reset in answer to a reset
            kind = (
                "tcp_reset" if proto == 6
                else "sctp_abort" if proto == 132
                else "icmp6" if flow.get("eth.type") == 0x86DD
                else "icmp4"
            )
        new = build_packet(a.kind, flow)
        node = ctx.anode.add(NodeType.TRANSFORMATION, kind)
        self.actions(a.actions, new, _Ctx(ctx.dp, ctx.pipeline, ctx.table, node, node))

    def select(self, a: Select, flow: Flow, ctx: _Ctx) -> None:
        ids = [m for m, _ in a.members]
        if self.opts.select_id is not None:
            chosen = self.opts.select_id
            comment = ""
            if chosen not in ids:
                ctx.anode.add(NodeType.ERROR, f"*** select-id {chosen} is not one of the members")
                return
        else:
            chosen = ids[0]
            comment = " /* Randomly selected. Use --select-id to specify. */"
        write_field(flow, a.dst, chosen)
        node = ctx.anode.add(NodeType.TRANSFORMATION, f"select: {a.dst} = {chosen}{comment}")
        self.table(ctx.dp, flow, a.pipeline or ctx.pipeline, a.table, node)

    def result(self, a: Result, flow: Flow, ctx: _Ctx) -> None:
        func = a.func
        value = 0
        show = True
        if func in ("check_in_port_sec", "check_out_port_sec"):
            show = False
            port = str(flow.get("inport" if func == "check_in_port_sec" else "outport", ""))
            pb = self.model.ports.get(port)
            check = in_port_sec if func == "check_in_port_sec" else out_port_sec
            why = check(pb.port_security, flow) if pb is not None else None
            value = 1 if why else 0
            if why:
                ctx.anode.info.setdefault("port_sec", (port, why, pb.port_security if pb else []))
        elif func == "dns_lookup":
            show = False
            ctx.anode.add(NodeType.ERROR, "*** dns_lookup action not implemented")
        elif func == "chk_lb_hairpin":
            v6 = flow.get("eth.type") == 0x86DD
            k = "ip6." if v6 else "ip4."
            value = int(
                bool(int(flow.get("ct_state", 0)) & CS_DNAT)
                and flow.get(k + "src") == flow.get(k + "dst")
            )
        write_field(flow, a.dst, value)
        if show:
            ctx.anode.add(NodeType.MODIFY, f"{a.dst} = {value}")

    def _mac_binding(self, port: str, ip: int, v6: bool) -> int | None:
        text = str(ipaddress.IPv6Address(ip) if v6 else ipaddress.IPv4Address(ip & 0xFFFFFFFF))
        mb = self.model.mac_binding(port, text)
        if mb is not None:
            return int(mb.mac.replace(":", ""), 16)
        return None


_ASSUME = {
    "put_dhcp_opts": "/* We assume that this packet is DHCPDISCOVER or DHCPREQUEST. */",
    "put_dhcpv6_opts": "/* We assume that this packet is a DHCPv6 request. */",
    "put_nd_ra_opts": "/* We assume that this packet is an IPv6 router solicitation. */",
}


class _NullCtx:
    """Assignments never call the context; this satisfies the type."""

    def __getattr__(self, name: str) -> object:  # pragma: no cover
        raise RuntimeError(f"assignment asked the context for {name}")


_NULL_CTX = _NullCtx()


def read_field_any(flow: Flow, ref: FieldRef) -> int | str:
    if ref.is_string:
        return flow.get(ref.symbol.storage[0].base, "")
    return read_field(flow, ref)


def _mac(v: int) -> str:
    h = f"{v & 0xFFFFFFFFFFFF:012x}"
    return ":".join(h[i : i + 2] for i in range(0, 12, 2))


def _loopback(flow: Flow) -> bool:
    return bool(int(flow.get("flags", 0)) & 1)


def _egress_flow(flow: Flow) -> Flow:
    # ovn-controller clears the logical registers between the pipelines.
    new = {k: v for k, v in flow.items() if k not in _LOG_REGS}
    return new


def _patch_flow(flow: Flow, inport: str) -> Flow:
    # ovn-trace keeps the conntrack fields across a patch port; registers and flags go.
    drop = {*_LOG_REGS, "flags", "outport"}
    new = {k: v for k, v in flow.items() if k not in drop}
    new["inport"] = inport
    return new


def _stage_name(dp: Datapath, pipeline: str, table: int) -> str:
    for f in dp.table(pipeline, table):
        if f.stage_name:
            return f.stage_name
    return ""
