"""Commands, transactions and the verb registry: the core of pyovn.api.

How it works:

* A verb is ONE class (a :class:`Command` subclass) declared with ``@verb(database)``. Its
  ``__init__`` takes the verb's arguments and checks them at once (raising
  :class:`~pyovn.api.errors.InvalidArgument`); its ``run(ctx)`` reads the replica and adds
  operations to the transaction being built; ``result`` holds what the verb returns. When an
  :class:`Api` subclass for that database is created, every registered verb becomes a method
  (``api.ls_add(...)`` builds ``LsAdd(api, ...)``) — nothing is written twice.
* ``cmd.execute()`` commits the command in its own transaction; ``with api.transaction() as txn:
  txn.add(cmd)`` collects commands and commits them together on exit.
* Commit: a fresh client transaction is built by running every command against the current
  replica (through a :class:`RunContext`, which also remembers the rows this transaction creates
  or deletes so later commands see them), then committed. On TRY_AGAIN (a verify failed or the
  connection dropped) the commands are run again against the updated replica and committed
  again, until the timeout. When the connection dropped after the transaction was sent, its
  outcome is unknown: the re-run waits until the IDL has reconnected (to the leader: the Api is
  leader-only by default, as ovsdbapp's IDL is) and caught up with everything the database may
  have committed (``Idl.catch_up``), so ``may_exist`` and lookups see what the lost attempt did.
  Results are resolved afterwards (a new row's real uuid, its Row).
* Transactions never cross threads or asyncio tasks, by construction: open transactions are kept
  in a dict keyed by the caller's identity ``(thread id, current task)``, so a caller can only
  ever find its own; a nested ``with api.transaction()`` by the same caller joins the outer one,
  the same call from another thread or task starts a separate one. The client transaction
  underneath is itself owned by the building thread.
* Lookups are index lookups (declared per Api class in ``indexes``); commands never scan a
  table to find a row by name or to check for a duplicate. Set membership is checked on the
  stored set, O(1). A duplicate check is scoped to the row the verb touches
  (``RunContext.find_in``: the index's matches among that router's routes, that switch's
  ACLs...), so its cost does not grow with the other routers or switches of the database; a
  child's parent (``lsp_del`` without a switch) is found through a reverse index
  (``RunContext.owner``).
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import threading
import time
import uuid as uuidlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

from pyovn.api.errors import CommitFailed, InvalidArgument, NotUnique, RowNotFound
from pyovn.ovsdb.client import NewRow, Row, RowRef, SyncIdl, SyncTransaction, TxnStatus
from pyovn.ovsdb.client.transaction import value_to_json
from pyovn.ovsdb.data import is_uuid
from pyovn.ovsdb.schema import DatabaseSchema

__all__ = [
    "Api",
    "ApiTransaction",
    "Command",
    "RunContext",
    "VERBS",
    "is_uuid",
    "verb",
]

log = logging.getLogger(__name__)

# database name ("*" = every database) -> verb name -> command class
VERBS: dict[str, dict[str, type[Command]]] = {}

AnyRow = Row | NewRow | RowRef


def verb(database: str = "*") -> Callable[[type[Command]], type[Command]]:
    """Register a Command subclass as the verb ``cls.verb`` of ``database`` ("*" = all)."""

    def deco(cls: type[Command]) -> type[Command]:
        name = cls.verb
        if not name:
            raise TypeError(f"{cls.__name__} has no verb name")
        table = VERBS.setdefault(database, {})
        if name in table:
            raise TypeError(f"verb {name!r} declared twice for {database}")
        table[name] = cls
        return cls

    return deco


def _owner() -> tuple[int, Any]:
    try:
        task = asyncio.current_task()
    except RuntimeError:
        task = None
    return (threading.get_ident(), task)


class Command:
    """One verb with its arguments. Subclasses check arguments in ``__init__`` and build in
    ``run``; ``result`` is what the verb returns (a NewRow is resolved to its Row after commit).
    """

    verb: ClassVar[str] = ""

    def __init__(self, api: Api):
        self.api = api
        self.result: Any = None

    def run(self, ctx: RunContext) -> None:
        raise NotImplementedError

    def post_commit(self, ctx: RunContext) -> None:
        self.result = ctx.resolve(self.result)

    def execute(self, check_error: bool = False, log_errors: bool = True, **kwargs: Any) -> Any:
        """Commit this command in its own transaction (or the caller's open one) and return
        its result. With ``check_error`` errors raise; otherwise they are logged and None is
        returned, as in ovsdbapp."""
        with self.api.transaction(check_error=check_error, log_errors=log_errors, **kwargs) as t:
            t.add(self)
        return self.result

    def __repr__(self) -> str:
        args = {k: v for k, v in vars(self).items() if k not in ("api", "result")}
        return f"{type(self).__name__}({args})"


class RunContext:
    """What a command sees while it runs: the replica plus this transaction's own changes.

    Rows created by earlier commands of the same transaction are found by the same lookups
    (registered under every declared index whose columns they set); rows deleted are hidden;
    set elements added or removed are seen by :meth:`has`. Only uuids and NewRow handles are
    kept here, never replica Row snapshots (a live snapshot of a big row makes the replica copy
    it on the next update).
    """

    def __init__(self, api: Api, txn: SyncTransaction):
        self.api = api
        self.txn = txn
        self._pending: dict[tuple[str, tuple[str, ...], tuple[Any, ...]], list[NewRow]] = {}
        self._deleted: set[str] = set()
        self._new_by_uuid: dict[str, NewRow] = {}
        self._added: dict[tuple[str, str], set[Any]] = {}
        # The rows of _added's keys: a NewRow, or (table, uuid) of a replica row — not its Row
        # view, which alive through the commit would make the replica copy the row's sets
        # (a switch's 16,000 ACLs) when the transaction's own update arrives.
        self._added_to: dict[tuple[str, str], NewRow | tuple[str, str]] = {}
        self._removed: dict[tuple[str, str], set[Any]] = {}
        self._values: dict[str, dict[str, Any]] = {}  # NewRow name -> columns given at insert
        # Set insertions waiting to be sent, merged per (row, column): eight acl_add on one
        # switch become ONE mutate of its acls, so the server copies that big set once, not
        # eight times. Flushed before any other write and before the commit, so the order of
        # writes to any one column is kept.
        self._pending_adds: dict[tuple[str, str], tuple[AnyRow, list[Any]]] = {}

    # --- reading ------------------------------------------------------------------------------

    def find(self, table: str, columns: tuple[str, ...], *values: Any) -> list[AnyRow]:
        """Rows whose indexed ``columns`` equal ``values`` (an index declared by the Api)."""
        idx = self.api._index(table, columns)
        rows: list[AnyRow] = [r for r in idx.lookup(*values) if r.uuid not in self._deleted]
        rows.extend(
            r for r in self._pending.get((table, columns, values), ()) if r.name not in self._deleted
        )
        return rows

    def lookup(self, table: str, record: Any, *, required: bool = True) -> AnyRow | None:
        """A row given as a Row/NewRow, a uuid, the value of the table's name column, or an
        earlier command of this transaction (its result, as ovsdbapp allows)."""
        if isinstance(record, Command):
            record = record.result
            if record is None:
                raise RowNotFound(table, None, detail="the command has no result (yet)")
        if isinstance(record, (Row, NewRow, RowRef)):
            key = record.name if isinstance(record, NewRow) and record.pending else record.uuid
            if key in self._deleted:
                if required:
                    raise RowNotFound(table, record.uuid or key, detail="deleted")
                return None
            return record
        if isinstance(record, uuidlib.UUID):
            record = str(record)
        if record == ".":
            # ovs-vsctl/ovn-nbctl's name for the one row of Open_vSwitch, NB_Global, SB_Global.
            rows = self.api.idl.tables[table].all()
            if len(rows) == 1:
                return rows[0]
            if required:
                raise RowNotFound(table, ".", detail=f"{len(rows)} rows, not one")
            return None
        if is_uuid(record):
            if record in self._deleted:
                row = None
            else:
                row = self.api.idl.tables[table].get(record) or self._new_by_uuid.get(record)
            if row is not None or table not in self.api.lookups:
                if row is None and required:
                    raise RowNotFound(table, record, "_uuid")
                return row
        column = self.api.lookups.get(table)
        if column is None:
            if required:
                raise RowNotFound(table, record, "_uuid")
            return None
        rows = self.find(table, (column,), record)
        if len(rows) > 1:
            raise NotUnique(table, record, len(rows))
        if not rows:
            if required:
                raise RowNotFound(table, record, column)
            return None
        return rows[0]

    def has(self, row: AnyRow, column: str, value: Any) -> bool:
        """Is ``value`` (an atom, a uuid, or a row) an element of the set ``row.column``? O(1)."""
        if isinstance(value, (Row, RowRef)):
            value = value.uuid
        elif isinstance(value, NewRow):
            value = value.name if value.pending else value.uuid
        key = (self._key(row), column)
        if value in self._added.get(key, ()):
            return True
        if value in self._removed.get(key, ()):
            return False
        if isinstance(row, Row):
            table = self.api.idl.tables[row.table]
            with table.lock:
                state = table.rows.get(row.uuid)
                return state is not None and value in state.values[column]
        if isinstance(row, NewRow):
            given = self._values.get(row.name, {}).get(column)
            if given is None:
                return False
            if isinstance(given, (str, int, float, bool, Row, RowRef, NewRow)):
                given = (given,)
            return any(_elem(g) == value for g in given)
        return False

    def find_in(self, parent: AnyRow, column: str, table: str, columns: tuple[str, ...],
                *values: Any) -> list[AnyRow]:
        """The rows of ``table`` in the set ``parent.column`` whose indexed ``columns`` equal
        ``values``: a duplicate check scoped to one router, switch or port group. It costs the
        smaller of that parent's set and the index's matches in the whole table
        (``Index.lookup_in``), plus this transaction's own additions to the set — never the
        rows of other parents. Same answer as ``[r for r in find(...) if has(parent, ...)]``."""
        idx = self.api._index(table, columns)
        pkey = (self._key(parent), column)
        removed = self._removed.get(pkey, ())
        deleted = self._deleted
        out: list[AnyRow] = []
        if isinstance(parent, (Row, RowRef)):
            ptable = self.api.idl.tables[parent.table]
            with ptable.lock:
                state = ptable.rows.get(parent.uuid)
                if state is not None:
                    out = [r for r in idx.lookup_in(state.values[column], *values)
                           if r.uuid not in deleted and r.uuid not in removed]
        extra = set(self._added.get(pkey, ()))
        if isinstance(parent, NewRow):
            given = self._values.get(parent.name, {}).get(column)
            if given is not None:
                if isinstance(given, (str, int, float, bool, Row, RowRef, NewRow)):
                    given = (given,)
                extra.update(_elem(g) for g in given)
            extra.difference_update(removed)
        if extra:
            seen = {r.uuid for r in out}
            out.extend(r for r in idx.lookup_in(extra, *values)
                       if r.uuid not in seen and r.uuid not in deleted)
            out.extend(r for r in self._pending.get((table, columns, values), ())
                       if r.name in extra and r.name not in deleted)
        return out

    def children(self, parent: AnyRow, column: str, table: str) -> list[AnyRow]:
        """The replica rows of ``table`` that ``parent.column`` refers to (a router's ports,
        routes, NAT rules...)."""
        rows = self.api.idl.tables[table]
        return [r for r in (rows.get(u) for u in self.value(parent, column, [])) if r is not None]

    def owner(self, table: str, column: str, child: AnyRow) -> AnyRow | None:
        """The row of ``table`` whose set ``column`` holds ``child`` (a port's switch), if any:
        the replica's rows through a reverse index (``MemberIndex``), then the rows this
        transaction added ``child`` to — never a scan of ``table``."""
        elem = _elem(child)
        for r in self.api._member_index(table, column).lookup(elem):
            if self.has(r, column, child):
                return r
        for key, elems in self._added.items():
            if key[1] == column and elem in elems:
                row = self._added_to[key]
                if isinstance(row, tuple):
                    if row[0] == table:
                        return self.api.idl.tables[table].get(row[1]) or RowRef(*row)
                elif row.table == table:
                    return row
        return None

    def value(self, row: AnyRow, column: str, default: Any = None) -> Any:
        """A column of a replica row or of a row inserted by this transaction."""
        if isinstance(row, NewRow):
            return self._values.get(row.name, {}).get(column, default)
        if isinstance(row, RowRef):
            r = self.api.idl.tables[row.table].get(row.uuid)
            return default if r is None else r.get(column, default)
        return row.get(column, default)

    # --- writing ------------------------------------------------------------------------------

    @staticmethod
    def _key(row: AnyRow) -> str:
        return row.name if isinstance(row, NewRow) and row.pending else row.uuid  # type: ignore

    def flush(self) -> None:
        """Send the merged set insertions (before another write, and before the commit)."""
        pending = self._pending_adds
        if pending:
            self._pending_adds = {}
            for (_, column), (row, values) in pending.items():
                self.txn.add(row, column, *values)

    def insert(self, table: str, **columns: Any) -> NewRow:
        # An insert does not touch existing rows: pending insertions need not go first.
        new = self.txn.insert(table, **columns)
        self._values[new.name] = columns
        for cols in self.api._table_indexes.get(table, ()):
            if all(c in columns for c in cols):
                key = tuple(_lookup_value(columns[c]) for c in cols)
                self._pending.setdefault((table, cols, key), []).append(new)
        return new

    def delete(self, row: AnyRow) -> None:
        self.flush()
        self.txn.delete(row)
        self._deleted.add(self._key(row))

    def set(self, row: AnyRow, **columns: Any) -> None:
        self.flush()
        self.txn.set(row, **columns)
        if isinstance(row, NewRow):
            self._values.setdefault(row.name, {}).update(columns)

    def add(self, row: AnyRow, column: str, *values: Any) -> None:
        """Insert elements into a set column (a mutation: never conflicts with other writers)."""
        if not values:
            return
        key = (self._key(row), column)
        slot = self._pending_adds.get(key)
        if slot is None:
            self._pending_adds[key] = (row, list(values))
        else:
            slot[1].extend(values)
        elems = {_elem(v) for v in values}
        self._added.setdefault(key, set()).update(elems)
        self._added_to[key] = row if isinstance(row, NewRow) else (row.table, row.uuid)
        self._removed.get(key, set()).difference_update(elems)

    def discard(self, row: AnyRow, column: str, *values: Any) -> None:
        if not values:
            return
        self.flush()
        self.txn.discard(row, column, *values)
        key = (self._key(row), column)
        elems = {_elem(v) for v in values}
        self._removed.setdefault(key, set()).update(elems)
        self._added.get(key, set()).difference_update(elems)

    def update_map(self, row: AnyRow, column: str, mapping: dict[Any, Any]) -> None:
        self.flush()
        self.txn.update_map(row, column, mapping)

    def discard_keys(self, row: AnyRow, column: str, *keys: Any) -> None:
        if keys:
            self.mutate(row, column, "delete", list(keys))

    def mutate(self, row: AnyRow, column: str, mutator: str, value: Any) -> None:
        """Any other mutation (map inserts, pair deletes, arithmetic)."""
        self.flush()
        self.txn.mutate(row, column, mutator, value)

    # --- after the commit ---------------------------------------------------------------------

    def resolve(self, value: Any) -> Any:
        """NewRow -> its Row in the replica (or the NewRow if the row is not replicated); a Row ->
        its current version."""
        if isinstance(value, NewRow):
            if value.uuid is None:
                return value
            t = self.api.idl.tables.get(value.table)
            row = t.get(value.uuid) if t is not None else None
            return row if row is not None else value
        if isinstance(value, Row):
            # A row this transaction may have changed: its version as of now.
            latest = value.latest()
            return value if latest is None else latest
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        return value


def _elem(v: Any) -> Any:
    if isinstance(v, NewRow):
        return v.name if v.pending else v.uuid
    if isinstance(v, (Row, RowRef)):
        return v.uuid
    return v


def _lookup_value(v: Any) -> Any:
    if isinstance(v, (Row, RowRef, NewRow)):
        return v.uuid
    return v


class ApiTransaction:
    """Commands collected for one commit (``with api.transaction() as txn: txn.add(cmd)``)."""

    def __init__(self, api: Api, check_error: bool, log_errors: bool, timeout: float | None):
        self.api = api
        self.check_error = check_error
        self.log_errors = log_errors
        self.timeout = api.timeout if timeout is None else timeout
        self.commands: list[Command] = []
        self.result: list[Any] = []
        self.txn_result: Any = None
        self._owner = _owner()

    def add(self, command: Command) -> Command:
        if _owner() != self._owner:
            raise InvalidArgument("a transaction belongs to the thread/task that opened it")
        if not isinstance(command, Command):
            raise InvalidArgument(f"not a command: {command!r}")
        if command.api is not self.api:
            raise InvalidArgument(f"{command!r} was built by another Api")
        self.commands.append(command)
        return command

    def extend(self, commands: Iterable[Command]) -> None:
        for c in commands:
            self.add(c)

    def commit(self) -> list[Any]:
        try:
            self.txn_result = self.api._commit(self.commands, self.timeout)
        except Exception as e:
            if self.log_errors:
                log.error("transaction of %d command(s) failed: %s", len(self.commands), e)
            if self.check_error:
                raise
            return []
        self.result = [c.result for c in self.commands]
        return self.result


class Api:
    """Base of the per-database APIs. Subclasses set ``database``, ``lookups`` (table -> the
    column a record name is looked up by) and ``indexes`` (table -> column tuples); every verb
    registered for the database (and every generic one) becomes a method."""

    database: ClassVar[str] = "*"
    lookups: ClassVar[dict[str, str]] = {}
    indexes: ClassVar[dict[str, list[tuple[str, ...]]]] = {}
    verbs: ClassVar[dict[str, type[Command]]] = {}

    def __init_subclass__(cls, **kwargs: Any):
        super().__init_subclass__(**kwargs)
        cls.verbs = {**VERBS.get("*", {}), **VERBS.get(cls.database, {})}
        for name, vcls in cls.verbs.items():
            setattr(cls, name, _verb_method(name, vcls))

    def __init__(self, idl: SyncIdl | str, *, timeout: float = 60.0, start_timeout: float = 30.0,
                 **idl_kwargs: Any):
        self.remote: str | None = idl if isinstance(idl, str) else None
        if isinstance(idl, str):
            # Leader-only by default, as OVS's IDLs (and so ovsdbapp) are: writes go to a
            # cluster's leader, and a lost transaction can be settled there (Idl.catch_up).
            idl_kwargs.setdefault("leader_only", True)
            idl = SyncIdl(idl, self.database, start_timeout=start_timeout, **idl_kwargs)
            self._owns_idl = True
        else:
            self._owns_idl = False
        if idl.idl.database != self.database and self.database != "*":
            raise InvalidArgument(f"{type(self).__name__} needs {self.database}, "
                                  f"not {idl.idl.database}")
        self.idl = idl
        self.timeout = timeout
        self._open: dict[tuple[int, Any], list[ApiTransaction]] = {}
        self._indexes: dict[tuple[str, tuple[str, ...]], Any] = {}
        self._member_indexes: dict[tuple[str, str], Any] = {}
        self._table_indexes: dict[str, list[tuple[str, ...]]] = {}
        specs = {t: [(c,)] for t, c in self.lookups.items()}
        for t, cols in self.indexes.items():
            specs.setdefault(t, []).extend(cols)
        replicated = idl.tables
        for table, col_list in specs.items():
            if table not in replicated:
                continue
            for cols in col_list:
                self._index(table, cols)

    @property
    def schema(self) -> DatabaseSchema:
        s = self.idl.idl.schema
        assert s is not None
        return s

    @property
    def tables(self) -> dict[str, Any]:
        """The replicated tables (``api.tables["Logical_Switch"].rows`` etc.)."""
        return self.idl.tables

    def close(self) -> None:
        if self._owns_idl:
            self.idl.close()

    def __enter__(self) -> Api:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _member_index(self, table: str, column: str) -> Any:
        idx = self._member_indexes.get((table, column))
        if idx is None:
            idx = self.idl.member_index(table, column)
            self._member_indexes[(table, column)] = idx
        return idx

    def _index(self, table: str, columns: tuple[str, ...]) -> Any:
        idx = self._indexes.get((table, columns))
        if idx is None:
            idx = self.idl.index(table, *columns)
            self._indexes[(table, columns)] = idx
            self._table_indexes.setdefault(table, []).append(columns)
        return idx

    # --- argument checks (used by commands' __init__) -----------------------------------------

    def check_columns(self, table: str, columns: dict[str, Any]) -> dict[str, Any]:
        """Raise InvalidArgument unless every column exists and each value fits its type."""
        ts = self.schema.tables.get(table)
        if ts is None:
            raise InvalidArgument(f"{self.database} has no table {table!r}")
        for c, v in columns.items():
            col = ts.columns.get(c)
            if col is None or c.startswith("_"):
                raise InvalidArgument(f"table {table} has no column {c!r}")
            try:
                value_to_json(col.type, v)
            except (TypeError, ValueError, AttributeError) as e:
                raise InvalidArgument(f"{table}.{c}: bad value {v!r}: {e}") from e
        return columns

    def check_table(self, table: str) -> str:
        if table not in self.schema.tables:
            raise InvalidArgument(f"{self.database} has no table {table!r}")
        return table

    # --- transactions -------------------------------------------------------------------------

    @contextmanager
    def transaction(self, check_error: bool = False, log_errors: bool = True, nested: bool = True,
                    timeout: float | None = None) -> Iterator[ApiTransaction]:
        """Collect commands; commit on a normal exit. A nested call from the same thread/task
        joins the open transaction (unless ``nested=False``)."""
        owner = _owner()
        stack = self._open.get(owner)
        if nested and stack:
            yield stack[-1]
            return
        txn = ApiTransaction(self, check_error, log_errors, timeout)
        self._open.setdefault(owner, []).append(txn)
        try:
            yield txn
        finally:
            stack = self._open[owner]
            stack.pop()
            if not stack:
                del self._open[owner]
        # Only reached on a normal exit of the with-block.
        txn.commit()

    def create_transaction(self, check_error: bool = False, log_errors: bool = True,
                           timeout: float | None = None) -> ApiTransaction:
        """A transaction to fill with ``add`` and ``commit`` explicitly."""
        return ApiTransaction(self, check_error, log_errors, timeout)

    def _commit(self, commands: list[Command], timeout: float) -> Any:
        deadline = time.monotonic() + timeout
        delay = 0.01
        while True:
            txn = self.idl.transaction()
            ctx = RunContext(self, txn)
            try:
                for cmd in commands:
                    cmd.result = None
                    cmd.run(ctx)
                ctx.flush()
            except BaseException:
                txn.abort()
                raise
            if not txn.operations:
                txn.abort()
                for cmd in commands:
                    cmd.post_commit(ctx)
                return None
            remaining = deadline - time.monotonic()
            result = txn.commit(timeout=max(0.001, remaining))
            if result.status is TxnStatus.TRY_AGAIN and time.monotonic() < deadline:
                if result.outcome_unknown:
                    # Sent, then the connection was lost: it may have been committed (on a
                    # cluster, replicated by the old leader to the new one). Re-run only from a
                    # replica that would show it, or may_exist & co. would add it twice.
                    if not self.idl.catch_up_before_retry(result, deadline):
                        raise CommitFailed(result)
                elif result.op_index is None:
                    # Not connected within the timeout (nothing sent): back off a little.
                    time.sleep(min(delay, max(0.0, deadline - time.monotonic())))
                    delay = min(delay * 2, 0.5)
                # (A verify failed: the replica already has the newer values; retry at once.)
                continue
            if not result.ok:
                raise CommitFailed(result)
            for cmd in commands:
                cmd.post_commit(ctx)
            return result


def _verb_method(name: str, cls: type[Command]) -> Any:
    def method(self: Api, *args: Any, **kwargs: Any) -> Command:
        return cls(self, *args, **kwargs)

    method.__name__ = name
    method.__qualname__ = name
    method.__doc__ = cls.__doc__
    try:
        sig = inspect.signature(cls.__init__)
        params = list(sig.parameters.values())
        # (self, api, ...) -> (self, ...): the method passes its own Api.
        method.__signature__ = sig.replace(parameters=params[:1] + params[2:])  # type: ignore
    except (TypeError, ValueError):
        pass
    return method

