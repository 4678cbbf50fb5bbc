"""A whole OVN on one machine, made of interchangeable parts: for end-to-end tests and benchmarks.

A :class:`Flavour` says which implementation runs each part: the OVSDB servers (central NB and
SB, and the chassis' local Open_vSwitch database), northd, the chassis, and the ctl tools the
stack's helpers call; ``"real"`` is OVN 23.03 / OVS 3.1's binary, ``"pyovn"`` is ``python -m
pyovn TOOL``.  The chassis is either the real ovn-controller over the real ovs-vswitchd
(userspace datapath, ``datapath_type=netdev``: there is no kernel module) or pyovn's controller
alone, which plays ovs-vswitchd's role for the local database itself.

Every stack has its own network namespace for the chassis (``hv-<tag>``): the daemons that own
devices run in it, so the userspace datapath's ``ovs-netdev`` and ``br-int`` devices, and the TAP
devices pyovn's controller makes for ``type=internal`` interfaces, never meet another stack's.
"VMs" are namespaces ``<name>-<tag>`` with one interface:

- real chassis: a veth pair, one end in the VM (``eth0``), the other in the chassis namespace
  named like the VM, added to br-int with ``external_ids:iface-id``;
- pyovn chassis: the OVN tutorial's way, ``ovs-vsctl add-port br-int vm1 -- set interface vm1
  type=internal external_ids:iface-id=...``, then the TAP device ``vm1`` is moved into the VM's
  namespace and configured there (the real vswitchd's userspace datapath cannot do this: it
  keeps using the device by name in its own namespace, hence the veth for it).

Everything lives under ``directory`` (databases, pidfiles, logs, control sockets; nothing in the
system's run directories); :meth:`Stack.close` stops every process and removes every namespace
it made, also after a failure.  Needs root and ``ip``; :func:`missing` says what a flavour lacks.
"""

from __future__ import annotations

import contextlib
import functools
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

__all__ = [
    "FLAVOURS",
    "Flavour",
    "Stack",
    "StackError",
    "Vm",
    "alive",
    "missing",
    "pyovn_controller_available",
]

Impl = Literal["real", "pyovn"]

_SBIN = ("/usr/sbin", "/sbin", "/usr/share/openvswitch/scripts")


class StackError(RuntimeError):
    """A command of the stack failed, or something did not happen in time."""


@dataclass(frozen=True)
class Flavour:
    """Which implementation runs each part of a stack."""

    name: str
    dbs: Impl  # ovsdb-server (and ovsdb-tool) for NB, SB and the local Open_vSwitch database
    northd: Impl
    chassis: Impl  # real: ovn-controller + ovs-vswitchd (netdev); pyovn: pyovn controller
    tools: Impl  # ovn-nbctl, ovn-sbctl, ovs-vsctl as the stack's helpers call them

    def describe(self) -> str:
        chassis = ("ovn-controller + ovs-vswitchd (netdev)" if self.chassis == "real"
                   else "pyovn controller")
        return (f"{self.name}: {self.dbs} ovsdb-server, {self.northd} northd, {chassis}, "
                f"{self.tools} ctl tools")


FLAVOURS: dict[str, Flavour] = {f.name: f for f in (
    Flavour("all-real", dbs="real", northd="real", chassis="real", tools="real"),
    Flavour("pyovn-controller", dbs="real", northd="real", chassis="pyovn", tools="real"),
    Flavour("pyovn-controller-northd", dbs="real", northd="pyovn", chassis="pyovn", tools="real"),
    Flavour("pyovn", dbs="pyovn", northd="pyovn", chassis="pyovn", tools="pyovn"),
    # Runs today without pyovn's controller: pyovn's servers, northd and ctl tools under the
    # real chassis.
    Flavour("pyovn-central", dbs="pyovn", northd="pyovn", chassis="real", tools="pyovn"),
)}


def which(name: str) -> str | None:
    """Full path of a program on PATH or in the usual sbin directories."""
    path = shutil.which(name)
    if path:
        return path
    for d in _SBIN:
        p = os.path.join(d, name)
        if os.access(p, os.X_OK):
            return p
    return None


def _pyovn(tool: str) -> list[str]:
    return [sys.executable, "-m", "pyovn", tool]


@functools.cache
def pyovn_controller_available() -> str | None:
    """None when ``python -m pyovn controller --help`` succeeds, else why not (detected, so the
    pyovn flavours run as soon as the controller exists)."""
    try:
        r = subprocess.run([*_pyovn("controller"), "--help"], capture_output=True, text=True,
                           timeout=60)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"'python -m pyovn controller --help' failed: {e}"
    if r.returncode != 0:
        last = (r.stderr.strip().splitlines() or ["?"])[0]
        return f"pyovn's controller is not available ('python -m pyovn controller --help' " \
               f"exits {r.returncode}: {last})"
    return None


def missing(flavour: str | Flavour) -> str | None:
    """Why a stack of this flavour cannot run here (None if it can)."""
    f = FLAVOURS[flavour] if isinstance(flavour, str) else flavour
    if os.geteuid() != 0:
        return "needs root (network namespaces, veth and TAP devices)"
    need = ["ip", "ping"]
    if f.dbs == "real":
        need += ["ovsdb-server", "ovsdb-tool"]
    if f.northd == "real":
        need.append("ovn-northd")
    if f.chassis == "real":
        need += ["ovs-vswitchd", "ovn-controller"]
    if f.tools == "real":
        need += ["ovn-nbctl", "ovn-sbctl", "ovs-vsctl"]
    lacking = [b for b in need if which(b) is None]
    if lacking:
        return "missing binaries: " + ", ".join(lacking)
    if f.chassis == "pyovn":
        if not os.path.exists("/dev/net/tun"):
            return "no /dev/net/tun (pyovn's datapath makes TAP devices)"
        return pyovn_controller_available()
    return None


def _schema(name: str) -> str:
    for d in ("/usr/share/ovn", "/usr/share/openvswitch"):
        p = os.path.join(d, name)
        if os.path.exists(p):
            return p
    from pyovn import schemas

    db = {"ovn-nb.ovsschema": "OVN_Northbound", "ovn-sb.ovsschema": "OVN_Southbound",
          "vswitch.ovsschema": "Open_vSwitch"}[name]
    return str(schemas.path(db))


def _fresh_tag() -> str:
    """4 hex digits that no namespace on the machine carries yet."""
    existing = set(os.listdir("/var/run/netns")) if os.path.isdir("/var/run/netns") else set()
    for _ in range(100):
        tag = secrets.token_hex(2)
        if not any(n.endswith(f"-{tag}") for n in existing):
            return tag
    raise StackError("no free namespace tag")


@dataclass
class Vm:
    """A namespace plugged into br-int: ``iface`` is the Interface name in the local database,
    ``dev`` the VM's device."""

    name: str
    ns: str
    iface: str
    lport: str
    dev: str


# --- small network programs run inside namespaces -------------------------------------------------

# A TCP listener: for each connection, writes the peer's address as the listener saw it, then
# counts and hashes what the client sends until it closes its side, and answers "bytes sha256".
_LISTEN = r"""
import hashlib, socket, sys, threading
def serve(c, peer):
    with c:
        c.sendall(f"{peer[0]}\n".encode())
        h, n = hashlib.sha256(), 0
        while True:
            b = c.recv(1 << 16)
            if not b:
                break
            h.update(b)
            n += len(b)
        c.sendall(f"{n} {h.hexdigest()}\n".encode())
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen(64)
print("ready", flush=True)
while True:
    c, peer = s.accept()
    threading.Thread(target=serve, args=(c, peer), daemon=True).start()
"""

# A TCP client: connects (exit 2 when it cannot), prints what the listener says it saw, sends
# NBYTES of a fixed pattern, and checks the listener's count and hash (exit 3 when they differ).
_CONNECT = r"""
import hashlib, socket, sys
addr, port, nbytes, timeout = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
try:
    c = socket.create_connection((addr, port), timeout=timeout)
    f = c.makefile("rb")
    print(f.readline().decode().strip(), flush=True)
except OSError as e:
    print(f"connect: {e}", file=sys.stderr)
    sys.exit(2)
c.settimeout(max(timeout, 30.0))
block = hashlib.sha256(b"pyovn").digest() * 2048
h, left = hashlib.sha256(), nbytes
while left:
    b = block[:left]
    c.sendall(b)
    h.update(b)
    left -= len(b)
c.shutdown(socket.SHUT_WR)
got = f.readline().decode().split()
if got != [str(nbytes), h.hexdigest()]:
    print(f"listener got {got}, sent {nbytes} {h.hexdigest()}", file=sys.stderr)
    sys.exit(3)
"""


# Switches off transmit checksum offload on a device (ethtool -K DEV tx off, by SIOCETHTOOL's
# ETHTOOL_STXCSUM): the real ovs-vswitchd's userspace datapath reads veths with AF_PACKET and no
# virtio-net header, so a TCP segment a namespace sent with a partial checksum would leave OVS
# with a wrong one.
_TX_CSUM_OFF = r"""
import ctypes, fcntl, socket, struct, sys
value = ctypes.create_string_buffer(struct.pack("II", 0x17, 0), 8)
ifreq = struct.pack("16sP", sys.argv[1].encode(), ctypes.addressof(value))
with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
    fcntl.ioctl(s, 0x8946, ifreq)
"""


class Stack:
    """Central databases, a northd and one chassis (system-id ``system_id``) of ``flavour``.

    ``central``: another stack whose databases and northd this one uses (a second chassis on
    the same Southbound; only its chassis parts then come from ``flavour``).
    ``controller=False``: everything but the controller, which :meth:`start_controller` starts
    later (br-int is then not created yet). ``chassis=False``: the central parts alone.
    ``other_config``: keys of the Open_vSwitch row's other_config, set before the switch starts
    (``userspace-tso-enable=true``: the real vswitchd takes TSO and checksum offload from the
    VMs' veths through virtio-net headers, so their offloads stay on).
    """

    def __init__(self, directory: str | os.PathLike[str], flavour: str | Flavour = "all-real",
                 *, system_id: str | None = None, external_ids: dict[str, str] | None = None,
                 central: Stack | None = None, controller: bool = True,
                 chassis: bool = True, other_config: dict[str, str] | None = None) -> None:
        self.flavour = FLAVOURS[flavour] if isinstance(flavour, str) else flavour
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.tag = _fresh_tag()
        self.system_id = system_id or f"hv-{self.tag}"
        self.chassis_ns = f"hv-{self.tag}"
        self.central = central
        self.other_config = dict(other_config or {})
        self.pidfiles: list[Path] = []
        self.netns: list[str] = []
        self.procs: list[subprocess.Popen[str]] = []
        self.vms: dict[str, Vm] = {}
        self.bridges: list[str] = []
        d = str(self.dir)
        self.nb_remote: str = central.nb_remote if central else f"unix:{d}/nb.sock"
        self.sb_remote: str = central.sb_remote if central else f"unix:{d}/sb.sock"
        self.env = dict(os.environ, OVS_RUNDIR=d, OVS_LOGDIR=d, OVS_DBDIR=d, OVN_RUNDIR=d,
                        OVN_LOGDIR=d, OVN_DBDIR=d, OVN_NB_DB=self.nb_remote,
                        OVN_SB_DB=self.sb_remote)
        self.conf = f"unix:{d}/conf.sock"
        try:
            self._start(external_ids or {}, controller, chassis)
        except BaseException:
            self.close()
            raise

    # --- processes ----------------------------------------------------------------------------

    def run(self, *argv: str, check: bool = True, timeout: float = 60, ns: str | None = None,
            input: str | None = None) -> str:
        """Run a command (in namespace ``ns`` when given) with the stack's environment; its
        stdout, or :class:`StackError` when it fails and ``check``."""
        cmd = [which(argv[0]) or argv[0], *argv[1:]]
        if ns:
            cmd = ["ip", "netns", "exec", ns, *cmd]
        try:
            r = subprocess.run(cmd, capture_output=True, text=True, env=self.env,
                               timeout=timeout, input=input)
        except subprocess.TimeoutExpired as e:
            raise StackError(f"{' '.join(argv)}: no answer within {timeout}s") from e
        if check and r.returncode != 0:
            raise StackError(f"{' '.join(argv)}: exit {r.returncode}: {r.stderr.strip()}")
        return r.stdout

    def _daemon(self, name: str, argv: Sequence[str], ns: str | None = None) -> None:
        pid = self.dir / f"{name}.pid"
        self.pidfiles.append(pid)
        self.run(*argv, "--detach", "--no-chdir", f"--pidfile={pid}",
                 f"--log-file={self.dir}/{name}.log", ns=ns)

    def _impl(self, impl: Impl, real: str, pyovn: str) -> list[str]:
        return [real] if impl == "real" else _pyovn(pyovn)

    def _db(self, name: str, schema: str, *extra: str) -> None:
        db = self.dir / f"{name}.db"
        db.unlink(missing_ok=True)
        self.run(*self._impl(self.flavour.dbs, "ovsdb-tool", "ovsdb-tool"), "create", str(db),
                 _schema(schema))
        server = self._impl(self.flavour.dbs, "ovsdb-server", "ovsdb-server")
        self._daemon(name, [*server, f"--remote=punix:{self.dir}/{name}.sock",
                            f"--unixctl={self.dir}/{name}.ctl", *extra, str(db)])

    def _start(self, external_ids: dict[str, str], controller: bool, chassis: bool) -> None:
        d = self.dir
        if self.central is None:
            self._db("nb", "ovn-nb.ovsschema")
            self._db("sb", "ovn-sb.ovsschema")
            self.start_northd()
        if not chassis:
            return
        self.run("ip", "netns", "add", self.chassis_ns)
        self.netns.append(self.chassis_ns)
        self.run("ip", "-n", self.chassis_ns, "link", "set", "lo", "up")
        self._db("conf", "vswitch.ovsschema")
        self.vsctl("--no-wait", "init")
        ids = {"system-id": self.system_id, "ovn-remote": self.sb_remote,
               "ovn-encap-type": "geneve", "ovn-encap-ip": "127.0.0.1"}
        if self.flavour.chassis == "real":
            ids["ovn-bridge-datapath-type"] = "netdev"
        ids.update(external_ids)
        self.set_external_ids(**ids)
        if self.other_config:
            self.vsctl("--no-wait", "set", "Open_vSwitch", ".",
                       *(f"other_config:{k}={v}" for k, v in self.other_config.items()))
        if self.flavour.chassis == "real":
            self._daemon("ovs-vswitchd", ["ovs-vswitchd", f"--unixctl={d}/ovs-vswitchd.ctl",
                                          self.conf], ns=self.chassis_ns)
        if controller:
            self.start_controller()
            self.wait(lambda: "br-int" in self.vsctl("list-br").split(),
                      "the controller to create br-int")

    def start_northd(self) -> None:
        argv = [f"--ovnnb-db={self.nb_remote}", f"--ovnsb-db={self.sb_remote}",
                f"--unixctl={self.dir}/northd.ctl"]
        self._daemon("northd", [*self._impl(self.flavour.northd, "ovn-northd", "northd"), *argv])

    def start_controller(self) -> None:
        """The chassis' controller (ovn-controller or pyovn's), in the chassis namespace."""
        if self.flavour.chassis == "real":
            # ovn-controller 23.03 has no --unixctl: its socket is
            # $OVN_RUNDIR/ovn-controller.<pid>.ctl.
            argv = ["ovn-controller", self.conf]
        else:
            argv = [*_pyovn("controller"), f"--unixctl={self.dir}/ovn-controller.ctl",
                    self.conf]
        self._daemon("ovn-controller", argv, ns=self.chassis_ns)

    def stop_daemon(self, name: str) -> None:
        """Stop one daemon of the stack (``northd``, ``ovn-controller``...)."""
        pid = self.dir / f"{name}.pid"
        _kill_pidfile(pid)
        with contextlib.suppress(ValueError):
            self.pidfiles.remove(pid)

    def daemon_pid(self, name: str) -> int | None:
        with contextlib.suppress(OSError, ValueError):
            return int((self.dir / f"{name}.pid").read_text())
        return None

    def spawn(self, argv: Sequence[str], ns: str | None = None) -> subprocess.Popen[str]:
        """A background process (killed by :meth:`close`), stdout piped."""
        cmd = [which(argv[0]) or argv[0], *argv[1:]]
        if ns:
            cmd = ["ip", "netns", "exec", ns, *cmd]
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env=self.env, start_new_session=True)
        self.procs.append(p)
        return p

    # --- ctl tools ----------------------------------------------------------------------------

    def tool(self, name: Literal["nbctl", "sbctl", "vsctl"], *args: str,
             impl: Impl | None = None, timeout: float = 60) -> str:
        """Run ovn-nbctl / ovn-sbctl / ovs-vsctl (the flavour's, or ``impl``'s)."""
        real = {"nbctl": "ovn-nbctl", "sbctl": "ovn-sbctl", "vsctl": "ovs-vsctl"}[name]
        prefix = self._impl(impl or self.flavour.tools, real, name)
        if name == "vsctl":
            prefix += [f"--db={self.conf}", "--timeout=30"]
        return self.run(*prefix, *args, timeout=timeout)

    def nbctl(self, *args: str) -> str:
        return self.tool("nbctl", *args)

    def sbctl(self, *args: str) -> str:
        return self.tool("sbctl", *args)

    def vsctl(self, *args: str) -> str:
        return self.tool("vsctl", *args)

    def set_external_ids(self, **ids: str) -> None:
        """Keys of the Open_vSwitch row's external_ids (``ovn-bridge-mappings``...)."""
        self.vsctl("--no-wait", "set", "Open_vSwitch", ".",
                   *(f"external_ids:{k}={v}" for k, v in ids.items()))

    def sync_hv(self, timeout: int = 30) -> None:
        """``ovn-nbctl --wait=hv sync``: the chassis has caught up with the Northbound."""
        self.nbctl("--wait=hv", f"--timeout={timeout}", "sync")

    def lsp_up(self, lport: str) -> bool:
        return self.nbctl("lsp-get-up", lport).strip() == "up"

    @staticmethod
    def wait(pred: Callable[[], object], what: str, timeout: float = 30.0,
             interval: float = 0.1) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(StackError, subprocess.TimeoutExpired):
                if pred():
                    return
            time.sleep(interval)
        raise StackError(f"timed out after {timeout:g}s waiting for {what}")

    def wait_up(self, *lports: str, timeout: float = 30.0) -> None:
        for lp in lports:
            self.wait(functools.partial(self.lsp_up, lp), f"{lp} up", timeout)

    # --- bridges, VMs, external networks ---------------------------------------------------------

    def add_bridge(self, name: str, wait: bool = True) -> None:
        """A bridge beside br-int (the userspace datapath needs datapath_type=netdev on every
        bridge of the real vswitchd). ``wait=False``: do not wait for the switch to apply it
        (when no controller plays vswitchd yet)."""
        extra = ["--", "set", "Bridge", name, "datapath_type=netdev"] \
            if self.flavour.chassis == "real" else []
        self.vsctl(*([] if wait else ["--no-wait"]), "add-br", name, *extra)
        self.bridges.append(name)

    def add_internal_ports(self, ports: Sequence[tuple[str, str]], bridge: str = "br-int",
                           wait: bool = True) -> None:
        """``type=internal`` interfaces (iface, iface-id) added in one ovs-vsctl run: the
        switch makes a device of each, in the chassis namespace."""
        cmd: list[str] = [] if wait else ["--no-wait"]
        for iface, lport in ports:
            cmd += ["--", "add-port", bridge, iface, "--", "set", "Interface", iface,
                    "type=internal", f"external_ids:iface-id={lport}"]
        self.vsctl(*cmd)

    def _new_ns(self, name: str) -> str:
        ns = f"{name}-{self.tag}"
        self.run("ip", "netns", "add", ns)
        self.netns.append(ns)
        self.run("ip", "-n", ns, "link", "set", "lo", "up")
        return ns

    def _plug(self, ns: str, port: str) -> str:
        """Give namespace ``ns`` an interface eth0 whose other end is ``port`` in the chassis
        namespace (a veth pair); returns the chassis-side name."""
        self.run("ip", "link", "add", port, "netns", self.chassis_ns, "type", "veth",
                 "peer", "name", "eth0", "netns", ns)
        self.run("ip", "-n", self.chassis_ns, "link", "set", port, "up")
        if (self.flavour.chassis == "real"
                and self.other_config.get("userspace-tso-enable") != "true"):
            self.run(sys.executable, "-c", _TX_CSUM_OFF, "eth0", ns=ns)
        return port

    def _configure(self, ns: str, dev: str, mac: str | None, cidr: str,
                   gw: str | None) -> None:
        cmds = []
        if mac:
            cmds.append(f"link set {dev} address {mac}")
        cmds += [f"addr add {cidr} dev {dev}", f"link set {dev} up"]
        if gw:
            cmds.append(f"route add default via {gw}")
        self.run("ip", "-n", ns, "-batch", "-", input="\n".join(cmds) + "\n")

    def vm(self, name: str, lport: str, mac: str, cidr: str, gw: str | None = None) -> str:
        """A namespace whose interface (``mac``, ``cidr``) is bound to logical port ``lport``;
        returns the namespace's name."""
        ns = self._new_ns(name)
        iface = name
        if self.flavour.chassis == "real":
            dev = "eth0"
            self._plug(ns, iface)
            self.vsctl("add-port", "br-int", iface, "--", "set", "Interface", iface,
                       f"external_ids:iface-id={lport}")
        else:
            # The tutorial: an internal interface (pyovn: a TAP device named like it) moved
            # into the VM's namespace.
            self.vsctl("add-port", "br-int", iface, "--", "set", "Interface", iface,
                       "type=internal", f"external_ids:iface-id={lport}")
            self.wait(lambda: self.run("ip", "-n", self.chassis_ns, "link", "show", iface,
                                       check=False),
                      f"the controller to create device {iface}")
            self.run("ip", "-n", self.chassis_ns, "link", "set", iface, "netns", ns)
            dev = iface
        self._configure(ns, dev, mac, cidr, gw)
        self.vms[name] = Vm(name, ns, iface, lport, dev)
        return ns

    def unplug(self, name: str) -> None:
        """``ovs-vsctl del-port`` the VM's interface."""
        self.vsctl("del-port", "br-int", self.vms[name].iface)

    def external(self, name: str, bridge: str, cidr: str, gw: str | None = None) -> str:
        """A namespace on a physical network: its eth0's peer is a port of ``bridge``."""
        ns = self._new_ns(name)
        port = self._plug(ns, f"x-{name}"[:15])
        self.vsctl("add-port", bridge, port)
        self._configure(ns, "eth0", None, cidr, gw)
        return ns

    # --- traffic ----------------------------------------------------------------------------------

    def ping(self, ns: str, address: str, count: int = 3, interval: float = 0.2) -> bool:
        """``count`` pings, every one answered."""
        return self.ping_loss(ns, address, count, interval) == 0

    def ping_loss(self, ns: str, address: str, count: int = 3,
                  interval: float = 0.2) -> float:
        """Percent of ``count`` pings lost (100 when ping fails otherwise)."""
        r = subprocess.run(["ip", "netns", "exec", ns, "ping", "-n", "-c", str(count), "-i",
                            str(interval), "-W", "2", address],
                           capture_output=True, text=True, timeout=30 + count * (interval + 2))
        for word in r.stdout.replace(",", " ").split():
            if word.endswith("%"):
                with contextlib.suppress(ValueError):
                    return float(word[:-1])
        return 100.0

    def listen(self, ns: str, address: str, port: int) -> subprocess.Popen[str]:
        """A TCP listener on ``address:port`` in ``ns`` (see :meth:`connect`)."""
        p = self.spawn([sys.executable, "-c", _LISTEN, address, str(port)], ns=ns)
        assert p.stdout is not None
        line = p.stdout.readline()
        if line.strip() != "ready":
            err = p.stderr.read() if p.stderr and p.poll() is not None else ""
            raise StackError(f"listener on {address}:{port} in {ns} did not start: {err}")
        return p

    def connect(self, ns: str, address: str, port: int, nbytes: int = 0,
                timeout: float = 3.0) -> str | None:
        """Connect from ``ns`` to a :meth:`listen` listener and send ``nbytes``; the source
        address the listener saw, or None when the connection could not be made.  Raises when
        the connection was made but the data did not arrive intact."""
        r = subprocess.run(["ip", "netns", "exec", ns, sys.executable, "-c", _CONNECT, address,
                            str(port), str(nbytes), str(timeout)],
                           capture_output=True, text=True, timeout=timeout + 120)
        if r.returncode == 2:
            return None
        if r.returncode != 0:
            raise StackError(f"TCP to {address}:{port} from {ns}: exit {r.returncode}: "
                             f"{r.stderr.strip()}")
        return r.stdout.strip()

    # --- cleanup --------------------------------------------------------------------------------

    def close(self) -> None:
        for p in self.procs:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(p.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                p.communicate(timeout=5)
        self.procs.clear()
        for pidfile in reversed(self.pidfiles):
            _kill_pidfile(pidfile)
        self.pidfiles.clear()
        for ns in reversed(self.netns):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        self.netns.clear()

    def __enter__(self) -> Stack:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def alive(pid: int) -> bool:
    """The process exists and is not a zombie (a zombie waits for its reaper, which in a
    container may take a while)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def _kill_pidfile(pidfile: Path, grace: float = 5.0) -> None:
    """SIGTERM the process a pidfile names, SIGKILL it if still there after ``grace``."""
    try:
        pid = int(pidfile.read_text())
    except (OSError, ValueError):
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        while alive(pid):
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                break
            time.sleep(0.02)
