"""ovn-trace's three output formats, from one trace tree (see ``pyovn.trace.walk`` for its shape).

* ``--detailed``: every node but the modifications, one per line.  Pipelines and
  transformations are titles: a blank line before, a line of dashes under.  Indentation: a node
  is indented one level (4 spaces) past its parent's children when it is an action, output or
  error, when it is not its parent's last child, or when it is marked ``always_indent`` (the
  egress pipelines of a multicast group); such a node's own children go one level further.  So
  a table reached by a trailing ``next;`` lines up with the table before it.
* ``--summary``: tables and modifications are spliced out (their children take their place);
  ``next(...)`` actions are not printed; a node with children prints as ``text {`` ... ``}``;
  everything but an action gets a ``;``.
* ``--minimal``: actions, pipelines, tables and outputs are spliced out; printed as summary.
"""

from __future__ import annotations

from collections.abc import Iterable

from pyovn.trace.nodes import Node, NodeType

__all__ = ["format_detailed", "format_minimal", "format_summary", "format_trace", "prune"]

_TITLES = (NodeType.PIPELINE, NodeType.TRANSFORMATION)
_TERMINAL = (NodeType.ACTION, NodeType.OUTPUT, NodeType.MODIFY, NodeType.ERROR)


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
        if n.type is NodeType.ACTION and n.text.startswith("next("):
            continue
        line = "    " * level + n.text
        if n.children:
            out.append(line + " {")
            _blocks(n.children, level + 1, out)
            line = "    " * level + "}"
        if n.type is not NodeType.ACTION:
            line += ";"
        out.append(line)


_SUMMARY_DROP = frozenset({NodeType.TABLE, NodeType.MODIFY})
_MINIMAL_DROP = frozenset(
    {NodeType.ACTION, NodeType.PIPELINE, NodeType.TABLE, NodeType.OUTPUT}
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
    last = len(nodes) - 1
    for i, n in enumerate(nodes):
        if n.type is NodeType.MODIFY:
            continue
        more = int(i != last or bool(n.info.get("always_indent")) or n.type in _TERMINAL)
        ind = "    " * (level + more)
        if n.type in _TITLES:
            out.append("")
            out.append(ind + n.text)
            out.append(ind + "-" * len(n.text))
        else:
            out.append(ind + n.text)
        _detailed(n.children, level + 2 * more, out)


def format_detailed(root: Node) -> list[str]:
    out: list[str] = []
    _detailed(root.children, 0, out)
    return out


def format_trace(header: str, root: Node, fmts: str | list[str]) -> str:
    """The whole output: ``# microflow`` then the trace in each of ``fmts`` (detailed, summary,
    minimal, in that order), each after a ``# Detailed trace.``-style line when there are
    several, as ovn-trace prints them."""
    if isinstance(fmts, str):
        fmts = [fmts]
    lines = ["# " + header]
    printers = {"detailed": format_detailed, "summary": format_summary,
                "minimal": format_minimal}
    for fmt in ("detailed", "summary", "minimal"):
        if fmt in fmts:
            if len(fmts) > 1:
                lines.append(f"# {fmt.capitalize()} trace.")
            lines += printers[fmt](root)
    return "\n".join(lines) + "\n"
