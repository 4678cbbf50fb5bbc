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

from collections.abc import Callable
from functools import lru_cache

from pyovn.logical.actions_ast import (
    Action,
    ActionList,
    CtCommitV1,
    CtLb,
    CtLbBackend,
    CtNat,
    DecTtl,
    Exchange,
    GetFdb,
    GetMacBind,
    Load,
    LookupFdb,
    LookupMacBind,
    Move,
    Nested,
    Next,
    PushPop,
    PutFdb,
    PutMacBind,
    Result,
    Select,
    Simple,
    range_string,
)
from pyovn.logical.actions_parse_base import _MAX_DEPTH, ParsedActions, ParseParams, T
from pyovn.logical.actions_parse_ctl import _ControllerParser
from pyovn.logical.expr import check_constant
from pyovn.logical.flow import FieldRef
from pyovn.logical.lexer import IntFormat, Lexer, TokenType
from pyovn.logical.symbols import WriteScope

__all__ = ["ParseParams", "ParsedActions", "parse_actions", "parse_actions_cached"]


class _ActionParser(_ControllerParser):
    __slots__ = ()

    # --- helpers --------------------------------------------------------------------------
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
        check_constant(self.lx, lhs.symbol, (value,))
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
                mark, mark_mask = self.masked_int(32)
            elif lx.match_id("ct_label"):
                lx.force_match(T.EQUALS)
                label, label_mask = self.masked_int(128)
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

    def _port_ip(self, kind: str) -> tuple[FieldRef, FieldRef]:
        """``(port, ip`` of get_arp/put_arp/get_nd/put_nd: a string field, an IP field."""
        lx = self.lx
        lx.force_match(T.LPAREN)
        port = self.typed_field(0)
        lx.force_match(T.COMMA)
        return port, self.typed_field(32 if kind == "arp" else 128)

    def get_mac_bind(self, kind: str) -> Action:
        port, ip = self._port_ip(kind)
        self.lx.force_match(T.RPAREN)
        return GetMacBind(kind, port, ip)

    def put_mac_bind(self, kind: str) -> Action:
        port, ip = self._port_ip(kind)
        self.lx.force_match(T.COMMA)
        mac = self.typed_field(48)
        self.lx.force_match(T.RPAREN)
        return PutMacBind(kind, port, ip, mac)

    def put_fdb(self) -> Action:
        lx = self.lx
        lx.force_match(T.LPAREN)
        port = self.typed_field(0)
        lx.force_match(T.COMMA)
        mac = self.typed_field(48)
        lx.force_match(T.RPAREN)
        return PutFdb(port, mac)


def _simple(keyword: str, text: str | None = None) -> Callable[[_ActionParser], Action]:
    def handler(p: _ActionParser) -> Action:
        return Simple(keyword, text or keyword + ";")

    return handler


_KEYWORDS: dict[str, Callable[[_ActionParser], Action]] = {
    "next": _ActionParser.next_,
    "push": lambda p: p.push_pop(True),
    "pop": lambda p: p.push_pop(False),
    "output": _simple("output"),
    "ip.ttl": _ActionParser.dec_ttl,
    "ct_next": _ActionParser.ct_next,
    "ct_commit": _ActionParser.ct_commit,
    "ct_dnat": lambda p: p.ct_nat("ct_dnat"),
    "ct_snat": lambda p: p.ct_nat("ct_snat"),
    "ct_dnat_in_czone": lambda p: p.ct_nat("ct_dnat_in_czone"),
    "ct_snat_in_czone": lambda p: p.ct_nat("ct_snat_in_czone"),
    "ct_lb": lambda p: p.ct_lb(False),
    "ct_lb_mark": lambda p: p.ct_lb(True),
    "ct_clear": _simple("ct_clear"),
    "ct_commit_nat": _ActionParser.ct_commit_nat,
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
    "set_queue": _ActionParser.set_queue,
    "log": _ActionParser.log,
    "set_meter": _ActionParser.set_meter,
    "trigger_event": _ActionParser.trigger_event,
    "bind_vport": _ActionParser.bind_vport,
    "handle_svc_check": _ActionParser.handle_svc_check,
    "fwd_group": _ActionParser.fwd_group,
    "handle_dhcpv6_reply": _simple("handle_dhcpv6_reply"),
    "handle_bfd_msg": _ActionParser.handle_bfd_msg,
    "reject": lambda p: p.nested("reject", None),
    "ct_snat_to_vip": _simple("ct_snat_to_vip"),
    "put_fdb": _ActionParser.put_fdb,
    "commit_ecmp_nh": _ActionParser.commit_ecmp_nh,
    "commit_lb_aff": _ActionParser.commit_lb_aff,
    "sample": _ActionParser.sample,
}

# "R = f(...)" actions, chosen when the identifier after "=" is followed by "(".
_FUNCTIONS: dict[str, Callable[[_ActionParser, FieldRef], Action]] = {
    "select": _ActionParser.select,
    "put_dhcp_opts": lambda p, d: p.put_opts(d, "put_dhcp_opts"),
    "put_dhcpv6_opts": lambda p, d: p.put_opts(d, "put_dhcpv6_opts"),
    "put_nd_ra_opts": lambda p, d: p.put_opts(d, "put_nd_ra_opts"),
    "dns_lookup": lambda p, d: p.result(d, "dns_lookup", "udp"),
    "check_pkt_larger": _ActionParser.check_pkt_larger,
    "lookup_arp": lambda p, d: p.lookup_mac_bind(d, "arp", True),
    "lookup_nd": lambda p, d: p.lookup_mac_bind(d, "nd", True),
    "lookup_arp_ip": lambda p, d: p.lookup_mac_bind(d, "arp", False),
    "lookup_nd_ip": lambda p, d: p.lookup_mac_bind(d, "nd", False),
    "get_fdb": _ActionParser.get_fdb,
    "lookup_fdb": _ActionParser.lookup_fdb,
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
    p = _ActionParser(Lexer(text), pp)
    actions = p.actions(T.END)
    return ParsedActions(actions, tuple(p.prereqs))


@lru_cache(maxsize=65536)
def parse_actions_cached(text: str, params: ParseParams | None = None) -> ParsedActions:
    """``parse_actions`` memoised: logical flows repeat the same actions text many times."""
    return parse_actions(text, params)


_DEFAULT_PARAMS = ParseParams()
