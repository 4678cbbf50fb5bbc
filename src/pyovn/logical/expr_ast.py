"""Match expression trees: nodes, constants, negation, and the normalized text form.

Nodes are frozen dataclasses, so trees are hashable (compiled matches are cached by tree) and
comparable (tests compare trees).  ``Cmp`` tests a symbol (the parsed form), ``Test`` a base
microflow key (the annotated form the compiler takes).  ``And``/``Or`` are built through
``make_and``/``make_or``, which flatten, fold constants and drop duplicate terms, so there is
one tree per meaning as far as those cheap rules go.  ``negate`` pushes ``!`` down to the leaves.

``expr_to_string`` prints the form of OVN's expr_format(): one-bit tests as ``(!)name[bit]``,
other values in hex, nested And/Or in parentheses.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from pyovn.logical.lexer import IntFormat, Token, TokenType, format_integer
from pyovn.logical.symbols import Symbol

__all__ = [
    "And",
    "Bool",
    "ChassisResident",
    "Cmp",
    "Constant",
    "Expr",
    "Or",
    "Test",
    "expr_to_string",
    "make_and",
    "make_or",
    "negate",
    "quote_string",
]

_NEGATED = {"==": "!=", "!=": "==", "<": ">=", ">=": "<", ">": "<=", "<=": ">"}

# --- nodes ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Constant:
    """An integer (maybe masked) or string constant, keeping the notation it was written in.

    The one constant type of the language: match expressions compare fields with these and
    actions assign them (``actions.Value`` is this class; ``fmt``/``string``/``to_string`` are
    the names the actions code reads).
    """

    value: int | str
    mask: int | None = None
    format: IntFormat = IntFormat.DECIMAL

    @property
    def is_string(self) -> bool:
        return isinstance(self.value, str)

    @property
    def masked(self) -> bool:
        return self.mask is not None

    @property
    def fmt(self) -> IntFormat:
        return self.format

    @property
    def string(self) -> str | None:
        """The value of a string constant, None for an integer."""
        return self.value if isinstance(self.value, str) else None

    def width(self) -> int:
        """The minimum width OVN grants the constant (for "N-bit constant" checks)."""
        if self.mask is not None:
            return self.mask.bit_length()
        if self.format is IntFormat.IPV4:
            return 32
        if self.format is IntFormat.IPV6:
            return 128
        if self.format is IntFormat.ETHERNET:
            return 48
        assert isinstance(self.value, int)
        return self.value.bit_length()

    def __str__(self) -> str:
        if isinstance(self.value, str):
            return quote_string(self.value)
        fmt = self.format
        if fmt is IntFormat.DECIMAL and (
            self.value >= 1 << 64 or (self.mask is not None and self.mask >= 1 << 64)
        ):
            fmt = IntFormat.HEXADECIMAL  # too wide for a decimal: OVN prints hex
        s = format_integer(self.value, fmt)
        if self.mask is None:
            return s
        m = self.mask
        if fmt is IntFormat.IPV4 and _is_prefix(m, 32):
            return f"{s}/{_prefix_len(m, 32)}"
        if fmt is IntFormat.IPV6 and _is_prefix(m, 128):
            return f"{s}/{_prefix_len(m, 128)}"
        return f"{s}/{format_integer(m, fmt)}"

    def to_string(self) -> str:
        return str(self)

    @classmethod
    def from_token(cls, tok: Token) -> Constant:
        if tok.type is TokenType.STRING:
            return cls(tok.s)
        return cls(tok.value, tok.mask, tok.format)


class Expr:
    """Base of expression nodes (all frozen dataclasses, hashable, comparable)."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class Bool(Expr):
    value: bool


@dataclass(frozen=True, slots=True)
class Cmp(Expr):
    """``symbol relop value/mask`` before annotation; value and mask are in the symbol's bits.

    For string symbols ``value`` is the string and ``mask`` 0.  For a predicate, the value's
    bit 0 says whether the predicate is tested positively (with ``==``) or negatively.
    """

    symbol: Symbol
    relop: str
    value: int | str
    mask: int


@dataclass(frozen=True, slots=True)
class Test(Expr):
    """``(flow[base] & mask) relop value`` on a base microflow key (annotated form).

    ``width`` is the base's width (0 for strings, whose mask is 0 and value a string).
    """

    __test__ = False  # not a pytest test class, despite the name

    base: str
    relop: str
    value: int | str
    mask: int
    width: int


# And/Or keep their hash: trees are hashed over and over (duplicate elimination in make_and at
# every level, cache keys), and a dataclass would rehash the whole subtree each time.


@dataclass(frozen=True, slots=True)
class And(Expr):
    items: tuple[Expr, ...]
    _hash: int = field(default=0, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_hash", hash((And, self.items)))

    def __hash__(self) -> int:
        return self._hash


@dataclass(frozen=True, slots=True)
class Or(Expr):
    items: tuple[Expr, ...]
    _hash: int = field(default=0, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_hash", hash((Or, self.items)))

    def __hash__(self) -> int:
        return self._hash


@dataclass(frozen=True, slots=True)
class ChassisResident(Expr):
    port: str
    negated: bool = False


def _combine(cls: type[And] | type[Or], items: Iterable[Expr]) -> Expr:
    """Flattens nested nodes of the same kind, folds constants, drops duplicates.

    The items of a nested node of the same kind were combined when it was built (no Bool, no
    node of its own kind), so they are taken as they are.
    """
    absorbing = cls is Or  # True absorbs an Or, False absorbs an And
    out: dict[Expr, None] = {}  # ordered set
    for it in items:
        t = type(it)
        if t is cls:
            out.update(dict.fromkeys(it.items))  # type: ignore[attr-defined]
        elif t is Bool:
            if it.value == absorbing:  # type: ignore[attr-defined]
                return _TRUE if absorbing else _FALSE
        else:
            out[it] = None
    if not out:
        return _FALSE if absorbing else _TRUE
    if len(out) == 1:
        return next(iter(out))
    return cls(tuple(out))


_TRUE, _FALSE = Bool(True), Bool(False)


def make_and(items: Iterable[Expr]) -> Expr:
    return _combine(And, items)


def make_or(items: Iterable[Expr]) -> Expr:
    return _combine(Or, items)


def negate(e: Expr) -> Expr:
    """The logical negation of ``e``, pushed down to the leaves."""
    if isinstance(e, Bool):
        return Bool(not e.value)
    if isinstance(e, Cmp):
        return Cmp(e.symbol, _NEGATED[e.relop], e.value, e.mask)
    if isinstance(e, Test):
        return Test(e.base, _NEGATED[e.relop], e.value, e.mask, e.width)
    if isinstance(e, And):
        return make_or(negate(x) for x in e.items)
    if isinstance(e, Or):
        return make_and(negate(x) for x in e.items)
    if isinstance(e, ChassisResident):
        return ChassisResident(e.port, not e.negated)
    raise TypeError(e)


# --- formatting -------------------------------------------------------------------------------


def quote_string(s: str) -> str:
    """``s`` as a JSON string literal (the form OVN prints strings in)."""
    out = ['"']
    for ch in s:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch < " ":
            out.append(
                {"\n": "\\n", "\t": "\\t", "\r": "\\r", "\b": "\\b", "\f": "\\f"}.get(
                    ch, f"\\u{ord(ch):04x}"
                )
            )
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _is_prefix(mask: int, width: int) -> bool:
    inv = ~mask & ((1 << width) - 1)
    return inv & (inv + 1) == 0


def _prefix_len(mask: int, width: int) -> int:
    return width - (~mask & ((1 << width) - 1)).bit_length()


def _bit_range(mask: int) -> tuple[int, int]:
    """(ofs, n) if ``mask`` is one run of 1-bits, else (0, 0)."""
    if not mask:
        return 0, 0
    ofs = (mask & -mask).bit_length() - 1
    run = mask >> ofs
    if run & (run + 1):
        return 0, 0
    return ofs, run.bit_length()


def _hex(v: int) -> str:
    return f"{v:#x}" if v else "0"


def _format_cmp(name: str, width: int, relop: str, value: int | str, mask: int) -> str:
    # The form of OVN's expr_format(): 1-bit tests as (!)name[bit], values in hex.
    if isinstance(value, str):
        return f"{name} {relop} {quote_string(value)}"
    ofs, n = _bit_range(mask)
    if n == 1 and relop in ("==", "!="):
        positive = bool(value >> ofs & 1) ^ (relop == "!=")
        return ("" if positive else "!") + name + (f"[{ofs}]" if width > 1 else "")
    s = name
    if 0 < n < width:
        s += f"[{ofs}]" if n == 1 else f"[{ofs}..{ofs + n - 1}]"
    if n:
        return f"{s} {relop} {_hex(value >> ofs)}"
    return f"{s} {relop} {_hex(value)}/{_hex(mask)}"


def expr_to_string(e: Expr) -> str:
    """A normalized, re-parseable text of ``e`` (annotated trees print base keys)."""
    if isinstance(e, Bool):
        return "1" if e.value else "0"
    if isinstance(e, Cmp):
        return _format_cmp(e.symbol.name, e.symbol.width, e.relop, e.value, e.mask)
    if isinstance(e, Test):
        return _format_cmp(e.base, e.width, e.relop, e.value, e.mask)
    if isinstance(e, ChassisResident):
        return ("!" if e.negated else "") + f"is_chassis_resident({quote_string(e.port)})"
    if isinstance(e, And | Or):
        op = " && " if isinstance(e, And) else " || "
        return op.join(
            f"({expr_to_string(x)})" if isinstance(x, And | Or) else expr_to_string(x)
            for x in e.items
        )
    raise TypeError(e)
