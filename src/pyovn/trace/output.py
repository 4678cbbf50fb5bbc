"""ovn-trace's three output formats, from one trace tree.

* ``--detailed``: every pipeline and transformation as a title underlined with dashes, after a
  blank line; each table's flow as `` N. stage (source): match, priority P, uuid U``; the actions
  (and outputs, errors) indented one level under it.  Effects on the packet are not shown.  A
  multicast group's egress pipelines are indented one more level.
* ``--summary``: tables disappear (their actions move up into the pipeline); pipelines and
  transformations become ``name { ... };`` blocks; effects are not shown.
* ``--minimal``: only what happens to the packet: effects (``eth.dst = ...;``, ``output("p");``),
  errors, and transformations as blocks.

Pruning a node type means splicing its children in its place; then the summary and minimal
trees print the same way: an action keeps its own ``;``, other nodes get one.
"""

from __future__ import annotations

from collections.abc import Iterable

from pyovn.trace.nodes import Node, NodeType

__all__ = ["format_detailed", "format_minimal", "format_summary", "format_trace", "prune"]

_TITLES = (NodeType.PIPELINE, NodeType.TRANSFORMATION)


def prune(nodes: Iterable[Node], drop: frozenset[NodeType]) -> list[Node]:
    """Copies ``nodes`` without the ``drop`` types, whose children take their place."""
    out: list[Node] = []
    for n in nodes:
        kids = prune(n.children, drop)
        if n.type in drop:
            out.extend(kids)
        else:
            out.append(Node(n.type, n.text, kids, n.info))
    return out


def _blocks(nodes: list[Node], level: int, out: list[str]) -> None:
    for n in nodes:
        line = "    " * level + n.text
        if n.children:
            out.append(line + " {")
            _blocks(n.children, level + 1, out)
            line = "    " * level + "}"
        if n.type is not NodeType.ACTION:
            line += ";"
        out.append(line)


_SUMMARY_DROP = frozenset({NodeType.TABLE, NodeType.MODIFY, NodeType.XNEXT})
_MINIMAL_DROP = frozenset(
    {NodeType.ACTION, NodeType.PIPELINE, NodeType.TABLE, NodeType.OUTPUT, NodeType.XNEXT}
)


def format_summary(root: Node) -> list[str]:
    out: list[str] = []
    _blocks(prune(root.children, _SUMMARY_DROP), 0, out)
    return out


def format_minimal(root: Node) -> list[str]:
    out: list[str] = []
    _blocks(prune(root.children, _MINIMAL_DROP), 0, out)
    return out


def _detailed(nodes: list[Node], level: int, out: list[str]) -> None:
    for n in nodes:
        t = n.type
        if t is NodeType.MODIFY:
            continue
        ind = "    " * level
        if t in _TITLES:
            out.append("")
            out.append(ind + n.text)
            out.append(ind + "-" * len(n.text))
            _detailed(n.children, level + (1 if n.info.get("indent") else 0), out)
        elif t is NodeType.TABLE:
            out.append(ind + n.text)
            _detailed(n.children, level, out)
        else:
            out.append(ind + "    " + n.text)
            _detailed(n.children, level, out)


def format_detailed(root: Node) -> list[str]:
    out: list[str] = []
    _detailed(root.children, 0, out)
    return out


def format_trace(header: str, root: Node, fmt: str) -> str:
    """The whole output: ``# microflow`` then the trace in ``fmt`` (detailed/summary/minimal)."""
    lines = ["# " + header]
    if fmt == "summary":
        lines += format_summary(root)
    elif fmt == "minimal":
        lines += format_minimal(root)
    else:
        lines += format_detailed(root)
    return "\n".join(lines) + "\n"
