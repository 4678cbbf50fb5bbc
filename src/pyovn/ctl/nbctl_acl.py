"""ovn-nbctl's ACL, QoS, meter and port group commands.

ACLs and QoS rules are identified, as in the real tool, by (direction, priority, match): adding
one that matches an existing rule is an error (or nothing, with ``--may-exist``), and lists are
sorted from-lport first, highest priority first, then by match. An ACL's entity is a logical
switch or a port group (``--type`` decides when a name is both).
"""

from __future__ import annotations

import re

from pyovn.ctl.context import Context
from pyovn.ctl.nbctl_common import (
    find_ls,
    find_lsp,
    find_meter,
    find_pg,
    first,
    is_uuid,
    name_sorted,
    parse_direction,
    parse_priority,
)
from pyovn.ctl.registry import UNLIMITED, CommandSyntax, CtlError
from pyovn.ctl.txnview import ViewRow

__all__ = ["COMMANDS", "ACL_ACTIONS", "SEVERITIES"]

ACL_ACTIONS = ("allow", "allow-related", "allow-stateless", "drop", "reject")
SEVERITIES = ("alert", "warning", "notice", "info", "debug")
_U32 = 4294967295


def _entity(ctx: Context) -> tuple[ViewRow, str]:
    """The switch or port group named by argv[1], and the column holding its ACLs."""
    kind = ctx.option("--type")
    ident = ctx.argv[1]
    if kind is None:
        pg = find_pg(ctx, ident, False)
        ls = find_ls(ctx, ident, False)
        if pg is not None and ls is not None:
            raise CtlError(f"Same name '{ident}' exists in both port-groups and logical "
                           "switches. Specify --type=port-group or switch, or use a UUID.")
        if pg is None and ls is None:
            raise CtlError(f"'{ident}' is not found for port-group or switch.")
        return (pg, "acls") if pg is not None else (ls, "acls")  # type: ignore[return-value]
    if kind == "port-group":
        return find_pg(ctx, ident), "acls"  # type: ignore[return-value]
    if kind == "switch":
        return find_ls(ctx, ident), "acls"  # type: ignore[return-value]
    raise CtlError(f"Invalid value '{kind}' for option --type")


def _rule_key(row: ViewRow) -> tuple:
    after_lb = row.table.name == "ACL" and row["options"].get("apply-after-lb") == "true"
    return (0 if row["direction"] == "from-lport" else 1, after_lb, -row["priority"],
            row["match"].encode())


def _acl_add(ctx: Context) -> None:
    owner, column = _entity(ctx)
    direction = parse_direction(ctx.argv[2])
    priority = parse_priority(ctx.argv[3])
    action = ctx.argv[5]
    if action not in ACL_ACTIONS:
        raise CtlError(f'{action}: action must be one of "allow", "allow-related", '
                       '"allow-stateless", "drop", and "reject"')
    txn = ctx.view()
    acl = txn.insert("ACL")
    txn.write(acl, "priority", priority)
    txn.write(acl, "direction", direction)
    txn.write(acl, "match", ctx.argv[4])
    txn.write(acl, "action", action)
    severity = ctx.option("--severity")
    name = ctx.option("--name")
    meter = ctx.option("--meter")
    if ctx.has("--log") or severity is not None or name is not None or meter is not None:
        txn.write(acl, "log", True)
    if severity is not None:
        if severity not in SEVERITIES:
            raise CtlError(f"bad severity: {severity}")
        txn.write(acl, "severity", frozenset((severity,)))
    if name is not None:
        txn.write(acl, "name", frozenset((name,)))
    if meter is not None:
        txn.write(acl, "meter", frozenset((meter,)))
    label = ctx.option("--label")
    if label is not None:
        if action not in ("allow", "allow-related"):
            raise CtlError('label can only be set with actions "allow" or "allow-related"')
        value = _c_strtoll(label)
        if value is None or not 0 <= value <= _U32:
            raise CtlError("label must in range 0...4294967295")
        txn.write(acl, "label", value)
    if ctx.has("--apply-after-lb"):
        txn.write(acl, "options", {"apply-after-lb": "true"})
    key = _rule_key(acl)
    for other in txn.referenced("ACL", owner[column]):
        if _rule_key(other) == key:
            txn.delete(acl)
            if ctx.has("--may-exist"):
                return
            raise CtlError(f"Same ACL already existed on the ls {ctx.argv[1]}.")
    txn.set_insert(owner, column, acl.uuid)


def _c_strtoll(s: str) -> int | None:
    """strtoll(s, &end, 0) with the whole string consumed."""
    m = re.fullmatch(r"\s*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9]\d*)", s)
    if m is None:
        return None
    digits = m.group(2)
    if digits[:2].lower() == "0x":
        v = int(digits, 16)
    elif digits.startswith("0"):
        v = int(digits, 8)
    else:
        v = int(digits)
    return -v if m.group(1) == "-" else v


def _acl_del(ctx: Context) -> None:
    owner, column = _entity(ctx)
    txn = ctx.view()
    if len(ctx.argv) == 2:
        txn.write(owner, column, frozenset())
        return
    direction = parse_direction(ctx.argv[2])
    acls = txn.referenced("ACL", owner[column])
    if len(ctx.argv) == 3:
        for acl in acls:
            if acl["direction"] == direction:
                txn.set_delete(owner, column, acl.uuid)
        return
    priority = parse_priority(ctx.argv[3])
    if len(ctx.argv) == 4:
        raise CtlError("cannot specify priority without match")
    for acl in acls:
        if (acl["priority"], acl["match"], acl["direction"]) == \
                (priority, ctx.argv[4], direction):
            txn.set_delete(owner, column, acl.uuid)
            return


def _acl_list(ctx: Context) -> None:
    owner, column = _entity(ctx)
    acls = sorted(ctx.view().referenced("ACL", owner[column]), key=_rule_key)
    out = []
    for acl in acls:
        line = f"{acl['direction']:>10} {acl['priority']:5d} ({acl['match']}) {acl['action']}"
        if acl["log"]:
            parts = []
            if first(acl["name"]) is not None:
                parts.append(f"name={first(acl['name'])}")
            if first(acl["severity"]) is not None:
                parts.append(f"severity={first(acl['severity'])}")
            if first(acl["meter"]) is not None:
                parts.append(f'meter="{first(acl["meter"])}"')
            line += f" log({','.join(parts)})"
        if acl["label"]:
            line += f" label={acl['label']}"
        if acl["options"].get("apply-after-lb") == "true":
            line += " [after-lb]"
        out.append(line + "\n")
    ctx.out("".join(out))


# -- QoS ------------------------------------------------------------------------------------------

def _switch(ctx: Context) -> ViewRow:
    ls = find_ls(ctx, ctx.argv[1])
    assert ls is not None
    return ls


def _scan_i64(s: str) -> int | None:
    m = re.match(r"\s*([+-]?\d+)", s)
    return int(m.group(1)) if m else None


def _qos_add(ctx: Context) -> None:
    ls = _switch(ctx)
    direction = parse_direction(ctx.argv[2])
    priority = parse_priority(ctx.argv[3])
    dscp = -1
    rate = burst = 0
    for arg in ctx.argv[5:]:
        if arg.startswith("dscp="):
            v = _scan_i64(arg[5:])
            if v is None or not 0 <= v <= 63:
                raise CtlError(f"{arg[5:]}: dscp must be in the range 0...63")
            dscp = v
        elif arg.startswith("rate="):
            v = _scan_i64(arg[5:])
            if v is None or not 1 <= v <= _U32:
                raise CtlError(f"{arg[5:]}: rate must be in the range 1...4294967295")
            rate = v
        elif arg.startswith("burst="):
            v = _scan_i64(arg[6:])
            if v is None or not 1 <= v <= _U32:
                raise CtlError(f"{arg[6:]}: burst must be in the range 1...4294967295")
            burst = v
        else:
            raise CtlError(f'{arg}: supported arguments are "dscp=", "rate=", and "burst="')
    if dscp == -1 and rate == 0:
        raise CtlError('Either "rate" and/or "dscp" must be specified')
    txn = ctx.view()
    qos = txn.insert("QoS")
    txn.write(qos, "priority", priority)
    txn.write(qos, "direction", direction)
    txn.write(qos, "match", ctx.argv[4])
    if dscp != -1:
        txn.write(qos, "action", {"dscp": dscp})
    bandwidth = {}
    if rate:
        bandwidth["rate"] = rate
    if burst:
        bandwidth["burst"] = burst
    if bandwidth:
        txn.write(qos, "bandwidth", bandwidth)
    key = _rule_key(qos)
    for other in txn.referenced("QoS", ls["qos_rules"]):
        if _rule_key(other) == key:
            txn.delete(qos)
            if ctx.has("--may-exist"):
                return
            raise CtlError(f"Same qos already existed on the ls {ctx.argv[1]}.")
    txn.set_insert(ls, "qos_rules", qos.uuid)


def _qos_del(ctx: Context) -> None:
    ls = _switch(ctx)
    txn = ctx.view()
    if len(ctx.argv) == 2:
        txn.write(ls, "qos_rules", frozenset())
        return
    rules = txn.referenced("QoS", ls["qos_rules"])
    if is_uuid(ctx.argv[2]):
        for q in rules:
            if q.uuid == ctx.argv[2].lower():
                txn.set_delete(ls, "qos_rules", q.uuid)
                return
        raise CtlError("uuid is not found")
    direction = parse_direction(ctx.argv[2])
    if len(ctx.argv) == 3:
        for q in rules:
            if q["direction"] == direction:
                txn.set_delete(ls, "qos_rules", q.uuid)
        return
    priority = parse_priority(ctx.argv[3])
    if len(ctx.argv) == 4:
        raise CtlError("cannot specify priority without match")
    for q in rules:
        if (q["priority"], q["match"], q["direction"]) == (priority, ctx.argv[4], direction):
            txn.set_delete(ls, "qos_rules", q.uuid)
            return


def _qos_list(ctx: Context) -> None:
    ls = _switch(ctx)
    out = []
    for q in sorted(ctx.view().referenced("QoS", ls["qos_rules"]), key=_rule_key):
        line = f"{q['direction']:>10} {q['priority']:5d} ({q['match']})"
        for key in ("rate", "burst"):
            if key in q["bandwidth"]:
                line += f" {key}={q['bandwidth'][key]}"
        if "dscp" in q["action"]:
            line += f" dscp={q['action']['dscp']}"
        out.append(line + "\n")
    ctx.out("".join(out))


# -- meters ---------------------------------------------------------------------------------------

def _meter_add(ctx: Context) -> None:
    name = ctx.argv[1]
    existing = find_meter(ctx, name, False)
    if existing is not None and not ctx.has("--may-exist"):
        raise CtlError(f'meter with name "{name}" already exists')
    if name.startswith("__"):
        raise CtlError('meter names that begin with "__" are reserved')
    if ctx.argv[2] != "drop":
        raise CtlError('action must be "drop"')
    rate = _scan_i64(ctx.argv[3])
    if rate is None or not 1 <= rate <= _U32:
        raise CtlError("rate must be in the range 1...4294967295")
    unit = ctx.argv[4]
    if unit not in ("kbps", "pktps"):
        raise CtlError('unit must be "kbps" or "pktps"')
    burst = 0
    if len(ctx.argv) > 5:
        b = _scan_i64(ctx.argv[5])
        if b is None or not 0 <= b <= _U32:
            raise CtlError("burst must be in the range 0...4294967295")
        burst = b
    txn = ctx.view()
    band = txn.insert("Meter_Band")
    txn.write(band, "action", "drop")
    txn.write(band, "rate", rate)
    txn.write(band, "burst_size", burst)
    # --may-exist on an existing meter gives it the new band and unit.
    meter = existing if existing is not None else txn.insert("Meter")
    txn.write(meter, "name", name)
    txn.write(meter, "unit", unit)
    txn.write(meter, "bands", frozenset((band.uuid,)))
    if ctx.has("--fair"):
        txn.write(meter, "fair", frozenset((True,)))


def _meter_del(ctx: Context) -> None:
    txn = ctx.view()
    if len(ctx.argv) == 1:
        for m in txn.rows("Meter"):
            txn.delete(m)
        return
    meter = find_meter(ctx, ctx.argv[1], False)
    if meter is not None:
        txn.delete(meter)


def _meter_list(ctx: Context) -> None:
    txn = ctx.view()
    out = []
    for m in name_sorted(txn.rows("Meter")):
        fair = " (fair)" if first(m["fair"]) else ""
        out.append(f"{m['name']}:{fair} bands:\n")
        for band in txn.referenced("Meter_Band", m["bands"]):
            line = f"  {band['action']}: {band['rate']} {m['unit']}"
            if band["burst_size"]:
                what = "kilobits" if m["unit"] == "kbps" else "packet"
                line += f", {band['burst_size']} {what} burst"
            out.append(line + "\n")
    ctx.out("".join(out))


# -- port groups ----------------------------------------------------------------------------------

def _port_uuids(ctx: Context, names: list[str]) -> frozenset[str]:
    out = []
    for name in names:
        lsp = find_lsp(ctx, name)
        assert lsp is not None
        out.append(lsp.uuid)
    return frozenset(out)


def _pg_add(ctx: Context) -> None:
    txn = ctx.view()
    pg = txn.insert("Port_Group")
    txn.write(pg, "name", ctx.argv[1])
    ports = _port_uuids(ctx, ctx.argv[2:])
    if ports:
        txn.write(pg, "ports", ports)


def _pg_set_ports(ctx: Context) -> None:
    pg = find_pg(ctx, ctx.argv[1])
    assert pg is not None
    ctx.view().write(pg, "ports", _port_uuids(ctx, ctx.argv[2:]))


def _pg_del(ctx: Context) -> None:
    pg = find_pg(ctx, ctx.argv[1])
    assert pg is not None
    ctx.view().delete(pg)


_ACL_OPTS = ("--type=",)
COMMANDS = [
    CommandSyntax("acl-add", 5, 6, _acl_add,
                  ("--log", "--may-exist", "--type=", "--name=", "--severity=", "--meter=",
             "--label=", "--apply-after-lb"),
                  usage="{SWITCH | PORTGROUP} DIRECTION PRIORITY MATCH ACTION"),
    CommandSyntax("acl-del", 1, 4, _acl_del, _ACL_OPTS,
                  usage="{SWITCH | PORTGROUP} [DIRECTION [PRIORITY MATCH]]"),
    CommandSyntax("acl-list", 1, 1, _acl_list, _ACL_OPTS, mode="ro", usage="{SWITCH | PORTGROUP}"),
    CommandSyntax("qos-add", 5, 7, _qos_add, ("--may-exist",),
                  usage="SWITCH DIRECTION PRIORITY MATCH [rate=RATE [burst=BURST]] [dscp=DSCP]"),
    CommandSyntax("qos-del", 1, 4, _qos_del, usage="SWITCH [{DIRECTION | UUID} [PRIORITY MATCH]]"),
    CommandSyntax("qos-list", 1, 1, _qos_list, mode="ro", usage="SWITCH"),
    CommandSyntax("meter-add", 4, 5, _meter_add, ("--fair", "--may-exist"), usage="NAME ACTION RATE UNIT [BURST]"),
    CommandSyntax("meter-del", 0, 1, _meter_del, usage="[NAME]"),
    CommandSyntax("meter-list", 0, 0, _meter_list, mode="ro"),
    CommandSyntax("pg-add", 1, UNLIMITED, _pg_add, usage="PG [PORTS]"),
    CommandSyntax("pg-set-ports", 2, UNLIMITED, _pg_set_ports, usage="PG PORTS"),
    CommandSyntax("pg-del", 1, 1, _pg_del, usage="PG"),
]
