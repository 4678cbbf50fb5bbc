"""Match expressions: parsing, annotation, errors, compiled evaluation (data files under data/)."""

from __future__ import annotations

import random
from typing import Any

import pytest
from logical_data import cases

from pyovn.logical.expr import (
    ParseError,
    Test,
    compile_expr,
    compile_match,
    expr_to_string,
    field_prereqs,
    parse_constant,
    parse_expr,
    parse_expr_raw,
    parse_field,
)
from pyovn.logical.expr_compile import evaluate
from pyovn.logical.flow import CHASSIS_RESIDENT_KEY, Flow
from pyovn.logical.lexer import Lexer, TokenType
from pyovn.logical.symbols import default_symtab

ADDR_SETS = {"set1": ["10.0.0.1", "10.0.1.0/24", "not-an-address"], "empty": []}
PORT_GROUPS = {"pg1": ["p1", "p2"]}


@pytest.mark.parametrize(("text", "expected"), cases("expr_parse.txt"))
def test_parse(text: str, expected: str) -> None:
    raw = parse_expr_raw(text, None, ADDR_SETS, PORT_GROUPS)
    assert expr_to_string(raw) == expected
    # The normalized form parses back to the same tree (except for names OVN's format can't
    # distinguish, e.g. set expansions) -- check it is at least parseable to the same text.
    if "$" not in text and "@" not in text:
        assert expr_to_string(parse_expr_raw(expected)) == expected


@pytest.mark.parametrize(("text", "expected"), cases("expr_annotate.txt"))
def test_annotate(text: str, expected: str) -> None:
    assert expr_to_string(parse_expr(text)) == expected


@pytest.mark.parametrize(("text", "expected"), cases("expr_errors.txt"))
def test_errors(text: str, expected: str) -> None:
    message, _, pos = expected.rpartition(" @")
    with pytest.raises(ParseError) as ei:
        parse_expr(text, None, ADDR_SETS, PORT_GROUPS)
    assert ei.value.message == message
    assert ei.value.pos == int(pos)


def _flow(spec: str) -> Flow:
    flow: Flow = {}
    for item in spec.split():
        key, _, text = item.partition("=")
        if key == CHASSIS_RESIDENT_KEY:
            flow[key] = frozenset(text.strip('"').split(","))  # type: ignore[assignment]
            continue
        tok = Lexer(text).token
        flow[key] = tok.s if tok.type is TokenType.STRING else tok.value
    return flow


@pytest.mark.parametrize(("text", "expected"), cases("expr_eval.txt"))
def test_evaluate(text: str, expected: str) -> None:
    match, _, spec = text.rpartition(" |")
    flow = _flow(spec)
    fn = compile_match(match.strip(), None, ADDR_SETS, PORT_GROUPS)
    assert fn(flow) is (expected == "1")
    # The compiler agrees with the reference interpreter.
    assert evaluate(parse_expr(match.strip(), None, ADDR_SETS, PORT_GROUPS), flow) is (
        expected == "1"
    )


def test_chassis_resident_callable() -> None:
    fn = compile_match('is_chassis_resident("cr-lrp")')
    assert fn({CHASSIS_RESIDENT_KEY: lambda p: p == "cr-lrp"})  # type: ignore[dict-item]
    assert not fn({CHASSIS_RESIDENT_KEY: lambda p: False})  # type: ignore[dict-item]


def test_compile_cache_tracks_address_set_contents() -> None:
    a = compile_match("ip4.src == $s", addr_sets={"s": ["1.1.1.1"]})
    b = compile_match("ip4.src == $s", addr_sets={"s": ["1.1.1.1"]})
    c = compile_match("ip4.src == $s", addr_sets={"s": ["2.2.2.2"]})
    assert a is b and a is not c
    flow: Flow = {"eth.type": 0x800, "ip4.src": 0x02020202}
    assert not a(flow) and c(flow)


def test_port_group_sb_names() -> None:
    # The Southbound names port groups "<datapath tunnel key>_<name>"; the datapath-specific
    # name wins, the plain name is the fallback.
    pgs = {"5_pg": ["x"], "pg": ["y"]}
    assert expr_to_string(parse_expr("inport == @pg", port_groups=pgs, dp_id=5)) == 'inport == "x"'
    assert expr_to_string(parse_expr("inport == @pg", port_groups=pgs, dp_id=6)) == 'inport == "y"'


def test_parse_field_for_actions() -> None:
    lx = Lexer("reg0[0..15] = eth.dst;")
    ref = parse_field(lx)
    assert (ref.symbol.name, ref.ofs, ref.n_bits, ref.base, ref.base_ofs) == (
        "reg0",
        0,
        16,
        "reg0",
        0,
    )
    lx.force_match(TokenType.EQUALS)
    assert str(parse_field(lx)) == "eth.dst"
    with pytest.raises(ParseError, match="Predicate symbol ip4 used where lvalue required."):
        parse_field(Lexer("ip4"))
    assert parse_field(Lexer("ip4"), allow_predicate=True).symbol.name == "ip4"


def test_parse_constant_for_actions() -> None:
    assert str(parse_constant(Lexer("10.0.0.0/8"))) == "10.0.0.0/8"
    assert parse_constant(Lexer('"x"')).value == "x"
    with pytest.raises(ParseError, match="expecting constant"):
        parse_constant(Lexer("foo"))


def test_field_prereqs() -> None:
    st = default_symtab()
    p = field_prereqs(st["tcp.dst"])
    assert (
        p is not None
        and expr_to_string(p) == "ip.proto == 0x6 && (eth.type == 0x800 || eth.type == 0x86dd)"
    )
    assert field_prereqs(st["reg0"]) is None
    p = field_prereqs(st["vlan.vid"])
    assert p is not None and expr_to_string(p) == "vlan.tci[12]"


def test_predicate_levels_match_their_expansions() -> None:
    # A predicate is nominal iff its expansion tests a nominal field (OVN's rule); the table
    # declares the level as data, checked here against the expansion.
    from pyovn.logical.expr_ast import And, Bool, Cmp, Or
    from pyovn.logical.symbols import Level, SymbolKind

    st = default_symtab()

    def level(e: object) -> Level:
        if isinstance(e, Cmp):
            return Level.NOMINAL if e.symbol.level is Level.NOMINAL else Level.BOOLEAN
        if isinstance(e, And | Or):
            return min(level(x) for x in e.items)
        assert isinstance(e, Bool)
        return Level.BOOLEAN

    for sym in st.values():
        if sym.kind is SymbolKind.PREDICATE:
            assert sym.predicate is not None
            assert sym.level == level(parse_expr_raw(sym.predicate)), sym.name


def _random_flow(rng: random.Random) -> Flow:
    return {
        "eth.type": rng.choice([0x800, 0x86DD, 0x806]),
        "ip.proto": rng.choice([1, 6, 17, 58]),
        "tcp.dst": rng.choice([22, 80, 443, 1024, 65535]),
        "ip4.src": rng.choice([0x0A000001, 0x0A000101, 0xC0A80001]),
        "reg0": rng.getrandbits(32),
        "reg3": rng.choice([0, 1, 0xFFFFFFFF]),
        "ct_state": rng.getrandbits(8),
        "inport": rng.choice(["p1", "p2", "p3"]),
    }


RANDOM_MATCHES = [
    "ip4 && tcp.dst == {80, 443} && !(ip4.src == 10.0.0.0/24)",
    "(ct.new || ct.est) && !ct.inv && inport == @pg1",
    "(reg0[0..7] > 100 && reg0[8..15] <= 7) || reg0[31]",
    "xxreg0 > 0x100000000 || xxreg0[0..31] == 1",
    "!(ip4.src == $set1) && (tcp || udp) && ip",
    "1024 <= tcp.dst < 65535 && ip4",
]


@pytest.mark.parametrize("text", RANDOM_MATCHES)
def test_compiled_agrees_with_interpreter_and_raw_semantics(text: str) -> None:
    rng = random.Random(text)
    e = parse_expr(text, None, ADDR_SETS, PORT_GROUPS)
    fn = compile_expr(e)
    for _ in range(300):
        flow = _random_flow(rng)
        assert fn(flow) is evaluate(e, flow)


def test_annotated_tree_mentions_base_keys_only() -> None:
    st = default_symtab()
    e = parse_expr("xreg0[3] && vlan.vid == 3 && rarp.sha == 00:00:00:00:00:01")

    def walk(x: object) -> None:
        if isinstance(x, Test):
            assert x.base in st.base_widths
        for sub in getattr(x, "items", ()):
            walk(sub)

    walk(e)


# --- every match the real ovn-northd writes ---------------------------------------------------


@pytest.fixture(scope="session")
def real_sb(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, object]]:
    """SB dumps of real_topology (built once per session, JSON cached in a session tmp dir)."""
    import json

    import real_topology

    missing = real_topology.missing_binaries()
    if missing:
        pytest.skip(f"real OVN not installed: missing {', '.join(missing)}")
    cache = tmp_path_factory.getbasetemp() / "real_sb_dumps.json"
    if not cache.exists():
        cache.write_text(json.dumps(real_topology.real_sb_dumps()))
    dumps: list[dict[str, object]] = json.loads(cache.read_text())
    return dumps


@pytest.mark.interop
def test_every_real_northd_match_parses_and_compiles(real_sb: list[dict[str, Any]]) -> None:
    import time

    from pyovn.logical.expr_compile import _compile_cached

    items = []
    for dump in real_sb:
        for f in dump["flows"]:
            for dp in f["datapaths"] or [None]:
                items.append((f["match"], dp, dump["address_sets"], dump["port_groups"]))
    uniq = {(m, dp): (m, dp, a, p) for m, dp, a, p in items}
    failures = []
    compiled = []
    _compile_cached.cache_clear()
    compile_expr.cache_clear()
    t0 = time.perf_counter()
    for match, dp, addr_sets, port_groups in uniq.values():
        try:
            e = parse_expr(match, None, addr_sets, port_groups, dp)
            compiled.append((e, compile_expr(e)))
        except ParseError as err:
            failures.append(f"{match!r}: {err.message}")
    dt = time.perf_counter() - t0
    n_flows = sum(len(d["flows"]) for d in real_sb)
    print(
        f"\nreal northd: {n_flows} flows, {len(uniq)} distinct (match, datapath) pairs, "
        f"{len(compiled)} parsed+compiled, {len(failures)} failed, "
        f"{len(uniq) / dt:.0f} matches/s parsed+compiled"
    )
    assert not failures, "\n".join(failures[:20])
    assert len(uniq) > 500
    # Each compiled match runs without error and agrees with the interpreter.
    rng = random.Random(0)
    flows = [{}] + [_random_flow(rng) for _ in range(20)]
    for e, fn in compiled:
        for flow in flows:
            assert fn(flow) is evaluate(e, flow), expr_to_string(e)
