"""Findings as text for people and as JSON for programs.

Text: one block per finding — ``SEVERITY check-id: explanation``, then the rows involved and
the fix — and a summary line. JSON: ``{"findings": [...], "summary": {...}}`` with each finding's
check, severity, rows (table, name, uuid), message and fix.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson

from pyovn.lint.findings import Finding, Severity

__all__ = ["format_json", "format_text", "summary"]

MAX_ROWS = 6  # rows spelled out per finding in text; JSON has them all


def summary(findings: Sequence[Finding]) -> dict[str, int]:
    return {
        "findings": len(findings),
        "errors": sum(f.severity is Severity.ERROR for f in findings),
        "warnings": sum(f.severity is Severity.WARNING for f in findings),
    }


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def format_text(findings: Sequence[Finding], source: str = "") -> str:
    lines: list[str] = []
    for f in findings:
        lines.append(f"{f.severity.value.upper()} {f.check}: {f.message}")
        rows = [str(r) for r in f.rows[:MAX_ROWS]]
        if len(f.rows) > MAX_ROWS:
            rows.append(f"... ({len(f.rows)} rows in all)")
        lines.append(f"  rows: {'; '.join(rows)}")
        lines.append(f"  fix:  {f.fix}")
    s = summary(findings)
    where = f" in {source}" if source else ""
    if not findings:
        lines.append(f"no problems found{where}")
    else:
        if lines:
            lines.append("")
        lines.append(f"{_plural(s['findings'], 'finding')}{where}: "
                     f"{_plural(s['errors'], 'error')}, {_plural(s['warnings'], 'warning')}")
    return "\n".join(lines) + "\n"


def format_json(findings: Sequence[Finding], source: str = "") -> str:
    doc: dict[str, Any] = {
        "database": source,
        "findings": [f.to_json() for f in findings],
        "summary": summary(findings),
    }
    return orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode() + "\n"
