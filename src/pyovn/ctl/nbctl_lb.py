"""ovn-nbctl's load balancer commands: ``lb-*``, ``ls-lb-*``, ``lr-lb-*``.

VIPs and backends are parsed like OVS's ``inet_parse_active`` (``IP``, ``IP:PORT``,
``[IPv6]:PORT`` or a bare IPv6 address), logging the same ``socket_util`` errors, and stored
normalised (``[fd00::1]:80``). ``lb-list`` prints one line per VIP, the protocol only for VIPs
with a port, with the VIP column as wide as the longest VIP listed plus four.
"""

from __future__ import annotations

import ipaddress
import re
import sys
import time

from pyovn.ctl.context import Context
from pyovn.ctl.nbctl_common import (
    find_lb,
    find_lr,
    find_ls,
    first,
    ip4_text,
    ip6_text,
    ip_parse,
    ipv6_parse,
)
from pyovn.ctl.registry import CommandSyntax, CtlError
from pyovn.ctl.txnview import ViewRow

__all__ = ["COMMANDS", "parse_endpoint"]

_PROTOCOLS = ("tcp", "udp", "sctp")
_seq = 1


def _log_err(message: str) -> None:
    global _seq
    _seq += 1
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    sys.stderr.write(f"{stamp}|{_seq:05d}|socket_util|ERR|{message}\n")


def parse_endpoint(s: str) -> tuple[int, str, int] | None:
    """(family 4|6, address text, port or 0) of an endpoint; None (after logging) if bad."""
    if s.startswith("["):
        close = s.find("]")
        host = s[1:] if close < 0 else s[1:close]
        rest = "" if close < 0 else s[close + 1:]
        port_s = rest[1:] if rest.startswith(":") else ""
    elif s.count(":") > 1:
        host, port_s = s, ""
    else:
        host, _, port_s = s.partition(":")
    port = 0
    if port_s:
        if re.fullmatch(r"\s*[+-]?\d+", port_s) is None or not 0 <= int(port_s) <= 65535:
            _log_err(f'{s}: bad port number "{port_s}"')
            return None
        port = int(port_s)
    if ":" in host:
        ip = ipv6_parse(host)
        if ip is None:
            _log_err(f'{s}: bad IPv6 address "{host}"')
            return None
        return 6, ip6_text(ip), port
    ip = ip_parse(host)
    if ip is None:
        _log_err(f'{s}: bad IP address "{host}"')
        return None
    return 4, ip4_text(ip), port


def _endpoint_text(family: int, addr: str, port: int) -> str:
    if not port:
        return addr
    return f"[{addr}]:{port}" if family == 6 else f"{addr}:{port}"


def _lb_add(ctx: Context) -> None:
    name, vip_arg, ips_arg = ctx.argv[1:4]
    may_exist = ctx.has("--may-exist")
    dup = ctx.has("--add-duplicate")  # with --may-exist too: ovn-nbctl then adds a duplicate
    template = ctx.has("--template")
    reject, event = ctx.has("--reject"), ctx.has("--event")
    if reject and event:
        raise CtlError("--reject and --event can't specified at the same time")
    proto = "tcp"
    if len(ctx.argv) >= 5:
        proto = ctx.argv[4]
        if proto not in _PROTOCOLS:
            raise CtlError(f'{proto}: protocol must be one of "tcp", "udp",  or "sctp".')
    # ADDRESS_FAMILY (a 6th word) only matters for templates; anything but ipv4 is ipv6.
    family = "ipv4" if len(ctx.argv) < 6 or ctx.argv[5] == "ipv4" else "ipv6"
    if template:
        # Template VIPs and backends are stored as written: ^VAR[:^PORT_VAR|:PORT].
        if vip_arg.count(":") > 1:
            raise CtlError(f"{vip_arg}: should be a template of the form: "
                           "'^vip_variable[:^port_variable|:port]'.")
        with_port = ":" in vip_arg
        if len(ctx.argv) >= 5 and not with_port:
            raise CtlError("Protocol is unnecessary when no port of vip is given.")
        vip_text, ips = vip_arg, ips_arg
    else:
        vip_text, ips, with_port = _lb_endpoints(ctx, vip_arg, ips_arg)
    txn = ctx.view()
    lb = None if dup else find_lb(ctx, name, False)
    if lb is not None and vip_text in lb["vips"]:
        if not may_exist:
            raise CtlError(f"{name}: a load balancer with this vip ({vip_text}) already exists")
        txn.map_set(lb, "vips", vip_text, ips)
        if len(ctx.argv) >= 5:
            txn.write(lb, "protocol", frozenset((proto,)))
        return
    if lb is None:
        lb = txn.insert("Load_Balancer")
        txn.write(lb, "name", name)
        txn.write(lb, "protocol", frozenset((proto,)))  # tcp unless given, port or not
        options = {}
        if reject:
            options["reject"] = "true"
        if event:
            options["event"] = "true"
        if ctx.has("--add-route"):
            options["add_route"] = "true"
        if template:
            options["template"] = "true"
            options["address-family"] = family
        if options:
            txn.write(lb, "options", options)
    txn.map_set(lb, "vips", vip_text, ips)


def _lb_endpoints(ctx: Context, vip_arg: str, ips_arg: str) -> tuple[str, str, bool]:
    """The normalised VIP text, backends text and whether the VIP has a port."""
    vip = parse_endpoint(vip_arg)
    if vip is None:
        raise CtlError(f"{vip_arg}: should be an IP address (or an IP address and a port "
                       "number with : as a separator).")
    with_port = vip[2] != 0
    if len(ctx.argv) >= 5 and not with_port:
        raise CtlError("Protocol is unnecessary when no port of vip is given.")
    backends = []
    for token in ips_arg.split(","):
        if not token:
            continue
        ep = parse_endpoint(token)
        if ep is None:
            raise CtlError(f"{token}: should be an IP address.")
        if ep[0] != vip[0]:
            raise CtlError(f"{token}: IP address family is different from VIP {vip[1]}.")
        if with_port and not ep[2]:
            raise CtlError(f"{token}: should be an IP address and a port number with : as "
                           "a separator.")
        if not with_port and ep[2]:
            raise CtlError(f"{token}: should be an IP address.")
        backends.append(_endpoint_text(*ep))
    return _endpoint_text(*vip), ",".join(backends), with_port


def _lb_del(ctx: Context) -> None:
    if_exists = ctx.has("--if-exists")
    lb = find_lb(ctx, ctx.argv[1], False)
    if lb is None:
        return
    txn = ctx.view()
    if len(ctx.argv) == 3:
        vip = ctx.argv[2]
        if vip in lb["vips"]:
            txn.map_delete(lb, "vips", vip)
        elif not if_exists:
            raise CtlError(f"vip {vip} is not part of the load balancer.")
        return
    txn.delete(lb)


def _lbs_text(lbs: list[ViewRow]) -> str:
    if not lbs:
        return ""
    width = max((len(v) for lb in lbs for v in lb["vips"]), default=0) + 4
    out = [f"{'UUID':<40}{'LB':<20}{'PROTO':<11}{'VIP':<{width}}IPs\n"]
    for lb in lbs:
        vips = sorted(lb["vips"], key=str.encode)
        head = f"{lb.uuid}    {lb['name'][:16]:<20}"
        if not vips:
            out.append(head + "\n")
            continue
        for i, vip in enumerate(vips):
            # No protocol is shown only for a plain IP without a port; template VIPs
            # (^VAR[:PORT]) and VIPs with a port show it.
            proto = "" if _plain_ip(vip) else (first(lb["protocol"]) or "tcp")
            prefix = head if i == 0 else " " * 60
            out.append(f"{prefix}{proto[:7]:<11}{vip:<{width}}{lb['vips'][vip]}\n")
    return "".join(out)


def _plain_ip(vip: str) -> bool:
    try:
        ipaddress.ip_address(vip)
    except ValueError:
        return False
    return True


def _lb_sorted(lbs: list[ViewRow]) -> list[ViewRow]:
    return sorted(lbs, key=lambda r: (r["name"].encode(), r.uuid))


def _lb_list(ctx: Context) -> None:
    txn = ctx.view()
    lbs = txn.rows("Load_Balancer")
    if len(ctx.argv) > 1:
        ident = ctx.argv[1]
        lbs = [lb for lb in lbs if lb["name"] == ident or lb.uuid == ident.lower()]
    ctx.out(_lbs_text(_lb_sorted(lbs)))


def _owner(ctx: Context, router: bool) -> ViewRow:
    row = find_lr(ctx, ctx.argv[1]) if router else find_ls(ctx, ctx.argv[1])
    assert row is not None
    return row


def _lb_attach(router: bool):  # noqa: ANN202
    def run(ctx: Context) -> None:
        owner = _owner(ctx, router)
        lb = find_lb(ctx, ctx.argv[2])
        assert lb is not None
        if lb.uuid in owner["load_balancer"]:
            if ctx.has("--may-exist"):
                return
            raise CtlError(f"{lb.uuid} : a load balancer with this UUID already exists")
        ctx.view().set_insert(owner, "load_balancer", lb.uuid)
    return run


def _lb_detach(router: bool):  # noqa: ANN202
    def run(ctx: Context) -> None:
        owner = _owner(ctx, router)
        txn = ctx.view()
        if len(ctx.argv) == 2:
            txn.write(owner, "load_balancer", frozenset())
            return
        lb = find_lb(ctx, ctx.argv[2])
        assert lb is not None
        if lb.uuid in owner["load_balancer"]:
            txn.set_delete(owner, "load_balancer", lb.uuid)
        elif not ctx.has("--if-exists"):
            kind = "router" if router else "switch"
            raise CtlError(f"load balancer {ctx.argv[2]} is not part of any logical {kind}.")
    return run


def _lb_owner_list(router: bool):  # noqa: ANN202
    def run(ctx: Context) -> None:
        owner = _owner(ctx, router)
        lbs = ctx.view().referenced("Load_Balancer", owner["load_balancer"])
        ctx.out(_lbs_text(_lb_sorted(lbs)))
    return run


COMMANDS = [
    CommandSyntax("lb-add", 3, 5, _lb_add, ("--may-exist", "--add-duplicate", "--reject", "--event",
                                      "--add-route", "--template"),
                  usage="LB VIP[:PORT] IP[:PORT]... [PROTOCOL] [ADDRESS_FAMILY]"),
    CommandSyntax("lb-del", 1, 2, _lb_del, ("--if-exists",), usage="LB [VIP]"),
    CommandSyntax("lb-list", 0, 1, _lb_list, mode="ro", usage="[LB]"),
    CommandSyntax("lr-lb-add", 2, 2, _lb_attach(True), ("--may-exist",), usage="ROUTER LB"),
    CommandSyntax("lr-lb-del", 1, 2, _lb_detach(True), ("--if-exists",), usage="ROUTER [LB]"),
    CommandSyntax("lr-lb-list", 1, 1, _lb_owner_list(True), mode="ro", usage="ROUTER"),
    CommandSyntax("ls-lb-add", 2, 2, _lb_attach(False), ("--may-exist",), usage="SWITCH LB"),
    CommandSyntax("ls-lb-del", 1, 2, _lb_detach(False), ("--if-exists",), usage="SWITCH [LB]"),
    CommandSyntax("ls-lb-list", 1, 1, _lb_owner_list(False), mode="ro", usage="SWITCH"),
]
