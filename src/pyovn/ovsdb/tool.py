"""The commands of ``pyovn ovsdb-tool`` (Open vSwitch's ovsdb-tool(1)); ``pyovn.cli.ovsdb_tool``
parses the command line and runs them.

Commands: create, create-cluster, compact, convert (not yet), needs-conversion, db-name,
db-version, db-cksum, db-cid, db-sid, db-local-address, db-is-standalone, db-is-clustered,
schema-name, schema-version, schema-cksum, compare-versions, query, transact, show-log,
cluster-to-standalone, help.  Clustered files (the Raft format, :mod:`pyovn.ovsdb.raftlog`) are
created for a one-server cluster; join-cluster and check-cluster are not supported.  Output,
error texts (``ovsdb-tool: ...``) and exit codes are the real tool's: 0 success, 1 error
(``ToolError``), 2 "false" for the test commands (``ToolExit``).  ``COMMANDS``: name -> (min args, max args, handler, usage text); a
handler takes the command's arguments and the options (``more``, ``rbac-role``, ...).

The files are read and written through :mod:`pyovn.ovsdb.storage`; query, transact and compact
replay the log into :class:`pyovn.ovsdb.database.Database` and run the engine.

``show-log`` must print tables, rows and columns in the order the real tool does, which is the
iteration order of Open vSwitch's hash map (shash) the JSON parser filled:
:func:`ovs_shash_order` (from :mod:`pyovn.util.ovshash`) reproduces it.
"""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Callable, Iterable
from typing import Any, NoReturn

import orjson

from pyovn.ovsdb import storage
from pyovn.ovsdb.errors import OvsdbError, json_text
from pyovn.util.ovshash import shash_order as ovs_shash_order

__all__ = ["COMMANDS", "OVS_VERSION", "PROGRAM", "ToolError", "ToolExit", "default_db",
           "default_schema", "fatal", "usage"]

PROGRAM = "ovsdb-tool"
OVS_VERSION = "3.1.0"
DEFAULT_DB = "/etc/openvswitch/conf.db"
DEFAULT_SCHEMA = "/usr/share/openvswitch/vswitch.ovsschema"


class ToolError(Exception):
    """A fatal error: printed as ``ovsdb-tool: <message>``, exit status 1."""


class ToolExit(Exception):
    """The tool ends here with exit status ``code`` (help, version, a test command's answer)."""

    def __init__(self, code: int) -> None:
        self.code = code


def default_db() -> str:
    # The real tool's compiled-in defaults, overridable the way OVS's are.
    return os.path.join(os.environ.get("OVS_DBDIR", "/etc/openvswitch"), "conf.db")


def default_schema() -> str:
    return os.path.join(os.environ.get("OVS_PKGDATADIR", "/usr/share/openvswitch"),
                        "vswitch.ovsschema")


# ---------------------------------------------------------------------------------------------
# Helpers shared by the commands
# ---------------------------------------------------------------------------------------------

def fatal(message: str) -> NoReturn:
    raise ToolError(message)


def _storage_fatal(e: storage.StorageError) -> NoReturn:
    if isinstance(e, storage.ClusteredDatabaseError):
        fatal(f"ovsdb error: {e.path}: cannot apply this operation to clustered database file")
    fatal(f"{e.kind}: {e.message}")


def _read_schema_file(path: str) -> Any:
    """Parse a .ovsschema file into a DatabaseSchema, with the real tool's error texts."""
    from pyovn.ovsdb.schema import DatabaseSchema
    try:
        with open(path, "rb") as f:
            text = f.read()
    except OSError as e:
        fatal(f'failed to read schema: "{path}" could not be read as JSON (error opening '
               f'"{path}": {os.strerror(e.errno or 0)})')
    try:
        json = orjson.loads(text)
    except orjson.JSONDecodeError as e:
        fatal(f'failed to read schema: "{path}" could not be read as JSON ({e})')
    try:
        return DatabaseSchema.from_json(json)
    except OvsdbError as e:
        details = f"failed to parse \"{path}\" as ovsdb schema: {e.details}"
        syntax = f'syntax "{e.syntax}": ' if e.syntax is not None else ""
        fatal(f"{syntax}{e.error}: {details}")


def _schema_of(json: Any) -> Any:
    from pyovn.ovsdb.schema import DatabaseSchema
    try:
        return DatabaseSchema.from_json(json)
    except OvsdbError as e:
        fatal(str(e))


def _records(path: str, magic: str = storage.MAGIC) -> Iterable[storage.Record]:
    """The records of standalone db 'path' (or of a clustered one, with 'magic'), strictly
    checked (any damage is fatal, after the records before it were yielded)."""
    try:
        storage.check_magic(path, magic)
        with open(path, "rb") as f:
            yield from storage.iter_records(f, path, magic=magic)
    except storage.StorageError as e:
        _storage_fatal(e)
    except OSError as e:
        fatal(f"I/O error: {path}: open failed ({os.strerror(e.errno or 0)})")


def _db_schema_json(path: str) -> Any:
    for rec in _records(path):
        return rec.json
    fatal(f"ovsdb error: {path}: cannot identify file type")


def _load(path: str) -> tuple[Any, list[storage.Record]]:
    """Replay db 'path' into a Database; returns it and the records."""
    from pyovn.ovsdb.database import Database
    records = list(_records(path))
    if not records:
        fatal(f"ovsdb error: {path}: cannot identify file type")
    db = Database(_schema_of(records[0].json))
    for rec in records[1:]:
        try:
            db.apply_record(rec.json)
        except OvsdbError as e:
            fatal(str(e))
    return db, records


def _puts(s: str) -> None:
    sys.stdout.write(s + "\n")


# ---------------------------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------------------------

def cmd_create(args: list[str], opts: dict) -> None:
    db = args[0] if len(args) >= 1 else default_db()
    schema_file = args[1] if len(args) >= 2 else default_schema()
    schema = _read_schema_file(schema_file)
    try:
        storage.create(db, schema.to_json())
    except storage.StorageError as e:
        _storage_fatal(e)


def _persist_ephemeral(schema_json: dict, source: str) -> None:
    """Make every ephemeral column persistent (clusters have none), warning as ovsdb-tool
    does; the example named is the last one in OVS's hash order."""
    n = 0
    example: tuple[str, str] | None = None
    tables = schema_json.get("tables", {})
    for tname in ovs_shash_order(tables):
        columns = tables[tname].get("columns", {})
        for cname in ovs_shash_order(columns):
            col = columns[cname]
            if isinstance(col, dict) and col.get("ephemeral") is True:
                del col["ephemeral"]
                n += 1
                example = (tname, cname)
    if n and example is not None:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        sys.stderr.write(
            f"{stamp}|00001|ovsdb|WARN|{source}: changed {n} columns in "
            f"'{schema_json.get('name')}' database from ephemeral to persistent, including "
            f"'{example[1]}' column in '{example[0]}' table, because clusters do not support "
            "ephemeral columns\n")


def cmd_create_cluster(args: list[str], opts: dict) -> None:
    from pyovn.ovsdb import raftlog
    db_path, source, local = args
    try:
        with open(source, "rb") as f:
            text = f.read()
        json = orjson.loads(text)
        is_schema = isinstance(json, dict)
    except (OSError, orjson.JSONDecodeError):
        is_schema = False
    if is_schema:
        schema = _schema_of(json)
        data: dict = {}
    else:
        # Not a schema file: a standalone database whose content seeds the cluster.
        sdb, _ = _load(source)
        schema = sdb.schema
        data = sdb.snapshot_record(_now_ms(), f"created from {source}")
    schema_json = schema.to_json()
    _persist_ephemeral(schema_json, source)
    timer = opts.get("election-timer")
    try:
        raftlog.create_cluster(db_path, schema.name, local, [schema_json, data],
                               election_timer=int(timer) if timer else 0)
    except storage.StorageError as e:
        _storage_fatal(e)


def _raft_header(path: str) -> Any:
    from pyovn.ovsdb import raftlog
    try:
        storage.read_magic(path)
        return raftlog.read_header(path)
    except storage.FileFormatError as e:
        if e.message.endswith("not a clustered database"):
            fatal(e.message)
        _storage_fatal(e)
    except storage.StorageError as e:
        _storage_fatal(e)


def cmd_db_cid(args: list[str], opts: dict) -> None:
    h = _raft_header(args[0])
    if not h.cid:
        sys.stdout.flush()
        sys.stderr.write(f"{args[0]}: cluster ID not yet known\n")
        raise ToolExit(2)
    _puts(h.cid)


def cmd_db_sid(args: list[str], opts: dict) -> None:
    _puts(_raft_header(args[0]).sid)


def cmd_db_local_address(args: list[str], opts: dict) -> None:
    _puts(_raft_header(args[0]).local_address)


def cmd_cluster_to_standalone(args: list[str], opts: dict) -> None:
    """Write the snapshot and the log entries of a clustered file as a standalone file."""
    from pyovn.ovsdb import raftlog
    dst, src = args
    try:
        magic = storage.read_magic(src)
        if magic != storage.CLUSTER_MAGIC:
            fatal("Database is not clustered db.\n")
        with open(src, "rb") as f:
            state = raftlog.read_log(list(storage.iter_records(f, src, magic=magic)), src)
        out: list[dict] = []
        for schema_json, txn, _ in state.commits():
            if schema_json is not None:
                _schema_of(schema_json)
                out.append(schema_json)
            if txn is not None:
                if not isinstance(txn, dict):
                    fatal("Invalid raft header data")
                out.append(txn)
        if not out:
            fatal(f"ovsdb error: {src}: database has no schema")
        storage.create(dst, out[0])
        with storage.LogFile.open(dst) as log:
            for _ in log.read():
                pass
            if len(out) > 1:
                log.append_records(out[1:])
            log.commit(durable=True)
    except storage.StorageError as e:
        _storage_fatal(e)


def cmd_compact(args: list[str], opts: dict) -> None:
    src = args[0] if len(args) >= 1 else default_db()
    dst = args[1] if len(args) >= 2 else None
    comment = "compacted by pyovn ovsdb-tool"
    if dst is None:
        try:
            with storage.LogFile.open(src) as log:
                db, _ = _load(src)
                # The log was read strictly by _load; mark it read so replace() may run.
                for _ in log.read():
                    pass
                log.replace([db.schema.to_json(), db.snapshot_record(_now_ms(), comment)])
        except storage.StorageError as e:
            _storage_fatal(e)
        return
    db, _ = _load(src)
    real_dst = os.path.realpath(dst)
    try:
        lock = storage.acquire_lock(real_dst)
    except storage.StorageError as e:
        _storage_fatal(e)
    try:
        data = (storage.encode_record(db.schema.to_json())
                + storage.encode_record(db.snapshot_record(_now_ms(), comment)))
        try:
            fd = os.open(real_dst, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o640)
        except OSError as e:
            fatal(f"I/O error: {dst}: create or open failed ({os.strerror(e.errno or 0)})")
        try:
            storage.write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
    finally:
        os.close(lock)


def _now_ms() -> int:
    return int(time.time() * 1000)


def cmd_needs_conversion(args: list[str], opts: dict) -> None:
    db = args[0] if len(args) >= 1 else default_db()
    schema_file = args[1] if len(args) >= 2 else default_schema()
    s1 = _schema_of(_db_schema_json(db))
    s2 = _read_schema_file(schema_file)
    _puts("no" if s1.to_json() == s2.to_json() else "yes")


def cmd_db_name(args: list[str], opts: dict) -> None:
    path = args[0] if args else default_db()
    try:
        magic = storage.read_magic(path)
    except storage.StorageError as e:
        _storage_fatal(e)
    if magic == storage.CLUSTER_MAGIC:
        # The first record of a clustered file names the database.
        try:
            with open(path, "rb") as f:
                first = next(storage.iter_records(f, path, magic=magic))
        except storage.StorageError as e:
            _storage_fatal(e)
        _puts(str(first.json.get("name", "")))
        return
    _puts(_schema_of(_db_schema_json(path)).name)


def cmd_db_version(args: list[str], opts: dict) -> None:
    _puts(_schema_of(_db_schema_json(args[0] if args else default_db())).version)


def cmd_db_cksum(args: list[str], opts: dict) -> None:
    _puts(_schema_of(_db_schema_json(args[0] if args else default_db())).cksum or "")


def cmd_schema_name(args: list[str], opts: dict) -> None:
    _puts(_read_schema_file(args[0] if args else default_schema()).name)


def cmd_schema_version(args: list[str], opts: dict) -> None:
    _puts(_read_schema_file(args[0] if args else default_schema()).version)


def cmd_schema_cksum(args: list[str], opts: dict) -> None:
    _puts(_read_schema_file(args[0] if args else default_schema()).cksum or "")


def _has_magic(args: list[str], magic: str) -> None:
    try:
        actual = storage.read_magic(args[0])
    except storage.StorageError as e:
        _storage_fatal(e)
    if actual != magic:
        raise ToolExit(2)


def cmd_db_is_clustered(args: list[str], opts: dict) -> None:
    _has_magic(args, storage.CLUSTER_MAGIC)


def cmd_db_is_standalone(args: list[str], opts: dict) -> None:
    _has_magic(args, storage.MAGIC)


_VERSION_RE = re.compile(r"\A(\d+)\.(\d+)\.(\d+)\Z")


def _parse_version(s: str) -> tuple[int, int, int]:
    m = _VERSION_RE.match(s)
    if not m:
        fatal(f"{s}: not an OVSDB version number in format x.y.z")
    return int(m.group(1)), int(m.group(2)), int(m.group(3))


_RELOPS: dict[str, Callable[[int], bool]] = {
    "<": lambda c: c < 0, "<=": lambda c: c <= 0, "==": lambda c: c == 0,
    ">=": lambda c: c >= 0, ">": lambda c: c > 0, "!=": lambda c: c != 0,
}


def cmd_compare_versions(args: list[str], opts: dict) -> None:
    a = _parse_version(args[0])
    b = _parse_version(args[2])
    op = _RELOPS.get(args[1])
    if op is None:
        fatal(f"{args[1]}: not a relational operator")
    cmp = (a > b) - (a < b)
    raise ToolExit(0 if op(cmp) else 2)


def _transact(args: list[str], rw: bool, role: str | None = None) -> None:
    db_path = args[0] if len(args) >= 2 else default_db()
    text = args[-1]
    try:
        request = orjson.loads(text)
    except orjson.JSONDecodeError as e:
        fatal(f'"{text}": {e}')
    if isinstance(request, str):
        fatal(f'"{text}": {request}')
    log = None
    if rw:
        try:
            log = storage.LogFile.open(db_path)
        except storage.StorageError as e:
            _storage_fatal(e)
    try:
        db, records = _load(db_path)
        _puts(json_text(_execute(db, request, log, db_path, records, role)))
    finally:
        if log is not None:
            log.close()


def _execute(db: Any, request: Any, log: storage.LogFile | None, path: str,
             records: list[storage.Record], role: str | None = None) -> Any:
    """Run one transact request like ovsdb-tool: check the database name, execute, write the
    record if writable (query: the real tool reports its failed write as an I/O error).
    ``role`` (--rbac-role): RBAC as for a session of that role with no client id."""
    if not isinstance(request, list):
        return {"details": "array expected", "error": "syntax error",
                "syntax": json_text(request)}
    if not request or request[0] != db.name:
        return {"details": "database name expected as first parameter",
                "error": "syntax error", "syntax": json_text(request)}
    res = db.transact(request[1:], now_ms=_now_ms(), started_ms=_now_ms(), role=role)
    if res.blocked:
        return [{"details": "triggers not supported", "error": "not supported"}]
    results = list(res.results)
    if res.changes:
        rec = db.record_of(res.changes, comment=res.comment, date_ms=_now_ms())
        if rec is not None:
            if log is None:
                # ovsdb-tool opens the file read-only for query; its commit then fails so.
                size = records[-1].end
                results.append({"details": f"{path}: cannot truncate to length {size}",
                                "error": "I/O error", "io-error": "Invalid argument"})
                return results
            for _ in log.read():
                pass
            try:
                log.append(rec)
                log.commit(durable=True)
            except storage.StorageError as e:
                results.append({"details": e.message, "error": "I/O error"})
                return results
        db.commit(res.changes, comment=res.comment)
    return results


def cmd_query(args: list[str], opts: dict) -> None:
    _transact(args, rw=False, role=opts["rbac-role"])


def cmd_transact(args: list[str], opts: dict) -> None:
    _transact(args, rw=True, role=opts["rbac-role"])


# --- show-log --------------------------------------------------------------------------------

def _format_date(t: int) -> str:
    if t < 2**31 - 1:
        t *= 1000   # early OVSDB wrote seconds
    secs, ms = int(t / 1000), abs(int(t - int(t / 1000) * 1000))  # C division truncates
    return time.strftime(" %Y-%m-%d %H:%M:%S", time.gmtime(secs)) + f".{ms:03d}"


def _value_string(column: Any, value: Any) -> str:
    """A column value as ovsdb_datum_to_string prints it, or its JSON text if it does not parse
    as the column's type (e.g. a diff too large for the column)."""
    from pyovn.ovsdb.data import datum_from_json, datum_to_string
    if column is not None:
        try:
            return datum_to_string(column.type, datum_from_json(column.type, value))
        except OvsdbError:
            pass
    return json_text(value)


def _print_changes(rec: dict, names: dict[str, str], schema: Any, verbosity: int,
                   out: list[str]) -> None:
    diff = rec.get("_is_diff") is True
    first = True
    for table in ovs_shash_order(rec):
        rows = rec[table]
        if table.startswith("_") or not isinstance(rows, dict):
            continue
        if first:
            out.append("\n")
            first = False
        ts = schema.tables.get(table) if schema is not None else None
        for uuid in ovs_shash_order(rows):
            row = rows[uuid]
            old_name = names.get(uuid)
            new_name = None
            if isinstance(row, dict) and "name" in row:
                new_name = json_text(row["name"])
            if old_name is None:
                if new_name is not None:
                    out.append(f"  table {table} insert row {new_name} ({uuid[:8]}):\n")
                else:
                    out.append(f"  table {table} insert row {uuid[:8]}:\n")
            else:
                out.append(f"  table {table} row {old_name} ({uuid[:8]})"
                           f"{' diff' if diff else ''}:\n")
            if isinstance(row, dict):
                if verbosity > 1:
                    for col in ovs_shash_order(row):
                        cs = ts.columns.get(col) if ts is not None else None
                        out.append(f"    {col}={_value_string(cs, row[col])}\n")
                if new_name is not None and old_name != new_name:
                    names[uuid] = new_name
                elif old_name is None:
                    names[uuid] = uuid[:8]
            elif row is None:
                out.append("    delete row\n")
                names.pop(uuid, None)


def _print_change_record(j: Any, names: dict[str, str], schema: Any, verbosity: int,
                         out: list[str]) -> None:
    """A transaction record's date, comment and (with -m) changes."""
    if not isinstance(j, dict):
        return
    date = j.get("_date")
    if type(date) is int:
        out.append(_format_date(date))
    comment = j.get("_comment")
    if isinstance(comment, str):
        out.append(f' "{comment}"')
    if verbosity > 0:
        _print_changes(j, names, schema, verbosity, out)


def cmd_show_log(args: list[str], opts: dict) -> None:
    path = args[0] if args else default_db()
    try:
        if storage.read_magic(path) == storage.CLUSTER_MAGIC:
            _show_log_cluster(path, opts["more"])
            return
    except storage.StorageError as e:
        _storage_fatal(e)
    verbosity = opts["more"]
    names: dict[str, str] = {}
    schema = None
    for i, rec in enumerate(_records(path)):
        out = [f"record {i}:"]
        if i == 0:
            schema = _schema_of(rec.json)
            out.append(f' "{schema.name}" schema, version="{schema.version}", '
                       f'cksum="{schema.cksum or ""}"\n')
        else:
            _print_change_record(rec.json, names, schema, verbosity, out)
        out.append("\n")
        # Printed record by record, so a damaged record is reported after the good ones.
        sys.stdout.write("".join(out))


class _ShowLogState:
    __slots__ = ("names", "schema", "verbosity")

    def __init__(self, verbosity: int) -> None:
        self.names: dict[str, str] = {}
        self.schema: Any = None
        self.verbosity = verbosity


def _print_servers(label: str, servers: Any, out: list[str]) -> None:
    if not isinstance(servers, dict):
        return
    items = ", ".join(f"{sid[:4]}({json_text(servers[sid])})" for sid in sorted(servers))
    out.append(f" {label}: {items}\n")


def _print_data(prefix: str, data: Any, state: _ShowLogState, out: list[str]) -> None:
    if data is None:
        return
    if not isinstance(data, list) or len(data) != 2:
        out.append(" ***invalid data***\n")
        return
    if data[0] is not None:
        schema = _schema_of(data[0])
        out.append(f' {prefix}schema: "{schema.name}", version="{schema.version}", '
                   f'cksum="{schema.cksum or ""}"\n')
        state.schema = schema
    _print_change_record(data[1], state.names, state.schema, state.verbosity, out)


def _show_log_cluster(path: str, verbosity: int) -> None:
    """show-log of a clustered file: the header, then each Raft record, as ovsdb-tool
    prints them (including its mismatched quotes after the name)."""
    from pyovn.ovsdb import raftlog
    state = _ShowLogState(verbosity)
    zero = raftlog.ZERO_UUID
    for i, rec in enumerate(_records(path, storage.CLUSTER_MAGIC)):
        out = [f"record {i}:\n"]
        try:
            if i == 0:
                h = raftlog.Header.from_json(rec.json)
                out.append(f' name: "{h.name}\'\n')
                out.append(f' local address: "{h.local_address}"\n')
                out.append(f" server_id: {h.sid[:4]}\n")
                if h.cid:
                    out.append(f" cluster_id: {h.cid[:4]}\n")
                if h.remote_addresses:
                    addrs = " ".join(ovs_shash_order(h.remote_addresses))
                    out.append(f" remote_addresses: {addrs}\n")
                if h.snap_index:
                    out.append(f" prev_index: {h.snap_index}\n")
                    out.append(f" prev_term: {h.snap_term}\n")
                    _print_servers("prev_servers", h.snap_servers, out)
                    if h.snap_eid and h.snap_eid != zero:
                        out.append(f" prev_eid: {h.snap_eid[:4]}\n")
                    _print_data("prev_", h.snap_data, state, out)
            else:
                r = raftlog.RaftRecord.from_json(rec.json)
                if r.comment is not None:
                    out.append(f' comment: "{r.comment}"\n')
                if r.term:
                    out.append(f" term: {r.term}\n")
                if r.kind == raftlog.ENTRY:
                    out.append(f" index: {r.index}\n")
                    _print_servers("servers", r.servers, out)
                    if r.eid and r.eid != zero:
                        out.append(f" eid: {r.eid[:4]}\n")
                    _print_data("", r.data, state, out)
                elif r.kind in (raftlog.VOTE, raftlog.LEADER):
                    out.append(f" {r.kind}: {(r.sid or '')[:4]}\n")
                elif r.kind == raftlog.NOTE:
                    out.append(f' note: "{r.note}"\n')
                elif r.kind == raftlog.COMMIT_INDEX:
                    out.append(f" commit_index: {r.commit_index}\n")
        except raftlog.RaftFormatError as e:
            out.append(f'syntax "{json_text(rec.json)}": syntax error: {e.message}\n')
        out.append("\n")
        sys.stdout.write("".join(out))


def cmd_help(args: list[str], opts: dict) -> None:
    usage()


def cmd_list_commands(args: list[str], opts: dict) -> None:
    _puts("The available commands are:")
    for name, (_, _, _, usage) in COMMANDS.items():
        _puts(f"  {name} {usage}".rstrip())


def _unsupported(name: str) -> Callable[[list[str], dict], None]:
    def run(args: list[str], opts: dict) -> None:
        fatal(f"'{name}' is not supported by pyovn (standalone databases and one-server "
               "clusters only)")
    return run


# name -> (min args, max args, handler, usage text)
COMMANDS: dict[str, tuple[int, int, Callable[[list[str], dict], None], str]] = {
    "create": (0, 2, cmd_create, "[db [schema]]"),
    "create-cluster": (3, 3, cmd_create_cluster, "db contents local"),
    "join-cluster": (4, 2**31, _unsupported("join-cluster"), "db name local remote..."),
    "compact": (0, 2, cmd_compact, "[db [dst]]"),
    "convert": (0, 3, _unsupported("convert"), "[db [schema [dst]]]"),
    "needs-conversion": (0, 2, cmd_needs_conversion, ""),
    "db-name": (0, 1, cmd_db_name, "[db]"),
    "db-version": (0, 1, cmd_db_version, "[db]"),
    "db-cksum": (0, 1, cmd_db_cksum, "[db]"),
    "db-cid": (1, 1, cmd_db_cid, "db"),
    "db-sid": (1, 1, cmd_db_sid, "db"),
    "db-local-address": (1, 1, cmd_db_local_address, "db"),
    "db-is-clustered": (1, 1, cmd_db_is_clustered, "db"),
    "db-is-standalone": (1, 1, cmd_db_is_standalone, "db"),
    "schema-name": (0, 1, cmd_schema_name, "[schema]"),
    "schema-version": (0, 1, cmd_schema_version, "[schema]"),
    "schema-cksum": (0, 1, cmd_schema_cksum, "[schema]"),
    "query": (1, 2, cmd_query, "[db] trns"),
    "transact": (1, 2, cmd_transact, "[db] trns"),
    "show-log": (0, 1, cmd_show_log, "[db]"),
    "compare-versions": (3, 3, cmd_compare_versions, "a op b"),
    "cluster-to-standalone": (2, 2, cmd_cluster_to_standalone, "db clusterdb"),
    "help": (0, 2**31, cmd_help, ""),
    "list-commands": (0, 2**31, cmd_list_commands, ""),
}


def usage() -> NoReturn:
    sys.stdout.write(
        f"{PROGRAM}: Open vSwitch database management utility\n"
        f"usage: {PROGRAM} [OPTIONS] COMMAND [ARG...]\n"
        "  create [DB [SCHEMA]]    create DB with the given SCHEMA\n"
        "  [--election-timer=ms] create-cluster DB CONTENTS LOCAL\n"
        "    create clustered DB with given CONTENTS and LOCAL address\n"
        "  compact [DB [DST]]      compact DB in-place (or to DST)\n"
        "  db-name [DB]            report name of schema used by DB\n"
        "  db-version [DB]         report version of schema used by DB\n"
        "  db-cksum [DB]           report checksum of schema used by DB\n"
        "  db-cid DB               report cluster ID of clustered DB\n"
        "  db-sid DB               report server ID of clustered DB\n"
        "  db-local-address DB     report local address of clustered DB\n"
        "  db-is-clustered DB      test whether DB is clustered\n"
        "  db-is-standalone DB     test whether DB is standalone\n"
        "  schema-name [SCHEMA]    report SCHEMA's name\n"
        "  schema-version [SCHEMA] report SCHEMA's schema version\n"
        "  schema-cksum [SCHEMA]   report SCHEMA's checksum\n"
        "  compare-versions A OP B  compare OVSDB schema version numbers\n"
        "  query [DB] TRNS         execute read-only transaction on DB\n"
        "  transact [DB] TRNS      execute read/write transaction on DB\n"
        "  cluster-to-standalone DB DB    Convert clustered DB to\n"
        "      standalone DB when cluster is down and cannot be\n"
        "        revived\n"
        "  [-m]... show-log [DB]   print DB's log entries\n"
        f"The default DB is {default_db()}.\n"
        f"The default SCHEMA is {default_schema()}.\n"
        "\nOther options:\n"
        "  -m, --more                  increase show-log verbosity\n"
        "  --rbac-role=ROLE            RBAC role for transact and query commands\n"
        "  -h, --help                  display this help message\n"
        "  -V, --version               display version information\n")
    raise ToolExit(0)
