"""build_nb: canonical rows (what the client's Row.to_dict() gives) -> the model the checks read."""

from __future__ import annotations

from pyovn.lint import build_nb, lint
from pyovn.lint.model import lsp_ips


def rows() -> dict[str, list[dict]]:
    return {
        "Logical_Switch": [{"_uuid": "ls1", "name": "sw0", "ports": frozenset({"p1", "p2", "gone"}),
                            "acls": frozenset({"acl1"}), "qos_rules": frozenset(),
                            "load_balancer": frozenset(),
                            "load_balancer_group": frozenset({"lbg1"}),
                            "other_config": {"subnet": "10.0.0.0/24"}}],
        "Logical_Switch_Port": [
            {"_uuid": "p1", "name": "vm1", "type": "", "addresses": frozenset({"0a:00:00:00:00:01 10.0.0.5"}),
             "dynamic_addresses": frozenset(), "options": {}},
            {"_uuid": "p2", "name": "sw0-lr0", "type": "router", "addresses": frozenset({"router"}),
             "dynamic_addresses": frozenset(), "options": {"router-port": "lr0-sw0"}},
        ],
        "ACL": [{"_uuid": "acl1", "direction": "to-lport", "priority": 1000,
                 "match": "outport == @pg1", "action": "allow", "name": frozenset(),
                 "options": {}}],
        "Load_Balancer": [{"_uuid": "lb1", "name": "lb0", "vips": {"10.0.0.100:80": "10.0.0.5:80"}}],
        "Load_Balancer_Group": [{"_uuid": "lbg1", "name": "g", "load_balancer": frozenset({"lb1"})}],
        "Logical_Router": [{"_uuid": "lr1", "name": "lr0", "ports": frozenset({"rp1"}),
                            "nat": frozenset({"n1"}), "static_routes": frozenset(),
                            "policies": frozenset(), "load_balancer": frozenset(),
                            "load_balancer_group": frozenset(), "options": {}}],
        "Logical_Router_Port": [{"_uuid": "rp1", "name": "lr0-sw0", "networks": frozenset({"10.0.0.1/24"}),
                                 "mac": "00:00:00:00:ff:01", "gateway_chassis": frozenset({"gc1"}),
                                 "ha_chassis_group": frozenset(), "peer": frozenset(),
                                 "options": {}}],
        "Gateway_Chassis": [{"_uuid": "gc1", "name": "lr0-sw0-ch1", "chassis_name": "ch1",
                             "priority": 20}],
        "NAT": [{"_uuid": "n1", "type": "snat", "external_ip": "10.0.0.1", "logical_ip": "10.0.0.0/24",
                 "logical_port": frozenset(), "gateway_port": frozenset({"rp1"})}],
        "Port_Group": [{"_uuid": "pg1", "name": "pg1", "ports": frozenset({"p1"}), "acls": frozenset()}],
    }


def test_references_are_resolved_and_dangling_ones_dropped() -> None:
    nb = build_nb(rows())
    [sw] = nb.switches
    assert [p.name for p in sw.ports] == ["sw0-lr0", "vm1"]  # "gone" is dangling
    assert [lb.name for lb in sw.load_balancers] == ["lb0"]  # through the group
    assert sw.acls[0].priority == 1000 and sw.acls[0].name is None
    [r] = nb.routers
    assert r.ports[0].is_gateway and r.ports[0].gateway_chassis[0].chassis_name == "ch1"
    assert r.nat[0].gateway_port == "lr0-sw0"
    assert nb.port_groups[0].ports[0].name == "vm1"
    assert lint(nb) == []


def test_lsp_ips() -> None:
    nb = build_nb(rows())
    vm1 = nb.switches[0].ports[1]
    assert [str(ip) for ip in lsp_ips(vm1)] == ["10.0.0.5"]
    vm1.addresses = ["0a:00:00:00:00:01 10.0.0.5 fd00::5", "unknown"]
    vm1.dynamic_addresses = "0a:00:00:00:00:01 10.0.0.5"
    assert [str(ip) for ip in lsp_ips(vm1)] == ["10.0.0.5", "fd00::5"]
