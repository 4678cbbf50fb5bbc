"""IP address parsing the way ovn-northd parses NAT columns (OVS's ``ip_parse_masked`` family).

NAT rows are written into flows verbatim (``external_ip``, ``logical_ip``), but whether a row is
valid, which family it is and how long its prefix is come from OVS's scanf-based parsers, which
are more lenient than :mod:`ipaddress`: an IPv4 octet is any decimal number (``070`` is 70,
leading blanks are skipped), a mask may be a prefix length or a dotted/colon mask.  The ARP/ND
flows for NAT addresses use the *normalised* address instead (``extract_ip_addresses``), so both
views are offered:

* :func:`parse_v4_masked` / :func:`parse_v6_masked`: ``(address, mask)`` as integers, or None.
* :func:`cidr_bits_v4` / :func:`cidr_bits_v6`: the prefix length OVN derives from a mask.
* :func:`extract_ips`: the addresses of a blank-separated list, normalised, up to the first word
  that does not parse (None if there is none before it).
* :func:`extract_ip_address`: at most one host address of each family, as the force-SNAT
  options are read.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

__all__ = [
    "IpAddr",
    "cidr_bits_v4",
    "cidr_bits_v6",
    "extract_ips",
    "parse_v4_masked",
    "parse_v6_masked",
]

_ALL4 = 0xFFFFFFFF
_ALL6 = (1 << 128) - 1

# One scanf "%hhu": blanks, an optional sign, decimal digits.
_U8 = r"\s*[+-]?\d+"
_V4 = re.compile(rf"({_U8})\.({_U8})\.({_U8})\.({_U8})")
_INT = re.compile(r"\s*([+-]?\d+)")
_V6 = re.compile(r"[0-9a-fA-F:.]{1,46}")


def _u8(tok: str) -> int:
    return int(tok.strip()) & 0xFF


def _scan_v4(s: str, pos: int) -> tuple[int, int] | None:
    m = _V4.match(s, pos)
    if m is None:
        return None
    v = 0
    for g in m.groups():
        v = (v << 8) | _u8(g)
    return v, m.end()


def _prefix_mask(bits: int, plen: int) -> int:
    full = (1 << bits) - 1
    return full ^ ((1 << (bits - plen)) - 1)


def _scan_v4_masked(s: str, pos: int = 0) -> tuple[int, int, int] | None:
    """``IP/IP``, ``IP/PLEN`` or ``IP`` at ``pos``: (ip, mask, end)."""
    a = _scan_v4(s, pos)
    if a is None:
        return None
    ip, end = a
    if s.startswith("/", end):
        b = _scan_v4(s, end + 1)
        if b is not None:
            return ip, b[0], b[1]
        m = _INT.match(s, end + 1)
        if m is not None:
            plen = int(m.group(1))
            if not 0 <= plen <= 32:
                return None
            return ip, _prefix_mask(32, plen), m.end()
    return ip, _ALL4, end


def _v6(text: str) -> int | None:
    try:
        return int(ipaddress.IPv6Address(text))
    except ValueError:
        return None


def _scan_v6_masked(s: str, pos: int = 0) -> tuple[int, int, int] | None:
    m = _V6.match(s, pos)
    if m is None:
        return None
    ip = _v6(m.group())
    if ip is None:
        return None
    end = m.end()
    if s.startswith("/", end):
        # "%d" first (it wins whenever digits follow), then a colon mask.
        p = _INT.match(s, end + 1)
        if p is not None:
            plen = int(p.group(1))
            if not 0 <= plen <= 128:
                return None
            return ip, _prefix_mask(128, plen), p.end()
        m2 = _V6.match(s, end + 1)
        if m2 is not None:
            mask = _v6(m2.group())
            if mask is not None:
                return ip, mask, m2.end()
        return None
    return ip, _ALL6, end


def parse_v4_masked(s: str) -> tuple[int, int] | None:
    """OVS ``ip_parse_masked``: the whole string must be used."""
    r = _scan_v4_masked(s)
    if r is None or r[2] != len(s):
        return None
    return r[0], r[1]


def parse_v6_masked(s: str) -> tuple[int, int] | None:
    """OVS ``ipv6_parse_masked``: the whole string must be used."""
    r = _scan_v6_masked(s)
    if r is None or r[2] != len(s):
        return None
    return r[0], r[1]


def cidr_bits_v4(mask: int) -> int:
    """OVS ``ip_count_cidr_bits``: 32 minus the trailing zero bits."""
    if mask == 0:
        return 0
    return 32 - ((mask & -mask).bit_length() - 1)


def cidr_bits_v6(mask: int) -> int:
    """OVS ``ipv6_count_cidr_bits``: whole 0xff bytes, then the leading ones of the next."""
    count = 0
    for i in range(16):
        byte = (mask >> (8 * (15 - i))) & 0xFF
        if byte == 0xFF:
            count += 8
            continue
        while byte & 0xFF:
            count += 1
            byte = (byte << 1) & 0xFF
        break
    return count


def _is_cidr(mask: int, bits: int) -> bool:
    inv = ~mask & ((1 << bits) - 1)
    return (inv & (inv + 1)) == 0


@dataclass(frozen=True, slots=True)
class IpAddr:
    """One address of :func:`extract_ips`: normalised text, family, prefix length."""

    addr: str
    v6: bool
    plen: int


def _fmt_v6(v: int) -> str:
    a = ipaddress.IPv6Address(v)
    mapped = a.ipv4_mapped
    if mapped is not None:
        return f"::ffff:{mapped}"
    return str(a)


def extract_ips(s: str) -> list[IpAddr] | None:
    """OVN ``extract_ip_addresses``: blank-separated ``IP[/PLEN]`` items (CIDR masks only),
    read up to the first word that is not one and the rest ignored (``"1.2.3.4 junk"`` is
    1.2.3.4); None if no address was read."""
    out: list[IpAddr] = []
    pos = 0
    n = len(s)
    while True:
        while pos < n and s[pos].isspace():
            pos += 1
        if pos >= n:
            break
        r4 = _scan_v4_masked(s, pos)
        if r4 is not None and _is_cidr(r4[1], 32):
            ip, mask, pos = r4
            out.append(IpAddr(str(ipaddress.IPv4Address(ip)), False, cidr_bits_v4(mask)))
            continue
        r6 = _scan_v6_masked(s, pos)
        if r6 is not None and _is_cidr(r6[1], 128):
            ip, mask, pos = r6
            out.append(IpAddr(_fmt_v6(ip), True, cidr_bits_v6(mask)))
            continue
        break  # northd stops at the bad word and keeps what it has read
    return out or None


def extract_ip_address(s: str) -> tuple[str | None, str | None] | None:
    """OVN ``extract_ip_address`` (the ``*_force_snat_ip`` options): :func:`extract_ips`, so
    trailing junk is ignored ("1.2.3.4 junk" is 1.2.3.4), then at most one IPv4 and one IPv6
    address, each a host address (no prefix or /32, /128): ``(ipv4, ipv6)``, or None if not.

    On a refused value (two addresses of one family, a shorter prefix) ovn-northd 23.03 frees
    the addresses it read but keeps their count, then reads freed memory (garbage in the flows:
    the Southbound refuses the transaction for ever) or frees it again (abort).  pyovn does what
    its warning says instead: the option is ignored.
    """
    ips = extract_ips(s)
    if ips is None:
        return None
    v4 = [a for a in ips if not a.v6]
    v6 = [a for a in ips if a.v6]
    if len(v4) > 1 or len(v6) > 1 or any(a.plen != 32 for a in v4) \
            or any(a.plen != 128 for a in v6):
        return None
    return (v4[0].addr if v4 else None, v6[0].addr if v6 else None)
