"""Native DHCPv4/DHCPv6 and DNS on a logical switch (ovn-northd(8), ingress tables DHCP option
processing, DHCP responses, DNS lookup, DNS responses), and the Southbound rows behind them.

* SWITCH_PORT builder: a port with ``dhcpv4_options`` / ``dhcpv6_options`` gets, for the first
  of its addresses inside the options' cidr, a ``put_dhcp_opts`` / ``put_dhcpv6_opts`` flow and
  the reply flow; an external port gets them on each localnet port of its switch, guarded by
  ``is_chassis_resident``.  The flows' stage-hint is the DHCP_Options row.
* SWITCH builder: the DNS lookup/response flows when one of the switch's DNS rows has records.
* GLOBAL builders: the SB DNS rows (one per NB DNS row used by a switch, with every switch using
  it; changes.py makes the global owner dirty when DNS rows or a switch's ``dns_records``
  change) and the fixed DHCP_Options / DHCPv6_Options code tables.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from typing import Any

from pyovn.logical.actions_opts import DHCPV4_OPTIONS, DHCPV6_OPTIONS
from pyovn.northd.addresses import LportAddresses, eth_addr_to_ipv6_lla, is_mac, normalize_mac
from pyovn.northd.context import BuildContext
from pyovn.northd.entities import Switch, SwitchPort
from pyovn.northd.pipelines.ls_l2 import copp_meter, lsp_addresses, smap_bool
from pyovn.northd.registry import GLOBAL, SWITCH, SWITCH_PORT, builds
from pyovn.pipeline.stages import (
    LS_IN_DHCP_OPTIONS,
    LS_IN_DHCP_RESPONSE,
    LS_IN_DNS_LOOKUP,
    LS_IN_DNS_RESPONSE,
)

__all__ = ["DHCPV4_CODES", "DHCPV6_CODES", "dhcpv4_actions", "dhcpv6_actions"]

DHCP_RESULT = "reg0[3]"
DNS_RESULT = "reg0[4]"

# The option codes northd publishes (ovn-sb(5), DHCP_Options / DHCPv6_Options): the same table
# the logical flow language compiles put_dhcp(v6)_opts with (pyovn.logical.actions_opts).
DHCPV4_CODES: tuple[tuple[str, int, str], ...] = tuple(
    (o.name, o.code, o.type) for o in DHCPV4_OPTIONS.values())
DHCPV6_CODES: tuple[tuple[str, int, str], ...] = tuple(
    (o.name, o.code, o.type) for o in DHCPV6_OPTIONS.values())


@builds(GLOBAL)
def dhcp_code_tables(ctx: BuildContext) -> Iterator[Any]:
    for name, code, typ in DHCPV4_CODES:
        yield ctx.row("DHCP_Options", name, name=name, code=code, type=typ)
    for name, code, typ in DHCPV6_CODES:
        yield ctx.row("DHCPv6_Options", name, name=name, code=code, type=typ)


# --- DHCPv4 -----------------------------------------------------------------------------------


def _options_list(options: dict[str, str], skip: tuple[str, ...]) -> str:
    # smap_sort order: byte-wise by key.
    return ", ".join(f"{k} = {v}" for k, v in sorted(options.items()) if k not in skip)


def dhcpv4_actions(port: SwitchPort, dhcp: Any, offer_ip: str) -> tuple[str, str, str] | None:
    """(put_dhcp_opts action, reply action, renewal match) for ``offer_ip``, or None when the
    options do not apply (address outside the cidr, server_id/server_mac/lease_time missing)."""
    try:
        net = ipaddress.IPv4Network(dhcp.cidr, strict=False)
        ip = ipaddress.IPv4Address(offer_ip)
    except ValueError:
        return None
    if ip not in net:
        return None
    opts = dict(dhcp.options)
    server_ip = opts.get("server_id")
    server_mac = opts.get("server_mac")
    lease_time = opts.get("lease_time")
    if not (server_ip and server_mac and lease_time):
        return None
    opts.pop("server_mac", None)
    opts["netmask"] = str(net.netmask)
    hostname = port.options.get("hostname")
    if hostname:
        opts["hostname"] = hostname
    listed = _options_list(opts, ())
    put = f"{DHCP_RESULT} = put_dhcp_opts(offerip = {ip}" + (f", {listed}" if listed else "")
    put += "); next;"
    reply = (
        f"eth.dst = eth.src; eth.src = {server_mac}; ip4.src = {server_ip}; udp.src = 67; "
        "udp.dst = 68; outport = inport; flags.loopback = 1; output;"
    )
    renew = f"ip4.src == {ip} && ip4.dst == {{{server_ip}, 255.255.255.255}}"
    return put, reply, renew


def dhcpv6_actions(dhcp: Any, offer_ip: str) -> tuple[str, str] | None:
    """(put_dhcpv6_opts action, reply action) for ``offer_ip``, or None."""
    try:
        net = ipaddress.IPv6Network(dhcp.cidr, strict=False)
        ip = ipaddress.IPv6Address(offer_ip)
    except ValueError:
        return None
    if ip not in net:
        return None
    opts = dict(dhcp.options)
    server_id = opts.get("server_id")
    if not server_id or not is_mac(server_id):
        return None
    mac = normalize_mac(server_id)
    server_ip = eth_addr_to_ipv6_lla(mac)
    stateless = smap_bool(opts, "dhcpv6_stateless")
    parts = [] if stateless else [f"ia_addr = {ip}"]
    listed = _options_list(opts, ("dhcpv6_stateless",))
    if listed:
        parts.append(listed)
    put = f"{DHCP_RESULT} = put_dhcpv6_opts({', '.join(parts)}); next;"
    reply = (
        f"eth.dst = eth.src; eth.src = {mac}; ip6.dst = ip6.src; ip6.src = {server_ip}; "
        "udp.src = 547; udp.dst = 546; outport = inport; flags.loopback = 1; output;"
    )
    return put, reply


def _dhcp_row(ctx: BuildContext, refs: list[str]) -> Any | None:
    if not refs:
        return None
    table = ctx.nb.get("DHCP_Options")
    return table.get(refs[0]) if table is not None else None


@builds(SWITCH_PORT)
def lsp_dhcp(ctx: BuildContext, port: SwitchPort) -> Iterator[Any]:
    if not port.enabled or port.type == "router":
        return
    nb = port.nb
    v4 = _dhcp_row(ctx, nb.dhcpv4_options)
    v6 = _dhcp_row(ctx, nb.dhcpv6_options)
    if v4 is None and v6 is None:
        return
    sw = port.dp
    external = port.type == "external"
    if external and (not sw.localnet_ports or not nb.ha_chassis_group):
        return
    inports = sw.localnet_ports if external else [port]
    for la in lsp_addresses(port):
        for inport in inports:
            if v4 is not None:
                yield from _dhcpv4_flows(ctx, port, la, inport, external, v4)
            if v6 is not None:
                yield from _dhcpv6_flows(ctx, port, la, inport, external, v6)


def _dhcpv4_flows(
    ctx: BuildContext,
    port: SwitchPort,
    la: LportAddresses,
    inport: SwitchPort,
    external: bool,
    dhcp: Any,
) -> Iterator[Any]:
    sw = port.dp
    resident = f" && is_chassis_resident({port.json_name})" if external else ""
    meter = copp_meter(ctx, sw.nb, "dhcpv4-opts")
    base = f"inport == {inport.json_name} && eth.src == {la.mac}"
    for a in la.ipv4:
        acts = dhcpv4_actions(port, dhcp, a.addr)
        if acts is None:
            continue
        put, reply, renew = acts
        for m in (
            f"{base} && ip4.src == 0.0.0.0 && ip4.dst == 255.255.255.255 && "
            "udp.src == 68 && udp.dst == 67",
            f"{base} && {renew} && udp.src == 68 && udp.dst == 67",
        ):
            yield ctx.flow(
                sw, LS_IN_DHCP_OPTIONS, 100, m + resident, put, hint=dhcp, meter=meter,
                lport=inport.name,
            )
        yield ctx.flow(
            sw,
            LS_IN_DHCP_RESPONSE,
            100,
            f"{base} && ip4 && udp.src == 68 && udp.dst == 67 && {DHCP_RESULT}{resident}",
            reply,
            hint=dhcp,
            lport=inport.name,
        )
        break


def _dhcpv6_flows(
    ctx: BuildContext,
    port: SwitchPort,
    la: LportAddresses,
    inport: SwitchPort,
    external: bool,
    dhcp: Any,
) -> Iterator[Any]:
    sw = port.dp
    resident = f" && is_chassis_resident({port.json_name})" if external else ""
    meter = copp_meter(ctx, sw.nb, "dhcpv6-opts")
    base = (
        f"inport == {inport.json_name} && eth.src == {la.mac} && ip6.dst == ff02::1:2 && "
        "udp.src == 546 && udp.dst == 547"
    )
    for a in la.ipv6:
        acts = dhcpv6_actions(dhcp, a.addr)
        if acts is None:
            continue
        put, reply = acts
        yield ctx.flow(
            sw, LS_IN_DHCP_OPTIONS, 100, base + resident, put, hint=dhcp, meter=meter,
            lport=inport.name,
        )
        yield ctx.flow(
            sw,
            LS_IN_DHCP_RESPONSE,
            100,
            f"{base}{resident} && {DHCP_RESULT}",
            reply,
            hint=dhcp,
            lport=inport.name,
        )
        break


# --- DNS --------------------------------------------------------------------------------------


def _dns_rows(ctx: BuildContext, sw_nb: Any) -> list[Any]:
    table = ctx.nb.get("DNS")
    if table is None:
        return []
    return [r for r in (table.get(u) for u in sw_nb.dns_records) if r is not None]


@builds(SWITCH)
def ls_dns(ctx: BuildContext, sw: Switch) -> Iterator[Any]:
    if not any(r.records for r in _dns_rows(ctx, sw.nb)):
        return
    yield ctx.flow(
        sw,
        LS_IN_DNS_LOOKUP,
        100,
        "udp.dst == 53",
        f"{DNS_RESULT} = dns_lookup(); next;",
        meter=copp_meter(ctx, sw.nb, "dns"),
    )
    for ip in ("ip4", "ip6"):
        yield ctx.flow(
            sw,
            LS_IN_DNS_RESPONSE,
            100,
            f"udp.dst == 53 && {DNS_RESULT}",
            f"eth.dst <-> eth.src; {ip}.src <-> {ip}.dst; udp.dst = udp.src; udp.src = 53; "
            "outport = inport; flags.loopback = 1; output;",
        )


@builds(GLOBAL)
def sb_dns(ctx: BuildContext) -> Iterator[Any]:
    """One SB DNS row per NB DNS row that a switch uses, listing every such switch."""
    table = ctx.nb.get("DNS")
    if table is None:
        return
    switches = ctx.model.switches
    for row in table:
        sws = [
            s for s in ctx.model.referrers.get(row.uuid, ())
            if s in switches and row.uuid in switches[s].nb.dns_records
        ]
        if not sws:
            continue
        yield ctx.row(
            "DNS",
            row.uuid,
            records=dict(row.records),
            datapaths=frozenset(ctx.ref("Datapath_Binding", s) for s in sws),
            external_ids={"dns_id": row.uuid},
        )
