"""Duplicate checks scoped to the one router / switch / port group / HA group a verb touches
(``RunContext.find_in``), and a child's parent found through the replica's reverse index
(``RunContext.owner``): the same answers as before, whatever the other parents hold and whatever
this transaction has already done."""

from __future__ import annotations

import pytest

from pyovn.api import AlreadyExists, RowNotFound


def _ok(cmd):
    return cmd.execute(check_error=True)


def test_routes_of_other_routers_are_no_duplicates(nb_any):
    api = nb_any
    for r in ("r0", "r1", "r2"):
        _ok(api.lr_add(r))
        _ok(api.lr_route_add(r, "0.0.0.0/0", "10.0.0.1"))
    # r0 has more routes than there are default routes in the table: the other side of the
    # scoped lookup (the router's own set checked against the index).
    for i in range(5):
        _ok(api.lr_route_add("r0", f"10.{i}.0.0/16", "10.0.0.1"))
    with pytest.raises(AlreadyExists):
        _ok(api.lr_route_add("r1", "0.0.0.0/0", "10.0.0.9"))
    with pytest.raises(AlreadyExists):
        _ok(api.lr_route_add("r0", "10.3.0.0/16", "10.0.0.9"))
    # may_exist changes the router's own route only.
    _ok(api.lr_route_add("r1", "0.0.0.0/0", "10.0.0.9", may_exist=True))
    hops = {r: [x.nexthop for x in _ok(api.lr_route_list(r)) if x.ip_prefix == "0.0.0.0/0"]
            for r in ("r0", "r1", "r2")}
    assert hops == {"r0": ["10.0.0.1"], "r1": ["10.0.0.9"], "r2": ["10.0.0.1"]}
    # ecmp: another next hop is fine, the same one is not.
    _ok(api.lr_route_add("r2", "0.0.0.0/0", "10.0.0.2", ecmp=True))
    with pytest.raises(AlreadyExists):
        _ok(api.lr_route_add("r2", "0.0.0.0/0", "10.0.0.2", ecmp=True))
    # Deleting r1's default route leaves the others'.
    _ok(api.lr_route_del("r1", "0.0.0.0/0"))
    with pytest.raises(RowNotFound):
        _ok(api.lr_route_del("r1", "0.0.0.0/0"))
    _ok(api.lr_route_del("r1", "0.0.0.0/0", if_exists=True))
    assert [x.nexthop for x in _ok(api.lr_route_list("r0")) if x.ip_prefix == "0.0.0.0/0"] == [
        "10.0.0.1"]
    assert len([x for x in _ok(api.lr_route_list("r2")) if x.ip_prefix == "0.0.0.0/0"]) == 2
    _ok(api.lr_route_del("r2", "0.0.0.0/0", nexthop="10.0.0.2"))
    assert [x.nexthop for x in _ok(api.lr_route_list("r2"))] == ["10.0.0.1"]


def test_route_checks_see_the_transaction_own_changes(nb_any):
    api = nb_any
    _ok(api.lr_add("r0"))
    _ok(api.lr_route_add("r0", "0.0.0.0/0", "10.0.0.1"))
    # A router created in this transaction, its route added twice.
    with pytest.raises(AlreadyExists), api.transaction(check_error=True) as txn:
        txn.add(api.lr_add("r1"))
        txn.add(api.lr_route_add("r1", "0.0.0.0/0", "10.0.0.1"))
        txn.add(api.lr_route_add("r1", "0.0.0.0/0", "10.0.0.2"))
    # An existing router, the duplicate added earlier in the same transaction.
    with pytest.raises(AlreadyExists), api.transaction(check_error=True) as txn:
        txn.add(api.lr_route_add("r0", "10.1.0.0/16", "10.0.0.1"))
        txn.add(api.lr_route_add("r0", "10.1.0.0/16", "10.0.0.2"))
    # Deleted earlier in the transaction: no longer a duplicate.
    with api.transaction(check_error=True) as txn:
        txn.add(api.lr_route_del("r0", "0.0.0.0/0"))
        txn.add(api.lr_route_add("r0", "0.0.0.0/0", "10.0.0.7"))
    assert [x.nexthop for x in _ok(api.lr_route_list("r0"))] == ["10.0.0.7"]
    # may_exist within one transaction finds the new route.
    with api.transaction(check_error=True) as txn:
        txn.add(api.lr_add("r2"))
        first = txn.add(api.lr_route_add("r2", "10.2.0.0/16", "10.0.0.1"))
        again = txn.add(api.lr_route_add("r2", "10.2.0.0/16", "10.0.0.3", may_exist=True))
    assert first.result.uuid == again.result.uuid
    assert [x.nexthop for x in _ok(api.lr_route_list("r2"))] == ["10.0.0.3"]


def test_nat_and_policies_scoped_to_their_router(nb_any):
    api = nb_any
    for r in ("r0", "r1"):
        _ok(api.lr_add(r))
        _ok(api.lr_nat_add(r, "snat", "172.16.0.1", "10.0.0.0/24"))
        _ok(api.lr_policy_add(r, 100, "ip4", "allow"))
    with pytest.raises(AlreadyExists):
        _ok(api.lr_nat_add("r0", "snat", "172.16.0.2", "10.0.0.0/24"))
    with pytest.raises(AlreadyExists):
        _ok(api.lr_policy_add("r1", 100, "ip4", "drop"))
    _ok(api.lr_nat_add("r0", "snat", "172.16.0.2", "10.0.0.0/24", may_exist=True))
    assert [n.external_ip for n in _ok(api.lr_nat_list("r0"))] == ["172.16.0.2"]
    assert [n.external_ip for n in _ok(api.lr_nat_list("r1"))] == ["172.16.0.1"]
    _ok(api.lr_nat_del("r0", "snat", "10.0.0.0/24"))
    with pytest.raises(RowNotFound):
        _ok(api.lr_nat_del("r0", "snat", "10.0.0.0/24"))
    assert len(_ok(api.lr_nat_list("r1"))) == 1
    _ok(api.lr_policy_del("r1", 100, "ip4"))
    with pytest.raises(RowNotFound):
        _ok(api.lr_policy_del("r1", 100, "ip4"))
    assert [p.match for p in _ok(api.lr_policy_list("r0"))] == ["ip4"]
    # In one transaction: added, then found by may_exist / refused as a duplicate.
    with api.transaction(check_error=True) as txn:
        a = txn.add(api.lr_nat_add("r1", "dnat", "172.16.0.5", "10.0.0.5"))
        b = txn.add(api.lr_nat_add("r1", "dnat", "172.16.0.5", "10.0.0.6", may_exist=True))
    assert a.result.uuid == b.result.uuid and b.result.logical_ip == "10.0.0.6"
    with pytest.raises(AlreadyExists), api.transaction(check_error=True) as txn:
        txn.add(api.lr_policy_add("r1", 200, "ip6", "allow"))
        txn.add(api.lr_policy_add("r1", 200, "ip6", "allow"))


def test_acls_scoped_to_their_switch_or_port_group(nb_any):
    api = nb_any
    for s in ("s0", "s1"):
        _ok(api.ls_add(s))
        _ok(api.acl_add(s, "from-lport", 1001, "ip4", "allow-related"))
    for g in ("pg0", "pg1"):
        _ok(api.pg_add(g))
        _ok(api.pg_acl_add(g, "to-lport", 1002, "ip4", "allow-related"))
    with pytest.raises(AlreadyExists):
        _ok(api.acl_add("s1", "from-lport", 1001, "ip4", "drop"))
    with pytest.raises(AlreadyExists):
        _ok(api.pg_acl_add("pg0", "to-lport", 1002, "ip4", "drop"))
    _ok(api.acl_del("s0", "from-lport", 1001, "ip4"))
    assert _ok(api.acl_list("s0")) == [] and len(_ok(api.acl_list("s1"))) == 1
    _ok(api.acl_add("s0", "from-lport", 1001, "ip4", "allow-related"))  # no longer a duplicate
    _ok(api.pg_acl_del("pg1", "to-lport", 1002, "ip4"))
    assert _ok(api.pg_acl_list("pg1")) == [] and len(_ok(api.pg_acl_list("pg0"))) == 1
    # The same ACL twice on one new switch in one transaction.
    with pytest.raises(AlreadyExists), api.transaction(check_error=True) as txn:
        txn.add(api.ls_add("s2"))
        txn.add(api.acl_add("s2", "from-lport", 1001, "ip4", "allow-related"))
        txn.add(api.acl_add("s2", "from-lport", 1001, "ip4", "allow-related"))


def test_ha_chassis_and_gateway_chassis_scoped_to_their_group_or_port(nb_any):
    api = nb_any
    for g in ("g0", "g1"):
        _ok(api.ha_chassis_group_add(g))
        _ok(api.ha_chassis_group_add_chassis(g, "ch0", 10))
    # Changing ch0's priority in g1 leaves g0's.
    _ok(api.ha_chassis_group_add_chassis("g1", "ch0", 20))
    hc = api.tables["HA_Chassis"]

    def prios(g):
        return [(hc[u].chassis_name, hc[u].priority)
                for u in _ok(api.ha_chassis_group_get(g)).ha_chassis]

    prio = {g: prios(g) for g in ("g0", "g1")}
    assert prio == {"g0": [("ch0", 10)], "g1": [("ch0", 20)]}
    _ok(api.ha_chassis_group_del_chassis("g0", "ch0"))
    with pytest.raises(RowNotFound):
        _ok(api.ha_chassis_group_del_chassis("g0", "ch0"))
    assert len(_ok(api.ha_chassis_group_get("g1")).ha_chassis) == 1

    _ok(api.lr_add("r0"))
    _ok(api.lrp_add("r0", "lrp0", "00:00:00:00:00:01", ["10.0.0.1/24"], gateway_chassis=["ch1"]))
    _ok(api.lrp_set_gateway_chassis("lrp0", "ch1", 7))
    gcs = _ok(api.lrp_get_gateway_chassis("lrp0"))
    assert [(g.chassis_name, g.priority) for g in gcs] == [("ch1", 7)]


def test_parent_found_through_the_reverse_index(nb_any):
    api = nb_any
    for i in range(3):
        _ok(api.ls_add(f"s{i}"))
        _ok(api.lsp_add(f"s{i}", f"p{i}"))
        _ok(api.lr_add(f"r{i}"))
        _ok(api.lrp_add(f"r{i}", f"rp{i}", f"00:00:00:00:00:0{i + 1}", [f"10.{i}.0.1/24"]))
    _ok(api.lsp_del("p1"))
    _ok(api.lrp_del("rp2"))
    assert [len(_ok(api.lsp_list(f"s{i}"))) for i in range(3)] == [1, 0, 1]
    assert [len(_ok(api.lrp_list(f"r{i}"))) for i in range(3)] == [1, 1, 0]
    with pytest.raises(RowNotFound):
        _ok(api.lsp_del("p1"))
    _ok(api.lsp_del("p1", if_exists=True))
    with pytest.raises(RowNotFound):
        _ok(api.lsp_del("p0", "s2"))  # not on that switch
    # A port that moved between switches is found on its new one.
    with api.transaction(check_error=True) as txn:
        txn.add(api.lsp_add("s0", "moving"))
    p = _ok(api.lsp_get("moving"))
    s0, s2 = _ok(api.ls_get("s0")), _ok(api.ls_get("s2"))
    api.idl.transact([
        {"op": "mutate", "table": "Logical_Switch", "where": [["_uuid", "==", ["uuid", s0.uuid]]],
         "mutations": [["ports", "delete", ["uuid", p.uuid]]]},
        {"op": "mutate", "table": "Logical_Switch", "where": [["_uuid", "==", ["uuid", s2.uuid]]],
         "mutations": [["ports", "insert", ["uuid", p.uuid]]]},
    ])
    api.idl.sync()
    _ok(api.lsp_del("moving"))
    assert [x.name for x in _ok(api.lsp_list("s2"))] == ["p2"]
    # Added and deleted in one transaction: the port leaves the switch it was just added to.
    with api.transaction(check_error=True) as txn:
        txn.add(api.lsp_add("s0", "brief"))
        txn.add(api.lsp_del("brief"))
    assert [x.name for x in _ok(api.lsp_list("s0"))] == ["p0"]
    assert _ok(api.lsp_get("p0")).name == "p0"


def test_ovs_port_bridge_found_through_the_reverse_index(ovs_any):
    api = ovs_any
    _ok(api.add_br("br0"))
    _ok(api.add_br("br1"))
    _ok(api.add_port("br0", "a"))
    _ok(api.add_port("br1", "b"))
    _ok(api.del_port("b"))
    assert _ok(api.list_ports("br1")) == [] and _ok(api.list_ports("br0")) == ["a"]
    with api.transaction(check_error=True) as txn:
        txn.add(api.add_port("br1", "c"))
        txn.add(api.del_port("c"))
    assert _ok(api.list_ports("br1")) == []
