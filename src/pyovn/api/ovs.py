"""The Open_vSwitch API: bridges, ports and interfaces, plus the generic db_* verbs.

As ovs-vsctl does, ``add_br`` creates the bridge's internal port and interface of the same name
and attaches the bridge to the root Open_vSwitch row; ``add_port`` creates a Port with one
Interface. Bridges, ports and interfaces are not root rows, so detaching one from its parent
deletes it (with its children) on the server.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pyovn.api import checks, db  # noqa: F401 - db registers the generic verbs
from pyovn.api.base import Api, Command, RunContext, verb
from pyovn.api.errors import AlreadyExists, InvalidArgument, RowNotFound

__all__ = ["OvsApi"]

ovs = verb("Open_vSwitch")
BR = "Bridge"
PORT = "Port"
IFACE = "Interface"


def _name(what: str, value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise InvalidArgument(f"{what} must be a non-empty name; got {value!r}")
    return value


def _bridge_of(ctx: RunContext, port: Any) -> Any:
    return ctx.owner(BR, "ports", port)


@ovs
class AddBr(Command):
    """Create a bridge (with its internal port); ``may_exist`` (default) accepts an existing
    one."""

    verb = "add_br"

    def __init__(self, api: Api, name: str, may_exist: bool = True,
                 datapath_type: str | None = None):
        super().__init__(api)
        self.name = _name("bridge", name)
        self.may_exist = may_exist
        self.datapath_type = datapath_type

    def run(self, ctx: RunContext) -> None:
        existing = ctx.lookup(BR, self.name, required=False)
        if existing is not None:
            if not self.may_exist:
                raise AlreadyExists(BR, self.name)
            if self.datapath_type is not None:
                ctx.set(existing, datapath_type=self.datapath_type)
            self.result = existing
            return
        root = ctx.lookup("Open_vSwitch", ".")
        iface = ctx.insert(IFACE, name=self.name, type="internal")
        port = ctx.insert(PORT, name=self.name, interfaces=[iface])
        cols: dict[str, Any] = {"name": self.name, "ports": [port]}
        if self.datapath_type is not None:
            cols["datapath_type"] = self.datapath_type
        br = ctx.insert(BR, **cols)
        ctx.add(root, "bridges", br)
        self.result = br


@ovs
class DelBr(Command):
    verb = "del_br"

    def __init__(self, api: Api, name: Any, if_exists: bool = True):
        super().__init__(api)
        self.name = name
        self.if_exists = if_exists

    def run(self, ctx: RunContext) -> None:
        br = ctx.lookup(BR, self.name, required=not self.if_exists)
        if br is not None:
            ctx.discard(ctx.lookup("Open_vSwitch", "."), "bridges", br)


@ovs
class BrExists(Command):
    verb = "br_exists"

    def __init__(self, api: Api, name: str):
        super().__init__(api)
        self.name = name

    def run(self, ctx: RunContext) -> None:
        self.result = ctx.lookup(BR, self.name, required=False) is not None


@ovs
class ListBr(Command):
    """Names of all bridges, sorted."""

    verb = "list_br"

    def __init__(self, api: Api):
        super().__init__(api)

    def run(self, ctx: RunContext) -> None:
        self.result = sorted(b.name for b in ctx.api.idl.tables[BR].all())


@ovs
class AddPort(Command):
    """Add a port with one interface named ``port`` to ``bridge``; keyword arguments are
    Interface columns (``type="internal"``, ``external_ids={...}``)."""

    verb = "add_port"

    def __init__(self, api: Api, bridge: Any, port: str, may_exist: bool = True,
                 **interface_attrs: Any):
        super().__init__(api)
        self.bridge = bridge
        self.port = _name("port", port)
        self.may_exist = may_exist
        self.iface_attrs = api.check_columns(IFACE, interface_attrs)

    def run(self, ctx: RunContext) -> None:
        br = ctx.lookup(BR, self.bridge)
        existing = ctx.lookup(PORT, self.port, required=False)
        if existing is not None:
            if not self.may_exist:
                raise AlreadyExists(PORT, self.port)
            if not ctx.has(br, "ports", existing):
                raise AlreadyExists(PORT, self.port, f"it is on another bridge, not "
                                    f"{self.bridge}")
            self.result = existing
            return
        iface = ctx.insert(IFACE, name=self.port, **self.iface_attrs)
        port = ctx.insert(PORT, name=self.port, interfaces=[iface])
        ctx.add(br, "ports", port)
        self.result = port


@ovs
class DelPort(Command):
    verb = "del_port"

    def __init__(self, api: Api, port: Any, bridge: Any = None, if_exists: bool = True):
        super().__init__(api)
        self.port = port
        self.bridge = bridge
        self.if_exists = if_exists

    def run(self, ctx: RunContext) -> None:
        port = ctx.lookup(PORT, self.port, required=not self.if_exists)
        if port is None:
            return
        if self.bridge is not None:
            br = ctx.lookup(BR, self.bridge)
            if not ctx.has(br, "ports", port):
                raise RowNotFound(PORT, self.port, detail=f"not on bridge {self.bridge}")
        else:
            br = _bridge_of(ctx, port)
        if br is not None:
            ctx.discard(br, "ports", port)


@ovs
class ListPorts(Command):
    """Names of a bridge's ports (its own internal port excluded, as ovs-vsctl does)."""

    verb = "list_ports"

    def __init__(self, api: Api, bridge: Any):
        super().__init__(api)
        self.bridge = bridge

    def run(self, ctx: RunContext) -> None:
        br = ctx.lookup(BR, self.bridge)
        t = ctx.api.idl.tables[PORT]
        name = ctx.value(br, "name")
        names = [p.name for p in (t.get(u) for u in ctx.value(br, "ports", [])) if p]
        self.result = sorted(n for n in names if n != name)


@ovs
class ListIfaces(Command):
    verb = "list_ifaces"

    def __init__(self, api: Api, bridge: Any):
        super().__init__(api)
        self.bridge = bridge

    def run(self, ctx: RunContext) -> None:
        br = ctx.lookup(BR, self.bridge)
        ports, ifaces = ctx.api.idl.tables[PORT], ctx.api.idl.tables[IFACE]
        name = ctx.value(br, "name")
        out = []
        for pu in ctx.value(br, "ports", []):
            p = ports.get(pu)
            if p is None:
                continue
            out.extend(i.name for i in (ifaces.get(u) for u in p.interfaces) if i)
        self.result = sorted(n for n in out if n != name)


class _GetExternalId(Command):
    table = ""

    def __init__(self, api: Api, name: Any, field: str):
        super().__init__(api)
        self.name = name
        self.field = field

    def run(self, ctx: RunContext) -> None:
        ids = ctx.value(ctx.lookup(self.table, self.name), "external_ids", {})
        if self.field not in ids:
            raise RowNotFound(self.table, self.field, "external_ids", f"of {self.name}")
        self.result = ids[self.field]


class _SetExternalId(Command):
    table = ""

    def __init__(self, api: Api, name: Any, field: str, value: str):
        super().__init__(api)
        self.name = name
        self.field = str(field)
        self.value = str(value)

    def run(self, ctx: RunContext) -> None:
        ctx.update_map(ctx.lookup(self.table, self.name), "external_ids",
                       {self.field: self.value})

# Verbs that only forward their arguments to a shape, declared as data.
checks.declare(ovs, __name__, [
    checks.Forward("br_get_external_id", _GetExternalId, BR),
    checks.Forward("br_set_external_id", _SetExternalId, BR),
    checks.Forward("iface_get_external_id", _GetExternalId, IFACE),
    checks.Forward("iface_set_external_id", _SetExternalId, IFACE),
])



class OvsApi(Api):
    """Commands on an Open_vSwitch database (verbs of ovsdbapp's OvsdbIdl)."""

    database: ClassVar[str] = "Open_vSwitch"
    lookups: ClassVar[dict[str, str]] = {
        "Bridge": "name",
        "Port": "name",
        "Interface": "name",
        "Controller": "target",
        "Manager": "target",
    }

