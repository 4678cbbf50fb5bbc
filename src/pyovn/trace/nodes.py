"""The trace tree: what the walk records and the printers show.

A trace is a tree of ``Node``s of the kinds ovn-trace has: a *pipeline*
(``ingress(dp=..., inport=...)``, ``egress(...)``, ``multicast(...)``) contains a *table* (the
logical flow that matched); a table contains its *actions* as written, each followed by what it
did: *modifications* of the packet (``eth.dst = ..``, ``output("vm2")``), *outputs*
(``/* output to "vm2", type "" */``), *errors*, the next table (tables nest), a new pipeline,
or a *transformation* (``ct_next(ct_state=...)``, ``ct_lb``, ``icmp4``, ``select: ...``,
``LOG: ...``): a new version of the packet that the tables under it see.  Each printer keeps
the node types its format shows and splices the children of the others in their place (see
``output``).  ``info`` carries what ``--explain`` needs (matched flow, datapath, packet state)
and printing hints (``always_indent``).
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
