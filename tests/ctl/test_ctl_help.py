"""`pyovn nbctl|sbctl|vsctl --help`: every registered command and accepted option is in it, and
every command the real tool knows is either in it or declared unimplemented."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from pyovn.ctl import helptext, nbctl, sbctl, vsctl
from pyovn.ctl.options import COMMON_OPTIONS
from pyovn.ctl.registry import Tool
from pyovn.testing.real import find_binary

TOOLS = {"nbctl": nbctl.TOOL, "sbctl": sbctl.TOOL, "vsctl": vsctl.TOOL}
IDS = list(TOOLS)


def _flat(text: str) -> str:
    return " ".join(text.split())


def _pyovn(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pyovn", *args], capture_output=True,
                          text=True, timeout=60)


@pytest.mark.parametrize("name", IDS)
def test_every_registered_command_is_in_help(name: str) -> None:
    tool = TOOLS[name]
    text = _flat(helptext.render(tool))
    missing = [c.name for c in tool.commands.values()
               if _flat(helptext.synopsis(c)) not in text]
    assert not missing, f"{tool.prog} --help lacks {missing}"


@pytest.mark.parametrize("name", IDS)
def test_every_registered_command_is_described(name: str) -> None:
    tool = TOOLS[name]
    described = helptext.described_commands(tool.prog)
    missing = sorted(set(tool.commands) - set(described))
    assert not missing, (f"no description for {tool.prog} commands {missing}: add them to the "
                         "sections in pyovn/ctl/helptext.py")
    assert "Other commands:" not in helptext.render(tool)
    # Declared unimplemented but registered meanwhile: the help leaves it out of that list.
    block = next((b for b in helptext.render(tool).split("\n\n")
                  if b.startswith("Not implemented")), "")
    listed = set(block.split(":", 1)[-1].replace(",", " ").split())
    assert not listed & set(tool.commands)


@pytest.mark.parametrize("name", IDS)
def test_every_accepted_option_is_documented(name: str) -> None:
    tool = TOOLS[name]
    accepted = set(COMMON_OPTIONS) | set(tool.global_options)
    missing = sorted(accepted - helptext.documented_options(tool.prog))
    assert not missing, f"{tool.prog}: options accepted but not in --help: {missing}"
    text = helptext.render(tool)
    assert all(f"--{o}" in text for o in accepted)
    # and nothing documented that the tool would refuse
    options_part = text[text.index("\nOptions:\n"):]
    for flag in re.findall(r"(?<![\w-])--([a-z][a-z-]*)", options_part):
        assert flag in accepted or flag in {"format", "data"} or \
            flag in tool.all_command_options() or f"--{flag}" in tool.all_command_options(), flag


def _real_commands(binary: str) -> set[str]:
    """The commands the real tool lists: its ``--commands`` output (its own command table) and
    the command lines of its ``--help``."""
    out: set[str] = set()
    listing = subprocess.run([binary, "--commands"], capture_output=True, text=True, timeout=30)
    for line in listing.stdout.splitlines():
        fields = line.split(",")
        if len(fields) >= 2 and fields[1]:
            out.add(fields[1])
    usage = subprocess.run([binary, "--help"], capture_output=True, text=True, timeout=30)
    for line in usage.stdout.splitlines():
        if re.match(r"^\S.*options:$", line, re.IGNORECASE) or line == "Options:":
            break  # the rest lists options and connection methods
        m = re.match(r"^  (?:\[[^\]]*\] )*([a-z][a-z0-9-]*)(?=\s|$)", line)
        if m:
            out.add(m.group(1))
    return out


@pytest.mark.parametrize("name", IDS)
def test_real_tools_commands_are_in_help(name: str) -> None:
    tool = TOOLS[name]
    binary = find_binary(tool.prog)
    if binary is None:
        reason = f"{tool.prog} is not installed: cannot compare with the real tool's commands"
        print(f"skipping: {reason}")
        pytest.skip(reason)
    real = _real_commands(binary)
    assert len(real) > 10, f"could not read {tool.prog}'s commands"
    text = helptext.render(tool)
    flat = _flat(text)
    unimplemented = set(helptext.UNIMPLEMENTED[tool.prog])
    missing = []
    for cmd in sorted(real):
        if cmd in tool.commands:
            assert _flat(helptext.synopsis(tool.commands[cmd])) in flat
        elif cmd in unimplemented:
            assert re.search(rf"(?<![\w-]){re.escape(cmd)}(?![\w-])", text), cmd
        else:
            missing.append(cmd)
    print(f"{tool.prog}: {len(real)} real commands, "
          f"{len(real & unimplemented - set(tool.commands))} declared unimplemented")
    assert not missing, (f"{tool.prog} has {missing}, which pyovn neither registers nor lists "
                         "in helptext.UNIMPLEMENTED")


@pytest.mark.parametrize("name", IDS)
def test_cli_help_and_version(name: str) -> None:
    tool: Tool = TOOLS[name]
    long, short = _pyovn(name, "--help"), _pyovn(name, "-h")
    assert long.returncode == 0 and short.returncode == 0, long.stderr + short.stderr
    assert long.stdout == short.stdout == helptext.render(tool)
    assert long.stdout.startswith(f"pyovn {name} ({tool.prog})")
    assert f"usage: {tool.prog} [OPTIONS] COMMAND" in long.stdout
    assert all(len(line) <= helptext.WIDTH for line in long.stdout.splitlines())
    version = _pyovn(name, "--version")
    assert version.returncode == 0 and version.stdout.startswith(tool.prog)


def test_help_text_is_not_imported_by_a_normal_run() -> None:
    code = ("import sys; from pyovn.ctl import nbctl, sbctl, vsctl; "
            "from pyovn.ctl.options import parse_command_line; "
            "parse_command_line(nbctl.TOOL, ['ls-list']); "
            "print('pyovn.ctl.helptext' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert done.stdout.strip() == "False", done.stderr
