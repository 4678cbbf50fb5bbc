"""OVN_Northbound verbs for ACLs (on switches and on port groups), port groups and address sets.

The ACL duplicate check is the reason this project exists: ovsdbapp reads every ACL of the
switch to see whether (direction, priority, match) is taken, so adding the N-th ACL costs O(N).
Here ACL rows are indexed by (direction, priority, match) across the whole table, and the check
is scoped to the one parent (``RunContext.find_in``): the rows with that key among the parent's
``acls`` set, costing the smaller of the two, so it grows neither with the parent nor with the
other switches and port groups that carry the same ACL. Adding an ACL is an insert plus a set
mutation on the parent.
"""

from __future__ import annotations

from typing import Any

from pyovn.api import checks
from pyovn.api.base import Api, Command, RunContext, verb
from pyovn.api.errors import AlreadyExists, InvalidArgument
from pyovn.ovsdb.largeset import SET_TYPES

nb = verb("OVN_Northbound")

ACL = "ACL"
ACL_KEY = ("direction", "priority", "match")
DIRECTIONS = ("from-lport", "to-lport")
ACTIONS = ("allow", "allow-related", "allow-stateless", "drop", "reject", "pass")
SEVERITIES = ("alert", "warning", "notice", "info", "debug")
PG = "Port_Group"
AS = "Address_Set"


class _AclAdd(Command):
    parent_table = ""

    def __init__(self, api: Api, parent: Any, direction: str, priority: int, match: str,
                 action: str, log: bool = False, may_exist: bool = False,
                 severity: str | None = None, name: str | None = None, meter: str | None = None,
                 tier: int | None = None, **external_ids: Any):
        super().__init__(api)
        self.parent = parent
        self.direction = checks.choice("direction", direction, DIRECTIONS)
        self.priority = checks.int_range("priority", priority, 0, 32767)
        if not isinstance(match, str) or not match:
            raise InvalidArgument(f"match must be a non-empty string; got {match!r}")
        self.match = match
        cols: dict[str, Any] = {
            "direction": direction, "priority": self.priority, "match": match,
            "action": checks.choice("action", action, ACTIONS), "log": bool(log),
        }
        if severity is not None:
            cols["severity"] = checks.choice("severity", severity, SEVERITIES)
        if name is not None:
            cols["name"] = name
        if meter is not None:
            cols["meter"] = meter
        if tier is not None:
            cols["tier"] = checks.int_range("tier", tier, 0, 3)
        if external_ids:
            cols["external_ids"] = {str(k): str(v) for k, v in external_ids.items()}
        self.columns = api.check_columns(ACL, cols)
        self.may_exist = may_exist

    def run(self, ctx: RunContext) -> None:
        parent = ctx.lookup(self.parent_table, self.parent)
        for acl in ctx.find_in(parent, "acls", ACL, ACL_KEY, self.direction, self.priority,
                               self.match):
            if not self.may_exist:
                raise AlreadyExists(ACL, (self.direction, self.priority, self.match),
                                    f"on {self.parent_table} {self.parent}")
            self.result = acl
            return
        acl = ctx.insert(ACL, **self.columns)
        ctx.add(parent, "acls", acl)
        self.result = acl


@nb
class AclAdd(_AclAdd):
    """Add an ACL to a switch: ``acl_add(switch, direction, priority, match, action, ...)``."""

    verb = "acl_add"
    parent_table = "Logical_Switch"

    def __init__(self, api: Api, switch: Any, direction: str, priority: int, match: str,
                 action: str, log: bool = False, may_exist: bool = False, **kwargs: Any):
        super().__init__(api, switch, direction, priority, match, action, log, may_exist, **kwargs)


@nb
class PgAclAdd(_AclAdd):
    """Add an ACL to a port group (same arguments as acl_add)."""

    verb = "pg_acl_add"
    parent_table = PG

    def __init__(self, api: Api, port_group: Any, direction: str, priority: int, match: str,
                 action: str, log: bool = False, may_exist: bool = False, **kwargs: Any):
        super().__init__(api, port_group, direction, priority, match, action, log, may_exist,
                         **kwargs)


class _AclDel(Command):
    parent_table = ""

    def __init__(self, api: Api, parent: Any, direction: str | None = None,
                 priority: int | None = None, match: str | None = None, if_exists: bool = False,
                 tier: int | None = None):
        super().__init__(api)
        if (priority is None) != (match is None):
            raise InvalidArgument("priority and match go together")
        if priority is not None and direction is None:
            raise InvalidArgument("priority and match need a direction")
        self.parent = parent
        self.direction = None if direction is None else checks.choice(
            "direction", direction, DIRECTIONS)
        self.priority = None if priority is None else checks.int_range(
            "priority", priority, 0, 32767)
        self.match = match
        self.tier = None if tier is None else checks.int_range("tier", tier, 0, 3)
        self.if_exists = if_exists

    def run(self, ctx: RunContext) -> None:
        parent = ctx.lookup(self.parent_table, self.parent, required=not self.if_exists)
        if parent is None:
            return
        if self.priority is not None:
            acls = ctx.find_in(parent, "acls", ACL, ACL_KEY, self.direction, self.priority,
                               self.match)
        else:
            table = ctx.api.idl.tables[ACL]
            rows = (table.get(u) for u in ctx.value(parent, "acls", []))
            acls = [a for a in rows if a is not None
                    and (self.direction is None or a.direction == self.direction)]
        if self.tier is not None:
            acls = [a for a in acls if ctx.value(a, "tier") == self.tier]
        ctx.discard(parent, "acls", *acls)


class _AclList(Command):
    parent_table = ""

    def __init__(self, api: Api, parent: Any):
        super().__init__(api)
        self.parent = parent

    def run(self, ctx: RunContext) -> None:
        parent = ctx.lookup(self.parent_table, self.parent)
        table = ctx.api.idl.tables[ACL]
        self.result = [a for a in (table.get(u) for u in ctx.value(parent, "acls", [])) if a]


# --- port groups ------------------------------------------------------------------------------


def _ports(value: Any) -> list[Any]:
    if isinstance(value, (list, tuple, *SET_TYPES)):
        return list(value)
    return [value]


@nb
class PgAddPorts(Command):
    """Add logical switch ports (names, uuids or rows; one or a list) to a port group."""

    verb = "pg_add_ports"

    def __init__(self, api: Api, pg_id: Any, lsp: Any):
        super().__init__(api)
        self.pg = pg_id
        self.ports = _ports(lsp)

    def run(self, ctx: RunContext) -> None:
        pg = ctx.lookup(PG, self.pg)
        ctx.add(pg, "ports", *(ctx.lookup("Logical_Switch_Port", p) for p in self.ports))


@nb
class PgDelPorts(Command):
    """Remove ports from a port group."""

    verb = "pg_del_ports"

    def __init__(self, api: Api, pg_id: Any, lsp: Any, if_exists: bool = False):
        super().__init__(api)
        self.pg = pg_id
        self.ports = _ports(lsp)
        self.if_exists = if_exists

    def run(self, ctx: RunContext) -> None:
        pg = ctx.lookup(PG, self.pg, required=not self.if_exists)
        if pg is None:
            return
        rows = [ctx.lookup("Logical_Switch_Port", p, required=not self.if_exists)
                for p in self.ports]
        ctx.discard(pg, "ports", *(r for r in rows if r is not None))


# --- address sets -----------------------------------------------------------------------------


@nb
class AddressSetAdd(checks.AddRow):
    """Create an address set (``address_set_add(name, addresses=None, may_exist=False)``)."""

    verb = "address_set_add"
    table = AS

    def __init__(self, api: Api, name: str, addresses: Any = None, may_exist: bool = False,
                 **columns: Any):
        if addresses is not None:
            columns["addresses"] = checks.string_list("addresses", addresses)
        super().__init__(api, name, may_exist, **columns)


@nb
class AddressSetAddAddresses(Command):
    """Add addresses to an address set (a mutation: O(1) whatever the set's size)."""

    verb = "address_set_add_addresses"

    def __init__(self, api: Api, address_set: Any, addresses: Any):
        super().__init__(api)
        self.address_set = address_set
        self.addresses = checks.string_list("addresses", addresses)

    def run(self, ctx: RunContext) -> None:
        ctx.add(ctx.lookup(AS, self.address_set), "addresses", *self.addresses)


@nb
class AddressSetRemoveAddresses(Command):
    verb = "address_set_remove_addresses"

    def __init__(self, api: Api, address_set: Any, addresses: Any):
        super().__init__(api)
        self.address_set = address_set
        self.addresses = checks.string_list("addresses", addresses)

    def run(self, ctx: RunContext) -> None:
        ctx.discard(ctx.lookup(AS, self.address_set), "addresses", *self.addresses)


# Verbs that only forward their arguments to a shape, declared as data.
checks.declare(nb, __name__, [
    checks.Forward("acl_del", _AclDel, "", ("switch",),
                   doc="Remove ACLs from a switch: all, one direction's, or the one "
                       "(direction, priority,\n    match).",
                   attrs={"parent_table": "Logical_Switch"}),
    checks.Forward("pg_acl_del", _AclDel, "", ("port_group",),
                   doc="Remove ACLs from a port group (same arguments as acl_del).",
                   attrs={"parent_table": PG}),
    checks.Forward("acl_list", _AclList, "", ("switch",), doc="The ACLs of a switch.",
                   attrs={"parent_table": "Logical_Switch"}),
    checks.Forward("pg_acl_list", _AclList, "", ("port_group",), doc="The ACLs of a port group.",
                   attrs={"parent_table": PG}),
    checks.Forward("pg_add", checks.AddRow, PG, (),
                   doc="Create a port group (``pg_add(name=None, may_exist=False, "
                       "**columns)``)."),
    checks.Forward("pg_del", checks.DelRow, PG, ("name",)),
    checks.Forward("pg_get", checks.GetRow, PG, ("pg_id",)),
    checks.Forward("address_set_del", checks.DelRow, AS, ("address_set",)),
    checks.Forward("address_set_get", checks.GetRow, AS),
    checks.Forward("address_set_list", checks.ListRows, AS),
])
