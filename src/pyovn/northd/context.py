"""The build context: what a builder may read, and the constructors of what it yields.

A builder gets ``ctx`` and its owner's objects.  It reads the Northbound through ``ctx.nb``
(table name -> rows), the derived model through ``ctx.model``, the Southbound rows northd reads
(chassis and the like) through ``ctx.sb``, and NB_Global's options through ``ctx.options``.  It
yields ``ctx.flow(...)``, ``ctx.row(...)`` and ``ctx.contrib(...)`` objects.  Nothing else:
no I/O, no clock.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any

from pyovn.northd.entities import NorthdDatapath
from pyovn.northd.model import Model
from pyovn.northd.output import Contrib, Lflow, Ref, SbRow, SetMember, hint_of
from pyovn.pipeline.stages import Stage

__all__ = ["BuildContext", "drop_action"]

# (code, line) of a ctx.flow() call -> "pipelines/ls_acl.py:123": what external_ids:source says
# (the real northd names its northd.c line).
_SOURCES: dict[tuple[Any, int], str] = {}


def _caller() -> str:
    """The ``file:line`` (under pyovn/northd/) of the builder line that called ``ctx.flow``."""
    frame = sys._getframe(2)
    key = (frame.f_code, frame.f_lineno)
    src = _SOURCES.get(key)
    if src is None:
        parts = PurePath(frame.f_code.co_filename).parts
        i = len(parts) - 1 - parts[::-1].index("northd") if "northd" in parts else len(parts) - 1
        src = _SOURCES[key] = f"{'/'.join(parts[i + 1:])}:{frame.f_lineno}"
    return src


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
        dp: NorthdDatapath | str,
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
        return Lflow(dp_uuid, stage, priority, match, actions, hint_of(hint), meter, lport,
                     _caller())

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
    def contrib(dp: NorthdDatapath | str, flag: str) -> Contrib:
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
