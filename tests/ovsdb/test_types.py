"""Column types: parsing with OVS's errors, to_json round trip, English names, defaults."""

import pytest

from pyovn.ovsdb.errors import ConstraintViolation, SyntaxError_
from pyovn.ovsdb.types import UINT_MAX, BaseType, ColumnType

ROUND_TRIP = [
    "integer",
    {"key": "string", "min": 0, "max": "unlimited"},
    {"key": {"type": "integer", "minInteger": 0, "maxInteger": 4095}},
    {"key": {"type": "real", "minReal": -2.5, "maxReal": 1.75}},
    {"key": {"type": "string", "enum": ["set", ["a", "b"]]}, "min": 0},
    {"key": {"type": "uuid", "refTable": "T", "refType": "weak"}, "min": 0, "max": 3},
    {"key": "string", "value": {"type": "string", "minLength": 1, "maxLength": 9},
     "min": 0, "max": "unlimited"},
]


@pytest.mark.parametrize("json", ROUND_TRIP)
def test_round_trip(json):
    assert ColumnType.from_json(json).to_json() == json


BAD = [
    ({"key": "string", "min": 2, "max": 3}, "ovsdb type fails constraint checks"),
    ({"key": "integer", "max": 0}, "ovsdb type fails constraint checks"),
    ({"key": "integer", "min": -1}, "bad min or max value"),
    ("int", '"int" is not an atomic-type'),
    (5, "ovsdb type expected"),
    ({"key": {"type": "integer", "minInteger": 5, "maxInteger": 1}},
     "minInteger exceeds maxInteger"),
    ({"key": {"type": "uuid", "refTable": "T", "refType": "soft"}},
     'refType must be "strong" or "weak" (not "soft")'),
    ({"key": {"type": "integer", "enum": 1, "minInteger": 0}},
     "Parsing ovsdb type failed: Member 'minInteger' is present but not allowed here."),
    ({"key": "integer", "foo": 1},
     "Parsing ovsdb type failed: Member 'foo' is present but not allowed here."),
]


@pytest.mark.parametrize("json,details", BAD)
def test_bad_types(json, details):
    with pytest.raises(SyntaxError_) as e:
        ColumnType.from_json(json)
    assert e.value.details == details


ENGLISH = [
    ("integer", "integer"),
    ({"key": "boolean", "min": 0}, "set of up to 1 booleans"),
    ({"key": "integer", "min": 1, "max": 2}, "set of 1 to 2 integers"),
    ({"key": "string", "min": 0, "max": "unlimited"}, "set of strings"),
    ({"key": "string", "max": "unlimited"}, "set of 1 or more strings"),
    ({"key": "string", "value": "integer", "min": 0, "max": "unlimited"},
     "map of (string, integer) pairs"),
]


@pytest.mark.parametrize("json,text", ENGLISH)
def test_english(json, text):
    assert ColumnType.from_json(json).to_english() == text


@pytest.mark.parametrize("json,default", [
    ("integer", 0), ("real", 0.0), ("boolean", False), ("string", ""),
    ("uuid", "00000000-0000-0000-0000-000000000000"),
    ({"key": "string", "min": 0, "max": 1}, frozenset()),
    ({"key": "string", "min": 1, "max": 3}, frozenset([""])),
    ({"key": "string", "value": "string", "min": 0, "max": "unlimited"}, {}),
])
def test_defaults(json, default):
    assert ColumnType.from_json(json).default() == default


@pytest.mark.parametrize("json,atom,message", [
    ({"type": "integer", "minInteger": 1}, 0, "0 is less than minimum allowed value 1"),
    ({"type": "integer", "maxInteger": 5}, 6, "6 is greater than maximum allowed value 5"),
    ({"type": "integer", "minInteger": 0, "maxInteger": 2}, 3,
     "3 is not in the valid range 0 to 2 (inclusive)"),
    ({"type": "real", "minReal": -2.5, "maxReal": 1.75}, -6.25,
     "-6.25 is not in the valid range -2.5 to 1.75 (inclusive)"),
    ({"type": "string", "maxLength": 2}, "abc",
     '"abc" length 3 is greater than maximum allowed length 2'),
    ({"type": "string", "enum": ["set", ["abc1", "x y", "z"]]}, "q",
     'q is not one of the allowed values ([abc1, "x y", z])'),
])
def test_constraints(json, atom, message):
    base = BaseType.from_json(json)
    with pytest.raises(ConstraintViolation) as e:
        base.check(atom)
    assert e.value.details == message


def test_unlimited():
    assert ColumnType.from_json({"key": "integer", "max": "unlimited"}).max == UINT_MAX
