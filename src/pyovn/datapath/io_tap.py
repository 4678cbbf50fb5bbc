"""TAP ports: OVS "internal" interfaces, as TUN/TAP devices the datapath holds open.

/dev/net/tun, TUNSETIFF with IFF_TAP | IFF_NO_PI (| IFF_VNET_HDR), then TUNSETVNETHDRSZ (10)
and TUNSETOFFLOAD: with TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN (and the USO bits
when the kernel has them) the device advertises checksum and segmentation offload, so the stack
on the other side hands us 64 KB super-frames with partial checksums, and takes them from us
too. The device lives as long as the fd (not persistent): the user may move it to another
namespace and configure it there; reads and writes go on through the fd; `close()` removes it
wherever it is. One read or write per frame (a character device has no recvmmsg): `os.readv`
scatters the header and the frame into preallocated buffers, `os.writev` gathers them.
"""

from __future__ import annotations

import errno
import fcntl
import os
import struct

from pyovn.datapath.io_base import FRAME_BUF, Batch, Port
from pyovn.datapath.io_netlink import PortError, PortGone, check_name, link_set
from pyovn.datapath.io_vnet import VNET_HDR_LEN, ZERO_HDR, VnetHdr

TUN_PATH = "/dev/net/tun"

TUNSETIFF = 0x400454CA
TUNGETFEATURES = 0x800454CF
TUNSETOFFLOAD = 0x400454D0
TUNGETIFF = 0x800454D2
TUNSETVNETHDRSZ = 0x400454D8

IFF_TAP = 0x0002
IFF_PERSIST = 0x0800
IFF_NO_PI = 0x1000
IFF_VNET_HDR = 0x4000

TUN_F_CSUM = 0x01
TUN_F_TSO4 = 0x02
TUN_F_TSO6 = 0x04
TUN_F_TSO_ECN = 0x08
TUN_F_USO4 = 0x20
TUN_F_USO6 = 0x40

OFFLOADS_TCP = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN
OFFLOADS_ALL = OFFLOADS_TCP | TUN_F_USO4 | TUN_F_USO6

_IFREQ = struct.Struct("16sH22x")


class TapPort(Port):
    """A TAP device named like the interface. `offloads`: the TUN_F_* bits in force."""

    kind = "tap"
    offloads: int

    def __init__(self, fd: int, name: str, ifindex: int, mac: str, mtu: int, vnet_hdr: bool,
                 offloads: int, owned: bool) -> None:
        super().__init__(name, ifindex, mac, mtu, vnet_hdr)
        self._fd = fd
        self.offloads = offloads
        self._owned = owned
        self._hdr = bytearray(VNET_HDR_LEN)
        self._frame = bytearray(FRAME_BUF)
        self._frame_mv = memoryview(self._frame)
        self._bufs = [self._hdr, self._frame] if vnet_hdr else [self._frame]
        self._last_raw = bytes(ZERO_HDR)
        self._last_hdr: VnetHdr | None = None

    @classmethod
    def create(cls, name: str, *, vnet_hdr: bool = True, offloads: bool = True,
               mtu: int | None = None, mac: str | None = None, up: bool = True) -> TapPort:
        """Creates (or attaches to a persistent) TAP `name`, MTU and MAC set when given, link up.
        With `vnet_hdr`, frames carry a virtio_net_hdr; with `offloads` too, the device accepts
        checksum offload and TSO (and USO if the kernel knows it) from the stack. With `up`
        false the link is left as it is (down when new). Raises
        PortError (PermissionError's errno EPERM/EACCES without CAP_NET_ADMIN)."""
        raw = check_name(name)
        try:
            fd = os.open(TUN_PATH, os.O_RDWR | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError as e:
            raise PortError(e.errno, f"open {TUN_PATH}: {e.strerror}") from None
        try:
            flags = IFF_TAP | IFF_NO_PI | (IFF_VNET_HDR if vnet_hdr else 0)
            try:
                got = fcntl.ioctl(fd, TUNSETIFF, _IFREQ.pack(raw, flags))
            except OSError as e:
                raise PortError(e.errno, f"TUNSETIFF {name}: {e.strerror}") from None
            real = _IFREQ.unpack(got)[0].rstrip(b"\0").decode()
            persistent = bool(_IFREQ.unpack(fcntl.ioctl(fd, TUNGETIFF, bytes(40)))[1]
                              & IFF_PERSIST)
            active = 0
            if vnet_hdr:
                fcntl.ioctl(fd, TUNSETVNETHDRSZ, struct.pack("i", VNET_HDR_LEN))
                if offloads:
                    active = _set_offloads(fd)
            else:
                fcntl.ioctl(fd, TUNSETOFFLOAD, 0)
            info = link_set(real, mtu=mtu, mac=mac, up=up or None)
        except BaseException:
            os.close(fd)
            raise
        return cls(fd, real, info.ifindex, info.mac, info.mtu, vnet_hdr, active, not persistent)

    def fileno(self) -> int:
        return self._fd

    def recv_batch(self, max_n: int = 64) -> Batch:
        out: Batch = []
        fd, bufs, mv = self._fd, self._bufs, self._frame_mv
        readv = os.readv
        if self.vnet_hdr:
            raw = self._hdr
            for _ in range(max_n):
                try:
                    n = readv(fd, bufs)
                except BlockingIOError:
                    break
                except OSError as e:
                    self._read_error(e)
                    break
                if n < VNET_HDR_LEN:
                    self.rx_dropped += 1
                    continue
                if raw == ZERO_HDR:
                    hdr = None
                elif raw == self._last_raw:
                    hdr = self._last_hdr
                else:
                    hdr = self._last_hdr = VnetHdr.from_bytes(raw)
                    self._last_raw = bytes(raw)
                out.append((hdr, bytes(mv[:n - VNET_HDR_LEN])))
        else:
            for _ in range(max_n):
                try:
                    n = readv(fd, bufs)
                except BlockingIOError:
                    break
                except OSError as e:
                    self._read_error(e)
                    break
                out.append((None, bytes(mv[:n])))
        return out

    def _read_error(self, e: OSError) -> None:
        if e.errno in (errno.EBADFD, errno.ENODEV, errno.ENXIO):
            raise PortGone(e.errno, f"tap {self.name}: device gone") from None
        raise PortError(e.errno, f"read tap {self.name}: {e.strerror}") from None

    def _send_vnet(self, hdr: bytes, frame: bytes) -> bool:
        return self._try_send(os.writev, self._fd, (hdr, frame))

    def _send_plain(self, frame: bytes) -> bool:
        return self._try_send(os.write, self._fd, frame)

    def _close(self) -> None:
        # A non-persistent TAP is deleted by the kernel when its last fd closes, in whatever
        # namespace it is by then; a persistent one (made by someone else) stays.
        os.close(self._fd)


def _set_offloads(fd: int) -> int:
    for bits in (OFFLOADS_ALL, OFFLOADS_TCP):
        try:
            fcntl.ioctl(fd, TUNSETOFFLOAD, bits)
            return bits
        except OSError as e:
            if e.errno != errno.EINVAL:
                raise
    return 0
