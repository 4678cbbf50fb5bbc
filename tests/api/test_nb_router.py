"""Routers, router ports, gateway chassis, static routes, policies, NAT."""

from __future__ import annotations

import pytest

from pyovn.api import AlreadyExists, InvalidArgument, RowNotFound


def test_lr_add_get_list_del(nb_any):
    api = nb_any
    r = api.lr_add("r0", options={"always_learn_from_arp_request": "false"}).execute(
        check_error=True)
    assert r.name == "r0" and r.options == {"always_learn_from_arp_request": "false"}
    assert api.lr_get("r0").execute(check_error=True).uuid == r.uuid
    assert [x.name for x in api.lr_list().execute(check_error=True)] == ["r0"]
    with pytest.raises(AlreadyExists):
        api.lr_add("r0").execute(check_error=True)
    assert api.lr_add("r0", may_exist=True).execute(check_error=True).uuid == r.uuid
    api.lr_del("r0").execute(check_error=True)
    with pytest.raises(RowNotFound):
        api.lr_del("r0").execute(check_error=True)
    api.lr_del("r0", if_exists=True).execute(check_error=True)


def test_lrp(nb_any):
    api = nb_any
    api.lr_add("r0").execute(check_error=True)
    with pytest.raises(InvalidArgument):
        api.lrp_add("r0", "lrp0", "zz:00", ["10.0.0.1/24"])
    with pytest.raises(InvalidArgument):
        api.lrp_add("r0", "lrp0", "00:00:00:00:00:01", ["10.0.0.300/24"])
    p = api.lrp_add("r0", "lrp0", "00:00:00:00:00:01", ["10.0.0.1/24", "fd00::1/64"],
                    peer="lrp1", gateway_chassis=["ch1", "ch2"]).execute(check_error=True)
    assert p.mac == "00:00:00:00:00:01" and sorted(p.networks) == ["10.0.0.1/24", "fd00::1/64"]
    assert p.peer == ["lrp1"]
    gcs = api.lrp_get_gateway_chassis("lrp0").execute(check_error=True)
    assert [(g.chassis_name, g.priority, g.name) for g in gcs] == [
        ("ch1", 2, "lrp0_ch1"), ("ch2", 1, "lrp0_ch2")]
    api.lrp_set_gateway_chassis("lrp0", "ch2", 10).execute(check_error=True)
    api.lrp_set_gateway_chassis("lrp0", "ch3", 5).execute(check_error=True)
    gcs = api.lrp_get_gateway_chassis("lrp0").execute(check_error=True)
    assert [(g.chassis_name, g.priority) for g in gcs] == [("ch2", 10), ("ch3", 5), ("ch1", 2)]
    api.lrp_del_gateway_chassis("lrp0", "ch1").execute(check_error=True)
    with pytest.raises(RowNotFound):
        api.lrp_del_gateway_chassis("lrp0", "ch1").execute(check_error=True)
    api.lrp_del_gateway_chassis("lrp0", "ch1", if_exists=True).execute(check_error=True)
    assert len(api.lrp_get_gateway_chassis("lrp0").execute(check_error=True)) == 2

    assert [x.name for x in api.lrp_list("r0").execute(check_error=True)] == ["lrp0"]
    assert api.lrp_get("lrp0").execute(check_error=True).uuid == p.uuid
    assert api.lrp_get_enabled("lrp0").execute(check_error=True) is True
    api.lrp_set_enabled("lrp0", False).execute(check_error=True)
    assert api.lrp_get_enabled("lrp0").execute(check_error=True) is False
    api.lrp_set_options("lrp0", foo="bar").execute(check_error=True)
    assert api.lrp_get_options("lrp0").execute(check_error=True) == {"foo": "bar"}

    with pytest.raises(AlreadyExists):
        api.lrp_add("r0", "lrp0", "00:00:00:00:00:01", ["10.0.0.1/24"]).execute(
            check_error=True)
    with pytest.raises(InvalidArgument):
        api.lrp_add("r0", "lrp0", "00:00:00:00:00:02", ["10.0.0.1/24"],
                    may_exist=True).execute(check_error=True)
    same = api.lrp_add("r0", "lrp0", "00:00:00:00:00:01", ["fd00::1/64", "10.0.0.1/24"],
                       may_exist=True).execute(check_error=True)
    assert same.uuid == p.uuid
    api.lrp_del("lrp0").execute(check_error=True)
    assert api.lrp_list("r0").execute(check_error=True) == []
    assert api.db_list_rows("Gateway_Chassis").execute(check_error=True) == []
    api.lrp_del("lrp0", if_exists=True).execute(check_error=True)


def test_routes(nb_any):
    api = nb_any
    api.lr_add("r0").execute(check_error=True)
    with pytest.raises(InvalidArgument):
        api.lr_route_add("r0", "10.0.0.0/33", "1.1.1.1")
    with pytest.raises(InvalidArgument):
        api.lr_route_add("r0", "10.0.0.0/24", "nexthop")
    with pytest.raises(InvalidArgument):
        api.lr_route_add("r0", "10.0.0.0/24", "1.1.1.1", policy="sideways")
    r = api.lr_route_add("r0", "10.0.0.7/24", "1.1.1.1", port="lrp0").execute(check_error=True)
    assert r.ip_prefix == "10.0.0.0/24" and r.nexthop == "1.1.1.1" and r.output_port == ["lrp0"]
    with pytest.raises(AlreadyExists):
        api.lr_route_add("r0", "10.0.0.0/24", "2.2.2.2").execute(check_error=True)
    api.lr_route_add("r0", "10.0.0.0/24", "2.2.2.2", may_exist=True).execute(check_error=True)
    assert [x.nexthop for x in api.lr_route_list("r0").execute(check_error=True)] == ["2.2.2.2"]
    api.lr_route_add("r0", "10.0.0.0/24", "3.3.3.3", ecmp=True).execute(check_error=True)
    with pytest.raises(AlreadyExists):
        api.lr_route_add("r0", "10.0.0.0/24", "3.3.3.3", ecmp=True).execute(check_error=True)
    api.lr_route_add("r0", "10.0.0.0/24", "4.4.4.4", policy="src-ip").execute(check_error=True)
    api.lr_route_add("r0", "0.0.0.0/0", "5.5.5.5", route_table="rt").execute(check_error=True)
    assert len(api.lr_route_list("r0").execute(check_error=True)) == 4
    assert len(api.lr_route_list("r0", route_table="rt").execute(check_error=True)) == 1
    api.lr_route_del("r0", "10.0.0.0/24", nexthop="3.3.3.3").execute(check_error=True)
    assert len(api.lr_route_list("r0").execute(check_error=True)) == 3
    with pytest.raises(RowNotFound):
        api.lr_route_del("r0", "192.168.0.0/16").execute(check_error=True)
    api.lr_route_del("r0", "192.168.0.0/16", if_exists=True).execute(check_error=True)
    api.lr_route_del("r0").execute(check_error=True)
    assert api.lr_route_list("r0").execute(check_error=True) == []


def test_policies(nb_any):
    api = nb_any
    api.lr_add("r0").execute(check_error=True)
    with pytest.raises(InvalidArgument):
        api.lr_policy_add("r0", 10, "ip4", "reroute")
    with pytest.raises(InvalidArgument):
        api.lr_policy_add("r0", 100000, "ip4", "drop")
    p = api.lr_policy_add("r0", 10, "ip4.src == 1.1.1.1", "reroute",
                          nexthop="2.2.2.2").execute(check_error=True)
    assert p.nexthops == ["2.2.2.2"] and p.action == "reroute"
    api.lr_policy_add("r0", 10, "ip6", "drop").execute(check_error=True)
    api.lr_policy_add("r0", 20, "ip6", "allow").execute(check_error=True)
    with pytest.raises(AlreadyExists):
        api.lr_policy_add("r0", 10, "ip6", "allow").execute(check_error=True)
    assert api.lr_policy_add("r0", 10, "ip6", "allow", may_exist=True).execute(
        check_error=True).action == "drop"
    assert len(api.lr_policy_list("r0").execute(check_error=True)) == 3
    api.lr_policy_del("r0", 10, "ip6").execute(check_error=True)
    with pytest.raises(RowNotFound):
        api.lr_policy_del("r0", 10, "ip6").execute(check_error=True)
    api.lr_policy_del("r0", 10).execute(check_error=True)
    assert [x.priority for x in api.lr_policy_list("r0").execute(check_error=True)] == [20]
    api.lr_policy_del("r0").execute(check_error=True)
    assert api.lr_policy_list("r0").execute(check_error=True) == []


def test_nat(nb_any):
    api = nb_any
    api.lr_add("r0").execute(check_error=True)
    with pytest.raises(InvalidArgument):
        api.lr_nat_add("r0", "masquerade", "1.1.1.1", "10.0.0.0/24")
    with pytest.raises(InvalidArgument):
        api.lr_nat_add("r0", "snat", "1.1.1.1", "10.0.0.0/24", logical_port="p")
    with pytest.raises(InvalidArgument):
        api.lr_nat_add("r0", "dnat", "1.1.1.1", "10.0.0.5", logical_port="p",
                       external_mac="00:00:00:00:00:01")
    s = api.lr_nat_add("r0", "snat", "1.1.1.1", "10.0.0.0/24").execute(check_error=True)
    assert (s.type, s.external_ip, s.logical_ip) == ("snat", "1.1.1.1", "10.0.0.0/24")
    d = api.lr_nat_add("r0", "dnat_and_snat", "1.1.1.2", "10.0.0.5", logical_port="p1",
                       external_mac="00:00:00:00:00:05").execute(check_error=True)
    assert d.logical_port == ["p1"] and d.external_mac == ["00:00:00:00:00:05"]
    with pytest.raises(AlreadyExists):
        api.lr_nat_add("r0", "snat", "1.1.1.9", "10.0.0.0/24").execute(check_error=True)
    upd = api.lr_nat_add("r0", "snat", "1.1.1.9", "10.0.0.0/24",
                         may_exist=True).execute(check_error=True)
    assert upd.uuid == s.uuid and upd.external_ip == "1.1.1.9"
    api.lr_nat_add("r0", "dnat", "1.1.1.3", "10.0.0.6").execute(check_error=True)
    assert len(api.lr_nat_list("r0").execute(check_error=True)) == 3
    api.lr_nat_del("r0", "snat", "10.0.0.0/24").execute(check_error=True)
    with pytest.raises(RowNotFound):
        api.lr_nat_del("r0", "snat", "10.0.0.0/24").execute(check_error=True)
    api.lr_nat_del("r0", "dnat").execute(check_error=True)
    assert [n.type for n in api.lr_nat_list("r0").execute(check_error=True)] == [
        "dnat_and_snat"]
    api.lr_nat_del("r0").execute(check_error=True)
    assert api.lr_nat_list("r0").execute(check_error=True) == []
