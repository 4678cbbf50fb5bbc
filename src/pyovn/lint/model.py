"""The Northbound as the checks see it: small objects with their references resolved.

How it works: :func:`build_nb` takes the database as plain rows (table -> list of column dicts
in the canonical form of docs/CONTRACTS.md, each with ``_uuid``: what ``Row.to_dict()`` gives)
and builds one :class:`Nb` of dataclasses — switches holding their ports, ACLs and load
balancers, routers holding theirs — with every reference followed and dangling ones left out,
as OVSDB clients do. Checks read only these objects, so tests build them by hand (every field
has a default) and never need a database.

Only the columns some check reads are kept. Load balancers reached through a
``Load_Balancer_Group`` are merged into the switch's or router's ``load_balancers``.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Acl",
    "AddressSet",
    "GatewayChassis",
    "HaChassisGroup",
    "Nat",
    "Nb",
    "NbLoadBalancer",
    "NbRouter",
    "NbRouterPort",
    "NbSwitch",
    "NbSwitchPort",
    "PortGroup",
    "QosRule",
    "RouterPolicy",
    "StaticRoute",
    "build_nb",
    "lsp_ips",
    "network_of",
]

IpInterface = ipaddress.IPv4Interface | ipaddress.IPv6Interface
IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(eq=False)
class Acl:
    direction: str = "from-lport"
    priority: int = 0
    match: str = "1"
    action: str = "allow"
    name: str | None = None
    options: dict[str, str] = field(default_factory=dict)
    uuid: str = ""


@dataclass(eq=False)
class QosRule:
    direction: str = "from-lport"
    priority: int = 0
    match: str = "1"
    uuid: str = ""


@dataclass(eq=False)
class NbLoadBalancer:
    name: str = ""
    vips: dict[str, str] = field(default_factory=dict)
    uuid: str = ""


@dataclass(eq=False)
class NbSwitchPort:
    name: str = ""
    type: str = ""
    addresses: list[str] = field(default_factory=list)
    dynamic_addresses: str | None = None
    options: dict[str, str] = field(default_factory=dict)
    uuid: str = ""


@dataclass(eq=False)
class NbSwitch:
    name: str = ""
    ports: list[NbSwitchPort] = field(default_factory=list)
    acls: list[Acl] = field(default_factory=list)
    qos_rules: list[QosRule] = field(default_factory=list)
    load_balancers: list[NbLoadBalancer] = field(default_factory=list)
    other_config: dict[str, str] = field(default_factory=dict)
    uuid: str = ""


@dataclass(eq=False)
class GatewayChassis:
    name: str = ""
    chassis_name: str = ""
    priority: int = 0
    uuid: str = ""


@dataclass(eq=False)
class HaChassisGroup:
    name: str = ""
    chassis: list[str] = field(default_factory=list)  # chassis_name of each HA_Chassis
    uuid: str = ""


@dataclass(eq=False)
class NbRouterPort:
    name: str = ""
    networks: list[str] = field(default_factory=list)
    mac: str = ""
    gateway_chassis: list[GatewayChassis] = field(default_factory=list)
    ha_chassis_group: HaChassisGroup | None = None
    peer: str | None = None
    options: dict[str, str] = field(default_factory=dict)
    uuid: str = ""

    @property
    def is_gateway(self) -> bool:
        """A distributed gateway port: it has gateway chassis or an HA chassis group."""
        return bool(self.gateway_chassis) or self.ha_chassis_group is not None

    def interfaces(self) -> list[IpInterface]:
        """The port's addresses with their prefixes (unparseable networks left out)."""
        out: list[IpInterface] = []
        for n in self.networks:
            iface = _interface(n)
            if iface is not None:
                out.append(iface)
        return out


@dataclass(eq=False)
class Nat:
    type: str = "snat"
    external_ip: str = ""
    logical_ip: str = ""
    logical_port: str | None = None
    gateway_port: str | None = None  # name of the LRP, when set
    uuid: str = ""


@dataclass(eq=False)
class StaticRoute:
    ip_prefix: str = ""
    nexthop: str = ""
    output_port: str | None = None
    route_table: str = ""
    uuid: str = ""


@dataclass(eq=False)
class RouterPolicy:
    priority: int = 0
    match: str = "1"
    action: str = "allow"
    uuid: str = ""


@dataclass(eq=False)
class NbRouter:
    name: str = ""
    ports: list[NbRouterPort] = field(default_factory=list)
    nat: list[Nat] = field(default_factory=list)
    static_routes: list[StaticRoute] = field(default_factory=list)
    policies: list[RouterPolicy] = field(default_factory=list)
    load_balancers: list[NbLoadBalancer] = field(default_factory=list)
    options: dict[str, str] = field(default_factory=dict)
    uuid: str = ""

    @property
    def gateway_ports(self) -> list[NbRouterPort]:
        return [p for p in self.ports if p.is_gateway]

    @property
    def is_gateway_router(self) -> bool:
        """Bound to one chassis (options:chassis): an l3gateway router."""
        return bool(self.options.get("chassis"))


@dataclass(eq=False)
class PortGroup:
    name: str = ""
    ports: list[NbSwitchPort] = field(default_factory=list)
    acls: list[Acl] = field(default_factory=list)
    uuid: str = ""


@dataclass(eq=False)
class AddressSet:
    name: str = ""
    addresses: list[str] = field(default_factory=list)
    uuid: str = ""


@dataclass(eq=False)
class Nb:
    """The whole Northbound, as the checks see it."""

    switches: list[NbSwitch] = field(default_factory=list)
    routers: list[NbRouter] = field(default_factory=list)
    port_groups: list[PortGroup] = field(default_factory=list)
    address_sets: list[AddressSet] = field(default_factory=list)
    load_balancers: list[NbLoadBalancer] = field(default_factory=list)

    def router_ports(self) -> dict[str, tuple[NbRouter, NbRouterPort]]:
        """LRP name -> (its router, the port)."""
        return {p.name: (r, p) for r in self.routers for p in r.ports}


# --- addresses ------------------------------------------------------------------------------


def _interface(text: str) -> IpInterface | None:
    try:
        return ipaddress.ip_interface(text.strip())
    except ValueError:
        return None


def network_of(text: str) -> IpNetwork | None:
    """``"10.0.0.1/24"`` -> 10.0.0.0/24 (host bits allowed); None when it does not parse."""
    iface = _interface(text)
    return None if iface is None else iface.network


def _ip(token: str) -> IpAddress | None:
    try:
        return ipaddress.ip_interface(token).ip
    except ValueError:
        return None


def lsp_ips(port: NbSwitchPort) -> list[IpAddress]:
    """The IP addresses a switch port claims in ``addresses`` and ``dynamic_addresses``.

    Each entry is "MAC IP..." (or "dynamic [IP]", "MAC dynamic", ...); the keywords ``unknown``,
    ``router`` and ``dynamic`` and the MAC carry no IP. Duplicates are kept once.
    """
    texts = list(port.addresses)
    if port.dynamic_addresses:
        texts.append(port.dynamic_addresses)
    out: list[IpAddress] = []
    for text in texts:
        for token in text.split():
            ip = _ip(token)
            if ip is not None and ip not in out:
                out.append(ip)
    return out


# --- building from rows -----------------------------------------------------------------------

Rows = Mapping[str, Iterable[Mapping[str, Any]]]


def _opt(value: Any) -> Any:
    """An optional column (a set of 0 or 1 atoms in canonical form) -> the atom or None."""
    if isinstance(value, (set, frozenset, list, tuple)):
        return next(iter(value), None)
    return value


def _set(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, (set, frozenset, list, tuple)):
        return sorted(value, key=str)
    return [value]


def _by_name(items: list[Any]) -> list[Any]:
    return sorted(items, key=lambda x: x.name)


def build_nb(tables: Rows) -> Nb:
    """Build the :class:`Nb` from canonical rows (table -> rows, each with ``_uuid``)."""
    by: dict[str, dict[str, Mapping[str, Any]]] = {
        t: {r["_uuid"]: r for r in rows} for t, rows in tables.items()
    }

    def rows_of(table: str) -> dict[str, Mapping[str, Any]]:
        return by.get(table, {})

    acls = {u: Acl(direction=r.get("direction", ""), priority=int(r.get("priority", 0)),
                   match=r.get("match", ""), action=r.get("action", ""),
                   name=_opt(r.get("name")), options=dict(r.get("options", {})), uuid=u)
            for u, r in rows_of("ACL").items()}
    qos = {u: QosRule(direction=r.get("direction", ""), priority=int(r.get("priority", 0)),
                      match=r.get("match", ""), uuid=u)
           for u, r in rows_of("QoS").items()}
    lbs = {u: NbLoadBalancer(name=r.get("name", ""), vips=dict(r.get("vips", {})), uuid=u)
           for u, r in rows_of("Load_Balancer").items()}
    lb_groups = {u: [lbs[x] for x in _set(r.get("load_balancer")) if x in lbs]
                 for u, r in rows_of("Load_Balancer_Group").items()}
    lsps = {u: NbSwitchPort(name=r.get("name", ""), type=r.get("type", ""),
                          addresses=_set(r.get("addresses")),
                          dynamic_addresses=_opt(r.get("dynamic_addresses")),
                          options=dict(r.get("options", {})), uuid=u)
            for u, r in rows_of("Logical_Switch_Port").items()}
    gcs = {u: GatewayChassis(name=r.get("name", ""), chassis_name=r.get("chassis_name", ""),
                             priority=int(r.get("priority", 0)), uuid=u)
           for u, r in rows_of("Gateway_Chassis").items()}
    ha_chassis = rows_of("HA_Chassis")
    ha_groups = {u: HaChassisGroup(
        name=r.get("name", ""),
        chassis=[ha_chassis[c].get("chassis_name", "") for c in _set(r.get("ha_chassis"))
                 if c in ha_chassis], uuid=u)
        for u, r in rows_of("HA_Chassis_Group").items()}
    lrps = {u: NbRouterPort(name=r.get("name", ""), networks=_set(r.get("networks")),
                          mac=r.get("mac", ""),
                          gateway_chassis=[gcs[g] for g in _set(r.get("gateway_chassis"))
                                           if g in gcs],
                          ha_chassis_group=ha_groups.get(_opt(r.get("ha_chassis_group")) or ""),
                          peer=_opt(r.get("peer")), options=dict(r.get("options", {})), uuid=u)
            for u, r in rows_of("Logical_Router_Port").items()}
    lrp_names = {u: p.name for u, p in lrps.items()}

    def pick(index: Mapping[str, Any], refs: Any) -> list[Any]:
        return [index[x] for x in _set(refs) if x in index]

    def lbs_of(r: Mapping[str, Any]) -> list[NbLoadBalancer]:
        out = pick(lbs, r.get("load_balancer"))
        for g in _set(r.get("load_balancer_group")):
            for lb in lb_groups.get(g, []):
                if lb not in out:
                    out.append(lb)
        return out

    switches = [NbSwitch(name=r.get("name", ""), ports=_by_name(pick(lsps, r.get("ports"))),
                       acls=pick(acls, r.get("acls")), qos_rules=pick(qos, r.get("qos_rules")),
                       load_balancers=lbs_of(r), other_config=dict(r.get("other_config", {})),
                       uuid=u)
                for u, r in rows_of("Logical_Switch").items()]
    routers = []
    for u, r in rows_of("Logical_Router").items():
        nats = [Nat(type=n.get("type", ""), external_ip=n.get("external_ip", ""),
                    logical_ip=n.get("logical_ip", ""), logical_port=_opt(n.get("logical_port")),
                    gateway_port=lrp_names.get(_opt(n.get("gateway_port")) or ""), uuid=nu)
                for nu in _set(r.get("nat")) if (n := rows_of("NAT").get(nu)) is not None]
        routes = [StaticRoute(ip_prefix=s.get("ip_prefix", ""), nexthop=s.get("nexthop", ""),
                              output_port=_opt(s.get("output_port")),
                              route_table=s.get("route_table", ""), uuid=su)
                  for su in _set(r.get("static_routes"))
                  if (s := rows_of("Logical_Router_Static_Route").get(su)) is not None]
        policies = [RouterPolicy(priority=int(p.get("priority", 0)), match=p.get("match", ""),
                                 action=p.get("action", ""), uuid=pu)
                    for pu in _set(r.get("policies"))
                    if (p := rows_of("Logical_Router_Policy").get(pu)) is not None]
        routers.append(NbRouter(name=r.get("name", ""), ports=_by_name(pick(lrps, r.get("ports"))),
                              nat=nats,
                              static_routes=routes, policies=policies, load_balancers=lbs_of(r),
                              options=dict(r.get("options", {})), uuid=u))
    port_groups = [PortGroup(name=r.get("name", ""), ports=_by_name(pick(lsps, r.get("ports"))),
                             acls=pick(acls, r.get("acls")), uuid=u)
                   for u, r in rows_of("Port_Group").items()]
    address_sets = [AddressSet(name=r.get("name", ""), addresses=_set(r.get("addresses")), uuid=u)
                    for u, r in rows_of("Address_Set").items()]
    return Nb(switches=sorted(switches, key=lambda s: s.name),
              routers=sorted(routers, key=lambda r: r.name),
              port_groups=sorted(port_groups, key=lambda p: p.name),
              address_sets=sorted(address_sets, key=lambda a: a.name),
              load_balancers=sorted(lbs.values(), key=lambda lb: lb.name))
