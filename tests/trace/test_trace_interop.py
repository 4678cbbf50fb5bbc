"""Differential test: pyovn trace against the real ovn-trace on the real northd's Southbound.

The topology is built once per session (tests/trace/difftrace.py); every corpus entry runs
through both tools in --minimal and --summary (and --detailed on every third entry).  Outputs
are compared exactly after difftrace.normalise; entries the real tool answers
non-deterministically or fails on are not compared.  The per-format counts are printed; the
thresholds guard against regressions while the remaining differences are worked on.
"""

from __future__ import annotations

import difftrace
import pytest

pytestmark = pytest.mark.interop

# Measured when written (of 285): minimal 237, summary 183, detailed 69 of 96; the margin
# absorbs entries whose real output depends on ovn-trace's random ct_lb backend choice.
THRESHOLDS = {"minimal": 230, "summary": 175, "detailed": 65}


@pytest.fixture(scope="session")
def real_sb():
    missing = difftrace.missing()
    if missing:
        print(f"skipping: real OVN binaries missing: {', '.join(missing)}")
        pytest.skip(f"real OVN binaries missing: {', '.join(missing)}")
    from pyovn.trace.sbmodel import load_sb

    ovn = difftrace.start_real()
    try:
        yield ovn.sb, load_sb(ovn.sb)
    finally:
        ovn.stop()


def _compare(sb, model, fmt: str, step: int = 1) -> tuple[int, int, list[str]]:
    ok = skipped = 0
    bad = []
    for argv in difftrace.corpus()[::step]:
        rc, real = difftrace.run_real(sb, fmt, argv)
        pinned = difftrace.pin_select(real, argv)
        if pinned:
            argv = pinned
            rc, real = difftrace.run_real(sb, fmt, argv)
        if rc != 0:
            skipped += 1
            continue
        _, mine = difftrace.run_py(model, fmt, argv)
        if mine == real:
            ok += 1
        else:
            bad.append(" ".join(argv))
    return ok, skipped, bad


@pytest.mark.parametrize("fmt,step", [("minimal", 1), ("summary", 1), ("detailed", 3)])
def test_matches_real_ovn_trace(real_sb, fmt, step):
    sb, model = real_sb
    ok, skipped, bad = _compare(sb, model, fmt, step)
    print(f"\n{fmt}: {ok} match, {len(bad)} differ, {skipped} not comparable")
    assert ok >= THRESHOLDS[fmt], bad[:10]


def test_corpus_is_large_enough():
    assert len(difftrace.corpus()) >= 200
