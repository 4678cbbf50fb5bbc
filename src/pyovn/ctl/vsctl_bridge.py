"""``ovs-vsctl``'s bridges, ports and interfaces: the configuration model and its commands.

The commands work on a model of the configuration rebuilt from the transaction view whenever a
command needs it (:class:`Config`): bridges (real ones, and "fake" VLAN bridges = ports with
``fake_bridge=true`` and a tag), their ports and interfaces, by name. A bridge's own port and
interface (named like the bridge) are not listed as ports. Because the model is rebuilt from the
view, a command sees what earlier commands of the same invocation did.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pyovn.ctl import generic
from pyovn.ctl.context import Context
from pyovn.ctl.registry import UNLIMITED, CommandSyntax, CtlError
from pyovn.ctl.remotes import global_row
from pyovn.ctl.runner import CtlExit
from pyovn.ctl.txnview import TxnView, ViewRow

__all__ = ["COMMANDS", "VsctlBridge", "Config", "VsctlIface", "VsctlPort", "config", "ovs_row"]


# -- the configuration model ----------------------------------------------------------------------

@dataclass(eq=False)
class VsctlBridge:
    name: str
    row: ViewRow | None  # the Bridge row (real bridges)
    parent: VsctlBridge | None = None
    vlan: int = 0
    fake_port: ViewRow | None = None  # the Port row of a fake bridge
    ports: list[VsctlPort] = field(default_factory=list)
    children: list[VsctlBridge] = field(default_factory=list)

    def real(self) -> VsctlBridge:
        return self.parent if self.parent is not None else self


@dataclass(eq=False)
class VsctlPort:
    row: ViewRow
    bridge: VsctlBridge
    ifaces: list[VsctlIface] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.row["name"]


@dataclass(eq=False)
class VsctlIface:
    row: ViewRow
    port: VsctlPort


class Config:
    """Bridges, ports and interfaces by name, from the view's current rows."""

    def __init__(self, txn: TxnView, ovs: ViewRow) -> None:
        self.txn = txn
        self.ovs = ovs
        self.bridges: dict[str, VsctlBridge] = {}
        self.ports: dict[str, VsctlPort] = {}
        self.ifaces: dict[str, VsctlIface] = {}
        brows = [txn.get("Bridge", u) for u in sorted(ovs["bridges"])]
        for brow in brows:
            if brow is None or brow["name"] in self.bridges:
                continue
            br = self.bridges[brow["name"]] = VsctlBridge(brow["name"], brow)
            for prow in self._ports(brow):
                tag = _tag(prow)
                if (prow["fake_bridge"] and tag is not None and 0 <= tag <= 4095
                        and prow["name"] not in self.bridges):
                    fake = VsctlBridge(prow["name"], None, br, tag, prow)
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
                port = VsctlPort(prow, owner)
                owner.ports.append(port)
                self.ports[prow["name"]] = port
                for u in sorted(prow["interfaces"]):
                    irow = txn.get("Interface", u)
                    if irow is None or irow["name"] in self.ifaces:
                        continue
                    iface = VsctlIface(irow, port)
                    port.ifaces.append(iface)
                    self.ifaces[irow["name"]] = iface

    def _ports(self, brow: ViewRow) -> list[ViewRow]:
        out = []
        for u in sorted(brow["ports"]):
            prow = self.txn.get("Port", u)
            if prow is not None:
                out.append(prow)
        return out

    def find_bridge(self, name: str, must_exist: bool) -> VsctlBridge | None:
        br = self.bridges.get(name)
        if br is None and must_exist:
            raise CtlError(f"no bridge named {name}")
        return br

    def find_port(self, name: str, must_exist: bool) -> VsctlPort | None:
        port = self.ports.get(name)
        if port is not None and port.bridge.name == name:
            port = None
        if port is None and must_exist:
            raise CtlError(f"no port named {name}")
        return port

    def find_iface(self, name: str, must_exist: bool) -> VsctlIface | None:
        iface = self.ifaces.get(name)
        if iface is not None and iface.port.bridge.name == name:
            iface = None
        if iface is None and must_exist:
            raise CtlError(f"no interface named {name}")
        return iface

    # The must-exist lookups, for a command's bridge, port or interface argument.
    def need_bridge(self, name: str) -> VsctlBridge:
        br = self.find_bridge(name, True)
        assert br is not None
        return br

    def need_port(self, name: str) -> VsctlPort:
        port = self.find_port(name, True)
        assert port is not None
        return port

    def need_iface(self, name: str) -> VsctlIface:
        iface = self.find_iface(name, True)
        assert iface is not None
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


def _tag(prow: ViewRow) -> int | None:
    tag = prow["tag"]
    return next(iter(tag)) if tag else None


def ovs_row(ctx: Context) -> ViewRow:
    """The Open_vSwitch row."""
    return global_row(ctx, "Open_vSwitch")


def config(ctx: Context) -> Config:
    """The configuration model of the view's current rows."""
    return Config(ctx.view(), ovs_row(ctx))


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
    cfg = config(ctx)
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
        ovs = ovs_row(ctx)
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


def _del_port_rows(ctx: Context, port: VsctlPort) -> None:
    txn = ctx.view()
    brow = port.bridge.real().row
    assert brow is not None
    txn.write(brow, "ports", brow["ports"] - {port.row.uuid})
    for iface in port.ifaces:
        txn.delete(iface.row)
    txn.delete(port.row)


def _del_bridge(ctx: Context, cfg: Config, br: VsctlBridge) -> None:
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
    ovs = ovs_row(ctx)
    txn.write(ovs, "bridges", ovs["bridges"] - {br.row.uuid})
    txn.delete(br.row)


def _del_br(ctx: Context) -> None:
    cfg = config(ctx)
    br = cfg.find_bridge(ctx.argv[1], not ctx.has("--if-exists"))
    if br is not None:
        _del_bridge(ctx, cfg, br)


def _list_br(ctx: Context) -> None:
    cfg = config(ctx)
    real_only = ctx.has("--real")
    fake_only = ctx.has("--fake")
    names = [n for n, b in cfg.bridges.items()
             if not (real_only and b.parent is not None) and not (fake_only and b.parent is None)]
    ctx.out("".join(f"{n}\n" for n in sorted(names, key=str.encode)))


def _br_exists(ctx: Context) -> None:
    if config(ctx).find_bridge(ctx.argv[1], False) is None:
        raise CtlExit(2)


def _br_to_vlan(ctx: Context) -> None:
    br = config(ctx).need_bridge(ctx.argv[1])
    ctx.out(f"{br.vlan}\n")


def _br_to_parent(ctx: Context) -> None:
    br = config(ctx).need_bridge(ctx.argv[1])
    ctx.out(f"{br.real().name}\n")


def _br_ids_target(br: VsctlBridge) -> tuple[ViewRow, str]:
    if br.parent is not None:
        assert br.fake_port is not None
        return br.fake_port, "fake-bridge-"
    assert br.row is not None
    return br.row, ""


def _br_set_external_id(ctx: Context) -> None:
    br = config(ctx).need_bridge(ctx.argv[1])
    row, prefix = _br_ids_target(br)
    ids = dict(row["external_ids"])
    key = prefix + ctx.argv[2]
    if len(ctx.argv) > 3:
        ids[key] = ctx.argv[3]
    else:
        ids.pop(key, None)
    ctx.view().write(row, "external_ids", ids)


def _br_get_external_id(ctx: Context) -> None:
    br = config(ctx).need_bridge(ctx.argv[1])
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
    br = config(ctx).need_bridge(ctx.argv[1])
    names = [p.name for p in br.ports if p.name != br.name]
    ctx.out("".join(f"{n}\n" for n in sorted(names, key=str.encode)))


def _list_ifaces(ctx: Context) -> None:
    br = config(ctx).need_bridge(ctx.argv[1])
    names = [i.row["name"] for p in br.ports for i in p.ifaces if i.row["name"] != br.name]
    ctx.out("".join(f"{n}\n" for n in sorted(names, key=str.encode)))


def _add_port_common(ctx: Context, br_name: str, port_name: str, iface_names: list[str],
                     settings: list[str], fake_iface: bool, command: str) -> None:
    cfg = config(ctx)
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
    br = cfg.need_bridge(br_name)
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
    cfg = config(ctx)
    port: VsctlPort | None
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
        br = cfg.need_bridge(ctx.argv[1])
        if port.bridge is not br:
            if port.bridge.parent is br:
                raise CtlError(f"bridge {ctx.argv[1]} does not have a port {ctx.argv[2]} "
                               f"(although its parent bridge {br.name} does)")
            raise CtlError(f"bridge {ctx.argv[1]} does not have a port {ctx.argv[2]}")
    _del_port_rows(ctx, port)


def _port_to_br(ctx: Context) -> None:
    port = config(ctx).need_port(ctx.argv[1])
    ctx.out(f"{port.bridge.name}\n")


def _iface_to_br(ctx: Context) -> None:
    iface = config(ctx).need_iface(ctx.argv[1])
    ctx.out(f"{iface.port.bridge.name}\n")


def _add_bond_iface(ctx: Context) -> None:
    port_name, iface_name = ctx.argv[1], ctx.argv[2]
    cfg = config(ctx)
    port = cfg.need_port(port_name)
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
    cfg = config(ctx)
    iface = cfg.find_iface(ctx.argv[-1], not ctx.has("--if-exists"))
    if iface is None:
        return
    port = iface.port
    if len(ctx.argv) == 3:
        port = cfg.need_port(ctx.argv[1])
        if iface.port is not port:
            raise CtlError(f"port {ctx.argv[1]} does not have an interface {ctx.argv[2]}")
    if len(port.ifaces) == 1:
        raise CtlError(f"cannot delete last interface from port {port.name}")
    txn = ctx.view()
    txn.write(port.row, "interfaces", port.row["interfaces"] - {iface.row.uuid})
    txn.delete(iface.row)


COMMANDS = [
    CommandSyntax("add-br", 1, 3, _add_br, ("--may-exist",), usage="BRIDGE [PARENT] [NEW-VLAN]"),
    CommandSyntax("del-br", 1, 1, _del_br, ("--if-exists",), usage="BRIDGE"),
    CommandSyntax("list-br", 0, 0, _list_br, ("--real", "--fake"), mode="ro"),
    CommandSyntax("br-exists", 1, 1, _br_exists, mode="ro", usage="BRIDGE"),
    CommandSyntax("br-to-vlan", 1, 1, _br_to_vlan, mode="ro", usage="BRIDGE"),
    CommandSyntax("br-to-parent", 1, 1, _br_to_parent, mode="ro", usage="BRIDGE"),
    CommandSyntax("br-set-external-id", 2, 3, _br_set_external_id, usage="BRIDGE KEY [VALUE]"),
    CommandSyntax("br-get-external-id", 1, 2, _br_get_external_id, mode="ro", usage="BRIDGE [KEY]"),
    CommandSyntax("list-ports", 1, 1, _list_ports, mode="ro", usage="BRIDGE"),
    CommandSyntax("add-port", 2, UNLIMITED, _add_port, ("--may-exist",),
                  usage="BRIDGE NEW-PORT [COLUMN[:KEY]=VALUE]..."),
    CommandSyntax("add-bond", 4, UNLIMITED, _add_bond, ("--may-exist", "--fake-iface", "--lacp="),
                  usage="BRIDGE PORT IFACE... [COLUMN[:KEY]=VALUE]..."),
    CommandSyntax("del-port", 1, 2, _del_port, ("--if-exists", "--with-iface"),
                  usage="[BRIDGE] PORT|IFACE"),
    CommandSyntax("port-to-br", 1, 1, _port_to_br, mode="ro", usage="PORT"),
    CommandSyntax("list-ifaces", 1, 1, _list_ifaces, mode="ro", usage="BRIDGE"),
    CommandSyntax("iface-to-br", 1, 1, _iface_to_br, mode="ro", usage="IFACE"),
    CommandSyntax("add-bond-iface", 2, 2, _add_bond_iface, ("--may-exist",), usage="BOND IFACE"),
    CommandSyntax("del-bond-iface", 1, 2, _del_bond_iface, ("--if-exists",), usage="[BOND] IFACE"),
]
