"""Role-based access control, as ovsdb-server enforces it (ovsdb-server(1) "RBAC"), no I/O.

A session opened on a remote that has a role (the ``role`` column of the row a
``db:DB,TABLE,COLUMN`` remote comes from, e.g. OVN's ``Connection``) writes a database that has
an ``RBAC_Role`` table only as that role permits; the client's id is the common name of its
certificate (none without SSL: every write is then refused).  The role's row (``RBAC_Role.name``)
maps table names to ``RBAC_Permission`` rows:

* a table with no permission row is read only;
* ``authorization``: a row may be inserted, changed or deleted only if one of these columns
  equals the client's id: ``NAME`` is a string column, ``COLUMN:KEY`` the value of KEY in a map of
  strings (not a reference followed), and the empty string lets every client through;
* ``insert_delete``: rows may be inserted and deleted at all;
* ``update``: the columns an ``update`` or ``mutate`` may name.

The checks run inside the transaction, on the rows its ``where`` selects as they stand at that
operation (earlier operations included), and the role and permission rows are read the same way.
A refused operation fails the transaction with a ``permission error`` whose text names client,
role and table as the real server's does. Columns of an unexpected type count as absent, as
ovsdb-server's ``ovsdb_util`` readers treat them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from pyovn.ovsdb.errors import OvsdbError
from pyovn.ovsdb.largeset import SET_TYPES
from pyovn.ovsdb.types import BOOLEAN, MAP, STRING, UINT_MAX, UUID

if TYPE_CHECKING:
    from pyovn.ovsdb.database import RowValues
    from pyovn.ovsdb.txn import Txn

__all__ = ["ROLE_TABLE", "denied", "may_delete", "may_insert", "may_modify"]

ROLE_TABLE = "RBAC_Role"

_WHAT = {
    "insert": "prohibit row insertion into",
    "update": "prohibit modification of",
    "mutate": "prohibit mutate operation on",
    "delete": "prohibit row deletion from",
}


def denied(op: str, client: str | None, role: str, table: str) -> OvsdbError:
    """The error of a refused operation (``(null)``: the id of a client without a certificate,
    as the real server's printf writes it)."""
    who = "(null)" if client is None else client
    return OvsdbError(f'RBAC rules for client "{who}" role "{role}" {_WHAT[op]} table "{table}".',
                      error="permission error")


# --- reading rows of the transaction, the way ovsdb_util reads them -------------------------------

def _rows(txn: Txn, table: str) -> Iterator[RowValues]:
    """The rows of ``table`` as the transaction sees them now."""
    table_changes = txn.changes.get(table)
    rows = txn.db.tables[table].rows
    if not table_changes:
        yield from rows.values()
        return
    for uuid, row in rows.items():
        if uuid not in table_changes:
            yield row
    for _, new in table_changes.values():
        if new is not None:
            yield new


def _column_type(txn: Txn, table: str, column: str) -> Any:
    ts = txn.db.schema.tables.get(table)
    col = ts.columns.get(column) if ts is not None else None
    return col.type if col is not None else None


def _atoms(value: Any) -> Iterable[Any]:
    return value if isinstance(value, SET_TYPES) else (value,)


def _string_set(txn: Txn, table: str, row: RowValues, column: str) -> list[str] | None:
    """A set of any number of strings (``authorization``, ``update``), else None."""
    t = _column_type(txn, table, column)
    if t is None or t.key.type != STRING or t.value is not None or t.max != UINT_MAX:
        return None
    return sorted(_atoms(row[column]))


def _scalar(txn: Txn, table: str, row: RowValues, column: str, atomic: str) -> Any:
    """The value of a column of at most one ``atomic``, None when it has none or another type."""
    t = _column_type(txn, table, column)
    if t is None or t.key.type != atomic or t.value is not None or t.max != 1:
        return None
    value = row[column]
    if t.min == 1:
        return value
    for atom in _atoms(value):
        return atom
    return None


def _map_string(txn: Txn, table: str, row: RowValues, column: str, key: str) -> str | None:
    t = _column_type(txn, table, column)
    if (t is None or t.kind != MAP or t.key.type != STRING or t.value is None
            or t.value.type != STRING or t.max != UINT_MAX):
        return None
    value = row[column].get(key)
    return value if isinstance(value, str) else None


# --- the role's permissions -----------------------------------------------------------------------

def _permissions(txn: Txn, role: str, table: str) -> RowValues | None:
    """The ``RBAC_Permission`` row of ``role`` for ``table``, None if there is none."""
    if ROLE_TABLE not in txn.db.tables:
        return None
    role_row = None
    name_type = _column_type(txn, ROLE_TABLE, "name")
    if name_type is None:
        return None
    for row in _rows(txn, ROLE_TABLE):
        if any(isinstance(a, str) and a and a == role for a in _atoms(row["name"])):
            role_row = row
            break
    if role_row is None:
        return None
    t = _column_type(txn, ROLE_TABLE, "permissions")
    if (t is None or t.kind != MAP or t.key.type != STRING or t.value is None
            or t.value.type != UUID or t.value.ref_table is None):
        return None
    perm_uuid = role_row["permissions"].get(table)
    if perm_uuid is None or t.value.ref_table not in txn.db.tables:
        return None
    return txn.get(t.value.ref_table, perm_uuid)


def _authorized(txn: Txn, perm_table: str, perms: RowValues, client: str, table: str,
                row: RowValues) -> bool:
    auth = _string_set(txn, perm_table, perms, "authorization")
    if auth is None:
        return False
    for name in auth:
        if name == "":
            return True  # everyone
        if ":" in name:
            parts = [p for p in name.split(":") if p]  # (strtok: empty fields skipped)
            value = _map_string(txn, table, row, parts[0], parts[1]) if len(parts) > 1 else None
        else:
            value = _scalar(txn, table, row, name, STRING)
        if value is not None and value == client:
            return True
    return False


def _lookup(txn: Txn, role: str, client: str | None, table: str) -> tuple[str, RowValues] | None:
    if client is None:
        return None
    perms = _permissions(txn, role, table)
    if perms is None:
        return None
    t = _column_type(txn, ROLE_TABLE, "permissions")
    return t.value.ref_table, perms


def may_insert(txn: Txn, role: str, client: str | None, table: str, row: RowValues) -> bool:
    found = _lookup(txn, role, client, table)
    if found is None:
        return False
    ptable, perms = found
    assert client is not None
    return (_authorized(txn, ptable, perms, client, table, row)
            and _scalar(txn, ptable, perms, "insert_delete", BOOLEAN) is True)


def may_delete(txn: Txn, role: str, client: str | None, table: str, rows: list[RowValues]) -> bool:
    found = _lookup(txn, role, client, table)
    if found is None:
        return False
    ptable, perms = found
    assert client is not None
    for row in rows:
        if not (_authorized(txn, ptable, perms, client, table, row)
                and _scalar(txn, ptable, perms, "insert_delete", BOOLEAN) is True):
            return False
    return True


def may_modify(txn: Txn, role: str, client: str | None, table: str, columns: Iterable[str],
               rows: list[RowValues]) -> bool:
    """``update`` and ``mutate``: every selected row authorized, every column updatable."""
    found = _lookup(txn, role, client, table)
    if found is None:
        return False
    ptable, perms = found
    assert client is not None
    modifiable = _string_set(txn, ptable, perms, "update")
    if modifiable is None:
        return False
    allowed = set(modifiable)
    for row in rows:
        if not _authorized(txn, ptable, perms, client, table, row):
            return False
        if not allowed.issuperset(columns):
            return False
    return True
