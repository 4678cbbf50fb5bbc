"""A logical switch's L2 stages (ovn-northd(8)): port security, MAC learning, the ARP/ND
responder, external ports, destination lookup and unknown destinations.

Who builds what:

* the SWITCH builder: every stage's default flows, and the flows that depend on aggregates the
  ports contribute (groups.py's ``_MC_unknown`` membership flag);
* the SWITCH_PORT builder: one port's flows — its port-security drops, FDB learning, ARP/ND
  replies for its addresses, its destination-lookup entries, and for a router-type port the
  ARP/ND steering of the peer router's addresses (priority 80/75);
* the LB builder (a load balancer on a router): the priority-80 steering of its VIPs on the
  switches of the router ports whose networks contain them;
* the router ports' priority-80 flows clone to ``_MC_flood_l2`` only when the switch has
  ports other than router ports; changes.py rebuilds the switch (and its routers)
  datapath-wide when the first such port comes or the last one goes.

Strings are written the way ovn-northd 23.03 writes them (checked against its Southbound).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from typing import Any

from pyovn.northd.addresses import (
    LportAddresses,
    in6_solicited_node,
    is_mac,
    normalize_mac,
    parse_lsp_address,
)
from pyovn.northd.context import BuildContext, drop_action
from pyovn.northd.entities import (
    NorthdDatapath,
    Router,
    RouterPort,
    Switch,
    SwitchPort,
    json_quote,
)
from pyovn.northd.lb import parse_lb
from pyovn.northd.pipelines.lr_common import lb_ips
from pyovn.northd.pipelines.lr_nat_ip import extract_ips
from pyovn.northd.registry import LB, SWITCH, SWITCH_PORT, builds
from pyovn.pipeline.stages import (
    LS_IN_APPLY_PORT_SEC,
    LS_IN_ARP_RSP,
    LS_IN_CHECK_PORT_SEC,
    LS_IN_DHCP_OPTIONS,
    LS_IN_DHCP_RESPONSE,
    LS_IN_DNS_LOOKUP,
    LS_IN_DNS_RESPONSE,
    LS_IN_EXTERNAL_PORT,
    LS_IN_HAIRPIN,
    LS_IN_L2_LKUP,
    LS_IN_L2_UNKNOWN,
    LS_IN_LOOKUP_FDB,
    LS_IN_PUT_FDB,
    LS_OUT_APPLY_PORT_SEC,
    LS_OUT_CHECK_PORT_SEC,
)
from pyovn.util.ovshash import sset_order

__all__ = [
    "copp_meter",
    "is_l3dgw_port",
    "lsp_addresses",
    "lsp_has_l2_peers",
    "rport_arp_req_flow",
    "smap_bool",
]

MC_FLOOD = '"_MC_flood"'
MC_FLOOD_L2 = '"_MC_flood_l2"'
MC_UNKNOWN = '"_MC_unknown"'
MC_STATIC = '"_MC_static"'
MC_MROUTER_FLOOD = '"_MC_mrouter_flood"'
# Flags the ports contribute (groups.py: a port in a multicast group flags the switch).
HAS_UNKNOWN = "mc:_MC_unknown"
HAS_MCAST_FLOOD = "mc:_MC_static"

# Register bits (ovn-northd's logical registers).
PORT_SEC_DROP = "reg0[15]"
LKUP_FDB = "reg0[11]"
FROM_RAMP = "reg0[14]"
NOT_VXLAN = "flags[1] == 0"

ARP_REPLY = (
    "eth.dst = eth.src; eth.src = {mac}; arp.op = 2; /* ARP reply */ arp.tha = arp.sha; "
    "arp.sha = {mac}; arp.tpa = arp.spa; arp.spa = {ip}; outport = inport; "
    "flags.loopback = 1; output;"
)
ND_REPLY = (
    "{na} {{ eth.src = {mac}; ip6.src = {ip}; nd.target = {ip}; nd.tll = {mac}; "
    "outport = inport; flags.loopback = 1; output; }};"
)


# --- small helpers shared with other builders ------------------------------------------------


def smap_bool(m: dict[str, str], key: str, default: bool = False) -> bool:
    """A boolean option the way OVS's smap_get_bool reads it."""
    v = m.get(key)
    if v is None:
        return default
    if default:
        return v.lower() != "false"
    return v.lower() == "true"


def copp_meter(ctx: BuildContext, dp_nb: Any, proto: str) -> str | None:
    """The meter a datapath's Copp row names for ``proto``, if that meter exists."""
    copp_ref = dp_nb.copp
    if not copp_ref:
        return None
    copps = ctx.nb.get("Copp")
    copp = copps.get(copp_ref[0]) if copps is not None else None
    if copp is None:
        return None
    name = copp.meters.get(proto)
    if not name:
        return None
    meters = ctx.nb.get("Meter")
    if meters is None or not any(m.name == name for m in meters):
        return None
    return str(name)


def is_l3dgw_port(lrp: RouterPort) -> bool:
    """A distributed gateway port (:attr:`RouterPort.is_dgp`).  The obsolete
    ``options:redirect-chassis`` alone does not make one in 23.03."""
    return lrp.is_dgp


def _l3dgw_ports(lr: Router) -> list[RouterPort]:
    return [p for p in lr.ports.values() if isinstance(p, RouterPort) and is_l3dgw_port(p)]


def lsp_addresses(port: SwitchPort) -> list[LportAddresses]:
    """A switch port's addresses as northd's lsp_addrs: each "MAC IP..." entry, the dynamic
    addresses for "dynamic" entries, then (router-type port) the peer's for "router"."""
    out: list[LportAddresses] = []
    nb = port.nb
    dyn = nb.dynamic_addresses
    for a in nb.addresses:
        if a in ("unknown", "router"):
            continue
        if _is_dynamic(a):
            if dyn:
                p = parse_lsp_address(dyn[0])
                if p is not None:
                    out.append(p)
            continue
        p = parse_lsp_address(a)
        if p is not None:
            out.append(p)
    if port.type == "router" and isinstance(port.peer, RouterPort):
        nets = port.peer.networks
        if nets is not None:
            for a in nb.addresses:
                if a == "router":
                    out.append(nets)
    return out


def _is_dynamic(a: str) -> bool:
    """ "dynamic", "MAC dynamic", "dynamic IP..." (ovn-nb(5), addresses)."""
    toks = a.split()
    if not toks:
        return False
    if toks[0] == "dynamic":
        return True
    return len(toks) >= 2 and is_mac(toks[0]) and toks[1] == "dynamic"


def _mac_of(a: str) -> str | None:
    tok = a.split(None, 1)[0] if a.split() else ""
    if not is_mac(tok):
        return None
    return normalize_mac(tok)


def lsp_has_l2_peers(sw: Switch) -> bool:
    """Whether the switch has ports other than router ports (northd: n_router_ports !=
    n_ports); a router port's peer-IP ARP flows clone to _MC_flood_l2 only then."""
    return len(sw.ports) != len(sw.ports_by_type["router"])


def rport_arp_req_flow(
    ctx: BuildContext, sw: Switch, sw_port: SwitchPort, ip: str, hint: Any
) -> Any:
    """The priority-80 flow steering ARP requests / NS for a router-owned ``ip`` to the
    router port ``sw_port`` (and a copy to the L2 ports)."""
    if ":" in ip:
        match = f"{NOT_VXLAN} && nd_ns && nd.target == {ip}"
    else:
        match = f"{NOT_VXLAN} && arp.op == 1 && arp.tpa == {ip}"
    if lsp_has_l2_peers(sw):
        actions = (
            f"clone {{outport = {sw_port.json_name}; output; }}; outport = {MC_FLOOD_L2}; output;"
        )
    else:
        actions = f"outport = {sw_port.json_name}; output;"
    return ctx.flow(sw, LS_IN_L2_LKUP, 80, match, actions, hint=hint)


# --- the switch's defaults ------------------------------------------------------------------


@builds(SWITCH)
def ls_l2_defaults(ctx: BuildContext, sw: Switch) -> Iterator[Any]:
    drop = drop_action(ctx)
    oc = sw.nb.other_config
    flow = ctx.flow
    if not smap_bool(oc, "vlan-passthru"):
        yield flow(sw, LS_IN_CHECK_PORT_SEC, 100, "vlan.present", drop)
    yield flow(sw, LS_IN_CHECK_PORT_SEC, 100, "eth.src[40]", drop)
    yield flow(sw, LS_IN_CHECK_PORT_SEC, 50, "1", f"{PORT_SEC_DROP} = check_in_port_sec(); next;")
    yield flow(sw, LS_IN_APPLY_PORT_SEC, 50, f"{PORT_SEC_DROP} == 1", drop)
    yield flow(sw, LS_IN_APPLY_PORT_SEC, 0, "1", "next;")
    for st in (
        LS_IN_LOOKUP_FDB,
        LS_IN_PUT_FDB,
        LS_IN_ARP_RSP,
        LS_IN_DHCP_OPTIONS,
        LS_IN_DHCP_RESPONSE,
        LS_IN_DNS_LOOKUP,
        LS_IN_DNS_RESPONSE,
        LS_IN_EXTERNAL_PORT,
    ):
        yield flow(sw, st, 0, "1", "next;")
    yield flow(
        sw,
        LS_IN_L2_LKUP,
        110,
        "eth.dst == $svc_monitor_mac && (tcp || icmp || icmp6)",
        "handle_svc_check(inport);",
        meter=copp_meter(ctx, sw.nb, "svc-monitor"),
    )
    yield from _mcast_snooping(ctx, sw)
    yield flow(sw, LS_IN_L2_LKUP, 70, "eth.mcast", f"outport = {MC_FLOOD}; output;")
    yield flow(sw, LS_IN_L2_LKUP, 0, "1", "outport = get_fdb(eth.dst); next;")
    if sw.has(HAS_UNKNOWN):
        yield flow(
            sw, LS_IN_L2_UNKNOWN, 50, 'outport == "none"', f"outport = {MC_UNKNOWN}; output;"
        )
    else:
        yield flow(sw, LS_IN_L2_UNKNOWN, 50, 'outport == "none"', drop)
    yield flow(sw, LS_IN_L2_UNKNOWN, 0, "1", "output;")
    yield flow(sw, LS_OUT_CHECK_PORT_SEC, 100, "eth.mcast", f"{PORT_SEC_DROP} = 0; next;")
    yield flow(
        sw, LS_OUT_CHECK_PORT_SEC, 0, "1", f"{PORT_SEC_DROP} = check_out_port_sec(); next;"
    )
    yield flow(sw, LS_OUT_APPLY_PORT_SEC, 50, f"{PORT_SEC_DROP} == 1", drop)
    yield flow(sw, LS_OUT_APPLY_PORT_SEC, 0, "1", "output;")


def _mcast_snooping(ctx: BuildContext, sw: Switch) -> Iterator[Any]:
    """IGMP/MLD to ovn-controller, link-local groups flooded, unregistered multicast to the
    relay routers and the mcast_flood ports (or dropped) when snooping is on."""
    oc = sw.nb.other_config
    if not smap_bool(oc, "mcast_snoop"):
        return
    meter = copp_meter(ctx, sw.nb, "igmp")
    for m in ("igmp", "mldv1 || mldv2"):
        yield ctx.flow(sw, LS_IN_L2_LKUP, 100, m, "igmp;", meter=meter)
    yield ctx.flow(
        sw, LS_IN_L2_LKUP, 85, "ip4.mcast && ip4.dst == 224.0.0.0/24",
        f"outport = {MC_FLOOD_L2}; output;",
    )
    yield ctx.flow(sw, LS_IN_L2_LKUP, 85, "ip6.mcast_flood", f"outport = {MC_FLOOD}; output;")
    if smap_bool(oc, "mcast_flood_unregistered"):
        return
    relay = any(
        isinstance(rp.peer, RouterPort) and smap_bool(rp.peer.dp.nb.options, "mcast_relay")
        for rp in sw.router_ports
    )
    static = sw.has(HAS_MCAST_FLOOD)
    actions = ""
    if relay:
        actions += f"clone {{ outport = {MC_MROUTER_FLOOD}; output; }}; "
    if static:
        actions += f"outport ={MC_STATIC}; output;"
    if not relay and not static:
        actions = drop_action(ctx)
    yield ctx.flow(sw, LS_IN_L2_LKUP, 80, "ip4.mcast || ip6.mcast", actions)


# --- one port ---------------------------------------------------------------------------------


@builds(SWITCH_PORT)
def lsp_l2(ctx: BuildContext, port: SwitchPort) -> Iterator[Any]:
    sw = port.dp
    yield from _port_security(ctx, port)
    yield from _fdb(ctx, port)
    yield from _arp_nd_responder(ctx, port)
    yield from _external_port(ctx, port)
    yield from _l2_lookup(ctx, port)
    if not port.enabled and port.type != "external":
        yield ctx.flow(
            sw,
            LS_IN_L2_UNKNOWN,
            50,
            f"outport == {port.json_name}",
            drop_action(ctx),
            hint=port.nb,
            lport=port.name,
        )


def _port_security(ctx: BuildContext, port: SwitchPort) -> Iterator[Any]:
    sw = port.dp
    inport = f"inport == {port.json_name}"
    if port.type == "external":
        return
    if not port.enabled:
        yield ctx.flow(
            sw,
            LS_IN_CHECK_PORT_SEC,
            100,
            inport,
            f"{PORT_SEC_DROP} = 1; next;",
            hint=port.nb,
            lport=port.name,
        )
        return
    queue = port.options.get("qdisc_queue_id")
    if port.type == "vtep":
        yield ctx.flow(
            sw,
            LS_IN_CHECK_PORT_SEC,
            70,
            inport,
            f"{FROM_RAMP} = 1; next(pipeline=ingress, table={LS_IN_HAIRPIN.table});",
            hint=port.nb,
            lport=port.name,
        )
    elif queue:
        yield ctx.flow(
            sw,
            LS_IN_CHECK_PORT_SEC,
            70,
            inport,
            f"set_queue({queue}); {PORT_SEC_DROP} = check_in_port_sec(); next;",
            hint=port.nb,
            lport=port.name,
        )
    if queue and port.type == "localnet":
        yield ctx.flow(
            sw,
            LS_OUT_APPLY_PORT_SEC,
            100,
            f"outport == {port.json_name}",
            f"set_queue({queue}); output;",
            hint=port.nb,
            lport=port.name,
        )


def _fdb(ctx: BuildContext, port: SwitchPort) -> Iterator[Any]:
    if port.nb.port_security or not port.has_unknown:
        return
    learns = port.type == "" or (
        port.type == "localnet" and smap_bool(port.options, "localnet_learn_fdb")
    )
    if not learns:
        return
    sw = port.dp
    yield ctx.flow(
        sw,
        LS_IN_LOOKUP_FDB,
        100,
        f"inport == {port.json_name}",
        f"{LKUP_FDB} = lookup_fdb(inport, eth.src); next;",
        hint=port.nb,
        lport=port.name,
    )
    yield ctx.flow(
        sw,
        LS_IN_PUT_FDB,
        100,
        f"inport == {port.json_name} && {LKUP_FDB} == 0",
        "put_fdb(inport, eth.src); next;",
        hint=port.nb,
        lport=port.name,
    )


# --- ARP/ND responder -------------------------------------------------------------------------


def _lsp_is_up(port: SwitchPort) -> bool:
    up = port.nb.up
    return bool(up and up[0])


def _arp_nd_responder(ctx: BuildContext, port: SwitchPort) -> Iterator[Any]:
    sw = port.dp
    if port.type == "localnet":
        yield ctx.flow(
            sw,
            LS_IN_ARP_RSP,
            100,
            f"inport == {port.json_name}",
            "next;",
            hint=port.nb,
            lport=port.name,
        )
    if port.type == "virtual":
        yield from _virtual_port_binding(ctx, port)
        return
    check_up = not smap_bool(ctx.options, "ignore_lsp_down", True)
    if check_up and not _lsp_is_up(port) and port.type not in ("router", "localport"):
        return
    if port.type == "external" or port.has_unknown:
        return
    if smap_bool(sw.nb.other_config, "vlan-passthru"):
        return
    hint = port.nb
    inport = f"inport == {port.json_name}"
    for la in lsp_addresses(port):
        for a4 in la.ipv4:
            match = f"arp.tpa == {a4.addr} && arp.op == 1"
            yield ctx.flow(
                sw, LS_IN_ARP_RSP, 50, match, ARP_REPLY.format(mac=la.mac, ip=a4.addr), hint=hint
            )
            yield ctx.flow(
                sw, LS_IN_ARP_RSP, 100, f"{match} && {inport}", "next;", hint=hint,
                lport=port.name,
            )
        for a6 in la.ipv6:
            match = f"nd_ns && ip6.dst == {{{a6.addr}, {a6.sn_addr}}} && nd.target == {a6.addr}"
            na = "nd_na_router" if port.type == "router" else "nd_na"
            yield ctx.flow(
                sw,
                LS_IN_ARP_RSP,
                50,
                match,
                ND_REPLY.format(na=na, mac=la.mac, ip=a6.addr),
                hint=hint,
            )
            yield ctx.flow(
                sw, LS_IN_ARP_RSP, 100, f"{match} && {inport}", "next;", hint=hint,
                lport=port.name,
            )
    if port.type == "router" and isinstance(port.peer, RouterPort):
        proxy = _arp_proxy_ipv4(port.options.get("arp_proxy"))
        nets = port.peer.networks
        if proxy and nets is not None:
            yield ctx.flow(
                sw,
                LS_IN_ARP_RSP,
                50,
                f"arp.op == 1 && arp.tpa == {{{','.join(proxy)}}}",
                f"eth.dst = eth.src; eth.src = {nets.mac}; arp.op = 2; /* ARP reply */ "
                f"arp.tha = arp.sha; arp.sha = {nets.mac}; arp.tpa <-> arp.spa; "
                "outport = inport; flags.loopback = 1; output;",
                hint=hint,
            )


def _arp_proxy_ipv4(value: str | None) -> list[str]:
    """The IPv4 addresses of options:arp_proxy ("IP[/PLEN]" or IPv6 tokens), up to the first
    token that is neither (northd's address parser stops there)."""
    if not value:
        return []
    out: list[str] = []
    for tok in value.split():
        addr, _, plen = tok.partition("/")
        try:
            ip = ipaddress.ip_address(addr)
            if plen:
                ipaddress.ip_network(tok, strict=False)
        except ValueError:
            break
        if ip.version == 4:
            out.append(str(ip))
    return out


def _virtual_port_binding(ctx: BuildContext, port: SwitchPort) -> Iterator[Any]:
    """bind_vport flows: GARPs / NAs for the virtual IP from each virtual parent."""
    vip = port.options.get("virtual-ip")
    parents = port.options.get("virtual-parents")
    if not vip or not parents:
        return
    try:
        ip = ipaddress.ip_address(vip)
    except ValueError:
        return
    sw = port.dp
    for name in parents.split(","):
        if not name:
            continue
        parent = ctx.model.port_by_name.get(name)
        if not isinstance(parent, SwitchPort) or parent.dp is not sw:
            continue
        inport = f"inport == {json_quote(name)}"
        if ip.version == 4:
            match = (
                f"{inport} && ((arp.op == 1 && arp.spa == {ip} && arp.tpa == {ip}) || "
                f"(arp.op == 2 && arp.spa == {ip}))"
            )
        else:
            sn = in6_solicited_node(ip)  # type: ignore[arg-type]
            match = (
                f"{inport} && ((nd_ns && ip6.dst == {{{ip}, {sn}}} && nd.target == {ip}) ||"
                f"(nd_na && nd.target == {ip}))"
            )
        yield ctx.flow(
            sw,
            LS_IN_ARP_RSP,
            100,
            match,
            f"bind_vport({port.json_name}, inport); next;",
            hint=parent.nb,
            lport=name,
        )


# --- external ports ---------------------------------------------------------------------------


def _external_port(ctx: BuildContext, port: SwitchPort) -> Iterator[Any]:
    """Drop ARP/NS for the router IPs, and traffic to the router MACs, from an external port
    everywhere but on the chassis that claims it."""
    if port.type != "external":
        return
    sw = port.dp
    addrs = lsp_addresses(port)
    if not addrs:
        return
    for ln in sw.localnet_ports:
        for rp in sw.router_ports:
            peer = rp.peer
            if not isinstance(peer, RouterPort) or peer.networks is None:
                continue
            nets = peer.networks
            for la in addrs:
                base = (
                    f"inport == {ln.json_name} && eth.src == {la.mac} && "
                    f"!is_chassis_resident({port.json_name})"
                )
                for a4 in nets.ipv4:
                    yield ctx.flow(
                        sw,
                        LS_IN_EXTERNAL_PORT,
                        100,
                        f"{base} && arp.tpa == {a4.addr} && arp.op == 1",
                        drop_action(ctx),
                        hint=port.nb,
                        lport=ln.name,
                    )
                for a6 in nets.ipv6:
                    yield ctx.flow(
                        sw,
                        LS_IN_EXTERNAL_PORT,
                        100,
                        f"{base} && nd_ns && ip6.dst == {{{a6.addr}, {a6.sn_addr}}} && "
                        f"nd.target == {a6.addr}",
                        drop_action(ctx),
                        hint=port.nb,
                        lport=ln.name,
                    )
                yield ctx.flow(
                    sw,
                    LS_IN_EXTERNAL_PORT,
                    100,
                    f"inport == {ln.json_name} && eth.src == {la.mac} && eth.dst == {nets.mac} && "
                    f"!is_chassis_resident({port.json_name})",
                    drop_action(ctx),
                    hint=port.nb,
                    lport=ln.name,
                )


# --- destination lookup -----------------------------------------------------------------------


def _l2_lookup(ctx: BuildContext, port: SwitchPort) -> Iterator[Any]:
    if port.type == "external":
        return
    sw = port.dp
    hint = port.nb
    peer = port.peer if isinstance(port.peer, RouterPort) else None
    if port.type == "router" and peer is not None:
        yield from _rport_arp_req_flows(ctx, sw, port, peer)
    action = f"outport = {port.json_name}; output;" if port.enabled else drop_action(ctx)
    for a in port.nb.addresses:
        mac: str | None
        if a == "router":
            if peer is None or not is_mac(peer.nb.mac):
                continue
            mac = peer.networks.mac if peer.networks is not None else None
            if mac is None:
                continue
            match = f"eth.dst == {mac}"
            lr = peer.dp
            dgps = _l3dgw_ports(lr)
            if dgps and sw.localnet_ports:
                resident: RouterPort | None = None
                if is_l3dgw_port(peer):
                    resident = peer
                elif smap_bool(peer.options, "reside-on-redirect-chassis") and len(dgps) == 1:
                    resident = dgps[0]
                if resident is not None:
                    match += f" && is_chassis_resident({json_quote('cr-' + resident.name)})"
            yield ctx.flow(sw, LS_IN_L2_LKUP, 50, match, action, hint=hint)
            if is_l3dgw_port(peer):
                for nat in _router_nats(ctx, lr):
                    if nat.type != "dnat_and_snat" or not nat.logical_port:
                        continue
                    ext = nat.external_mac
                    if not ext or not is_mac(ext[0]):
                        continue
                    emac = _mac_of(ext[0])
                    yield ctx.flow(
                        sw,
                        LS_IN_L2_LKUP,
                        50,
                        f'eth.dst == {emac} && is_chassis_resident("{nat.logical_port[0]}")',
                        action,
                        hint=hint,
                    )
            continue
        if a == "unknown":
            continue
        if _is_dynamic(a):
            dyn = port.nb.dynamic_addresses
            if not dyn:
                continue
            mac = _mac_of(dyn[0])
        else:
            mac = _mac_of(a)
        if mac is None:
            continue
        yield ctx.flow(sw, LS_IN_L2_LKUP, 50, f"eth.dst == {mac}", action, hint=hint)


def _router_nats(ctx: BuildContext, lr: Router) -> list[Any]:
    table = ctx.nb.get("NAT")
    if table is None:
        return []
    out = []
    for u in lr.nb.nat:
        row = table.get(u)
        if row is not None:
            out.append(row)
    return out


def _rport_arp_req_flows(
    ctx: BuildContext, sw: Switch, port: SwitchPort, peer: RouterPort
) -> Iterator[Any]:
    """ARP requests / NS for the router's own IPs (its networks and DNAT external IPs) go to
    the router port only (plus the L2 ports), not flooded to every router (priority 80)."""
    e = peer.nb.enabled
    if e and not e[0]:
        return
    nets = peer.networks
    if nets is None:
        return
    hint = port.nb
    lr = peer.dp
    nats = _router_nats(ctx, lr)
    vips = lb_ips(ctx, lr)  # theirs come from the load balancer owners (if reachable)
    for nat in nats:
        if nat.type == "snat":
            continue
        ips = extract_ips(nat.external_ip)
        if ips is None or len(ips) != 1 or nat.external_ip in vips:
            continue
        # The external IP as written (northd's nat->external_ip), not normalised.
        yield rport_arp_req_flow(ctx, sw, port, nat.external_ip, hint)
    for a4 in nets.ipv4:
        yield rport_arp_req_flow(ctx, sw, port, a4.addr, hint)
    for a6 in nets.ipv6:
        yield rport_arp_req_flow(ctx, sw, port, a6.addr, hint)
    if lsp_has_l2_peers(sw):
        # An sset in northd: its hash order, the router port's MAC added first, then the
        # external MACs of the valid non-snat NAT rules in the NAT column's (uuid) order,
        # verbatim (northd neither checks nor normalises them).
        macs = [nets.mac]
        for nat in sorted(nats, key=lambda r: r.uuid):
            ext = nat.external_mac
            ips = extract_ips(nat.external_ip)
            if nat.type != "snat" and ext and ips is not None and len(ips) == 1:
                macs.append(ext[0])
        macs = sset_order(macs)
        yield ctx.flow(
            sw,
            LS_IN_L2_LKUP,
            75,
            f"eth.src == {{{', '.join(macs)}}} && (arp.op == 1 || rarp.op == 3 || nd_ns)",
            f"outport = {MC_FLOOD_L2}; output;",
        )


def _reachable(nets: LportAddresses, ip: str) -> bool:
    """Whether one of a router port's networks contains ``ip``."""
    a = ipaddress.ip_address(ip)
    subnets = nets.ipv6 if a.version == 6 else nets.ipv4
    return any(a in ipaddress.ip_network(n.net_str) for n in subnets)


@builds(LB)
def lb_rport_arp_req(ctx: BuildContext, dp: NorthdDatapath, lb_row: Any) -> Iterator[Any]:
    """A router's load balancer VIPs: ARP/NS for them go to the router port whose network
    holds them (on the switch behind that port), as for the router's own addresses."""
    if not isinstance(dp, Router):
        return
    lb = parse_lb(lb_row, ctx.nb)
    ips = {v.ip for v in lb.vips}
    if not ips:
        return
    for lrp in dp.ports.values():
        sp = lrp.peer
        if not isinstance(lrp, RouterPort) or not isinstance(sp, SwitchPort):
            continue
        e = lrp.nb.enabled
        if (e and not e[0]) or lrp.networks is None:
            continue
        for ip in sorted(ips):
            if _reachable(lrp.networks, ip):
                yield rport_arp_req_flow(ctx, sp.dp, sp, ip, sp.nb)
