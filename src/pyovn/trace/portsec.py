"""Port security as ovn-controller enforces it for ``check_in_port_sec()``/``check_out_port_sec()``.

A port's ``port_security`` entries are ``MAC [IP[/plen]...]``.  No entries: anything passes.
Ingress: the source MAC must be one entry's MAC; when that entry lists addresses, an IPv4
source must be one of them (or 0.0.0.0 for a DHCP discover), ARP must carry the MAC and one of
the addresses, IPv6 sources must be listed, the MAC's link-local address or ``::``, and
neighbour discovery must carry the MAC.  Egress: the destination MAC must be one entry's MAC
(broadcast and multicast pass), and IP destinations must be listed (or broadcast/multicast).
Each check returns why it failed (for ``--explain``) or None.
"""

from __future__ import annotations

import ipaddress

from pyovn.logical.flow import Flow

__all__ = ["in_port_sec", "out_port_sec", "parse_port_security"]

Entry = tuple[int, list[ipaddress.IPv4Network | ipaddress.IPv6Network]]


def _mac(text: str) -> int:
    return int(text.replace(":", ""), 16)


def parse_port_security(entries: list[str]) -> list[Entry]:
    out: list[Entry] = []
    for e in entries:
        words = e.split()
        if not words:
            continue
        try:
            mac = _mac(words[0])
        except ValueError:
            continue
        nets = []
        for w in words[1:]:
            try:
                nets.append(ipaddress.ip_network(w, strict=False))
            except ValueError:
                continue
        out.append((mac, nets))
    return out


def _g(flow: Flow, k: str) -> int:
    v = flow.get(k, 0)
    return v if isinstance(v, int) else 0


def _link_local(mac: int) -> int:
    b = mac.to_bytes(6, "big")
    eui = bytes([b[0] ^ 2, b[1], b[2], 0xFF, 0xFE, b[3], b[4], b[5]])
    return (0xFE80 << 112) | int.from_bytes(eui, "big")


def _in(nets: list, ip: int, v6: bool) -> bool:
    addr = ipaddress.IPv6Address(ip) if v6 else ipaddress.IPv4Address(ip)
    return any(addr.version == n.version and addr in n for n in nets)


def in_port_sec(entries: list[str], flow: Flow) -> str | None:
    parsed = parse_port_security(entries)
    if not parsed:
        return None
    src = _g(flow, "eth.src")
    matching = [nets for mac, nets in parsed if mac == src]
    if not matching:
        return f"eth.src {_fmt_mac(src)} is not allowed"
    eth_type = _g(flow, "eth.type")
    for nets in matching:
        v4 = [n for n in nets if n.version == 4]
        v6 = [n for n in nets if n.version == 6]
        if eth_type == 0x0806:
            if _g(flow, "arp.sha") != src:
                continue
            if v4 and not _in(v4, _g(flow, "arp.spa"), False):
                continue
            return None
        if eth_type == 0x0800:
            if not v4:
                return None
            ip = _g(flow, "ip4.src")
            if _in(v4, ip, False):
                return None
            if ip == 0 and _g(flow, "ip4.dst") == 0xFFFFFFFF and _g(flow, "ip.proto") == 17 \
                    and _g(flow, "udp.src") == 68 and _g(flow, "udp.dst") == 67:
                return None
            continue
        if eth_type == 0x86DD:
            if _g(flow, "ip.proto") == 58 and _g(flow, "icmp6.type") in (135, 136):
                sll = _g(flow, "nd.sll") if _g(flow, "icmp6.type") == 135 else _g(flow, "nd.tll")
                if sll not in (0, src):
                    continue
                if _g(flow, "icmp6.type") == 136 and v6 and not _in(v6, _g(flow, "nd.target"), True):
                    continue
            if not v6:
                return None
            ip = _g(flow, "ip6.src")
            if ip == 0 or ip == _link_local(src) or _in(v6, ip, True):
                return None
            continue
        return None
    return "addresses do not match the port's port security"


def out_port_sec(entries: list[str], flow: Flow) -> str | None:
    parsed = parse_port_security(entries)
    if not parsed:
        return None
    dst = _g(flow, "eth.dst")
    if dst & (1 << 40):  # multicast / broadcast
        return None
    matching = [nets for mac, nets in parsed if mac == dst]
    if not matching:
        return f"eth.dst {_fmt_mac(dst)} is not allowed"
    eth_type = _g(flow, "eth.type")
    for nets in matching:
        v4 = [n for n in nets if n.version == 4]
        v6 = [n for n in nets if n.version == 6]
        if eth_type == 0x0800 and v4:
            ip = _g(flow, "ip4.dst")
            if _in(v4, ip, False) or ip == 0xFFFFFFFF or (ip >> 28) == 0xE:
                return None
            if any(ip == int(n.broadcast_address) for n in v4):
                return None
            continue
        if eth_type == 0x86DD and v6:
            ip = _g(flow, "ip6.dst")
            if _in(v6, ip, True) or (ip >> 120) == 0xFF or ip == _link_local(dst):
                return None
            continue
        return None
    return "addresses do not match the port's port security"


def _fmt_mac(v: int) -> str:
    h = f"{v:012x}"
    return ":".join(h[i : i + 2] for i in range(0, 12, 2))
