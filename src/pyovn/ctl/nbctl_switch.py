"""ovn-nbctl's logical switch and logical switch port commands (``ls-*``, ``lsp-*``).

Each command checks its arguments in the order the real tool does (so the first error reported is
the same), then changes the transaction view. Ports are added to and removed from a switch with
partial set mutations of ``Logical_Switch.ports``, as the real tool does.
"""

from __future__ import annotations

import re

from pyovn.ctl.context import Context, warn
from pyovn.ctl.nbctl_common import (
    datapath_commands,
    find_dhcp,
    find_ls,
    find_lsp,
    first,
    ip_parse_masked,
    ipv6_parse_masked,
    lsp_to_ls,
    name_sorted,
    scan_mac,
    smap_items,
    uuid_name_lines,
)
from pyovn.ctl.registry import UNLIMITED, CommandSyntax, CtlError
from pyovn.ctl.txnview import ViewRow

__all__ = ["COMMANDS", "LSP_TYPES"]

LSP_TYPES = ("", "l2gateway", "localnet", "localport", "router", "vtep", "external", "virtual",
             "remote")


# -- ports ----------------------------------------------------------------------------------------

def _lsp_add(ctx: Context) -> None:
    may_exist = ctx.has("--may-exist")
    ls = find_ls(ctx, ctx.argv[1])
    assert ls is not None
    parent: str | None = None
    tag = -1
    if len(ctx.argv) == 5:
        parent = ctx.argv[3]
        m = re.match(r"\s*([+-]?\d+)", ctx.argv[4])
        tag = int(m.group(1)) if m else -1
        if m is None or not 0 <= tag <= 4095:
            raise CtlError(f"{ctx.argv[4]}: invalid tag (must be in range 0 to 4095)")
    elif len(ctx.argv) != 3:
        raise CtlError("lsp-add with parent must also specify a tag")
    name = ctx.argv[2]
    txn = ctx.view()
    lsp = find_lsp(ctx, name, False)
    if lsp is not None:
        if not may_exist:
            raise CtlError(f"{name}: a port with this name already exists")
        owner = lsp_to_ls(ctx, lsp)
        if owner is not ls:
            raise CtlError(f"{name}: port already exists but in switch {owner['name']}")
        have_parent = first(lsp["parent_name"])
        if parent is not None:
            if have_parent is None:
                raise CtlError(f"{name}: port already exists but has no parent")
            if have_parent != parent:
                raise CtlError(f"{name}: port already exists with different parent "
                               f"{have_parent}")
            have_tag = first(lsp["tag_request"])
            if have_tag is None:
                raise CtlError(f"{name}: port already exists but has no tag_request")
            if have_tag != tag:
                raise CtlError(f"{name}: port already exists with different tag_request "
                               f"{have_tag}")
        elif have_parent is not None:
            raise CtlError(f"{name}: port already exists but has parent {have_parent}")
        return
    lsp = txn.insert("Logical_Switch_Port")
    txn.write(lsp, "name", name)
    if parent is not None:
        txn.write(lsp, "parent_name", frozenset((parent,)))
        txn.write(lsp, "tag_request", frozenset((tag,)))
    txn.set_insert(ls, "ports", lsp.uuid)


def _lsp_del(ctx: Context) -> None:
    lsp = find_lsp(ctx, ctx.argv[1], not ctx.has("--if-exists"))
    if lsp is None:
        return
    ls = lsp_to_ls(ctx, lsp)
    txn = ctx.view()
    txn.set_delete(ls, "ports", lsp.uuid)
    txn.delete(lsp)


def _lsp_list(ctx: Context) -> None:
    ls = find_ls(ctx, ctx.argv[1])
    assert ls is not None
    txn = ctx.view()
    ports = [p for u in ls["ports"] if (p := txn.get("Logical_Switch_Port", u)) is not None]
    ctx.out(uuid_name_lines(ports))


def _port(ctx: Context) -> ViewRow:
    lsp = find_lsp(ctx, ctx.argv[1])
    assert lsp is not None
    return lsp


def _lsp_get_parent(ctx: Context) -> None:
    parent = first(_port(ctx)["parent_name"])
    if parent is not None:
        ctx.out(f"{parent}\n")


def _lsp_get_tag(ctx: Context) -> None:
    tag = first(_port(ctx)["tag"])
    if tag is not None:
        ctx.out(f"{tag}\n")


def _lsp_get_ls(ctx: Context) -> None:
    ls = lsp_to_ls(ctx, _port(ctx))
    ctx.out(f"{ls.uuid} ({ls['name']})\n")


# -- addresses --------------------------------------------------------------------------------------

def _lport_ips(address: str) -> tuple[list[int], list[int]] | None:
    """OVN's extract_lsp_addresses: "MAC [IP[/PLEN]]..." → (IPv4s, IPv6s); None if invalid."""
    got = scan_mac(address)
    if got is None:
        return None
    rest = address[got[1]:]
    if rest and not rest[0].isspace():
        return None
    v4: list[int] = []
    v6: list[int] = []
    for word in rest.split():
        r4 = ip_parse_masked(word)
        if not isinstance(r4, str):
            v4.append(r4[0])
            continue
        r6 = ipv6_parse_masked(word)
        if isinstance(r6, str):
            return None
        v6.append(r6[0])
    return v4, v6


def _ip_text(ip: int, v6: bool) -> str:
    from pyovn.ctl.nbctl_common import ip4_text, ip6_text

    return ip6_text(ip) if v6 else ip4_text(ip)


def _check_duplicates(ctx: Context, ls: ViewRow, lsp: ViewRow, address: str) -> None:
    mine = _lport_ips(address)
    if mine is None:
        return
    txn = ctx.view()
    for u in sorted(ls["ports"]):
        other = txn.get("Logical_Switch_Port", u)
        if other is None or other is lsp:
            continue
        for addr in sorted(other["addresses"]):
            theirs = _lport_ips(addr)
            if theirs is None:
                continue
            for ip in mine[0]:
                if ip in theirs[0]:
                    raise CtlError(f"Error on switch {ls['name']}: duplicate IPv4 address "
                                   f"'{_ip_text(ip, False)}' found on logical switch port "
                                   f"'{other['name']}'")
            for ip in mine[1]:
                if ip in theirs[1]:
                    raise CtlError(f"Error on switch {ls['name']}: duplicate IPv6 address "
                                   f"'{_ip_text(ip, True)}' found on logical switch port "
                                   f"'{other['name']}'")


def _lsp_set_addresses(ctx: Context) -> None:
    lsp = _port(ctx)
    ls = lsp_to_ls(ctx, lsp)
    for address in ctx.argv[2:]:
        if address not in ("unknown", "dynamic", "router") and scan_mac(address) is None:
            raise CtlError(f"{address}: Invalid address format. See ovn-nb(5). Hint: An "
                           "Ethernet address must be listed before an IP address, together as "
                           "a single argument.")
        _check_duplicates(ctx, ls, lsp, address)
    ctx.view().write(lsp, "addresses", frozenset(ctx.argv[2:]))


def _print_sorted(ctx: Context, values: frozenset[str]) -> None:
    ctx.out("".join(f"{v}\n" for v in sorted(values, key=str.encode)))


def _lsp_get_addresses(ctx: Context) -> None:
    _print_sorted(ctx, _port(ctx)["addresses"])


def _lsp_set_port_security(ctx: Context) -> None:
    ctx.view().write(_port(ctx), "port_security", frozenset(ctx.argv[2:]))


def _lsp_get_port_security(ctx: Context) -> None:
    _print_sorted(ctx, _port(ctx)["port_security"])


def _lsp_get_up(ctx: Context) -> None:
    up = first(_port(ctx)["up"])
    ctx.out("up\n" if up else "down\n")


def parse_enabled(state: str) -> bool:
    if state == "enabled":
        return True
    if state == "disabled":
        return False
    raise CtlError(f'{state}: state must be "enabled" or "disabled"')


def _lsp_set_enabled(ctx: Context) -> None:
    lsp = _port(ctx)
    ctx.view().write(lsp, "enabled", frozenset((parse_enabled(ctx.argv[2]),)))


def _lsp_get_enabled(ctx: Context) -> None:
    enabled = first(_port(ctx)["enabled"])
    ctx.out("disabled\n" if enabled is False else "enabled\n")


def _lsp_set_type(ctx: Context) -> None:
    lsp = _port(ctx)
    kind = ctx.argv[2]
    if kind not in LSP_TYPES:
        raise CtlError(f"Logical switch port type '{kind}' is unrecognized. Not setting type.")
    ctx.view().write(lsp, "type", kind)


def _lsp_get_type(ctx: Context) -> None:
    ctx.out(f"{_port(ctx)['type']}\n")


def parse_options(args: list[str]) -> dict[str, str]:
    """KEY=VALUE arguments; one without "=" is ignored, as the real tool does."""
    out: dict[str, str] = {}
    for arg in args:
        key, eq, value = arg.partition("=")
        if eq and key not in out:
            out[key] = value
    return out


def print_smap(ctx: Context, value: dict[str, str]) -> None:
    ctx.out("".join(f"{k}={v}\n" for k, v in smap_items(value)))


def _lsp_set_options(ctx: Context) -> None:
    ctx.view().write(_port(ctx), "options", parse_options(ctx.argv[2:]))


def _lsp_get_options(ctx: Context) -> None:
    print_smap(ctx, _port(ctx)["options"])


def _set_dhcp(column: str, family: int):  # noqa: ANN202
    def run(ctx: Context) -> None:
        lsp = _port(ctx)
        txn = ctx.view()
        if len(ctx.argv) < 3:
            txn.write(lsp, column, frozenset())
            return
        dhcp = find_dhcp(ctx, ctx.argv[2])
        assert dhcp is not None
        cidr = dhcp["cidr"]
        ok = (not isinstance(ip_parse_masked(cidr), str)) if family == 4 else \
            (not isinstance(ipv6_parse_masked(cidr), str))
        if not ok:
            raise CtlError(f"DHCP options cidr '{cidr}' is not IPv{family}")
        txn.write(lsp, column, frozenset((dhcp.uuid,)))
    return run


def _get_dhcp(column: str):  # noqa: ANN202
    def run(ctx: Context) -> None:
        u = first(_port(ctx)[column])
        if u is None:
            return
        dhcp = ctx.view().get("DHCP_Options", u)
        if dhcp is not None:
            ctx.out(f"{dhcp.uuid} ({dhcp['cidr']})\n")
    return run


def _lsp_attach_mirror(ctx: Context) -> None:
    lsp = _port(ctx)
    mirror = _find_mirror(ctx, ctx.argv[2])
    if mirror.uuid in lsp["mirror_rules"]:
        if ctx.has("--may-exist"):
            return
        raise CtlError(f"mirror {ctx.argv[2]} is already attached to the logical port "
                       f"{ctx.argv[1]}.")
    ctx.view().set_insert(lsp, "mirror_rules", mirror.uuid)


def _lsp_detach_mirror(ctx: Context) -> None:
    lsp = _port(ctx)
    mirror = _find_mirror(ctx, ctx.argv[2])
    if mirror.uuid not in lsp["mirror_rules"]:
        # ovn-nbctl's IDL complains, and commits anyway.
        warn("ovsdb_idl", "Trying to delete a key that doesn't exist in the set.")
    ctx.view().set_delete(lsp, "mirror_rules", mirror.uuid)


def _find_mirror(ctx: Context, name: str) -> ViewRow:
    for m in name_sorted(ctx.view().rows("Mirror")):
        if m["name"] == name:
            return m
    raise CtlError(f"{name}: mirror name not found")


# What the port commands read and write (CommandSyntax.tables): a port, and the switch holding it.
_PORT_TABLES = ("Logical_Switch", "Logical_Switch_Port")

COMMANDS = [
    *datapath_commands("ls", "Logical_Switch", "switch", find_ls),
    CommandSyntax("lsp-add", 2, 4, _lsp_add, ("--may-exist",), usage="SWITCH PORT [PARENT] [TAG]",
                  tables=_PORT_TABLES),
    CommandSyntax("lsp-del", 1, 1, _lsp_del, ("--if-exists",), usage="PORT", tables=_PORT_TABLES),
    CommandSyntax("lsp-list", 1, 1, _lsp_list, mode="ro", usage="SWITCH", tables=_PORT_TABLES),
    CommandSyntax("lsp-get-parent", 1, 1, _lsp_get_parent, mode="ro", usage="PORT", tables=_PORT_TABLES),
    CommandSyntax("lsp-get-tag", 1, 1, _lsp_get_tag, mode="ro", usage="PORT", tables=_PORT_TABLES),
    CommandSyntax("lsp-set-addresses", 1, UNLIMITED, _lsp_set_addresses, usage="PORT [ADDRESS]...",
                  tables=_PORT_TABLES),
    CommandSyntax("lsp-get-addresses", 1, 1, _lsp_get_addresses, mode="ro", usage="PORT",
                  tables=_PORT_TABLES),
    CommandSyntax("lsp-set-port-security", 1, UNLIMITED, _lsp_set_port_security,
                  usage="PORT [ADDRS]...", tables=_PORT_TABLES),
    CommandSyntax("lsp-get-port-security", 1, 1, _lsp_get_port_security, mode="ro", usage="PORT",
                  tables=_PORT_TABLES),
    CommandSyntax("lsp-get-up", 1, 1, _lsp_get_up, mode="ro", usage="PORT", tables=_PORT_TABLES),
    CommandSyntax("lsp-set-enabled", 2, 2, _lsp_set_enabled, usage="PORT STATE", tables=_PORT_TABLES),
    CommandSyntax("lsp-get-enabled", 1, 1, _lsp_get_enabled, mode="ro", usage="PORT",
                  tables=_PORT_TABLES),
    CommandSyntax("lsp-set-type", 2, 2, _lsp_set_type, usage="PORT TYPE", tables=_PORT_TABLES),
    CommandSyntax("lsp-get-type", 1, 1, _lsp_get_type, mode="ro", usage="PORT", tables=_PORT_TABLES),
    CommandSyntax("lsp-set-options", 1, UNLIMITED, _lsp_set_options, usage="PORT KEY=VALUE [KEY=VALUE]...",
                  tables=_PORT_TABLES),
    CommandSyntax("lsp-get-options", 1, 1, _lsp_get_options, mode="ro", usage="PORT",
                  tables=_PORT_TABLES),
    CommandSyntax("lsp-set-dhcpv4-options", 1, 2, _set_dhcp("dhcpv4_options", 4),
                  usage="PORT [DHCP_OPT_UUID]"),
    CommandSyntax("lsp-get-dhcpv4-options", 1, 1, _get_dhcp("dhcpv4_options"), mode="ro",
                  usage="PORT"),
    CommandSyntax("lsp-set-dhcpv6-options", 1, 2, _set_dhcp("dhcpv6_options", 6),
                  usage="PORT [DHCP_OPT_UUID]"),
    CommandSyntax("lsp-get-dhcpv6-options", 1, 1, _get_dhcp("dhcpv6_options"), mode="ro",
                  usage="PORT"),
    CommandSyntax("lsp-get-ls", 1, 1, _lsp_get_ls, mode="ro", usage="PORT", tables=_PORT_TABLES),
    CommandSyntax("lsp-attach-mirror", 2, 2, _lsp_attach_mirror, ("--may-exist",), usage="PORT MIRROR"),
    CommandSyntax("lsp-detach-mirror", 2, 2, _lsp_detach_mirror, usage="PORT MIRROR"),
]
