"""ovn-nbctl's NAT commands: ``lr-nat-add``, ``lr-nat-del``, ``lr-nat-list``.

A NAT is identified by its type and its "own" address: the logical IP (a network) for ``snat``,
the external IP for ``dnat`` and ``dnat_and_snat``. Adding one whose own address is taken by a
NAT of the same type fails, unless both addresses match and ``--may-exist`` is given. As in the
real tool, a later error in the same command replaces an earlier one, and the earlier one is
logged as discarded.
"""

from __future__ import annotations

import re

from pyovn.ctl.context import Context
from pyovn.ctl.nbctl_common import (
    find_lr,
    find_lrp,
    find_lsp,
    first,
    ip_parse,
    ipv6_parse,
    normalize_addr,
    normalize_prefix,
    parse_mac,
)
from pyovn.ctl.registry import Command, CtlError
from pyovn.ctl.txnview import Row

__all__ = ["COMMANDS", "NAT_TYPES"]

NAT_TYPES = ("dnat", "snat", "dnat_and_snat")
_TYPE_ERROR = 'type must be one of "dnat", "snat" and "dnat_and_snat".'


def _log_discarded(message: str) -> None:
    import sys
    import time

    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    sys.stderr.write(f"{stamp}|00002|db_ctl_base|ERR|Discarding unhandled error: {message}\n")


def _valid_port_range(s: str) -> bool:
    m = re.fullmatch(r"(\d+)(?:-(\d+))?", s)
    if m is None:
        return False
    lo = int(m.group(1))
    if m.group(2) is None:
        return True
    hi = int(m.group(2))
    return 0 < lo <= hi <= 65535


def _router(ctx: Context) -> Row:
    lr = find_lr(ctx, ctx.argv[1])
    assert lr is not None
    return lr


def _lr_nat_add(ctx: Context) -> None:
    lr = _router(ctx)
    nat_type = ctx.argv[2]
    if nat_type not in NAT_TYPES:
        raise CtlError(f"{nat_type}: {_TYPE_ERROR}")
    is_snat = nat_type == "snat"
    raw_ext = ctx.argv[3]
    v6 = False
    if ip_parse(raw_ext) is None:
        if ipv6_parse(raw_ext) is None:
            raise CtlError(f"{raw_ext}: Not a valid IPv4 or IPv6 address.")
        v6 = True
    external_ip = normalize_addr(raw_ext)
    assert external_ip is not None
    family = "IPv6" if v6 else "IPv4"
    raw_log = ctx.argv[4]
    if not is_snat:
        ok = (ipv6_parse(raw_log) if v6 else ip_parse(raw_log)) is not None
        if not ok:
            raise CtlError(f"{raw_log}: Not a valid {family} address.")
        logical_ip = normalize_addr(raw_log)
    else:
        logical_ip = normalize_prefix(raw_log)
        if logical_ip is None or (":" in logical_ip) != v6:
            raise CtlError(f"{raw_log}: should be an {family} address or network.")
    assert logical_ip is not None
    logical_port = external_mac = port_range = None
    argc = len(ctx.argv)
    if argc == 6:
        if not ctx.has("--portrange"):
            raise CtlError("lr-nat-add with logical_port must also specify external_mac.")
        port_range = ctx.argv[5]
    elif argc >= 7:
        if nat_type != "dnat_and_snat":
            raise CtlError('logical_port and external_mac are only valid when type is '
                           '"dnat_and_snat".')
        logical_port, external_mac = ctx.argv[5], ctx.argv[6]
        find_lsp(ctx, logical_port)
        if parse_mac(external_mac) is None:
            raise CtlError(f"invalid mac address {external_mac}.")
        if argc == 8:
            port_range = ctx.argv[7]
    if port_range is not None and not _valid_port_range(port_range):
        raise CtlError(f"invalid port range {port_range}.")
    stateless = ctx.has("--stateless")
    if stateless and nat_type != "dnat_and_snat":
        raise CtlError("stateless is not applicable to dnat or snat types")
    gw_name = ctx.option("--gateway-port")
    gw: Row | None = None
    if gw_name is not None:
        gw = find_lrp(ctx, gw_name)
        assert gw is not None
        if gw.uuid not in lr["ports"]:
            raise CtlError(f"{gw_name} is not a router port of logical router: "
                           f"{ctx.argv[1]}.")
    txn = ctx.view()
    error: str | None = None

    def fail(message: str) -> None:
        nonlocal error
        if error is not None:
            _log_discarded(error)
        error = message

    # One pass in reference-set order, as the real tool: a same-type clash is remembered and the
    # search goes on; a stateless/stateful clash on the external IP ends it.
    for nat in txn.referenced("NAT", lr["nat"]):
        old = nat["logical_ip"] if is_snat else nat["external_ip"]
        new = logical_ip if is_snat else external_ip
        if nat["type"] == nat_type and (normalize_prefix(old) or old) == new and \
                (gw is None or first(nat["gateway_port"]) in (None, gw.uuid)):
            other_old = nat["external_ip"] if is_snat else nat["logical_ip"]
            other_new = external_ip if is_snat else logical_ip
            if (normalize_prefix(other_old) or other_old) == other_new:
                if ctx.has("--may-exist"):
                    if logical_port is not None:
                        txn.write(nat, "logical_port", frozenset((logical_port,)))
                        txn.write(nat, "external_mac", frozenset((external_mac,)))
                    return
                raise CtlError(f"{external_ip}, {logical_ip}: a NAT with this external_ip "
                               "and logical_ip already exists")
            fail(f"a NAT with this type ({nat_type}), "
                 f"{'logical_ip' if is_snat else 'external_ip'} ({new}) already exists")
        if "dnat_and_snat" in (nat["type"], nat_type) and nat["external_ip"] == external_ip \
                and stateless != (nat["options"].get("stateless") == "true"):
            fail(f"{external_ip}, {logical_ip}: External ip cannot be shared across "
                 "stateless and stateful NATs")
            break
    if error is not None:
        raise CtlError(error)
    nat = txn.insert("NAT")
    txn.write(nat, "type", nat_type)
    txn.write(nat, "external_ip", external_ip)
    txn.write(nat, "logical_ip", logical_ip)
    if logical_port is not None:
        txn.write(nat, "logical_port", frozenset((logical_port,)))
        txn.write(nat, "external_mac", frozenset((external_mac,)))
    if port_range is not None:
        txn.write(nat, "external_port_range", port_range)
    options = {}
    if stateless:
        options["stateless"] = "true"
    if ctx.has("--add-route"):
        options["add_route"] = "true"
    if options:
        txn.write(nat, "options", options)
    if gw is not None:
        txn.write(nat, "gateway_port", frozenset((gw.uuid,)))
    txn.set_insert(lr, "nat", nat.uuid)


def _lr_nat_del(ctx: Context) -> None:
    lr = _router(ctx)
    txn = ctx.view()
    if len(ctx.argv) == 2:
        txn.write(lr, "nat", frozenset())
        return
    nat_type = ctx.argv[2]
    if nat_type not in NAT_TYPES:
        raise CtlError(f"{nat_type}: {_TYPE_ERROR}")
    nats = [n for n in txn.referenced("NAT", lr["nat"]) if n["type"] == nat_type]
    if len(ctx.argv) == 3:
        for n in nats:
            txn.set_delete(lr, "nat", n.uuid)
        return
    is_snat = nat_type == "snat"
    ip = normalize_prefix(ctx.argv[3])
    gw: Row | None = None
    if ip is None:
        gw = find_lrp(ctx, ctx.argv[3])
    elif len(ctx.argv) > 4:
        gw = find_lrp(ctx, ctx.argv[4])
    removed = 0
    for n in nats:
        if ip is not None:
            own = n["logical_ip"] if is_snat else n["external_ip"]
            if (normalize_prefix(own) or own) != ip:
                continue
        if gw is not None and first(n["gateway_port"]) != gw.uuid:
            continue
        txn.set_delete(lr, "nat", n.uuid)
        removed += 1
    if not removed and ip is not None and gw is not None and not ctx.has("--if-exists"):
        raise CtlError(f"no matching NAT with the type ({nat_type}), ip ({ip}) and "
                       f"gateway_port ({gw['name']})")


def _lr_nat_list(ctx: Context) -> None:
    lr = _router(ctx)
    txn = ctx.view()
    nats = txn.referenced("NAT", lr["nat"])
    if not nats:
        return
    nats.sort(key=lambda n: (n["type"].encode(), n["external_ip"].encode()))
    out = ["TYPE             GATEWAY_PORT          EXTERNAL_IP        EXTERNAL_PORT    "
           "LOGICAL_IP          EXTERNAL_MAC         LOGICAL_PORT\n"]
    for n in nats:
        gw_uuid = first(n["gateway_port"])
        gw = txn.get("Logical_Router_Port", gw_uuid) if gw_uuid else None
        line = (f"{n['type'][:13]:<17}{(gw['name'] if gw else '')[:18]:<22}"
                f"{n['external_ip'][:17]:<19}{n['external_port_range'][:13]:<17}")
        mac = first(n["external_mac"])
        if mac is not None:
            line += f"{n['logical_ip'][:17]:<20}{mac[:17]:<21}{first(n['logical_port']) or ''}"
        else:
            line += n["logical_ip"][:17]
        out.append(line + "\n")
    ctx.out("".join(out))


COMMANDS = [
    Command("lr-nat-add", 4, 7, _lr_nat_add,
            ("--may-exist", "--stateless", "--portrange", "--add-route", "--gateway-port="),
            usage="ROUTER TYPE EXTERNAL_IP LOGICAL_IP [LOGICAL_PORT EXTERNAL_MAC] "
                  "[EXTERNAL_PORT_RANGE]"),
    Command("lr-nat-del", 1, 4, _lr_nat_del, ("--if-exists",),
            usage="ROUTER [TYPE [IP] [GATEWAY_PORT]]"),
    Command("lr-nat-list", 1, 1, _lr_nat_list, mode="ro", usage="ROUTER"),
]
