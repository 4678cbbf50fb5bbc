"""Change handlers: one batch of Northbound changes -> model updates and dirty owners.

A :class:`Change` is one row event of the NB replica (created, updated with the old values of
the changed columns, deleted), as the IDL's tracker reports it.  :func:`handle_changes` updates
the model and returns the owners to rebuild, or None when a handler cannot handle a change and
the engine must recompute everything.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pyovn.northd.model import Model, OwnerKey

__all__ = ["Change", "handle_changes", "HANDLERS"]


@dataclass(frozen=True, slots=True)
class Change:
    event: str  # "create", "update", "delete"
    table: str
    row: Any  # the row after the change (for a delete: the last version)
    old: Any = None  # for "update": the changed columns' old values


class Recompute(Exception):
    """A handler cannot handle a change incrementally."""


Handler = Callable[[Model, list[Change], set[OwnerKey]], None]
HANDLERS: dict[str, Handler] = {}

# Columns whose changes alone never change the Southbound's flows or rows.
_IGNORED = {
    "NB_Global": {"nb_cfg", "nb_cfg_timestamp", "sb_cfg", "sb_cfg_timestamp", "hv_cfg",
                  "hv_cfg_timestamp"},
}


def _only_ignored(c: Change) -> bool:
    ign = _IGNORED.get(c.table)
    if not ign or c.event != "update" or c.old is None:
        return False
    changed = c.old.changed
    return bool(changed) and changed <= ign


def handle_changes(model: Model, changes: list[Change]) -> set[OwnerKey] | None:
    changes = [c for c in changes if not _only_ignored(c)]
    dirty: set[OwnerKey] = set()
    if not changes:
        return dirty
    by_table: dict[str, list[Change]] = {}
    for c in changes:
        by_table.setdefault(c.table, []).append(c)
    try:
        for table, cs in by_table.items():
            handler = HANDLERS.get(table)
            if handler is None:
                raise Recompute(table)
            handler(model, cs, dirty)
    except Recompute:
        return None
    return dirty
