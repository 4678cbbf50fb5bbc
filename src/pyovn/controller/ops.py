"""Small builders of raw OVSDB operations (RFC 7047 JSON), for the controller's transactions."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

Op = dict[str, Any]


def uuid(u: str) -> list[str]:
    return ["uuid", u]


def named(name: str) -> list[str]:
    return ["named-uuid", name]


def omap(d: Mapping[Any, Any]) -> list[Any]:
    return ["map", [[k, v] for k, v in sorted(d.items())]]


def oset(items: Iterable[Any]) -> list[Any]:
    return ["set", list(items)]


def where_uuid(u: str) -> list[Any]:
    return [["_uuid", "==", uuid(u)]]


def update(table: str, row_uuid: str, row: Mapping[str, Any]) -> Op:
    return {"op": "update", "table": table, "where": where_uuid(row_uuid), "row": dict(row)}


def insert(table: str, row: Mapping[str, Any], name: str | None = None) -> Op:
    op: Op = {"op": "insert", "table": table, "row": dict(row)}
    if name is not None:
        op["uuid-name"] = name
    return op


def delete(table: str, row_uuid: str) -> Op:
    return {"op": "delete", "table": table, "where": where_uuid(row_uuid)}


def map_set(table: str, row_uuid: str, column: str, items: Mapping[str, str]) -> list[Op]:
    """Set keys of a map column, leaving its other keys alone (delete then insert)."""
    if not items:
        return []
    return [{"op": "mutate", "table": table, "where": where_uuid(row_uuid),
             "mutations": [[column, "delete", oset(sorted(items))],
                           [column, "insert", omap(items)]]}]


def map_del(table: str, row_uuid: str, column: str, keys: Iterable[str]) -> list[Op]:
    keys = sorted(keys)
    if not keys:
        return []
    return [{"op": "mutate", "table": table, "where": where_uuid(row_uuid),
             "mutations": [[column, "delete", oset(keys)]]}]


def opt(value: Any) -> Any:
    """An optional (min 0, max 1) column's value as JSON: the atom, or the empty set."""
    return oset([]) if value is None else value
