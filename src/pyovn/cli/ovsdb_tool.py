"""``pyovn ovsdb-tool``: the command line of Open vSwitch's ovsdb-tool(1).

Options are parsed like getopt_long (they may follow the command, long options may be
abbreviated, ``-mm`` counts twice); the commands themselves are :mod:`pyovn.ovsdb.tool`'s.
Error texts (``ovsdb-tool: ...``) and exit codes are the real tool's: 0 success, 1 error, 2
"false" for the test commands.
"""

from __future__ import annotations

import sys
from typing import Any

from pyovn.ovsdb.tool import COMMANDS, OVS_VERSION, PROGRAM, ToolError, ToolExit, fatal, usage

# ---------------------------------------------------------------------------------------------
# Options (getopt_long semantics) and main
# ---------------------------------------------------------------------------------------------

# long option -> takes an argument: "no", "required", "optional"
_LONG = {"more": "no", "rbac-role": "required", "cid": "required", "verbose": "optional",
         "election-timer": "required",
         "help": "no", "option": "no", "version": "no", "log-file": "optional"}
_SHORT = {"m": "more", "h": "help", "o": "option", "V": "version", "v": "verbose"}


def parse_options(argv: list[str]) -> tuple[dict, list[str]]:
    opts: dict[str, Any] = {"more": 0, "rbac-role": None}
    positional: list[str] = []
    i = 0
    while i < len(argv):
        a = argv[i]
        i += 1
        if a == "--":
            positional.extend(argv[i:])
            break
        if a.startswith("--"):
            name, eq, value = a[2:].partition("=")
            matches = [n for n in _LONG if n.startswith(name)]
            if name in _LONG:
                matches = [name]
            if len(matches) != 1:
                what = "ambiguous" if matches else "unrecognized"
                fatal(f"{what} option '--{name}'" if what == "unrecognized"
                       else f"option '--{name}' is ambiguous")
            name = matches[0]
            kind = _LONG[name]
            if kind == "no" and eq:
                fatal(f"option '--{name}' doesn't allow an argument")
            if kind == "required" and not eq:
                if i >= len(argv):
                    fatal(f"option '--{name}' requires an argument")
                value = argv[i]
                i += 1
            _apply_option(opts, name, value if (eq or kind == "required") else None)
        elif a.startswith("-") and a != "-":
            j = 1
            while j < len(a):
                c = a[j]
                j += 1
                short = _SHORT.get(c)
                if short is None:
                    fatal(f"invalid option -- '{c}'")
                if short == "verbose":
                    _apply_option(opts, short, a[j:] or None)
                    break
                _apply_option(opts, short, None)
        else:
            positional.append(a)
    return opts, positional


def _apply_option(opts: dict, name: str, value: str | None) -> None:
    if name == "more":
        opts["more"] += 1
    elif name == "help":
        usage()
    elif name == "version":
        sys.stdout.write(f"{PROGRAM} (Open vSwitch) {OVS_VERSION} (pyovn)\n")
        raise ToolExit(0)
    elif name == "option":
        for n, kind in _LONG.items():
            sys.stdout.write(f"--{n}{'=ARG' if kind == 'required' else '[=ARG]' if kind == 'optional' else ''}\n")
        raise ToolExit(0)
    else:
        # --verbose, --log-file: accepted; pyovn's tool logs nothing worth configuring.
        opts[name] = value


def main(argv: list[str]) -> int:
    try:
        opts, args = parse_options(argv)
        if not args:
            fatal("missing command name; use --help for help")
        name, cargs = args[0], args[1:]
        entry = COMMANDS.get(name)
        if entry is None:
            fatal(f"unknown command '{name}'; use --help for help")
        lo, hi, run, _ = entry
        if len(cargs) < lo:
            fatal(f"'{name}' command requires at least {lo} arguments")
        if len(cargs) > hi:
            fatal(f"'{name}' command takes at most {hi} arguments")
        run(cargs, opts)
        sys.stdout.flush()
        return 0
    except ToolExit as e:
        sys.stdout.flush()
        return e.code
    except ToolError as e:
        sys.stdout.flush()
        sys.stderr.write(f"{PROGRAM}: {e}\n")
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
