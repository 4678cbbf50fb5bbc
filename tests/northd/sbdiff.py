"""Differential test of pyovn's northd against the real ovn-northd: same Northbound, same Southbound?

Usage::

    .venv/bin/python tests/northd/sbdiff.py [--only SECTION] [--ignore-keys] [TOPOLOGY...]

A topology (``tests/northd/topologies/NN-name.sh``, by path or by its ``NN`` prefix; none = all)
is a list of ``ovn-nbctl`` command lines. How one comparison runs:

1. *Real side.* In a temp dir, the real ovsdb-server serves a fresh NB and SB; the topology's
   lines are run with the real ovn-nbctl (northd not running yet); the NB is dumped and its
   database file copied; then the real ovn-northd starts, ``ovn-nbctl --wait=sb sync`` waits for
   it to catch up, and the SB and NB are dumped. The result (the NB file and the three dumps) is
   recorded in ``tests/northd/recorded/NAME-HASH/`` (committed: CI compares against these
   recordings, so every run sees the same UUIDs; a changed topology or another real northd
   version has another HASH and is recorded anew), HASH covering the topology text and the real
   northd's version, so later runs skip this step (``--no-cache`` redoes it).
2. *pyovn side.* In another temp dir, real ovsdb-servers serve a copy of that same NB file (so
   both northds see the very same rows and UUIDs: the order in which the real northd visits rows,
   hence its tunnel keys and IPAM choices, depends on them) and a fresh SB; ``python -m pyovn
   northd`` (or ``--pyovn-northd-cmd``) starts with the real one's command line, then the same
   sync and dumps. ``--fresh-nb`` runs the nbctl lines again on this side instead.
3. Both dumps are normalised by :mod:`sbdump` into sections of sorted lines and compared;
   ``known_differences.txt`` lists the accepted ones. Per section with differences a unified diff
   is printed (real ``-``, pyovn ``+``), then one summary line per topology.

Other options: ``--real-only`` prints the real side's normalised dump (for whoever writes northd),
``--pyovn-northd-cmd "CMD"`` replaces the northd under test (``ovn-northd`` there must give zero
differences: it checks the normalisation), ``--keep`` keeps the temp dirs, ``--no-cache``,
``--ignore-hints``, ``--with-source`` (adds the real ``northd.c`` line to the hint lines),
``--known FILE``, ``-j N`` (topologies in parallel), ``--max-lines``, ``-q``.

Every daemon runs in its own process group and is stopped in ``finally`` blocks (and by
:mod:`pyovn.testing.real`'s exit hook); temp dirs go too unless ``--keep``. SIGTERM is turned
into KeyboardInterrupt so that the same cleanup runs. Exit status: 0 no differences, 1
differences, 2 a topology or the real side failed, 130 interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import fnmatch
import hashlib
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import sbdump  # noqa: E402

from pyovn.testing.real import (  # noqa: E402
    DaemonError,
    NorthdProcess,
    RealNorthd,
    RealOvsdbServer,
    find_binary,
    stop_all,
)

TOPOLOGY_DIR = HERE / "topologies"
CACHE_DIR = HERE / "recorded"
KNOWN_DIFFERENCES = HERE / "known_differences.txt"
NORTHD_ARGS = ("--no-chdir", "-vconsole:off")
PYOVN_NORTHD = (sys.executable, "-m", "pyovn", "northd")
CACHE_FORMAT = 1  # bump when what the cache holds changes

__all__ = [
    "Comparison",
    "HarnessError",
    "KnownDifference",
    "Options",
    "RealOnly",
    "SideResult",
    "Topology",
    "compare_snapshots",
    "compare_topology",
    "find_topologies",
    "load_known_differences",
    "main",
    "run_pyovn",
    "run_real",
]


class HarnessError(RuntimeError):
    """The topology or the real side failed: no comparison is possible."""


# --- topologies ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Topology:
    """One topology file: ``ovn-nbctl`` command lines (``\\`` continues a line, ``#`` comments)."""

    path: Path
    text: str
    commands: tuple[tuple[int, tuple[str, ...]], ...]  # (line number, nbctl arguments)

    @property
    def name(self) -> str:
        """The file's stem, or its directory's name for ``DIR/topology.sh`` (several topologies
        share that stem: under one name they would evict each other's recordings)."""
        return self.path.parent.name if self.path.stem == "topology" else self.path.stem

    @property
    def description(self) -> str:
        for line in self.text.splitlines():
            if line.startswith("#"):
                return line.lstrip("#").strip()
        return ""

    @classmethod
    def load(cls, path: Path) -> Topology:
        text = path.read_text()
        commands = []
        pending = ""
        start = 0
        for lineno, raw in enumerate(text.splitlines(), 1):
            if not pending:
                start = lineno
            if raw.rstrip().endswith("\\"):
                pending += raw.rstrip()[:-1] + " "
                continue
            line = (pending + raw).strip()
            pending = ""
            if not line or line.startswith("#"):
                continue
            try:
                argv = shlex.split(line, comments=True)
            except ValueError as exc:
                raise HarnessError(f"{path}:{start}: {exc}") from None
            if argv and argv[0] == "ovn-nbctl":
                argv = argv[1:]
            if not argv:
                continue
            if any(a.startswith(("--wait", "--db")) for a in argv):
                raise HarnessError(f"{path}:{start}: --wait/--db are set by the harness")
            commands.append((start, tuple(argv)))
        if pending:
            raise HarnessError(f"{path}: file ends with a continuation line")
        return cls(path=path, text=text, commands=tuple(commands))


def find_topologies(specs: Sequence[str] = ()) -> list[Topology]:
    """Topologies by path or by ``NN`` prefix (or full stem); all of them when ``specs`` is empty."""
    files = sorted(TOPOLOGY_DIR.glob("*.sh"))
    if not specs:
        return [Topology.load(p) for p in files]
    chosen: list[Path] = []
    for spec in specs:
        p = Path(spec)
        if p.is_file():
            chosen.append(p.resolve())
            continue
        hits = [f for f in files if f.stem == spec or f.stem.split("-", 1)[0] == spec]
        if not hits:
            hits = [f for f in files if f.stem.startswith(spec)]
        if not hits:
            raise HarnessError(f"no topology matches {spec!r} in {TOPOLOGY_DIR}")
        chosen.extend(hits)
    return [Topology.load(p) for p in dict.fromkeys(chosen)]


# --- running one side ----------------------------------------------------------------------------


@dataclass
class SideResult:
    """The raw outcome of one side: dumps (``ovsdb-client -f json dump`` text) and problems."""

    sb: str
    nb_pre: str
    nb_post: str
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    cached: bool = False
    workdir: Path | None = None

    def snapshot(self, *, with_source: bool = False) -> sbdump.Snapshot:
        return sbdump.normalise(
            sbdump.parse_dump(self.sb, "OVN_Southbound"),
            sbdump.parse_dump(self.nb_pre, "OVN_Northbound") if self.nb_pre else {},
            sbdump.parse_dump(self.nb_post, "OVN_Northbound") if self.nb_post else {},
            with_source=with_source,
        )


class Setup:
    """An NB and an SB real ovsdb-server and one northd, all in ``directory``; stops everything on
    exit from the ``with`` block."""

    def __init__(self, directory: Path, *, nb_file: Path | None = None) -> None:
        self.dir = directory
        self.dir.mkdir(parents=True, exist_ok=True)
        db_file = None
        if nb_file is not None:
            db_file = self.dir / "nb.db"
            shutil.copyfile(nb_file, db_file)
        self.nb = RealOvsdbServer(self.dir, "OVN_Northbound", db_file=db_file)
        self.sb = RealOvsdbServer(self.dir, "OVN_Southbound")
        self.northd: NorthdProcess | None = None
        self.nbctl_bin = find_binary("ovn-nbctl") or "ovn-nbctl"

    def __enter__(self) -> Setup:
        try:
            self.nb.start()
            self.sb.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        for d in (self.northd, self.sb, self.nb):
            if d is not None:
                with contextlib.suppress(Exception):
                    d.stop(timeout=3.0)

    def nbctl(
        self,
        args: Sequence[str],
        timeout: float = 20.0,
        alive: Callable[[], bool] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        argv = [self.nbctl_bin, f"--db={self.nb.remote}", f"--timeout={int(timeout)}", *args]
        return _run(argv, timeout=timeout + 10, alive=alive)

    def apply(self, topo: Topology) -> None:
        for lineno, args in topo.commands:
            res = self.nbctl(args)
            if res.returncode != 0:
                raise HarnessError(
                    f"{topo.path.name}:{lineno}: ovn-nbctl {shlex.join(args)}: "
                    f"{res.stderr.strip() or res.stdout.strip()}"
                )

    def start_northd(self, argv_prefix: Sequence[str] | None, ready_timeout: float) -> None:
        """Start a northd: the real ``ovn-northd`` when ``argv_prefix`` is None."""
        if argv_prefix is None:
            self.northd = RealNorthd(
                self.nb.remote,
                self.sb.remote,
                self.dir,
                extra_args=NORTHD_ARGS,
                ready_timeout=ready_timeout,
            )
        else:
            self.northd = NorthdProcess(
                self.nb.remote,
                self.sb.remote,
                self.dir,
                argv_prefix=argv_prefix,
                extra_args=NORTHD_ARGS,
                ready_timeout=ready_timeout,
            )
        self.northd.start()

    def sync(self, timeout: float) -> str | None:
        """``ovn-nbctl --wait=sb sync``: None once northd caught up, else why not."""
        northd = self.northd
        alive = (lambda: northd.running) if northd is not None else None
        res = self.nbctl(["--wait=sb", "sync"], timeout=timeout, alive=alive)
        if res.returncode == 0:
            return None
        tail = self.northd.output_tail(15) if self.northd is not None else ""
        log = _tail(self.northd.log_path, 15) if isinstance(self.northd, NorthdProcess) else ""
        if self.northd is not None and not self.northd.running:
            code = self.northd.proc.returncode if self.northd.proc else "?"
            why = f"northd exited ({code}) before reaching sb_cfg"
        else:
            why = f"northd did not reach sb_cfg within {timeout:g}s"
            why += f" ({res.stderr.strip() or f'exit {res.returncode}'})"
        return f"{why}\n{tail}\n{log}".rstrip()

    def dump(self, database: str) -> str:
        remote = self.nb.remote if database == "OVN_Northbound" else self.sb.remote
        return sbdump.dump_db(remote, database)


def _tail(path: Path, lines: int) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


# Child processes that are not daemons (ovn-nbctl), so that an interrupt can end them at once.
_children: set[subprocess.Popen[str]] = set()
_children_lock = threading.Lock()


def _run(
    argv: Sequence[str], timeout: float, alive: Callable[[], bool] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` to completion; when ``alive()`` turns False first (the northd being waited
    for died), kill it at once instead of waiting out its timeout."""
    with subprocess.Popen(
        list(argv),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as proc:
        with _children_lock:
            _children.add(proc)
        try:
            deadline = time.monotonic() + timeout
            while alive is not None and proc.poll() is None and alive():
                if time.monotonic() > deadline:
                    raise subprocess.TimeoutExpired(proc.args, timeout)
                time.sleep(0.05)
            if alive is not None and proc.poll() is None:
                proc.kill()
            out, err = proc.communicate(timeout=max(0.1, deadline - time.monotonic()))
        except BaseException:
            proc.kill()
            proc.communicate()
            raise
        finally:
            with _children_lock:
                _children.discard(proc)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def _kill_children() -> None:
    with _children_lock:
        procs = list(_children)
    for p in procs:
        with contextlib.suppress(OSError):
            p.kill()
    stop_all()


def _real_version() -> str:
    global _version
    if _version is None:
        northd = find_binary("ovn-northd")
        if northd is None:
            raise HarnessError("the real ovn-northd is not installed")
        res = subprocess.run([northd, "--version"], capture_output=True, text=True, timeout=10)
        _version = res.stdout.strip()
    return _version


_version: str | None = None


def cache_key(topo: Topology) -> str:
    """What the cached real run depends on: the topology text and the real northd's version."""
    h = hashlib.sha256()
    h.update(f"{CACHE_FORMAT}\0{_real_version()}\0".encode())
    h.update(topo.text.encode())
    return h.hexdigest()[:16]


@dataclass
class Options:
    """How to compare; the command line's options."""

    only: tuple[str, ...] = ()
    ignore_keys: bool = False
    ignore_hints: bool = False
    use_cache: bool = True
    keep: bool = False
    fresh_nb: bool = False
    pyovn_cmd: tuple[str, ...] = PYOVN_NORTHD
    timeout: float = 20.0
    ready_timeout: float = 20.0
    with_source: bool = False
    known: list[KnownDifference] = field(default_factory=list)


_CACHE_FILES = ("nb.db", "nb_pre.json", "nb_post.json", "sb.json")


def run_real(topo: Topology, workroot: Path, opts: Options) -> tuple[SideResult, Path]:
    """The real northd's result for ``topo`` (from the cache when there) and the NB file it ran on."""
    entry = CACHE_DIR / f"{topo.name}-{cache_key(topo)}"
    if opts.use_cache and (entry / "meta.json").is_file():
        meta = json.loads((entry / "meta.json").read_text())
        return (
            SideResult(
                sb=(entry / "sb.json").read_text(),
                nb_pre=(entry / "nb_pre.json").read_text(),
                nb_post=(entry / "nb_post.json").read_text(),
                seconds=meta.get("seconds", 0.0),
                cached=True,
            ),
            entry / "nb.db",
        )
    start = time.monotonic()
    side = workroot / "real"
    nb_file = workroot / "nb-pre.db"
    with Setup(side) as s:
        s.apply(topo)
        nb_pre = s.dump("OVN_Northbound")
        shutil.copyfile(s.nb.db_path, nb_file)
        try:
            s.start_northd(None, opts.ready_timeout)
        except DaemonError as exc:
            raise HarnessError(f"{topo.name}: the real ovn-northd did not start: {exc}") from None
        err = s.sync(opts.timeout)
        if err is not None:
            raise HarnessError(f"{topo.name}: the real ovn-northd: {err}")
        result = SideResult(
            sb=s.dump("OVN_Southbound"),
            nb_pre=nb_pre,
            nb_post=s.dump("OVN_Northbound"),
            seconds=time.monotonic() - start,
            workdir=side,
        )
    _store(entry, topo, result, nb_file)
    return result, nb_file


def _store(entry: Path, topo: Topology, result: SideResult, nb_file: Path) -> None:
    """Write a cache entry atomically (a temp dir renamed) and drop older ones of the topology."""
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{entry.name}.", dir=CACHE_DIR))
    try:
        shutil.copyfile(nb_file, tmp / "nb.db")
        (tmp / "nb_pre.json").write_text(result.nb_pre)
        (tmp / "nb_post.json").write_text(result.nb_post)
        (tmp / "sb.json").write_text(result.sb)
        meta = {"topology": topo.name, "version": _real_version(), "seconds": result.seconds}
        (tmp / "meta.json").write_text(json.dumps(meta, indent=1) + "\n")
        for old in CACHE_DIR.iterdir():
            if old != entry and re.fullmatch(re.escape(topo.name) + r"-[0-9a-f]{16}", old.name):
                shutil.rmtree(old, ignore_errors=True)
        with contextlib.suppress(OSError):  # another run stored the same entry meanwhile
            os.replace(tmp, entry)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run_pyovn(
    topo: Topology, workroot: Path, nb_file: Path, real: SideResult, opts: Options
) -> SideResult:
    """Run the northd under test (``opts.pyovn_cmd``) on a copy of ``nb_file`` (or, with
    ``fresh_nb``, on an NB built again from the topology) and dump what it wrote."""
    start = time.monotonic()
    side = workroot / "pyovn"
    errors: list[str] = []
    with Setup(side, nb_file=None if opts.fresh_nb else nb_file) as s:
        if opts.fresh_nb:
            s.apply(topo)
            nb_pre = s.dump("OVN_Northbound")
        else:
            nb_pre = real.nb_pre
        try:
            s.start_northd(opts.pyovn_cmd, opts.ready_timeout)
        except DaemonError as exc:
            errors.append(f"northd did not start: {exc}")
        else:
            err = s.sync(opts.timeout)
            if err is not None:
                errors.append(err)
        return SideResult(
            sb=s.dump("OVN_Southbound"),
            nb_pre=nb_pre,
            nb_post=s.dump("OVN_Northbound"),
            errors=errors,
            seconds=time.monotonic() - start,
            workdir=side,
        )


# --- comparing -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class KnownDifference:
    """One line of ``known_differences.txt``: ``TOPOLOGY SECTION REGEX  # reason``."""

    topology: str  # fnmatch pattern on the topology name, or its NN prefix
    section: str  # fnmatch pattern on the section name
    regex: re.Pattern[str]  # searched in the differing line (without its -/+)
    reason: str

    def applies(self, topology: str, section: str, line: str) -> bool:
        if not (
            fnmatch.fnmatchcase(topology, self.topology)
            or topology.split("-", 1)[0] == self.topology
        ):
            return False
        return fnmatch.fnmatchcase(section, self.section) and self.regex.search(line) is not None


_REASON = re.compile(r"\s+#(\s.*)?$")


def load_known_differences(path: Path = KNOWN_DIFFERENCES) -> list[KnownDifference]:
    known: list[KnownDifference] = []
    if not path.exists():
        return known
    for lineno, raw in enumerate(path.read_text().splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        m = _REASON.search(line)
        reason = (m.group(1) or "").strip() if m else ""
        if m:
            line = line[: m.start()]
        parts = line.split(None, 2)
        if len(parts) != 3:
            raise HarnessError(f"{path}:{lineno}: expected TOPOLOGY SECTION REGEX  # reason")
        try:
            regex = re.compile(parts[2])
        except re.error as exc:
            raise HarnessError(f"{path}:{lineno}: bad regex: {exc}") from None
        known.append(KnownDifference(parts[0], parts[1], regex, reason))
    return known


@dataclass
class SectionDiff:
    name: str
    missing: list[str]  # lines only the real northd produced
    extra: list[str]  # lines only pyovn produced
    accepted: int  # differing lines that known_differences.txt accepts
    diff: list[str]  # unified diff (real '-', pyovn '+') of what is left

    @property
    def count(self) -> int:
        return len(self.missing) + len(self.extra)


@dataclass
class Comparison:
    """The outcome of one topology."""

    topology: str
    real_flows: int
    pyovn_flows: int
    sections: list[SectionDiff]
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    workdir: Path | None = None

    @property
    def flow_diff(self) -> SectionDiff | None:
        return next((s for s in self.sections if s.name == sbdump.FLOW_SECTION), None)

    @property
    def other_differences(self) -> int:
        return sum(s.count for s in self.sections if s.name != sbdump.FLOW_SECTION)

    @property
    def accepted(self) -> int:
        return sum(s.accepted for s in self.sections)

    @property
    def ok(self) -> bool:
        return not self.errors and all(s.count == 0 for s in self.sections)

    def summary(self) -> str:
        f = self.flow_diff
        missing, extra = (len(f.missing), len(f.extra)) if f else (0, 0)
        text = (
            f"{self.topology}: flows real={self.real_flows} pyovn={self.pyovn_flows} "
            f"missing={missing} extra={extra}; other tables: {self.other_differences} differences"
        )
        notes = [
            f"{s.name} {s.count}"
            for s in self.sections
            if s.count and s.name != sbdump.FLOW_SECTION
        ]
        if notes:
            text += " (" + ", ".join(notes) + ")"
        if self.accepted:
            text += f"; {self.accepted} accepted"
        if self.errors:
            text += "; ERROR: " + self.errors[0].splitlines()[0]
        return text

    def report(self, max_lines: int = 0) -> Iterator[str]:
        """The diffs of the sections that differ, then the errors."""
        for s in self.sections:
            if not s.count:
                continue
            yield f"=== {self.topology}: {s.name}: {len(s.missing)} missing, {len(s.extra)} extra"
            lines = s.diff
            if max_lines and len(lines) > max_lines:
                yield from lines[:max_lines]
                yield f"... {len(lines) - max_lines} more diff lines (--max-lines 0 shows all)"
            else:
                yield from lines
        for e in self.errors:
            yield f"=== {self.topology}: error"
            yield e


def section_order(names: Iterable[str]) -> list[str]:
    first = [sbdump.FLOW_SECTION, sbdump.HINT_SECTION]
    last = [sbdump.KEYS_SECTION, sbdump.NB_SECTION]
    names = set(names)
    middle = sorted(names - set(first) - set(last))
    return [n for n in first if n in names] + middle + [n for n in last if n in names]


def selected(section: str, opts: Options) -> bool:
    if opts.ignore_keys and section == sbdump.KEYS_SECTION:
        return False
    if opts.ignore_hints and section == sbdump.HINT_SECTION:
        return False
    if opts.only:
        return any(fnmatch.fnmatch(section.lower(), o.lower()) for o in opts.only)
    return True


def _minus(lines: list[str], drop: Counter[str]) -> list[str]:
    left = Counter(drop)
    out = []
    for line in lines:
        if left[line] > 0:
            left[line] -= 1
            continue
        out.append(line)
    return out


def compare_snapshots(
    topology: str, real: sbdump.Snapshot, pyovn: sbdump.Snapshot, opts: Options
) -> Comparison:
    """Section by section: what only the real side has (missing) and only pyovn has (extra)."""
    sections = []
    for name in section_order(set(real) | set(pyovn)):
        if not selected(name, opts):
            continue
        r = real.get(name, [])
        p = pyovn.get(name, [])
        rc, pc = Counter(r), Counter(p)
        missing_c, extra_c = rc - pc, pc - rc
        ok_missing: Counter[str] = Counter()
        ok_extra: Counter[str] = Counter()
        for counter, ok in ((missing_c, ok_missing), (extra_c, ok_extra)):
            for line, n in counter.items():
                if any(k.applies(topology, name, line) for k in opts.known):
                    ok[line] = n
        missing_c -= ok_missing
        extra_c -= ok_extra
        r_kept, p_kept = _minus(r, ok_missing), _minus(p, ok_extra)
        diff: list[str] = []
        if missing_c or extra_c:
            diff = list(
                difflib.unified_diff(
                    r_kept, p_kept, f"real/{name}", f"pyovn/{name}", lineterm="", n=1
                )
            )
        sections.append(
            SectionDiff(
                name=name,
                missing=sorted(missing_c.elements()),
                extra=sorted(extra_c.elements()),
                accepted=sum(ok_missing.values()) + sum(ok_extra.values()),
                diff=diff,
            )
        )
    return Comparison(
        topology=topology,
        real_flows=len(real.get(sbdump.FLOW_SECTION, [])),
        pyovn_flows=len(pyovn.get(sbdump.FLOW_SECTION, [])),
        sections=sections,
    )


@contextlib.contextmanager
def _workroot(topo: Topology, keep: bool) -> Iterator[Path]:
    root = Path(tempfile.mkdtemp(prefix=f"sbdiff-{topo.name[:24]}-"))
    try:
        yield root
    finally:
        if not keep:
            shutil.rmtree(root, ignore_errors=True)


def compare_topology(topo: Topology, opts: Options) -> Comparison:
    """Run both sides on ``topo`` and compare them (raises :class:`HarnessError` when the topology
    or the real side fails)."""
    start = time.monotonic()
    with _workroot(topo, opts.keep) as root:
        real, nb_file = run_real(topo, root, opts)
        mine = run_pyovn(topo, root, nb_file, real, opts)
        cmp = compare_snapshots(
            topo.name,
            real.snapshot(with_source=opts.with_source),
            mine.snapshot(with_source=opts.with_source),
            opts,
        )
        cmp.errors.extend(mine.errors)
        cmp.seconds = time.monotonic() - start
        cmp.workdir = root if opts.keep else None
    return cmp


@dataclass
class RealOnly:
    """The real side alone (``--real-only``): its normalised dump."""

    topology: str
    snapshot: sbdump.Snapshot
    side: SideResult
    workdir: Path | None


def real_only(topo: Topology, opts: Options) -> RealOnly:
    """Run (or take from the cache) the real side and normalise its dump."""
    with _workroot(topo, opts.keep) as root:
        real, _ = run_real(topo, root, opts)
        snap = real.snapshot(with_source=opts.with_source)
        return RealOnly(topo.name, snap, real, root if opts.keep else None)


# --- command line --------------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="sbdiff.py",
        description="Compare the Southbound pyovn's northd writes with the real ovn-northd's.",
    )
    p.add_argument(
        "topologies", nargs="*", metavar="TOPOLOGY", help="file, or NN prefix (default: all)"
    )
    p.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="SECTION",
        help="compare only this section (table name, fnmatch pattern; repeatable)",
    )
    p.add_argument("--ignore-keys", action="store_true", help="leave out the tunnel_keys section")
    p.add_argument(
        "--ignore-hints", action="store_true", help="leave out the Logical_Flow.hint section"
    )
    p.add_argument(
        "--real-only",
        action="store_true",
        help="run only the real northd and print its normalised dump",
    )
    p.add_argument(
        "--keep", action="store_true", help="keep the temp dirs (their paths are printed)"
    )
    p.add_argument(
        "--no-cache", action="store_true", help="run the real side again and refresh the cache"
    )
    p.add_argument(
        "--fresh-nb",
        action="store_true",
        help="build the pyovn side's NB from the topology again (other UUIDs) instead of a copy",
    )
    p.add_argument(
        "--pyovn-northd-cmd",
        metavar="CMD",
        help="command of the northd under test (default: %(default)s)",
        default=shlex.join(PYOVN_NORTHD),
    )
    p.add_argument(
        "--timeout", type=float, default=20.0, help="seconds to wait for sb_cfg (default 20)"
    )
    p.add_argument(
        "--with-source",
        action="store_true",
        help="add the real northd.c source line to Logical_Flow.hint lines",
    )
    p.add_argument(
        "--known",
        type=Path,
        default=KNOWN_DIFFERENCES,
        metavar="FILE",
        help="accepted differences (default: %(default)s)",
    )
    p.add_argument("-j", "--jobs", type=int, default=1, help="topologies compared in parallel")
    p.add_argument(
        "--max-lines",
        type=int,
        default=200,
        help="diff lines printed per section, 0 = all (default 200)",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="print only the summary lines")
    return p


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    opts = Options(
        only=tuple(args.only),
        ignore_keys=args.ignore_keys,
        ignore_hints=args.ignore_hints,
        use_cache=not args.no_cache,
        keep=args.keep,
        fresh_nb=args.fresh_nb,
        pyovn_cmd=tuple(shlex.split(args.pyovn_northd_cmd)),
        timeout=args.timeout,
        with_source=args.with_source,
    )
    try:
        opts.known = load_known_differences(args.known)
        topos = find_topologies(args.topologies)
        _real_version()
    except HarnessError as exc:
        print(f"sbdiff: {exc}", file=sys.stderr)
        return 2
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _on_sigterm)
        # Also when started in the background by a script (SIGINT ignored): Ctrl-C / kill -INT.
        signal.signal(signal.SIGINT, signal.default_int_handler)

    def work(topo: Topology) -> Comparison | RealOnly:
        if args.real_only:
            return real_only(topo, opts)
        return compare_topology(topo, opts)

    start = time.monotonic()
    failed = differing = 0
    pool = ThreadPoolExecutor(max_workers=max(1, args.jobs))
    try:
        futures: list[Future[Comparison | RealOnly]] = [pool.submit(work, t) for t in topos]
        for topo, fut in zip(topos, futures):
            try:
                res = fut.result()
            except (HarnessError, DaemonError, RuntimeError, subprocess.SubprocessError) as exc:
                failed += 1
                print(f"{topo.name}: ERROR {exc}", flush=True)
                continue
            if isinstance(res, Comparison):
                if not args.quiet:
                    for line in res.report(args.max_lines):
                        print(line)
                if res.workdir is not None:
                    print(f"{topo.name}: kept {res.workdir}")
                print(res.summary(), flush=True)
                differing += not res.ok
            else:
                _print_real(res, opts, args.quiet)
    except KeyboardInterrupt:
        print("sbdiff: interrupted", file=sys.stderr)
        _kill_children()
        pool.shutdown(wait=True, cancel_futures=True)
        _kill_children()
        return 130
    except BrokenPipeError:  # e.g. piped into head: stop quietly, still cleaning up
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        _kill_children()
        pool.shutdown(wait=True, cancel_futures=True)
        return 1
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    total = time.monotonic() - start
    if len(topos) > 1 or args.real_only:
        kind = "real-only" if args.real_only else "compared"
        print(
            f"sbdiff: {len(topos)} topologies {kind} in {total:.1f}s: "
            f"{len(topos) - failed - differing} ok, {differing} differ, {failed} errors"
        )
    if failed:
        return 2
    return 1 if differing else 0


def _print_real(res: RealOnly, opts: Options, quiet: bool) -> None:
    snap = res.snapshot
    if not quiet:
        for name in section_order(snap):
            if not selected(name, opts) or (not snap[name] and not opts.only):
                continue
            print(f"=== {res.topology}: {name} ({len(snap[name])} lines)")
            for line in snap[name]:
                print(line)
    if res.workdir is not None:
        print(f"{res.topology}: kept {res.workdir}")
    src = "cache" if res.side.cached else f"{res.side.seconds:.2f}s"
    print(
        f"{res.topology}: flows real={len(snap.get(sbdump.FLOW_SECTION, []))} ({src})", flush=True
    )


if __name__ == "__main__":
    sys.exit(main())
