"""northd's derived data: datapaths and ports with tunnel keys and peers, and who owns what.

:class:`Model` is built from the Northbound replica (``nb``: table name -> rows, the IDL's
``TableReplica`` objects or anything with ``get(uuid)`` and iteration) and the Southbound's
existing keys, and then kept up to date change by change:

* ``switches`` / ``routers``: :class:`Switch` and :class:`Router` by NB uuid, each with its
  ports, its tunnel key, and ``flags`` (facts other owners contribute, counted by the engine).
* ``ports``: every :class:`SwitchPort` / :class:`RouterPort` by NB uuid; ``port_by_name``.
* ``acl_switches`` / ``lb_datapaths``: on which switches an ACL applies (directly or through a
  port group) and on which datapaths a load balancer sits (directly or through a group).
* ``referrers``: a reverse index of the Northbound's references (child uuid -> parent uuids),
  so a change to any row can be traced up to the datapaths and ports that use it.

The change methods return the owners (see :mod:`pyovn.northd.registry`) the change makes dirty;
the engine rebuilds them.  Owner keys are ``(kind name, id)`` tuples.

Tunnel keys are kept from the Southbound when a datapath or port already has one there (so keys
survive restarts), taken from ``options:requested-tnl-key`` / ``other_config:requested-tnl-key``
when given, and otherwise allocated as the next free key after the last one allocated, as OVN
does.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from collections.abc import Set as AbstractSet
from typing import Any

from pyovn.northd.cnum import smap_get_bool
from pyovn.northd.entities import (
    DP_KEY_MAX,
    DP_KEY_MIN,
    KeyAllocator,
    NorthdDatapath,
    NorthdPort,
    OwnerKey,
    Router,
    RouterPort,
    Switch,
    SwitchPort,
)
from pyovn.northd.idlorder import datapaths_order, hmap_iteration, idl_order, uuid_hash

__all__ = ["Model"]

def _hmap_order(dps: Iterable[NorthdDatapath]) -> list[NorthdDatapath]:
    """Datapaths in the order OVN's IDL yields their NB rows (:mod:`pyovn.northd.idlorder`)."""
    return idl_order(list(dps))


def _ref_columns(nb: Mapping[str, Any]) -> dict[str, list[tuple[str, str]]]:
    """table -> [(column, referenced table)] for every uuid-reference column (from the schema)."""
    out: dict[str, list[tuple[str, str]]] = {}
    for name, table in nb.items():
        cols: list[tuple[str, str]] = []
        schema = getattr(table, "schema", None)
        if schema is None:
            continue
        for cname, col in schema.columns.items():
            t = col.type
            for base in (t.key, t.value):
                if base is not None and getattr(base, "ref_table", None):
                    cols.append((cname, base.ref_table))
        out[name] = cols
    return out


class Model:
    """The derived data (module docstring).  ``nb``/``sb``: table name -> replica table."""

    def __init__(self, nb: Mapping[str, Any], sb: Mapping[str, Any] | None = None) -> None:
        self.nb = nb
        self.sb = sb or {}
        self.switches: dict[str, Switch] = {}
        self.routers: dict[str, Router] = {}
        self.ports: dict[str, SwitchPort | RouterPort] = {}
        self.port_by_name: dict[str, SwitchPort | RouterPort] = {}
        self.dp_keys = KeyAllocator(DP_KEY_MIN, DP_KEY_MAX)
        # Ports whose key a requested key took (see changes.py).
        self.rekeyed: list[NorthdPort] = []
        # Bumped whenever a datapath comes or goes (the real northd's walk order changes).
        self.dp_version = 0
        # Switch port name -> health-checked load balancers whose ip_port_mappings name it;
        # None: to be built again (a Load_Balancer row changed).
        self.hc_ports: dict[str, list[str]] | None = None
        self._dp_rank_key = -1
        self._dp_rank: dict[str, int] = {}
        self._lb_rank_n = -1
        self._lb_rank: dict[str, int] = {}
        # BFD / Static_MAC_Binding row uuid -> the port name it had (changes.by_port_name).
        self.named_port: dict[str, str] = {}
        # ACL uuid -> switches it applies to (count: through how many paths).
        self.acl_switches: defaultdict[str, Counter[str]] = defaultdict(Counter)
        # Port group uuid -> switches with one of its ports (count of ports).
        self.pg_switches: defaultdict[str, Counter[str]] = defaultdict(Counter)
        # LB uuid -> datapaths it is on (directly or through LB groups).
        self.lb_datapaths: defaultdict[str, Counter[str]] = defaultdict(Counter)
        # child uuid -> parents referring to it (count: through how many columns)
        self.referrers: defaultdict[str, Counter[str]] = defaultdict(Counter)
        # parent uuid -> column -> the children it refers to in that column
        self.refs_of: dict[str, dict[str, set[str]]] = {}
        # Port group uuid -> {port uuid: switch uuid} and -> its ACLs.
        self.pg_members: dict[str, dict[str, str]] = {}
        self.pg_acls: dict[str, frozenset[str]] = {}
        self.ref_columns = _ref_columns(nb)
        self._sb_dp_keys: dict[str, int] = {}
        self._sb_port_keys: dict[str, tuple[str, int]] = {}

    # --- building -----------------------------------------------------------------------------

    def _read_sb_keys(self) -> None:
        self._sb_dp_keys.clear()
        self._sb_port_keys.clear()
        sb_dps: dict[str, str] = {}
        for row in self.sb.get("Datapath_Binding", ()):
            ids = row.external_ids
            nb_uuid = ids.get("logical-switch") or ids.get("logical-router")
            if nb_uuid:
                self._sb_dp_keys[nb_uuid] = row.tunnel_key
                sb_dps[row.uuid] = nb_uuid
        for row in self.sb.get("Port_Binding", ()):
            dp = row.datapath
            dp_uuid = dp.uuid if hasattr(dp, "uuid") else dp
            nb_dp = sb_dps.get(dp_uuid)
            if nb_dp:
                self._sb_port_keys[row.logical_port] = (nb_dp, row.tunnel_key)

    def build(self) -> None:
        """Everything from scratch (a full recompute)."""
        self.__init__(self.nb, self.sb)  # type: ignore[misc]
        self._read_sb_keys()
        nb = self.nb
        for row in self._rows("Logical_Switch"):
            self.switches[row.uuid] = Switch(row)
        for row in self._rows("Logical_Router"):
            if row.enabled != [False]:  # a disabled router has no datapath at all (as OVN)
                self.routers[row.uuid] = Router(row)
        # The routers' IDL order is that of the whole table, disabled routers included.
        routers = [self.routers[r.uuid] for r in idl_order(self._rows("Logical_Router"))
                   if r.uuid in self.routers]
        self._assign_dp_keys(_hmap_order(self.switches.values()) + routers)
        for sw in self.switches.values():
            for pu in sorted(sw.nb.ports):
                lsp = nb["Logical_Switch_Port"].get(pu)
                if lsp is not None:
                    self._add_port(SwitchPort(lsp, sw))
        for lr in self.routers.values():
            for pu in sorted(lr.nb.ports):
                lrp = nb["Logical_Router_Port"].get(pu)
                if lrp is not None:
                    self._add_port(RouterPort(lrp, lr))
        for dp in self.datapaths():
            # OVN visits a datapath's ports in NB order (its "ports" set: by uuid).
            self._assign_port_keys(dp, sorted(dp.ports.values(), key=lambda p: p.uuid))
        self._link_peers(self.ports.values())
        for table in self.ref_columns:
            for row in self._rows(table):
                self.set_refs(table, row.uuid, row)
        for table in ("BFD", "Static_MAC_Binding"):
            for row in self._rows(table):
                self.named_port[row.uuid] = row.logical_port
        for sw in self.switches.values():
            self.set_switch_acls(sw, frozenset(sw.nb.acls))
        for dp in self.datapaths():
            self.set_dp_lbs(dp, self.dp_lbs(dp.nb, dp))
        for pg in self._rows("Port_Group"):
            self.set_port_group(pg.uuid, self.pg_current_members(pg), frozenset(pg.acls))

    def _rows(self, table: str) -> Iterable[Any]:
        t = self.nb.get(table)
        return list(t) if t is not None else []

    def set_refs(self, table: str, uuid: str, row: Any | None) -> None:
        """Bring the reverse-reference index in line with one row (None: deleted)."""
        old = self.refs_of.pop(uuid, {})
        for children in old.values():
            for ch in children:
                self._unref(ch, uuid)
        if row is None:
            return
        new: dict[str, set[str]] = {}
        for col, _ in self.ref_columns.get(table, ()):
            children = self._column_refs(row.raw(col))
            if children:
                new[col] = children
                for ch in children:
                    self.referrers[ch][uuid] += 1
        if new:
            self.refs_of[uuid] = new

    def apply_ref_delta(self, uuid: str, column: str, added: Iterable[str],
                        removed: Iterable[str]) -> None:
        """One set column of a row gained and lost references (O(change))."""
        cols = self.refs_of.setdefault(uuid, {})
        children = cols.setdefault(column, set())
        for ch in removed:
            if ch in children:
                children.discard(ch)
                self._unref(ch, uuid)
        for ch in added:
            if ch not in children:
                children.add(ch)
                self.referrers[ch][uuid] += 1
        if not children:
            del cols[column]
        if not cols:
            del self.refs_of[uuid]

    def _unref(self, child: str, parent: str) -> None:
        c = self.referrers.get(child)
        if c is None:
            return
        n = c[parent] - 1
        if n > 0:
            c[parent] = n
        else:
            c.pop(parent, None)
            if not c:
                del self.referrers[child]

    @staticmethod
    def _column_refs(v: Any) -> set[str]:
        if isinstance(v, dict):
            return {x for kv in v.items() for x in kv if isinstance(x, str)}
        if isinstance(v, str):
            return {v}
        return set(v)

    def is_ref_column(self, table: str, column: str) -> bool:
        return any(c == column for c, _ in self.ref_columns.get(table, ()))

    def port_groups_of(self, port_uuid: str) -> list[str]:
        """The port groups that list a port."""
        return [pg for pg in self.referrers.get(port_uuid, ()) if pg in self.pg_members]

    def datapaths(self) -> Iterator[NorthdDatapath]:
        yield from self.switches.values()
        yield from self.routers.values()

    def dp_rank(self, uuid: str) -> int:
        """Where a datapath comes in the real northd's walk over its map of datapaths (where
        flows are built): sorts datapaths that way (pyovn.northd.idlorder)."""
        key = self.dp_version
        if key != self._dp_rank_key:
            order = datapaths_order([dp.nb for dp in self.switches.values()],
                                    self._rows("Logical_Router"))
            self._dp_rank = {row.uuid: i for i, row in enumerate(order)}
            self._dp_rank_key = key
        return self._dp_rank.get(uuid, len(self._dp_rank))

    def hint_rank(self, hint: str | None) -> tuple[int, int, str]:
        """Orders the stage-hints of one flow that several NB rows produce on one datapath, as
        the real northd meets those rows: in practice load balancers (shared VIPs, health
        check sources), walked in their IDL order."""
        if hint is None:
            return (1, 0, "")
        t = self.nb.get("Load_Balancer")
        n = len(t) if t is not None else 0
        if n != self._lb_rank_n:
            # northd's own map of load balancers, filled in IDL order.
            order = hmap_iteration((uuid_hash(r.uuid), r) for r in idl_order(list(t))) \
                if t is not None else []
            self._lb_rank = {row.uuid[:8]: i for i, row in enumerate(order)}
            self._lb_rank_n = n
        return (0, self._lb_rank.get(hint, n), hint)

    def datapath(self, uuid: str) -> NorthdDatapath | None:
        return self.switches.get(uuid) or self.routers.get(uuid)

    # --- keys ---------------------------------------------------------------------------------

    def _requested_dp_key(self, dp: NorthdDatapath) -> int | None:
        oc = dp.nb.other_config if dp.is_switch else dp.nb.options
        v = oc.get("requested-tnl-key")
        try:
            return int(v) if v is not None else None
        except ValueError:
            return None

    def _assign_dp_keys(self, dps: list[NorthdDatapath]) -> None:
        # Requested keys first, then keys the SB already has, then new ones.
        pending: list[NorthdDatapath] = []
        for dp in dps:
            req = self._requested_dp_key(dp)
            if req is not None and self.dp_keys.take(req):
                dp.key = req
            else:
                pending.append(dp)
        rest: list[NorthdDatapath] = []
        for dp in pending:
            k = self._sb_dp_keys.get(dp.uuid)
            if k is not None and self.dp_keys.take(k):
                dp.key = k
            else:
                rest.append(dp)
        # OVN allocates the lowest free datapath keys (its hint starts over on every run).
        self.dp_keys.hint = self.dp_keys.lo - 1
        for dp in rest:
            dp.key = self.dp_keys.allocate() or 0

    def _assign_port_keys(self, dp: NorthdDatapath, ports: list[NorthdPort]) -> None:
        pending: list[NorthdPort] = []
        for p in ports:
            req = p.nb.options.get("requested-tnl-key")
            try:
                k = int(req) if req is not None else None
            except ValueError:
                k = None
            if k is not None and (dp.port_keys.take(k) or self._steal_port_key(dp, p, k)):
                p.key = k
            else:
                pending.append(p)
        rest: list[NorthdPort] = []
        for p in pending:
            prev = self._sb_port_keys.get(p.name)
            if prev is not None and prev[0] == dp.uuid and dp.port_keys.take(prev[1]):
                p.key = prev[1]
            else:
                rest.append(p)
        # New keys follow the highest key in use (OVN's per-datapath hint), and a distributed
        # gateway port's cr- port takes the key after its own.
        keys = dp.port_keys
        for p in ports:
            if isinstance(p, RouterPort):
                self.ensure_cr_key(p, allocate=False)  # cr- ports keep their SB keys first
        keys.hint = keys.highest()
        for p in rest:
            p.key = keys.allocate() or 0
            if isinstance(p, RouterPort) and p.is_dgp and not p.cr_key:
                self.ensure_cr_key(p)
        for p in ports:
            if isinstance(p, RouterPort):
                self.ensure_cr_key(p)

    def _steal_port_key(self, dp: NorthdDatapath, p: NorthdPort, k: int) -> bool:
        """A port requests a key another port holds without requesting it: as in a full run
        (requested keys first), the holder moves to a new key.  The moved ports are left in
        ``rekeyed`` for the change handlers to rebuild."""
        for q in dp.ports.values():
            if q is p or q.key != k:
                continue
            if q.nb.options.get("requested-tnl-key") == str(k):
                return False
            q.key = dp.port_keys.allocate() or 0
            self.rekeyed.append(q)
            return True
        return False

    def ensure_cr_key(self, p: RouterPort, prev: int = 0, allocate: bool = True) -> None:
        """Give a distributed gateway port's cr- port a key (``prev``, its key in the SB, or a
        new one), or release it when the port no longer is one."""
        keys = p.dp.port_keys
        if not p.is_dgp:
            if p.cr_key:
                keys.release(p.cr_key)
                p.cr_key = 0
            return
        if p.cr_key:
            return
        sb = self._sb_port_keys.get("cr-" + p.name)
        for k in (prev, sb[1] if sb is not None and sb[0] == p.dp.uuid else 0):
            if k and keys.take(k):
                p.cr_key = k
                return
        if allocate:
            p.cr_key = keys.allocate() or 0

    # --- ports and peers ------------------------------------------------------------------------

    def _add_port(self, port: SwitchPort | RouterPort) -> None:
        if port.name in self.port_by_name:
            return  # duplicate name: the first one wins, as in OVN (which logs it)
        self.ports[port.uuid] = port
        self.port_by_name[port.name] = port
        port.dp.ports[port.uuid] = port
        if isinstance(port, SwitchPort):
            port.dp.ports_by_type[port.type][port.uuid] = port  # type: ignore[union-attr]

    def _remove_port(self, port: SwitchPort | RouterPort) -> None:
        self.ports.pop(port.uuid, None)
        if self.port_by_name.get(port.name) is port:
            del self.port_by_name[port.name]
        port.dp.ports.pop(port.uuid, None)
        port.dp.port_keys.release(port.key)
        if isinstance(port, RouterPort) and port.cr_key:
            port.dp.port_keys.release(port.cr_key)
        if isinstance(port, SwitchPort):
            port.dp.ports_by_type[port.type].pop(port.uuid, None)  # type: ignore[union-attr]
        if port.peer is not None and port.peer.peer is port:
            port.peer.peer = None

    def _find_peer(self, port: NorthdPort) -> NorthdPort | None:
        if isinstance(port, SwitchPort):
            name = port.router_port_name
            p = self.port_by_name.get(name) if name else None
            return p if isinstance(p, RouterPort) else None
        if isinstance(port, RouterPort):
            peer_col = port.nb.peer
            if peer_col:
                p = self.port_by_name.get(peer_col[0])
                if isinstance(p, RouterPort):
                    return p
            for sp in self._lsps_naming(port.name):
                return sp
        return None

    def _lsps_naming(self, lrp_name: str) -> Iterator[SwitchPort]:
        for sw in self.switches.values():
            for sp in sw.ports_by_type["router"].values():
                if sp.options.get("router-port") == lrp_name:
                    yield sp

    def _link_peers(self, ports: Iterable[NorthdPort]) -> None:
        for p in ports:
            p.peer = self._find_peer(p)

    # --- ACLs, port groups and load balancers ----------------------------------------------------
    # Each set_* method brings one index in line with the current NB state of one object and
    # returns the owners whose existence changed; the full build and the change handlers share
    # them, so both paths keep the indexes the same way.

    def dp_lbs(self, dp_row: Any, dp: NorthdDatapath | None = None) -> frozenset[str]:
        """The load balancers on a switch or router: its own and its groups', and on a switch
        with NB_Global options:install_ls_lb_from_router=true also those of the routers it is
        connected to (ovn-nb(5))."""
        lbs = set(dp_row.load_balancer)
        groups = self.nb.get("Load_Balancer_Group")
        for g in dp_row.load_balancer_group:
            grow = groups.get(g) if groups is not None else None
            if grow is not None:
                lbs.update(grow.load_balancer)
        if isinstance(dp, Switch):
            inherited: set[str] = set()
            if self.install_ls_lb_from_router():
                for p in dp.ports_by_type["router"].values():
                    if p.peer is not None:
                        inherited.update(self.dp_lbs(p.peer.dp.nb))
            dp.lb_inherited = frozenset(inherited - lbs)
            lbs |= inherited
        return frozenset(lbs)

    def install_ls_lb_from_router(self) -> bool:
        g = self.nb.get("NB_Global")
        for row in g if g is not None else ():
            return smap_get_bool(row.options, "install_ls_lb_from_router")
        return False

    def set_dp_lbs(self, dp: NorthdDatapath, lbs: frozenset[str]) -> set[OwnerKey]:
        dirty = self._recount(self.lb_datapaths, "lb", dp.uuid, dp.lb_set, lbs)
        dp.lb_set = lbs
        return dirty

    def set_switch_acls(self, sw: Switch, acls: frozenset[str]) -> set[OwnerKey]:
        dirty = self._recount(self.acl_switches, "acl", sw.uuid, sw.acl_set, acls)
        sw.acl_set = set(acls)
        return dirty

    def _recount(self, counts: defaultdict[str, Counter[str]], kind: str, owner: str,
                 old: AbstractSet[str], new: AbstractSet[str]) -> set[OwnerKey]:
        """``owner`` (a datapath) has the items ``new`` (load balancers, ACLs) instead of
        ``old``: it counts in each gained item's ``counts`` and no longer in each lost one's.
        Returns the changed (kind, (item, owner)) owners."""
        dirty: set[OwnerKey] = set()
        for item in old - new:
            self._count(counts[item], owner, -1)
            dirty.add((kind, (item, owner)))
        for item in new - old:
            self._count(counts[item], owner, +1)
            dirty.add((kind, (item, owner)))
        return dirty

    def switch_acl_delta(self, sw: Switch, added: Iterable[str],
                         removed: Iterable[str]) -> set[OwnerKey]:
        """A switch's ``acls`` gained and lost some: O(change), however many it has."""
        dirty: set[OwnerKey] = set()
        have = sw.acl_set
        for acl in removed:
            if acl in have:
                have.discard(acl)
                self._count(self.acl_switches[acl], sw.uuid, -1)
                dirty.add(("acl", (acl, sw.uuid)))
        for acl in added:
            if acl not in have:
                have.add(acl)
                self._count(self.acl_switches[acl], sw.uuid, +1)
                dirty.add(("acl", (acl, sw.uuid)))
        return dirty

    def pg_add_member(self, pg: str, port: str, sw: str) -> set[OwnerKey]:
        """Port ``port`` (on switch ``sw``) is in port group ``pg``."""
        members = self.pg_members.setdefault(pg, {})
        dirty: set[OwnerKey] = {("lsp", port)}
        if members.get(port) == sw:
            return dirty
        if port in members:
            dirty |= self.pg_remove_member(pg, port)
            members = self.pg_members.setdefault(pg, {})
        members[port] = sw
        switches = self.pg_switches[pg]
        switches[sw] += 1
        if switches[sw] == 1:
            dirty.add(("pg", pg))  # a Port_Group row for a new switch
            for acl in self.pg_acls.get(pg, ()):
                self._count(self.acl_switches[acl], sw, +1)
                dirty.add(("acl", (acl, sw)))
        return dirty

    def pg_remove_member(self, pg: str, port: str) -> set[OwnerKey]:
        members = self.pg_members.get(pg)
        dirty: set[OwnerKey] = {("lsp", port)}
        if not members or port not in members:
            return dirty
        sw = members.pop(port)
        switches = self.pg_switches[pg]
        self._count(switches, sw, -1)
        if sw not in switches:
            dirty.add(("pg", pg))
            for acl in self.pg_acls.get(pg, ()):
                self._count(self.acl_switches[acl], sw, -1)
                dirty.add(("acl", (acl, sw)))
        return dirty

    def pg_set_acls(self, pg: str, acls: frozenset[str]) -> set[OwnerKey]:
        old = self.pg_acls.get(pg, frozenset())
        dirty: set[OwnerKey] = set()
        switches = list(self.pg_switches.get(pg, ()))
        for acl in old - acls:
            for sw in switches:
                self._count(self.acl_switches[acl], sw, -1)
                dirty.add(("acl", (acl, sw)))
        for acl in acls - old:
            for sw in switches:
                self._count(self.acl_switches[acl], sw, +1)
                dirty.add(("acl", (acl, sw)))
        self.pg_acls[pg] = acls
        return dirty

    def set_port_group(self, pg: str, members: dict[str, str], acls: frozenset[str]) -> set[OwnerKey]:
        """A port group's whole state (port uuid -> switch uuid; its ACLs); ``{}`` and
        ``frozenset()`` for a deleted group.  O(size of the group)."""
        dirty: set[OwnerKey] = {("pg", pg)}
        old = self.pg_members.get(pg, {})
        for port in [p for p in old if old[p] != members.get(p)]:
            dirty |= self.pg_remove_member(pg, port)
        dirty |= self.pg_set_acls(pg, acls)
        self.pg_members.setdefault(pg, {})
        for port, sw in members.items():
            if old.get(port) != sw:
                dirty |= self.pg_add_member(pg, port, sw)
        if not members and not acls:
            self.pg_members.pop(pg, None)
            self.pg_switches.pop(pg, None)
            self.pg_acls.pop(pg, None)
        return dirty

    def pg_current_members(self, pg_row: Any) -> dict[str, str]:
        out: dict[str, str] = {}
        for pu in pg_row.ports:
            p = self.ports.get(pu)
            if isinstance(p, SwitchPort):
                out[pu] = p.dp.uuid
        return out

    @staticmethod
    def _count(c: Counter[str], key: str, sign: int) -> None:
        n = c[key] + sign
        if n > 0:
            c[key] = n
        else:
            del c[key]

    # --- owners -------------------------------------------------------------------------------

    def owners(self) -> Iterator[OwnerKey]:
        """Every owner of the current model, datapath kinds last.  Load balancers, then ACLs
        (allow-related first), then ports: the flags they contribute (``lb_vips``,
        ``stateful_acl``) are read by later ACL and port owners, which a flip would rebuild."""
        yield ("global", None)
        for lb, dps in self.lb_datapaths.items():
            for dp in dps:
                yield ("lb", (lb, dp))
        acl_rows = self.nb.get("ACL")
        later: list[OwnerKey] = []
        for acl, sws in self.acl_switches.items():
            row = acl_rows.get(acl) if acl_rows is not None else None
            keys = [("acl", (acl, sw)) for sw in sws]
            if row is not None and row.action == "allow-related":
                yield from keys
            else:
                later.extend(keys)
        yield from later
        for pu, p in self.ports.items():
            yield ("lsp" if isinstance(p, SwitchPort) else "lrp", pu)
        for pg in self._rows("Port_Group"):
            yield ("pg", pg.uuid)
        for a in self._rows("Address_Set"):
            yield ("as", a.uuid)
        for sw in self.switches:
            yield ("mcast", sw)
        for sw in self.switches:
            yield ("switch", sw)
        for lr in self.routers:
            yield ("router", lr)

    def resolve(self, key: OwnerKey) -> tuple[Any, ...] | None:
        """The builder arguments of an owner (after the context), or None if it is gone."""
        kind, ident = key
        if kind == "global":
            return ()
        if kind == "lsp" or kind == "lrp":
            p = self.ports.get(ident)
            return (p,) if p is not None else None
        if kind == "switch" or kind == "mcast":
            sw = self.switches.get(ident)
            return (sw,) if sw is not None else None
        if kind == "router":
            lr = self.routers.get(ident)
            return (lr,) if lr is not None else None
        if kind == "acl":
            acl_uuid, sw_uuid = ident
            sw = self.switches.get(sw_uuid)
            acl = self.nb["ACL"].get(acl_uuid)
            if sw is None or acl is None or not self.acl_switches.get(acl_uuid, {}).get(sw_uuid):
                return None
            return (sw, acl)
        if kind == "lb":
            lb_uuid, dp_uuid = ident
            dp = self.datapath(dp_uuid)
            lb = self.nb["Load_Balancer"].get(lb_uuid)
            if dp is None or lb is None or not self.lb_datapaths.get(lb_uuid, {}).get(dp_uuid):
                return None
            return (dp, lb)
        if kind == "pg":
            row = self.nb["Port_Group"].get(ident)
            return (row,) if row is not None else None
        if kind == "as":
            row = self.nb["Address_Set"].get(ident)
            return (row,) if row is not None else None
        raise KeyError(kind)

    def datapath_owners(self, dp: NorthdDatapath) -> Iterator[OwnerKey]:
        """Every owner tied to one datapath (a datapath-wide rebuild)."""
        for pu, p in dp.ports.items():
            yield ("lsp" if isinstance(p, SwitchPort) else "lrp", pu)
        if isinstance(dp, Switch):
            for acl, sws in self.acl_switches.items():
                if dp.uuid in sws:
                    yield ("acl", (acl, dp.uuid))
            yield ("mcast", dp.uuid)
        for lb, dps in self.lb_datapaths.items():
            if dp.uuid in dps:
                yield ("lb", (lb, dp.uuid))
        yield ("switch" if isinstance(dp, Switch) else "router", dp.uuid)
