"""Link configuration for the datapath's ports: rtnetlink through pyroute2, one ethtool ioctl.

Each call opens its own rtnetlink socket (about 1 ms), so it acts in the network namespace of
the calling thread at that moment; ports are created rarely, so nothing is kept open. Errors
come back as `PortError` naming the link and what was asked.

pyroute2's synchronous API drives an asyncio loop of its own, which cannot run in a thread
whose loop is already running (the controller's): called from there, the work goes to a
short-lived thread (it inherits the caller's namespace) and the caller waits for it. pyroute2
is imported on first use (it takes ~0.2 s), so importing the ports costs nothing until one is
made.
"""

from __future__ import annotations

import asyncio
import ctypes
import errno
import fcntl
import socket
import struct
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple, TypeVar

if TYPE_CHECKING:
    from pyroute2 import IPRoute
    from pyroute2.netlink.exceptions import NetlinkError

IFNAMSIZ = 16
SIOCETHTOOL = 0x8946
ETHTOOL_GTXCSUM = 0x16
ETHTOOL_STXCSUM = 0x17
ETHTOOL_GTSO = 0x1E


class PortError(OSError):
    """A port could not be created, configured or used; carries the errno and the link's name."""


class PortGone(PortError):
    """The port's device no longer exists (deleted, or its namespace was); close the port."""


T = TypeVar("T")


def _off_loop(fn: Callable[[], T]) -> T:
    """fn(), on another thread if this one runs an asyncio loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return fn()
    box: list[T] = []
    err: list[BaseException] = []

    def run() -> None:
        try:
            box.append(fn())
        except BaseException as e:  # handed to the caller
            err.append(e)

    t = threading.Thread(target=run, name="pyovn-netlink")
    t.start()
    t.join()
    if err:
        raise err[0]
    return box[0]


class LinkInfo(NamedTuple):
    ifindex: int
    mac: str
    mtu: int


def check_name(name: str) -> bytes:
    """`name` as the kernel takes it (at most 15 bytes, no '/', ':' or whitespace)."""
    raw = name.encode()
    if not raw or len(raw) >= IFNAMSIZ or any(c in name for c in "/: \t\n") or name in (".", ".."):
        raise PortError(errno.EINVAL, f"invalid interface name {name!r}")
    return raw


def _error(e: NetlinkError, what: str, name: str) -> PortError:
    return PortError(e.code, f"{what} {name}: {e.args[1] if len(e.args) > 1 else e}")


def _index(ipr: IPRoute, name: str) -> int:
    found = ipr.link_lookup(ifname=name)
    if not found:
        raise PortError(errno.ENODEV, f"no interface {name}")
    return int(found[0])


def _link_set(name: str, *, up: bool | None = None, mtu: int | None = None,
             mac: str | None = None) -> LinkInfo:
    from pyroute2 import IPRoute
    from pyroute2.netlink.exceptions import NetlinkError

    with IPRoute() as ipr:
        try:
            index = _index(ipr, name)
            changes: dict[str, object] = {}
            if mtu is not None:
                changes["mtu"] = mtu
            if mac is not None:
                changes["address"] = mac
            if changes:
                ipr.link("set", index=index, **changes)
            if up is not None:
                ipr.link("set", index=index, state="up" if up else "down")
            msg = ipr.link("get", index=index)[0]
        except NetlinkError as e:
            raise _error(e, "configure", name) from None
    return LinkInfo(msg["index"], msg.get("IFLA_ADDRESS") or "", msg.get("IFLA_MTU") or 0)


def _veth_create(name: str, peer: str) -> None:
    from pyroute2 import IPRoute
    from pyroute2.netlink.exceptions import NetlinkError

    with IPRoute() as ipr:
        try:
            ipr.link("add", ifname=name, kind="veth", peer={"ifname": peer})
        except NetlinkError as e:
            raise _error(e, "create veth", f"{name}/{peer}") from None


def _link_delete(name: str) -> bool:
    from pyroute2 import IPRoute
    from pyroute2.netlink.exceptions import NetlinkError

    with IPRoute() as ipr:
        found = ipr.link_lookup(ifname=name)
        if not found:
            return False
        try:
            ipr.link("del", index=found[0])
        except NetlinkError as e:
            if e.code == errno.ENODEV:
                return False
            raise _error(e, "delete", name) from None
    return True


def _ethtool(name: str, cmd: int, data: int = 0) -> int:
    value = ctypes.create_string_buffer(struct.pack("=II", cmd, data), 8)
    ifr = struct.pack(f"@{IFNAMSIZ}sP", check_name(name), ctypes.addressof(value))
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            fcntl.ioctl(s, SIOCETHTOOL, ifr.ljust(40, b"\0"))
        except OSError as e:
            raise PortError(e.errno, f"ethtool {cmd:#x} on {name}: {e.strerror}") from None
    return int(struct.unpack("=II", value.raw)[1])


def tx_csum(name: str) -> bool:
    """Whether `name` leaves checksums to the device (and may therefore also do TSO)."""
    return bool(_ethtool(name, ETHTOOL_GTXCSUM))


def tso(name: str) -> bool:
    return bool(_ethtool(name, ETHTOOL_GTSO))


def set_tx_csum(name: str, on: bool) -> None:
    """Turns transmit checksum offload of `name` on or off; off also turns TSO off (the kernel
    drops features that depend on it), so the stack sends finished MTU-sized frames."""
    _ethtool(name, ETHTOOL_STXCSUM, int(on))


# netdevice(7) ioctls: what a port's creation needs (flags, MTU, MAC, index) in a few
# microseconds, where a netlink socket on a thread (pyroute2's sync API cannot run inside the
# event loop) costs milliseconds per port.
SIOCGIFFLAGS, SIOCSIFFLAGS = 0x8913, 0x8914
SIOCGIFMTU, SIOCSIFMTU = 0x8921, 0x8922
SIOCGIFHWADDR, SIOCSIFHWADDR = 0x8927, 0x8924
SIOCGIFINDEX = 0x8933
IFF_UP = 0x1
ARPHRD_ETHER = 1


def _ifreq(name: bytes, data: bytes = b"") -> bytes:
    return struct.pack(f"{IFNAMSIZ}s", name) + data.ljust(24, b"\0")


def _ioctl(s: socket.socket, req: int, name: bytes, data: bytes = b"") -> bytes:
    return fcntl.ioctl(s, req, _ifreq(name, data))[IFNAMSIZ:]


def _ioctl_info(s: socket.socket, raw: bytes) -> LinkInfo:
    index = struct.unpack_from("i", _ioctl(s, SIOCGIFINDEX, raw))[0]
    mtu = struct.unpack_from("i", _ioctl(s, SIOCGIFMTU, raw))[0]
    hw = _ioctl(s, SIOCGIFHWADDR, raw)[2:8]
    return LinkInfo(index, ":".join(f"{b:02x}" for b in hw), mtu)


def _ioctl_set(name: str, *, up: bool | None, mtu: int | None, mac: str | None) -> LinkInfo:
    raw = check_name(name)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            if mtu is not None:
                _ioctl(s, SIOCSIFMTU, raw, struct.pack("i", mtu))
            if mac is not None:
                hw = bytes(int(x, 16) for x in mac.split(":"))
                _ioctl(s, SIOCSIFHWADDR, raw, struct.pack("H", ARPHRD_ETHER) + hw)
            if up is not None:
                flags = struct.unpack_from("H", _ioctl(s, SIOCGIFFLAGS, raw))[0]
                flags = flags | IFF_UP if up else flags & ~IFF_UP
                _ioctl(s, SIOCSIFFLAGS, raw, struct.pack("H", flags))
            return _ioctl_info(s, raw)
        except OSError as e:
            if e.errno == errno.ENODEV:
                raise PortGone(e.errno, f"no interface {name}") from None
            raise PortError(e.errno, f"configure {name}: {e.strerror}") from None


def link_info(name: str) -> LinkInfo:
    """ifindex, MAC ("aa:bb:..") and MTU of the link `name`."""
    return link_set(name)


def link_set(name: str, *, up: bool | None = None, mtu: int | None = None,
             mac: str | None = None) -> LinkInfo:
    """Sets what is given on the link `name` (MTU and MAC before bringing it up); returns the
    link's state afterwards.  Through netdevice(7) ioctls; rtnetlink (pyroute2) when those are
    refused for another reason than a missing device."""
    try:
        return _ioctl_set(name, up=up, mtu=mtu, mac=mac)
    except PortGone:
        raise
    except PortError:
        return _off_loop(lambda: _link_set(name, up=up, mtu=mtu, mac=mac))


def veth_create(name: str, peer: str) -> None:
    """A veth pair `name` <-> `peer` in the current namespace."""
    check_name(name)
    check_name(peer)
    _off_loop(lambda: _veth_create(name, peer))


def link_delete(name: str) -> bool:
    """Deletes the link `name`; False if there was none."""
    return _off_loop(lambda: _link_delete(name))
