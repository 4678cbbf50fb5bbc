"""OVN_Northbound verbs for logical switches and their ports (ls_*, lsp_*).

Each verb is one class registered with ``@nb``. A port is added to its switch with a set
mutation, so adding ports to one switch from many threads never conflicts; a port's switch
(lsp_del without a switch) is found through the replica's reverse index of switches' ports.
"""

from __future__ import annotations

from typing import Any

from pyovn.api import checks
from pyovn.api.base import Api, Command, RunContext, verb
from pyovn.api.errors import AlreadyExists, InvalidArgument

nb = verb("OVN_Northbound")

LS = "Logical_Switch"
LSP = "Logical_Switch_Port"


@nb
class LsSetDnsRecords(checks.SetColumn):
    """Replace a switch's dns_records (DNS rows or uuids)."""

    verb = "ls_set_dns_records"
    table = LS
    column = "dns_records"

    def check(self, value: Any) -> Any:
        return list(value) if isinstance(value, (list, tuple, set)) else [value]


@nb
class LspAdd(Command):
    """Add port ``port`` to ``switch`` (``parent_name`` + ``tag`` for a container port)."""

    verb = "lsp_add"

    def __init__(self, api: Api, switch: Any, port: str, parent_name: str | None = None,
                 tag: int | None = None, may_exist: bool = False, **columns: Any):
        super().__init__(api)
        if tag is not None:
            tag = checks.int_range("tag", tag, 0, 4095)
            if parent_name is None:
                raise InvalidArgument("tag needs parent_name")
        if not isinstance(port, str) or not port:
            raise InvalidArgument(f"port name must be a non-empty string; got {port!r}")
        for key in ("addresses", "port_security"):
            if key in columns:
                columns[key] = checks.lsp_addresses(key, columns[key])
        self.switch = switch
        self.port = port
        self.parent_name = parent_name
        self.tag = tag
        self.may_exist = may_exist
        self.columns = api.check_columns(LSP, columns)

    def run(self, ctx: RunContext) -> None:
        sw = ctx.lookup(LS, self.switch)
        existing = ctx.lookup(LSP, self.port, required=False)
        if existing is not None:
            if not self.may_exist:
                raise AlreadyExists(LSP, self.port)
            if not ctx.has(sw, "ports", existing):
                raise AlreadyExists(LSP, self.port, f"it is on another switch, not {self.switch}")
            parent = ctx.value(existing, "parent_name", [])
            if self.parent_name is not None and parent != [self.parent_name]:
                raise InvalidArgument(f"port {self.port} exists with parent {parent}")
            if self.tag is not None and ctx.value(existing, "tag_request", []) != [self.tag]:
                raise InvalidArgument(f"port {self.port} exists with another tag")
            self.result = existing
            return
        cols = dict(self.columns)
        if self.parent_name is not None:
            cols["parent_name"] = self.parent_name
        if self.tag is not None:
            cols["tag_request"] = self.tag
        lsp = ctx.insert(LSP, name=self.port, **cols)
        ctx.add(sw, "ports", lsp)
        self.result = lsp


@nb
class LspList(Command):
    """The ports of ``switch``, or every port."""

    verb = "lsp_list"

    def __init__(self, api: Api, switch: Any = None):
        super().__init__(api)
        self.switch = switch

    def run(self, ctx: RunContext) -> None:
        if self.switch is None:
            self.result = ctx.api.idl.tables[LSP].all()
            return
        self.result = ctx.children(ctx.lookup(LS, self.switch), "ports", LSP)


@nb
class LspGetParent(checks.GetColumn):
    verb = "lsp_get_parent"
    table = LSP
    column = "parent_name"

    def run(self, ctx: RunContext) -> None:
        super().run(ctx)
        self.result = self.result[0] if self.result else ""


@nb
class LspSetAddresses(checks.SetColumn):
    """Replace a port's addresses ("MAC [IP...]", "unknown", "router", "dynamic")."""

    verb = "lsp_set_addresses"
    table = LSP
    column = "addresses"

    def check(self, value: Any) -> Any:
        return checks.lsp_addresses("addresses", value)


@nb
class LspSetPortSecurity(checks.SetColumn):
    """Replace a port's port_security ("MAC [IP...]" entries)."""

    verb = "lsp_set_port_security"
    table = LSP
    column = "port_security"

    def check(self, value: Any) -> Any:
        return checks.lsp_addresses("port_security", value)


@nb
class LspGetUp(checks.GetColumn):
    """True when northd reports the port up."""

    verb = "lsp_get_up"
    table = LSP
    column = "up"

    def run(self, ctx: RunContext) -> None:
        super().run(ctx)
        self.result = self.result == [True]


@nb
class LspSetEnabled(checks.SetEnabled):
    verb = "lsp_set_enabled"
    table = LSP


@nb
class LspGetEnabled(checks.GetEnabled):
    verb = "lsp_get_enabled"
    table = LSP


@nb
class LspSetType(checks.SetColumn):
    verb = "lsp_set_type"
    table = LSP
    column = "type"

    def check(self, value: Any) -> Any:
        if not isinstance(value, str):
            raise InvalidArgument(f"port_type must be a string; got {value!r}")
        return value


@nb
class LspSetOptions(Command):
    """Replace a port's options (``lsp_set_options(port, **options)``)."""

    verb = "lsp_set_options"

    def __init__(self, api: Api, port: Any, **options: Any):
        super().__init__(api)
        self.port = port
        self.options = {str(k): str(v) for k, v in options.items()}

    def run(self, ctx: RunContext) -> None:
        ctx.set(ctx.lookup(LSP, self.port), options=self.options)


@nb
class LspSetDhcpv4Options(Command):
    """Point a port's dhcpv4_options at a DHCP_Options row (None clears it)."""

    verb = "lsp_set_dhcpv4_options"

    def __init__(self, api: Api, port: Any, dhcp_options_uuid: Any):
        super().__init__(api)
        self.port = port
        self.dhcp = dhcp_options_uuid

    def run(self, ctx: RunContext) -> None:
        lsp = ctx.lookup(LSP, self.port)
        if self.dhcp is None:
            ctx.set(lsp, dhcpv4_options=[])
        else:
            ctx.set(lsp, dhcpv4_options=[ctx.lookup("DHCP_Options", self.dhcp)])


# Verbs that only forward their arguments to a shape, declared as data.
checks.declare(nb, __name__, [
    checks.Forward("ls_add", checks.AddRow, LS, ("switch",),
                   doc="Create a logical switch (``ls_add(switch=None, may_exist=False, "
                       "**columns)``)."),
    checks.Forward("ls_del", checks.DelRow, LS, ("switch",),
                   doc="Delete a logical switch (its ports go with it)."),
    checks.Forward("ls_list", checks.ListRows, LS, (), doc="Every logical switch."),
    checks.Forward("ls_get", checks.GetRow, LS, (), doc="One logical switch, by name or uuid."),
    checks.Forward("lsp_del", checks.DelChild, LSP, ("port", "switch"),
                   doc="Delete a port (from ``switch`` if given, else from whichever switch "
                       "has it).",
                   attrs={"parent_table": LS, "column": "ports", "parent_noun": "switch"}),
    checks.Forward("lsp_get", checks.GetRow, LSP, (), doc="One port, by name or uuid."),
    checks.Forward("lsp_get_addresses", checks.GetColumn, LSP, (), attrs={"column": "addresses"}),
    checks.Forward("lsp_get_port_security", checks.GetColumn, LSP, (),
                   attrs={"column": "port_security"}),
    checks.Forward("lsp_get_type", checks.GetColumn, LSP, (), attrs={"column": "type"}),
    checks.Forward("lsp_get_options", checks.GetColumn, LSP, (), attrs={"column": "options"}),
])
