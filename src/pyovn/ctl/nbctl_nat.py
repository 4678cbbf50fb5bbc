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
    ip_parse_masked,
    ipv6_parse,
    ipv6_parse_masked,
    normalize_addr,
    normalize_prefix,
    parse_mac,
)
from pyovn.ctl.registry import CommandSyntax, CtlError
from pyovn.ctl.txnview import ViewRow

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


def _opt(value: str | None) -> frozenset[str]:
    return frozenset() if value is None else frozenset((value,))


def _is_dgw(lrp: ViewRow) -> bool:
    return bool(lrp["ha_chassis_group"]) or bool(lrp["gateway_chassis"])


def _in_networks(lrp: ViewRow, ip: str) -> bool:
    """ovn-nbctl's ip_in_lrp_networks: ``ip`` lies in one of the port's networks."""
    v4 = "." in ip
    addr = ip_parse(ip) if v4 else ipv6_parse(ip)
    if addr is None:
        return False
    bits = 32 if v4 else 128
    for network in lrp["networks"]:
        got = ip_parse_masked(network) if v4 else ipv6_parse_masked(network)
        if isinstance(got, str):
            continue
        net, plen = got
        shift = bits - plen
        if (net ^ addr) >> shift == 0:
            return True
    return False


def _gateway_port(ctx: Context, lr: ViewRow, external_ip: str) -> tuple[ViewRow | None, ViewRow | None, int]:
    """(the --gateway-port row, the gateway port a clash is looked for on, how many distributed
    gateway ports the router has), as lr-nat-add works them out."""
    txn = ctx.view()
    ports = txn.referenced("Logical_Router_Port", lr["ports"])
    num_dgw = sum(1 for p in ports if _is_dgw(p))
    gw_name = ctx.option("--gateway-port")
    if gw_name is not None:
        gw = find_lrp(ctx, gw_name)
        assert gw is not None
        if gw.uuid not in lr["ports"]:
            raise CtlError(f"{gw_name} is not a router port of logical router: "
                           f"{ctx.argv[1]}.")
        if not _is_dgw(gw):
            raise CtlError(f"{gw_name} is not a distributed gateway router port.")
        return gw, gw, num_dgw
    dgw: ViewRow | None = None
    for p in ports:
        if _is_dgw(p) and _in_networks(p, external_ip):
            dgw = p
    if num_dgw > 1 and dgw is None:
        raise CtlError(f"logical router: {ctx.argv[1]} has multiple distributed gateway ports "
                       "and gateway_port can not be determined from external IP of NAT rule.")
    return None, dgw, num_dgw


def _router(ctx: Context) -> ViewRow:
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
        if argc == 7 and ctx.has("--portrange"):
            raise CtlError("lr-nat-add with logical_port must also specify external_mac.")
        logical_port, external_mac = ctx.argv[5], ctx.argv[6]
        find_lsp(ctx, logical_port)
        if parse_mac(external_mac) is None:
            raise CtlError(f"invalid mac address {external_mac}.")
        if argc == 8:
            port_range = ctx.argv[7]
    if port_range is not None and not _valid_port_range(port_range):
        raise CtlError(f"invalid port range {port_range}.")
    may_exist = ctx.has("--may-exist")
    stateless = ctx.has("--stateless")
    if stateless and nat_type != "dnat_and_snat":
        raise CtlError("stateless is not applicable to dnat or snat types")
    add_route = ctx.has("--add-route")
    if is_snat and add_route:
        raise CtlError("routes cannot be added for snat types.")
    txn = ctx.view()
    gw, dgw, num_dgw = _gateway_port(ctx, lr, external_ip)

    # One pass in reference-set order, as the real tool: the first NAT that clashes ends it.
    # A same-type clash on the NAT's own address is an error (or, with --may-exist and both
    # addresses equal, an update of logical_port/external_mac); a stateless/stateful clash on
    # the external IP of a dnat_and_snat is one too, but --may-exist silences it (nothing is
    # added either way). When both happen the second error replaces the first.
    error: str | None = None

    def fail(message: str) -> None:
        nonlocal error
        if error is not None:
            _log_discarded(error)
        error = message

    for nat in txn.referenced("NAT", lr["nat"]):
        old_ext = normalize_prefix(nat["external_ip"])
        old_log = normalize_prefix(nat["logical_ip"])
        if old_ext is None or old_log is None:
            continue
        done = False
        same_gw = num_dgw <= 1 or (dgw is not None and (
            first(nat["gateway_port"]) == dgw.uuid
            or (not nat["gateway_port"] and _in_networks(dgw, old_ext))))
        own_new, other_new = (logical_ip, external_ip) if is_snat else (external_ip, logical_ip)
        own_old, other_old = (old_log, old_ext) if is_snat else (old_ext, old_log)
        if nat["type"] == nat_type and same_gw and own_new == own_old:
            done = True
            if other_new != other_old:
                fail(f"a NAT with this type ({nat_type}), "
                     f"{'logical_ip' if is_snat else 'external_ip'} ({own_new}) already exists")
            elif may_exist:
                txn.write(nat, "logical_port", _opt(logical_port))
                txn.write(nat, "external_mac", _opt(external_mac))
            else:
                fail(f"{external_ip}, {logical_ip}: a NAT with this external_ip "
                     "and logical_ip already exists")
        if "dnat_and_snat" in (nat["type"], nat_type) and old_ext == external_ip \
                and (stateless or nat["options"].get("stateless") == "true"):
            if not may_exist:
                fail(f"{external_ip}, {logical_ip}: External ip cannot be shared across "
                     "stateless and stateful NATs")
            done = True
        if done:
            if error is not None:
                raise CtlError(error)
            return
    nat = txn.insert("NAT")
    txn.write(nat, "type", nat_type)
    txn.write(nat, "external_ip", external_ip)
    txn.write(nat, "logical_ip", logical_ip)
    if logical_port is not None:
        txn.write(nat, "logical_port", frozenset((logical_port,)))
        txn.write(nat, "external_mac", frozenset((external_mac,)))
    if port_range is not None:
        txn.write(nat, "external_port_range", port_range)
    # Every NAT the real tool adds says whether it is stateless, "false" included.
    options = {"stateless": "true" if stateless else "false"}
    if add_route:
        options["add_route"] = "true"
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
    gw: ViewRow | None = None
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


def _lr_nat_update_ext_ip(ctx: Context) -> None:
    lr = _router(ctx)
    nat_type, ip_arg, set_name = ctx.argv[2:5]
    if nat_type not in NAT_TYPES:
        raise CtlError(f"{nat_type}: {_TYPE_ERROR}")
    ip = normalize_prefix(ip_arg)
    if ip is None:
        raise CtlError(f"{ip_arg}: Invalid IP address or CIDR")
    txn = ctx.view()
    address_set = next((a for a in txn.rows("Address_Set") if a["name"] == set_name), None)
    if address_set is None:
        raise CtlError(f"{set_name}: Address Set name not found")
    for n in txn.referenced("NAT", lr["nat"]):
        own = n["logical_ip"] if nat_type == "snat" else n["external_ip"]
        if n["type"] == nat_type and (normalize_prefix(own) or own) == ip:
            column = "exempted_ext_ips" if ctx.has("--is-exempted") else "allowed_ext_ips"
            txn.write(n, column, frozenset((address_set.uuid,)))
            return
    raise CtlError(f"{nat_type}: Could not locate nat rule for: {ip}.")


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
    CommandSyntax("lr-nat-add", 4, 7, _lr_nat_add,
                  ("--may-exist", "--stateless", "--portrange", "--add-route", "--gateway-port="),
                  usage="ROUTER TYPE EXTERNAL_IP LOGICAL_IP [LOGICAL_PORT EXTERNAL_MAC] "
                  "[EXTERNAL_PORT_RANGE]"),
    CommandSyntax("lr-nat-del", 1, 4, _lr_nat_del, ("--if-exists",),
                  usage="ROUTER [TYPE [IP] [GATEWAY_PORT]]"),
    CommandSyntax("lr-nat-list", 1, 1, _lr_nat_list, mode="ro", usage="ROUTER"),
    CommandSyntax("lr-nat-update-ext-ip", 4, 4, _lr_nat_update_ext_ip, ("--is-exempted",),
                  usage="ROUTER TYPE IP ADDRESS_SET"),
]
