"""Port_Binding rows, one per logical switch port and router port."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pyovn.northd.context import BuildContext
from pyovn.northd.model import RouterPort, SwitchPort
from pyovn.northd.registry import ROUTER_PORT, SWITCH_PORT, builds


def _opt(v: Any) -> frozenset[Any]:
    return frozenset(v) if v else frozenset()


@builds(SWITCH_PORT)
def lsp_binding(ctx: BuildContext, port: SwitchPort) -> Iterator[Any]:
    nb = port.nb
    options = dict(nb.options)
    ptype = port.type
    mac = list(nb.addresses)
    if ptype == "router":
        ptype = "patch"
        rp = options.pop("router-port", None)
        options = {k: v for k, v in options.items() if k not in ("nat-addresses",)}
        if rp:
            options["peer"] = rp
    yield ctx.row(
        "Port_Binding",
        port.name,
        logical_port=port.name,
        datapath=ctx.ref("Datapath_Binding", port.dp.uuid),
        tunnel_key=port.key,
        type=ptype,
        options=options,
        mac=frozenset(mac),
        external_ids=dict(nb.external_ids),
        parent_port=_opt(nb.parent_name),
        tag=_opt(nb.tag),
        port_security=frozenset(nb.port_security),
    )


@builds(ROUTER_PORT)
def lrp_binding(ctx: BuildContext, port: RouterPort) -> Iterator[Any]:
    nb = port.nb
    options: dict[str, str] = {}
    peer = port.peer
    if peer is not None:
        options["peer"] = peer.name
    mac = " ".join([nb.mac, *sorted(nb.networks)])
    yield ctx.row(
        "Port_Binding",
        port.name,
        logical_port=port.name,
        datapath=ctx.ref("Datapath_Binding", port.dp.uuid),
        tunnel_key=port.key,
        type="patch",
        options=options,
        mac=frozenset((mac,)),
        external_ids=dict(nb.external_ids),
    )
