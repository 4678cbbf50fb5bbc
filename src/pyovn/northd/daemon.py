"""The northd process: two IDLs, the engine, the Southbound writer and the nb_cfg chain.

One asyncio task runs the main loop.  Every NB row event is recorded (a :class:`Change`); every
SB event updates the writer's key index.  A change wakes the loop, which — once both replicas
are in sync, the ``ovn_northd`` lock is held and northd is not paused — runs the engine on the
batch of changes (a full recompute at start, after a reconnection that resynced a replica, on
``inc-engine/recompute`` and when a handler asks for one), writes the Southbound difference in
one transaction with ``SB_Global.nb_cfg``, then the Northbound side: ``NB_Global.sb_cfg`` once
the Southbound has the configuration, ``hv_cfg`` from the chassis' ``Chassis_Private.nb_cfg``,
and ``Logical_Switch_Port.up`` from the port bindings.

Active/standby: every instance asks for the ``ovn_northd`` lock on its SB connection; only the
holder writes.  ``status`` over unixctl says "active", "standby" or "paused".
"""

from __future__ import annotations

import asyncio
import contextlib
import cProfile
import gc
import os
import random
import time
from typing import Any

from pyovn.northd import builders  # noqa: F401  (registers the builders)
from pyovn.northd.changes import Change
from pyovn.northd.cnum import str_to_int
from pyovn.northd.engine import Engine
from pyovn.northd.ipam import nb_port_updates
from pyovn.northd.nodes.datapaths import MAX_TUNID, NORTHD_INTERNAL_VERSION
from pyovn.northd.nodes.misc import bfd_status_updates
from pyovn.northd.refchassis import desired_ref_chassis
from pyovn.northd.sync import SbWriter
from pyovn.ovsdb.client.connection import ConnectionClosed, RpcError
from pyovn.ovsdb.client.idl import Idl
from pyovn.util.vlog import get_logger

__all__ = ["Northd"]

log = get_logger("northd")

LOCK_NAME = "ovn_northd"
# Set to a file name: cProfile the incremental runs (after the first full one), dumped at exit.
PROFILE_ENV = "PYOVN_NORTHD_PROFILE"

# The SB tables northd reads or writes (Logical_Flow included: it diffs against it).
SB_TABLES = (
    "SB_Global", "Datapath_Binding", "Port_Binding", "Logical_Flow", "Logical_DP_Group",
    "Multicast_Group", "Address_Set", "Port_Group", "DHCP_Options", "DHCPv6_Options", "DNS",
    "Load_Balancer", "HA_Chassis_Group", "HA_Chassis", "Static_MAC_Binding", "IP_Multicast",
    "Service_Monitor", "Meter", "Meter_Band", "RBAC_Role", "RBAC_Permission",
    "Chassis_Template_Var", "BFD", "Mirror", "Chassis", "Chassis_Private", "Encap",
    "MAC_Binding", "FDB", "IGMP_Group", "Gateway_Chassis", "Connection", "SSL",
)


class Northd:
    def __init__(self, nb_remote: str, sb_remote: str) -> None:
        # Leader-only, as ovn-northd's IDLs are: it writes both databases, and the
        # ovn_northd lock is a per-server one, so every instance must talk to the leader.
        self.nb = Idl(nb_remote, "OVN_Northbound", leader_only=True)
        self.sb = Idl(sb_remote, "OVN_Southbound", tables={t: None for t in SB_TABLES},
                      lock_name=LOCK_NAME, leader_only=True)
        # Lookups of every run, built with the replica rather than on the first change.
        self.nb.create_index("Logical_Switch_Port", "name")
        self.sb.create_index("Port_Binding", "logical_port")
        self.engine: Engine | None = None
        self.writer: SbWriter | None = None
        self.paused = False
        self.changes: list[Change] = []
        self.need_recompute = True
        self.wake = asyncio.Event()
        self.stopping = False
        self._nb_resyncs = 0
        self._sb_resyncs = 0
        self.sb.on_lock_change = self._on_lock
        self.runs = 0
        self.last_error: str | None = None
        # Port names whose Logical_Switch_Port.up may need a look (None: all of them).
        self._up_check: set[str] | None = None
        self._svc_dirty = False  # a Service_Monitor status changed
        self._ref_dirty = True  # bindings, HA groups or topology changed (ref_chassis)
        self._freeze_pending = False
        self._profiler: cProfile.Profile | None = None
        self._bfd_dirty = False  # an SB BFD status changed: copy it to the NB
        self._run_start_ms = 0
        self._stamped_nb_cfg: int | None = None
        # A transaction was lost with its connection: it may have been committed. The next run
        # waits until both replicas would show it (Idl.catch_up), or it would write it again.
        self._unsettled = False

    # --- status -------------------------------------------------------------------------------

    def status(self) -> str:
        if self.paused:
            return "paused"
        return "active" if self.sb.has_lock else "standby"

    def _on_lock(self, held: bool) -> None:
        if held:
            log.info("ovn-northd lock acquired. This ovn-northd instance is now active.")
            self.need_recompute = True
        else:
            log.info("ovn-northd lock lost. This ovn-northd instance is now on standby.")
        self.wake.set()

    def request_recompute(self) -> None:
        self.need_recompute = True
        self.wake.set()

    # --- events -------------------------------------------------------------------------------

    def _on_nb(self, event: str, row: Any, old: Any) -> None:
        self.changes.append(Change(event, row.table, row, old))
        if row.table == "Logical_Switch_Port" and self._up_check is not None:
            self._up_check.add(row.name)
        self.wake.set()

    def _on_sb(self, event: str, row: Any, old: Any) -> None:
        table = row.table
        if self.writer is not None:
            self.writer.index.on_event(event, table, row)
        if table == "Port_Binding":
            if self._up_check is not None:
                self._up_check.add(row.logical_port)
            self._ref_dirty = True  # where ports are bound: HA groups' ref_chassis
        elif table == "HA_Chassis_Group":
            self._ref_dirty = True
        elif table == "BFD":
            self._bfd_dirty = True
        elif table == "Chassis":
            self.need_recompute = True
        elif table == "Service_Monitor":
            # ovn-controller's health checks: a backend's status decides whether the load
            # balancer's flows list it (ls_lb reads the status).
            if event != "update" or old is None or "status" not in old.changed:
                return
            self._svc_dirty = True
        elif table != "Chassis_Private":
            return
        self.wake.set()

    # --- main loop ----------------------------------------------------------------------------

    async def start(self) -> None:
        self.nb.watch(self._on_nb)
        self.sb.watch(self._on_sb)
        await self.nb.start(wait=False)
        await self.sb.start(wait=False)

    async def close(self) -> None:
        self.stopping = True
        self.wake.set()
        if self._profiler is not None:
            self._profiler.disable()
            self._profiler.dump_stats(os.environ[PROFILE_ENV])
            self._profiler = None
        await self.nb.close()
        await self.sb.close()

    async def run(self) -> None:
        while not self.stopping:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), timeout=5.0)
            self.wake.clear()
            if self.stopping:
                return
            if not (self.nb.is_synced and self.sb.is_synced):
                continue
            if self._unsettled:
                try:
                    await self.nb.catch_up(5.0)
                    await self.sb.catch_up(5.0)
                except (ConnectionClosed, RpcError, TimeoutError) as e:
                    log.info("not caught up with the databases yet (%s); waiting", e)
                    self.wake.set()
                    continue
                self._unsettled = False
            if self.nb.resyncs != self._nb_resyncs or self.sb.resyncs != self._sb_resyncs:
                self._nb_resyncs, self._sb_resyncs = self.nb.resyncs, self.sb.resyncs
                self.need_recompute = True
            if self.paused or not self.sb.has_lock:
                self.changes.clear()
                self.need_recompute = True
                continue
            try:
                await self.run_once()
            except (ConnectionClosed, TimeoutError) as e:
                # Reconnecting (to a new leader, maybe): recompute once caught up with it.
                log.info("northd run interrupted: %s", e)
                self._unsettled = True
                self.need_recompute = True
                self.wake.set()
            except Exception as e:  # keep serving; the next run recomputes
                log.exception("northd run failed: %s", e)
                self.last_error = str(e)
                self.need_recompute = True
                await asyncio.sleep(0.5)
                self.wake.set()

    async def run_once(self) -> None:
        self._run_start_ms = int(time.time() * 1000)
        self._apply_probe_interval()
        nb_tables = self.nb.tables
        sb_tables = self.sb.tables
        assert self.nb.schema is not None and self.sb.schema is not None
        if await self._ensure_globals():
            return
        # northd's own Northbound writes (IPAM, tags, BFD status): written first, the change
        # comes back as NB events and the next run builds the Southbound from it.
        if await self._write_nb_updates():
            return
        changes, self.changes = self.changes, []
        full = False
        if self.engine is None or self.writer is None or self.need_recompute:
            self.need_recompute = False
            self.engine = Engine(nb_tables, sb_tables)
            self.writer = SbWriter(sb_tables, self.sb.schema)
            self.writer.index.rebuild()
            self.engine.recompute()
            self._up_check = None
            full = True
            gc.freeze()  # what a full run built lives long: keep it out of the GC's scans
            self._freeze_pending = True  # and again once the SB's echo of it is applied
        elif changes:
            full = not self.engine.process(changes)
        if full or changes:
            self._ref_dirty = True  # the topology may have changed
        if self._svc_dirty and not full:
            self._svc_dirty = False
            self.engine.rebuild(self._health_checked_lbs())
        engine, writer = self.engine, self.writer
        self.runs += 1
        ops = writer.row_ops(engine.rows, full)
        ops += writer.flow_ops(engine.flows, full)
        ops += self._ref_chassis_ops()
        nb_cfg = self._nb_cfg()
        sb_global = next(iter(sb_tables["SB_Global"]), None)
        # Acknowledge the configuration only with everything it asked for written: rows or
        # flows that had to wait (a reference to a row not written yet) hold it back.
        complete = not engine.flows.dirty and not engine.rows.dirty
        if sb_global is not None and sb_global.nb_cfg != nb_cfg and complete:
            ops.append({"op": "update", "table": "SB_Global",
                        "where": [["_uuid", "==", ["uuid", sb_global.uuid]]],
                        "row": {"nb_cfg": nb_cfg}})
        if ops:
            result = await self.sb.transact(ops)
            errors = [(i, r) for i, r in enumerate(result) if isinstance(r, dict) and "error" in r]
            if errors or len(result) < len(ops):
                i, err = errors[0] if errors else (len(result), {})
                op = ops[i] if i < len(ops) else {}
                log.warning("Southbound transaction failed at operation %d (%s %s): %s", i,
                            op.get("op"), op.get("table"), err)
                self.need_recompute = True
                self.wake.set()
                return
            if engine.flows.dirty or engine.rows.dirty:
                self.wake.set()  # rows that waited for a datapath inserted just now
        await self._update_nb(nb_cfg)
        if self._freeze_pending and not full:
            # The replica's copy of what the full run wrote (hundreds of thousands of rows)
            # arrived after it: freeze that too, or the first collections of the next changes
            # scan it all (a 0.5 s first change at 10,000 ports).
            self._freeze_pending = False
            gc.freeze()
            if os.environ.get(PROFILE_ENV) and self._profiler is None:
                # Developers' profile of the incremental runs only (dumped at exit).
                self._profiler = cProfile.Profile()
                self._profiler.enable()

    def _apply_probe_interval(self) -> None:
        """NB_Global options:northd_probe_interval (ms) for both databases' sessions, as
        ovn-northd reads it: 0 disables the probe, other values are at least 1000 ms; absent
        or invalid, each remote's default (5 s over tcp/ssl, none over a unix socket)."""
        g = next(iter(self.nb.tables["NB_Global"]), None) if self.nb.replica else None
        ms = str_to_int(g.options.get("northd_probe_interval", "")) if g is not None else None
        interval = None if ms is None else 0.0 if ms <= 0 else max(ms, 1000) / 1000.0
        self.nb.conn.set_probe_interval(interval)
        self.sb.conn.set_probe_interval(interval)

    def _nb_cfg(self) -> int:
        g = next(iter(self.nb.tables["NB_Global"]), None)
        return g.nb_cfg if g is not None else 0

    async def _ensure_globals(self) -> bool:
        """Create NB_Global / SB_Global when missing and persist the generated MAC options."""
        nb_ops: list[dict[str, Any]] = []
        g = next(iter(self.nb.tables["NB_Global"]), None)
        if g is None:
            nb_ops.append({"op": "insert", "table": "NB_Global", "row": {}})
        else:
            opts = dict(g.options)
            add = {}
            if "mac_prefix" not in opts:
                add["mac_prefix"] = ":".join(_random_mac().split(":")[:3])
            if "svc_monitor_mac" not in opts:
                add["svc_monitor_mac"] = _random_mac()
            # What northd advertises, in the NB as in SB_Global (ovn-northd 23.03 writes both).
            for k, v in (("max_tunid", MAX_TUNID),
                         ("northd_internal_version", NORTHD_INTERNAL_VERSION)):
                if opts.get(k) != v:
                    add[k] = v
            if add:
                opts.update(add)
                nb_ops.append({"op": "update", "table": "NB_Global",
                               "where": [["_uuid", "==", ["uuid", g.uuid]]],
                               "row": {"options": ["map", sorted([k, v] for k, v in
                                                                 opts.items())]}})
        sb_ops: list[dict[str, Any]] = []
        if next(iter(self.sb.tables["SB_Global"]), None) is None:
            sb_ops.append({"op": "insert", "table": "SB_Global", "row": {}})
        if nb_ops:
            await self.nb.transact(nb_ops)
        if sb_ops:
            await self.sb.transact(sb_ops)
        return bool(nb_ops or sb_ops)

    async def _update_nb(self, nb_cfg: int) -> None:
        g = next(iter(self.nb.tables["NB_Global"]), None)
        if g is None:
            return
        row: dict[str, Any] = {}
        now = int(time.time() * 1000)
        if nb_cfg != self._stamped_nb_cfg:
            # When northd saw this nb_cfg and started on it (ovn-nb(5) nb_cfg_timestamp).
            self._stamped_nb_cfg = nb_cfg
            row["nb_cfg_timestamp"] = self._run_start_ms
        sb_global = next(iter(self.sb.tables["SB_Global"]), None)
        if sb_global is not None and sb_global.nb_cfg == nb_cfg and g.sb_cfg != nb_cfg:
            row["sb_cfg"] = nb_cfg
            row["sb_cfg_timestamp"] = now
        # hv_cfg: the oldest nb_cfg a local chassis reports (remote chassis do not count), with
        # the latest timestamp among the chassis at that value, as ovn-northd 23.03.
        hv = nb_cfg
        hv_ts = 0
        chassis = self.sb.tables["Chassis"]
        for cp in self.sb.tables["Chassis_Private"]:
            ch = chassis.get(cp.chassis[0]) if cp.chassis else None
            if ch is not None and ch.other_config.get("is-remote", "").lower() == "true":
                continue
            if cp.nb_cfg < hv:
                hv, hv_ts = cp.nb_cfg, cp.nb_cfg_timestamp
            elif cp.nb_cfg == hv and cp.nb_cfg_timestamp > hv_ts:
                hv_ts = cp.nb_cfg_timestamp
        if g.hv_cfg != hv:
            row["hv_cfg"] = hv
            row["hv_cfg_timestamp"] = hv_ts
        ops: list[dict[str, Any]] = []
        if row:
            ops.append({"op": "update", "table": "NB_Global",
                        "where": [["_uuid", "==", ["uuid", g.uuid]]], "row": row})
        ops += self._lsp_up_ops()
        if ops:
            await self.nb.transact(ops)

    async def _write_nb_updates(self) -> bool:
        """IPAM's dynamic addresses and tags (pyovn.northd.ipam) and BFD status, when the
        tables they depend on changed; True if something was written."""
        everything = self.need_recompute or self.engine is None
        ipam = everything or self._ipam_affected()
        bfd = everything or self._bfd_dirty or any(
            c.table in ("Logical_Router_Port", "BFD", "Logical_Router_Static_Route")
            for c in self.changes)
        if not (ipam or bfd):
            return False
        self._bfd_dirty = False
        nb = self.nb.tables
        ops: list[dict[str, Any]] = []
        if ipam:
            for uuid, cols in nb_port_updates(nb).items():
                row = {c: (["set", []] if v is None else v) for c, v in cols.items()}
                ops.append({"op": "update", "table": "Logical_Switch_Port",
                            "where": [["_uuid", "==", ["uuid", uuid]]], "row": row})
        if bfd:
            for uuid, status in bfd_status_updates(nb, self.sb.tables).items():
                ops.append({"op": "update", "table": "BFD",
                            "where": [["_uuid", "==", ["uuid", uuid]]],
                            "row": {"status": status}})
        if not ops:
            return False
        await self.nb.transact(ops)
        return True

    def _health_checked_lbs(self) -> set[tuple[str, Any]]:
        """The (LB, datapath) owners of load balancers with health checks."""
        assert self.engine is not None
        model = self.engine.model
        lbs = self.nb.tables["Load_Balancer"]
        out: set[tuple[str, Any]] = set()
        for lb_uuid, dps in model.lb_datapaths.items():
            row = lbs.get(lb_uuid)
            if row is not None and row.health_check:
                out.update(("lb", (lb_uuid, dp)) for dp in dps)
        return out

    def _ipam_affected(self) -> bool:
        """Whether this batch can change IPAM's results (dynamic addresses, tags): IPAM scans
        every switch and port, so a batch that cannot is not worth it.  It can when it touches
        NB_Global (mac_prefix), a switch with IPAM settings (or that had them), or a port that
        asks for or holds dynamic addresses or tags, or that sits on an IPAM switch (its
        static addresses take addresses out of the pool)."""
        model = self.engine.model if self.engine is not None else None
        for c in self.changes:
            if c.table == "NB_Global":
                if c.old is None or not c.old.changed <= _NB_GLOBAL_CFG:
                    return True
            elif c.table == "Logical_Switch":
                if c.old is None or "other_config" in c.old.changed \
                        or _ipam_switch(c.row):
                    return True
            elif c.table == "Logical_Switch_Port":
                row = c.row
                if (row.dynamic_addresses or row.tag_request or row.parent_name
                        or any("dynamic" in a for a in row.addresses)):
                    return True
                if c.old is not None and ("dynamic_addresses" in c.old.changed
                                          or "tag_request" in c.old.changed):
                    return True
                # A port new to its switch shows up as that switch's change (above).
                p = model.ports.get(row.uuid) if model is not None else None
                if p is not None and _ipam_switch(p.dp.nb):
                    return True
        return False

    def _ref_chassis_ops(self) -> list[dict[str, Any]]:
        """HA_Chassis_Group.ref_chassis brought in line with where ports are bound
        (:mod:`pyovn.northd.refchassis`), when something it depends on changed."""
        if not self._ref_dirty or self.engine is None:
            return []
        self._ref_dirty = False
        groups = self.sb.tables["HA_Chassis_Group"]
        ops: list[dict[str, Any]] = []
        for uuid, want in desired_ref_chassis(self.engine.model, self.sb.tables).items():
            g = groups.get(uuid)
            if g is not None and frozenset(g.ref_chassis) != want:
                ops.append({"op": "update", "table": "HA_Chassis_Group",
                            "where": [["_uuid", "==", ["uuid", uuid]]],
                            "row": {"ref_chassis": ["set", [["uuid", c]
                                                            for c in sorted(want)]]}})
        return ops

    def _lsp_up_ops(self) -> list[dict[str, Any]]:
        """Logical_Switch_Port.up follows Port_Binding.up (router ports are always up)."""
        names, self._up_check = self._up_check, set()
        lsps = self.nb.tables["Logical_Switch_Port"]
        pbs = self.sb.tables["Port_Binding"]
        if names is None:
            todo = list(lsps)
        else:
            todo = [r for n in names for r in lsps.index("name").lookup(n)]
        ops: list[dict[str, Any]] = []
        for lsp in todo:
            pb = pbs.index("logical_port").get(lsp.name)
            if pb is None:
                continue
            if lsp.type == "router":
                up = True
            else:
                up = bool(pb.up and pb.up[0]) and bool(pb.chassis)
            cur = lsp.up
            if (cur[0] if cur else None) != up:  # every type, as ovn-northd 23.03
                ops.append({"op": "update", "table": "Logical_Switch_Port",
                            "where": [["_uuid", "==", ["uuid", lsp.uuid]]], "row": {"up": up}})
        return ops


_NB_GLOBAL_CFG = frozenset({"nb_cfg", "nb_cfg_timestamp", "sb_cfg", "sb_cfg_timestamp", "hv_cfg",
                            "hv_cfg_timestamp"})


def _ipam_switch(ls: Any) -> bool:
    oc = ls.other_config
    return any(k in oc for k in ("subnet", "ipv6_prefix", "mac_only", "exclude_ips"))


def _random_mac() -> str:
    """A random locally administered unicast MAC, as northd draws mac_prefix and
    svc_monitor_mac."""
    b = [random.getrandbits(8) for _ in range(6)]
    b[0] = (b[0] & 0xFE) | 0x02
    return ":".join(f"{x:02x}" for x in b)
