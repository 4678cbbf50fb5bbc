"""``pyovn compat DIR``: shims named like the real OVN/OVS binaries, so scripts run pyovn.

Each shim is a two-line ``sh`` script, ``exec <this python> -m pyovn <tool> "$@"``, written for
every real binary name whose pyovn tool exists (:data:`pyovn.cli.main.TOOLS`, read at run time).
With ``PATH=DIR:$PATH`` a test suite or script written for the real OVN starts pyovn's programs
unchanged. ``pyovn compat --list`` prints the mapping (real name, pyovn tool) and writes nothing.
``--force`` replaces existing files that are not pyovn shims.
"""

from __future__ import annotations

import os
import shlex
import sys

from pyovn.cli.main import TOOLS

PROGRAM = "pyovn compat"
MARKER = "# pyovn compat shim"

# real binary name -> pyovn tool
REAL_NAMES: dict[str, str] = {
    "ovsdb-server": "ovsdb-server",
    "ovsdb-tool": "ovsdb-tool",
    "ovsdb-client": "ovsdb-client",
    "ovn-nbctl": "nbctl",
    "ovn-sbctl": "sbctl",
    "ovs-vsctl": "vsctl",
    "ovn-trace": "trace",
    "ovn-northd": "northd",
    "ovn-controller": "controller",
    "ovs-appctl": "appctl",
}


def mapping() -> dict[str, str]:
    """The real names that have a pyovn tool in this installation."""
    return {real: tool for real, tool in REAL_NAMES.items() if tool in TOOLS}


def shim_text(tool: str, python: str | None = None) -> str:
    py = shlex.quote(python or sys.executable)
    return f'#!/bin/sh\n{MARKER}\nexec {py} -m pyovn {tool} "$@"\n'


def write_shims(directory: str, *, force: bool = False) -> list[str]:
    """Write the shims into ``directory`` (created if needed); return the paths written."""
    os.makedirs(directory, exist_ok=True)
    written = []
    for real, tool in mapping().items():
        path = os.path.join(directory, real)
        if os.path.lexists(path) and not force:
            try:
                with open(path) as f:
                    ours = MARKER in f.read(4096)
            except (OSError, UnicodeDecodeError):
                ours = False
            if not ours:
                raise FileExistsError(f"{path}: exists and is not a pyovn shim (use --force)")
        tmp = f"{path}.tmp{os.getpid()}"
        with open(tmp, "w") as f:
            f.write(shim_text(tool))
        os.chmod(tmp, 0o755)
        os.replace(tmp, path)
        written.append(path)
    return written


def main(argv: list[str]) -> int:
    args = list(argv)
    if not args or args[0] in ("-h", "--help"):
        print(f"usage: {PROGRAM} [--force] DIR\n       {PROGRAM} --list\n\n"
              "Writes executable shims named like the real OVN/OVS binaries into DIR, each "
              "running the pyovn tool of that name.")
        return 0 if args else 2
    if "--list" in args:
        for real, tool in mapping().items():
            print(f"{real:<16} pyovn {tool}")
        return 0
    force = "--force" in args
    rest = [a for a in args if a != "--force"]
    if len(rest) != 1 or rest[0].startswith("-"):
        print(f"{PROGRAM}: exactly one directory expected", file=sys.stderr)
        return 2
    try:
        for path in write_shims(rest[0], force=force):
            print(path)
    except (OSError, FileExistsError) as e:
        print(f"{PROGRAM}: {e}", file=sys.stderr)
        return 1
    return 0
