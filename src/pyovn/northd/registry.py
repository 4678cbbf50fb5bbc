"""Owner kinds and the builders registered for each.

An *owner* is the unit northd rebuilds: one object of the model (a switch, a router, a port, an
ACL on a switch, a load balancer on a datapath, ...).  Its output is everything its builders
yield: :class:`~pyovn.northd.output.Lflow`, :class:`~pyovn.northd.output.SbRow` and
:class:`~pyovn.northd.output.Contrib` objects.  A builder is a pure function of the build
context and the owner's object::

    @builds(SWITCH_PORT)
    def ls_in_port_sec(ctx: BuildContext, port: SwitchPort) -> Iterator[Output]:
        yield ctx.flow(port.dp, LS_IN_CHECK_PORT_SEC, 50, f'inport == {port.json_name}', 'next;')

Builders of the datapath kinds (SWITCH, ROUTER) run after every other owner of a change batch
and may read ``datapath.flags``; they must not yield ``Contrib``.  Which owners exist and which
a Northbound change makes dirty is the model's business (:mod:`pyovn.northd.model`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "ACL",
    "DATAPATH_KINDS",
    "GLOBAL",
    "KINDS",
    "LB",
    "OwnerKind",
    "ROUTER",
    "ROUTER_PORT",
    "SWITCH",
    "SWITCH_PORT",
    "builds",
]

Builder = Callable[..., Iterable[Any]]


@dataclass(eq=False)
class OwnerKind:
    """A kind of owner; ``builders`` run in registration order (module import order)."""

    name: str
    doc: str
    builders: list[Builder] = field(default_factory=list)

    def __repr__(self) -> str:
        return f"OwnerKind({self.name})"


GLOBAL = OwnerKind("global", "the whole Northbound: SB_Global, RBAC, DHCP codes, meters")
SWITCH = OwnerKind("switch", "one logical switch: its default flows")
ROUTER = OwnerKind("router", "one logical router: its default flows, routes, NAT")
SWITCH_PORT = OwnerKind("lsp", "one logical switch port")
ROUTER_PORT = OwnerKind("lrp", "one logical router port")
ACL = OwnerKind("acl", "one ACL on one switch (directly or through a port group)")
LB = OwnerKind("lb", "one load balancer on one datapath")
PORT_GROUP = OwnerKind("pg", "one port group: its per-datapath SB Port_Groups")
ADDRESS_SET = OwnerKind("as", "one address set (and the port groups' implicit ones)")
MCAST = OwnerKind("mcast", "one switch's multicast groups (flood, unknown, ...)")

KINDS: dict[str, OwnerKind] = {
    k.name: k
    for k in (GLOBAL, SWITCH, ROUTER, SWITCH_PORT, ROUTER_PORT, ACL, LB, PORT_GROUP, ADDRESS_SET,
              MCAST)
}
DATAPATH_KINDS = (SWITCH, ROUTER)


def builds(kind: OwnerKind) -> Callable[[Builder], Builder]:
    """Register a builder for every owner of ``kind``."""

    def deco(fn: Builder) -> Builder:
        kind.builders.append(fn)
        return fn

    return deco
