"""Load balancers, DHCP options, HA chassis groups."""

from __future__ import annotations

import pytest

from pyovn.api import AlreadyExists, InvalidArgument, RowNotFound


def test_load_balancers(nb_any):
    api = nb_any
    with pytest.raises(InvalidArgument):
        api.lb_add("lb0", "10.0.0.300:80", ["192.168.0.1:80"])
    with pytest.raises(InvalidArgument):
        api.lb_add("lb0", "10.0.0.1:80", ["192.168.0.1:80"], protocol="icmp")
    lb = api.lb_add("lb0", "10.0.0.1:80", ["192.168.0.1:80", "192.168.0.2:80"]).execute(
        check_error=True)
    assert lb.vips == {"10.0.0.1:80": "192.168.0.1:80,192.168.0.2:80"}
    assert lb.protocol == ["tcp"]
    with pytest.raises(AlreadyExists):
        api.lb_add("lb0", "10.0.0.1:80", "192.168.0.3:80").execute(check_error=True)
    api.lb_add("lb0", "10.0.0.1:80", "192.168.0.3:80", may_exist=True).execute(check_error=True)
    api.lb_add("lb0", "[fd00::1]:80", "[fd00::2]:80").execute(check_error=True)
    got = api.lb_get("lb0").execute(check_error=True)
    assert got.vips == {"10.0.0.1:80": "192.168.0.3:80", "[fd00::1]:80": "[fd00::2]:80"}
    assert [x.name for x in api.lb_list().execute(check_error=True)] == ["lb0"]

    api.ls_add("sw").execute(check_error=True)
    api.lr_add("r").execute(check_error=True)
    api.ls_lb_add("sw", "lb0").execute(check_error=True)
    api.lr_lb_add("r", lb.uuid).execute(check_error=True)
    with pytest.raises(AlreadyExists):
        api.ls_lb_add("sw", "lb0").execute(check_error=True)
    api.ls_lb_add("sw", "lb0", may_exist=True).execute(check_error=True)
    assert [x.uuid for x in api.ls_lb_list("sw").execute(check_error=True)] == [lb.uuid]
    assert [x.uuid for x in api.lr_lb_list("r").execute(check_error=True)] == [lb.uuid]
    api.ls_lb_del("sw", "lb0").execute(check_error=True)
    with pytest.raises(RowNotFound):
        api.ls_lb_del("sw", "lb0").execute(check_error=True)
    api.ls_lb_del("sw", "lb0", if_exists=True).execute(check_error=True)
    api.lr_lb_del("r").execute(check_error=True)
    assert api.ls_lb_list("sw").execute(check_error=True) == []
    assert api.lr_lb_list("r").execute(check_error=True) == []

    api.lb_del("lb0", "10.0.0.1:80").execute(check_error=True)
    assert list(api.lb_get("lb0").execute(check_error=True).vips) == ["[fd00::1]:80"]
    with pytest.raises(RowNotFound):
        api.lb_del("lb0", "10.9.9.9").execute(check_error=True)
    api.lb_del("lb0", "[fd00::1]:80").execute(check_error=True)  # the last VIP: lb goes
    assert api.lb_list().execute(check_error=True) == []
    api.lb_add("lb1", "10.0.0.1", "10.0.0.2").execute(check_error=True)
    api.lb_del("lb1").execute(check_error=True)
    api.lb_del("lb1", if_exists=True).execute(check_error=True)
    assert api.lb_list().execute(check_error=True) == []


def test_dhcp_options(nb_any):
    api = nb_any
    with pytest.raises(InvalidArgument):
        api.dhcp_options_add("10.0.0.0/99")
    d = api.dhcp_options_add("10.0.0.0/24", subnet_id="s1").execute(check_error=True)
    assert d.cidr == "10.0.0.0/24" and d.external_ids == {"subnet_id": "s1"}
    api.dhcp_options_set_options(d.uuid, router="10.0.0.1", lease_time=3600).execute(
        check_error=True)
    assert api.dhcp_options_get_options(d.uuid).execute(check_error=True) == {
        "router": "10.0.0.1", "lease_time": "3600"}
    assert api.dhcp_options_get(d.uuid).execute(check_error=True).uuid == d.uuid
    assert [x.uuid for x in api.dhcp_options_list().execute(check_error=True)] == [d.uuid]
    api.dhcp_options_del(d.uuid).execute(check_error=True)
    assert api.dhcp_options_list().execute(check_error=True) == []
    with pytest.raises(RowNotFound):
        api.dhcp_options_get(d.uuid).execute(check_error=True)


def test_ha_chassis_groups(nb_any):
    api = nb_any
    g = api.ha_chassis_group_add("g1").execute(check_error=True)
    with pytest.raises(AlreadyExists):
        api.ha_chassis_group_add("g1").execute(check_error=True)
    assert api.ha_chassis_group_add("g1", may_exist=True).execute(check_error=True).uuid == g.uuid
    api.ha_chassis_group_add_chassis("g1", "ch1", 10).execute(check_error=True)
    api.ha_chassis_group_add_chassis("g1", "ch2", 20).execute(check_error=True)
    api.ha_chassis_group_add_chassis("g1", "ch1", 30).execute(check_error=True)
    got = api.ha_chassis_group_get("g1").execute(check_error=True)
    hcs = {r.chassis_name: r.priority
           for r in api.db_list_rows("HA_Chassis").execute(check_error=True)
           if r.uuid in got.ha_chassis}
    assert hcs == {"ch1": 30, "ch2": 20}
    api.ha_chassis_group_del_chassis("g1", "ch1").execute(check_error=True)
    with pytest.raises(RowNotFound):
        api.ha_chassis_group_del_chassis("g1", "ch1").execute(check_error=True)
    assert len(api.ha_chassis_group_get("g1").execute(check_error=True).ha_chassis) == 1
    api.ha_chassis_group_del("g1").execute(check_error=True)
    with pytest.raises(RowNotFound):
        api.ha_chassis_group_get("g1").execute(check_error=True)
    api.ha_chassis_group_del("g1", if_exists=True).execute(check_error=True)
