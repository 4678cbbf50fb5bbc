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
import os
import shlex
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import sbdump  # noqa: E402
from sbsides import (  # noqa: E402
    KNOWN_DIFFERENCES,
    PYOVN_NORTHD,
    HarnessError,
    Options,
    SideResult,
    Topology,
    find_topologies,
    kill_children,
    load_known_differences,
    real_version,
    run_pyovn,
    run_real,
    temp_root,
)

from pyovn.testing.real import DaemonError  # noqa: E402

__all__ = [
    "Comparison",
    "RealOnly",
    "SectionDiff",
    "compare_snapshots",
    "compare_topology",
    "main",
    "real_only",
]


# --- comparing -----------------------------------------------------------------------------------


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


def compare_topology(topo: Topology, opts: Options) -> Comparison:
    """Run both sides on ``topo`` and compare them (raises :class:`HarnessError` when the topology
    or the real side fails)."""
    start = time.monotonic()
    with temp_root(topo, opts.keep) as root:
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
    with temp_root(topo, opts.keep) as root:
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
        real_version()
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
        kill_children()
        pool.shutdown(wait=True, cancel_futures=True)
        kill_children()
        return 130
    except BrokenPipeError:  # e.g. piped into head: stop quietly, still cleaning up
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        kill_children()
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
