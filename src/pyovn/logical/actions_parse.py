"""Parser of OVN logical actions (ovn-sb(5) "actions"), recursive descent over ``Lexer`` tokens.

``parse_actions(text, params)`` returns the actions (``actions_ast`` nodes) and the
prerequisites they imply: the prerequisite expressions of every field they name (assigning
``tcp.dst`` implies ``tcp``) and those of the actions themselves (``ct_next`` implies ``ip``).
Callers AND them into the flow's match.  Inside a packet-building nested action (``arp { }``...)
the inner prerequisites are replaced by the action's own (``ip4`` for ``arp``), as OVN does;
``clone`` passes its inner ones through.

Errors raise ``ParseError`` with OVN's wording and the offset of the token where the parser
stopped ("Syntax error at `foo' expecting field name.").  The parser needs to know where the flow
sits (pipeline, table, number of tables) because ``next;`` means "the table after this one".
Assignments are checked against the symbol table: writable in the current scope (``ct_mark`` only
inside ``ct_commit { }``), matching widths and types.
"""

from __future__ import annotations

import ipaddress
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from pyovn.logical.actions_ast import (
    Action,
    ActionList,
    BindVport,
    CheckPktLarger,
    CommitEcmpNh,
    CommitLbAff,
    CtCommitV1,
    CtLb,
    CtLbBackend,
    CtNat,
    DecTtl,
    Exchange,
    FwdGroup,
    GenOption,
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
    OptionDef,
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
    Value,
    ValueSet,
    format_actions,
    range_string,
)
from pyovn.logical.actions_opts import (
    CONTROLLER_EVENTS,
    DHCPV4_OPTIONS,
    DHCPV6_OPTIONS,
    ND_RA_OPTIONS,
)
from pyovn.logical.flow import FieldRef
from pyovn.logical.lexer import IntFormat, Lexer, ParseError, TokenType
from pyovn.logical.symbols import Level, SymbolKind, SymbolTable, WriteScope, default_symtab

__all__ = ["ParseParams", "ParsedActions", "parse_actions", "parse_actions_cached"]

T = TokenType

# OVN's limit on nesting (MAX_NESTED_ACTION_DEPTH).
_MAX_DEPTH = 32
_QDISC_MAX_QUEUE_ID = 61440
_LOG_SEVERITIES = ("alert", "warning", "notice", "info", "debug")
_PROTOS = {"tcp": 6, "udp": 17, "sctp": 132}


@dataclass(frozen=True)
class ParseParams:
    """Where the actions sit and what they may refer to.

    ``pipeline``/``table``: the flow's own stage ("ingress"/"egress", logical table number);
    ``n_tables``: tables per pipeline (OVN's LOG_PIPELINE_LEN, 29).  Option tables default to
    OVN 23.03's built-in ones.
    """

    symtab: SymbolTable = field(default_factory=default_symtab)
    pipeline: str = "ingress"
    table: int = 0
    n_tables: int = 29
    dhcp_opts: Mapping[str, OptionDef] = field(default_factory=lambda: DHCPV4_OPTIONS)
    dhcpv6_opts: Mapping[str, OptionDef] = field(default_factory=lambda: DHCPV6_OPTIONS)
    nd_ra_opts: Mapping[str, OptionDef] = field(default_factory=lambda: ND_RA_OPTIONS)
    events: Mapping[str, Mapping[str, OptionDef]] = field(default_factory=lambda: CONTROLLER_EVENTS)

    def __hash__(self) -> int:
        return hash(
            (
                id(self.symtab),
                self.pipeline,
                self.table,
                self.n_tables,
                id(self.dhcp_opts),
                id(self.dhcpv6_opts),
                id(self.nd_ra_opts),
                id(self.events),
            )
        )


@dataclass(frozen=True, slots=True)
class ParsedActions:
    """The actions of one flow and the prerequisites (match expression texts) they imply."""

    actions: ActionList
    prereqs: tuple[str, ...] = ()

    def to_string(self) -> str:
        return format_actions(self.actions)

    def prereq_expr(self) -> str | None:
        """The prerequisites as one expression (``None`` if there are none)."""
        if not self.prereqs:
            return None
        return " && ".join(f"({p})" if _needs_parens(p) else p for p in self.prereqs)


def _needs_parens(expr: str) -> bool:
    return not re.fullmatch(r"[A-Za-z_.][A-Za-z0-9_.]*", expr)


class _Parser:
    __slots__ = ("lx", "pp", "prereqs", "depth", "scope")

    def __init__(self, lx: Lexer, pp: ParseParams) -> None:
        self.lx = lx
        self.pp = pp
        self.prereqs: list[str] = []
        self.depth = 0
        self.scope = WriteScope.DEFAULT

    # --- helpers --------------------------------------------------------------------------
    def err(self, message: str) -> ParseError:
        return self.lx.error(message)

    def syntax(self, message: str | None = None) -> ParseError:
        return self.lx.syntax_error(message)

    def add_prereq(self, expr: str | None) -> None:
        if expr and expr not in self.prereqs:
            self.prereqs.append(expr)

    def field(self) -> FieldRef:
        """``name`` or ``name[i]`` or ``name[lo..hi]`` (OVN's expr_field_parse)."""
        lx = self.lx
        tok = lx.token
        sym = self.pp.symtab.get(tok.s) if tok.type is T.ID else None
        if sym is None:
            raise self.syntax("expecting field name")
        lx.next()
        if sym.kind is SymbolKind.PREDICATE:
            raise self.err(f"Predicate symbol {sym.name} used where lvalue required.")
        ofs, n_bits = 0, sym.width
        if lx.token.type is T.LSQUARE:
            if sym.kind is SymbolKind.STRING:
                raise self.err(f"Cannot select subfield of string field {sym.name}.")
            if sym.level is Level.NOMINAL:
                raise self.err(f"Cannot select subfield of nominal field {sym.name}.")
            lx.next()
            low = lx.force_int()
            high = low
            if lx.match(T.ELLIPSIS):
                high = lx.force_int()
            lx.force_match(T.RSQUARE)
            if low > high:
                raise self.err(f"Invalid bit range {low} to {high}.")
            if high >= sym.width:
                raise self.err(
                    f"Cannot select bits {low} to {high} of {sym.width}-bit symbol {sym.name}."
                )
            ofs, n_bits = low, high - low + 1
        self.add_prereq(sym.prereqs)
        return FieldRef(sym, ofs, n_bits)

    def type_check(self, ref: FieldRef, n_bits: int, rw: bool) -> None:
        """OVN's expr_type_check: ``n_bits`` wide (0 = a string field) and writable if ``rw``."""
        if n_bits != ref.n_bits:
            if n_bits and ref.n_bits:
                raise self.err(
                    f"Cannot use {ref.n_bits}-bit field {range_string(ref)} "
                    f"where {n_bits}-bit field is required."
                )
            if n_bits:
                raise self.err(
                    f"Cannot use string field {ref.name} where numeric field is required."
                )
            raise self.err(f"Cannot use numeric field {ref.name} where string field is required.")
        if rw and not (ref.symbol.write_scope & self.scope):
            raise self.err(f"Field {ref.name} is not modifiable.")

    def typed_field(self, n_bits: int, rw: bool = False) -> FieldRef:
        ref = self.field()
        self.type_check(ref, n_bits, rw)
        return ref

    def uint16(self, what: str) -> int:
        lx = self.lx
        if lx.is_int() and lx.token.value <= 0xFFFF:
            v = lx.token.value
            lx.next()
            return v
        raise self.syntax(f"expecting {what}")

    def constant(self) -> Value:
        lx = self.lx
        tok = lx.token
        if tok.type is T.STRING:
            lx.next()
            return Value(string=tok.s)
        if tok.type is T.INTEGER:
            lx.next()
            return Value(tok.value, None, tok.format)
        if tok.type is T.MASKED_INTEGER:
            lx.next()
            return Value(tok.value, tok.mask, tok.format)
        if tok.type is T.TEMPLATE:
            raise self.err("Unexpanded template.")
        raise self.syntax("expecting constant")

    def constant_set(self) -> ValueSet:
        lx = self.lx
        if lx.match(T.LCURLY):
            values = [self.constant()]
            lx.match(T.COMMA)
            while not lx.match(T.RCURLY):
                values.append(self.constant())
                lx.match(T.COMMA)
            kinds = {v.is_string for v in values}
            if len(kinds) > 1:
                raise self.err("Constants in set must all have the same type.")
            return ValueSet(tuple(values), True)
        return ValueSet((self.constant(),))

    # --- action lists ---------------------------------------------------------------------
    def actions(self, sentinel: TokenType) -> ActionList:
        lx = self.lx
        # "drop;" alone is the empty action list; it cannot be combined with others.
        if lx.token.type is T.ID and lx.token.s == "drop" and lx.lookahead() is T.SEMICOLON:
            lx.next()
            lx.next()
            lx.force_match(sentinel)
            return ()
        out: list[Action] = []
        while not lx.match(sentinel):
            out.append(self.action())
        return tuple(out)

    def action(self) -> Action:
        lx = self.lx
        tok = lx.token
        if tok.type is T.TEMPLATE:
            raise self.err("Unexpanded template.")
        if tok.type is not T.ID:
            raise self.syntax()
        la = lx.lookahead()
        if la in (T.EQUALS, T.EXCHANGE, T.LSQUARE):
            act = self.set_action()
        else:
            handler = _KEYWORDS.get(tok.s)
            if handler is None:
                raise self.syntax("expecting action")
            lx.next()
            act = handler(self)
        lx.force_match(T.SEMICOLON)
        return act

    # --- assignments and the "R = f(...)" actions -------------------------------------------
    def set_action(self) -> Action:
        lx = self.lx
        lhs = self.field()
        if lx.match(T.EXCHANGE):
            return self.assignment(lhs, exchange=True)
        if not lx.match(T.EQUALS):
            raise self.syntax("expecting `=' or `<->'")
        tok = lx.token
        if tok.type is not T.ID:
            return self.load(lhs)
        func = _FUNCTIONS.get(tok.s)
        if func is not None and lx.lookahead() is T.LPAREN:
            return func(self, lhs)
        return self.assignment(lhs, exchange=False)

    def load(self, lhs: FieldRef) -> Action:
        self.type_check(lhs, lhs.n_bits, True)
        value = self.constant()
        sym = lhs.symbol
        if value.is_string != (sym.width == 0):
            raise self.err(
                f"{'Integer' if sym.width else 'String'} field {sym.name} is not compatible "
                f"with {'string' if value.is_string else 'integer'} constant."
            )
        if sym.width and value.width() > sym.width:
            raise self.err(
                f"{value.width()}-bit constant is not compatible with {sym.width}-bit "
                f"field {sym.name}."
            )
        return Load(lhs, value)

    def assignment(self, lhs: FieldRef, exchange: bool) -> Action:
        rhs = self.field()
        ls, rs = lhs.symbol, rhs.symbol
        if (ls.width != 0) != (rs.width != 0):
            lkind = "integer" if ls.width else "string"
            rkind = "integer" if rs.width else "string"
            if exchange:
                raise self.err(
                    f"Can't exchange {lkind} field ({ls.name}) with {rkind} field ({rs.name})."
                )
            raise self.err(f"Can't assign {rkind} field ({rs.name}) to {lkind} field ({ls.name}).")
        if lhs.n_bits != rhs.n_bits:
            if exchange:
                raise self.err(
                    f"Can't exchange {lhs.n_bits}-bit field with {rhs.n_bits}-bit field."
                )
            raise self.err(f"Can't assign {rhs.n_bits}-bit value to {lhs.n_bits}-bit destination.")
        self.type_check(lhs, lhs.n_bits, True)
        self.type_check(rhs, rhs.n_bits, exchange)
        return Exchange(lhs, rhs) if exchange else Move(lhs, rhs)

    def _skip_call(self) -> None:
        self.lx.next()  # the function name
        self.lx.next()  # "("

    def result(self, dst: FieldRef, func: str, prereq: str | None = None) -> Action:
        self._skip_call()
        if not self.lx.match(T.RPAREN):
            raise self.err(f"{func} doesn't take any parameters")
        self.type_check(dst, 1, True)
        self.add_prereq(prereq)
        return Result(func, dst)

    def select(self, dst: FieldRef) -> Action:
        self.type_check(dst, dst.n_bits, True)
        if dst.n_bits < 16:
            raise self.err(
                f'cannot use {dst.n_bits}-bit field {range_string(dst)} for "select", '
                "which requires at least 16 bits."
            )
        self._check_not_last("select")
        self._skip_call()
        lx = self.lx
        members: list[tuple[int, int]] = []
        while not lx.match(T.RPAREN):
            ident = self.uint16("id")
            weight = 0
            if lx.match(T.EQUALS):
                weight = self.uint16("weight")
                if weight == 0:
                    raise self.syntax("weight can't be 0")
            members.append((ident, weight or 100))
            lx.match(T.COMMA)
        if len(members) <= 1:
            raise self.syntax("expecting at least 2 group members")
        return Select(dst, tuple(members), self.pp.pipeline, self.pp.table + 1)

    def put_opts(self, dst: FieldRef, func: str) -> Action:
        self._skip_call()
        self.type_check(dst, 1, True)
        pp = self.pp
        if func == "put_dhcp_opts":
            table, what = pp.dhcp_opts, "DHCPv4"
        elif func == "put_dhcpv6_opts":
            table, what = pp.dhcpv6_opts, "DHCPv6"
        else:
            table, what = pp.nd_ra_opts, "IPv6 ND RA"
        options = self.gen_options(table, what)
        if func == "put_dhcp_opts" and not any(o.option.code == 0 for o in options):
            raise self.err("put_dhcp_opts requires offerip to be specified.")
        if func == "put_nd_ra_opts":
            self.validate_nd_ra(options)
            self.add_prereq("ip6")
        return PutOpts(func, dst, options)

    def gen_options(self, table: Mapping[str, OptionDef], what: str) -> tuple[GenOption, ...]:
        lx = self.lx
        options: list[GenOption] = []
        while not lx.match(T.RPAREN):
            options.append(self.gen_option(table, what))
            lx.match(T.COMMA)
        return tuple(options)

    def gen_option(self, table: Mapping[str, OptionDef], what: str) -> GenOption:
        lx = self.lx
        if lx.token.type is not T.ID:
            raise self.syntax()
        opt = table.get(lx.token.s)
        if opt is None:
            raise self.syntax(f"expecting {what} option name")
        lx.next()
        lx.force_match(T.EQUALS)
        value = self.constant_set()
        if opt.type != "host_id":
            is_string = value.values[0].is_string
            if opt.type in ("str", "domains"):
                if not is_string:
                    raise self.err(f"{what} option {opt.name} requires string value.")
            elif is_string:
                raise self.err(f"{what} option {opt.name} requires numeric value.")
        return GenOption(opt, value)

    def validate_nd_ra(self, options: tuple[GenOption, ...]) -> None:
        stateful = prefix_set = slla = False
        for o in options:
            vals = o.value.values
            bad = len(vals) > 1
            c = vals[0]
            name = o.option.name
            if not bad:
                if name == "addr_mode":
                    bad = c.string not in ("slaac", "dhcpv6_stateful", "dhcpv6_stateless")
                    stateful = c.string == "dhcpv6_stateful"
                elif name == "router_preference":
                    bad = c.string not in ("MEDIUM", "HIGH", "LOW")
                elif name == "slla":
                    bad = c.fmt is not IntFormat.ETHERNET
                    slla = True
                elif name == "prefix":
                    bad = c.fmt is not IntFormat.IPV6 or c.mask is None
                    prefix_set = True
                elif name == "mtu":
                    bad = c.fmt is not IntFormat.DECIMAL
                elif name == "rdnss":
                    bad = c.fmt is not IntFormat.IPV6
                elif name in ("route_info", "dnssl"):
                    bad = c.string is None
            if bad:
                raise self.err(f'Invalid value for "{name}" option')
        if not slla:
            raise self.err("slla option not present")
        if not stateful and not prefix_set:
            raise self.err(
                "prefix option needs to be set when address mode is slaac/dhcpv6_stateless."
            )

    def check_pkt_larger(self, dst: FieldRef) -> Action:
        self.type_check(dst, 1, True)
        lx = self.lx
        lx.next()
        lx.force_match(T.LPAREN)
        length = lx.force_int()
        lx.force_match(T.RPAREN)
        return CheckPktLarger(dst, length)

    def lookup_mac_bind(self, dst: FieldRef, kind: str, with_mac: bool) -> Action:
        self.type_check(dst, 1, True)
        self._skip_call()
        width = 32 if kind == "arp" else 128
        port = self.typed_field(0)
        self.lx.force_match(T.COMMA)
        ip = self.typed_field(width)
        mac = None
        if with_mac:
            self.lx.force_match(T.COMMA)
            mac = self.typed_field(48)
        self.lx.force_match(T.RPAREN)
        return LookupMacBind(kind, dst, port, ip, mac)

    def get_fdb(self, dst: FieldRef) -> Action:
        self._skip_call()
        if dst.n_bits:
            self.type_check(dst, 32, True)
        mac = self.typed_field(48)
        self.lx.force_match(T.RPAREN)
        return GetFdb(dst, mac)

    def lookup_fdb(self, dst: FieldRef) -> Action:
        self._skip_call()
        self.type_check(dst, 1, True)
        port = self.typed_field(0)
        self.lx.force_match(T.COMMA)
        mac = self.typed_field(48)
        self.lx.force_match(T.RPAREN)
        return LookupFdb(dst, port, mac)

    # --- keyword actions (the keyword is already consumed) ---------------------------------
    def _check_not_last(self, name: str) -> None:
        if self.pp.table >= self.pp.n_tables:
            raise self.err(f'"{name}" action not allowed in last table.')

    def next_(self) -> Action:
        pp, lx = self.pp, self.lx
        if not pp.n_tables:
            raise self.err('"next" action not allowed here.')
        pipeline, table = pp.pipeline, pp.table + 1
        if lx.match(T.LPAREN):
            if lx.is_int():
                table = lx.force_int()
            else:
                while True:
                    if lx.match_id("pipeline"):
                        lx.force_match(T.EQUALS)
                        if lx.match_id("ingress"):
                            pipeline = "ingress"
                        elif lx.match_id("egress"):
                            pipeline = "egress"
                        else:
                            raise self.syntax('expecting "ingress" or "egress"')
                    elif lx.match_id("table"):
                        lx.force_match(T.EQUALS)
                        table = lx.force_int()
                    else:
                        raise self.syntax('expecting "pipeline" or "table"')
                    if not lx.match(T.COMMA):
                        break
            lx.force_match(T.RPAREN)
        if table >= pp.n_tables:
            raise self.err(f'"next" action cannot advance beyond table {pp.n_tables - 1}.')
        return Next(pipeline, table, pp.pipeline, pp.table)

    def push_pop(self, push: bool) -> Action:
        lx = self.lx
        lx.force_match(T.LPAREN)
        f = self.field()
        self.type_check(f, f.n_bits, not push)
        lx.force_match(T.RPAREN)
        return PushPop(push, f)

    def dec_ttl(self) -> Action:
        self.lx.force_match(T.DECREMENT)
        self.add_prereq("ip")
        return DecTtl()

    def ct_next(self) -> Action:
        self._check_not_last("ct_next")
        self.add_prereq("ip")
        return Simple("ct_next", "ct_next;", self.pp.pipeline, self.pp.table + 1)

    def ct_commit(self) -> Action:
        lx = self.lx
        if lx.token.type is T.LCURLY:
            return self.nested("ct_commit", "ip", WriteScope.CT_COMMIT)
        self.add_prereq("ip")
        if lx.match(T.LPAREN):
            return self.ct_commit_v1()
        return Nested("ct_commit", ())

    def ct_commit_v1(self) -> Action:
        lx = self.lx
        mark = mark_mask = label = label_mask = 0
        while not lx.match(T.RPAREN):
            if lx.match_id("ct_mark"):
                lx.force_match(T.EQUALS)
                tok = lx.token
                if tok.type is T.INTEGER:
                    mark, mark_mask = tok.value & 0xFFFFFFFF, 0xFFFFFFFF
                elif tok.type is T.MASKED_INTEGER:
                    mark, mark_mask = tok.value & 0xFFFFFFFF, (tok.mask or 0) & 0xFFFFFFFF
                else:
                    raise self.syntax("expecting integer")
                lx.next()
            elif lx.match_id("ct_label"):
                lx.force_match(T.EQUALS)
                tok = lx.token
                full = (1 << 128) - 1
                if tok.type is T.INTEGER:
                    label, label_mask = tok.value & full, full
                elif tok.type is T.MASKED_INTEGER:
                    label, label_mask = tok.value & full, (tok.mask or 0) & full
                else:
                    raise self.syntax("expecting integer")
                lx.next()
            else:
                raise self.syntax()
            lx.match(T.COMMA)
        return CtCommitV1(mark, mark_mask, label, label_mask)

    def ct_nat(self, kind: str) -> Action:
        self.add_prereq("ip")
        self._check_not_last(kind)
        lx = self.lx
        pipeline, table = self.pp.pipeline, self.pp.table + 1
        if not lx.match(T.LPAREN):
            return CtNat(kind, pipeline=pipeline, table=table)
        tok = lx.token
        if tok.type is not T.INTEGER or tok.format not in (IntFormat.IPV4, IntFormat.IPV6):
            raise self.syntax("expecting IPv4 or IPv6 address")
        ip, ipv6 = tok.value, tok.format is IntFormat.IPV6
        lx.next()
        lo = hi = 0
        has_ports = False
        if lx.match(T.COMMA):
            tok = lx.token
            if tok.type is not T.INTEGER or tok.format is not IntFormat.DECIMAL:
                raise self.syntax("expecting Integer for port range")
            lo = tok.value
            if lo == 0:
                raise self.syntax("range can't be 0")
            lx.next()
            if lx.match(T.HYPHEN):
                tok = lx.token
                if tok.type is not T.INTEGER:
                    raise self.syntax("expecting Integer for port range")
                hi = tok.value
                if hi <= lo:
                    raise self.syntax("range high should be greater than range low")
                lx.next()
            has_ports = True
        lx.force_match(T.RPAREN)
        return CtNat(kind, ip, ipv6, lo, hi, has_ports, pipeline, table)

    def ct_commit_nat(self) -> Action:
        self.add_prereq("ip")
        self._check_not_last("ct_commit_related")
        return Simple("ct_commit_nat", "ct_commit_nat;", self.pp.pipeline, self.pp.table + 1)

    def ct_lb(self, mark: bool) -> Action:
        self._check_not_last("ct_lb")
        self.add_prereq("ip")
        lx = self.lx
        pipeline, table = self.pp.pipeline, self.pp.table + 1
        if not lx.match(T.LPAREN) or lx.match(T.RPAREN):
            return CtLb(mark, pipeline=pipeline, table=table)
        if not lx.match_id("backends") or not lx.match(T.EQUALS):
            raise self.syntax("expecting backends")
        backends: list[CtLbBackend] = []
        ended_by_semicolon = False
        while True:
            if lx.match(T.SEMICOLON):
                ended_by_semicolon = True
                break
            if lx.match(T.RPAREN):
                break
            backends.append(self.ct_lb_backend())
            lx.match(T.COMMA)
        hash_fields = flag = None
        if ended_by_semicolon:
            if lx.match_id("hash_fields"):
                if not lx.match(T.EQUALS) or lx.token.type is not T.STRING:
                    raise self.syntax("invalid hash_fields")
                hash_fields = lx.token.s
                lx.next()
                if lx.match(T.SEMICOLON):
                    flag = self.ct_lb_flag()
            else:
                flag = self.ct_lb_flag()
            lx.force_match(T.RPAREN)
        return CtLb(mark, tuple(backends), hash_fields, flag, pipeline, table)

    def ct_lb_flag(self) -> str | None:
        for flag in ("skip_snat", "force_snat"):
            if self.lx.match_id(flag):
                return flag
        return None

    def ct_lb_backend(self) -> CtLbBackend:
        lx = self.lx
        if lx.match(T.LSQUARE):
            tok = lx.token
            if tok.type is not T.INTEGER or tok.format is not IntFormat.IPV6:
                raise self.syntax("expecting IPv6 address")
            ip = tok.value
            lx.next()
            if not lx.match(T.RSQUARE):
                raise self.syntax("no closing square bracket")
            port = self.uint16("port number") if lx.match(T.COLON) else 0
            return CtLbBackend(ip, True, port)
        tok = lx.token
        if tok.type is not T.INTEGER or tok.format not in (IntFormat.IPV4, IntFormat.IPV6):
            raise self.syntax("expecting IP address")
        ipv6 = tok.format is IntFormat.IPV6
        lx.next()
        port = 0
        if lx.match(T.COLON):
            if ipv6:
                raise self.syntax("IPv6 address needs square brackets if port is included")
            port = self.uint16("port number")
        return CtLbBackend(tok.value, ipv6, port)

    def nested(self, kind: str, prereq: str | None, scope: WriteScope | None = None) -> Action:
        lx = self.lx
        lx.force_match(T.LCURLY)
        if self.depth + 1 == _MAX_DEPTH:
            raise self.err("maximum depth of nested actions reached")
        outer_prereqs, outer_scope = self.prereqs, self.scope
        self.prereqs = []
        self.depth += 1
        if scope is not None:
            self.scope = scope
        try:
            inner = self.actions(T.RCURLY)
        finally:
            inner_prereqs = self.prereqs
            self.prereqs, self.scope = outer_prereqs, outer_scope
            self.depth -= 1
        if prereq is not None:
            # A packet-building action works on a new packet: the inner prerequisites are
            # about that packet, not the one the flow matches (OVN drops them too).
            self.add_prereq(prereq)
        else:
            for p in inner_prereqs:
                self.add_prereq(p)
        return Nested(kind, inner)

    def get_mac_bind(self, kind: str) -> Action:
        lx = self.lx
        lx.force_match(T.LPAREN)
        port = self.typed_field(0)
        lx.force_match(T.COMMA)
        ip = self.typed_field(32 if kind == "arp" else 128)
        lx.force_match(T.RPAREN)
        return GetMacBind(kind, port, ip)

    def put_mac_bind(self, kind: str) -> Action:
        lx = self.lx
        lx.force_match(T.LPAREN)
        port = self.typed_field(0)
        lx.force_match(T.COMMA)
        ip = self.typed_field(32 if kind == "arp" else 128)
        lx.force_match(T.COMMA)
        mac = self.typed_field(48)
        lx.force_match(T.RPAREN)
        return PutMacBind(kind, port, ip, mac)

    def set_queue(self) -> Action:
        lx = self.lx
        lx.force_match(T.LPAREN)
        qid = lx.force_int()
        lx.force_match(T.RPAREN)
        if not 0 <= qid <= _QDISC_MAX_QUEUE_ID:
            raise self.err(
                f"Queue ID {qid} for set_queue is not in valid range 0 to {_QDISC_MAX_QUEUE_ID}."
            )
        return SetQueue(qid)

    def log(self) -> Action:
        lx = self.lx
        verdict: str | None = None
        severity, name, meter = "info", None, None
        if lx.match(T.LPAREN):
            while not lx.match(T.RPAREN):
                if lx.match_id("verdict"):
                    lx.force_match(T.EQUALS)
                    for v in ("drop", "reject", "allow"):
                        if lx.match_id(v):
                            verdict = v
                            break
                    else:
                        raise self.syntax("unknown verdict")
                elif lx.match_id("name"):
                    lx.force_match(T.EQUALS)
                    if lx.token.type is not T.STRING:
                        raise self.syntax("expecting string")
                    if len(lx.token.s.encode()) >= 64:
                        raise self.syntax("name must be shorter than 64 characters")
                    name = lx.token.s
                    lx.next()
                elif lx.match_id("severity"):
                    lx.force_match(T.EQUALS)
                    if lx.token.type is not T.ID:
                        raise self.syntax("expecting severity")
                    if lx.token.s not in _LOG_SEVERITIES:
                        raise self.syntax("unknown severity")
                    severity = lx.token.s
                    lx.next()
                elif lx.match_id("meter"):
                    lx.force_match(T.EQUALS)
                    if lx.token.type is not T.STRING:
                        raise self.syntax("expecting string")
                    meter = lx.token.s
                    lx.next()
                else:
                    raise self.syntax()
                lx.match(T.COMMA)
        if verdict is None:
            raise self.syntax("expecting verdict")
        return Log(verdict, severity, name, meter)

    def set_meter(self) -> Action:
        lx = self.lx
        lx.force_match(T.LPAREN)
        rate = burst = 0
        if lx.token.type is T.INTEGER and lx.token.format is IntFormat.DECIMAL:
            rate = lx.token.value
        lx.next()
        if lx.match(T.COMMA):
            if lx.token.type is T.INTEGER and lx.token.format is IntFormat.DECIMAL:
                burst = lx.token.value
            lx.next()
        lx.force_match(T.RPAREN)
        if not rate:
            raise self.err(f"Rate {rate} for set_meter is not in valid.")
        return SetMeter(rate, burst)

    def trigger_event(self) -> Action:
        lx = self.lx
        lx.force_match(T.LPAREN)
        if not lx.match_id("event"):
            raise self.syntax("Expecting 'event' option")
        lx.force_match(T.EQUALS)
        if lx.token.type is not T.STRING or len(lx.token.s) >= 64:
            raise self.syntax("Expecting string")
        event = lx.token.s
        table = self.pp.events.get(event)
        if table is None:
            raise self.syntax(f"Unknown event '{event}'")
        lx.next()
        lx.match(T.COMMA)
        options = self.gen_options(table, event)
        if event == "empty_lb_backends":
            self.validate_empty_lb_backends(options)
        return TriggerEvent(event, options)

    def validate_empty_lb_backends(self, options: tuple[GenOption, ...]) -> None:
        for o in options:
            vals = o.value.values
            s = vals[0].string
            if len(vals) > 1 or s is None:
                raise self.err(f'Invalid value for "{o.option.name}" option')
            if o.option.name == "vip" and _parse_ip_port(s) is None:
                raise self.err(f"Invalid load balancer VIP '{s}'")
            if o.option.name == "protocol" and s not in _PROTOS:
                raise self.err(f"Load balancer protocol '{s}' is not 'tcp', 'udp', or 'sctp'")
            if o.option.name == "load_balancer":
                try:
                    uuid.UUID(s)
                except ValueError:
                    raise self.err(f"Load balancer '{s}' is not a UUID") from None

    def bind_vport(self) -> Action:
        lx = self.lx
        lx.force_match(T.LPAREN)
        if lx.token.type is not T.STRING:
            raise self.syntax("expecting port name string")
        vport = lx.token.s
        lx.next()
        lx.force_match(T.COMMA)
        parent = self.typed_field(0)
        lx.force_match(T.RPAREN)
        return BindVport(vport, parent)

    def handle_svc_check(self) -> Action:
        self.lx.force_match(T.LPAREN)
        port = self.typed_field(0)
        self.lx.force_match(T.RPAREN)
        return HandleSvcCheck(port)

    def _bool_arg(self) -> bool:
        lx = self.lx
        if lx.match_string("true") or lx.match_id("true"):
            return True
        if lx.match_string("false") or lx.match_id("false"):
            return False
        raise self.syntax("expecting true or false")

    def fwd_group(self) -> Action:
        lx = self.lx
        liveness = False
        ports: list[str] = []
        if lx.match(T.LPAREN):
            if lx.match_id("liveness"):
                lx.force_match(T.EQUALS)
                liveness = self._bool_arg()
                lx.force_match(T.COMMA)
            if lx.match_id("childports"):
                lx.force_match(T.EQUALS)
                while not lx.match(T.RPAREN):
                    if lx.token.type is not T.STRING:
                        raise self.syntax("expecting logical switch port")
                    ports.append(lx.token.s)
                    lx.next()
                    lx.match(T.COMMA)
        return FwdGroup(liveness, tuple(ports), self.pp.pipeline, self.pp.table + 1)

    def handle_bfd_msg(self) -> Action:
        self.lx.force_match(T.LPAREN)
        self.lx.force_match(T.RPAREN)
        return Simple("handle_bfd_msg", "handle_bfd_msg();")

    def put_fdb(self) -> Action:
        lx = self.lx
        lx.force_match(T.LPAREN)
        port = self.typed_field(0)
        lx.force_match(T.COMMA)
        mac = self.typed_field(48)
        lx.force_match(T.RPAREN)
        return PutFdb(port, mac)

    def _proto_arg(self) -> int:
        for name, num in _PROTOS.items():
            if self.lx.match_id(name):
                return num
        raise self.syntax("invalid protocol")

    def _named(self, name: str) -> None:
        if not self.lx.match_id(name):
            raise self.syntax("invalid parameter")
        self.lx.force_match(T.EQUALS)

    def commit_ecmp_nh(self) -> Action:
        lx = self.lx
        lx.force_match(T.LPAREN)
        self._named("ipv6")
        ipv6 = self._bool_arg()
        lx.force_match(T.COMMA)
        self._named("proto")
        proto = self._proto_arg()
        lx.force_match(T.RPAREN)
        return CommitEcmpNh(ipv6, proto)

    def _lb_key(self) -> tuple[ipaddress.IPv4Address | ipaddress.IPv6Address, int]:
        lx = self.lx
        if lx.token.type is not T.STRING:
            raise self.syntax("invalid parameter")
        parsed = _parse_ip_port(lx.token.s)
        if parsed is None:
            raise self.syntax("invalid parameter")
        return parsed

    def commit_lb_aff(self) -> Action:
        lx = self.lx
        lx.force_match(T.LPAREN)
        self._named("vip")
        vip, vip_port = self._lb_key()
        lx.next()
        lx.force_match(T.COMMA)
        self._named("backend")
        backend, backend_port = self._lb_key()
        if backend.version != vip.version:
            raise self.syntax("invalid protocol family")
        lx.next()
        lx.force_match(T.COMMA)
        proto = 0
        if vip_port:
            self._named("proto")
            proto = self._proto_arg()
            lx.force_match(T.COMMA)
        self._named("timeout")
        timeout = self.uint16("affinity timeout")
        lx.force_match(T.RPAREN)
        return CommitLbAff(vip, vip_port, backend, backend_port, proto, timeout)

    def sample(self) -> Action:
        lx = self.lx
        probability = collector_set = obs_domain = obs_point = 0
        use_cookie = False
        if lx.match(T.LPAREN):
            while not lx.match(T.RPAREN):
                if lx.match_id("probability"):
                    lx.force_match(T.EQUALS)
                    if lx.token.type is T.INTEGER and lx.token.format is IntFormat.DECIMAL:
                        probability = self.uint16("probability")
                elif lx.match_id("obs_point"):
                    lx.force_match(T.EQUALS)
                    tok = lx.token
                    if tok.type is T.MACRO and tok.s == "cookie":
                        use_cookie = True
                    elif tok.type is T.INTEGER and tok.format is IntFormat.DECIMAL:
                        obs_point = tok.value
                    else:
                        raise self.syntax("malformed sample observation_point_id")
                    lx.next()
                elif lx.match_id("obs_domain"):
                    lx.force_match(T.EQUALS)
                    tok = lx.token
                    if tok.type is T.INTEGER and tok.format is IntFormat.DECIMAL:
                        if tok.value > 0xFF:
                            raise self.syntax("obs_domain must be 8-bit long")
                        obs_domain = tok.value
                    lx.next()
                elif lx.match_id("collector_set"):
                    lx.force_match(T.EQUALS)
                    tok = lx.token
                    if tok.type is T.INTEGER and tok.format is IntFormat.DECIMAL:
                        collector_set = tok.value
                    lx.next()
                else:
                    raise self.syntax("unknown argument")
                lx.match(T.COMMA)
        if not probability:
            raise self.err("probability must be greater than zero")
        return Sample(probability, collector_set, obs_domain, obs_point, use_cookie)


def _parse_ip_port(
    s: str,
) -> tuple[ipaddress.IPv4Address | ipaddress.IPv6Address, int] | None:
    """A load balancer key: ``ip``, ``ip:port``, ``[ip6]`` or ``[ip6]:port``."""
    host, port = s, 0
    try:
        if s.startswith("["):
            close = s.index("]")
            host, rest = s[1:close], s[close + 1 :]
            if rest:
                if not rest.startswith(":"):
                    return None
                port = int(rest[1:])
            return ipaddress.IPv6Address(host), port
        if s.count(":") == 1:
            host, p = s.split(":")
            port = int(p)
            return ipaddress.IPv4Address(host), port
        return ipaddress.ip_address(host), 0
    except ValueError:
        return None


def _simple(keyword: str, text: str | None = None) -> Callable[[_Parser], Action]:
    def handler(p: _Parser) -> Action:
        return Simple(keyword, text or keyword + ";")

    return handler


_KEYWORDS: dict[str, Callable[[_Parser], Action]] = {
    "next": _Parser.next_,
    "push": lambda p: p.push_pop(True),
    "pop": lambda p: p.push_pop(False),
    "output": _simple("output"),
    "ip.ttl": _Parser.dec_ttl,
    "ct_next": _Parser.ct_next,
    "ct_commit": _Parser.ct_commit,
    "ct_dnat": lambda p: p.ct_nat("ct_dnat"),
    "ct_snat": lambda p: p.ct_nat("ct_snat"),
    "ct_dnat_in_czone": lambda p: p.ct_nat("ct_dnat_in_czone"),
    "ct_snat_in_czone": lambda p: p.ct_nat("ct_snat_in_czone"),
    "ct_lb": lambda p: p.ct_lb(False),
    "ct_lb_mark": lambda p: p.ct_lb(True),
    "ct_clear": _simple("ct_clear"),
    "ct_commit_nat": _Parser.ct_commit_nat,
    "clone": lambda p: p.nested("clone", None, WriteScope.DEFAULT),
    "arp": lambda p: p.nested("arp", "ip4"),
    "icmp4": lambda p: p.nested("icmp4", "ip4"),
    "icmp4_error": lambda p: p.nested("icmp4_error", "ip4"),
    "icmp6": lambda p: p.nested("icmp6", "ip6"),
    "icmp6_error": lambda p: p.nested("icmp6_error", "ip6"),
    "igmp": _simple("igmp"),
    "tcp_reset": lambda p: p.nested("tcp_reset", "tcp"),
    "sctp_abort": lambda p: p.nested("sctp_abort", "sctp"),
    "nd_na": lambda p: p.nested("nd_na", "nd_ns"),
    "nd_na_router": lambda p: p.nested("nd_na_router", "nd_ns"),
    "nd_ns": lambda p: p.nested("nd_ns", "ip6"),
    "get_arp": lambda p: p.get_mac_bind("arp"),
    "put_arp": lambda p: p.put_mac_bind("arp"),
    "get_nd": lambda p: p.get_mac_bind("nd"),
    "put_nd": lambda p: p.put_mac_bind("nd"),
    "set_queue": _Parser.set_queue,
    "log": _Parser.log,
    "set_meter": _Parser.set_meter,
    "trigger_event": _Parser.trigger_event,
    "bind_vport": _Parser.bind_vport,
    "handle_svc_check": _Parser.handle_svc_check,
    "fwd_group": _Parser.fwd_group,
    "handle_dhcpv6_reply": _simple("handle_dhcpv6_reply"),
    "handle_bfd_msg": _Parser.handle_bfd_msg,
    "reject": lambda p: p.nested("reject", None),
    "ct_snat_to_vip": _simple("ct_snat_to_vip"),
    "put_fdb": _Parser.put_fdb,
    "commit_ecmp_nh": _Parser.commit_ecmp_nh,
    "commit_lb_aff": _Parser.commit_lb_aff,
    "sample": _Parser.sample,
}

# "R = f(...)" actions, chosen when the identifier after "=" is followed by "(".
_FUNCTIONS: dict[str, Callable[[_Parser, FieldRef], Action]] = {
    "select": _Parser.select,
    "put_dhcp_opts": lambda p, d: p.put_opts(d, "put_dhcp_opts"),
    "put_dhcpv6_opts": lambda p, d: p.put_opts(d, "put_dhcpv6_opts"),
    "put_nd_ra_opts": lambda p, d: p.put_opts(d, "put_nd_ra_opts"),
    "dns_lookup": lambda p, d: p.result(d, "dns_lookup", "udp"),
    "check_pkt_larger": _Parser.check_pkt_larger,
    "lookup_arp": lambda p, d: p.lookup_mac_bind(d, "arp", True),
    "lookup_nd": lambda p, d: p.lookup_mac_bind(d, "nd", True),
    "lookup_arp_ip": lambda p, d: p.lookup_mac_bind(d, "arp", False),
    "lookup_nd_ip": lambda p, d: p.lookup_mac_bind(d, "nd", False),
    "get_fdb": _Parser.get_fdb,
    "lookup_fdb": _Parser.lookup_fdb,
    **{
        name: (lambda n: lambda p, d: p.result(d, n))(name)
        for name in (
            "chk_lb_hairpin",
            "chk_lb_hairpin_reply",
            "check_in_port_sec",
            "check_out_port_sec",
            "chk_ecmp_nh_mac",
            "chk_ecmp_nh",
            "chk_lb_aff",
        )
    },
}


def parse_actions(text: str, params: ParseParams | None = None) -> ParsedActions:
    """Parses an ``actions`` string; raises ``ParseError`` (OVN's message, offset)."""
    pp = params or _DEFAULT_PARAMS
    p = _Parser(Lexer(text), pp)
    actions = p.actions(T.END)
    return ParsedActions(actions, tuple(p.prereqs))


@lru_cache(maxsize=65536)
def parse_actions_cached(text: str, params: ParseParams | None = None) -> ParsedActions:
    """``parse_actions`` memoised: logical flows repeat the same actions text many times."""
    return parse_actions(text, params)


_DEFAULT_PARAMS = ParseParams()
