"""Chassis registration: the Chassis, Encap and Chassis_Private rows of this chassis.

:func:`chassis_ops` compares what the Southbound replica holds for the chassis named in the
configuration with what it should hold, and returns the operations that make it so (none when
it already does).  A chassis row found under our name is ours — a restarted controller keeps
its row, its uuid and so every Port_Binding that points at it.  Encap rows are kept when their
(type, ip) stays, their options updated in place; ``Chassis.encaps`` is a strong reference, so
dropped encaps are garbage-collected by the server.  Chassis_Private is created beside the
Chassis row and keeps pointing at it; its ``nb_cfg`` is the daemon's business.
:func:`chassis_delete_ops` is the graceful exit (``ovs-appctl exit``): both rows go, and with
them the encaps and (weak references) every Port_Binding.chassis that named us.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pyovn.controller import ops as o
from pyovn.controller.config import ChassisConfig
from pyovn.util.vlog import get_logger

__all__ = ["ENCAP_TYPES", "chassis_delete_ops", "chassis_ops", "desired_encaps", "find_chassis",
           "find_chassis_private"]

log = get_logger("chassis")

ENCAP_TYPES = ("geneve", "stt", "vxlan")


def find_chassis(sb: Mapping[str, Any], name: str) -> Any:
    return next((r for r in sb["Chassis"] if r.name == name), None)


def find_chassis_private(sb: Mapping[str, Any], name: str) -> Any:
    return next((r for r in sb["Chassis_Private"] if r.name == name), None)


def desired_encaps(cfg: ChassisConfig) -> dict[tuple[str, str], dict[str, str]]:
    """(type, ip) -> options of every Encap the chassis should have."""
    options = {"csum": "true" if cfg.encap_csum else "false"}
    if cfg.encap_dst_port:
        options["dst_port"] = cfg.encap_dst_port
    out: dict[tuple[str, str], dict[str, str]] = {}
    for t in cfg.encap_types:
        if t not in ENCAP_TYPES:
            log.warning("Unknown tunnel type: %s", t)
            continue
        for ip in cfg.encap_ips:
            out[(t, ip)] = dict(options)
    return out


def chassis_ops(sb: Mapping[str, Any], cfg: ChassisConfig,
                other_config: Mapping[str, str]) -> list[o.Op]:
    """The operations that register (or bring up to date) this chassis; [] when nothing to do."""
    name = cfg.system_id
    assert name is not None
    ops: list[o.Op] = []
    want_encaps = desired_encaps(cfg)
    ch = find_chassis(sb, name)
    encap_refs: list[Any] = []
    encaps_changed = ch is None
    if ch is not None:
        have: dict[tuple[str, str], Any] = {}
        for u in ch.encaps:
            e = sb["Encap"].get(u)
            if e is not None:
                have[(e.type, e.ip)] = e
        encaps_changed = set(have) != set(want_encaps)
        for key, e in have.items():
            opts = want_encaps.get(key)
            if opts is None:
                continue
            encap_refs.append(o.uuid(e.uuid))
            row: dict[str, Any] = {}
            if dict(e.options) != opts:
                row["options"] = o.omap(opts)
            if e.chassis_name != name:
                row["chassis_name"] = name
            if row:
                ops.append(o.update("Encap", e.uuid, row))
        todo = [k for k in want_encaps if k not in have]
    else:
        todo = list(want_encaps)
    for i, (t, ip) in enumerate(todo):
        label = f"encap{i}"
        ops.append(o.insert("Encap", {"type": t, "ip": ip, "chassis_name": name,
                                      "options": o.omap(want_encaps[(t, ip)])}, label))
        encap_refs.append(o.named(label))
    if ch is None:
        ops.append(o.insert("Chassis", {
            "name": name, "hostname": cfg.hostname, "encaps": o.oset(encap_refs),
            "other_config": o.omap(other_config),
            "transport_zones": o.oset(sorted(cfg.transport_zones))}, "chassis"))
        ch_ref = o.named("chassis")
    else:
        ch_ref = o.uuid(ch.uuid)
        row = {}
        if ch.hostname != cfg.hostname:
            row["hostname"] = cfg.hostname
        if encaps_changed:
            row["encaps"] = o.oset(encap_refs)
        if sorted(ch.transport_zones) != sorted(cfg.transport_zones):
            row["transport_zones"] = o.oset(sorted(cfg.transport_zones))
        if row:
            ops.append(o.update("Chassis", ch.uuid, row))
        cur = ch.other_config
        ops += o.map_set("Chassis", ch.uuid, "other_config",
                         {k: v for k, v in other_config.items() if cur.get(k) != v})
    cp = find_chassis_private(sb, name)
    if cp is None:
        ops.append(o.insert("Chassis_Private", {"name": name, "chassis": ch_ref}))
    elif ch is None or cp.chassis != [ch.uuid]:
        ops.append(o.update("Chassis_Private", cp.uuid, {"chassis": ch_ref}))
    return ops


def chassis_delete_ops(sb: Mapping[str, Any], name: str) -> list[o.Op]:
    """Remove this chassis from the Southbound (graceful exit)."""
    ops = []
    cp = find_chassis_private(sb, name)
    if cp is not None:
        ops.append(o.delete("Chassis_Private", cp.uuid))
    ch = find_chassis(sb, name)
    if ch is not None:
        ops.append(o.delete("Chassis", ch.uuid))
    return ops
