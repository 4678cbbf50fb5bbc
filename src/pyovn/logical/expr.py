"""Match expressions of the OVN logical flow language (ovn-sb(5) "match"): parse, annotate.

Parsing is recursive descent over ``lexer.Lexer`` with OVN's grammar and error wording:
``&&``/``||`` chains (never mixed without parentheses), ``!`` on parenthesized or atomic
operands, comparisons ``field relop constant-or-set`` (either way round, or ``c1 < field < c2``),
bare 1-bit fields and predicates, ``0``/``1``, and ``is_chassis_resident("port")``.  Negation
is pushed down while parsing (De Morgan, relops flipped), so parsed trees have no Not node;
the parser tracks the enclosing ``!`` parity to enforce OVN's nominal-field rules.

The parsed tree (``Cmp`` nodes on symbols, value and mask aligned to the symbol's bits) is then
*annotated*: predicates are replaced by their expansions, subfields and register views by tests
on base microflow keys (``Test``), and each symbol's prerequisites are ANDed in, recursively.
The annotated tree only mentions base keys; ``simplify`` then drops the tests that the
equalities around them decide (repeated prerequisites, mostly), and ``expr_compile`` turns the
result into Python.

Address sets (``$name``) and port groups (``@name``) come from dicts given by the caller:
name -> list of address strings / port names.  Port groups are looked up as OVN does, first as
``<datapath tunnel key>_<name>`` (the Southbound naming) when ``dp_id`` is given, then as
``name``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from pyovn.logical.expr_ast import (
    And,
    Bool,
    ChassisResident,
    Cmp,
    Constant,
    Expr,
    Or,
    Test,
    expr_to_string,
    make_and,
    make_or,
    negate,
)
from pyovn.logical.flow import FieldRef
from pyovn.logical.lexer import IntFormat, Lexer, ParseError, TokenType
from pyovn.logical.symbols import Level, Segment, Symbol, SymbolKind, SymbolTable, default_symtab

__all__ = [
    "And",
    "Bool",
    "ChassisResident",
    "Cmp",
    "Constant",
    "Expr",
    "Or",
    "ParseError",
    "Test",
    "annotate",
    "check_constant",
    "compile_expr",
    "compile_match",
    "expr_to_string",
    "field_prereqs",
    "make_and",
    "make_or",
    "negate",
    "parse_constant",
    "parse_constant_set",
    "parse_expr",
    "parse_expr_raw",
    "parse_field",
    "parse_value_set",
    "prereq_texts",
    "simplify",
]

MAX_PAREN_DEPTH = 100

# Relational operators, by token; and their negations / mirror images.
_RELOPS = {
    TokenType.EQ: "==",
    TokenType.NE: "!=",
    TokenType.LT: "<",
    TokenType.LE: "<=",
    TokenType.GT: ">",
    TokenType.GE: ">=",
}
_TURNED = {"==": "==", "!=": "!=", "<": ">", ">": "<", "<=": ">=", ">=": "<="}


# --- fields and constants (shared with actions) -----------------------------------------------


def _parse_field(lexer: Lexer, symtab: Mapping[str, Symbol]) -> FieldRef:
    tok = lexer.token
    if tok.type is not TokenType.ID:
        raise lexer.syntax_error("expecting field name")
    sym = symtab.get(tok.s)
    if sym is None:
        raise lexer.syntax_error("expecting field name")
    lexer.next()
    if not lexer.match(TokenType.LSQUARE):
        return FieldRef(sym, 0, sym.width)
    if not sym.width:
        raise lexer.error(f"Cannot select subfield of string field {sym.name}.")
    low = lexer.force_int()
    high = lexer.force_int() if lexer.match(TokenType.ELLIPSIS) else low
    lexer.force_match(TokenType.RSQUARE)
    if low > high:
        raise lexer.error(f"Invalid bit range {low} to {high}.")
    if high >= sym.width:
        raise lexer.error(
            f"Cannot select bits {low} to {high} of {sym.width}-bit field {sym.name}."
        )
    if sym.level is Level.NOMINAL and (low != 0 or high != sym.width - 1):
        raise lexer.error(f"Cannot select subfield of nominal field {sym.name}.")
    return FieldRef(sym, low, high - low + 1)


def parse_field(
    lexer: Lexer, symtab: Mapping[str, Symbol] | None = None, *, allow_predicate: bool = False
) -> FieldRef:
    """Parses ``name`` or ``name[low..high]`` / ``name[bit]`` into a FieldRef.

    By default this is an lvalue (as actions need): predicates are refused with OVN's
    "Predicate symbol X used where lvalue required.".
    """
    ref = _parse_field(lexer, symtab if symtab is not None else default_symtab())
    if not allow_predicate and ref.symbol.kind is SymbolKind.PREDICATE:
        raise lexer.error(f"Predicate symbol {ref.symbol.name} used where lvalue required.")
    return ref


def parse_constant(lexer: Lexer) -> Constant:
    """Parses one string, integer or masked integer constant."""
    tok = lexer.token
    if tok.type is TokenType.TEMPLATE:
        raise lexer.error("Unexpanded template.")
    if tok.type in (TokenType.STRING, TokenType.INTEGER, TokenType.MASKED_INTEGER):
        lexer.next()
        return Constant.from_token(tok)
    raise lexer.syntax_error("expecting constant")


@dataclass(slots=True)
class _ConstSet:
    values: list[Constant]
    in_curlies: bool = False
    string: bool | None = None  # None while empty


@lru_cache(maxsize=1 << 16)
def _address_constant(addr: str) -> Constant | None:
    lx = Lexer(addr)
    if lx.token.type in (TokenType.INTEGER, TokenType.MASKED_INTEGER):
        return Constant.from_token(lx.token)
    return None  # like OVN, entries that are not integers are skipped


def _address_constants(addrs: Sequence[str]) -> list[Constant]:
    return [c for c in map(_address_constant, addrs) if c is not None]


def parse_constant_set(
    lexer: Lexer,
    addr_sets: Mapping[str, Sequence[str]] | None = None,
    port_groups: Mapping[str, Sequence[str]] | None = None,
    dp_id: int | None = None,
) -> list[Constant]:
    """Parses a constant or ``{c1, c2, ...}`` set (``$as`` / ``@pg`` expand in place)."""
    return _parse_constant_set(lexer, addr_sets, port_groups, dp_id).values


def parse_value_set(lexer: Lexer) -> tuple[list[Constant], bool]:
    """A constant or ``{c1, c2, ...}`` without address sets or port groups (action operands):
    the constants and whether they were in curly braces."""
    cs = _parse_constant_set(lexer, None, None, None)
    return cs.values, cs.in_curlies


def _set_type(lexer: Lexer, cs: _ConstSet, string: bool) -> None:
    if cs.values and cs.string is not None and cs.string != string:
        raise lexer.syntax_error("expecting " + ("string" if cs.string else "integer"))
    cs.string = string


def _parse_one(
    lexer: Lexer,
    cs: _ConstSet,
    addr_sets: Mapping[str, Sequence[str]] | None,
    port_groups: Mapping[str, Sequence[str]] | None,
    dp_id: int | None,
) -> None:
    tok = lexer.token
    if tok.type is TokenType.MACRO:
        addrs = addr_sets.get(tok.s) if addr_sets is not None else None
        if addrs is None:
            raise lexer.syntax_error("expecting address set name")
        _set_type(lexer, cs, False)
        cs.values.extend(_address_constants(addrs))
        lexer.next()
    elif tok.type is TokenType.PORT_GROUP:
        ports = None
        if port_groups is not None:
            if dp_id is not None:
                ports = port_groups.get(f"{dp_id}_{tok.s}")
            if ports is None:
                ports = port_groups.get(tok.s)
        if ports is None:
            raise lexer.syntax_error("expecting port group name")
        _set_type(lexer, cs, True)
        cs.values.extend(Constant(p) for p in ports)
        lexer.next()
    else:
        if tok.type in (TokenType.STRING, TokenType.INTEGER, TokenType.MASKED_INTEGER):
            # Checked before the token is consumed, so the error points at it (as OVN's).
            _set_type(lexer, cs, tok.type is TokenType.STRING)
        cs.values.append(parse_constant(lexer))


def _parse_constant_set(
    lexer: Lexer,
    addr_sets: Mapping[str, Sequence[str]] | None,
    port_groups: Mapping[str, Sequence[str]] | None,
    dp_id: int | None,
) -> _ConstSet:
    cs = _ConstSet([])
    if lexer.match(TokenType.LCURLY):
        cs.in_curlies = True
        while True:
            _parse_one(lexer, cs, addr_sets, port_groups, dp_id)
            lexer.match(TokenType.COMMA)  # commas are optional, even trailing
            if lexer.match(TokenType.RCURLY):
                break
    else:
        _parse_one(lexer, cs, addr_sets, port_groups, dp_id)
    return cs


def check_constant(lexer: Lexer, ref: FieldRef | Symbol, constants: Iterable[Constant]) -> None:
    """OVN's type check of constants against a field: string vs integer, and width."""
    sym = ref.symbol if isinstance(ref, FieldRef) else ref
    for c in constants:
        if c.is_string != (sym.width == 0):
            raise lexer.error(
                f"{'Integer' if sym.width else 'String'} field {sym.name} is not compatible with "
                f"{'string' if c.is_string else 'integer'} constant."
            )
        if sym.width and c.width() > sym.width:
            raise lexer.error(
                f"{c.width()}-bit constant is not compatible with {sym.width}-bit field {sym.name}."
            )


def prereq_texts(sym: Symbol, symtab: Mapping[str, Symbol]) -> list[str]:
    """The prerequisite texts a use of ``sym`` implies: its own, then its parents' (outwards)."""
    out: list[str] = []
    s: Symbol | None = sym
    while s is not None:
        if s.prereqs:
            out.append(s.prereqs)
        s = symtab.get(s.parent) if s.parent else None
    return out


def field_prereqs(ref: FieldRef | Symbol, symtab: SymbolTable | None = None) -> Expr | None:
    """The annotated prerequisites implied by using (or assigning) a field, or None."""
    symtab = symtab if symtab is not None else default_symtab()
    sym = ref.symbol if isinstance(ref, FieldRef) else ref
    parts = [_annotated_text(t, symtab) for t in prereq_texts(sym, symtab)]
    return make_and(parts) if parts else None


# --- the parser -------------------------------------------------------------------------------


class _ExprParser:
    __slots__ = ("lexer", "symtab", "addr_sets", "port_groups", "dp_id", "not_", "depth")

    def __init__(
        self,
        lexer: Lexer,
        symtab: Mapping[str, Symbol],
        addr_sets: Mapping[str, Sequence[str]] | None,
        port_groups: Mapping[str, Sequence[str]] | None,
        dp_id: int | None,
    ) -> None:
        self.lexer = lexer
        self.symtab = symtab
        self.addr_sets = addr_sets
        self.port_groups = port_groups
        self.dp_id = dp_id
        self.not_ = False  # inside an odd number of `!'
        self.depth = 0

    def parse(self) -> Expr:
        lx = self.lexer
        e = self.parse_not()
        t = lx.token.type
        if t is TokenType.LOG_AND or t is TokenType.LOG_OR:
            items = [e]
            lx.next()
            while True:
                items.append(self.parse_not())
                if not lx.match(t):
                    break
            if lx.token.type in (TokenType.LOG_AND, TokenType.LOG_OR):
                raise lx.error("&& and || must be parenthesized when used together.")
            e = make_and(items) if t is TokenType.LOG_AND else make_or(items)
        return e

    def parse_not(self) -> Expr:
        lx = self.lexer
        if lx.match(TokenType.LOG_NOT):
            self.not_ = not self.not_
            e, atomic = self.parse_primary()
            self.not_ = not self.not_
            if not atomic:
                raise lx.error("Missing parentheses around operand of !.")
            return negate(e)
        return self.parse_primary()[0]

    def parse_primary(self) -> tuple[Expr, bool]:
        """Returns the expression and whether it is atomic (may take a bare `!')."""
        lx = self.lexer
        if lx.match(TokenType.LPAREN):
            if self.depth >= MAX_PAREN_DEPTH:
                raise lx.error("Parentheses nested too deeply.")
            self.depth += 1
            e = self.parse()
            self.depth -= 1
            lx.force_match(TokenType.RPAREN)
            return e, True
        tok = lx.token
        if tok.type is TokenType.TEMPLATE:
            raise lx.error("Unexpanded template.")
        if tok.type is TokenType.ID:
            if lx.lookahead() is TokenType.LPAREN:
                if lx.match_id("is_chassis_resident"):
                    lx.next()  # "("
                    if lx.token.type is not TokenType.STRING:
                        raise lx.syntax_error("expecting string")
                    port = lx.token.s
                    lx.next()
                    lx.force_match(TokenType.RPAREN)
                    return ChassisResident(port), True
                raise lx.error("parsing function name")
            f = _parse_field(lx, self.symtab)
            relop = _RELOPS.get(lx.token.type)
            if relop is None:
                if not f.n_bits or lx.token.type is TokenType.EQUALS:
                    raise lx.syntax_error("expecting relational operator")
                if f.n_bits > 1 and not self.not_:
                    raise lx.error(
                        "Explicit `!= 0' is required for inequality test of multibit field against 0."
                    )
                return self.make_cmp(
                    f, "!=", _ConstSet([Constant(0, None, IntFormat.HEXADECIMAL)])
                ), True
            lx.next()
            cs = _parse_constant_set(lx, self.addr_sets, self.port_groups, self.dp_id)
            return self.make_cmp(f, relop, cs), False

        c1 = _parse_constant_set(lx, self.addr_sets, self.port_groups, self.dp_id)
        if (
            lx.token.type not in _RELOPS
            and len(c1.values) == 1
            and not c1.in_curlies
            and not c1.string
            and c1.values[0].format is IntFormat.DECIMAL
            and c1.values[0].mask is None
            and isinstance(c1.values[0].value, int)
            and c1.values[0].value <= 1
        ):
            return Bool(bool(c1.values[0].value)), True
        r1 = _RELOPS.get(lx.token.type)
        if r1 is None:
            raise lx.syntax_error("expecting relational operator")
        lx.next()
        f = _parse_field(lx, self.symtab)
        r2 = _RELOPS.get(lx.token.type)
        if r2 is None:
            return self.make_cmp(f, _TURNED[r1], c1), False
        lx.next()
        c2 = _parse_constant_set(lx, self.addr_sets, self.port_groups, self.dp_id)
        if not (
            (r1 in ("<", "<=") and r2 in ("<", "<=")) or (r1 in (">", ">=") and r2 in (">", ">="))
        ):
            raise lx.error(
                "Range expressions must have the form `x < field < y' or `x > field > y', with "
                "each `<' optionally replaced by `<=' or `>' by `>=')."
            )
        e1 = self.make_cmp(f, _TURNED[r1], c1)
        e2 = self.make_cmp(f, r2, c2)
        return make_and([e1, e2]), False

    def make_cmp(self, f: FieldRef, relop: str, cs: _ConstSet) -> Expr:
        lx = self.lexer
        sym = f.symbol
        if cs.values:
            check_constant(lx, sym, cs.values)
        elif sym.width == 0:
            # An empty set is an integer set, as far as OVN's type check goes.
            check_constant(lx, sym, [Constant(0)])
        if relop not in ("==", "!="):
            if cs.in_curlies:
                raise lx.error("Only == and != operators may be used with value sets.")
            if sym.level in (Level.NOMINAL, Level.BOOLEAN):
                raise lx.error(
                    f"Only == and != operators may be used with {sym.level.name.lower()} field {sym.name}."
                )
            if not cs.values:
                raise lx.error(
                    "Only == and != operators may be used to compare a field against an empty value set."
                )
            if cs.values[0].masked:
                raise lx.error(
                    "Only == and != operators may be used with masked constants.  Consider using "
                    "subfields instead (e.g. eth.src[0..15] > 0x1111 in place of "
                    "eth.src > 00:00:00:00:11:11/00:00:00:00:ff:ff)."
                )
        if sym.level is Level.NOMINAL:
            if sym.kind is SymbolKind.PREDICATE:
                for c in cs.values:
                    assert isinstance(c.value, int)
                    positive = bool(c.value & 1) ^ (relop == "!=") ^ self.not_
                    if not positive:
                        n = sym.name
                        raise lx.error(
                            f"Nominal predicate {n} may only be tested positively, e.g. `{n}' or "
                            f"`{n} == 1' but not `!{n}' or `{n} == 0'."
                        )
            elif relop != ("!=" if self.not_ else "=="):
                raise lx.error(
                    f"Nominal field {sym.name} may only be tested for equality (taking enclosing `!' "
                    "operators into account)."
                )
        if not cs.values:
            return Bool(relop == "!=")
        cmps = [_make_cmp(f, relop, c) for c in cs.values]
        return make_or(cmps) if relop == "==" else make_and(cmps)


def _make_cmp(f: FieldRef, relop: str, c: Constant) -> Cmp:
    if isinstance(c.value, str):
        return Cmp(f.symbol, relop, c.value, 0)
    bits = (1 << f.n_bits) - 1
    value = (c.value & bits) << f.ofs
    mask = ((c.mask if c.mask is not None else bits) & bits) << f.ofs
    return Cmp(f.symbol, relop, value & mask, mask)


def parse_expr_raw(
    text: str,
    symtab: Mapping[str, Symbol] | None = None,
    addr_sets: Mapping[str, Sequence[str]] | None = None,
    port_groups: Mapping[str, Sequence[str]] | None = None,
    dp_id: int | None = None,
) -> Expr:
    """Parses ``text`` without annotating it (Cmp nodes on symbols; OVN's parse-expr)."""
    lx = Lexer(text)
    if lx.token.type is TokenType.ERROR:
        raise lx.error("")
    p = _ExprParser(
        lx, symtab if symtab is not None else default_symtab(), addr_sets, port_groups, dp_id
    )
    e = p.parse()
    lx.force_end()
    return e


# --- annotation -------------------------------------------------------------------------------


def _storage_tests(
    storage: tuple[Segment, ...], relop: str, value: int, mask: int, widths: Mapping[str, int]
) -> Expr:
    """A test of bits (value/mask in the symbol's bit positions) of a symbol stored as ``storage``."""
    pieces: list[tuple[Segment, int, int]] = []  # LSB first: (segment, value, mask) in base bits
    pos = 0
    for seg in storage:
        m = (mask >> pos) & ((1 << seg.n_bits) - 1)
        if m:
            v = (value >> pos) & m
            pieces.append((seg, v << seg.ofs, m << seg.ofs))
        pos += seg.n_bits

    def test(seg: Segment, rel: str, v: int, m: int) -> Test:
        if rel == "!=" and m & (m - 1) == 0:
            # One bit: "x[b] != 0" is "x[b] == 1"; equalities are what simplify() reasons with.
            rel, v = "==", v ^ m
        return Test(seg.base, rel, v, m, widths[seg.base])

    if not pieces:
        # "x == 0/0" is true, its negation false; relational tests always have bits.
        return Bool(relop != "!=")
    if len(pieces) == 1 and relop in ("==", "!="):
        s, v, m = pieces[0]
        return test(s, relop, v, m)
    if relop == "==":
        return make_and(test(s, "==", v, m) for s, v, m in pieces)
    if relop == "!=":
        return make_or(test(s, "!=", v, m) for s, v, m in pieces)
    if len(pieces) == 1:
        s, v, m = pieces[0]
        return test(s, relop, v, m)
    # Relational across several base keys (xxreg0 < c): compare lexicographically, most
    # significant key first: hi < c_hi || (hi == c_hi && lo < c_lo) ...
    strict = relop[0]  # "<" or ">"
    msb_first = pieces[::-1]
    alts: list[Expr] = []
    for i, (s, v, m) in enumerate(msb_first):
        last = i == len(msb_first) - 1
        prefix = [test(ps, "==", pv, pm) for ps, pv, pm in msb_first[:i]]
        alts.append(make_and([*prefix, test(s, relop if last else strict, v, m)]))
    return make_or(alts)


def _prereqs(sym: Symbol, symtab: SymbolTable, nest: frozenset[str]) -> list[Expr]:
    return [_annotated_text(t, symtab, nest) for t in prereq_texts(sym, symtab)]


def _unique_symbol(e: Expr) -> Symbol | None:
    """The one symbol every comparison in ``e`` tests, if there is one."""
    if isinstance(e, Cmp):
        return e.symbol
    if isinstance(e, And | Or):
        first = _unique_symbol(e.items[0])
        if first is None:
            return None
        for x in e.items[1:]:
            if _unique_symbol(x) is not first:
                return None
        return first
    return None


@lru_cache(maxsize=1 << 16)
def _annotate_cmp(
    e: Cmp, symtab: SymbolTable, nesting: frozenset[str], with_prereqs: bool = True
) -> Expr:
    # Memoised: the same comparisons (eth.type, ip.proto, a port's name, its MAC...) come back
    # in flow after flow, and trees are immutable.
    sym = e.symbol
    if sym.name in nesting:
        raise ParseError(f"Recursive expansion of symbol `{sym.name}'.")
    nest = nesting | {sym.name}
    prereqs = _prereqs(sym, symtab, nest) if with_prereqs else []
    if sym.kind is SymbolKind.PREDICATE:
        assert sym.predicate is not None and isinstance(e.value, int)
        body = _annotated_text(sym.predicate, symtab, nest)
        if not (bool(e.value & 1) ^ (e.relop == "!=")):
            body = negate(body)
    elif isinstance(e.value, str):
        base = sym.storage[0].base
        body = Test(base, e.relop, e.value, 0, 0)
    else:
        body = _storage_tests(sym.storage, e.relop, e.value, e.mask, symtab.base_widths)
    return make_and([body, *prereqs]) if prereqs else body


def _annotate(
    e: Expr, symtab: SymbolTable, nesting: frozenset[str], with_prereqs: bool = True
) -> Expr:
    if isinstance(e, Cmp):
        return _annotate_cmp(e, symtab, nesting, with_prereqs)
    if isinstance(e, And | Or):
        # As OVN does: when every term tests the same symbol (tcp.dst == {80, 443}), its
        # prerequisites are added once around the whole, not once per term.
        hoisted: list[Expr] = []
        if with_prereqs:
            sym = _unique_symbol(e)
            if sym is not None and sym.kind is not SymbolKind.PREDICATE:
                hoisted = _prereqs(sym, symtab, nesting | {sym.name})
                with_prereqs = False
        subs = [_annotate(x, symtab, nesting, with_prereqs) for x in e.items]
        body = make_and(subs) if isinstance(e, And) else make_or(subs)
        return make_and([body, *hoisted]) if hoisted else body
    return e


@lru_cache(maxsize=512)
def _annotated_text(text: str, symtab: SymbolTable, nesting: frozenset[str] = frozenset()) -> Expr:
    try:
        return _annotate(parse_expr_raw(text, symtab), symtab, nesting)
    except ParseError as err:
        if err.message.startswith("Error parsing expression"):
            raise
        raise ParseError(
            f"Error parsing expression `{text}' encountered as prerequisite or predicate of initial "
            f"expression: {err.message}"
        ) from None


# --- simplification ---------------------------------------------------------------------------
#
# Annotation repeats prerequisites (``ip4.src == X && tcp.dst == 80`` tests eth.type three
# times).  ``simplify`` walks the tree carrying the equalities known to hold on the way down (the
# equality tests among the enclosing And's terms) and decides the tests they settle.  It is sound
# because a term of an And is only ever evaluated when its siblings hold as well.

_Facts = dict[str, tuple[int, int]]  # base -> (mask, value) known to hold


def _decide(t: Test, facts: _Facts) -> bool | None:
    if isinstance(t.value, str) or t.base not in facts:
        if isinstance(t.value, int) and t.relop not in ("==", "!="):
            full = t.mask
            if t.relop == "<" and t.value == 0 or t.relop == ">" and t.value == full:
                return False
            if t.relop == ">=" and t.value == 0 or t.relop == "<=" and t.value == full:
                return True
        return None
    fmask, fvalue = facts[t.base]
    if t.relop not in ("==", "!=") or t.mask & ~fmask:
        return None
    equal = (fvalue & t.mask) == t.value
    return equal if t.relop == "==" else not equal


def _is_fact(x: Expr) -> bool:
    return isinstance(x, Test) and x.relop == "==" and isinstance(x.value, int)


def _add_fact(facts: _Facts, t: Test) -> bool:
    """Adds an equality fact; False if it contradicts the known ones."""
    assert isinstance(t.value, int)
    if t.base in facts:
        m, v = facts[t.base]
        both = m & t.mask
        if (v & both) != (t.value & both):
            return False
        facts[t.base] = (m | t.mask, v | t.value)
    else:
        facts[t.base] = (t.mask, t.value)
    return True


def _simplify(e: Expr, facts: _Facts) -> Expr:
    if isinstance(e, Test):
        d = _decide(e, facts)
        return e if d is None else Bool(d)
    if isinstance(e, And):
        # First the equalities among the terms become facts (or show a contradiction); then
        # every term is simplified under them, in the original order.
        inner = dict(facts)
        dropped: set[int] = set()
        for i, x in enumerate(e.items):
            if _is_fact(x):
                assert isinstance(x, Test)
                d = _decide(x, facts)
                if d is False:
                    return Bool(False)
                if d is True:
                    dropped.add(i)
                elif not _add_fact(inner, x):
                    return Bool(False)
        out: list[Expr] = []
        for i, x in enumerate(e.items):
            if i in dropped:
                continue
            out.append(x if _is_fact(x) else _simplify(x, inner))
        return make_and(out)
    if isinstance(e, Or):
        return make_or(_simplify(x, facts) for x in e.items)
    return e


def simplify(e: Expr) -> Expr:
    """Removes tests decided by the equalities that must hold around them."""
    return _simplify(e, {})


def annotate(e: Expr, symtab: SymbolTable | None = None) -> Expr:
    """Expands predicates, subfields and prerequisites: the result tests base keys only."""
    return _annotate(e, symtab if symtab is not None else default_symtab(), frozenset())


def parse_expr(
    text: str,
    symtab: SymbolTable | None = None,
    addr_sets: Mapping[str, Sequence[str]] | None = None,
    port_groups: Mapping[str, Sequence[str]] | None = None,
    dp_id: int | None = None,
) -> Expr:
    """Parses and annotates a match expression.  Raises ParseError."""
    symtab = symtab if symtab is not None else default_symtab()
    raw = parse_expr_raw(text, symtab, addr_sets, port_groups, dp_id)
    try:
        return simplify(annotate(raw, symtab))
    except ParseError as err:
        raise ParseError(err.message, 0, text) from None


# The compiler lives in its own module; re-exported here as part of the expression API.
from pyovn.logical.expr_compile import compile_expr, compile_match  # noqa: E402
