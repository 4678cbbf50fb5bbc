"""The logical switch's L2 stages (pipelines/ls_l2.py, ls_dhcp_dns.py) against the real northd.

* Unit tests (no binaries): the string builders checked against lines the real ovn-northd
  23.03.1 wrote (copied from its Southbound), and the OVS hash order of ``eth.src == {...}``.
* Interop tests: topologies (``ls_l2_topologies/*.sh`` and the shared ones that exercise these
  stages) through ``sbdiff.py``; only the flows of the stages this module owns are compared —
  every flow of those stages must be identical (match, actions, priority, tags, stage-hint).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from pyovn.northd.pipelines.ls_dhcp_dns import dhcpv4_actions, dhcpv6_actions
from pyovn.northd.pipelines.ls_l2 import _arp_proxy_ipv4, smap_bool
from pyovn.util.ovshash import hash_string, sset_order

HERE = Path(__file__).resolve().parent
STAGES = (
    "ls_in_check_port_sec", "ls_in_apply_port_sec", "ls_in_lookup_fdb", "ls_in_put_fdb",
    "ls_in_arp_rsp", "ls_in_dhcp_options", "ls_in_dhcp_response", "ls_in_dns_lookup",
    "ls_in_dns_response", "ls_in_external_port", "ls_in_l2_lkup", "ls_in_l2_unknown",
    "ls_out_check_port_sec", "ls_out_apply_port_sec",
)
_STAGE_RE = re.compile(r"^\S+ (?:ingress|egress) \d+ \d+ (" + "|".join(STAGES) + ") ")
# Flows of these stages that other modules build (LB health checks: ls_lb.py) or that need
# data pyovn's IPAM writes (dynamic addresses): left out of the comparison.
_NOT_OURS = re.compile(r"<svc_monitor_mac>|<mac_prefix>")

# The shared topologies whose switches exercise these stages without IPAM.
SHARED = ("01", "02", "03", "06", "07", "08", "09", "10", "16", "17", "18", "24", "25", "29",
          "32", "33", "35", "42", "47", "48")


# --- unit tests -----------------------------------------------------------------------------


def test_sset_order_matches_real_northd() -> None:
    # eth.src == {...} of priority-75 l2_lkup flows, as the real northd wrote them (router port
    # MAC first, then the NAT external MACs in uuid order).
    assert sset_order(["00:00:20:20:12:13", "30:54:00:00:00:04", "30:54:00:00:00:03"]) == [
        "30:54:00:00:00:03", "00:00:20:20:12:13", "30:54:00:00:00:04"]
    assert sset_order(["00:00:00:00:ff:01", "30:54:00:00:00:04", "30:54:00:00:00:03"]) == [
        "00:00:00:00:ff:01", "30:54:00:00:00:03", "30:54:00:00:00:04"]
    assert sset_order(["00:00:20:20:12:13", "30:54:00:00:00:03"]) == [
        "00:00:20:20:12:13", "30:54:00:00:00:03"]
    assert sset_order(["a", "a"]) == ["a"]
    assert 0 <= hash_string("") < 2**32


def test_smap_bool() -> None:
    assert smap_bool({}, "x") is False
    assert smap_bool({}, "x", True) is True
    assert smap_bool({"x": "TRUE"}, "x") is True
    assert smap_bool({"x": "yes"}, "x") is False
    assert smap_bool({"x": "no"}, "x", True) is True
    assert smap_bool({"x": "false"}, "x", True) is False


def test_arp_proxy_parsing() -> None:
    assert _arp_proxy_ipv4("10.0.0.200 fd00::200 10.9.0.0/24 10.0.0.202") == [
        "10.0.0.200", "10.9.0.0", "10.0.0.202"]
    assert _arp_proxy_ipv4("10.0.0.200 10.0.0.201 fd00::200 bogus 10.9.0.0/24") == [
        "10.0.0.200", "10.0.0.201"]
    assert _arp_proxy_ipv4("bogus 10.1.0.200") == []
    assert _arp_proxy_ipv4(None) == []


def _dhcp(cidr: str, **options: str) -> SimpleNamespace:
    return SimpleNamespace(cidr=cidr, options=options)


def test_dhcpv4_actions() -> None:
    port = SimpleNamespace(options={})
    dhcp = _dhcp(
        "192.168.0.0/24", server_id="192.168.0.1", server_mac="c0:ff:ee:00:00:01",
        lease_time="43200", router="192.168.0.1", dns_server="{8.8.8.8, 1.1.1.1}", mtu="1442",
        domain_name='"openstack.example"',
        classless_static_route="{169.254.169.254/32,192.168.0.2, 0.0.0.0/0,192.168.0.1}")
    put, reply, renew = dhcpv4_actions(port, dhcp, "192.168.0.11")  # type: ignore[misc]
    assert put == (
        "reg0[3] = put_dhcp_opts(offerip = 192.168.0.11, classless_static_route = "
        "{169.254.169.254/32,192.168.0.2, 0.0.0.0/0,192.168.0.1}, dns_server = {8.8.8.8, 1.1.1.1}"
        ', domain_name = "openstack.example", lease_time = 43200, mtu = 1442, '
        "netmask = 255.255.255.0, router = 192.168.0.1, server_id = 192.168.0.1); next;")
    assert reply == (
        "eth.dst = eth.src; eth.src = c0:ff:ee:00:00:01; ip4.src = 192.168.0.1; udp.src = 67; "
        "udp.dst = 68; outport = inport; flags.loopback = 1; output;")
    assert renew == "ip4.src == 192.168.0.11 && ip4.dst == {192.168.0.1, 255.255.255.255}"
    # Outside the cidr, or without server_mac: no DHCP.
    assert dhcpv4_actions(port, dhcp, "192.168.1.11") is None
    assert dhcpv4_actions(port, _dhcp("10.0.0.0/24", server_id="10.0.0.1", lease_time="1"),
                          "10.0.0.5") is None


def test_dhcpv6_actions() -> None:
    put, reply = dhcpv6_actions(  # type: ignore[misc]
        _dhcp("fd00:60::/64", server_id="00:00:00:10:00:01", dns_server="{fd00:60::53}",
              domain_search="example.org"), "fd00:60::11")
    assert put == ("reg0[3] = put_dhcpv6_opts(ia_addr = fd00:60::11, dns_server = {fd00:60::53}, "
                   "domain_search = example.org, server_id = 00:00:00:10:00:01); next;")
    assert reply == (
        "eth.dst = eth.src; eth.src = 00:00:00:10:00:01; ip6.dst = ip6.src; "
        "ip6.src = fe80::200:ff:fe10:1; udp.src = 547; udp.dst = 546; outport = inport; "
        "flags.loopback = 1; output;")
    put, _ = dhcpv6_actions(  # type: ignore[misc]
        _dhcp("fd00:60::/64", server_id="00:00:00:10:00:02", dhcpv6_stateless="true",
              dns_server="{fd00:60::53}"), "fd00:60::12")
    assert put == ("reg0[3] = put_dhcpv6_opts(dns_server = {fd00:60::53}, "
                   "server_id = 00:00:00:10:00:02); next;")


# --- against the real northd ----------------------------------------------------------------


def _topologies() -> list[Path]:
    own = sorted((HERE / "ls_l2_topologies").glob("*.sh"))
    shared = [p for p in sorted((HERE / "topologies").glob("*.sh")) if p.name[:2] in SHARED]
    return own + shared


def _ours(line: str) -> bool:
    body = line[1:]
    return bool(_STAGE_RE.match(body)) and not _NOT_OURS.search(body)


@pytest.mark.interop
@pytest.mark.timeout(120)
@pytest.mark.parametrize("path", _topologies(), ids=lambda p: p.stem)
def test_l2_stages_identical(path: Path) -> None:
    from pyovn.testing.real import require_real

    reason = require_real("ovsdb-server", "ovsdb-tool", "ovn-nbctl", "ovsdb-client", "ovn-northd")
    if reason is not None:
        pytest.skip(reason)
    if str(HERE) not in sys.path:
        sys.path.insert(0, str(HERE))
    import sbdiff
    import sbsides

    topo = sbsides.Topology.load(path)
    cmp = sbdiff.compare_topology(topo, sbsides.Options(only=("Logical_Flow*",)))
    assert not cmp.errors, cmp.errors[0]
    bad = [
        f"{'-' if line in s.missing else '+'}{line}"
        for s in cmp.sections
        for line in (*s.missing, *s.extra)
        if _ours(" " + line)
    ]
    assert not bad, f"{topo.name}: {len(bad)} differing lines\n" + "\n".join(bad[:80])
