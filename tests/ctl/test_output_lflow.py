"""Table formats (pyovn.ovsdb.tableprint) and lflow listings (pyovn.ctl.lflow), golden data from the
real ovs-vsctl / ovn-sbctl (the flows are real ovn-northd 23.03 output)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pyovn.ctl.lflow import expand_flows, format_counts, format_lflows
from pyovn.ovsdb.data import datum_from_json
from pyovn.ovsdb.schema import DatabaseSchema
from pyovn.ovsdb.tableprint import Table, TablePrinter, TableStyle, json_pretty
from pyovn.ovsdb.types import ColumnType
from pyovn.schemas import __file__ as _schemas_init

DATA = Path(__file__).parent / "data"
STRING = ColumnType.from_json("string")
MAP = ColumnType.from_json({"key": "string", "value": "string", "min": 0, "max": "unlimited"})
OPT = ColumnType.from_json({"key": "string", "min": 0, "max": 1})


def _table() -> Table:
    t = Table(["name", "external_ids", "fail_mode"])
    t.add_row([(STRING, "sw0"), (MAP, {"a": "1", "b": "x y"}), (OPT, frozenset())])
    return t


@pytest.mark.parametrize(("style", "expected"), [
    (TableStyle(), 'name                : sw0\nexternal_ids        : {a="1", b="x y"}\n'
                   "fail_mode           : []\n"),
    (TableStyle("table"), 'name external_ids     fail_mode\n---- ---------------- ---------\n'
                          'sw0  {a="1", b="x y"} []\n'),
    (TableStyle("csv"), 'name,external_ids,fail_mode\nsw0,"{a=""1"", b=""x y""}",[]\n'),
    (TableStyle("csv", "bare"), "name,external_ids,fail_mode\nsw0,a=1 b=x y,\n"),
    (TableStyle("json"), '{"data":[["sw0",["map",[["a","1"],["b","x y"]]],["set",[]]]],'
                         '"headings":["name","external_ids","fail_mode"]}\n'),
    (TableStyle("table", headings=False), 'sw0 {a="1", b="x y"} []\n'),
    (TableStyle("list", "bare", headings=False), "sw0\na=1 b=x y\n\n"),
    (TableStyle("list", "json"), 'name                : "sw0"\n'
     'external_ids        : ["map",[["a","1"],["b","x y"]]]\nfail_mode           : '
     '["set",[]]\n'),
    (TableStyle("html", headings=False), "<table border=1>\n  <tr>\n    <td>sw0</td>\n"
     "    <td>{a=&quot;1&quot;, b=&quot;x y&quot;}</td>\n    <td>[]</td>\n  </tr>\n</table>\n"),
])
def test_formats(style: TableStyle, expected: str) -> None:
    assert TablePrinter(style).render(_table()) == expected


def test_second_table_is_separated() -> None:
    p = TablePrinter(TableStyle())
    empty = Table(["name"])
    assert p.render(empty) == ""
    assert p.render(empty) == "\n"
    j = TablePrinter(TableStyle("json"))
    j.render(empty)
    assert not j.render(empty).startswith("\n")


def test_pretty_json() -> None:
    doc = {"data": [["p1", 5], ["br0", ["set", []]]], "headings": ["name", "tag"]}
    assert json_pretty(doc) == (
        '{\n  "data": [\n    [\n      "p1",\n      5],\n    [\n      "br0",\n      [\n'
        '        "set",\n        []]]],\n  "headings": [\n    "name",\n    "tag"]}')


def _flows() -> tuple[list, dict, dict]:
    schema = DatabaseSchema.from_json(
        json.loads((Path(_schemas_init).parent / "ovn-sb.ovsschema").read_text()))
    raw = json.loads((DATA / "sb_lflows.json").read_text())
    out: dict[str, dict[str, dict]] = {}
    for table, rows in raw.items():
        ts = schema.tables[table]
        out[table] = {}
        for r in rows:
            row = {n: c.type.default() for n, c in ts.user_columns.items()}
            for col, val in r.items():
                if col != "_uuid":
                    row[col] = datum_from_json(ts.columns[col].type, val)
            row["_uuid"] = r["_uuid"][1]
            out[table][row["_uuid"]] = row
    return (list(out["Logical_Flow"].values()), out["Datapath_Binding"],
            out["Logical_DP_Group"])


def test_lflow_list_matches_real_output() -> None:
    flows, dps, groups = _flows()
    listed = expand_flows(flows, dps, groups)
    assert format_lflows(listed) == (DATA / "lflows_all.txt").read_text()
    assert format_counts(listed) == (DATA / "count_all.txt").read_text()
    sw0 = [f for f in listed if f.dp["external_ids"].get("name") == "sw0"]
    assert format_lflows(sw0) == (DATA / "lflows_sw0.txt").read_text()
    assert format_counts(sw0) == (DATA / "count_sw0.txt").read_text()
    r0 = [f for f in listed if f.dp["external_ids"].get("name") == "r0"]
    assert format_lflows(r0, show_uuid=True) == (DATA / "lflows_r0_uuid.txt").read_text()


def test_lflow_dp_group_expands_to_each_datapath() -> None:
    flows, dps, _ = _flows()
    f = dict(flows[0])
    f["logical_datapath"] = frozenset()
    f["logical_dp_group"] = frozenset({"g"})
    groups = {"g": {"_uuid": "g", "datapaths": frozenset(dps)}}
    listed = expand_flows([f], dps, groups)
    assert sorted(x.dp["_uuid"] for x in listed) == sorted(dps)
    assert format_counts([]) == "Total number of logical flows = 0\n"
