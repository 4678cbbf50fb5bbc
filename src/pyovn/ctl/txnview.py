"""The rows a ctl invocation sees and changes, and the one transaction that results.

Like OVS's IDL, commands read and write a local view: a snapshot of the database's rows
(canonical values, docs/CONTRACTS.md) plus the changes made so far, so a later command in the same
invocation sees what an earlier one did. Each change is remembered in the form the IDL would send
it, because the server's answers (and error texts) depend on it:

* a full write of a column becomes part of an ``update`` op;
* a partial map write (``set T R col:key=value``, ``add`` to a map) becomes a ``mutate`` that
  deletes the keys that already existed and inserts the new pairs; a partial set change (``add``
  to a set) a ``mutate`` with ``insert``/``delete`` — unless the row is new or the column was
  already fully written, then it simply changes the written value;
* new rows are ``insert`` ops with only the columns written, named ``row<uuid>``; a reference to a
  new row anywhere becomes ``["named-uuid", ...]``;
* deleted rows that existed become ``delete`` ops, in root tables only (the server
  garbage-collects rows of other tables once nothing refers to them, as the IDL relies on).

:meth:`TxnView.ops` returns the operations; :meth:`TxnView.insert_result` maps a new row's local
uuid to the uuid the server gave it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pyovn.ovsdb.data import datum_to_json, new_uuid
from pyovn.ovsdb.schema import DatabaseSchema, TableSchema
from pyovn.ovsdb.types import MAP, SET

__all__ = ["ViewRow", "TxnView"]


class ViewRow:
    """One row of the view: ``values`` maps every column (and ``_uuid``) to its value."""

    __slots__ = ("table", "uuid", "values", "orig", "is_new", "deleted", "_owned")

    def __init__(self, table: TableSchema, uuid: str, values: dict[str, Any], *,
                 is_new: bool = False) -> None:
        self.table = table
        self.uuid = uuid
        self.values = values
        self.orig = values
        self.is_new = is_new
        self.deleted = False
        self._owned = is_new

    def __getitem__(self, column: str) -> Any:
        return self.values[column]

    def get(self, column: str, default: Any = None) -> Any:
        return self.values.get(column, default)

    def _own(self) -> dict[str, Any]:
        if not self._owned:
            self.values = dict(self.values)
            self._owned = True
        return self.values

    def __repr__(self) -> str:
        return f"<ViewRow {self.table.name} {self.uuid}>"


def default_row(table: TableSchema, uuid: str) -> dict[str, Any]:
    row = {name: col.type.default() for name, col in table.user_columns.items()}
    row["_uuid"] = uuid
    return row


class _LoadedTables(dict[str, dict[str, "ViewRow"]]):
    """The tables the invocation loaded (all, unless every command declared the tables it
    uses: :attr:`pyovn.ctl.registry.CommandSyntax.tables`). Another one is a command's bug, said so
    rather than read as an empty table."""

    def __missing__(self, table: str) -> dict[str, ViewRow]:
        raise LookupError(f"table {table} is not loaded: a command that uses it does not "
                          "declare it in its 'tables'")


class TxnView:
    """A snapshot of all rows plus this invocation's changes (see the module docstring)."""

    def __init__(self, schema: DatabaseSchema, rows: dict[str, dict[str, dict[str, Any]]]):
        self.schema = schema
        self.tables: dict[str, dict[str, ViewRow]] = _LoadedTables()
        for name, table_rows in rows.items():
            ts = schema.tables[name]
            self.tables[name] = {u: ViewRow(ts, u, vals) for u, vals in table_rows.items()}
        self._written: dict[ViewRow, set[str]] = {}
        self._partial: dict[ViewRow, dict[str, list[tuple[str, Any, Any]]]] = {}
        self._inserted: list[ViewRow] = []
        self._deleted: list[ViewRow] = []
        self._insert_index: dict[str, int] = {}
        self._insert_uuid: dict[str, str] = {}
        self._increment: tuple[ViewRow, str, bool] | None = None
        self.increment_result: int | None = None
        self._increment_index = -1
        self._new_uuids: set[str] = set()

    # -- reading --------------------------------------------------------------------------------
    def rows(self, table: str) -> list[ViewRow]:
        """The table's live rows, in uuid order (the real tools use hash order)."""
        t = self.tables[table]
        return [t[u] for u in sorted(t) if not t[u].deleted]

    def get(self, table: str, uuid: str) -> ViewRow | None:
        row = self.tables[table].get(uuid)
        return None if row is None or row.deleted else row

    def referenced(self, table: str, uuids: Iterable[str]) -> list[ViewRow]:
        """The live rows of ``table`` among ``uuids`` (a reference column's value), in uuid
        order."""
        t = self.tables[table]
        return [t[u] for u in sorted(uuids) if u in t and not t[u].deleted]

    def first(self, table: str) -> ViewRow | None:
        rows = self.rows(table)
        return rows[0] if rows else None

    # -- writing --------------------------------------------------------------------------------
    def insert(self, table: str, uuid: str | None = None) -> ViewRow:
        ts = self.schema.tables[table]
        u = uuid or new_uuid()
        row = ViewRow(ts, u, default_row(ts, u), is_new=True)
        self.tables[table][u] = row
        self._inserted.append(row)
        self._written[row] = set()
        return row

    def delete(self, row: ViewRow) -> None:
        if row.deleted:
            return
        row.deleted = True
        if not row.is_new:
            self._deleted.append(row)

    def write(self, row: ViewRow, column: str, value: Any) -> None:
        """A full write of ``column``."""
        row._own()[column] = value
        self._written.setdefault(row, set()).add(column)
        partial = self._partial.get(row)
        if partial:
            partial.pop(column, None)

    def _direct(self, row: ViewRow, column: str) -> bool:
        return row.is_new or column in self._written.get(row, ())

    def _mutate(self, row: ViewRow, column: str, value: Any, op: tuple[str, Any, Any]) -> None:
        """A partial write that leaves ``row.column`` = ``value``: a full write when the column
        is written whole anyway (a new row, or written before), else the mutation ``op``."""
        if self._direct(row, column):
            self.write(row, column, value)
            return
        row._own()[column] = value
        self._partial.setdefault(row, {}).setdefault(column, []).append(op)

    def map_set(self, row: ViewRow, column: str, key: Any, value: Any) -> None:
        """A partial write of one key of a map column."""
        cur = dict(row.values[column])
        cur[key] = value
        self._mutate(row, column, cur, ("set", key, value))

    def map_delete(self, row: ViewRow, column: str, key: Any) -> None:
        cur = dict(row.values[column])
        cur.pop(key, None)
        self._mutate(row, column, cur, ("del", key, None))

    def set_insert(self, row: ViewRow, column: str, atom: Any) -> None:
        """A partial insert into a set column (a scalar column gets the mutation as is)."""
        if row.table.columns[column].type.kind == SET:
            self._mutate(row, column, row.values[column] | {atom}, ("ins", atom, None))
        else:
            self._partial.setdefault(row, {}).setdefault(column, []).append(("ins", atom, None))

    def set_delete(self, row: ViewRow, column: str, atom: Any) -> None:
        self._mutate(row, column, row.values[column] - {atom}, ("rm", atom, None))

    def increment(self, row: ViewRow, column: str, *, force: bool = False) -> None:
        """Add 1 to ``row.column`` in the transaction and read back the result (into
        :attr:`increment_result` after :meth:`commit_results`). Without ``force`` this happens
        only if the transaction changes something else; with it, it is the change (the IDL's
        ``ovsdb_idl_txn_increment`` and its ``force`` flag)."""
        self._increment = (row, column, force)

    # -- committing -----------------------------------------------------------------------------
    @property
    def changed(self) -> bool:
        return bool(self._inserted or self._deleted
                    or any(cols for r, cols in self._written.items() if not r.is_new)
                    or any(p for p in self._partial.values()))

    def _json(self, row: ViewRow, column: str, value: Any) -> Any:
        j = datum_to_json(row.table.columns[column].type, value)
        return self._rename(j)

    def _rename(self, j: Any) -> Any:
        if isinstance(j, list):
            if len(j) == 2 and j[0] == "uuid" and isinstance(j[1], str):
                u = j[1]
                if u in self._new_uuids:
                    return ["named-uuid", _uuid_name(u)]
                return j
            return [self._rename(x) for x in j]
        return j

    def ops(self, comment: str | None = None) -> list[dict[str, Any]]:
        ops: list[dict[str, Any]] = []
        self._insert_index.clear()
        self._increment_index = -1
        self._new_uuids = {r.uuid for r in self._inserted if not r.deleted}
        for row in self._inserted:
            if row.deleted:
                continue
            cols = self._written.get(row, set())
            body = {c: self._json(row, c, row.values[c]) for c in sorted(cols)}
            self._insert_index[row.uuid] = len(ops)
            ops.append({"op": "insert", "table": row.table.name, "row": body,
                        "uuid-name": _uuid_name(row.uuid)})
        touched = [r for r in self._written if not r.is_new and not r.deleted]
        touched += [r for r in self._partial if not r.is_new and not r.deleted
                    and r not in self._written]
        for row in touched:
            where = [["_uuid", "==", ["uuid", row.uuid]]]
            cols = sorted(self._written.get(row, ()))
            if cols:
                ops.append({"op": "update", "table": row.table.name, "where": where,
                            "row": {c: self._json(row, c, row.values[c]) for c in cols}})
            muts = self._mutations(row)
            if muts:
                ops.append({"op": "mutate", "table": row.table.name, "where": where,
                            "mutations": muts})
        for row in self._deleted:
            if not row.table.is_root:
                continue  # as the IDL does: the server garbage-collects unreferenced rows
            ops.append({"op": "delete", "table": row.table.name,
                        "where": [["_uuid", "==", ["uuid", row.uuid]]]})
        if self._increment is not None:
            row, column, force = self._increment
            where = self._rename([["_uuid", "==", ["uuid", row.uuid]]])
            if ops or force:
                ops.append({"op": "mutate", "table": row.table.name, "where": where,
                            "mutations": [[column, "+=", 1]]})
                self._increment_index = len(ops)
                ops.append({"op": "select", "table": row.table.name, "where": where,
                            "columns": [column]})
        if ops and comment:
            ops.append({"op": "comment", "comment": comment})
        return ops

    def _mutations(self, row: ViewRow) -> list[Any]:
        out: list[Any] = []
        for column, changes in sorted(self._partial.get(row, {}).items()):
            ctype = row.table.columns[column].type
            kt = ctype.key.type
            if ctype.kind == MAP:
                assert ctype.value is not None
                vt = ctype.value.type
                last: dict[Any, tuple[str, Any]] = {}
                for op, key, value in changes:
                    last[key] = (op, value)
                old = row.orig[column]
                dels = sorted(k for k, (op, _) in last.items() if op == "del" or k in old)
                ins = sorted(k for k, (op, _) in last.items() if op == "set")
                if dels:
                    out.append([column, "delete",
                                ["set", [self._rename(_atom(kt, k)) for k in dels]]])
                if ins:
                    out.append([column, "insert",
                                ["map", [[self._rename(_atom(kt, k)),
                                          self._rename(_atom(vt, last[k][1]))] for k in ins]]])
            else:
                final: dict[Any, str] = {}
                for op, atom, _ in changes:
                    final[atom] = op
                ins_atoms = sorted(a for a, op in final.items() if op == "ins")
                rm_atoms = sorted(a for a, op in final.items() if op == "rm")
                if rm_atoms:
                    out.append([column, "delete",
                                ["set", [self._rename(_atom(kt, a)) for a in rm_atoms]]])
                if ins_atoms:
                    out.append([column, "insert",
                                ["set", [self._rename(_atom(kt, a)) for a in ins_atoms]]])
        return out

    def commit_results(self, results: list[Any]) -> None:
        """Record the server's answers: inserted rows' real uuids, the incremented value."""
        for u, i in self._insert_index.items():
            if i < len(results) and isinstance(results[i], dict) and "uuid" in results[i]:
                self._insert_uuid[u] = results[i]["uuid"][1]
        if self._increment is not None and self._increment_index >= 0:
            i = self._increment_index
            if i < len(results) and isinstance(results[i], dict):
                rows = results[i].get("rows") or []
                if rows:
                    self.increment_result = rows[0].get(self._increment[1])

    def insert_result(self, uuid: str) -> str:
        return self._insert_uuid.get(uuid, uuid)


def _atom(atomic_type: str, atom: Any) -> Any:
    return ["uuid", atom] if atomic_type == "uuid" else atom


def _uuid_name(u: str) -> str:
    return "row" + u.replace("-", "_")
