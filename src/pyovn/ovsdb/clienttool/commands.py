"""The commands of ``pyovn ovsdb-client`` (Open vSwitch's ovsdb-client(1)) and their output;
``pyovn.cli.ovsdb_client`` parses the command line (options, SERVER, daemon options) and runs
them.

``Client`` is one invocation: the session (the one client's
:class:`~pyovn.ovsdb.client.oneshot.BlockingSession`), the table printer
(:mod:`pyovn.ovsdb.tableprint`) and one method per command (``COMMANDS``: name -> (method, needs
a database, min args, max args, usage)); ``default_database`` picks the database a command runs
on as the real tool does.  Orders follow the real tool (:mod:`.order`), monitors are
:mod:`.monitor`'s.  A fatal error is a ``ClientError`` (``ovsdb-client: <message>``, exit
status 1).
"""

from __future__ import annotations

import io
import os
import sys
import time
from collections.abc import Callable
from typing import Any, NoReturn

import orjson

from pyovn.ovsdb import storage
from pyovn.ovsdb.client.oneshot import BlockingSession, OneShotError
from pyovn.ovsdb.clienttool import monitor as mon
from pyovn.ovsdb.clienttool.order import schema_column_order, schema_table_order, sort_dump_rows
from pyovn.ovsdb.data import datum_from_json_unchecked
from pyovn.ovsdb.errors import json_text
from pyovn.ovsdb.schema import DatabaseSchema
from pyovn.ovsdb.tableprint import Table, TablePrinter, TableStyle, json_pretty
from pyovn.ovsdb.types import ColumnType

__all__ = ["COMMANDS", "DAEMON_COMMANDS", "PROGRAM", "Client", "ClientError",
           "default_database", "fatal", "usage"]

PROGRAM = "ovsdb-client"
_UUID_TYPE = ColumnType.scalar("uuid")


class ClientError(Exception):
    """Fatal: printed as ``ovsdb-client: <message>``, exit status 1."""


def fatal(msg: str) -> NoReturn:
    raise ClientError(msg)


class Client:
    """One invocation: options, the session, and the commands."""

    def __init__(self, style: TableStyle, *, timestamp: bool, force: bool,
                 ready: Callable[[], None] | None = None) -> None:
        self.style = style
        self.printer = TablePrinter(style)
        self.timestamp = timestamp
        self.force = force
        # Called once a monitor or lock is in place (the command line's daemon options:
        # the pidfile is written and a --detach'ed parent exits then).
        self.ready = ready or _nothing
        self.session: BlockingSession | None = None
        self.server = ""

    # -- plumbing ------------------------------------------------------------------------------
    def connect(self, server: str) -> BlockingSession:
        self.server = server
        self.session = BlockingSession.open(server)
        return self.session

    def call(self, method: str, params: Any) -> Any:
        assert self.session is not None
        reply = self.session.call(method, params)
        if reply.get("error") is not None:
            fatal(f"{method} returned error: {json_text(reply['error'])}")
        return reply.get("result")

    def dbs(self) -> list[str]:
        return [str(d) for d in self.call("list_dbs", [])]

    def schema_json(self, db: str) -> dict[str, Any]:
        assert self.session is not None
        reply = self.session.call("get_schema", [db])
        if reply.get("error") is not None:
            fatal(f'database "{db}" not found')
        return reply["result"]

    def schema(self, db: str) -> tuple[DatabaseSchema, dict[str, Any]]:
        raw = self.schema_json(db)
        return DatabaseSchema.from_json(raw), raw

    def out(self, text: str) -> None:
        sys.stdout.write(text)
        sys.stdout.flush()

    def print_table(self, table: Table) -> None:
        self.out(self.printer.render(table))

    def json_out(self, value: Any) -> None:
        self.out((json_pretty(value) if self.style.pretty else json_text(value)) + "\n")

    def stamp(self) -> str | None:
        if not self.timestamp:
            return None
        now = time.time()
        return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(now)) + f".{int(now * 1000) % 1000:03d}"

    # -- server-level and schema commands ----------------------------------------------------
    def cmd_list_dbs(self, db: str, args: list[str]) -> None:
        self.out("".join(f"{d}\n" for d in sorted(self.dbs())))

    def cmd_get_schema(self, db: str, args: list[str]) -> None:
        schema, _ = self.schema(db)
        self.json_out(schema.to_json())

    def cmd_get_schema_version(self, db: str, args: list[str]) -> None:
        self.out(f"{self.schema(db)[0].version}\n")

    def cmd_get_schema_cksum(self, db: str, args: list[str]) -> None:
        self.out(f"{self.schema(db)[0].cksum or ''}\n")

    def cmd_list_tables(self, db: str, args: list[str]) -> None:
        _, raw = self.schema(db)
        t = Table(["Table"])
        for name in schema_table_order(raw.get("tables", {})):
            t.add_row([name])
        self.print_table(t)

    def cmd_list_columns(self, db: str, args: list[str]) -> None:
        schema, raw = self.schema(db)
        only = args[0] if args else None
        t = Table(["Column", "Type"] if only else ["Table", "Column", "Type"])
        for tname in schema_table_order(raw.get("tables", {})):
            if only is not None and tname != only:
                continue
            ts = schema.tables[tname]
            for cname in schema_column_order(raw["tables"][tname].get("columns", {})):
                ctype = json_text(ts.columns[cname].type.to_json())
                t.add_row([cname, ctype] if only else [tname, cname, ctype])
        self.print_table(t)

    def cmd_needs_conversion(self, db: str, args: list[str]) -> None:
        try:
            with open(args[0], "rb") as f:
                mine = DatabaseSchema.from_json(orjson.loads(f.read()))
        except OSError as e:
            fatal(f"{args[0]}: open failed ({os.strerror(e.errno or 5)})")
        theirs, _ = self.schema(mine.name)
        self.out("no\n" if theirs.to_json() == mine.to_json() else "yes\n")

    # -- data commands --------------------------------------------------------------------------
    def _parse_txn(self, text: str) -> list[Any]:
        try:
            txn = orjson.loads(text)
        except orjson.JSONDecodeError as e:
            fatal(f'"{text}": {e}')
        if not isinstance(txn, list) or not txn or not isinstance(txn[0], str):
            fatal("not a valid OVSDB query")
        return txn

    def _transact(self, txn: list[Any], query: bool) -> None:
        n = len(txn) - 1
        if query:
            txn = [*txn, {"op": "abort"}]
        assert self.session is not None
        reply = self.session.call("transact", txn)
        if reply.get("error") is not None:
            fatal(f"transaction returned error: {json_text(reply['error'])}")
        result = reply.get("result")
        if query and isinstance(result, list) and len(result) > n:
            result = result[:n]
        self.json_out(result)

    def cmd_transact(self, db: str, args: list[str]) -> None:
        self._transact(self._parse_txn(args[0]), False)

    def cmd_query(self, db: str, args: list[str]) -> None:
        self._transact(self._parse_txn(args[0]), True)

    def _select_all(self, db: str, tables: list[tuple[str, list[str]]]) -> list[Any]:
        ops = [{"op": "select", "table": t, "where": [], "columns": cols} for t, cols in tables]
        assert self.session is not None
        reply = self.session.call("transact", [db, *ops])
        if reply.get("error") is not None:
            fatal(f"transaction returned error: {json_text(reply['error'])}")
        result = reply.get("result") or []
        for (t, _), r in zip(tables, result):
            if not isinstance(r, dict) or not isinstance(r.get("rows"), list):
                fatal(f'{t} table reply is not an object with a "rows" member array: '
                       f'{orjson.dumps(r).decode()}')
        return result

    def cmd_dump(self, db: str, args: list[str]) -> None:
        schema, _ = self.schema(db)
        if args:
            ts = schema.tables.get(args[0])
            if ts is None:
                fatal(f'No table "{args[0]}" found.')
            for c in args[1:]:
                if c not in ts.columns:
                    fatal(f'Table "{ts.name}" has no column {c}.')
            names = [args[0]]
        else:
            names = sorted(schema.tables)
        wanted = []
        for tname in names:
            ts = schema.tables[tname]
            cols = args[1:] if len(args) > 1 else [c for c in ts.columns if c != "_version"]
            wanted.append((tname, sorted(cols)))
        results = self._select_all(db, wanted)
        for (tname, cols), res in zip(wanted, results):
            ts = schema.tables[tname]
            types = {c: ts.columns[c].type for c in cols}
            rows = []
            for raw in res["rows"]:
                row = {c: datum_from_json_unchecked(types[c], raw.get(c)) if c in raw
                       else types[c].default() for c in cols}
                if "_uuid" in raw:
                    row["_uuid"] = raw["_uuid"][1]
                rows.append(row)
            t = Table(list(cols), caption=f"{tname} table")
            printed = [c for c in cols if c != "_uuid"] + (["_uuid"] if "_uuid" in cols else [])
            for row in sort_dump_rows(rows, printed, types):
                t.add_row([(types[c], row[c]) for c in cols])
            self.print_table(t)

    def cmd_backup(self, db: str, args: list[str]) -> None:
        schema, raw = self.schema(db)
        wanted = [(t, [c for c, cs in ts.columns.items()
                       if c != "_version" and cs.persistent])
                  for t, ts in schema.tables.items()]
        results = self._select_all(db, wanted)
        record: dict[str, Any] = {}
        for (tname, _), res in zip(wanted, results):
            rows = {}
            for r in res["rows"]:
                uuid = r.pop("_uuid")[1]
                rows[uuid] = r
            if rows:
                record[tname] = rows
        record["_date"] = int(time.time() * 1000)
        record["_comment"] = 'produced by "ovsdb-client backup"'
        record["_is_diff"] = True
        out = sys.stdout.buffer
        out.write(storage.encode_record(raw))
        out.write(storage.encode_record(record))
        out.flush()

    def cmd_restore(self, db: str, args: list[str]) -> None:
        try:
            data = io.BytesIO(sys.stdin.buffer.read())  # a pipe is fine, unlike the real tool
            records = [r.json for r in storage.iter_records(data, "/dev/stdin")]
        except storage.StorageError as e:
            fatal(f"{e.kind}: {e.message}")
        if not records:
            fatal("/dev/stdin: cannot read schema")
        snap_schema = DatabaseSchema.from_json(records[0])
        schema, _ = self.schema(db)
        hint = '(use --force to override differences, or "ovsdb-client convert" to change the schema)'
        if not self.force and snap_schema.version != schema.version:
            fatal(f'backup schema has version "{snap_schema.version}" but database schema has '
                   f'version "{schema.version}" {hint}')
        if not self.force and snap_schema.to_json() != schema.to_json():
            fatal(f"backup schema does not match database schema {hint}")
        rows: dict[str, dict[str, dict[str, Any]]] = {}
        for rec in records[1:]:
            for tname, trows in rec.items():
                if tname.startswith("_") or not isinstance(trows, dict):
                    continue
                cur = rows.setdefault(tname, {})
                for uuid, row in trows.items():
                    if row is None:
                        cur.pop(uuid, None)
                    else:
                        cur.setdefault(uuid, {}).update(row)
        known = {u for trows in rows.values() for u in trows}

        def name_of(uuid: str) -> str:
            return "row" + uuid.replace("-", "_")

        def remap(v: Any) -> Any:
            if isinstance(v, list):
                if len(v) == 2 and v[0] == "uuid" and v[1] in known:
                    return ["named-uuid", name_of(v[1])]
                return [remap(item) for item in v]
            return v

        ops: list[Any] = [db]
        ops += [{"op": "delete", "table": t, "where": []} for t in schema.tables]
        for tname, trows in rows.items():
            for uuid, row in trows.items():
                ops.append({"op": "insert", "table": tname, "uuid-name": name_of(uuid),
                            "row": {c: remap(v) for c, v in row.items()}})
        assert self.session is not None
        reply = self.session.call("transact", ops)
        if reply.get("error") is not None:
            fatal(f"transaction returned error: {json_text(reply['error'])}")
        for r in reply.get("result") or []:
            if isinstance(r, dict) and r.get("error") is not None:
                fatal(f"transaction returned error: {json_text(r)}")

    # -- monitors -------------------------------------------------------------------------------
    def _monitor(self, db: str, args: list[str], kind: str) -> None:
        schema, _ = self.schema(db)
        last_id = "00000000-0000-0000-0000-000000000000"
        condition = None
        if kind == "since" and args and _looks_uuid(args[0]):
            last_id = args.pop(0)
        if kind != "v1":
            if not args:
                fatal(f"invalid syntax for 'monitor-cond{'-since' if kind == 'since' else ''}'"
                       " (use --help for help)")
            try:
                condition = orjson.loads(args.pop(0))
            except orjson.JSONDecodeError as e:
                fatal(f"condition: {e}")
        if not args:
            fatal("invalid syntax (use --help for help)")
        try:
            if kind == "v1" and args == ["ALL"]:
                specs = [mon.build_specs(schema, t, []) for t in sorted(schema.tables)]
                captions = True
            else:
                specs = [mon.build_specs(schema, args[0], args[1:], condition)]
                captions = False
        except mon.MonitorError as e:
            fatal(f"{self.server}: {e}")
        method = {"v1": "monitor", "cond": "monitor_cond", "since": "monitor_cond_since"}[kind]
        params: list[Any] = [db, None, mon.request_for(specs)]
        if kind == "since":
            params.append(last_id)
        assert self.session is not None
        reply = self.session.call(method, params)
        if reply.get("error") is not None:
            fatal(f"{method} returned error: {json_text(reply['error'])}")
        result: Any = reply.get("result")
        version = 1 if kind == "v1" else 2
        if kind == "since":
            found, last, result = result
            self.out(f"found: {'true' if found else 'false'}, last_id: {last}\n")
        self._print_update(specs, result, version, True, captions)
        self.ready()
        while True:
            note = self.session.next_notification()
            params = note.get("params") or []
            m = note.get("method")
            if m in ("update", "update2") and len(params) == 2:
                self._print_update(specs, params[1], version, False, captions)
            elif m == "update3" and len(params) == 3:
                self.out(f"last_id: {params[1]}\n")
                self._print_update(specs, params[2], version, False, captions)

    def _print_update(self, specs: list[mon.MonitorSpec], updates: Any, version: int,
                      initial: bool, captions: bool) -> None:
        tables = mon.update_tables(specs, updates, version=version, initial=initial,
                                   captions=captions)
        stamp = self.stamp()
        for t in tables:
            t.timestamp = stamp
            self.print_table(t)

    def cmd_monitor(self, db: str, args: list[str]) -> None:
        self._monitor(db, list(args), "v1")

    def cmd_monitor_cond(self, db: str, args: list[str]) -> None:
        self._monitor(db, list(args), "cond")

    def cmd_monitor_cond_since(self, db: str, args: list[str]) -> None:
        self._monitor(db, list(args), "since")

    def _lock(self, method: str, name: str) -> None:
        result = self.call(method, [name])
        self.json_out(result)
        self.ready()
        assert self.session is not None
        while True:
            note = self.session.next_notification()
            self.out(f"{note.get('method')}\n")
            self.json_out(note.get("params"))

    def cmd_lock(self, db: str, args: list[str]) -> None:
        self._lock("lock", args[0])

    def cmd_steal(self, db: str, args: list[str]) -> None:
        self._lock("steal", args[0])

    def cmd_unlock(self, db: str, args: list[str]) -> None:
        self._lock("unlock", args[0])

    def wait(self, server: str, db: str, state: str) -> None:
        """Poll the _Server database until ``db`` is in ``state`` (reconnecting as needed)."""
        while True:
            try:
                if self.session is None:
                    self.connect(server)
                res = self._select_all("_Server", [("Database", ["name", "connected"])])
                rows = [r for r in res[0]["rows"] if r.get("name") == db]
                if state == "removed" and not rows:
                    return
                if state == "added" and rows:
                    return
                if state == "connected" and any(r.get("connected") is True for r in rows):
                    return
            except OneShotError:
                if self.session is not None:
                    self.session.close()
                self.session = None
            time.sleep(0.1)


def _looks_uuid(s: str) -> bool:
    from pyovn.ovsdb.data import is_uuid

    return is_uuid(s)


# name -> (method name, needs a database, min args, max args, args usage)
COMMANDS: dict[str, tuple[str, bool, int, int, str]] = {
    "list-dbs": ("cmd_list_dbs", False, 0, 0, "[SERVER]"),
    "get-schema": ("cmd_get_schema", True, 0, 0, "[SERVER] [DATABASE]"),
    "get-schema-version": ("cmd_get_schema_version", True, 0, 0, "[SERVER] [DATABASE]"),
    "get-schema-cksum": ("cmd_get_schema_cksum", True, 0, 0, "[SERVER] [DATABASE]"),
    "list-tables": ("cmd_list_tables", True, 0, 0, "[SERVER] [DATABASE]"),
    "list-columns": ("cmd_list_columns", True, 0, 1, "[SERVER] [DATABASE] [TABLE]"),
    "transact": ("cmd_transact", False, 1, 1, "[SERVER] TRANSACTION"),
    "query": ("cmd_query", False, 1, 1, "[SERVER] TRANSACTION"),
    "monitor": ("cmd_monitor", True, 1, 1 << 30, "[SERVER] [DATABASE] TABLE [COLUMN,...]..."),
    "monitor-cond": ("cmd_monitor_cond", True, 2, 1 << 30,
                     "[SERVER] [DATABASE] CONDITION TABLE [COLUMN,...]..."),
    "monitor-cond-since": ("cmd_monitor_cond_since", True, 2, 1 << 30,
                           "[SERVER] [DATABASE] [LASTID] CONDITION TABLE [COLUMN,...]..."),
    "needs-conversion": ("cmd_needs_conversion", False, 1, 1, "[SERVER] SCHEMA"),
    "dump": ("cmd_dump", True, 0, 1 << 30, "[SERVER] [DATABASE] [TABLE [COLUMN]...]"),
    "backup": ("cmd_backup", True, 0, 0, "[SERVER] [DATABASE] > SNAPSHOT"),
    "restore": ("cmd_restore", True, 0, 0, "[SERVER] [DATABASE] < SNAPSHOT"),
    "lock": ("cmd_lock", False, 1, 1, "[SERVER] LOCK"),
    "steal": ("cmd_steal", False, 1, 1, "[SERVER] LOCK"),
    "unlock": ("cmd_unlock", False, 1, 1, "[SERVER] LOCK"),
}
DAEMON_COMMANDS = {"monitor", "monitor-cond", "monitor-cond-since", "lock", "steal", "unlock"}


def usage() -> str:
    lines = [f"{PROGRAM}: Open vSwitch database JSON-RPC client (pyovn)",
             f"usage: {PROGRAM} [OPTIONS] COMMAND [ARG...]", "", "Valid commands are:"]
    lines += [f"  {name} {u[4]}" for name, u in COMMANDS.items()]
    lines += ["  wait [SERVER] DATABASE STATE", "",
              "The default SERVER is unix:/var/run/openvswitch/db.sock.",
              "The default DATABASE is Open_vSwitch.", "",
              "Output formatting options:",
              "  -f, --format=FORMAT   table, list, html, csv or json",
              "  -d, --data=FORMAT     string, bare or json",
              "  --no-headings, --pretty, --bare, --timestamp"]
    return "\n".join(lines) + "\n"


def default_database(dbs: list[str], args: list[str]) -> tuple[str, list[str]]:
    """The database a command runs on and its remaining arguments: the first argument when it
    names one of the server's databases ``dbs``, else ``Open_vSwitch`` if served, else the only
    database besides ``_Server``."""
    if args and args[0] in dbs:
        return args[0], args[1:]
    if "Open_vSwitch" in dbs:
        return "Open_vSwitch", args
    others = [d for d in dbs if d != "_Server"]
    if len(others) != 1:
        fatal("could not find a default database, please specify a database name")
    return others[0], args


def _nothing() -> None:
    pass
