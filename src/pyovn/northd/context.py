"""The build context: what a builder may read, and the constructors of what it yields.

A builder gets ``ctx`` and its owner's objects.  It reads the Northbound through ``ctx.nb``
(table name -> rows), the derived model through ``ctx.model``, the Southbound rows northd reads
(chassis and the like) through ``ctx.sb``, and NB_Global's options through ``ctx.options``.  It
yields ``ctx.flow(...)``, ``ctx.row(...)`` and ``ctx.contrib(...)`` objects.  Nothing else:
no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pyovn.northd.model import Datapath, Model
from pyovn.northd.output import Contrib, Lflow, Ref, SbRow, SetMember, hint_of
from pyovn.pipeline.stages import Stage

__all__ = ["BuildContext", "drop_action"]


class BuildContext:
    def __init__(self, model: Model) -> None:
        self.model = model

    @property
    def nb(self) -> Mapping[str, Any]:
        return self.model.nb

    @property
    def sb(self) -> Mapping[str, Any]:
        return self.model.sb

    @property
    def nb_global(self) -> Any | None:
        t = self.model.nb.get("NB_Global")
        if t is None:
            return None
        for row in t:
            return row
        return None

    @property
    def options(self) -> dict[str, str]:
        g = self.nb_global
        return dict(g.options) if g is not None else {}

    @staticmethod
    def flow(
        dp: Datapath | str,
        stage: Stage,
        priority: int,
        match: str,
        actions: str,
        hint: Any = None,
        meter: str | None = None,
        lport: str | None = None,
    ) -> Lflow:
        """A flow on ``dp``; ``hint`` is the NB row (or its uuid) behind it, for stage-hint;
        ``lport`` the port name for ``tags:in_out_port``."""
        dp_uuid = dp if isinstance(dp, str) else dp.uuid
        if hint is not None and not isinstance(hint, str):
            hint = hint.uuid
        return Lflow(dp_uuid, stage, priority, match, actions, hint_of(hint), meter, lport)

    @staticmethod
    def row(table: str, key: Any, /, **values: Any) -> SbRow:
        # Positional-only: a column may be called "table" (RBAC_Permission) or "key".
        return SbRow(table, key, values)

    @staticmethod
    def member(table: str, key: Any, column: str, value: Any) -> SetMember:
        """``value`` belongs to the set ``column`` of the desired row (table, key)."""
        return SetMember(table, key, column, value)

    @staticmethod
    def ref(table: str, key: Any) -> Ref:
        return Ref(table, key)

    @staticmethod
    def contrib(dp: Datapath | str, flag: str) -> Contrib:
        return Contrib(dp if isinstance(dp, str) else dp.uuid, flag)


def drop_action(ctx: BuildContext) -> str:
    """``drop;``, or the sampling action northd writes instead when NB_Global
    options:debug_drop_collector_set asks for drop debugging (ovn-nb(5))."""
    opts = ctx.options
    try:
        cset = int(opts.get("debug_drop_collector_set", "0"))
        dom = int(opts.get("debug_drop_domain_id", "0"))
    except ValueError:
        return "drop;"
    if not 0 < cset <= 0xFFFFFFFF:
        return "drop;"
    if not 0 <= dom <= 255:
        dom = 0
    return (f"sample(probability=65535,collector_set={cset},obs_domain={dom},"
            "obs_point=$cookie); /* drop */")
