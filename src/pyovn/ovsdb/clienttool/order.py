"""The orders in which the real ovsdb-client prints things, so its output can be matched byte
for byte.

ovsdb-client parses the server's JSON into Open vSwitch hash maps and prints some of them in
iteration order: ``list-tables`` (the schema's tables: the JSON object's map, then the schema's),
``list-columns`` (a table's columns: ``_uuid`` and ``_version`` first, then the JSON object's
columns; ``list-columns`` goes through the tables in ``list-tables``' order) and the rows of a
``monitor`` update (:mod:`.monitor`). :func:`shash_order`, re-exported from
:mod:`pyovn.util.ovshash` (where OVS's string hash and its hash maps' growth are reproduced, for
every tool that prints in such an order), gives that order. ``dump`` sorts instead: tables and
columns by name (byte order), rows by their column values with ``_uuid`` last
(:func:`sort_dump_rows`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

from pyovn.ovsdb.data import compare_datums
from pyovn.ovsdb.types import ColumnType
from pyovn.util.ovshash import shash_order

__all__ = ["shash_order", "schema_table_order", "schema_column_order", "sort_dump_rows"]


def schema_table_order(wire_tables: Iterable[str]) -> list[str]:
    """Tables as ovsdb-client iterates a schema received with tables in ``wire_tables`` order."""
    return shash_order(shash_order(wire_tables))


def schema_column_order(wire_columns: Iterable[str]) -> list[str]:
    """Columns (with ``_uuid``/``_version``) as ovsdb-client iterates a table's schema."""
    return shash_order(["_uuid", "_version", *shash_order(wire_columns)])


def sort_dump_rows(rows: list[dict[str, Any]], columns: list[str],
                   types: dict[str, ColumnType]) -> list[dict[str, Any]]:
    """``dump``'s row order: by each printed column but ``_uuid`` in turn, then by ``_uuid``."""
    keys = [c for c in columns if c != "_uuid"] + ["_uuid"]

    def cmp(a: dict[str, Any], b: dict[str, Any]) -> int:
        for c in keys:
            if c == "_uuid":
                ua, ub = a.get("_uuid", ""), b.get("_uuid", "")
                r = (ua > ub) - (ua < ub)
            else:
                r = compare_datums(types[c], a[c], b[c])
            if r:
                return r
        return 0

    return sorted(rows, key=functools.cmp_to_key(cmp))
