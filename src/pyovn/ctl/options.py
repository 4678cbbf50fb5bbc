"""The command line of a ctl tool: global options, then commands separated by ``--``.

Parsing follows the real tools (getopt_long with "stop at the first non-option", then OVS's
ctl_parse_commands): global options come first (``--opt=value``, ``--opt value``, ``-t5``,
``-t 5``); an option that is not global but belongs to some command (``--may-exist``,
``--columns=``) is a *local* option of the first command. After that the words are split at
``--`` into commands; each command may start with its own options. Every check that needs no
database (unknown command, argument counts, options a command does not take) happens here, with
the real tools' texts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pyovn.ctl.registry import CommandSyntax, CtlError, Tool
from pyovn.ovsdb.tableprint import STYLE_OPTIONS, TableStyle

__all__ = ["RunOptions", "ParsedCommand", "parse_command_line", "COMMON_OPTIONS"]

# Long options every ctl tool accepts: name -> takes a value ("opt" = optional value).
COMMON_OPTIONS: dict[str, bool | str] = {
    "db": True, "timeout": True, "dry-run": False, "oneline": False, "format": True,
    "data": True, "no-headings": False, "pretty": False, "bare": False, "help": False,
    "version": False, "verbose": "opt", "log-file": "opt", "no-syslog": False,
    "syslog-method": True, "syslog-target": True, "private-key": True, "certificate": True,
    "ca-cert": True, "bootstrap-ca-cert": True, "ssl-protocols": True, "ssl-ciphers": True,
    "peer-ca-cert": True, "no-leader-only": False, "leader-only": False,
    "shuffle-remotes": False, "no-shuffle-remotes": False, "commands": False, "options": False,
}
_SSL_OPTIONS = ("private-key", "certificate", "ca-cert", "bootstrap-ca-cert", "peer-ca-cert",
                "ssl-protocols", "ssl-ciphers")
SHORT_OPTIONS = {"t": "timeout", "f": "format", "d": "data", "h": "help", "V": "version",
                 "v": "verbose", "p": "private-key", "c": "certificate", "C": "ca-cert"}


@dataclass
class RunOptions:
    db: str | None = None
    timeout: float = 0.0
    dry_run: bool = False
    oneline: bool = False
    style: TableStyle = field(default_factory=TableStyle)
    help: bool = False
    version: bool = False
    extra: dict[str, str | None] = field(default_factory=dict)
    ssl: dict[str, str] = field(default_factory=dict)  # configure_ssl() keywords
    # Only a clustered database's leader will do (the real tools' default; --no-leader-only).
    leader_only: bool = True


@dataclass
class ParsedCommand:
    spec: CommandSyntax
    argv: list[str]  # argv[0] is the command name
    options: dict[str, str | None]


def _parse_globals(tool: Tool, argv: list[str]
                   ) -> tuple[RunOptions, dict[str, str | None], list[str]]:
    opts = RunOptions()
    local: dict[str, str | None] = {}
    local_names = tool.all_command_options()
    known: dict[str, bool | str] = dict(COMMON_OPTIONS)
    known.update(tool.global_options)
    i = 0
    prog = tool.prog
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            i += 1
            break
        if not arg.startswith("-") or arg == "-":
            break
        value: str | None
        if arg.startswith("--"):
            name, eq, value = arg[2:].partition("=")
            if not eq:
                value = None
            # getopt_long accepts unique prefixes of long option names.
            if name not in known and name not in {n.lstrip("-") for n in local_names}:
                cands = [k for k in known if k.startswith(name)]
                cands += [n.lstrip("-") for n in local_names if n.lstrip("-").startswith(name)]
                if len(set(cands)) == 1:
                    name = cands[0]
            is_local = name not in known and f"--{name}" in local_names
            if name in known:
                takes = known[name]
            elif is_local:
                takes = tool.option_arg(f"--{name}")
            else:
                raise CtlError(f"unrecognized option '{arg}'")  # getopt_long prints it all
            if takes is True and value is None:
                if i + 1 >= len(argv):
                    raise CtlError(f"option '--{name}' requires an argument")
                i += 1
                value = argv[i]
            elif takes is False and value is not None:
                # ovs-vsctl (glibc's getopt) names the option; the OVN tools quote it whole.
                shown = f"--{name}" if tool.getopt_messages else arg
                raise CtlError(f"option '{shown}' doesn't allow an argument")
            if is_local:
                local[f"--{name}"] = value
            else:
                _apply(tool, opts, name, value)
            i += 1
            continue
        # short options, possibly bundled
        j = 1
        while j < len(arg):
            c = arg[j]
            name = SHORT_OPTIONS.get(c)
            if name is None:
                raise CtlError(f"invalid option -- '{c}'")
            takes = known.get(name, False)
            if takes is True:
                value = arg[j + 1:]
                if not value:
                    if i + 1 >= len(argv):
                        if tool.getopt_messages:
                            raise CtlError(f"option requires an argument -- '{c}'")
                        raise CtlError(f"option '-{c}' requires an argument")
                    i += 1
                    value = argv[i]
                _apply(tool, opts, name, value)
                break
            if takes == "opt":
                _apply(tool, opts, name, arg[j + 1:] or None)
                break
            _apply(tool, opts, name, None)
            j += 1
        i += 1
    del prog
    return opts, local, argv[i:]


def _apply(tool: Tool, opts: RunOptions, name: str, value: str | None) -> None:
    if name == "db":
        opts.db = value
    elif name == "timeout":
        try:
            t = float(value or "")
            if t < 0:
                raise ValueError
        except ValueError:
            raise CtlError(f"value {value} on -t or --timeout is invalid") from None
        opts.timeout = t
    elif name == "dry-run":
        opts.dry_run = True
    elif name in ("leader-only", "no-leader-only"):
        opts.leader_only = name == "leader-only"
    elif name == "oneline":
        opts.oneline = True
    elif name in STYLE_OPTIONS:
        try:
            opts.style.apply_option(name, value)
        except ValueError as e:
            raise CtlError(str(e)) from None
    elif name == "help":
        opts.help = True
    elif name == "version":
        opts.version = True
    elif name in tool.global_options:
        opts.extra[name] = value
    elif name in _SSL_OPTIONS and value is not None:
        opts.ssl[name.replace("-", "_")] = value
    # everything else (logging, remote shuffling) is accepted and has no effect here


def parse_command_line(tool: Tool, argv: list[str]) -> tuple[RunOptions, list[ParsedCommand]]:
    opts, local, rest = _parse_globals(tool, argv)
    if opts.help or opts.version:
        return opts, []
    groups: list[list[str]] = [[]]
    for word in rest:
        if word == "--":
            groups.append([])
        else:
            groups[-1].append(word)
    commands: list[ParsedCommand] = []
    first = True
    for group in groups:
        if not group and not (first and local):
            continue
        options: dict[str, str | None] = dict(local) if first else {}
        first = False
        i = 0
        while i < len(group) and group[i].startswith("-"):
            name, eq, value = group[i].partition("=")
            if name in options:
                raise CtlError(f"'{name}' option specified multiple times")
            options[name] = value if eq else None
            i += 1
        if i >= len(group):
            raise CtlError("missing command name (use --help for help)")
        name = group[i]
        spec = tool.commands.get(name)
        if spec is None:
            raise CtlError(f"unknown command '{name}'; use --help for help")
        for opt, value in options.items():
            if opt not in spec.option_names():
                raise CtlError(f"'{name}' command has no '{opt}' option")
            arg = spec.option_arg(opt)
            if arg is True and value is None:
                raise CtlError(f"missing argument to '{opt}' option on '{name}' command")
            if arg is False and value is not None:
                raise CtlError(f"'{opt}' option on '{name}' does not accept an argument")
        args = group[i:]
        n = len(args) - 1
        if n < spec.min_args:
            raise CtlError(f"'{name}' command requires at least {spec.min_args} arguments")
        if n > spec.max_args:
            note = ""
            if any(a.startswith("-") for a in args[1:]):
                note = (' (note that options must precede command names and follow a "--" '
                        "argument)")
            raise CtlError(f"'{name}' command takes at most {spec.max_args} arguments{note}")
        commands.append(ParsedCommand(spec, args, options))
    if not commands:
        raise CtlError("missing command name (use --help for help)")
    return opts, commands
