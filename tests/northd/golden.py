"""Golden data recorded from the real ovn-northd, shared by the per-feature golden tests.

``record(sh, golden_dir, flows_of)`` runs ``sbdiff.py --real-only`` on a topology (the real
northd's run, kept in ``tests/northd/recorded/``), copies the Northbound it ran on into
``golden_dir/NAME.nb.db`` (compacted) and writes ``golden_dir/NAME.flows`` with
``flows_of(entry)`` — the feature's own selection of the recorded Southbound.  The tests then
serve that Northbound (the ``nb_server`` fixture in conftest.py) so pyovn sees the very same rows
and uuids.

For ``flows_of``: ``dump_tables`` reads ``ovsdb-client dump -f json`` output, ``uuid_of``,
``set_of`` and ``map_of`` its cells, and ``flow_datapaths`` names a Logical_Flow's datapaths.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
RECORDED = HERE / "recorded"


def record(sh: Path, golden: Path, flows_of: Callable[[Path], list[str]]) -> None:
    subprocess.run([sys.executable, str(HERE / "sbdiff.py"), "--real-only", "-q", str(sh)],
                   check=True, stdout=subprocess.DEVNULL)
    name = sh.name[:-3]
    entries = sorted(RECORDED.glob(f"{name}-*"), key=lambda p: p.stat().st_mtime)
    entry = entries[-1]
    golden.mkdir(exist_ok=True)
    db = golden / f"{name}.nb.db"
    shutil.copyfile(entry / "nb.db", db)
    subprocess.run(["ovsdb-tool", "compact", str(db)], check=True)
    for lock in golden.glob(f".{db.name}*~lock~"):
        lock.unlink()
    flows = flows_of(entry)
    (golden / f"{name}.flows").write_text("".join(f"{f}\n" for f in flows))
    print(f"{name}: {len(flows)} flows")


def dump_tables(text: str) -> dict[str, list[dict[str, object]]]:
    """``ovsdb-client dump -f json`` output: table name -> its rows (column -> cell)."""
    out: dict[str, list[dict[str, object]]] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        t = json.loads(line)
        name = t["caption"].rsplit(" table", 1)[0]
        out[name] = [dict(zip(t["headings"], row)) for row in t["data"]]
    return out


def uuid_of(v: object) -> str:
    assert isinstance(v, list) and v[0] == "uuid"
    return str(v[1])


def set_of(v: object) -> list[object]:
    if isinstance(v, list) and v and v[0] == "set":
        return list(v[1])  # type: ignore[arg-type]
    return [v]


def map_of(v: object) -> dict[str, str]:
    assert isinstance(v, list) and v[0] == "map"
    return {k: val for k, val in v[1]}  # type: ignore[misc]


def flow_datapaths(sb: dict[str, list[dict[str, object]]]
                   ) -> Callable[[dict[str, object]], list[str]]:
    """For a dumped Southbound: a Logical_Flow row -> the names of the datapaths it is on."""
    dp_name = {uuid_of(r["_uuid"]): map_of(r["external_ids"]).get("name", "?")
               for r in sb["Datapath_Binding"]}
    groups = {uuid_of(r["_uuid"]): [dp_name[uuid_of(d)] for d in set_of(r["datapaths"])]
              for r in sb.get("Logical_DP_Group", [])}

    def datapaths(r: dict[str, object]) -> list[str]:
        ldp = set_of(r["logical_datapath"])
        if ldp:
            return [dp_name[uuid_of(ldp[0])]]
        return groups[uuid_of(set_of(r["logical_dp_group"])[0])]
    return datapaths
