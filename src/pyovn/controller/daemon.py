"""The controller process: the local Open_vSwitch IDL, the Southbound IDL and the datapath.

One asyncio task runs the main loop.  Every event of either IDL (and the datapath's
``on_ready`` / ``on_learn``) wakes it; a pass (:meth:`Controller.run_once`) then works from the
replicas as they are, in this order:

1. the Open_vSwitch row's configuration (:mod:`.config`); without the row or a system-id the
   controller waits (and says so once);
2. the local database: the integration bridge (:mod:`.ovs`), then — the vswitchd role, on by
   default — every interface into the datapath with ofport/error/status and ``cur_cfg``
   (:mod:`.vswitch`);
3. the Southbound connection to ``ovn-remote`` (opened, or reopened when the remote changes);
   every Southbound event is fed to the datapath's model in the IDL's order
   (:meth:`Controller._on_sb`, the only place that does);
4. chassis registration (:mod:`.chassis`);
5. bindings (:mod:`.binding`): the datapath's bind/unbind, Port_Binding claims and releases,
   ``up`` and ``ovn-installed`` once the datapath says the port is ready; learnt MAC_Binding /
   FDB rows (:mod:`.learn`); ``Chassis_Private.nb_cfg`` once the datapath's flows are current
   and nothing of this pass is left to write;
6. the Southbound monitor conditions (:mod:`.monitor`) for the local datapaths.

A pass that wrote something runs again (the replicas then hold the writes); while a claimed
port waits for the datapath the loop polls.  Time comes from ``clock`` (milliseconds).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import Any

from pyovn.controller import ops as o
from pyovn.controller.binding import VIF, BindingPlan, plan_bindings
from pyovn.controller.chassis import (
    chassis_delete_ops,
    chassis_ops,
    find_chassis,
    find_chassis_private,
)
from pyovn.controller.config import ChassisConfig, chassis_other_config, read_config
from pyovn.controller.dpif import Datapath, Learnt
from pyovn.controller.learn import LearntQueue, learnt_ops
from pyovn.controller.memo import RowMemo
from pyovn.controller.monitor import sb_conditions
from pyovn.controller.ovs import (
    find_bridge,
    installed_ops,
    integration_bridge_ops,
    interfaces_on_bridge,
    nb_cfg_ops,
    uninstalled_ops,
)
from pyovn.controller.vswitch import VswitchRole
from pyovn.ovsdb.client.idl import Idl
from pyovn.util.vlog import get_logger

__all__ = ["OVN_INTERNAL_VERSION", "OVS_TABLES", "Controller"]

log = get_logger("main")
blog = get_logger("binding")
clog = get_logger("chassis")

# ovn-controller 23.03.1's "<OVN version>-<SB schema version>-<lflow version>".
OVN_INTERNAL_VERSION = "23.03.1-20.27.0-70.6"

OVS_TABLES: dict[str, list[str] | None] = {
    "Open_vSwitch": None, "Bridge": None, "Port": None, "Interface": None,
}

POLL_S = 0.05  # while a claimed port or nb_cfg waits for the datapath
IDLE_S = 5.0


def _first(table: Any) -> Any:
    return next(iter(table), None)


def _vif_of(iface: Any) -> str | None:
    """The iface-id of an interface that can carry packets (a valid ofport), else None."""
    lp = iface.external_ids.get("iface-id")
    ofport = iface.ofport
    return lp if lp and ofport and ofport[0] > 0 else None


def _installed_of(iface: Any) -> tuple[bool, str | None]:
    ids = iface.external_ids
    return "ovn-installed" in ids, ids.get("iface-id")


class Controller:
    """ovn-controller's control plane over one datapath (see the module docstring)."""

    def __init__(self, ovs_remote: str, datapath: Datapath, *, vswitchd: bool = True,
                 chassis_name: str | None = None, hostname: str | None = None,
                 clock: Callable[[], float] | None = None) -> None:
        self.dp = datapath
        self.ovs = Idl(ovs_remote, "Open_vSwitch", tables=dict(OVS_TABLES))
        self.ovs.create_index("Interface", "name")
        self.sb: Idl | None = None
        self.sb_remote: str | None = None
        self.vswitch = VswitchRole(datapath) if vswitchd else None
        self.chassis_name_opt = chassis_name
        self.hostname_opt = hostname
        self.clock = clock or (lambda: time.time() * 1000.0)
        self.cfg: ChassisConfig | None = None
        self.paused = False
        self.stopping = False
        self.wake = asyncio.Event()
        self.learnt = LearntQueue()
        self.bound: dict[str, str] = {}  # interface -> logical port, as the datapath has it
        self.plan: BindingPlan | None = None
        self.chassis_uuid: str | None = None
        self.nb_cfg_delay_s = 0.0
        self.runs = 0
        self.last_error: str | None = None
        self._waiting = False  # something waits for the datapath: poll
        self._failures = 0  # transactions failed in a row: back off
        self._chassis_told: str | None = None
        self._mappings_told: dict[str, str] | None = None
        self._warned: set[str] = set()
        self._synced: dict[str, bool] = {"ovs": False, "sb": False}
        self._nb_cfg_ready: tuple[int, float] | None = None  # (nb_cfg, since when ready)
        self._registered = False
        # Derived from row snapshots, reused while the rows are unchanged (see .memo): a pass
        # over N ports of which one changed derives one, not N.
        self._ovs_memo: RowMemo[Any] = RowMemo()
        self._sb_memo: RowMemo[Any] = RowMemo()
        # Claims that needed nothing: logical port -> (Port_Binding, Interface, (chassis, kind)).
        self._settled: dict[str, tuple[Any, Any, tuple[str, str]]] = {}
        self._conds_for: tuple[Idl, tuple[Any, ...]] | None = None  # (IDL, inputs) in place
        # Called once, after the first pass over a synced Southbound (its rows are loaded and
        # the local datapaths' flows compiled): the process may treat what exists now as
        # long-lived (the command line freezes it out of the garbage collector's scans).
        self.on_loaded: Callable[[], None] | None = None
        datapath.on_learn = self._on_learn
        datapath.on_ready = self.wake.set

    # --- status -------------------------------------------------------------------------------

    def status(self) -> str:
        """``debug/status``'s answer."""
        return "paused\n" if self.paused else "running\n"

    def connection_status(self) -> str:
        """``connection-status``'s answer (the Southbound connection)."""
        synced = self.sb is not None and self.sb.is_synced
        return "connected\n" if synced else "not connected\n"

    def request_recompute(self) -> None:
        """A full pass now (every pass works from the whole replicas; warnings said once are
        said again)."""
        self._warned.clear()
        self.wake.set()

    def local_bindings(self) -> str:
        """``debug/dump-local-bindings``: the interfaces bound here, as ovn-controller lists
        them."""
        lines = ["Local bindings:"]
        for iface, lp in sorted(self.bound.items(), key=lambda kv: kv[1]):
            lines += [f"name: [{lp}], OVS interface name : [{iface}], num binding lports : [1]",
                      f"primary lport : [{lp}]", "-" * 40]
        return "\n".join(lines) + "\n"

    # --- events -------------------------------------------------------------------------------

    def _on_ovs(self, event: str, row: Any, old: Any) -> None:
        self.wake.set()

    def _on_sb(self, event: str, row: Any, old: Any) -> None:
        # The one place that feeds the datapath's Southbound model.
        try:
            self.dp.model.apply(row.table, event, row, old)
        except Exception:  # noqa: BLE001 - a model bug must not stop the controller
            log.exception("the datapath's model failed on %s %s %s", event, row.table, row.uuid)
        self.wake.set()

    def _on_learn(self, entry: Learnt) -> None:
        self.learnt.add(entry)
        self.wake.set()

    # --- life cycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        log.info("OVN internal version is : [%s]", OVN_INTERNAL_VERSION)
        await self.dp.start()
        self.ovs.watch(self._on_ovs)
        await self.ovs.start(wait=False)

    async def close(self, *, graceful: bool = False) -> None:
        """Stop.  ``graceful`` (``ovs-appctl exit``): remove this chassis from the Southbound
        first; otherwise (SIGTERM, ``exit --restart``) leave everything for the next start."""
        self.stopping = True
        self.wake.set()
        if graceful and self.sb is not None and self.sb.is_synced and self.cfg is not None \
                and self.cfg.system_id:
            ops = chassis_delete_ops(self.sb.tables, self.cfg.system_id)
            if ops:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(self.sb.transact(ops), timeout=2.0)
        for idl in (self.sb, self.ovs):
            if idl is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(idl.close(), timeout=2.0)
        if self.vswitch is not None:
            self.vswitch.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.dp.close(), timeout=5.0)

    async def run(self) -> None:
        while not self.stopping:
            timeout = POLL_S if self._waiting else IDLE_S
            if self._failures:
                # A transaction that keeps failing is not retried at the polling rate.
                timeout = min(POLL_S * 2 ** self._failures, IDLE_S)
                await asyncio.sleep(timeout)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), timeout=timeout)
            self.wake.clear()
            if self.stopping:
                return
            try:
                wrote = await self.run_once()
            except Exception as e:  # keep serving; the next pass starts from the replicas
                log.exception("controller pass failed: %s", e)
                self.last_error = str(e)
                await asyncio.sleep(0.5)
                self.wake.set()
                continue
            if wrote:
                self.wake.set()

    # --- one pass -----------------------------------------------------------------------------

    def _warn_once(self, key: str, msg: str, *args: Any) -> None:
        if key not in self._warned:
            self._warned.add(key)
            clog.warning(msg, *args)

    def _note_sync(self, which: str, idl: Idl | None, name: str) -> None:
        synced = idl is not None and idl.is_synced
        if synced and not self._synced[which]:
            log.info("%s IDL reconnected, force recompute.", name)
        self._synced[which] = synced

    async def _txn(self, idl: Idl, ops: list[o.Op], what: str) -> bool:
        """Send ``ops``; False (logged) when the transaction failed."""
        try:
            result = await idl.transact(ops)
        except Exception as e:  # noqa: BLE001 - connection loss: the next pass retries
            log.warning("%s transaction failed: %s", what, e)
            return False
        for i, r in enumerate(result):
            if isinstance(r, dict) and r.get("error"):
                op = ops[i] if i < len(ops) else {}
                log.warning("%s transaction failed at operation %d (%s %s): %s %s", what, i,
                            op.get("op"), op.get("table"), r.get("error"), r.get("details", ""))
                return False
        self._failures = 0
        return True

    async def run_once(self) -> bool:
        """One pass over the replicas; True when it wrote something (run again)."""
        self._waiting = False
        self._note_sync("ovs", self.ovs, "OVS")
        if self.paused or not self.ovs.is_synced:
            return False
        self.runs += 1
        self._ovs_memo.cycle()
        self._sb_memo.cycle()
        ot = self.ovs.tables
        root = _first(ot["Open_vSwitch"])
        if root is None:
            self._warn_once("no-root", "'system-id' in Open_vSwitch database is missing.")
            return False
        cfg = read_config(root.external_ids, chassis_name=self.chassis_name_opt,
                          hostname=self.hostname_opt)
        self.cfg = cfg
        now = int(self.clock())
        wrote = False
        # The local database: integration bridge, then vswitchd's part.
        ops = integration_bridge_ops(ot, cfg, now, self._ovs_memo)
        if ops:
            if not await self._txn(self.ovs, ops, "Open_vSwitch"):
                return self._retry()
            wrote = True
        if self.vswitch is not None:
            ops = self.vswitch.reconcile(ot)
            if ops:
                if not await self._txn(self.ovs, ops, "Open_vSwitch"):
                    return self._retry()
                wrote = True
        name = cfg.system_id
        if not name:
            self._warn_once("no-system-id", "'system-id' in Open_vSwitch database is missing.")
            return wrote
        self._warned.discard("no-system-id")
        if self._chassis_told != name:
            self.dp.set_chassis(name)
            self._chassis_told = name
        if self._mappings_told != cfg.bridge_mappings:
            self.dp.set_bridge_mappings(dict(cfg.bridge_mappings))
            self._mappings_told = dict(cfg.bridge_mappings)
        if not cfg.ovn_remote:
            self._warn_once("no-remote", "'ovn-remote' in Open_vSwitch database is missing.")
            return wrote
        await self._ensure_sb(cfg)
        sb = self.sb
        self._note_sync("sb", sb, "OVNSB")
        if sb is None or not sb.is_synced:
            return wrote
        st = sb.tables
        if cfg.match_northd_version and not self._northd_version_ok(st):
            return wrote
        br = find_bridge(ot, cfg.bridge)
        other = chassis_other_config(cfg, iface_types=root.iface_types,
                                     datapath_type=br.datapath_type if br is not None else "")
        ops = chassis_ops(st, cfg, other)
        if ops:
            if not self._registered and find_chassis(st, name) is None:
                clog.info("Registering chassis %s", name)
            if not await self._txn(sb, ops, "Southbound"):
                return self._retry()
            return True
        self._registered = True
        ch = find_chassis(st, name)
        if ch is None or br is None:
            return wrote
        self.chassis_uuid = ch.uuid
        ifaces = interfaces_on_bridge(ot, br, self._ovs_memo)
        vifs = self._vifs(ifaces)
        plan = plan_bindings(st, chassis_uuid=ch.uuid, name=name, hostname=cfg.hostname,
                             vifs=vifs, memo=self._sb_memo)
        self.plan = plan
        self._bind_datapath(plan)
        sb_ops, ovs_ops = self._binding_ops(plan, ch, ifaces, now)
        if self.on_loaded is not None:
            self.dp.flows_current()
            loaded, self.on_loaded = self.on_loaded, None
            loaded()
        pending = bool(sb_ops or ovs_ops)
        # Learnt rows in a transaction of their own: one that races another chassis' insert
        # (the tables' unique indexes) must not hold the bindings back.  A lost entry is
        # learnt again from the next packet.
        learnt = learnt_ops(self.learnt, st, now)
        if learnt and await self._txn(sb, learnt, "Southbound (learnt)"):
            wrote = True
        # The bindings' writes go before the monitor conditions change (that only widens
        # what comes next; a claim does not wait for it); nb_cfg is reported once neither
        # changes.
        if sb_ops:
            if not await self._txn(sb, sb_ops, "Southbound"):
                return self._retry()
            wrote = True
        if ovs_ops:
            if not await self._txn(self.ovs, ovs_ops, "Open_vSwitch"):
                return self._retry()
            wrote = True
        cond_changed = await self._update_conditions(cfg, ch.uuid, vifs, plan)
        if not pending and not cond_changed:
            n_sb, n_ovs = self._nb_cfg_ops(st, br, name, now)
            if n_sb and not await self._txn(sb, n_sb, "Southbound"):
                return self._retry()
            if n_ovs and not await self._txn(self.ovs, n_ovs, "Open_vSwitch"):
                return self._retry()
            wrote = wrote or bool(n_sb or n_ovs)
        return wrote or cond_changed

    def _retry(self) -> bool:
        self._waiting = True  # try again soon, from the replicas as they are then
        self._failures = min(self._failures + 1, 8)
        return False

    def _northd_version_ok(self, st: Any) -> bool:
        g = _first(st["SB_Global"])
        theirs = g.options.get("northd_internal_version") if g is not None else None
        if theirs != OVN_INTERNAL_VERSION:
            self._warn_once(f"version-{theirs}",
                            "controller version - %s mismatch with northd version - %s",
                            OVN_INTERNAL_VERSION, theirs)
            return False
        return True

    async def _ensure_sb(self, cfg: ChassisConfig) -> None:
        remote = cfg.ovn_remote
        probe = cfg.remote_probe_interval_ms
        if self.sb is not None and self.sb_remote == remote:
            # A new probe interval applies from the next session on (None: the remote's
            # default, none over a unix socket, as ovn-controller decides it).
            self.sb.conn.probe_interval = None if probe is None else probe / 1000.0
            return
        if self.sb is not None:
            await self._drop_sb()
        kwargs: dict[str, Any] = {}
        if probe is not None:
            kwargs["probe_interval"] = probe / 1000.0
        conds = sb_conditions(monitor_all=cfg.monitor_all, chassis_uuid=None,
                              chassis_name=cfg.system_id, iface_ids=(), local_datapaths=(),
                              dp_keys=())
        sb = Idl(remote, "OVN_Southbound", conditions=conds, **kwargs)  # type: ignore[arg-type]
        sb.create_index("Port_Binding", "logical_port")
        sb.create_index("Datapath_Binding", "tunnel_key")
        sb.create_index("MAC_Binding", "logical_port", "ip")
        sb.create_index("FDB", "mac", "dp_key")
        sb.watch(self._on_sb)
        self.sb, self.sb_remote = sb, remote
        self._registered = False
        await sb.start(wait=False)

    async def _drop_sb(self) -> None:
        """Close the Southbound connection; the model forgets every row it had from it."""
        sb, self.sb = self.sb, None
        if sb is None:
            return
        await sb.close()
        if sb.replica is not None:
            for table in sb.replica.tables.values():
                for row in list(table):
                    self._on_sb("delete", row, None)

    # --- bindings -----------------------------------------------------------------------------

    def _vifs(self, ifaces: dict[str, Any]) -> dict[str, str]:
        """iface-id -> interface name, for the interfaces that can carry packets."""
        out: dict[str, str] = {}
        memo = self._ovs_memo
        for name in sorted(ifaces):
            iface = ifaces[name]
            lp = memo.get(("vif", name), iface, _vif_of)
            if lp is not None:
                out.setdefault(lp, name)
        return out

    def _bind_datapath(self, plan: BindingPlan) -> None:
        want = {iface: lp for lp, iface in plan.ifaces.items()}
        for iface, lp in list(self.bound.items()):
            if want.get(iface) != lp:
                self.dp.unbind(iface)
                del self.bound[iface]
        for iface, lp in want.items():
            if iface not in self.bound:
                try:
                    self.dp.bind(iface, lp)
                except Exception as e:  # noqa: BLE001 - e.g. no such port (--no-vswitchd)
                    # Still claimed (the database says the interface is here), never "up":
                    # the datapath cannot carry the port's packets.
                    self._warn_once(f"bind-{iface}-{lp}", "%s: cannot bind %s: %s", iface, lp, e)
                    continue
                self.bound[iface] = lp

    def _binding_ops(self, plan: BindingPlan, ch: Any, ifaces: dict[str, Any],
                     now: int) -> tuple[list[o.Op], list[o.Op]]:
        sb_ops: list[o.Op] = []
        ovs_ops: list[o.Op] = []
        st = self.sb.tables if self.sb is not None else {}
        bound = set(self.bound.values())
        settled, self._settled = self._settled, {}
        for lp, kind in sorted(plan.claims.items()):
            pb = plan.pbs[lp]
            iface = ifaces[plan.ifaces[lp]] if kind == VIF else None
            s = settled.get(lp)
            if s is not None and s[0] is pb and s[1] is iface and s[2] == (ch.uuid, kind) \
                    and (kind != VIF or self.dp.port_ready(lp)):
                # The same Port_Binding and Interface snapshots as when nothing was needed:
                # claimed here, up, ovn-installed (and the port is still ready).
                self._settled[lp] = s
                continue
            n_sb, n_ovs = len(sb_ops), len(ovs_ops)
            row: dict[str, Any] = {}
            up = pb.up[0] if pb.up else None
            if pb.chassis != [ch.uuid]:
                other = st["Chassis"].get(pb.chassis[0]) if pb.chassis else None
                if other is not None:
                    blog.info("Changing chassis for lport %s from %s to %s.", lp, other.name,
                              ch.name)
                else:
                    blog.info("Claiming lport %s for this chassis.", lp)
                for mac in pb.mac:
                    blog.info("%s: Claiming %s", lp, mac)
                row["chassis"] = o.uuid(ch.uuid)
                if pb.encap:
                    row["encap"] = o.oset([])
                if kind == VIF and up:
                    row["up"] = up = False
            if kind != VIF:
                if up is not True:
                    row["up"] = True
            else:
                assert iface is not None
                if self.dp.port_ready(lp):
                    if iface.external_ids.get("ovn-installed") != "true":
                        blog.info("Setting lport %s ovn-installed in OVS", lp)
                        ovs_ops += installed_ops(iface, now)
                    if up is not True:
                        blog.info("Setting lport %s up in Southbound", lp)
                        row["up"] = True
                elif lp in bound:
                    self._waiting = True  # (a port the datapath refused is not waited for)
            if row:
                sb_ops.append(o.update("Port_Binding", pb.uuid, row))
            elif len(sb_ops) == n_sb and len(ovs_ops) == n_ovs and (
                    kind != VIF or self.dp.port_ready(lp)):
                self._settled[lp] = (pb, iface, (ch.uuid, kind))
        for pb in plan.releases:
            blog.info("Releasing lport %s from this chassis (sb_readonly=0)", pb.logical_port)
            row = {"chassis": o.oset([])}
            if pb.encap:
                row["encap"] = o.oset([])
            if pb.up and pb.up[0]:
                blog.info("Setting lport %s down in Southbound", pb.logical_port)
                row["up"] = False
            sb_ops.append(o.update("Port_Binding", pb.uuid, row))
        # ovn-installed stays only on interfaces whose port is still bound here.
        memo = self._ovs_memo
        for name, iface in sorted(ifaces.items()):
            installed, lp = memo.get(("installed", name), iface, _installed_of)
            if not installed:
                continue
            if lp is None or plan.ifaces.get(lp) != name or plan.claims.get(lp) != VIF:
                blog.info("Removing iface %s ovn-installed in OVS", name)
                ovs_ops += uninstalled_ops(iface)
        return sb_ops, ovs_ops

    async def _update_conditions(self, cfg: ChassisConfig, chassis_uuid: str,
                                 vifs: dict[str, str], plan: BindingPlan) -> bool:
        sb = self.sb
        assert sb is not None
        keys = []
        dps = sb.tables["Datapath_Binding"]
        for d in plan.local_datapaths:
            row = dps.get(d)
            if row is not None:
                keys.append(row.tunnel_key)
        inputs = (cfg.monitor_all, chassis_uuid, cfg.system_id, frozenset(vifs),
                  plan.local_datapaths, frozenset(keys))
        last = self._conds_for
        if last is not None and last[0] is sb and last[1] == inputs:
            return False  # the conditions these inputs give are the ones in place
        conds = sb_conditions(monitor_all=cfg.monitor_all, chassis_uuid=chassis_uuid,
                              chassis_name=cfg.system_id, iface_ids=vifs,
                              local_datapaths=plan.local_datapaths, dp_keys=keys)
        changed = False
        for table, where in conds.items():
            if sb.condition(table) != where:
                await sb.set_condition(table, where)
                changed = True
        self._conds_for = (sb, inputs)
        return changed

    # --- nb_cfg -------------------------------------------------------------------------------

    def _nb_cfg_ops(self, st: Any, br: Any, name: str, now: int) -> tuple[list[o.Op], list[o.Op]]:
        g = _first(st["SB_Global"])
        cp = find_chassis_private(st, name)
        if g is None or cp is None or cp.nb_cfg == g.nb_cfg:
            self._nb_cfg_ready = None
            return [], []
        if not self.dp.flows_current():
            self._waiting = True
            return [], []
        target = g.nb_cfg
        if self.nb_cfg_delay_s > 0:
            ready = self._nb_cfg_ready
            if ready is None or ready[0] != target:
                self._nb_cfg_ready = (target, now)
                self._waiting = True
                return [], []
            if now - ready[1] < self.nb_cfg_delay_s * 1000:
                self._waiting = True
                return [], []
        self._nb_cfg_ready = None
        sb_ops = [o.update("Chassis_Private", cp.uuid,
                           {"nb_cfg": target, "nb_cfg_timestamp": now})]
        return sb_ops, nb_cfg_ops(br, target, now)
