"""Each check over hand-built Northbound objects: one configuration that cannot work, and the
nearest one that can (which must stay quiet)."""

from __future__ import annotations

from pyovn.lint import CHECKS, Severity, lint
from pyovn.lint import model as m


def ids(nb: m.Nb) -> list[str]:
    return [f.check for f in lint(nb)]


def only(nb: m.Nb, check: str) -> list:
    return lint(nb, [check])


def vm(name: str, *addresses: str, **kw) -> m.NbSwitchPort:
    return m.NbSwitchPort(name=name, addresses=list(addresses), **kw)


def to_router(name: str, lrp: str | None) -> m.NbSwitchPort:
    return m.NbSwitchPort(name=name, type="router", addresses=["router"],
                        options={"router-port": lrp} if lrp else {})


def lrp(name: str, *networks: str, **kw) -> m.NbRouterPort:
    return m.NbRouterPort(name=name, networks=list(networks), mac="00:00:00:00:ff:01", **kw)


def gw(name: str, *networks: str) -> m.NbRouterPort:
    return lrp(name, *networks, gateway_chassis=[m.GatewayChassis(name=f"{name}-ch1",
                                                                  chassis_name="ch1")])


def tutorial() -> tuple[m.Nb, m.NbSwitch, m.NbRouter]:
    """sw0 (10.0.0.0/24, two VMs) behind lr0, whose lr0-public port faces 172.16.0.0/24."""
    sw = m.NbSwitch(name="sw0", ports=[vm("vm1", "50:54:00:00:00:01 10.0.0.5"),
                                     vm("vm2", "50:54:00:00:00:02 10.0.0.6"),
                                     to_router("sw0-lr0", "lr0-sw0")])
    r = m.NbRouter(name="lr0", ports=[lrp("lr0-sw0", "10.0.0.1/24"),
                                    lrp("lr0-public", "172.16.0.1/24")])
    return m.Nb(switches=[sw], routers=[r]), sw, r


def test_every_check_is_declared_once_with_a_summary() -> None:
    names = [c.id for c in CHECKS]
    assert len(names) == len(set(names)) >= 13
    assert all(c.summary and isinstance(c.severity, Severity) for c in CHECKS)


def test_a_sound_topology_is_clean() -> None:
    nb, sw, r = tutorial()
    r.ports[1] = gw("lr0-public", "172.16.0.1/24")
    r.nat.append(m.Nat(type="dnat_and_snat", external_ip="172.16.0.100", logical_ip="10.0.0.5"))
    r.static_routes.append(m.StaticRoute(ip_prefix="0.0.0.0/0", nexthop="172.16.0.254"))
    lb = m.NbLoadBalancer(name="lb0", vips={"10.0.0.100:80": "10.0.0.5:80"})
    sw.load_balancers.append(lb)
    nb.load_balancers.append(lb)
    pg = m.PortGroup(name="pg_web", ports=[sw.ports[0]], acls=[
        m.Acl("to-lport", 1002, "outport == @pg_web && ip4 && tcp.dst == 80", "allow-related"),
        m.Acl("to-lport", 1001, "outport == @pg_web && ip", "drop")])
    nb.port_groups.append(pg)
    assert lint(nb) == []


# --- gateways ------------------------------------------------------------------------------


def test_nat_on_a_router_that_lost_its_gateway_port() -> None:
    nb, _, r = tutorial()
    r.nat.append(m.Nat(type="dnat_and_snat", external_ip="172.16.0.100", logical_ip="10.0.0.5"))
    [f] = only(nb, "nat-no-gateway")
    assert f.severity is Severity.ERROR
    assert [x.table for x in f.rows] == ["Logical_Router", "NAT"]
    assert "172.16.0.100" in f.message and "unreachable" in f.message
    # the port whose network holds the external IP is the one to make a gateway port
    assert f.fix == "ovn-nbctl lrp-set-gateway-chassis lr0-public <CHASSIS> 20"


def test_nat_on_a_gateway_router_or_with_a_gateway_port_is_fine() -> None:
    nb, _, r = tutorial()
    r.nat.append(m.Nat(type="snat", external_ip="172.16.0.1", logical_ip="10.0.0.0/24"))
    r.options["chassis"] = "ch1"
    assert only(nb, "nat-no-gateway") == []
    del r.options["chassis"]
    r.ports[1].ha_chassis_group = m.HaChassisGroup(name="g", chassis=["ch1"])
    assert only(nb, "nat-no-gateway") == []


def test_nat_with_several_gateway_ports_and_no_gateway_port_column() -> None:
    nb, _, r = tutorial()
    r.ports = [lrp("lr0-sw0", "10.0.0.1/24"), gw("gw-a", "172.16.0.1/24"),
               gw("gw-b", "172.17.0.1/24")]
    r.nat = [m.Nat(type="snat", external_ip="172.16.0.50", logical_ip="10.0.0.0/24"),
             m.Nat(type="snat", external_ip="192.0.2.10", logical_ip="10.0.0.0/24"),
             m.Nat(type="snat", external_ip="192.0.2.11", logical_ip="10.0.0.0/24",
                   gateway_port="gw-b")]
    [f] = only(nb, "nat-no-gateway")
    assert "192.0.2.10" in f.message and "applies it nowhere" in f.message


def test_gateway_port_with_an_empty_ha_chassis_group() -> None:
    nb, _, r = tutorial()
    r.ports[1].ha_chassis_group = m.HaChassisGroup(name="hag")
    [f] = only(nb, "gateway-chassis-empty")
    assert [x.table for x in f.rows] == ["Logical_Router", "Logical_Router_Port",
                                          "HA_Chassis_Group"]
    assert f.fix == "ovn-nbctl ha-chassis-group-add-chassis hag <CHASSIS> 20"
    r.ports[1].ha_chassis_group.chassis.append("ch1")
    assert only(nb, "gateway-chassis-empty") == []


def test_gateway_port_whose_gateway_chassis_name_no_chassis() -> None:
    nb, _, r = tutorial()
    r.ports[1].gateway_chassis = [m.GatewayChassis(name="lr0-public-x", chassis_name="")]
    [f] = only(nb, "gateway-chassis-empty")
    assert "lrp-set-gateway-chassis lr0-public" in f.fix


# --- addressing ------------------------------------------------------------------------------


def test_router_ports_with_overlapping_subnets() -> None:
    nb, _, r = tutorial()
    r.ports.append(lrp("lr0-other", "10.0.0.129/25"))
    [f] = only(nb, "router-subnet-overlap")
    assert {x.name for x in f.rows} == {"lr0", "lr0-sw0", "lr0-other"}
    r.ports[-1].networks = ["10.0.1.1/24"]
    assert only(nb, "router-subnet-overlap") == []


def test_ipv6_overlap_and_distinct_families() -> None:
    nb, _, r = tutorial()
    r.ports[0].networks.append("fd00::1/64")
    r.ports[1].networks.append("fd00::2/64")
    [f] = only(nb, "router-subnet-overlap")
    assert "fd00::" in f.message


def test_port_address_outside_the_switch_subnet() -> None:
    nb, sw, _ = tutorial()
    sw.ports.append(vm("vm3", "50:54:00:00:00:03 192.168.9.9"))
    [f] = only(nb, "lsp-address-outside-subnet")
    assert f.severity is Severity.WARNING
    assert "192.168.9.9" in f.message and "10.0.0.0/24" in f.message
    assert f.fix == 'ovn-nbctl lsp-set-addresses vm3 "50:54:00:00:00:03 <IP in 10.0.0.0/24>"'


def test_other_config_subnet_counts_and_l2_switches_are_left_alone() -> None:
    sw = m.NbSwitch(name="l2", ports=[vm("a", "50:54:00:00:00:01 192.168.9.9")])
    nb = m.Nb(switches=[sw])
    assert only(nb, "lsp-address-outside-subnet") == []  # no subnet known: plain L2
    sw.other_config["subnet"] = "192.168.9.0/24"
    assert only(nb, "lsp-address-outside-subnet") == []
    sw.other_config["subnet"] = "10.1.0.0/16"
    assert len(only(nb, "lsp-address-outside-subnet")) == 1


def test_dynamic_addresses_are_checked_too() -> None:
    nb, sw, _ = tutorial()
    sw.ports.append(vm("vm3", "dynamic", dynamic_addresses="0a:00:00:00:00:09 10.9.9.9"))
    [f] = only(nb, "lsp-address-outside-subnet")
    assert "10.9.9.9" in f.message


def test_duplicate_ip_on_one_switch() -> None:
    nb, sw, _ = tutorial()
    sw.ports.append(vm("vm3", "50:54:00:00:00:03 10.0.0.5"))
    [f] = only(nb, "duplicate-ip")
    assert {x.name for x in f.rows} == {"sw0", "vm1", "vm3"}
    assert f.fix.startswith("ovn-nbctl lsp-set-addresses vm3 ")


def test_duplicate_of_the_router_ip() -> None:
    nb, sw, _ = tutorial()
    sw.ports.append(vm("vm3", "50:54:00:00:00:03 10.0.0.1"))
    [f] = only(nb, "duplicate-ip")
    assert {x.name for x in f.rows} == {"sw0", "sw0-lr0", "vm3"}


def test_same_ip_on_two_switches_is_fine() -> None:
    nb, sw, _ = tutorial()
    nb.switches.append(m.NbSwitch(name="sw1", ports=[vm("x", "50:54:00:00:01:01 10.0.0.5")]))
    assert only(nb, "duplicate-ip") == []


def test_router_type_port_naming_no_router_port() -> None:
    nb, sw, _ = tutorial()
    sw.ports.append(to_router("sw0-ghost", "lr9-sw0"))
    sw.ports.append(to_router("sw0-bare", None))
    found = only(nb, "lsp-router-port-missing")
    assert [f.rows[1].name for f in found] == ["sw0-ghost", "sw0-bare"]
    assert "lr9-sw0" in found[0].message
    assert "router-port=" in found[1].fix


def test_static_route_nexthop_outside_every_connected_subnet() -> None:
    nb, _, r = tutorial()
    r.static_routes = [m.StaticRoute(ip_prefix="0.0.0.0/0", nexthop="192.168.50.1"),
                       m.StaticRoute(ip_prefix="10.8.0.0/16", nexthop="172.16.0.254"),
                       m.StaticRoute(ip_prefix="10.9.0.0/16", nexthop="discard"),
                       m.StaticRoute(ip_prefix="10.7.0.0/16", nexthop="192.168.60.1",
                                     output_port="lr0-public")]
    [f] = only(nb, "route-nexthop-unreachable")
    assert "192.168.50.1" in f.message
    assert "lr-route-del lr0 0.0.0.0/0 192.168.50.1" in f.fix


def test_static_route_output_port_not_on_the_router() -> None:
    nb, _, r = tutorial()
    r.static_routes = [m.StaticRoute(ip_prefix="10.7.0.0/16", nexthop="192.168.60.1",
                                     output_port="nope")]
    [f] = only(nb, "route-nexthop-unreachable")
    assert "output_port nope" in f.message


# --- load balancers ---------------------------------------------------------------------------


def test_load_balancer_attached_nowhere() -> None:
    nb, _, _ = tutorial()
    nb.load_balancers.append(m.NbLoadBalancer(name="lb0", vips={"10.0.0.100:80": "10.0.0.5:80"}))
    nb.load_balancers.append(m.NbLoadBalancer(name="empty"))  # no VIP: nothing to reach
    [f] = only(nb, "lb-unreachable")
    assert f.rows[0].name == "lb0" and f.fix == "ovn-nbctl ls-lb-add <SWITCH> lb0"


def test_load_balancer_only_on_a_router_without_gateway() -> None:
    nb, sw, r = tutorial()
    lb = m.NbLoadBalancer(name="lb1", vips={"172.16.0.100:80": "10.0.0.5:80"})
    nb.load_balancers.append(lb)
    r.load_balancers.append(lb)
    [f] = only(nb, "lb-unreachable")
    assert f.fix == "ovn-nbctl ls-lb-add sw0 lb1"  # the switch behind the router
    r.ports[1] = gw("lr0-public", "172.16.0.1/24")
    assert only(nb, "lb-unreachable") == []
    r.ports.append(gw("lr0-public2", "172.17.0.1/24"))  # two gateway ports: not supported
    [f] = only(nb, "lb-unreachable")
    assert "2 distributed gateway ports" in f.message
    sw.load_balancers.append(lb)
    assert only(nb, "lb-unreachable") == []


# --- ACLs and names -------------------------------------------------------------------------


def test_missing_and_empty_port_groups_and_missing_address_sets() -> None:
    nb, sw, _ = tutorial()
    pg_empty = m.PortGroup(name="pg_empty")
    pg_full = m.PortGroup(name="pg_full", ports=[sw.ports[0]])
    nb.port_groups += [pg_empty, pg_full]
    nb.address_sets.append(m.AddressSet(name="as_ok", addresses=["10.0.0.5"]))
    sw.acls = [
        m.Acl("to-lport", 1000, "outport == @pg_gone && ip4", "allow"),
        m.Acl("to-lport", 999, "outport == @pg_gone && ip6", "allow"),
        m.Acl("to-lport", 998, "outport == @pg_empty", "allow"),
        m.Acl("from-lport", 997, "inport == @pg_full && ip4.dst == $as_ok", "allow"),
        m.Acl("from-lport", 996, "ip4.src == $pg_full_ip4 && ip6.src == $pg_full_ip6", "allow"),
        m.Acl("from-lport", 995, "ip4.src == $as_gone", "drop"),
    ]
    [missing] = only(nb, "port-group-missing")
    assert "@pg_gone" in missing.message and "2 match(es)" in missing.message
    assert missing.fix == "ovn-nbctl pg-add pg_gone <PORT>..."
    assert [x.table for x in missing.rows] == ["Logical_Switch", "ACL", "ACL"]
    [empty] = only(nb, "port-group-empty")
    assert empty.rows[0].name == "pg_empty"
    [as_missing] = only(nb, "address-set-missing")
    assert "$as_gone" in as_missing.message


def test_names_in_router_policies_and_qos_are_checked() -> None:
    nb, sw, r = tutorial()
    r.policies.append(m.RouterPolicy(priority=100, match="ip4.src == $nope", action="drop"))
    sw.qos_rules.append(m.QosRule(match="inport == @nopg"))
    assert ids(nb) == ["port-group-missing", "address-set-missing"]


def test_acl_shadowed_by_identical_or_broader_match() -> None:
    nb, sw, _ = tutorial()
    sw.acls = [
        m.Acl("from-lport", 1000, "ip4", "drop", uuid="u-drop"),
        m.Acl("from-lport", 900, "ip4 && tcp.dst == 22", "allow", uuid="u-ssh"),
        m.Acl("to-lport", 900, "ip4 && tcp.dst == 22", "allow"),  # other direction
        m.Acl("from-lport", 800, "inport == \"vm1\"", "allow-related"),
        m.Acl("from-lport", 700, "inport==\"vm1\"", "drop"),  # identical, after spacing
        m.Acl("from-lport", 600, "ip6", "reject"),  # ip4 does not cover ip6
        m.Acl("from-lport", 500, "ip4.src == 10.0.0.5", "drop"),  # same action as ip4: harmless
    ]
    found = only(nb, "acl-shadowed")
    assert [(f.rows[1].name, f.rows[2].name) for f in found] == [
        ('from-lport 900 "ip4 && tcp.dst == 22" allow', 'from-lport 1000 "ip4" drop'),
        ('from-lport 700 "inport==\"vm1\"" drop',
         'from-lport 800 "inport == \"vm1\"" allow-related'),
    ]
    assert found[0].fix == "ovn-nbctl set ACL u-ssh priority=1001"
    assert "broader match" in found[0].message and "same match" in found[1].message


def test_acl_shadowing_respects_apply_after_lb_and_containers() -> None:
    nb, sw, _ = tutorial()
    sw.acls = [m.Acl("from-lport", 1000, "1", "drop"),
               m.Acl("from-lport", 900, "ip4", "allow", options={"apply-after-lb": "true"})]
    pg = m.PortGroup(name="pg", ports=[sw.ports[0]],
                     acls=[m.Acl("from-lport", 900, "inport == @pg && ip4", "allow")])
    nb.port_groups.append(pg)
    assert only(nb, "acl-shadowed") == []
    pg.acls.append(m.Acl("from-lport", 950, "inport == @pg", "drop"))
    [f] = only(nb, "acl-shadowed")
    assert f.rows[0].table == "Port_Group"


def test_acl_conflict_same_priority_same_match() -> None:
    nb, sw, _ = tutorial()
    sw.acls = [m.Acl("to-lport", 1000, "ip4", "allow", uuid="a"),
               m.Acl("to-lport", 1000, "ip4", "drop", uuid="b")]
    [f] = only(nb, "acl-conflict")
    assert f.fix == "ovn-nbctl remove Logical_Switch sw0 acls b"


def test_shadow_check_scales_to_many_acls() -> None:
    # 20,000 per-port ACLs on one switch: indexed candidates, not all pairs.
    sw = m.NbSwitch(name="big", acls=[
        m.Acl("from-lport", 1000 + k, f'inport == "p{i}" && tcp.dst == {8000 + k}', "allow")
        for i in range(2500) for k in range(8)])
    sw.acls.append(m.Acl("from-lport", 2000, 'inport == "p7"', "drop"))
    found = only(m.Nb(switches=[sw]), "acl-shadowed")
    assert len(found) == 8 and all('"p7"' in f.message for f in found)
