"""SB Load_Balancer and Service_Monitor rows.

One SB ``Load_Balancer`` per NB load balancer that is on at least one logical switch (routers
do not count, as in northd 23.03): every ``(lb, switch)`` owner yields the same row (name, the
NB ``vips`` as they are, protocol, the NB options plus ``hairpin_orig_tuple=true``,
``external_ids:lb_id``) and contributes its switch to the ``datapaths`` set as a
``SetMember``; the row goes with the last switch.  (northd 23.03 writes the switches as a
``datapath_group``; pyovn fills ``datapaths``, which ovn-controller 23.03 reads as well.)
``Datapath_Binding.load_balancers`` stays empty, as 23.03 leaves it.

``Service_Monitor``: one row per monitored backend (a VIP with a health check, a backend whose
``ip_port_mappings`` entry names an existing switch port and a source IPv4), keyed like the
SB index (port, ip, port number, protocol); every owner of the LB yields it, identical rows
count once (no row for an SCTP load balancer, as in 23.03).  ``status`` is ovn-controller's
and never written here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pyovn.northd.context import BuildContext
from pyovn.northd.entities import NorthdDatapath, Switch
from pyovn.northd.lb import parse_lb
from pyovn.northd.pipelines.ls_lb import service_monitors
from pyovn.northd.registry import LB, builds


@builds(LB)
def sb_load_balancer(ctx: BuildContext, dp: NorthdDatapath, lb_row: Any) -> Iterator[Any]:
    lb = parse_lb(lb_row, ctx.nb)
    if isinstance(dp, Switch):
        options = dict(lb_row.options)
        options["hairpin_orig_tuple"] = "true"
        proto = lb_row.protocol
        yield ctx.row(
            "Load_Balancer",
            lb_row.uuid,
            name=lb_row.name,
            vips=dict(lb_row.vips),
            protocol=frozenset(proto) if isinstance(proto, list) else proto,
            options=options,
            external_ids={"lb_id": lb_row.uuid},
        )
        yield ctx.member("Load_Balancer", lb_row.uuid, "datapaths",
                         ctx.ref("Datapath_Binding", dp.uuid))
    if lb.proto == "sctp":
        return  # monitored like the others in the flows, but northd 23.03 writes no row
    mac = ctx.options.get("svc_monitor_mac", "")
    proto = "udp" if lb.proto == "udp" else "tcp"
    for v in lb.vips:
        hc = lb.health_check(v)
        if hc is None:
            continue
        for mon in service_monitors(ctx, lb, v):
            if mon is None:
                continue
            b, port, src = mon
            yield ctx.row(
                "Service_Monitor",
                (port.name, b.ip, b.port, proto),
                ip=b.ip,
                port=b.port,
                protocol=proto,
                logical_port=port.name,
                src_mac=mac,
                src_ip=src,
                options=dict(hc.options),
            )
