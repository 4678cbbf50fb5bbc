"""Logical flows of the lr_out pipeline (ovn-northd(8)), stage by stage, except NAT
(lr_out_chk_dnat_local .. lr_out_egr_loop are lr_nat's): lr_out_delivery."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pyovn.northd.context import BuildContext, drop_action
from pyovn.northd.entities import Router, RouterPort
from pyovn.northd.pipelines.lr_common import lrp_nets, router_enabled
from pyovn.northd.registry import ROUTER, ROUTER_PORT, builds
from pyovn.pipeline.stages import LR_OUT_DELIVERY


@builds(ROUTER)
def lr_out_defaults(ctx: BuildContext, lr: Router) -> Iterator[Any]:
    # The real northd adds this default with each enabled port's delivery flow: a router
    # whose ports are all disabled (or that has none) gets no lr_out_delivery flow at all.
    # (Any router port change rebuilds its router, changes.py.)
    if not router_enabled(lr) or not any(
            isinstance(p, RouterPort) and p.enabled for p in lr.ports.values()):
        return
    yield ctx.flow(lr, LR_OUT_DELIVERY, 0, "1", drop_action(ctx))


@builds(ROUTER_PORT)
def lr_out_delivery(ctx: BuildContext, port: RouterPort) -> Iterator[Any]:
    """Each enabled port delivers what is sent to it; with multicast relay, IP multicast
    leaves with the port's own Ethernet source."""
    lr = port.dp
    if not port.enabled or not router_enabled(lr):
        return
    if lr.nb.options.get("mcast_relay", "").lower() == "true":
        nets = lrp_nets(port)
        if nets is not None:
            yield ctx.flow(lr, LR_OUT_DELIVERY, 110,
                           f"(ip4.mcast || ip6.mcast) && outport == {port.json_name}",
                           f"eth.src = {nets.mac}; output;")
    yield ctx.flow(lr, LR_OUT_DELIVERY, 100, f"outport == {port.json_name}", "output;")
