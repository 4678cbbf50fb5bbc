"""``monitor``, ``monitor-cond`` and ``monitor-cond-since``: the request from the command line and
the printable tables from the server's updates.

Command-line column groups (``name,addresses`` ``!initial``) become one monitor request each;
without columns every column but ``_uuid`` is monitored, in name order, then ``_version``.
Updates print as ovsdb-client prints them: one table per database table with the headings
``row``, ``action`` and the columns; ``update`` (RFC 7047) rows are ``initial``/``insert``/
``delete`` with their values, a modification is an ``old`` line (changed columns only) and a
``new`` line without the UUID; ``update2``/``update3`` rows carry the action the server names and
the diff for ``modify``. Rows come in the order of the real tool's hash map.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pyovn.ovsdb.clienttool.order import shash_order
from pyovn.ovsdb.data import datum_from_json_unchecked, diff_type
from pyovn.ovsdb.schema import DatabaseSchema, TableSchema
from pyovn.ovsdb.tableprint import Table

__all__ = ["MonitorSpec", "MonitorError", "build_specs", "request_for", "update_tables"]

_FLAGS = ("initial", "insert", "delete", "modify")


class MonitorError(Exception):
    """A command-line mistake; ``str()`` is the message."""


@dataclass
class MonitorSpec:
    """What is monitored in one table: the printed columns and the monitor requests."""

    table: TableSchema
    columns: list[str] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)


def default_columns(ts: TableSchema) -> list[str]:
    return sorted(c for c in ts.columns if not c.startswith("_")) + ["_version"]


def build_specs(schema: DatabaseSchema, table: str, groups: list[str],
                condition: Any = None) -> MonitorSpec:
    """One table's spec from its command-line column groups (``a,b,!initial``)."""
    ts = schema.tables.get(table)
    if ts is None:
        raise MonitorError(f'{schema.name} does not have a table named "{table}"')
    spec = MonitorSpec(ts)
    seen: set[str] = set()
    for group in groups or [""]:
        select = dict.fromkeys(_FLAGS, True)
        cols: list[str] = []
        for name in filter(None, group.split(",")):
            if name.startswith("!") and name[1:] in _FLAGS:
                select[name[1:]] = False
                continue
            if name not in ts.columns:
                raise MonitorError(f'table "{table}" in {schema.name} does not have a '
                                   f'column named "{name}"')
            if name in seen:
                raise MonitorError(f"{name} column in {table} table in {schema.name} "
                                   "database was mentioned twice")
            seen.add(name)
            cols.append(name)
        req: dict[str, Any] = {}
        if cols:
            req["columns"] = cols
        if not all(select.values()):
            req["select"] = select
        if condition is not None:
            req["where"] = condition
        spec.columns.extend(cols)
        spec.requests.append(req)
    if not spec.columns:
        spec.columns = default_columns(ts)
        for req in spec.requests:
            req["columns"] = list(spec.columns)
    return spec


def request_for(specs: list[MonitorSpec]) -> dict[str, Any]:
    return {s.table.name: s.requests for s in specs}


def _cells(spec: MonitorSpec, row: dict[str, Any] | None, diff: bool = False) -> list[Any]:
    out: list[Any] = []
    for name in spec.columns:
        if row is None or name not in row:
            out.append(None)
            continue
        ctype = spec.table.columns[name].type
        if diff:
            ctype = diff_type(ctype)
        out.append((ctype, datum_from_json_unchecked(ctype, row[name])))
    return out


def update_tables(specs: list[MonitorSpec], updates: Any, *, version: int, initial: bool,
                  captions: bool) -> list[Table]:
    """The tables to print for one update (``version`` 1 = update, 2 = update2/update3)."""
    tables: list[Table] = []
    for spec in specs:
        rows = (updates or {}).get(spec.table.name)
        if not rows:
            continue
        t = Table(["row", "action", *spec.columns],
                  caption=spec.table.name if captions else None)
        for uuid in shash_order(rows):
            change = rows[uuid] or {}
            if version == 1:
                old, new = change.get("old"), change.get("new")
                if old is None:
                    t.add_row([uuid, "initial" if initial else "insert", *_cells(spec, new)])
                elif new is None:
                    t.add_row([uuid, "delete", *_cells(spec, old)])
                else:
                    t.add_row([uuid, "old", *_cells(spec, old)])
                    t.add_row(["", "new", *_cells(spec, new)])
                continue
            for action, row in change.items():
                t.add_row([uuid, action, *_cells(spec, row, diff=action == "modify")])
        tables.append(t)
    return tables
