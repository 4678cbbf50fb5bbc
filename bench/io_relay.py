"""The ceiling of the Python datapath's packet I/O: frames copied between two ports, no pipeline.

Two network namespaces, one interface in each. The relay (a child process: epoll over the two
port fds, `dst.send_batch(src.recv_batch(batch))`) is all that connects them; a bare veth pair
between the same namespaces is the kernel's own baseline. For each setup:

  ping      RTT through the relay (ping -c N -i 0.01, average and mdev, µs)
  TCP       iperf3 TCP (one stream, -t T), Gbit/s; what the relay saw: frames/s, average
            frame size, share of GSO super-frames, relay CPU per frame (µs)
  UDP 64B   iperf3 UDP, 64-byte payloads, unlimited rate: frames/s the relay forwarded, its
            CPU per frame, and the receiver's loss (the small-frame ceiling)

Setups: veth (kernel) | TAP relay with vnet headers + offloads (TSO/GSO and checksum offload
pass through whole) | TAP, vnet headers, no offloads | TAP, plain | veth pairs relayed over
AF_PACKET (the rootless datapath), with and without vnet headers | TAP + offloads, batch 1
(what batching buys). Root only. The machine is shared: numbers vary from run to run.

    .venv/bin/python bench/io_relay.py [--time 5] [--only tap-offload,veth-kernel]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from pyovn.datapath.io import Port, TapPort, VethPort

IP1, IP2 = "10.250.0.1", "10.250.0.2"


def sh(*cmd: str, ns: str | None = None, check: bool = True) -> str:
    full = ["ip", "netns", "exec", ns, *cmd] if ns else list(cmd)
    r = subprocess.run(full, capture_output=True, text=True)
    if check and r.returncode:
        raise RuntimeError(f"{' '.join(full)}: {r.stderr.strip()}")
    return r.stdout


@contextmanager
def namespaces() -> Iterator[tuple[str, str]]:
    names = (f"iorelay{os.getpid()}a", f"iorelay{os.getpid()}b")
    try:
        for n in names:
            sh("ip", "netns", "add", n)
            sh("ip", "link", "set", "lo", "up", ns=n)
        yield names
    finally:
        for n in names:
            subprocess.run(["ip", "netns", "delete", n], capture_output=True)


def configure(dev: str, ns: str, ip: str) -> None:
    sh("ip", "link", "set", dev, "netns", ns)
    sh("ip", "addr", "add", f"{ip}/24", "dev", dev, ns=ns)
    sh("ip", "link", "set", dev, "up", ns=ns)


# --- the relay -------------------------------------------------------------------------------

def relay_loop(a: Port, b: Port, batch: int, stop_fd: int) -> dict[str, float]:
    ep = select.epoll()
    ep.register(a.fileno(), select.EPOLLIN)
    ep.register(b.fileno(), select.EPOLLIN)
    ep.register(stop_fd, select.EPOLLIN)
    peer = {a.fileno(): (a, b), b.fileno(): (b, a)}
    frames = nbytes = gso = calls = 0
    first = last = 0.0
    while True:
        events = ep.poll()
        if any(fd == stop_fd for fd, _ in events):
            break
        for fd, _ in events:
            src, dst = peer[fd]
            got = src.recv_batch(batch)
            if not got:
                continue
            calls += 1
            dst.send_batch(got)
            frames += len(got)
            for hdr, frame in got:
                nbytes += len(frame)
                if hdr is not None and hdr.gso_type:
                    gso += 1
            last = time.monotonic()
            if not first:
                first = last
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    return {"frames": frames, "bytes": nbytes, "gso": gso, "calls": calls,
            "cpu": cpu.ru_utime + cpu.ru_stime, "span": last - first,
            "dropped": a.tx_dropped + b.tx_dropped}


@dataclass
class Relay:
    """The relay in a forked child; `stop()` returns its counters."""

    a: Port
    b: Port
    batch: int
    pid: int = 0
    stop_w: int = -1
    out_r: int = -1

    def __enter__(self) -> Relay:
        stop_r, self.stop_w = os.pipe()
        self.out_r, out_w = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:
            try:
                res = relay_loop(self.a, self.b, self.batch, stop_r)
                os.write(out_w, json.dumps(res).encode())
            finally:
                os._exit(0)
        os.close(stop_r)
        os.close(out_w)
        return self

    def stop(self) -> dict[str, float]:
        os.write(self.stop_w, b"x")
        data = b""
        while chunk := os.read(self.out_r, 65536):
            data += chunk
        os.waitpid(self.pid, 0)
        os.close(self.stop_w)
        os.close(self.out_r)
        self.pid = 0
        return json.loads(data)

    def __exit__(self, *exc: object) -> None:
        if self.pid:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)


# --- measurements ----------------------------------------------------------------------------

def ping(ns: str, count: int) -> tuple[float, float]:
    out = sh("ping", "-q", "-c", str(count), "-i", "0.01", "-W", "1", IP2, ns=ns, check=False)
    m = re.search(r"= [\d.]+/([\d.]+)/[\d.]+/([\d.]+) ms", out)
    return (float(m.group(1)) * 1000, float(m.group(2)) * 1000) if m else (float("nan"),) * 2


def iperf(ns1: str, ns2: str, seconds: float, udp: bool) -> dict:
    server = subprocess.Popen(["ip", "netns", "exec", ns2, "iperf3", "-s", "-1", "-J"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        time.sleep(0.3)
        cmd = ["iperf3", "-c", IP2, "-t", str(seconds), "-J"]
        if udp:
            cmd += ["-u", "-b", "0", "-l", "64"]
        client = json.loads(sh(*cmd, ns=ns1, check=False) or "{}")
        server_out = json.loads(server.communicate(timeout=seconds + 15)[0] or "{}")
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    return {"client": client, "server": server_out}


@dataclass
class Row:
    setup: str
    ping_us: float = float("nan")
    ping_mdev: float = float("nan")
    tcp_gbps: float = float("nan")
    tcp_fps: float = float("nan")
    tcp_avg_frame: float = float("nan")
    tcp_gso_pct: float = float("nan")
    tcp_us_per_frame: float = float("nan")
    udp_fps: float = float("nan")
    udp_us_per_frame: float = float("nan")
    udp_loss_pct: float = float("nan")
    notes: list[str] = field(default_factory=list)


def measure(row: Row, ns1: str, ns2: str, seconds: float,
            relay: Callable[[], Relay] | None) -> None:
    def run(fn: Callable[[], object]) -> tuple[object, dict[str, float] | None]:
        if relay is None:
            return fn(), None
        with relay() as r:
            time.sleep(0.1)
            try:
                result = fn()
            finally:
                counters = r.stop()
        return result, counters

    (rtt, mdev), _ = run(lambda: ping(ns1, 200))  # type: ignore[misc]
    row.ping_us, row.ping_mdev = rtt, mdev
    res, c = run(lambda: iperf(ns1, ns2, seconds, udp=False))
    end = res["client"].get("end", {})  # type: ignore[index]
    if "sum_received" in end:
        row.tcp_gbps = end["sum_received"]["bits_per_second"] / 1e9
    if c and c["frames"]:
        row.tcp_fps = c["frames"] / max(c["span"], 1e-9)
        row.tcp_avg_frame = c["bytes"] / c["frames"]
        row.tcp_gso_pct = 100 * c["gso"] / c["frames"]
        row.tcp_us_per_frame = 1e6 * c["cpu"] / c["frames"]
        if c["dropped"]:
            row.notes.append(f"tcp: {c['dropped']} frames dropped on send")
    res, c = run(lambda: iperf(ns1, ns2, seconds, udp=True))
    end = res["server"].get("end", {})  # type: ignore[index]
    s = end.get("sum", {})
    if s.get("packets"):
        received = s["packets"] - s.get("lost_packets", 0)
        row.udp_fps = received / max(s.get("seconds", seconds), 1e-9)
        row.udp_loss_pct = s.get("lost_percent", float("nan"))
    if c and c["frames"]:
        row.udp_fps = c["frames"] / max(c["span"], 1e-9)
        row.udp_us_per_frame = 1e6 * c["cpu"] / c["frames"]


SETUPS: dict[str, tuple[str, dict | None]] = {
    "veth-kernel": ("veth pair (kernel, no relay)", None),
    "tap-offload": ("TAP relay, vnet hdr + offloads", {"kind": "tap", "vnet": True, "off": True}),
    "tap-vnet": ("TAP relay, vnet hdr, no offloads", {"kind": "tap", "vnet": True, "off": False}),
    "tap-plain": ("TAP relay, no vnet hdr", {"kind": "tap", "vnet": False, "off": False}),
    "veth-vnet": ("veth+AF_PACKET relay, vnet hdr", {"kind": "veth", "vnet": True}),
    "veth-plain": ("veth+AF_PACKET relay, no vnet hdr", {"kind": "veth", "vnet": False}),
    "tap-offload-b1": ("TAP relay, offloads, batch 1",
                       {"kind": "tap", "vnet": True, "off": True, "batch": 1}),
    "tap-plain-b1": ("TAP relay, no vnet hdr, batch 1",
                     {"kind": "tap", "vnet": False, "off": False, "batch": 1}),
}


def run_setup(key: str, seconds: float) -> Row:
    label, spec = SETUPS[key]
    row = Row(label)
    with namespaces() as (ns1, ns2):
        if spec is None:
            d1, d2 = f"iorv{os.getpid()}a", f"iorv{os.getpid()}b"
            sh("ip", "link", "add", d1, "type", "veth", "peer", "name", d2)
            configure(d1, ns1, IP1)
            configure(d2, ns2, IP2)
            measure(row, ns1, ns2, seconds, None)
            return row
        ports: list[Port] = []
        try:
            for i in (1, 2):
                name = f"ior{os.getpid()}{i}"
                if spec["kind"] == "tap":
                    ports.append(TapPort.create(name, vnet_hdr=spec["vnet"],
                                                offloads=spec["off"]))
                else:
                    ports.append(VethPort.create(name, vnet_hdr=spec["vnet"]))
            configure(ports[0].name, ns1, IP1)
            configure(ports[1].name, ns2, IP2)
            batch = spec.get("batch", 64)
            measure(row, ns1, ns2, seconds, lambda: Relay(ports[0], ports[1], batch))
        finally:
            for p in ports:
                p.close()
    return row


def fmt(v: float, spec: str) -> str:
    return "-" if v != v else format(v, spec)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--time", type=float, default=5, help="seconds per iperf3 run")
    ap.add_argument("--only", help=f"comma-separated setups of: {','.join(SETUPS)}")
    args = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("io_relay: needs root (namespaces, TAP devices)")
    keys = args.only.split(",") if args.only else list(SETUPS)
    rows = []
    for k in keys:
        print(f"... {SETUPS[k][0]}", file=sys.stderr, flush=True)
        rows.append(run_setup(k, args.time))
    head = (f"{'setup':36} {'ping µs':>8} {'mdev':>6} {'TCP Gb/s':>9} {'frames/s':>9} "
            f"{'avg B':>7} {'GSO %':>6} {'µs/frm':>7} {'UDP64 f/s':>10} {'µs/frm':>7} "
            f"{'loss %':>7}")
    print(head)
    print("-" * len(head))
    for r in rows:
        print(f"{r.setup:36} {fmt(r.ping_us, '8.0f')} {fmt(r.ping_mdev, '6.0f')} "
              f"{fmt(r.tcp_gbps, '9.2f')} {fmt(r.tcp_fps, '9.0f')} "
              f"{fmt(r.tcp_avg_frame, '7.0f')} {fmt(r.tcp_gso_pct, '6.1f')} "
              f"{fmt(r.tcp_us_per_frame, '7.2f')} {fmt(r.udp_fps, '10.0f')} "
              f"{fmt(r.udp_us_per_frame, '7.2f')} {fmt(r.udp_loss_pct, '7.1f')}"
              + (f"  ({'; '.join(r.notes)})" if r.notes else ""))
    print(f"\n{os.cpu_count()} CPUs; iperf3 -t {args.time:g}; relay CPU per frame = the relay "
          "process's user+system time / frames it forwarded (ping, TCP and UDP runs each in a "
          "fresh relay).")


if __name__ == "__main__":
    main()
