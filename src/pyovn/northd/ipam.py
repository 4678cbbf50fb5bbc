"""IPAM and tag allocation: what northd writes back into the Northbound's switch ports.

:func:`nb_port_updates` is a pure function of the NB replica (table name -> rows): it returns,
per Logical_Switch_Port uuid, the columns to change (``dynamic_addresses``: a string or None to
clear it; ``tag``: an int).  The daemon transacts them; the change comes back as NB events and
the engine takes it from there (Port_Binding ``tag``, port group address sets, flows).

Dynamic addresses (ovn-nb(5) Logical_Switch "IP Address Assignment", as ovn-northd 23.03 does it):

* IPAM is on for a switch with ``other_config:subnet`` (IPv4), ``ipv6_prefix`` or
  ``mac_only=true``; elsewhere ``dynamic_addresses`` is cleared.
* First everything in use is recorded: static addresses of every switch port, current dynamic
  addresses, the IPs of router ports attached to the switch.  In a subnet, the first host
  address (the gateway, .1 in a /24) and the broadcast address are never given, nor
  ``exclude_ips`` (addresses and ``A..B`` ranges).
* Then each port with a ``dynamic`` address (``dynamic``, ``MAC dynamic``, ``dynamic IP [IP6]``)
  keeps what it has when still valid, and otherwise gets: the lowest free IPv4 of the subnet; a
  MAC made of NB_Global ``options:mac_prefix`` and 24 bits starting at the IPv4's low 24 bits + 1,
  skipping MACs in use; an IPv6 address, EUI-64 of the MAC in ``ipv6_prefix``.  Switches go in
  the order of ovn-northd's map of datapaths (:func:`switch_order`), ports in NB order.

Tags: a port with ``parent_name`` and ``tag_request=0`` gets the lowest tag (1..4095) not yet
used under that parent; any other ``tag_request`` is copied into ``tag``.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pyovn.logical.flow import format_mac
from pyovn.northd.idlorder import datapaths_order

__all__ = ["eui64", "nb_port_updates", "parse_dynamic", "parse_exclude_ips"]

MAC_SPACE = 0xFFFFFF  # the 24 bits after the prefix
MAX_TAG = 4095


def switch_order(nb: Mapping[str, Any]) -> list[Any]:
    """The switches in the order ovn-northd's IPAM walks them: its map of datapaths, routers
    included (:func:`pyovn.northd.idlorder.datapaths_order`); a disabled router is not there."""
    routers = _rows(nb, "Logical_Router")  # the disabled ones too (datapaths_order)
    switches = _rows(nb, "Logical_Switch")
    ids = {s.uuid for s in switches}
    return [d for d in datapaths_order(switches, routers) if d.uuid in ids]


def _mac_int(s: str) -> int | None:
    parts = s.split(":")
    if len(parts) != 6:
        return None
    try:
        b = [int(p, 16) for p in parts]
    except ValueError:
        return None
    if any(not 0 <= x <= 255 for x in b):
        return None
    v = 0
    for x in b:
        v = v << 8 | x
    return v


def mac_prefix_int(prefix: str | None) -> int:
    """NB_Global options:mac_prefix ("0a:58:a8") as the high 24 bits of a MAC."""
    if not prefix:
        return 0
    v = _mac_int(prefix + ":00:00:00")
    return v & ~MAC_SPACE if v is not None else 0


def eui64(mac: int, prefix: ipaddress.IPv6Address) -> ipaddress.IPv6Address:
    """The EUI-64 address of ``mac`` in the /64 ``prefix``."""
    b = mac.to_bytes(6, "big")
    iid = bytes([b[0] ^ 0x02, b[1], b[2], 0xFF, 0xFE, b[3], b[4], b[5]])
    return ipaddress.IPv6Address(prefix.packed[:8] + iid)


# --- parsing ----------------------------------------------------------------------------------


@dataclass
class Dynamic:
    """A "dynamic" entry of Logical_Switch_Port.addresses: what is fixed in it."""

    mac: int | None = None
    ip4: ipaddress.IPv4Address | None = None
    ip6: ipaddress.IPv6Address | None = None


def parse_dynamic(entry: str) -> Dynamic | None:
    """``dynamic``, ``MAC dynamic`` or ``dynamic IP [IP6]``; None for anything else."""
    tokens = entry.split()
    if tokens == ["dynamic"]:
        return Dynamic()
    if len(tokens) == 2 and tokens[1] == "dynamic":
        mac = _mac_int(tokens[0])
        return Dynamic(mac=mac) if mac is not None else None
    if tokens and tokens[0] == "dynamic" and 2 <= len(tokens) <= 3:
        d = Dynamic()
        for t in tokens[1:]:
            try:
                ip = ipaddress.ip_address(t)
            except ValueError:
                return None
            if ip.version == 4 and d.ip4 is None:
                d.ip4 = ip  # type: ignore[assignment]
            elif ip.version == 6 and d.ip6 is None:
                d.ip6 = ip  # type: ignore[assignment]
            else:
                return None
        return d
    return None


@dataclass
class Current:
    """Parsed ``dynamic_addresses``: MAC, IPv4 and IPv6 (each optional)."""

    mac: int | None = None
    ip4: ipaddress.IPv4Address | None = None
    ip6: ipaddress.IPv6Address | None = None


def _parse_current(s: str | None) -> Current | None:
    if not s:
        return None
    tokens = s.split()
    mac = _mac_int(tokens[0]) if tokens else None
    if mac is None:
        return None
    cur = Current(mac=mac)
    for t in tokens[1:]:
        try:
            ip = ipaddress.ip_address(t.split("/")[0])
        except ValueError:
            return None
        if ip.version == 4 and cur.ip4 is None:
            cur.ip4 = ip  # type: ignore[assignment]
        elif ip.version == 6 and cur.ip6 is None:
            cur.ip6 = ip  # type: ignore[assignment]
    return cur


def _static_addresses(entry: str) -> tuple[int | None, list[ipaddress.IPv4Address]]:
    """The MAC and IPv4 addresses of a static "MAC IP..." entry (None, [] if not one)."""
    tokens = entry.split()
    mac = _mac_int(tokens[0]) if tokens else None
    if mac is None:
        return None, []
    ips: list[ipaddress.IPv4Address] = []
    for t in tokens[1:]:
        try:
            ip = ipaddress.ip_interface(t).ip
        except ValueError:
            return None, []
        if ip.version == 4:
            ips.append(ip)  # type: ignore[arg-type]
    return mac, ips


def parse_exclude_ips(s: str) -> list[tuple[int, int]]:
    """``exclude_ips`` ("A B..C ...") as inclusive integer ranges; stops at a malformed token."""
    out: list[tuple[int, int]] = []
    for tok in s.split():
        lo_s, sep, hi_s = tok.partition("..")
        try:
            lo = int(ipaddress.IPv4Address(lo_s))
            hi = int(ipaddress.IPv4Address(hi_s)) if sep else lo
        except ValueError:
            break
        if hi < lo:
            break
        out.append((lo, hi))
    return out


# --- per-switch state -------------------------------------------------------------------------


@dataclass
class SwitchIpam:
    start: int = 0  # first host address (network + 1)
    total: int = 0  # addresses from start (broadcast included)
    used: set[int] = field(default_factory=set)  # offsets from start
    ipv6_prefix: ipaddress.IPv6Address | None = None
    mac_only: bool = False

    @property
    def has_ipv4(self) -> bool:
        return self.total > 0

    @property
    def enabled(self) -> bool:
        return self.has_ipv4 or self.ipv6_prefix is not None or self.mac_only

    def in_range(self, ip: int) -> bool:
        return self.start <= ip < self.start + self.total

    def mark(self, ip: int) -> None:
        if self.in_range(ip):
            self.used.add(ip - self.start)

    def allocate(self) -> int | None:
        for off in range(self.total):
            if off not in self.used:
                self.used.add(off)
                return self.start + off
        return None


def _switch_ipam(ls: Any) -> SwitchIpam:
    oc = ls.other_config
    info = SwitchIpam()
    prefix = oc.get("ipv6_prefix")
    if prefix:
        p, _, plen = prefix.partition("/")
        try:
            addr = ipaddress.IPv6Address(p)
            if not plen or plen == "64":
                info.ipv6_prefix = addr
        except ValueError:
            pass
    info.mac_only = oc.get("mac_only", "").lower() == "true"
    subnet = oc.get("subnet")
    if subnet:
        try:
            net = ipaddress.IPv4Network(subnet, strict=False)
        except ValueError:
            net = None
        if net is not None and net.prefixlen < 32 and int(net.netmask) != 0:
            info.start = int(net.network_address) + 1
            info.total = int(net.hostmask)
            info.used.add(0)  # the first host address: the router's
            info.used.add(info.total - 1)  # the broadcast address
            for lo, hi in parse_exclude_ips(oc.get("exclude_ips", "")):
                for ip in range(max(lo, info.start), min(hi, info.start + info.total - 1) + 1):
                    info.mark(ip)
    return info


# --- the allocation ---------------------------------------------------------------------------


def _opt(v: Any) -> Any:
    return v[0] if isinstance(v, list) and v else (None if isinstance(v, list) else v)


def nb_port_updates(nb: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Per Logical_Switch_Port uuid, the NB columns northd would change (module docstring)."""
    updates: dict[str, dict[str, Any]] = {}
    _dynamic_addresses(nb, updates)
    _tags(nb, updates)
    return updates


def _rows(nb: Mapping[str, Any], table: str) -> list[Any]:
    t = nb.get(table)
    return list(t) if t is not None else []


def _dynamic_addresses(nb: Mapping[str, Any], updates: dict[str, dict[str, Any]]) -> None:
    globals_ = _rows(nb, "NB_Global")
    prefix = mac_prefix_int(globals_[0].options.get("mac_prefix") if globals_ else None)
    lsps = nb["Logical_Switch_Port"]
    lrps = nb.get("Logical_Router_Port")
    lrp_by_name = {r.name: r for r in lrps} if lrps is not None else {}
    switches = switch_order(nb)
    macs: set[int] = set()  # MACs in use that carry our prefix (the only ones IPAM tracks)

    def use_mac(m: int | None) -> None:
        if m is not None and (m ^ prefix) >> 24 == 0:
            macs.add(m)

    infos: dict[str, SwitchIpam] = {}
    ports: dict[str, list[Any]] = {}
    # 1. Everything in use, on every switch.
    for ls in switches:
        info = infos[ls.uuid] = _switch_ipam(ls)
        plist = [p for p in (lsps.get(u) for u in sorted(ls.ports)) if p is not None]
        ports[ls.uuid] = plist
        for p in plist:
            if p.type == "router":
                lrp = lrp_by_name.get(p.options.get("router-port", ""))
                if lrp is not None:
                    use_mac(_mac_int(lrp.mac))
                    for n in lrp.networks:
                        try:
                            ip = ipaddress.ip_interface(n).ip
                        except ValueError:
                            continue
                        if ip.version == 4:
                            info.mark(int(ip))
                continue
            for a in sorted(p.addresses):
                if parse_dynamic(a) is not None:
                    cur = _parse_current(_opt(p.dynamic_addresses))
                    if cur is not None:
                        use_mac(cur.mac)
                        if cur.ip4 is not None:
                            info.mark(int(cur.ip4))
                    continue
                mac, ips = _static_addresses(a)
                use_mac(mac)
                for ip in ips:
                    info.mark(int(ip))
    # 2. What each dynamic port keeps or needs, in OVN's order; 3. the new addresses.
    pending: list[tuple[Any, SwitchIpam, Dynamic, Current | None]] = []
    for ls in switches:
        info = infos[ls.uuid]
        for p in ports[ls.uuid]:
            cur_s = _opt(p.dynamic_addresses)
            if not info.enabled:
                if cur_s is not None:
                    updates.setdefault(p.uuid, {})["dynamic_addresses"] = None
                continue
            if p.type == "router" and p.options.get("router-port") in lrp_by_name:
                continue  # a port with a peer gets no dynamic address
            dyn = None
            for a in sorted(p.addresses):
                dyn = parse_dynamic(a)
                if dyn is not None:
                    break
            if dyn is None:
                if cur_s is not None:
                    updates.setdefault(p.uuid, {})["dynamic_addresses"] = None
                continue
            pending.append((p, info, dyn, _parse_current(cur_s)))
    for p, info, dyn, cur in pending:
        new = _assign(info, dyn, cur, prefix, macs)
        if new is not None and new != _opt(p.dynamic_addresses):
            updates.setdefault(p.uuid, {})["dynamic_addresses"] = new


def _assign(info: SwitchIpam, dyn: Dynamic, cur: Current | None, prefix: int,
            macs: set[int]) -> str | None:
    """The port's dynamic_addresses after this run (None: leave it as it is)."""
    cur = cur or Current()
    # MAC
    if dyn.mac is not None:
        mac_new = dyn.mac if cur.mac != dyn.mac else None
        mac_dynamic = False
    elif cur.mac is None or (cur.mac ^ prefix) >> 24:
        mac_new, mac_dynamic = None, True
    else:
        mac_new, mac_dynamic = None, False
    mac_changes = mac_dynamic or mac_new is not None
    # IPv4
    ip4: int | None
    ip4_changes = False
    if not info.has_ipv4:
        ip4 = None
        ip4_changes = cur.ip4 is not None
    elif dyn.ip4 is not None:
        ip4 = int(dyn.ip4)
        ip4_changes = cur.ip4 is None or int(cur.ip4) != ip4
    elif cur.ip4 is not None and info.in_range(int(cur.ip4)):
        ip4 = int(cur.ip4)
    else:
        ip4 = None
        ip4_changes = True
    # IPv6
    ip6_changes = False
    if info.ipv6_prefix is None:
        ip6_changes = cur.ip6 is not None
    elif dyn.ip6 is not None:
        ip6_changes = cur.ip6 != dyn.ip6
    elif mac_changes or cur.ip6 is None:
        ip6_changes = True  # (an address outside the prefix is kept, as OVN keeps it)
    if not (mac_changes or ip4_changes or ip6_changes):
        return None
    # New values, IPv4 first: a dynamic MAC derives from it.
    if ip4_changes and info.has_ipv4:
        if dyn.ip4 is not None:
            ip4 = int(dyn.ip4)
            info.mark(ip4)
        else:
            ip4 = info.allocate()
    if mac_dynamic:
        mac = _unused_mac(prefix, (ip4 or 0) & MAC_SPACE, macs)
    else:
        mac = mac_new if mac_new is not None else cur.mac
    assert mac is not None
    if (mac ^ prefix) >> 24 == 0:
        macs.add(mac)
    out = [format_mac(mac)]
    if ip4 is not None and info.has_ipv4:
        out.append(str(ipaddress.IPv4Address(ip4)))
    if info.ipv6_prefix is not None:
        ip6 = dyn.ip6 if dyn.ip6 is not None else eui64(mac, info.ipv6_prefix)
        out.append(str(ip6))
    return " ".join(out)


def _unused_mac(prefix: int, base: int, macs: set[int]) -> int:
    mac = prefix | (base % (MAC_SPACE - 1) + 1)
    for i in range(MAC_SPACE - 1):
        mac = prefix | ((base + i) % (MAC_SPACE - 1) + 1)
        if mac not in macs:
            break
    return mac


# --- tags -------------------------------------------------------------------------------------


def _tags(nb: Mapping[str, Any], updates: dict[str, dict[str, Any]]) -> None:
    lsps = nb["Logical_Switch_Port"]
    used: dict[str, set[int]] = {}
    order: list[Any] = []
    for ls in switch_order(nb):
        for u in sorted(ls.ports):
            p = lsps.get(u)
            if p is None:
                continue
            order.append(p)
            parent = _opt(p.parent_name)
            tag = _opt(p.tag)
            if parent and tag:
                used.setdefault(parent, set()).add(tag)
    for p in order:
        req = _opt(p.tag_request)
        if req is None:
            continue
        parent = _opt(p.parent_name)
        tag = _opt(p.tag)
        if parent and req == 0:
            if tag:
                continue
            taken = used.setdefault(parent, set())
            for t in range(1, MAX_TAG + 1):
                if t not in taken:
                    taken.add(t)
                    updates.setdefault(p.uuid, {})["tag"] = t
                    break
        elif tag != req:
            updates.setdefault(p.uuid, {})["tag"] = req
