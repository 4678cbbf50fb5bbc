"""SB_Global and Datapath_Binding rows.

SB_Global: NB_Global's options plus what northd advertises (``max_tunid``,
``northd_internal_version``, ``lb_hairpin_use_ct_mark=false`` when a chassis lacks the
``ct-no-masked-label`` feature) and ``ipsec``; ``nb_cfg`` is the daemon's (the nb_cfg chain).
Datapath_Binding: the tunnel key and ``external_ids`` naming the NB row (``logical-switch`` /
``logical-router``, ``name``, ``name2`` from the Neutron name, ``interconn-ts``; for routers
``snat-ct-zone`` and ``always_learn_from_arp_request=false`` from their options).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pyovn.northd.cnum import smap_get_bool, smap_get_int
from pyovn.northd.context import BuildContext
from pyovn.northd.entities import Router, Switch
from pyovn.northd.registry import GLOBAL, ROUTER, SWITCH, builds

# What northd 23.03.1 advertises (ovn-northd(8): options:northd_internal_version).
NORTHD_INTERNAL_VERSION = "23.03.1-20.27.0-70.6"
MAX_TUNID = "16711680"

# Chassis features (Chassis other_config keys ovn-controller sets when it supports them).
FEATURES = {
    "ct_no_masked_label": "ct-no-masked-label",
    "mac_binding_timestamp": "mac-binding-timestamp",
    "ct_lb_related": "ovn-ct-lb-related",
}


def chassis_features(ctx: BuildContext) -> dict[str, bool]:
    """Which features every chassis of this zone supports (all of them with no chassis), as
    northd 23.03 derives them: a feature is on when no local chassis lacks it."""
    out = dict.fromkeys(FEATURES, True)
    table = ctx.sb.get("Chassis")
    for ch in table if table is not None else ():
        oc = ch.other_config
        if oc.get("is-remote", "").lower() == "true":
            continue
        for name, key in FEATURES.items():
            if oc.get(key, "").lower() != "true":
                out[name] = False
    return out


@builds(GLOBAL)
def sb_global(ctx: BuildContext) -> Iterator[Any]:
    g = ctx.nb_global
    options = dict(g.options) if g is not None else {}
    options["max_tunid"] = MAX_TUNID
    options["northd_internal_version"] = NORTHD_INTERNAL_VERSION
    if not chassis_features(ctx)["ct_no_masked_label"]:
        # ct_lb_mark cannot be used: ovn-controller checks ct_label.natted instead.
        options["lb_hairpin_use_ct_mark"] = "false"
    yield ctx.row(
        "SB_Global",
        "global",
        options=options,
        ipsec=bool(g.ipsec) if g is not None else False,
    )


def _names(ids: dict[str, str], neutron_key: str) -> dict[str, str]:
    out: dict[str, str] = {}
    name2 = ids.get(neutron_key)
    if name2:
        out["name2"] = name2
    return out


@builds(SWITCH)
def switch_binding(ctx: BuildContext, sw: Switch) -> Iterator[Any]:
    ids = {"logical-switch": sw.uuid, "name": sw.name}
    ids.update(_names(sw.nb.external_ids, "neutron:network_name"))
    ic = sw.nb.other_config.get("interconn-ts")
    if ic:
        ids["interconn-ts"] = ic
    yield ctx.row("Datapath_Binding", sw.uuid, external_ids=ids, tunnel_key=sw.key)


@builds(ROUTER)
def router_binding(ctx: BuildContext, lr: Router) -> Iterator[Any]:
    ids = {"logical-router": lr.uuid, "name": lr.name}
    ids.update(_names(lr.nb.external_ids, "neutron:router_name"))
    opts = lr.nb.options
    zone = smap_get_int(opts, "snat-ct-zone", -1)  # "7 " is no zone
    if zone >= 0:
        ids["snat-ct-zone"] = str(zone)
    if not smap_get_bool(opts, "always_learn_from_arp_request", True):
        ids["always_learn_from_arp_request"] = "false"
    yield ctx.row("Datapath_Binding", lr.uuid, external_ids=ids, tunnel_key=lr.key)
