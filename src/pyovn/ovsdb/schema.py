"""Database schemas: parsing and validating .ovsschema JSON as ovsdb-server/ovsdb-tool do.

``DatabaseSchema.from_json`` builds :class:`TableSchema` and :class:`ColumnSchema` objects,
raising ``SyntaxError_`` with OVS's texts for bad input.  Every table also gets the implicit
columns ``_uuid`` and ``_version`` (uuid, immutable).  ``to_json`` prints the normalised form
ovsdb-server's get_schema returns (defaults left out, ``isRoot`` only when it matters).

OVS rules kept here: if no table is a root table, every table is (no garbage collection);
a strong reference to a non-root table makes its column persistent; ephemeral columns may not be
indexed; refTables must exist.
"""

from __future__ import annotations

import re
from typing import Any

from pyovn.ovsdb.errors import (
    OP_ARRAY,
    OP_BOOLEAN,
    OP_ID,
    OP_INTEGER,
    OP_OBJECT,
    OP_OPTIONAL,
    OP_STRING,
    MemberParser,
    SyntaxError_,
    is_id,
)
from pyovn.ovsdb.types import UINT_MAX, UUID_TYPE, ColumnType

__all__ = ["ColumnSchema", "TableSchema", "DatabaseSchema", "parse_column_set"]

_VERSION_RE = re.compile(r"\d+\.\d+\.\d+\Z")


class ColumnSchema:
    """One column: name, type, mutable, persistent (= not ephemeral)."""

    __slots__ = ("name", "type", "mutable", "persistent", "ephemeral_json")

    def __init__(self, name: str, type: ColumnType, *, mutable: bool = True,
                 persistent: bool = True) -> None:
        self.name = name
        self.type = type
        self.mutable = mutable
        self.persistent = persistent
        # Whether the schema said "ephemeral": true (persistent may be forced on later).
        self.ephemeral_json = not persistent

    @classmethod
    def from_json(cls, json: Any, name: str) -> ColumnSchema:
        p = MemberParser(json, f"schema for column {name}")
        type_json = p.member("type", OP_STRING | OP_OBJECT)
        ephemeral = p.member("ephemeral", OP_BOOLEAN | OP_OPTIONAL)
        mutable = p.member("mutable", OP_BOOLEAN | OP_OPTIONAL)
        p.finish()
        ctype = ColumnType.from_json(type_json)
        return cls(name, ctype, mutable=mutable is not False, persistent=not ephemeral)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.type.to_json()}
        if self.ephemeral_json:
            out["ephemeral"] = True
        if not self.mutable:
            out["mutable"] = False
        return out

    def __repr__(self) -> str:
        return f"ColumnSchema({self.name!r}, {self.type!r})"


class TableSchema:
    """One table: columns (user columns plus ``_uuid``/``_version``), maxRows, isRoot,
    indexes (tuples of column names)."""

    __slots__ = ("name", "columns", "user_columns", "max_rows", "is_root", "indexes",
                 "is_root_json")

    def __init__(self, name: str, columns: dict[str, ColumnSchema], *,
                 max_rows: int = UINT_MAX, is_root: bool = False,
                 indexes: list[tuple[str, ...]] | None = None) -> None:
        self.name = name
        self.user_columns = dict(columns)
        self.columns = dict(columns)
        self.columns["_uuid"] = ColumnSchema("_uuid", UUID_TYPE, mutable=False)
        self.columns["_version"] = ColumnSchema("_version", UUID_TYPE, mutable=False,
                                                persistent=False)
        self.max_rows = max_rows
        self.is_root = is_root
        self.is_root_json = is_root
        self.indexes = list(indexes or [])

    @classmethod
    def from_json(cls, json: Any, name: str) -> TableSchema:
        p = MemberParser(json, f"table schema for table {name}")
        columns_json = p.member("columns", OP_OBJECT)
        max_rows = p.member("maxRows", OP_INTEGER | OP_OPTIONAL)
        is_root = p.member("isRoot", OP_BOOLEAN | OP_OPTIONAL)
        indexes_json = p.member("indexes", OP_ARRAY | OP_OPTIONAL)
        p.finish()
        if max_rows is not None:
            if max_rows <= 0:
                raise SyntaxError_("maxRows must be at least 1", json)
        else:
            max_rows = UINT_MAX
        if not columns_json:
            raise SyntaxError_("table must have at least one column", json)
        columns: dict[str, ColumnSchema] = {}
        for cname, cjson in columns_json.items():
            if cname.startswith("_"):
                raise SyntaxError_('names beginning with "_" are reserved', json)
            if not is_id(cname):
                raise SyntaxError_("name must be a valid id", json)
            columns[cname] = ColumnSchema.from_json(cjson, cname)
        table = cls(name, columns, max_rows=max_rows, is_root=bool(is_root))
        for index_json in indexes_json or ():
            index = parse_column_set(table, index_json)
            if not index:
                raise SyntaxError_("index must have at least one column", json)
            for cname in index:
                if not table.columns[cname].persistent:
                    raise SyntaxError_(f"ephemeral columns (such as {cname}) may not be "
                                       "indexed", json)
            table.indexes.append(index)
        return table

    def to_json(self, default_is_root: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {"columns": {n: c.to_json() for n, c in self.user_columns.items()}}
        if self.is_root and not default_is_root:
            out["isRoot"] = True
        if self.max_rows != UINT_MAX:
            out["maxRows"] = self.max_rows
        if self.indexes:
            out["indexes"] = [list(i) for i in self.indexes]
        return out

    def __repr__(self) -> str:
        return f"TableSchema({self.name!r})"


def parse_column_set(table: TableSchema, json: Any) -> tuple[str, ...]:
    """An array of distinct column names of ``table`` (OVS's ovsdb_column_set_from_json)."""
    if isinstance(json, list):
        seen: list[str] = []
        for name in json:
            if not isinstance(name, str) or name in seen:
                break
            if name not in table.columns:
                raise SyntaxError_(f"{name} is not a valid column name", json)
            seen.append(name)
        else:
            return tuple(seen)
    raise SyntaxError_("array of distinct column names expected", json)


class DatabaseSchema:
    """A whole schema: name, version, cksum and tables."""

    __slots__ = ("name", "version", "cksum", "tables")

    def __init__(self, name: str, tables: dict[str, TableSchema], version: str = "",
                 cksum: str | None = None) -> None:
        self.name = name
        self.version = version
        self.cksum = cksum
        self.tables = tables

    @classmethod
    def from_json(cls, json: Any) -> DatabaseSchema:
        p = MemberParser(json, "database schema")
        name = p.member("name", OP_ID)
        version = p.member("version", OP_STRING | OP_OPTIONAL)
        cksum = p.member("cksum", OP_STRING | OP_OPTIONAL)
        tables_json = p.member("tables", OP_OBJECT)
        p.finish()
        if version is not None:
            if not _VERSION_RE.match(version):
                raise SyntaxError_(f'schema version "{version}" not in format x.y.z', json)
        else:
            version = ""
        tables: dict[str, TableSchema] = {}
        for tname, tjson in tables_json.items():
            if tname.startswith("_"):
                raise SyntaxError_('names beginning with "_" are reserved', json)
            if not is_id(tname):
                raise SyntaxError_("name must be a valid id", json)
            tables[tname] = TableSchema.from_json(tjson, tname)
        if not any(t.is_root for t in tables.values()):
            # Schemas older than "isRoot" had no garbage collection: all tables are roots.
            for t in tables.values():
                t.is_root = True
        for t in tables.values():
            for col in t.user_columns.values():
                for base, where in ((col.type.key, "key"), (col.type.value, "value")):
                    if base is None or base.ref_table is None:
                        continue
                    ref = tables.get(base.ref_table)
                    if ref is None:
                        raise SyntaxError_(f"column {col.name} {where} refers to undefined "
                                           f"table {base.ref_table}")
                    if base.is_strong_ref and not ref.is_root:
                        # Replaying a log without the only reference to a row would
                        # garbage-collect that row: such columns must be persistent.
                        col.persistent = True
        return cls(name, tables, version, cksum)

    def to_json(self) -> dict[str, Any]:
        default_is_root = all(t.is_root for t in self.tables.values())
        out: dict[str, Any] = {
            "name": self.name,
            "tables": {n: t.to_json(default_is_root) for n, t in self.tables.items()},
        }
        if self.version:
            out["version"] = self.version
        if self.cksum is not None:
            out["cksum"] = self.cksum
        return out

    def __repr__(self) -> str:
        return f"DatabaseSchema({self.name!r})"
