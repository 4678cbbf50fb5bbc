"""Normalised, comparable dumps of a Southbound database (and of northd's Northbound write-backs).

How it works: ``ovsdb-client -f json dump`` prints one JSON object per table (caption, headings,
rows of OVSDB-JSON cells); :func:`parse_dump` turns that into rows of plain Python values, using
the installed schema to tell sets and maps from scalars (a reference becomes a :class:`Ref`).
:func:`normalise` then renders every table of interest as sorted text lines, grouped in
*sections* (a section is one table, or one aspect of a table):

- ``Logical_Flow``: ``DATAPATH PIPELINE TABLE PRIORITY STAGE match=(..) action=(..)`` (plus
  ``meter=``/``tags=`` when set); a flow on a ``logical_dp_group`` becomes one line per member
  datapath; datapaths are named by ``Datapath_Binding.external_ids:name``.
- ``Logical_Flow.hint``: the same flow key followed by its ``stage-hint``, the Northbound row
  that caused it (the ``source`` northd.c line is left out: only the real northd can have it).
- one section per other table: a line ``KEY`` per row, then ``KEY column=value`` per non-empty
  column, so a difference names the row and the column.
- ``tunnel_keys``: every tunnel key (datapaths, ports, multicast groups), apart so that
  ``--ignore-keys`` can drop it; elsewhere a key is replaced by what it designates (the
  ``<key>_`` prefix of per-datapath Port_Group names becomes the datapath's name).
- ``NB_writeback``: what northd changed in the Northbound (dynamic addresses, NB_Global options
  …), as the difference between a dump taken before northd started and one taken after.

Values that differ between two correct runs are replaced by markers: a UUID of a Northbound row
becomes ``<Table:name>`` (``<Table#N>`` for unnamed rows, N its rank by content), of a Southbound
row ``<sb:Table:name>``, the 8-hex-digit ``stage-hint`` the Northbound row it prefixes; the random
``svc_monitor_mac`` and the generated ``mac_prefix`` become ``<svc_monitor_mac>`` and
``<mac_prefix>``; BFD's random ``disc`` and ``src_port`` become ``<random>``. UUIDs that are not
row UUIDs (written by the topology, e.g. Neutron ids in external_ids) are left as they are.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from pyovn.testing.real import find_binary, schema_path

__all__ = [
    "KEYS_SECTION",
    "FLOW_SECTION",
    "HINT_SECTION",
    "NB_SECTION",
    "Db",
    "Ref",
    "Snapshot",
    "dump_db",
    "normalise",
    "parse_dump",
]

Snapshot = dict[str, list[str]]  # section name -> lines (sorted)
Row = dict[str, Any]
Db = dict[str, list[Row]]  # table name -> rows, each with "_uuid"

FLOW_SECTION = "Logical_Flow"
HINT_SECTION = "Logical_Flow.hint"
KEYS_SECTION = "tunnel_keys"
NB_SECTION = "NB_writeback"

UUID_RE = re.compile(
    r"(?<![0-9a-f])[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?![0-9a-f])"
)
HINT_RE = re.compile(r"^[0-9a-f]{8}$")
_PLAIN = re.compile(r"^[\w.:/@+<>#-]+$")


class Ref(str):
    """A reference cell (``["uuid", ...]`` in OVSDB JSON): a row UUID, rendered by name."""

    __slots__ = ()


# --- reading -------------------------------------------------------------------------------------


def dump_db(remote: str, database: str = "OVN_Southbound", timeout: float = 30.0) -> str:
    """The text of ``ovsdb-client -f json dump REMOTE DATABASE`` (one JSON object per table)."""
    client = find_binary("ovsdb-client") or "ovsdb-client"
    res = subprocess.run(
        [client, "-f", "json", f"--timeout={int(timeout)}", "dump", remote, database],
        capture_output=True,
        text=True,
        timeout=timeout + 5,
    )
    if res.returncode != 0:
        raise RuntimeError(f"ovsdb-client dump {remote} {database}: {res.stderr.strip()}")
    return res.stdout


@cache
def _column_kinds(database: str) -> dict[str, dict[str, str]]:
    """Per table and column: "map", "set" (may hold several), "opt" (0 or 1) or "scalar"."""
    schema = json.loads(schema_path(database).read_text())
    kinds: dict[str, dict[str, str]] = {}
    for tname, table in schema["tables"].items():
        cols: dict[str, str] = {"_uuid": "scalar"}
        for cname, col in table["columns"].items():
            ctype = col["type"]
            if not isinstance(ctype, dict):
                cols[cname] = "scalar"
                continue
            lo = ctype.get("min", 1)
            hi = ctype.get("max", 1)
            if "value" in ctype:
                cols[cname] = "map"
            elif hi == "unlimited" or (isinstance(hi, int) and hi > 1):
                cols[cname] = "set"
            elif lo == 0:
                cols[cname] = "opt"
            else:
                cols[cname] = "scalar"
        kinds[tname] = cols
    return kinds


def _atom(cell: Any) -> Any:
    if isinstance(cell, list) and len(cell) == 2 and cell[0] == "uuid":
        return Ref(cell[1])
    return cell


def _cell(cell: Any, kind: str) -> Any:
    if isinstance(cell, list) and len(cell) == 2 and cell[0] == "map":
        return {_atom(k): _atom(v) for k, v in cell[1]}
    if isinstance(cell, list) and len(cell) == 2 and cell[0] == "set":
        atoms = [_atom(a) for a in cell[1]]
        if kind == "opt":
            return atoms[0] if atoms else None
        return atoms
    atom = _atom(cell)
    if kind == "set":
        return [atom]
    if kind == "map":
        return {}
    return atom


def parse_dump(text: str, database: str = "OVN_Southbound") -> Db:
    """Rows of an ``ovsdb-client -f json dump``: sets as lists, maps as dicts, empty optional
    columns as None, references as :class:`Ref`."""
    kinds = _column_kinds(database)
    db: Db = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        obj = json.loads(line)
        table = obj["caption"].removesuffix(" table")
        tkinds = kinds.get(table, {})
        heads = obj["headings"]
        rows = []
        for data in obj["data"]:
            row = {h: _cell(c, tkinds.get(h, "scalar")) for h, c in zip(heads, data)}
            rows.append(row)
        db[table] = rows
    return db


# --- markers -------------------------------------------------------------------------------------


def _content_key(row: Row) -> str:
    """A row's content with every UUID blanked: stable across runs, for ranking unnamed rows."""
    plain = {k: v for k, v in row.items() if k != "_uuid" and not k.endswith("_timestamp")}
    text = json.dumps(plain, sort_keys=True, default=str)
    return UUID_RE.sub("?", text)


def nb_markers(*nbs: Db) -> dict[str, str]:
    """Markers for Northbound row UUIDs: ``Table:name`` when the row has a name unique in its
    table, else ``Table#N`` (N its rank by content). The first database wins (the dump taken
    before northd ran, identical on both sides); later ones add rows northd inserted."""
    markers: dict[str, str] = {}
    for nb in nbs:
        for table, rows in sorted(nb.items()):
            if table == "NB_Global":
                for row in rows:
                    markers.setdefault(row["_uuid"], "NB_Global")
                continue
            names: dict[str, int] = defaultdict(int)
            for row in rows:
                name = row.get("name")
                if isinstance(name, str) and name:
                    names[name] += 1
            unnamed = []
            for row in rows:
                if row["_uuid"] in markers:
                    continue
                name = row.get("name")
                if isinstance(name, str) and name and names[name] == 1:
                    markers[row["_uuid"]] = f"{table}:{name}"
                else:
                    unnamed.append(row)
            taken = sum(1 for m in markers.values() if m.startswith(f"{table}#"))
            for i, row in enumerate(sorted(unnamed, key=_content_key)):
                markers[row["_uuid"]] = f"{table}#{taken + i}"
    return markers


# --- rendering -----------------------------------------------------------------------------------


@dataclass
class _Norm:
    """The string normaliser of one side: UUID and random-value markers."""

    nb: dict[str, str]  # NB uuid -> marker
    sb: dict[str, str] = field(default_factory=dict)  # SB uuid -> marker
    hints: dict[str, str] = field(default_factory=dict)  # 8-hex prefix -> NB marker
    literals: dict[str, str] = field(default_factory=dict)  # random literal -> marker

    def text(self, s: str) -> str:
        if "-" in s:
            s = UUID_RE.sub(self._uuid, s)
        for lit, marker in self.literals.items():
            if lit in s:
                s = s.replace(lit, marker)
        return s

    def _uuid(self, m: re.Match[str]) -> str:
        u = m.group(0)
        if u in self.nb:
            return f"<{self.nb[u]}>"
        if u in self.sb:
            return f"<sb:{self.sb[u]}>"
        return u

    def hint(self, h: str) -> str:
        if h in self.hints:
            return f"<{self.hints[h]}>"
        return f"<unknown:{h}>"

    def value(self, v: Any) -> str:
        """Deterministic text of a cell value."""
        if isinstance(v, Ref):
            return self.ref(v)
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, str):
            t = self.text(v)
            return t if _PLAIN.match(t) else json.dumps(t)
        if isinstance(v, dict):
            items = sorted((self.value(k), self.value(x)) for k, x in v.items())
            return "{" + ", ".join(f"{k}={x}" for k, x in items) + "}"
        if isinstance(v, list):
            return "[" + ", ".join(sorted(self.value(x) for x in v)) + "]"
        if v is None:
            return "[]"
        return str(v)

    def ref(self, u: str) -> str:
        if u in self.sb:
            return self.sb[u]
        if u in self.nb:
            return f"<{self.nb[u]}>"
        return "<dangling>"


def _empty(v: Any) -> bool:
    return v is None or (isinstance(v, list | dict) and not v)


# How a Southbound row is named when something refers to it (other tables: by the table name).
_SB_NAME: dict[str, Callable[[Row], str | None]] = {
    "Datapath_Binding": lambda r: r["external_ids"].get("name"),
    "Port_Binding": lambda r: r["logical_port"],
    "Chassis": lambda r: r["name"],
    "Chassis_Private": lambda r: r["name"],
    "Gateway_Chassis": lambda r: r["name"],
    "HA_Chassis_Group": lambda r: r["name"],
    "Meter": lambda r: r["name"],
    "Mirror": lambda r: r["name"],
    "Load_Balancer": lambda r: r["name"],
    "RBAC_Role": lambda r: r["name"],
    "RBAC_Permission": lambda r: r["table"],
    "Address_Set": lambda r: r["name"],
    "Port_Group": lambda r: r["name"],
    "Encap": lambda r: f"{r['type']}:{r['ip']}",
    "Meter_Band": lambda r: f"{r['action']}/rate={r['rate']}/burst={r['burst_size']}",
}


@dataclass
class _Ctx:
    sb: Db
    norm: _Norm
    dp_name: dict[str, str]  # Datapath_Binding uuid -> name
    dp_by_key: dict[int, str]  # datapath tunnel key -> name
    groups: dict[str, list[str]]  # Logical_DP_Group uuid -> datapath names

    def rows(self, table: str) -> list[Row]:
        return self.sb.get(table, [])


def _make_ctx(sb: Db, nb_pre: Db, nb_post: Db) -> _Ctx:
    nb = nb_markers(nb_pre, nb_post)
    norm = _Norm(nb=nb)
    for u, marker in nb.items():
        norm.hints.setdefault(u[:8], marker)
    # Random values northd generates: the same marker on both sides.
    # (unless the topology set them: then they are the same on both sides anyway).
    preset = {k for r in nb_pre.get("NB_Global", []) for k in r.get("options", {})}
    for table, db in (("SB_Global", sb), ("NB_Global", nb_post)):
        for row in db.get(table, []):
            for option in ("svc_monitor_mac", "mac_prefix"):
                value = row.get("options", {}).get(option)
                if value and option not in preset:
                    norm.literals.setdefault(value, f"<{option}>")
    dp_name: dict[str, str] = {}
    dp_by_key: dict[int, str] = {}
    for table, rows in sb.items():
        namer = _SB_NAME.get(table)
        for row in rows:
            name = namer(row) if namer else None
            norm.sb[row["_uuid"]] = name if name is not None else table
    for row in sb.get("Datapath_Binding", []):
        name = row["external_ids"].get("name") or f"<unnamed:{norm.text(str(row['external_ids']))}>"
        dp_name[row["_uuid"]] = name
        dp_by_key[row["tunnel_key"]] = name
        norm.sb[row["_uuid"]] = name
    groups = {
        g["_uuid"]: sorted(dp_name.get(d, "<dangling>") for d in g["datapaths"])
        for g in sb.get("Logical_DP_Group", [])
    }
    return _Ctx(sb=sb, norm=norm, dp_name=dp_name, dp_by_key=dp_by_key, groups=groups)


# --- sections ------------------------------------------------------------------------------------

_PIPE_RANK = {"ingress": 0, "egress": 1}
# A port's tunnel key written into flows (ECMP symmetric reply): replaced by the port's name.
_ECMP_KEY_RE = re.compile(r"(ct_(?:mark|label)\.ecmp_reply_port ==? )(\d+)")


def _flow_sections(ctx: _Ctx, with_source: bool) -> tuple[list[str], list[str]]:
    port_by_key: dict[tuple[str, int], str] = {}
    for pb in ctx.rows("Port_Binding"):
        port_by_key[(ctx.dp_name.get(pb["datapath"], "?"), pb["tunnel_key"])] = pb["logical_port"]
    flows: list[tuple[tuple[Any, ...], str]] = []
    hints: list[tuple[tuple[Any, ...], str]] = []
    norm = ctx.norm
    for lf in ctx.rows("Logical_Flow"):
        dps: list[str] = []
        if lf["logical_datapath"] is not None:
            dps.append(ctx.dp_name.get(lf["logical_datapath"], "<dangling>"))
        if lf["logical_dp_group"] is not None:
            dps.extend(ctx.groups.get(lf["logical_dp_group"], ["<dangling-group>"]))
        ext = lf["external_ids"]
        stage = ext.get("stage-name", "?")
        match = norm.text(lf["match"])
        extra = ""
        if lf["controller_meter"] is not None:
            extra += f" meter={norm.value(lf['controller_meter'])}"
        if lf["tags"]:
            extra += f" tags={norm.value(lf['tags'])}"
        hint = ext.get("stage-hint")
        others = {k: v for k, v in ext.items() if k not in ("stage-name", "stage-hint", "source")}
        if others:
            extra += f" external_ids={norm.value(others)}"
        for dp in dps:

            def port_key(m: re.Match[str], dp: str = dp) -> str:
                key = m.group(2)
                return f"{m.group(1)}<key:{port_by_key.get((dp, int(key)), key)}>"

            dp_match = _ECMP_KEY_RE.sub(port_key, match)
            actions = _ECMP_KEY_RE.sub(port_key, norm.text(lf["actions"]))
            sort_key = (
                dp,
                _PIPE_RANK.get(lf["pipeline"], 2),
                lf["table_id"],
                -lf["priority"],
                dp_match,
                actions,
            )
            line = (
                f"{dp} {lf['pipeline']} {lf['table_id']} {lf['priority']} {stage} "
                f"match=({dp_match}) action=({actions}){extra}"
            )
            flows.append((sort_key, line))
            if hint is not None or with_source:
                h = f"hint={norm.hint(hint)}" if hint is not None else "hint=-"
                if with_source:
                    h += f" source={ext.get('source', '-')}"
                hints.append((sort_key, f"{line} {h}"))
    flows.sort()
    hints.sort()
    return [line for _, line in flows], [line for _, line in hints]


def _rows_section(
    ctx: _Ctx,
    rows: str | list[Row],
    key: Callable[[Row], str],
    *,
    skip: Iterable[str] = (),
    render: Mapping[str, Callable[[Any], str]] | None = None,
    one_line: bool = False,
) -> list[str]:
    """``KEY`` and ``KEY column=value`` lines for every row of ``rows`` (a table name or rows);
    ``one_line``: a single ``KEY column=value ...`` line per row (for small static rows)."""
    skipped = {"_uuid", "tunnel_key", *skip}
    render = render or {}
    lines = []
    for row in ctx.rows(rows) if isinstance(rows, str) else rows:
        k = key(row)
        cols = []
        for col, val in sorted(row.items()):
            if col in skipped or _empty(val):
                continue
            text = render[col](val) if col in render else ctx.norm.value(val)
            cols.append(f"{col}={text}")
        if one_line:
            lines.append(" ".join([k, *cols]))
        else:
            lines.append(k)
            lines.extend(f"{k} {c}" for c in cols)
    return sorted(lines)


def _dps(ctx: _Ctx, refs: Any) -> str:
    return "[" + ", ".join(sorted(ctx.dp_name.get(r, "<dangling>") for r in refs)) + "]"


def _pg_name(ctx: _Ctx, name: str) -> str:
    """Per-datapath port groups are named ``<datapath key>_<name>``: the key becomes the name."""
    m = re.match(r"^(\d+)_(.*)$", name)
    if m and int(m.group(1)) in ctx.dp_by_key:
        return f"<{ctx.dp_by_key[int(m.group(1))]}>_{m.group(2)}"
    return name


def _table_sections(ctx: _Ctx) -> Snapshot:
    n = ctx.norm
    dp = ctx.dp_name
    out: Snapshot = {}

    def ext_ids(v: Any) -> str:
        return n.value(v)

    out["Datapath_Binding"] = _rows_section(ctx, "Datapath_Binding", lambda r: dp[r["_uuid"]])
    out["Port_Binding"] = _rows_section(
        ctx,
        "Port_Binding",
        lambda r: f"{r['logical_port']}",
        skip=("logical_port",),
        render={"datapath": lambda v: dp.get(v, "<dangling>")},
    )
    out["Gateway_Chassis"] = _rows_section(
        ctx, "Gateway_Chassis", lambda r: r["name"], skip=("name",)
    )
    ha_chassis = {
        r["_uuid"]: (
            n.value(r["chassis"]) if r["chassis"] else r["external_ids"].get("chassis-name", "-")
        )
        for r in ctx.rows("HA_Chassis")
    }
    ha_group = {c: g["name"] for g in ctx.rows("HA_Chassis_Group") for c in g["ha_chassis"]}
    out["HA_Chassis_Group"] = _rows_section(
        ctx,
        "HA_Chassis_Group",
        lambda r: r["name"],
        skip=("name",),
        render={
            "ha_chassis": lambda v: "[" + ", ".join(sorted(ha_chassis.get(x, "?") for x in v)) + "]"
        },
    )
    out["HA_Chassis"] = _rows_section(
        ctx,
        "HA_Chassis",
        lambda r: f"{ha_group.get(r['_uuid'], '<no group>')} {ha_chassis[r['_uuid']]}",
    )
    out["Multicast_Group"] = _rows_section(
        ctx,
        "Multicast_Group",
        lambda r: f"{dp.get(r['datapath'], '<dangling>')} {r['name']}",
        skip=("datapath", "name"),
    )
    out["Address_Set"] = _rows_section(
        ctx, "Address_Set", lambda r: n.text(r["name"]), skip=("name",)
    )
    out["Port_Group"] = _rows_section(
        ctx, "Port_Group", lambda r: _pg_name(ctx, r["name"]), skip=("name",)
    )
    for table in ("DHCP_Options", "DHCPv6_Options"):
        out[table] = _rows_section(ctx, table, lambda r: r["name"], skip=("name",), one_line=True)
    out["DNS"] = _rows_section(
        ctx,
        "DNS",
        lambda r: f"DNS({ext_ids(r['external_ids'])})",
        render={"datapaths": lambda v: _dps(ctx, v)},
    )
    lb_lines = []
    for lb in ctx.rows("Load_Balancer"):
        members = list(lb["datapaths"])
        if lb["datapath_group"] is not None:
            members.extend(_group_refs(ctx, lb["datapath_group"]))
        row = dict(lb)
        row.pop("datapath_group")
        row["datapaths"] = members
        lb_lines.append(row)
    out["Load_Balancer"] = _rows_section(
        ctx,
        lb_lines,
        lambda r: n.text(r["name"]),
        skip=("name",),
        render={"datapaths": lambda v: _dps(ctx, v)},
    )
    out["Static_MAC_Binding"] = _rows_section(
        ctx,
        "Static_MAC_Binding",
        lambda r: f"{r['logical_port']} {r['ip']}",
        skip=("logical_port", "ip"),
    )
    out["IP_Multicast"] = _rows_section(
        ctx, "IP_Multicast", lambda r: dp.get(r["datapath"], "<dangling>"), skip=("datapath",)
    )
    out["Service_Monitor"] = _rows_section(
        ctx,
        "Service_Monitor",
        lambda r: f"{r['logical_port']} {r['protocol'] or '-'} {r['ip']}:{r['port']}",
        skip=("logical_port", "protocol", "ip", "port"),
    )
    out["SB_Global"] = _rows_section(ctx, "SB_Global", lambda r: "SB_Global")
    out["Meter"] = _rows_section(ctx, "Meter", lambda r: n.text(r["name"]), skip=("name",))
    out["RBAC_Role"] = _rows_section(ctx, "RBAC_Role", lambda r: r["name"], skip=("name",))
    out["RBAC_Permission"] = _rows_section(
        ctx, "RBAC_Permission", lambda r: r["table"], skip=("table",), one_line=True
    )
    out["Chassis_Template_Var"] = _rows_section(
        ctx, "Chassis_Template_Var", lambda r: r["chassis"], skip=("chassis",)
    )
    out["BFD"] = _rows_section(
        ctx,
        "BFD",
        lambda r: f"{r['logical_port']} {r['dst_ip']}",
        render={"disc": lambda v: "<random>", "src_port": lambda v: "<random>"},
    )
    out["FDB"] = _rows_section(
        ctx, "FDB", lambda r: f"{ctx.dp_by_key.get(r['dp_key'], '?')} {r['mac']}", skip=("dp_key",)
    )
    out["Mirror"] = _rows_section(ctx, "Mirror", lambda r: r["name"], skip=("name",))
    return out


def _group_refs(ctx: _Ctx, group: str) -> list[str]:
    for g in ctx.rows("Logical_DP_Group"):
        if g["_uuid"] == group:
            return list(g["datapaths"])
    return []


def _keys_section(ctx: _Ctx) -> list[str]:
    lines = []
    for r in ctx.rows("Datapath_Binding"):
        lines.append(f"Datapath_Binding {ctx.dp_name[r['_uuid']]} {r['tunnel_key']}")
    for r in ctx.rows("Port_Binding"):
        lines.append(f"Port_Binding {r['logical_port']} {r['tunnel_key']}")
    for r in ctx.rows("Multicast_Group"):
        lines.append(
            f"Multicast_Group {ctx.dp_name.get(r['datapath'], '<dangling>')} {r['name']} {r['tunnel_key']}"
        )
    return sorted(lines)


_NB_VOLATILE = re.compile(r"_timestamp$")


def _nb_writeback(norm: _Norm, pre: Db, post: Db) -> list[str]:
    """``Table ROW column=value`` for each column northd changed in the Northbound."""
    lines = []
    for table in sorted(set(pre) | set(post)):
        before = {r["_uuid"]: r for r in pre.get(table, [])}
        after = {r["_uuid"]: r for r in post.get(table, [])}
        for u, row in after.items():
            marker = norm.nb.get(u, "?")
            old = before.get(u)
            if old is None:
                lines.append(f"{table} <{marker}> (inserted)")
                old = {}
            for col, val in row.items():
                if col == "_uuid" or _NB_VOLATILE.search(col):
                    continue
                if col in old and old[col] == val:
                    continue
                if col not in old and _empty(val):
                    continue
                lines.append(f"{table} <{marker}> {col}={norm.value(val)}")
        for u in before.keys() - after.keys():
            lines.append(f"{table} <{norm.nb.get(u, '?')}> (deleted)")
    return sorted(lines)


def normalise(
    sb: Db, nb_pre: Db | None = None, nb_post: Db | None = None, *, with_source: bool = False
) -> Snapshot:
    """The comparable sections of one run: the Southbound ``sb`` and, when given, the Northbound
    before (``nb_pre``) and after (``nb_post``) northd ran."""
    pre = nb_pre or {}
    post = nb_post if nb_post is not None else pre
    ctx = _make_ctx(sb, pre, post)
    flows, hints = _flow_sections(ctx, with_source)
    snap: Snapshot = {FLOW_SECTION: flows, HINT_SECTION: hints}
    snap.update(_table_sections(ctx))
    snap[KEYS_SECTION] = _keys_section(ctx)
    if nb_pre is not None:
        snap[NB_SECTION] = _nb_writeback(ctx.norm, pre, post)
    return snap
