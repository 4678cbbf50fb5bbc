"""Where-clauses: semantics on scalars, optional scalars, sets and maps; conjunction vs
monitor_cond disjunction; OVS's parse errors."""

import pytest

from pyovn.ovsdb.condition import compile_monitor_condition, compile_where
from pyovn.ovsdb.errors import OvsdbError
from pyovn.ovsdb.schema import DatabaseSchema

SCHEMA = DatabaseSchema.from_json({"name": "d", "tables": {"t": {"columns": {
    "i": {"type": "integer"},
    "o": {"type": {"key": "integer", "min": 0, "max": 1}},
    "s": {"type": {"key": "string", "min": 0, "max": "unlimited"}},
    "m": {"type": {"key": "string", "value": "integer", "min": 0, "max": "unlimited"}},
}}}})
T = SCHEMA.tables["t"]
ROW = {"i": 5, "o": frozenset(), "s": frozenset({"a", "b"}), "m": {"x": 1, "y": 2},
       "_uuid": "2d8c9d0b-6a0e-4ac1-9f61-1b2c3d4e5f60", "_version": "x"}

CASES = [
    (["i", "==", 5], True), (["i", "!=", 5], False), (["i", "<", 6], True),
    (["i", "<=", 4], False), (["i", ">", 4], True), (["i", ">=", 6], False),
    (["i", "includes", 5], True), (["i", "excludes", 5], False),
    (["o", "<", 10], False), (["o", ">", 0], False), (["o", "==", ["set", []]], True),
    (["s", "includes", "a"], True), (["s", "includes", ["set", ["a", "c"]]], False),
    (["s", "includes", ["set", []]], True), (["s", "excludes", ["set", ["c", "d"]]], True),
    (["s", "excludes", "b"], False), (["s", "==", ["set", ["b", "a"]]], True),
    (["s", "!=", "a"], True),
    (["m", "includes", ["map", [["x", 1]]]], True), (["m", "includes", ["map", [["x", 2]]]], False),
    (["m", "excludes", ["map", [["x", 2]]]], True), (["m", "excludes", ["map", [["y", 2]]]], False),
    (["m", "==", ["map", [["y", 2], ["x", 1]]]], True),
    (["_uuid", "==", ["uuid", "2d8c9d0b-6a0e-4ac1-9f61-1b2c3d4e5f60"]], True),
    (True, True), (False, False),
]


@pytest.mark.parametrize("clause,expected", CASES)
def test_single_clause(clause, expected):
    assert compile_where(T, [clause]).match(ROW) is expected


def test_conjunction_and_disjunction():
    clauses = [["i", "==", 5], ["i", "==", 6]]
    assert compile_where(T, clauses).match(ROW) is False
    assert compile_monitor_condition(T, clauses).match(ROW) is True
    assert compile_where(T, []).match(ROW) is True
    assert compile_monitor_condition(T, []).match(ROW) is True
    assert compile_monitor_condition(T, [False]).match(ROW) is False
    assert compile_where(T, [["_uuid", "==", ["uuid", ROW["_uuid"]]]]).uuid_eq == ROW["_uuid"]


ERRORS = [
    (["i", "==", 1, 2], "syntax error", "Parse error in condition."),
    (["zz", "==", 1], "unknown column", "No column zz in table t."),
    (["i", "foo", 1], "unknown function", "No function named foo."),
    (["s", "<", "a"], "syntax error",
     'Type mismatch: "<" operator may not be applied to column s of type set of strings.'),
    (["o", "<", ["set", []]], "syntax error",
     "set must have exactly one member but 0 are present"),
    (["i", "==", "x"], "syntax error", "expected integer"),
]


@pytest.mark.parametrize("clause,error,details", ERRORS)
def test_errors(clause, error, details):
    with pytest.raises(OvsdbError) as e:
        compile_where(T, [clause])
    assert (e.value.error, e.value.details) == (error, details)
