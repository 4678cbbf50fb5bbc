"""The public API other packages (trace, the datapath) build on, called the way they call it;
plus ``clear_caches`` and the sharing of compiled code between expressions of one shape."""

from __future__ import annotations

from typing import Any

from pyovn.logical import clear_caches, expr_compile
from pyovn.logical.actions import (
    ActionContext,
    ParseParams,
    Value,
    build_packet,
    compile_actions,
    format_actions,
    parse_actions,
)
from pyovn.logical.expr import Constant, compile_match
from pyovn.logical.flow import FieldRef, format_field_value, read_field, write_field
from pyovn.logical.symbols import default_symtab


class _Ctx:
    """A minimal ActionContext recording what the program asked for."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    def next(self, flow: dict[str, Any], pipeline: str, table: int) -> None:
        self.calls.append(("next", (pipeline, table)))

    def output(self, flow: dict[str, Any]) -> None:
        self.calls.append(("output", flow.get("outport")))

    def drop(self, flow: dict[str, Any]) -> None:
        self.calls.append(("drop", None))

    def emit(self, kind: str, flow: dict[str, Any], program: Any) -> None:
        self.calls.append(("emit", kind))
        program(flow, self)


def test_trace_api_round_trip() -> None:
    st = default_symtab()
    match = compile_match(
        "outport == @pg && ip4.src == $as && tcp.dst == {80, 443}",
        st,
        {"as": ["10.0.0.1", "10.0.0.2"]},
        {"7_pg": ["p1", "p2"]},
        7,
    )
    flow: dict[str, int | str] = {
        "outport": "p2",
        "eth.type": 0x800,
        "ip4.src": 0x0A000002,
        "ip.proto": 6,
        "tcp.dst": 443,
    }
    assert match(flow)
    assert not match({**flow, "tcp.dst": 22})
    assert not match({**flow, "outport": "p3"})

    parsed = parse_actions('reg0[0..7] = 0x2a; outport = "p1"; output;', ParseParams(table=3))
    assert format_actions(parsed.actions) == 'reg0[0..7] = 0x2a; outport = "p1"; output;'
    ctx = _Ctx()
    _: ActionContext = ctx  # type: ignore[assignment]  # the protocol's subset trace uses
    compile_actions(parsed)(flow, ctx)  # type: ignore[arg-type]
    assert ctx.calls == [("output", "p1")]

    ref = FieldRef(st["reg0"], 0, 8)
    assert read_field(flow, ref) == 0x2A
    write_field(flow, ref, 0x55)
    assert read_field(flow, FieldRef.whole(st["reg0"])) == 0x55
    assert format_field_value("eth.src", 0x0A0000000001) == "0a:00:00:00:00:01"
    assert build_packet("arp", {"eth.src": 1, "eth.type": 0x800})["eth.type"] == 0x806


def test_value_is_the_shared_constant_type() -> None:
    assert Value is Constant
    v = parse_actions('outport = "x";').actions[0].value  # type: ignore[attr-defined]
    assert v.is_string and v.string == "x" and v.to_string() == '"x"'
    w = parse_actions("ip4.dst = 10.0.0.0/8;").actions[0].value  # type: ignore[attr-defined]
    assert w.string is None and w.width() == 32 and w.to_string() == "10.0.0.0/8"


def test_expressions_of_one_shape_share_compiled_code() -> None:
    clear_caches()
    st = default_symtab()
    fns = [compile_match(f'inport == "p{i}" && ip4.src == 10.0.0.{i}', st) for i in range(20)]
    assert len(expr_compile._MAKERS) == 1
    for i, fn in enumerate(fns):
        assert fn({"inport": f"p{i}", "eth.type": 0x800, "ip4.src": 0x0A000000 + i})
        assert not fn({"inport": f"p{i}", "eth.type": 0x800, "ip4.src": 0x0A000000 + i + 1})


def test_action_lists_of_one_shape_share_compiled_code() -> None:
    from pyovn.logical import actions_exec

    clear_caches()
    progs = [compile_actions(parse_actions(f"reg1 = {i}; next;")) for i in range(10)]
    assert len(actions_exec._MAKERS) == 1
    for i, prog in enumerate(progs):
        flow: dict[str, int | str] = {}
        ctx = _Ctx()
        prog(flow, ctx)  # type: ignore[arg-type]
        assert flow == {"reg1": i}
        assert ctx.calls == [("next", ("ingress", 1))]


def test_clear_caches_empties_the_memos() -> None:
    compile_match("ip4 && tcp.dst == 80")
    assert expr_compile._compile_cached.cache_info().currsize > 0
    clear_caches()
    assert expr_compile._compile_cached.cache_info().currsize == 0
    assert not expr_compile._MAKERS
