"""Logical tables compiled for lookup: per (datapath, pipeline, table), highest priority first.

A flow compiles to a ``FlowCode``: its match ANDed with its actions' prerequisites (as
ovn-controller and ovn-trace do), parsed, annotated, simplified and compiled
(``pyovn.logical``), its actions parsed and compiled into one program, and what both read.
``FlowCode`` is memoised on everything it depends on (texts, stage, the address sets and port
groups the match names, and the datapath key only when the match names a port group), so a flow
shared by many datapaths (``Logical_DP_Group``) compiles once, and identical texts on different
datapaths share their code.  A flow whose actions do not parse is left out, as ovn-controller
and ovn-trace leave it out; a match that does not parse never matches.  Either way the error is
kept (``CompiledTable.errors``).

A table compiles lazily, on its first lookup, or eagerly per datapath (``compile_datapath``).
The compiled form lives in the model's ``FlowTable.compiled`` slot (and each flow's
``LogicalFlow.compiled``), which the model clears when a change makes them stale, so any number
of ``LogicalTables`` over one model share it.

Lookup is indexed: every match is an AND of terms after simplification; a term ``k == v``
(or an OR of them, e.g. ``inport == @pg``, ``eth.type`` of ``ip``) restricts the flow to packets
whose key ``k`` (under the test's mask) is in a set of values.  Each table picks the (key, mask)
that minimises the expected number of matches to evaluate (flows without that restriction + the
mean bucket), files each restricted flow under each of its values and keeps the others in
``rest``.  A lookup evaluates the bucket of the packet's value up to its first match, then the
``rest`` flows that come before that match in table order, so the result is the linear scan's.

Read sets (for the datapath's flow cache): ``CompiledTable.reads`` is the set of base microflow
keys any match of the table reads (``CHASSIS_RESIDENT_KEY`` for ``is_chassis_resident``);
``FlowCode.action_reads`` the keys the flow's actions read (a masked store is not a read; the
executor's routing after ``output`` reads inport, outport and flags) or ``ALL`` when the result
depends on more than the packet's fields or has side effects that must happen per packet
(conntrack, packets built or sent to the controller, learning, hashing).  Both come from the
parsed trees, not from running anything.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain
from typing import Any

from pyovn.logical.actions import (
    Action,
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
    ParsedActions,
    ParseParams,
    Program,
    PushPop,
    Simple,
    compile_actions,
    parse_actions_cached,
)
from pyovn.logical.expr import (
    And,
    Bool,
    ChassisResident,
    Or,
    Test,
    annotate,
    compile_expr,
    make_and,
    parse_expr,
    parse_expr_raw,
    simplify,
)
from pyovn.logical.flow import CHASSIS_RESIDENT_KEY, FieldRef, Flow
from pyovn.logical.symbols import SymbolTable
from pyovn.pipeline.sbmodel import SbModel
from pyovn.pipeline.sbtypes import FlowTable, LogicalDatapath, LogicalFlow
from pyovn.pipeline.shapes import instantiate_actions, instantiate_match

__all__ = [
    "ALL",
    "CompiledTable",
    "CompiledFlow",
    "FlowCode",
    "LogicalTables",
    "flow_code",
]

ALL = "*"  # in a read set: not cacheable on packet fields alone
ROUTING_READS = frozenset(("inport", "outport", "flags"))
_EMPTY: frozenset[str] = frozenset()

Match = Callable[[Flow], bool]
Restriction = dict[tuple[str, int], frozenset[Any]]  # (base, mask) -> allowed values


class FlowCode:
    """The compiled form of one (match, actions, stage) — shared by every flow that has it.

    ``parsed`` (the parsed actions, what trace prints) is built on first use for flows
    compiled through a shape template (``pyovn.pipeline.shapes``): the datapath never needs it.
    """

    __slots__ = ("match", "program", "_parsed", "trivial", "reads", "action_reads",
                 "restriction", "error")

    def __init__(
        self,
        match: Match,
        program: Program | None,  # None: the actions did not parse (the flow is left out)
        parsed: ParsedActions | Callable[[], ParsedActions] | None,
        trivial: bool,  # "1 => next;" to the following table of the same pipeline
        reads: frozenset[str],
        action_reads: frozenset[str],
        restriction: Restriction | None,  # None: never matches
        error: str | None = None,
    ) -> None:
        self.match = match
        self.program = program
        self._parsed = parsed
        self.trivial = trivial
        self.reads = reads
        self.action_reads = action_reads
        self.restriction = restriction
        self.error = error

    @property
    def parsed(self) -> ParsedActions | None:
        p = self._parsed
        if p is None or isinstance(p, ParsedActions):
            return p
        p = self._parsed = p()
        return p


@dataclass(eq=False, slots=True)
class CompiledFlow:
    """One flow of one compiled table (a LogicalFlow on its datapath, with its code)."""

    lflow: LogicalFlow
    code: FlowCode
    match: Match
    program: Program
    trivial: bool
    pos: int = 0


def _never(flow: Flow) -> bool:
    return False


# --- reading the trees -------------------------------------------------------------------------


def expr_reads(e: Any) -> frozenset[str]:
    """The base keys an annotated expression reads."""
    out: set[str] = set()
    stack = [e]
    while stack:
        x = stack.pop()
        if isinstance(x, Test):
            out.add(x.base)
        elif isinstance(x, And | Or):
            stack.extend(x.items)
        elif isinstance(x, ChassisResident):
            out.add(CHASSIS_RESIDENT_KEY)
    return frozenset(out)


def restriction(e: Any) -> Restriction | None:
    """(base, mask) -> the values ``flow[base] & mask`` must take for ``e`` to hold; {} when
    nothing is restricted, None when ``e`` never holds."""
    if isinstance(e, Test):
        if e.relop == "==":
            return {(e.base, e.mask): frozenset((e.value,))}
        return {}
    if isinstance(e, Bool):
        return {} if e.value else None
    if isinstance(e, And):
        out: Restriction = {}
        for item in e.items:
            r = restriction(item)
            if r is None:
                return None
            for k, vs in r.items():
                have = out.get(k)
                vs = vs if have is None else have & vs
                if not vs:
                    return None
                out[k] = vs
        return out
    if isinstance(e, Or):
        first = e.items[0]
        if isinstance(first, Test) and first.relop == "==":
            # The common case ({a, b, c}, a port group): equalities on one key, one pass.
            k = (first.base, first.mask)
            values = []
            for x in e.items:
                if not (isinstance(x, Test) and x.relop == "==" and x.base == k[0]
                        and x.mask == k[1]):
                    break
                values.append(x.value)
            else:
                return {k: frozenset(values)}
        parts = [r for r in map(restriction, e.items) if r is not None]
        if not parts:
            return None
        keys = set(parts[0])
        for p in parts[1:]:
            keys &= p.keys()
        return {k: frozenset().union(*(p[k] for p in parts)) for k in keys}
    return {}


def _bases(ref: FieldRef) -> set[str]:
    return {s.base for s in ref.segments}


def action_reads(actions: Sequence[Action]) -> frozenset[str]:
    """The base keys ``actions`` read, or ``{ALL}`` (see the module docstring)."""
    out: set[str] = set()
    for a in actions:
        if isinstance(a, Load | Next):
            continue
        if isinstance(a, Move):
            out |= _bases(a.src)
        elif isinstance(a, Exchange):
            out |= _bases(a.a) | _bases(a.b)
        elif isinstance(a, PushPop):
            if a.push:
                out |= _bases(a.field)
        elif isinstance(a, DecTtl):
            out.add("ip.ttl")
        elif isinstance(a, GetMacBind):
            out |= _bases(a.port) | _bases(a.ip)
        elif isinstance(a, LookupMacBind):
            out |= _bases(a.port) | _bases(a.ip) | (_bases(a.mac) if a.mac else set())
        elif isinstance(a, GetFdb):
            out |= _bases(a.mac)
        elif isinstance(a, LookupFdb):
            out |= _bases(a.mac) | _bases(a.port)
        elif isinstance(a, Simple) and a.keyword == "output":
            out |= ROUTING_READS
        elif isinstance(a, Simple) and a.keyword == "ct_clear":
            continue
        elif isinstance(a, Nested) and a.kind == "clone":
            inner = action_reads(a.actions)
            if ALL in inner:
                return frozenset((ALL,))
            out |= inner
        else:
            return frozenset((ALL,))
    return frozenset(out)


# --- compiling one flow --------------------------------------------------------------------
#
# Parsing a match is most of a flow's compile time, and matches are made of conjuncts that repeat
# from flow to flow ("arp.op == 1", "ip4", "nd_ns", a port's name...): a match whose top level is
# an "&&" chain is parsed and annotated per conjunct (memoised on the conjunct's text), and only
# the simplification runs on the whole.  The result is the same expression up to the order of
# an And's terms, which does not change what it matches.


def conjuncts(text: str) -> list[str] | None:
    """``text`` cut at its top-level ``&&`` (None when it has a top-level ``||``, which OVN
    rejects unparenthesised, or unbalanced brackets: then it is parsed whole)."""
    out: list[str] = []
    depth = 0
    start = 0
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c == '"':
            i += 1
            while i < n and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
        elif c in "({[":
            depth += 1
        elif c in ")}]":
            depth -= 1
            if depth < 0:
                return None
        elif depth == 0 and c in "&|" and text.startswith(c * 2, i):
            if c == "|":
                return None
            out.append(text[start:i])
            start = i + 2
            i += 1
        i += 1
    if depth:
        return None
    out.append(text[start:])
    return out


def _flatten(pieces: list[str]) -> list[str]:
    """Conjuncts that are a parenthesised "&&" chain, cut further (``a && (b && c)``)."""
    out: list[str] = []
    for p in pieces:
        p = p.strip()
        if p.startswith("(") and p.endswith(")"):
            inner = conjuncts(p[1:-1])
            # The parentheses must enclose the whole conjunct (not "(a) || (b)"-like text,
            # which conjuncts() already refused, nor "(a) && (b)" split wrongly).
            if inner is not None and len(inner) > 1 and _balanced(p[1:-1]):
                out.extend(_flatten(inner))
                continue
        out.append(p)
    return out


def _balanced(text: str) -> bool:
    depth = 0
    quoted = False
    i = 0
    while i < len(text):
        c = text[i]
        if quoted:
            if c == "\\":
                i += 1
            elif c == '"':
                quoted = False
        elif c == '"':
            quoted = True
        elif c in "({[":
            depth += 1
        elif c in ")}]":
            depth -= 1
            if depth < 0:
                return False
        i += 1
    return depth == 0 and not quoted


def _sets_of(refs: RefKey) -> tuple[dict[str, Sequence[str]], dict[str, Sequence[str]]]:
    addr_sets: dict[str, Sequence[str]] = {}
    port_groups: dict[str, Sequence[str]] = {}
    for name, values in refs:
        if values is not None:
            (addr_sets if name[0] == "$" else port_groups)[name[1:]] = values
    return addr_sets, port_groups


@lru_cache(maxsize=1 << 17)
def _annotated_conjunct(text: str, symtab: SymbolTable, refs: RefKey, dp_key: int | None) -> Any:
    addr_sets, port_groups = _sets_of(refs)
    return annotate(parse_expr_raw(text, symtab, addr_sets, port_groups, dp_key), symtab)


def _refs_in(piece: str, refs: RefKey) -> RefKey:
    """The entries of ``refs`` a conjunct may mention (a superset is harmless)."""
    out = []
    for name, values in refs:
        short = name
        if name[0] == "@":
            prefix, sep, rest = name[1:].partition("_")
            if sep and prefix.isdigit():
                short = "@" + rest
        if short in piece:
            out.append((name, values))
    return tuple(out)


def parse_match(text: str, symtab: SymbolTable, refs: RefKey = (),
                dp_key: int | None = None) -> Any:
    """``pyovn.logical.expr.parse_expr`` of ``text``, conjunct by conjunct (see above)."""
    pieces = conjuncts(text)
    if pieces is not None and len(pieces) > 1:
        try:
            parts = []
            for p in _flatten(pieces):
                if "$" in p or "@" in p:
                    parts.append(_annotated_conjunct(p, symtab, _refs_in(p, refs),
                                                     dp_key if "@" in p else None))
                else:
                    parts.append(_annotated_conjunct(p, symtab, (), None))
            return simplify(make_and(parts))
        except Exception:  # noqa: S110 - parsed whole below, for OVN's error message
            pass
    addr_sets, port_groups = _sets_of(refs)
    return parse_expr(text, symtab, addr_sets, port_groups, dp_key)



@lru_cache(maxsize=4096)
def _params(symtab: SymbolTable, pipeline: str, table: int) -> ParseParams:
    return ParseParams(symtab=symtab, pipeline=pipeline, table=table)


RefKey = tuple[tuple[str, tuple[str, ...] | None], ...]


def _ref_key(refs: Iterable[str], model: SbModel, dp_key: int | None) -> RefKey:
    """The current contents of the address sets and port groups a match names (what its
    compiled form depends on), as pyovn.logical.expr looks them up."""
    out: list[tuple[str, tuple[str, ...] | None]] = []
    for ref in refs:
        name = ref[1:]
        if ref[0] == "$":
            vals = model.address_sets.get(name)
            out.append((ref, tuple(vals) if vals is not None else None))
        else:
            for key in ((f"{dp_key}_{name}",) if dp_key is not None else ()) + (name,):
                pg = model.port_groups.get(key)
                out.append(("@" + key, tuple(pg) if pg is not None else None))
    return tuple(out)


@lru_cache(maxsize=1024)
def _prereq_text(prereqs: tuple[str, ...]) -> str:
    text = ParsedActions((), prereqs).prereq_expr()
    assert text is not None
    return text


@lru_cache(maxsize=1 << 18)
def flow_code(
    match: str,
    actions: str,
    pipeline: str,
    table: int,
    symtab: SymbolTable,
    refs: RefKey = (),
    dp_key: int | None = None,
) -> FlowCode:
    """Compiles one flow (memoised on its arguments; see the module docstring)."""
    acode = _actions_code(actions, pipeline, table, symtab)
    if isinstance(acode, str):  # a flow whose actions do not parse is left out
        return FlowCode(_never, None, None, False, _EMPTY, _EMPTY, None, acode)
    program, a_reads, parsed, prereqs, next_only = acode
    trivial = next_only and match.strip() == "1"
    text = match
    if prereqs:
        # Parenthesised only when needed, so that the conjuncts stay visible (parse_match).
        m = f"({match})" if "||" in match else match
        text = f"{m} && {_prereq_text(prereqs)}"
    try:
        minst = None if refs else instantiate_match(text, symtab)
        if minst is not None and minst.expr is None:
            assert minst.reads is not None
            return FlowCode(minst.fn, program, parsed, trivial, minst.reads, a_reads,
                            minst.restriction)
        expr = minst.expr if minst is not None else parse_match(text, symtab, refs, dp_key)
    except Exception as err:  # a match that does not parse never matches
        return FlowCode(_never, program, parsed, False, _EMPTY, a_reads, None, f"match: {err}")
    fn = minst.fn if minst is not None else compile_expr(expr)
    return FlowCode(fn, program, parsed, trivial, expr_reads(expr), a_reads, restriction(expr))


_ActionsCode = tuple[Program, frozenset[str], "ParsedActions | Callable[[], ParsedActions]",
                     tuple[str, ...], bool]


@lru_cache(maxsize=1 << 16)
def _actions_code(actions: str, pipeline: str, table: int,
                  symtab: SymbolTable) -> _ActionsCode | str:
    """(program, reads, parsed, prerequisites, a lone "next;" to the following table) of an
    actions text in a stage, or the error text: memoised, as many flows of a stage share their
    actions ("next;", "drop;", ...) while their matches differ (the program is pure)."""
    params = _params(symtab, pipeline, table)
    try:
        ainst = instantiate_actions(actions, params)
        if ainst is not None:
            # (a lone "next;" has no constant: it is never a template)
            return ainst.program, ainst.reads, ainst.parsed, ainst._template.parsed.prereqs, False
        pa = parse_actions_cached(actions, params)
        acts = pa.actions
        next_only = (len(acts) == 1 and isinstance(acts[0], Next)
                     and acts[0].pipeline == pipeline and acts[0].table == table + 1)
        return compile_actions(pa), action_reads(pa.actions), pa, pa.prereqs, next_only
    except Exception as err:  # noqa: BLE001 - reported with the flow
        return f"actions: {err}"


def compile_flow(model: SbModel, f: LogicalFlow) -> FlowCode:
    """``f``'s code (memoised in ``f.compiled`` until the model clears it)."""
    code = f.compiled
    if code is None:
        refs: RefKey = ()
        dp_key = None
        if "$" in f.match or "@" in f.match:
            dp_key = f.dp_key if "@" in f.match else None
            refs = _ref_key(f.refs, model, dp_key)
        code = f.compiled = flow_code(f.match, f.actions, f.pipeline, f.table, model.symtab,
                                      refs, dp_key)
    return code


# --- compiled tables -----------------------------------------------------------------------


_INF = float("inf")


class _Node:
    """One level of a table's index: flows restricted to values of ``key`` (under ``mask``)
    by value, the others in ``rest``; each is a list of entries in table order or a _Node."""

    __slots__ = ("key", "mask", "default", "buckets", "rest")

    def __init__(self, key: str, mask: int | None, default: int | str,
                 buckets: dict[Any, Any], rest: Any) -> None:
        self.key = key
        self.mask = mask
        self.default = default
        self.buckets = buckets
        self.rest = rest


def _find(node: Any, flow: Flow, limit: float) -> CompiledFlow | None:
    """The first entry under ``node`` matching ``flow`` and placed before ``limit``."""
    if type(node) is list:
        for e in node:
            if e.pos >= limit:
                return None
            if e.match(flow):
                return e
        return None
    v = flow.get(node.key, node.default)
    if node.mask is not None:
        v &= node.mask
    bucket = node.buckets.get(v)
    hit = _find(bucket, flow, limit) if bucket is not None else None
    r = _find(node.rest, flow, hit.pos if hit is not None else limit)
    return r if r is not None else hit


@dataclass(eq=False)
class CompiledTable:
    """The usable flows of one table in lookup order, and their index (``root``: the entries
    themselves when the table is scanned)."""

    entries: list[CompiledFlow] = field(default_factory=list)
    root: Any = None
    reads: frozenset[str] = _EMPTY
    errors: list[tuple[LogicalFlow, str]] = field(default_factory=list)

    @property
    def key(self) -> str | None:
        """The key the first level of the index is on (None: no index)."""
        return self.root.key if isinstance(self.root, _Node) else None

    def lookup(self, flow: Flow) -> CompiledFlow | None:
        """The first flow (in table order) whose match holds for ``flow``."""
        root = self.root
        if type(root) is list:
            for e in root:
                if e.match(flow):
                    return e
            return None
        return _find(root, flow, _INF)

    def lookup_linear(self, flow: Flow) -> CompiledFlow | None:
        """The same as ``lookup``, by scanning every flow (the reference for tests)."""
        for e in self.entries:
            if e.match(flow):
                return e
        return None


EMPTY_TABLE = CompiledTable(root=[])

# Lists shorter than this are scanned: an index does not pay for itself.
_MIN_INDEXED = 6
_MAX_LEVELS = 4


def build_table(entries: list[CompiledFlow],
                errors: list[tuple[LogicalFlow, str]]) -> CompiledTable:
    """Indexes ``entries`` (in table order) (module docstring)."""
    reads: set[str] = set()
    for i, e in enumerate(entries):
        e.pos = i
        reads |= e.code.reads
    return CompiledTable(entries, _index(entries, _MAX_LEVELS), frozenset(reads), errors)


def _index(entries: list[CompiledFlow], levels: int) -> Any:
    """A _Node over ``entries`` on the (key, mask) that leaves the fewest matches to try (the
    flows it does not restrict, plus the mean bucket), its buckets and rest indexed again;
    or ``entries`` themselves when that does not pay."""
    n = len(entries)
    if n < _MIN_INDEXED or levels == 0:
        return entries
    cands: dict[tuple[str, int], list[tuple[CompiledFlow, frozenset[Any]]]] = {}
    for e in entries:
        r = e.code.restriction
        if r:
            for k, vs in r.items():
                m = cands.get(k)
                if m is None:
                    cands[k] = [(e, vs)]
                else:
                    m.append((e, vs))
    best: tuple[float, tuple[str, int]] | None = None
    for k, members in cands.items():
        if len(members) < 2:
            continue
        counts = Counter(chain.from_iterable(vs for _, vs in members))
        cost = (n - len(members)) + sum(c * c for c in counts.values()) / counts.total()
        if best is None or cost < best[0]:
            best = (cost, k)
    if best is None or best[0] > 0.75 * n:
        return entries
    base, mask = best[1]
    chosen = cands[best[1]]
    in_buckets = {id(e) for e, _ in chosen}
    lists: dict[Any, list[CompiledFlow]] = {}
    for e, vs in chosen:
        for v in vs:
            lists.setdefault(v, []).append(e)
    buckets = {}
    for v, es in lists.items():
        if len(es) > 1:
            es.sort(key=_pos)
        buckets[v] = es if len(es) < _MIN_INDEXED else _index(es, levels - 1)
    rest = _index([e for e in entries if id(e) not in in_buckets], levels - 1)
    if isinstance(next(iter(lists)), str):
        return _Node(base, None, "", buckets, rest)
    return _Node(base, None if mask == _full_mask(base) else mask, 0, buckets, rest)


def _pos(e: CompiledFlow) -> int:
    return e.pos


def _full_mask(base: str) -> int:
    from pyovn.logical.symbols import BASE_WIDTHS

    w = BASE_WIDTHS.get(base, 0)
    return (1 << w) - 1 if w else 0


class LogicalTables:
    """Compiled, indexed logical tables of one ``SbModel`` (state kept in the model)."""

    def __init__(self, model: SbModel) -> None:
        self.model = model
        self.flows_compiled = 0  # LogicalFlows given code (statistics)

    def table(self, dp: LogicalDatapath, pipeline: str, table: int) -> CompiledTable:
        ft = dp.flows.get((pipeline, table))
        if ft is None:
            return EMPTY_TABLE
        ct = ft.compiled
        if ct is None:
            ct = self._compile(ft)
        return ct  # type: ignore[no-any-return]

    def lookup(self, dp: LogicalDatapath, pipeline: str, table: int,
               flow: Flow) -> CompiledFlow | None:
        ft = dp.flows.get((pipeline, table))
        if ft is None:
            return None
        ct = ft.compiled
        if ct is None:
            ct = self._compile(ft)
        return ct.lookup(flow)  # type: ignore[no-any-return]

    def fields_read(self, dp: LogicalDatapath, pipeline: str, table: int) -> frozenset[str]:
        """The base keys any match of the table reads (module docstring)."""
        return self.table(dp, pipeline, table).reads

    def compile_datapath(self, dp: LogicalDatapath) -> int:
        """Compiles every table of ``dp`` now; returns the number of flows."""
        n = 0
        for ft in dp.flows.values():
            if ft.compiled is None:
                self._compile(ft)
            n += len(ft)
        return n

    def code(self, f: LogicalFlow) -> FlowCode:
        return compile_flow(self.model, f)

    def _compile(self, ft: FlowTable) -> CompiledTable:
        model = self.model
        entries: list[CompiledFlow] = []
        errors: list[tuple[LogicalFlow, str]] = []
        for f in ft:
            code = f.compiled
            if code is None:
                code = compile_flow(model, f)
                self.flows_compiled += 1
            if code.error is not None:
                errors.append((f, code.error))
            if code.program is None or code.restriction is None:
                continue
            entries.append(CompiledFlow(f, code, code.match, code.program, code.trivial))
        ct = build_table(entries, errors)
        ft.compiled = ct
        return ct
