"""The datapath's packet I/O: ports that move Ethernet frames, in batches, with offloads.

Three kinds behind one interface (`Port`: `name`, `ifindex`, `mac`, `mtu`, `vnet_hdr`,
`fileno()`, `recv_batch(max_n)`, `send(frame, vnet_hdr)`, `send_batch(batch)`, `close()`):

- `TapPort.create(name)`: an OVS "internal" interface as a TAP device (io_tap.py);
- `PacketSocketPort.attach(ifname)`: an existing ("system") interface through AF_PACKET
  (io_packet.py);
- `VethPort.create(name)`: rootless stand-in for a TAP, a veth pair whose other end we attach
  with AF_PACKET (io_packet.py).

A frame travels with its virtio_net_hdr (`VnetHdr`, io_vnet.py) or None: GSO super-frames and
partial checksums pass from a port to another whole; a port opened without vnet headers gets
them finished in software. Link configuration is rtnetlink via pyroute2 (io_netlink.py).
`attach_reader` runs a port's reads on an asyncio loop. The docs/CONTRACTS.md section
"datapath I/O" is the contract.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable

from pyovn.datapath.io_base import FRAME_BUF, Batch, Port
from pyovn.datapath.io_netlink import PortError, PortGone, link_delete, link_info, set_tx_csum
from pyovn.datapath.io_packet import PacketSocketPort, VethPort, veth_peer_name
from pyovn.datapath.io_tap import TUN_PATH, TapPort
from pyovn.datapath.io_vnet import (
    F_DATA_VALID,
    F_NEEDS_CSUM,
    GSO_NONE,
    GSO_TCPV4,
    GSO_TCPV6,
    GSO_UDP_L4,
    VnetHdr,
    complete_csum,
    segment,
)

__all__ = [
    "FRAME_BUF", "Batch", "Port", "PortError", "PortGone", "TapPort", "PacketSocketPort",
    "VethPort", "VnetHdr", "F_NEEDS_CSUM", "F_DATA_VALID", "GSO_NONE", "GSO_TCPV4", "GSO_TCPV6",
    "GSO_UDP_L4", "complete_csum", "segment", "attach_reader", "PortReader", "open_internal",
    "tap_available", "link_delete", "link_info", "set_tx_csum", "veth_peer_name", "TUN_PATH",
]

log = logging.getLogger(__name__)


class PortReader:
    """Calls `on_batch(port, batch)` from the loop whenever the port has frames (at most
    `max_batch` per call; the loop comes back for the rest). When the device goes away the
    reader stops and `on_gone(port, error)` is called (logged if not given); the port stays
    open for its owner to close. `close()` stops reading."""

    def __init__(self, loop: asyncio.AbstractEventLoop, port: Port,
                 on_batch: Callable[[Port, Batch], None], *, max_batch: int = 64,
                 on_gone: Callable[[Port, PortError], None] | None = None) -> None:
        self.loop = loop
        self.port = port
        self._on_batch = on_batch
        self._on_gone = on_gone
        self._max = max_batch
        self._fd = port.fileno()
        self.active = True
        loop.add_reader(self._fd, self._ready)

    def _ready(self) -> None:
        try:
            batch = self.port.recv_batch(self._max)
        except PortError as e:
            self.close()
            if self._on_gone is not None:
                self._on_gone(self.port, e)
            else:
                log.warning("port %s: %s; no longer read", self.port.name, e)
            return
        if batch:
            self._on_batch(self.port, batch)

    def close(self) -> None:
        if self.active:
            self.active = False
            self.loop.remove_reader(self._fd)


def attach_reader(loop: asyncio.AbstractEventLoop, port: Port,
                  on_batch: Callable[[Port, Batch], None], *, max_batch: int = 64,
                  on_gone: Callable[[Port, PortError], None] | None = None) -> PortReader:
    """Reads `port` on `loop` (see PortReader). Close the reader before the port."""
    return PortReader(loop, port, on_batch, max_batch=max_batch, on_gone=on_gone)


def tap_available() -> bool:
    """Whether TAP devices can be made here (/dev/net/tun opens: root, not a user namespace)."""
    try:
        os.close(os.open(TUN_PATH, os.O_RDWR | os.O_CLOEXEC))
    except OSError:
        return False
    return True


def open_internal(name: str, *, vnet_hdr: bool = True, mtu: int | None = None,
                  mac: str | None = None) -> Port:
    """An OVS "internal" interface: a TAP when /dev/net/tun can be opened, else (rootless) a
    veth pair whose end `name` is the user's."""
    if tap_available():
        return TapPort.create(name, vnet_hdr=vnet_hdr, mtu=mtu, mac=mac)
    return VethPort.create(name, vnet_hdr=vnet_hdr, mtu=mtu, mac=mac)
