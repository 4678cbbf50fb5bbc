"""Port security as ``check_in_port_sec()``/``check_out_port_sec()`` evaluate it (ovn-trace's reading).

A port's ``port_security`` entries are ``MAC [IP[/plen]...]`` (entries without a valid MAC are
ignored).  No entries: anything passes.  Otherwise the first entry whose MAC is the packet's
source (ingress) or destination (egress) MAC decides; none: the packet fails.  Addresses are
compared exactly (a ``/plen`` does not widen them).

* ingress IPv4: the source is listed (an entry without addresses allows all), or it is a DHCP
  discover (0.0.0.0:68 -> 255.255.255.255:67);
* ingress ARP: ``arp.sha`` is the entry's MAC and ``arp.spa`` is listed (if any are);
* ingress IPv6: the source is listed or the MAC's link-local address; neighbour solicitations
  carry the MAC (or none) in ``nd.sll``, advertisements in ``nd.tll``, and advertise a listed
  target or the link-local address;
* egress IPv4/IPv6: the destination is listed (an IPv4 packet to an entry with only IPv6
  addresses fails, and the reverse), broadcast, multicast, or (IPv6) the link-local address;
  other protocols pass.

Each check returns why it failed (for ``--explain``) or None.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from functools import lru_cache

from pyovn.logical.flow import Flow

__all__ = ["in_port_sec", "out_port_sec", "parse_port_security"]

# One port_security entry: MAC, IPv4 addresses, IPv6 addresses.
PortSecurityEntry = tuple[int, list[int], list[int]]


def _mac(text: str) -> int:
    parts = text.split(":")
    if len(parts) != 6 or not all(1 <= len(p) <= 2 for p in parts):
        raise ValueError(text)
    return int("".join(p.zfill(2) for p in parts), 16)


def parse_port_security(entries: Sequence[str]) -> list[PortSecurityEntry]:
    """``MAC [IP...]`` entries -> (MAC, IPv4s, IPv6s); memoised (a port's entries are checked
    for every packet it sends or receives)."""
    return _parse(tuple(entries))


@lru_cache(maxsize=1 << 16)
def _parse(entries: tuple[str, ...]) -> list[PortSecurityEntry]:
    out: list[PortSecurityEntry] = []
    for e in entries:
        words = e.split()
        if not words:
            continue
        try:
            mac = _mac(words[0])
        except ValueError:
            continue
        v4: list[int] = []
        v6: list[int] = []
        for w in words[1:]:
            try:
                addr = ipaddress.ip_interface(w).ip
            except ValueError:
                continue
            (v4 if addr.version == 4 else v6).append(int(addr))
        out.append((mac, v4, v6))
    return out


def _g(flow: Flow, k: str) -> int:
    v = flow.get(k, 0)
    return v if isinstance(v, int) else 0


def _link_local(mac: int) -> int:
    b = mac.to_bytes(6, "big")
    eui = bytes([b[0] ^ 2, b[1], b[2], 0xFF, 0xFE, b[3], b[4], b[5]])
    return (0xFE80 << 112) | int.from_bytes(eui, "big")


def _in_ip4(flow: Flow, v4: list[int], v6: list[int]) -> bool:
    if not v4 and not v6:
        return True
    src = _g(flow, "ip4.src")
    if src in v4:
        return True
    return (_g(flow, "ip.proto") == 17 and _g(flow, "udp.src") == 68
            and _g(flow, "udp.dst") == 67 and src == 0 and _g(flow, "ip4.dst") == 0xFFFFFFFF)


def _in_arp(flow: Flow, mac: int, v4: list[int]) -> bool:
    if _g(flow, "arp.sha") != mac:
        return False
    return not v4 or _g(flow, "arp.spa") in v4


def _in_ip6(flow: Flow, mac: int, v4: list[int], v6: list[int]) -> bool:
    if not v4 and not v6:
        return True
    lla = _link_local(mac)
    src = _g(flow, "ip6.src")
    if src not in v6 and src != lla:
        return False
    if _g(flow, "ip.proto") == 58:
        t = _g(flow, "icmp6.type")
        if t == 135 and _g(flow, "nd.sll") not in (0, mac):
            return False
        if t == 136:
            if _g(flow, "nd.tll") not in (0, mac):
                return False
            target = _g(flow, "nd.target")
            if v6 and target not in v6 and target != lla:
                return False
    return True


def in_port_sec(entries: list[str], flow: Flow) -> str | None:
    parsed = parse_port_security(entries)
    if not parsed:
        return None
    src = _g(flow, "eth.src")
    for mac, v4, v6 in parsed:
        if mac != src:
            continue
        eth_type = _g(flow, "eth.type")
        if eth_type == 0x0800:
            ok = _in_ip4(flow, v4, v6)
        elif eth_type == 0x0806:
            ok = _in_arp(flow, mac, v4)
        elif eth_type == 0x86DD:
            ok = _in_ip6(flow, mac, v4, v6)
        else:
            ok = True
        return None if ok else "addresses do not match the port's port security"
    return f"eth.src {_fmt_mac(src)} is not allowed"


def _out_ip4(flow: Flow, v4: list[int], v6: list[int]) -> bool:
    if not v4 and not v6:
        return True
    if not v4:
        return False
    dst = _g(flow, "ip4.dst")
    return dst in v4 or dst == 0xFFFFFFFF or (dst >> 28) == 0xE


def _out_ip6(flow: Flow, mac: int, v4: list[int], v6: list[int]) -> bool:
    if not v4 and not v6:
        return True
    if not v6:
        return False
    dst = _g(flow, "ip6.dst")
    return dst in v6 or dst == _link_local(mac) or (dst >> 120) == 0xFF


def out_port_sec(entries: list[str], flow: Flow) -> str | None:
    parsed = parse_port_security(entries)
    if not parsed:
        return None
    dst = _g(flow, "eth.dst")
    for mac, v4, v6 in parsed:
        if mac != dst:
            continue
        eth_type = _g(flow, "eth.type")
        if eth_type == 0x0800:
            ok = _out_ip4(flow, v4, v6)
        elif eth_type == 0x86DD:
            ok = _out_ip6(flow, mac, v4, v6)
        else:
            ok = True
        return None if ok else "addresses do not match the port's port security"
    return f"eth.dst {_fmt_mac(dst)} is not allowed"


def _fmt_mac(v: int) -> str:
    h = f"{v:012x}"
    return ":".join(h[i : i + 2] for i in range(0, 12, 2))
