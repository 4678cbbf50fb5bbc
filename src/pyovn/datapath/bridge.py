"""Bridges and their ports as the datapath holds them: the vswitchd side of pyovn's datapath.

The controller mirrors the local Open_vSwitch database here (``add_port``/``remove_port``); this
module turns each interface into something that moves frames:

* ``internal`` — a TAP device named like the interface (a veth pair in rootless mode: the
  user's end named like the interface, ours on AF_PACKET), created here;
* ``system`` (type "") — an existing device (a veth end, a NIC) attached with AF_PACKET;
* ``patch`` — no device: frames sent to it arrive on its peer (``options:peer``);
* tunnel types (``geneve``, ``vxlan``, ``stt``, ``gre``) — the encapsulation point: recorded
  with their options (remote_ip, key) and an ofport, carrying nothing (tunnels are planned,
  not built).

OpenFlow port numbers follow ovs-vswitchd's rules: ``ofport_request`` when free, else the lowest
free number from 1; the bridge's own internal port is LOCAL (65534).

Provider bridges (those named in ``ovn-bridge-mappings``) behave as OVS's NORMAL action: a
learning switch between their ports and the integration bridge's localnet ports; that logic is
:class:`LearningSwitch`, kept here so the core only asks "where does this frame go".
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pyovn.datapath.io_base import Port as IoPort

__all__ = [
    "OFPP_LOCAL",
    "TUNNEL_TYPES",
    "Bridge",
    "BridgePort",
    "DatapathError",
    "LearningSwitch",
    "default_port_mode",
]

OFPP_LOCAL = 65534
OFPORT_MAX = 65279
TUNNEL_TYPES = frozenset({"geneve", "vxlan", "stt", "gre"})


class DatapathError(RuntimeError):
    """A port could not be created or attached; the text goes to Interface.error."""


def default_port_mode() -> str:
    """How ``internal`` interfaces are made: "tap" where /dev/net/tun can be opened, else
    "veth" (rootless: a user namespace has no TAP); ``PYOVN_DATAPATH_PORTS`` overrides."""
    mode = os.environ.get("PYOVN_DATAPATH_PORTS")
    if mode in ("tap", "veth"):
        return mode
    return "tap" if os.access("/dev/net/tun", os.R_OK | os.W_OK) else "veth"


@dataclass(eq=False)
class BridgePort:
    """One interface on a bridge."""

    name: str
    bridge: Bridge
    type: str
    ofport: int
    options: dict[str, str] = field(default_factory=dict)
    io: IoPort | None = None  # None for patch and tunnel ports
    logical_port: str | None = None  # the Port_Binding whose packets this interface carries

    @property
    def peer(self) -> str | None:
        return self.options.get("peer") if self.type == "patch" else None

    @property
    def mac(self) -> str | None:
        return self.io.mac if self.io is not None else None


@dataclass(eq=False)
class Bridge:
    name: str
    ports: dict[str, BridgePort] = field(default_factory=dict)
    by_ofport: dict[int, BridgePort] = field(default_factory=dict)

    def allocate_ofport(self, request: int | None, internal_self: bool) -> int:
        if internal_self:
            return OFPP_LOCAL
        if request is not None and 1 <= request <= OFPORT_MAX and request not in self.by_ofport:
            return request
        n = 1
        while n in self.by_ofport:
            n += 1
        if n > OFPORT_MAX:
            raise DatapathError(f"bridge {self.name}: no free OpenFlow port number")
        return n


def open_io(name: str, type_: str, mode: str | None = None) -> IoPort:
    """The device behind an interface of ``type_`` ("internal" or "system"); ``mode`` "tap" or
    "veth" for internal ones (default: :func:`default_port_mode`)."""
    from pyovn.datapath.io import PacketSocketPort, TapPort, VethPort

    try:
        if type_ == "internal":
            # Left administratively down, as ovs-vswitchd leaves its internal devices: whoever
            # uses one brings it up (a device moved into a namespace goes down anyway).  Up
            # from birth, a device in the chassis' own namespace starts IPv6 (router
            # solicitations, MLD reports, DAD) that the switch floods to every port.
            if (mode or default_port_mode()) == "tap":
                return TapPort.create(name, up=False)
            return VethPort.create(name, up=False)
        return PacketSocketPort.attach(name)
    except OSError as e:
        # ovs-vswitchd's words for a missing device, so scripts that grep for them still work.
        what = os.strerror(e.errno) if e.errno else str(e)
        raise DatapathError(f"could not open network device {name} ({what})") from e


class LearningSwitch:
    """OVS's NORMAL action on one bridge: learn source MACs per port, send known unicast to
    its port, flood the rest (never back where it came from)."""

    def __init__(self) -> None:
        self._where: dict[int, Any] = {}

    def learn(self, mac: int, port: Any) -> None:
        if not mac & (1 << 40):  # multicast sources are not learnt
            self._where[mac] = port

    def forget_port(self, port: Any) -> None:
        for mac in [m for m, p in self._where.items() if p is port]:
            del self._where[mac]

    def targets(self, dst: int, in_port: Any, ports: list[Any]) -> list[Any]:
        p = self._where.get(dst)
        if p is not None and not dst & (1 << 40):
            return [] if p is in_port else [p]
        return [q for q in ports if q is not in_port]


Sink = Callable[[BridgePort, Any, bytes], None]
