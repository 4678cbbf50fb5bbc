"""What the ovn-nbctl commands share: finding rows by name or UUID, address parsing, ordering.

Rows are found as ovn-nbctl finds them: an argument that parses as a UUID is looked up as one,
otherwise (or when that finds nothing) by name; several rows with the name is an error naming
the kind of row (``Multiple logical switches named 'sw0'.  Use a UUID.``), none is ``sw0: switch
name not found`` (``UUID`` when the argument was a UUID).

Addresses are parsed with the leniency of the C scanners the real tool uses (``%hhu`` octets wrap,
``%hhx`` MAC bytes take any number of hex digits, trailing text after a scanned MAC is allowed
where the real tool only scans a prefix); strict parsing uses the C library's ``inet_pton``.

:func:`smap_order` gives the order in which OVS iterates a string map (``SMAP_FOR_EACH``), from
:mod:`pyovn.util.ovshash`, so commands that print maps unsorted (``lsp-get-options``) print them
in the real tool's order.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Callable, Iterable
from typing import Any

from pyovn.ctl.context import Context
from pyovn.ctl.registry import CommandSyntax, CtlError
from pyovn.ctl.remotes import global_row
from pyovn.ctl.txnview import ViewRow
from pyovn.ovsdb.data import is_uuid
from pyovn.ovsdb.largeset import SET_TYPES
from pyovn.util.ovshash import shash_order

__all__ = [
    "is_uuid", "first", "find_ls", "find_lr", "find_lsp", "find_lrp", "find_lb",
    "find_pg", "find_hcg", "find_dhcp", "find_meter", "lsp_to_ls", "lrp_to_lr", "nb_global",
    "datapath_commands",
    "smap_order", "scan_mac", "parse_mac", "ip_parse", "ipv6_parse", "ip_parse_cidr",
    "ipv6_parse_cidr", "normalize_prefix", "normalize_addr", "parse_priority", "parse_direction",
    "name_sorted", "uuid_name_lines",
]



def first(value: Any) -> Any:
    """The single element of an optional (0..1) column, or None."""
    if isinstance(value, SET_TYPES):
        return next(iter(value)) if value else None
    return value


def nb_global(ctx: Context) -> ViewRow:
    return global_row(ctx, "NB_Global")


# -- finding rows -----------------------------------------------------------------------------------

def _by_name_or_uuid(ctx: Context, table: str, ident: str, must_exist: bool, what: str,
                     plural: str, name_column: str = "name", by_name: bool = True
                     ) -> ViewRow | None:
    txn = ctx.view()
    row = None
    is_id = is_uuid(ident)
    if is_id:
        row = txn.get(table, ident.lower())
    if row is None and by_name:
        matches = [r for r in txn.rows(table) if r[name_column] == ident]
        if len(matches) > 1 and plural:
            raise CtlError(f"Multiple {plural} named '{ident}'.  Use a UUID.")
        if matches:
            row = matches[0]
    if row is None and must_exist:
        raise CtlError(f"{ident}: {what} {'UUID' if is_id else 'name'} not found")
    return row


def find_ls(ctx: Context, ident: str, must_exist: bool = True) -> ViewRow | None:
    return _by_name_or_uuid(ctx, "Logical_Switch", ident, must_exist, "switch",
                            "logical switches")


def find_lr(ctx: Context, ident: str, must_exist: bool = True) -> ViewRow | None:
    return _by_name_or_uuid(ctx, "Logical_Router", ident, must_exist, "router",
                            "logical routers")


def find_lsp(ctx: Context, ident: str, must_exist: bool = True) -> ViewRow | None:
    return _by_name_or_uuid(ctx, "Logical_Switch_Port", ident, must_exist, "port", "")


def find_lrp(ctx: Context, ident: str, must_exist: bool = True) -> ViewRow | None:
    return _by_name_or_uuid(ctx, "Logical_Router_Port", ident, must_exist, "port", "")


def find_lb(ctx: Context, ident: str, must_exist: bool = True) -> ViewRow | None:
    return _by_name_or_uuid(ctx, "Load_Balancer", ident, must_exist, "load balancer",
                            "load balancers")


def find_pg(ctx: Context, ident: str, must_exist: bool = True) -> ViewRow | None:
    return _by_name_or_uuid(ctx, "Port_Group", ident, must_exist, "port group", "")


def find_hcg(ctx: Context, ident: str, must_exist: bool = True) -> ViewRow | None:
    return _by_name_or_uuid(ctx, "HA_Chassis_Group", ident, must_exist, "ha_chassi_group", "")


def find_meter(ctx: Context, ident: str, must_exist: bool = True) -> ViewRow | None:
    return _by_name_or_uuid(ctx, "Meter", ident, must_exist, "meter", "")


def find_dhcp(ctx: Context, ident: str, must_exist: bool = True) -> ViewRow | None:
    row = ctx.view().get("DHCP_Options", ident.lower()) if is_uuid(ident) else None
    if row is None and must_exist:
        raise CtlError(f"{ident}: dhcp options UUID not found")
    return row


def datapath_commands(prefix: str, table: str, noun: str,
                      find: Callable[[Context, str, bool], ViewRow | None]) -> list[CommandSyntax]:
    """``<prefix>-add [NAME]``, ``<prefix>-del NAME`` and ``<prefix>-list`` for switches
    (``ls``) or routers (``lr``). Adding takes ``--may-exist`` (keep an existing one of that
    name) or ``--add-duplicate`` (add one even so)."""

    def add(ctx: Context) -> None:
        name = ctx.argv[1] if len(ctx.argv) > 1 else None
        may_exist = ctx.has("--may-exist")
        dup = ctx.has("--add-duplicate")
        if may_exist and dup:
            raise CtlError("--may-exist and --add-duplicate may not be used together")
        txn = ctx.view()
        if name is not None:
            if not dup:
                for row in txn.rows(table):
                    if row["name"] == name:
                        if may_exist:
                            return
                        raise CtlError(f"{name}: a {noun} with this name already exists")
        elif may_exist:
            raise CtlError("--may-exist requires specifying a name")
        elif dup:
            raise CtlError("--add-duplicate requires specifying a name")
        row = txn.insert(table)
        if name is not None:
            txn.write(row, "name", name)

    def delete(ctx: Context) -> None:
        row = find(ctx, ctx.argv[1], not ctx.has("--if-exists"))
        if row is not None:
            ctx.view().delete(row)

    def list_(ctx: Context) -> None:
        ctx.out(uuid_name_lines(ctx.view().rows(table)))

    arg = noun.upper()
    return [
        CommandSyntax(f"{prefix}-add", 0, 1, add, ("--may-exist", "--add-duplicate"),
                      usage=f"[{arg}]", tables=(table,)),
        CommandSyntax(f"{prefix}-del", 1, 1, delete, ("--if-exists",), usage=arg, tables=(table,)),
        CommandSyntax(f"{prefix}-list", 0, 0, list_, mode="ro", tables=(table,)),
    ]


def lsp_to_ls(ctx: Context, lsp: ViewRow) -> ViewRow:
    for ls in ctx.view().rows("Logical_Switch"):
        if lsp.uuid in ls["ports"]:
            return ls
    raise CtlError(f"logical port {lsp['name']} is not part of any logical switch")


def lrp_to_lr(ctx: Context, lrp: ViewRow) -> ViewRow:
    for lr in ctx.view().rows("Logical_Router"):
        if lrp.uuid in lr["ports"]:
            return lr
    raise CtlError(f"logical port {lrp['name']} is not part of any logical router")


def name_sorted(rows: Iterable[ViewRow], column: str = "name") -> list[ViewRow]:
    return sorted(rows, key=lambda r: (r[column].encode(), r.uuid))


def uuid_name_lines(rows: Iterable[ViewRow], column: str = "name") -> str:
    return "".join(f"{r.uuid} ({r[column]})\n" for r in name_sorted(rows, column))


# -- argument checks --------------------------------------------------------------------------------

def parse_priority(s: str, what: str = "priority") -> int:
    """ovn-nbctl's "priority must in range 0...32767" check (``str_to_int`` semantics)."""
    if re.fullmatch(r"\s*[+-]?\d+", s) is None or not 0 <= int(s) <= 32767:
        raise CtlError(f"{s}: {what} must in range 0...32767")
    return int(s)


def parse_direction(s: str) -> str:
    if s.startswith("from"):
        return "from-lport"
    if s.startswith("to"):
        return "to-lport"
    raise CtlError(f'{s}: direction must be "to-lport" or "from-lport"')


# -- MAC addresses ----------------------------------------------------------------------------------

_HEX = re.compile(r"\s*[+-]?(?:0[xX])?([0-9a-fA-F]+)")


def scan_mac(s: str) -> tuple[str, int] | None:
    """Scan a MAC at the start of ``s`` like ETH_ADDR_SCAN_FMT: (canonical text, length)."""
    pos = 0
    octets = []
    for i in range(6):
        if i:
            if pos >= len(s) or s[pos] != ":":
                return None
            pos += 1
        m = _HEX.match(s, pos)
        if m is None:
            return None
        octets.append(int(m.group(1), 16) & 0xFF)
        pos = m.end()
    return ":".join(f"{o:02x}" for o in octets), pos


def parse_mac(s: str) -> str | None:
    """eth_addr_from_string: the whole string must be a MAC."""
    got = scan_mac(s)
    if got is None or got[1] != len(s):
        return None
    return got[0]


# -- IP addresses -----------------------------------------------------------------------------------

def ip_parse(s: str) -> int | None:
    try:
        return int.from_bytes(socket.inet_pton(socket.AF_INET, s), "big")
    except OSError:
        return None


def ipv6_parse(s: str) -> int | None:
    try:
        return int.from_bytes(socket.inet_pton(socket.AF_INET6, s), "big")
    except OSError:
        return None


_U8 = re.compile(r"\s*[+-]?(\d+)")


def _scan_ip4(s: str, pos: int) -> tuple[int, int] | None:
    value = 0
    for i in range(4):
        if i:
            if pos >= len(s) or s[pos] != ".":
                return None
            pos += 1
        m = _U8.match(s, pos)
        if m is None:
            return None
        value = (value << 8) | (int(m.group(1)) & 0xFF)
        pos = m.end()
    return value, pos


def _mask_plen(mask: int, bits: int) -> int | None:
    inv = ~mask & ((1 << bits) - 1)
    if inv & (inv + 1):
        return None
    return bits - inv.bit_length()


def ip_parse_masked(s: str) -> tuple[int, int] | str:
    """(address, prefix length) of ``IP[/PLEN|/MASK]``, or an error text (OVS's wording)."""
    got = _scan_ip4(s, 0)
    if got is None:
        return f"{s}: invalid IP address"
    ip, pos = got
    plen = 32
    if pos < len(s) and s[pos] == "/":
        mask = _scan_ip4(s, pos + 1)
        if mask is not None:
            p = _mask_plen(mask[0], 32)
            if p is None:
                return f"{s}: CIDR network required"
            plen, pos = p, mask[1]
        else:
            m = re.match(r"\s*([+-]?\d+)", s[pos + 1:])
            if m is None:
                return f"{s}: invalid IP address"
            plen = int(m.group(1))
            if not 0 <= plen <= 32:
                return f"{s}: IPv4 network prefix bits not between 0 and 32, inclusive"
            pos += 1 + m.end()
    if pos != len(s):
        return f"{s}: garbage following CIDR"
    return ip, plen


def ip_parse_cidr(s: str) -> tuple[int, int] | str:
    got = ip_parse_masked(s)
    if isinstance(got, str):
        return got
    ip, plen = got
    if ip & ~_prefix_mask(plen, 32) & 0xFFFFFFFF:
        return f"{s}: host bits set"
    return got


def ipv6_parse_masked(s: str) -> tuple[int, int] | str:
    m = re.match(r"[0-9a-fA-F:.]{1,46}", s)
    ip = ipv6_parse(m.group(0)) if m else None
    if m is None or ip is None:
        return f"{s}: invalid IPv6 address"
    pos = m.end()
    plen = 128
    if pos < len(s) and s[pos] == "/":
        mm = re.match(r"[0-9a-fA-F:.]{1,46}", s[pos + 1:])
        mask = ipv6_parse(mm.group(0)) if mm else None
        if mm is not None and mask is not None and ":" in mm.group(0):
            p = _mask_plen(mask, 128)
            if p is None:
                return f"{s}: IPv6 CIDR network required"
            plen, pos = p, pos + 1 + mm.end()
        else:
            m2 = re.match(r"\s*([+-]?\d+)", s[pos + 1:])
            if m2 is None:
                return f"{s}: invalid IPv6 address"
            plen = int(m2.group(1))
            if not 0 <= plen <= 128:
                return f"{s}: IPv6 network prefix bits not between 0 and 128, inclusive"
            pos += 1 + m2.end()
    if pos != len(s):
        return f"{s}: garbage following IPv6 address"
    return ip, plen


def ipv6_parse_cidr(s: str) -> tuple[int, int] | str:
    got = ipv6_parse_masked(s)
    if isinstance(got, str):
        return got
    ip, plen = got
    if ip & ~_prefix_mask(plen, 128) & ((1 << 128) - 1):
        return f"{s}: host bits set"
    return got


def _prefix_mask(plen: int, bits: int) -> int:
    return ((1 << bits) - 1) ^ ((1 << (bits - plen)) - 1)


def ip4_text(ip: int) -> str:
    return socket.inet_ntop(socket.AF_INET, ip.to_bytes(4, "big"))


def ip6_text(ip: int) -> str:
    return socket.inet_ntop(socket.AF_INET6, ip.to_bytes(16, "big"))


def normalize_prefix(s: str) -> str | None:
    """ovn-nbctl's normalize_prefix_str: network bits only, no ``/32`` or ``/128``."""
    got4 = ip_parse_masked(s)
    if not isinstance(got4, str):
        ip, plen = got4
        net = ip & _prefix_mask(plen, 32)
        return ip4_text(net) if plen == 32 else f"{ip4_text(net)}/{plen}"
    got6 = ipv6_parse_masked(s)
    if not isinstance(got6, str):
        ip, plen = got6
        net = ip & _prefix_mask(plen, 128)
        return ip6_text(net) if plen == 128 else f"{ip6_text(net)}/{plen}"
    return None


def normalize_addr(s: str) -> str | None:
    """A plain address (v4 or v6), canonical text; None if it is not one."""
    ip = ip_parse(s)
    if ip is not None:
        return ip4_text(ip)
    ip = ipv6_parse(s)
    if ip is not None:
        return ip6_text(ip)
    return None


# -- OVS string-map iteration order -----------------------------------------------------------------

def smap_order(keys: Iterable[str]) -> list[str]:
    """The order SMAP_FOR_EACH visits a map whose keys were added in ``keys`` order."""
    return shash_order(keys)


def smap_items(value: dict[str, str]) -> list[tuple[str, str]]:
    """A map column's pairs in the order the real tool's IDL iterates them."""
    return [(k, value[k]) for k in smap_order(sorted(value, key=lambda s: s.encode()))]
