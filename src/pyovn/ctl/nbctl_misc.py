"""ovn-nbctl's smaller command families: DHCP options, HA chassis groups, connections and SSL,
static MAC bindings, control plane protection (CoPP), mirrors and forwarding groups.

Each is a handful of row inserts, deletes and formatted listings on the transaction view; the
texts (headings, column widths, error messages) are the real tool's.
"""

from __future__ import annotations

import re

from pyovn.ctl.context import Context
from pyovn.ctl.nbctl_common import (
    find_dhcp,
    find_hcg,
    find_lr,
    find_lrp,
    find_ls,
    find_lsp,
    ip_parse_cidr,
    ipv6_parse_cidr,
    name_sorted,
    normalize_addr,
    parse_mac,
    parse_priority,
)
from pyovn.ctl.nbctl_switch import parse_options, print_smap
from pyovn.ctl.registry import UNLIMITED, CommandSyntax, CtlError
from pyovn.ctl.remotes import Remotes, remote_commands, ssl_commands
from pyovn.ctl.txnview import ViewRow

__all__ = ["COMMANDS", "COPP_PROTOCOLS"]

COPP_PROTOCOLS = ("arp", "arp-resolve", "dhcpv4-opts", "dhcpv6-opts", "dns", "event-elb",
                  "icmp4-error", "icmp6-error", "igmp", "nd-na", "nd-ns", "nd-ns-resolve",
                  "nd-ra-opts", "tcp-reset", "bfd", "reject", "svc-monitor")


# -- DHCP options ---------------------------------------------------------------------------------

def _dhcp_create(ctx: Context) -> None:
    cidr = ctx.argv[1]
    if isinstance(ip_parse_cidr(cidr), str) and isinstance(ipv6_parse_cidr(cidr), str):
        raise CtlError(f"Invalid cidr format '{cidr}'")
    txn = ctx.view()
    row = txn.insert("DHCP_Options")
    txn.write(row, "cidr", cidr)
    ids = parse_options(ctx.argv[2:])
    if ids:
        txn.write(row, "external_ids", ids)


def _dhcp(ctx: Context) -> ViewRow:
    row = find_dhcp(ctx, ctx.argv[1])
    assert row is not None
    return row


def _dhcp_del(ctx: Context) -> None:
    ctx.view().delete(_dhcp(ctx))


def _dhcp_list(ctx: Context) -> None:
    ctx.out("".join(f"{r.uuid}\n" for r in ctx.view().rows("DHCP_Options")))


def _dhcp_set_options(ctx: Context) -> None:
    ctx.view().write(_dhcp(ctx), "options", parse_options(ctx.argv[2:]))


def _dhcp_get_options(ctx: Context) -> None:
    print_smap(ctx, _dhcp(ctx)["options"])


# -- HA chassis groups ----------------------------------------------------------------------------

def _hcg_add(ctx: Context) -> None:
    txn = ctx.view()
    row = txn.insert("HA_Chassis_Group")
    txn.write(row, "name", ctx.argv[1])


def _group(ctx: Context) -> ViewRow:
    row = find_hcg(ctx, ctx.argv[1])
    assert row is not None
    return row


def _hcg_del(ctx: Context) -> None:
    ctx.view().delete(_group(ctx))


def _hcg_list(ctx: Context) -> None:
    txn = ctx.view()
    out = []
    for g in txn.rows("HA_Chassis_Group"):
        out.append(f"{g.uuid} ({g['name']})\n")
        for ch in txn.referenced("HA_Chassis", g["ha_chassis"]):
            out.append(f"    {ch.uuid} ({ch['chassis_name']})\n")
            out.append(f"    priority {ch['priority']}\n\n")
        out.append("\n")
    ctx.out("".join(out))


def _hcg_set_priority(ctx: Context) -> bool:
    """GROUP CHASSIS PRIORITY: the chassis' priority set if the group has it (True)."""
    group = _group(ctx)
    priority = parse_priority(ctx.argv[3])
    txn = ctx.view()
    for ch in txn.referenced("HA_Chassis", group["ha_chassis"]):
        if ch["chassis_name"] == ctx.argv[2]:
            txn.write(ch, "priority", priority)
            return True
    return False


def _hcg_add_chassis(ctx: Context) -> None:
    if _hcg_set_priority(ctx):
        return
    txn = ctx.view()
    ch = txn.insert("HA_Chassis")
    txn.write(ch, "chassis_name", ctx.argv[2])
    txn.write(ch, "priority", parse_priority(ctx.argv[3]))
    txn.set_insert(_group(ctx), "ha_chassis", ch.uuid)


def _hcg_set_chassis_prio(ctx: Context) -> None:
    if not _hcg_set_priority(ctx):
        raise CtlError(f"{ctx.argv[2]}: ha chassis not found in {ctx.argv[1]} ha chassis group")


def _hcg_remove_chassis(ctx: Context) -> None:
    group = _group(ctx)
    chassis = ctx.argv[2]
    txn = ctx.view()
    for ch in txn.referenced("HA_Chassis", group["ha_chassis"]):
        if ch["chassis_name"] == chassis:
            txn.set_delete(group, "ha_chassis", ch.uuid)
            txn.delete(ch)
            return
    raise CtlError(f"{chassis}: ha chassis not found in {ctx.argv[1]} ha chassis group")


# -- static MAC bindings --------------------------------------------------------------------------

def _smb_ip(arg: str) -> str:
    ip = normalize_addr(arg)
    if ip is None:
        raise CtlError(f"{arg}: Not a valid IPv4 or IPv6 address.")
    return ip


def _smb_find(ctx: Context, port: str, ip: str) -> ViewRow | None:
    for r in ctx.view().rows("Static_MAC_Binding"):
        if r["logical_port"] == port and r["ip"] == ip:
            return r
    return None


def _smb_add(ctx: Context) -> None:
    port = ctx.argv[1]
    find_lrp(ctx, port)
    ip = _smb_ip(ctx.argv[2])
    mac = parse_mac(ctx.argv[3])
    if mac is None:
        raise CtlError(f"invalid mac address {ctx.argv[3]}.")
    txn = ctx.view()
    row = _smb_find(ctx, port, ip)
    if row is not None:
        if not ctx.has("--may-exist"):
            raise CtlError(f"{port}, {ip}: a Static_MAC_Binding with this logical_port and ip "
                           "already exists")
        txn.write(row, "mac", mac)
        return
    row = txn.insert("Static_MAC_Binding")
    txn.write(row, "logical_port", port)
    txn.write(row, "ip", ip)
    txn.write(row, "mac", mac)


def _smb_del(ctx: Context) -> None:
    port = ctx.argv[1]
    ip = _smb_ip(ctx.argv[2])
    row = _smb_find(ctx, port, ip)
    if row is None:
        if ctx.has("--if-exists"):
            return
        raise CtlError(f"no matching Static_MAC_Binding with port {port} and ip {ip}")
    ctx.view().delete(row)


def _smb_list(ctx: Context) -> None:
    rows = sorted(ctx.view().rows("Static_MAC_Binding"),
                  key=lambda r: (r["logical_port"].encode(), r["ip"].encode()))
    if not rows:
        return
    out = [f"{'LOGICAL_PORT':<25}{'IP':<25}MAC\n"]
    out.extend(f"{r['logical_port']:<25}{r['ip']:<25}{r['mac']}\n" for r in rows)
    ctx.out("".join(out))


# -- CoPP -----------------------------------------------------------------------------------------

def _copp(ctx: Context, name: str) -> ViewRow | None:
    return next((c for c in name_sorted(ctx.view().rows("Copp")) if c["name"] == name), None)


def _copp_add(ctx: Context) -> None:
    name, proto, meter = ctx.argv[1:4]
    if proto not in COPP_PROTOCOLS:
        raise CtlError("Invalid control protocol. Allowed values: "
                       + ", ".join(COPP_PROTOCOLS) + ".")
    txn = ctx.view()
    copp = _copp(ctx, name)
    if copp is None:
        copp = txn.insert("Copp")
        txn.write(copp, "name", name)
    txn.map_set(copp, "meters", proto, meter)


def _copp_del(ctx: Context) -> None:
    copp = _copp(ctx, ctx.argv[1])
    if copp is None:
        return
    if len(ctx.argv) > 2 and ctx.argv[2] not in COPP_PROTOCOLS:
        raise CtlError("Invalid control protocol. Allowed values: "
                       + ", ".join(COPP_PROTOCOLS) + ".")
    txn = ctx.view()
    if len(ctx.argv) == 2:
        txn.delete(copp)
    elif ctx.argv[2] in copp["meters"]:
        txn.map_delete(copp, "meters", ctx.argv[2])


def _copp_list(ctx: Context) -> None:
    copp = _copp(ctx, ctx.argv[1])
    if copp is None:
        return
    meters = copp["meters"]
    ctx.out("".join(f"{k}: {meters[k]}\n" for k in sorted(meters, key=str.encode)))


def _copp_attach(router: bool):  # noqa: ANN202
    def run(ctx: Context) -> None:
        copp = _copp(ctx, ctx.argv[1])
        if copp is None:
            raise CtlError(f"{ctx.argv[1]}: copp name not found")
        owner = find_lr(ctx, ctx.argv[2]) if router else find_ls(ctx, ctx.argv[2])
        assert owner is not None
        ctx.view().write(owner, "copp", frozenset((copp.uuid,)))
    return run


# -- mirrors --------------------------------------------------------------------------------------

def _mirror(ctx: Context, name: str) -> ViewRow | None:
    return next((m for m in ctx.view().rows("Mirror") if m["name"] == name), None)


def _mirror_add(ctx: Context) -> None:
    name, kind, index, selection, sink = ctx.argv[1:6]
    if _mirror(ctx, name) is not None:
        raise CtlError(f"Mirror with {name} name already exists.")
    if kind not in ("gre", "erspan"):
        raise CtlError(f'{kind}: type must be "gre" or "erspan"')
    if not re.fullmatch(r"[+-]?\d+", index):
        raise CtlError("Invalid Index")
    if selection not in ("to-lport", "from-lport"):
        raise CtlError(f'{selection}: selection must be "to-lport" or "from-lport"')
    if normalize_addr(sink) is None:
        raise CtlError(f"Invalid sink ip: {sink}")
    txn = ctx.view()
    m = txn.insert("Mirror")
    txn.write(m, "name", name)
    txn.write(m, "type", kind)
    txn.write(m, "index", int(index))
    txn.write(m, "filter", selection)
    txn.write(m, "sink", sink)


def _mirror_del(ctx: Context) -> None:
    txn = ctx.view()
    if len(ctx.argv) == 1:
        for m in txn.rows("Mirror"):
            txn.delete(m)
        return
    m = _mirror(ctx, ctx.argv[1])
    if m is not None:
        txn.delete(m)


def _mirror_list(ctx: Context) -> None:
    out = []
    for m in name_sorted(ctx.view().rows("Mirror")):
        out.append(f"{m['name']}:\n  Type     :  {m['type']}\n  Sink     :  {m['sink']}\n"
                   f"  Filter   :  {m['filter']}\n  Index/Key:  {m['index']}\n\n")
    ctx.out("".join(out))


# -- forwarding groups ----------------------------------------------------------------------------

def _fwd_group(ctx: Context, name: str) -> ViewRow | None:
    return next((f for f in ctx.view().rows("Forwarding_Group") if f["name"] == name), None)


def _fwd_add(ctx: Context) -> None:
    if len(ctx.argv) < 6:
        raise CtlError("Usage : ovn-nbctl fwd-group-add group switch vip vmac child_ports...")
    name = ctx.argv[1]
    ls = find_ls(ctx, ctx.argv[2])
    assert ls is not None
    vip, vmac = ctx.argv[3], ctx.argv[4]
    if _fwd_group(ctx, name) is not None:
        raise CtlError(f"{name}: a forwarding group by this name already exists")
    if normalize_addr(vip) is None:
        raise CtlError(f"invalid ip address {vip}")
    if parse_mac(vmac) is None:
        raise CtlError(f"invalid mac address {vmac}")
    ports = ctx.argv[5:]
    for p in ports:
        lsp = find_lsp(ctx, p, must_exist=False)
        if lsp is None:
            raise CtlError(f"{p}: logical switch port does not exist")
        if lsp.uuid not in ls["ports"]:
            owner = next((s["name"] for s in ctx.view().rows("Logical_Switch")
                          if lsp.uuid in s["ports"]), "")
            raise CtlError(f"{p}: port already exists but in logical switch {owner}")
    txn = ctx.view()
    fg = txn.insert("Forwarding_Group")
    txn.write(fg, "name", name)
    txn.write(fg, "vip", vip)
    txn.write(fg, "vmac", vmac)
    txn.write(fg, "child_port", frozenset(ports))
    if ctx.has("--liveness"):
        txn.write(fg, "liveness", True)
    txn.set_insert(ls, "forwarding_groups", fg.uuid)


def _fwd_del(ctx: Context) -> None:
    fg = _fwd_group(ctx, ctx.argv[1])
    if fg is None:
        return  # ovn-nbctl says nothing, --if-exists or not
    txn = ctx.view()
    for ls in txn.rows("Logical_Switch"):
        if fg.uuid in ls["forwarding_groups"]:
            txn.set_delete(ls, "forwarding_groups", fg.uuid)
    txn.delete(fg)


def _fwd_list(ctx: Context) -> None:
    txn = ctx.view()
    switches = txn.rows("Logical_Switch")
    if len(ctx.argv) > 1:
        ls = find_ls(ctx, ctx.argv[1])
        switches = [ls] if ls is not None else []
    out = [f"{'FWD_GROUP':<16}{'LS':<14}{'VIP':<16}{'VMAC':<22}CHILD_PORTS\n"]
    for ls in switches:
        for fg in txn.referenced("Forwarding_Group", ls["forwarding_groups"]):
            out.append(f"{fg['name']:<16}{ls['name']:<14}{fg['vip']:<15}{fg['vmac']:<23}"
                       + " ".join(sorted(fg["child_port"], key=str.encode)) + "\n")
    ctx.out("".join(out))


COMMANDS = [
    CommandSyntax("dhcp-options-create", 1, UNLIMITED, _dhcp_create, usage="CIDR [EXTERNAL:IDS]"),
    CommandSyntax("dhcp-options-del", 1, 1, _dhcp_del, usage="DHCP_OPT_UUID"),
    CommandSyntax("dhcp-options-list", 0, 0, _dhcp_list, mode="ro"),
    CommandSyntax("dhcp-options-set-options", 1, UNLIMITED, _dhcp_set_options,
                  usage="DHCP_OPT_UUID KEY=VALUE [KEY=VALUE]..."),
    CommandSyntax("dhcp-options-get-options", 1, 1, _dhcp_get_options, mode="ro",
                  usage="DHCP_OPT_UUID"),
    CommandSyntax("ha-chassis-group-add", 1, 1, _hcg_add, usage="GROUP"),
    CommandSyntax("ha-chassis-group-del", 1, 1, _hcg_del, usage="GROUP"),
    CommandSyntax("ha-chassis-group-list", 0, 0, _hcg_list, mode="ro"),
    CommandSyntax("ha-chassis-group-add-chassis", 3, 3, _hcg_add_chassis,
                  usage="GROUP CHASSIS PRIORITY"),
    CommandSyntax("ha-chassis-group-set-chassis-prio", 3, 3, _hcg_set_chassis_prio,
                  usage="GROUP CHASSIS PRIORITY"),
    CommandSyntax("ha-chassis-group-remove-chassis", 2, 2, _hcg_remove_chassis,
                  usage="GROUP CHASSIS"),
    *remote_commands(Remotes("NB_Global", "connection", "connections", "Connection", "nbctl")),
    *ssl_commands("NB_Global", protocols=True),
    CommandSyntax("static-mac-binding-add", 3, 3, _smb_add, ("--may-exist",),
                  usage="LOGICAL_PORT IP MAC"),
    CommandSyntax("static-mac-binding-del", 2, 2, _smb_del, ("--if-exists",),
                  usage="LOGICAL_PORT IP"),
    CommandSyntax("static-mac-binding-list", 0, 0, _smb_list, mode="ro"),
    CommandSyntax("copp-add", 3, 3, _copp_add, usage="NAME PROTO METER"),
    CommandSyntax("copp-del", 1, 2, _copp_del, usage="NAME [PROTO]"),
    CommandSyntax("copp-list", 1, 1, _copp_list, mode="ro", usage="NAME"),
    CommandSyntax("ls-copp-add", 2, 2, _copp_attach(False), usage="NAME SWITCH"),
    CommandSyntax("lr-copp-add", 2, 2, _copp_attach(True), usage="NAME ROUTER"),
    # --may-exist is accepted and changes nothing: ovn-nbctl still refuses an existing name.
    CommandSyntax("mirror-add", 5, 5, _mirror_add, ("--may-exist",), usage="NAME TYPE INDEX FILTER IP"),
    CommandSyntax("mirror-del", 0, 1, _mirror_del, usage="[NAME]"),
    CommandSyntax("mirror-list", 0, 0, _mirror_list, mode="ro"),
    CommandSyntax("fwd-group-add", 4, UNLIMITED, _fwd_add, ("--liveness",),
                  usage="GROUP SWITCH VIP VMAC PORTS..."),
    CommandSyntax("fwd-group-del", 1, 1, _fwd_del, ("--if-exists",), usage="GROUP"),
    CommandSyntax("fwd-group-list", 0, 1, _fwd_list, mode="ro", usage="[SWITCH]"),
]
