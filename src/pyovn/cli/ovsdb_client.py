"""``pyovn ovsdb-client``: the command line and output of Open vSwitch's ovsdb-client(1).

    pyovn ovsdb-client [OPTIONS] COMMAND [SERVER] [DATABASE] [ARG...]

Commands: list-dbs, get-schema, get-schema-version, get-schema-cksum, list-tables, list-columns,
transact, query, dump, backup, restore, needs-conversion, monitor, monitor-cond,
monitor-cond-since, wait, lock, steal, unlock, help. SERVER is taken when the first argument is
a connection method (``unix:``, ``tcp:`` ...), default ``unix:$OVS_RUNDIR/db.sock``; DATABASE when
the next argument names one of the server's databases, else ``Open_vSwitch`` if served, else the
only database besides ``_Server``. Output options: ``--format`` (table, list, csv, html, json),
``--data``, ``--no-headings``, ``--pretty``, ``--bare``, ``--timestamp``; monitors and locks take
the daemon options (``--detach``, ``--pidfile``...). The commands and their output are
:mod:`pyovn.ovsdb.clienttool.commands`'s; this module parses the command line.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

from pyovn.ovsdb.client.oneshot import OneShotError
from pyovn.ovsdb.clienttool.commands import (
    COMMANDS,
    DAEMON_COMMANDS,
    PROGRAM,
    Client,
    ClientError,
    default_database,
    fatal,
    usage,
)
from pyovn.ovsdb.stream import configure_ssl
from pyovn.ovsdb.tableprint import STYLE_OPTIONS, TableStyle
from pyovn.service.daemon import DaemonOptions, Detacher, Pidfile, split_daemon_args

_METHODS = ("unix:", "tcp:", "ssl:", "punix:", "ptcp:", "pssl:")


_SSL_SHORT = {"-p": "--private-key", "-c": "--certificate", "-C": "--ca-cert"}
_SSL_LONG = ("--private-key", "--certificate", "--ca-cert", "--bootstrap-ca-cert",
             "--peer-ca-cert", "--ssl-protocols", "--ssl-ciphers")
_TABLE_OPTIONS = {"-f": "format", "-d": "data", **{f"--{n}": n for n in STYLE_OPTIONS}}


def _parse_options(argv: list[str]) -> tuple[TableStyle, dict[str, bool], list[str]]:
    style = TableStyle(format="table")
    flags = {"timestamp": False, "force": False, "help": False, "version": False}
    rest: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        i += 1
        if arg == "--":
            rest.extend(argv[i:])
            break
        if not arg.startswith("-") or arg == "-":
            rest.append(arg)
            continue
        name, eq, value = arg.partition("=")
        if name in _SSL_SHORT or name[:2] in _SSL_SHORT:
            if len(name) > 2 and name[:2] in _SSL_SHORT:  # -pFILE
                name, value, eq = name[:2], arg[2:], "="
            name = _SSL_SHORT[name]
        if name in _SSL_LONG:
            if not eq:
                if i >= len(argv):
                    fatal(f"option '{name}' requires an argument")
                value = argv[i]
                i += 1
            configure_ssl({name[2:].replace("-", "_"): value})
            continue
        if name in ("-f", "--format", "-d", "--data", "-t", "--timeout", "--max-column-width"):
            if not eq:
                if i >= len(argv):
                    fatal(f"option '{name}' requires an argument")
                value = argv[i]
                i += 1
        elif name.startswith("-f") or name.startswith("-d") or name.startswith("-t"):
            name, value = arg[:2], arg[2:]
        table_option = _TABLE_OPTIONS.get(name)
        if table_option is not None:
            try:
                style.apply_option(table_option, value)
            except ValueError as e:
                fatal(str(e))
        elif name in ("--timestamp", "--force"):
            flags[name[2:]] = True
        elif name in ("-h", "--help"):
            flags["help"] = True
        elif name in ("-V", "--version"):
            flags["version"] = True
        elif name in ("-t", "--timeout"):
            try:
                secs = int(value)
            except ValueError:
                fatal(f"value {value} on -t or --timeout is invalid")
            if secs > 0:
                import signal
                signal.alarm(secs)
        elif name in ("--max-column-width", "--no-leader-only", "--leader-only"):
            pass
        else:
            fatal(f"unrecognized option '{arg}'")
    return style, flags, rest


def _is_server(arg: str) -> bool:
    return arg.startswith(_METHODS)


class _Daemon:
    """The daemon options of monitors and locks: check the pidfile and detach before
    connecting (``start``), write the pidfile and let a detached parent exit once the monitor
    or lock is in place (``ready``, called by the client)."""

    def __init__(self, opts: DaemonOptions) -> None:
        self.opts = opts
        self.detacher = Detacher()
        self.pidfile: Pidfile | None = None

    def start(self) -> None:
        if self.opts.pidfile:
            self.pidfile = Pidfile(self.opts.pidfile, PROGRAM, self.opts.overwrite_pidfile)
            self.pidfile.check()
        if self.opts.detach:
            self.detacher.detach(self.opts.no_chdir)

    def ready(self) -> None:
        if self.pidfile is not None and self.pidfile.fd is None:
            self.pidfile.write()
        self.detacher.ready()


def run(argv: list[str]) -> int:
    opts, argv = split_daemon_args(argv, PROGRAM)
    style, flags, args = _parse_options(argv)
    if flags["help"]:
        sys.stdout.write(usage())
        return 0
    if flags["version"]:
        from pyovn import __version__
        print(f"{PROGRAM} (pyovn) {__version__}\ncompatible with Open vSwitch 3.1.0")
        return 0
    if not args:
        fatal("missing command name; use --help for help")
    cmd, args = args[0], args[1:]
    if cmd == "help":
        sys.stdout.write(usage())
        return 0
    daemon = _Daemon(opts)
    client = Client(style, timestamp=flags["timestamp"], force=flags["force"],
                    ready=daemon.ready)
    server = os.path.join(os.environ.get("OVS_RUNDIR", "/var/run/openvswitch"), "db.sock")
    server = f"unix:{server}"
    if args and _is_server(args[0]):
        server, args = args[0], args[1:]
    try:
        return _run_command(client, daemon, server, cmd, args)
    finally:
        if client.session is not None:
            # an ssl: session ends with close_notify, as the real tool's
            client.session.close()


def _run_command(client: Client, daemon: _Daemon, server: str, cmd: str,
                 args: list[str]) -> int:
    if cmd == "wait":
        if len(args) != 2:
            fatal("invalid syntax for 'wait' (use --help for help)")
        if args[1] not in ("added", "connected", "removed"):
            fatal(f"{args[1]}: unknown state")
        client.wait(server, args[0], args[1])
        return 0
    spec = COMMANDS.get(cmd)
    if spec is None:
        fatal(f"unknown command '{cmd}'; use --help for help")
    method, need_db, lo, hi, _ = spec
    if cmd in DAEMON_COMMANDS:
        daemon.start()
    try:
        client.connect(server)
    except OneShotError as e:
        fatal(str(e))
    db = ""
    if need_db:
        db, args = default_database(client.dbs(), args)
    if not lo <= len(args) <= hi:
        fatal(f"invalid syntax for '{cmd}' (use --help for help)")
    handler: Callable[[str, list[str]], None] = getattr(client, method)
    handler(db, args)
    return 0


def main(argv: list[str]) -> int:
    try:
        return run(argv)
    except ClientError as e:
        sys.stdout.flush()
        print(f"{PROGRAM}: {e}", file=sys.stderr)
        return 1
    except OneShotError as e:
        sys.stdout.flush()
        print(f"{PROGRAM}: {e}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 1
    except KeyboardInterrupt:
        return 130
