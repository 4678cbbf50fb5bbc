"""Shape templates compile every flow exactly as parsing it would: the same compiled code with
the same constants, on every flow of the real northd's recordings; and the same verdicts on
random texts and packets where constants collide (which templates must not depend on)."""

from __future__ import annotations

import ipaddress
from typing import Any

import pipeline_rows as P
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyovn.logical.actions import ParseParams, compile_actions, parse_actions
from pyovn.logical.expr import compile_expr, parse_expr
from pyovn.logical.symbols import default_symtab
from pyovn.pipeline import shapes
from pyovn.pipeline.tables import _prereq_text

SYMTAB = default_symtab()


def same_function(a: Any, b: Any) -> bool:
    """Two compiled callables run the same code with equal constants (nested ones too)."""
    if a is b:
        return True
    # Equal code, not the same code object: the makers' caches may have been emptied between
    # the two compilations (the whole suite compiles many shapes), recompiling the same source.
    if getattr(a, "__code__", None) != getattr(b, "__code__", None):
        return False
    ca = [c.cell_contents for c in a.__closure__ or ()]
    cb = [c.cell_contents for c in b.__closure__ or ()]
    return len(ca) == len(cb) and all(
        same_function(x, y) if callable(x) else x == y and type(x) is type(y)
        for x, y in zip(ca, cb))


def test_split_cuts_only_plain_constants():
    assert shapes.split('outport == "lr0-sw5" && xxreg0 == fd00:5::21') == (
        'outport == "\x00" && xxreg0 == \x00V6', [("S", '"lr0-sw5"'), ("V6", "fd00:5::21")])
    for kept in ("ip4.dst == 10.0.0.0/16", "ct_lb(backends=10.0.0.11:8080,[fd00::2]:80);",
                 "eth.dst == 00:00:00:00:00:00/01:00:00:00:00:00", "reg0[1..3] == 2",
                 'log(name="a\\"b");'):
        assert shapes.split(kept) == (kept, [])
    shape, consts = shapes.split("eth.src = 0a:00:00:00:00:01; ip6.src = ::; ip4.src = 1.2.3.4")
    assert [c for c, _ in consts] == ["M", "V6", "V4"]


@pytest.mark.parametrize("name", [d.name for d in P.recorded_dirs()])
def test_every_recorded_flow_compiles_as_parsed(name):
    rows = P.recorded_rows(name)
    seen = set()
    templated = 0
    for f in rows["Logical_Flow"].values():
        pipeline = "ingress" if f["pipeline"] == "ingress" else "egress"
        key = (f["match"], f["actions"], pipeline, f["table_id"])
        if key in seen:
            continue
        seen.add(key)
        params = ParseParams(symtab=SYMTAB, pipeline=pipeline, table=f["table_id"])
        inst = shapes.instantiate_actions(f["actions"], params)
        try:
            parsed = parse_actions(f["actions"], params)
        except Exception:
            assert inst is None, f["actions"]  # what does not parse has no template either
            continue
        if inst is not None:
            templated += 1
            assert inst.parsed() == parsed, f["actions"]
            assert same_function(inst.program, compile_actions(parsed)), f["actions"]
        text = f["match"]
        if parsed.prereqs:
            text = f"({text}) && {_prereq_text(parsed.prereqs)}" if "||" in text else \
                f"{text} && {_prereq_text(parsed.prereqs)}"
        m = shapes.instantiate_match(text, SYMTAB)
        try:
            plain = parse_expr(text, SYMTAB)
        except Exception:
            assert m is None, text
            continue
        if m is not None:
            templated += 1
            if m.expr is not None:
                assert m.expr == plain, text
            elif not same_function(m.fn, compile_expr(plain)):
                # Only where constants repeat ({a, a}): a redundant test more, same verdicts.
                consts = shapes.split(text)[1]
                assert len(set(consts)) < len(consts), text
                fn = compile_expr(plain)
                assert all(m.fn(p) == fn(p) for p in probes(plain)), text
    assert templated or len(seen) < 5


def probes(expr: Any) -> list[dict[str, Any]]:
    """Packets that satisfy the equality tests of ``expr``, and each with one key changed."""
    from pyovn.logical.expr import And, Or, Test

    tests: list[Test] = []
    stack = [expr]
    while stack:
        x = stack.pop()
        if isinstance(x, Test) and x.relop == "==":
            tests.append(x)
        elif isinstance(x, And | Or):
            stack.extend(x.items)
    base = {t.base: t.value for t in tests}
    out = [base]
    for k, v in base.items():
        out.append({**base, k: v + "x" if isinstance(v, str) else v ^ 1})
    return out


# --- random texts where constants may be equal ---------------------------------------------

MACS = ["00:00:00:00:00:01", "00:00:00:00:00:02", "f2:5e:00:00:00:00"]
V4 = ["10.0.0.1", "10.0.0.2", "240.0.0.0"]
V6 = ["fd00::1", "fd00::2", "ff02::1:ff00:1", "::"]
PORTS = ['"p1"', '"p2"', '"__pyovn_slot_0__"']

SHAPES = [
    "eth.src == {M} && ip4.dst == {A}",
    "eth.dst == {M} && eth.dst == {M}",
    "ip6.dst == {{{X}, {X}}} && nd.target == {X} && inport == {P}",
    "outport == {P} && xxreg0 == {X}",
    "ip4.src == {A} || ip4.dst == {A}",
    "inport == {P} && !(eth.src == {M})",
    "eth.dst == {M} && eth.mcast",
    "reg0 == {A} && reg0 == {A}",
    "is_chassis_resident({P}) && outport == {P}",
    "ip4.dst == {{{A}, {A}, {A}}} && ip4.src != {A}",
]


@st.composite
def texts(draw: st.DrawFn) -> str:
    shape = draw(st.sampled_from(SHAPES))
    out = []
    for part in shape.split("{")[0:1]:
        out.append(part)
    text = shape
    for ph, pool in (("{M}", MACS), ("{A}", V4), ("{X}", V6), ("{P}", PORTS)):
        while ph in text:
            text = text.replace(ph, draw(st.sampled_from(pool)), 1)
    return text.replace("{{", "{").replace("}}", "}")


@st.composite
def flows(draw: st.DrawFn) -> dict[str, Any]:
    def mac() -> int:
        return int(draw(st.sampled_from(MACS)).replace(":", ""), 16)

    def v4() -> int:
        return int(ipaddress.IPv4Address(draw(st.sampled_from(V4))))

    def v6() -> int:
        return int(ipaddress.IPv6Address(draw(st.sampled_from(V6))))

    x = v6()
    return {
        "eth.src": mac(), "eth.dst": mac(), "eth.type": draw(st.sampled_from([0x800, 0x86DD])),
        "ip4.src": v4(), "ip4.dst": v4(), "ip6.dst": v6(), "nd.target": v6(),
        "ip.proto": 58, "icmp6.type": 135, "icmp6.code": 0, "ip.ttl": 255,
        "inport": draw(st.sampled_from(PORTS))[1:-1], "outport": draw(st.sampled_from(PORTS))[1:-1],
        "reg0": x >> 96, "reg1": x >> 64 & 0xFFFFFFFF, "reg2": x >> 32 & 0xFFFFFFFF,
        "reg3": x & 0xFFFFFFFF,
        "__chassis_resident__": draw(st.sampled_from([set(), {"p1"}, {"p1", "p2"}])),
    }


@settings(max_examples=400, deadline=None)
@given(texts(), st.lists(flows(), min_size=1, max_size=8))
def test_templates_match_as_parsed_whatever_the_constants(text, packets):
    m = shapes.instantiate_match(text, SYMTAB)
    assert m is not None, text
    plain = compile_expr(parse_expr(text, SYMTAB))
    for f in packets:
        assert m.fn(f) == plain(f), (text, f)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(MACS), st.sampled_from(V6), st.sampled_from(PORTS),
       st.sampled_from(V4))
def test_action_templates_run_as_parsed(mac, v6, port, v4):
    params = ParseParams(symtab=SYMTAB, pipeline="ingress", table=3)
    for text in (f"eth.dst = {mac}; next;",
                 f"xxreg1 = {v6}; eth.src = {mac}; outport = {port}; flags.loopback = 1; next;",
                 f"nd_na {{ eth.src = {mac}; ip6.src = {v6}; nd.target = {v6}; "
                 "outport = inport; output; };",
                 f"reg0 = {v4}; reg1 = {v4}; next(pipeline=egress, table=2);"):
        inst = shapes.instantiate_actions(text, params)
        assert inst is not None, text
        parsed = parse_actions(text, params)
        assert inst.parsed() == parsed
        assert same_function(inst.program, compile_actions(parsed))


def test_texts_templates_refuse_are_parsed_as_usual():
    # Sentinel-dependent or unsupported: no template (the caller parses).
    assert shapes.instantiate_match("ip4.dst == $set", SYMTAB) is None
    assert shapes.instantiate_match("ip4.dst == 10.0.0.0/8", SYMTAB) is None
    params = ParseParams(symtab=SYMTAB)
    assert shapes.instantiate_actions("ct_dnat(10.0.0.5);", params) is None
    assert shapes.instantiate_actions('log(name="x"); next;', params) is None
    # A key tested by a sentinel and by something else stays at the parse level: still right.
    m = shapes.instantiate_match("eth.dst == 00:00:00:00:00:02 && eth.mcast", SYMTAB)
    assert m is not None and m.expr is not None
    assert not m.fn({"eth.dst": 2, "eth.type": 0x800})
