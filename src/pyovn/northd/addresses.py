"""Addresses as OVN's Northbound writes them: port ``addresses``, router ``networks``.

``parse_lsp_address("50:54:00:00:00:01 192.168.0.11 fd00::11")`` -> :class:`LportAddresses`
with the MAC and each IPv4/IPv6 address with its prefix length, network and (IPv4) broadcast,
as OVN's extract_lsp_addresses / extract_lrp_networks give them; ``None`` for something that is
not "MAC [IP...]" (the keywords ``unknown``, ``router``, ``dynamic`` are the caller's business).
The formatting helpers write addresses the way northd's flows print them.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field

__all__ = [
    "Ipv4Addr",
    "Ipv6Addr",
    "LportAddresses",
    "eth_addr_to_ipv6_lla",
    "in6_solicited_node",
    "is_mac",
    "parse_lrp_networks",
    "parse_lsp_address",
    "scans_as_lsp_address",
]


@dataclass(frozen=True, slots=True)
class Ipv4Addr:
    addr: str  # "192.168.0.11"
    plen: int
    network: str  # "192.168.0.0"
    bcast: str  # "192.168.0.255"

    @property
    def net_str(self) -> str:
        return f"{self.network}/{self.plen}"


@dataclass(frozen=True, slots=True)
class Ipv6Addr:
    addr: str  # compressed form, "fd00::11"
    plen: int
    network: str
    sn_addr: str  # solicited-node multicast address

    @property
    def net_str(self) -> str:
        return f"{self.network}/{self.plen}"

    @property
    def is_lla(self) -> bool:
        return ipaddress.IPv6Address(self.addr).is_link_local


@dataclass(frozen=True, slots=True)
class LportAddresses:
    mac: str  # lowercase "50:54:00:00:00:01"
    ipv4: tuple[Ipv4Addr, ...] = field(default=())
    ipv6: tuple[Ipv6Addr, ...] = field(default=())

    @property
    def ips(self) -> tuple[str, ...]:
        return tuple(a.addr for a in self.ipv4) + tuple(a.addr for a in self.ipv6)


def is_mac(s: str) -> bool:
    parts = s.split(":")
    if len(parts) != 6:
        return False
    try:
        return all(len(p) <= 2 and 0 <= int(p, 16) <= 255 for p in parts)
    except ValueError:
        return False


# One "%hhx" of OVS's ovs_scan: blanks, a sign, "0x" (then digits needed), hex digits (any
# number of them: the value wraps).
_SCAN_HEX = r"[ \t\n\v\f\r]*[+-]?(?:0[xX][0-9a-fA-F]+|(?!0[xX])[0-9a-fA-F]+)"
_SCAN_ETH = re.compile(":".join([_SCAN_HEX] * 6))


def scans_as_lsp_address(s: str) -> bool:
    """Whether OVN's ``extract_lsp_addresses`` accepts ``s``: it only needs a MAC at the start
    (``ovs_scan`` of ETH_ADDR_SCAN_FMT, itself lenient); the addresses after it are read up to
    the first that does not parse and the rest is ignored (logged at INFO).  So
    ``"00:00:00:00:00:01 10.0.0.1 junk"`` and ``"00:00:00:00:00:01junk"`` pass."""
    return _SCAN_ETH.match(s) is not None


def normalize_mac(s: str) -> str:
    """A MAC that ``is_mac`` accepted, in canonical text: two lower-case digits per byte."""
    return ":".join(f"{int(p, 16):02x}" for p in s.split(":"))


def in6_solicited_node(addr: ipaddress.IPv6Address) -> str:
    low = int(addr) & 0xFFFFFF
    return str(ipaddress.IPv6Address((0xFF02_0000_0000_0000_0000_0001_FF00_0000) | low))


def eth_addr_to_ipv6_lla(mac: str) -> str:
    """The EUI-64 link-local address of a MAC (fe80::...)."""
    b = [int(p, 16) for p in mac.split(":")]
    eui = bytes([b[0] ^ 0x02, b[1], b[2], 0xFF, 0xFE, b[3], b[4], b[5]])
    return str(ipaddress.IPv6Address(b"\xfe\x80" + bytes(6) + eui))


def _v4(addr: str, plen: int) -> Ipv4Addr:
    net = ipaddress.IPv4Network(f"{addr}/{plen}", strict=False)
    return Ipv4Addr(addr, plen, str(net.network_address), str(net.broadcast_address))


def _v6(addr: str, plen: int) -> Ipv6Addr:
    a = ipaddress.IPv6Address(addr)
    net = ipaddress.IPv6Network(f"{a}/{plen}", strict=False)
    return Ipv6Addr(str(a), plen, str(net.network_address), in6_solicited_node(a))


def _ip(token: str, default_plen: bool) -> Ipv4Addr | Ipv6Addr | None:
    addr, _, plen_s = token.partition("/")
    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        return None
    if plen_s:
        try:
            plen = int(plen_s)
        except ValueError:
            return None
    else:
        if not default_plen:
            return None
        plen = 32 if ip.version == 4 else 128
    if ip.version == 4:
        return _v4(str(ip), plen) if 0 <= plen <= 32 else None
    return _v6(str(ip), plen) if 0 <= plen <= 128 else None


def _split(v4: list[Ipv4Addr | Ipv6Addr]) -> tuple[tuple[Ipv4Addr, ...], tuple[Ipv6Addr, ...]]:
    return (
        tuple(a for a in v4 if isinstance(a, Ipv4Addr)),
        tuple(a for a in v4 if isinstance(a, Ipv6Addr)),
    )


def parse_lsp_address(s: str) -> LportAddresses | None:
    """ "MAC [IP[/PLEN]...]" as in Logical_Switch_Port.addresses; None if malformed."""
    tokens = s.split()
    if not tokens or not is_mac(tokens[0]):
        return None
    ips: list[Ipv4Addr | Ipv6Addr] = []
    for t in tokens[1:]:
        a = _ip(t, default_plen=True)
        if a is None:
            return None
        ips.append(a)
    v4, v6 = _split(ips)
    return LportAddresses(normalize_mac(tokens[0]), v4, v6)


def parse_lrp_networks(mac: str, networks: list[str]) -> LportAddresses | None:
    """A router port's MAC and networks ("10.0.0.1/24"); None if the MAC is malformed.

    Malformed networks are skipped, as northd does (with a warning).  The IPv6 link-local
    address derived from the MAC is added last among the IPv6 networks, as OVN does.
    """
    if not is_mac(mac):
        return None
    ips: list[Ipv4Addr | Ipv6Addr] = []
    for n in networks:
        a = _ip(n, default_plen=False)
        if a is not None:
            ips.append(a)
    v4, v6 = _split(ips)
    m = normalize_mac(mac)
    lla = _v6(eth_addr_to_ipv6_lla(m), 64)
    if not any(a.addr == lla.addr for a in v6):
        v6 = (*v6, lla)
    return LportAddresses(m, v4, v6)
