"""``ovs-vsctl``: the Open_vSwitch database tool, as a declaration on the shared ctl core.

The bridge/port/interface commands work on a model of the configuration rebuilt from the
transaction view whenever a command needs it (:class:`Config`): bridges (real ones, and "fake"
VLAN bridges = ports with ``fake_bridge=true`` and a tag), their ports and interfaces, by name.
A bridge's own port and interface (named like the bridge) are not listed as ports. Because the
model is rebuilt from the view, a command sees what earlier commands of the same invocation did.

Every invocation makes sure the ``Open_vSwitch`` row exists. Without ``--no-wait``, a transaction
that changes something also increments ``next_cfg``, and the tool then waits until
``cur_cfg`` reaches the new value (bounded by ``--timeout``), as the real tool waits for
ovs-vswitchd.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pyovn.ctl import generic
from pyovn.ctl.context import Context
from pyovn.ctl.registry import UNLIMITED, Command, CtlError, RowId, ShowTable, Tool, env_remote
from pyovn.ctl.remotes import (
    Remotes,
    delete_referenced,
    global_row,
    remote_commands,
    ssl_commands,
)
from pyovn.ctl.runner import CtlExit, Run, run_tool
from pyovn.ctl.txnview import Row, TxnView

__all__ = ["TOOL", "main", "default_remote"]


default_remote = env_remote("OVS_RUNDIR", "/var/run/openvswitch", "db.sock")
VERSION_TEXT = "ovs-vsctl (Open vSwitch) 3.1.0\nDB Schema 8.3.1\n"


# -- the configuration model ----------------------------------------------------------------------

@dataclass(eq=False)
class Bridge:
    name: str
    row: Row | None  # the Bridge row (real bridges)
    parent: Bridge | None = None
    vlan: int = 0
    fake_port: Row | None = None  # the Port row of a fake bridge
    ports: list[Port] = field(default_factory=list)
    children: list[Bridge] = field(default_factory=list)

    def real(self) -> Bridge:
        return self.parent if self.parent is not None else self


@dataclass(eq=False)
class Port:
    row: Row
    bridge: Bridge
    ifaces: list[Iface] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.row["name"]


@dataclass(eq=False)
class Iface:
    row: Row
    port: Port


class Config:
    """Bridges, ports and interfaces by name, from the view's current rows."""

    def __init__(self, txn: TxnView, ovs: Row) -> None:
        self.txn = txn
        self.ovs = ovs
        self.bridges: dict[str, Bridge] = {}
        self.ports: dict[str, Port] = {}
        self.ifaces: dict[str, Iface] = {}
        brows = [txn.get("Bridge", u) for u in sorted(ovs["bridges"])]
        for brow in brows:
            if brow is None or brow["name"] in self.bridges:
                continue
            br = self.bridges[brow["name"]] = Bridge(brow["name"], brow)
            for prow in self._ports(brow):
                tag = _tag(prow)
                if (prow["fake_bridge"] and tag is not None and 0 <= tag <= 4095
                        and prow["name"] not in self.bridges):
                    fake = Bridge(prow["name"], None, br, tag, prow)
                    self.bridges[prow["name"]] = fake
                    br.children.append(fake)
        for brow in brows:
            if brow is None:
                continue
            br = self.bridges[brow["name"]]
            if br.row is not brow:
                continue
            for prow in self._ports(brow):
                if prow["name"] in self.ports:
                    continue
                owner = br
                tag = _tag(prow)
                fake_here = self.bridges.get(prow["name"])
                if fake_here is not None and fake_here.parent is br:
                    owner = fake_here
                elif tag is not None and not prow["fake_bridge"]:
                    for child in br.children:
                        if child.vlan == tag:
                            owner = child
                port = Port(prow, owner)
                owner.ports.append(port)
                self.ports[prow["name"]] = port
                for u in sorted(prow["interfaces"]):
                    irow = txn.get("Interface", u)
                    if irow is None or irow["name"] in self.ifaces:
                        continue
                    iface = Iface(irow, port)
                    port.ifaces.append(iface)
                    self.ifaces[irow["name"]] = iface

    def _ports(self, brow: Row) -> list[Row]:
        out = []
        for u in sorted(brow["ports"]):
            prow = self.txn.get("Port", u)
            if prow is not None:
                out.append(prow)
        return out

    def find_bridge(self, name: str, must_exist: bool) -> Bridge | None:
        br = self.bridges.get(name)
        if br is None and must_exist:
            raise CtlError(f"no bridge named {name}")
        return br

    def find_port(self, name: str, must_exist: bool) -> Port | None:
        port = self.ports.get(name)
        if port is not None and port.bridge.name == name:
            port = None
        if port is None and must_exist:
            raise CtlError(f"no port named {name}")
        return port

    def find_iface(self, name: str, must_exist: bool) -> Iface | None:
        iface = self.ifaces.get(name)
        if iface is not None and iface.port.bridge.name == name:
            iface = None
        if iface is None and must_exist:
            raise CtlError(f"no interface named {name}")
        return iface

    def check_conflicts(self, name: str, msg: str) -> None:
        if name in self.bridges:
            raise CtlError(f"{msg} because a bridge named {name} already exists")
        port = self.ports.get(name)
        if port is not None:
            raise CtlError(f"{msg} because a port named {name} already exists on bridge "
                           f"{port.bridge.name}")
        iface = self.ifaces.get(name)
        if iface is not None:
            raise CtlError(f"{msg} because an interface named {name} already exists on bridge "
                           f"{iface.port.bridge.name}")


def _tag(prow: Row) -> int | None:
    tag = prow["tag"]
    return next(iter(tag)) if tag else None


def _ovs(ctx: Context) -> Row:
    return global_row(ctx, "Open_vSwitch")


def _config(ctx: Context) -> Config:
    return Config(ctx.view(), _ovs(ctx))


def _before_commit(run: Run) -> None:
    if "no-wait" in run.opts.extra:
        return
    ovs = run.txn.first("Open_vSwitch")
    if ovs is not None:
        run.txn.increment(ovs, "next_cfg")


def _after_commit(run: Run) -> None:
    target = run.txn.increment_result
    if target is None:
        return
    run.wait_for_row("Open_vSwitch", "cur_cfg", target)


# -- bridges --------------------------------------------------------------------------------------

def _add_br(ctx: Context) -> None:
    argv = ctx.argv
    name = argv[1]
    if len(argv) == 2:
        parent_name, vlan = None, 0
    elif len(argv) == 4:
        parent_name = argv[2]
        try:
            vlan = int(argv[3])
        except ValueError:
            vlan = 0
        if not 0 <= vlan <= 4095:
            raise CtlError(f"{argv[0]}: vlan must be between 0 and 4095")
    else:
        raise CtlError(f"'{argv[0]}' command takes exactly 1 or 3 arguments")
    cfg = _config(ctx)
    txn = ctx.view()
    if ctx.has("--may-exist"):
        br = cfg.find_bridge(name, False)
        if br is not None:
            cmd = f"--may-exist add-br {name}"
            if parent_name is None:
                if br.parent is not None:
                    raise CtlError(f'"{cmd}" but {name} is a VLAN bridge for VLAN {br.vlan}')
            else:
                cmd = f"{cmd} {parent_name} {vlan}"
                if br.parent is None:
                    raise CtlError(f'"{cmd}" but {name} is not a VLAN bridge')
                if br.parent.name != parent_name:
                    raise CtlError(f'"{cmd}" but {name} has the wrong parent {br.parent.name}')
                if br.vlan != vlan:
                    raise CtlError(f'"{cmd}" but {name} is a VLAN bridge for the wrong VLAN '
                                   f"{br.vlan}")
            return
    cfg.check_conflicts(name, f"cannot create a bridge named {name}")
    if parent_name is None:
        iface = txn.insert("Interface")
        txn.write(iface, "name", name)
        txn.write(iface, "type", "internal")
        port = txn.insert("Port")
        txn.write(port, "name", name)
        txn.write(port, "interfaces", frozenset((iface.uuid,)))
        brow = txn.insert("Bridge")
        txn.write(brow, "name", name)
        txn.write(brow, "ports", frozenset((port.uuid,)))
        ovs = _ovs(ctx)
        txn.write(ovs, "bridges", ovs["bridges"] | {brow.uuid})
        return
    parent = cfg.find_bridge(parent_name, False)
    if parent is not None and parent.parent is not None:
        raise CtlError("cannot create bridge with fake bridge as parent")
    if parent is None:
        raise CtlError(f"parent bridge {parent_name} does not exist")
    for child in parent.children:
        if child.vlan == vlan:
            raise CtlError(f"bridge {parent_name} already has a child VLAN bridge {child.name} "
                           f"on VLAN {vlan}")
    iface = txn.insert("Interface")
    txn.write(iface, "name", name)
    txn.write(iface, "type", "internal")
    port = txn.insert("Port")
    txn.write(port, "name", name)
    txn.write(port, "interfaces", frozenset((iface.uuid,)))
    txn.write(port, "fake_bridge", True)
    txn.write(port, "tag", frozenset((vlan,)))
    assert parent.row is not None
    txn.write(parent.row, "ports", parent.row["ports"] | {port.uuid})


def _del_port_rows(ctx: Context, port: Port) -> None:
    txn = ctx.view()
    brow = port.bridge.real().row
    assert brow is not None
    txn.write(brow, "ports", brow["ports"] - {port.row.uuid})
    for iface in port.ifaces:
        txn.delete(iface.row)
    txn.delete(port.row)


def _del_bridge(ctx: Context, cfg: Config, br: Bridge) -> None:
    txn = ctx.view()
    for child in list(br.children):
        _del_bridge(ctx, cfg, child)
    for port in list(br.ports):
        _del_port_rows(ctx, port)
    if br.parent is not None:
        assert br.fake_port is not None and br.parent.row is not None
        prow = br.parent.row
        txn.write(prow, "ports", prow["ports"] - {br.fake_port.uuid})
        txn.delete(br.fake_port)
        return
    assert br.row is not None
    for fs in txn.rows("Flow_Sample_Collector_Set"):
        if br.row.uuid in fs["bridge"]:
            txn.delete(fs)
    ovs = _ovs(ctx)
    txn.write(ovs, "bridges", ovs["bridges"] - {br.row.uuid})
    txn.delete(br.row)


def _del_br(ctx: Context) -> None:
    cfg = _config(ctx)
    br = cfg.find_bridge(ctx.argv[1], not ctx.has("--if-exists"))
    if br is not None:
        _del_bridge(ctx, cfg, br)


def _list_br(ctx: Context) -> None:
    cfg = _config(ctx)
    real_only = ctx.has("--real")
    fake_only = ctx.has("--fake")
    names = [n for n, b in cfg.bridges.items()
             if not (real_only and b.parent is not None) and not (fake_only and b.parent is None)]
    ctx.out("".join(f"{n}\n" for n in sorted(names, key=str.encode)))


def _br_exists(ctx: Context) -> None:
    if _config(ctx).find_bridge(ctx.argv[1], False) is None:
        raise CtlExit(2)


def _br_to_vlan(ctx: Context) -> None:
    br = _config(ctx).find_bridge(ctx.argv[1], True)
    assert br is not None
    ctx.out(f"{br.vlan}\n")


def _br_to_parent(ctx: Context) -> None:
    br = _config(ctx).find_bridge(ctx.argv[1], True)
    assert br is not None
    ctx.out(f"{br.real().name}\n")


def _br_ids_target(br: Bridge) -> tuple[Row, str]:
    if br.parent is not None:
        assert br.fake_port is not None
        return br.fake_port, "fake-bridge-"
    assert br.row is not None
    return br.row, ""


def _br_set_external_id(ctx: Context) -> None:
    br = _config(ctx).find_bridge(ctx.argv[1], True)
    assert br is not None
    row, prefix = _br_ids_target(br)
    ids = dict(row["external_ids"])
    key = prefix + ctx.argv[2]
    if len(ctx.argv) > 3:
        ids[key] = ctx.argv[3]
    else:
        ids.pop(key, None)
    ctx.view().write(row, "external_ids", ids)


def _br_get_external_id(ctx: Context) -> None:
    br = _config(ctx).find_bridge(ctx.argv[1], True)
    assert br is not None
    row, prefix = _br_ids_target(br)
    ids = row["external_ids"]
    if len(ctx.argv) > 2:
        value = ids.get(prefix + ctx.argv[2])
        if value is not None:
            ctx.out(f"{value}\n")
        return
    lines = [f"{k[len(prefix):]}={v}" for k, v in ids.items() if k.startswith(prefix)]
    ctx.out("".join(f"{line}\n" for line in sorted(lines, key=str.encode)))


# -- ports and interfaces -------------------------------------------------------------------------

def _list_ports(ctx: Context) -> None:
    br = _config(ctx).find_bridge(ctx.argv[1], True)
    assert br is not None
    names = [p.name for p in br.ports if p.name != br.name]
    ctx.out("".join(f"{n}\n" for n in sorted(names, key=str.encode)))


def _list_ifaces(ctx: Context) -> None:
    br = _config(ctx).find_bridge(ctx.argv[1], True)
    assert br is not None
    names = [i.row["name"] for p in br.ports for i in p.ifaces if i.row["name"] != br.name]
    ctx.out("".join(f"{n}\n" for n in sorted(names, key=str.encode)))


def _add_port_common(ctx: Context, br_name: str, port_name: str, iface_names: list[str],
                     settings: list[str], fake_iface: bool, command: str) -> None:
    cfg = _config(ctx)
    txn = ctx.view()
    if ctx.has("--may-exist"):
        existing = cfg.find_port(port_name, False)
        if existing is not None:
            want = sorted(iface_names, key=str.encode)
            have = []
            for u in existing.row["interfaces"]:
                irow = txn.get("Interface", u)
                if irow is not None:
                    have.append(irow["name"])
            have.sort(key=str.encode)
            if existing.bridge.name != br_name:
                raise CtlError(f'"{command}" but {port_name} is actually attached to bridge '
                               f"{existing.bridge.name}")
            if want != have:
                raise CtlError(f'"{command}" but {port_name} actually has interface(s) '
                               f"{', '.join(have)}")
            return
    cfg.check_conflicts(port_name, f"cannot create a port named {port_name}")
    for name in iface_names:
        cfg.check_conflicts(name, f"cannot create an interface named {name}")
    br = cfg.find_bridge(br_name, True)
    assert br is not None
    ifaces = []
    for name in iface_names:
        irow = txn.insert("Interface")
        txn.write(irow, "name", name)
        ifaces.append(irow.uuid)
    prow = txn.insert("Port")
    txn.write(prow, "name", port_name)
    txn.write(prow, "interfaces", frozenset(ifaces))
    txn.write(prow, "bond_fake_iface", fake_iface)
    if br.parent is not None:
        txn.write(prow, "tag", frozenset((br.vlan,)))
    for setting in settings:
        generic.set_column(ctx, prow, setting)
    real = br.real().row
    assert real is not None
    txn.write(real, "ports", real["ports"] | {prow.uuid})


def _add_port(ctx: Context) -> None:
    argv = ctx.argv
    _add_port_common(ctx, argv[1], argv[2], [argv[2]], argv[3:], False,
                     f"--may-exist add-port {argv[1]} {argv[2]}")


def _add_bond(ctx: Context) -> None:
    argv = ctx.argv
    n = 0
    while 3 + n < len(argv) and "=" not in argv[3 + n]:
        n += 1
    if n < 2:
        raise CtlError(f"add-bond requires at least 2 interfaces, but only {n} were specified")
    ifaces = argv[3:3 + n]
    _add_port_common(ctx, argv[1], argv[2], ifaces, argv[3 + n:], ctx.has("--fake-iface"),
                     f"--may-exist add-bond {argv[1]} {argv[2]} {' '.join(ifaces)}")


def _del_port(ctx: Context) -> None:
    must_exist = not ctx.has("--if-exists")
    target = ctx.argv[-1]
    cfg = _config(ctx)
    port: Port | None
    if cfg.find_bridge(target, False) is not None:
        if must_exist:
            raise CtlError(f"cannot delete port {target} because it is the local port for bridge "
                           f"{target} (deleting this port requires deleting the entire bridge)")
        port = None
    elif not ctx.has("--with-iface"):
        port = cfg.find_port(target, must_exist)
    else:
        port = cfg.find_port(target, False)
        if port is None:
            iface = cfg.find_iface(target, False)
            if iface is not None:
                port = iface.port
        if must_exist and port is None:
            raise CtlError(f"no port or interface named {target}")
    if port is None:
        return
    if len(ctx.argv) == 3:
        br = cfg.find_bridge(ctx.argv[1], True)
        assert br is not None
        if port.bridge is not br:
            if port.bridge.parent is br:
                raise CtlError(f"bridge {ctx.argv[1]} does not have a port {ctx.argv[2]} "
                               f"(although its parent bridge {br.name} does)")
            raise CtlError(f"bridge {ctx.argv[1]} does not have a port {ctx.argv[2]}")
    _del_port_rows(ctx, port)


def _port_to_br(ctx: Context) -> None:
    port = _config(ctx).find_port(ctx.argv[1], True)
    assert port is not None
    ctx.out(f"{port.bridge.name}\n")


def _iface_to_br(ctx: Context) -> None:
    iface = _config(ctx).find_iface(ctx.argv[1], True)
    assert iface is not None
    ctx.out(f"{iface.port.bridge.name}\n")


def _add_bond_iface(ctx: Context) -> None:
    port_name, iface_name = ctx.argv[1], ctx.argv[2]
    cfg = _config(ctx)
    port = cfg.find_port(port_name, True)
    assert port is not None
    if ctx.has("--may-exist"):
        iface = cfg.find_iface(iface_name, False)
        if iface is not None:
            if iface.port is port:
                return
            raise CtlError(f'"--may-exist add-bond-iface {port_name} {iface_name}" but '
                           f"{iface_name} is actually attached to port {iface.port.name}")
    cfg.check_conflicts(iface_name, f"cannot create an interface named {iface_name}")
    txn = ctx.view()
    irow = txn.insert("Interface")
    txn.write(irow, "name", iface_name)
    txn.write(port.row, "interfaces", port.row["interfaces"] | {irow.uuid})


def _del_bond_iface(ctx: Context) -> None:
    cfg = _config(ctx)
    iface = cfg.find_iface(ctx.argv[-1], not ctx.has("--if-exists"))
    if iface is None:
        return
    port = iface.port
    if len(ctx.argv) == 3:
        port = cfg.find_port(ctx.argv[1], True)
        assert port is not None
        if iface.port is not port:
            raise CtlError(f"port {ctx.argv[1]} does not have an interface {ctx.argv[2]}")
    if len(port.ifaces) == 1:
        raise CtlError(f"cannot delete last interface from port {port.name}")
    txn = ctx.view()
    txn.write(port.row, "interfaces", port.row["interfaces"] - {iface.row.uuid})
    txn.delete(iface.row)


# -- controllers, fail mode, managers, SSL --------------------------------------------------------

def _real_bridge_row(ctx: Context) -> Row:
    br = _config(ctx).find_bridge(ctx.argv[1], True)
    assert br is not None
    row = br.real().row
    assert row is not None
    return row


def _get_controller(ctx: Context) -> None:
    controllers = ctx.view().referenced("Controller", _real_bridge_row(ctx)["controller"])
    targets = [c["target"] for c in controllers]
    ctx.out("".join(f"{t}\n" for t in sorted(targets, key=str.encode)))


def _del_controller(ctx: Context) -> None:
    delete_referenced(ctx.view(), _real_bridge_row(ctx), "controller", "Controller")


def _set_controller(ctx: Context) -> None:
    row = _real_bridge_row(ctx)
    txn = ctx.view()
    delete_referenced(txn, row, "controller", "Controller")
    probe = ctx.option("--inactivity-probe")
    new = []
    for target in ctx.argv[2:]:
        controller = txn.insert("Controller")
        txn.write(controller, "target", target)
        if probe is not None:
            txn.write(controller, "inactivity_probe", frozenset((_c_number(probe) or 0,)))
        new.append(controller.uuid)
    txn.write(row, "controller", frozenset(new))


def _get_fail_mode(ctx: Context) -> None:
    row = _real_bridge_row(ctx)
    if row["fail_mode"]:
        ctx.out(f"{next(iter(row['fail_mode']))}\n")


def _del_fail_mode(ctx: Context) -> None:
    ctx.view().write(_real_bridge_row(ctx), "fail_mode", frozenset())


def _set_fail_mode(ctx: Context) -> None:
    row = _real_bridge_row(ctx)
    mode = ctx.argv[2]
    if mode not in ("standalone", "secure"):
        raise CtlError('fail-mode must be "standalone" or "secure"')
    ctx.view().write(row, "fail_mode", frozenset((mode,)))


def _init(ctx: Context) -> None:
    """Nothing to do: the Open_vSwitch row is created for every invocation if missing."""


def _show(ctx: Context) -> None:
    generic.show(ctx, SHOW_TABLES)


def _emer_reset(ctx: Context) -> None:
    txn = ctx.view()
    ovs = _ovs(ctx)
    txn.write(ovs, "manager_options", frozenset())
    txn.write(ovs, "ssl", frozenset())
    for brow in txn.rows("Bridge"):
        for col, value in (("controller", frozenset()), ("fail_mode", frozenset()),
                           ("mirrors", frozenset()), ("netflow", frozenset()),
                           ("sflow", frozenset()), ("ipfix", frozenset()),
                           ("flood_vlans", frozenset())):
            txn.write(brow, col, value)
        ids = {k: v for k, v in brow["other_config"].items() if k in ("hwaddr",)}
        txn.write(brow, "other_config", ids)
    for prow in txn.rows("Port"):
        txn.write(prow, "other_config", {})
    for irow in txn.rows("Interface"):
        txn.write(irow, "other_config", {})
    for table in ("Mirror", "NetFlow", "sFlow", "IPFIX", "Controller", "Manager", "SSL"):
        for row in txn.rows(table):
            txn.delete(row)


# -- conntrack zone timeout policies, datapath capabilities, auto-attach ---------------------------

def _c_number(text: str) -> int | None:
    """A leading decimal number as C's strtol reads it ("12x" is 12), or None if there is none."""
    m = re.match(r"\s*([+-]?\d+)", text)
    return int(m.group(1)) if m else None


def _datapath(ctx: Context, name: str) -> Row | None:
    uuid = _ovs(ctx)["datapaths"].get(name)
    return None if uuid is None else ctx.view().get("Datapath", uuid)


def _zone_id(ctx: Context) -> int:
    arg = ctx.argv[2]
    zone = _c_number(arg[5:]) if arg.startswith("zone=") else None
    if zone is None:
        raise CtlError(f"invalid zone id {arg}")  # the real tool reads garbage here
    return zone


def _add_zone_tp(ctx: Context) -> None:
    name = ctx.argv[1]
    zone = _zone_id(ctx)
    dp = _datapath(ctx, name)
    if dp is None:
        raise CtlError(f"datapath {name} does not exist")
    txn = ctx.view()
    zones = dict(dp["ct_zones"])
    if zone in zones and not ctx.has("--may-exist"):
        raise CtlError(f"zone id {zone} already exists")
    timeouts: dict[str, int] = {}
    for arg in ctx.argv[3:]:
        key, _, value = arg.partition("=")
        timeouts[key] = _c_number(value) or 0
    policy = txn.insert("CT_Timeout_Policy")
    txn.write(policy, "timeouts", timeouts)
    zrow = txn.get("CT_Zone", zones[zone]) if zone in zones else None
    if zrow is None:
        zrow = txn.insert("CT_Zone")
        zones[zone] = zrow.uuid
        txn.write(dp, "ct_zones", zones)
    txn.write(zrow, "timeout_policy", frozenset((policy.uuid,)))


def _del_zone_tp(ctx: Context) -> None:
    name = ctx.argv[1]
    zone = _zone_id(ctx)
    dp = _datapath(ctx, name)
    if dp is None:
        raise CtlError(f"datapath {name} does not exist")
    zones = dict(dp["ct_zones"])
    if zone not in zones:
        if ctx.has("--if-exists"):
            return
        raise CtlError(f"zone id {zone} does not exist")
    del zones[zone]
    ctx.view().write(dp, "ct_zones", zones)


def _list_zone_tp(ctx: Context) -> None:
    dp = _datapath(ctx, ctx.argv[1])
    if dp is None:
        raise CtlError(f"datapath: {ctx.argv[1]} record not found")
    txn = ctx.view()
    out = []
    for zone, uuid in sorted(dp["ct_zones"].items()):
        zrow = txn.get("CT_Zone", uuid)
        policies = ""
        if zrow is not None and zrow["timeout_policy"]:
            prow = txn.get("CT_Timeout_Policy", next(iter(zrow["timeout_policy"])))
            if prow is not None:
                policies = "".join(f"{k}={v} " for k, v in sorted(prow["timeouts"].items()))
        out.append(f"Zone:{zone}, Timeout Policies: {policies}".rstrip(" ") + "\n")
    ctx.out("".join(out))


def _list_dp_cap(ctx: Context) -> None:
    dp = _datapath(ctx, ctx.argv[1])
    if dp is None:
        raise CtlError(f'datapath "{ctx.argv[1]}" record not found')
    # The real tool prints the capabilities in its hash table's order; sorted here.
    caps = sorted(dp["capabilities"].items())
    ctx.out(" ".join(f"{k}={v}" for k, v in caps) + "\n")


def _aa_args(ctx: Context) -> tuple[int, int]:
    numbers = []
    for arg in ctx.argv[2:4]:
        n = _c_number(arg)
        if n is None:
            raise CtlError(f"Invalid argument {arg}")
        numbers.append(n)
    return numbers[0], numbers[1]


def _aa_bridge(ctx: Context) -> Row:
    br = _config(ctx).find_bridge(ctx.argv[1], True)
    assert br is not None
    row = br.real().row
    assert row is not None
    return row


def _add_aa_mapping(ctx: Context) -> None:
    isid, vlan = _aa_args(ctx)
    brow = _aa_bridge(ctx)
    txn = ctx.view()
    aa = txn.get("AutoAttach", next(iter(brow["auto_attach"]))) if brow["auto_attach"] else None
    if aa is None:
        aa = txn.insert("AutoAttach")
        txn.write(brow, "auto_attach", frozenset((aa.uuid,)))
    mappings = dict(aa["mappings"])
    mappings.setdefault(isid, vlan)
    txn.write(aa, "mappings", mappings)


def _del_aa_mapping(ctx: Context) -> None:
    isid, vlan = _aa_args(ctx)
    brow = _aa_bridge(ctx)
    txn = ctx.view()
    aa = txn.get("AutoAttach", next(iter(brow["auto_attach"]))) if brow["auto_attach"] else None
    if aa is not None and aa["mappings"].get(isid) == vlan:
        mappings = dict(aa["mappings"])
        del mappings[isid]
        txn.write(aa, "mappings", mappings)


def _get_aa_mapping(ctx: Context) -> None:
    brow = _aa_bridge(ctx)
    txn = ctx.view()
    aa = txn.get("AutoAttach", next(iter(brow["auto_attach"]))) if brow["auto_attach"] else None
    if aa is not None:
        ctx.out("".join(f"{k} {v}\n" for k, v in sorted(aa["mappings"].items())))


SHOW_TABLES = [
    ShowTable("Open_vSwitch", None, ("manager_options", "bridges", "ovs_version")),
    ShowTable("Bridge", "name", ("controller", "fail_mode", "datapath_type", "ports")),
    ShowTable("Port", "name", ("tag", "trunks", "interfaces")),
    ShowTable("Interface", "name", ("type", "options", "error", "bfd_status")),
    ShowTable("Controller", "target", ("is_connected",)),
    ShowTable("Manager", "target", ("is_connected",)),
]

ROW_IDS = {
    "AutoAttach": [RowId("Bridge", "name", None, "auto_attach")],
    "Bridge": [RowId("Bridge", "name")],
    "Controller": [RowId("Bridge", "name", None, "controller")],
    "Flow_Sample_Collector_Set": [RowId("Flow_Sample_Collector_Set", "id")],
    "Flow_Table": [RowId("Flow_Table", "name")],
    "IPFIX": [RowId("Bridge", "name", None, "ipfix")],
    "Interface": [RowId("Interface", "name")],
    "Manager": [RowId("Manager", "target")],
    "Mirror": [RowId("Mirror", "name")],
    "NetFlow": [RowId("Bridge", "name", None, "netflow")],
    "Port": [RowId("Port", "name")],
    "QoS": [RowId("Port", "name", None, "qos")],
    "sFlow": [RowId("Bridge", "name", None, "sflow")],
}

COMMANDS = [
    Command("init", 0, 0, _init),
    Command("show", 0, 0, _show, mode="ro"),
    Command("emer-reset", 0, 0, _emer_reset),
    Command("add-br", 1, 3, _add_br, ("--may-exist",), usage="BRIDGE [PARENT] [NEW-VLAN]"),
    Command("del-br", 1, 1, _del_br, ("--if-exists",), usage="BRIDGE"),
    Command("list-br", 0, 0, _list_br, ("--real", "--fake"), mode="ro"),
    Command("br-exists", 1, 1, _br_exists, mode="ro", usage="BRIDGE"),
    Command("br-to-vlan", 1, 1, _br_to_vlan, mode="ro", usage="BRIDGE"),
    Command("br-to-parent", 1, 1, _br_to_parent, mode="ro", usage="BRIDGE"),
    Command("br-set-external-id", 2, 3, _br_set_external_id, usage="BRIDGE KEY [VALUE]"),
    Command("br-get-external-id", 1, 2, _br_get_external_id, mode="ro", usage="BRIDGE [KEY]"),
    Command("list-ports", 1, 1, _list_ports, mode="ro", usage="BRIDGE"),
    Command("add-port", 2, UNLIMITED, _add_port, ("--may-exist",),
            usage="BRIDGE NEW-PORT [COLUMN[:KEY]=VALUE]..."),
    Command("add-bond", 4, UNLIMITED, _add_bond, ("--may-exist", "--fake-iface", "--lacp="),
            usage="BRIDGE PORT IFACE... [COLUMN[:KEY]=VALUE]..."),
    Command("del-port", 1, 2, _del_port, ("--if-exists", "--with-iface"),
            usage="[BRIDGE] PORT|IFACE"),
    Command("port-to-br", 1, 1, _port_to_br, mode="ro", usage="PORT"),
    Command("list-ifaces", 1, 1, _list_ifaces, mode="ro", usage="BRIDGE"),
    Command("iface-to-br", 1, 1, _iface_to_br, mode="ro", usage="IFACE"),
    Command("add-bond-iface", 2, 2, _add_bond_iface, ("--may-exist",), usage="BOND IFACE"),
    Command("del-bond-iface", 1, 2, _del_bond_iface, ("--if-exists",), usage="[BOND] IFACE"),
    Command("add-zone-tp", 3, UNLIMITED, _add_zone_tp, ("--may-exist",),
            usage="DATAPATH zone=ZONE_ID POLICY=VALUE..."),
    Command("del-zone-tp", 2, 2, _del_zone_tp, ("--if-exists",), usage="DATAPATH zone=ZONE_ID"),
    Command("list-zone-tp", 1, 1, _list_zone_tp, mode="ro", usage="DATAPATH"),
    Command("list-dp-cap", 1, 1, _list_dp_cap, mode="ro", usage="DATAPATH"),
    Command("add-aa-mapping", 3, 3, _add_aa_mapping, usage="BRIDGE ISID VLAN"),
    Command("del-aa-mapping", 3, 3, _del_aa_mapping, usage="BRIDGE ISID VLAN"),
    Command("get-aa-mapping", 1, 1, _get_aa_mapping, mode="ro", usage="BRIDGE"),
    Command("get-controller", 1, 1, _get_controller, mode="ro", usage="BRIDGE"),
    Command("del-controller", 1, 1, _del_controller, usage="BRIDGE"),
    Command("set-controller", 1, UNLIMITED, _set_controller, ("--inactivity-probe=",),
            usage="BRIDGE TARGET..."),
    Command("get-fail-mode", 1, 1, _get_fail_mode, mode="ro", usage="BRIDGE"),
    Command("del-fail-mode", 1, 1, _del_fail_mode, usage="BRIDGE"),
    Command("set-fail-mode", 2, 2, _set_fail_mode, usage="BRIDGE MODE"),
    *remote_commands(Remotes("Open_vSwitch", "manager", "manager_options", "Manager", "vsctl")),
    *ssl_commands("Open_vSwitch", protocols=False),
]


TOOL = Tool(
    "ovs-vsctl", "Open_vSwitch", default_remote, row_ids=ROW_IDS, show_tables=SHOW_TABLES,
    global_options={"no-wait": False, "retry": False}, global_table="Open_vSwitch",
    before_commit=_before_commit, after_commit=_after_commit, getopt_messages=True,
    version=VERSION_TEXT,
).add(COMMANDS, generic.COMMANDS)


def main(argv: list[str]) -> int:
    return run_tool(TOOL, argv)
