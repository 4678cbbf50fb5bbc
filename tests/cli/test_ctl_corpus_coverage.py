"""The ctl differential corpus covers every command of ovn-nbctl(8), ovn-sbctl(8) and ovs-vsctl(8).

The commands, their command options and their argument counts are read from the installed man
pages (the roff source: every ``.TP`` tag and ``.IP``/``.IQ`` tag under ``.SH COMMANDS``, leading
``[--option]`` groups stripped, the first word that looks like a command name). These checks
are static: they read the corpus files, and the comparison against the real tools is done by
the corpus tests that run those files (test_nbctl_corpus, test_sbctl, test_vsctl). For each tool:

  * every command of the man page appears in some corpus line;
  * every option the man page writes before a command (``[--may-exist] lsp-add …``) appears
    with that command;
  * every command with a documented argument count is run at least once with a wrong number of
    arguments (fewer than the least, or more than the most the synopsis allows), so its
    argument checking is compared too.

Without the man pages, the checked-in copy of what they say (ctl_corpus/man_commands.json,
written from OVN 23.03's and OVS 3.1's pages by this file's parser) stands in for them; with
them, a test checks that copy is still what they say.

The real tools also list their commands with every option they accept (``ovn-nbctl --commands``:
``[--may-exist] [--fair] ,meter-add,!NAME ...``), some of which the man pages do not mention
(meter-add --may-exist, lb-add --template); a last test checks those commands and options are
in the corpus too.
"""

from __future__ import annotations

import gzip
import json
import re
import shlex
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from pyovn.testing.ctl_diff import load_corpus

ROOT = Path(__file__).resolve().parents[1]
CORPUS_DIR = ROOT / "cli" / "ctl_corpus"
SNAPSHOT = CORPUS_DIR / "man_commands.json"

# The corpus files each tool's lines are compared from against pyovn's tool (see the tests that
# run them): remotes.txt runs only real-against-real, so it does not count here.
CORPORA = {
    "ovn-nbctl": sorted(CORPUS_DIR.glob("nbctl*.txt")),
    "ovn-sbctl": sorted(CORPUS_DIR.glob("sbctl*.txt")),
    "ovs-vsctl": [*sorted(CORPUS_DIR.glob("vsctl*.txt")), ROOT / "ctl" / "generic_corpus.txt"],
}

# Tags under COMMANDS that are not commands: the values listed for lsp-set-addresses and
# lsp-set-type, the atomic types of "Database Commands", the arguments of set-ssl.
NOT_COMMANDS = frozenset((
    "an", "unknown", "dynamic", "router", "localnet", "localport", "l2gateway", "vtep",
    "integer", "real", "string", "private-key", "certificate", "ca-cert",
))

# Options that cannot be compared without daemons the corpus does not run: lflow-list (and its
# other name dump-flows) --ovs reads flows from a running ovs-vswitchd; --stats needs --ovs.
UNCOMPARABLE_OPTIONS = {
    ("ovn-sbctl", "lflow-list", "--ovs"),
    ("ovn-sbctl", "lflow-list", "--stats"),
    ("ovn-sbctl", "dump-flows", "--ovs"),
    ("ovn-sbctl", "dump-flows", "--stats"),
}

# Commands the real tools have (their --commands lists them) but their man pages do not, and
# pyovn does not implement (pyovn.ctl.helptext.UNIMPLEMENTED lists them too): none left.
UNDOCUMENTED_UNIMPLEMENTED: set[tuple[str, str]] = set()

# Commands whose wrong argument count is not compared: the real ovn-nbctl 23.03 crashes
# (SIGSEGV) on "lsp-set-port-security" without arguments.
UNCHECKED_ARG_COUNTS = {("ovn-nbctl", "lsp-set-port-security")}


@dataclass
class ManCommand:
    name: str
    options: set[str] = field(default_factory=set)
    min_args: int | None = None
    max_args: int | None = None  # None: unbounded ("...")
    synopses: list[str] = field(default_factory=list)


_FONT = re.compile(r"\\f(?:\(..|\[[^]]*\]|.)")
_LEADING = re.compile(r"^(?:\[[^][]*(?:\[[^][]*\][^][]*)*\]\s*|--\S+\s*)")
_NAME = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")


def man_source(tool: str) -> str | None:
    """The roff source of ``tool``'s section 8 page, or None without man."""
    if shutil.which("man") is None:
        return None
    res = subprocess.run(["man", "-w", f"{tool}"], capture_output=True, text=True, check=False)
    path = res.stdout.strip()
    if res.returncode != 0 or not path or not Path(path).exists():
        return None
    data = Path(path).read_bytes()
    if path.endswith(".gz"):
        data = gzip.decompress(data)
    return data.decode(errors="replace")


def _plain(s: str) -> str:
    s = _FONT.sub("", s)
    for a, b in (("\\-", "-"), ("\\[char46]", "."), ("\\(cq", "'"), ("\\ ", " "), ("\\~", " "),
                 ("\\&", ""), ("\\%", ""), ("\\e", "\\")):
        s = s.replace(a, b)
    return s.strip()


def _tags(roff: str) -> list[str]:
    lines = roff.splitlines()
    out: list[str] = []
    in_commands = False
    for i, line in enumerate(lines):
        if line.startswith(".SH"):
            in_commands = line[3:].strip().strip('"') == "COMMANDS"
        elif not in_commands:
            continue
        elif line.startswith(".TP") and i + 1 < len(lines):
            out.append(_plain(lines[i + 1]))
        elif m := re.match(r'\.I[PQ]\s+"(.*?)"?\s*$', line):
            out.append(_plain(m.group(1)))
    return out


def _arg_counts(synopsis: str) -> tuple[int, int | None]:
    depth = least = most = 0
    unbounded = "..." in synopsis
    # Brackets inside a word ("column[:key]=value", "[key=]value") are not optional arguments.
    synopsis = re.sub(r"(?<=[^\s\[])\[[^][\s]*\]|\[[^][\s]*\](?=[^\s\][.])", "", synopsis)
    for word in re.findall(r"[][]|[^][\s]+", synopsis):
        if word == "[":
            depth += 1
        elif word == "]":
            depth -= 1
        elif word != "|" and word.strip("."):
            most += 1
            if depth == 0:
                least += 1
    return least, None if unbounded else most


def man_commands(roff: str) -> dict[str, ManCommand]:
    """Commands of a ctl man page, in order: name → options, argument counts."""
    out: dict[str, ManCommand] = {}
    for tag in _tags(roff):
        rest = tag
        while (stripped := _LEADING.sub("", rest, count=1)) != rest:
            rest = stripped
        words = rest.split(None, 1)
        if not words or not _NAME.fullmatch(words[0]) or words[0] in NOT_COMMANDS:
            continue
        name, args = words[0], (words[1] if len(words) > 1 else "")
        cmd = out.setdefault(name, ManCommand(name))
        cmd.synopses.append(tag)
        prefix = tag[: len(tag) - len(rest)]
        cmd.options.update(re.findall(r"--[a-z][a-z0-9_-]*", prefix))
        least, most = _arg_counts(args)
        cmd.min_args = least if cmd.min_args is None else min(cmd.min_args, least)
        if most is None or (cmd.max_args is None and len(cmd.synopses) > 1):
            cmd.max_args = None
        else:
            cmd.max_args = most if len(cmd.synopses) == 1 else max(cmd.max_args or 0, most)
    return out


@dataclass(frozen=True)
class Invocation:
    """One command of a corpus line: its name, its options and its argument count."""

    name: str
    options: frozenset[str]
    nargs: int
    where: str


def corpus_invocations(tool: str, commands: set[str]) -> list[Invocation]:
    out: list[Invocation] = []
    for sc in load_corpus(CORPORA[tool]):
        for line in sc.commands:
            if line.tool != tool:
                continue
            out.extend(_split_line(line.args, commands, f"{sc.path}:{line.lineno}"))
    return out


def _split_line(args: tuple[str, ...], commands: set[str], where: str) -> list[Invocation]:
    # Global options come first; then commands separated by "--", each with its own options.
    segments: list[list[str]] = [[]]
    for a in args:
        if a == "--":
            segments.append([])
        else:
            segments[-1].append(a)
    out = []
    for seg in segments:
        # Options are before the command name; a global option with a separate value
        # (--db X) is not used by the corpus.
        i = next((k for k, a in enumerate(seg) if not a.startswith("-")), None)
        if i is None:
            continue
        name = seg[i]
        if name not in commands:
            continue
        opts = [a.split("=", 1)[0] for a in seg[:i] if a.startswith("--")]
        rest = seg[i + 1 :]
        out.append(Invocation(name, frozenset(opts), len(rest), where))
    return out


TOOLS = ("ovn-nbctl", "ovn-sbctl", "ovs-vsctl")


def snapshot_commands(tool: str) -> dict[str, ManCommand]:
    """The checked-in copy of what :func:`man_commands` read from ``tool``'s man page."""
    data = json.loads(SNAPSHOT.read_text())[tool]
    return {
        name: ManCommand(name, set(d["options"]), d["min_args"], d["max_args"])
        for name, d in data.items()
    }


@pytest.fixture(scope="module", params=TOOLS)
def documented(request: pytest.FixtureRequest) -> tuple[str, dict[str, ManCommand]]:
    tool = request.param
    roff = man_source(tool)
    if roff is None:
        # Without the man page (Docker images often leave /usr/share/man out), the checked-in
        # copy of what it says (test_snapshot_matches_the_man_pages keeps it honest).
        print(f"no {tool}(8) man page installed: using {SNAPSHOT.name}")
        return tool, snapshot_commands(tool)
    cmds = man_commands(roff)
    assert len(cmds) >= 20, f"only {len(cmds)} commands read from {tool}(8): the parser is off"
    return tool, cmds


@pytest.mark.parametrize("tool", TOOLS)
def test_snapshot_matches_the_man_pages(tool: str) -> None:
    roff = man_source(tool)
    if roff is None:
        reason = f"no {tool}(8) man page installed (man -w {tool} failed): nothing to check"
        print(f"skipping: {reason}")
        pytest.skip(reason)
    got = {
        c.name: (sorted(c.options), c.min_args, c.max_args) for c in man_commands(roff).values()
    }
    want = {
        c.name: (sorted(c.options), c.min_args, c.max_args)
        for c in snapshot_commands(tool).values()
    }
    assert got == want, f"{SNAPSHOT} is out of date for {tool}(8): regenerate it"


def test_every_documented_command_is_in_the_corpus(
    documented: tuple[str, dict[str, ManCommand]],
) -> None:
    tool, cmds = documented
    used = {inv.name for inv in corpus_invocations(tool, set(cmds))}
    missing = [c for c in cmds if c not in used]
    print(f"{tool}: {len(cmds)} documented commands, {len(cmds) - len(missing)} in the corpus")
    assert not missing, f"{tool} commands not in the corpus: {' '.join(missing)}"


def test_every_documented_command_option_is_in_the_corpus(
    documented: tuple[str, dict[str, ManCommand]],
) -> None:
    tool, cmds = documented
    seen: set[tuple[str, str]] = set()
    for inv in corpus_invocations(tool, set(cmds)):
        seen.update((inv.name, o) for o in inv.options)
    missing = [
        f"{o} {c.name}"
        for c in cmds.values()
        for o in sorted(c.options)
        if (c.name, o) not in seen and (tool, c.name, o) not in UNCOMPARABLE_OPTIONS
    ]
    assert not missing, f"{tool} command options not in the corpus: {', '.join(missing)}"


def test_every_command_argument_count_is_checked(
    documented: tuple[str, dict[str, ManCommand]],
) -> None:
    tool, cmds = documented
    wrong: set[str] = set()
    for inv in corpus_invocations(tool, set(cmds)):
        c = cmds[inv.name]
        if (c.min_args is not None and inv.nargs < c.min_args) or (
            c.max_args is not None and inv.nargs > c.max_args
        ):
            wrong.add(inv.name)
    missing = [
        c.name
        for c in cmds.values()
        if c.name not in wrong and not (c.min_args == 0 and c.max_args is None)
        and (tool, c.name) not in UNCHECKED_ARG_COUNTS
    ]
    assert not missing, (
        f"{tool} commands never run with a wrong argument count: {' '.join(missing)}"
    )


def real_tool_commands(tool: str) -> dict[str, set[str]] | None:
    """``TOOL --commands`` of the installed real tool: command → its options; None without it."""
    binary = shutil.which(tool)
    if binary is None:
        return None
    res = subprocess.run([binary, "--commands"], capture_output=True, text=True, check=False,
                         timeout=30)
    out: dict[str, set[str]] = {}
    for line in res.stdout.splitlines():
        options, _, rest = line.partition(",")
        name = rest.partition(",")[0]
        if name:
            out[name] = set(re.findall(r"--[a-z][a-z0-9_-]*", options))
    return out


@pytest.mark.parametrize("tool", TOOLS)
def test_every_command_and_option_the_real_tool_lists_is_in_the_corpus(tool: str) -> None:
    cmds = real_tool_commands(tool)
    if not cmds:
        reason = f"{tool} is not installed (or lists no commands): nothing to compare with"
        print(f"skipping: {reason}")
        pytest.skip(reason)
    invocations = corpus_invocations(tool, set(cmds))
    used = {inv.name for inv in invocations}
    seen = {(inv.name, o) for inv in invocations for o in inv.options}
    missing = [c for c in cmds if c not in used and (tool, c) not in UNDOCUMENTED_UNIMPLEMENTED]
    missing += [
        f"{o} {c}"
        for c, options in cmds.items()
        for o in sorted(options)
        if (c, o) not in seen and (tool, c, o) not in UNCOMPARABLE_OPTIONS
        and (tool, c) not in UNDOCUMENTED_UNIMPLEMENTED
    ]
    print(f"{tool}: {len(cmds)} commands in --commands")
    assert not missing, f"{tool} --commands lists, the corpus lacks: {', '.join(missing)}"


# --- the parser itself, on a made-up page --------------------------------------------------------

_SAMPLE = r""".SH "OPTIONS"
.TP
\fBnot\-a\-command\fR
.SH "COMMANDS"
.SS "Things"
.TP
[\fB\-\-may\-exist\fR] \fBthing\-add\fR \fIname\fR [\fIextra\fR]
Adds.
.RS
.TP
\fBunknown\fR
a value, not a command
.RE
.TP
[\fB\-\-if\-exists\fR] [\fB\-\-bfd\fR[=\fIUUID\fR]] \fBthing\-del\fR \fIname\fR\[char46]\[char46]\[char46]
.IP "\fB\-\-all destroy \fItable\fR"
.IQ "\fBcomment\fR [\fIarg\fR]..."
.SH "SEE ALSO"
.TP
\fBafter\fR
"""


def test_man_parser_on_a_sample() -> None:
    cmds = man_commands(_SAMPLE)
    assert list(cmds) == ["thing-add", "thing-del", "destroy", "comment"]
    assert cmds["thing-add"].options == {"--may-exist"}
    assert (cmds["thing-add"].min_args, cmds["thing-add"].max_args) == (1, 2)
    assert cmds["thing-del"].options == {"--if-exists", "--bfd"}
    assert (cmds["thing-del"].min_args, cmds["thing-del"].max_args) == (1, None)
    assert cmds["destroy"].options == {"--all"}
    assert (cmds["comment"].min_args, cmds["comment"].max_args) == (0, None)


def test_corpus_line_splitting() -> None:
    words = tuple(shlex.split("--no-wait --may-exist add-br br0 -- --if-exists del-br br1 x"))
    invs = _split_line(words, {"add-br", "del-br"}, "t")
    assert [(i.name, sorted(i.options), i.nargs) for i in invs] == [
        ("add-br", ["--may-exist", "--no-wait"], 1),
        ("del-br", ["--if-exists"], 2),
    ]
