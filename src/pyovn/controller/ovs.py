"""ovn-controller's own writes to the local Open_vSwitch database (pure: replica in, ops out).

* :func:`integration_bridge_ops` — the integration bridge as ovn-controller creates it when it
  is missing: a Bridge with ``fail_mode=secure``, ``other_config:disable-in-band=true`` and the
  datapath type of ``ovn-bridge-datapath-type`` (else ``system``), its internal Port/Interface
  named like it; ``other_config:hwaddr`` pinned to the bridge's MAC once the switch reports it
  (``mac_in_use``); ``external_ids:ovn-startup-ts``; the Open_vSwitch row's
  ``other_config:vlan-limit=0`` and ``ovn-chassis-idx-<chassis>``; a Datapath row for the
  bridge's datapath type.
* :func:`interfaces_on_bridge` — the integration bridge's interfaces by name.
* :func:`installed_ops` / :func:`uninstalled_ops` — ``external_ids:ovn-installed`` and
  ``ovn-installed-ts`` on an Interface whose port is up / released.
* :func:`nb_cfg_ops` — the bridge's ``external_ids:ovn-nb-cfg`` / ``ovn-nb-cfg-ts``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pyovn.controller import ops as o
from pyovn.controller.config import ChassisConfig
from pyovn.controller.memo import RowMemo

__all__ = ["find_bridge", "installed_ops", "integration_bridge_ops", "interfaces_on_bridge",
           "nb_cfg_ops", "uninstalled_ops"]


def find_bridge(ovs: Mapping[str, Any], name: str) -> Any:
    root = next(iter(ovs["Open_vSwitch"]), None)
    if root is None:
        return None
    for bu in root.bridges:
        br = ovs["Bridge"].get(bu)
        if br is not None and br.name == name:
            return br
    return None


def interfaces_on_bridge(ovs: Mapping[str, Any], bridge: Any,
                         memo: RowMemo[Any] | None = None) -> dict[str, Any]:
    """Interface name -> row; ``memo`` (kept by the caller from pass to pass) remembers each
    Port's interfaces and each Interface's name while their rows stay the same."""
    if memo is None:
        memo = RowMemo()
    out: dict[str, Any] = {}
    ports, ifaces = ovs["Port"], ovs["Interface"]
    for pu in bridge.ports:
        port = ports.get(pu)
        if port is None:
            continue
        for iu in memo.get(pu, port, _port_interfaces):
            iface = ifaces.get(iu)
            if iface is not None:
                out[memo.get(iu, iface, _iface_name)] = iface
    return out


def _interface_named(ovs: Mapping[str, Any], bridge: Any, name: str,
                     memo: RowMemo[Any] | None) -> Any:
    """The interface ``name`` of ``bridge``: through the Interface name index when the IDL has
    one (interface names are unique on a system, as ovs-vswitchd requires), else by walking
    the bridge."""
    table = ovs["Interface"]
    indexes = getattr(table, "indexes", None)
    if indexes is not None and ("name",) in indexes:
        return table.index("name").get(name)
    return interfaces_on_bridge(ovs, bridge, memo).get(name)


def _port_interfaces(port: Any) -> tuple[str, ...]:
    return tuple(port.interfaces)


def _iface_name(iface: Any) -> str:
    return str(iface.name)


def integration_bridge_ops(ovs: Mapping[str, Any], cfg: ChassisConfig,
                           now_ms: int, memo: RowMemo[Any] | None = None) -> list[o.Op]:
    root = next(iter(ovs["Open_vSwitch"]), None)
    if root is None:
        return []
    ops: list[o.Op] = []
    name = cfg.bridge
    br = find_bridge(ovs, name)
    dp_type = cfg.bridge_datapath_type
    if br is None:
        ops.append(o.insert("Interface", {"name": name, "type": "internal"}, "iface"))
        ops.append(o.insert("Port", {"name": name, "interfaces": o.named("iface")}, "port"))
        ops.append(o.insert("Bridge", {
            "name": name, "fail_mode": "secure", "ports": o.named("port"),
            "datapath_type": dp_type or "system",
            "other_config": o.omap({"disable-in-band": "true"}),
            "external_ids": o.omap({"ovn-startup-ts": str(now_ms)})}, "bridge"))
        ops.append({"op": "mutate", "table": "Open_vSwitch", "where": o.where_uuid(root.uuid),
                    "mutations": [["bridges", "insert", o.oset([o.named("bridge")])]]})
        current_type = dp_type or "system"
    else:
        row: dict[str, Any] = {}
        if dp_type and br.datapath_type != dp_type:
            row["datapath_type"] = dp_type
        if br.fail_mode != ["secure"]:
            row["fail_mode"] = "secure"
        if row:
            ops.append(o.update("Bridge", br.uuid, row))
        oc = br.other_config
        want = {}
        if oc.get("disable-in-band") != "true":
            want["disable-in-band"] = "true"
        local = _interface_named(ovs, br, name, memo)
        mac = local.mac_in_use[0] if local is not None and local.mac_in_use else None
        if mac and "hwaddr" not in oc:
            want["hwaddr"] = mac
        ops += o.map_set("Bridge", br.uuid, "other_config", want)
        if "ovn-startup-ts" not in br.external_ids:
            ops += o.map_set("Bridge", br.uuid, "external_ids", {"ovn-startup-ts": str(now_ms)})
        current_type = dp_type or br.datapath_type or "system"
    want_oc = {}
    if root.other_config.get("vlan-limit") is None:
        want_oc["vlan-limit"] = "0"
    if cfg.system_id and f"ovn-chassis-idx-{cfg.system_id}" not in root.other_config:
        want_oc[f"ovn-chassis-idx-{cfg.system_id}"] = ""
    ops += o.map_set("Open_vSwitch", root.uuid, "other_config", want_oc)
    if current_type not in root.datapaths:
        ops.append(o.insert("Datapath", {}, "datapath"))
        ops.append({"op": "mutate", "table": "Open_vSwitch", "where": o.where_uuid(root.uuid),
                    "mutations": [["datapaths", "insert",
                                   o.omap({current_type: o.named("datapath")})]]})
    return ops


def installed_ops(iface: Any, now_ms: int) -> list[o.Op]:
    return o.map_set("Interface", iface.uuid, "external_ids",
                     {"ovn-installed": "true", "ovn-installed-ts": str(now_ms)})


def uninstalled_ops(iface: Any) -> list[o.Op]:
    keys = [k for k in ("ovn-installed", "ovn-installed-ts") if k in iface.external_ids]
    return o.map_del("Interface", iface.uuid, "external_ids", keys)


def nb_cfg_ops(bridge: Any, nb_cfg: int, now_ms: int) -> list[o.Op]:
    return o.map_set("Bridge", bridge.uuid, "external_ids",
                     {"ovn-nb-cfg": str(nb_cfg), "ovn-nb-cfg-ts": str(now_ms)})
