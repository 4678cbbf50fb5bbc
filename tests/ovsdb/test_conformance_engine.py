"""Open vSwitch's own OVSDB vectors, replayed in-process against Database.transact.

Loads ../shared/conformance/ovsdb/cases.json at run time (never copied here) and runs every
``transact`` step of the cases from ovsdb-execution.at, ovsdb-mutation.at, ovsdb-condition.at and
ovsdb-query.at.  Results are normalised the way the vectors were made (OVS-style compact JSON,
UUIDs numbered <N> in order of first appearance across the case, uuid sets sorted by number) and
compared with ``expected``.
"""

from __future__ import annotations

import json
import math
import os
import re
from pathlib import Path
from typing import Any

import pytest

from pyovn.ovsdb.database import Database
from pyovn.ovsdb.schema import DatabaseSchema

CASES = Path(os.environ.get("PYOVN_CONFORMANCE",
                            "/work/shared/conformance/ovsdb")) / "cases.json"
SOURCES = ("tests/ovsdb-execution.at", "tests/ovsdb-mutation.at", "tests/ovsdb-condition.at",
           "tests/ovsdb-query.at")


def _load() -> list[dict]:
    if not CASES.exists():
        print(f"conformance vectors not found at {CASES}; skipping")
        return []
    cases = json.loads(CASES.read_text())
    return [c for c in cases if c["source_file"] in SOURCES and not c.get("skip")]


_CASES = _load()

_HEX = "[0-9a-fA-F]"
_UUID = re.compile(f"{_HEX}{{8}}(?<!ffffffff)-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{12}}")
_UUID_SET = re.compile(r'\["set",\[(?:,?\["uuid","<\d+>"\])+\]\]')


def ovs_text(v: Any) -> str:
    """Compact JSON with sorted keys and reals printed with %.15g, as OVS prints them."""
    if isinstance(v, dict):
        return "{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + ovs_text(v[k])
                              for k in sorted(v)) + "}"
    if isinstance(v, list):
        return "[" + ",".join(ovs_text(x) for x in v) + "]"
    if isinstance(v, float):
        return json.dumps(v) if not math.isfinite(v) else f"{v:.15g}"
    return json.dumps(v, ensure_ascii=False)


class UuidNumbering:
    def __init__(self) -> None:
        self.seen: dict[str, int] = {}

    def __call__(self, text: str) -> str:
        text = _UUID.sub(lambda m: f"<{self.seen.setdefault(m.group(0), len(self.seen))}>",
                         text)

        def sort_set(m: re.Match) -> str:
            nums = sorted(int(n) for n in re.findall(r"<(\d+)>", m.group(0)))
            return '["set",[' + ",".join(f'["uuid","<{n}>"]' for n in nums) + "]]"
        return _UUID_SET.sub(sort_set, text)


def _sorted_rows(v: Any) -> Any:
    if isinstance(v, list):
        return [_sorted_rows(x) for x in v]
    if isinstance(v, dict):
        out = {k: _sorted_rows(x) for k, x in v.items()}
        if isinstance(out.get("rows"), list):
            out["rows"] = sorted(out["rows"], key=ovs_text)
        return out
    return v


def run_case(case: dict) -> list[str]:
    """Replay one case; returns the failures (empty when it passes)."""
    db = Database(DatabaseSchema.from_json(case["schema"]))
    read_only = "read-only" in case.get("requires", [])
    number = UuidNumbering()
    failures = []
    for i, step in enumerate(case["steps"], 1):
        if "transact" not in step:
            continue
        ops = step["transact"][1:]
        result = db.transact(ops, read_only=read_only)
        if result.changes:
            db.commit(result.changes, comment=result.comment)
        if step.get("expected", 0) is None:
            continue
        got = json.loads(number(ovs_text(result.results)))
        if "expected_contains" in step:
            if step["expected_contains"] not in ovs_text(got):
                failures.append(f"step {i}: {ovs_text(got)} lacks {step['expected_contains']}")
            continue
        want = (json.loads(step["expected_text"]) if "expected_text" in step
                else step["expected"])
        if step.get("unordered_rows"):
            got, want = _sorted_rows(got), _sorted_rows(want)
        if ovs_text(got) != ovs_text(want):
            failures.append(f"step {i}: {json.dumps(ops)[:300]}\n  expected {ovs_text(want)}"
                            f"\n  actual   {ovs_text(got)}")
    return failures


@pytest.mark.skipif(not _CASES, reason=f"conformance vectors not found at {CASES}")
@pytest.mark.parametrize("case", _CASES, ids=[c["id"] for c in _CASES])
def test_conformance(case: dict) -> None:
    failures = run_case(case)
    assert not failures, "\n".join(failures)
