"""The checks: configurations of the Northbound that cannot work, one pure function each.

Every check reads an :class:`~pyovn.lint.model.Nb` and yields :class:`~pyovn.lint.findings.Issue`
objects; ``@check`` declares its id, severity and summary (``pyovn lint --list`` prints them).
Checks are conservative: when the database does not say enough to be sure (a switch with no
known subnet, a match the coverage test cannot reason about), they stay quiet. The behaviours
they rely on are those ovn-nb(5) documents for OVN 23.03: NAT and router load balancers work
only on gateway routers (``options:chassis``) or routers with a distributed gateway port
(exactly one, for load balancers), a static route without ``output_port`` leaves through the
router port whose network holds the nexthop, and so on.

Fixes are ``ovn-nbctl`` command lines; words in <ANGLE BRACKETS> are for the user to choose.
"""

from __future__ import annotations

import ipaddress
import shlex
from collections import defaultdict
from collections.abc import Iterable, Iterator
from itertools import combinations

from pyovn.lint import matches
from pyovn.lint import model as m
from pyovn.lint.findings import Issue, ReportedRow, Severity, check, rid

__all__ = ["router_port_switches", "switch_subnets"]

q = shlex.quote
MAX_LISTED = 4  # addresses/rows spelled out in one message before "..."


def _listed(items: Iterable[str]) -> str:
    items = list(items)
    text = ", ".join(items[:MAX_LISTED])
    if len(items) > MAX_LISTED:
        text += f", ... ({len(items)} in all)"
    return text


def router_port_switches(nb: m.Nb) -> dict[str, list[tuple[m.NbSwitch, m.NbSwitchPort]]]:
    """LRP name -> the (switch, router-type port) pairs attaching it to switches."""
    out: dict[str, list[tuple[m.NbSwitch, m.NbSwitchPort]]] = defaultdict(list)
    for sw in nb.switches:
        for p in sw.ports:
            if p.type == "router" and p.options.get("router-port"):
                out[p.options["router-port"]].append((sw, p))
    return out


def switch_subnets(nb: m.Nb, sw: m.NbSwitch,
                   lrps: dict[str, tuple[m.NbRouter, m.NbRouterPort]] | None = None
                   ) -> list[ipaddress.IPv4Network]:
    """The IPv4 subnets of a switch: ``other_config:subnet`` and the networks of the router
    ports attached to it."""
    lrps = nb.router_ports() if lrps is None else lrps
    nets: list[ipaddress.IPv4Network] = []
    subnet = sw.other_config.get("subnet")
    if subnet:
        n = m.network_of(subnet)
        if isinstance(n, ipaddress.IPv4Network):
            nets.append(n)
    for p in sw.ports:
        if p.type != "router":
            continue
        found = lrps.get(p.options.get("router-port", ""))
        if found is None:
            continue
        for iface in found[1].interfaces():
            if isinstance(iface, ipaddress.IPv4Interface) and iface.network not in nets:
                nets.append(iface.network)
    return nets


def _port_holding(router: m.NbRouter, ip_text: str) -> m.NbRouterPort | None:
    """The router port whose network holds ``ip_text`` (an address, maybe with a prefix)."""
    try:
        ip = ipaddress.ip_interface(ip_text).ip
    except ValueError:
        return None
    for p in router.ports:
        if any(ip in iface.network for iface in p.interfaces()):
            return p
    return None


# --- gateways ------------------------------------------------------------------------------


@check("nat-no-gateway", Severity.ERROR,
       "NAT on a router that has no gateway port and no options:chassis")
def nat_without_gateway(nb: m.Nb) -> Iterator[Issue]:
    for r in nb.routers:
        if not r.nat or r.is_gateway_router:
            continue
        dgps = r.gateway_ports
        if not dgps:
            ext = sorted({n.external_ip for n in r.nat})
            candidate = next((p for n in r.nat if (p := _port_holding(r, n.external_ip))), None)
            if candidate is not None:
                fix = f"ovn-nbctl lrp-set-gateway-chassis {q(candidate.name)} <CHASSIS> 20"
            else:
                fix = f"ovn-nbctl set Logical_Router {q(r.name)} options:chassis=<CHASSIS>"
            yield Issue(
                (rid(r), *(rid(n) for n in r.nat)),
                f"router {r.name} has {len(r.nat)} NAT rule(s) ({_listed(ext)}) but no "
                "distributed gateway port (no port with gateway chassis or an HA chassis "
                "group) and no options:chassis: its NAT addresses (floating IPs) are "
                "unreachable",
                fix)
            continue
        if len(dgps) < 2:
            continue
        # Several gateway ports: a NAT rule without gateway_port goes to the one whose network
        # holds its external IP, and nowhere when none does (ovn-nb(5), NAT gateway_port).
        names = {p.name for p in dgps}
        for n in r.nat:
            if n.gateway_port in names:
                continue
            holder = _port_holding(r, n.external_ip)
            if holder is not None and holder.name in names:
                continue
            yield Issue(
                (rid(r), rid(n)),
                f"router {r.name} has {len(dgps)} distributed gateway ports and NAT "
                f"{n.type} {n.external_ip} names none (gateway_port) and is in none of their "
                "networks: OVN applies it nowhere",
                f"ovn-nbctl set NAT {n.uuid or '<NAT-UUID>'} gateway_port=<UUID of one of "
                f"{', '.join(sorted(names))}>")


@check("gateway-chassis-empty", Severity.ERROR,
       "a distributed gateway port whose gateway chassis list or HA chassis group is empty")
def gateway_port_without_chassis(nb: m.Nb) -> Iterator[Issue]:
    for r in nb.routers:
        for p in r.ports:
            g = p.ha_chassis_group
            if g is not None and not any(g.chassis):
                yield Issue(
                    (rid(r), rid(p), rid(g)),
                    f"router port {p.name} is a distributed gateway port through HA chassis "
                    f"group {g.name or g.uuid}, which has no chassis: nothing can host the "
                    "gateway, so traffic through it (NAT, external access) goes nowhere",
                    f"ovn-nbctl ha-chassis-group-add-chassis {q(g.name or g.uuid)} "
                    "<CHASSIS> 20")
            elif g is None and p.gateway_chassis and not any(
                    gc.chassis_name for gc in p.gateway_chassis):
                yield Issue(
                    (rid(r), rid(p), *(rid(gc) for gc in p.gateway_chassis)),
                    f"router port {p.name} is a distributed gateway port but none of its "
                    "Gateway_Chassis rows names a chassis: nothing can host the gateway",
                    f"ovn-nbctl lrp-set-gateway-chassis {q(p.name)} <CHASSIS> 20")


# --- addressing -------------------------------------------------------------------------------


@check("router-subnet-overlap", Severity.ERROR,
       "two ports of one router with overlapping subnets")
def router_subnet_overlap(nb: m.Nb) -> Iterator[Issue]:
    for r in nb.routers:
        nets = [(p, p.interfaces()) for p in r.ports]
        for (a, an), (b, bn) in combinations(nets, 2):
            pairs = [(x, y) for x in an for y in bn
                     if x.version == y.version and x.network.overlaps(y.network)
                     and not x.ip.is_link_local]
            if not pairs:
                continue
            x, y = pairs[0]
            yield Issue(
                (rid(r), rid(a), rid(b)),
                f"router {r.name}: port {a.name} ({x.with_prefixlen}) and port {b.name} "
                f"({y.with_prefixlen}) have overlapping subnets: routes to "
                f"{x.network if x.network.prefixlen >= y.network.prefixlen else y.network} "
                "are ambiguous",
                f"ovn-nbctl set Logical_Router_Port {q(b.name)} networks=<CIDR outside "
                f"{x.network}>")


@check("lsp-address-outside-subnet", Severity.WARNING,
       "a switch port IPv4 address outside every subnet of its switch")
def lsp_address_outside_subnet(nb: m.Nb) -> Iterator[Issue]:
    lrps = nb.router_ports()
    for sw in nb.switches:
        nets = switch_subnets(nb, sw, lrps)
        if not nets:
            continue  # a pure L2 switch: no subnet to be outside of
        for p in sw.ports:
            if p.type == "router":
                continue
            for ip in m.lsp_ips(p):
                if not isinstance(ip, ipaddress.IPv4Address) or any(ip in n for n in nets):
                    continue
                mac = next((t for a in p.addresses for t in a.split()[:1]
                            if t not in ("dynamic", "unknown", "router")), "<MAC>")
                yield Issue(
                    (rid(sw), rid(p)),
                    f"port {p.name} on switch {sw.name} has address {ip}, outside the "
                    f"switch's subnet(s) {_listed(str(n) for n in nets)}: the router will "
                    "not reach it",
                    f'ovn-nbctl lsp-set-addresses {q(p.name)} "{mac} <IP in {nets[0]}>"')


@check("duplicate-ip", Severity.ERROR, "two ports of one switch with the same IP address")
def duplicate_ip(nb: m.Nb) -> Iterator[Issue]:
    lrps = nb.router_ports()
    for sw in nb.switches:
        owners: dict[ipaddress.IPv4Address | ipaddress.IPv6Address, list[m.NbSwitchPort]] = \
            defaultdict(list)
        for p in sw.ports:
            ips = m.lsp_ips(p)
            if p.type == "router" and "router" in p.addresses:
                found = lrps.get(p.options.get("router-port", ""))
                if found is not None:
                    ips += [i.ip for i in found[1].interfaces() if i.ip not in ips]
            for ip in ips:
                owners[ip].append(p)
        for ip, ports in owners.items():
            if len(ports) < 2:
                continue
            last = ports[-1]
            mac = next((t for a in last.addresses for t in a.split()[:1]
                        if t not in ("dynamic", "unknown", "router")), "<MAC>")
            yield Issue(
                (rid(sw), *(rid(p) for p in ports)),
                f"switch {sw.name}: {ip} is claimed by {len(ports)} ports "
                f"({_listed(p.name for p in ports)}): ARP and delivery for it are ambiguous",
                f'ovn-nbctl lsp-set-addresses {q(last.name)} "{mac} <OTHER IP>"')


@check("lsp-router-port-missing", Severity.ERROR,
       "a router-type switch port whose options:router-port names no router port")
def lsp_router_port_missing(nb: m.Nb) -> Iterator[Issue]:
    lrps = nb.router_ports()
    for sw in nb.switches:
        for p in sw.ports:
            if p.type != "router":
                continue
            target = p.options.get("router-port")
            if target and target in lrps:
                continue
            if not target:
                why = "has no options:router-port"
            else:
                why = f"names router port {target}, which does not exist"
            yield Issue(
                (rid(sw), rid(p)),
                f"router-type port {p.name} on switch {sw.name} {why}: the switch is "
                "connected to no router through it",
                f"ovn-nbctl lsp-set-options {q(p.name)} router-port=<EXISTING LRP>"
                if not target else
                f"ovn-nbctl lrp-add <ROUTER> {q(target)} <MAC> <CIDR>")


@check("route-nexthop-unreachable", Severity.ERROR,
       "a static route whose nexthop is in no connected subnet of its router")
def route_nexthop_unreachable(nb: m.Nb) -> Iterator[Issue]:
    for r in nb.routers:
        ports = {p.name: p for p in r.ports}
        for s in r.static_routes:
            if s.output_port:
                if s.output_port not in ports:
                    yield Issue(
                        (rid(r), rid(s)),
                        f"router {r.name}: route {s.ip_prefix} leaves through output_port "
                        f"{s.output_port}, which is not a port of this router: it is ignored",
                        f"ovn-nbctl set Logical_Router_Static_Route {s.uuid or '<UUID>'} "
                        f"output_port={q(next(iter(ports), '<LRP>'))}")
                continue  # with output_port, the nexthop needs no connected subnet
            try:
                hop = ipaddress.ip_address(s.nexthop)
            except ValueError:
                continue  # "discard", or empty: no nexthop to reach
            nets = [i.network for p in r.ports for i in p.interfaces()
                    if i.version == hop.version]
            if any(hop in n for n in nets):
                continue
            table = f"--route-table={q(s.route_table)} " if s.route_table else ""
            yield Issue(
                (rid(r), rid(s)),
                f"router {r.name}: route {s.ip_prefix} via {s.nexthop}, but {s.nexthop} is in "
                f"no connected subnet ({_listed(str(n) for n in nets) or 'none'}): "
                "ovn-northd skips the route",
                f"ovn-nbctl {table}lr-route-del {q(r.name)} {q(s.ip_prefix)} {q(s.nexthop)} && "
                f"ovn-nbctl {table}lr-route-add {q(r.name)} {q(s.ip_prefix)} "
                "<NEXTHOP IN A CONNECTED SUBNET>")


# --- load balancers ---------------------------------------------------------------------------


def _lb_router_usable(r: m.NbRouter) -> bool:
    # ovn-nb(5): router load balancers work on gateway routers and on routers with one and
    # only one distributed gateway port.
    return r.is_gateway_router or len(r.gateway_ports) == 1


@check("lb-unreachable", Severity.WARNING,
       "a load balancer no switch and no usable router carries")
def lb_unreachable(nb: m.Nb) -> Iterator[Issue]:
    attached = router_port_switches(nb)
    for lb in nb.load_balancers:
        if not lb.vips:
            continue
        on_switches = [s for s in nb.switches if any(x is lb for x in s.load_balancers)]
        if on_switches:
            continue
        on_routers = [r for r in nb.routers if any(x is lb for x in r.load_balancers)]
        if any(_lb_router_usable(r) for r in on_routers):
            continue
        vips = _listed(sorted(lb.vips))
        if not on_routers:
            yield Issue(
                (rid(lb),),
                f"load balancer {lb.name} (VIPs {vips}) is attached to no switch and no router "
                "(directly or through a load balancer group): its VIPs answer nobody",
                f"ovn-nbctl ls-lb-add <SWITCH> {q(lb.name or lb.uuid)}")
            continue
        r = on_routers[0]
        why = ("has no gateway" if not r.gateway_ports else
               f"has {len(r.gateway_ports)} distributed gateway ports")
        sw = next((s for p in r.ports for s, _ in attached.get(p.name, [])), None)
        fix = (f"ovn-nbctl ls-lb-add {q(sw.name)} {q(lb.name or lb.uuid)}" if sw is not None
               else f"ovn-nbctl set Logical_Router {q(r.name)} options:chassis=<CHASSIS>")
        yield Issue(
            (rid(lb), *(rid(x) for x in on_routers)),
            f"load balancer {lb.name} (VIPs {vips}) is only on router(s) "
            f"{_listed(x.name for x in on_routers)}, and router {r.name} {why} (router load "
            "balancers need options:chassis or exactly one distributed gateway port) and no "
            "switch carries it: its VIPs answer nobody",
            fix)


# --- ACLs and the names their matches use ------------------------------------------------------


def _match_users(nb: m.Nb) -> Iterator[tuple[ReportedRow, ReportedRow, str]]:
    """(row, its container, match) for every ACL, QoS rule and router policy."""
    for sw in nb.switches:
        for a in sw.acls:
            yield rid(a), rid(sw), a.match
        for qr in sw.qos_rules:
            yield rid(qr), rid(sw), qr.match
    for pg in nb.port_groups:
        for a in pg.acls:
            yield rid(a), rid(pg), a.match
    for r in nb.routers:
        for pol in r.policies:
            yield rid(pol), rid(r), pol.match


def _references(nb: m.Nb, kind: int) -> dict[str, list[tuple[ReportedRow, ReportedRow]]]:
    out: dict[str, list[tuple[ReportedRow, ReportedRow]]] = defaultdict(list)
    for row, container, match in _match_users(nb):
        for name in matches.references(match)[kind]:
            out[name].append((row, container))
    return out


def _users_rows(users: list[tuple[ReportedRow, ReportedRow]]) -> tuple[ReportedRow, ...]:
    rows: list[ReportedRow] = []
    for row, container in users:
        for x in (container, row):
            if x not in rows:
                rows.append(x)
    return tuple(rows)


@check("port-group-missing", Severity.ERROR, "a match uses @name, and no such port group exists")
def port_group_missing(nb: m.Nb) -> Iterator[Issue]:
    known = {pg.name for pg in nb.port_groups}
    for name, users in sorted(_references(nb, 0).items()):
        if name in known:
            continue
        yield Issue(
            _users_rows(users),
            f"{len(users)} match(es) use port group @{name}, which does not exist "
            f"({_listed(str(r) for r, _ in users)}): ovn-controller cannot parse them, so "
            "their flows are not installed",
            f"ovn-nbctl pg-add {q(name)} <PORT>...")


@check("port-group-empty", Severity.WARNING, "a match uses @name, a port group with no ports")
def port_group_empty(nb: m.Nb) -> Iterator[Issue]:
    groups = {pg.name: pg for pg in nb.port_groups}
    for name, users in sorted(_references(nb, 0).items()):
        pg = groups.get(name)
        if pg is None or pg.ports:
            continue
        yield Issue(
            (rid(pg), *_users_rows(users)),
            f"{len(users)} match(es) use port group @{name}, which has no ports "
            f"({_listed(str(r) for r, _ in users)}): they match nothing",
            f"ovn-nbctl pg-set-ports {q(name)} <PORT>...")


@check("address-set-missing", Severity.ERROR,
       "a match uses $name, and no such address set (or port group _ip4/_ip6 set) exists")
def address_set_missing(nb: m.Nb) -> Iterator[Issue]:
    known = {a.name for a in nb.address_sets}
    # ovn-northd also makes <port group>_ip4 and <port group>_ip6 address sets.
    for pg in nb.port_groups:
        known.update((f"{pg.name}_ip4", f"{pg.name}_ip6"))
    for name, users in sorted(_references(nb, 1).items()):
        if name in known:
            continue
        yield Issue(
            _users_rows(users),
            f"{len(users)} match(es) use address set ${name}, which does not exist "
            f"({_listed(str(r) for r, _ in users)}): ovn-controller cannot parse them, so "
            "their flows are not installed",
            f"ovn-nbctl create Address_Set name={q(name)} addresses='\"<IP>\"'")


_MAX_SUBSET_TERMS = 10  # subsets of a match's terms looked up (2^10); beyond, identical only


def _acl_groups(acls: list[m.Acl]) -> dict[tuple[str, bool], list[m.Acl]]:
    """ACLs that run in one stage: same direction, same options:apply-after-lb."""
    out: dict[tuple[str, bool], list[m.Acl]] = defaultdict(list)
    for a in acls:
        out[a.direction, a.options.get("apply-after-lb") == "true"].append(a)
    return out


def _shadowing(acls: list[m.Acl]) -> Iterator[tuple[m.Acl, m.Acl]]:
    """(shadowed, shadowing) pairs among ACLs of one stage; see ``acl_shadowed``.

    Candidates for covering an ACL are found by index, not by comparing every pair (a switch
    may carry tens of thousands of ACLs): ACLs whose term set is a subset of its own, looked
    up by the subsets of its terms, plus the few made only of protocol predicates.
    """
    by_terms: dict[frozenset[str], list[m.Acl]] = defaultdict(list)
    broad: list[m.Acl] = []
    for a in acls:
        by_terms[matches.terms(a.match)].append(a)
        if matches.is_predicate_only(a.match):
            broad.append(a)
    for a in acls:
        t = matches.terms(a.match)
        cands: list[m.Acl] = []
        if len(t) <= _MAX_SUBSET_TERMS:
            items = sorted(t)
            for mask in range(1, 1 << len(items)):
                key = frozenset(x for i, x in enumerate(items) if mask >> i & 1)
                cands.extend(by_terms.get(key, ()))
        else:
            cands.extend(by_terms.get(t, ()))
        cands.extend(b for b in broad if matches.covers(b.match, a.match))
        best = None
        for b in cands:
            if b is a or b.priority <= a.priority or b.action == a.action:
                continue
            if best is None or b.priority > best.priority:
                best = b
        if best is not None:
            yield a, best


def _containers(nb: m.Nb) -> Iterator[tuple[m.NbSwitch | m.PortGroup, list[m.Acl], str]]:
    for sw in nb.switches:
        yield sw, sw.acls, f"switch {sw.name}"
    for pg in nb.port_groups:
        yield pg, pg.acls, f"port group {pg.name}"


def _acl_remove(container: m.NbSwitch | m.PortGroup, a: m.Acl) -> str:
    """Remove exactly this ACL (acl-del would also take an identical twin)."""
    table = "Port_Group" if isinstance(container, m.PortGroup) else "Logical_Switch"
    if a.uuid:
        return f"ovn-nbctl remove {table} {q(container.name)} acls {a.uuid}"
    typ = "--type=port-group " if isinstance(container, m.PortGroup) else ""
    return (f"ovn-nbctl {typ}acl-del {q(container.name)} {a.direction} {a.priority} "
            f"{q(a.match)}")


@check("acl-shadowed", Severity.WARNING,
       "an ACL that a higher-priority ACL with a different action always overrides")
def acl_shadowed(nb: m.Nb) -> Iterator[Issue]:
    for container, acls, where in _containers(nb):
        for group in _acl_groups(acls).values():
            for a, b in _shadowing(group):
                same = matches.terms(a.match) == matches.terms(b.match)
                how = "the same match" if same else f'a broader match "{b.match}"'
                yield Issue(
                    (rid(container), rid(a), rid(b)),
                    f"{where}: {a.direction} ACL {a.priority} \"{a.match}\" ({a.action}) never "
                    f"applies: ACL {b.priority} with {how} decides first ({b.action})",
                    f"ovn-nbctl set ACL {a.uuid or '<ACL-UUID>'} priority={b.priority + 1}"
                    if b.priority < 32767 else _acl_remove(container, a))


@check("acl-conflict", Severity.WARNING,
       "two ACLs with the same priority and match but different actions")
def acl_conflict(nb: m.Nb) -> Iterator[Issue]:
    for container, acls, where in _containers(nb):
        for group in _acl_groups(acls).values():
            seen: dict[tuple[int, frozenset[str]], m.Acl] = {}
            for a in group:
                key = (a.priority, matches.terms(a.match))
                b = seen.get(key)
                if b is None:
                    seen[key] = a
                    continue
                if b.action == a.action:
                    continue
                yield Issue(
                    (rid(container), rid(b), rid(a)),
                    f"{where}: {a.direction} ACLs at priority {a.priority} with the same match "
                    f"\"{a.match}\" say {b.action} and {a.action}: which one applies is "
                    "undefined",
                    _acl_remove(container, a))
