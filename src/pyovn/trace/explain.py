"""``--explain``: say in words why a traced packet was dropped or did not reach a port.

The walk leaves, on each table node, the logical flow that matched, its datapath and the packet
as it was; drop points are marked (``drop;``, errors, omitted outputs) and port security checks
record why they failed.  ``explain`` finds where each copy of the packet ended and names the
configuration responsible, from the flow's ``external_ids`` (``stage-name``, and ``stage-hint``:
the first 8 hex digits of the Northbound row that caused the flow).  With Northbound rows
(``load_nb``) the hint is resolved to the row: an ACL's priority, match and name, a NAT rule's
type and addresses.  Routers with NAT rules but no gateway port are pointed out, as their NAT
never applies.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pyovn.ovsdb.largeset import SET_TYPES
from pyovn.pipeline import stages as S
from pyovn.pipeline.sbtypes import LogicalDatapath, LogicalFlow
from pyovn.trace.nodes import Node, NodeType
from pyovn.trace.sbmodel import SbModel

__all__ = ["explain", "load_nb"]

NbRows = Mapping[str, Mapping[str, Mapping[str, Any]]]

_ACL_STAGES = (S.LS_IN_ACL.name, S.LS_OUT_ACL.name, S.LS_IN_ACL_AFTER_LB.name)


def load_nb(remote: str) -> NbRows:
    from pyovn.ovsdb.client.oneshot import fetch

    return fetch(remote, "OVN_Northbound", timeout=30.0)


def _nb_row(nb: NbRows | None, table: str, hint: str) -> dict[str, Any] | None:
    if not nb or not hint:
        return None
    for uuid, row in nb.get(table, {}).items():
        if uuid.startswith(hint):
            return {"_uuid": uuid, **row}
    return None


def _dp_kind(dp: LogicalDatapath) -> str:
    return "router" if dp.is_router else "switch"


def _acl_words(f: LogicalFlow, dp: LogicalDatapath, nb: NbRows | None) -> str:
    acl = _nb_row(nb, "ACL", f.stage_hint)
    if acl is not None:
        name = acl.get("name")
        name = next(iter(name), None) if isinstance(name, SET_TYPES) else name
        label = f'"{name}" ' if name else ""
        return (f"ACL {label}{acl['_uuid']} ({acl.get('direction')}, priority "
                f"{acl.get('priority')}, match {acl.get('match')}, action {acl.get('action')})")
    # northd adds 1000 to an ACL's priority in the logical flow.
    prio = f.priority - 1000 if f.priority >= 1000 else f.priority
    return f"ACL {f.stage_hint or '?'} (priority {prio}, match {f.match})"


def _where(dp: LogicalDatapath) -> str:
    return f"{_dp_kind(dp)} {dp.name or dp.uuid}"


def _parents(root: Node) -> dict[int, Node]:
    out: dict[int, Node] = {}
    for n in root.walk():
        for c in n.children:
            out[id(c)] = n
    return out


def _table_of(node: Node, parents: dict[int, Node]) -> Node | None:
    n: Node | None = node
    while n is not None and n.type is not NodeType.TABLE:
        n = parents.get(id(n))
    return n


def _drop_reason(table: Node, nb: NbRows | None) -> str:
    dp: LogicalDatapath = table.info["dp"]
    f: LogicalFlow | None = table.info.get("lflow")
    if f is None:
        return f"no flow matched in table {table.info.get('table')} of {_where(dp)} (implicit drop)"
    stage = f.stage_name
    if stage in _ACL_STAGES:
        return f"dropped by {_acl_words(f, dp, nb)} on {_where(dp)}"
    if stage.endswith("apply_port_sec"):
        ps = None
        for sib in table.info.get("checks", []):
            ps = sib
        if ps is not None:
            port, why, entries = ps
            return (f"port security: {why} on port {port} "
                    f"(port_security {', '.join(entries) or 'none'})")
        return f"port security dropped the packet on {_where(dp)}"
    if stage in (S.LR_IN_IP_ROUTING.name, S.LR_IN_IP_ROUTING_PRE.name):
        return f"no route on {_where(dp)} (flow: {f.match})"
    if stage == S.LR_IN_ADMISSION.name:
        return f"{_where(dp)} does not accept the packet (match {f.match}): wrong eth.dst or port"
    if stage == S.LR_IN_POLICY.name:
        pol = _nb_row(nb, "Logical_Router_Policy", f.stage_hint)
        what = f"policy {pol['_uuid']} ({pol.get('match')})" if pol else f"policy {f.stage_hint}"
        return f"dropped by router {what} on {_where(dp)}"
    hint = f", NB row {f.stage_hint}" if f.stage_hint else ""
    return (f"dropped in stage {stage} of {_where(dp)} by flow {f.uuid[:8]} "
            f"(priority {f.priority}, match {f.match}{hint})")


def _nat_notes(model: SbModel, nb: NbRows | None) -> list[str]:
    notes: list[str] = []
    if not nb:
        return notes
    lrps = nb.get("Logical_Router_Port", {})
    for lr in nb.get("Logical_Router", {}).values():
        nats = [nb.get("NAT", {}).get(u) for u in lr.get("nat", ())]
        if not any(nats):
            continue
        opts = lr.get("options") or {}
        gw = "chassis" in opts or any(
            (lrps.get(p) or {}).get("gateway_chassis") or (lrps.get(p) or {}).get("ha_chassis_group")
            for p in lr.get("ports", ())
        )
        if not gw:
            for n in nats:
                if n:
                    notes.append(
                        f"router {lr.get('name')} has no gateway port: the NAT rule "
                        f"{n.get('type')} {n.get('external_ip')} <-> {n.get('logical_ip')} "
                        "never applies"
                    )
    return notes


_CONTINUES = ("next", "output", "ct_next", "ct_lb", "ct_dnat", "ct_snat", "ct_commit_nat",
              "fwd_group", "clone")


def _stops(table: Node) -> bool:
    """True when the table's actions neither continue nor send the packet anywhere."""
    if "lflow" not in table.info:
        return False
    for c in table.children:
        if c.type is NodeType.TRANSFORMATION and c.text.startswith("LOG:"):
            continue  # a log() record, not a new packet
        if c.type in (NodeType.PIPELINE, NodeType.TRANSFORMATION, NodeType.TABLE):
            return False
        if c.type is NodeType.ACTION and c.text.startswith(_CONTINUES):
            return False
        if c.type is NodeType.ACTION and "select(" in c.text:
            return False
    return True


def explain(root: Node, model: SbModel, expect: str | None = None,
            nb: NbRows | None = None) -> list[str]:
    """Plain-words lines: where the packet went, and what dropped or diverted it."""
    parents = _parents(root)
    # Port security failures are recorded on the check's table node; hand them to the
    # apply_port_sec table that follows in the same pipeline.
    last_check = None
    for n in root.walk():
        if n.type is NodeType.TABLE:
            if "port_sec" in n.info:
                last_check = n.info["port_sec"]
            f = n.info.get("lflow")
            if f is not None and f.stage_name.endswith("apply_port_sec") and last_check:
                n.info["checks"] = [last_check]
    delivered = [n.info["delivered"] for n in root.walk() if "delivered" in n.info]
    lines: list[str] = []
    if delivered:
        lines.append("The packet is delivered to: " + ", ".join(delivered) + ".")
    if expect is not None:
        if expect in delivered:
            lines.append(f"It reaches {expect}, as expected.")
            return lines
        lines.append(f"It does not reach {expect}.")
    for n in root.walk():
        if n.type is NodeType.TRANSFORMATION and n.text in ("tcp_reset", "icmp4", "icmp6",
                                                            "sctp_abort"):
            t = _table_of(n, parents)
            f = t.info.get("lflow") if t else None
            if t is not None and f is not None and f.stage_name in _ACL_STAGES:
                lines.append(f"rejected ({n.text} sent back) by {_acl_words(f, t.info['dp'], nb)}"
                             f" on {_where(t.info['dp'])}")
    for n in root.walk():
        if n.type is NodeType.TABLE and ("lflow" not in n.info or _stops(n)):
            lines.append(_drop_reason(n, nb))
        elif n.info.get("drop") and n.type is not NodeType.ACTION:
            t = _table_of(n, parents)
            if t is None:
                continue
            if n.type is NodeType.OUTPUT:
                lines.append(f"not sent back out of its input port on {_where(t.info['dp'])} "
                             "(inport == outport and flags.loopback is not set)")
            elif n.type is NodeType.ERROR:
                lines.append(f"{n.text.strip('* ')} on {_where(t.info['dp'])}")
            else:
                lines.append(_drop_reason(t, nb))
    lines += _nat_notes(model, nb)
    if not delivered and len(lines) == (1 if expect else 0):
        lines.append("The packet is not delivered anywhere and no flow dropped it explicitly.")
    return lines
