"""ACLs on switches and port groups, port groups, address sets."""

from __future__ import annotations

import pytest

from pyovn.api import AlreadyExists, InvalidArgument, RowNotFound


@pytest.mark.parametrize("kwargs", [
    {"direction": "sideways"}, {"priority": 40000}, {"priority": -1}, {"action": "permit"},
    {"match": ""}, {"severity": "loud"}, {"tier": 9},
])
def test_acl_add_checks_arguments_when_built(nb_any, kwargs):
    args = {"direction": "to-lport", "priority": 100, "match": "ip4", "action": "drop", **kwargs}
    with pytest.raises(InvalidArgument):
        nb_any.acl_add("sw0", **args)
    with pytest.raises(InvalidArgument):
        nb_any.pg_acl_add("pg0", **args)
    # A ValueError, as the ovsdbapp user expects for bad arguments.
    with pytest.raises(ValueError):
        nb_any.acl_add("sw0", **args)


@pytest.mark.parametrize("kind", ["switch", "pg"])
def test_acl_add_list_del(nb_any, kind):
    api = nb_any
    if kind == "switch":
        api.ls_add("p").execute(check_error=True)
        add, lst, dele = api.acl_add, api.acl_list, api.acl_del
    else:
        api.pg_add("p").execute(check_error=True)
        add, lst, dele = api.pg_acl_add, api.pg_acl_list, api.pg_acl_del
    a = add("p", "to-lport", 1001, "ip4.src == 10.0.0.1", "allow-related", log=True,
            severity="info", name="a1", foo="bar").execute(check_error=True)
    assert (a.direction, a.priority, a.match, a.action, a.log) == (
        "to-lport", 1001, "ip4.src == 10.0.0.1", "allow-related", True)
    assert a.severity == ["info"] and a.name == ["a1"] and a.external_ids == {"foo": "bar"}
    add("p", "from-lport", 1001, "ip4", "drop").execute(check_error=True)
    add("p", "from-lport", 1002, "ip4", "drop").execute(check_error=True)
    assert len(lst("p").execute(check_error=True)) == 3
    with pytest.raises(AlreadyExists):
        add("p", "to-lport", 1001, "ip4.src == 10.0.0.1", "drop").execute(check_error=True)
    same = add("p", "to-lport", 1001, "ip4.src == 10.0.0.1", "drop",
               may_exist=True).execute(check_error=True)
    assert same.uuid == a.uuid

    dele("p", "to-lport", 1001, "ip4.src == 10.0.0.1").execute(check_error=True)
    assert sorted(x.priority for x in lst("p").execute(check_error=True)) == [1001, 1002]
    dele("p", "from-lport").execute(check_error=True)
    assert lst("p").execute(check_error=True) == []
    add("p", "from-lport", 1, "1", "drop").execute(check_error=True)
    dele("p").execute(check_error=True)
    assert lst("p").execute(check_error=True) == []
    with pytest.raises(InvalidArgument):
        dele("p", "to-lport", 1)
    with pytest.raises(RowNotFound):
        dele("nosuch").execute(check_error=True)
    dele("nosuch", if_exists=True).execute(check_error=True)


def test_same_acl_on_two_switches_is_not_a_duplicate(nb_any):
    api = nb_any
    for sw in ("a", "b"):
        api.ls_add(sw).execute(check_error=True)
        api.acl_add(sw, "to-lport", 5, "ip4", "drop").execute(check_error=True)
    assert len(api.acl_list("a").execute(check_error=True)) == 1
    assert len(api.acl_list("b").execute(check_error=True)) == 1


def test_duplicate_acl_inside_one_transaction(nb_any):
    api = nb_any
    api.ls_add("sw").execute(check_error=True)
    with pytest.raises(AlreadyExists), api.transaction(check_error=True) as txn:
        txn.add(api.acl_add("sw", "to-lport", 5, "ip4", "drop"))
        txn.add(api.acl_add("sw", "to-lport", 5, "ip4", "allow"))
    assert api.acl_list("sw").execute(check_error=True) == []


def test_port_groups(nb_any):
    api = nb_any
    api.ls_add("sw").execute(check_error=True)
    p1 = api.lsp_add("sw", "p1").execute(check_error=True)
    api.lsp_add("sw", "p2").execute(check_error=True)
    pg = api.pg_add("pg1", external_ids={"a": "b"}).execute(check_error=True)
    assert pg.name == "pg1" and pg.external_ids == {"a": "b"}
    with pytest.raises(AlreadyExists):
        api.pg_add("pg1").execute(check_error=True)
    assert api.pg_add("pg1", may_exist=True).execute(check_error=True).uuid == pg.uuid
    api.pg_add_ports("pg1", p1).execute(check_error=True)
    api.pg_add_ports(pg.uuid, ["p2"]).execute(check_error=True)
    assert len(api.pg_get("pg1").execute(check_error=True).ports) == 2
    api.pg_del_ports("pg1", ["p1"]).execute(check_error=True)
    assert len(api.pg_get("pg1").execute(check_error=True).ports) == 1
    api.pg_del_ports("pg1", ["nosuch"], if_exists=True).execute(check_error=True)
    with pytest.raises(RowNotFound):
        api.pg_del_ports("pg1", ["nosuch"]).execute(check_error=True)
    api.pg_del("pg1").execute(check_error=True)
    with pytest.raises(RowNotFound):
        api.pg_get("pg1").execute(check_error=True)
    api.pg_del("pg1", if_exists=True).execute(check_error=True)
    # Deleting a port drops it from its port groups (a weak reference).
    api.pg_add("pg2", ports=[p1]).execute(check_error=True)
    api.lsp_del("p1").execute(check_error=True)
    assert api.pg_get("pg2").execute(check_error=True).ports == []


def test_address_sets(nb_any):
    api = nb_any
    a = api.address_set_add("as1", ["10.0.0.1"]).execute(check_error=True)
    assert a.addresses == ["10.0.0.1"]
    with pytest.raises(AlreadyExists):
        api.address_set_add("as1").execute(check_error=True)
    api.address_set_add_addresses("as1", ["10.0.0.2", "10.0.0.3"]).execute(check_error=True)
    api.address_set_add_addresses("as1", "10.0.0.4").execute(check_error=True)
    api.address_set_remove_addresses("as1", ["10.0.0.1"]).execute(check_error=True)
    got = api.address_set_get("as1").execute(check_error=True)
    assert sorted(got.addresses) == ["10.0.0.2", "10.0.0.3", "10.0.0.4"]
    assert [x.name for x in api.address_set_list().execute(check_error=True)] == ["as1"]
    api.address_set_del("as1").execute(check_error=True)
    assert api.address_set_list().execute(check_error=True) == []
    with pytest.raises(InvalidArgument):
        api.address_set_add_addresses("as1", [1, 2])


def test_acls_of_one_switch_go_out_as_one_mutation(nb):
    """Eight acl_add on one switch in one transaction: one mutate of its acls (the server then
    copies the switch's big ACL set once, not eight times)."""
    from pyovn.api.base import RunContext

    api = nb
    api.ls_add("sw").execute(check_error=True)
    cmds = [api.acl_add("sw", "to-lport", 100 + k, f"tcp.dst == {k}", "drop") for k in range(8)]
    txn = api.idl.transaction()
    ctx = RunContext(api, txn)
    for c in cmds:
        c.run(ctx)
    ctx.flush()
    mutates = [op for op in txn.operations if op["op"] == "mutate"]
    txn.abort()
    assert len(mutates) == 1 and len(mutates[0]["mutations"][0][2][1]) == 8
    with api.transaction(check_error=True) as t:
        t.extend(cmds)
    assert len(api.acl_list("sw").execute(check_error=True)) == 8
