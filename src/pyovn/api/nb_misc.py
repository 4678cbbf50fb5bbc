"""OVN_Northbound verbs for load balancers (lb_*, ls_lb_*, lr_lb_*), DHCP options and HA chassis
groups. One class per verb, as everywhere in pyovn.api.
"""

from __future__ import annotations

from typing import Any

from pyovn.api import checks
from pyovn.api.base import Api, Command, RunContext, verb
from pyovn.api.errors import AlreadyExists, InvalidArgument, RowNotFound

nb = verb("OVN_Northbound")

LB = "Load_Balancer"
DHCP = "DHCP_Options"
HCG = "HA_Chassis_Group"
HC = "HA_Chassis"


def _vip(value: Any) -> str:
    """IP, IP:PORT, or [IPv6]:PORT."""
    if not isinstance(value, str):
        raise InvalidArgument(f"vip must be a string; got {value!r}")
    host, port = value, None
    if value.startswith("["):
        host, _, rest = value[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else None
    elif value.count(":") == 1:
        host, port = value.split(":")
    checks.ip("vip", host)
    if port is not None:
        checks.int_range("vip port", port, 1, 65535)
    return value


@nb
class LbAdd(Command):
    """Create load balancer ``lb`` with ``vip`` -> ``ips``, or add/replace a VIP of it."""

    verb = "lb_add"

    def __init__(self, api: Api, lb: str, vip: str, ips: Any, protocol: str = "tcp",
                 may_exist: bool = False, **columns: Any):
        super().__init__(api)
        self.lb = lb
        self.vip = _vip(vip)
        ip_list = ips.split(",") if isinstance(ips, str) else list(ips)
        for i in ip_list:
            _vip(i.strip())
        self.ips = ",".join(i.strip() for i in ip_list)
        self.protocol = checks.choice("protocol", protocol, ("tcp", "udp", "sctp"))
        self.may_exist = may_exist
        self.columns = api.check_columns(LB, columns)

    def run(self, ctx: RunContext) -> None:
        lb = ctx.lookup(LB, self.lb, required=False)
        if lb is not None:
            vips = ctx.value(lb, "vips", {})
            if self.vip in vips and not self.may_exist:
                raise AlreadyExists(LB, (self.lb, self.vip), "the VIP exists")
            ctx.update_map(lb, "vips", {self.vip: self.ips})
            ctx.set(lb, protocol=[self.protocol], **self.columns)
            self.result = lb
            return
        self.result = ctx.insert(LB, name=self.lb, vips={self.vip: self.ips},
                                 protocol=[self.protocol], **self.columns)


@nb
class LbDel(Command):
    """Delete a load balancer, or one of its VIPs (the balancer goes with its last VIP)."""

    verb = "lb_del"

    def __init__(self, api: Api, lb: Any, vip: str | None = None, if_exists: bool = False):
        super().__init__(api)
        self.lb = lb
        self.vip = vip
        self.if_exists = if_exists

    def run(self, ctx: RunContext) -> None:
        lb = ctx.lookup(LB, self.lb, required=not self.if_exists)
        if lb is None:
            return
        if self.vip is None:
            ctx.delete(lb)
            return
        vips = ctx.value(lb, "vips", {})
        if self.vip not in vips:
            if not self.if_exists:
                raise RowNotFound(LB, self.vip, "vips", f"not a VIP of {self.lb}")
            return
        if len(vips) == 1:
            ctx.delete(lb)
        else:
            ctx.discard_keys(lb, "vips", self.vip)


class _AttachLb(Command):
    parent = ""

    def __init__(self, api: Api, record: Any, lb: Any, may_exist: bool = False):
        super().__init__(api)
        self.record = record
        self.lb = lb
        self.may_exist = may_exist

    def run(self, ctx: RunContext) -> None:
        parent = ctx.lookup(self.parent, self.record)
        lb = ctx.lookup(LB, self.lb)
        if ctx.has(parent, "load_balancer", lb) and not self.may_exist:
            raise AlreadyExists(LB, self.lb, f"already on {self.parent} {self.record}")
        ctx.add(parent, "load_balancer", lb)


class _DetachLb(Command):
    parent = ""

    def __init__(self, api: Api, record: Any, lb: Any = None, if_exists: bool = False):
        super().__init__(api)
        self.record = record
        self.lb = lb
        self.if_exists = if_exists

    def run(self, ctx: RunContext) -> None:
        parent = ctx.lookup(self.parent, self.record, required=not self.if_exists)
        if parent is None:
            return
        if self.lb is None:
            ctx.set(parent, load_balancer=[])
            return
        lb = ctx.lookup(LB, self.lb, required=not self.if_exists)
        if lb is None:
            return
        if not ctx.has(parent, "load_balancer", lb):
            if self.if_exists:
                return
            raise RowNotFound(LB, self.lb, detail=f"not on {self.parent} {self.record}")
        ctx.discard(parent, "load_balancer", lb)


class _ListLb(Command):
    parent = ""

    def __init__(self, api: Api, record: Any):
        super().__init__(api)
        self.record = record

    def run(self, ctx: RunContext) -> None:
        parent = ctx.lookup(self.parent, self.record)
        t = ctx.api.idl.tables[LB]
        self.result = [r for r in (t.get(u) for u in ctx.value(parent, "load_balancer", [])) if r]


# --- DHCP options -----------------------------------------------------------------------------


@nb
class DhcpOptionsAdd(Command):
    """Create a DHCP_Options row for ``cidr`` (keyword arguments become external_ids)."""

    verb = "dhcp_options_add"

    def __init__(self, api: Api, cidr: str, **external_ids: Any):
        super().__init__(api)
        self.cidr = checks.cidr("cidr", cidr)
        self.external_ids = {str(k): str(v) for k, v in external_ids.items()}

    def run(self, ctx: RunContext) -> None:
        self.result = ctx.insert(DHCP, cidr=self.cidr, external_ids=self.external_ids)


@nb
class DhcpOptionsSetOptions(Command):
    """Replace the options of a DHCP_Options row."""

    verb = "dhcp_options_set_options"

    def __init__(self, api: Api, uuid: Any, **options: Any):
        super().__init__(api)
        self.uuid = uuid
        self.options = {str(k): str(v) for k, v in options.items()}

    def run(self, ctx: RunContext) -> None:
        ctx.set(ctx.lookup(DHCP, self.uuid), options=self.options)


# --- HA chassis groups ------------------------------------------------------------------------


@nb
class HaChassisGroupAdd(checks.AddRow):
    verb = "ha_chassis_group_add"
    table = HCG

    def __init__(self, api: Api, name: str, may_exist: bool = False, **columns: Any):
        super().__init__(api, name, may_exist, **columns)


def _group_chassis(ctx: RunContext, group: Any, chassis: str) -> list[Any]:
    return ctx.find_in(group, "ha_chassis", HC, ("chassis_name",), chassis)


@nb
class HaChassisGroupAddChassis(Command):
    """Add ``chassis`` with ``priority`` to a group (or change its priority)."""

    verb = "ha_chassis_group_add_chassis"

    def __init__(self, api: Api, hcg_id: Any, chassis: str, priority: int, **columns: Any):
        super().__init__(api)
        self.group = hcg_id
        if not isinstance(chassis, str) or not chassis:
            raise InvalidArgument(f"chassis must be a name; got {chassis!r}")
        self.chassis = chassis
        self.priority = checks.int_range("priority", priority, 0, 32767)
        self.columns = api.check_columns(HC, columns)

    def run(self, ctx: RunContext) -> None:
        group = ctx.lookup(HCG, self.group)
        existing = _group_chassis(ctx, group, self.chassis)
        if existing:
            ctx.set(existing[0], priority=self.priority, **self.columns)
            self.result = existing[0]
            return
        hc = ctx.insert(HC, chassis_name=self.chassis, priority=self.priority, **self.columns)
        ctx.add(group, "ha_chassis", hc)
        self.result = hc


@nb
class HaChassisGroupDelChassis(Command):
    verb = "ha_chassis_group_del_chassis"

    def __init__(self, api: Api, hcg_id: Any, chassis: str, if_exists: bool = False):
        super().__init__(api)
        self.group = hcg_id
        self.chassis = chassis
        self.if_exists = if_exists

    def run(self, ctx: RunContext) -> None:
        group = ctx.lookup(HCG, self.group, required=not self.if_exists)
        if group is None:
            return
        rows = _group_chassis(ctx, group, self.chassis)
        if not rows and not self.if_exists:
            raise RowNotFound(HC, self.chassis, "chassis_name", f"not in group {self.group}")
        ctx.discard(group, "ha_chassis", *rows)


# Verbs that only forward their arguments to a shape, declared as data.
checks.declare(nb, __name__, [
    checks.Forward("lb_list", checks.ListRows, LB),
    checks.Forward("lb_get", checks.GetRow, LB),
    checks.Forward("ls_lb_add", _AttachLb, "", ("switch",), attrs={"parent": "Logical_Switch"}),
    checks.Forward("ls_lb_del", _DetachLb, "", ("switch",), attrs={"parent": "Logical_Switch"}),
    checks.Forward("ls_lb_list", _ListLb, "", ("switch",), attrs={"parent": "Logical_Switch"}),
    checks.Forward("lr_lb_add", _AttachLb, "", ("router",), attrs={"parent": "Logical_Router"}),
    checks.Forward("lr_lb_del", _DetachLb, "", ("router",), attrs={"parent": "Logical_Router"}),
    checks.Forward("lr_lb_list", _ListLb, "", ("router",), attrs={"parent": "Logical_Router"}),
    checks.Forward("dhcp_options_del", checks.DelRow, DHCP, ("uuid",)),
    checks.Forward("dhcp_options_list", checks.ListRows, DHCP),
    checks.Forward("dhcp_options_get", checks.GetRow, DHCP),
    checks.Forward("dhcp_options_get_options", checks.GetColumn, DHCP, (),
                   attrs={"column": "options"}),
    checks.Forward("ha_chassis_group_del", checks.DelRow, HCG, ("name",)),
    checks.Forward("ha_chassis_group_get", checks.GetRow, HCG),
])
