"""ovs-vswitchd's part of the local database, played for the datapath (pyovn has no vswitchd).

:class:`VswitchRole` mirrors every Interface of every Port of every Bridge reachable from the
Open_vSwitch row into the datapath: ``add_port`` for a new interface, ``remove_port`` for one
that went, and both when an interface changed bridge, type, options or ofport_request.  It
returns the operations that report the result as ovs-vswitchd does: ``Interface.ofport`` (-1
and ``Interface.error`` when the datapath refused the port), the status columns the datapath
knows, ``Open_vSwitch.iface_types``/``datapath_types``, and — once all that is applied —
``Open_vSwitch.cur_cfg = next_cfg``, which is what ``ovs-vsctl`` (without ``--no-wait``) waits
for.  A port the datapath refused is tried again at the next ``next_cfg``, as vswitchd retries
on every reconfiguration.

When a real ovs-vswitchd serves the same database this role must be off (both would write
``ofport`` and ``cur_cfg``): ``pyovn controller --no-vswitchd``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from pyovn.controller import ops as o
from pyovn.controller.dpif import IFACE_STATUS_COLUMNS, Datapath
from pyovn.controller.memo import RowMemo
from pyovn.util.vlog import get_logger

__all__ = ["PortSpec", "VswitchRole"]

log = get_logger("bridge")

DATAPATH_TYPES = ("netdev", "system")


@dataclass(frozen=True)
class PortSpec:
    """What the datapath was given for one interface."""

    bridge: str
    type: str
    options: tuple[tuple[str, str], ...]
    ofport_request: int | None


@dataclass
class _Port:
    spec: PortSpec
    ofport: int
    error: str | None
    cfg: int  # next_cfg when it was tried


def _opt(v: list[Any]) -> Any:
    return v[0] if v else None


class VswitchRole:
    """The datapath's view of the local bridges, kept equal to the database's."""

    def __init__(self, datapath: Datapath) -> None:
        self.dp = datapath
        self.ports: dict[str, _Port] = {}  # interface name -> what the datapath has
        # Per row snapshot: a Port's interfaces, an Interface's (name, spec); per interface
        # name, what the database was last seen to say (see _status_ops).
        self._port_ifaces: RowMemo[tuple[str, ...]] = RowMemo()
        self._specs: RowMemo[tuple[str, PortSpec]] = RowMemo()
        self._reported: dict[str, tuple[Any, int, str | None, tuple[Any, ...]]] = {}

    def wanted(self, ovs: Mapping[str, Any]) -> dict[str, tuple[PortSpec, Any]]:
        """Interface name -> (spec, Interface row) for every interface on a bridge."""
        out: dict[str, tuple[PortSpec, Any]] = {}
        root = next(iter(ovs["Open_vSwitch"]), None)
        if root is None:
            return out
        ports, ifaces = ovs["Port"], ovs["Interface"]
        self._port_ifaces.cycle()
        self._specs.cycle()
        for bu in root.bridges:
            br = ovs["Bridge"].get(bu)
            if br is None:
                continue
            bridge = br.name
            for pu in br.ports:
                port = ports.get(pu)
                if port is None:
                    continue
                for iu in self._port_ifaces.get(pu, port, _interfaces):
                    iface = ifaces.get(iu)
                    if iface is None:
                        continue
                    name, spec = self._specs.get((iu, bridge), iface, partial(_spec, bridge=bridge))
                    if name not in out:
                        out[name] = (spec, iface)
        return out

    def reconcile(self, ovs: Mapping[str, Any]) -> list[o.Op]:
        """Apply the database to the datapath; the operations reporting it back."""
        root = next(iter(ovs["Open_vSwitch"]), None)
        if root is None:
            return []
        next_cfg = root.next_cfg
        wanted = self.wanted(ovs)
        for name, have in list(self.ports.items()):
            w = wanted.get(name)
            if w is not None and w[0] == have.spec and (have.error is None
                                                        or have.cfg == next_cfg):
                continue
            del self.ports[name]
            if have.error is None:
                try:
                    self.dp.remove_port(name)
                except Exception as e:  # noqa: BLE001 - the datapath's own error type
                    log.warning("%s: could not remove from the datapath: %s", name, e)
        for name, (spec, _) in sorted(wanted.items()):  # ofports handed out in name order
            if name in self.ports:
                continue
            try:
                ofport = self.dp.add_port(spec.bridge, name, spec.type, dict(spec.options),
                                          ofport_request=spec.ofport_request)
                error = None
                log.info("bridge %s: added interface %s on port %d", spec.bridge, name, ofport)
            except Exception as e:  # noqa: BLE001 - any refusal is reported in the row
                ofport, error = -1, str(e) or type(e).__name__
                log.warning("could not add network device %s to ofproto (%s)", name, error)
            self.ports[name] = _Port(spec, ofport, error, next_cfg)
        ops: list[o.Op] = []
        if len(self._reported) > len(wanted):
            self._reported = {n: r for n, r in self._reported.items() if n in wanted}
        for name, (_, iface) in wanted.items():
            ops += self._status_ops(iface, self.ports[name])
        row: dict[str, Any] = {}
        types = sorted(self.dp.iface_types)
        if sorted(root.iface_types) != types:
            row["iface_types"] = o.oset(types)
        if sorted(root.datapath_types) != list(DATAPATH_TYPES):
            row["datapath_types"] = o.oset(DATAPATH_TYPES)
        if root.cur_cfg != next_cfg:
            row["cur_cfg"] = next_cfg
        if row:
            ops.append(o.update("Open_vSwitch", root.uuid, row))
        return ops

    def _status_ops(self, iface: Any, port: _Port) -> list[o.Op]:
        status: Mapping[str, Any] = {}
        if port.error is None:
            try:
                status = self.dp.port_status(iface.name)
            except Exception:  # noqa: BLE001 - status is best effort
                status = {}
        seen = (iface, port.ofport, port.error, tuple(sorted(status.items())))
        name = iface.name
        last = self._reported.get(name)
        if last is not None and last[0] is iface and last[1:] == seen[1:]:
            return []  # the same row snapshot already said all that
        want: dict[str, Any] = {"ofport": port.ofport, "error": port.error}
        for c in IFACE_STATUS_COLUMNS:
            if c in status:
                want[c] = status[c]
        row = {}
        for col, value in want.items():
            cur = getattr(iface, col)
            if (cur[0] if cur else None) != value:
                row[col] = o.opt(value)
        if row:
            self._reported.pop(name, None)
            return [o.update("Interface", iface.uuid, row)]
        self._reported[name] = seen
        return []

    def close(self) -> None:
        """Forget the ports (the datapath is closing and removes them itself)."""
        self.ports.clear()
        self._reported.clear()


def _interfaces(port: Any) -> tuple[str, ...]:
    return tuple(port.interfaces)


def _spec(iface: Any, bridge: str) -> tuple[str, PortSpec]:
    return iface.name, PortSpec(bridge, iface.type, tuple(sorted(iface.options.items())),
                                _opt(iface.ofport_request))
