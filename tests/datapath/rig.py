"""The datapath rig the end-to-end datapath tests share: real NB/SB ovsdb-servers and the real
ovn-northd write the Southbound, one :class:`pyovn.datapath.core.Datapath` in this process runs
it, and "VMs" are network namespaces each holding one of its TAP devices.

Everything a rig creates carries its random tag in its name (bridge, devices, namespaces) and is
removed by :meth:`Rig.close`, which :func:`in_rig` calls also when the test fails; processes
started with :meth:`Rig.spawn` are killed there too.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

import pytest

from pyovn.datapath.core import Datapath
from pyovn.ovsdb.client import Idl
from pyovn.testing.real import RealNorthd, RealOvsdbServer, require_real

__all__ = ["Rig", "in_rig", "sh"]


def sh(*argv: str, check: bool = True) -> str:
    r = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    if check and r.returncode:
        raise RuntimeError(f"{' '.join(argv)}: {r.stderr.strip()}")
    return r.stdout


class Rig:
    """Real NB/SB/northd, one in-process Datapath; VMs are namespaces holding its TAPs."""

    def __init__(self, directory: Path) -> None:
        self.dir = directory
        self.tag = secrets.token_hex(2)
        self.bridge = f"bri{self.tag}"
        self.nb = RealOvsdbServer(directory, "OVN_Northbound", name="nb").start()
        self.sb = RealOvsdbServer(directory, "OVN_Southbound", name="sb").start()
        self.northd = RealNorthd(self.nb.remote, self.sb.remote, directory).start()
        self.namespaces: list[str] = []
        self.links: list[str] = []  # devices in the root namespace to delete at close
        self.procs: list[asyncio.subprocess.Process] = []
        # PYOVN_DATAPATH_CACHE=0 runs every packet through the pipelines (the walks and the
        # cache's replays must agree).
        self.dp = Datapath("hv1", cache=os.environ.get("PYOVN_DATAPATH_CACHE", "1") != "0")
        self.idl: Idl | None = None

    def nbctl(self, *args: str) -> str:
        return sh("ovn-nbctl", f"--db={self.nb.remote}", *args)

    def sbctl(self, *args: str) -> str:
        return sh("ovn-sbctl", f"--db={self.sb.remote}", *args)

    async def start(self) -> None:
        self.idl = Idl(self.sb.remote, "OVN_Southbound")
        self.idl.watch(lambda ev, row, old: self.dp.model.apply(row.table, ev, row, old))
        await self.idl.start()
        await self.dp.start()
        self.dp.add_port(self.bridge, self.bridge, "internal", {})

    async def sync(self) -> None:
        """The Southbound has what the Northbound asked for, and so has our replica."""
        self.nbctl("--wait=sb", "sync")
        want = int(self.nbctl("get", "NB_Global", ".", "sb_cfg").strip())
        assert self.idl is not None

        def caught_up() -> bool:
            g = next(iter(self.idl.tables["SB_Global"]), None) if self.idl else None
            return g is not None and g.nb_cfg >= want

        await self.until(caught_up, "the SB replica at sb_cfg")

    async def until(self, pred: Callable[[], bool], what: str, timeout: float = 10) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not pred():
            if loop.time() > deadline:
                raise AssertionError(f"timed out waiting for {what}")
            await asyncio.sleep(0.05)

    def vm(self, name: str, lport: str, mac: str, cidr: str | None = None,
           gw: str | None = None, cidr6: str | None = None, gw6: str | None = None) -> str:
        """A namespace holding a TAP of the datapath bound to ``lport``, with ``mac`` and the
        addresses given (IPv6 without duplicate address detection: usable at once)."""
        dev = f"v{self.tag}{name}"[:15]
        ns = dev
        self.dp.add_port(self.bridge, dev, "internal", {})
        self.dp.bind(dev, lport)
        sh("ip", "netns", "add", ns)
        self.namespaces.append(ns)
        sh("ip", "link", "set", dev, "netns", ns)
        cmds: list[tuple[str, ...]] = [("link", "set", dev, "address", mac)]
        if cidr:
            cmds.append(("addr", "add", cidr, "dev", dev))
        if cidr6:
            cmds.append(("-6", "addr", "add", cidr6, "dev", dev, "nodad"))
        cmds += [("link", "set", dev, "up"), ("link", "set", "lo", "up")]
        for cmd in cmds:
            sh("ip", "netns", "exec", ns, "ip", *cmd)
        if gw:
            sh("ip", "netns", "exec", ns, "ip", "route", "add", "default", "via", gw)
        if gw6:
            sh("ip", "netns", "exec", ns, "ip", "-6", "route", "add", "default", "via", gw6)
        return ns

    def dev(self, ns: str) -> str:
        """The VM's interface name (the namespace is named after it)."""
        return ns

    async def run(self, ns: str, *argv: str, timeout: float = 20) -> tuple[int, str]:
        proc = await asyncio.create_subprocess_exec(
            "ip", "netns", "exec", ns, *argv, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT)
        try:
            out, _ = await asyncio.wait_for(proc.communicate(), timeout)
        except TimeoutError:
            proc.kill()
            out, _ = await proc.communicate()
        return proc.returncode or 0, out.decode(errors="replace")

    async def spawn(self, ns: str, *argv: str) -> asyncio.subprocess.Process:
        """A process in ``ns`` whose output is read by the caller; killed at close."""
        proc = await asyncio.create_subprocess_exec(
            "ip", "netns", "exec", ns, *argv, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT)
        self.procs.append(proc)
        return proc

    async def output(self, proc: asyncio.subprocess.Process, timeout: float = 10) -> str:
        try:
            out, _ = await asyncio.wait_for(proc.communicate(), timeout)
        except TimeoutError:
            proc.kill()
            out, _ = await proc.communicate()
        return out.decode(errors="replace")

    async def ping(self, ns: str, ip: str, count: int = 3, *extra: str) -> bool:
        rc, out = await self.run(ns, "ping", "-c", str(count), "-i", "0.2", "-W", "2", *extra,
                                 ip)
        return rc == 0 and " 0% packet loss" in out

    async def tcp(self, server_ns: str, client_ns: str, ip: str, port: int,
                  nbytes: int = 100_000, family: str = "AF_INET") -> bool:
        """A TCP connection from ``client_ns`` to a listener in ``server_ns``: True when
        ``nbytes`` arrive."""
        any_ip = "::" if family == "AF_INET6" else "0.0.0.0"
        script = (
            "import socket,sys\n"
            f"s=socket.socket(socket.{family}); "
            "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
            f"s.bind(('{any_ip}', {port})); s.listen(1); s.settimeout(8)\n"
            "c,_=s.accept(); n=0\n"
            "while True:\n"
            "    b=c.recv(65536)\n"
            "    if not b: break\n"
            "    n+=len(b)\n"
            "print(n)\n")
        server = await self.spawn(server_ns, "python3", "-c", script)
        await asyncio.sleep(0.3)
        client = (
            "import socket\n"
            f"s=socket.create_connection(('{ip}', {port}), timeout=3)\n"
            f"s.sendall(b'x'*{nbytes}); s.close()\n")
        await self.run(client_ns, "python3", "-c", client, timeout=10)
        out = await self.output(server, 10)
        return out.strip().splitlines()[-1:] == [str(nbytes)]

    def trace(self, *args: str) -> str:
        """pyovn's trace on this rig's Southbound (for diagnostics in assertion messages)."""
        import sys

        r = subprocess.run([sys.executable, "-m", "pyovn", "trace", f"--db={self.sb.remote}",
                            *args], capture_output=True, text=True, timeout=60)
        return r.stdout + r.stderr

    def ovn_trace(self, *args: str) -> str:
        """The real ovn-trace on this rig's Southbound."""
        r = subprocess.run(["ovn-trace", f"--db={self.sb.remote}", *args],
                           capture_output=True, text=True, timeout=60)
        return r.stdout + r.stderr

    async def close(self) -> None:
        for proc in self.procs:
            if proc.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(proc.wait(), 5)
        for ns in self.namespaces:
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        for link in self.links:
            subprocess.run(["ip", "link", "del", link], capture_output=True)
        await self.dp.close()
        if self.idl is not None:
            await self.idl.close()
        for d in (self.northd, self.sb, self.nb):
            d.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def in_rig(body: Callable[[Rig], Awaitable[None]], tools: Sequence[str] = ()) -> None:
    """Runs ``body`` with a started Rig on a fresh event loop; everything is removed after.
    Skips (printing why) when not root or a binary (of the rig's, or ``tools``) is missing."""
    why = require_real("ovsdb-server", "ovsdb-tool", "ovn-nbctl", "ovn-northd")
    if why is None and os.geteuid() != 0:
        why = "needs root (TAP devices, namespaces)"
    if why is None:
        missing = [t for t in tools if shutil.which(t) is None]
        if missing:
            why = f"{', '.join(missing)} not installed (tools/bootstrap.sh installs them)"
    if why:
        print(f"skipped: {why}")
        pytest.skip(why)

    async def main() -> None:
        r = Rig(Path(tempfile.mkdtemp(prefix="pyovn-dp-")))
        try:
            await r.start()
            await body(r)
        finally:
            await r.close()

    asyncio.run(main())
