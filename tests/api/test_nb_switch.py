"""Logical switch and port verbs, checked through the replica and against the server's rows."""

from __future__ import annotations

import pytest

from pyovn.api import AlreadyExists, InvalidArgument, NotUnique, RowNotFound


def test_ls_add_get_list_del(nb_any):
    api = nb_any
    sw = api.ls_add("sw0", external_ids={"k": "v"}).execute(check_error=True)
    assert sw.name == "sw0" and sw.external_ids == {"k": "v"}
    assert api.ls_get("sw0").execute(check_error=True).uuid == sw.uuid
    assert api.ls_get(sw.uuid).execute(check_error=True).name == "sw0"
    assert [s.name for s in api.ls_list().execute(check_error=True)] == ["sw0"]
    with pytest.raises(AlreadyExists):
        api.ls_add("sw0").execute(check_error=True)
    assert api.ls_add("sw0", may_exist=True).execute(check_error=True).uuid == sw.uuid
    api.ls_del("sw0").execute(check_error=True)
    assert api.ls_list().execute(check_error=True) == []
    with pytest.raises(RowNotFound):
        api.ls_del("sw0").execute(check_error=True)
    api.ls_del("sw0", if_exists=True).execute(check_error=True)


def test_ls_add_unnamed_and_bad_column(nb_any):
    api = nb_any
    sw = api.ls_add().execute(check_error=True)
    assert sw.name == ""
    with pytest.raises(InvalidArgument):
        api.ls_add("x", no_such_column=1)


def test_check_error_false_logs_and_returns_none(nb_any, caplog):
    assert nb_any.ls_get("missing").execute() is None
    assert "no row" in caplog.text


def test_lsp_add_and_attributes(nb_any):
    api = nb_any
    api.ls_add("sw0").execute(check_error=True)
    p = api.lsp_add("sw0", "p1", addresses=["00:00:00:00:00:01 10.0.0.1"],
                    port_security=["00:00:00:00:00:01 10.0.0.1"]).execute(check_error=True)
    assert p.name == "p1" and p.addresses == ["00:00:00:00:00:01 10.0.0.1"]
    assert api.ls_get("sw0").execute(check_error=True).ports == [p.uuid]
    assert [x.name for x in api.lsp_list("sw0").execute(check_error=True)] == ["p1"]
    assert [x.name for x in api.lsp_list().execute(check_error=True)] == ["p1"]
    assert api.lsp_get("p1").execute(check_error=True).uuid == p.uuid

    api.lsp_set_addresses("p1", ["router"]).execute(check_error=True)
    assert api.lsp_get_addresses("p1").execute(check_error=True) == ["router"]
    api.lsp_set_port_security("p1", []).execute(check_error=True)
    assert api.lsp_get_port_security("p1").execute(check_error=True) == []
    api.lsp_set_type("p1", "localnet").execute(check_error=True)
    assert api.lsp_get_type("p1").execute(check_error=True) == "localnet"
    api.lsp_set_options("p1", network_name="physnet1").execute(check_error=True)
    assert api.lsp_get_options("p1").execute(check_error=True) == {"network_name": "physnet1"}
    assert api.lsp_get_enabled("p1").execute(check_error=True) is True
    api.lsp_set_enabled("p1", False).execute(check_error=True)
    assert api.lsp_get_enabled("p1").execute(check_error=True) is False
    assert api.lsp_get_up("p1").execute(check_error=True) is False
    api.db_set("Logical_Switch_Port", "p1", ("up", True)).execute(check_error=True)
    assert api.lsp_get_up("p1").execute(check_error=True) is True

    dhcp = api.dhcp_options_add("10.0.0.0/24").execute(check_error=True)
    api.lsp_set_dhcpv4_options("p1", dhcp.uuid).execute(check_error=True)
    assert api.lsp_get("p1").execute(check_error=True).dhcpv4_options == [dhcp.uuid]
    api.lsp_set_dhcpv4_options("p1", None).execute(check_error=True)
    assert api.lsp_get("p1").execute(check_error=True).dhcpv4_options == []


def test_lsp_add_checks(nb_any):
    api = nb_any
    with pytest.raises(InvalidArgument):
        api.lsp_add("sw0", "p1", addresses=["not-a-mac"])
    with pytest.raises(InvalidArgument):
        api.lsp_add("sw0", "p1", parent_name="vm", tag=5000)
    with pytest.raises(InvalidArgument):
        api.lsp_add("sw0", "p1", tag=5)
    with pytest.raises(InvalidArgument):
        api.lsp_set_enabled("p1", "yes")
    with pytest.raises(RowNotFound):
        api.lsp_add("nosuch", "p1").execute(check_error=True)


def test_lsp_add_may_exist_parent_tag(nb_any):
    api = nb_any
    api.ls_add("sw0").execute(check_error=True)
    api.ls_add("sw1").execute(check_error=True)
    c = api.lsp_add("sw0", "c1", parent_name="vm1", tag=7).execute(check_error=True)
    assert c.parent_name == ["vm1"] and c.tag_request == [7]
    assert api.lsp_get_parent("c1").execute(check_error=True) == "vm1"
    with pytest.raises(AlreadyExists):
        api.lsp_add("sw0", "c1").execute(check_error=True)
    assert api.lsp_add("sw0", "c1", may_exist=True).execute(check_error=True).uuid == c.uuid
    with pytest.raises(AlreadyExists):
        api.lsp_add("sw1", "c1", may_exist=True).execute(check_error=True)
    with pytest.raises(InvalidArgument):
        api.lsp_add("sw0", "c1", parent_name="vm1", tag=8, may_exist=True).execute(
            check_error=True)


def test_lsp_del(nb_any):
    api = nb_any
    api.ls_add("sw0").execute(check_error=True)
    api.ls_add("sw1").execute(check_error=True)
    api.lsp_add("sw1", "p1").execute(check_error=True)
    with pytest.raises(RowNotFound):
        api.lsp_del("p1", "sw0").execute(check_error=True)
    api.lsp_del("p1").execute(check_error=True)
    assert api.ls_get("sw1").execute(check_error=True).ports == []
    assert api.lsp_list().execute(check_error=True) == []
    with pytest.raises(RowNotFound):
        api.lsp_del("p1").execute(check_error=True)
    api.lsp_del("p1", if_exists=True).execute(check_error=True)


def test_switch_and_ports_in_one_transaction(nb_any):
    api = nb_any
    with api.transaction(check_error=True) as txn:
        sw = txn.add(api.ls_add("sw0"))
        p1 = txn.add(api.lsp_add("sw0", "p1"))
        p2 = txn.add(api.lsp_add(sw.result if sw.result else "sw0", "p2"))
        txn.add(api.lsp_set_addresses("p1", ["00:00:00:00:00:01"]))
    row = api.ls_get("sw0").execute(check_error=True)
    assert sorted(row.ports) == sorted([p1.result.uuid, p2.result.uuid])
    assert api.lsp_get("p1").execute(check_error=True).addresses == ["00:00:00:00:00:01"]


def test_duplicate_names_are_not_unique(nb_any):
    api = nb_any
    api.db_create("Logical_Switch", name="dup").execute(check_error=True)
    api.db_create("Logical_Switch", name="dup").execute(check_error=True)
    with pytest.raises(NotUnique):
        api.ls_get("dup").execute(check_error=True)


def test_ls_set_dns_records(nb_any):
    api = nb_any
    api.ls_add("sw0").execute(check_error=True)
    dns = api.db_create("DNS", records={"a": "10.0.0.1"}).execute(check_error=True)
    api.ls_set_dns_records("sw0", [dns]).execute(check_error=True)
    assert api.ls_get("sw0").execute(check_error=True).dns_records == [dns]
