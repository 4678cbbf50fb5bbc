"""sbdiff's inputs and its two sides: the topologies, the options (with the accepted differences
of ``known_differences.txt``), and running one side, the real ovn-northd (recorded in
``tests/northd/recorded/``) or the northd under test on a copy of the same NB, each with its own
real ovsdb-servers in a temp dir. How a comparison runs is told in :mod:`sbdiff`.
"""

from __future__ import annotations

import contextlib
import fnmatch
import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import sbdump  # noqa: E402

from pyovn.testing.real import (  # noqa: E402
    DaemonError,
    NorthdProcess,
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
    "HarnessError",
    "KnownDifference",
    "Options",
    "SideResult",
    "Topology",
    "find_topologies",
    "kill_children",
    "load_known_differences",
    "real_version",
    "run_pyovn",
    "run_real",
    "temp_root",
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


# --- options, known differences ------------------------------------------------------------------


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
        self.northd = NorthdProcess(
            self.nb.remote,
            self.sb.remote,
            self.dir,
            argv_prefix=("ovn-northd",) if argv_prefix is None else argv_prefix,
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


def kill_children() -> None:
    with _children_lock:
        procs = list(_children)
    for p in procs:
        with contextlib.suppress(OSError):
            p.kill()
    stop_all()


def real_version() -> str:
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
    h.update(f"{CACHE_FORMAT}\0{real_version()}\0".encode())
    h.update(topo.text.encode())
    return h.hexdigest()[:16]


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
        meta = {"topology": topo.name, "version": real_version(), "seconds": result.seconds}
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


@contextlib.contextmanager
def temp_root(topo: Topology, keep: bool) -> Iterator[Path]:
    """A temp dir for one topology's sides; removed afterwards unless ``keep``."""
    root = Path(tempfile.mkdtemp(prefix=f"sbdiff-{topo.name[:24]}-"))
    try:
        yield root
    finally:
        if not keep:
            shutil.rmtree(root, ignore_errors=True)
