"""OVN_Northbound verbs for logical routers: lr_*, lrp_* (with gateway chassis), static routes,
routing policies and NAT.

Duplicate checks are scoped to the one router (``RunContext.find_in``): table-wide indexes
(routes by prefix, policies by (priority, match), NAT rules by (type, logical_ip) and (type,
external_ip)) restricted to that router's own set, costing the smaller of the two, so a check
reads neither all of a router's routes nor the matching routes of every other router. Children
are attached with set mutations.
"""

from __future__ import annotations

from typing import Any

from pyovn.api import checks
from pyovn.api.base import Api, Command, RunContext, verb
from pyovn.api.errors import AlreadyExists, InvalidArgument, RowNotFound

nb = verb("OVN_Northbound")

LR = "Logical_Router"
LRP = "Logical_Router_Port"
GC = "Gateway_Chassis"
ROUTE = "Logical_Router_Static_Route"
POLICY = "Logical_Router_Policy"
NAT = "NAT"
NAT_TYPES = ("snat", "dnat", "dnat_and_snat")


# --- router ports -----------------------------------------------------------------------------


@nb
class LrpAdd(Command):
    """Add port ``port`` (``mac``, ``networks``, optional ``peer``) to ``router``;
    ``gateway_chassis=[names]`` makes it a gateway port (priority by position)."""

    verb = "lrp_add"

    def __init__(self, api: Api, router: Any, port: str, mac: str, networks: Any,
                 peer: str | None = None, may_exist: bool = False, **columns: Any):
        super().__init__(api)
        self.router = router
        if not isinstance(port, str) or not port:
            raise InvalidArgument(f"port name must be a non-empty string; got {port!r}")
        self.port = port
        self.mac = checks.mac("mac", mac)
        self.networks = [checks.cidr("networks", n) for n in checks.string_list("networks",
                                                                                networks)]
        if not self.networks:
            raise InvalidArgument("networks: at least one network is needed")
        self.peer = peer
        self.may_exist = may_exist
        gcs = columns.pop("gateway_chassis", None)
        self.gateway_chassis = [] if gcs is None else checks.string_list("gateway_chassis", gcs)
        self.columns = api.check_columns(LRP, columns)

    def run(self, ctx: RunContext) -> None:
        lr = ctx.lookup(LR, self.router)
        existing = ctx.lookup(LRP, self.port, required=False)
        if existing is not None:
            if not self.may_exist:
                raise AlreadyExists(LRP, self.port)
            if not ctx.has(lr, "ports", existing):
                raise AlreadyExists(LRP, self.port, f"it is on another router, not {self.router}")
            if ctx.value(existing, "mac") != self.mac:
                raise InvalidArgument(f"port {self.port} exists with another mac")
            if sorted(ctx.value(existing, "networks", [])) != sorted(self.networks):
                raise InvalidArgument(f"port {self.port} exists with other networks")
            self.result = existing
            return
        cols = dict(self.columns, name=self.port, mac=self.mac, networks=self.networks)
        if self.peer is not None:
            cols["peer"] = self.peer
        n = len(self.gateway_chassis)
        if n:
            cols["gateway_chassis"] = [
                ctx.insert(GC, name=f"{self.port}_{ch}", chassis_name=ch, priority=n - i)
                for i, ch in enumerate(self.gateway_chassis)
            ]
        lrp = ctx.insert(LRP, **cols)
        ctx.add(lr, "ports", lrp)
        self.result = lrp


@nb
class LrpDel(checks.DelChild):
    """Delete a router port (from ``router`` if given, else from whichever router has it)."""

    verb = "lrp_del"
    table = LRP
    parent_table = LR
    column = "ports"
    parent_noun = "router"

    def __init__(self, api: Api, port: Any, router: Any = None, if_exists: bool | None = None):
        super().__init__(api, port, router, bool(if_exists))


@nb
class LrpList(Command):
    verb = "lrp_list"

    def __init__(self, api: Api, router: Any):
        super().__init__(api)
        self.router = router

    def run(self, ctx: RunContext) -> None:
        self.result = ctx.children(ctx.lookup(LR, self.router), "ports", LRP)


@nb
class LrpSetEnabled(checks.SetEnabled):
    verb = "lrp_set_enabled"
    table = LRP


@nb
class LrpGetEnabled(checks.GetEnabled):
    verb = "lrp_get_enabled"
    table = LRP


@nb
class LrpSetOptions(Command):
    """Set keys of a router port's options."""

    verb = "lrp_set_options"

    def __init__(self, api: Api, port: Any, if_exists: bool = False, **options: Any):
        super().__init__(api)
        self.port = port
        self.if_exists = if_exists
        self.options = {str(k): str(v) for k, v in options.items()}

    def run(self, ctx: RunContext) -> None:
        lrp = ctx.lookup(LRP, self.port, required=not self.if_exists)
        if lrp is not None:
            ctx.update_map(lrp, "options", self.options)


@nb
class LrpSetGatewayChassis(Command):
    """Make ``gateway_chassis`` a gateway chassis of ``port`` with ``priority`` (or change its
    priority)."""

    verb = "lrp_set_gateway_chassis"

    def __init__(self, api: Api, port: Any, gateway_chassis: str, priority: int = 0):
        super().__init__(api)
        self.port = port
        if not isinstance(gateway_chassis, str) or not gateway_chassis:
            raise InvalidArgument(f"gateway_chassis must be a chassis name; got "
                                  f"{gateway_chassis!r}")
        self.chassis = gateway_chassis
        self.priority = checks.int_range("priority", priority, 0, 32767)

    def run(self, ctx: RunContext) -> None:
        lrp = ctx.lookup(LRP, self.port)
        port_name = ctx.value(lrp, "name")
        name = f"{port_name}_{self.chassis}"
        for gc in ctx.find_in(lrp, "gateway_chassis", GC, ("name",), name):
            ctx.set(gc, priority=self.priority)
            self.result = gc
            return
        gc = ctx.insert(GC, name=name, chassis_name=self.chassis, priority=self.priority)
        ctx.add(lrp, "gateway_chassis", gc)
        self.result = gc


@nb
class LrpGetGatewayChassis(Command):
    """The Gateway_Chassis rows of a router port, highest priority first."""

    verb = "lrp_get_gateway_chassis"

    def __init__(self, api: Api, port: Any):
        super().__init__(api)
        self.port = port

    def run(self, ctx: RunContext) -> None:
        rows = ctx.children(ctx.lookup(LRP, self.port), "gateway_chassis", GC)
        self.result = sorted(rows, key=lambda g: -g.priority)


@nb
class LrpDelGatewayChassis(Command):
    verb = "lrp_del_gateway_chassis"

    def __init__(self, api: Api, port: Any, gateway_chassis: str, if_exists: bool = False):
        super().__init__(api)
        self.port = port
        self.chassis = gateway_chassis
        self.if_exists = if_exists

    def run(self, ctx: RunContext) -> None:
        lrp = ctx.lookup(LRP, self.port, required=not self.if_exists)
        if lrp is None:
            return
        gcs = [g for g in ctx.children(lrp, "gateway_chassis", GC)
               if g.chassis_name == self.chassis]
        if not gcs and not self.if_exists:
            raise RowNotFound(GC, self.chassis, "chassis_name", f"not a gateway of {self.port}")
        ctx.discard(lrp, "gateway_chassis", *gcs)


# --- static routes ----------------------------------------------------------------------------


@nb
class LrRouteAdd(Command):
    """Add a static route (``policy`` dst-ip/src-ip; ``ecmp`` allows several next hops)."""

    verb = "lr_route_add"

    def __init__(self, api: Api, router: Any, prefix: str, nexthop: str, port: str | None = None,
                 policy: str = "dst-ip", may_exist: bool = False, ecmp: bool = False,
                 route_table: str = "", bfd: Any = None):
        super().__init__(api)
        if may_exist and ecmp:
            raise InvalidArgument("may_exist and ecmp cannot be used together")
        self.router = router
        self.prefix = checks.prefix("prefix", prefix)
        self.nexthop = nexthop if nexthop == "discard" else checks.ip("nexthop", nexthop)
        self.port = port
        self.policy = checks.choice("policy", policy, ("dst-ip", "src-ip"))
        self.may_exist = may_exist
        self.ecmp = ecmp
        self.route_table = route_table
        self.bfd = bfd

    def _same(self, ctx: RunContext, r: Any) -> bool:
        policy = ctx.value(r, "policy", [])
        policy = policy[0] if policy else "dst-ip"  # an empty policy means dst-ip
        return policy == self.policy and ctx.value(r, "route_table", "") == self.route_table

    def run(self, ctx: RunContext) -> None:
        lr = ctx.lookup(LR, self.router)
        same = [r for r in ctx.find_in(lr, "static_routes", ROUTE, ("ip_prefix",), self.prefix)
                if self._same(ctx, r)]
        if self.ecmp:
            if any(ctx.value(r, "nexthop") == self.nexthop for r in same):
                raise AlreadyExists(ROUTE, (self.prefix, self.nexthop), "ecmp route exists")
        elif same:
            if not self.may_exist:
                raise AlreadyExists(ROUTE, self.prefix, f"on router {self.router}")
            cols: dict[str, Any] = {"nexthop": self.nexthop}
            if self.port is not None:
                cols["output_port"] = [self.port]
            ctx.set(same[0], **cols)
            self.result = same[0]
            return
        cols = {"ip_prefix": self.prefix, "nexthop": self.nexthop, "policy": [self.policy],
                "route_table": self.route_table}
        if self.port is not None:
            cols["output_port"] = [self.port]
        if self.bfd is not None:
            cols["bfd"] = [ctx.lookup("BFD", self.bfd)]
        route = ctx.insert(ROUTE, **cols)
        ctx.add(lr, "static_routes", route)
        self.result = route


@nb
class LrRouteDel(Command):
    """Remove routes: all of the router's, or those with ``prefix`` (and ``nexthop``)."""

    verb = "lr_route_del"

    def __init__(self, api: Api, router: Any, prefix: str | None = None, if_exists: bool = False,
                 nexthop: str | None = None, route_table: str = ""):
        super().__init__(api)
        self.router = router
        self.prefix = None if prefix is None else checks.prefix("prefix", prefix)
        self.nexthop = None if nexthop is None else checks.ip("nexthop", nexthop) \
            if nexthop != "discard" else nexthop
        self.if_exists = if_exists
        self.route_table = route_table

    def run(self, ctx: RunContext) -> None:
        lr = ctx.lookup(LR, self.router, required=not self.if_exists)
        if lr is None:
            return
        if self.prefix is None:
            ctx.set(lr, static_routes=[])
            return
        routes = [r for r in ctx.find_in(lr, "static_routes", ROUTE, ("ip_prefix",),
                                         self.prefix)
                  if ctx.value(r, "route_table", "") == self.route_table
                  and (self.nexthop is None or ctx.value(r, "nexthop") == self.nexthop)]
        if not routes and not self.if_exists:
            raise RowNotFound(ROUTE, self.prefix, "ip_prefix", f"on router {self.router}")
        ctx.discard(lr, "static_routes", *routes)


@nb
class LrRouteList(Command):
    verb = "lr_route_list"

    def __init__(self, api: Api, router: Any, route_table: str | None = None):
        super().__init__(api)
        self.router = router
        self.route_table = route_table

    def run(self, ctx: RunContext) -> None:
        rows = ctx.children(ctx.lookup(LR, self.router), "static_routes", ROUTE)
        if self.route_table is not None:
            rows = [r for r in rows if r.route_table == self.route_table]
        self.result = rows


# --- routing policies -------------------------------------------------------------------------


@nb
class LrPolicyAdd(Command):
    """Add a routing policy (``action`` allow/drop/reroute; reroute needs ``nexthop(s)``)."""

    verb = "lr_policy_add"

    def __init__(self, api: Api, router: Any, priority: int, match: str, action: str,
                 may_exist: bool = False, **columns: Any):
        super().__init__(api)
        self.router = router
        self.priority = checks.int_range("priority", priority, 0, 32767)
        if not isinstance(match, str) or not match:
            raise InvalidArgument(f"match must be a non-empty string; got {match!r}")
        self.match = match
        self.action = checks.choice("action", action, ("allow", "drop", "reroute"))
        if "nexthop" in columns and "nexthops" not in columns:
            nh = columns.pop("nexthop")
            columns["nexthops"] = checks.string_list("nexthop", nh)
        if "nexthops" in columns:
            columns["nexthops"] = [checks.ip("nexthops", n)
                                   for n in checks.string_list("nexthops", columns["nexthops"])]
        if self.action == "reroute" and not columns.get("nexthops"):
            raise InvalidArgument("a reroute policy needs nexthop(s)")
        self.columns = api.check_columns(POLICY, columns)
        self.may_exist = may_exist

    def run(self, ctx: RunContext) -> None:
        lr = ctx.lookup(LR, self.router)
        for p in ctx.find_in(lr, "policies", POLICY, ("priority", "match"), self.priority,
                             self.match):
            if not self.may_exist:
                raise AlreadyExists(POLICY, (self.priority, self.match))
            self.result = p
            return
        p = ctx.insert(POLICY, priority=self.priority, match=self.match, action=self.action,
                       **self.columns)
        ctx.add(lr, "policies", p)
        self.result = p


@nb
class LrPolicyDel(Command):
    """Remove policies: all, those of ``priority``, or the one (priority, match)."""

    verb = "lr_policy_del"

    def __init__(self, api: Api, router: Any, priority: int | None = None,
                 match: str | None = None, if_exists: bool = False):
        super().__init__(api)
        if match is not None and priority is None:
            raise InvalidArgument("match needs a priority")
        self.router = router
        self.priority = None if priority is None else checks.int_range(
            "priority", priority, 0, 32767)
        self.match = match
        self.if_exists = if_exists

    def run(self, ctx: RunContext) -> None:
        lr = ctx.lookup(LR, self.router, required=not self.if_exists)
        if lr is None:
            return
        if self.match is not None:
            rows = ctx.find_in(lr, "policies", POLICY, ("priority", "match"), self.priority,
                               self.match)
            if not rows and not self.if_exists:
                raise RowNotFound(POLICY, (self.priority, self.match))
        else:
            rows = [p for p in ctx.children(lr, "policies", POLICY)
                    if self.priority is None or p.priority == self.priority]
        ctx.discard(lr, "policies", *rows)


@nb
class LrPolicyList(Command):
    verb = "lr_policy_list"

    def __init__(self, api: Api, router: Any):
        super().__init__(api)
        self.router = router

    def run(self, ctx: RunContext) -> None:
        self.result = ctx.children(ctx.lookup(LR, self.router), "policies", POLICY)


# --- NAT --------------------------------------------------------------------------------------


def _nat_key(nat_type: str) -> str:
    # ovn-nbctl's identity of a NAT rule: an SNAT rule by its logical IP, the others by their
    # external IP.
    return "logical_ip" if nat_type == "snat" else "external_ip"


@nb
class LrNatAdd(Command):
    """Add a NAT rule (snat / dnat / dnat_and_snat; ``logical_port`` + ``external_mac`` for a
    distributed dnat_and_snat)."""

    verb = "lr_nat_add"

    def __init__(self, api: Api, router: Any, nat_type: str, external_ip: str, logical_ip: str,
                 logical_port: str | None = None, external_mac: str | None = None,
                 may_exist: bool = False):
        super().__init__(api)
        self.router = router
        self.nat_type = checks.choice("nat_type", nat_type, NAT_TYPES)
        self.external_ip = checks.ip("external_ip", external_ip)
        if nat_type == "snat":
            self.logical_ip = checks.cidr("logical_ip", logical_ip)
        else:
            self.logical_ip = checks.ip("logical_ip", logical_ip)
        if (logical_port is None) != (external_mac is None):
            raise InvalidArgument("logical_port and external_mac go together")
        if logical_port is not None and nat_type != "dnat_and_snat":
            raise InvalidArgument("logical_port and external_mac need dnat_and_snat")
        self.logical_port = logical_port
        self.external_mac = None if external_mac is None else checks.mac("external_mac",
                                                                         external_mac)
        self.may_exist = may_exist

    def run(self, ctx: RunContext) -> None:
        lr = ctx.lookup(LR, self.router)
        col = _nat_key(self.nat_type)
        ip = self.logical_ip if col == "logical_ip" else self.external_ip
        for nat in ctx.find_in(lr, "nat", NAT, ("type", col), self.nat_type, ip):
            if not self.may_exist:
                raise AlreadyExists(NAT, (self.nat_type, ip), f"on router {self.router}")
            cols: dict[str, Any] = {"external_ip": self.external_ip, "logical_ip": self.logical_ip}
            if self.logical_port is not None:
                cols["logical_port"] = [self.logical_port]
                cols["external_mac"] = [self.external_mac]
            ctx.set(nat, **cols)
            self.result = nat
            return
        cols = {"type": self.nat_type, "external_ip": self.external_ip,
                "logical_ip": self.logical_ip}
        if self.logical_port is not None:
            cols["logical_port"] = [self.logical_port]
            cols["external_mac"] = [self.external_mac]
        nat = ctx.insert(NAT, **cols)
        ctx.add(lr, "nat", nat)
        self.result = nat


@nb
class LrNatDel(Command):
    """Remove NAT rules: all, all of ``nat_type``, or the one matching ``match_ip``."""

    verb = "lr_nat_del"

    def __init__(self, api: Api, router: Any, nat_type: str | None = None,
                 match_ip: str | None = None, if_exists: bool | None = None):
        super().__init__(api)
        if match_ip is not None and nat_type is None:
            raise InvalidArgument("match_ip needs a nat_type")
        self.router = router
        self.nat_type = None if nat_type is None else checks.choice("nat_type", nat_type,
                                                                    NAT_TYPES)
        self.match_ip = match_ip
        self.if_exists = bool(if_exists)

    def run(self, ctx: RunContext) -> None:
        lr = ctx.lookup(LR, self.router, required=not self.if_exists)
        if lr is None:
            return
        if self.match_ip is not None:
            assert self.nat_type is not None
            rows = ctx.find_in(lr, "nat", NAT, ("type", _nat_key(self.nat_type)), self.nat_type,
                               self.match_ip)
            if not rows and not self.if_exists:
                raise RowNotFound(NAT, (self.nat_type, self.match_ip))
        else:
            rows = [n for n in ctx.children(lr, "nat", NAT)
                    if self.nat_type is None or n.type == self.nat_type]
        ctx.discard(lr, "nat", *rows)


@nb
class LrNatList(Command):
    verb = "lr_nat_list"

    def __init__(self, api: Api, router: Any):
        super().__init__(api)
        self.router = router

    def run(self, ctx: RunContext) -> None:
        self.result = ctx.children(ctx.lookup(LR, self.router), "nat", NAT)


# Verbs that only forward their arguments to a shape, declared as data.
checks.declare(nb, __name__, [
    checks.Forward("lr_add", checks.AddRow, LR, ("router",),
                   doc="Create a logical router (``lr_add(router=None, may_exist=False, "
                       "**columns)``)."),
    checks.Forward("lr_del", checks.DelRow, LR, ("router",)),
    checks.Forward("lr_list", checks.ListRows, LR),
    checks.Forward("lr_get", checks.GetRow, LR),
    checks.Forward("lrp_get", checks.GetRow, LRP),
    checks.Forward("lrp_get_options", checks.GetColumn, LRP, (), attrs={"column": "options"}),
])
