"""Listing and counting logical flows as ``ovn-sbctl lflow-list`` / ``count-flows`` print them.

Pure functions over plain rows (dicts of canonical values, as in a TxnView or a replica). A flow
bound to a datapath group is listed once under every datapath of the group. Flows are sorted by
datapath (by ``external_ids:name``, unnamed ones after named ones, then by uuid), pipeline
(ingress first), table, priority (highest first), match and actions; a ``Datapath:`` header
starts every datapath/pipeline run.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pyovn.ovsdb.largeset import SET_TYPES

__all__ = ["ListedFlow", "expand_flows", "format_lflows", "format_counts", "datapath_label"]

PlainRow = Mapping[str, Any]  # a row's column values (and ``_uuid``)


class ListedFlow:
    """A Logical_Flow row listed under one datapath (a group's flow is listed under each)."""

    __slots__ = ("row", "dp")

    def __init__(self, row: PlainRow, dp: PlainRow) -> None:
        self.row = row
        self.dp = dp


def datapath_label(dp: PlainRow) -> str:
    ids = dp.get("external_ids") or {}
    name, name2 = ids.get("name"), ids.get("name2")
    if name is not None and name2 is not None:
        return f'"{name}" aka "{name2}"'
    if name is not None or name2 is not None:
        return f'"{name if name is not None else name2}"'
    return ""


def _dp_key(dp: PlainRow) -> tuple[int, str, str]:
    name = (dp.get("external_ids") or {}).get("name")
    # Named datapaths sort by name before unnamed ones, which sort by uuid.
    return (0, name, "") if name is not None else (1, "", dp["_uuid"])


def _scalar(value: Any) -> Any:
    if isinstance(value, SET_TYPES):
        return next(iter(value)) if value else None
    return value


def expand_flows(flows: Iterable[PlainRow], datapaths: Mapping[str, PlainRow],
                 groups: Mapping[str, PlainRow]) -> list[ListedFlow]:
    """One :class:`ListedFlow` per (flow, datapath), sorted as the real tool sorts them."""
    out: list[ListedFlow] = []
    for f in flows:
        dp_uuid = _scalar(f.get("logical_datapath"))
        if dp_uuid is not None:
            dp = datapaths.get(dp_uuid)
            if dp is not None:
                out.append(ListedFlow(f, dp))
        group_uuid = _scalar(f.get("logical_dp_group"))
        if group_uuid is not None and group_uuid in groups:
            for u in sorted(groups[group_uuid].get("datapaths") or ()):
                dp = datapaths.get(u)
                if dp is not None:
                    out.append(ListedFlow(f, dp))
    out.sort(key=lambda fl: (_dp_key(fl.dp), 0 if fl.row["pipeline"] == "ingress" else 1,
                             fl.row["table_id"], -fl.row["priority"],
                             fl.row["match"].encode(), fl.row["actions"].encode()))
    return out


def _header(dp: PlainRow, pipeline: str) -> str:
    return f"Datapath: {datapath_label(dp)} ({dp['_uuid']})  Pipeline: {pipeline}\n"


def _stage(f: PlainRow) -> str:
    return (f.get("external_ids") or {}).get("stage-name", "")


def format_lflows(flows: list[ListedFlow], *, show_uuid: bool = False) -> str:
    out: list[str] = []
    prev: tuple[str, str] | None = None
    for fl in flows:
        f = fl.row
        cur = (fl.dp["_uuid"], f["pipeline"])
        if cur != prev:
            out.append(_header(fl.dp, f["pipeline"]))
            prev = cur
        uuid = f"uuid=0x{f['_uuid'][:8]}, " if show_uuid else ""
        out.append(f"  {uuid}table={f['table_id']:<2}({_stage(f):<19}), "
                   f"priority={f['priority']:<5}, match=({f['match']}), "
                   f"action=({f['actions']})\n")
    return "".join(out)


def format_counts(flows: list[ListedFlow]) -> str:
    out: list[str] = []
    total = 0
    i = 0
    while i < len(flows):
        dp, pipeline = flows[i].dp, flows[i].row["pipeline"]
        j = i
        while (j < len(flows) and flows[j].dp["_uuid"] == dp["_uuid"]
               and flows[j].row["pipeline"] == pipeline):
            j += 1
        out.append(_header(dp, pipeline))
        k = i
        while k < j:
            table_id = flows[k].row["table_id"]
            stage = _stage(flows[k].row)
            n = 0
            while k < j and flows[k].row["table_id"] == table_id:
                n += 1
                k += 1
            out.append(f"  table={table_id:<2}({stage:<19}) lflows={n}\n")
        out.append(f"Total number of logical flows in the datapath {datapath_label(dp)} "
                   f"({dp['_uuid']}) Pipeline: {pipeline} = {j - i}\n\n")
        total += j - i
        i = j
    out.append(f"Total number of logical flows = {total}\n")
    return "".join(out)
