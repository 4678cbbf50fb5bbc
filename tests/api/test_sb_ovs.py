"""OVN_Southbound (chassis, port binding) and Open_vSwitch (bridges, ports) verbs."""

from __future__ import annotations

import pytest

from pyovn.api import AlreadyExists, InvalidArgument, RowNotFound


def test_chassis(sb_any):
    api = sb_any
    with pytest.raises(InvalidArgument):
        api.chassis_add("ch1", ["gre"], "10.0.0.1")
    with pytest.raises(InvalidArgument):
        api.chassis_add("ch1", ["geneve"], "10.0.0.300")
    ch = api.chassis_add("ch1", ["geneve", "vxlan"], "10.0.0.1", hostname="h1").execute(
        check_error=True)
    assert ch.name == "ch1" and ch.hostname == "h1" and len(ch.encaps) == 2
    encaps = api.db_list_rows("Encap").execute(check_error=True)
    assert sorted((e.type, e.ip, e.chassis_name) for e in encaps) == [
        ("geneve", "10.0.0.1", "ch1"), ("vxlan", "10.0.0.1", "ch1")]
    with pytest.raises(AlreadyExists):
        api.chassis_add("ch1", ["geneve"], "10.0.0.1").execute(check_error=True)
    assert api.chassis_add("ch1", ["geneve"], "10.0.0.1", may_exist=True).execute(
        check_error=True).uuid == ch.uuid
    assert [c.name for c in api.chassis_list().execute(check_error=True)] == ["ch1"]
    api.chassis_del("ch1").execute(check_error=True)
    assert api.chassis_list().execute(check_error=True) == []
    api.chassis_del("ch1", if_exists=True).execute(check_error=True)


def test_lsp_bind_unbind(sb_any):
    api = sb_any
    ch = api.chassis_add("ch1", ["geneve"], "10.0.0.1").execute(check_error=True)
    api.chassis_add("ch2", ["geneve"], "10.0.0.2").execute(check_error=True)
    dp = api.db_create("Datapath_Binding", tunnel_key=1).execute(check_error=True)
    api.db_create("Port_Binding", logical_port="p1", datapath=dp, tunnel_key=1).execute(
        check_error=True)
    api.lsp_bind("p1", "ch1").execute(check_error=True)
    assert api.db_get("Port_Binding", "p1", "chassis").execute(check_error=True) == [ch.uuid]
    with pytest.raises(AlreadyExists):
        api.lsp_bind("p1", "ch2").execute(check_error=True)
    api.lsp_bind("p1", "ch2", may_exist=True).execute(check_error=True)
    api.lsp_unbind("p1").execute(check_error=True)
    assert api.db_get("Port_Binding", "p1", "chassis").execute(check_error=True) == []
    with pytest.raises(RowNotFound):
        api.lsp_unbind("nosuch").execute(check_error=True)
    api.lsp_unbind("nosuch", if_exists=True).execute(check_error=True)


def test_bridges_and_ports(ovs_any):
    api = ovs_any
    br = api.add_br("br-int", datapath_type="netdev").execute(check_error=True)
    assert br.name == "br-int" and br.datapath_type == "netdev" and len(br.ports) == 1
    assert api.br_exists("br-int").execute(check_error=True) is True
    assert api.br_exists("br-x").execute(check_error=True) is False
    assert api.add_br("br-int").execute(check_error=True).uuid == br.uuid
    with pytest.raises(AlreadyExists):
        api.add_br("br-int", may_exist=False).execute(check_error=True)
    api.add_br("br-ex").execute(check_error=True)
    assert api.list_br().execute(check_error=True) == ["br-ex", "br-int"]

    api.add_port("br-int", "tap0", type="internal", external_ids={"iface-id": "p1"}).execute(
        check_error=True)
    api.add_port("br-int", "tap1").execute(check_error=True)
    assert api.list_ports("br-int").execute(check_error=True) == ["tap0", "tap1"]
    assert api.list_ifaces("br-int").execute(check_error=True) == ["tap0", "tap1"]
    with pytest.raises(AlreadyExists):
        api.add_port("br-ex", "tap0").execute(check_error=True)
    assert api.iface_get_external_id("tap0", "iface-id").execute(check_error=True) == "p1"
    api.iface_set_external_id("tap1", "iface-id", "p2").execute(check_error=True)
    assert api.iface_get_external_id("tap1", "iface-id").execute(check_error=True) == "p2"
    api.db_set("Interface", "tap1", ("external_ids", {"attached-mac": "x"})).execute(
        check_error=True)
    assert api.db_get("Interface", "tap1", "external_ids").execute(check_error=True) == {
        "iface-id": "p2", "attached-mac": "x"}
    api.br_set_external_id("br-int", "bridge-id", "br-int").execute(check_error=True)
    assert api.br_get_external_id("br-int", "bridge-id").execute(check_error=True) == "br-int"
    with pytest.raises(RowNotFound):
        api.br_get_external_id("br-int", "nope").execute(check_error=True)

    api.del_port("tap0").execute(check_error=True)
    with pytest.raises(RowNotFound):
        api.del_port("tap1", "br-ex").execute(check_error=True)
    api.del_port("tap1", "br-int").execute(check_error=True)
    assert api.list_ports("br-int").execute(check_error=True) == []
    assert sorted(i.name for i in api.db_list_rows("Interface").execute(check_error=True)) == [
        "br-ex", "br-int"]
    api.del_br("br-int").execute(check_error=True)
    api.del_br("br-int").execute(check_error=True)  # if_exists by default
    assert api.list_br().execute(check_error=True) == ["br-ex"]
    root = api.db_list_rows("Open_vSwitch").execute(check_error=True)[0]
    assert len(root.bridges) == 1
