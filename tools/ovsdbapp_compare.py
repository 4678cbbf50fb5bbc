"""Compares two stestr runs of ovsdbapp's functional suite: the real servers' and pyovn's.

Run by tools/ovsdbapp_functional.sh with the ovsdbapp virtualenv's Python (it reads the subunit
v2 streams with python-subunit and testtools, which stestr brings). Usage:

    ovsdbapp_compare.py [--regressions-out FILE] REAL.subunit PYOVN.subunit [RETRY.subunit]

A regression is a test that passes on the real servers and does not pass on pyovn's (fails,
errors, is skipped or never ran). Each one is printed with its error; the exit status is 1 when
there is any, else 0. --regressions-out writes their ids, one a line (stestr's --load-list), for
a second run on pyovn's servers; given that run's stream (RETRY), a regression that passes there
is reported as flaky (with its first error) and no longer counts. Tests that pass on pyovn but
not on the real servers are listed too, for information only (the real OVN 23.03 lags ovsdbapp
3.0 in places).
"""

from __future__ import annotations

import re
import sys
from collections import Counter

import subunit
import testtools


def load(path: str) -> dict[str, dict]:
    """The last result of every test id in a subunit v2 stream."""
    tests: dict[str, dict] = {}

    def on_test(test: dict) -> None:
        tests[test["id"]] = test

    result = testtools.StreamToDict(on_test)
    result.startTestRun()
    with open(path, "rb") as stream:
        subunit.ByteStreamToStreamResult(stream, non_subunit_name="stdout").run(result)
    result.stopTestRun()
    return tests


def summary(tests: dict[str, dict]) -> str:
    counts = Counter(t["status"] for t in tests.values())
    return ", ".join(f"{status} {n}" for status, n in sorted(counts.items()))


def error_text(test: dict) -> str:
    parts = []
    for name, content in test.get("details", {}).items():
        try:
            text = content.as_text()
        except Exception:  # noqa: BLE001 (binary attachment)
            continue
        if text.strip():
            parts.append(f"--- {name}\n{text.rstrip()}")
    return "\n".join(parts) or "(no details)"


def main(argv: list[str]) -> int:
    args = argv[1:]
    out_file = None
    if args[:1] == ["--regressions-out"] and len(args) > 1:
        out_file, args = args[1], args[2:]
    if len(args) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    real, pyovn = load(args[0]), load(args[1])
    retry = load(args[2]) if len(args) == 3 else {}
    real_pass = {tid for tid, t in real.items() if t["status"] == "success"}
    pyovn_pass = {tid for tid, t in pyovn.items() if t["status"] == "success"}
    print(f"real servers:  {len(real)} results ({summary(real)})")
    print(f"pyovn servers: {len(pyovn)} results ({summary(pyovn)})")
    better = sorted(pyovn_pass - real_pass)
    if better:
        print(f"\npassing on pyovn only ({len(better)}, for information):")
        for tid in better:
            print(f"  {tid} (real: {real.get(tid, {}).get('status', 'not run')})")
    first = sorted(real_pass - pyovn_pass)
    flaky = [tid for tid in first if retry.get(tid, {}).get("status") == "success"]
    regressions = [tid for tid in first if tid not in flaky]
    if out_file:
        # A testscenarios test is listed (and so loaded) by its base id: "test_x", not
        # "test_x(tcp)"; loading it runs all its scenarios.
        with open(out_file, "w") as f:
            f.writelines(f"{tid}\n" for tid in dict.fromkeys(
                re.sub(r"\(.*\)$", "", tid) for tid in regressions))
    if flaky:
        print(f"\nFLAKY on pyovn: {len(flaky)} tests failed, then passed when run again alone:")
        for tid in flaky:
            print(f"\n===== {tid}: {pyovn.get(tid, {}).get('status', 'not run')} on the first run")
            if tid in pyovn:
                print(error_text(pyovn[tid]))
    if not regressions:
        print(f"\nno regressions: all {len(real_pass)} tests passing on the real servers pass on"
              " pyovn's")
        return 0
    print(f"\nREGRESSIONS: {len(regressions)} tests pass on the real servers but not on pyovn's:")
    for tid in regressions:
        print(f"  {tid} ({pyovn.get(tid, {}).get('status', 'not run')})")
    for tid in regressions:
        last = retry.get(tid) or pyovn.get(tid)
        print(f"\n===== {tid}: {(last or {}).get('status', 'not run')} on pyovn")
        if last:
            print(error_text(last))
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
