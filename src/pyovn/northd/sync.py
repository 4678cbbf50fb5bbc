"""Desired Southbound -> the operations of one transaction that make the Southbound so.

:class:`SbWriter` compares the engine's desired flows and rows with the Southbound replica and
writes the difference: rows inserted, columns updated (large sets by ``mutate``), rows deleted.
After an incremental run only the keys the engine marked dirty are compared; after a full
recompute every key, and every row of a table northd owns that no owner wants is deleted.

Keys of existing SB rows come from :data:`TABLE_KEYS` (e.g. a Port_Binding's key is its
``logical_port``, a Datapath_Binding's the NB uuid in its external_ids); :class:`SbIndex` keeps
key -> uuid per table, updated from the SB replica's events.  A logical flow's identity is its
content (stage, priority, match, actions, stage-hint, controller meter); the datapaths that want
it decide whether the row has ``logical_datapath`` or a ``logical_dp_group``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from pyovn.northd.output import Default, Inline, LflowTable, Ref, RowTable
from pyovn.ovsdb.largeset import SET_TYPES
from pyovn.ovsdb.schema import DatabaseSchema
from pyovn.ovsdb.types import MAP, SCALAR
from pyovn.pipeline.stages import STAGES_BY_NAME

__all__ = ["SbIndex", "SbWriter", "TABLE_KEYS"]


def _opt(v: Any) -> Any:
    if isinstance(v, (list, tuple, *SET_TYPES)):
        for x in v:
            return x
        return None
    return v


def _uuid_of(v: Any) -> Any:
    v = _opt(v)
    return getattr(v, "uuid", v)


class _Unresolved(Exception):
    """A reference to a row that is neither in the Southbound nor written in this run."""


class SbIndex:
    """Per SB table northd writes: key -> SB row uuid (and back), from the SB replica."""

    def __init__(self, sb: Mapping[str, Any]) -> None:
        self.sb = sb
        self.by_key: dict[str, dict[Any, str]] = {t: {} for t in TABLE_KEYS}
        self.key_of: dict[str, dict[str, Any]] = {t: {} for t in TABLE_KEYS}
        self.flows: dict[tuple[Any, ...], set[str]] = {}
        self.flow_content: dict[str, tuple[Any, ...]] = {}

    def rebuild(self) -> None:
        for t in TABLE_KEYS:
            self.by_key[t].clear()
            self.key_of[t].clear()
        self.flows.clear()
        self.flow_content.clear()
        for t in ("Datapath_Binding", *[t for t in TABLE_KEYS if t != "Datapath_Binding"]):
            table = self.sb.get(t)
            if table is None:
                continue
            for row in table:
                self.on_row(t, row)
        lf = self.sb.get("Logical_Flow")
        if lf is not None:
            for row in lf:
                self.on_flow(row)

    def nb_dp_of(self, sb_dp_uuid: Any) -> str | None:
        row = self.sb["Datapath_Binding"].get(_uuid_of(sb_dp_uuid))
        if row is None:
            return None
        ids = row.external_ids
        return ids.get("logical-switch") or ids.get("logical-router")

    def on_row(self, table: str, row: Any) -> None:
        self.forget(table, row.uuid)
        key = TABLE_KEYS[table](self, row)
        if key is None:
            return
        self.by_key[table][key] = row.uuid
        self.key_of[table][row.uuid] = key

    def forget(self, table: str, uuid: str) -> None:
        key = self.key_of[table].pop(uuid, None)
        if key is not None and self.by_key[table].get(key) == uuid:
            del self.by_key[table][key]

    def on_flow(self, row: Any) -> None:
        self.forget_flow(row.uuid)
        ids = row.external_ids
        stage = STAGES_BY_NAME.get(ids.get("stage-name", ""))
        meter = _opt(row.controller_meter)
        lport = row.tags.get("in_out_port")
        content = (stage, row.priority, row.match, row.actions, meter, lport)
        self.flows.setdefault(content, set()).add(row.uuid)
        self.flow_content[row.uuid] = content

    def forget_flow(self, uuid: str) -> None:
        content = self.flow_content.pop(uuid, None)
        if content is not None:
            s = self.flows.get(content)
            if s is not None:
                s.discard(uuid)
                if not s:
                    del self.flows[content]

    def on_event(self, event: str, table: str, row: Any) -> None:
        if table == "Logical_Flow":
            if event == "delete":
                self.forget_flow(row.uuid)
            else:
                self.on_flow(row)
        elif table in TABLE_KEYS:
            if event == "delete":
                self.forget(table, row.uuid)
            else:
                self.on_row(table, row)


def _key_ext(column: str) -> Callable[[SbIndex, Any], Any]:
    return lambda idx, row: row.external_ids.get(column)


def _key_col(column: str) -> Callable[[SbIndex, Any], Any]:
    return lambda idx, row: getattr(row, column)


TABLE_KEYS: dict[str, Callable[[SbIndex, Any], Any]] = {
    "SB_Global": lambda idx, row: "global",
    "Datapath_Binding": lambda idx, row: row.external_ids.get("logical-switch")
    or row.external_ids.get("logical-router"),
    "Port_Binding": _key_col("logical_port"),
    "Multicast_Group": lambda idx, row: (idx.nb_dp_of(row.datapath), row.name),
    "Address_Set": _key_col("name"),
    "Port_Group": _key_col("name"),
    "DHCP_Options": _key_col("name"),
    "DHCPv6_Options": _key_col("name"),
    "DNS": _key_ext("dns_id"),
    "Load_Balancer": _key_ext("lb_id"),
    "HA_Chassis_Group": _key_col("name"),
    "Static_MAC_Binding": lambda idx, row: (row.logical_port, row.ip),
    "IP_Multicast": lambda idx, row: idx.nb_dp_of(row.datapath),
    "Service_Monitor": lambda idx, row: (row.logical_port, row.ip, row.port, _opt(row.protocol)),
    "Meter": _key_col("name"),
    "RBAC_Role": _key_col("name"),
    "RBAC_Permission": lambda idx, row: row.raw("table"),  # (Row.table is the table name)
    "Chassis_Template_Var": _key_col("chassis"),
    "BFD": lambda idx, row: (row.logical_port, row.dst_ip),
    "Mirror": _key_col("name"),
}

# Tables whose rows northd alone decides: rows no owner wants are deleted on a full sync.
OWNED_TABLES = tuple(t for t in TABLE_KEYS if t not in ("SB_Global",))


class SbWriter:
    def __init__(self, sb: Mapping[str, Any], schema: DatabaseSchema) -> None:
        self.sb = sb
        self.schema = schema
        self.index = SbIndex(sb)
        self._names = itertools.count(1)
        self._pending_names: dict[tuple[str, Any], str] = {}
        self._inline_ops: list[dict[str, Any]] = []  # inserts of Inline rows, before their parent

    # --- value conversion -----------------------------------------------------------------------

    def _atom(self, v: Any, pending: dict[tuple[str, Any], str]) -> Any:
        if isinstance(v, Ref):
            name = pending.get((v.table, v.key))
            if name is not None:
                return ["named-uuid", name]
            u = self.index.by_key[v.table].get(v.key)
            if u is None:
                raise _Unresolved(f"{v.table} {v.key!r}")
            return ["uuid", u]
        if isinstance(v, str) and len(v) == 36 and v.count("-") == 4:
            return v  # caller decides (uuid columns are handled by _datum)
        return v

    def _datum(self, table: str, column: str, value: Any, pending: dict) -> Any:
        ctype = self.schema.tables[table].columns[column].type
        kind = ctype.kind

        if isinstance(value, Default):
            value = value.value

        def atom(base: Any, v: Any) -> Any:
            if isinstance(v, Ref):
                return self._atom(v, pending)
            if isinstance(v, Inline):
                return self._inline(v, pending)
            if base.type == "uuid":
                return ["uuid", v]
            return v

        if kind == SCALAR:
            return atom(ctype.key, value)
        if kind == MAP:
            items = sorted(value.items(), key=lambda kv: _sortkey(kv[0]))
            return ["map", [[atom(ctype.key, k), atom(ctype.value, x)] for k, x in items]]
        vals = sorted(self._canon(table, column, value), key=_sortkey)
        return ["set", [atom(ctype.key, x) for x in vals]]

    def _inline(self, v: Inline, pending: dict) -> list[str]:
        """Insert an Inline row (named) ahead of its parent's operation; its named uuid."""
        name = f"row{next(self._names)}"
        row = {}
        for c, x in v.items:
            if self.schema.tables[v.table].columns[c].type.kind == MAP:
                x = dict(x)
            row[c] = self._datum(v.table, c, x, pending)
        self._inline_ops.append({"op": "insert", "table": v.table, "row": row, "uuid-name": name})
        return ["named-uuid", name]

    def _inline_same(self, have: Any, want: Any) -> bool:
        """Whether the rows ``have`` (uuids) hold what the Inline set ``want`` describes."""
        have_set = have if isinstance(have, (frozenset, *SET_TYPES)) else frozenset([have])
        want_list = sorted((x for x in want if isinstance(x, Inline)), key=repr)
        if len(have_set) != len(want_list):
            return False
        got = []
        for u in have_set:
            if not want_list:
                return False
            t = want_list[0].table
            row = self.sb.get(t, {}).get(u) if self.sb.get(t) is not None else None
            if row is None:
                return False
            items = []
            for c, _ in want_list[0].items:
                x = row.raw(c)
                if isinstance(x, dict):
                    x = tuple(sorted(x.items()))
                items.append((c, x))
            got.append(Inline(t, tuple(items)))
        return sorted(got, key=repr) == want_list

    def _canon(self, table: str, column: str, value: Any) -> Any:
        kind = self.schema.tables[table].columns[column].type.kind
        if kind in (SCALAR, MAP):
            return value
        if isinstance(value, (frozenset, *SET_TYPES)):
            return value
        if value is None:
            return frozenset()
        if isinstance(value, (list, tuple, set)):
            return frozenset(value)
        return frozenset((value,))

    def _resolved(self, value: Any, pending: dict) -> Any:
        """A desired value with Refs replaced by uuids, for comparing with the current row;
        None when a Ref points to a row not yet in the Southbound."""
        if isinstance(value, Ref):
            if (value.table, value.key) in pending:
                return None
            return self.index.by_key[value.table].get(value.key)
        if isinstance(value, (frozenset, *SET_TYPES)) and any(isinstance(x, Ref) for x in value):
            out = set()
            for x in value:
                r = self._resolved(x, pending)
                if r is None:
                    return None
                out.add(r)
            return frozenset(out)
        if isinstance(value, dict) and any(isinstance(x, Ref) for x in value.values()):
            out_map = {}
            for k, x in value.items():
                r = self._resolved(x, pending)
                if r is None:
                    return None
                out_map[k] = r
            return out_map
        return value

    # --- rows -----------------------------------------------------------------------------------

    def row_ops(self, rows: RowTable, full: bool) -> list[dict[str, Any]]:
        """Operations for the dirty (or, with ``full``, all) desired rows."""
        ops: list[dict[str, Any]] = []
        keys: set[tuple[str, Any]]
        if full:
            keys = set(rows.rows)
            for t in OWNED_TABLES:
                for k in self.index.by_key[t]:
                    keys.add((t, k))
            keys.add(("SB_Global", "global"))
        else:
            keys = set(rows.dirty)
        rows.dirty.clear()
        # Inserts first get names, so references between new rows resolve in one transaction.
        pending: dict[tuple[str, Any], str] = {}
        self._pending_names = pending  # flow_ops refers to datapaths inserted alongside
        for k in keys:
            if rows.rows.get(k) is not None and k[1] not in self.index.by_key.get(k[0], {}):
                if k[0] == "SB_Global" and any(True for _ in self.sb.get("SB_Global", ())):
                    continue
                pending[k] = f"row{next(self._names)}"
        for k in sorted(keys, key=lambda k: (_TABLE_ORDER.get(k[0], 99), repr(k[1]))):
            try:
                self._inline_ops = []
                row_ops = self._row_ops(rows, k, full, pending)
                ops.extend(self._inline_ops)
                ops.extend(row_ops)
            except _Unresolved:
                rows.dirty.add(k)  # refers to a row not written yet: next run
        return ops

    def _row_ops(self, rows: RowTable, k: tuple[str, Any], full: bool,
                 pending: dict[tuple[str, Any], str]) -> list[dict[str, Any]]:
        table, key = k
        want = rows.rows.get(k)
        uuid = self.index.by_key.get(table, {}).get(key)
        if table == "SB_Global" and uuid is None:
            for r in self.sb.get("SB_Global", ()):
                uuid = r.uuid
        member_cols = rows.member_columns(table, key)
        if want is None:
            for c in member_cols:
                rows.deltas.pop((table, key, c), None)
            if uuid is not None and table in OWNED_TABLES:
                return [{"op": "delete", "table": table, "where": _where(uuid)}]
            return []
        if uuid is None:
            row_json = {c: self._datum(table, c, v, pending) for c, v in want.values.items()}
            for c in member_cols:
                row_json[c] = self._datum(table, c, rows.member_set(table, key, c), pending)
                rows.deltas.pop((table, key, c), None)
            return [{"op": "insert", "table": table, "row": row_json, "uuid-name": pending[k]}]
        cur = self.sb[table].get(uuid)
        if cur is None:
            return []
        update: dict[str, Any] = {}
        mutations: list[list[Any]] = []
        for c, v in want.values.items():
            have = cur.raw(c)
            if isinstance(v, Default):
                if have or self.schema.tables[table].columns[c].type.kind == SCALAR:
                    continue  # written once: the column is someone else's now
                v = v.value
            if isinstance(v, (frozenset, Inline)) and any(isinstance(x, Inline) for x in
                                                         (v if isinstance(v, frozenset) else [v])):
                if not self._inline_same(have, v if isinstance(v, frozenset) else [v]):
                    update[c] = self._datum(table, c, v, pending)
                continue
            resolved = self._resolved(self._canon(table, c, v), pending)
            if resolved is not None and _same(have, resolved):
                continue
            if resolved is not None and isinstance(have, (frozenset, *SET_TYPES)) and len(have) > 64:
                self._set_mutations(table, c, have, frozenset(resolved), pending, mutations)
                continue
            update[c] = self._datum(table, c, v, pending)
        for c in member_cols:
            delta = rows.deltas.pop((table, key, c), None)
            if full:
                have = cur.raw(c)
                want_set = self._resolved(rows.member_set(table, key, c), pending)
                if want_set is None:
                    raise _Unresolved(c)
                self._set_mutations(table, c, have, frozenset(want_set), pending, mutations)
            elif delta:
                add = frozenset(x for x, n in delta.items() if n > 0)
                rem = frozenset(x for x, n in delta.items() if n < 0)
                if rem:
                    mutations.append([c, "delete", self._datum(table, c, rem, pending)])
                if add:
                    mutations.append([c, "insert", self._datum(table, c, add, pending)])
        ops: list[dict[str, Any]] = []
        if update:
            ops.append({"op": "update", "table": table, "where": _where(uuid), "row": update})
        if mutations:
            ops.append({"op": "mutate", "table": table, "where": _where(uuid),
                        "mutations": mutations})
        return ops

    def _set_mutations(self, table: str, column: str, have: Any, want: frozenset[Any],
                       pending: dict, out: list[list[Any]]) -> None:
        add = want - have
        rem = frozenset(have) - want
        if rem:
            out.append([column, "delete", self._datum(table, column, rem, pending)])
        if add:
            out.append([column, "insert", self._datum(table, column, add, pending)])

    # --- flows ----------------------------------------------------------------------------------

    def flow_ops(self, flows: LflowTable, full: bool) -> list[dict[str, Any]]:
        contents: Iterable[Any]
        if full:
            contents = set(flows.flows) | set(self.index.flows)
        else:
            contents = set(flows.dirty)
        flows.dirty.clear()
        ops: list[dict[str, Any]] = []
        dp_uuid = self.index.by_key["Datapath_Binding"]
        groups = self._existing_groups()
        new_groups: dict[frozenset[str], str] = {}
        for content in contents:
            want = flows.datapaths(content)
            have = self.index.flows.get(content, set())
            # A datapath inserted by this same transaction is named ("named:<uuid-name>").
            sb_dps = frozenset(u for u in (dp_uuid.get(d) or self._named_dp(d) for d in want)
                               if u is not None)
            if len(sb_dps) != len(want):
                # A datapath neither in the Southbound nor written now: wait for the next run.
                flows.dirty.add(content)
                continue
            keep: str | None = None
            for u in have:
                if keep is None and sb_dps and self._flow_dps(u) == sb_dps:
                    keep = u
                else:
                    ops.append({"op": "delete", "table": "Logical_Flow", "where": _where(u)})
            if not sb_dps:
                continue
            stage, priority, match, actions, meter, lport = content
            hint = flows.hint(content)
            source = flows.source(content)
            if keep is not None:
                ids = self.sb["Logical_Flow"][keep].external_ids
                if ids.get("stage-hint") != hint or ids.get("source") != source:
                    new_ids = {k: v for k, v in ids.items() if k not in ("stage-hint", "source")}
                    if hint:
                        new_ids["stage-hint"] = hint
                    if source:
                        new_ids["source"] = source
                    ops.append({"op": "update", "table": "Logical_Flow", "where": _where(keep),
                                "row": {"external_ids": ["map", sorted(
                                    [k, v] for k, v in new_ids.items())]}})
                continue
            ext: list[list[str]] = [["stage-name", stage.name]]
            if hint:
                ext.append(["stage-hint", hint])
            if source:
                ext.append(["source", source])
            row: dict[str, Any] = {
                "pipeline": stage.pipeline,
                "table_id": stage.table,
                "priority": priority,
                "match": match,
                "actions": actions,
                "external_ids": ["map", sorted(ext)],
            }
            if meter:
                row["controller_meter"] = meter
            if lport:
                row["tags"] = ["map", [["in_out_port", lport]]]
            if len(sb_dps) == 1:
                (only,) = sb_dps
                row["logical_datapath"] = _uuid_json(only)
            else:
                g = groups.get(sb_dps)
                if g is not None:
                    row["logical_dp_group"] = ["uuid", g]
                else:
                    name = new_groups.get(sb_dps)
                    if name is None:
                        name = new_groups[sb_dps] = f"dpg{next(self._names)}"
                        ops.append(
                            {
                                "op": "insert",
                                "table": "Logical_DP_Group",
                                "uuid-name": name,
                                "row": {
                                    "datapaths": ["set", [_uuid_json(u) for u in sorted(sb_dps)]]
                                },
                            }
                        )
                    row["logical_dp_group"] = ["named-uuid", name]
            ops.append({"op": "insert", "table": "Logical_Flow", "row": row})
        return ops

    def _named_dp(self, nb_uuid: str) -> str | None:
        name = self._pending_names.get(("Datapath_Binding", nb_uuid))
        return f"named:{name}" if name else None

    def _flow_dps(self, uuid: str) -> frozenset[str]:
        row = self.sb["Logical_Flow"].get(uuid)
        if row is None:
            return frozenset()
        dp = _uuid_of(row.logical_datapath)
        if dp:
            return frozenset((dp,))
        g = _uuid_of(row.logical_dp_group)
        if g:
            grow = self.sb["Logical_DP_Group"].get(g)
            if grow is not None:
                return frozenset(_uuid_of(x) for x in grow.datapaths)
        return frozenset()

    def _existing_groups(self) -> dict[frozenset[str], str]:
        t = self.sb.get("Logical_DP_Group")
        out: dict[frozenset[str], str] = {}
        if t is None:
            return out
        for g in t:
            out[frozenset(_uuid_of(x) for x in g.datapaths)] = g.uuid
        return out


_TABLE_ORDER = {"SB_Global": 0, "Datapath_Binding": 1, "HA_Chassis_Group": 2, "Mirror": 2,
                "Port_Binding": 3, "RBAC_Permission": 4}


def _uuid_json(u: str) -> list[str]:
    """A datapath reference: a uuid, or the name of a row inserted by the same transaction."""
    return ["named-uuid", u[6:]] if u.startswith("named:") else ["uuid", u]


def _where(uuid: str) -> list[Any]:
    return [["_uuid", "==", ["uuid", uuid]]]


def _sortkey(v: Any) -> Any:
    if isinstance(v, Ref):
        return (1, repr(v.key))
    if isinstance(v, Inline):
        return (2, repr(v))
    return (0, v) if not isinstance(v, bool) else (0, int(v))


def _same(have: Any, want: Any) -> bool:
    if isinstance(have, (frozenset, *SET_TYPES)):
        if isinstance(want, (frozenset, set, *SET_TYPES)):
            return len(have) == len(want) and all(x in have for x in want)
        return False
    return bool(have == want)
