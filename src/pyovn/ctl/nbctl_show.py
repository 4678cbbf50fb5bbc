"""ovn-nbctl's ``show [SWITCH|ROUTER]``: switches with their ports, routers with ports and NATs.

The layout is the real tool's (it is not the generic ``show`` of the ctl core): one
``switch UUID (NAME)`` or ``router UUID (NAME)`` line, with `` (aka NAME)`` when the Neutron
name is in ``external_ids``, then indented details. Ports and NATs come in the order of the
row's reference set (UUID order), as the IDL hands them to the real tool. With an argument, the
switch and the router of that name (or UUID) are shown, either or both, and nothing if neither
exists.
"""

from __future__ import annotations

from pyovn.ctl.context import Context
from pyovn.ctl.nbctl_common import find_lr, find_ls, first
from pyovn.ctl.txnview import ViewRow

__all__ = ["show", "format_ls", "format_lr"]


def _alias(row: ViewRow, key: str) -> str:
    name = row["external_ids"].get(key)
    return f" (aka {name})" if name else ""


def _quoted_list(values: list[str]) -> str:
    return "[" + ", ".join(f'"{v}"' for v in values) + "]"


def format_ls(ctx: Context, ls: ViewRow) -> str:
    txn = ctx.view()
    out = [f"switch {ls.uuid} ({ls['name']}){_alias(ls, 'neutron:network_name')}\n"]
    for lsp in txn.referenced("Logical_Switch_Port", ls["ports"]):
        out.append(f"    port {lsp['name']}{_alias(lsp, 'neutron:port_name')}\n")
        parent = first(lsp["parent_name"])
        if parent is not None:
            out.append(f"        parent: {parent}\n")
        tag = first(lsp["tag"])
        if tag is not None:
            out.append(f"        tag: {tag}\n")
        kind = lsp["type"]
        if kind:
            out.append(f"        type: {kind}\n")
        router_port = lsp["options"].get("router-port")
        if lsp["addresses"] and not (kind == "router" and router_port is not None):
            out.append("        addresses: "
                       f"{_quoted_list(sorted(lsp['addresses'], key=str.encode))}\n")
        if router_port is not None:
            out.append(f"        router-port: {router_port}\n")
    return "".join(out)


def format_lr(ctx: Context, lr: ViewRow) -> str:
    txn = ctx.view()
    out = [f"router {lr.uuid} ({lr['name']}){_alias(lr, 'neutron:router_name')}\n"]
    for lrp in txn.referenced("Logical_Router_Port", lr["ports"]):
        out.append(f"    port {lrp['name']}\n")
        if lrp["mac"]:
            out.append(f'        mac: "{lrp["mac"]}"\n')
        if lrp["networks"]:
            out.append("        networks: "
                       f"{_quoted_list(sorted(lrp['networks'], key=str.encode))}\n")
        gcs = txn.referenced("Gateway_Chassis", lrp["gateway_chassis"])
        if gcs:
            out.append("        gateway chassis: ["
                       + " ".join(g["chassis_name"] for g in gcs) + "]\n")
    for nat in txn.referenced("NAT", lr["nat"]):
        out.append(f"    nat {nat.uuid}\n")
        out.append(f'        external ip: "{nat["external_ip"]}"\n')
        out.append(f'        logical ip: "{nat["logical_ip"]}"\n')
        out.append(f'        type: "{nat["type"]}"\n')
    return "".join(out)


def show(ctx: Context) -> None:
    txn = ctx.view()
    if len(ctx.argv) > 1:
        ls = find_ls(ctx, ctx.argv[1], False)
        if ls is not None:
            ctx.out(format_ls(ctx, ls))
        lr = find_lr(ctx, ctx.argv[1], False)
        if lr is not None:
            ctx.out(format_lr(ctx, lr))
        return
    for ls in txn.rows("Logical_Switch"):
        ctx.out(format_ls(ctx, ls))
    for lr in txn.rows("Logical_Router"):
        ctx.out(format_lr(ctx, lr))
