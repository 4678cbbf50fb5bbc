"""pyovn controller beside the real one: the same scenario on real ovsdb-servers and the real
ovn-northd, once with the real ovn-controller + ovs-vswitchd (userspace datapath, in a network
namespace of its own) and once with pyovn's controller (in this process, on the fake
datapath, playing vswitchd's part).  Real tools drive both: ``ovs-vsctl add-port`` (waiting
for cur_cfg), ``ovn-nbctl --wait=hv``; what the Southbound and the local database end up
holding is compared: ``ovn-sbctl show``, the port bindings (chassis, up), the Chassis row, the
integration bridge and the VIF's ovn-installed."""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
import threading
from pathlib import Path
from typing import Any

import pytest
from fakedp import FakeDatapath

from pyovn.controller.daemon import Controller
from pyovn.testing.real import RealNorthd, RealOvsdbServer, find_binary, require_real

pytestmark = pytest.mark.interop

TOOLS = ("ovsdb-server", "ovsdb-tool", "ovn-northd", "ovn-nbctl", "ovn-sbctl", "ovs-vsctl")
REAL_CHASSIS = ("ovs-vswitchd", "ovn-controller", "ip")

NB = [
    ["ls-add", "sw0"],
    ["lsp-add", "sw0", "p1", "--", "lsp-set-addresses", "p1", "00:00:00:00:00:01 10.0.0.1"],
    ["lsp-add", "sw0", "p2", "--", "lsp-set-options", "p2", "requested-chassis=hv2"],
    ["lr-add", "gw", "--", "set", "logical_router", "gw", "options:chassis=hv1",
     "--", "lrp-add", "gw", "gw-sw0", "00:00:00:00:01:01", "10.0.0.254/24",
     "--", "lsp-add", "sw0", "sw0-gw", "--", "lsp-set-type", "sw0-gw", "router",
     "--", "lsp-set-options", "sw0-gw", "router-port=gw-sw0",
     "--", "lsp-set-addresses", "sw0-gw", "router"],
    ["lr-add", "lr1", "--", "lrp-add", "lr1", "lr1-pub", "00:00:00:00:03:01", "30.0.0.1/24",
     "--", "lrp-set-gateway-chassis", "lr1-pub", "hv1", "10",
     "--", "ls-add", "pub", "--", "lsp-add", "pub", "pub-lr1",
     "--", "lsp-set-type", "pub-lr1", "router", "--", "lsp-set-options", "pub-lr1",
     "router-port=lr1-pub", "--", "lsp-set-addresses", "pub-lr1", "router",
     "--", "lsp-add", "pub", "ln", "--", "lsp-set-type", "ln", "localnet",
     "--", "lsp-set-options", "ln", "network_name=phys",
     "--", "lsp-set-addresses", "ln", "unknown"],
]


def _run(argv: list[str], env: dict[str, str], timeout: float = 40) -> str:
    prog = find_binary(argv[0]) or argv[0]
    r = subprocess.run([prog, *argv[1:]], capture_output=True, text=True, env=env,
                       timeout=timeout)
    assert r.returncode == 0, f"{' '.join(argv)}: {r.stderr}"
    return r.stdout


class ThreadedController:
    """pyovn's controller in its own event loop thread (the test drives real tools)."""

    def __init__(self, remote: str) -> None:
        self.remote = remote
        self.dp = FakeDatapath()
        self.graceful = False
        self.ready = threading.Event()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.thread = threading.Thread(target=lambda: asyncio.run(self._main()), daemon=True)
        self.thread.start()
        assert self.ready.wait(10)

    async def _main(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.stop_event = asyncio.Event()
        ctl = Controller(self.remote, self.dp)
        await ctl.start()
        task = asyncio.create_task(ctl.run())
        self.ready.set()
        await self.stop_event.wait()
        task.cancel()
        await ctl.close(graceful=self.graceful)

    def stop(self, graceful: bool = False) -> None:
        self.graceful = graceful
        if self.loop is not None:
            self.loop.call_soon_threadsafe(self.stop_event.set)
        self.thread.join(15)


class Scenario:
    def __init__(self, d: Path, kind: str) -> None:
        self.dir = d
        self.kind = kind
        self.procs: list[Any] = []
        self.ns: str | None = None
        self.ctl: ThreadedController | None = None
        self.nb = RealOvsdbServer(d, "OVN_Northbound").start()
        self.procs.append(self.nb)
        self.sb = RealOvsdbServer(d, "OVN_Southbound").start()
        self.procs.append(self.sb)
        self.conf = RealOvsdbServer(d, "Open_vSwitch", name="conf").start()
        self.procs.append(self.conf)
        self.northd = RealNorthd(self.nb.remote, self.sb.remote, d).start()
        self.procs.append(self.northd)
        ds = str(d)
        self.env = dict(os.environ, OVN_NB_DB=self.nb.remote, OVN_SB_DB=self.sb.remote,
                        OVS_RUNDIR=ds, OVS_LOGDIR=ds, OVN_RUNDIR=ds, OVN_LOGDIR=ds)
        self.vsctl("--no-wait", "init")
        self.vsctl("--no-wait", "set", "Open_vSwitch", ".", "external_ids:system-id=hv1",
                   f"external_ids:ovn-remote={self.sb.remote}", "external_ids:hostname=host1",
                   "external_ids:ovn-encap-type=geneve", "external_ids:ovn-encap-ip=127.0.0.1",
                   "external_ids:ovn-bridge-datapath-type=netdev")
        if kind == "real":
            self.ns = f"ctlit-{secrets.token_hex(3)}"
            _run(["ip", "netns", "add", self.ns], self.env)
            self.daemon("ovs-vswitchd", [f"--unixctl={d}/ovs-vswitchd.ctl", self.conf.remote])
            self.daemon("ovn-controller", [self.conf.remote])
        else:
            self.ctl = ThreadedController(self.conf.remote)

    def daemon(self, name: str, args: list[str]) -> None:
        argv = ["ip", "netns", "exec", self.ns, find_binary(name) or name, *args, "--detach",
                "--no-chdir", f"--pidfile={self.dir}/{name}.pid",
                f"--log-file={self.dir}/{name}.log"]
        _run(argv, self.env)

    def vsctl(self, *args: str) -> str:
        return _run(["ovs-vsctl", f"--db={self.conf.remote}", "--timeout=30", *args], self.env)

    def nbctl(self, *args: str) -> str:
        return _run(["ovn-nbctl", "--timeout=30", *args], self.env)

    def sbctl(self, *args: str) -> str:
        return _run(["ovn-sbctl", *args], self.env)

    def wait(self, pred: Any, what: str, timeout: float = 30) -> None:
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if pred():
                return
            time.sleep(0.1)
        raise AssertionError(f"{self.kind}: timed out waiting for {what}")

    def close(self) -> None:
        if self.ctl is not None:
            self.ctl.stop()
        for name in ("ovn-controller", "ovs-vswitchd"):
            pidfile = self.dir / f"{name}.pid"
            if pidfile.exists():
                subprocess.run(["kill", pidfile.read_text().strip()], capture_output=True)
        if self.ns:
            import time

            time.sleep(0.5)
            subprocess.run(["ip", "netns", "del", self.ns], capture_output=True)
        for p in reversed(self.procs):
            p.stop()


def _outcome(s: Scenario) -> dict[str, Any]:
    """What the controller wrote, in comparable form."""
    s.wait(lambda: "br-int" in s.vsctl("list-br").split(), "br-int")
    for line in NB:
        s.nbctl(*line)
    s.vsctl("add-port", "br-int", "vm1", "--", "set", "Interface", "vm1", "type=internal",
            "external_ids:iface-id=p1")
    s.nbctl("--wait=hv", "sync")
    s.wait(lambda: s.nbctl("lsp-get-up", "p1").strip() == "up", "p1 up")
    chassis = {}
    for line in s.sbctl("--bare", "--columns=_uuid,name", "list", "Chassis").split("\n\n"):
        if line.strip():
            u, n = line.split()
            chassis[u] = n
    pbs = {}
    for line in s.sbctl("--format=csv", "--data=bare", "--no-headings",
                        "--columns=logical_port,chassis,up", "list", "Port_Binding").splitlines():
        lp, ch, up = line.split(",")
        pbs[lp] = (chassis.get(ch, ch), up)
    other = s.sbctl("get", "Chassis", "hv1", "other_config")
    other_d = dict(kv.split("=", 1) for kv in other.strip("{}\n").split(", "))
    other_d.pop("iface-types")  # what each switch supports
    vm1_ids = s.vsctl("get", "Interface", "vm1", "external_ids")
    br_ids = s.vsctl("get", "Bridge", "br-int", "external_ids")
    br_oc = s.vsctl("get", "Bridge", "br-int", "other_config")
    return {
        # Port_Bindings are listed in the replica's (uuid hash) order: compare them sorted.
        "show": _sorted_bindings(s.sbctl("show")),
        "port_bindings": pbs,
        "chassis_other_config": other_d,
        "encaps": s.sbctl("--bare", "--columns=type,ip,options,chassis_name", "list", "Encap"),
        "chassis_private": s.sbctl("--bare", "--columns=name,nb_cfg", "list", "Chassis_Private"),
        "nb_hv_cfg": s.nbctl("get", "NB_Global", ".", "hv_cfg"),
        "br_fail_mode": s.vsctl("get", "Bridge", "br-int", "fail_mode"),
        "br_datapath_type": s.vsctl("get", "Bridge", "br-int", "datapath_type"),
        "br_other_config_keys": sorted(k.split("=")[0] for k in br_oc.strip("{}\n").split(", ")),
        "br_external_ids_keys": sorted(k.split("=")[0] for k in br_ids.strip("{}\n").split(", ")
                                       if not k.startswith("ct-zone-")),
        "vm1_external_ids_keys": sorted(k.split("=")[0]
                                        for k in vm1_ids.strip("{}\n").split(", ")),
        "ovs_other_config": s.vsctl("get", "Open_vSwitch", ".", "other_config"),
    }


def _sorted_bindings(show: str) -> str:
    lines = show.splitlines()
    head = [ln for ln in lines if "Port_Binding" not in ln]
    return "\n".join(head + sorted(ln for ln in lines if "Port_Binding" in ln))


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    reason = require_real(*TOOLS)
    if reason is None and (os.geteuid() != 0 or require_real(*REAL_CHASSIS)):
        reason = "the real chassis needs root and " + ", ".join(REAL_CHASSIS)
    if reason:
        print(f"skipping: {reason}")
        pytest.skip(reason)
    out = {}
    for kind in ("real", "pyovn"):
        s = Scenario(tmp_path_factory.mktemp(kind), kind)
        try:
            out[kind] = _outcome(s)
        finally:
            s.close()
    return out


@pytest.mark.parametrize("what", [
    "show", "port_bindings", "chassis_other_config", "encaps", "chassis_private", "nb_hv_cfg",
    "br_fail_mode", "br_datapath_type", "br_other_config_keys", "br_external_ids_keys",
    "vm1_external_ids_keys", "ovs_other_config",
])
def test_same_as_the_real_controller(outcomes: dict[str, dict[str, Any]], what: str) -> None:
    assert outcomes["pyovn"][what] == outcomes["real"][what]


def test_scenario_is_not_trivial(outcomes: dict[str, dict[str, Any]]) -> None:
    pbs = outcomes["pyovn"]["port_bindings"]
    assert pbs["p1"] == ("hv1", "true")
    assert pbs["gw-sw0"] == ("hv1", "true") and pbs["cr-lr1-pub"] == ("hv1", "true")
    assert pbs["p2"] == ("", "false")
    assert "Chassis hv1" in outcomes["pyovn"]["show"]
    assert "Port_Binding p1" in outcomes["pyovn"]["show"]
