"""The trace tree: what the walk records and the printers show.

A trace is a tree of ``Node``s, as in ovn-trace: a *pipeline* (``ingress(dp=..., inport=...)``,
``egress(...)``, ``multicast(...)``) contains *tables* (the logical flow that matched), a table
contains *actions* as written in the flow, *modifications* (the effect on the packet, e.g.
``eth.dst = 00:..``, ``output("vm2")``), *outputs* (``/* output to "vm2", type "" */``) and
*errors*; a *transformation* (``ct_next(ct_state=...)``, ``ct_lb``, ``icmp4``, ``select: ...``)
is a new version of the packet that the following tables see.  ``XNEXT`` is the
``next(pipeline=..., table=...)`` action that jumps to another pipeline: shown in detail only.
Each printer keeps the node types its format shows and splices the children of the others in
their place (see ``output``).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Node", "NodeType"]


class NodeType(enum.Enum):
    PIPELINE = "pipeline"
    TABLE = "table"
    ACTION = "action"
    XNEXT = "xnext"
    MODIFY = "modify"
    OUTPUT = "output"
    ERROR = "error"
    TRANSFORMATION = "transformation"


@dataclass(eq=False)
class Node:
    type: NodeType
    text: str
    children: list[Node] = field(default_factory=list)
    # For --explain: the logical flow (TABLE), datapath and flow state where this happened.
    info: dict[str, Any] = field(default_factory=dict)

    def add(self, type_: NodeType, text: str, **info: Any) -> Node:
        n = Node(type_, text, info=info)
        self.children.append(n)
        return n

    def walk(self) -> list[Node]:
        """This node and its descendants, depth first in order."""
        out = [self]
        for c in self.children:
            out.extend(c.walk())
        return out
