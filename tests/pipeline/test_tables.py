"""LogicalTables: indexed lookup gives the linear scan's answer; what tables and flows read;
flows that do not parse; action prerequisites; conjunct-wise parsing."""

from __future__ import annotations

from functools import cache
from typing import Any

import pipeline_rows as P
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pyovn.logical.expr import compile_expr, parse_expr
from pyovn.logical.flow import CHASSIS_RESIDENT_KEY
from pyovn.logical.symbols import default_symtab
from pyovn.pipeline.sbmodel import SbModel
from pyovn.pipeline.tables import (
    ALL,
    LogicalTables,
    conjuncts,
    flow_code,
    parse_match,
)

SYMTAB = default_symtab()
DP = "d0000000-0000-4000-8000-000000000001"


def model_of(flows: list[tuple[str, int, int, str, str]]) -> SbModel:
    """A one-switch model with (pipeline, table, priority, match, actions) flows."""
    rows: P.Rows = {
        "Datapath_Binding": {DP: {"tunnel_key": 1, "external_ids": {"name": "sw"}}},
        "Port_Binding": {
            f"pb{i}": {"logical_port": f"p{i}", "datapath": DP, "tunnel_key": i, "type": ""}
            for i in range(1, 5)
        },
        "Logical_Flow": {
            f"{i:08x}-0000-4000-8000-000000000000": {
                "logical_datapath": frozenset({DP}), "logical_dp_group": frozenset(),
                "pipeline": p, "table_id": t, "priority": prio, "match": m, "actions": a,
                "external_ids": {}}
            for i, (p, t, prio, m, a) in enumerate(flows)
        },
    }
    return SbModel.from_rows(rows)


# --- indexed lookup == linear scan ---------------------------------------------------------

@cache
def _compiled(name: str) -> tuple[SbModel, LogicalTables]:
    m = SbModel.from_rows(P.recorded_rows(name))
    t = LogicalTables(m)
    for dp in m.datapaths.values():
        t.compile_datapath(dp)
    return m, t


BIG = [d.name for d in sorted(P.recorded_dirs(), key=lambda d: -P.n_flows(
    P.recorded_rows(d.name)))[:4]]


@cache
def _big_tables(name: str) -> list[Any]:
    m, _ = _compiled(name)
    return [ct for dp in m.datapaths.values() for ft in dp.flows.values()
            if (ct := ft.compiled) is not None and len(ct.entries) >= 4]


@st.composite
def probe(draw: st.DrawFn, name: str) -> tuple[Any, dict[str, Any]]:
    """A compiled table of the recording and a packet made of values its flows test."""
    m, _ = _compiled(name)
    ct = draw(st.sampled_from(_big_tables(name)))
    values: dict[str, list[Any]] = {}
    for e in ct.entries:
        for (base, _mask), vs in (e.code.restriction or {}).items():
            values.setdefault(base, []).extend(vs)
    flow: dict[str, Any] = {CHASSIS_RESIDENT_KEY: draw(st.sampled_from([(), set(m.ports)]))}
    for base in sorted(ct.reads - {CHASSIS_RESIDENT_KEY}):
        pool = values.get(base)
        choice = draw(st.integers(0, 3))
        if pool and choice:
            flow[base] = draw(st.sampled_from(pool))
        elif choice == 1:
            flow[base] = draw(st.integers(0, 2**16))
    return ct, flow


@pytest.mark.parametrize("name", BIG)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_indexed_lookup_is_the_linear_scan(name, data):
    ct, flow = data.draw(probe(name))
    assert ct.lookup(flow) is ct.lookup_linear(flow)


def test_recorded_tables_are_mostly_indexed():
    m, tables = _compiled(BIG[0])
    cts = [ft.compiled for dp in m.datapaths.values() for ft in dp.flows.values()]
    big = [ct for ct in cts if len(ct.entries) >= 10]
    assert big and sum(ct.key is not None for ct in big) >= len(big) // 2


TERMS = ['inport == "p1"', 'inport == "p2"', "eth.dst == 00:00:00:00:00:01",
         "eth.dst == 00:00:00:00:00:02", "ip4", "ip6", "tcp.dst == 80", "udp",
         "reg0[3] == 1", "reg0[3] == 0", "eth.mcast", 'outport == {"p1", "p3"}',
         "ip4.dst == 10.0.0.0/8", "!(tcp.src == 1)", "1", "0"]


@st.composite
def matches(draw: st.DrawFn) -> str:
    terms = draw(st.lists(st.sampled_from(TERMS), min_size=1, max_size=3))
    if len(terms) > 1 and draw(st.booleans()):
        return "(" + " || ".join(terms) + ")"
    return " && ".join(terms)


@st.composite
def packets(draw: st.DrawFn) -> dict[str, Any]:
    eth = draw(st.sampled_from([0x800, 0x86DD, 0x806]))
    return {
        "inport": draw(st.sampled_from(["p1", "p2", "p3"])),
        "outport": draw(st.sampled_from(["p1", "p2", "p3", ""])),
        "eth.dst": draw(st.sampled_from([1, 2, 0x010000000000])), "eth.type": eth,
        "ip.proto": draw(st.sampled_from([6, 17])), "tcp.dst": draw(st.sampled_from([80, 81])),
        "tcp.src": draw(st.sampled_from([1, 2])), "reg0": draw(st.sampled_from([0, 8])),
        "ip4.dst": draw(st.sampled_from([0x0A000001, 0x0B000001])),
    }


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), matches()), min_size=1, max_size=25),
       st.lists(packets(), min_size=1, max_size=10))
def test_any_table_indexed_lookup_is_the_linear_scan(flows, pkts):
    m = model_of([("ingress", 0, prio, text, "next;") for prio, text in flows])
    ct = LogicalTables(m).table(m.datapaths[DP], "ingress", 0)
    for p in pkts:
        assert ct.lookup(p) is ct.lookup_linear(p)


def test_index_picks_the_key_most_flows_test():
    flows = [("ingress", 0, 50, f"eth.dst == 00:00:00:00:00:{i:02x}", "next;")
             for i in range(1, 40)]
    flows += [("ingress", 0, 70, "eth.mcast", "next;"), ("ingress", 0, 0, "1", "next;")]
    m = model_of(flows)
    ct = LogicalTables(m).table(m.datapaths[DP], "ingress", 0)
    assert ct.key == "eth.dst" and ct.root.mask is None and len(ct.root.buckets) == 39
    assert len(ct.root.rest) == 2
    hit = ct.lookup({"eth.dst": 5})
    assert hit is not None and hit.lflow.match == "eth.dst == 00:00:00:00:00:05"
    assert ct.lookup({"eth.dst": 0x010000000000}).lflow.match == "eth.mcast"
    assert ct.lookup({"eth.dst": 0x99}).lflow.match == "1"


# --- read sets, errors, prerequisites --------------------------------------------------------

def test_index_has_levels_where_one_key_is_not_enough():
    # Half the flows test ip4.dst, half ip6.dst: the flows one key leaves are indexed again.
    flows = [("ingress", 0, 90, f"ip4.dst == 10.0.0.{i}", "next;") for i in range(1, 30)]
    flows += [("ingress", 0, 90, f"ip6.dst == fd00::{i:x}", "next;") for i in range(1, 30)]
    flows += [("ingress", 0, 0, "1", "next;")]
    m = model_of(flows)
    ct = LogicalTables(m).table(m.datapaths[DP], "ingress", 0)
    assert ct.key in ("ip4.dst", "ip6.dst", "eth.type")
    inner = [ct.root.rest, *ct.root.buckets.values()]
    assert any(not isinstance(x, list) for x in inner)
    e = ct.lookup({"eth.type": 0x800, "ip4.dst": 0x0A000007})
    assert e is not None and e.lflow.match == "ip4.dst == 10.0.0.7"
    assert ct.lookup({"eth.type": 0x86DD, "ip6.dst": 0xFD00 << 112 | 5}).lflow.match == \
        "ip6.dst == fd00::5"


def test_read_sets():
    m = model_of([
        ("ingress", 0, 10, 'inport == "p1" && ip4.src == 10.0.0.1', "reg0 = ip4.dst; next;"),
        ("ingress", 0, 5, 'is_chassis_resident("p2")', 'outport = "p2"; output;'),
        ("ingress", 0, 1, "1", "ct_next;"),
    ])
    t = LogicalTables(m)
    dp = m.datapaths[DP]
    reads = t.fields_read(dp, "ingress", 0)
    assert {"inport", "ip4.src", "eth.type", CHASSIS_RESIDENT_KEY} <= reads
    codes = {e.lflow.priority: e.code for e in t.table(dp, "ingress", 0).entries}
    assert codes[10].action_reads == {"ip4.dst"}
    assert codes[5].action_reads == {"inport", "outport", "flags"}
    assert codes[1].action_reads == {ALL}


def test_flows_that_do_not_parse():
    m = model_of([("ingress", 0, 20, "1", "no_such_action;"),
                  ("ingress", 0, 10, "no_such_field == 1", "next;"),
                  ("ingress", 0, 0, "1", "drop;")])
    ct = LogicalTables(m).table(m.datapaths[DP], "ingress", 0)
    assert [e.lflow.priority for e in ct.entries] == [0]
    assert sorted(err.split(":")[0] for _, err in ct.errors) == ["actions", "match"]
    code = flow_code("1", "no_such_action;", "ingress", 0, SYMTAB)
    assert code.program is None and code.error and code.error.startswith("actions")


def test_action_prerequisites_join_the_match():
    # ct_next needs ip: an ARP packet does not match "1 => ct_next;" (as ovn-controller/trace).
    m = model_of([("ingress", 0, 10, "1", "ct_next;"), ("ingress", 0, 0, "1", "next;")])
    ct = LogicalTables(m).table(m.datapaths[DP], "ingress", 0)
    assert ct.lookup({"eth.type": 0x806}).lflow.priority == 0
    assert ct.lookup({"eth.type": 0x800}).lflow.priority == 10


def test_trivial_flows_are_marked():
    m = model_of([("ingress", 0, 0, "1", "next;"), ("ingress", 1, 0, "1", "next(3);"),
                  ("ingress", 2, 0, " 1 ", "next(pipeline=egress, table=0);")])
    t = LogicalTables(m)
    dp = m.datapaths[DP]
    assert [t.table(dp, "ingress", i).entries[0].trivial for i in range(3)] == [
        True, False, False]


# --- conjunct-wise parsing -------------------------------------------------------------------

def test_conjuncts():
    assert conjuncts('a && (b || c) && d == "x&&y"') == ["a ", " (b || c) ", ' d == "x&&y"']
    assert conjuncts("a || b && c") is None
    assert conjuncts("(a") is None


@settings(max_examples=300, deadline=None)
@given(st.lists(matches(), min_size=1, max_size=3), st.lists(packets(), min_size=1,
                                                             max_size=6), st.booleans())
def test_conjunct_parsing_matches_as_whole_parsing(parts, pkts, nest):
    text = " && ".join(f"({p})" if nest else p for p in parts)
    whole = compile_expr(parse_expr(text, SYMTAB))
    pieces = compile_expr(parse_match(text, SYMTAB))
    for p in pkts:
        assert whole(p) == pieces(p), (text, p)
