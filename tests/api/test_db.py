"""The generic db_* verbs."""

from __future__ import annotations

import pytest

from pyovn.api import InvalidArgument, RowNotFound


def test_create_set_get_list_destroy(nb_any):
    api = nb_any
    u = api.db_create("Logical_Switch", name="sw", external_ids={"a": "1"}).execute(
        check_error=True)
    assert isinstance(u, str)
    row = api.db_create_row("Logical_Switch", name="sw2").execute(check_error=True)
    assert row.name == "sw2"
    api.db_set("Logical_Switch", "sw", ("external_ids", {"b": "2"}), other_config={"x": "y"}
               ).execute(check_error=True)
    assert api.db_get("Logical_Switch", "sw", "external_ids").execute(check_error=True) == {
        "a": "1", "b": "2"}
    assert api.db_get("Logical_Switch", u, "other_config").execute(check_error=True) == {
        "x": "y"}
    assert api.db_get("Logical_Switch", "sw", "_uuid").execute(check_error=True) == u
    listed = api.db_list("Logical_Switch", ["sw"], columns=["name", "external_ids"]).execute(
        check_error=True)
    assert listed == [{"_uuid": u, "name": "sw", "external_ids": {"a": "1", "b": "2"}}]
    assert len(api.db_list("Logical_Switch").execute(check_error=True)) == 2
    assert api.db_list("Logical_Switch", ["nosuch"], if_exists=True).execute(
        check_error=True) == []
    with pytest.raises(RowNotFound):
        api.db_list("Logical_Switch", ["nosuch"]).execute(check_error=True)
    assert [r.uuid for r in api.db_list_rows("Logical_Switch", "sw").execute(
        check_error=True)] == [u]
    api.db_set("Logical_Switch", "nosuch", ("name", "x")).execute(check_error=True)  # if_exists
    with pytest.raises(RowNotFound):
        api.db_set("Logical_Switch", "nosuch", ("name", "x"), if_exists=False).execute(
            check_error=True)
    api.db_destroy("Logical_Switch", u).execute(check_error=True)
    assert [r.name for r in api.db_list_rows("Logical_Switch").execute(check_error=True)] == [
        "sw2"]


def test_add_remove_clear(nb_any):
    api = nb_any
    api.db_create("Address_Set", name="as").execute(check_error=True)
    api.db_add("Address_Set", "as", "addresses", "1.1.1.1", ["2.2.2.2", "3.3.3.3"]).execute(
        check_error=True)
    api.db_add("Address_Set", "as", "external_ids", {"k": "v"}).execute(check_error=True)
    api.db_add("Address_Set", "as", "external_ids", {"k": "other", "k2": "v2"}).execute(
        check_error=True)  # an existing key is kept, as ovs-vsctl add does
    row = api.db_list_rows("Address_Set", "as").execute(check_error=True)[0]
    assert sorted(row.addresses) == ["1.1.1.1", "2.2.2.2", "3.3.3.3"]
    assert row.external_ids == {"k": "v", "k2": "v2"}
    api.db_remove("Address_Set", "as", "addresses", "1.1.1.1").execute(check_error=True)
    api.db_remove("Address_Set", "as", "external_ids", "k").execute(check_error=True)
    api.db_remove("Address_Set", "as", "external_ids", k2="nope").execute(check_error=True)
    row = api.db_list_rows("Address_Set", "as").execute(check_error=True)[0]
    assert sorted(row.addresses) == ["2.2.2.2", "3.3.3.3"]
    assert row.external_ids == {"k2": "v2"}
    api.db_remove("Address_Set", "as", "external_ids", k2="v2").execute(check_error=True)
    api.db_clear("Address_Set", "as", "addresses").execute(check_error=True)
    row = api.db_list_rows("Address_Set", "as").execute(check_error=True)[0]
    assert row.addresses == [] and row.external_ids == {}
    with pytest.raises(InvalidArgument):
        api.db_add("Address_Set", "as", "name", "x")
    with pytest.raises(InvalidArgument):
        api.db_add("Address_Set", "as", "external_ids", "notadict")


def test_find(nb_any):
    api = nb_any
    for i in range(4):
        api.ls_add(f"sw{i}", external_ids={"i": str(i), "even": str(i % 2 == 0)}).execute(
            check_error=True)
    got = api.db_find("Logical_Switch", ("name", "=", "sw2"), columns=["name"]).execute(
        check_error=True)
    assert [g["name"] for g in got] == ["sw2"] and set(got[0]) == {"_uuid", "name"}
    rows = api.db_find_rows("Logical_Switch", ("external_ids", "{>=}", {"even": "True"})
                            ).execute(check_error=True)
    assert sorted(r.name for r in rows) == ["sw0", "sw2"]
    rows = api.db_find_rows("Logical_Switch", ("name", "!=", "sw0"),
                            ("external_ids", "{>=}", {"even": "True"})).execute(check_error=True)
    assert [r.name for r in rows] == ["sw2"]
    assert len(api.db_find_rows("Logical_Switch").execute(check_error=True)) == 4
    with pytest.raises(InvalidArgument):
        api.db_find("Logical_Switch", ("name", "~", "x"))
    with pytest.raises(InvalidArgument):
        api.db_find("Logical_Switch", ("nosuch", "=", "x"))


def test_bad_table_and_column(nb_any):
    with pytest.raises(InvalidArgument):
        nb_any.db_create("No_Such_Table", name="x")
    with pytest.raises(InvalidArgument):
        nb_any.db_set("Logical_Switch", "x", ("nosuch", 1))
    with pytest.raises(InvalidArgument):
        nb_any.db_get("Logical_Switch", "x", "nosuch")
