"""OVSDB's string syntax (pyovn.ovsdb.datastr): cases checked against real ovs-vsctl."""

from __future__ import annotations

import pytest

from pyovn.ctl.context import parse_value
from pyovn.ctl.registry import CtlError
from pyovn.ovsdb.datastr import (
    RefTable,
    atom_from_string,
    datum_from_string,
    datum_to_bare,
    token_parse,
)
from pyovn.ovsdb.types import ColumnType

STR_MAP = ColumnType.from_json({"key": "string", "value": "string", "min": 0,
                                "max": "unlimited"})
STR_SET = ColumnType.from_json({"key": "string", "min": 0, "max": "unlimited"})
PROTOCOLS = ColumnType.from_json({"key": {"type": "string", "enum": [
    "set", ["OpenFlow10", "OpenFlow11", "OpenFlow12", "OpenFlow13", "OpenFlow14",
            "OpenFlow15"]]}, "min": 0, "max": "unlimited"})
VLANS = ColumnType.from_json({"key": {"type": "integer", "minInteger": 0, "maxInteger": 4095},
                              "min": 0, "max": 4096})
TAG = ColumnType.from_json({"key": {"type": "integer", "minInteger": 0, "maxInteger": 4095},
                            "min": 0, "max": 1})
MTU = ColumnType.from_json({"key": {"type": "integer", "minInteger": 1}, "min": 0, "max": 1})
BOOL = ColumnType.from_json("boolean")
STRING = ColumnType.from_json("string")
REF = ColumnType.from_json({"key": {"type": "uuid", "refTable": "Port"}, "min": 0,
                            "max": "unlimited"})

# (type, text, expected value or "!error text")
CASES = [
    (PROTOCOLS, "OpenFlow10,OpenFlow11", frozenset({"OpenFlow10", "OpenFlow11"})),
    (PROTOCOLS, "[OpenFlow10 OpenFlow12]", frozenset({"OpenFlow10", "OpenFlow12"})),
    (PROTOCOLS, "[]", frozenset()),
    (PROTOCOLS, "[OpenFlow10,x:y]", "!constraint violation: x is not one of the allowed values "
     "([OpenFlow10, OpenFlow11, OpenFlow12, OpenFlow13, OpenFlow14, OpenFlow15])"),
    (PROTOCOLS, "[OpenFlow10", '![OpenFlow10: missing "]" at end of data'),
    (PROTOCOLS, "[OpenFlow10]x", '![OpenFlow10]x: trailing garbage after "]"'),
    (PROTOCOLS, "{}", '!{}: unexpected "{" parsing set of strings'),
    (STR_MAP, "[]", '![]: unexpected "[" parsing map of (string, string) pairs'),
    (STR_MAP, '{a=b,c="d e"}', {"a": "b", "c": "d e"}),
    (STR_MAP, '{"a"="b" , c = d}', {"a": "b", "c": "d"}),
    (STR_MAP, "{a=b,}", {"a": "b"}),
    (STR_MAP, "a=b,c=d", {"a": "b", "c": "d"}),
    (STR_MAP, "{a}", '!a}: syntax error at "}" expecting "="'),
    # at the end of the text OVS's message stops at the NUL it printed with %c
    (STR_MAP, "mcast_snoop", '!mcast_snoop: syntax error at "'),
    (STR_MAP, "a=1, b", '!b: syntax error at "'),
    (STR_MAP, "{a=b=c}", '!{a=b=c}: unexpected "=" parsing map of (string, string) pairs'),
    (STR_MAP, "{,a=b}", '!{,a=b}: unexpected "," parsing map of (string, string) pairs'),
    (STR_MAP, "{a=b,a=c}", "!{a=b,a=c}: map contains duplicate key"),
    (STR_MAP, "", '!use "{}" to specify the empty map'),
    (STR_SET, "", '!use "[]" to specify the empty set'),
    (VLANS, "1-3,7", frozenset({1, 2, 3, 7})),
    (VLANS, "3-1", '!"3-1" is not a valid range. Range end cannot be before start.'),
    (VLANS, "1-", '!"1-" is not a valid integer or range'),
    (VLANS, "1,1", "!1,1: set contains duplicate value"),
    (TAG, "1-3", "!1-3: 3 value(s) specified but the maximum number is 1"),
    (TAG, "abc", '!"abc" is not a valid integer or range'),
    (TAG, "0x10", '!"0x10" is not a valid integer or range'),
    (TAG, " 12", frozenset({12})),
    (MTU, "+5", frozenset({5})),
    (MTU, "-5", "!constraint violation: -5 is less than minimum allowed value 1"),
    (MTU, "99999999999999999999", '!"99999999999999999999" is not a valid integer or range'),
    (BOOL, "yes", True),
    (BOOL, "0", False),
    (BOOL, "TRUE", '!"TRUE" is not a valid boolean (use "true" or "false")'),
    (STRING, '"a\\"b"', 'a"b'),
    (STRING, '"a\\nb"', "a\nb"),
    (REF, "nouuid", '!"nouuid" is not a valid UUID'),
    (REF, "0A4B0C1D-1111-4222-8333-444455556666",
     frozenset({"0a4b0c1d-1111-4222-8333-444455556666"})),
]


@pytest.mark.parametrize(("ctype", "text", "expected"), CASES)
def test_datum_from_string(ctype: ColumnType, text: str, expected: object) -> None:
    if isinstance(expected, str) and expected.startswith("!"):
        with pytest.raises(CtlError) as exc:
            parse_value(datum_from_string, ctype, text)
        assert str(exc.value) == expected[1:]
    else:
        assert parse_value(datum_from_string, ctype, text) == expected


@pytest.mark.parametrize(("text", "token", "rest"), [
    ("a\\:b=c", "a:b", "=c"),
    ('x"="y=c', 'x"="y', "=c"),
    ('"sp "=x', '"sp "', "=x"),
    ("name", "name", ""),
])
def test_token_parse(text: str, token: str, rest: str) -> None:
    tok, pos = token_parse(text)
    assert (tok, text[pos:]) == (token, rest)


def test_string_atoms() -> None:
    base = STRING.key
    assert atom_from_string(base, 'x"="y') == 'x"="y'
    with pytest.raises(CtlError, match="An empty string is not valid as input"):
        parse_value(atom_from_string, base, "")
    with pytest.raises(CtlError, match="missing quote at end of quoted string"):
        parse_value(atom_from_string, base, '"abc')


def test_named_references() -> None:
    refs = RefTable()
    v = datum_from_string(REF, "@p", refs)
    sym = refs.get("@p")
    assert sym is not None and v == frozenset({sym.uuid}) and sym.strong_ref
    assert not sym.created


def test_bare() -> None:
    assert datum_to_bare(STR_MAP, {"b": "x y", "a": "1"}) == "a=1 b=x y"
    assert datum_to_bare(VLANS, frozenset({3, 1})) == "1 3"
    assert datum_to_bare(STRING, "") == ""
