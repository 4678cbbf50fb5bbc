"""Change handlers: one batch of Northbound changes -> model updates and dirty owners.

A :class:`Change` is one row event of the NB replica (created, updated with the old values of
the changed columns, deleted), as the IDL reports it.  :func:`handle_changes` updates the model
and returns the owners to rebuild, or None when the batch needs a full recompute.

Handlers *reconcile*: for each row the batch touched they compare the model with the row's
current state in the replica (not with the events' deltas), so several events for one row, in
any order, come out the same as one.  The order of the phases matters: datapaths and their port
lists first, then ports, then what refers to ports (port groups, ACLs), then the rest.

What a change dirties:

* a switch/router created or deleted: every owner of it, and the datapaths of its peers;
* a switch's ``ports``: the added/removed ports' owners, the switch's multicast groups, and — for
  a port that is not a plain VIF — the switch and its peers datapath-wide;
* a switch's ``acls``, ``load_balancer``, ``load_balancer_group``: the (ACL|LB, datapath) owners
  that appear or disappear; any other column of a switch or router: the datapath, datapath-wide;
* a switch port: its owner (and its port groups' owners, whose address sets list its IPs); a
  non-VIF switch port or any router port: both datapaths it joins, datapath-wide;
* an ACL: its (ACL, switch) owners; a port group: its owner and the (ACL, switch) owners its
  membership changes; an address set: its owner; a load balancer: its (LB, datapath) owners;
* any other row: traced up the reverse-reference index to the switches, routers, ports, ACLs
  and load balancers that use it;
* NB_Global options, meters, chassis template variables: a full recompute.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pyovn.northd.entities import NorthdDatapath, OwnerKey, Router, RouterPort, Switch, SwitchPort
from pyovn.northd.model import Model
from pyovn.ovsdb.types import MAP

__all__ = ["Change", "handle_changes"]


@dataclass(frozen=True, slots=True)
class Change:
    event: str  # "create", "update", "delete"
    table: str
    row: Any  # the row after the change (for a delete: the last version)
    old: Any = None  # for "update": the changed columns' old values


# Columns whose changes alone never change the Southbound's flows or rows.
_IGNORED = {
    "NB_Global": frozenset({"nb_cfg", "nb_cfg_timestamp", "sb_cfg", "sb_cfg_timestamp",
                            "hv_cfg", "hv_cfg_timestamp"}),
    "Logical_Switch_Port": frozenset({"up"}),
    "Logical_Switch": frozenset(),
}
# Tables whose rows are used by name or globally: any change recomputes.
_RECOMPUTE = frozenset({"NB_Global", "Meter", "Meter_Band", "Chassis_Template_Var", "Copp",
                        "Connection", "SSL"})
_DP_COLUMNS = {
    "Logical_Switch": frozenset({"ports", "acls", "load_balancer", "load_balancer_group"}),
    "Logical_Router": frozenset({"ports", "load_balancer", "load_balancer_group"}),
}
# Tables the reverse-reference walk stops at, and what it dirties there.
_ROOTS = frozenset({"Logical_Switch", "Logical_Router", "Logical_Switch_Port",
                    "Logical_Router_Port", "ACL", "Load_Balancer", "Port_Group"})


class _Batch:
    def __init__(self, model: Model, changes: list[Change]) -> None:
        self.model = model
        self.named_port = model.named_port
        self.dirty: set[OwnerKey] = set()
        # table -> uuid -> (columns changed in the batch, or None = created/deleted)
        self.rows: dict[str, dict[str, set[str] | None]] = {}
        # (uuid, column) -> net (added, removed) of a reference set column over the batch,
        # for rows that were only updated: what makes big sets (a switch's ports) O(change).
        self.deltas: dict[tuple[str, str], tuple[set[Any], set[Any]]] = {}
        for c in changes:
            per = self.rows.setdefault(c.table, {})
            uuid = c.row.uuid
            if c.event == "update" and c.old is not None:
                cols = per.get(uuid, set())
                if cols is not None:
                    per[uuid] = cols | set(c.old.changed)
                    self._note_deltas(c)
                else:
                    per[uuid] = None
            else:
                per[uuid] = None

    def _note_deltas(self, c: Change) -> None:
        model = self.model
        for col in c.old.changed:
            if not model.is_ref_column(c.table, col):
                continue
            try:
                added, removed = c.old.set_delta(col)
            except (AttributeError, TypeError):
                continue
            if self._is_map(c.row, col):
                continue
            net = self.deltas.setdefault((c.row.uuid, col), (set(), set()))
            for x in removed:
                if x in net[0]:
                    net[0].discard(x)
                else:
                    net[1].add(x)
            for x in added:
                if x in net[1]:
                    net[1].discard(x)
                else:
                    net[0].add(x)

    @staticmethod
    def _is_map(row: Any, column: str) -> bool:
        table = getattr(row, "_table", None)
        col = table.columns.get(column) if table is not None else None
        if col is not None:
            return bool(col.kind == MAP)
        return isinstance(row.raw(column), dict)

    def delta(self, uuid: str, column: str) -> tuple[set[Any], set[Any]] | None:
        return self.deltas.get((uuid, column))

    def refs(self, table: str, uuid: str, cols: set[str] | None) -> None:
        """Update the reverse-reference index for one touched row."""
        model = self.model
        if cols is not None and uuid in model.refs_of or cols is not None and not any(
                model.is_ref_column(table, c) for c in cols):
            ref_cols = [c for c in cols if model.is_ref_column(table, c)]
            if all((uuid, c) in self.deltas for c in ref_cols):
                for c in ref_cols:
                    added, removed = self.deltas[(uuid, c)]
                    model.apply_ref_delta(uuid, c, added, removed)
                return
        model.set_refs(table, uuid, self.current(table, uuid))

    def current(self, table: str, uuid: str) -> Any | None:
        t = self.model.nb.get(table)
        row = t.get(uuid) if t is not None else None
        if row is not None and table == "Logical_Router" and row.enabled == [False]:
            return None  # a disabled router is as good as gone
        return row

    # --- helpers ----------------------------------------------------------------------------

    def dp_wide(self, dp: NorthdDatapath | None) -> None:
        if dp is not None:
            self.dirty.update(self.model.datapath_owners(dp))

    def peers_wide(self, dp: NorthdDatapath) -> None:
        for p in list(dp.ports.values()):
            if p.peer is not None:
                self.dp_wide(p.peer.dp)

    def lb_garp_peers(self, lr: Router) -> None:
        """The switch ports facing a router announce its LB VIPs (Port_Binding.nat_addresses,
        nodes/ports.py), and the routers on those switches route and resolve its routable VIPs
        (lr_in.lr_in_routable_routes, lr_arp, built by their router-type switch ports): rebuild
        them when the router's load balancers change."""
        for p in lr.ports.values():
            if isinstance(p.peer, SwitchPort):
                self.dirty.add(self.port_owner(p.peer))
                sw = p.peer.dp
                if isinstance(sw, Switch):
                    for sp in sw.router_ports:
                        self.dirty.add(self.port_owner(sp))

    def port_owner(self, p: SwitchPort | RouterPort) -> OwnerKey:
        return ("lsp" if isinstance(p, SwitchPort) else "lrp", p.uuid)

    # --- phases -------------------------------------------------------------------------------

    def run(self) -> set[OwnerKey] | None:
        rows = self.rows
        for table, per in rows.items():
            if table in _RECOMPUTE:
                ign = _IGNORED.get(table, frozenset())
                if any(cols is None or not cols <= ign for cols in per.values()):
                    return None
        model = self.model
        if model.install_ls_lb_from_router() and any(
                t in rows for t in ("Logical_Router", "Logical_Router_Port", "Logical_Switch_Port",
                                    "Load_Balancer_Group")):
            # Switches inherit their routers' load balancers: which switch has which follows
            # router attachments; rare enough to recompute.
            return None
        # Reverse references first: later phases walk them.
        for table, per in rows.items():
            if table in model.ref_columns:
                for uuid, cols in per.items():
                    self.refs(table, uuid, cols)
        # Removals before additions: a port may leave one switch and (re-created under the
        # same name) join another in one batch.
        if rows.get("Load_Balancer"):
            model.hc_ports = None  # before the ports' phase reads it (lbs_mapping)
        if any(cols is None for cols in rows.get("Logical_Router", {}).values()):
            # A router row came or went, disabled or not: it shapes the IDL's order, hence
            # the real northd's walk over its datapaths (idlorder.datapaths_order).
            model.dp_version += 1
        for table in ("Logical_Switch", "Logical_Router"):
            for uuid, cols in rows.get(table, {}).items():
                self.datapath_removals(table, uuid, cols)
        for table in ("Logical_Switch", "Logical_Router"):
            for uuid, cols in rows.get(table, {}).items():
                self.datapath(table, uuid, cols)
        lsp_ignored = _IGNORED["Logical_Switch_Port"]
        if _lsp_up_matters(model):
            lsp_ignored = frozenset()  # ARP/ND responder flows follow "up" (ls_l2.py)
        for uuid, cols in rows.get("Logical_Switch_Port", {}).items():
            if cols is None or not cols <= lsp_ignored:
                self.port(uuid)
        for uuid in rows.get("Logical_Router_Port", {}):
            self.port(uuid)
        for uuid, cols in rows.get("Port_Group", {}).items():
            self.port_group(uuid, cols)
        for uuid in rows.get("Load_Balancer_Group", {}):
            for parent in list(model.referrers.get(uuid, ())):
                dp = model.datapath(parent)
                if dp is not None:
                    self.dirty |= model.set_dp_lbs(dp, model.dp_lbs(dp.nb, dp))
                    if isinstance(dp, Router):
                        self.lb_garp_peers(dp)
        for uuid in rows.get("ACL", {}):
            for sw in model.acl_switches.get(uuid, {}):
                self.dirty.add(("acl", (uuid, sw)))
        for uuid in rows.get("Load_Balancer", {}):
            self.lb_dirty(uuid)
        # Rows that name a port instead of referring to it: the port's datapath.
        for table in ("BFD", "Static_MAC_Binding"):
            for uuid in rows.get(table, {}):
                self.by_port_name(table, uuid)
        for uuid in rows.get("Address_Set", {}):
            self.dirty.add(("as", uuid))
        handled = {"Logical_Switch", "Logical_Router", "Logical_Switch_Port",
                   "Logical_Router_Port", "Port_Group", "Load_Balancer_Group", "ACL",
                   "Load_Balancer", "Address_Set", "BFD", "Static_MAC_Binding", *_RECOMPUTE}
        for table, per in rows.items():
            if table in handled:
                continue
            for uuid in per:
                self.walk_up(uuid, set())
        # The SB DNS rows list every switch of a DNS row: the global owner builds them.
        if "DNS" in rows or any(cols is None or "dns_records" in cols
                                for cols in rows.get("Logical_Switch", {}).values()):
            self.dirty.add(("global", None))
        # SB Mirror, BFD and Static_MAC_Binding rows are the global owner's (nodes/misc.py);
        # a static MAC binding names its router port, which may come or go.
        if any(t in rows for t in ("Mirror", "BFD", "Static_MAC_Binding")) or any(
                cols is None or "name" in cols for cols in rows.get("Logical_Router_Port", {}).values()):
            self.dirty.add(("global", None))
        for q in model.rekeyed:  # ports that gave their key to a port requesting it
            if q.uuid in model.ports:
                self.dirty.add(self.port_owner(q))
        model.rekeyed.clear()
        return self.dirty

    def by_port_name(self, table: str, uuid: str) -> None:
        """A row naming a port in ``logical_port``: rebuild that port's datapath (and what
        refers to the row, e.g. routes using a BFD session).  The old name is remembered, so a
        row moving from one port to another rebuilds both."""
        model = self.model
        row = self.current(table, uuid)
        names = {self.named_port.get(uuid)}
        if row is not None:
            names.add(row.logical_port)
            self.named_port[uuid] = row.logical_port
        else:
            self.named_port.pop(uuid, None)
        for name in names:
            p = model.port_by_name.get(name) if name else None
            if p is not None:
                self.dp_wide(p.dp)
                if p.peer is not None:
                    self.dp_wide(p.peer.dp)
        self.walk_up(uuid, set())

    def walk_up(self, uuid: str, seen: set[str]) -> None:
        """Dirty whatever uses ``uuid``, following the reverse references up to the roots."""
        model = self.model
        for parent in list(model.referrers.get(uuid, ())):
            if parent in seen:
                continue
            seen.add(parent)
            if parent in model.switches or parent in model.routers:
                dp = model.datapath(parent)
                self.dp_wide(dp)
                if isinstance(dp, Router):
                    self.peers_wide(dp)
            elif parent in model.ports:
                p = model.ports[parent]
                if isinstance(p, RouterPort) or p.type not in ("", "virtual"):
                    self.dp_wide(p.dp)
                    if p.peer is not None:
                        self.dp_wide(p.peer.dp)
                else:
                    self.dirty.add(self.port_owner(p))
            elif parent in model.acl_switches:
                for sw in model.acl_switches[parent]:
                    self.dirty.add(("acl", (parent, sw)))
            elif parent in model.lb_datapaths:
                for dp_uuid in model.lb_datapaths[parent]:
                    self.dirty.add(("lb", (parent, dp_uuid)))
            elif parent in model.pg_members or parent in model.pg_acls:
                self.dirty.add(("pg", parent))
            else:
                self.walk_up(parent, seen)

    # --- datapaths ------------------------------------------------------------------------------

    def datapath_removals(self, table: str, uuid: str, cols: set[str] | None) -> None:
        row = self.current(table, uuid)
        dp = self.model.datapath(uuid)
        if dp is None:
            return
        if row is None:
            self.remove_datapath(dp)
        elif cols is None or "ports" in cols:
            d = self.delta(uuid, "ports") if cols is not None else None
            gone = {pu for pu in d[1] if pu in dp.ports} if d is not None else set(dp.ports) - set(row.raw("ports"))
            for pu in gone:
                self.remove_port(dp.ports[pu])

    def datapath(self, table: str, uuid: str, cols: set[str] | None) -> None:
        model = self.model
        row = self.current(table, uuid)
        dp = model.datapath(uuid)
        if row is None:
            if dp is not None:
                self.remove_datapath(dp)
            return
        if dp is None:
            self.add_datapath(row, Switch if table == "Logical_Switch" else Router)
            return
        dp.nb = row
        if cols is None or cols - _DP_COLUMNS[table]:
            dp.name = row.name
            self.dp_wide(dp)
            if isinstance(dp, Router):
                self.peers_wide(dp)
                for p in list(dp.ports.values()):  # options:chassis makes or unmakes DGPs
                    model.ensure_cr_key(p)  # type: ignore[arg-type]
        if cols is None or "ports" in cols:
            self.reconcile_ports(dp, row, self.delta(uuid, "ports") if cols is not None else None)
        if isinstance(dp, Switch) and (cols is None or "acls" in cols):
            d = self.delta(uuid, "acls") if cols is not None else None
            if d is not None:
                # O(change) on a switch with 80,000 ACLs: apply the set's delta.
                self.dirty |= model.switch_acl_delta(dp, d[0], d[1])
            else:
                self.dirty |= model.set_switch_acls(dp, frozenset(row.raw("acls")))
        if cols is None or cols & {"load_balancer", "load_balancer_group"}:
            self.dirty |= model.set_dp_lbs(dp, model.dp_lbs(row, dp))
            if isinstance(dp, Router):
                self.lb_garp_peers(dp)

    def add_datapath(self, row: Any, cls: type[Switch] | type[Router]) -> None:
        model = self.model
        model.dp_version += 1
        dp = cls(row)
        if isinstance(dp, Switch):
            model.switches[dp.uuid] = dp
        else:
            model.routers[dp.uuid] = dp
        model._assign_dp_keys([dp])
        self.reconcile_ports(dp, row)
        if isinstance(dp, Switch):
            self.dirty |= model.set_switch_acls(dp, frozenset(row.acls))
        self.dirty |= model.set_dp_lbs(dp, model.dp_lbs(row, dp))
        self.dp_wide(dp)

    def remove_datapath(self, dp: NorthdDatapath) -> None:
        model = self.model
        self.dp_wide(dp)
        for p in list(dp.ports.values()):
            self.remove_port(p)
        if isinstance(dp, Switch):
            self.dirty |= model.set_switch_acls(dp, frozenset())
        self.dirty |= model.set_dp_lbs(dp, frozenset())
        model.dp_keys.release(dp.key)
        model.switches.pop(dp.uuid, None)
        model.routers.pop(dp.uuid, None)
        model.dp_version += 1

    def reconcile_ports(self, dp: NorthdDatapath, row: Any,
                        delta: tuple[set[Any], set[Any]] | None = None) -> None:
        model = self.model
        ptable = "Logical_Switch_Port" if isinstance(dp, Switch) else "Logical_Router_Port"
        if delta is not None:
            # Comprehensions, not set operators with dict views (those scan the whole dict).
            gone = {pu for pu in delta[1] if pu in dp.ports}
            came = {pu for pu in delta[0] if pu not in dp.ports}
        else:
            want = set(row.raw("ports"))
            gone = set(dp.ports) - want
            came = want - set(dp.ports)
        new_ports = []
        for pu in gone:
            self.remove_port(dp.ports[pu])
        for pu in sorted(came):
            prow = self.current(ptable, pu)
            if prow is None:
                continue
            p = SwitchPort(prow, dp) if isinstance(dp, Switch) else RouterPort(prow, dp)  # type: ignore[arg-type]
            old = model.port_by_name.get(p.name)
            if old is not None:
                # A name now free (its old port left in this batch) or a duplicate: recompute
                # the old holder's datapath so the two resolve as a full build would.
                self.dp_wide(old.dp)
                continue
            model._add_port(p)
            new_ports.append(p)
        if new_ports:
            model._assign_port_keys(dp, new_ports)  # type: ignore[arg-type]
            for p in new_ports:
                self.port_added(p)

    def lb_dirty(self, uuid: str) -> None:
        """A load balancer's owners on every datapath it is on."""
        model = self.model
        for dp in model.lb_datapaths.get(uuid, {}):
            self.dirty.add(("lb", (uuid, dp)))
            if dp in model.routers:
                # Router flows read their load balancers' VIPs (ip_input/arp_resolve drops).
                self.dirty.add(("router", dp))
                self.lb_garp_peers(model.routers[dp])

    def lbs_mapping(self, p: SwitchPort | RouterPort) -> None:
        """Load balancers whose ``ip_port_mappings`` name the switch port ``p`` (come or gone):
        their health checks' Service_Monitor rows and flows follow whether it exists."""
        if not isinstance(p, SwitchPort):
            return
        model = self.model
        index = model.hc_ports
        if index is None:
            index = model.hc_ports = {}
            table = model.nb.get("Load_Balancer")
            for lb in table if table is not None else ():
                if lb.health_check:
                    for name in {v.partition(":")[0] for v in lb.ip_port_mappings.values()}:
                        index.setdefault(name, []).append(lb.uuid)
        for uuid in index.get(p.name, ()):
            self.lb_dirty(uuid)

    def port_datapath_dirty(self, p: SwitchPort | RouterPort) -> None:
        """What a port coming or going dirties on its own datapath."""
        if isinstance(p, SwitchPort):
            self.dirty.add(("mcast", p.dp.uuid))
            if p.type not in ("", "virtual"):
                self.dp_wide(p.dp)
            else:
                self.l2_ports_flip(p.dp, 1)
        else:
            self.dp_wide(p.dp)

    def port_added(self, p: SwitchPort | RouterPort) -> None:
        model = self.model
        self.lbs_mapping(p)
        self.dirty.add(self.port_owner(p))
        p.peer = model._find_peer(p)
        self.port_datapath_dirty(p)
        self.neighbours_wide(p)
        self.link_named_peers(p)
        self.pg_of_port(p)

    def remove_port(self, p: SwitchPort | RouterPort) -> None:
        model = self.model
        self.lbs_mapping(p)
        self.dirty.add(self.port_owner(p))
        self.port_datapath_dirty(p)
        if p.peer is not None:
            self.dp_wide(p.peer.dp)
        self.neighbours_wide(p)
        model._remove_port(p)
        self.unlink_named_peers(p)
        self.pg_of_port(p)

    def neighbours_wide(self, p: SwitchPort | RouterPort) -> None:
        """What the other side of ``p``'s datapath reads of it: a router port (a distributed
        gateway port above all) shapes the flows and the nat_addresses of the switch ports
        facing any port of its router; a localnet port, the flows of the routers facing its
        switch (is_chassis_resident on their gateway ports)."""
        if isinstance(p, RouterPort) or p.type == "localnet":
            self.peers_wide(p.dp)

    def l2_ports_flip(self, sw: NorthdDatapath, when: int) -> None:
        """A VIF came or goes: when the switch's count of non-router ports is ``when`` (the
        first came, the last goes), the router ports' ARP steering flows change (ls_l2.py):
        rebuild the switch and its routers."""
        if isinstance(sw, Switch) and len(sw.ports) - len(sw.ports_by_type["router"]) == when:
            self.dp_wide(sw)
            self.peers_wide(sw)

    def link_named_peers(self, p: SwitchPort | RouterPort) -> None:
        """Ports that name ``p`` as their peer (by name) now find it."""
        model = self.model
        if p.peer is not None:
            if p.peer.peer is None or p.peer.peer is not p:
                p.peer.peer = model._find_peer(p.peer)
            self.dp_wide(p.peer.dp)
        if isinstance(p, RouterPort):
            for sp in model._lsps_naming(p.name):
                sp.peer = p
                p.peer = p.peer or sp
                self.dp_wide(sp.dp)

    def unlink_named_peers(self, p: SwitchPort | RouterPort) -> None:
        """Ports that had ``p`` as their peer look again (only router-ish ports can)."""
        model = self.model
        candidates: list[Any] = [p.peer] if p.peer is not None else []
        if isinstance(p, RouterPort):
            candidates += list(model._lsps_naming(p.name))
            candidates += [q for lr in model.routers.values() for q in lr.ports.values()]
        for q in candidates:
            if q.peer is p or q.peer is None:
                q.peer = model._find_peer(q)
                self.dp_wide(q.dp)

    def pg_of_port(self, p: SwitchPort | RouterPort) -> None:
        """A port joined or left a switch: the port groups listing it update its membership."""
        model = self.model
        for parent in list(model.referrers.get(p.uuid, ())):
            if self.current("Port_Group", parent) is None:
                continue
            if p.uuid in model.ports and isinstance(p, SwitchPort):
                self.dirty |= model.pg_add_member(parent, p.uuid, p.dp.uuid)
            else:
                self.dirty |= model.pg_remove_member(parent, p.uuid)

    # --- ports ----------------------------------------------------------------------------------

    def port(self, uuid: str) -> None:
        model = self.model
        p = model.ports.get(uuid)
        if p is None:
            return  # not (yet) on a datapath, or deleted with it: the datapath phase did it
        table = "Logical_Switch_Port" if isinstance(p, SwitchPort) else "Logical_Router_Port"
        row = self.current(table, uuid)
        if row is None:
            self.remove_port(p)
            return
        if row.name != p.name:
            self.remove_port(p)
            dp = p.dp
            new = SwitchPort(row, dp) if isinstance(dp, Switch) else RouterPort(row, dp)  # type: ignore[arg-type]
            if new.name in model.port_by_name:
                self.dp_wide(model.port_by_name[new.name].dp)
                return
            model._add_port(new)
            model._assign_port_keys(dp, [new])
            self.port_added(new)
            return
        old_peer = p.peer
        key = p.key
        new_p = SwitchPort(row, p.dp) if isinstance(p, SwitchPort) else RouterPort(row, p.dp)  # type: ignore[arg-type]
        new_p.key = key
        req = row.options.get("requested-tnl-key")
        old_req = p.nb.options.get("requested-tnl-key")
        model._remove_port(p)
        model._add_port(new_p)
        if req != old_req:
            p.dp.port_keys.release(key)
            model._assign_port_keys(p.dp, [new_p])
        else:
            p.dp.port_keys.take(key)
        if isinstance(new_p, RouterPort):
            model.ensure_cr_key(new_p, prev=p.cr_key)  # type: ignore[union-attr]
        if old_peer is not None and old_peer.peer is None:
            old_peer.peer = model._find_peer(old_peer)
        new_p.peer = model._find_peer(new_p)
        if new_p.peer is not None and new_p.peer.peer is None:
            new_p.peer.peer = new_p
        self.dirty.add(self.port_owner(new_p))
        special = isinstance(new_p, RouterPort) or new_p.type not in ("", "virtual")
        was_special = isinstance(p, RouterPort) or p.type not in ("", "virtual")
        if special or was_special or old_peer is not new_p.peer:
            self.dp_wide(new_p.dp)
            for peer in (old_peer, new_p.peer):
                if peer is not None:
                    self.dp_wide(peer.dp)
            self.neighbours_wide(new_p)
            self.neighbours_wide(p)
        if isinstance(new_p, SwitchPort):
            self.dirty.add(("mcast", new_p.dp.uuid))
        for parent in model.referrers.get(uuid, ()):
            if parent in model.pg_members:
                self.dirty.add(("pg", parent))

    # --- port groups --------------------------------------------------------------------------

    def port_group(self, uuid: str, cols: set[str] | None = None) -> None:
        model = self.model
        row = self.current("Port_Group", uuid)
        if row is None:
            self.dirty |= model.set_port_group(uuid, {}, frozenset())
            return
        self.dirty.add(("pg", uuid))
        d = self.delta(uuid, "ports") if cols is not None else None
        if cols is not None and ("ports" not in cols or d is not None):
            if d is not None:
                for pu in d[1]:
                    self.dirty |= model.pg_remove_member(uuid, pu)
                for pu in d[0]:
                    p = model.ports.get(pu)
                    if isinstance(p, SwitchPort):
                        self.dirty |= model.pg_add_member(uuid, pu, p.dp.uuid)
            if "acls" in cols:
                self.dirty |= model.pg_set_acls(uuid, frozenset(row.acls))
            if "name" in cols:
                for pu in model.pg_members.get(uuid, {}):
                    self.dirty.add(("lsp", pu))
            return
        self.dirty |= model.set_port_group(uuid, model.pg_current_members(row),
                                           frozenset(row.acls))
        for pu in model.pg_members.get(uuid, {}):
            self.dirty.add(("lsp", pu))


def _lsp_up_matters(model: Model) -> bool:
    """NB_Global options:ignore_lsp_down=false: a port's flows depend on its ``up``."""
    g = model.nb.get("NB_Global")
    for row in g if g is not None else ():
        return str(row.options.get("ignore_lsp_down", "true")).lower() == "false"
    return False


def handle_changes(model: Model, changes: Iterable[Change]) -> set[OwnerKey] | None:
    return _Batch(model, list(changes)).run()
