"""Differential runner for the ctl tools: the same command lines through two tool sets, compared.

How it works. A corpus file is plain text, one scenario per block::

    # a comment (anywhere)
    ## scenario: switch ports
    $ ovn-nbctl ls-add sw0
    $ ovn-nbctl lsp-add sw0 p1
    $ ovn-nbctl show                          # unordered

Each scenario runs against FRESH databases: for every tool the scenario uses, the side's server
factory starts one server on a new database (``ovn-nbctl`` → OVN_Northbound, ``ovn-sbctl`` →
OVN_Southbound, ``ovs-vsctl`` → Open_vSwitch) in a temp dir, at most once per scenario. The
``$`` lines run in order (split like a shell would, never through a shell) with the tool name
replaced by the side's command prefix; the database is passed as the real tools expect it:
``OVN_NB_DB`` / ``OVN_SB_DB`` in the environment, ``--db=unix:…`` first for ``ovs-vsctl``. Every
line's stdout, stderr and exit status are recorded.

Both sides' transcripts are normalised, per scenario, before comparing:
  * UUIDs become ``<0>``, ``<1>`` … in order of first appearance (stdout, then stderr), and so
    does the first word of one in ``uuid=0x1234abcd`` (``lflow-list --uuid``);
    labels inside one ``[…]`` are sorted, since OVSDB orders UUID sets by the random UUID value;
  * at line start, the program name (``ovn-nbctl:``, or the candidate's, e.g. ``nbctl:``) becomes
    ``<tool>:``; the scenario's temp dir becomes ``<dir>``; vlog time stamps become ``<time>``.
A line tagged ``# unordered`` prints rows in hash order (``show``, ``list``, ``find`` on several
rows): there, UUIDs not seen before become ``<?>`` (no label is assigned from a random order),
JSON ``data`` rows are sorted, and other output is sorted as a tree: paragraphs (a blank line
then an unindented line) and, inside them, lines with their more-indented children.

A ``<N>`` in a command's arguments stands for the UUID this side labelled ``<N>`` in earlier
output (``dhcp-options-set-options <0> …``), so scenarios can name rows that have no name.

:func:`run_corpus` returns the list of :class:`Difference`; ``python -m pyovn.testing.ctl_diff``
prints a summary (see ``--help``); ``--show`` prints one side's normalised transcript, which is
how new corpus lines are checked while writing them. Examples::

    python -m pyovn.testing.ctl_diff tests/cli/ctl_corpus/*.txt --candidate-pyovn
    python -m pyovn.testing.ctl_diff CORPUS --candidate 'pyovn nbctl' --candidate-server pyovn
    python -m pyovn.testing.ctl_diff CORPUS --candidate-server 'python -m pyovn ovsdb-server'
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from pyovn.testing.real import OvsdbServerProcess, find_binary

__all__ = [
    "TOOLS",
    "CommandLine",
    "CommandResult",
    "Difference",
    "Normalizer",
    "Scenario",
    "ScenarioRun",
    "ToolSet",
    "compare_runs",
    "main",
    "parse_corpus",
    "pyovn_server_factory",
    "pyovn_tools",
    "real_server_factory",
    "real_tools",
    "run_corpus",
    "run_scenario",
]


@dataclass(frozen=True, slots=True)
class ToolSpec:
    """How a ctl tool finds its database."""

    db: str  # database (schema) name
    env: str | None  # environment variable naming the remote, or None: pass --db=


TOOLS: dict[str, ToolSpec] = {
    "ovn-nbctl": ToolSpec("OVN_Northbound", "OVN_NB_DB"),
    "ovn-sbctl": ToolSpec("OVN_Southbound", "OVN_SB_DB"),
    "ovs-vsctl": ToolSpec("Open_vSwitch", None),
}

# Environment variables that would redirect a tool elsewhere than the scenario's servers.
_SCRUB_ENV = (
    "OVN_NB_DB",
    "OVN_SB_DB",
    "OVN_NB_DAEMON",
    "OVN_SB_DAEMON",
    "OVS_RUNDIR",
    "OVS_DBDIR",
    "OVS_LOGDIR",
    "OVN_RUNDIR",
    "OVN_DBDIR",
    "OVN_LOGDIR",
    "OVS_CTL_TIMEOUT",
)


# --- corpus ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CommandLine:
    """One ``$`` line of a scenario."""

    tool: str
    args: tuple[str, ...]
    text: str  # the line as written, without the tag
    lineno: int
    unordered: bool = False


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    path: str
    lineno: int
    commands: tuple[CommandLine, ...]

    @property
    def tools(self) -> list[str]:
        seen: list[str] = []
        for c in self.commands:
            if c.tool not in seen:
                seen.append(c.tool)
        return seen


_TAG_RE = re.compile(r"\s+#\s*unordered\s*$")


def parse_corpus(text: str, path: str = "<corpus>") -> list[Scenario]:
    """Parse corpus text into scenarios; raises ValueError naming the line on bad syntax."""
    scenarios: list[Scenario] = []
    name: str | None = None
    start = 0
    commands: list[CommandLine] = []

    def flush() -> None:
        if name is not None:
            if not commands:
                raise ValueError(f"{path}:{start}: scenario {name!r} has no commands")
            scenarios.append(Scenario(name, path, start, tuple(commands)))

    names: set[str] = set()
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip()
        if line.startswith("##"):
            flush()
            name = line[2:].strip()
            if name.lower().startswith("scenario:"):
                name = name[len("scenario:") :].strip()
            if not name or name in names:
                raise ValueError(f"{path}:{lineno}: missing or duplicate scenario name {name!r}")
            names.add(name)
            start, commands = lineno, []
        elif line.startswith("$"):
            if name is None:
                raise ValueError(f"{path}:{lineno}: command before any '## scenario' header")
            body = line[1:].strip()
            unordered = bool(_TAG_RE.search(body))
            body = _TAG_RE.sub("", body)
            try:
                words = shlex.split(body)
            except ValueError as exc:
                raise ValueError(f"{path}:{lineno}: {exc}") from None
            if not words or words[0] not in TOOLS:
                raise ValueError(f"{path}:{lineno}: unknown tool in {body!r}")
            commands.append(CommandLine(words[0], tuple(words[1:]), body, lineno, unordered))
        elif line.strip() == "" or line.lstrip().startswith("#"):
            continue
        else:
            raise ValueError(f"{path}:{lineno}: expected '## name', '$ command' or '# comment'")
    flush()
    return scenarios


def load_corpus(paths: Iterable[str | os.PathLike[str]]) -> list[Scenario]:
    out: list[Scenario] = []
    for p in paths:
        out.extend(parse_corpus(Path(p).read_text(), os.fspath(p)))
    return out


# --- tool sets and servers ---------------------------------------------------------------------


class _Server(Protocol):
    @property
    def remote(self) -> str: ...

    def start(self) -> object: ...

    def stop(self, timeout: float = ...) -> int | None: ...


ServerFactory = Callable[[str, Path], _Server]
"""(database name, directory) → an unstarted server whose ``start()`` makes ``remote`` serve."""


def real_server_factory(db: str, directory: Path) -> _Server:
    """The real ``ovsdb-server`` on a fresh database."""
    return OvsdbServerProcess(directory, db)


def pyovn_server_factory(db: str, directory: Path) -> _Server:
    """pyovn's ``ovsdb-server`` (and ``ovsdb-tool create``) on a fresh database."""
    py = [sys.executable, "-m", "pyovn"]
    return OvsdbServerProcess(
        directory, db, argv_prefix=[*py, "ovsdb-server"], tool_prefix=[*py, "ovsdb-tool"]
    )


@dataclass
class ToolSet:
    """One side of the comparison: the command prefix of each tool and the server factory.

    ``prog_names`` are extra program names the side's tools print before ``:`` in messages; the
    real names are always recognised.
    """

    name: str
    commands: dict[str, list[str]]
    server_factory: ServerFactory = real_server_factory
    prog_names: tuple[str, ...] = ()

    def prefix(self, tool: str) -> list[str]:
        try:
            argv = list(self.commands[tool])
        except KeyError:
            raise ValueError(f"tool set {self.name!r} has no command for {tool}") from None
        if argv and os.sep not in argv[0]:
            argv[0] = find_binary(argv[0]) or argv[0]
        return argv

    def all_prog_names(self) -> list[str]:
        names = set(TOOLS) | set(self.prog_names)
        for argv in self.commands.values():
            words = [os.path.basename(w) for w in argv if not w.startswith("-")]
            words = [w for w in words if not w.startswith("python")]
            if words:
                names.add(words[-1])
                names.add(" ".join(words))
                names.add("-".join(words))
        return sorted(names, key=len, reverse=True)


def real_tools(server_factory: ServerFactory = real_server_factory) -> ToolSet:
    """The real ``ovn-nbctl``, ``ovn-sbctl`` and ``ovs-vsctl``."""
    return ToolSet("real", {t: [t] for t in TOOLS}, server_factory)


def pyovn_tools(server_factory: ServerFactory = real_server_factory) -> ToolSet:
    """pyovn's ``nbctl``, ``sbctl`` and ``vsctl`` (``python -m pyovn <tool>``)."""
    py = [sys.executable, "-m", "pyovn"]
    cmds = {"ovn-nbctl": [*py, "nbctl"], "ovn-sbctl": [*py, "sbctl"], "ovs-vsctl": [*py, "vsctl"]}
    return ToolSet("pyovn", cmds, server_factory, prog_names=("pyovn",))


# --- running -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CommandResult:
    status: int | str  # exit status, or "timeout"
    stdout: str
    stderr: str


@dataclass
class ScenarioRun:
    """One side's raw transcript of one scenario."""

    scenario: Scenario
    results: list[CommandResult] = field(default_factory=list)  # raw
    normalized: list[CommandResult] = field(default_factory=list)
    setup_error: str | None = None
    directory: str = ""
    prog_names: Sequence[str] = ()
    seconds: float = 0.0


def _base_env(directory: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _SCRUB_ENV}
    for var in ("OVS_RUNDIR", "OVS_DBDIR", "OVS_LOGDIR", "OVN_RUNDIR", "OVN_DBDIR", "OVN_LOGDIR"):
        env[var] = str(directory)
    env["LC_ALL"] = "C"
    return env


def run_scenario(scenario: Scenario, tools: ToolSet, *, timeout: float = 20.0) -> ScenarioRun:
    """Run ``scenario`` with ``tools`` on fresh servers, normalising the transcript as it goes.

    A ``<N>`` in a command's arguments stands for the UUID this side labelled ``<N>`` in an
    earlier line's output, so a scenario can refer to rows created without a name.
    """
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="ctl-diff-") as tmp:
        directory = Path(tmp)
        run = ScenarioRun(scenario, directory=tmp, prog_names=tools.all_prog_names())
        norm = Normalizer(tmp, run.prog_names)
        servers: list[_Server] = []
        env = _base_env(directory)
        remotes: dict[str, str] = {}
        try:
            for tool in scenario.tools:
                spec = TOOLS[tool]
                if spec.db in remotes:
                    continue
                server = tools.server_factory(spec.db, directory)
                servers.append(server)
                try:
                    server.start()
                except Exception as exc:  # report, don't crash the whole corpus run
                    run.setup_error = f"starting {spec.db} server: {exc}"
                    return run
                remotes[spec.db] = server.remote
            for spec in TOOLS.values():
                if spec.env and spec.db in remotes:
                    env[spec.env] = remotes[spec.db]
            for cmd in scenario.commands:
                spec = TOOLS[cmd.tool]
                argv = tools.prefix(cmd.tool)
                if spec.env is None:
                    argv.append(f"--db={remotes[spec.db]}")
                argv.extend(norm.resolve(a) for a in cmd.args)
                result = _run_command(argv, env, directory, timeout)
                run.results.append(result)
                run.normalized.append(norm.result(result, unordered=cmd.unordered))
        finally:
            for server in reversed(servers):
                server.stop()
            run.seconds = time.monotonic() - t0
    return run


def _run_command(argv: list[str], env: dict[str, str], cwd: Path, timeout: float) -> CommandResult:
    try:
        res = subprocess.run(
            argv, capture_output=True, env=env, cwd=cwd, timeout=timeout, stdin=subprocess.DEVNULL
        )
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode(errors="replace") if exc.stdout else ""
        err = exc.stderr.decode(errors="replace") if exc.stderr else ""
        return CommandResult("timeout", out, err)
    except OSError as exc:
        return CommandResult("exec-error", "", str(exc))
    return CommandResult(
        res.returncode, res.stdout.decode(errors="replace"), res.stderr.decode(errors="replace")
    )


# --- normalisation -----------------------------------------------------------------------------

_UUID_RE = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)
_TIME_RE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z\|\d+\|")
_INDEX_ERROR_RE = re.compile(
    r"First row, with UUID ([0-9a-fA-F-]{36}), ([^.]*)\.  Second row, with UUID ([0-9a-fA-F-]{36}), ([^.]*)\."
)
_SHORT_UUID_RE = re.compile(r"(\buuid=0x)([0-9a-fA-F]{8})\b")
_LABEL_RE = re.compile(r"<\d+>")
_LABEL_LIST_RE = re.compile(r"\[(<\d+>(?:, <\d+>)+)\]")


class Normalizer:
    """Per-scenario normalisation state: the UUID → label map."""

    def __init__(self, directory: str = "", prog_names: Sequence[str] = ()) -> None:
        self.labels: dict[str, str] = {}
        self._reverse: dict[str, str] = {}
        self.directory = directory
        names = sorted(set(prog_names) | set(TOOLS), key=len, reverse=True)
        # getopt prints the program as invoked (e.g. "/usr/bin/ovs-vsctl: unrecognized option"):
        # a directory in front of the name is not a difference.
        self._prog_re = re.compile(
            r"^(?:/[^\s:]*/)?(?:" + "|".join(re.escape(n) for n in names) + r"):", re.MULTILINE
        )

    def resolve(self, arg: str) -> str:
        """Replace ``<N>`` labels in a command argument by the UUIDs they stand for."""
        if "<" not in arg:
            return arg
        if not self._reverse or len(self._reverse) != len(self.labels):
            self._reverse = {v: k for k, v in self.labels.items()}
        return _LABEL_RE.sub(lambda m: self._reverse.get(m.group(0), m.group(0)), arg)

    def _label(self, m: re.Match[str], *, assign: bool) -> str:
        u = m.group(0).lower()
        label = self.labels.get(u)
        if label is None:
            if not assign:
                return "<?>"
            label = f"<{len(self.labels)}>"
            self.labels[u] = label
        return label

    def _short_label(self, m: re.Match[str], *, assign: bool) -> str:
        # "uuid=0x1234abcd" (lflow-list --uuid): the label of the UUID it begins, or a label of
        # its own ("0x1234abcd" then stands for it in later arguments).
        prefix = m.group(2).lower()
        for u, label in self.labels.items():
            if u.startswith(prefix):
                return f"{m.group(1)}{label}"
        label = self.labels.get("0x" + prefix)
        if label is None:
            if not assign:
                return f"{m.group(1)}<?>"
            label = self.labels["0x" + prefix] = f"<{len(self.labels)}>"
        return f"{m.group(1)}{label}"

    def text(self, s: str, *, unordered: bool = False) -> str:
        s = _INDEX_ERROR_RE.sub(_order_index_error, s)
        if self.directory:
            s = s.replace(self.directory, "<dir>")
            real = os.path.realpath(self.directory)
            if real != self.directory:
                s = s.replace(real, "<dir>")
        s = _TIME_RE.sub("<time>|", s)
        s = self._prog_re.sub("<tool>:", s)
        s = _UUID_RE.sub(lambda m: self._label(m, assign=not unordered), s)
        s = _SHORT_UUID_RE.sub(lambda m: self._short_label(m, assign=not unordered), s)
        s = _LABEL_LIST_RE.sub(_sort_labels, s)
        if unordered:
            s = canonical_order(s)
        return s

    def result(self, r: CommandResult, *, unordered: bool = False) -> CommandResult:
        out = self.text(r.stdout, unordered=unordered)
        err = self.text(r.stderr, unordered=unordered)
        return CommandResult(r.status, out, err)


def _order_index_error(m: re.Match[str]) -> str:
    # ovsdb-server names the two rows of an index violation in hash order; put the row that
    # "existed in the database" first, so labels do not depend on that order.
    first, second = (m.group(1), m.group(2)), (m.group(3), m.group(4))
    if first[1] > second[1]:
        first, second = second, first
    return (
        f"First row, with UUID {first[0]}, {first[1]}.  "
        f"Second row, with UUID {second[0]}, {second[1]}."
    )


def _sort_labels(m: re.Match[str]) -> str:
    labels = sorted(m.group(1).split(", "), key=lambda x: int(x[1:-1]))
    return "[" + ", ".join(labels) + "]"


def canonical_order(s: str) -> str:
    """Output whose row order is meaningless, in a canonical order (see the module docstring)."""
    stripped = s.strip()
    if stripped.startswith("{"):
        try:
            doc = json.loads(stripped)
        except ValueError:
            doc = None
        if isinstance(doc, dict) and isinstance(doc.get("data"), list):
            doc["data"] = sorted(doc["data"], key=lambda row: json.dumps(row, sort_keys=True))
            return json.dumps(doc, sort_keys=True, separators=(",", ":")) + "\n"
    # A paragraph starts after a blank line at the left margin; blank lines before indented
    # lines (ha-chassis-group-list) belong to the tree and are dropped.
    paragraphs = re.split(r"\n\s*\n(?=\S)", s.strip("\n"))
    canon = sorted(
        _tree_sort([line for line in p.split("\n") if line.strip()])
        for p in paragraphs
        if p.strip()
    )
    return "\n\n".join(canon) + ("\n" if canon else "")


def _tree_sort(lines: list[str]) -> str:
    """Sort lines with their more-indented children, recursively."""
    blocks: list[str] = []
    i = 0
    while i < len(lines):
        head = lines[i]
        indent = len(head) - len(head.lstrip())
        j = i + 1
        while j < len(lines) and len(lines[j]) - len(lines[j].lstrip()) > indent:
            j += 1
        children = _tree_sort(lines[i + 1 : j]) if j > i + 1 else ""
        blocks.append(head + ("\n" + children if children else ""))
        i = j
    return "\n".join(sorted(blocks))


def normalize_run(run: ScenarioRun) -> list[CommandResult]:
    """The normalised transcript of one side (computed while running)."""
    return run.normalized


# --- comparing ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Difference:
    """One mismatch. ``field`` is ``stdout``, ``stderr``, ``status`` or ``setup``."""

    path: str
    scenario: str
    lineno: int
    command: str
    field: str
    reference: str
    candidate: str

    def format(self) -> str:
        head = f"{self.path}:{self.lineno}: [{self.scenario}] {self.field}: $ {self.command}"
        if self.field in ("status", "setup"):
            return f"{head}\n  reference: {self.reference}\n  candidate: {self.candidate}"
        return (
            f"{head}\n"
            f"  reference: {_indent(self.reference)}\n"
            f"  candidate: {_indent(self.candidate)}"
        )


def _indent(s: str) -> str:
    s = s if s.endswith("\n") or not s else s + "\n"
    return repr(s) if "\n" not in s[:-1] else "\n    | " + s[:-1].replace("\n", "\n    | ")


def compare_runs(ref: ScenarioRun, cand: ScenarioRun) -> list[Difference]:
    """Differences between two sides' transcripts of the same scenario, after normalisation."""
    sc = ref.scenario
    if ref.setup_error or cand.setup_error:
        return [
            Difference(
                sc.path,
                sc.name,
                sc.lineno,
                "(server start)",
                "setup",
                ref.setup_error or "ok",
                cand.setup_error or "ok",
            )
        ]
    diffs: list[Difference] = []
    for cmd, a, b in zip(sc.commands, normalize_run(ref), normalize_run(cand)):
        for fld in ("status", "stdout", "stderr"):
            va, vb = getattr(a, fld), getattr(b, fld)
            if va != vb:
                diffs.append(
                    Difference(sc.path, sc.name, cmd.lineno, cmd.text, fld, str(va), str(vb))
                )
    return diffs


@dataclass
class CorpusReport:
    differences: list[Difference]
    scenarios: int
    commands: dict[str, int]  # per tool
    seconds: float
    runs: list[tuple[ScenarioRun, ScenarioRun]]


def run_corpus(
    corpus: Sequence[str | os.PathLike[str]] | str | os.PathLike[str],
    reference: ToolSet | None = None,
    candidate: ToolSet | None = None,
    *,
    jobs: int | None = None,
    only: str | None = None,
) -> list[Difference]:
    """Run corpus file(s) on both tool sets and return the differences (empty: they agree)."""
    return run_corpus_report(corpus, reference, candidate, jobs=jobs, only=only).differences


def run_corpus_report(
    corpus: Sequence[str | os.PathLike[str]] | str | os.PathLike[str],
    reference: ToolSet | None = None,
    candidate: ToolSet | None = None,
    *,
    jobs: int | None = None,
    only: str | None = None,
) -> CorpusReport:
    """Like :func:`run_corpus`, with counts, timing and the raw transcripts."""
    paths = [corpus] if isinstance(corpus, str | os.PathLike) else list(corpus)
    scenarios = load_corpus(paths)
    if only:
        scenarios = [s for s in scenarios if re.search(only, s.name)]
    reference = reference or real_tools()
    candidate = candidate or real_tools()
    jobs = jobs or min(8, (os.cpu_count() or 2) * 2)
    t0 = time.monotonic()

    def both(sc: Scenario) -> tuple[ScenarioRun, ScenarioRun]:
        return run_scenario(sc, reference), run_scenario(sc, candidate)

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        runs = list(pool.map(both, scenarios))
    diffs = [d for ref, cand in runs for d in compare_runs(ref, cand)]
    counts: dict[str, int] = {}
    for sc in scenarios:
        for c in sc.commands:
            counts[c.tool] = counts.get(c.tool, 0) + 1
    return CorpusReport(diffs, len(scenarios), counts, time.monotonic() - t0, runs)


# --- command line ------------------------------------------------------------------------------


def _parse_candidate(values: list[str], server: ServerFactory) -> ToolSet:
    commands: dict[str, list[str]] = {t: [t] for t in TOOLS}
    short = {t.split("-", 1)[1]: t for t in TOOLS}  # nbctl → ovn-nbctl
    for v in values:
        if "=" in v.split(" ", 1)[0]:
            tool, cmd = v.split("=", 1)
            if tool not in TOOLS and tool not in short:
                raise SystemExit(f"unknown tool {tool!r} in --candidate {v!r}")
            commands[short.get(tool, tool)] = shlex.split(cmd)
        else:
            argv = shlex.split(v)
            last = os.path.basename(argv[-1]) if argv else ""
            found = short.get(last) or (last if last in TOOLS else None)
            if found is None:
                raise SystemExit(
                    f"--candidate {v!r}: cannot tell which tool it replaces; use TOOL=COMMAND"
                )
            commands[found] = argv
    return ToolSet("candidate", commands, server)


def _server_arg(value: str) -> ServerFactory:
    if value == "real":
        return real_server_factory
    if value == "pyovn":
        return pyovn_server_factory
    argv = shlex.split(value)

    def factory(db: str, directory: Path) -> _Server:
        # "CMD" runs as the server; CMD's own "ovsdb-tool" sibling is assumed to be the real one.
        return OvsdbServerProcess(directory, db, argv_prefix=argv)

    return factory


def _print_transcript(run: ScenarioRun) -> None:
    sc = run.scenario
    print(f"## {sc.name}    ({sc.path}:{sc.lineno}, {run.seconds:.2f}s)")
    if run.setup_error:
        print(f"!! setup: {run.setup_error}")
        return
    for cmd, r in zip(sc.commands, normalize_run(run)):
        tag = "   # unordered" if cmd.unordered else ""
        print(f"$ {cmd.text}{tag}")
        for line in r.stdout.splitlines():
            print(f"  | {line}")
        for line in r.stderr.splitlines():
            print(f"  ! {line}")
        if r.status != 0:
            print(f"  ? exit {r.status}")
    print()


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m pyovn.testing.ctl_diff",
        description="Run ctl corpus files on a reference and a candidate tool set and compare.",
    )
    ap.add_argument("corpus", nargs="+", help="corpus file(s) (tests/cli/ctl_corpus/*.txt)")
    ap.add_argument(
        "--candidate",
        action="append",
        default=[],
        metavar="[TOOL=]COMMAND",
        help="candidate command for a tool, e.g. 'pyovn nbctl' or 'ovs-vsctl=pyovn vsctl' "
        "(repeatable; tools not given use the real ones)",
    )
    ap.add_argument(
        "--candidate-pyovn",
        action="store_true",
        help="candidate = python -m pyovn nbctl/sbctl/vsctl",
    )
    ap.add_argument(
        "--candidate-server",
        default="real",
        help="'real', 'pyovn' or a server command prefix (default: real)",
    )
    ap.add_argument(
        "--reference-server",
        default="real",
        help="as --candidate-server; a command prefix creates databases with the real ovsdb-tool",
    )
    ap.add_argument("--jobs", "-j", type=int, default=None, help="scenarios run in parallel")
    ap.add_argument("--only", help="regex: run only scenarios whose name matches")
    ap.add_argument(
        "--show",
        choices=("reference", "candidate"),
        help="print that side's normalised transcript",
    )
    args = ap.parse_args(argv)

    cand_server = _server_arg(args.candidate_server)
    if args.candidate_pyovn:
        candidate = pyovn_tools(cand_server)
    else:
        candidate = _parse_candidate(args.candidate, cand_server)
    reference = real_tools(_server_arg(args.reference_server))
    try:
        report = run_corpus_report(
            args.corpus, reference, candidate, jobs=args.jobs, only=args.only
        )
    except ValueError as exc:
        print(f"corpus error: {exc}", file=sys.stderr)
        return 2
    if args.show:
        for ref, cand in report.runs:
            _print_transcript(ref if args.show == "reference" else cand)
    for d in report.differences:
        print(d.format())
    per_tool = ", ".join(f"{t}: {n}" for t, n in sorted(report.commands.items()))
    n_cmds = sum(report.commands.values())
    bad = len({(d.path, d.scenario) for d in report.differences})
    print(
        f"{report.scenarios} scenarios, {n_cmds} command lines ({per_tool}); "
        f"{len(report.differences)} differences in {bad} scenarios; {report.seconds:.1f}s"
    )
    return 1 if report.differences else 0


if __name__ == "__main__":
    sys.exit(main())
