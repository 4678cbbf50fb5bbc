"""Compiles parsed actions into one Python function ``program(flow, ctx) -> None``.

Each action list becomes Python source (one statement or a few per action; field accesses
inlined as shifts and masks on the microflow's base keys, see ``pyovn.logical``), compiled once
with ``compile()``.  Source generation beats a chain of closures here: a flow's actions run many
times and the inlined form does no per-action calls for assignments.  Every constant the code
needs (values, masks, table numbers, strings, parsed action nodes, nested programs) is a
parameter of a maker function around the program, so the source depends only on the actions'
shape: ``reg0 = 0x1; next;`` and ``reg0 = 0x2; next;`` share one compiled maker, called with
different constants (closure cells read as fast as literals).

What the actions cannot do alone they ask of the ``ActionContext`` the caller passes: the
datapath and trace implement it.  Conventions:
  * actions that continue in another table by themselves (``next``, ``ct_next``, ``ct_lb``...)
    call the context, which runs that table as a subroutine;
  * connection-tracking actions that recirculate (``ct_next``, ``ct_dnat``..., ``ct_lb``) get a
    *copy* of the flow: later actions of the same flow do not see the tracker's changes (as in
    OVN);
  * packet-building actions (``arp``, ``nd_ns``, ``icmp4``, ``reject``, ``clone``...) build a new
    flow from the current one with the defaults ovn-sb(5) lists, and hand it with the compiled
    nested actions to ``ctx.emit(kind, new_flow, program)``; the context runs
    ``program(new_flow, ctx)`` (at once, or later as ovn-controller would) and the current flow
    continues unchanged;
  * ``R = f(...)`` actions store the bit (or value) the context returns.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Protocol

from pyovn.logical.actions_ast import (
    Action,
    BindVport,
    CheckPktLarger,
    CommitEcmpNh,
    CommitLbAff,
    CtCommitV1,
    CtLb,
    CtNat,
    DecTtl,
    Exchange,
    FwdGroup,
    GetFdb,
    GetMacBind,
    HandleSvcCheck,
    Load,
    Log,
    LookupFdb,
    LookupMacBind,
    Move,
    Nested,
    Next,
    PushPop,
    PutFdb,
    PutMacBind,
    PutOpts,
    Result,
    Sample,
    Select,
    SetMeter,
    SetQueue,
    Simple,
    TriggerEvent,
)
from pyovn.logical.actions_parse import ParsedActions
from pyovn.logical.flow import FieldRef, Flow
from pyovn.logical.symbols import BASE_WIDTHS

__all__ = [
    "ActionContext",
    "Program",
    "actions_maker",
    "build_packet",
    "compile_actions",
    "program_source",
]


class ActionContext(Protocol):
    """What the datapath (or trace) provides to compiled actions.  ``flow`` is always the flow
    the action applies to (a copy where the module docstring says so)."""

    def next(self, flow: Flow, pipeline: str, table: int) -> None:
        """Run logical table ``table`` of ``pipeline`` as a subroutine."""

    def output(self, flow: Flow) -> None:
        """Ingress: run the egress pipeline for ``outport``; egress: deliver to ``outport``."""

    def drop(self, flow: Flow) -> None:
        """The action list was empty (``drop;``)."""

    def ct_next(self, flow: Flow, pipeline: str, table: int) -> None:
        """Conntrack lookup (sets ct_state...), then continue at ``table``."""

    def ct_commit(self, flow: Flow, program: Program | None) -> None:
        """Commit the connection; ``program`` sets ct_mark/ct_label on a flow the context
        passes it (then reads them back for the entry)."""

    def ct_nat(self, flow: Flow, action: CtNat | Simple) -> None:
        """ct_dnat/ct_snat(_in_czone) (``CtNat``), ``ct_commit_nat`` and ``ct_snat_to_vip``
        (``Simple``).  Continue at ``action.table`` of ``action.pipeline`` when ``table >= 0``;
        ``ct_snat_to_vip`` (table -1) modifies ``flow`` in place and does not continue."""

    def ct_lb(self, flow: Flow, action: CtLb) -> None:
        """Load balance (or un-NAT without backends), then continue at ``action.table``."""

    def ct_clear(self, flow: Flow) -> None:
        """Forget the connection tracking state of ``flow``."""

    def emit(self, kind: str, flow: Flow, program: Program) -> None:
        """A new packet (``kind``: arp, nd_ns, nd_na, nd_na_router, icmp4, icmp4_error, icmp6,
        icmp6_error, tcp_reset, sctp_abort, reject, clone); run ``program`` on it."""

    def mac_binding(self, flow: Flow, kind: str, port: str, ip: int) -> int | None:
        """The MAC bound to ``ip`` on ``port`` (``kind`` "arp" or "nd"), or None."""

    def put_mac_binding(self, flow: Flow, kind: str, port: str, ip: int, mac: int) -> None: ...

    def fdb_get(self, flow: Flow, mac: int) -> str | None:
        """The port ``mac`` was learnt on, or None."""

    def put_fdb(self, flow: Flow, port: str, mac: int) -> None: ...

    def port_key(self, port: str) -> int:
        """Tunnel key of a logical port (get_fdb into an integer field)."""

    def controller(self, flow: Flow, action: Action) -> int:
        """Actions ovn-controller handles: put_dhcp_opts, put_dhcpv6_opts, put_nd_ra_opts,
        dns_lookup (may rewrite ``flow`` into the reply; return the result bit), trigger_event,
        log, handle_svc_check, bind_vport, igmp, handle_dhcpv6_reply, handle_bfd_msg (return
        value ignored)."""

    def check(self, flow: Flow, action: Action) -> int:
        """Datapath checks returning a bit: check_pkt_larger, chk_lb_hairpin,
        chk_lb_hairpin_reply, check_in_port_sec, check_out_port_sec, chk_ecmp_nh_mac,
        chk_ecmp_nh, chk_lb_aff."""

    def select(self, flow: Flow, action: Select) -> int:
        """One member id of ``action.members`` (weighted, by flow hash)."""

    def fwd_group(self, flow: Flow, action: FwdGroup) -> str | None:
        """One live child port of the group, or None."""

    def effect(self, flow: Flow, action: Action) -> None:
        """Side effects with no result: set_queue, set_meter, sample, commit_ecmp_nh,
        commit_lb_aff."""


Program = Callable[[Flow, ActionContext], None]

# --- packet builders (defaults of ovn-sb(5) for each packet-building action) -----------------

_L4_PREFIXES = ("tcp.", "udp.", "sctp.", "icmp4.", "icmp6.", "nd.")
_L3_PREFIXES = ("ip.", "ip4.", "ip6.", "arp.", *_L4_PREFIXES)
_MASK128 = (1 << 128) - 1
_TCP_RST = 0x004


def _strip(flow: Flow, prefixes: tuple[str, ...]) -> Flow:
    return {k: v for k, v in flow.items() if not k.startswith(prefixes)}


def _int(flow: Flow, key: str) -> int:
    v = flow.get(key, 0)
    return v if isinstance(v, int) else 0


def _solicited_node(ip6: int) -> int:
    return int(ipaddress.IPv6Address("ff02::1:ff00:0")) | (ip6 & 0xFFFFFF)


def _mcast_mac(ip6: int) -> int:
    return 0x333300000000 | (ip6 & 0xFFFFFFFF)


def _swap_l2_l3(new: Flow, flow: Flow) -> None:
    new["eth.src"], new["eth.dst"] = _int(flow, "eth.dst"), _int(flow, "eth.src")
    if _int(flow, "eth.type") == 0x86DD:
        new["ip6.src"], new["ip6.dst"] = _int(flow, "ip6.dst"), _int(flow, "ip6.src")
    else:
        new["ip4.src"], new["ip4.dst"] = _int(flow, "ip4.dst"), _int(flow, "ip4.src")


def _arp(flow: Flow) -> Flow:
    new = _strip(flow, _L3_PREFIXES)
    new.update(
        {
            "eth.type": 0x0806,
            "arp.op": 1,
            "arp.sha": _int(flow, "eth.src"),
            "arp.spa": _int(flow, "ip4.src"),
            "arp.tha": 0,
            "arp.tpa": _int(flow, "ip4.dst"),
        }
    )
    return new


def _nd_ns(flow: Flow) -> Flow:
    dst = _int(flow, "ip6.dst")
    sn = _solicited_node(dst)
    new = _strip(flow, _L4_PREFIXES)
    new.update(
        {
            "eth.dst": _mcast_mac(sn),
            "eth.type": 0x86DD,
            "ip.proto": 58,
            "ip.ttl": 255,
            "ip6.src": _int(flow, "ip6.src"),
            "ip6.dst": sn,
            "icmp6.type": 135,
            "icmp6.code": 0,
            "nd.target": dst,
            "nd.sll": _int(flow, "eth.src"),
        }
    )
    return new


def _nd_na(flow: Flow) -> Flow:
    new = _strip(flow, _L4_PREFIXES)
    new.update(
        {
            "eth.src": _int(flow, "eth.dst"),
            "eth.dst": _int(flow, "eth.src"),
            "eth.type": 0x86DD,
            "ip.proto": 58,
            "ip.ttl": 255,
            "ip6.dst": _int(flow, "ip6.src"),
            "ip6.src": _int(flow, "nd.target"),
            "icmp6.type": 136,
            "icmp6.code": 0,
            "nd.target": _int(flow, "nd.target"),
            "nd.sll": 0,
            "nd.tll": _int(flow, "eth.dst"),
        }
    )
    return new


def _icmp4(flow: Flow) -> Flow:
    new = _strip(flow, _L4_PREFIXES)
    new.update({"ip.proto": 1, "ip.frag": 0, "ip.ttl": 255, "icmp4.type": 3, "icmp4.code": 1})
    return new


def _icmp6(flow: Flow) -> Flow:
    new = _strip(flow, _L4_PREFIXES)
    new.update({"ip.proto": 58, "ip.ttl": 255, "icmp6.type": 1, "icmp6.code": 1})
    return new


def _tcp_reset(flow: Flow) -> Flow:
    new = dict(flow)
    new.update({"ip.proto": 6, "ip.ttl": 255, "tcp.flags": _TCP_RST})
    return new


def _sctp_abort(flow: Flow) -> Flow:
    new = dict(flow)
    new.update({"ip.proto": 132, "ip.ttl": 255})
    return new


def _reject(flow: Flow) -> Flow:
    # TCP gets a RST, SCTP an ABORT, anything else an ICMP unreachable; all sent back
    # (addresses swapped), which the inner actions must not do again (ovn-sb(5)).
    proto = _int(flow, "ip.proto")
    if proto == 6:
        new = _tcp_reset(flow)
    elif proto == 132:
        new = _sctp_abort(flow)
    elif _int(flow, "eth.type") == 0x86DD:
        new = _icmp6(flow)
    else:
        new = _icmp4(flow)
    _swap_l2_l3(new, flow)
    return new


_BUILDERS: dict[str, Callable[[Flow], Flow]] = {
    "clone": dict,
    "arp": _arp,
    "nd_ns": _nd_ns,
    "nd_na": _nd_na,
    "nd_na_router": _nd_na,
    "icmp4": _icmp4,
    "icmp4_error": _icmp4,
    "icmp6": _icmp6,
    "icmp6_error": _icmp6,
    "tcp_reset": _tcp_reset,
    "sctp_abort": _sctp_abort,
    "reject": _reject,
}


def build_packet(kind: str, flow: Flow) -> Flow:
    """The flow a packet-building action ``kind`` starts its nested actions with."""
    return _BUILDERS[kind](flow)


# --- code generation -------------------------------------------------------------------------


class _ActionSourceBuilder:
    """Accumulates the body of one generated function.  Every constant it needs (values, masks,
    table numbers, strings, parsed nodes, nested programs) is lifted out as a parameter ``_kN``
    of the function that makes the program, so the source depends on the actions' shape only
    and action lists that differ in constants share one compiled maker."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.consts: list[object] = []
        self.n_tmp = 0
        self.uses_stack = False

    def const(self, obj: object) -> str:
        self.consts.append(obj)
        return f"_k{len(self.consts) - 1}"

    def tmp(self) -> str:
        self.n_tmp += 1
        return f"_t{self.n_tmp}"

    def emit(self, line: str, indent: int = 1) -> None:
        self.lines.append("    " * indent + line)

    # Field access: strings are the base key itself; integers are spread over segments.
    def read(self, ref: FieldRef) -> str:
        if ref.is_string:
            return f"flow.get({ref.symbol.storage[0].base!r}, '')"
        parts = []
        shift = 0
        for base, ofs, n in ref.segments:
            mask = (1 << n) - 1
            e = f"flow.get({base!r}, 0)"
            if ofs == 0 and n == BASE_WIDTHS.get(base):
                pass  # a whole base key: stored values never exceed its width
            elif ofs:
                e = f"({e} >> {ofs})"
                e = f"({e} & {mask:#x})"
            else:
                e = f"({e} & {mask:#x})"
            if shift:
                e = f"({e} << {shift})"
            parts.append(e)
            shift += n
        return " | ".join(parts) if len(parts) > 1 else parts[0]

    def write(
        self, ref: FieldRef, value: str | int, mask: int | None = None, indent: int = 1
    ) -> None:
        """Stores ``value`` (a Python expression, or an int constant; right-aligned) into
        ``ref``; only bits set in ``mask`` (relative to the field) when given."""
        if ref.is_string:
            v = self.const(value) if isinstance(value, int) else value
            self.emit(f"flow[{ref.symbol.storage[0].base!r}] = {v}", indent)
            return
        segs = ref.segments
        if len(segs) > 1 and isinstance(value, str) and not value.isidentifier():
            t = self.tmp()
            self.emit(f"{t} = {value}", indent)
            value = t
        shift = 0
        for base, ofs, n in segs:
            seg_mask = (1 << n) - 1
            if mask is not None:
                seg_mask &= mask >> shift
            full = (1 << n) - 1
            if ofs == 0 and n == BASE_WIDTHS.get(base) and seg_mask == full:
                # The whole base key: a plain store.
                if isinstance(value, int):
                    v = self.const((value >> shift) & full)
                else:
                    v = f"({value} >> {shift})" if shift else value
                    v = f"({v} & {full:#x})"
                self.emit(f"flow[{base!r}] = {v}", indent)
            elif seg_mask:
                m = seg_mask << ofs
                if isinstance(value, int):  # a constant: fold the shifts
                    v = self.const(((value >> shift) << ofs) & m)
                else:
                    v = f"({value} >> {shift})" if shift else value
                    v = f"(({v} << {ofs}) & {m:#x})" if ofs else f"({v} & {m:#x})"
                keep = self.const(~m)
                self.emit(f"flow[{base!r}] = (flow.get({base!r}, 0) & {keep}) | {v}", indent)
            shift += n


def _gen_actions(g: _ActionSourceBuilder, actions: Sequence[Action]) -> None:
    if not actions:
        g.emit("ctx.drop(flow)")
        return
    for a in actions:
        _gen_action(g, a)


def _gen_action(g: _ActionSourceBuilder, a: Action) -> None:  # noqa: C901 - a branch per action
    if isinstance(a, Load):
        if a.dst.is_string:
            g.emit(f"flow[{a.dst.symbol.storage[0].base!r}] = {g.const(a.value.string)}")
        else:
            value = a.value.value
            assert isinstance(value, int)
            n_mask = (1 << a.dst.n_bits) - 1
            mask = n_mask if a.value.mask is None else a.value.mask & n_mask
            g.write(a.dst, value & mask, mask)
    elif isinstance(a, Move):
        t = g.tmp()
        g.emit(f"{t} = {g.read(a.src)}")
        g.write(a.dst, t)
    elif isinstance(a, Exchange):
        ta, tb = g.tmp(), g.tmp()
        g.emit(f"{ta} = {g.read(a.a)}")
        g.emit(f"{tb} = {g.read(a.b)}")
        g.write(a.a, tb)
        g.write(a.b, ta)
    elif isinstance(a, PushPop):
        g.uses_stack = True
        if a.push:
            g.emit(f"_stack.append({g.read(a.field)})")
        else:
            t = g.tmp()
            g.emit(f"{t} = _stack.pop() if _stack else 0")
            g.write(a.field, t)
    elif isinstance(a, Next):
        g.emit(f"ctx.next(flow, {a.pipeline!r}, {g.const(a.table)})")
    elif isinstance(a, DecTtl):
        t = g.tmp()
        g.emit(f"{t} = flow.get('ip.ttl', 0)")
        # TTL 0 or 1 would reach zero: processing halts (ovn-sb(5)).
        g.emit(f"if {t} <= 1:")
        g.emit("return", 2)
        g.emit(f"flow['ip.ttl'] = {t} - 1")
    elif isinstance(a, Simple):
        _gen_simple(g, a)
    elif isinstance(a, Nested):
        prog = compile_actions(a.actions)
        if a.kind == "ct_commit":
            g.emit(f"ctx.ct_commit(flow, {g.const(prog if a.actions else None)})")
        else:
            builder = g.const(_BUILDERS[a.kind])
            g.emit(f"ctx.emit({a.kind!r}, {builder}(flow), {g.const(prog)})")
    elif isinstance(a, CtCommitV1):
        g.emit(f"ctx.ct_commit(flow, {g.const(_ct_commit_v1_program(a))})")
    elif isinstance(a, CtNat):
        g.emit(f"ctx.ct_nat(dict(flow), {g.const(a)})")
    elif isinstance(a, CtLb):
        g.emit(f"ctx.ct_lb(dict(flow), {g.const(a)})")
    elif isinstance(a, Select):
        t = g.tmp()
        g.emit(f"{t} = ctx.select(flow, {g.const(a)})")
        g.write(a.dst, t)
        g.emit(f"ctx.next(flow, {a.pipeline!r}, {g.const(a.table)})")
        # A select group ends the flow's actions (ovn-sb(5)).
        g.emit("return")
    elif isinstance(a, GetMacBind):
        t = g.tmp()
        g.emit(f"{t} = ctx.mac_binding(flow, {a.kind!r}, {g.read(a.port)}, {g.read(a.ip)})")
        g.emit(f"flow['eth.dst'] = {t} or 0")
    elif isinstance(a, PutMacBind):
        g.emit(
            f"ctx.put_mac_binding(flow, {a.kind!r}, {g.read(a.port)}, {g.read(a.ip)}, "
            f"{g.read(a.mac)})"
        )
    elif isinstance(a, LookupMacBind):
        t = g.tmp()
        g.emit(f"{t} = ctx.mac_binding(flow, {a.kind!r}, {g.read(a.port)}, {g.read(a.ip)})")
        if a.mac is None:
            g.write(a.dst, f"(1 if {t} is not None else 0)")
        else:
            g.write(a.dst, f"(1 if {t} is not None and {t} == ({g.read(a.mac)}) else 0)")
    elif isinstance(a, PutFdb):
        g.emit(f"ctx.put_fdb(flow, {g.read(a.port)}, {g.read(a.mac)})")
    elif isinstance(a, GetFdb):
        t = g.tmp()
        g.emit(f"{t} = ctx.fdb_get(flow, {g.read(a.mac)})")
        if a.dst.is_string:
            # Not learnt: port key 0, which OVN's matches call "none" (ls_in_l2_unknown).
            g.write(a.dst, f"({t} or 'none')")
        else:
            g.write(a.dst, f"(ctx.port_key({t}) if {t} else 0)")
    elif isinstance(a, LookupFdb):
        t = g.tmp()
        g.emit(f"{t} = ctx.fdb_get(flow, {g.read(a.mac)})")
        g.write(a.dst, f"(1 if {t} is not None and {t} == {g.read(a.port)} else 0)")
    elif isinstance(a, PutOpts) or (isinstance(a, Result) and a.func == "dns_lookup"):
        t = g.tmp()
        g.emit(f"{t} = ctx.controller(flow, {g.const(a)})")
        g.write(a.dst, f"(1 if {t} else 0)")
    elif isinstance(a, Result | CheckPktLarger):
        t = g.tmp()
        g.emit(f"{t} = ctx.check(flow, {g.const(a)})")
        g.write(a.dst, f"(1 if {t} else 0)")
    elif isinstance(a, TriggerEvent | Log | HandleSvcCheck | BindVport):
        g.emit(f"ctx.controller(flow, {g.const(a)})")
    elif isinstance(a, FwdGroup):
        t = g.tmp()
        g.emit(f"{t} = ctx.fwd_group(flow, {g.const(a)})")
        g.emit(f"if {t}:")
        g.emit(f"flow['outport'] = {t}", 2)
        g.emit("ctx.output(flow)", 2)
    elif isinstance(a, SetQueue | SetMeter | Sample | CommitEcmpNh | CommitLbAff):
        g.emit(f"ctx.effect(flow, {g.const(a)})")
    else:  # pragma: no cover - the parser builds nothing else
        raise TypeError(f"cannot compile {type(a).__name__}")


def _gen_simple(g: _ActionSourceBuilder, a: Simple) -> None:
    k = a.keyword
    if k == "output":
        g.emit("ctx.output(flow)")
    elif k == "ct_next":
        g.emit(f"ctx.ct_next(dict(flow), {a.pipeline!r}, {g.const(a.table)})")
    elif k == "ct_commit_nat":
        g.emit(f"ctx.ct_nat(dict(flow), {g.const(a)})")
    elif k == "ct_snat_to_vip":
        g.emit(f"ctx.ct_nat(flow, {g.const(a)})")
    elif k == "ct_clear":
        g.emit("ctx.ct_clear(flow)")
    else:  # igmp, handle_dhcpv6_reply, handle_bfd_msg
        g.emit(f"ctx.controller(flow, {g.const(a)})")


def _ct_commit_v1_program(a: CtCommitV1) -> Program:
    mark, mmask, label, lmask = a.ct_mark, a.ct_mark_mask, a.ct_label, a.ct_label_mask

    def program(flow: Flow, ctx: ActionContext) -> None:
        if mmask:
            old = _int(flow, "ct_mark")
            flow["ct_mark"] = (old & ~mmask) | (mark & mmask)
        if lmask:
            old = _int(flow, "ct_label")
            flow["ct_label"] = (old & ~lmask & _MASK128) | (label & lmask)

    return program


def program_source(actions: ParsedActions | Sequence[Action]) -> str:
    """The Python source ``compile_actions`` generates and the constants it binds (for
    debugging and tests)."""
    g = _ActionSourceBuilder()
    _gen_actions(g, _as_list(actions))
    return _assemble(g) + "".join(f"# _k{i} = {c!r}\n" for i, c in enumerate(g.consts))


def _assemble(g: _ActionSourceBuilder) -> str:
    params = ", ".join(f"_k{i}" for i in range(len(g.consts)))
    head = [f"def _make({params}):", "    def _program(flow, ctx):"]
    if g.uses_stack:
        head.append("        _stack = []")
    return "\n".join(head + ["    " + line for line in g.lines] + ["    return _program"]) + "\n"


def _as_list(actions: ParsedActions | Sequence[Action]) -> tuple[Action, ...]:
    if isinstance(actions, ParsedActions):
        return actions.actions
    return tuple(actions)


def compile_actions(actions: ParsedActions | Sequence[Action]) -> Program:
    """Compiles an action list into ``program(flow, ctx)`` (memoised on the actions)."""
    return _compile(_as_list(actions))


# Compiled makers by source (compiling Python is the expensive step; shapes repeat).
_MAKERS: dict[str, Callable[..., Program]] = {}
_MAKERS_MAX = 16384


def actions_maker(
    actions: ParsedActions | Sequence[Action],
) -> tuple[Callable[..., Program], list[object]]:
    """The compiled maker of the actions' shape and the constants these actions give it:
    ``maker(*consts)`` is ``compile_actions(actions)`` (for callers that substitute constants
    between action lists of one shape, pyovn.pipeline.shapes)."""
    g = _ActionSourceBuilder()
    _gen_actions(g, _as_list(actions))
    src = _assemble(g)
    make = _MAKERS.get(src)
    if make is None:
        namespace: dict[str, object] = {}
        exec(compile(src, "<ovn-actions>", "exec"), namespace)  # noqa: S102 - our own source
        make = namespace["_make"]  # type: ignore[assignment]
        assert callable(make)
        if len(_MAKERS) >= _MAKERS_MAX:
            _MAKERS.clear()
        _MAKERS[src] = make
    return make, g.consts


@lru_cache(maxsize=1 << 18)
def _compile(actions: tuple[Action, ...]) -> Program:
    make, consts = actions_maker(actions)
    return make(*consts)
