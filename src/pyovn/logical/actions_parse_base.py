"""Shared parts of the actions parser: parameters, result type, and the parser's operand
helpers (type and writability checks, small integers).  Fields and constants are parsed by the
expression parser's functions (``expr.parse_field``, ``parse_constant``, ``parse_value_set``),
so both halves of the language read operands one way.

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
from pyovn.logical.expr import parse_constant, parse_field, parse_value_set, prereq_texts
from pyovn.logical.flow import FieldRef
from pyovn.logical.lexer import Lexer, ParseError, TokenType
from pyovn.logical.symbols import SymbolTable, WriteScope, default_symtab

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
        """A field operand (``expr.parse_field``); its prerequisites join the actions'."""
        ref = parse_field(self.lx, self.pp.symtab)
        for text in prereq_texts(ref.symbol, self.pp.symtab):
            self.add_prereq(text)
        return ref

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
        return parse_constant(self.lx)

    def constant_set(self) -> ValueSet:
        values, in_curlies = parse_value_set(self.lx)
        return ValueSet(tuple(values), in_curlies)

    def masked_int(self, width: int) -> tuple[int, int]:
        """An integer or masked integer constant: its low ``width`` bits, value and mask (as
        OVN's ct_commit(...) arguments take them)."""
        tok = self.lx.token
        full = (1 << width) - 1
        if tok.type is T.INTEGER:
            v, m = tok.value & full, full
        elif tok.type is T.MASKED_INTEGER:
            v, m = tok.value & full, (tok.mask or 0) & full
        else:
            raise self.syntax("expecting integer")
        self.lx.next()
        return v, m

    def _skip_call(self) -> None:
        self.lx.next()  # the function name
        self.lx.next()  # "("

    def _check_not_last(self, name: str) -> None:
        if self.pp.table >= self.pp.n_tables:
            raise self.err(f'"{name}" action not allowed in last table.')
