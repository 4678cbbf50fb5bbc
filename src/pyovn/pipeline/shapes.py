"""Logical flows compiled by shape: flows that differ only in constants share one parse.

A Southbound is mostly families of flows that differ in a MAC, an IP address or a port name
(``eth.dst == 0a:00:00:00:00:01``, ``outport = "sw3-p7"; output;``...).  Parsing, annotating and
simplifying each one is most of a controller's start-up, so a match or an actions text is cut
into its *shape* (the text with every quoted string, MAC, IPv4 and IPv6 address without a mask or
prefix replaced by a placeholder of its class) and its constants.  The first text of a shape is
parsed once with *sentinels* in place of its constants (a distinct value per position, of the
largest width of its class: ``f2:5e:..``, ``240.x.x.x``, ``f5e0....::``, ``"__pyovn_slot_N__"``),
and every text of that shape is then compiled by handing its own constants to the sentinels'
places among the arguments of the compiled maker (``pyovn.logical`` lifts the constants of a
match or an action list into the arguments of a maker shared by its shape).  An IPv6 sentinel's
32- and 64-bit pieces are all distinct, so a value spread over registers (``xxreg0 == fd00::1``:
four 32-bit tests) is found piece by piece.

Why that is the same as parsing the text itself:

* the parser's result depends on the constants' classes (kept in the shape), not on their values:
  a width check that the widest value of a class passes, every value of it passes; constants of
  one class never change how the text is tokenised or which node they land in;
* in a match, each sentinel must come out of annotation and of simplification exactly once, as
  the value of tests on whole base keys (whole, or in 32/64-bit pieces) or the port of
  ``is_chassis_resident``, and every test on such a key must be a sentinel too, several only
  as the alternatives of one OR (an address set written out): simplification then has nothing
  to decide about those keys whatever the values; two alternatives that turn out equal are a
  redundant test, not a different match;
* in actions, each sentinel must be the value of an assignment (``Load``) and nothing else;
* a sentinel (or its pieces) must reach the compiled maker's arguments as itself, each once.

A shape that fails the checks on the compiled form is still shared at the parse level when it
can be (the parsed tree with sentinels, values substituted, then annotated, simplified and
compiled per text); otherwise each text is parsed as usual.  Matches that name address sets or
port groups are not cut into shapes (their expansion is not in the text).
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pyovn.logical.actions import (
    Action,
    Load,
    Nested,
    ParsedActions,
    ParseParams,
    Program,
    actions_maker,
    compile_actions,
    parse_actions,
)
from pyovn.logical.expr import (
    And,
    ChassisResident,
    Cmp,
    Or,
    Test,
    annotate,
    compile_expr,
    make_and,
    make_or,
    parse_expr_raw,
    simplify,
)
from pyovn.logical.expr_ast import Constant
from pyovn.logical.expr_compile import expr_maker
from pyovn.logical.flow import Flow
from pyovn.logical.symbols import SymbolTable

__all__ = [
    "ActionsInstance",
    "MatchInstance",
    "clear",
    "instantiate_actions",
    "instantiate_match",
    "split",
]

# Constants cut out of a text: a quoted string without escapes, or a word (what sits between
# operators, commas, braces and spaces) that is exactly a MAC, an IPv4 or an IPv6 address.  A
# word with a mask, a prefix, a port (10.0.0.1:80), brackets or anything else stays in the shape.
_TOKEN_RE = re.compile(r'"(?:[^"\\]|\\.)*"|[\w.:/\[\]]*:[\w.:/\[\]]*|[\w.:/\[\]]*\.[\w.:/\[\]]*')
_MAC_RE = re.compile(r"[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){5}")
_V6_RE = re.compile(r"[0-9a-fA-F]{0,4}(?::[0-9a-fA-F]{0,4}){2,7}")
_V4_RE = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")
_MARK = {"S": '"\x00"', "M": "\x00M", "V6": "\x00V6", "V4": "\x00V4"}
_MARK_RE = re.compile('"\x00"|\x00(?:M|V6|V4)')
_CLASS_OF = {v: k for k, v in _MARK.items()}


def _classify(tok: str) -> str | None:
    if tok[0] == '"':
        return None if "\\" in tok else "S"
    if ":" in tok:
        if _MAC_RE.fullmatch(tok):
            return "M"
        if _V6_RE.fullmatch(tok):
            return "V6"
        return None
    return "V4" if _V4_RE.fullmatch(tok) else None


Key = tuple[type, Any]  # a value with its type (1 and "1", True and 1 kept apart)


def split(text: str) -> tuple[str, list[tuple[str, str]]]:
    """(shape, [(class, literal)...]) of a match or actions text (nothing is cut out of a text
    that holds a NUL, the placeholders' character)."""
    consts: list[tuple[str, str]] = []
    if "\x00" in text:
        return text, consts
    parts: list[str] = []
    pos = 0
    for m in _TOKEN_RE.finditer(text):
        tok = m.group(0)
        cls = _classify(tok)
        if cls is None:
            continue
        consts.append((cls, tok))
        parts.append(text[pos:m.start()])
        parts.append(_MARK[cls])
        pos = m.end()
    if not consts:
        return text, consts
    parts.append(text[pos:])
    return "".join(parts), consts


_AF_INET6 = socket.AF_INET6
_AF_INET = socket.AF_INET
_pton = socket.inet_pton


def _value(cls: str, literal: str) -> int | str:
    """The value the lexer gives a constant of ``cls`` (OSError/ValueError if not one)."""
    if cls == "S":
        return literal[1:-1]
    if cls == "M":
        return int(literal.replace(":", ""), 16)
    if cls == "V4":
        return int.from_bytes(_pton(_AF_INET, literal), "big")
    return int.from_bytes(_pton(_AF_INET6, literal), "big")


def _values(consts: list[tuple[str, str]]) -> list[int | str] | None:
    try:
        return [_value(c, lit) for c, lit in consts]
    except (OSError, ValueError):
        return None


# A constant's pieces: (offset, width) of the bits a test or a store may hold on their own.
_V6_PIECES = ((0, 128), (0, 64), (64, 64), (0, 32), (32, 32), (64, 32), (96, 32))
_PIECES = {"S": ((0, 0),), "M": ((0, 48),), "V4": ((0, 32),), "V6": _V6_PIECES}


def _sentinel(cls: str, i: int) -> tuple[str, int | str]:
    """A constant of ``cls`` for position ``i``: unlike any real one, as wide as the class, its
    pieces all distinct."""
    if cls == "S":
        v = f"__pyovn_slot_{i}__"
        return f'"{v}"', v
    if cls == "M":
        iv = 0xF25E00000000 | i
        h = f"{iv:012x}"
        return ":".join(h[j:j + 2] for j in range(0, 12, 2)), iv
    if cls == "V4":
        iv = 0xF0000000 | i
        return str(ipaddress.IPv4Address(iv)), iv
    iv = 0
    for k in range(4):
        iv |= (0xF5E00000 | (i << 4) | k) << (32 * k)
    return str(ipaddress.IPv6Address(iv)), iv


def _piece(v: int | str, ofs: int, width: int) -> int | str:
    if isinstance(v, str):
        return v
    return (v >> ofs) & ((1 << width) - 1)


@dataclass(eq=False, slots=True)
class _Sentinels:
    """The sentinels of one shape and their pieces."""

    classes: list[str]
    values: list[int | str]
    pieces: dict[Key, tuple[int, int, int]]  # piece value -> (sentinel index, ofs, width)

    def key(self, v: Any) -> Key:
        return (type(v), v)

    def cover(self, found: dict[Key, int]) -> list[tuple[int, int, int]] | None:
        """The pieces found (each exactly once), if they cover every sentinel exactly once:
        whole, or both halves, or all four quarters."""
        got: dict[int, set[tuple[int, int]]] = {}
        for k, n in found.items():
            if n != 1:
                return None
            i, ofs, width = self.pieces[k]
            got.setdefault(i, set()).add((ofs, width))
        if len(got) != len(self.values):
            return None
        for i, cls in enumerate(self.classes):
            have = got[i]
            if cls != "V6":
                continue
            if have not in ({(0, 128)}, {(0, 64), (64, 64)},
                            {(0, 32), (32, 32), (64, 32), (96, 32)}):
                return None
        return [self.pieces[k] for k in found]


def _sentinel_text(shape: str) -> tuple[str, _Sentinels]:
    """``shape`` with a sentinel in each constant's place."""
    classes: list[str] = []
    values: list[int | str] = []
    pieces: dict[Key, tuple[int, int, int]] = {}

    def sub(m: re.Match[str]) -> str:
        cls = _CLASS_OF[m.group(0)]
        i = len(values)
        lit, v = _sentinel(cls, i)
        classes.append(cls)
        values.append(v)
        for ofs, width in _PIECES[cls]:
            p = _piece(v, ofs, width)
            pieces[(type(p), p)] = (i, ofs, width)
        return lit

    return _MARK_RE.sub(sub, shape), _Sentinels(classes, values, pieces)


def _find(consts: Sequence[Any], sen: _Sentinels, found: dict[Key, int],
          where: dict[Key, int]) -> None:
    """Counts the sentinels' pieces among a maker's constants (and where they are)."""
    for pos, c in enumerate(consts):
        if isinstance(c, int | str) and not isinstance(c, bool):
            k = (type(c), c)
            if k in sen.pieces:
                found[k] = found.get(k, 0) + 1
                where[k] = pos


def _positions(consts: Sequence[Any], sen: _Sentinels
               ) -> list[tuple[int, int, int, int]] | None:
    """[(argument position, sentinel index, ofs, width)] of the sentinels' pieces among a
    maker's constants, each exactly once and covering every sentinel; else None."""
    found: dict[Key, int] = {}
    where: dict[Key, int] = {}
    _find(consts, sen, found, where)
    if sen.cover(found) is None:
        return None
    return [(where[k], *sen.pieces[k]) for k in found]


def _fill(consts: list[Any], slots: list[tuple[int, int, int, int]],
          values: list[int | str]) -> list[Any]:
    args = list(consts)
    for pos, i, ofs, width in slots:
        args[pos] = _piece(values[i], ofs, width)
    return args


# --- matches -------------------------------------------------------------------------------


@dataclass(eq=False, slots=True)
class MatchInstance:
    """A compiled match: through a full template (``expr`` None, ``reads`` and
    ``restriction`` given) or parsed through a raw one (``expr`` the simplified tree)."""

    fn: Callable[[Flow], bool]
    expr: Any | None
    reads: frozenset[str] | None = None
    restriction: Any = None  # pyovn.pipeline.tables.Restriction (None: never matches)


@dataclass(eq=False, slots=True)
class _MatchTemplate:
    sen: _Sentinels
    raw: Any  # the raw parse with sentinels
    maker: Callable[..., Callable[[Flow], bool]] | None = None  # None: raw level only
    consts: list[Any] | None = None
    slots: list[tuple[int, int, int, int]] | None = None
    reads: frozenset[str] | None = None
    restriction: Any = None  # with sentinel pieces in its value sets
    restricted: tuple[tuple[Any, tuple[tuple[int, int, int], ...]], ...] = ()


def _raw_slots(e: Any, out: list[Any]) -> None:
    if isinstance(e, Cmp):
        out.append((type(e.value), e.value))
    elif isinstance(e, ChassisResident):
        out.append((str, e.port))
    elif isinstance(e, And | Or):
        for x in e.items:
            _raw_slots(x, out)


def _subst_raw(e: Any, values: dict[Key, Any]) -> Any:
    if isinstance(e, Cmp):
        v = values.get((type(e.value), e.value))
        return e if v is None else Cmp(e.symbol, e.relop, v, e.mask)
    if isinstance(e, ChassisResident):
        v = values.get((str, e.port))
        return e if v is None else ChassisResident(v, e.negated)
    if isinstance(e, And):
        return make_and([_subst_raw(x, values) for x in e.items])
    if isinstance(e, Or):
        return make_or([_subst_raw(x, values) for x in e.items])
    return e


def _slots_ok(e: Any, sen: _Sentinels) -> bool:
    """The checks of the module docstring on an annotated sentinel expression (made on the
    annotated one, then on the simplified one)."""
    found: dict[Key, int] = {}
    tests_by_base: dict[str, list[tuple[Test, Any, bool]]] = {}
    pieces = sen.pieces

    def walk(x: Any, parent: Any) -> None:
        if isinstance(x, Test):
            k = (type(x.value), x.value)
            is_slot = k in pieces
            if is_slot:
                found[k] = found.get(k, 0) + 1
            tests_by_base.setdefault(x.base, []).append((x, parent, is_slot))
        elif isinstance(x, ChassisResident):
            k = (str, x.port)
            if k in pieces:
                found[k] = found.get(k, 0) + 1
        elif isinstance(x, And | Or):
            for y in x.items:
                walk(y, x)

    walk(e, None)
    if sen.cover(found) is None:
        return False
    for tests in tests_by_base.values():
        slots = [(t, p) for t, p, is_slot in tests if is_slot]
        if not slots:
            continue
        if len(slots) != len(tests):
            return False  # a key tested by a sentinel and by something else: not value-blind
        if len(slots) > 1:
            parent = slots[0][1]
            if not isinstance(parent, Or) or any(
                    p is not parent or t.relop != "==" for t, p in slots):
                return False
    return True


@lru_cache(maxsize=8192)
def _match_template(shape: str, symtab: SymbolTable) -> _MatchTemplate | None:
    from pyovn.pipeline.tables import expr_reads, restriction

    stext, sen = _sentinel_text(shape)
    try:
        raw = parse_expr_raw(stext, symtab)
        annotated = annotate(raw, symtab)
        expr = simplify(annotated)
    except Exception:
        return None
    got: list[Key] = []
    _raw_slots(raw, got)
    if any(got.count((type(s), s)) != 1 for s in sen.values):
        return None
    t = _MatchTemplate(sen, raw)
    if not (_slots_ok(annotated, sen) and _slots_ok(expr, sen)):
        return t
    maker, mconsts = expr_maker(expr)
    slots = _positions(mconsts, sen)
    if slots is None:
        return t
    t.maker, t.consts, t.slots = maker, mconsts, slots
    t.reads = expr_reads(expr)
    t.restriction = restriction(expr)
    if t.restriction is not None:
        restricted = []
        for k, vs in t.restriction.items():
            hits = tuple(sen.pieces[(type(v), v)] for v in vs if (type(v), v) in sen.pieces)
            if hits:
                restricted.append((k, hits))
        t.restricted = tuple(restricted)
    return t


def instantiate_match(text: str, symtab: SymbolTable) -> MatchInstance | None:
    """``text`` compiled through its shape's template, or None (parse it as usual)."""
    if "$" in text or "@" in text:
        return None
    shape, consts = split(text)
    if not consts:
        return None
    t = _match_template(shape, symtab)
    if t is None:
        return None
    values = _values(consts)
    if values is None:
        return None
    if t.maker is not None:
        assert t.consts is not None and t.slots is not None
        r = t.restriction
        if t.restricted:
            r = dict(r)
            for k, hits in t.restricted:
                old = {_piece(t.sen.values[i], o, w) for i, o, w in hits}
                r[k] = frozenset({v for v in r[k] if v not in old}
                                 | {_piece(values[i], o, w) for i, o, w in hits})
        return MatchInstance(t.maker(*_fill(t.consts, t.slots, values)), None, t.reads, r)
    raw = _subst_raw(t.raw, {(type(s), s): v for s, v in zip(t.sen.values, values)})
    expr = simplify(annotate(raw, symtab))
    return MatchInstance(compile_expr(expr), expr)


# --- actions -------------------------------------------------------------------------------


@dataclass(eq=False, slots=True)
class ActionsInstance:
    """Compiled actions; ``parsed()`` builds their parsed form (for trace) on demand."""

    program: Program
    reads: frozenset[str]
    _template: _ActionsTemplate
    _values: list[int | str]

    def parsed(self) -> ParsedActions:
        t = self._template
        sub = {(type(s), s): v for s, v in zip(t.sen.values, self._values)}
        return ParsedActions(_subst_actions(t.parsed.actions, sub), t.parsed.prereqs)


@dataclass(eq=False, slots=True)
class _Program:
    """A compiled action list's maker, where the sentinels' pieces sit among its arguments,
    and where the programs of nested action lists holding sentinels sit (``arp { ... }``)."""

    maker: Callable[..., Program]
    consts: list[Any]
    slots: list[tuple[int, int, int, int]]
    nested: list[tuple[int, _Program]]

    def build(self, values: list[int | str]) -> Program:
        args = _fill(self.consts, self.slots, values)
        for pos, sub in self.nested:
            args[pos] = sub.build(values)
        return self.maker(*args)


@dataclass(eq=False, slots=True)
class _ActionsTemplate:
    parsed: ParsedActions
    sen: _Sentinels
    reads: frozenset[str]
    program: _Program | None = None  # None: compiled per text


def _load_slots(actions: Sequence[Action], out: list[Key], bad: list[bool],
                wanted: set[Key]) -> None:
    """Sentinels found as assigned values (``out``); ``bad`` when one is anywhere else."""
    for a in actions:
        if isinstance(a, Load):
            v = a.value
            key = (type(v.value), v.value)
            if key in wanted:
                if v.mask is not None:
                    bad.append(True)
                out.append(key)
        elif isinstance(a, Nested):
            _load_slots(a.actions, out, bad, wanted)
        elif _mentions(a, wanted):
            bad.append(True)


def _mentions(node: Any, wanted: set[Key]) -> bool:
    """A sentinel anywhere in an action's fields (one not handled as a Load)."""
    if isinstance(node, int | str) and not isinstance(node, bool):
        return (type(node), node) in wanted
    if isinstance(node, tuple | list):
        return any(_mentions(x, wanted) for x in node)
    fields = getattr(node, "__dataclass_fields__", None)
    if fields is None:
        return False
    return any(_mentions(getattr(node, f), wanted) for f in fields)


def _subst_actions(actions: Sequence[Action], values: dict[Key, Any]) -> tuple[Action, ...]:
    out: list[Action] = []
    for a in actions:
        if isinstance(a, Load):
            v = a.value
            new = values.get((type(v.value), v.value))
            if new is not None:
                a = Load(a.dst, Constant(new, None, v.format))
        elif isinstance(a, Nested):
            a = Nested(a.kind, _subst_actions(a.actions, values))
        out.append(a)
    return tuple(out)


def _program(actions: tuple[Action, ...], sen: _Sentinels, wanted: set[Key],
             found: dict[Key, int]) -> _Program | None:
    maker, consts = actions_maker(actions)
    where: dict[Key, int] = {}
    _find(consts, sen, found, where)
    nested = []
    for a in actions:
        if isinstance(a, Nested) and _mentions(a.actions, wanted):
            sub = _program(a.actions, sen, wanted, found)
            prog = compile_actions(a.actions)  # the object the outer maker is given
            at = [i for i, c in enumerate(consts) if c is prog]
            if sub is None or len(at) != 1:
                return None
            nested.append((at[0], sub))
    return _Program(maker, consts, [(where[k], *sen.pieces[k]) for k in where], nested)


@lru_cache(maxsize=8192)
def _actions_template(shape: str, params: ParseParams) -> _ActionsTemplate | None:
    from pyovn.pipeline.tables import action_reads

    stext, sen = _sentinel_text(shape)
    try:
        parsed = parse_actions(stext, params)
    except Exception:
        return None
    wanted = {(type(s), s) for s in sen.values}
    loads: list[Key] = []
    bad: list[bool] = []
    _load_slots(parsed.actions, loads, bad, wanted)
    if bad or len(loads) != len(wanted) or set(loads) != wanted:
        return None
    t = _ActionsTemplate(parsed, sen, action_reads(parsed.actions))
    found: dict[Key, int] = {}
    prog = _program(parsed.actions, sen, wanted, found)
    if prog is not None and sen.cover(found) is not None:
        t.program = prog
    return t


def instantiate_actions(text: str, params: ParseParams) -> ActionsInstance | None:
    """``text`` compiled through its shape's template, or None (parse it as usual)."""
    shape, consts = split(text)
    if not consts:
        return None
    t = _actions_template(shape, params)
    if t is None:
        return None
    values = _values(consts)
    if values is None:
        return None
    if t.program is not None:
        return ActionsInstance(t.program.build(values), t.reads, t, values)
    inst = ActionsInstance(_no_program, t.reads, t, values)
    inst.program = compile_actions(inst.parsed())
    return inst


def _no_program(flow: Flow, ctx: Any) -> None:  # pragma: no cover - replaced at once
    raise AssertionError("placeholder program")


def clear() -> None:
    """Empties the template caches (cold-start measurements)."""
    _match_template.cache_clear()
    _actions_template.cache_clear()
