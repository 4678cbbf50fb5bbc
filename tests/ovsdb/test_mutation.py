"""Mutators: arithmetic with C semantics and range checks, set/map insert and delete, size and
constraint checks after mutating, OVS's parse errors."""

import pytest

from pyovn.ovsdb.errors import OvsdbError
from pyovn.ovsdb.mutation import apply_mutations, parse_mutations
from pyovn.ovsdb.schema import DatabaseSchema

SCHEMA = DatabaseSchema.from_json({"name": "d", "tables": {"t": {"columns": {
    "i": {"type": "integer"},
    "r": {"type": "real"},
    "k": {"type": {"key": {"type": "integer", "maxInteger": 5}}},
    "ro": {"type": "integer", "mutable": False},
    "si": {"type": {"key": "integer", "min": 0, "max": "unlimited"}},
    "s2": {"type": {"key": "integer", "min": 1, "max": 2}},
    "m": {"type": {"key": "string", "value": "integer", "min": 0, "max": "unlimited"}},
}}}})
T = SCHEMA.tables["t"]
ROW = {"i": -7, "r": 1.5, "k": 2, "ro": 0, "si": frozenset({1, 2}), "s2": frozenset({1}),
       "m": {"a": 1, "b": 2}}

GOOD = [
    (["i", "+=", 3], "i", -4), (["i", "-=", 3], "i", -10), (["i", "*=", -2], "i", 14),
    (["i", "/=", 2], "i", -3), (["i", "%=", 2], "i", -1), (["r", "*=", 2], "r", 3.0),
    (["r", "/=", 2], "r", 0.75), (["si", "*=", 10], "si", frozenset({10, 20})),
    (["si", "insert", ["set", [3, 1]]], "si", frozenset({1, 2, 3})),
    (["si", "delete", 1], "si", frozenset({2})),
    (["m", "insert", ["map", [["a", 9], ["c", 3]]]], "m", {"a": 1, "b": 2, "c": 3}),
    (["m", "delete", ["map", [["a", 9], ["b", 2]]]], "m", {"a": 1}),
    (["m", "delete", ["set", ["a"]]], "m", {"b": 2}),
]


@pytest.mark.parametrize("mutation,column,value", GOOD)
def test_mutations(mutation, column, value):
    assert apply_mutations(parse_mutations(T, [mutation]), ROW)[column] == value


ERRORS = [
    (["i", "/=", 0], "domain error", "Division by zero."),
    (["i", "*=", 2 ** 62], "range error", 'Result of "*=" operation is out of range.'),
    (["r", "*=", 1.5e308], "range error", 'Result of "*=" operation is out of range.'),
    (["k", "+=", 4], "constraint violation", "6 is greater than maximum allowed value 5"),
    (["si", "%=", 1], "constraint violation", 'Result of "%=" operation contains duplicates.'),
    (["s2", "delete", 1], "constraint violation",
     "Attempted to store 0 elements in set of 1 to 2 integers."),
    (["s2", "insert", ["set", [2]]], None, None),
]


@pytest.mark.parametrize("mutation,error,details", ERRORS)
def test_execution_errors(mutation, error, details):
    mutations = parse_mutations(T, [mutation])
    if error is None:
        apply_mutations(mutations, ROW)
        return
    with pytest.raises(OvsdbError) as e:
        apply_mutations(mutations, ROW)
    assert (e.value.error, e.value.details) == (error, details)


PARSE_ERRORS = [
    (["ro", "+=", 1], "constraint violation", "Cannot mutate immutable column ro in table t."),
    (["i", "xx", 1], "unknown mutator", "No mutator named xx."),
    (["zz", "+=", 1], "unknown column", "No column zz in table t."),
    (["r", "%=", 1], "syntax error",
     'Type mismatch: "%=" operator may not be applied to column r of type real.'),
    (["i", "insert", 1], "syntax error",
     'Type mismatch: "insert" operator may not be applied to column i of type integer.'),
    (["i", "+="], "syntax error", "Parse error in mutation."),
]


@pytest.mark.parametrize("mutation,error,details", PARSE_ERRORS)
def test_parse_errors(mutation, error, details):
    with pytest.raises(OvsdbError) as e:
        parse_mutations(T, [mutation])
    assert (e.value.error, e.value.details) == (error, details)


def test_hints_follow_set_changes():
    hints: dict = {}
    muts = parse_mutations(T, [["si", "insert", ["set", [3, 4]]], ["si", "delete", ["set", [1, 4]]]])
    new = apply_mutations(muts, ROW, hints)
    assert new["si"] == frozenset({2, 3})
    assert hints["si"] == (frozenset({1}), frozenset({3}))
