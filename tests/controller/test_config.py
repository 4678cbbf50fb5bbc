"""The pure parts: configuration from external_ids, Chassis.other_config, monitor conditions."""

from __future__ import annotations

from pyovn.controller.config import chassis_other_config, parse_mappings, read_config
from pyovn.controller.monitor import CONDITIONAL_TABLES, sb_conditions


def test_read_config_defaults_and_chassis_overrides() -> None:
    cfg = read_config({"system-id": "hv1"}, hostname="h")
    assert (cfg.bridge, cfg.hostname, cfg.monitor_all, cfg.encap_csum) == ("br-int", "h", False,
                                                                          True)
    assert cfg.ovn_remote is None and cfg.encap_types == () and cfg.bridge_mappings == {}
    ids = {"system-id": "hv1", "ovn-bridge": "br-x", "ovn-bridge-hv1": "br-mine",
           "ovn-encap-type": "geneve, vxlan", "ovn-encap-ip": "10.0.0.1",
           "ovn-encap-ip-hv2": "10.0.0.2", "ovn-remote-probe-interval": "10",
           "ovn-bridge-mappings": "phys:br-eth0, bad, other:br-1", "ovn-monitor-all": "TRUE",
           "hostname": "node1"}
    cfg = read_config(ids)
    assert cfg.bridge == "br-mine" and cfg.encap_ips == ("10.0.0.1",)
    assert cfg.encap_types == ("geneve", "vxlan") and cfg.hostname == "node1"
    assert cfg.remote_probe_interval_ms == 1000  # forced to at least 1000 ms
    assert cfg.bridge_mappings == {"phys": "br-eth0", "other": "br-1"}
    assert cfg.monitor_all
    # -n NAME wins over system-id, and so do NAME's keys.
    assert read_config(ids, chassis_name="hv2").encap_ips == ("10.0.0.2",)
    assert read_config({"ovn-remote-probe-interval": "0"}).remote_probe_interval_ms == 0
    assert parse_mappings("") == {}


def test_other_config_has_every_key() -> None:
    cfg = read_config({"system-id": "hv1", "ovn-limit-lflow-cache": "100",
                       "ovn-is-interconn": "true"})
    oc = chassis_other_config(cfg, iface_types=["tap", "internal"], datapath_type="netdev")
    assert oc["iface-types"] == "internal,tap" and oc["datapath-type"] == "netdev"
    assert oc["ovn-limit-lflow-cache"] == "100" and oc["is-interconn"] == "true"
    assert oc["ovn-trim-timeout-ms"] == "" and len(oc) == 17


def test_conditions() -> None:
    everything = sb_conditions(monitor_all=True, chassis_uuid="u", chassis_name="hv1",
                               iface_ids=["a"], local_datapaths=["d"], dp_keys=[1])
    assert everything == {t: [True] for t in CONDITIONAL_TABLES}
    none = sb_conditions(monitor_all=False, chassis_uuid=None, chassis_name="hv1",
                         iface_ids=[], local_datapaths=[], dp_keys=[])
    assert none["Logical_Flow"] == [False] and none["FDB"] == [False]
    assert ["type", "==", "patch"] in none["Port_Binding"]
    some = sb_conditions(monitor_all=False, chassis_uuid="c", chassis_name="hv1",
                         iface_ids=["vm1", "vm1"], local_datapaths=["d2", "d1"], dp_keys=[7])
    assert some["Logical_Flow"] == [["logical_datapath", "==", ["uuid", "d1"]],
                                    ["logical_datapath", "==", ["uuid", "d2"]],
                                    ["logical_dp_group", "!=", ["set", []]]]
    pb = some["Port_Binding"]
    assert ["chassis", "==", ["uuid", "c"]] in pb and ["logical_port", "==", "vm1"] in pb
    assert ["options", "includes", ["map", [["l3gateway-chassis", "hv1"]]]] in pb
    assert pb.count(["logical_port", "==", "vm1"]) == 1
    assert some["FDB"] == [["dp_key", "==", 7]]
    assert some["DNS"] == [["datapaths", "includes", ["uuid", "d1"]],
                           ["datapaths", "includes", ["uuid", "d2"]]]
