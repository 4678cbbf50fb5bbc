"""AF_PACKET ports: OVS "system" interfaces (an existing netdev) and rootless veth ports.

`PacketSocketPort.attach(ifname)`: a SOCK_RAW packet socket, created with protocol 0 (it sees
nothing until bound) and bound to the interface for every protocol, with
- PACKET_VNET_HDR: each frame comes and goes with a virtio_net_hdr, so a veth whose peer does
  TSO hands us the 64 KB super-frame and its partial checksum as they are, and takes them back;
- PACKET_AUXDATA: the kernel strips a VLAN tag from every received frame into the skb before
  packet sockets see it; the tag (TCI and TPID) comes back as ancillary data and is put back
  into the frame after the MAC addresses (and csum_start moved by 4 when the header has one);
- PACKET_IGNORE_OUTGOING: frames leaving the interface, ours included, are not read back
  (kernels before 4.20 lack it: such frames are then skipped by their packet type);
- promiscuous membership (dropped by the kernel when the socket closes);
- large socket buffers (SO_RCVBUFFORCE when allowed): a 64 KB frame costs its size in buffer.

`VethPort.create(name)`: a veth pair whose end `name` is the user's and whose other end is
attached as above; needs only CAP_NET_ADMIN in the current network namespace, so it works in an
unprivileged user namespace where /dev/net/tun cannot be opened.

Reads use `recvmsg_into` (one call per frame: Python has no recvmmsg) into preallocated
buffers, the vnet header scattered into its own; sends gather header and frame with `sendmsg`.
"""

from __future__ import annotations

import errno
import socket
import struct
import zlib

from pyovn.datapath.io_base import FRAME_BUF, Batch, Port
from pyovn.datapath.io_netlink import (
    PortError,
    PortGone,
    check_name,
    link_delete,
    link_info,
    link_set,
    set_tx_csum,
    veth_create,
)
from pyovn.datapath.io_vnet import F_NEEDS_CSUM, VNET_HDR_LEN, ZERO_HDR, VnetHdr

SOL_PACKET = 263
PACKET_ADD_MEMBERSHIP = 1
PACKET_MR_PROMISC = 1
PACKET_AUXDATA = 8
PACKET_VNET_HDR = 15
PACKET_IGNORE_OUTGOING = 23
PACKET_OUTGOING = 4
ETH_P_ALL = 0x0003

TP_STATUS_VLAN_VALID = 0x10
TP_STATUS_VLAN_TPID_VALID = 0x40

_AUXDATA = struct.Struct("=IIIHHHH")  # struct tpacket_auxdata
_ANC_SIZE = socket.CMSG_SPACE(_AUXDATA.size)
_MREQ = struct.Struct("=iHH8s")  # struct packet_mreq
_TAG = struct.Struct("!HH")

SO_SNDBUFFORCE = 32
SO_RCVBUFFORCE = 33
SOCKET_BUF = 8 << 20


class PacketSocketPort(Port):
    """A packet socket on an existing interface. `ignores_outgoing`: the kernel filters our own
    transmissions (else they are skipped after reading)."""

    kind = "system"
    ignores_outgoing: bool

    def __init__(self, sock: socket.socket, name: str, ifindex: int, mac: str, mtu: int,
                 vnet_hdr: bool, ignores_outgoing: bool) -> None:
        super().__init__(name, ifindex, mac, mtu, vnet_hdr)
        self._sock = sock
        self.ignores_outgoing = ignores_outgoing
        self._hdr = bytearray(VNET_HDR_LEN)
        self._frame = bytearray(FRAME_BUF)
        self._frame_mv = memoryview(self._frame)
        self._bufs = [self._hdr, self._frame] if vnet_hdr else [self._frame]
        self._last_raw = bytes(ZERO_HDR)
        self._last_hdr: VnetHdr | None = None
        self._bound_ifindex = ifindex

    @classmethod
    def attach(cls, ifname: str, *, vnet_hdr: bool = True, promisc: bool = True) -> PacketSocketPort:
        """Attaches to the interface `ifname` (which must exist in the current namespace).
        With `vnet_hdr` (and a kernel that has PACKET_VNET_HDR) frames carry offload headers;
        without, the device's senders should not use checksum offload or TSO (see
        io_netlink.set_tx_csum), or received frames may be super-frames or unchecksummed."""
        check_name(ifname)
        info = link_info(ifname)
        try:
            sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
        except OSError as e:
            raise PortError(e.errno, f"packet socket for {ifname}: {e.strerror}") from None
        try:
            sock.setblocking(False)
            if vnet_hdr:
                try:
                    sock.setsockopt(SOL_PACKET, PACKET_VNET_HDR, 1)
                except OSError:
                    vnet_hdr = False
            sock.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
            try:
                sock.setsockopt(SOL_PACKET, PACKET_IGNORE_OUTGOING, 1)
                ignores = True
            except OSError:
                ignores = False
            _grow_buffers(sock)
            try:
                sock.bind((ifname, ETH_P_ALL))
            except OSError as e:
                raise PortError(e.errno, f"bind packet socket to {ifname}: {e.strerror}") from None
            if promisc:
                mreq = _MREQ.pack(info.ifindex, PACKET_MR_PROMISC, 0, b"")
                sock.setsockopt(SOL_PACKET, PACKET_ADD_MEMBERSHIP, mreq)
        except BaseException:
            sock.close()
            raise
        return cls(sock, ifname, info.ifindex, info.mac, info.mtu, vnet_hdr, ignores)

    def fileno(self) -> int:
        return self._sock.fileno()

    def recv_batch(self, max_n: int = 64) -> Batch:
        out: Batch = []
        recv = self._sock.recvmsg_into
        bufs, mv, raw = self._bufs, self._frame_mv, self._hdr
        vnet = self.vnet_hdr
        skip_outgoing = not self.ignores_outgoing
        for _ in range(max_n):
            try:
                n, anc, flags, addr = recv(bufs, _ANC_SIZE)
            except BlockingIOError:
                break
            except OSError as e:
                self._read_error(e)
                break
            if flags & socket.MSG_TRUNC:
                self.rx_dropped += 1
                continue
            if skip_outgoing and addr[2] == PACKET_OUTGOING:
                continue
            hdr: VnetHdr | None = None
            if vnet:
                n -= VNET_HDR_LEN
                if raw == ZERO_HDR:
                    pass
                elif raw == self._last_raw:
                    hdr = self._last_hdr
                else:
                    hdr = self._last_hdr = VnetHdr.from_bytes(raw)
                    self._last_raw = bytes(raw)
            frame = None
            for _level, kind, data in anc:
                if kind == PACKET_AUXDATA:
                    status, _len, _snap, _mac, _net, tci, tpid = _AUXDATA.unpack(data)
                    if status & TP_STATUS_VLAN_VALID:
                        if not status & TP_STATUS_VLAN_TPID_VALID:
                            tpid = 0x8100
                        frame = b"".join((mv[:12], _TAG.pack(tpid, tci), mv[12:n]))
                        if hdr is not None and (hdr.flags & F_NEEDS_CSUM or hdr.hdr_len):
                            hdr = hdr.shifted(4)
            out.append((hdr, bytes(mv[:n]) if frame is None else frame))
        return out

    def _read_error(self, e: OSError) -> None:
        # ENETDOWN is reported once when the device goes down (it may come back up) and once
        # when it is unregistered; only the second is the end of the port.
        if e.errno in (errno.ENETDOWN, errno.ENODEV, errno.ENXIO):
            try:
                socket.if_indextoname(self._bound_ifindex)
            except OSError:
                raise PortGone(e.errno, f"{self.kind} port {self.name}: device gone") from None
            return
        raise PortError(e.errno, f"read {self.kind} port {self.name}: {e.strerror}") from None

    def _send_vnet(self, hdr: bytes, frame: bytes) -> bool:
        return self._try_send(self._sock.sendmsg, (hdr, frame))

    def _send_plain(self, frame: bytes) -> bool:
        return self._try_send(self._sock.send, frame)

    def _close(self) -> None:
        self._sock.close()


class VethPort(PacketSocketPort):
    """A veth pair: `name` is the user's end (its ifindex, MAC and MTU are the port's), `peer`
    ours, attached with a packet socket. `close()` deletes the pair, wherever the user's end
    went."""

    kind = "veth"
    peer: str

    @classmethod
    def create(cls, name: str, *, peer_name: str | None = None, vnet_hdr: bool = True,
               mtu: int | None = None, mac: str | None = None, up: bool = True) -> VethPort:
        """Creates the pair (`peer_name` defaults to `veth_peer_name(name)`), sets MTU (both
        ends) and MAC (the user's end) when given, brings ours up (the user's end too unless
        `up` is false) and attaches to ours. Without
        `vnet_hdr`, the user's end gets checksum offload (and with it TSO) turned off so its
        stack sends finished frames."""
        peer = peer_name or veth_peer_name(name)
        veth_create(name, peer)
        try:
            user = link_set(name, mtu=mtu, mac=mac, up=up or None)
            link_set(peer, mtu=mtu, up=True)
            port = super().attach(peer, vnet_hdr=vnet_hdr)
            if not port.vnet_hdr:
                set_tx_csum(name, False)
        except BaseException:
            link_delete(peer)
            raise
        port.name, port.ifindex, port.mac, port.mtu = name, user.ifindex, user.mac, user.mtu
        port.peer = peer
        return port  # type: ignore[return-value]

    def _close(self) -> None:
        self._sock.close()
        link_delete(self.peer)


def veth_peer_name(name: str) -> str:
    """Our end's default name: the start of `name` and a hash of all of it (at most 14 bytes),
    e.g. "vm1_1b2c3d"."""
    return f"{name[:7]}_{zlib.crc32(name.encode()) & 0xFFFFFF:06x}"


def _grow_buffers(sock: socket.socket) -> None:
    for force, plain in ((SO_RCVBUFFORCE, socket.SO_RCVBUF), (SO_SNDBUFFORCE, socket.SO_SNDBUF)):
        try:
            sock.setsockopt(socket.SOL_SOCKET, force, SOCKET_BUF)
        except OSError:
            sock.setsockopt(socket.SOL_SOCKET, plain, SOCKET_BUF)
