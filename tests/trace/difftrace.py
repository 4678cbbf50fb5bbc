"""Differential harness: the real ovn-trace and ``pyovn trace`` on the same Southbound.

``start_real()`` builds tests/logical/real_topology.py's topology with the real northd (NB + SB
ovsdb-servers in a temp dir) and binds some VIFs to chassis, so port bindings have chassis.
``corpus()`` reads tests/trace/corpus/traces.txt; ``known_differences()`` reads
tests/trace/corpus/known_differences.txt (each entry, verbatim from the corpus, after ``#``
lines that say why it differs).  ``run_real``/``run_py`` run one entry through each tool;
``--all`` output is cut into its formats by ``split_all``.

The corpus is deterministic (load balancer backends and select() members are pinned with
--lb-dst/--select-id, see make_corpus.py), so outputs are compared exactly; the only
normalisation is that trailing whitespace on lines is ignored.
Run as a script to print the per-format match counts and the first differences.
"""

from __future__ import annotations

import importlib.util
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
CORPUS = HERE / "corpus" / "traces.txt"


def _real_topology() -> Any:
    path = HERE.parent / "logical" / "real_topology.py"
    spec = importlib.util.spec_from_file_location("trace_real_topology", path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


def missing() -> list[str]:
    out = _real_topology().missing_binaries()
    if shutil.which("ovn-trace") is None:
        out.append("ovn-trace")
    return out


def start_real() -> Any:
    """A started RealOvn with the topology built (the caller stops it)."""
    rt = _real_topology()
    ovn = rt.RealOvn()
    try:
        ovn.start()
        rt.build_topology(ovn)
        for port, ch in (("vm1", "chassis1"), ("vm2", "chassis1"), ("vm4", "chassis2"),
                         ("vm5", "chassis2")):
            ovn.sbctl("lsp-bind", port, ch)
        ovn.nbctl("--wait=sb", "sync")
    except BaseException:
        ovn.stop()
        raise
    return ovn


def corpus() -> list[list[str]]:
    out = []
    for line in CORPUS.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            out.append(shlex.split(line))
    return out


def normalise(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.splitlines())


def run_real(sb: str, fmt: str, argv: list[str]) -> tuple[int, str]:
    p = subprocess.run(
        ["ovn-trace", f"--db={sb}", f"--{fmt}", *argv], capture_output=True, text=True,
        timeout=60,
    )
    return p.returncode, normalise(p.stdout)


def run_py(model: Any, fmt: str, argv: list[str]) -> tuple[int, str]:
    from pyovn.cli.trace import run

    rc, out, err = run([f"--{fmt}", *argv], model)
    return rc, normalise(out)


_SELECT = re.compile(r"select: \S+ = (\d+) /\* Randomly selected")


def pin_select(real: str, argv: list[str]) -> list[str] | None:
    """ovn-trace picks select() members "randomly" (by hash): when it did, the argv that pins
    the member it picked with --select-id (None when there is nothing to pin)."""
    ids = set(_SELECT.findall(real))
    if len(ids) != 1 or any(a.startswith("--select-id") for a in argv):
        return None
    return [f"--select-id={ids.pop()}", *argv]


def verdict(text: str) -> list[str]:
    """What happened to the packet: the --minimal lines (outputs, rewrites, generated packets)."""
    return [line.strip() for line in text.splitlines()[1:]]


KNOWN = HERE / "corpus" / "known_differences.txt"
FORMATS = ("detailed", "summary", "minimal")


def known_differences() -> dict[str, str]:
    """Corpus line -> why pyovn's output differs from the real ovn-trace's for it."""
    out: dict[str, str] = {}
    why: list[str] = []
    if not KNOWN.exists():
        return out
    for line in KNOWN.read_text().splitlines():
        if line.startswith("#"):
            why.append(line.lstrip("# ").strip())
        elif line.strip():
            out[line.strip()] = " ".join(w for w in why if w)
            why = []
    return out


def split_all(text: str) -> dict[str, str]:
    """``--all`` output -> {format: that format's output, with the microflow line first}."""
    lines = text.splitlines()
    if not lines:
        return {f: "" for f in FORMATS}
    header, parts, cur = lines[0], {f: [] for f in FORMATS}, None
    for line in lines[1:]:
        marker = line[2:-len(" trace.")].lower() if line.endswith(" trace.") else None
        if line.startswith("# ") and marker in FORMATS:
            cur = marker
        elif cur is not None:
            parts[cur].append(line)
    return {f: "\n".join([header, *parts[f]]) for f in FORMATS}


def run_py_tie(model: Any, fmt: str, argv: list[str]) -> tuple[str, bool]:
    """run_py's output, and whether the walk met equal-priority matching flows in one hash
    bucket (where ovn-trace's choice is not modelled, see Walker.lookup)."""
    from pyovn.trace import walk

    ties = []
    orig = walk.Walker.trace

    def trace(self: Any, dp: Any, flow: Any) -> Any:
        root = orig(self, dp, flow)
        ties.append(root.info.get("bucket_tie", False))
        return root

    walk.Walker.trace = trace  # type: ignore[method-assign]
    try:
        _, out = run_py(model, fmt, argv)
    finally:
        walk.Walker.trace = orig  # type: ignore[method-assign]
    return out, any(ties)


def compare_all(sb: str, model: Any, argv: list[str]
                ) -> tuple[int, dict[str, tuple[str, str]], bool]:
    """(real exit status, {format: (real output, pyovn output)}, bucket tie) for one entry."""
    rc, real = run_real(sb, "all", argv)
    mine, tie = run_py_tie(model, "all", argv)
    r, m = split_all(real), split_all(mine)
    return rc, {f: (r[f], m[f]) for f in FORMATS}, tie


if __name__ == "__main__":
    import difflib

    from pyovn.trace.sbmodel import load_sb

    fmts = [a for a in sys.argv[1:] if a in FORMATS] or list(FORMATS)
    ovn = start_real()
    try:
        model = load_sb(ovn.sb)
        results = [(argv, *compare_all(ovn.sb, model, argv)[:2]) for argv in corpus()]
    finally:
        ovn.stop()
    for fmt in fmts:
        bad = [(argv, rc, pair[fmt]) for argv, rc, pair in results if pair[fmt][0] != pair[fmt][1]]
        print(f"{fmt}: {len(results) - len(bad)} match, {len(bad)} differ, of {len(results)}")
        for argv, rc, (real, mine) in bad[:6]:
            print(f"=== {shlex.join(argv)}" + (f"  (real ovn-trace exit status {rc})" if rc else ""))
            print("\n".join(difflib.unified_diff(real.splitlines(), mine.splitlines(),
                                                 "real", "pyovn", lineterm="", n=2)))
