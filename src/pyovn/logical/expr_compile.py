"""Compiles annotated match expressions into Python callables ``(flow) -> bool``.

The whole expression becomes the source of one small function (``def _match(f): g = f.get;
return ...``): ``and``/``or`` short-circuit as the match does, and runs of equality tests on one
key (address sets, port groups, ``{a, b, c}``) collapse into ``key in frozenset(...)``.  Values,
masks and sets are parameters of a maker around it (``def _make(_c0, ...): def _match(f)...``),
so the source depends only on the expression's shape; ``compile()`` (the costly step) runs once
per shape and each expression only calls its shape's maker with its constants.  Results are
cached by expression (and ``compile_match`` by text and the address sets/port groups it
mentions).

``is_chassis_resident("p")`` reads ``flow["__chassis_resident__"]``: either a callable
``port -> bool`` or a container of the ports resident on this chassis; absent means False.

``evaluate`` is a plain tree-walking interpreter of the same semantics, kept as the reference
the compiler is tested against (and handy for explaining a match step by step).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from pyovn.logical.flow import CHASSIS_RESIDENT_KEY, Flow
from pyovn.logical.symbols import SymbolTable, default_symtab

__all__ = ["compile_expr", "compile_match", "evaluate", "expr_maker", "expr_source"]

# Runs of at least this many equality tests on one key become a frozenset lookup.
_SET_MIN = 3

_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def _chassis_resident(flow: Flow, port: str) -> bool:
    r: Any = flow.get(CHASSIS_RESIDENT_KEY)
    if r is None:
        return False
    if callable(r):
        return bool(r(port))
    return port in r


def evaluate(e: Any, flow: Flow) -> bool:
    """Interprets an annotated (or raw Bool/And/Or/Test) expression against ``flow``."""
    from pyovn.logical.expr import And, Bool, ChassisResident, Or, Test

    if isinstance(e, Test):
        if e.width == 0:
            return _OPS[e.relop](flow.get(e.base, ""), e.value)
        v = flow.get(e.base, 0)
        assert isinstance(v, int)
        return _OPS[e.relop](v & e.mask, e.value)
    if isinstance(e, And):
        return all(evaluate(x, flow) for x in e.items)
    if isinstance(e, Or):
        return any(evaluate(x, flow) for x in e.items)
    if isinstance(e, Bool):
        return e.value
    if isinstance(e, ChassisResident):
        return _chassis_resident(flow, e.port) != e.negated
    raise TypeError(f"cannot evaluate {type(e).__name__}; annotate it first")


class _ExprSourceBuilder:
    """Builds the Python source of one expression with every constant (value, mask, string,
    set) lifted out as a parameter ``_cN``: the source depends only on the expression's shape
    (keys, operators, nesting), so expressions that differ only in constants share it."""

    def __init__(self) -> None:
        self.consts: list[Any] = []

    def const(self, value: Any) -> str:
        self.consts.append(value)
        return f"_c{len(self.consts) - 1}"

    def read(self, t: Any) -> str:
        if t.width == 0:
            return f"g({t.base!r}, '')"
        g = f"g({t.base!r}, 0)"
        return g if t.mask == (1 << t.width) - 1 else f"({g} & {self.const(t.mask)})"

    def test(self, t: Any) -> str:
        return f"{self.read(t)} {t.relop} {self.const(t.value)}"

    def gen(self, e: Any) -> str:
        from pyovn.logical.expr import And, Bool, ChassisResident, Or, Test

        if isinstance(e, Test):
            return self.test(e)
        if isinstance(e, And | Or):
            is_or = isinstance(e, Or)
            # Group tests that can become one set membership test: equalities in an Or,
            # inequalities in an And, on the same key and mask.
            want = "==" if is_or else "!="
            groups: dict[tuple[str, int], list[Any]] = {}
            for x in e.items:
                if isinstance(x, Test) and x.relop == want:
                    groups.setdefault((x.base, x.mask), []).append(x)
            parts: list[str] = []
            done: set[tuple[str, int]] = set()
            for x in e.items:
                key = (x.base, x.mask) if isinstance(x, Test) and x.relop == want else None
                if key is not None and len(groups[key]) >= _SET_MIN:
                    if key in done:
                        continue
                    done.add(key)
                    members = groups[key]
                    read = self.read(members[0])
                    c = self.const(frozenset(m.value for m in members))
                    parts.append(f"{read} {'in' if is_or else 'not in'} {c}")
                elif isinstance(x, And | Or):
                    parts.append(f"({self.gen(x)})")
                else:
                    parts.append(self.gen(x))
            return (" or " if is_or else " and ").join(parts)
        if isinstance(e, Bool):
            return "True" if e.value else "False"
        if isinstance(e, ChassisResident):
            return ("not " if e.negated else "") + f"_cr(f, {self.const(e.port)})"
        raise TypeError(f"cannot compile {type(e).__name__}; annotate it first")


def _source(e: Any) -> tuple[str, list[Any]]:
    """The source of a function ``_make(_c0, _c1, ...)`` returning the match, and the constants."""
    gen = _ExprSourceBuilder()
    body = gen.gen(e)
    params = ", ".join(f"_c{i}" for i in range(len(gen.consts)))
    src = (
        f"def _make({params}):\n"
        f"    def _match(f):\n"
        f"        g = f.get\n"
        f"        return {body}\n"
        f"    return _match\n"
    )
    return src, gen.consts


def expr_source(e: Any) -> str:
    """The Python source ``compile_expr`` generates for ``e`` and the constants it is called
    with (for debugging and trace)."""
    src, consts = _source(e)
    return src + "".join(f"# _c{i} = {c!r}\n" for i, c in enumerate(consts))


# Compiled makers by source: compiling Python is the expensive step (~100 us), and most matches
# share their shape with many others (one per port, per address...).
_MAKERS: dict[str, Callable[..., Callable[[Flow], bool]]] = {}
_MAKERS_MAX = 16384


def _maker(src: str) -> Callable[..., Callable[[Flow], bool]]:
    mk = _MAKERS.get(src)
    if mk is None:
        env: dict[str, Any] = {"_cr": _chassis_resident}
        exec(compile(src, "<ovn-match>", "exec"), env)  # our own source: no input text in it
        mk = env["_make"]
        if len(_MAKERS) >= _MAKERS_MAX:
            _MAKERS.clear()
        _MAKERS[src] = mk
    return mk


def expr_maker(e: Any) -> tuple[Callable[..., Callable[[Flow], bool]], list[Any]]:
    """The compiled maker of ``e``'s shape and the constants ``e`` gives it:
    ``maker(*consts)`` is ``compile_expr(e)``.  Callers that know which constants differ
    between expressions of one shape (pyovn.pipeline.shapes) call the maker directly."""
    src, consts = _source(e)
    return _maker(src), consts


@lru_cache(maxsize=1 << 18)
def compile_expr(e: Any) -> Callable[[Flow], bool]:
    """Compiles an annotated expression into ``(flow) -> bool``."""
    src, consts = _source(e)
    return _maker(src)(*consts)


_REF_RE = re.compile(r"[$@][A-Za-z_.][A-Za-z0-9_.]*")


@lru_cache(maxsize=1 << 18)
def _compile_cached(
    text: str,
    symtab: SymbolTable,
    addr_key: tuple[tuple[str, tuple[str, ...] | None], ...],
    dp_id: int | None,
) -> Callable[[Flow], bool]:
    from pyovn.logical.expr import parse_expr

    addr_sets: dict[str, Sequence[str]] = {}
    port_groups: dict[str, Sequence[str]] = {}
    for name, values in addr_key:
        if values is not None:
            (addr_sets if name[0] == "$" else port_groups)[name[1:]] = values
    return compile_expr(parse_expr(text, symtab, addr_sets, port_groups, dp_id))


def compile_match(
    text: str,
    symtab: SymbolTable | None = None,
    addr_sets: Mapping[str, Sequence[str]] | None = None,
    port_groups: Mapping[str, Sequence[str]] | None = None,
    dp_id: int | None = None,
) -> Callable[[Flow], bool]:
    """Parses, annotates and compiles a match; cached by text and the sets it refers to."""
    symtab = symtab if symtab is not None else default_symtab()
    # The cache key includes the current contents of the sets the text mentions (so a changed
    # address set recompiles) but not unrelated ones.
    refs: list[tuple[str, tuple[str, ...] | None]] = []
    if "$" in text or "@" in text:
        for ref in sorted(set(_REF_RE.findall(text))):
            name = ref[1:]
            if ref[0] == "$":
                vals = addr_sets.get(name) if addr_sets is not None else None
                refs.append((ref, tuple(vals) if vals is not None else None))
            else:
                for key in ((f"{dp_id}_{name}",) if dp_id is not None else ()) + (name,):
                    pg = port_groups.get(key) if port_groups is not None else None
                    refs.append(("@" + key, tuple(pg) if pg is not None else None))
    return _compile_cached(text, symtab, tuple(refs), dp_id)
