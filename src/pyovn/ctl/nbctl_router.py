"""ovn-nbctl's logical router commands: routers, router ports, gateway chassis, static routes
and routing policies.

Routes are listed as the real tool lists them: IPv4 then IPv6, grouped by route table (the main
table, ``<main>``, first), longest prefix first with a destination route ahead of a source route
of the same length, then by address, next hop and port; a route is flagged ``ecmp`` when a
neighbour in that order has the same table, prefix and policy.
"""

from __future__ import annotations

from pyovn.ctl.context import Context
from pyovn.ctl.generic import set_column
from pyovn.ctl.nbctl_common import (
    datapath_commands,
    find_lr,
    find_lrp,
    first,
    ip_parse,
    ip_parse_masked,
    ipv6_parse,
    ipv6_parse_masked,
    is_uuid,
    lrp_to_lr,
    normalize_addr,
    normalize_prefix,
    parse_mac,
    parse_priority,
    smap_items,
    uuid_name_lines,
)
from pyovn.ctl.nbctl_switch import parse_enabled, parse_options
from pyovn.ctl.registry import UNLIMITED, CommandSyntax, CtlError
from pyovn.ctl.txnview import ViewRow

__all__ = ["COMMANDS"]


def _router(ctx: Context) -> ViewRow:
    lr = find_lr(ctx, ctx.argv[1])
    assert lr is not None
    return lr


def _port(ctx: Context) -> ViewRow:
    lrp = find_lrp(ctx, ctx.argv[1])
    assert lrp is not None
    return lrp


# -- router ports ---------------------------------------------------------------------------------

def _valid_network(s: str) -> bool:
    return not isinstance(ip_parse_masked(s), str) or not isinstance(ipv6_parse_masked(s), str)


def _lrp_add(ctx: Context) -> None:
    may_exist = ctx.has("--may-exist")
    lr = _router(ctx)
    name, mac = ctx.argv[2], ctx.argv[3]
    rest = ctx.argv[4:]
    n_networks = next((i for i, a in enumerate(rest) if "=" in a), len(rest))
    networks, settings = rest[:n_networks], rest[n_networks:]
    if not networks:
        raise CtlError(f"{name}: router port requires specifying a network")
    txn = ctx.view()
    lrp = find_lrp(ctx, name, False)
    if lrp is not None:
        if not may_exist:
            raise CtlError(f"{name}: a port with this name already exists")
        owner = lrp_to_lr(ctx, lrp)
        if owner is not lr:
            raise CtlError(f"{name}: port already exists but in router {owner['name']}")
        if mac != lrp["mac"]:
            raise CtlError(f"{name}: port already exists with mac {lrp['mac']}")
        if {normalize_prefix(n) for n in networks} != \
                {normalize_prefix(n) for n in lrp["networks"]}:
            raise CtlError(f"{name}: port already exists with different network")
        peer = next((s[5:] for s in settings if s.startswith("peer=")), None)
        have = first(lrp["peer"])
        if (peer is None) != (have is None) or (have is not None and peer != have):
            raise CtlError(f"{name}: port already exists with mismatching peer")
        return
    if parse_mac(mac) is None:
        raise CtlError(f"{name}: invalid mac address {mac}")
    for n in networks:
        if not _valid_network(n):
            raise CtlError(f"{name}: invalid network address: {n}")
    lrp = txn.insert("Logical_Router_Port")
    txn.write(lrp, "name", name)
    txn.write(lrp, "mac", mac)
    txn.write(lrp, "networks", frozenset(networks))
    for s in settings:
        set_column(ctx, lrp, s)
    txn.set_insert(lr, "ports", lrp.uuid)


def _lrp_del(ctx: Context) -> None:
    lrp = find_lrp(ctx, ctx.argv[1], not ctx.has("--if-exists"))
    if lrp is None:
        return
    lr = lrp_to_lr(ctx, lrp)
    txn = ctx.view()
    txn.set_delete(lr, "ports", lrp.uuid)
    txn.delete(lrp)


def _lrp_list(ctx: Context) -> None:
    lr = _router(ctx)
    ctx.out(uuid_name_lines(ctx.view().referenced("Logical_Router_Port", lr["ports"])))


def _lrp_set_enabled(ctx: Context) -> None:
    lrp = _port(ctx)
    ctx.view().write(lrp, "enabled", frozenset((parse_enabled(ctx.argv[2]),)))


def _lrp_get_enabled(ctx: Context) -> None:
    enabled = first(_port(ctx)["enabled"])
    ctx.out("disabled\n" if enabled is False else "enabled\n")


def _lrp_set_options(ctx: Context) -> None:
    ctx.view().write(_port(ctx), "options", parse_options(ctx.argv[2:]))


def _lrp_get_options(ctx: Context) -> None:
    ctx.out("".join(f"{k}={v}\n" for k, v in smap_items(_port(ctx)["options"])))


def _lrp_set_redirect_type(ctx: Context) -> None:
    lrp = _port(ctx)
    kind = ctx.argv[2]
    if kind.lower() not in ("overlay", "bridged"):
        raise CtlError(f"Invalid redirect type: {kind}")
    ctx.view().map_set(lrp, "options", "redirect-type", kind)


def _lrp_get_redirect_type(ctx: Context) -> None:
    ctx.out(_port(ctx)["options"].get("redirect-type", "overlay") + "\n")


# -- gateway chassis ------------------------------------------------------------------------------

def _lrp_set_gateway_chassis(ctx: Context) -> None:
    lrp = _port(ctx)
    chassis = ctx.argv[2]
    priority = parse_priority(ctx.argv[3]) if len(ctx.argv) > 3 else 0
    txn = ctx.view()
    gc_name = f"{lrp['name']}-{chassis}"
    for gc in txn.referenced("Gateway_Chassis", lrp["gateway_chassis"]):
        if gc["name"] == gc_name:
            txn.write(gc, "priority", priority)
            return
    gc = txn.insert("Gateway_Chassis")
    txn.write(gc, "name", gc_name)
    txn.write(gc, "chassis_name", chassis)
    txn.write(gc, "priority", priority)
    txn.set_insert(lrp, "gateway_chassis", gc.uuid)


def _lrp_del_gateway_chassis(ctx: Context) -> None:
    lrp = _port(ctx)
    chassis = ctx.argv[2]
    txn = ctx.view()
    for gc in txn.referenced("Gateway_Chassis", lrp["gateway_chassis"]):
        if gc["chassis_name"] == chassis:
            txn.set_delete(lrp, "gateway_chassis", gc.uuid)
            txn.delete(gc)
            return
    raise CtlError(f"chassis {chassis} is not added to logical port {ctx.argv[1]}")


def _lrp_get_gateway_chassis(ctx: Context) -> None:
    lrp = _port(ctx)
    gcs = ctx.view().referenced("Gateway_Chassis", lrp["gateway_chassis"])
    gcs.sort(key=lambda g: (-g["priority"], g["name"].encode()))
    ctx.out("".join(f"{g['name']} {g['priority']:5d}\n" for g in gcs))


# -- static routes --------------------------------------------------------------------------------

def _check_policy(ctx: Context) -> str | None:
    policy = ctx.option("--policy")
    if policy is not None and policy not in ("src-ip", "dst-ip"):
        raise CtlError(f"bad policy: {policy}")
    return policy


def _norm_addr4(s: str) -> str | None:
    return normalize_addr(s) if ip_parse(s) is not None else None


def _norm_addr6(s: str) -> str | None:
    return normalize_addr(s) if ipv6_parse(s) is not None else None


def _is_src(route: ViewRow) -> bool:
    return first(route["policy"]) == "src-ip"


def _lr_route_add(ctx: Context) -> None:
    lr = _router(ctx)
    policy = _check_policy(ctx)
    table = ctx.option("--route-table")
    raw_prefix = ctx.argv[2]
    prefix = normalize_prefix(raw_prefix)
    if prefix is None:
        raise CtlError(f"bad prefix argument: {raw_prefix}")
    v6 = isinstance(ip_parse_masked(raw_prefix), str)
    if ctx.argv[3] == "discard":
        nexthop: str | None = "discard"
    else:
        nexthop = _norm_addr6(ctx.argv[3]) if v6 else _norm_addr4(ctx.argv[3])
        if nexthop is None:
            raise CtlError(f"bad {'IPv6' if v6 else 'IPv4'} nexthop argument: {ctx.argv[3]}")
    txn = ctx.view()
    has_bfd = ctx.has("--bfd")
    bfd: ViewRow | None = None
    if has_bfd:
        bfd_id = ctx.option("--bfd")
        if bfd_id is not None:  # even "--bfd=": the real tool then finds no such row
            bfd = txn.get("BFD", bfd_id.lower()) if is_uuid(bfd_id) else None
            if bfd is None:
                raise CtlError("no entry found in the BFD table")
        else:
            bfd = next((b for b in txn.rows("BFD") if b["dst_ip"] == nexthop), None)
    port = ctx.argv[4] if len(ctx.argv) > 4 else None
    symmetric = ctx.has("--ecmp-symmetric-reply")
    ecmp = ctx.has("--ecmp") or symmetric
    is_src = policy == "src-ip"

    def attach_bfd(route: ViewRow) -> None:
        nonlocal bfd
        if not has_bfd:
            return
        if bfd is None:
            if port is None:
                raise CtlError("insert entry in the BFD table failed")
            bfd = txn.insert("BFD")
            txn.write(bfd, "dst_ip", nexthop)
            txn.write(bfd, "logical_port", port)
        txn.write(route, "bfd", frozenset((bfd.uuid,)))

    def write_route(route: ViewRow) -> None:
        txn.write(route, "ip_prefix", prefix)
        txn.write(route, "nexthop", nexthop)
        if port is not None:
            txn.write(route, "output_port", frozenset((port,)))
        if policy is not None:
            txn.write(route, "policy", frozenset((policy,)))

    if not ecmp:
        for route in txn.referenced("Logical_Router_Static_Route", lr["static_routes"]):
            if route["route_table"] != (table or ""):
                continue
            if _is_src(route) != is_src:
                continue
            if normalize_prefix(route["ip_prefix"]) != prefix:
                continue
            if not ctx.has("--may-exist"):
                raise CtlError(f"duplicate prefix: {prefix} (policy: "
                               f"{'src-ip' if is_src else 'dst-ip'}). Use option --ecmp to "
                               "allow this for ECMP routing.")
            write_route(route)
            attach_bfd(route)
            return
    if port is not None:
        find_lrp(ctx, port)
    route = txn.insert("Logical_Router_Static_Route")
    write_route(route)
    if symmetric:
        txn.write(route, "options", {"ecmp_symmetric_reply": "true"})
    if table:
        txn.write(route, "route_table", table)
    txn.set_insert(lr, "static_routes", route.uuid)
    attach_bfd(route)


def _norm_nexthop(s: str) -> str | None:
    return "discard" if s == "discard" else normalize_prefix(s)


def _lr_route_del(ctx: Context) -> None:
    lr = _router(ctx)
    policy = _check_policy(ctx)
    txn = ctx.view()
    if len(ctx.argv) == 2 and policy is None:
        txn.write(lr, "static_routes", frozenset())
        return
    table = ctx.option("--route-table")
    prefix = None
    if len(ctx.argv) > 2:
        prefix = normalize_prefix(ctx.argv[2])
        if prefix is None:
            raise CtlError(f"bad prefix argument: {ctx.argv[2]}")
    nexthop = None
    if len(ctx.argv) > 3:
        nexthop = _norm_nexthop(ctx.argv[3])
        if nexthop is None:
            raise CtlError(f"bad nexthop argument: {ctx.argv[3]}")
    port = ctx.argv[4] if len(ctx.argv) > 4 else None
    removed = 0
    for route in txn.referenced("Logical_Router_Static_Route", lr["static_routes"]):
        if table is not None and route["route_table"] != table:
            continue
        if policy is not None and _is_src(route) != (policy == "src-ip"):
            continue
        if prefix is not None and normalize_prefix(route["ip_prefix"]) != prefix:
            continue
        if nexthop is not None and _norm_nexthop(route["nexthop"]) != nexthop:
            continue
        if port is not None and first(route["output_port"]) != port:
            continue
        txn.set_delete(lr, "static_routes", route.uuid)
        removed += 1
    if not removed and not ctx.has("--if-exists"):
        raise CtlError(f"no matching route: policy '{policy or 'any'}', prefix "
                       f"'{prefix if prefix is not None else '(null)'}', nexthop "
                       f"'{nexthop or 'any'}', output_port '{port or 'any'}'.")


def _route_key(route: ViewRow, v6: bool) -> tuple | None:
    got = ipv6_parse_masked(route["ip_prefix"]) if v6 else ip_parse_masked(route["ip_prefix"])
    if isinstance(got, str):
        return None
    addr, plen = got
    prio = plen * 2 + (0 if _is_src(route) else 1)
    return (route["route_table"].encode(), -prio, addr)


def _format_route(route: ViewRow, ecmp: bool) -> str:
    prefix = normalize_prefix(route["ip_prefix"]) or route["ip_prefix"]
    nh = route["nexthop"]
    nexthop = "discard" if nh == "discard" else ((normalize_prefix(nh) or nh) if nh else "")
    out = f"{prefix:>25} {nexthop:>25} {first(route['policy']) or 'dst-ip'}"
    port = first(route["output_port"])
    if port is not None:
        out += f" {port}"
    if "ic-learned-route" in route["external_ids"]:
        out += " (learned)"
    if ecmp:
        out += " ecmp"
    if route["options"].get("ecmp_symmetric_reply") == "true":
        out += " ecmp-symmetric-reply"
    if route["bfd"]:
        out += " bfd"
    return out + "\n"


def _routes_text(routes: list[tuple[tuple, ViewRow]]) -> str:
    routes.sort(key=lambda kr: (kr[0], kr[1]["nexthop"].encode(),
                                (first(kr[1]["output_port"]) or "").encode()))
    out = []
    table = None
    for i, (key, route) in enumerate(routes):
        if table is None or key[0] != table:
            if i:
                out.append("\n")
            table = key[0]
            out.append(f"Route Table {route['route_table'] or '<main>'}:\n")
        ecmp = (i + 1 < len(routes) and routes[i + 1][0] == key) or \
            (i > 0 and routes[i - 1][0] == key)
        out.append(_format_route(route, ecmp))
    return "".join(out)


def _lr_route_list(ctx: Context) -> None:
    lr = _router(ctx)
    table = ctx.option("--route-table")
    v4: list[tuple[tuple, ViewRow]] = []
    v6: list[tuple[tuple, ViewRow]] = []
    for route in ctx.view().referenced("Logical_Router_Static_Route", lr["static_routes"]):
        if table is not None and route["route_table"] != table:
            continue
        key = _route_key(route, False)
        if key is not None:
            v4.append((key, route))
            continue
        key = _route_key(route, True)
        if key is not None:
            v6.append((key, route))
    if v4:
        ctx.out("IPv4 Routes\n" + _routes_text(v4))
    if v6:
        ctx.out(("\n" if v4 else "") + "IPv6 Routes\n" + _routes_text(v6))


# -- routing policies -----------------------------------------------------------------------------

def _lr_policy_add(ctx: Context) -> None:
    lr = _router(ctx)
    priority = parse_priority(ctx.argv[2])
    match, action = ctx.argv[3], ctx.argv[4]
    if action not in ("allow", "drop", "reroute"):
        raise CtlError(f'{action}: action must be one of "allow", "drop", and "reroute"')
    reroute = action == "reroute"
    if reroute and len(ctx.argv) < 6:
        raise CtlError("Nexthop is required when action is reroute.")
    txn = ctx.view()
    for p in txn.referenced("Logical_Router_Policy", lr["policies"]):
        if p["priority"] == priority and p["match"] == match:
            if ctx.has("--may-exist"):
                return
            raise CtlError("Same routing policy already existed on the logical router "
                           f"{ctx.argv[1]}.")
    nexthops: list[str] = []
    if reroute:
        families = set()
        for nh in ctx.argv[5].split(","):
            if not nh:
                continue
            norm = normalize_addr(nh)
            if norm is None:
                raise CtlError(f"bad next hop argument: {ctx.argv[5]}")
            families.add(":" in norm)
            nexthops.append(norm)
        if len(families) > 1:
            raise CtlError("bad next hops argument, not in the same addr family : "
                           f"{ctx.argv[5]}")
    options: dict[str, str] = {}
    for arg in ctx.argv[6 if reroute else 5:]:
        key, eq, value = arg.partition("=")
        if not eq:
            raise CtlError(f"No value specified for the option : {arg}")
        options[key] = value
    p = txn.insert("Logical_Router_Policy")
    txn.write(p, "priority", priority)
    txn.write(p, "match", match)
    txn.write(p, "action", action)
    if reroute:
        txn.write(p, "nexthops", frozenset(nexthops))
    if options:
        txn.write(p, "options", options)
    txn.set_insert(lr, "policies", p.uuid)


def _lr_policy_del(ctx: Context) -> None:
    lr = _router(ctx)
    txn = ctx.view()
    if len(ctx.argv) == 2:
        txn.write(lr, "policies", frozenset())
        return
    policies = txn.referenced("Logical_Router_Policy", lr["policies"])
    arg = ctx.argv[2]
    if is_uuid(arg):
        for p in policies:
            if p.uuid == arg.lower():
                txn.set_delete(lr, "policies", p.uuid)
                return
        if not ctx.has("--if-exists"):
            raise CtlError("Logical router policy uuid is not found.")
        return
    priority = parse_priority(arg)
    match = ctx.argv[3] if len(ctx.argv) > 3 else None
    for p in policies:
        if p["priority"] == priority and (match is None or p["match"] == match):
            txn.set_delete(lr, "policies", p.uuid)


def _lr_policy_list(ctx: Context) -> None:
    lr = _router(ctx)
    policies = ctx.view().referenced("Logical_Router_Policy", lr["policies"])
    if not policies:
        return
    policies.sort(key=lambda p: (-p["priority"], p["match"].encode()))
    out = ["Routing Policies\n"]
    for p in policies:
        line = f"{p['priority']:10d} {p['match']:>50} {p['action']:>15}"
        hops = sorted(p["nexthops"], key=str.encode)
        if hops:
            line += f" {hops[0]:>25}" + "".join(f", {h}" for h in hops[1:])
        if p["options"]:
            line += " " * 15 + ",".join(f"{k}={v}" for k, v in smap_items(p["options"]))
        out.append(line + "\n")
    ctx.out("".join(out))


# The tables each command reads or writes (CommandSyntax.tables). lrp-add is not here: its
# COLUMN=VALUE arguments may name rows of any table.
_LRP = ("Logical_Router_Port",)
_LR_PORT = ("Logical_Router", "Logical_Router_Port")
_LRP_GW = ("Logical_Router_Port", "Gateway_Chassis")
_ROUTES = ("Logical_Router", "Logical_Router_Static_Route")
_ROUTE_ADD = (*_ROUTES, "Logical_Router_Port", "BFD")
_POLICIES = ("Logical_Router", "Logical_Router_Policy")

COMMANDS = [
    *datapath_commands("lr", "Logical_Router", "router", find_lr),
    CommandSyntax("lrp-add", 4, UNLIMITED, _lrp_add, ("--may-exist",),
                  usage="ROUTER PORT MAC NETWORK... [COLUMN[:KEY]=VALUE]..."),
    CommandSyntax("lrp-del", 1, 1, _lrp_del, ("--if-exists",), usage="PORT", tables=_LR_PORT),
    CommandSyntax("lrp-list", 1, 1, _lrp_list, mode="ro", usage="ROUTER", tables=_LR_PORT),
    CommandSyntax("lrp-set-enabled", 2, 2, _lrp_set_enabled, usage="PORT STATE", tables=_LRP),
    CommandSyntax("lrp-get-enabled", 1, 1, _lrp_get_enabled, mode="ro", usage="PORT", tables=_LRP),
    CommandSyntax("lrp-set-options", 1, UNLIMITED, _lrp_set_options, usage="PORT KEY=VALUE...", tables=_LRP),
    CommandSyntax("lrp-get-options", 1, 1, _lrp_get_options, mode="ro", usage="PORT", tables=_LRP),
    CommandSyntax("lrp-set-redirect-type", 2, 2, _lrp_set_redirect_type, usage="PORT TYPE"),
    CommandSyntax("lrp-get-redirect-type", 1, 1, _lrp_get_redirect_type, mode="ro", usage="PORT"),
    CommandSyntax("lrp-set-gateway-chassis", 2, 3, _lrp_set_gateway_chassis, ("--may-exist",),
                  usage="PORT CHASSIS [PRIORITY]", tables=_LRP_GW),
    CommandSyntax("lrp-del-gateway-chassis", 2, 2, _lrp_del_gateway_chassis, usage="PORT CHASSIS", tables=_LRP_GW),
    CommandSyntax("lrp-get-gateway-chassis", 1, 1, _lrp_get_gateway_chassis, mode="ro",
                  usage="PORT", tables=_LRP_GW),
    CommandSyntax("lr-route-add", 3, 4, _lr_route_add,
                  ("--may-exist", "--ecmp", "--ecmp-symmetric-reply", "--policy=", "--bfd?",
             "--route-table="),
                  usage="ROUTER PREFIX NEXTHOP [PORT]", tables=_ROUTE_ADD),
    CommandSyntax("lr-route-del", 1, 4, _lr_route_del, ("--if-exists", "--policy=", "--route-table="),
                  usage="ROUTER [PREFIX [NEXTHOP [PORT]]]", tables=_ROUTES),
    CommandSyntax("lr-route-list", 1, 1, _lr_route_list, ("--route-table=",), mode="ro",
                  usage="ROUTER", tables=_ROUTES),
    CommandSyntax("lr-policy-add", 4, UNLIMITED, _lr_policy_add, ("--may-exist",),
                  usage="ROUTER PRIORITY MATCH ACTION [NEXTHOP] [OPTIONS - KEY=VALUE ...]", tables=_POLICIES),
    CommandSyntax("lr-policy-del", 1, 3, _lr_policy_del, ("--if-exists",),
                  usage="ROUTER [{PRIORITY | UUID} [MATCH]]", tables=_POLICIES),
    CommandSyntax("lr-policy-list", 1, 1, _lr_policy_list, mode="ro", usage="ROUTER", tables=_POLICIES),
]
