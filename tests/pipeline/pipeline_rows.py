"""Southbound rows for the pipeline tests: the real northd's recordings (tests/northd/recorded)
read into the canonical row form of docs/CONTRACTS.md, and a small hand-made topology."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import orjson

from pyovn import schemas
from pyovn.ovsdb.data import datum_from_json_unchecked
from pyovn.ovsdb.schema import DatabaseSchema
from pyovn.pipeline.sbtypes import TABLES

RECORDED = Path(__file__).resolve().parent.parent / "northd" / "recorded"

Rows = dict[str, dict[str, dict[str, Any]]]


@cache
def _schema() -> DatabaseSchema:
    return DatabaseSchema.from_json(orjson.loads(schemas.path("OVN_Southbound").read_bytes()))


def recorded_dirs() -> list[Path]:
    return sorted(p for p in RECORDED.iterdir() if (p / "sb.json").exists())


@cache
def recorded_rows(name: str) -> Rows:
    """The model's tables of one recording (``ovsdb-client -f json dump`` lines)."""
    schema = _schema()
    rows: Rows = {t: {} for t in TABLES}
    for line in (RECORDED / name / "sb.json").read_text().splitlines():
        if not line.strip():
            continue
        obj = json.loads(line)
        table = obj["caption"].removesuffix(" table")
        if table not in rows:
            continue
        ts = schema.tables[table]
        heads = obj["headings"]
        for data in obj["data"]:
            raw = dict(zip(heads, data))
            uuid = raw.pop("_uuid")[1]
            rows[table][uuid] = {
                c: datum_from_json_unchecked(ts.columns[c].type, v) for c, v in raw.items()
                if c in ts.columns
            }
    return rows


def n_flows(rows: Rows) -> int:
    return len(rows["Logical_Flow"])
