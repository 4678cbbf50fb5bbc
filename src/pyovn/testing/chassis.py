"""A whole OVN on one machine for end-to-end tests: central databases, a northd (the real one or
pyovn's), and one chassis made of the real ovs-vswitchd (userspace datapath, no kernel module)
with the real ovn-controller; "VMs" are network namespaces plugged into br-int by veth pairs.

``OvnStack(directory, northd="pyovn"|"real")`` starts everything under ``directory`` (every
daemon with its own pidfile, log and control socket there, nothing in the system's run
directories); ``stack.vm("vm1", "sw0-port1", mac, "192.168.0.11/24", gw=...)`` creates a namespace
and binds it to a logical port; ``stack.nbctl(...)`` runs the real ovn-nbctl on the stack's NB.
``close()`` removes every namespace, veth and process it made, also after a failure; names carry
a per-stack random suffix so stacks never collide.  Needs root, the real OVN/OVS binaries, and
``ip``.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

__all__ = ["OvnStack", "StackError", "missing_for_stack"]

_SBIN = ("/usr/sbin", "/sbin", "/usr/share/openvswitch/scripts")
REQUIRED = ("ovsdb-server", "ovsdb-tool", "ovs-vswitchd", "ovs-vsctl", "ovn-controller",
            "ovn-nbctl", "ovn-sbctl", "ovn-northd", "ip", "ping")


class StackError(RuntimeError):
    pass


def _which(name: str) -> str | None:
    path = shutil.which(name)
    if path:
        return path
    for d in _SBIN:
        p = os.path.join(d, name)
        if os.access(p, os.X_OK):
            return p
    return None


def missing_for_stack() -> str | None:
    """Why an OvnStack cannot run here (None if it can)."""
    if os.geteuid() != 0:
        return "needs root (network namespaces and veth devices)"
    missing = [b for b in REQUIRED if _which(b) is None]
    if missing:
        return "missing binaries: " + ", ".join(missing)
    return None


def _schema(name: str) -> str:
    for d in ("/usr/share/ovn", "/usr/share/openvswitch"):
        p = os.path.join(d, name)
        if os.path.exists(p):
            return p
    raise StackError(f"schema {name} not found")


class OvnStack:
    def __init__(self, directory: str | os.PathLike[str], northd: str = "pyovn",
                 chassis: str = "hv1") -> None:
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.tag = secrets.token_hex(2)
        self.northd_kind = northd
        self.chassis = chassis
        self.pidfiles: list[Path] = []
        self.netns: list[str] = []
        self.links: list[str] = []
        d = str(self.dir)
        self.env = dict(os.environ, OVS_RUNDIR=d, OVS_LOGDIR=d, OVS_DBDIR=d, OVN_RUNDIR=d,
                        OVN_LOGDIR=d, OVN_NB_DB=f"unix:{d}/nb.sock",
                        OVN_SB_DB=f"unix:{d}/sb.sock")
        try:
            self._start()
        except BaseException:
            self.close()
            raise

    # --- processes ----------------------------------------------------------------------------

    def run(self, *argv: str, check: bool = True, timeout: float = 30) -> str:
        prog = _which(argv[0]) or argv[0]
        r = subprocess.run([prog, *argv[1:]], capture_output=True, text=True, env=self.env,
                           timeout=timeout)
        if check and r.returncode != 0:
            raise StackError(f"{' '.join(argv)}: exit {r.returncode}: {r.stderr.strip()}")
        return r.stdout

    def _daemon(self, name: str, argv: list[str]) -> None:
        pid = self.dir / f"{name}.pid"
        self.pidfiles.append(pid)
        self.run(*argv, "--detach", "--no-chdir", f"--pidfile={pid}",
                 f"--log-file={self.dir}/{name}.log")

    def _db(self, name: str, schema: str) -> None:
        db = self.dir / f"{name}.db"
        self.run("ovsdb-tool", "create", str(db), _schema(schema))
        self._daemon(name, ["ovsdb-server", f"--remote=punix:{self.dir}/{name}.sock",
                            f"--unixctl={self.dir}/{name}.ctl", str(db)])

    def _start(self) -> None:
        d = self.dir
        self._db("nb", "ovn-nb.ovsschema")
        self._db("sb", "ovn-sb.ovsschema")
        self._db("conf", "vswitch.ovsschema")
        self.start_northd()
        conf = f"unix:{d}/conf.sock"
        self.run("ovs-vsctl", f"--db={conf}", "--no-wait", "init")
        self._daemon("ovs-vswitchd", ["ovs-vswitchd", f"--unixctl={d}/ovs-vswitchd.ctl", conf])
        self.vsctl("set", "Open_vSwitch", ".",
                   f"external_ids:system-id={self.chassis}",
                   f"external_ids:ovn-remote=unix:{d}/sb.sock",
                   "external_ids:ovn-encap-type=geneve",
                   "external_ids:ovn-encap-ip=127.0.0.1",
                   "external_ids:ovn-bridge-datapath-type=netdev")
        self._daemon("ovn-controller", ["ovn-controller", conf])
        self.wait(lambda: "br-int" in self.vsctl("list-br"), "ovn-controller to create br-int")

    def start_northd(self) -> None:
        d = self.dir
        argv = [f"--ovnnb-db=unix:{d}/nb.sock", f"--ovnsb-db=unix:{d}/sb.sock",
                f"--unixctl={d}/northd.ctl"]
        if self.northd_kind == "real":
            self._daemon("northd", ["ovn-northd", *argv])
        else:
            self._daemon("northd", [sys.executable, "-m", "pyovn", "northd", *argv])

    def vsctl(self, *args: str) -> str:
        return self.run("ovs-vsctl", f"--db=unix:{self.dir}/conf.sock", "--timeout=20", *args)

    def nbctl(self, *args: str) -> str:
        return self.run("ovn-nbctl", *args)

    def sbctl(self, *args: str) -> str:
        return self.run("ovn-sbctl", *args)

    @staticmethod
    def wait(pred, what: str, timeout: float = 20.0) -> None:  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(StackError, subprocess.TimeoutExpired):
                if pred():
                    return
            time.sleep(0.1)
        raise StackError(f"timed out waiting for {what}")

    # --- VMs ------------------------------------------------------------------------------------

    def vm(self, name: str, lport: str, mac: str, cidr: str, gw: str | None = None) -> str:
        """A namespace with one interface (``mac``, ``cidr``) bound to logical port ``lport``;
        returns the namespace's name."""
        ns = f"{name}-{self.tag}"
        host = f"v{self.tag}{name}"[:15]
        guest = f"g{self.tag}{name}"[:15]
        self.run("ip", "netns", "add", ns)
        self.netns.append(ns)
        self.run("ip", "link", "add", host, "type", "veth", "peer", "name", guest)
        self.links.append(host)
        self.run("ip", "link", "set", guest, "netns", ns)
        ip = ["ip", "netns", "exec", ns, "ip"]
        self.run(*ip, "link", "set", guest, "address", mac)
        self.run(*ip, "addr", "add", cidr, "dev", guest)
        self.run(*ip, "link", "set", guest, "up")
        self.run(*ip, "link", "set", "lo", "up")
        if gw:
            self.run(*ip, "route", "add", "default", "via", gw)
        self.run("ip", "link", "set", host, "up")
        self.vsctl("add-port", "br-int", host, "--", "set", "Interface", host,
                   f"external_ids:iface-id={lport}")
        return ns

    def ping(self, ns: str, address: str, count: int = 3) -> bool:
        r = subprocess.run(["ip", "netns", "exec", ns, "ping", "-c", str(count), "-i", "0.2",
                            "-W", "2", address], capture_output=True, text=True, timeout=30)
        return r.returncode == 0

    # --- cleanup --------------------------------------------------------------------------------

    def close(self) -> None:
        for ns in self.netns:
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        for link in self.links:
            subprocess.run(["ip", "link", "del", link], capture_output=True)
        for pidfile in reversed(self.pidfiles):
            with contextlib.suppress(OSError, ValueError):
                pid = int(pidfile.read_text())
                os.kill(pid, signal.SIGTERM)
                for _ in range(50):
                    os.kill(pid, 0)
                    time.sleep(0.05)
                os.kill(pid, signal.SIGKILL)
        self.netns.clear()
        self.links.clear()
        self.pidfiles.clear()

    def __enter__(self) -> OvnStack:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
