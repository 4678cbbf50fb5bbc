"""Declarations that make a ctl tool: its commands, how its rows are named, what ``show`` prints.

A tool is data: a :class:`Tool` (program name, database, default remote, global options it adds)
plus :class:`CommandSyntax` declarations, each verb declared once with its argument counts, its
per-command options and its functions. The runner (:mod:`pyovn.ctl.runner`) parses the command
line against these declarations and calls, for every command in the transaction, ``pre`` (checks
that need only the schema), then ``run`` (reads and changes the :class:`~pyovn.ctl.txnview.TxnView`,
writes output), then, after the commit, ``post`` (output that needs the server's answer, e.g. the
uuid of a created row).

:class:`RowId` is one way a record can be named on the command line (OVS's ctl_row_id): by a
column of the table itself (``Bridge`` by ``name``), by a key of a map column
(``Datapath_Binding`` by ``external_ids:name``), or through another table's reference
(``Controller`` via ``controller`` of the ``Bridge`` with that name).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pyovn.ctl.context import Context
    from pyovn.ctl.options import RunOptions

__all__ = ["CtlError", "CommandSyntax", "RowId", "ShowTable", "Tool", "UNLIMITED", "row_ids",
           "env_remote"]

UNLIMITED = 1 << 31


class CtlError(Exception):
    """A command failed; ``str()`` is the message printed after ``<prog>: ``."""


CommandFn = Callable[["Context"], None]


@dataclass(frozen=True)
class CommandSyntax:
    """One verb. ``options`` lists the per-command options; a trailing ``=`` means it needs a
    value (``"--id="``), a trailing ``?`` that it may have one (``"--bfd?"``: ``--bfd`` or
    ``--bfd=UUID``). ``mode`` is ``"ro"`` for commands that never change the database.
    ``tables``: every table the command reads or writes, when it is sure of them; a direct-mode
    call whose commands all say so loads only those (and the tool's global table), as the real
    tools' prerequisites ask their IDL for only what a command needs. None: the whole database.
    """

    name: str
    min_args: int
    max_args: int
    run: CommandFn
    options: tuple[str, ...] = ()
    pre: CommandFn | None = None
    post: CommandFn | None = None
    mode: str = "rw"
    usage: str = ""
    tables: tuple[str, ...] | None = None

    def option_names(self) -> set[str]:
        return {o.rstrip("=?") for o in self.options}

    def option_arg(self, option: str) -> bool | str:
        """Whether ``option`` takes a value: True (it must), ``"opt"`` (it may), False."""
        if option + "=" in self.options:
            return True
        return "opt" if option + "?" in self.options else False


@dataclass(frozen=True)
class RowId:
    """Records of a table named by ``name_column`` (or its ``key``) of ``table``'s rows; with
    ``uuid_column``, the record is the one that column of the matching row refers to."""

    table: str
    name_column: str
    key: str | None = None
    uuid_column: str | None = None


@dataclass(frozen=True)
class ShowTable:
    """How ``show`` prints a table's rows: a name column, the columns to print (references to
    other show tables nest), and rows of ``wref_table`` whose ``wref_column`` points here."""

    table: str
    name_column: str | None
    columns: tuple[str, ...] = ()
    wref_table: str | None = None
    wref_name_column: str | None = None
    wref_column: str | None = None


def row_ids(table: str, *columns: str) -> list[RowId]:
    """Records of ``table`` named by these columns of their own (``"external_ids:name"``: a key
    of a map column), tried in this order."""
    out = []
    for c in columns:
        column, _, key = c.partition(":")
        out.append(RowId(table, column, key or None))
    return out


def env_remote(rundir_env: str, rundir: str, sock: str, env: str | None = None
               ) -> Callable[[], str]:
    """A tool's default database: ``$env`` if set, else ``unix:`` the socket ``sock`` in the
    run directory (``$rundir_env``, default ``rundir``)."""

    def remote() -> str:
        if env and os.environ.get(env):
            return os.environ[env]
        return f"unix:{os.environ.get(rundir_env, rundir)}/{sock}"

    return remote


@dataclass
class Tool:
    """Everything tool-specific: name, database, defaults, commands and naming tables."""

    prog: str
    db: str
    default_remote: Callable[[], str]
    commands: dict[str, CommandSyntax] = field(default_factory=dict)
    row_ids: dict[str, list[RowId]] = field(default_factory=dict)
    show_tables: list[ShowTable] = field(default_factory=list)
    # Extra global options: name -> takes a value. Their values land in RunOptions.extra.
    global_options: dict[str, bool] = field(default_factory=dict)
    # The table of the database's single configuration row, inserted before the commands run
    # (each try) when the database has none, as the real tools do.
    global_table: str | None = None
    # Checks of the global options the real tool makes while parsing them (CtlError).
    check_options: Callable[[RunOptions], None] | None = None
    # Hooks around the commit (they get the runner's Run).
    before_commit: Callable[[Any], None] | None = None
    after_commit: Callable[[Any], None] | None = None
    help_text: str = ""
    version: str = ""  # what --version prints
    # ovs-vsctl reports option errors with getopt's own texts ("option requires an argument --
    # 't'"); the OVN tools word them "option '-t' requires an argument".
    getopt_messages: bool = False

    def add(self, *groups: Iterable[CommandSyntax]) -> Tool:
        """Declare the commands of each group (a verb may be declared only once)."""
        for group in groups:
            for c in group:
                if c.name in self.commands:
                    raise ValueError(f"command {c.name} declared twice")
                self.commands[c.name] = c
        return self

    def all_command_options(self) -> set[str]:
        out: set[str] = set()
        for c in self.commands.values():
            out |= c.option_names()
        return out

    def option_arg(self, option: str) -> bool | str:
        """:meth:`CommandSyntax.option_arg` for an option given before the first command name."""
        args = {c.option_arg(option) for c in self.commands.values()}
        return True if True in args else "opt" if "opt" in args else False


def commands(*decls: CommandSyntax) -> Sequence[CommandSyntax]:
    return list(decls)
