"""Reads the ``input => expected`` data files under tests/logical/data."""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).parent / "data"


def cases(name: str) -> list[tuple[str, str]]:
    """(input, expected) pairs of a data file; '#' starts a comment line, blank lines skip."""
    out = []
    for lineno, raw in enumerate((DATA / name).read_text().splitlines(), 1):
        line = raw.rstrip()
        if not line or line.startswith("#"):
            continue
        if line.endswith(" =>"):
            out.append((line[: -len(" =>")], ""))
            continue
        if " => " not in line:
            raise ValueError(f"{name}:{lineno}: no ' => ' in {raw!r}")
        inp, exp = line.split(" => ", 1)
        out.append((inp, exp))
    return out
