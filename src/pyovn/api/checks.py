"""Argument checks shared by the verbs, and small command shapes many verbs share.

Every check raises :class:`~pyovn.api.errors.InvalidArgument` naming the argument and the value,
so a bad command fails when it is built, before anything is sent.
"""

from __future__ import annotations

import inspect
import ipaddress
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pyovn.api.base import Api, Command, RunContext
from pyovn.api.errors import InvalidArgument

_MAC = re.compile(r"^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$")


def choice(name: str, value: Any, allowed: Iterable[str]) -> str:
    allowed = tuple(allowed)
    if value not in allowed:
        raise InvalidArgument(f"{name} must be one of {', '.join(allowed)}; got {value!r}")
    return value


def int_range(name: str, value: Any, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = int(value)
        except (TypeError, ValueError):
            raise InvalidArgument(f"{name} must be an integer; got {value!r}") from None
    if not lo <= value <= hi:
        raise InvalidArgument(f"{name} must be in [{lo}, {hi}]; got {value}")
    return value


def mac(name: str, value: Any) -> str:
    if not isinstance(value, str) or not _MAC.match(value):
        raise InvalidArgument(f"{name}: invalid MAC address {value!r}")
    return value


def ip(name: str, value: Any) -> str:
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        raise InvalidArgument(f"{name}: invalid IP address {value!r}") from None


def cidr(name: str, value: Any, *, strict: bool = False) -> str:
    """An IP network ("10.0.0.0/24"); a host address with a mask is accepted unless strict."""
    try:
        ipaddress.ip_network(value, strict=False)
        if strict:
            ipaddress.ip_network(value, strict=True)
        ipaddress.ip_interface(value)
    except (ValueError, TypeError):
        raise InvalidArgument(f"{name}: invalid IP network {value!r}") from None
    return value


def prefix(name: str, value: Any) -> str:
    """A route prefix, normalised as ovn-nbctl does ("10.0.0.7/24" -> "10.0.0.0/24"; a host
    route keeps no mask)."""
    try:
        if "/" not in str(value):
            return str(ipaddress.ip_address(value))
        net = ipaddress.ip_network(value, strict=False)
    except (ValueError, TypeError):
        raise InvalidArgument(f"{name}: invalid prefix {value!r}") from None
    if net.prefixlen == net.max_prefixlen:
        return str(net.network_address)
    return str(net)


def lsp_addresses(name: str, addresses: Any) -> list[str]:
    """Logical_Switch_Port addresses: "unknown", "router", "dynamic", or "MAC [IP...]"."""
    if isinstance(addresses, str):
        addresses = [addresses]
    out = []
    for a in addresses:
        if not isinstance(a, str):
            raise InvalidArgument(f"{name}: not a string: {a!r}")
        if a in ("unknown", "router", "dynamic"):
            out.append(a)
            continue
        words = a.split()
        if not words:
            raise InvalidArgument(f"{name}: empty address")
        if words[0] == "dynamic":
            out.append(a)
            continue
        mac(name, words[0])
        for w in words[1:]:
            try:
                ipaddress.ip_interface(w)
            except ValueError:
                raise InvalidArgument(f"{name}: invalid IP {w!r} in {a!r}") from None
        out.append(a)
    return out


def string_list(name: str, value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    try:
        items = list(value)
    except TypeError:
        raise InvalidArgument(f"{name} must be a string or a list of strings") from None
    if not all(isinstance(v, str) for v in items):
        raise InvalidArgument(f"{name} must be a string or a list of strings")
    return items


# --- command shapes shared by many verbs ----------------------------------------------------


class GetRow(Command):
    """``<thing>_get(record)``: the Row. Subclasses set ``verb`` and ``table``."""

    table = ""

    def __init__(self, api: Api, record: Any):
        super().__init__(api)
        self.record = record

    def run(self, ctx: RunContext) -> None:
        self.result = ctx.lookup(self.table, self.record)


class ListRows(Command):
    """``<thing>_list()``: every Row of ``table``."""

    table = ""

    def __init__(self, api: Api):
        super().__init__(api)

    def run(self, ctx: RunContext) -> None:
        self.result = ctx.api.idl.tables[self.table].all()


class DelRow(Command):
    """``<thing>_del(record, if_exists=False)`` for a root table (no parent to update)."""

    table = ""

    def __init__(self, api: Api, record: Any, if_exists: bool = False):
        super().__init__(api)
        self.record = record
        self.if_exists = if_exists

    def run(self, ctx: RunContext) -> None:
        row = ctx.lookup(self.table, self.record, required=not self.if_exists)
        if row is not None:
            ctx.delete(row)


class DelChild(Command):
    """``<thing>_del(record, parent=None, if_exists=False)`` for a row kept in a set column of a
    parent row (a port in its switch's or router's ``ports``): it leaves the given parent (an
    error if it is not there) or else whichever parent holds it, then it is deleted."""

    table = ""
    parent_table = ""
    column = ""
    parent_noun = ""

    def __init__(self, api: Api, record: Any, parent: Any = None, if_exists: bool = False):
        super().__init__(api)
        self.record = record
        self.parent = parent
        self.if_exists = bool(if_exists)

    def run(self, ctx: RunContext) -> None:
        from pyovn.api.errors import RowNotFound

        row = ctx.lookup(self.table, self.record, required=not self.if_exists)
        if row is None:
            return
        if self.parent is not None:
            parent = ctx.lookup(self.parent_table, self.parent)
            if not ctx.has(parent, self.column, row):
                raise RowNotFound(self.table, self.record,
                                  detail=f"not on {self.parent_noun} {self.parent}")
        else:
            parent = ctx.owner(self.parent_table, self.column, row)
        if parent is not None:
            ctx.discard(parent, self.column, row)
        ctx.delete(row)


class GetColumn(Command):
    """``<thing>_get_<column>(record)``: one column's value."""

    table = ""
    column = ""

    def __init__(self, api: Api, record: Any):
        super().__init__(api)
        self.record = record

    def run(self, ctx: RunContext) -> None:
        self.result = ctx.value(ctx.lookup(self.table, self.record), self.column)


class SetColumn(Command):
    """``<thing>_set_<column>(record, value)``: replace one column."""

    table = ""
    column = ""

    def __init__(self, api: Api, record: Any, value: Any):
        super().__init__(api)
        self.record = record
        self.value = self.check(value)
        api.check_columns(self.table, {self.column: self.value})

    def check(self, value: Any) -> Any:
        return value

    def run(self, ctx: RunContext) -> None:
        ctx.set(ctx.lookup(self.table, self.record), **{self.column: self.value})


class SetEnabled(SetColumn):
    """``<port>_set_enabled(port, is_enabled)``: a bool into the optional ``enabled`` column."""

    column = "enabled"

    def check(self, value: Any) -> Any:
        if not isinstance(value, bool):
            raise InvalidArgument(f"is_enabled must be a bool; got {value!r}")
        return [value]


class GetEnabled(GetColumn):
    """``<port>_get_enabled(port)``: False only when explicitly disabled."""

    column = "enabled"

    def run(self, ctx: RunContext) -> None:
        super().run(ctx)
        self.result = self.result != [False]


class AddRow(Command):
    """``<thing>_add(name, may_exist=False, **columns)`` for a root table looked up by name."""

    table = ""

    def __init__(self, api: Api, name: Any = None, may_exist: bool = False, **columns: Any):
        super().__init__(api)
        self.name = name
        self.may_exist = may_exist
        if name is not None:
            columns = {"name": name, **columns}
        self.columns = api.check_columns(self.table, columns)

    def run(self, ctx: RunContext) -> None:
        from pyovn.api.errors import AlreadyExists

        if self.name is not None:
            existing = ctx.lookup(self.table, self.name, required=False)
            if existing is not None:
                if not self.may_exist:
                    raise AlreadyExists(self.table, self.name)
                self.result = existing
                return
        self.result = ctx.insert(self.table, **self.columns)


# --- verbs declared as data --------------------------------------------------------------------


@dataclass(frozen=True)
class Forward:
    """A verb that only forwards its arguments to one of the shapes above (or a module's own):
    its name, the shape, the table, the names its leading arguments have in ovsdbapp's API
    (``("router",)`` for the shape's ``name``/``record``), the shape's other class attributes
    (``column="options"``, ``parent_table=...``), and its documentation (else the shape's)."""

    verb: str
    shape: type[Command]
    table: str = ""
    names: tuple[str, ...] = ()
    doc: str | None = None
    attrs: Mapping[str, Any] = field(default_factory=dict)

    def command(self, module: str) -> type[Command]:
        """The Command subclass: the shape with the verb's names and attributes."""
        shape = self.shape
        sig = inspect.signature(shape.__init__)
        params = list(sig.parameters.values())  # self, api, then the shape's arguments
        args = params[2:]
        if len(self.names) > len(args):
            raise TypeError(f"{self.verb}: {len(self.names)} names for {len(args)} arguments")
        renamed = [p.replace(name=n) for p, n in zip(args, self.names, strict=False)]
        new_sig = sig.replace(parameters=params[:2] + renamed + args[len(renamed):])
        order = [p for p in new_sig.parameters.values()][2:]

        def __init__(self: Command, api: Api, *call_args: Any, **kwargs: Any) -> None:
            bound = new_sig.bind(self, api, *call_args, **kwargs)
            positional: list[Any] = []
            extra: dict[str, Any] = {}
            for p in order:
                if p.kind is inspect.Parameter.VAR_KEYWORD:
                    extra = bound.arguments.get(p.name, {})
                else:
                    positional.append(bound.arguments.get(p.name, p.default))
            shape.__init__(self, api, *positional, **extra)

        __init__.__signature__ = new_sig  # type: ignore[attr-defined]
        name = "".join(w.capitalize() for w in self.verb.split("_"))
        namespace: dict[str, Any] = {"verb": self.verb, "__init__": __init__,
                                     "__doc__": self.doc or shape.__doc__, "__module__": module,
                                     "__qualname__": name, **self.attrs}
        if self.table:
            namespace["table"] = self.table
        return type(name, (shape,), namespace)


def declare(register: Callable[[type[Command]], type[Command]], module: str,
            verbs: Iterable[Forward]) -> None:
    """Register each :class:`Forward` of ``module`` as a verb (``register`` is the module's
    ``verb(database)`` decorator)."""
    for v in verbs:
        register(v.command(module))
