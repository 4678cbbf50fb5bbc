"""Logical flows of the lr_in pipeline (ovn-northd(8)), stage by stage, except NAT and load
balancing (lr_nat, lr_lb).

Two owners build them: the ROUTER owner writes each stage's router-wide flows (defaults, the
martian and multicast drops, neighbour learning), the ROUTER_PORT owner the flows of one port
(admission, neighbour lookup, the router's own addresses in ip_input, IPv6 RA, connected routes,
gateway MTU, the distributed gateway redirect).  A SWITCH_PORT owner, the router-type switch
port, writes on the router behind it the routes to the "routable" addresses of the other routers
on its switch.  Static routes and policies are in
:mod:`lr_routes`; ARP resolution of neighbours (switch ports, peer router ports) in
:mod:`lr_arp`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pyovn.northd.cnum import atoi, smap_get_bool, smap_get_int
from pyovn.northd.context import BuildContext, drop_action
from pyovn.northd.entities import Router, RouterPort, SwitchPort
from pyovn.northd.pipelines import lr_arp, lr_routes  # noqa: F401  (their @builds)
from pyovn.northd.pipelines.lr_common import (
    LrpNets,
    copp_meter,
    cr_name,
    dgp_ports,
    is_dgp,
    is_gw_router,
    lb_force_snat_router_ip,
    lb_ips,
    lrp_nets,
    peer_has_localnet,
    put_networks,
    routable_addresses,
    router_enabled,
    router_ports,
)
from pyovn.northd.pipelines.lr_nat import router_snat_ips
from pyovn.northd.registry import ROUTER, ROUTER_PORT, SWITCH_PORT, builds
from pyovn.pipeline.stages import (
    LR_IN_ADMISSION,
    LR_IN_ARP_REQUEST,
    LR_IN_ARP_RESOLVE,
    LR_IN_CHK_PKT_LEN,
    LR_IN_GW_REDIRECT,
    LR_IN_IP_INPUT,
    LR_IN_IP_ROUTING,
    LR_IN_IP_ROUTING_ECMP,
    LR_IN_IP_ROUTING_PRE,
    LR_IN_LARGER_PKTS,
    LR_IN_LEARN_NEIGHBOR,
    LR_IN_LOOKUP_NEIGHBOR,
    LR_IN_ND_RA_OPTIONS,
    LR_IN_ND_RA_RESPONSE,
    LR_IN_POLICY,
    LR_IN_POLICY_ECMP,
)

# Registers (ovn-northd(8), "Logical router registers").
REGBIT_EGRESS_LOOPBACK = "reg9[0]"
REGBIT_PKT_LARGER = "reg9[1]"
REGBIT_LOOKUP_NEIGHBOR_RESULT = "reg9[2]"
REGBIT_LOOKUP_NEIGHBOR_IP_RESULT = "reg9[3]"
REG_INPORT_ETH_ADDR = "xreg0[0..47]"
REG_ECMP_GROUP_ID = "reg8[0..15]"
REG_ND_RA_OPTS_RESULT = "reg0[5]"
ETH_HEADER_LEN = 14


def always_learn(lr: Router) -> bool:
    return smap_get_bool(lr.nb.options, "always_learn_from_arp_request", True)


def mcast_relay(lr: Router) -> bool:
    return lr.nb.options.get("mcast_relay", "").lower() == "true"


def mcast_flood_static(lr: Router) -> bool:
    """Some enabled port of the router has options:mcast_flood=true (it is in _MC_static):
    northd's flood_static, set whether or not the router relays multicast."""
    return any(p.enabled and p.nb.options.get("mcast_flood", "").lower() == "true"
               for p in router_ports(lr))


# --- router-wide flows ----------------------------------------------------------------------------


@builds(ROUTER)
def lr_in_defaults(ctx: BuildContext, lr: Router) -> Iterator[Any]:
    if not router_enabled(lr):
        return
    f = ctx.flow
    learn = always_learn(lr)

    yield f(lr, LR_IN_ADMISSION, 100, "vlan.present || eth.src[40]", drop_action(ctx))
    yield f(lr, LR_IN_ADMISSION, 0, "1", drop_action(ctx))

    # Neighbor lookup and learning.
    no_ip = "" if learn else f"{REGBIT_LOOKUP_NEIGHBOR_IP_RESULT} = 1; "
    yield f(lr, LR_IN_LOOKUP_NEIGHBOR, 100, "arp.op == 2",
            f"{REGBIT_LOOKUP_NEIGHBOR_RESULT} = lookup_arp(inport, arp.spa, arp.sha); "
            f"{no_ip}next;")
    yield f(lr, LR_IN_LOOKUP_NEIGHBOR, 100, "nd_na",
            f"{REGBIT_LOOKUP_NEIGHBOR_RESULT} = lookup_nd(inport, nd.target, nd.tll); "
            f"{no_ip}next;")
    ns_ip = "" if learn else (
        f"{REGBIT_LOOKUP_NEIGHBOR_IP_RESULT} = lookup_nd_ip(inport, ip6.src); ")
    yield f(lr, LR_IN_LOOKUP_NEIGHBOR, 100, "nd_ns",
            f"{REGBIT_LOOKUP_NEIGHBOR_RESULT} = lookup_nd(inport, ip6.src, nd.sll); "
            f"{ns_ip}next;")
    if not learn:
        yield f(lr, LR_IN_LOOKUP_NEIGHBOR, 110,
                "nd_na && ip6.src == fe80::/10 && ip6.dst == ff00::/8",
                f"{REGBIT_LOOKUP_NEIGHBOR_RESULT} = lookup_nd(inport, ip6.src, nd.tll); "
                f"{REGBIT_LOOKUP_NEIGHBOR_IP_RESULT} = lookup_nd_ip(inport, ip6.src); next;")
    yield f(lr, LR_IN_LOOKUP_NEIGHBOR, 0, "1", f"{REGBIT_LOOKUP_NEIGHBOR_RESULT} = 1; next;")

    skip = f"{REGBIT_LOOKUP_NEIGHBOR_RESULT} == 1"
    if not learn:
        skip += f" || {REGBIT_LOOKUP_NEIGHBOR_IP_RESULT} == 0"
    yield f(lr, LR_IN_LEARN_NEIGHBOR, 100, skip, "next;")
    nd_na = copp_meter(ctx, lr, "nd-na")
    yield f(lr, LR_IN_LEARN_NEIGHBOR, 95, "nd_na && nd.tll == 0",
            "put_nd(inport, nd.target, eth.src); next;", meter=nd_na)
    yield f(lr, LR_IN_LEARN_NEIGHBOR, 95, "nd_ns && (ip6.src == 0 || nd.sll == 0)", "next;")
    yield f(lr, LR_IN_LEARN_NEIGHBOR, 90, "arp", "put_arp(inport, arp.spa, arp.sha); next;",
            meter=copp_meter(ctx, lr, "arp"))
    yield f(lr, LR_IN_LEARN_NEIGHBOR, 90, "nd_na", "put_nd(inport, nd.target, nd.tll); next;",
            meter=nd_na)
    yield f(lr, LR_IN_LEARN_NEIGHBOR, 90, "nd_ns", "put_nd(inport, ip6.src, nd.sll); next;",
            meter=copp_meter(ctx, lr, "nd-ns"))
    yield f(lr, LR_IN_LEARN_NEIGHBOR, 0, "1", drop_action(ctx))

    # IP input: what the router never forwards.
    yield f(lr, LR_IN_IP_INPUT, 100,
            "ip4.src_mcast ||ip4.src == 255.255.255.255 || ip4.src == 127.0.0.0/8 || "
            "ip4.dst == 127.0.0.0/8 || ip4.src == 0.0.0.0/8 || ip4.dst == 0.0.0.0/8", drop_action(ctx))
    yield f(lr, LR_IN_IP_INPUT, 85, "arp || nd", drop_action(ctx))
    yield f(lr, LR_IN_IP_INPUT, 84, "nd_rs || nd_ra", "next;")
    yield f(lr, LR_IN_IP_INPUT, 83, "ip6.mcast_rsvd", drop_action(ctx))
    if mcast_flood_static(lr):
        # IGMP/MLD (TTL 1) reach the multicast lookup, to be flooded to _MC_static.
        yield f(lr, LR_IN_IP_INPUT, 120, "igmp && ip.ttl == 1", "next;")
        yield f(lr, LR_IN_IP_INPUT, 120, "(mldv1 || mldv2) && ip.ttl == 1", "next;")
    if mcast_relay(lr):
        yield f(lr, LR_IN_IP_INPUT, 82, "ip4.mcast || ip6.mcast", "next;")
        yield from _mcast_relay(ctx, lr)
    else:
        yield f(lr, LR_IN_IP_INPUT, 82, "ip4.mcast || ip6.mcast", drop_action(ctx))
    yield f(lr, LR_IN_IP_INPUT, 50, "eth.bcast", drop_action(ctx))
    yield f(lr, LR_IN_IP_INPUT, 32,
            "ip.ttl == {0, 1} && !ip.later_frag && (ip4.mcast || ip6.mcast)", drop_action(ctx))
    yield f(lr, LR_IN_IP_INPUT, 30, "ip.ttl == {0, 1}", drop_action(ctx))
    yield f(lr, LR_IN_IP_INPUT, 0, "1", "next;")

    yield f(lr, LR_IN_ND_RA_OPTIONS, 0, "1", "next;")
    yield f(lr, LR_IN_ND_RA_RESPONSE, 0, "1", "next;")
    yield f(lr, LR_IN_IP_ROUTING_PRE, 0, "1", "reg7 = 0; next;")
    yield f(lr, LR_IN_IP_ROUTING, 10550, "nd_rs || nd_ra", drop_action(ctx))
    yield f(lr, LR_IN_IP_ROUTING, 0, "1", drop_action(ctx))
    yield f(lr, LR_IN_IP_ROUTING_ECMP, 150, f"{REG_ECMP_GROUP_ID} == 0", "next;")
    yield f(lr, LR_IN_IP_ROUTING_ECMP, 0, "1", drop_action(ctx))
    yield f(lr, LR_IN_POLICY, 0, "1", f"{REG_ECMP_GROUP_ID} = 0; next;")
    yield f(lr, LR_IN_POLICY_ECMP, 150, f"{REG_ECMP_GROUP_ID} == 0", "next;")
    yield f(lr, LR_IN_POLICY_ECMP, 0, "1", drop_action(ctx))
    yield f(lr, LR_IN_ARP_RESOLVE, 500, "ip4.mcast || ip6.mcast", "next;")
    yield f(lr, LR_IN_ARP_RESOLVE, 1, "ip4", "get_arp(outport, reg0); next;")
    yield f(lr, LR_IN_ARP_RESOLVE, 1, "ip6", "get_nd(outport, xxreg0); next;")
    yield f(lr, LR_IN_ARP_RESOLVE, 0, "1", drop_action(ctx))
    yield f(lr, LR_IN_CHK_PKT_LEN, 0, "1", "next;")
    yield f(lr, LR_IN_LARGER_PKTS, 0, "1", "next;")
    yield f(lr, LR_IN_GW_REDIRECT, 0, "1", "next;")
    yield f(lr, LR_IN_ARP_REQUEST, 100, "eth.dst == 00:00:00:00:00:00 && ip4",
            "arp { eth.dst = ff:ff:ff:ff:ff:ff; arp.spa = reg1; arp.tpa = reg0; "
            "arp.op = 1; output; };", meter=copp_meter(ctx, lr, "arp-resolve"))
    yield f(lr, LR_IN_ARP_REQUEST, 100, "eth.dst == 00:00:00:00:00:00 && ip6",
            "nd_ns { nd.target = xxreg0; output; };",
            meter=copp_meter(ctx, lr, "nd-ns-resolve"))
    yield f(lr, LR_IN_ARP_REQUEST, 0, "1", "output;")


def _mcast_relay(ctx: BuildContext, lr: Router) -> Iterator[Any]:
    """IP multicast relay (options:mcast_relay): IGMP/MLD and unregistered multicast go to the
    _MC_static group (the ports with options:mcast_flood), or are dropped without any."""
    f = ctx.flow
    ports = router_ports(lr)
    flood = mcast_flood_static(lr)
    if flood:
        for p in ports:
            nets = lrp_nets(p)
            if nets is None:
                continue
            # IGMP/MLD the router itself relayed must not loop back.
            yield f(lr, LR_IN_IP_ROUTING, 10550, f"eth.src == {nets.mac} && igmp", drop_action(ctx))
            yield f(lr, LR_IN_IP_ROUTING, 10550, f"eth.src == {nets.mac} && (mldv1 || mldv2)",
                    drop_action(ctx))
        for m in ("igmp", "mldv1 || mldv2"):
            yield f(lr, LR_IN_IP_ROUTING, 10460, m, 'clone { outport = "_MC_static"; next; };')
    yield f(lr, LR_IN_IP_ROUTING, 10450, "ip4.mcast || ip6.mcast",
            'clone { outport = "_MC_static"; ip.ttl--; next; };' if flood else drop_action(ctx))


# --- per router port --------------------------------------------------------------------------------


def gateway_mtu(port: RouterPort) -> int:
    return smap_get_int(port.nb.options, "gateway_mtu", 0)  # "1400 " is none


def _resident(lr: Router, port: RouterPort) -> str:
    """``is_chassis_resident`` suffix for flows only the gateway chassis should answer."""
    if is_dgp(port):
        return f" && is_chassis_resident({cr_name(port)})"
    return ""


def _arp_reply_resident(lr: Router, port: RouterPort) -> str:
    """ARP replies for the port's addresses come from the gateway chassis only when the port's
    switch reaches the outside through a localnet port: for a distributed gateway port, and for
    a port with options:reside-on-redirect-chassis (then: the router's gateway port's chassis)."""
    if not peer_has_localnet(port):
        return ""
    if is_dgp(port):
        return f" && is_chassis_resident({cr_name(port)})"
    if not smap_get_bool(port.nb.options, "reside-on-redirect-chassis"):
        return ""
    dgps = dgp_ports(lr)
    if len(dgps) != 1:
        return ""
    return f" && is_chassis_resident({cr_name(dgps[0])})"


@builds(ROUTER_PORT)
def lr_in_port(ctx: BuildContext, port: RouterPort) -> Iterator[Any]:
    nets = lrp_nets(port)
    lr = port.dp
    if nets is None or not router_enabled(lr):
        return
    yield from _admission(ctx, lr, port, nets)
    yield from _lookup_neighbor(ctx, lr, port, nets)
    yield from _ip_input(ctx, lr, port, nets)
    yield from _nd_ra(ctx, lr, port, nets)
    yield from _bfd(ctx, lr, port, nets)
    yield from _connected_routes(ctx, lr, port, nets)
    yield from _gateway_mtu(ctx, lr, port, nets)
    yield from _own_ip_drops(ctx, lr, port, nets)
    if is_dgp(port):
        yield ctx.flow(lr, LR_IN_GW_REDIRECT, 50, f"outport == {port.json_name}",
                       f"outport = {cr_name(port)}; next;", hint=port.nb)
        if port.nb.options.get("redirect-type", "").lower() == "bridged":
            # Off the gateway chassis, an unresolved next hop behind the port goes to the
            # gateway chassis (the port's own MAC) instead of get_arp here.
            yield ctx.flow(lr, LR_IN_ARP_RESOLVE, 50,
                           f"outport == {port.json_name} && "
                           f"!is_chassis_resident({cr_name(port)})",
                           f"eth.dst = {nets.mac}; next;", hint=port.nb)


def _admission(ctx: BuildContext, lr: Router, port: RouterPort, nets: LrpNets) -> Iterator[Any]:
    if not port.enabled:
        return
    mtu = gateway_mtu(port)
    larger = f"{REGBIT_PKT_LARGER} = check_pkt_larger({mtu + ETH_HEADER_LEN}); " if mtu > 0 else ""
    actions = f"{REG_INPORT_ETH_ADDR} = {nets.mac}; next;"
    bypass = port.nb.options.get("gateway_mtu_bypass") if mtu > 0 else None
    for match in (f"eth.mcast && inport == {port.json_name}",
                  f"eth.dst == {nets.mac} && inport == {port.json_name}"
                  f"{_resident(lr, port)}"):
        yield ctx.flow(lr, LR_IN_ADMISSION, 50, match, larger + actions, hint=port.nb)
        if bypass:
            yield ctx.flow(lr, LR_IN_ADMISSION, 55, f"{match} && ({bypass})", actions,
                           hint=port.nb)


def _lookup_neighbor(ctx: BuildContext, lr: Router, port: RouterPort,
                     nets: LrpNets) -> Iterator[Any]:
    learn = always_learn(lr)
    res = _resident(lr, port)
    lookup = f"{REGBIT_LOOKUP_NEIGHBOR_RESULT} = lookup_arp(inport, arp.spa, arp.sha); "
    for n in nets.ipv4:
        base = f"inport == {port.json_name} && arp.spa == {n.network}/{n.plen}"
        if learn:
            yield ctx.flow(lr, LR_IN_LOOKUP_NEIGHBOR, 100, f"{base} && arp.op == 1{res}",
                           lookup + "next;", hint=port.nb)
        else:
            yield ctx.flow(lr, LR_IN_LOOKUP_NEIGHBOR, 110,
                           f"{base} && arp.tpa == {n.addr} && arp.op == 1{res}",
                           lookup + f"{REGBIT_LOOKUP_NEIGHBOR_IP_RESULT} = 1; next;",
                           hint=port.nb)
            yield ctx.flow(lr, LR_IN_LOOKUP_NEIGHBOR, 100, f"{base} && arp.op == 1{res}",
                           lookup + f"{REGBIT_LOOKUP_NEIGHBOR_IP_RESULT} = "
                           "lookup_arp_ip(inport, arp.spa); next;", hint=port.nb)


def _ip_input(ctx: BuildContext, lr: Router, port: RouterPort, nets: LrpNets) -> Iterator[Any]:
    f = ctx.flow
    p = port.json_name
    hint = port.nb
    dgp = is_dgp(port)
    res = _resident(lr, port)

    if nets.ipv4:
        addrs = ", ".join(f"{n.addr}, {n.bcast}" for n in nets.ipv4)
        yield f(lr, LR_IN_IP_INPUT, 100,
                f"ip4.src == {{{addrs}}} && {REGBIT_EGRESS_LOOPBACK} == 0", drop_action(ctx), hint=hint)
    for n6 in nets.ipv6:
        yield f(lr, LR_IN_IP_INPUT, 100,
                f"ip6.dst == {n6.addr} && udp.src == 547 && udp.dst == 546",
                "reg0 = 0; handle_dhcpv6_reply;")

    # ICMP echo replies for the port's addresses.
    if nets.ipv4:
        yield f(lr, LR_IN_IP_INPUT, 90,
                f"ip4.dst == {put_networks(n.addr for n in nets.ipv4)} && "
                "icmp4.type == 8 && icmp4.code == 0",
                "ip4.dst <-> ip4.src; ip.ttl = 255; icmp4.type = 0; flags.loopback = 1; next; ",
                hint=hint)
    yield f(lr, LR_IN_IP_INPUT, 90,
            f"ip6.dst == {put_networks(n.addr for n in nets.ipv6)} && "
            "icmp6.type == 128 && icmp6.code == 0",
            "ip6.dst <-> ip6.src; ip.ttl = 255; icmp6.type = 129; flags.loopback = 1; next; ",
            hint=hint)

    # ARP and ND replies.
    arp_res = _arp_reply_resident(lr, port)
    for n in nets.ipv4:
        yield f(lr, LR_IN_IP_INPUT, 90,
                f"inport == {p} && arp.op == 1 && arp.tpa == {n.addr} && "
                f"arp.spa == {n.network}/{n.plen}{arp_res}",
                f"eth.dst = eth.src; eth.src = {REG_INPORT_ETH_ADDR}; arp.op = 2; "
                f"/* ARP reply */ arp.tha = arp.sha; arp.sha = {REG_INPORT_ETH_ADDR}; "
                "arp.tpa <-> arp.spa; outport = inport; flags.loopback = 1; output;",
                hint=hint)
    nd_meter = copp_meter(ctx, lr, "nd-na")
    for n6 in nets.ipv6:
        yield f(lr, LR_IN_IP_INPUT, 90,
                f"inport == {p} && ip6.dst == {{{n6.addr}, {n6.sn_addr}}} && nd_ns && "
                f"nd.target == {n6.addr}{res}",
                f"nd_na_router {{ eth.src = {REG_INPORT_ETH_ADDR}; ip6.src = nd.target; "
                f"nd.tll = {REG_INPORT_ETH_ADDR}; outport = inport; flags.loopback = 1; "
                "output; };", hint=hint, meter=nd_meter)

    # Unreachable / reset for traffic to the router, except on gateways.
    if not is_gw_router(lr) and not dgp_ports(lr):
        icmp4_m = copp_meter(ctx, lr, "icmp4-error")
        icmp6_m = copp_meter(ctx, lr, "icmp6-error")
        tcp_m = copp_meter(ctx, lr, "tcp-reset")
        for ver, addrs, icmp_m, utype, ucode, pcode in (
                ("4", [n.addr for n in nets.ipv4], icmp4_m, 3, 3, 2),
                ("6", [n.addr for n in nets.ipv6], icmp6_m, 1, 4, 3)):
            for a in addrs:
                base = f"ip{ver} && ip{ver}.dst == {a} && !ip.later_frag"
                swap = f"eth.dst <-> eth.src; ip{ver}.dst <-> ip{ver}.src;"
                yield f(lr, LR_IN_IP_INPUT, 80, f"{base} && udp",
                        f"icmp{ver} {{{swap} ip.ttl = 255; icmp{ver}.type = {utype}; "
                        f"icmp{ver}.code = {ucode}; next; }};", hint=hint, meter=icmp_m)
                yield f(lr, LR_IN_IP_INPUT, 80, f"{base} && tcp",
                        f"tcp_reset {{{swap} next; }};", hint=hint, meter=tcp_m)
                yield f(lr, LR_IN_IP_INPUT, 80, f"{base} && sctp",
                        f"sctp_abort {{{swap} next; }};", hint=hint, meter=tcp_m)
                yield f(lr, LR_IN_IP_INPUT, 70, base,
                        f"icmp{ver} {{{swap} ip.ttl = 255; icmp{ver}.type = {utype}; "
                        f"icmp{ver}.code = {pcode}; next; }};", hint=hint, meter=icmp_m)

    # TTL exceeded.
    for n in nets.ipv4:
        src = "ip4.dst <-> ip4.src " if dgp else f"ip4.dst = ip4.src; ip4.src = {n.addr} "
        yield f(lr, LR_IN_IP_INPUT, 31,
                f"inport == {p} && ip4 && ip.ttl == {{0, 1}} && !ip.later_frag",
                "icmp4 {eth.dst <-> eth.src; icmp4.type = 11; /* Time exceeded */ "
                f"icmp4.code = 0; /* TTL exceeded in transit */ {src}; ip.ttl = 254; "
                f"outport = {p}; flags.loopback = 1; output; }};",
                hint=hint, meter=copp_meter(ctx, lr, "icmp4-error"))
    for n6 in nets.ipv6:
        if n6.is_lla:
            continue
        src = "ip6.dst <-> ip6.src " if dgp else f"ip6.dst = ip6.src; ip6.src = {n6.addr} "
        yield f(lr, LR_IN_IP_INPUT, 31,
                f"inport == {p} && ip6 && ip6.src == {n6.network}/{n6.plen} && "
                "ip.ttl == {0, 1} && !ip.later_frag",
                f"icmp6 {{eth.dst <-> eth.src; {src}; ip.ttl = 254; icmp6.type = 3; "
                "/* Time exceeded */ icmp6.code = 0; /* TTL exceeded in transit */ "
                f"outport = {p}; flags.loopback = 1; output; }};",
                hint=hint, meter=copp_meter(ctx, lr, "icmp6-error"))


def _own_ip_drops(ctx: BuildContext, lr: Router, port: RouterPort,
                  nets: LrpNets) -> Iterator[Any]:
    """Traffic to the router's own addresses: dropped in ip_input (priority 60), except for
    addresses also used for SNAT or as load balancer VIPs, dropped in arp_resolve (priority 2)
    when unSNAT did not take them."""
    special = router_snat_ips(ctx, lr) | lb_ips(ctx, lr)
    for ver, addrs in (("4", [n.addr for n in nets.ipv4]), ("6", [n.addr for n in nets.ipv6])):
        plain = [a for a in addrs if a not in special]
        shared = [a for a in addrs if a in special]
        if plain and not lb_force_snat_router_ip(lr):
            yield ctx.flow(lr, LR_IN_IP_INPUT, 60, f"ip{ver}.dst == {{{', '.join(plain)}}}",
                           drop_action(ctx), hint=port.nb)
        if shared:
            yield ctx.flow(lr, LR_IN_ARP_RESOLVE, 2, f"ip{ver}.dst == {{{', '.join(shared)}}}",
                           drop_action(ctx), hint=port.nb)


_RA_MODES = ("slaac", "dhcpv6_stateful", "dhcpv6_stateless")


def _nd_ra(ctx: BuildContext, lr: Router, port: RouterPort, nets: LrpNets) -> Iterator[Any]:
    if port.nb.peer or port.peer is None:
        return  # RAs are answered only on a port facing a switch
    ra = port.nb.ipv6_ra_configs
    mode = ra.get("address_mode")
    if mode not in _RA_MODES:
        return
    prefixes = [f"{n.network}/{n.plen}" for n in nets.ipv6 if not n.is_lla]
    if not prefixes:
        return
    opts = [f'addr_mode = "{mode}"', f"slla = {nets.mac}"]
    mtu = ra.get("mtu")
    # atoi here (the leading digits: "1400abc" is 1400), unlike the periodic RA options of the
    # Port_Binding (smap_get_int: "1400abc" is no MTU).
    m = atoi(mtu) if mtu is not None else 0
    if m >= 1280:
        opts.append(f"mtu = {m}")
    prf = ra.get("router_preference")
    if prf and prf != "MEDIUM":
        opts.append(f'router_preference = "{prf}"')
    if ra.get("rdnss"):
        opts.append(f"rdnss = {ra['rdnss']}")
    if ra.get("dnssl"):
        opts.append(f'dnssl = "{ra["dnssl"]}"')
    if ra.get("route_info"):
        opts.append(f'route_info = "{ra["route_info"]}"')
    opts += [f"prefix = {p}" for p in prefixes]
    p = port.json_name
    yield ctx.flow(lr, LR_IN_ND_RA_OPTIONS, 50, f"inport == {p} && ip6.dst == ff02::2 && nd_rs",
                   f"{REG_ND_RA_OPTS_RESULT} = put_nd_ra_opts({', '.join(opts)}); next;",
                   hint=port.nb, meter=copp_meter(ctx, lr, "nd-ra-opts"))
    yield ctx.flow(lr, LR_IN_ND_RA_RESPONSE, 50,
                   f"inport == {p} && ip6.dst == ff02::2 && nd_ra && {REG_ND_RA_OPTS_RESULT}",
                   f"eth.dst = eth.src; eth.src = {nets.mac}; ip6.dst = ip6.src; "
                   f"ip6.src = {nets.lla}; outport = inport; flags.loopback = 1; output;",
                   hint=port.nb)


ROUTE_PRIO_CONNECTED = 2
BFD_PORT = 3784


def has_bfd(ctx: BuildContext, port: RouterPort) -> bool:
    """Whether a BFD session runs on the port (an NB BFD row names it)."""
    t = ctx.nb.get("BFD")
    return t is not None and any(b.logical_port == port.name for b in t)


def _bfd(ctx: BuildContext, lr: Router, port: RouterPort, nets: LrpNets) -> Iterator[Any]:
    if not has_bfd(ctx, port):
        return
    meter = copp_meter(ctx, lr, "bfd")
    for ver, addrs in (("4", [n.addr for n in nets.ipv4]), ("6", [n.addr for n in nets.ipv6])):
        if not addrs:
            continue
        a = put_networks(addrs)
        yield ctx.flow(lr, LR_IN_IP_INPUT, 110, f"ip{ver}.src == {a} && udp.dst == {BFD_PORT}",
                       "next; ", hint=port.nb)
        yield ctx.flow(lr, LR_IN_IP_INPUT, 110, f"ip{ver}.dst == {a} && udp.dst == {BFD_PORT}",
                       "handle_bfd_msg(); ", hint=port.nb, meter=meter)


def _connected_routes(ctx: BuildContext, lr: Router, port: RouterPort,
                      nets: LrpNets) -> Iterator[Any]:
    p = port.json_name
    bfd = has_bfd(ctx, port)
    routes: list[tuple[int, str, str]] = []
    for n in nets.ipv4:
        routes.append((n.plen, f"ip4.dst == {n.network}/{n.plen}",
                       f"{REG_ECMP_GROUP_ID} = 0; reg0 = ip4.dst; reg1 = {n.addr}; "))
    for n6 in nets.ipv6:
        match = f"ip6.dst == {n6.network}/{n6.plen}"
        if n6.is_lla:
            match = f"inport == {p} && {match}"
        routes.append((n6.plen, match,
                       f"{REG_ECMP_GROUP_ID} = 0; xxreg0 = ip6.dst; xxreg1 = {n6.addr}; "))
    for plen, match, regs in routes:
        tail = f"eth.src = {nets.mac}; outport = {p}; flags.loopback = 1; next;"
        prio = plen * 3 + ROUTE_PRIO_CONNECTED
        yield ctx.flow(lr, LR_IN_IP_ROUTING, prio, match, f"ip.ttl--; {regs}{tail}",
                       hint=port.nb)
        if bfd:
            # BFD packets to the connected network keep their TTL.
            yield ctx.flow(lr, LR_IN_IP_ROUTING, prio + 1, f"{match} && udp.dst == {BFD_PORT}",
                           f"{regs}{tail}", hint=port.nb)


@builds(SWITCH_PORT)
def lr_in_routable_routes(ctx: BuildContext, port: SwitchPort) -> Iterator[Any]:
    """A router-type switch port: its router (the peer) routes the routable addresses of the
    other routers' gateway ports on the switch (NAT and load balancer add_route=true, see
    lr_common.routable_addresses) out of the peer port, as connected /32 routes through the
    peer's first IPv4 address."""
    peer = port.peer
    if port.type != "router" or not isinstance(peer, RouterPort):
        return
    nets = lrp_nets(peer)
    if nets is None or not nets.ipv4 or not router_enabled(peer.dp):
        return
    bfd = has_bfd(ctx, peer)
    tail = (f"reg0 = ip4.dst; reg1 = {nets.ipv4[0].addr}; eth.src = {nets.mac}; "
            f"outport = {peer.json_name}; flags.loopback = 1; next;")
    for sp in port.dp.router_ports:
        rp = sp.peer
        if not isinstance(rp, RouterPort) or rp is peer or not router_enabled(rp.dp):
            continue
        for _mac, ips in routable_addresses(ctx, rp):
            for ip in ips:
                match = f"ip4.dst == {ip}/32"
                prio = 32 * 3 + ROUTE_PRIO_CONNECTED
                yield ctx.flow(peer.dp, LR_IN_IP_ROUTING, prio, match,
                               f"ip.ttl--; {REG_ECMP_GROUP_ID} = 0; {tail}", hint=peer.nb)
                if bfd:
                    yield ctx.flow(peer.dp, LR_IN_IP_ROUTING, prio + 1,
                                   f"{match} && udp.dst == {BFD_PORT}",
                                   f"{REG_ECMP_GROUP_ID} = 0; {tail}", hint=peer.nb)


def _gateway_mtu(ctx: BuildContext, lr: Router, port: RouterPort,
                 nets: LrpNets) -> Iterator[Any]:
    """Packets routed out of a port with options:gateway_mtu: check their size, and answer the
    too-large ones with ICMP "fragmentation needed" / "packet too big"."""
    mtu = gateway_mtu(port)
    if mtu <= 0:
        return
    gw = port.json_name
    yield ctx.flow(lr, LR_IN_CHK_PKT_LEN, 50, f"outport == {gw}",
                   f"{REGBIT_PKT_LARGER} = check_pkt_larger({mtu + ETH_HEADER_LEN}); next;",
                   hint=port.nb)
    bypass = port.nb.options.get("gateway_mtu_bypass")
    if bypass:
        yield ctx.flow(lr, LR_IN_CHK_PKT_LEN, 55, f"outport == {gw} && ({bypass})", "next;",
                       hint=port.nb)
    for rp in router_ports(lr):
        rnets = lrp_nets(rp)
        if rnets is None:
            continue
        if rp is port:
            stage, prio, match = LR_IN_IP_INPUT, 150, f"inport == {gw}"
        else:
            stage, prio, match = (LR_IN_LARGER_PKTS, 150,
                                  f"inport == {rp.json_name} && outport == {gw}")
        yield from _too_big(ctx, lr, rp, rnets, stage, prio, match, mtu)


def _too_big(ctx: BuildContext, lr: Router, rp: RouterPort, rnets: LrpNets, stage: Any,
             prio: int, match: str, mtu: int) -> Iterator[Any]:
    head = f"{REGBIT_EGRESS_LOOPBACK} = 1; {REGBIT_PKT_LARGER} = 0; eth.dst = {rnets.mac}; "
    if rnets.ipv4:
        yield ctx.flow(lr, stage, prio,
                       f"{match} && ip4 && {REGBIT_PKT_LARGER} && {REGBIT_EGRESS_LOOPBACK} == 0",
                       f"icmp4_error {{{head}ip4.dst = ip4.src; ip4.src = {rnets.ipv4[0].addr}; "
                       "ip.ttl = 255; icmp4.type = 3; /* Destination Unreachable. */ "
                       "icmp4.code = 4; /* Frag Needed and DF was Set. */ "
                       f"icmp4.frag_mtu = {mtu}; next(pipeline=ingress, table=0); }};",
                       hint=rp.nb, meter=copp_meter(ctx, lr, "icmp4-error"))
    if rnets.ipv6:
        yield ctx.flow(lr, stage, prio,
                       f"{match} && ip6 && {REGBIT_PKT_LARGER} && {REGBIT_EGRESS_LOOPBACK} == 0",
                       f"icmp6_error {{{head}ip6.dst = ip6.src; ip6.src = {rnets.ipv6[0].addr}; "
                       "ip.ttl = 255; icmp6.type = 2; /* Packet Too Big. */ icmp6.code = 0; "
                       f"icmp6.frag_mtu = {mtu}; next(pipeline=ingress, table=0); }};",
                       hint=rp.nb, meter=copp_meter(ctx, lr, "icmp6-error"))
