"""Schemas: the shipped schemas parse and print back as ovsdb-server prints them; bad schemas
fail with ovsdb-tool's texts; OVS's isRoot and persistence rules."""

import json
from pathlib import Path

import pytest

import pyovn.schemas
from pyovn.ovsdb.errors import SyntaxError_
from pyovn.ovsdb.schema import DatabaseSchema

SCHEMAS = sorted(Path(pyovn.schemas.__file__).parent.glob("*.ovsschema"))


@pytest.mark.parametrize("path", SCHEMAS, ids=[p.name for p in SCHEMAS])
def test_shipped_schemas(path):
    raw = json.loads(path.read_text())
    schema = DatabaseSchema.from_json(raw)
    assert set(schema.tables) == set(raw["tables"])
    again = DatabaseSchema.from_json(schema.to_json())
    assert again.to_json() == schema.to_json()
    for t in schema.tables.values():
        assert "_uuid" in t.columns and "_version" in t.columns
        assert not t.columns["_uuid"].mutable


def _schema(tables, **extra):
    return {"name": "d", "tables": tables, **extra}


BAD = [
    (_schema({"t": {"columns": {}}}), "table must have at least one column"),
    (_schema({"_t": {"columns": {"a": {"type": "integer"}}}}),
     'names beginning with "_" are reserved'),
    (_schema({"t": {"columns": {"_a": {"type": "integer"}}}}),
     'names beginning with "_" are reserved'),
    (_schema({"t": {"columns": {"a-b": {"type": "integer"}}}}), "name must be a valid id"),
    (_schema({"t": {"columns": {"a": {"type": "integer"}}, "maxRows": 0}}),
     "maxRows must be at least 1"),
    (_schema({"t": {"columns": {"a": {"type": {"key": {"type": "uuid", "refTable": "x"}}}}}}),
     "column a key refers to undefined table x"),
    (_schema({"t": {"columns": {"a": {"type": "integer", "ephemeral": True}},
                    "indexes": [["a"]]}}),
     "ephemeral columns (such as a) may not be indexed"),
    (_schema({"t": {"columns": {"a": {"type": "integer"}}, "indexes": [[]]}}),
     "index must have at least one column"),
    (_schema({"t": {"columns": {"a": {"type": "integer"}}}}, version="1.2"),
     'schema version "1.2" not in format x.y.z'),
    ({"tables": {}}, "Parsing database schema failed: Required 'name' member is missing."),
    (_schema({"t": {"columns": {"a": {"type": "integer"}}, "x": 1}}),
     "Parsing table schema for table t failed: Member 'x' is present but not allowed here."),
]


@pytest.mark.parametrize("json_,details", BAD)
def test_bad_schemas(json_, details):
    with pytest.raises(SyntaxError_) as e:
        DatabaseSchema.from_json(json_)
    assert e.value.details == details


def test_root_rules():
    # No isRoot anywhere: every table is a root and none prints isRoot.
    s = DatabaseSchema.from_json(_schema({"a": {"columns": {"x": {"type": "integer"}}},
                                          "b": {"columns": {"y": {"type": "integer"}}}}))
    assert all(t.is_root for t in s.tables.values())
    assert all("isRoot" not in t for t in s.to_json()["tables"].values())
    s = DatabaseSchema.from_json(_schema({
        "a": {"columns": {"r": {"type": {"key": {"type": "uuid", "refTable": "b"}},
                                "ephemeral": True}}, "isRoot": True},
        "b": {"columns": {"y": {"type": "integer"}}}}))
    assert not s.tables["b"].is_root
    # A strong reference to a non-root table is made persistent.
    assert s.tables["a"].columns["r"].persistent
    assert s.to_json()["tables"]["a"]["isRoot"] is True
