"""What every datapath port has: a name, a non-blocking fd, batched receive and send.

Subclasses implement `recv_batch`, `_send_vnet(header_bytes, frame)`, `_send_plain(frame)` and
`_close`. The base class turns `send(frame, vnet_hdr)` into one of the two: a port that carries
vnet headers passes the header through untouched (a GSO super-frame stays whole); a port that
does not gets the frame finished in software first (checksum folded in, GSO cut into segments).
"""

from __future__ import annotations

import errno
from collections.abc import Callable, Iterable
from typing import ClassVar

from pyovn.datapath.io_vnet import F_NEEDS_CSUM, ZERO_HDR, VnetHdr, segment

# Room for the largest GSO frame (IP length 65535 + Ethernet and two VLAN tags) and then some.
FRAME_BUF = 65536 + 256

# A send failing with one of these drops the frame (counted) instead of raising: the device is
# down, its queue is full, it has gone, or the frame does not fit.
DROP_ERRNOS = frozenset({errno.EAGAIN, errno.ENOBUFS, errno.ENETDOWN, errno.EIO, errno.ENXIO,
                         errno.EMSGSIZE, errno.ENODEV, errno.EBADFD, errno.EINVAL})

Batch = list[tuple[VnetHdr | None, bytes]]


class Port:
    """One datapath port. Attributes: `name` (the interface the user sees), `ifindex`, `mac`
    ("aa:bb:cc:dd:ee:ff"), `mtu` (all as they were when the port was opened; the user may
    change the device later, in another namespace), `vnet_hdr` (frames carry offload headers),
    `tx_dropped` (frames send() could not queue). Not thread-safe; one owner."""

    kind: ClassVar[str] = "port"

    name: str
    ifindex: int
    mac: str
    mtu: int
    vnet_hdr: bool
    tx_dropped: int
    rx_dropped: int
    closed: bool

    def __init__(self, name: str, ifindex: int, mac: str, mtu: int, vnet_hdr: bool) -> None:
        self.name = name
        self.ifindex = ifindex
        self.mac = mac
        self.mtu = mtu
        self.vnet_hdr = vnet_hdr
        self.tx_dropped = 0
        self.rx_dropped = 0
        self.closed = False

    def fileno(self) -> int:
        raise NotImplementedError

    def recv_batch(self, max_n: int = 64) -> Batch:
        """Up to `max_n` frames waiting now, oldest first, each with its vnet header (None when
        it has none or it is all zero: a finished frame). Never blocks; [] when none wait.
        Raises PortGone when the device no longer exists."""
        raise NotImplementedError

    def _send_vnet(self, hdr: bytes, frame: bytes) -> bool:
        raise NotImplementedError

    def _try_send(self, send: Callable[..., object], *args: object) -> bool:
        """``send(*args)``; False (and counted in ``tx_dropped``) when the kernel refuses it
        for one of DROP_ERRNOS."""
        try:
            send(*args)
            return True
        except OSError as e:
            if e.errno not in DROP_ERRNOS:
                raise
            self.tx_dropped += 1
            return False

    def _send_plain(self, frame: bytes) -> bool:
        raise NotImplementedError

    def _close(self) -> None:
        raise NotImplementedError

    def send(self, frame: bytes, vnet_hdr: VnetHdr | None = None) -> bool:
        """Queues `frame` on the device; False if it was dropped (device down, queue full: see
        `tx_dropped`). Never blocks."""
        if self.vnet_hdr:
            return self._send_vnet(ZERO_HDR if vnet_hdr is None else vnet_hdr.pack(), frame)
        if vnet_hdr is None or not (vnet_hdr.flags & F_NEEDS_CSUM or vnet_hdr.is_gso):
            return self._send_plain(frame)
        ok = True
        for piece in segment(frame, vnet_hdr):
            ok = self._send_plain(piece) and ok
        return ok

    def send_batch(self, batch: Iterable[tuple[VnetHdr | None, bytes]]) -> int:
        """Sends (vnet_hdr, frame) pairs, as `recv_batch` returns them; the number queued."""
        sent = 0
        if self.vnet_hdr:
            send = self._send_vnet
            for hdr, frame in batch:
                sent += send(ZERO_HDR if hdr is None else hdr.pack(), frame)
        else:
            for hdr, frame in batch:
                sent += self.send(frame, hdr)
        return sent

    def close(self) -> None:
        """Closes the fd and deletes the devices this port created. Idempotent."""
        if not self.closed:
            self.closed = True
            self._close()

    def __enter__(self) -> Port:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = " closed" if self.closed else ""
        return (f"<{type(self).__name__} {self.name} ifindex={self.ifindex} mac={self.mac} "
                f"mtu={self.mtu} vnet_hdr={self.vnet_hdr}{state}>")
