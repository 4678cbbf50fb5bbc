"""Runs one ctl invocation: parse, connect, check, run the commands, commit once, print.

The sequence is the real tools': parse the command line (errors before any connection); connect
and read the schema; run every command's ``pre`` (name checks); take a replica of the rows; run
the commands in order against a fresh :class:`~pyovn.ctl.txnview.TxnView`. If a command asks to
try again (``wait-until`` not yet true), wait for the database to change and run them all again.
Then check the ``@name`` symbols, commit the one transaction, run ``post`` (e.g. print created
uuids), let the tool wait if it must (ovs-vsctl's ``cur_cfg``) and print the output.

``--timeout`` is an alarm, as in OVS: when it fires the process logs
``fatal_signal|WARN|terminating with signal 14 (Alarm clock)`` and dies of SIGALRM.
"""

from __future__ import annotations

import os
import signal
import sys
from typing import Any

from pyovn.ctl.context import Context, warn
from pyovn.ctl.database import Backend, BackendError, TransactionLost, connect
from pyovn.ctl.options import ParsedCommand, RunOptions, parse_command_line
from pyovn.ctl.registry import CtlError, Tool
from pyovn.ctl.txnview import TxnView
from pyovn.ovsdb.client.connection import RpcError
from pyovn.ovsdb.datastr import RefTable
from pyovn.ovsdb.errors import json_text
from pyovn.ovsdb.stream import configure_ssl
from pyovn.ovsdb.tableprint import TablePrinter

__all__ = ["Run", "CtlExit", "run_tool", "main"]


class CtlExit(Exception):
    """Stop with an exit status and no message (``br-exists`` answers with status 2)."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class Run:
    """The state of one try of one invocation, handed to the tool's hooks."""

    def __init__(self, tool: Tool, opts: RunOptions, backend: Backend, txn: TxnView,
                 symtab: RefTable, state: dict[str, Any]) -> None:
        self.tool = tool
        self.opts = opts
        self.backend = backend
        self.txn = txn
        self.symtab = symtab
        self.state = state
        self.contexts: list[Context] = []

    def wait_for_row(self, table: str, column: str, target: int) -> dict[str, Any]:
        """Wait, reading the monitor's updates, until a ``table`` row has ``column`` >= ``target``
        (a daemon caught up with an incremented sequence number); return that row."""
        while True:
            rows = self.backend.rows.get(table, {})
            done = [r for r in rows.values() if r.get(column, 0) >= target]
            if done:
                return done[0]
            self.backend.wait_update(None)


def _on_alarm(signum: int, frame: Any) -> None:
    warn("fatal_signal", "terminating with signal 14 (Alarm clock)")
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGALRM)


def _comment(tool: Tool, argv: list[str]) -> str:
    try:
        with open(f"/proc/{os.getppid()}/comm") as f:
            parent = f.read().strip()
    except OSError:
        parent = "unknown"
    return f"{tool.prog} (invoked by {parent}): {' '.join([tool.prog, *argv])}"


def _print(opts: RunOptions, contexts: list[Context]) -> None:
    printer = TablePrinter(opts.style)
    out: list[str] = []
    for ctx in contexts:
        if ctx.table is not None:
            out.append(printer.render(ctx.table))
            continue
        text = "".join(ctx.output)
        if opts.oneline:
            if text.endswith("\n"):
                text = text[:-1]
            out.append(text.replace("\\", "\\\\").replace("\n", "\\n") + "\n")
        else:
            out.append(text)
    sys.stdout.write("".join(out))
    sys.stdout.flush()


def _check_symbols(symtab: RefTable) -> None:
    for name, sym in symtab.symbols.items():
        if not sym.created:
            raise CtlError(f'row id "{name}" is referenced but never created (e.g. with '
                           f'"-- --id={name} create ...")')
    for name, sym in symtab.symbols.items():
        if not sym.strong_ref and not sym.root:
            if not sym.weak_ref:
                warn("db_ctl_base", f'row id "{name}" was created but no reference to it was '
                     "inserted, so it will not actually appear in the database")
            else:
                warn("db_ctl_base", f'row id "{name}" was created but only a weak reference to '
                     "it was inserted, so it will not actually appear in the database")


def _execute(tool: Tool, opts: RunOptions, commands: list[ParsedCommand], argv: list[str],
             backend: Backend) -> int:
    schema = backend.get_schema()
    pre_state: dict[str, Any] = {"schema": schema}
    for pc in commands:
        if pc.spec.pre is not None:
            ctx = Context(tool, pc.spec, pc.argv, pc.options, None, RefTable(), pre_state, opts)
            pc.spec.pre(ctx)
    backend.monitor()
    while True:
        txn = TxnView(schema, backend.rows)
        symtab = RefTable()
        state: dict[str, Any] = {"schema": schema}
        run = Run(tool, opts, backend, txn, symtab, state)
        state["run"] = run
        if tool.global_table is not None and txn.first(tool.global_table) is None:
            txn.insert(tool.global_table)
        again = False
        for pc in commands:
            ctx = Context(tool, pc.spec, pc.argv, pc.options, txn, symtab, state, opts)
            pc.spec.run(ctx)
            run.contexts.append(ctx)
            if ctx.try_again:
                again = True
                break
        if again:
            backend.wait_update(None)
            continue
        _check_symbols(symtab)
        if tool.before_commit is not None:
            tool.before_commit(run)
        if not opts.dry_run:
            ops = txn.ops(_comment(tool, argv))
            if ops:
                results = backend.transact(ops)
                error = next((r for r in results if isinstance(r, dict) and "error" in r
                              and r["error"] is not None), None)
                if error is not None:
                    text = json_text(error)
                    warn("ovsdb_idl", f"transaction error: {text}")
                    raise CtlError(f"transaction error: {text}")
                txn.commit_results(results)
        for ctx in run.contexts:
            if ctx.command.post is not None:
                ctx.command.post(ctx)
        if tool.after_commit is not None and not opts.dry_run:
            tool.after_commit(run)
        _print(opts, run.contexts)
        return 0


def tables_needed(tool: Tool, commands: list[ParsedCommand]) -> set[str] | None:
    """The tables a direct-mode call loads: those its commands declare, with the tool's global
    table (created when missing), or None (all) when a command does not declare them."""
    needed: set[str] = set()
    for pc in commands:
        if pc.spec.tables is None:
            return None
        needed.update(pc.spec.tables)
    if tool.global_table is not None:
        needed.add(tool.global_table)
    return needed


def run_tool(tool: Tool, argv: list[str]) -> int:
    """The whole invocation; returns the exit status (messages go to stderr)."""
    try:
        opts, commands = parse_command_line(tool, argv)
    except CtlError as exc:
        sys.stderr.write(f"{tool.prog}: {exc}\n")
        return 1
    if opts.help:
        if tool.help_text:
            sys.stdout.write(tool.help_text)
        else:
            from pyovn.ctl.helptext import render  # only when asked: it is big

            sys.stdout.write(render(tool))
        return 0
    if opts.version:
        from pyovn import __version__
        sys.stdout.write(tool.version or f"{tool.prog} (pyovn) {__version__}\n")
        return 0
    if tool.check_options is not None:
        try:
            tool.check_options(opts)
        except CtlError as exc:
            sys.stderr.write(f"{tool.prog}: {exc}\n")
            return 1
    if opts.timeout:
        signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, opts.timeout)
    remote = opts.db or tool.default_remote()
    if opts.ssl:
        configure_ssl(opts.ssl)
    backend: Backend | None = None
    try:
        backend = connect(remote, tool.db, leader_only=opts.leader_only,
                          tables=tables_needed(tool, commands))
        return _execute(tool, opts, commands, argv, backend)
    except CtlExit as exc:
        return exc.status
    except (CtlError, BackendError, RpcError, TransactionLost) as exc:
        sys.stdout.flush()
        msg = str(exc)
        if isinstance(exc, RpcError):
            msg = f"transaction error: {json_text(exc.error)}"
        elif isinstance(exc, TransactionLost):
            msg = "transaction error: database connection lost (the outcome is unknown)"
        sys.stderr.write(f"{tool.prog}: {msg}\n")
        return 1
    finally:
        if backend is not None:
            backend.close()


def main(tool: Tool, argv: list[str]) -> int:
    return run_tool(tool, argv)
