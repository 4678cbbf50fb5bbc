"""Option tables of the option-taking actions, as data (OVN 23.03).

``put_dhcp_opts`` and ``put_dhcpv6_opts`` accept the options northd writes to the SB
``DHCP_Options`` / ``DHCPv6_Options`` tables (name, code, type); ``put_nd_ra_opts`` and
``trigger_event`` have fixed tables.  The type decides which constants an option accepts: "str",
"domains" need a string, "host_id" anything, every other type an integer (address, number...).
Callers that read the SB tables may pass their own tables to the parser instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from pyovn.logical.actions_ast import OptionDef

__all__ = [
    "CONTROLLER_EVENTS",
    "DHCPV4_OPTIONS",
    "DHCPV6_OPTIONS",
    "ND_RA_OPTIONS",
    "option_table",
]


def option_table(rows: Iterable[tuple[str, int, str]]) -> Mapping[str, OptionDef]:
    """Builds a name -> OptionDef table from (name, code, type) rows (e.g. SB DHCP_Options)."""
    return {name: OptionDef(name, code, type_) for name, code, type_ in rows}


# DHCPv4: name, code, type (ovn-nb(5) "DHCP_Options"; northd's supported list).
DHCPV4_OPTIONS = option_table(
    [
        ("offerip", 0, "ipv4"),
        ("netmask", 1, "ipv4"),
        ("router", 3, "ipv4"),
        ("dns_server", 6, "ipv4"),
        ("log_server", 7, "ipv4"),
        ("lpr_server", 9, "ipv4"),
        ("hostname", 12, "str"),
        ("domain_name", 15, "str"),
        ("swap_server", 16, "ipv4"),
        ("ip_forward_enable", 19, "bool"),
        ("policy_filter", 21, "ipv4"),
        ("default_ttl", 23, "uint8"),
        ("mtu", 26, "uint16"),
        ("broadcast_address", 28, "ipv4"),
        ("router_discovery", 31, "bool"),
        ("router_solicitation", 32, "ipv4"),
        ("arp_cache_timeout", 35, "uint32"),
        ("ethernet_encap", 36, "bool"),
        ("tcp_ttl", 37, "uint8"),
        ("tcp_keepalive_interval", 38, "uint32"),
        ("nis_server", 41, "ipv4"),
        ("ntp_server", 42, "ipv4"),
        ("netbios_name_server", 44, "ipv4"),
        ("netbios_node_type", 46, "uint8"),
        ("lease_time", 51, "uint32"),
        ("server_id", 54, "ipv4"),
        ("T1", 58, "uint32"),
        ("T2", 59, "uint32"),
        ("tftp_server", 66, "host_id"),
        ("bootfile_name", 67, "str"),
        ("domain_search_list", 119, "domains"),
        ("classless_static_route", 121, "static_routes"),
        ("tftp_server_address", 150, "ipv4"),
        ("path_prefix", 210, "str"),
        ("ms_classless_static_route", 249, "static_routes"),
        ("wpad", 252, "str"),
        ("next_server", 253, "ipv4"),
        ("bootfile_name_alt", 254, "str"),
    ]
)

DHCPV6_OPTIONS = option_table(
    [
        ("server_id", 2, "mac"),
        ("ia_addr", 5, "ipv6"),
        ("dns_server", 23, "ipv6"),
        ("domain_search", 24, "str"),
    ]
)

# put_nd_ra_opts: the flag pseudo-options use codes 0 and 255; the rest are RFC 4861/4191/8106
# option types.
ND_RA_OPTIONS = option_table(
    [
        ("addr_mode", 0, "str"),
        ("router_preference", 255, "str"),
        ("slla", 1, "mac"),
        ("prefix", 3, "ipv6"),
        ("mtu", 5, "uint32"),
        ("rdnss", 25, "ipv6"),
        ("dnssl", 31, "str"),
        ("route_info", 24, "str"),
    ]
)

# trigger_event: event name -> its options.
CONTROLLER_EVENTS: Mapping[str, Mapping[str, OptionDef]] = {
    "empty_lb_backends": option_table(
        [
            ("vip", 1, "str"),
            ("protocol", 2, "str"),
            ("load_balancer", 3, "str"),
        ]
    ),
}
