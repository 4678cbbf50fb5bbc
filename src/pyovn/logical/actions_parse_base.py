"""Shared parts of the actions parser: parameters, result type, and the parser's operand
helpers (fields with OVN's bit-range syntax, type and writability checks, constants).

``actions_parse`` builds on ``_ParserBase``; errors are ``ParseError``s raised at the current
token, in OVN's words.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from pyovn.logical.actions_ast import (
    ActionList,
    OptionDef,
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
from pyovn.logical.lexer import Lexer, ParseError, TokenType
from pyovn.logical.symbols import Level, SymbolKind, SymbolTable, WriteScope, default_symtab

__all__ = ["ParseParams", "ParsedActions"]


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


class _ParserBase:
    __slots__ = ("lx", "pp", "prereqs", "depth", "scope")

    def __init__(self, lx: Lexer, pp: ParseParams) -> None:
        self.lx = lx
        self.pp = pp
        self.prereqs: list[str] = []
        self.depth = 0
        self.scope = WriteScope.DEFAULT

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

    def _skip_call(self) -> None:
        self.lx.next()  # the function name
        self.lx.next()  # "("

    def _check_not_last(self, name: str) -> None:
        if self.pp.table >= self.pp.n_tables:
            raise self.err(f'"{name}" action not allowed in last table.')
