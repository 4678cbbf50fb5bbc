"""The small global tables: RBAC, Meter, Chassis_Template_Var, Mirror, BFD, Static_MAC_Binding.

* RBAC: the ``ovn-controller`` role and its ten permissions (what a chassis may write), as
  ovn-northd creates them.
* Meter: every NB meter (bands written inline, Meter_Band is not a root table); a *fair* meter
  used by an ACL also gets a copy of its own per ACL, ``<meter>__<acl uuid>``, so that each ACL
  is rate-limited separately (yielded by the ACL's owner).
* Chassis_Template_Var and Mirror: copies of the NB rows.
* BFD: one SB row per NB row with the defaults filled in (min_tx/min_rx 1000, detect_mult 5);
  ``disc`` and ``src_port`` are chosen once, at insert (ovn-northd draws them at random; here
  they derive from the row's identity, so a rebuild wants the same row); ``status`` starts as
  ``down`` for a BFD a static route uses and ``admin_down`` otherwise, then belongs to
  ovn-controller (:func:`bfd_nb_status` tells the daemon what to copy back to the NB).
* Static_MAC_Binding: NB rows whose router port exists, on that port's router datapath.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import Any

from pyovn.northd.context import BuildContext
from pyovn.northd.entities import RouterPort, Switch
from pyovn.northd.output import Default, Inline
from pyovn.northd.registry import ACL, GLOBAL, builds

__all__ = ["RBAC_PERMISSIONS", "bfd_initial_status", "bfd_nb_status", "bfd_status_updates"]

# table -> (authorization, insert_delete, update) of the ovn-controller role.
RBAC_PERMISSIONS: dict[str, tuple[tuple[str, ...], bool, tuple[str, ...]]] = {
    "Chassis": (("name",), True,
                ("nb_cfg", "external_ids", "encaps", "vtep_logical_switches", "other_config",
                 "transport_zones")),
    "Chassis_Private": (("name",), True,
                        ("nb_cfg", "nb_cfg_timestamp", "chassis", "external_ids")),
    "Encap": (("chassis_name",), True, ("type", "options", "ip")),
    "Port_Binding": (("",), False,
                     ("chassis", "additional_chassis", "encap", "additional_encap", "up",
                      "virtual_parent", "options")),
    "MAC_Binding": (("",), True, ("logical_port", "ip", "mac", "datapath", "timestamp")),
    "Service_Monitor": (("",), False, ("status",)),
    "IGMP_Group": (("",), True, ("address", "chassis", "datapath", "ports")),
    "Controller_Event": (("",), True, ("chassis", "event_info", "event_type", "seq_num")),
    "FDB": (("",), True, ("dp_key", "port_key", "mac")),
    "BFD": (("",), False, ("status",)),
}


@builds(GLOBAL)
def rbac(ctx: BuildContext) -> Iterator[Any]:
    for table, (auth, insdel, update) in RBAC_PERMISSIONS.items():
        yield ctx.row("RBAC_Permission", table, table=table, authorization=frozenset(auth),
                      insert_delete=insdel, update=frozenset(update))
    yield ctx.row("RBAC_Role", "ovn-controller", name="ovn-controller",
                  permissions={t: ctx.ref("RBAC_Permission", t) for t in RBAC_PERMISSIONS})


# --- meters ---------------------------------------------------------------------------------------


def _bands(ctx: BuildContext, meter: Any) -> frozenset[Inline]:
    table = ctx.nb.get("Meter_Band")
    out = []
    for u in meter.bands:
        b = table.get(u) if table is not None else None
        if b is not None:
            out.append(Inline.make("Meter_Band", action=b.action, rate=b.rate,
                                   burst_size=b.burst_size))
    return frozenset(out)


def _meter_row(ctx: BuildContext, meter: Any, name: str) -> Any:
    return ctx.row("Meter", name, name=name, unit=meter.unit, bands=_bands(ctx, meter))


def _meter_by_name(ctx: BuildContext, name: str) -> Any | None:
    table = ctx.nb.get("Meter")
    if table is None:
        return None
    for m in table:
        if m.name == name:
            return m
    return None


@builds(GLOBAL)
def meters(ctx: BuildContext) -> Iterator[Any]:
    table = ctx.nb.get("Meter")
    for m in table if table is not None else ():
        yield _meter_row(ctx, m, m.name)


@builds(ACL)
def acl_fair_meter(ctx: BuildContext, sw: Switch, acl: Any) -> Iterator[Any]:
    if not acl.meter:
        return
    m = _meter_by_name(ctx, acl.meter[0])
    if m is not None and m.fair and m.fair[0]:
        yield _meter_row(ctx, m, f"{m.name}__{acl.uuid}")


# --- copies ---------------------------------------------------------------------------------------


@builds(GLOBAL)
def chassis_template_vars(ctx: BuildContext) -> Iterator[Any]:
    table = ctx.nb.get("Chassis_Template_Var")
    for row in table if table is not None else ():
        yield ctx.row("Chassis_Template_Var", row.chassis, chassis=row.chassis,
                      variables=dict(row.variables))


@builds(GLOBAL)
def mirrors(ctx: BuildContext) -> Iterator[Any]:
    table = ctx.nb.get("Mirror")
    for m in table if table is not None else ():
        yield ctx.row("Mirror", m.name, name=m.name, filter=m.filter, sink=m.sink, type=m.type,
                      index=m.index, external_ids={})  # (NB external_ids not copied)


@builds(GLOBAL)
def static_mac_bindings(ctx: BuildContext) -> Iterator[Any]:
    table = ctx.nb.get("Static_MAC_Binding")
    for row in table if table is not None else ():
        lrp = ctx.model.port_by_name.get(row.logical_port)
        if not isinstance(lrp, RouterPort):
            continue
        yield ctx.row(
            "Static_MAC_Binding",
            (row.logical_port, row.ip),
            logical_port=row.logical_port,
            ip=row.ip,
            mac=row.mac,
            override_dynamic_mac=row.override_dynamic_mac,
            datapath=ctx.ref("Datapath_Binding", lrp.dp.uuid),
        )


# --- BFD ------------------------------------------------------------------------------------------


def _first(v: list[Any], default: Any) -> Any:
    return v[0] if v else default


def bfd_initial_status(ctx: BuildContext, bfd: Any) -> str:
    """``down`` when a static route monitors this BFD session, else ``admin_down``."""
    routes = ctx.nb.get("Logical_Router_Static_Route")
    if routes is not None:
        for parent in ctx.model.referrers.get(bfd.uuid, ()):
            if routes.get(parent) is not None:
                return "down"
    return "admin_down"


def bfd_nb_status(nb_status: str | None, sb_status: str | None, monitored: bool) -> str:
    """What an NB BFD row's status should say, given the SB row's (None: no SB row yet) and
    whether a static route monitors it."""
    if nb_status is None:
        return "down" if monitored else "admin_down"
    if sb_status and sb_status != nb_status and "admin_down" not in (sb_status, nb_status):
        return sb_status  # ovn-controller's news
    return nb_status


def bfd_status_updates(nb: Any, sb: Any) -> dict[str, str]:
    """NB BFD uuid -> the status northd writes there (only rows that change)."""
    table = nb.get("BFD")
    if table is None:
        return {}
    monitored = set()
    routes = nb.get("Logical_Router_Static_Route")
    for r in routes if routes is not None else ():
        monitored.update(r.bfd)
    sb_status: dict[tuple[str, str], str] = {}
    sb_bfd = sb.get("BFD")
    for r in sb_bfd if sb_bfd is not None else ():
        sb_status[(r.logical_port, r.dst_ip)] = r.status
    out = {}
    for row in table:
        cur = _first(row.status, None)
        want = bfd_nb_status(cur, sb_status.get((row.logical_port, row.dst_ip)),
                             row.uuid in monitored)
        if want != cur:
            out[row.uuid] = want
    return out


@builds(GLOBAL)
def bfd(ctx: BuildContext) -> Iterator[Any]:
    table = ctx.nb.get("BFD")
    for row in table if table is not None else ():
        h = zlib.crc32(f"{row.logical_port} {row.dst_ip}".encode())
        nb_status = _first(row.status, None)
        status = nb_status if nb_status is not None else bfd_initial_status(ctx, row)
        yield ctx.row(
            "BFD",
            (row.logical_port, row.dst_ip),
            logical_port=row.logical_port,
            dst_ip=row.dst_ip,
            min_tx=_first(row.min_tx, 1000),
            min_rx=_first(row.min_rx, 1000),
            detect_mult=_first(row.detect_mult, 5),
            status=status if status == "admin_down" else Default(status),
            disc=Default(h or 1),
            src_port=Default(49152 + h % 16384),
            options={},
            external_ids={},
        )
