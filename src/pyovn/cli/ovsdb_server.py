"""``pyovn ovsdb-server``: the real ovsdb-server's command line on pyovn's server.

    pyovn ovsdb-server [DATABASE...] [--remote=REMOTE]... [--unixctl=SOCKET] [--pidfile[=FILE]]
                       [--detach] [--no-chdir] [--log-file[=FILE]] [-vSPEC] [--run=COMMAND]
                       [--no-fsync] [--read-only]

REMOTE is ``punix:PATH``, ``ptcp:PORT[:IP]``, ``pssl:PORT[:IP]`` or ``db:DB,TABLE,COLUMN``.
Without DATABASE the file is ``$OVS_DBDIR/conf.db`` (default /etc/openvswitch/conf.db), as for
the real server. pyovn's own options: ``--no-fsync`` writes each transaction before replying but
does not wait for fsync (the real ovsdb-server's behaviour; by default pyovn fsyncs before it
replies), ``--read-only`` serves every connection read-only.

SSL (``pssl:`` remotes): ``--private-key``, ``--certificate``, ``--ca-cert`` (or
``--bootstrap-ca-cert``), ``--peer-ca-cert``, ``--ssl-protocols``, ``--ssl-ciphers``, each a file
name / value or ``db:DB,TABLE,COLUMN`` (the first nonempty string of that column, e.g.
``db:OVN_Northbound,SSL,private_key`` as ovn-ctl passes it), read again after every commit to that
database; the files themselves are read again when they change (:mod:`pyovn.ovsdb.stream`).
Clients must present a certificate signed by the CA.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import sys
from typing import Any

from pyovn import __version__
from pyovn.cli import plain_doc
from pyovn.ovsdb import storage
from pyovn.ovsdb.database import Database
from pyovn.ovsdb.largeset import SET_TYPES
from pyovn.ovsdb.server import OvsdbServer
from pyovn.ovsdb.stream import SSL_HELP, SSL_METAVAR, configure_ssl
from pyovn.service.daemon import (
    DAEMON_HELP,
    Detacher,
    Pidfile,
    apply_logging,
    install_exit_signals,
    run_event_loop,
    split_daemon_args,
)
from pyovn.service.unixctl import UnixctlError, UnixctlServer
from pyovn.util.vlog import get_logger

PROGRAM = "ovsdb-server"
log = get_logger("ovsdb_server")
_SSL_ARGS = ("private_key", "certificate", "ca_cert", "bootstrap_ca_cert", "peer_ca_cert",
             "ssl_protocols", "ssl_ciphers")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=PROGRAM, add_help=True, description=plain_doc(__doc__),
                                epilog=DAEMON_HELP.replace("PROGRAM", PROGRAM),
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("databases", nargs="*", metavar="DATABASE",
                   help="database files to serve (default: $OVS_DBDIR/conf.db)")
    p.add_argument("--remote", action="append", default=[], metavar="REMOTE",
                   help="listen on REMOTE (punix:, ptcp:, pssl:) or on the targets "
                        "a database names (db:DB,TABLE,COLUMN); may be repeated")
    p.add_argument("--run", metavar="COMMAND",
                   help="run COMMAND in a shell once serving, and exit when it does")
    p.add_argument("--no-fsync", action="store_true",
                   help="do not wait for fsync before replying to a transaction")
    p.add_argument("--read-only", action="store_true",
                   help="serve every database read-only")
    p.add_argument("--txn-history", type=int, default=0,
                   help="keep this many transactions for monitor_cond_since resync of a "
                        "standalone database (the real server keeps none)")
    p.add_argument("--max-backlog", type=int, default=64 * 1024 * 1024,
                   help="disconnect a client whose unsent output passes this many bytes")
    p.add_argument("-V", "--version", action="store_true", help="print the version and exit")
    db_value = " (or db:DB,TABLE,COLUMN: read from the database)"
    for opt, short in (("--private-key", "-p"), ("--certificate", "-c"), ("--ca-cert", "-C")):
        p.add_argument(short, opt, dest=opt[2:].replace("-", "_"), metavar="FILE",
                       help=SSL_HELP[opt] + db_value)
    for opt in ("--bootstrap-ca-cert", "--ssl-protocols", "--ssl-ciphers", "--peer-ca-cert"):
        p.add_argument(opt, dest=opt[2:].replace("-", "_"), metavar=SSL_METAVAR[opt],
                       help=SSL_HELP[opt] + db_value)
    p.add_argument("--disable-file-column-diff", action="store_true",
                   help="accepted for compatibility")
    p.add_argument("--no-self-confinement", action="store_true",
                   help="accepted for compatibility")
    return p


def load_database(path: str, *, sync: bool = True) -> tuple[Database, storage.Storage]:
    """Open a database file of either format (``storage.open_database``; pyovn serves one-server
    clusters), log the damage it dropped, and return the engine and the open file."""
    db, db_file = storage.open_database(path, sync=sync)
    if db_file.damage is not None:
        log.warning("%s", db_file.damage)
    return db, db_file


class Runner:
    def __init__(self, args: argparse.Namespace, opts: Any):
        self.args = args
        self.opts = opts
        self.server = OvsdbServer(fsync=not args.no_fsync, read_only=args.read_only,
                                  max_backlog=args.max_backlog,
                                  txn_history=args.txn_history)
        self.stop_event: asyncio.Event | None = None
        self.unixctl: UnixctlServer | None = None
        self._refresh_pending = False   # a re-read of the db: remotes is scheduled
        self._ssl_dbs = {v[3:].split(",")[0] for v in (getattr(args, n) for n in _SSL_ARGS)
                         if v and v.startswith("db:")}
        self._ssl_values: dict[str, str | None] | None = None

    async def run(self, loaded: list[tuple[str, Database, Any]], detacher: Detacher,
                  pidfile: Pidfile | None) -> int:
        self.stop_event = asyncio.Event()
        loop = asyncio.get_running_loop()
        install_exit_signals(loop, self.stop_event.set)
        srv = self.server
        for path, db, db_file in loaded:
            srv.add_database(db, log=db_file, path=path)
        srv.on_commit.append(self._on_commit)
        self.reconfigure_ssl()
        try:
            for remote in self.args.remote:
                await srv.add_remote(remote)
        except (OSError, ValueError) as e:
            log.error("%s", e)
            print(f"{PROGRAM}: {e}", file=sys.stderr)
            return 1
        ctl_path = self.opts.unixctl or self.opts.default_unixctl()
        os.makedirs(os.path.dirname(os.path.abspath(ctl_path)), exist_ok=True)
        self.unixctl = UnixctlServer(ctl_path, f"ovsdb-server (pyovn) {__version__}")
        self._register_commands(self.unixctl)
        await self.unixctl.start()
        if pidfile:
            pidfile.write()
        log.info("ovsdb-server (pyovn) %s", __version__)
        detacher.ready()
        if self.args.run:
            proc = await asyncio.create_subprocess_shell(self.args.run)
            rc = await proc.wait()
            log.info("%s: child exited with status %d", self.args.run, rc)
            self.stop_event.set()
        await self.stop_event.wait()
        await srv.close()
        await self.unixctl.close()
        if pidfile:
            pidfile.remove()
        return 0

    def _query_db_string(self, spec: str) -> str | None:
        """``db:DB,TABLE,COLUMN``: the first nonempty string in that column, as ovsdb-server."""
        parts = spec[3:].split(",")
        if len(parts) != 3:
            log.warning("%s: invalid syntax", spec)
            return None
        dbstate = self.server.dbs.get(parts[0])
        if (dbstate is None or parts[1] not in dbstate.db.tables
                or parts[2] not in dbstate.db.schema.tables[parts[1]].columns):
            log.warning("%s: no such database, table or column", spec)
            return None
        for row in dbstate.db.tables[parts[1]].rows.values():
            value = row[parts[2]]
            for v in (sorted(value) if isinstance(value, SET_TYPES) else [value]):
                if isinstance(v, str) and v:
                    return v
        return None

    def reconfigure_ssl(self) -> None:
        """Apply the SSL options, reading those that name ``db:`` columns."""
        values = {n: (self._query_db_string(v) if v and v.startswith("db:") else v)
                  for n, v in ((n, getattr(self.args, n)) for n in _SSL_ARGS)}
        if values != self._ssl_values:
            self._ssl_values = values
            configure_ssl(values, keep=False)

    def _on_commit(self, dbstate: Any, changes: Any) -> None:
        srv = self.server
        if dbstate.name in self._ssl_dbs:
            self.reconfigure_ssl()
        if (srv.db_remotes and not self._refresh_pending
                and any(d == dbstate.name for d, _, _ in srv.db_remotes)):
            # Once for all the commits of this pass, as ovsdb-server re-reads its remotes once
            # per main-loop iteration.
            self._refresh_pending = True
            asyncio.get_running_loop().create_task(self._refresh_db_remotes())

    async def _refresh_db_remotes(self) -> None:
        self._refresh_pending = False   # (commits from now on need another look)
        await self.server.refresh_db_remotes()

    def _register_commands(self, u: UnixctlServer) -> None:
        srv = self.server

        def exit_(args: list[str]) -> str:
            assert self.stop_event is not None
            self.stop_event.set()
            return ""

        def compact(args: list[str]) -> str:
            names = args or [n for n, dbstate in srv.dbs.items() if dbstate.log is not None]
            out = []
            for n in names:
                dbstate = srv.dbs.get(n)
                if dbstate is None:
                    raise UnixctlError(f"{n}: unknown database")
                try:
                    msg = srv.compact(dbstate)
                except storage.StorageError as e:
                    raise UnixctlError(f"{n}: compaction failed: {e}") from None
                if msg:
                    out.append(msg)
            return "\n".join(out)

        async def add_remote(args: list[str]) -> str:
            try:
                await srv.add_remote(args[0])
            except (OSError, ValueError) as e:
                raise UnixctlError(str(e)) from None
            if args[0] not in self.args.remote:
                self.args.remote.append(args[0])
            return ""

        def remove_remote(args: list[str]) -> str:
            if args[0] not in self.args.remote:
                raise UnixctlError(f"can't find remote {args[0]}")
            self.args.remote.remove(args[0])
            lst = srv.listeners.pop(args[0], None)
            if lst:
                lst.close()
            return ""

        u.register("exit", exit_, 0, 1, "[--cleanup]")
        u.register("ovsdb-server/compact", compact, 0, 100, "[DB]...")
        u.register("ovsdb-server/add-remote", add_remote, 1, 1, "REMOTE")
        u.register("ovsdb-server/remove-remote", remove_remote, 1, 1, "REMOTE")
        u.register("ovsdb-server/list-remotes",
                   lambda a: "".join(f"{r}\n" for r in sorted(self.args.remote)), 0, 0, "")
        u.register("ovsdb-server/list-dbs",
                   lambda a: "".join(f"{n}\n" for n in srv.dbs), 0, 0, "")
        u.register("ovsdb-server/reconnect", lambda a: self._reconnect(), 0, 0, "")
        u.register("memory/show", lambda a: self._memory(), 0, 0, "")

    def _reconnect(self) -> str:
        for s in list(self.server.sessions):
            s.close()
        return ""

    def _memory(self) -> str:
        srv = self.server
        cells = sum(len(t.rows) for dbstate in srv.dbs.values() for t in dbstate.db.tables.values())
        monitors = sum(len(dbstate.monitors) for dbstate in srv.dbs.values())
        return f"cells:{cells} monitors:{monitors} sessions:{len(srv.sessions)}\n"


def main(argv: list[str]) -> int:
    opts, rest = split_daemon_args(argv, PROGRAM)
    args = _parser().parse_args(rest)
    if args.version:
        print(f"ovsdb-server (pyovn) {__version__}\ncompatible with Open vSwitch 3.1.0")
        return 0
    apply_logging(opts)
    paths = args.databases or [os.path.join(os.environ.get("OVS_DBDIR", "/etc/openvswitch"), "conf.db")]
    pidfile = Pidfile(opts.pidfile, PROGRAM, opts.overwrite_pidfile) if opts.pidfile else None
    if pidfile:
        pidfile.check()
    loaded = []
    for path in paths:
        try:
            db, db_file = load_database(path, sync=not args.no_fsync)
        except storage.StorageError as e:
            print(f"{PROGRAM}: {e}", file=sys.stderr)
            return 1
        except Exception as e:  # schema or record errors
            print(f"{PROGRAM}: {path}: {e}", file=sys.stderr)
            return 1
        loaded.append((os.path.abspath(path), db, db_file))
    # The databases just loaded live as long as the server, or until their rows change: left
    # out of the cyclic garbage collector's passes, they are not scanned again and again (and
    # stay shared with the parent after --detach forks). A transaction makes many short-lived
    # containers and hardly any cycles: the young generation is collected every 10,000
    # allocations instead of 700 (about 5% of the CPU time of a pipelined insert load).
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)
    detacher = Detacher()
    if opts.detach:
        detacher.detach(opts.no_chdir)
    runner = Runner(args, opts)
    return run_event_loop(runner.run(loaded, detacher, pidfile))

