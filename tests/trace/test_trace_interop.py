"""Differential test: pyovn trace against the real ovn-trace on the real northd's Southbound.

The topology is built once per session (tests/trace/difftrace.py).  Every corpus entry is one
test: the real ovn-trace and pyovn trace both run it with ``--all`` and each format
(--detailed, --summary, --minimal) must be identical.  The corpus is deterministic (--lb-dst,
--select-id pinned by make_corpus.py).  Entries listed in corpus/known_differences.txt, each
with its reason, are expected to differ (xfail); one that starts to match fails, so the list
cannot go stale.  The one other tolerated difference is an order pyovn cannot know: see
``difftrace.run_py_tie``.
"""

from __future__ import annotations

import difflib
import shlex

import difftrace
import pytest

pytestmark = pytest.mark.interop

ENTRIES = difftrace.corpus()
KNOWN = difftrace.known_differences()


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


@pytest.mark.parametrize("argv", ENTRIES, ids=[f"{i:03d}" for i in range(len(ENTRIES))])
def test_entry_matches_real_ovn_trace(real_sb, argv):
    sb, model = real_sb
    line = shlex.join(argv)
    rc, outputs, tie = difftrace.compare_all(sb, model, argv)
    diffs = []
    for fmt, (real, mine) in outputs.items():
        if real != mine:
            diffs.append(f"--{fmt}:\n" + "\n".join(difflib.unified_diff(
                real.splitlines(), mine.splitlines(), "ovn-trace", "pyovn trace", lineterm="",
                n=2)))
    if rc != 0:
        diffs.insert(0, f"the real ovn-trace exited with status {rc}")
    reason = KNOWN.get(line)
    if reason is not None:
        assert diffs, f"listed in known_differences.txt but matches now; remove it: {line}"
        pytest.xfail(reason)
    if diffs and tie:
        # Each run has a new Southbound (new UUIDs): rarely, two equal-priority flows that
        # both match land in one bucket of ovn-trace's hash table, whose order within a bucket
        # pyovn does not model (about 1 in 500 per such pair).
        pytest.xfail("equal-priority flows in one hash bucket of ovn-trace's flow table")
    assert not diffs, f"{line}\n" + "\n".join(diffs)


def test_known_differences_are_corpus_entries_with_reasons():
    lines = {shlex.join(argv) for argv in ENTRIES}
    for line, reason in KNOWN.items():
        assert line in lines, f"not in the corpus: {line}"
        assert reason, f"no reason given for: {line}"
    assert len(KNOWN) <= 10, "the known differences list must stay short"


def test_corpus_is_large_and_deterministic():
    assert len(ENTRIES) >= 200
    # Each corpus line is what shlex.join writes, so known_differences.txt can quote it.
    text = [ln for ln in difftrace.CORPUS.read_text().splitlines()
            if ln.strip() and not ln.startswith("#")]
    assert text == [shlex.join(argv) for argv in ENTRIES]
