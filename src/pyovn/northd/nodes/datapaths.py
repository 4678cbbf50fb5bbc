"""SB_Global and Datapath_Binding rows."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pyovn.northd.context import BuildContext
from pyovn.northd.model import Router, Switch
from pyovn.northd.registry import GLOBAL, ROUTER, SWITCH, builds

# What northd 23.03.1 advertises (ovn-northd(8): options:northd_internal_version).
NORTHD_INTERNAL_VERSION = "23.03.1-20.27.0-70.6"
MAX_TUNID = "16711680"


@builds(GLOBAL)
def sb_global(ctx: BuildContext) -> Iterator[Any]:
    g = ctx.nb_global
    options = dict(g.options) if g is not None else {}
    options["max_tunid"] = MAX_TUNID
    options["northd_internal_version"] = NORTHD_INTERNAL_VERSION
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
    yield ctx.row("Datapath_Binding", lr.uuid, external_ids=ids, tunnel_key=lr.key)
