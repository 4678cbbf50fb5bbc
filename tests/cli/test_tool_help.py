"""`pyovn TOOL --help` for the tools with an argparse command line: exit 0, and every option
and argument is described; `pyovn --help` lists every tool."""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys

import pytest

from pyovn.cli.main import TOOLS

ARGPARSE_TOOLS = ["trace", "northd", "controller", "ovsdb-server", "sandbox", "lint"]


def _pyovn(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pyovn", *args], capture_output=True,
                          text=True, timeout=60)


@pytest.mark.parametrize("tool", ARGPARSE_TOOLS)
def test_every_option_is_described(tool: str) -> None:
    parser: argparse.ArgumentParser = importlib.import_module(TOOLS[tool][0])._parser()
    bare = [a.option_strings[-1] if a.option_strings else a.dest for a in parser._actions
            if not a.help]
    assert not bare, f"pyovn {tool} --help lists {bare} without a description"
    assert ":class:" not in parser.format_help() and "``" not in parser.format_help()


@pytest.mark.parametrize("tool", [*ARGPARSE_TOOLS, "ovsdb-tool", "ovsdb-client"])
def test_help_exits_zero_with_text(tool: str) -> None:
    done = _pyovn(tool, "--help")
    assert done.returncode == 0, done.stderr
    assert "usage:" in done.stdout and len(done.stdout.splitlines()) > 10


def test_pyovn_help_lists_every_tool() -> None:
    done = _pyovn("--help")
    assert done.returncode == 0
    for name in TOOLS:
        assert f"  {name} " in done.stdout
