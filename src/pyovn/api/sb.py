"""The OVN_Southbound API: chassis and port binding verbs plus the generic db_* ones.

``chassis_add`` creates the chassis with one Encap row per encapsulation type;
``lsp_bind``/``lsp_unbind`` set or clear ``Port_Binding.chassis``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pyovn.api import checks, db  # noqa: F401 - db registers the generic verbs
from pyovn.api.base import Api, Command, RunContext, verb
from pyovn.api.errors import AlreadyExists, InvalidArgument

__all__ = ["OvnSbApi"]

sb = verb("OVN_Southbound")
CH = "Chassis"
PB = "Port_Binding"
ENCAP_TYPES = ("geneve", "stt", "vxlan")


@sb
class ChassisAdd(Command):
    """Register a chassis with its encapsulations (``chassis_add(name, ["geneve"], ip)``)."""

    verb = "chassis_add"

    def __init__(self, api: Api, chassis: str, encap_types: Any, encap_ip: str,
                 may_exist: bool = False, **columns: Any):
        super().__init__(api)
        if not isinstance(chassis, str) or not chassis:
            raise InvalidArgument(f"chassis must be a name; got {chassis!r}")
        self.chassis = chassis
        self.encap_types = [checks.choice("encap_type", t, ENCAP_TYPES)
                            for t in checks.string_list("encap_types", encap_types)]
        if not self.encap_types:
            raise InvalidArgument("at least one encap type is needed")
        self.encap_ip = checks.ip("encap_ip", encap_ip)
        self.may_exist = may_exist
        self.columns = api.check_columns(CH, columns)

    def run(self, ctx: RunContext) -> None:
        existing = ctx.lookup(CH, self.chassis, required=False)
        if existing is not None:
            if not self.may_exist:
                raise AlreadyExists(CH, self.chassis)
            self.result = existing
            return
        encaps = [ctx.insert("Encap", type=t, ip=self.encap_ip, chassis_name=self.chassis,
                             options={"csum": "true"}) for t in self.encap_types]
        self.result = ctx.insert(CH, name=self.chassis, encaps=encaps, **self.columns)


@sb
class LspBind(Command):
    """Bind a logical port (Port_Binding.logical_port) to a chassis."""

    verb = "lsp_bind"

    def __init__(self, api: Api, port: str, chassis: Any, may_exist: bool = False):
        super().__init__(api)
        self.port = port
        self.chassis = chassis
        self.may_exist = may_exist

    def run(self, ctx: RunContext) -> None:
        pb = ctx.lookup(PB, self.port)
        ch = ctx.lookup(CH, self.chassis)
        bound = ctx.value(pb, "chassis", [])
        if bound and not self.may_exist:
            raise AlreadyExists(PB, self.port, f"already bound to {bound[0]}")
        ctx.set(pb, chassis=[ch])


@sb
class LspUnbind(Command):
    """Clear a logical port's chassis."""

    verb = "lsp_unbind"

    def __init__(self, api: Api, port: str, if_exists: bool = False):
        super().__init__(api)
        self.port = port
        self.if_exists = if_exists

    def run(self, ctx: RunContext) -> None:
        pb = ctx.lookup(PB, self.port, required=not self.if_exists)
        if pb is not None:
            ctx.set(pb, chassis=[])

# Verbs that only forward their arguments to a shape, declared as data.
checks.declare(sb, __name__, [
    checks.Forward("chassis_del", checks.DelRow, CH, ("chassis",)),
    checks.Forward("chassis_list", checks.ListRows, CH),
])



class OvnSbApi(Api):
    """Commands on an OVN_Southbound database (verbs of ovsdbapp's OvnSbApiIdlImpl)."""

    database: ClassVar[str] = "OVN_Southbound"
    lookups: ClassVar[dict[str, str]] = {
        "Chassis": "name",
        "Chassis_Private": "name",
        "Port_Binding": "logical_port",
        "HA_Chassis_Group": "name",
        "Port_Group": "name",
        "Address_Set": "name",
    }

