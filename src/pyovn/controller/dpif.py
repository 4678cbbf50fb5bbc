"""What the controller needs from the packet datapath (``pyovn.datapath.core.Datapath``).

The controller and the datapath live in one process and one event loop; the controller owns the
databases, the datapath owns packets.  The controller drives the datapath through the
:class:`Datapath` protocol below and never looks inside it:

* **vswitchd's role** — every Interface of every Bridge in the local Open_vSwitch database
  becomes a datapath port: ``add_port(bridge, name, iface_type, options, ofport_request=)``
  returns the OpenFlow port number (the controller writes it to ``Interface.ofport``) or raises
  an exception whose text the controller writes to ``Interface.error`` (ofport -1);
  ``remove_port(name)`` when the row goes or changes bridge, type, options or ofport_request
  (then the port is added again).  ``port_status(name)`` gives the Interface status columns the
  datapath knows (``mac_in_use``, ``ifindex``, ``mtu``, ``link_state``, ``admin_state``).
* **Chassis and bindings** — ``set_chassis(name)`` once the chassis name is known (the datapath
  compares ``Port_Binding.chassis`` names with it); ``bind(iface, logical_port)`` when a VIF (or
  a localport) on the integration bridge is bound here, ``unbind(iface)`` when it no longer is;
  ``set_bridge_mappings({physnet: bridge})`` from ``ovn-bridge-mappings`` (localnet and
  l2gateway ports reach their physical network through the mapped bridge).
* **The Southbound** — ``model`` is the datapath's :class:`SbSink` (the pipeline's
  ``SbModel``): the controller feeds it every Southbound IDL event, in order, as
  ``model.apply(table, event, row, old)`` (event "create" | "update" | "delete"; ``row`` and
  ``old`` as :meth:`pyovn.ovsdb.client.Idl.watch` callbacks receive them).  The rows are the
  local datapaths' rows only (conditional monitoring) unless ``ovn-monitor-all`` is true.
* **Readiness** — ``port_ready(logical_port)``: the flows that carry the port's packets are in
  place (OVN's meaning of ``up`` / ``ovn-installed``); ``flows_current()``: every change fed to
  ``model`` so far is reflected in forwarding (the controller then reports ``nb_cfg``).  The
  datapath calls ``on_ready()`` (set by the controller) when either may have turned true; the
  controller also polls while it waits.
* **Learning** — the datapath calls ``on_learn(entry)`` (set by the controller) with a
  :class:`LearntMacBinding` (``put_arp``/``put_nd``), a :class:`LearntFdb` (``put_fdb``) or a
  :class:`LearntVirtualParent` (``bind_vport``); the controller writes MAC_Binding / FDB rows
  (deduplicated, existing rows updated) and ``Port_Binding.virtual_parent`` (then claims the
  virtual port while its parent is bound here).
* ``await start()`` before the first call, ``await close()`` at exit (devices removed).

All methods but start/close are synchronous and called from the event loop.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

__all__ = [
    "IFACE_STATUS_COLUMNS",
    "Datapath",
    "Learnt",
    "LearntFdb",
    "LearntMacBinding",
    "LearntVirtualParent",
    "SbSink",
]

# The Interface columns ``port_status`` may fill (others are ignored).
IFACE_STATUS_COLUMNS = ("mac_in_use", "ifindex", "mtu", "link_state", "admin_state")


@dataclass(frozen=True, slots=True)
class LearntMacBinding:
    """An IP -> MAC binding learnt on a logical (router) port (``put_arp``/``put_nd``)."""

    logical_port: str
    ip: str
    mac: str
    dp_key: int  # tunnel key of the port's Datapath_Binding


@dataclass(frozen=True, slots=True)
class LearntFdb:
    """A MAC address learnt on a switch port (``put_fdb``)."""

    mac: str
    dp_key: int  # the switch's Datapath_Binding tunnel key
    port_key: int  # the port's Port_Binding tunnel key


@dataclass(frozen=True, slots=True)
class LearntVirtualParent:
    """``bind_vport(V, P)``: virtual port ``V``'s address was announced from port ``P``."""

    virtual_port: str
    virtual_parent: str


Learnt = LearntMacBinding | LearntFdb | LearntVirtualParent


class SbSink(Protocol):
    """The receiver of Southbound row events (``pyovn.pipeline.sbmodel.SbModel``)."""

    def apply(self, table: str, event: str, row: Any, old: Any) -> None: ...


@runtime_checkable
class Datapath(Protocol):
    """The packet datapath as the controller drives it (see the module docstring)."""

    model: SbSink
    on_learn: Callable[[Learnt], None] | None
    on_ready: Callable[[], None] | None
    iface_types: Collection[str]  # Interface types it supports (Open_vSwitch.iface_types)

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    def set_chassis(self, name: str) -> None: ...

    def add_port(self, bridge: str, name: str, iface_type: str, options: Mapping[str, str],
                 ofport_request: int | None = None) -> int: ...

    def remove_port(self, name: str) -> None: ...

    def port_status(self, name: str) -> Mapping[str, Any]: ...

    def bind(self, iface: str, logical_port: str) -> None: ...

    def unbind(self, iface: str) -> None: ...

    def set_bridge_mappings(self, mappings: Mapping[str, str]) -> None: ...

    def port_ready(self, logical_port: str) -> bool: ...

    def flows_current(self) -> bool: ...
