"""Port_Binding rows: one per logical switch port and router port, plus the ``cr-<lrp>``
chassisredirect port of each distributed gateway port.

How each column is made (ovn-sb(5) Port_Binding, checked against ovn-northd 23.03.1):

* switch ports of a CMS type (VIF ``""``, localnet, localport, l2gateway, vtep, external,
  virtual, remote; an unknown type becomes ``""``): ``mac`` is the NB ``addresses`` as written,
  ``options`` the NB options (plus ``vlan-passthru=true`` when the switch has
  ``other_config:vlan-passthru``), ``parent_port``/``tag`` from ``parent_name``/``tag``,
  ``requested_chassis`` (and ``requested_additional_chassis``) from ``options:requested-chassis``
  when those chassis exist, ``ha_chassis_group`` for external ports, ``mirror_rules``;
  ``external_ids`` are the NB ones plus ``name`` from ``neutron:port_name``.
* router-type switch ports: type ``patch`` (``l3gateway`` when the peer router is a gateway
  router, with ``options:l3gateway-chassis``), ``options:peer`` the ``router-port`` option, and
  ``nat_addresses``: what ``options:nat-addresses`` asks for (``router``: the peer router's NAT
  and load balancer addresses) plus the router port's own addresses when gratuitous ARPs for
  them belong to a gateway chassis.
* router ports: ``mac`` is "MAC NETWORK...", type ``patch``/``l3gateway``, ``options:peer``;
  a distributed gateway port (``ha_chassis_group`` or ``gateway_chassis`` on a router that is
  not a gateway router) gets ``options:chassis-redirect-port`` and a ``cr-<name>`` port of type
  ``chassisredirect`` that carries its HA_Chassis_Group (see :mod:`.ha`).
* ``up`` is set to false on insert only (ovn-controller owns it afterwards).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from typing import Any

from pyovn.northd.addresses import normalize_mac, scans_as_lsp_address
from pyovn.northd.cnum import smap_get_bool, str_to_int
from pyovn.northd.context import BuildContext
from pyovn.northd.entities import Router, RouterPort, Switch, SwitchPort, json_quote
from pyovn.northd.nodes.ha import chassis_lookup, lrp_ha_group, nb_ha_group
from pyovn.northd.output import Default
from pyovn.northd.pipelines.lr_common import find_member_ip
from pyovn.northd.pipelines.lr_nat_ip import extract_ips, parse_v4_masked
from pyovn.northd.registry import ROUTER_PORT, SWITCH_PORT, builds
from pyovn.util.ovshash import sset_order

__all__ = [
    "cr_name",
    "dgp_ports",
    "gateway_chassis_of",
    "is_dgp",
    "lrp_binding",
    "lsp_binding",
]

# Switch port types ovn-northd 23.03 knows; any other type is bound as a VIF ("").
LSP_TYPES = frozenset(
    {"", "router", "localnet", "localport", "l2gateway", "vtep", "external", "virtual", "remote"}
)


def _opt(v: Any) -> frozenset[Any]:
    return frozenset(v) if v else frozenset()


# --- router helpers -------------------------------------------------------------------------------


def gateway_chassis_of(lr: Router) -> str | None:
    """The chassis of a gateway router (``options:chassis``, possibly ""), None for a
    distributed router: northd only asks whether the option is there."""
    return lr.nb.options.get("chassis")


def has_gateway_config(lrp: RouterPort) -> bool:
    return bool(lrp.nb.ha_chassis_group or lrp.nb.gateway_chassis)


def is_dgp(lrp: RouterPort) -> bool:
    """A distributed gateway port: gateway chassis configured, router not a gateway router."""
    return lrp.is_dgp


def cr_name(lrp: RouterPort | str) -> str:
    return "cr-" + (lrp if isinstance(lrp, str) else lrp.name)


def dgp_ports(lr: Router) -> list[RouterPort]:
    """The router's distributed gateway ports, in OVN's order (NB ``ports``: by uuid)."""
    out = [p for p in lr.ports.values() if isinstance(p, RouterPort) and is_dgp(p)]
    out.sort(key=lambda p: p.uuid)
    return out


def has_distributed_nat(ctx: BuildContext, lr: Router) -> bool:
    """northd's od->has_distributed_nat: a dnat_and_snat rule with logical_port and external_mac
    among its valid nat_entries (one external IP read by extract_ip_addresses)."""
    nat_t = ctx.nb.get("NAT")
    if nat_t is None:
        return False
    for u in lr.nb.nat:
        nat = nat_t.get(u)
        if nat is not None and nat.type == "dnat_and_snat" and nat.logical_port \
                and nat.external_mac:
            ips = extract_ips(nat.external_ip)
            if ips is not None and len(ips) == 1:
                return True
    return False


# --- switch ports ---------------------------------------------------------------------------------


@builds(SWITCH_PORT)
def lsp_binding(ctx: BuildContext, port: SwitchPort) -> Iterator[Any]:
    nb = port.nb
    values: dict[str, Any] = {
        "logical_port": port.name,
        "datapath": ctx.ref("Datapath_Binding", port.dp.uuid),
        "tunnel_key": port.key,
        "mac": frozenset(nb.addresses),
        "port_security": frozenset(nb.port_security),
        "parent_port": _opt(nb.parent_name),
        "tag": _opt(nb.tag),
        "up": Default(False),
    }
    ha_group = frozenset()
    requested: frozenset[str] = frozenset()
    additional: frozenset[str] = frozenset()
    nat_addresses: frozenset[str] = frozenset()
    if port.type == "router":
        peer = port.peer if isinstance(port.peer, RouterPort) else None
        chassis = gateway_chassis_of(peer.dp) if peer is not None else None
        options: dict[str, str] = {}
        rp = nb.options.get("router-port")
        if rp:
            options["peer"] = rp
        if chassis is not None:
            options["l3gateway-chassis"] = chassis
        values["type"] = "l3gateway" if chassis is not None else "patch"
        if peer is not None:
            nat_addresses = frozenset(_router_lsp_nat_addresses(ctx, port, peer, chassis))
    else:
        values["type"] = port.type if port.type in LSP_TYPES else ""
        options = dict(nb.options)
        if smap_get_bool(port.dp.nb.other_config, "vlan-passthru"):
            options["vlan-passthru"] = "true"
        req = nb.options.get("requested-chassis")
        if req:
            found = [u for u in (chassis_lookup(ctx, n) for n in req.split(",") if n) if u]
            if found:
                requested = frozenset(found[:1])
                additional = frozenset(found[1:])
        if port.type == "external" and nb.ha_chassis_group:
            group = ctx.nb["HA_Chassis_Group"].get(nb.ha_chassis_group[0])
            if group is not None:
                yield nb_ha_group(ctx, group)
                ha_group = frozenset([ctx.ref("HA_Chassis_Group", group.name)])
    values["options"] = options
    values["nat_addresses"] = nat_addresses
    values["ha_chassis_group"] = ha_group
    values["requested_chassis"] = requested
    values["requested_additional_chassis"] = additional
    values["mirror_rules"] = frozenset(_mirror_refs(ctx, nb))
    ids = dict(nb.external_ids)
    name = ids.get("neutron:port_name")
    if name:
        ids["name"] = name
    values["external_ids"] = ids
    yield ctx.row("Port_Binding", port.name, **values)


def _mirror_refs(ctx: BuildContext, nb: Any) -> Iterator[Any]:
    table = ctx.nb.get("Mirror")
    if table is None:
        return
    for u in nb.mirror_rules:
        m = table.get(u)
        if m is not None:
            yield ctx.ref("Mirror", m.name)


def _router_lsp_nat_addresses(
    ctx: BuildContext, port: SwitchPort, peer: RouterPort, chassis: str | None
) -> list[str]:
    """Port_Binding.nat_addresses of a router-type switch port (gratuitous ARP sources)."""
    out: list[str] = []
    lr = peer.dp
    dgps = dgp_ports(lr)
    opt = port.options.get("nat-addresses")
    if opt == "router":
        if chassis is not None or dgps:
            exclude_vips = smap_get_bool(port.options, "exclude-lb-vips-from-garp")
            out.extend(router_nat_addresses(ctx, peer, add_lb_vips=not exclude_vips))
    elif opt and (chassis is not None or dgps) and scans_as_lsp_address(opt):
        # extract_lsp_addresses: a MAC first is enough; the value is written as it is.
        entry = opt
        if dgps:
            cr = peer if peer in dgps else dgps[0]
            entry += f" is_chassis_resident({json_quote(cr_name(cr))})"
        out.append(entry)
    # The router port's own addresses, announced from where the gateway lives.
    if dgps:
        reside = smap_get_bool(peer.options, "reside-on-redirect-chassis") and len(dgps) == 1
        garp = peer in dgps or reside
    else:
        garp = chassis is not None and bool(port.dp.ports_by_type["localnet"])
    if garp and peer.networks is not None:
        entry = peer.networks.mac
        for a in peer.networks.ipv4:
            entry += f" {a.addr}"
        if dgps:
            cr = peer if peer in dgps else dgps[0]
            entry += f" is_chassis_resident({json_quote(cr_name(cr))})"
        out.append(entry)
    return out


def router_nat_addresses(ctx: BuildContext, lrp: RouterPort, add_lb_vips: bool) -> list[str]:
    """The NAT (and load balancer VIP) addresses a router announces through ``lrp``: one entry
    per distributed NAT rule, one for the rest ("MAC IP..."), as northd's get_nat_addresses."""
    if lrp.networks is None:
        return []
    lr = lrp.dp
    dgps = dgp_ports(lr)
    own_ips = {a.addr for a in lrp.networks.ipv4} | {a.addr for a in lrp.networks.ipv6}
    out: list[str] = []
    central: list[str] = []
    nat_t = ctx.nb.get("NAT")
    for u in sorted(lr.nb.nat):
        nat = nat_t.get(u) if nat_t is not None else None
        if nat is None:
            continue
        # IPv4 host addresses only (OVS's ip_parse_masked), listed as written.
        parsed = parse_v4_masked(nat.external_ip)
        if parsed is None or parsed[1] != 0xFFFFFFFF:
            continue
        if not _is_nat_gateway_port(nat, lrp, len(dgps)):
            continue
        if dgps and nat.type == "dnat_and_snat" and nat.logical_port and nat.external_mac:
            mac = _mac_str(nat.external_mac[0])
            if mac is not None:
                out.append(f"{mac} {nat.external_ip} is_chassis_resident(\"{nat.logical_port[0]}\")")
            continue
        if nat.external_ip in own_ips:
            continue
        central.append(nat.external_ip)  # (no dedup: OVN lists an IP once per rule)
    if add_lb_vips:
        v4, v6 = _router_lb_ips(ctx, lr)
        central.extend(v4)
        central.extend(v6)
    if central:
        entry = " ".join([lrp.networks.mac, *central])
        if lrp in dgps:
            entry += f" is_chassis_resident({json_quote(cr_name(lrp))})"
        out.append(entry)
    return out


def _is_nat_gateway_port(nat: Any, lrp: RouterPort, n_dgps: int) -> bool:
    """northd's is_nat_gateway_port: with several gateway ports, a rule belongs to its
    gateway_port, or (none given) to the port whose networks hold its external IP."""
    if n_dgps <= 1:
        return True
    if nat.gateway_port:
        gp = nat.gateway_port[0]
        return (gp if isinstance(gp, str) else gp.uuid) == lrp.uuid
    return find_member_ip(lrp, nat.external_ip) is not None


def _router_lb_ips(ctx: BuildContext, lr: Router) -> tuple[list[str], list[str]]:
    lbs = ctx.model.dp_lbs(lr.nb) if hasattr(ctx.model, "dp_lbs") else list(lr.nb.load_balancer)
    lb_t = ctx.nb.get("Load_Balancer")
    v4: list[str] = []
    v6: list[str] = []
    for u in sorted(lbs):
        lb = lb_t.get(u) if lb_t is not None else None
        if lb is None:
            continue
        for vip in sorted(lb.vips):
            ip = _vip_ip(vip)
            if ip is None:
                continue
            (v4 if ip.version == 4 else v6).append(str(ip))
    # northd keeps them in hash sets (ssets): their iteration order.
    return sset_order(v4), sset_order(v6)


def _vip_ip(vip: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    s = vip
    if s.startswith("["):
        s = s[1:s.find("]")] if "]" in s else s[1:]
    elif s.count(":") == 1:
        s = s.split(":")[0]
    try:
        return ipaddress.ip_address(s)
    except ValueError:
        return None


def _mac_str(s: str) -> str | None:
    parts = s.split(":")
    if len(parts) != 6:
        return None
    try:
        return normalize_mac(s)
    except ValueError:
        return None


# --- router ports ---------------------------------------------------------------------------------


@builds(ROUTER_PORT)
def lrp_binding(ctx: BuildContext, port: RouterPort) -> Iterator[Any]:
    nb = port.nb
    lr = port.dp
    chassis = gateway_chassis_of(lr)
    options: dict[str, str] = {}
    if port.peer is not None:
        options["peer"] = port.peer.name
    if chassis is not None:
        options["l3gateway-chassis"] = chassis
    if has_gateway_config(port) and port.peer is not None:
        options["chassis-redirect-port"] = cr_name(port)
    if not nb.peer and isinstance(port.peer, SwitchPort):
        options.update(_ipv6_options(ctx, port))
    mac = " ".join([nb.mac, *sorted(nb.networks)])
    yield ctx.row(
        "Port_Binding",
        port.name,
        logical_port=port.name,
        datapath=ctx.ref("Datapath_Binding", lr.uuid),
        tunnel_key=port.key,
        type="l3gateway" if chassis is not None else "patch",
        options=options,
        mac=frozenset((mac,)),
        external_ids=dict(nb.external_ids),
        up=Default(False),
    )
    if is_dgp(port):
        yield from _cr_binding(ctx, port, mac)


# Router advertisement interval limits (RFC 4861 6.2.1).
RA_MAX_INTERVAL = (4, 1800, 600)  # min, max, default
RA_MIN_INTERVAL_MIN = 3


def _ra_min_interval_default(max_interval: int) -> int:
    return max_interval // 3 if max_interval >= 9 else max_interval * 3 // 4


def _ipv6_options(ctx: BuildContext, port: RouterPort) -> dict[str, str]:
    """Prefix delegation flags and periodic router advertisement settings of a router port
    attached to a switch (ovn-nb(5) ipv6_ra_configs; ovn-sb(5) Port_Binding options)."""
    nb = port.nb
    out: dict[str, str] = {}
    pd_list = _sb_option(ctx, port.name, "ipv6_ra_pd_list")
    if pd_list is not None:
        out["ipv6_ra_pd_list"] = pd_list
    if port.enabled:
        if nb.options.get("prefix_delegation", "").lower() == "true":
            out["ipv6_prefix_delegation"] = "true"
        if nb.options.get("prefix", "").lower() == "true":
            out["ipv6_prefix"] = "true"
    ra = nb.ipv6_ra_configs
    mode = ra.get("address_mode")
    if mode not in ("slaac", "dhcpv6_stateful", "dhcpv6_stateless"):
        return out
    if ra.get("send_periodic", "").lower() != "true":
        return out
    out["ipv6_ra_send_periodic"] = "true"
    out["ipv6_ra_address_mode"] = mode
    lo, hi, default = RA_MAX_INTERVAL
    max_i = min(max(_int(ra.get("max_interval"), default), lo), hi)
    out["ipv6_ra_max_interval"] = str(max_i)
    min_default = _ra_min_interval_default(max_i)
    min_i = max(min(_int(ra.get("min_interval"), min_default), min_default), RA_MIN_INTERVAL_MIN)
    out["ipv6_ra_min_interval"] = str(min_i)
    mtu = _int(ra.get("mtu"), 0)
    if mtu >= 1280:
        out["ipv6_ra_mtu"] = str(mtu)
    prefixes = []
    if port.networks is not None:
        for a in port.networks.ipv6:
            if a.is_lla:
                out["ipv6_ra_src_addr"] = a.addr
            else:
                prefixes.append(f"{a.network}/{a.plen}")
    if pd_list:
        prefixes.append(pd_list)
    out["ipv6_ra_prefixes"] = " ".join(prefixes).rstrip(" ")
    for key in ("rdnss", "dnssl"):
        if key in ra:
            out["ipv6_ra_" + key] = ra[key]
    if port.networks is not None:
        out["ipv6_ra_src_eth"] = port.networks.mac
    prf = ra.get("router_preference")
    out["ipv6_ra_prf"] = prf if prf in ("HIGH", "LOW") else "MEDIUM"
    if "route_info" in ra:
        out["ipv6_ra_route_info"] = ra["route_info"]
    return out


def _int(v: str | None, default: int) -> int:
    """OVS's smap_get_int: the whole value one decimal int ("1400abc", "1300 " -> default)."""
    r = str_to_int(v) if v is not None else None
    return default if r is None else r


def _sb_option(ctx: BuildContext, logical_port: str, key: str) -> str | None:
    pbs = ctx.sb.get("Port_Binding")
    if pbs is None:
        return None
    try:
        rows = pbs.index("logical_port").lookup(logical_port)
    except (AttributeError, KeyError):
        rows = [r for r in pbs if r.logical_port == logical_port]
    for r in rows:
        return r.options.get(key)
    return None


def _cr_binding(ctx: BuildContext, port: RouterPort, mac: str) -> Iterator[Any]:
    nb = port.nb
    lr = port.dp
    if nb.ha_chassis_group:
        group = ctx.nb["HA_Chassis_Group"].get(nb.ha_chassis_group[0])
        row = nb_ha_group(ctx, group) if group is not None else None
    else:
        row = lrp_ha_group(ctx, port)
    ha_group = frozenset()
    if row is not None:
        yield row
        ha_group = frozenset([ctx.ref("HA_Chassis_Group", row.key)])
    options = {"distributed-port": port.name}
    always_redirect = not has_distributed_nat(ctx, lr) and not _peer_has_vtep(port)
    redirect_type = nb.options.get("redirect-type")
    if redirect_type:
        options["redirect-type"] = redirect_type
        if redirect_type == "bridged":
            always_redirect = False
    if always_redirect:
        options["always-redirect"] = "true"
    yield ctx.row(
        "Port_Binding",
        cr_name(port),
        logical_port=cr_name(port),
        datapath=ctx.ref("Datapath_Binding", lr.uuid),
        tunnel_key=getattr(port, "cr_key", 0),
        type="chassisredirect",
        options=options,
        mac=frozenset((mac,)),
        external_ids=dict(nb.external_ids),
        ha_chassis_group=ha_group,
        up=Default(False),
    )


def _peer_has_vtep(port: RouterPort) -> bool:
    peer = port.peer
    if isinstance(peer, SwitchPort) and isinstance(peer.dp, Switch):
        return bool(peer.dp.ports_by_type["vtep"])
    return False
