"""Differential harness: the real ovn-trace and ``pyovn trace`` on the same Southbound.

``real_sb()`` builds tests/logical/real_topology.py's topology with the real northd (NB + SB
ovsdb-servers in a temp dir) and binds some VIFs to chassis, so port bindings have chassis.
``corpus()`` reads tests/trace/corpus/traces.txt.  ``compare(entry, fmt)`` runs both tools and
returns the two outputs after ``normalise``.

Normalisations (cosmetic differences only; the verdict must match exactly):
* trailing whitespace on lines is ignored;
* the real ovn-trace picks a random member for ``select()`` and a random backend for ``ct_lb``
  without ``--lb-dst``; entries whose real output differs between two runs are reported as
  non-deterministic and not compared.
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


if __name__ == "__main__":
    from pyovn.trace.sbmodel import load_sb

    fmts = sys.argv[1:] or ["minimal", "summary"]
    ovn = start_real()
    try:
        model = load_sb(ovn.sb)
        entries = corpus()
        for fmt in fmts:
            ok = nd = crash = 0
            bad = []
            for argv in entries:
                rc, real = run_real(ovn.sb, fmt, argv)
                if rc != 0:
                    crash += 1
                    continue
                rc2, real2 = run_real(ovn.sb, fmt, argv)
                if real2 != real:
                    nd += 1
                    continue
                _, mine = run_py(model, fmt, argv)
                if mine == real:
                    ok += 1
                else:
                    bad.append((argv, real, mine))
            print(f"{fmt}: {ok} match, {len(bad)} differ, {nd} non-deterministic, "
                  f"{crash} real ovn-trace failed, of {len(entries)}")
            for argv, real, mine in bad[:int(sys.argv[0] and 6)]:
                import difflib

                print("=== " + shlex.join(argv))
                print("\n".join(difflib.unified_diff(real.splitlines(), mine.splitlines(),
                                                     "real", "pyovn", lineterm="", n=2)))
    finally:
        ovn.stop()
