"""Datapath: pyovn's controller (its own datapath) and the real OVN, same work, same run (issue 12).

Paths ("--only"):
  veth      two namespaces joined by a bare veth pair: the limit of this machine
  real      the real ovn-controller over the real ovs-vswitchd (userspace datapath, netdev),
            default configuration (the VMs' veths then need transmit checksum offload off:
            the userspace datapath reads them without virtio-net headers)
  real-tso  the same with other_config:userspace-tso-enable=true (experimental in OVS 3.1;
            TSO and checksum offload through virtio-net headers, the VMs' offloads left on):
            datapath figures only, for comparison; the targets are against "real"
  pyovn     pyovn's controller, under the real ovsdb-servers and ovn-northd by default
            (--pyovn-flavour names another flavour of pyovn.testing.stack.FLAVOURS)

Measurements:
  rtt         two VMs on one logical switch: median of the per-packet round trips of
              ``ping -i 0.01 -c 200`` (after a warm-up)
  throughput  iperf3, one TCP stream, 10 s (3 s with --quick), VM1 -> VM2
  port-up     with 200 ports already bound on the chassis (bound in bulk: one ovn-nbctl and one
              ovs-vsctl run), from ``ovs-vsctl add-port br-int X -- set interface X
              type=internal external_ids:iface-id=P`` to Logical_Switch_Port P's ``up`` = true
              (what ``ovn-nbctl lsp-get-up`` reads; watched through an IDL, not polled): the
              median of 10 ports, added one at a time
  start       a Southbound of 10,000 ports on one switch (with port_security, as Neutron's; the
              real ovn-northd 23.03 writes about 3 logical flows a port, ~30,000), a chassis
              whose local database already holds 4 ports with iface-ids of that switch: from
              starting the controller to the 4 Port_Bindings' ``up`` = true, and to "caught
              up" (a ``ovn-nbctl --wait=hv sync`` issued once they are up has returned: the real
              ovn-controller with ovn-monitor-all=false says "up" about 2 s before the switch's
              flows are installed); with ovn-monitor-all false and true (the switch being
              local, both load all its flows).  The real chassis' ovs-vswitchd runs (bridge and
              ports made) before the clock starts; pyovn's controller is its own vswitchd, so
              its start includes making the devices

Targets (pyovn against real): rtt at most 2x, throughput at least 0.5x, port-up no slower,
start (up and caught up) at most 2x.  A path that cannot run here (pyovn's controller missing, not root...) is
reported with the reason, never skipped silently.  Every namespace and process is removed at
the end (pyovn.testing.stack).  Runs as root:

    .venv/bin/python bench/datapath.py [--quick] [--only real,pyovn,veth] [--json FILE]
                                       [--pyovn-flavour NAME] [--skip datapath,port-up,start]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ipaddress
import json
import os
import platform
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from pyovn.ovsdb.client import Idl
from pyovn.testing.stack import FLAVOURS, Stack, StackError, missing, which

KINDS = ("veth", "real", "real-tso", "pyovn")
TSO = {"userspace-tso-enable": "true"}
IP1, IP2 = "192.168.50.21", "192.168.50.22"
MAC1, MAC2 = "50:54:00:00:00:01", "50:54:00:00:00:02"
LOCAL_PORTS = 4


# --- helpers --------------------------------------------------------------------------------------


def sh(*argv: str, ns: str | None = None, timeout: float = 60, check: bool = True,
       ) -> subprocess.CompletedProcess[str]:
    cmd = [which(argv[0]) or argv[0], *argv[1:]]
    if ns:
        cmd = ["ip", "netns", "exec", ns, *cmd]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if check and r.returncode != 0:
        raise StackError(f"{' '.join(argv)}: exit {r.returncode}: {r.stderr.strip()}")
    return r


def flavour_of(kind: str, args: argparse.Namespace) -> str:
    return "all-real" if kind.startswith("real") else args.pyovn_flavour


def unavailable(kind: str, args: argparse.Namespace) -> str | None:
    if os.geteuid() != 0:
        return "needs root"
    if kind == "veth":
        lacking = [b for b in ("ip", "ping", "iperf3") if which(b) is None]
        return f"missing binaries: {', '.join(lacking)}" if lacking else None
    why = missing(flavour_of(kind, args))
    if why is None and which("iperf3") is None:
        why = "missing binary: iperf3"
    return why


def cpu_seconds(pid: int | None) -> float | None:
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mib(pid: int | None) -> float | None:
    with contextlib.suppress(OSError, ValueError, TypeError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return None


def port_address(i: int) -> tuple[str, str]:
    """MAC and IP of the i-th bulk port (10.0.0.2 upwards)."""
    mac = f"0a:00:00:{(i >> 16) & 255:02x}:{(i >> 8) & 255:02x}:{i & 255:02x}"
    return mac, str(ipaddress.IPv4Address(0x0A000002 + i))


@contextlib.contextmanager
def veth_pair() -> Iterator[tuple[str, str]]:
    """Two namespaces joined by a bare veth pair (IP1, IP2)."""
    tag = secrets.token_hex(2)
    a, b = f"bench-a-{tag}", f"bench-b-{tag}"
    made: list[str] = []
    try:
        for ns in (a, b):
            sh("ip", "netns", "add", ns)
            made.append(ns)
            sh("ip", "-n", ns, "link", "set", "lo", "up")
        sh("ip", "link", "add", "eth0", "netns", a, "type", "veth", "peer", "name", "eth0",
           "netns", b)
        for ns, ip in ((a, IP1), (b, IP2)):
            sh("ip", "-n", ns, "addr", "add", f"{ip}/24", "dev", "eth0")
            sh("ip", "-n", ns, "link", "set", "eth0", "up")
        yield a, b
    finally:
        for ns in made:
            sh("ip", "netns", "del", ns, check=False)


@contextlib.contextmanager
def two_vm_stack(kind: str, args: argparse.Namespace, base: Path) -> Iterator[tuple[str, str]]:
    with Stack(base / f"dp-{kind}", flavour_of(kind, args),
               other_config=TSO if kind == "real-tso" else None) as st:
        st.nbctl("ls-add", "sw0",
                 "--", "lsp-add", "sw0", "p1", "--", "lsp-set-addresses", "p1", f"{MAC1} {IP1}",
                 "--", "lsp-add", "sw0", "p2", "--", "lsp-set-addresses", "p2", f"{MAC2} {IP2}")
        a = st.vm("vm1", "p1", MAC1, f"{IP1}/24")
        b = st.vm("vm2", "p2", MAC2, f"{IP2}/24")
        st.sync_hv()
        st.wait_up("p1", "p2")
        yield a, b


_TIME = re.compile(r"time=([0-9.]+) ms")


def ping_rtts(ns: str, address: str, count: int) -> list[float]:
    r = sh("ping", "-n", "-i", "0.01", "-c", str(count), "-W", "1", address, ns=ns,
           timeout=60 + count, check=False)
    return [float(m) for m in _TIME.findall(r.stdout)]


def iperf3(client: str, server: str, address: str, seconds: float) -> float:
    """Gbit/s received over one TCP stream."""
    port = "5201"
    srv = subprocess.Popen(["ip", "netns", "exec", server, which("iperf3") or "iperf3", "-s",
                            "-1", "-B", address, "-p", port], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 10
        while True:
            r = sh("iperf3", "-c", address, "-p", port, "-t", str(seconds), "-J", ns=client,
                   timeout=seconds + 60, check=False)
            # iperf3 3.12 -J exits 0 even when it could not connect: the JSON says so.
            try:
                result = json.loads(r.stdout)
            except ValueError:
                result = {"error": r.stderr.strip() or r.stdout[-300:]}
            error = result.get("error")
            if not error:
                return float(result["end"]["sum_received"]["bits_per_second"]) / 1e9
            if "refused" not in error or time.monotonic() > deadline:
                raise StackError(f"iperf3: {error}")
            time.sleep(0.1)  # the server is not listening yet
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(srv.pid, 9)
        srv.wait()


def datapath_case(kind: str, args: argparse.Namespace, base: Path) -> dict[str, Any]:
    res: dict[str, Any] = {"path": kind, "rtt_ms": None, "gbit_s": None, "loss": None,
                           "error": unavailable(kind, args)}
    if kind != "veth" and not res["error"]:
        res["flavour"] = flavour_of(kind, args)
    if res["error"]:
        res["error"] = f"not available: {res['error']}"
        return res
    ctx = veth_pair() if kind == "veth" else two_vm_stack(kind, args, base)
    try:
        with ctx as (a, b):
            ping_rtts(a, IP2, 20)  # warm-up: ARP, flow caches
            rtts = ping_rtts(a, IP2, args.pings)
            res["loss"] = 1 - len(rtts) / args.pings
            if rtts:
                res["rtt_ms"] = statistics.median(rtts)
                res["rtt_p90_ms"] = sorted(rtts)[int(len(rtts) * 0.9)]
            res["gbit_s"] = iperf3(a, b, IP2, args.seconds)
    except (StackError, OSError, subprocess.TimeoutExpired, ValueError, KeyError) as e:
        res["error"] = f"{type(e).__name__}: {e}"
    return res


# --- port-up --------------------------------------------------------------------------------------


class UpWatch:
    """Times at which rows of ``table`` (named by ``key``) first read ``up`` = true."""

    def __init__(self, remote: str, db: str, table: str, key: str) -> None:
        self.idl = Idl(remote, db, tables={table: [key, "up"]}, request_timeout=300)
        self.table, self.key = table, key
        self.ups: dict[str, float] = {}

    async def start(self) -> None:
        await self.idl.start(timeout=120)
        for row in self.idl.tables[self.table].all():
            if row.up == [True]:
                self.ups[getattr(row, self.key)] = time.perf_counter()
        self.idl.watch(self._event, self.table)

    def _event(self, event: str, row: Any, old: Any) -> None:
        if event != "delete" and row.up == [True]:
            self.ups.setdefault(getattr(row, self.key), time.perf_counter())

    async def wait(self, names: list[str], timeout: float,
                   alive: Callable[[], bool] = lambda: True) -> None:
        deadline = time.perf_counter() + timeout
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                missing_ = [n for n in names if n not in self.ups]
                raise StackError(f"{len(missing_)} of {len(names)} ports not up after "
                                 f"{timeout:g}s (e.g. {missing_[0]})")
            try:
                await self.idl.wait_until(lambda: all(n in self.ups for n in names),
                                          min(left, 1.0))
                return
            except TimeoutError:
                if not alive():
                    raise StackError("the controller exited") from None

    async def close(self) -> None:
        await self.idl.close()


def controller_alive(st: Stack) -> Callable[[], bool]:
    def alive() -> bool:
        pid = st.daemon_pid("ovn-controller")
        return pid is not None and os.path.exists(f"/proc/{pid}")
    return alive


async def port_up_case(kind: str, args: argparse.Namespace, base: Path) -> dict[str, Any]:
    res: dict[str, Any] = {"chassis": kind, "bound": args.bound, "ms": [], "median_ms": None,
                           "bulk_s": None, "error": None}
    why = unavailable(kind, args)
    if why:
        res["error"] = f"not available: {why}"
        return res
    total = args.bound + args.adds
    names = [f"lp{i}" for i in range(total)]
    cmd = ["ls-add", "sw0"]
    for i, name in enumerate(names):
        mac, ip = port_address(i)
        cmd += ["--", "lsp-add", "sw0", name, "--", "lsp-set-addresses", name, f"{mac} {ip}"]
    watch: UpWatch | None = None
    st: Stack | None = None
    try:
        st = await asyncio.to_thread(Stack, base / f"up-{kind}", flavour_of(kind, args))
        await asyncio.to_thread(st.nbctl, *cmd)
        watch = UpWatch(st.nb_remote, "OVN_Northbound", "Logical_Switch_Port", "name")
        await watch.start()
        bulk = [(f"i{i}", names[i]) for i in range(args.bound)]
        t0 = time.perf_counter()
        await asyncio.to_thread(st.add_internal_ports, bulk)
        await watch.wait(names[:args.bound], args.port_timeout * 10, controller_alive(st))
        res["bulk_s"] = time.perf_counter() - t0
        for i in range(args.bound, total):
            t0 = time.perf_counter()
            vsctl = asyncio.create_task(
                asyncio.to_thread(st.add_internal_ports, [(f"i{i}", names[i])]))
            await watch.wait([names[i]], args.port_timeout, controller_alive(st))
            res["ms"].append((watch.ups[names[i]] - t0) * 1000)
            await vsctl
        res["median_ms"] = statistics.median(res["ms"])
        res["controller_cpu_s"] = cpu_seconds(st.daemon_pid("ovn-controller"))
    except (StackError, OSError, subprocess.TimeoutExpired, TimeoutError) as e:
        res["error"] = f"{type(e).__name__}: {e}"
    finally:
        if watch is not None:
            with contextlib.suppress(Exception):
                await watch.close()
        if st is not None:
            await asyncio.to_thread(st.close)
    return res


# --- controller start on a big Southbound ---------------------------------------------------------


def check_reply(result: list[Any]) -> None:
    for r in result:
        if isinstance(r, dict) and "error" in r:
            raise StackError(f"transaction failed: {r}")


async def populate(central: Stack, n: int, local: list[str]) -> None:
    """Switch sw0 with n ports (MAC and IP each) plus the ``local`` ones, in big transactions."""
    await asyncio.to_thread(central.nbctl, "ls-add", "sw0")
    names = [f"p{i}" for i in range(n)] + local
    idl = Idl(central.nb_remote, "OVN_Northbound", tables={"NB_Global": None},
              request_timeout=300)
    await idl.start(timeout=60)
    try:
        for first in range(0, len(names), 1000):
            ops: list[Any] = []
            chunk = names[first:first + 1000]
            for j, name in enumerate(chunk):
                mac, ip = port_address(first + j)
                ops.append({"op": "insert", "table": "Logical_Switch_Port", "uuid-name": f"l{j}",
                            "row": {"name": name, "addresses": f"{mac} {ip}",
                                    "port_security": f"{mac} {ip}"}})
            ops.append({"op": "mutate", "table": "Logical_Switch",
                        "where": [["name", "==", "sw0"]],
                        "mutations": [["ports", "insert",
                                       ["set", [["named-uuid", f"l{j}"]
                                                for j in range(len(chunk))]]]]})
            check_reply(await idl.transact(ops))
    finally:
        await idl.close()


async def count_rows(remote: str, db: str, table: str) -> int:
    idl = Idl(remote, db, tables={"SB_Global": None}, request_timeout=300)
    await idl.start(timeout=60)
    try:
        reply = await idl.transact([{"op": "select", "table": table, "where": [],
                                     "columns": ["_uuid"]}])
        return len(reply[0]["rows"])
    finally:
        await idl.close()


async def start_case(kind: str, monitor_all: bool, central: Stack, watch: UpWatch,
                     args: argparse.Namespace, base: Path) -> dict[str, Any]:
    res: dict[str, Any] = {"chassis": kind, "monitor_all": monitor_all, "s": None,
                           "caught_up_s": None, "error": None}
    why = unavailable(kind, args)
    if why:
        res["error"] = f"not available: {why}"
        return res
    local = local_ports(kind, monitor_all)
    real = kind == "real"
    system_id = f"bench-{kind}-{'all' if monitor_all else 'cond'}"
    st: Stack | None = None
    try:
        st = await asyncio.to_thread(
            Stack, base / f"start-{kind}-{int(monitor_all)}", flavour_of(kind, args),
            central=central, controller=False, system_id=system_id,
            external_ids={"ovn-monitor-all": str(monitor_all).lower()})
        # The real vswitchd makes the bridge and devices now; pyovn's controller at its start.
        await asyncio.to_thread(st.add_bridge, "br-int", real)
        await asyncio.to_thread(st.add_internal_ports,
                                [(f"i{i}", name) for i, name in enumerate(local)], "br-int", real)
        t0 = time.perf_counter()
        await asyncio.to_thread(st.start_controller)
        res["detach_s"] = time.perf_counter() - t0
        await watch.wait(local, args.start_timeout, controller_alive(st))
        res["s"] = max(watch.ups[n] for n in local) - t0
        # The real ovn-controller with ovn-monitor-all=false says "up" before the switch's
        # flows have arrived (its condition on the datapath is added after the claim): caught
        # up = a ``--wait=hv sync`` issued now has returned (the chassis has applied the
        # Southbound as of now).
        await asyncio.to_thread(central.tool, "nbctl", "--wait=hv",
                                f"--timeout={int(args.start_timeout)}", "sync",
                                timeout=args.start_timeout + 30)
        res["caught_up_s"] = time.perf_counter() - t0
        pid = st.daemon_pid("ovn-controller")
        res["controller_cpu_s"] = cpu_seconds(pid)
        res["controller_rss_mib"] = rss_mib(pid)
    except (StackError, OSError, subprocess.TimeoutExpired, TimeoutError) as e:
        res["error"] = f"{type(e).__name__}: {e}"
        if st is not None:
            res["log_tail"] = log_tail(st.dir / "ovn-controller.log")
    finally:
        if st is not None:
            await asyncio.to_thread(st.close)
        with contextlib.suppress(StackError):
            await asyncio.to_thread(central.sbctl, "--if-exists", "chassis-del", system_id)
    return res


def local_ports(kind: str, monitor_all: bool) -> list[str]:
    return [f"local-{kind}-{int(monitor_all)}-{i}" for i in range(LOCAL_PORTS)]


def log_tail(path: Path, lines: int = 6) -> str:
    with contextlib.suppress(OSError):
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    return ""


async def start_cases(kinds: list[str], args: argparse.Namespace,
                      base: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    info: dict[str, Any] = {"ports": args.sb_ports, "lflows": None, "northd_s": None,
                            "error": None}
    results: list[dict[str, Any]] = []
    central: Stack | None = None
    watch: UpWatch | None = None
    try:
        # Central parts only: the real ovsdb-servers and ovn-northd (the flavour's chassis part
        # is not started).
        central = await asyncio.to_thread(Stack, base / "central", "pyovn-controller",
                                          chassis=False)
        local = [n for k in ("real", "pyovn") for m in (False, True) for n in local_ports(k, m)]
        await populate(central, args.sb_ports, local)
        t0 = time.perf_counter()
        await asyncio.to_thread(central.run, "ovn-nbctl", "--wait=sb", "--timeout=900", "sync",
                                timeout=1000)
        info["northd_s"] = time.perf_counter() - t0
        info["lflows"] = await count_rows(central.sb_remote, "OVN_Southbound", "Logical_Flow")
        watch = UpWatch(central.sb_remote, "OVN_Southbound", "Port_Binding", "logical_port")
        await watch.start()
        for kind in kinds:
            for monitor_all in (False, True):
                r = await start_case(kind, monitor_all, central, watch, args, base)
                print(f"  start {kind} monitor-all={str(monitor_all).lower()}: up "
                      f"{fmt(r['s'], '.2f')} s, caught up {fmt(r['caught_up_s'], '.2f')} s "
                      f"{r['error'] or ''}", flush=True)
                results.append(r)
    except (StackError, OSError, subprocess.TimeoutExpired, TimeoutError) as e:
        info["error"] = f"{type(e).__name__}: {e}"
    finally:
        if watch is not None:
            with contextlib.suppress(Exception):
                await watch.close()
        if central is not None:
            await asyncio.to_thread(central.close)
    return info, results


# --- report ---------------------------------------------------------------------------------------


def fmt(v: float | None, spec: str) -> str:
    """``v`` formatted, or a dash as wide as ``spec`` says."""
    if v is None:
        width = re.match(r"\d*", spec)
        return "-".rjust(int(width.group() or 1) if width else 1)
    return format(v, spec)


def target(label: str, p: float | None, r: float | None, limit: float,
           higher_better: bool) -> str:
    if p is None or r is None or r == 0:
        return f"  {label:<48} pyovn/real      n/a   (needs both measured)"
    q = p / r
    ok = q >= limit if higher_better else q <= limit
    op = ">=" if higher_better else "<="
    return f"  {label:<48} pyovn/real {q:8.2f}x  (target {op} {limit:g}x)  " \
           f"{'PASS' if ok else 'FAIL'}"


def report(out: dict[str, Any], args: argparse.Namespace) -> None:
    print(f"\ndatapath: two VMs on one logical switch; rtt = median of {args.pings} pings "
          f"(-i 0.01), throughput = iperf3 TCP {args.seconds:g} s")
    print(f"{'path':<8} {'rtt ms':>8} {'p90 ms':>8} {'Gbit/s':>8}  note")
    for r in out["datapath"]:
        note = r["error"] or (f"loss {r['loss']:.0%}" if r["loss"] else "")
        print(f"{r['path']:<8} {fmt(r['rtt_ms'], '8.3f')} {fmt(r.get('rtt_p90_ms'), '8.3f')} "
              f"{fmt(r['gbit_s'], '8.2f')}  {note}")
    if out["port_up"]:
        print(f"\nport-up: add-port -> up, with {args.bound} ports already bound "
              f"(median of {args.adds}; bulk = binding the {args.bound})")
        print(f"{'chassis':<7} {'median ms':>9} {'min ms':>8} {'max ms':>8} {'bulk s':>7}  note")
        for r in out["port_up"]:
            ms = r["ms"]
            print(f"{r['chassis']:<7} {fmt(r['median_ms'], '9.1f')} "
                  f"{fmt(min(ms) if ms else None, '8.1f')} {fmt(max(ms) if ms else None, '8.1f')}"
                  f" {fmt(r['bulk_s'], '7.2f')}  {r['error'] or ''}")
    if out["start"]:
        info = out["start_sb"]
        print(f"\ncontroller start on a Southbound of {info['ports']} ports "
              f"({info['lflows'] or '?'} logical flows; real northd took "
              f"{fmt(info['northd_s'], '.1f')} s): start -> {LOCAL_PORTS} local ports up, and "
              "-> a --wait=hv sync issued then returned (caught up)"
              + (f"   [{info['error']}]" if info["error"] else ""))
        print(f"{'chassis':<7} {'monitor-all':<11} {'up s':>7} {'caught s':>8} {'cpu s':>7} "
              f"{'RSS MiB':>8}  note")
        for r in out["start"]:
            print(f"{r['chassis']:<7} {str(r['monitor_all']).lower():<11} {fmt(r['s'], '7.2f')} "
                  f"{fmt(r['caught_up_s'], '8.2f')} "
                  f"{fmt(r.get('controller_cpu_s'), '7.2f')} "
                  f"{fmt(r.get('controller_rss_mib'), '8.0f')}  {r['error'] or ''}")
            if r.get("log_tail"):
                print("    " + r["log_tail"].replace("\n", "\n    "))

    def get(section: str, key: str, who: str, field: str, **extra: Any) -> float | None:
        for r in out[section]:
            if r.get(key) == who and all(r.get(k) == v for k, v in extra.items()):
                return r.get(field)
        return None

    print("\ntargets:")
    print(target("round trip at most 2x", get("datapath", "path", "pyovn", "rtt_ms"),
                 get("datapath", "path", "real", "rtt_ms"), 2.0, False))
    print(target("throughput at least 0.5x", get("datapath", "path", "pyovn", "gbit_s"),
                 get("datapath", "path", "real", "gbit_s"), 0.5, True))
    print(target("port-up no slower", get("port_up", "chassis", "pyovn", "median_ms"),
                 get("port_up", "chassis", "real", "median_ms"), 1.0, False))
    for mall in (False, True):
        for field, what in (("s", "up"), ("caught_up_s", "caught up")):
            print(target(f"start->{what} (monitor-all={str(mall).lower()}) at most 2x",
                         get("start", "chassis", "pyovn", field, monitor_all=mall),
                         get("start", "chassis", "real", field, monitor_all=mall), 2.0, False))
    pt = (get("datapath", "path", "pyovn", "rtt_ms"), get("datapath", "path", "real-tso", "rtt_ms"))
    pb = (get("datapath", "path", "pyovn", "gbit_s"), get("datapath", "path", "real-tso", "gbit_s"))
    if pt[0] and pt[1] and pb[0] and pb[1]:
        print(f"  (pyovn against real-tso: rtt {pt[0] / pt[1]:.2f}x, "
              f"throughput {pb[0] / pb[1]:.2f}x)")
    for who in ("real", "real-tso", "pyovn"):
        rtt = (get("datapath", "path", who, "rtt_ms"), get("datapath", "path", "veth", "rtt_ms"))
        bw = (get("datapath", "path", who, "gbit_s"), get("datapath", "path", "veth", "gbit_s"))
        if rtt[0] and rtt[1] and bw[0] and bw[1]:
            print(f"  ({who} against the bare veth: rtt {rtt[0] / rtt[1]:.1f}x, "
                  f"throughput {bw[0] / bw[1]:.3f}x)")


async def run(args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {"machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                                       "python": sys.version.split()[0]},
                           "args": {k: v for k, v in vars(args).items() if k != "json"},
                           "datapath": [], "port_up": [], "start": [], "start_sb": {}}
    base = Path(tempfile.mkdtemp(prefix="bench-datapath-"))
    try:
        for kind in args.only if "datapath" not in args.skip else ():
            r = await asyncio.to_thread(datapath_case, kind, args, base)
            print(f"  datapath {kind}: rtt {fmt(r['rtt_ms'], '.3f')} ms, "
                  f"{fmt(r['gbit_s'], '.2f')} Gbit/s {r['error'] or ''}", flush=True)
            out["datapath"].append(r)
        chassis = [k for k in args.only if k in ("real", "pyovn")]
        if "port-up" not in args.skip:
            for kind in chassis:
                r = await port_up_case(kind, args, base)
                print(f"  port-up {kind}: median {fmt(r['median_ms'], '.1f')} ms "
                      f"{r['error'] or ''}", flush=True)
                out["port_up"].append(r)
        if "start" not in args.skip and chassis:
            out["start_sb"], out["start"] = await start_cases(chassis, args, base)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true",
                    help="iperf3 3 s, 50 bound ports, 5 adds, a Southbound of 2,000 ports")
    ap.add_argument("--only", default=",".join(KINDS),
                    help="paths to measure, of " + ",".join(KINDS))
    ap.add_argument("--skip", default="", help="sections to leave out: datapath,port-up,start")
    ap.add_argument("--pyovn-flavour", default="pyovn-controller", choices=sorted(FLAVOURS),
                    help="the stack flavour that is 'pyovn' (default: pyovn's controller under "
                         "the real servers and northd)")
    ap.add_argument("--json", help="write the results to this file")
    ap.add_argument("--pings", type=int, default=200)
    ap.add_argument("--seconds", type=float, default=None)
    ap.add_argument("--bound", type=int, default=None)
    ap.add_argument("--adds", type=int, default=None)
    ap.add_argument("--sb-ports", type=int, default=None)
    ap.add_argument("--port-timeout", type=float, default=60.0)
    ap.add_argument("--start-timeout", type=float, default=600.0)
    args = ap.parse_args(argv)
    q = args.quick
    args.seconds = args.seconds or (3.0 if q else 10.0)
    args.bound = args.bound if args.bound is not None else (50 if q else 200)
    args.adds = args.adds or (5 if q else 10)
    args.sb_ports = args.sb_ports or (2000 if q else 10000)
    args.only = [k for k in args.only.split(",") if k]
    args.skip = [s for s in args.skip.split(",") if s]
    bad = [k for k in args.only if k not in KINDS]
    if bad:
        ap.error(f"unknown path(s): {', '.join(bad)}")
    if os.geteuid() != 0:
        print("bench/datapath.py needs root (namespaces, veth and TAP devices)", file=sys.stderr)
        return 2
    out = asyncio.run(run(args))
    report(out, args)
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
