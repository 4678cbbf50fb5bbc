"""``pyovn sandbox --demo``: OVN's tutorial, run for real in the sandbox just started.

One logical switch ``sw0`` with two ports; each port bound to an internal interface of br-int
that is moved into a network namespace of its own (the "VM"), given the port's MAC and IP; once
both ports are up, each VM pings the other with the real ``ping``. Every step is a command a
user could type (pyovn's tools, ``ip``, ``ping``); the demo prints each one with its output.
Result: 0 when both pings lose nothing.

On the host (root) the namespaces and interfaces carry a per-run suffix, so demos in several
sandboxes do not collide; they are removed at the end, also after a failure or Ctrl-C, unless
``keep`` asks to leave them for exploration. In a rootless sandbox everything lives in the
sandbox's own network namespace, so the plain tutorial names ``vm1``/``vm2`` are used.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import secrets
import shlex
import sys
from dataclasses import dataclass

from pyovn.sandbox.layout import SandboxDir
from pyovn.sandbox.supervisor import LogSink

__all__ = ["Demo", "DemoVm"]

_LOSS = re.compile(r"\b(\d+(?:\.\d+)?)% packet loss")


@dataclass(frozen=True, slots=True)
class DemoVm:
    """One of the demo's VMs: a namespace on switch sw0."""

    name: str       # the namespace's and the interface's name
    lport: str
    mac: str
    ip: str


class DemoError(Exception):
    pass


def _device_exists(name: str) -> bool:
    """In our network namespace (/proc/self/net follows it; /sys may show another's)."""
    with open("/proc/self/net/dev") as f:
        return any(line.split(":", 1)[0].strip() == name for line in f if ":" in line)


class Demo:
    def __init__(self, sandbox: SandboxDir, sink: LogSink, *, private_netns: bool,
                 timeout: float = 60.0):
        self.sandbox = sandbox
        self.sink = sink
        self.timeout = timeout
        suffix = "" if private_netns else f"-{secrets.token_hex(2)}"
        self.vms = [DemoVm(f"vm1{suffix}", "sw0-port1", "50:54:00:00:00:01", "192.168.50.21"),
                    DemoVm(f"vm2{suffix}", "sw0-port2", "50:54:00:00:00:02", "192.168.50.22")]
        self.env = {**os.environ, **sandbox.env()}
        self.made_netns: list[str] = []
        self.made_ports: list[str] = []

    # --- commands -------------------------------------------------------------------------

    async def sh(self, *argv: str, check: bool = True, show: bool = True) -> tuple[int, str]:
        """Run one command, printed as a user would type it, with its output."""
        shown = " ".join(shlex.quote(a) for a in argv)
        real = list(argv)
        if argv[0] == "pyovn":
            real = [sys.executable, "-m", "pyovn", *argv[1:]]
        if show:
            self.sink.line("demo", f"$ {shown}")
        proc = await asyncio.create_subprocess_exec(
            *real, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT, env=self.env)
        try:
            out, _ = await asyncio.wait_for(proc.communicate(), self.timeout)
        except TimeoutError:
            proc.kill()
            await proc.wait()
            raise DemoError(f"'{shown}' did not finish in {self.timeout:.0f} s") from None
        text = out.decode(errors="replace")
        if show and text.strip():
            self.sink.lines("demo", "".join(f"  {ln}\n" for ln in text.rstrip("\n").split("\n")))
        if check and proc.returncode != 0:
            raise DemoError(f"'{shown}' failed (exit {proc.returncode})")
        return proc.returncode or 0, text

    # --- the tutorial ---------------------------------------------------------------------

    async def run(self, keep: bool = False) -> int:
        try:
            ok = await self._run()
        except DemoError as e:
            self.sink.line("demo", f"FAILED: {e}")
            ok = False
        finally:
            if not keep:
                await asyncio.shield(self.cleanup())
        if keep:
            a, b = self.vms
            self.sink.line("demo", f"kept: try 'ip netns exec {a.name} ping {b.ip}'; stopping "
                                   "the sandbox removes the demo's namespaces")
        return 0 if ok else 1

    async def _run(self) -> bool:
        a, b = self.vms
        self.sink.line("demo", "one logical switch, two ports (the Northbound):")
        nb = ["pyovn", "nbctl", "--may-exist", "ls-add", "sw0"]
        for vm in self.vms:
            nb += ["--", "--may-exist", "lsp-add", "sw0", vm.lport,
                   "--", "lsp-set-addresses", vm.lport, f"{vm.mac} {vm.ip}"]
        await self.sh(*nb)
        self.sink.line("demo", "two \"VMs\": internal ports of br-int in namespaces of their own:")
        for vm in self.vms:
            await self.plug(vm)
        self.sink.line("demo", "the controller binds the ports; waiting until both are up:")
        for vm in self.vms:
            await self.sh("pyovn", "nbctl", f"--timeout={self.timeout:.0f}", "wait-until",
                          "Logical_Switch_Port", vm.lport, "up=true")
        await self.sh("pyovn", "nbctl", "show")
        results = [await self.ping(a, b), await self.ping(b, a)]
        ok = all(results)
        self.sink.line("demo", f"{a.name} -> {b.name}: {'ok' if results[0] else 'LOSS'}, "
                               f"{b.name} -> {a.name}: {'ok' if results[1] else 'LOSS'}: "
                               + ("0% packet loss both ways" if ok else "FAILED"))
        return ok

    async def plug(self, vm: DemoVm) -> None:
        await self.sh("pyovn", "vsctl", f"--timeout={self.timeout:.0f}", "add-port", "br-int",
                      vm.name, "--", "set", "Interface", vm.name, "type=internal",
                      f"external_ids:iface-id={vm.lport}")
        self.made_ports.append(vm.name)
        await self._wait_device(vm.name)
        await self.sh("ip", "netns", "add", vm.name)
        self.made_netns.append(vm.name)
        await self.sh("ip", "link", "set", vm.name, "netns", vm.name)
        ns = ["ip", "-n", vm.name]
        await self.sh(*ns, "link", "set", vm.name, "address", vm.mac)
        await self.sh(*ns, "addr", "add", f"{vm.ip}/24", "dev", vm.name)
        await self.sh(*ns, "link", "set", vm.name, "up")
        await self.sh(*ns, "link", "set", "lo", "up")

    async def _wait_device(self, name: str) -> None:
        """The datapath makes the device once it sees the port; vsctl returns when the
        controller has acknowledged the change, which should be after, but do not rely on it."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        while not _device_exists(name):
            if loop.time() > deadline:
                raise DemoError(f"the controller made no device {name} in {self.timeout:.0f} s")
            await asyncio.sleep(0.05)

    async def ping(self, src: DemoVm, dst: DemoVm) -> bool:
        rc, out = await self.sh("ip", "netns", "exec", src.name, "ping", "-c", "3", dst.ip,
                                check=False)
        m = _LOSS.search(out)
        return rc == 0 and m is not None and float(m.group(1)) == 0.0

    async def cleanup(self) -> None:
        """Remove the ports and namespaces made so far (again: a no-op)."""
        cmds: list[tuple[str, ...]] = [
            ("pyovn", "vsctl", "--timeout=10", "--if-exists", "del-port", "br-int", name)
            for name in reversed(self.made_ports)]
        cmds += [("ip", "netns", "del", ns) for ns in reversed(self.made_netns)]
        self.made_ports.clear()
        self.made_netns.clear()
        for argv in cmds:
            with contextlib.suppress(DemoError, OSError):
                await self.sh(*argv, check=False)
