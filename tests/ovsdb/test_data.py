"""Atoms and datums: parsing with OVS's errors, canonical forms, wire form, ordering, diffs."""

import pytest

from pyovn.ovsdb.data import (
    NamedUuidTable,
    apply_diff,
    datum_diff,
    datum_from_json,
    datum_sort_key,
    datum_to_json,
    datum_to_string,
    diff_from_json,
    diff_to_json,
    json_converter,
    new_uuid,
)
from pyovn.ovsdb.errors import OvsdbError
from pyovn.ovsdb.types import ColumnType

U1 = "2d8c9d0b-6a0e-4ac1-9f61-1b2c3d4e5f60"
U2 = "9d8c9d0b-6a0e-4ac1-9f61-1b2c3d4e5f60"
SET_I = {"key": "integer", "min": 0, "max": "unlimited"}
MAP_SI = {"key": "string", "value": "integer", "min": 0, "max": "unlimited"}
SET_U = {"key": "uuid", "min": 0, "max": "unlimited"}

# (type, wire json in, canonical value, wire json out)
GOOD = [
    ("integer", 5, 5, 5),
    ("real", 2, 2.0, 2.0),
    ("boolean", True, True, True),
    ("string", "x", "x", "x"),
    ("uuid", ["uuid", U1.upper()], U1, ["uuid", U1]),
    (SET_I, ["set", [3, 1, 2]], frozenset({1, 2, 3}), ["set", [1, 2, 3]]),
    (SET_I, 7, frozenset({7}), 7),
    (SET_I, ["set", [7]], frozenset({7}), 7),
    (SET_I, ["set", []], frozenset(), ["set", []]),
    (SET_U, ["set", [["uuid", U2], ["uuid", U1]]], frozenset({U1, U2}),
     ["set", [["uuid", U1], ["uuid", U2]]]),
    (MAP_SI, ["map", [["b", 2], ["a", 1]]], {"a": 1, "b": 2}, ["map", [["a", 1], ["b", 2]]]),
    (MAP_SI, ["map", [["a", 1]]], {"a": 1}, ["map", [["a", 1]]]),
    ("integer", ["set", [4]], 4, 4),
]


@pytest.mark.parametrize("t,json_in,value,json_out", GOOD)
def test_round_trip(t, json_in, value, json_out):
    ctype = ColumnType.from_json(t)
    got = datum_from_json(ctype, json_in)
    assert got == value and type(got) is type(value)
    assert datum_to_json(ctype, got) == json_out
    conv = json_converter(ctype)  # the per-column fast path monitors use: the same wire form
    assert (got if conv is None else conv(got)) == json_out


BAD = [
    ("integer", 1.5, "syntax error", "expected integer"),
    ("integer", True, "syntax error", "expected integer"),
    ("integer", 2 ** 63, "syntax error", "expected integer"),
    ("string", 1, "syntax error", "expected string"),
    ("boolean", 0, "syntax error", "expected boolean"),
    ("real", "1", "syntax error", "expected real"),
    ("uuid", ["uuid", "xyz"], "syntax error", '"xyz" is not a valid UUID'),
    ("uuid", ["uuid"], "syntax error", 'expected ["uuid", <string>]'),
    ("uuid", ["named-uuid", "a"], "syntax error", 'expected ["uuid", <string>]'),
    ("integer", ["set", []], "syntax error", "set must have exactly one member but 0 are present"),
    ({"key": "integer", "min": 1, "max": 3}, ["set", []], "syntax error",
     "set must have 1 to 3 members but 0 are present"),
    (SET_I, ["set", [1, 1]], "ovsdb error", "set contains duplicate"),
    (MAP_SI, ["map", [["a", 1], ["a", 2]]], "ovsdb error", "map contains duplicate key"),
    (MAP_SI, ["set", []], "syntax error", 'expected ["map", <array>]'),
    (MAP_SI, ["map", [1]], "syntax error", "expected 2-element array"),
    ({"key": {"type": "integer", "minInteger": 1}}, 0, "constraint violation",
     "0 is less than minimum allowed value 1"),
]


@pytest.mark.parametrize("t,json_in,error,details", BAD)
def test_bad_values(t, json_in, error, details):
    with pytest.raises(OvsdbError) as e:
        datum_from_json(ColumnType.from_json(t), json_in)
    assert (e.value.error, e.value.details) == (error, details)


def test_named_uuids():
    symtab = NamedUuidTable()
    ctype = ColumnType.from_json(SET_U)
    a = datum_from_json(ctype, ["set", [["named-uuid", "x"], ["named-uuid", "y"]]], symtab)
    assert a == {symtab.uuids["x"], symtab.uuids["y"]}
    assert datum_from_json(ctype, ["named-uuid", "x"], symtab) == {symtab.uuids["x"]}
    with pytest.raises(OvsdbError) as e:
        datum_from_json(ctype, ["named-uuid", "0"], symtab)
    assert e.value.details == "named-uuid string is not a valid <id>"


def test_new_uuid_is_canonical_v4():
    import uuid
    for _ in range(100):
        u = new_uuid()
        assert str(uuid.UUID(u)) == u and uuid.UUID(u).version == 4


@pytest.mark.parametrize("t,value,text", [
    (SET_I, frozenset({2, 1}), "[1, 2]"),
    ({"key": "string", "min": 0, "max": 1}, frozenset({"a b"}), '"a b"'),
    (MAP_SI, {"k": 1}, "{k=1}"),
    ("string", "", '""'),
    ("string", "true", '"true"'),
    ("string", "abc1", "abc1"),
    ("real", 2.5, "2.5"),
])
def test_to_string(t, value, text):
    assert datum_to_string(ColumnType.from_json(t), value) == text


def test_ordering():
    ctype = ColumnType.from_json(SET_I)
    values = [frozenset({5}), frozenset(), frozenset({1, 9}), frozenset({1, 2})]
    values.sort(key=lambda v: datum_sort_key(ctype, v))
    assert values == [frozenset(), frozenset({5}), frozenset({1, 2}), frozenset({1, 9})]


DIFFS = [
    (SET_I, frozenset({1, 2, 3}), frozenset({2, 3, 4})),
    (SET_I, frozenset(), frozenset({1})),
    (MAP_SI, {"a": 1, "b": 2, "c": 3}, {"a": 1, "b": 5, "d": 4}),
    (MAP_SI, {"a": 1}, {}),
    ("integer", 1, 2),
]


@pytest.mark.parametrize("t,old,new", DIFFS)
def test_diffs(t, old, new):
    ctype = ColumnType.from_json(t)
    diff = datum_diff(ctype, old, new)
    assert apply_diff(ctype, old, diff) == new
    # Through the wire form too.
    assert apply_diff(ctype, old, diff_from_json(ctype, diff_to_json(ctype, diff))) == new
