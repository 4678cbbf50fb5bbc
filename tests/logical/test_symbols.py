"""The symbol table (OVN 23.03 facts) and the microflow field model (flow.py)."""

from __future__ import annotations

import pytest

from pyovn.logical.flow import FieldRef, Flow, format_field_value, read_field, write_field
from pyovn.logical.lexer import Lexer
from pyovn.logical.symbols import (
    BASE_WIDTHS,
    Level,
    Segment,
    SymbolKind,
    WriteScope,
    default_symtab,
)

ST = default_symtab()


@pytest.mark.parametrize(
    ("name", "kind", "width", "level", "prereqs"),
    [
        ("inport", SymbolKind.STRING, 0, Level.NOMINAL, None),
        ("xxreg0", SymbolKind.FIELD, 128, Level.ORDINAL, None),
        ("xreg4", SymbolKind.FIELD, 64, Level.ORDINAL, None),
        ("reg9", SymbolKind.SUBFIELD, 32, Level.ORDINAL, None),
        ("eth.type", SymbolKind.FIELD, 16, Level.NOMINAL, None),
        ("ip.proto", SymbolKind.FIELD, 8, Level.NOMINAL, "ip"),
        ("ip.dscp", SymbolKind.FIELD, 6, Level.NOMINAL, "ip"),
        ("ip.frag", SymbolKind.FIELD, 2, Level.ORDINAL, "ip"),
        ("ip6.label", SymbolKind.FIELD, 20, Level.ORDINAL, "ip6"),
        ("tcp.flags", SymbolKind.FIELD, 12, Level.ORDINAL, "tcp"),
        ("icmp6.type", SymbolKind.FIELD, 8, Level.NOMINAL, "icmp6"),
        ("nd.sll", SymbolKind.FIELD, 48, Level.ORDINAL, "nd_ns"),
        ("nd.tll", SymbolKind.FIELD, 48, Level.ORDINAL, "nd_na"),
        ("ct.trk", SymbolKind.SUBFIELD, 1, Level.ORDINAL, None),
        ("ct.est", SymbolKind.SUBFIELD, 1, Level.ORDINAL, "ct.trk"),
        ("vlan.vid", SymbolKind.SUBFIELD, 12, Level.ORDINAL, "vlan.present"),
        ("ct_label.ecmp_reply_eth", SymbolKind.SUBFIELD, 48, Level.ORDINAL, None),
        ("ip4", SymbolKind.PREDICATE, 1, Level.NOMINAL, None),
        ("eth.bcast", SymbolKind.PREDICATE, 1, Level.BOOLEAN, None),
        ("icmp4.frag_mtu", SymbolKind.FIELD, 16, Level.NOMINAL, None),
    ],
)
def test_symbol_facts(
    name: str, kind: SymbolKind, width: int, level: Level, prereqs: str | None
) -> None:
    s = ST[name]
    assert (s.kind, s.width, s.level, s.prereqs) == (kind, width, level, prereqs)


def test_only_ovn_exposed_registers() -> None:
    assert {f"reg{i}" for i in range(10)} <= set(ST)
    assert "reg10" not in ST and "xxreg2" not in ST and "xreg5" not in ST


def test_register_overlay() -> None:
    # reg0 is the most significant word of xxreg0; xreg0 its upper half; xreg4 = reg8:reg9.
    assert (ST["reg0"].parent, ST["reg0"].parent_ofs) == ("xxreg0", 96)
    assert (ST["reg3"].parent, ST["reg3"].parent_ofs) == ("xxreg0", 0)
    assert (ST["xreg0"].parent, ST["xreg0"].parent_ofs) == ("xxreg0", 64)
    assert (ST["reg8"].parent, ST["reg8"].parent_ofs) == ("xreg4", 32)
    assert ST["xxreg0"].storage == tuple(Segment(f"reg{i}", 0, 32) for i in (3, 2, 1, 0))
    assert ST["reg5"].storage == (Segment("reg5", 0, 32),)


def test_flags_and_ct_bits() -> None:
    bits = {n: ST[n].storage[0].ofs for n in ST if n.startswith(("flags.", "ct."))}
    assert bits == {
        "flags.loopback": 0,
        "flags.force_snat_for_dnat": 2,
        "flags.force_snat_for_lb": 3,
        "flags.skip_snat_for_lb": 9,
        "flags.use_snat_zone": 11,
        "ct.new": 0,
        "ct.est": 1,
        "ct.rel": 2,
        "ct.rpl": 3,
        "ct.inv": 4,
        "ct.trk": 5,
        "ct.snat": 6,
        "ct.dnat": 7,
    }


def test_writability() -> None:
    assert ST["eth.src"].write_scope is WriteScope.DEFAULT
    assert not ST["eth.type"].rw and not ST["ip.proto"].rw and not ST["ct_state"].rw
    assert not ST["ct.est"].rw and not ST["ip4"].rw and not ST["tcp.flags"].rw
    assert ST["ct_mark"].write_scope is WriteScope.CT_COMMIT
    assert ST["ct_label.blocked"].write_scope is WriteScope.CT_COMMIT
    assert ST["reg0"].rw and ST["flags.loopback"].rw and ST["outport"].rw
    assert ST["icmp4.frag_mtu"].write_scope is WriteScope.ANY


def test_must_crossproduct() -> None:
    assert {n for n, s in ST.items() if s.must_crossproduct} == {
        "eth.type",
        "ip.proto",
        "icmp6.type",
        "icmp6.code",
    }


def test_every_storage_fits_its_base() -> None:
    for s in ST.values():
        for seg in s.storage:
            assert seg.base in BASE_WIDTHS
            assert seg.ofs + seg.n_bits <= BASE_WIDTHS[seg.base], s.name
        if s.kind is not SymbolKind.PREDICATE and s.width:
            assert sum(seg.n_bits for seg in s.storage) == s.width, s.name


def test_rarp_shares_arp_storage() -> None:
    assert ST["rarp.sha"].storage == ST["arp.sha"].storage
    assert ST["rarp.sha"].prereqs == "rarp"


# --- flow.py ----------------------------------------------------------------------------------


def ref(text: str) -> FieldRef:
    from pyovn.logical.expr import parse_field

    return parse_field(Lexer(text), allow_predicate=True)


def test_read_write_subfield() -> None:
    flow: Flow = {"vlan.tci": 0x1000}
    write_field(flow, ref("vlan.vid"), 0xABC)
    assert flow["vlan.tci"] == 0x1ABC
    assert read_field(flow, ref("vlan.vid")) == 0xABC
    write_field(flow, ref("vlan.tci[13..15]"), 0xF)  # extra bits are cut to the slice
    assert flow["vlan.tci"] == 0xFABC
    assert read_field(flow, ref("vlan.pcp")) == 7


def test_read_write_register_views() -> None:
    flow: Flow = {}
    write_field(flow, ref("xxreg0"), 0x00000001_00000002_00000003_00000004)
    assert [flow[f"reg{i}"] for i in range(4)] == [1, 2, 3, 4]
    assert read_field(flow, ref("xreg1")) == 0x00000003_00000004
    write_field(flow, ref("xxreg0[16..79]"), 0xFFFFFFFF_FFFFFFFF)
    assert [flow[f"reg{i}"] for i in range(4)] == [1, 0xFFFF, 0xFFFFFFFF, 0xFFFF0004]
    assert read_field(flow, ref("reg2[0..7]")) == 0xFF
    write_field(flow, ref("xreg4"), 0x5_00000006)
    assert (flow["reg8"], flow["reg9"]) == (5, 6)


def test_fieldref_base() -> None:
    r = ref("reg0[4..7]")
    assert (r.base, r.base_ofs, r.is_single) == ("reg0", 4, True)
    r = ref("xxreg0[96..103]")
    assert (r.base, r.base_ofs) == ("reg0", 0)
    r = ref("ct.est")
    assert (r.base, r.base_ofs, str(r)) == ("ct_state", 1, "ct.est")
    assert str(ref("reg0[3]")) == "reg0[3]" and str(ref("reg0[1..2]")) == "reg0[1..2]"
    with pytest.raises(ValueError, match="spans several base fields"):
        _ = ref("xxreg0").base


def test_string_fields() -> None:
    flow: Flow = {}
    write_field(flow, ref("outport"), "lp1")
    assert flow["outport"] == "lp1"
    with pytest.raises(TypeError):
        write_field(flow, ref("outport"), 1)
    with pytest.raises(TypeError):
        read_field(flow, ref("inport"))


@pytest.mark.parametrize(
    ("field", "value", "text"),
    [
        ("eth.src", 0x0A0000000001, "0a:00:00:00:00:01"),
        ("arp.tha", 0xFFFFFFFFFFFF, "ff:ff:ff:ff:ff:ff"),
        ("rarp.sha", 0x1, "00:00:00:00:00:01"),
        ("ip4.dst", 0xC0A80001, "192.168.0.1"),
        ("arp.spa", 0x0A000001, "10.0.0.1"),
        ("ip6.src", 0xFE80 << 112 | 1, "fe80::1"),
        ("nd.target", 0x20010DB8 << 96, "2001:db8::"),
        ("tcp.dst", 80, "80"),
        ("ip.ttl", 64, "64"),
        ("reg0", 0x10, "0x10"),
        ("inport", 'a"b', '"a\\"b"'),
    ],
)
def test_format_field_value(field: str, value: int | str, text: str) -> None:
    assert format_field_value(ref(field), value) == text
