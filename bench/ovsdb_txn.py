"""OVSDB server throughput: pyovn's ovsdb-server and the real one, same work, same run.

Workloads (each on a fresh OVN_Northbound database, over a unix socket, from one asyncio client
that speaks raw JSON-RPC so the client costs the same for both servers):
  seq      N single-row inserts, one at a time
  pipe10   the same with 10 transactions in flight
  pipe100  the same with 100 in flight
  fanout   1 writer doing sequential inserts while 50 clients monitor the table (every monitor
           must have seen the last insert before the clock stops)

Servers: the real ovsdb-server (when installed), pyovn (default: fsync before reply) and
pyovn --no-fsync (the real server's durability: write, no fsync). Prints transactions/s, the
median of --repeat runs, and the pyovn/real ratios.

    .venv/bin/python bench/ovsdb_txn.py [--n 10000] [--repeat 3] [--only seq,pipe10]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

from pyovn import schemas
from pyovn.ovsdb.jsonrpc import Framer
from pyovn.testing.real import stop_group

NB = str(schemas.path("OVN_Northbound"))


class Client:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.reader, self.writer = reader, writer
        self.framer = Framer()
        self.pending: dict[int, asyncio.Future] = {}
        self.next_id = 0
        self.updates = 0
        self.update_event = asyncio.Event()
        self.task = asyncio.get_running_loop().create_task(self._read())

    @classmethod
    async def connect(cls, sock: str) -> Client:
        r, w = await asyncio.open_unix_connection(sock, limit=1 << 24)
        return cls(r, w)

    async def _read(self) -> None:
        while data := await self.reader.read(1 << 20):
            for msg in self.framer.feed(data):
                if "method" in msg:
                    if msg["method"] == "echo":
                        self.writer.write(orjson.dumps({"result": msg["params"], "error": None, "id": msg["id"]}))
                    elif msg["method"] in ("update", "update2", "update3"):
                        self.updates += 1
                        self.update_event.set()
                    continue
                fut = self.pending.pop(msg["id"], None)
                if fut is not None:
                    fut.set_result(msg)

    def call(self, method: str, params: list) -> asyncio.Future:
        self.next_id += 1
        fut = asyncio.get_running_loop().create_future()
        self.pending[self.next_id] = fut
        self.writer.write(orjson.dumps({"method": method, "params": params, "id": self.next_id}))
        return fut

    def close(self) -> None:
        self.task.cancel()
        self.writer.close()


def insert_op(i: int) -> list:
    return ["OVN_Northbound", {"op": "insert", "table": "Logical_Switch",
                               "row": {"name": f"ls{i}", "external_ids": ["map", [["k", str(i)]]]}}]


async def check(reply: dict) -> None:
    if reply.get("error") or any(isinstance(r, dict) and "error" in r for r in reply["result"]):
        raise RuntimeError(f"transaction failed: {reply}")


async def run_pipelined(sock: str, n: int, depth: int) -> float:
    c = await Client.connect(sock)
    sem = asyncio.Semaphore(depth)
    t0 = time.perf_counter()

    async def one(i: int) -> None:
        async with sem:
            await check(await c.call("transact", insert_op(i)))

    if depth == 1:
        for i in range(n):
            await check(await c.call("transact", insert_op(i)))
    else:
        await asyncio.gather(*(one(i) for i in range(n)))
    dt = time.perf_counter() - t0
    c.close()
    return n / dt


async def run_fanout(sock: str, n: int, watchers: int) -> float:
    mons = [await Client.connect(sock) for _ in range(watchers)]
    for m in mons:
        await m.call("monitor_cond", ["OVN_Northbound", None,
                                      {"Logical_Switch": [{"columns": ["name", "external_ids"]}]}])
    w = await Client.connect(sock)
    t0 = time.perf_counter()
    for i in range(n):
        await check(await w.call("transact", insert_op(i)))
    while any(m.updates < n for m in mons):
        await asyncio.sleep(0.001)
    dt = time.perf_counter() - t0
    for m in mons + [w]:
        m.close()
    return n / dt


def start_server(kind: str, d: Path) -> subprocess.Popen:
    db, sock = d / "nb.db", d / "sock"
    if kind == "real":
        subprocess.run(["ovsdb-tool", "create", str(db), NB], check=True)
        argv = ["ovsdb-server", f"--remote=punix:{sock}", f"--unixctl={d}/ctl", "--no-chdir",
                "-vconsole:off", str(db)]
    else:
        subprocess.run([sys.executable, "-m", "pyovn", "ovsdb-tool", "create", str(db), NB], check=True)
        argv = [sys.executable, "-m", "pyovn", "ovsdb-server", f"--remote=punix:{sock}",
                f"--unixctl={d}/ctl", "--no-chdir", "-vconsole:off", str(db)]
        if kind == "pyovn-nofsync":
            argv.append("--no-fsync")
    p = subprocess.Popen(argv, start_new_session=True, preexec_fn=_pin(SERVER_CPU))
    for _ in range(200):
        if sock.exists():
            return p
        time.sleep(0.025)
    p.kill()
    raise RuntimeError(f"{kind} server did not start")


SERVER_CPU: int | None = None   # --pin: the servers run on this CPU, the client on another


def _pin(cpu: int | None):
    if cpu is None:
        return None
    return lambda: os.sched_setaffinity(0, {cpu})


def stop_server(p: subprocess.Popen) -> None:
    stop_group(p, 5)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process: robust to a busy machine, unlike wall time."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(kind: str, work: str, n: int) -> tuple[float, float]:
    """(transactions per second, server CPU microseconds per transaction)"""
    d = Path(tempfile.mkdtemp(prefix=f"bench-{kind}-"))
    p = start_server(kind, d)
    try:
        sock = str(d / "sock")
        cpu0 = cpu_seconds(p.pid)
        count = n
        if work == "seq":
            rate = asyncio.run(run_pipelined(sock, n, 1))
        elif work == "pipe10":
            rate = asyncio.run(run_pipelined(sock, n, 10))
        elif work == "pipe100":
            rate = asyncio.run(run_pipelined(sock, n, 100))
        elif work == "fanout":
            count = max(1, n // 5)
            rate = asyncio.run(run_fanout(sock, count, 50))
        else:
            raise ValueError(work)
        return rate, (cpu_seconds(p.pid) - cpu0) / count * 1e6
    finally:
        stop_server(p)
        shutil.rmtree(d, ignore_errors=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=10000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--only", default="seq,pipe10,pipe100,fanout")
    ap.add_argument("--pin", choices=("auto", "yes", "no"), default="no",
                    help="run every server on one CPU and the client on another, the same for "
                         "each server (auto: when there are at least 2 CPUs). Not the default: "
                         "one in flight, both servers do better when the scheduler may wake the "
                         "server on the client's CPU")
    args = ap.parse_args()
    cpus = sorted(os.sched_getaffinity(0))
    if args.pin == "yes" or (args.pin == "auto" and len(cpus) >= 2):
        global SERVER_CPU
        SERVER_CPU = cpus[-1]
        os.sched_setaffinity(0, {cpus[0]})
        print(f"pinned: client on CPU {cpus[0]}, servers on CPU {SERVER_CPU}")
    kinds = ["pyovn", "pyovn-nofsync"]
    if shutil.which("ovsdb-server"):
        kinds.insert(0, "real")
    else:
        print("real ovsdb-server not installed: pyovn only, no ratios")
    works = args.only.split(",")
    results: dict[tuple[str, str], float] = {}
    cpu: dict[tuple[str, str], float] = {}
    for work in works:
        for kind in kinds:
            runs = [measure(kind, work, args.n) for _ in range(args.repeat)]
            results[kind, work] = statistics.median(r for r, _ in runs)
            cpu[kind, work] = statistics.median(c for _, c in runs)
            print(f"{work:8} {kind:14} {results[kind, work]:9.0f} txn/s  "
                  f"server CPU {cpu[kind, work]:6.1f} us/txn  "
                  f"(runs: {', '.join(f'{r:.0f}' for r, _ in runs)})", flush=True)
    if "real" in kinds:
        print("\nratio pyovn/real, median txn/s (and server CPU per txn, real/pyovn):")
        for work in works:
            real = results["real", work]
            print(f"  {work:8} fsync {results['pyovn', work] / real:5.2f}   "
                  f"no-fsync {results['pyovn-nofsync', work] / real:5.2f}   "
                  f"cpu real/pyovn-nofsync {cpu['real', work] / cpu['pyovn-nofsync', work]:5.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
