"""ovsdbapp + python-ovs on pyovn's ovsdb-server vs on the real ovsdb-server: same client, same
work, same run.

The workload is bench/port_creation.py's variant a: N ports, one transaction each (the port with
addresses and port security on switch sw0, its IP added to an address set, 8 ACLs through
acl_add). Per server this prints ports/s, the median per-port latency, the client's CPU time
(both its threads: ovsdbapp runs the IDL in a thread of its own) and the server's CPU time, and
then the pyovn/real ratios. Every run is its own process (ovsdbapp keeps its connection in class
attributes); ``--repeat`` alternates the servers that many times and reports medians.

``--capture DIR`` puts a logging proxy between client and server and writes what each side sent
(one JSON-RPC message per line, ``>`` client to server, ``<`` server to client) to
DIR/<server>.jsonl, with a byte and message count per direction and method: the wire traffic
the two servers send for the same transactions, for comparison.

    .venv/bin/python bench/ovsdbapp_on_pyovn.py [--n 300] [--repeat 3] [--capture DIR]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from port_creation import NB, ovsdbapp_runner, time_ports  # noqa: E402

from pyovn.ovsdb.jsonrpc import Framer  # noqa: E402
from pyovn.testing.wire import ServerProcess  # noqa: E402

SERVERS = {"real": True, "pyovn": False}


def proc_cpu(pid: int) -> float:
    """CPU seconds (user + system) of process ``pid`` and its reaped children, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return sum(int(f) for f in fields[11:15]) / tick


class Proxy:
    """A unix socket relay that logs each JSON-RPC message both ways."""

    def __init__(self, listen: str, target: str, log: Path):
        self.target = target
        self.log = log.open("w")
        self.lock = threading.Lock()
        self.counts: Counter[tuple[str, str]] = Counter()
        self.sizes: Counter[tuple[str, str]] = Counter()
        self.lsock = socket.socket(socket.AF_UNIX)
        self.lsock.bind(listen)
        self.lsock.listen(4)
        self.threads: list[threading.Thread] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                c, _ = self.lsock.accept()
            except OSError:
                return
            s = socket.socket(socket.AF_UNIX)
            s.connect(self.target)
            for src, dst, tag in ((c, s, ">"), (s, c, "<")):
                t = threading.Thread(target=self._pump, args=(src, dst, tag), daemon=True)
                t.start()
                self.threads.append(t)

    def _pump(self, src: socket.socket, dst: socket.socket, tag: str) -> None:
        framer = Framer()
        while True:
            try:
                data = src.recv(1 << 16)
            except OSError:
                data = b""
            if not data:
                with contextlib.suppress(OSError):
                    dst.shutdown(socket.SHUT_WR)
                return
            dst.sendall(data)
            for msg in framer.feed(data):
                text = json.dumps(msg, sort_keys=True)
                kind = msg.get("method") or ("reply" if "result" in msg else "error")
                with self.lock:
                    self.counts[(tag, kind)] += 1
                    self.sizes[(tag, kind)] += len(text)
                    self.log.write(f"{tag} {text}\n")

    def close(self) -> dict[str, Any]:
        self.lsock.close()
        for t in self.threads:
            t.join(2)
        with self.lock:
            self.log.close()
        return {f"{d} {k}": [self.counts[(d, k)], self.sizes[(d, k)]]
                for d, k in sorted(self.counts)}


def run_one(server_kind: str, n: int, capture: str | None) -> dict[str, Any]:
    real = SERVERS[server_kind]
    with tempfile.TemporaryDirectory(prefix="pyovn-bench-") as d:
        server = ServerProcess(Path(d), [NB], real=real,
                               extra=[] if real else ["--no-fsync"]).start()
        proxy = None
        try:
            remote = server.sock
            if capture:
                remote = f"{d}/proxy.sock"
                proxy = Proxy(remote, server.sock, Path(capture) / f"{server_kind}.jsonl")
            assert server.proc is not None
            spid = server.proc.pid
            s_cpu0 = proc_cpu(spid)
            c_cpu0 = time.process_time()
            one, close = ovsdbapp_runner(f"unix:{remote}", "a")
            try:
                lat, total = time_ports(one, n)
            finally:
                c_cpu = time.process_time() - c_cpu0
                s_cpu = proc_cpu(spid) - s_cpu0
                close()
        finally:
            traffic = proxy.close() if proxy else None
            server.stop()
    return {"server": server_kind, "n": n, "total": total, "rate": n / total,
            "median": statistics.median(lat), "last100": statistics.median(lat[-100:]),
            "client_cpu": c_cpu, "server_cpu": s_cpu, "traffic": traffic}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=300, help="ports per run (default 300)")
    ap.add_argument("--repeat", type=int, default=1, help="runs per server, alternating")
    ap.add_argument("--capture", metavar="DIR", help="log the JSON-RPC traffic to DIR")
    ap.add_argument("--worker", nargs=2, metavar=("SERVER", "N"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        kind, n = args.worker
        print(json.dumps(run_one(kind, int(n), args.capture)))
        return 0
    if args.capture:
        Path(args.capture).mkdir(parents=True, exist_ok=True)
    runs: dict[str, list[dict[str, Any]]] = {k: [] for k in SERVERS}
    for r in range(args.repeat):
        for kind in SERVERS:
            print(f"run {r + 1}/{args.repeat}: ovsdbapp on {kind} ovsdb-server, N={args.n} ...",
                  file=sys.stderr, flush=True)
            argv = [sys.executable, __file__, "--worker", kind, str(args.n)]
            if args.capture:
                argv += ["--capture", args.capture]
            out = subprocess.run(argv, check=True, stdout=subprocess.PIPE, text=True).stdout
            runs[kind].append(json.loads(out.strip().splitlines()[-1]))

    def med(kind: str, key: str) -> float:
        return statistics.median(x[key] for x in runs[kind])

    print(f"\novsdbapp + python-ovs, variant a (lsp_add + address set + 8 acl_add per port), "
          f"N={args.n}, medians of {args.repeat} run(s)")
    print(f"{'server':<8} {'ports/s':>8} {'median ms':>10} {'last100 ms':>10} "
          f"{'client CPU s':>12} {'server CPU s':>12}")
    for kind in SERVERS:
        print(f"{kind:<8} {med(kind, 'rate'):>8.1f} {med(kind, 'median') * 1000:>10.1f} "
              f"{med(kind, 'last100') * 1000:>10.1f} {med(kind, 'client_cpu'):>12.2f} "
              f"{med(kind, 'server_cpu'):>12.2f}")
    print(f"pyovn/real: ports/s {med('pyovn', 'rate') / med('real', 'rate'):.2f}x, "
          f"median latency {med('pyovn', 'median') / med('real', 'median'):.2f}x, "
          f"client CPU {med('pyovn', 'client_cpu') / med('real', 'client_cpu'):.2f}x, "
          f"server CPU {med('pyovn', 'server_cpu') / med('real', 'server_cpu'):.2f}x")
    if args.repeat > 1:
        for kind in SERVERS:
            print(f"  {kind} ports/s per run: " + ", ".join(f"{x['rate']:.1f}" for x in runs[kind]))
    if args.capture:
        print(f"\nwire traffic (last run), messages / bytes of JSON per direction and method; "
              f"logs in {args.capture}/<server>.jsonl")
        keys = sorted({k for kind in SERVERS for k in (runs[kind][-1]["traffic"] or {})})
        print(f"{'':<24}" + "".join(f"{kind:>26}" for kind in SERVERS))
        for k in keys:
            row = "".join(f"{str((runs[kind][-1]['traffic'] or {}).get(k, [0, 0])):>26}"
                          for kind in SERVERS)
            print(f"{k:<24}{row}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
