"""The errors pyovn.api raises: one small table, each carrying what the user needs to act.

Argument and lookup errors are ``ValueError`` subclasses (a bad argument or a missing row is a bad
value, not a runtime failure); they are raised when a command is built (argument checks) or when
it runs against the replica (lookups, duplicates). A failed commit raises :class:`CommitFailed`
with the server's error object.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "AlreadyExists",
    "ApiError",
    "CommitFailed",
    "DuplicateRow",
    "InvalidArgument",
    "NotUnique",
    "RowNotFound",
]


class ApiError(Exception):
    """Base of every pyovn.api error."""


class InvalidArgument(ApiError, ValueError):
    """A command argument is out of range, of the wrong kind, or names an unknown column."""


class RowNotFound(ApiError, ValueError):
    """No row of ``table`` has ``column`` equal to ``value``."""

    def __init__(self, table: str, value: Any, column: str | None = None, detail: str = ""):
        self.table = table
        self.column = column
        self.value = value
        where = f"{column}={value!r}" if column else f"{value!r}"
        super().__init__(f"{table}: no row with {where}{': ' + detail if detail else ''}")


class AlreadyExists(ApiError, ValueError):
    """The row a command would create exists already (pass ``may_exist=True`` to accept it)."""

    def __init__(self, table: str, key: Any, detail: str = ""):
        self.table = table
        self.key = key
        super().__init__(f"{table} {key!r} already exists{': ' + detail if detail else ''}")


DuplicateRow = AlreadyExists


class NotUnique(InvalidArgument):
    """A name matched several rows; address the row by uuid instead."""

    def __init__(self, table: str, value: Any, count: int):
        self.table = table
        self.value = value
        super().__init__(f"{table}: {count} rows named {value!r}; use a uuid")


class CommitFailed(ApiError):
    """The server refused the transaction (or it could not be committed in time).

    ``status`` is the client's TxnStatus, ``error`` the server's error object
    (``{"error": ..., "details": ...}``), ``result`` the whole TxnResult.
    """

    def __init__(self, result: Any):
        self.result = result
        self.status = result.status
        self.error = result.error
        super().__init__(f"transaction failed: {result.describe()}")
