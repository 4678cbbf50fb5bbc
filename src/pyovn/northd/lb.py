"""Load balancers as northd reads them: VIPs, backends, options, health checks.

``parse_lb(row)`` turns one NB ``Load_Balancer`` row into a :class:`NorthdLoadBalancer`, with
the rules ovn-northd 23.03 follows (checked against the real binary's Southbound):

* a VIP key is ``IP``, ``IP:PORT``, ``[IP6]`` or ``[IP6]:PORT``; a bare key with several colons
  is an IPv6 address without port; port 0 means "no port"; a VIP whose key or any backend fails
  to parse is left out entirely (it makes no flow), but the LB still counts as "having VIPs"
  (``has_vips`` is about the NB map, as in northd);
* backends are ``,``-separated (empty items skipped, no whitespace allowed), each of the VIP's
  family and with a port exactly when the VIP has one;
* the backend list written in ``ct_lb_mark(backends=...)`` is the NB text as it is (northd copies
  it), while matches use the parsed, normalised addresses;
* the protocol is the NB one, ``tcp`` when unset.

The parsed object is cached per row version (a row's columns never change under a view).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any

from pyovn.northd.cnum import smap_get_bool

__all__ = [
    "LbBackend",
    "NorthdLoadBalancer",
    "Vip",
    "format_ip",
    "parse_ip_port",
    "parse_lb",
]


def format_ip(addr: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    """An address as inet_ntop writes it (IPv4-mapped/compatible IPv6 with a dotted tail)."""
    if addr.version == 4:
        return str(addr)
    n = int(addr)
    if n >> 32 == 0xFFFF:
        return f"::ffff:{ipaddress.IPv4Address(n & 0xFFFFFFFF)}"
    if n >> 32 == 0 and (n >> 16) & 0xFFFF:
        return f"::{ipaddress.IPv4Address(n)}"
    return addr.compressed


def _parse_ip(s: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    if not s or "%" in s or s.strip() != s:
        return None
    try:
        return ipaddress.ip_address(s)
    except ValueError:
        return None


def _parse_port(s: str) -> int | None:
    """A port as strtol-based parsers take it: decimal digits only, 0..65535; None if invalid."""
    if not s or not s.isdigit() or not s.isascii():
        return None
    v = int(s)
    return v if v <= 65535 else None


def parse_ip_port(
    s: str,
) -> tuple[ipaddress.IPv4Address | ipaddress.IPv6Address, int] | None:
    """``IP[:PORT]`` / ``[IP6][:PORT]`` / bare IPv6 -> (address, port or 0); None if invalid."""
    if s.startswith("["):
        end = s.find("]")
        if end < 0:
            return None
        addr = _parse_ip(s[1:end])
        if addr is None or addr.version != 6:
            return None
        rest = s[end + 1 :]
        if not rest:
            return addr, 0
        if not rest.startswith(":"):
            return None
        port = _parse_port(rest[1:])
        return (addr, port) if port is not None else None
    if s.count(":") > 1:
        addr = _parse_ip(s)
        return (addr, 0) if addr is not None and addr.version == 6 else None
    host, sep, port_s = s.partition(":")
    addr = _parse_ip(host)
    if addr is None or addr.version != 4:
        return None
    if not sep:
        return addr, 0
    port = _parse_port(port_s)
    return (addr, port) if port is not None else None


@dataclass(frozen=True, slots=True)
class LbBackend:
    """One backend of a VIP (``ovn_lb_backend``)."""

    ip: str  # normalised
    port: int  # 0: none
    ipv6: bool

    @property
    def ip_port(self) -> str:
        """``ip:port`` as northd prints one backend (``[ip6]:port``; port 0 printed too)."""
        return f"[{self.ip}]:{self.port}" if self.ipv6 else f"{self.ip}:{self.port}"

    @property
    def text(self) -> str:
        """The backend as a VIP string prints it: with the port only when there is one."""
        if not self.port:
            return self.ip
        return self.ip_port


@dataclass(frozen=True, slots=True)
class Vip:
    key: str  # the NB vips key, as written
    ip: str  # normalised address (a template LB: the "^name" variable, as written)
    port: int | str  # 0: no port (a template LB: the port's "^name" variable)
    ipv6: bool
    backends_text: str  # the NB value, as written
    backends: tuple[LbBackend, ...]

    @property
    def vip_port(self) -> str:
        """``ip``, ``ip:port`` or ``[ip6]:port``: how northd names the VIP in actions."""
        if not self.port:
            return self.ip
        return f"[{self.ip}]:{self.port}" if self.ipv6 else f"{self.ip}:{self.port}"

    @property
    def ip_match(self) -> str:
        return "ip6" if self.ipv6 else "ip4"


def _parse_vip(key: str, value: str) -> Vip | None:
    k = parse_ip_port(key)
    if k is None:
        return None
    addr, port = k
    backends: list[LbBackend] = []
    for item in value.split(","):
        if not item:
            continue
        b = parse_ip_port(item)
        if b is None:
            return None
        baddr, bport = b
        if baddr.version != addr.version or bool(bport) != bool(port):
            return None
        backends.append(LbBackend(format_ip(baddr), bport, baddr.version == 6))
    return Vip(key, format_ip(addr), port, addr.version == 6, value, tuple(backends))


def _parse_template_vip(key: str, value: str, options: dict[str, str]) -> Vip | None:
    """A template load balancer's VIP (ovn-nb(5): options:template=true): "^VIP[:^PORT]" =
    "^BACKENDS", chassis template variables that ovn-controller expands; northd writes them
    into the flows as they are.  The address family comes from options:address-family."""
    ip, sep, port = key.rpartition(":") if key.count(":") == 1 else (key, "", "")
    if not sep:
        ip, port = key, ""
    if not ip or not value:
        return None
    ipv6 = options.get("address-family") == "ipv6"
    return Vip(key, ip, port or 0, ipv6, value, (LbBackend(value, 0, ipv6),))


# ovn-nb(5) selection_fields: tp_src/tp_dst become the protocol's own field.
def _hash_field(f: str, proto: str) -> str:
    if f.startswith("tp_"):
        return proto + f[2:]
    return f


@dataclass(frozen=True, slots=True)
class NorthdLoadBalancer:
    """An NB Load_Balancer as northd builds flows from it (``ovn_northd_lb``)."""

    uuid: str
    name: str
    proto: str  # "tcp", "udp" or "sctp"
    vips: tuple[Vip, ...]  # the valid ones
    has_vips: bool  # the NB map is not empty
    options: dict[str, str]
    hash_fields: str  # "" or the ct_lb_mark hash_fields argument
    affinity_timeout: int  # 0: none
    reject: bool
    event: bool
    skip_snat: bool
    health_checks: dict[str, Any]  # VIP key -> Load_Balancer_Health_Check row
    ip_port_mappings: dict[str, str]

    def health_check(self, vip: Vip) -> Any | None:
        return self.health_checks.get(vip.key)


def _bool_opt(options: dict[str, str], key: str) -> bool:
    return smap_get_bool(options, key)


def _int_opt(options: dict[str, str], key: str) -> int:
    try:
        return int(options.get(key, "0"))
    except ValueError:
        return 0


_CACHE: dict[str, tuple[Any, NorthdLoadBalancer]] = {}


def parse_lb(row: Any, nb: Any = None) -> NorthdLoadBalancer:
    """The parsed load balancer of an NB row; ``nb`` (table name -> rows) resolves health
    check references when the row holds uuids."""
    key = (
        row.name,
        tuple(sorted(row.vips.items())),
        _opt(row.protocol),
        tuple(sorted(row.options.items())),
        tuple(sorted(row.selection_fields)),
        tuple(sorted(row.ip_port_mappings.items())),
        tuple(_hc_key(h, nb) for h in row.health_check),
    )
    hit = _CACHE.get(row.uuid)
    if hit is not None and hit[0] == key:
        return hit[1]
    lb = _parse(row, nb)
    if len(_CACHE) > 100_000:
        _CACHE.clear()
    _CACHE[row.uuid] = (key, lb)
    return lb


def _opt(v: Any) -> Any:
    if isinstance(v, (list, tuple, set, frozenset)):
        for x in v:
            return x
        return None
    return v


def _hc_row(h: Any, nb: Any) -> Any | None:
    if isinstance(h, str):
        t = nb.get("Load_Balancer_Health_Check") if nb is not None else None
        return t.get(h) if t is not None else None
    return h


def _hc_key(h: Any, nb: Any) -> Any:
    r = _hc_row(h, nb)
    if r is None:
        return None
    return (r.uuid, r.vip, tuple(sorted(r.options.items())))


def _parse(row: Any, nb: Any) -> NorthdLoadBalancer:
    proto = _opt(row.protocol) or "tcp"
    options = dict(row.options)
    vips = []
    template = smap_get_bool(options, "template")
    for k, v in row.vips.items():
        p = _parse_template_vip(k, v, options) if template else _parse_vip(k, v)
        if p is not None:
            vips.append(p)
    fields = ",".join(_hash_field(f, proto) for f in sorted(row.selection_fields))
    hcs: dict[str, Any] = {}
    for h in row.health_check:
        r = _hc_row(h, nb)
        if r is not None:
            hcs.setdefault(r.vip, r)
    return NorthdLoadBalancer(
        uuid=row.uuid,
        name=row.name,
        proto=proto,
        vips=tuple(vips),
        has_vips=bool(row.vips),
        options=options,
        hash_fields=fields,
        affinity_timeout=max(_int_opt(options, "affinity_timeout"), 0),
        reject=_bool_opt(options, "reject"),
        event=_bool_opt(options, "event"),
        skip_snat=_bool_opt(options, "skip_snat"),
        health_checks=hcs,
        ip_port_mappings=dict(row.ip_port_mappings),
    )
