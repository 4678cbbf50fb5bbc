"""The remote and SSL commands every ctl tool has, declared once for any configuration row.

Each database keeps its listening/connecting remotes and its SSL settings in references of one
global row (``Open_vSwitch``, ``NB_Global``, ``SB_Global``). :class:`Remotes` says where:
the global table, the column and table of the remote rows, the noun in the command names
(``set-manager``, ``set-connection``) and whether the tool takes ovn-sbctl's ``read-only``,
``read-write`` and ``role=`` words. :func:`remote_commands` and :func:`ssl_commands` return the
``get-``/``set-``/``del-`` declarations. As in the real tools, a target that is neither an active
nor a passive stream name is stored anyway, after a vlog warning.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pyovn.ctl.context import Context, warn
from pyovn.ctl.registry import UNLIMITED, CommandSyntax
from pyovn.ctl.txnview import TxnView, ViewRow

__all__ = ["Remotes", "global_row", "delete_referenced", "remote_commands",
           "ssl_commands"]

_STREAMS = ("tcp:", "ssl:", "unix:", "ptcp:", "pssl:", "punix:")


@dataclass(frozen=True)
class Remotes:
    """Where a database keeps its remotes (see the module docstring)."""

    global_table: str  # "NB_Global"
    noun: str  # "connection" -> get-connection, set-connection, del-connection
    column: str  # "connections", the global row's column that refers to the remote rows
    table: str  # "Connection"
    vlog_module: str  # the module named in the "possibly erroneous" warning
    roles: bool = False  # ovn-sbctl: "read-only", "read-write", "role=ROLE" words


def global_row(ctx: Context, table: str) -> ViewRow:
    """The database's single configuration row (the runner inserts it when missing; see
    ``Tool.global_table``)."""
    row = ctx.view().first(table)
    assert row is not None
    return row


def delete_referenced(txn: TxnView, row: ViewRow, column: str, table: str) -> None:
    """Delete the rows ``row.column`` refers to and empty the column."""
    for target in txn.referenced(table, row[column]):
        txn.delete(target)
    txn.write(row, column, frozenset())


def _byte_sorted_lines(lines: Iterable[str]) -> str:
    return "".join(f"{line}\n" for line in sorted(set(lines), key=str.encode))


def remote_commands(spec: Remotes) -> list[CommandSyntax]:
    """``get-``, ``del-`` and ``set-<noun>`` for the remotes ``spec`` describes."""

    def owner(ctx: Context) -> ViewRow:
        return global_row(ctx, spec.global_table)

    def get(ctx: Context) -> None:
        rows = ctx.view().referenced(spec.table, owner(ctx)[spec.column])
        if spec.roles:
            lines = [f'{"read-only" if r["read_only"] else "read-write"} role="{r["role"]}" '
                     f'{r["target"]}' for r in rows]
        else:
            lines = [r["target"] for r in rows]
        ctx.out(_byte_sorted_lines(lines))

    def delete(ctx: Context) -> None:
        delete_referenced(ctx.view(), owner(ctx), spec.column, spec.table)

    def set_(ctx: Context) -> None:
        delete(ctx)
        txn = ctx.view()
        probe = ctx.option("--inactivity-probe")
        read_only, role = False, ""
        new = []
        for target in ctx.argv[1:]:
            if spec.roles and target in ("read-only", "read-write"):
                read_only = target == "read-only"
                continue
            if spec.roles and target.startswith("role="):
                role = target[5:]
                continue
            if not target.startswith(_STREAMS):
                warn(spec.vlog_module, f'target type "{target}" is possibly erroneous')
            row = txn.insert(spec.table)
            txn.write(row, "target", target)
            if read_only:
                txn.write(row, "read_only", True)
            if role:
                txn.write(row, "role", role)
            if probe is not None:
                txn.write(row, "inactivity_probe", frozenset((_atoll(probe),)))
            new.append(row.uuid)
        txn.write(owner(ctx), spec.column, frozenset(new))

    return [
        CommandSyntax(f"get-{spec.noun}", 0, 0, get, mode="ro"),
        CommandSyntax(f"del-{spec.noun}", 0, 0, delete),
        CommandSyntax(f"set-{spec.noun}", 1, UNLIMITED, set_, ("--inactivity-probe=",),
                      usage="TARGET..."),
    ]


def _atoll(s: str) -> int:
    """C's atoll(): leading blanks, a sign, digits; anything else ends the number (0 if none)."""
    t = s.lstrip(" \t\n\v\f\r")
    sign = -1 if t[:1] == "-" else 1
    if t[:1] in "+-" and t:
        t = t[1:]
    digits = len(t) - len(t.lstrip("0123456789"))
    return sign * int(t[:digits]) if digits else 0


def ssl_commands(global_table: str, protocols: bool) -> list[CommandSyntax]:
    """``get-``, ``del-`` and ``set-ssl`` for the SSL row of ``global_table``'s ``ssl`` column;
    with ``protocols``, set-ssl also takes SSL-PROTOS and SSL-CIPHERS (the OVN tools)."""

    def get(ctx: Context) -> None:
        rows = ctx.view().referenced("SSL", global_row(ctx, global_table)["ssl"])
        if not rows:
            return
        s = rows[0]
        ctx.out(f"Private key: {s['private_key']}\nCertificate: {s['certificate']}\n"
                f"CA Certificate: {s['ca_cert']}\n"
                f"Bootstrap: {'true' if s['bootstrap_ca_cert'] else 'false'}\n")

    def delete(ctx: Context) -> None:
        owner = global_row(ctx, global_table)
        if owner["ssl"]:
            delete_referenced(ctx.view(), owner, "ssl", "SSL")

    def set_(ctx: Context) -> None:
        delete(ctx)
        txn = ctx.view()
        ssl = txn.insert("SSL")
        args = ctx.argv[1:]
        for column, value in zip(("private_key", "certificate", "ca_cert", "ssl_protocols",
                                  "ssl_ciphers"), args):
            txn.write(ssl, column, value)
        if ctx.has("--bootstrap"):
            txn.write(ssl, "bootstrap_ca_cert", True)
        txn.write(global_row(ctx, global_table), "ssl", frozenset((ssl.uuid,)))

    usage = "PRIV-KEY CERT CA-CERT" + (" [SSL-PROTOS [SSL-CIPHERS]]" if protocols else "")
    return [
        CommandSyntax("get-ssl", 0, 0, get, mode="ro"),
        CommandSyntax("del-ssl", 0, 0, delete),
        CommandSyntax("set-ssl", 3, 5 if protocols else 3, set_, ("--bootstrap",), usage=usage),
    ]
