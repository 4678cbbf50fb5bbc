"""The Southbound at hundreds of chassis: update fan-out to conditional monitors, pyovn's
ovsdb-server and the real one, same work, same run.

An OVN_Southbound database holds C chassis (each with an Encap), C datapaths, 2,000
Port_Bindings and 2,000 Logical_Flows (port and flow i on datapath i mod C, port i bound to
chassis i mod C). Each chassis has one monitor_cond_since (update3), conditioned as
ovn-controller conditions its own:
  Port_Binding      chassis == its chassis, datapath == its datapath, logical_port == "cr-<name>"
  Logical_Flow      logical_datapath == its datapath
  Datapath_Binding  _uuid == its datapath
  SB_Global, Chassis, Encap   no condition
The monitors are C connections spread over a few client processes (raw JSON-RPC over the unix
socket, an epoll loop each: the client side must not be the bottleneck); one writer connection.

Phases, timed from a transaction's send (writer) to an update's arrival (a client's read), on one
clock (CLOCK_MONOTONIC):
  match  one writer, 10 transactions in flight, each changing one Port_Binding's or one
         Logical_Flow's external_ids: one monitor matches. Latency to that monitor's update.
  all    one transaction at a time (paced), each bumping SB_Global.nb_cfg: every monitor gets
         it. Latency to the LAST monitor's update (and to the median monitor's).
Also the server's CPU time (user + system) per transaction in each phase. Printed: median and
p99 of each latency, CPU per transaction, pyovn/real ratios (below 1.0: pyovn is faster).

pyovn's server runs with --no-fsync: the real ovsdb-server does not fsync either.

    .venv/bin/python bench/sb_fanout.py [--chassis 200,1000 | --quick] [--txns 2000]
                                        [--only real,pyovn] [--clients 4] [--json FILE]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing as mp
import os
import platform
import select
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson

from pyovn import schemas
from pyovn.ovsdb.jsonrpc import Framer
from pyovn.testing.wire import ServerProcess

SB = str(schemas.path("OVN_Southbound"))
DB = "OVN_Southbound"
PORTS = 2000
FLOWS = 2000
DEPTH = 10


# --- the database ----------------------------------------------------------------------------


def _call(sock: socket.socket, framer: Framer, method: str, params: list, id_: int) -> Any:
    sock.sendall(orjson.dumps({"method": method, "params": params, "id": id_}))
    while True:
        data = sock.recv(1 << 20)
        if not data:
            raise ConnectionError("server closed the connection")
        for msg in framer.feed(data):
            if msg.get("id") == id_ and "result" in msg:
                if msg.get("error"):
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg["result"]


def _transact(sock: socket.socket, framer: Framer, ops: list, id_: int) -> list:
    res = _call(sock, framer, "transact", [DB, *ops], id_)
    for r in res:
        if isinstance(r, dict) and "error" in r:
            raise RuntimeError(f"transaction failed: {r} ({res[-1]})")
    return res


def populate(path: str, chassis: int) -> dict[str, Any]:
    """Fill the Southbound; return the uuids the monitors and the writer need."""
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    f = Framer()
    n = 0

    def txn(ops: list) -> list:
        nonlocal n
        n += 1
        return _transact(s, f, ops, n)

    sbg = txn([{"op": "insert", "table": "SB_Global", "row": {"nb_cfg": 0}}])[0]["uuid"][1]
    ch: list[str] = []
    dp: list[str] = []
    for lo in range(0, chassis, 250):
        hi = min(chassis, lo + 250)
        ops: list[Any] = []
        for c in range(lo, hi):
            ops.append({"op": "insert", "table": "Encap", "uuid-name": f"e{c}",
                        "row": {"type": "geneve", "ip": f"10.{c >> 16}.{(c >> 8) & 255}.{c & 255}",
                                "chassis_name": f"ch{c}"}})
            ops.append({"op": "insert", "table": "Chassis",
                        "row": {"name": f"ch{c}", "hostname": f"host{c}",
                                "encaps": ["named-uuid", f"e{c}"]}})
            ops.append({"op": "insert", "table": "Datapath_Binding",
                        "row": {"tunnel_key": c + 1,
                                "external_ids": ["map", [["name", f"ls{c}"]]]}})
        res = txn(ops)
        ch += [res[3 * i + 1]["uuid"][1] for i in range(hi - lo)]
        dp += [res[3 * i + 2]["uuid"][1] for i in range(hi - lo)]
    pb: list[str] = []
    lf: list[str] = []
    for lo in range(0, PORTS, 500):
        ops = [{"op": "insert", "table": "Port_Binding",
                "row": {"logical_port": f"lp{i}", "tunnel_key": i // chassis + 1,
                        "datapath": ["uuid", dp[i % chassis]],
                        "chassis": ["uuid", ch[i % chassis]],
                        "mac": f"0a:00:00:00:{(i >> 8) & 255:02x}:{i & 255:02x} 10.1.{i >> 8}.{i & 255}"}}
               for i in range(lo, min(PORTS, lo + 500))]
        pb += [r["uuid"][1] for r in txn(ops)]
    for lo in range(0, FLOWS, 500):
        ops = [{"op": "insert", "table": "Logical_Flow",
                "row": {"logical_datapath": ["uuid", dp[i % chassis]], "pipeline": "ingress",
                        "table_id": i % 30, "priority": 100,
                        "match": f'inport == "lp{i}" && eth.src == 0a:00:00:00:00:01',
                        "actions": "next;"}}
               for i in range(lo, min(FLOWS, lo + 500))]
        lf += [r["uuid"][1] for r in txn(ops)]
    s.close()
    return {"sb_global": sbg, "chassis": ch, "datapaths": dp, "ports": pb, "flows": lf}


def monitor_request(c: int, ids: dict[str, Any]) -> dict[str, Any]:
    ch, dp = ["uuid", ids["chassis"][c]], ["uuid", ids["datapaths"][c]]
    return {
        "SB_Global": [{"columns": ["nb_cfg", "options", "external_ids"]}],
        "Chassis": [{"columns": ["name", "hostname", "encaps", "nb_cfg", "other_config"]}],
        "Encap": [{"columns": ["type", "ip", "options", "chassis_name"]}],
        "Datapath_Binding": [{"where": [["_uuid", "==", dp]]}],
        "Port_Binding": [{"where": [["chassis", "==", ch], ["datapath", "==", dp],
                                    ["logical_port", "==", f"cr-ch{c}"]]}],
        "Logical_Flow": [{"where": [["logical_datapath", "==", dp]]}],
    }


# --- monitor clients (one process holds many connections) ------------------------------------


def _tags(msg: dict[str, Any]) -> list[tuple[str, int]]:
    """The writer's marks in an update3: ("m", k) for external_ids:bench=k, ("a", k) for nb_cfg."""
    out = []
    for rows in msg["params"][2].values():
        for ru in rows.values():
            mod = ru.get("modify")
            if mod is None:
                continue
            eids = mod.get("external_ids")
            if eids is not None:
                out += [("m", int(v)) for k, v in eids[1] if k == "bench"]
            if "nb_cfg" in mod:
                out.append(("a", mod["nb_cfg"]))
    return out


def client_main(path: str, conns: list[tuple[int, dict[str, Any]]], pipe: Any) -> None:
    """Open the monitors, say "ready", then record (tag, chassis, time) of every marked update
    until told to stop; send the records back."""
    ep = select.epoll()
    socks: dict[int, tuple[socket.socket, Framer, int]] = {}
    for c, req in conns:
        s = socket.socket(socket.AF_UNIX)
        s.connect(path)
        s.sendall(orjson.dumps({"method": "monitor_cond_since",
                                "params": [DB, f"sb{c}", req,
                                           "00000000-0000-0000-0000-000000000000"],
                                "id": c}))
        s.setblocking(False)
        socks[s.fileno()] = (s, Framer(max_size=1 << 30), c)
        ep.register(s.fileno(), select.EPOLLIN)
    ep.register(pipe.fileno(), select.EPOLLIN)
    waiting = len(conns)
    ready_sent = False
    records: list[tuple[str, int, int, float]] = []
    clock = time.perf_counter
    while True:
        if not waiting and not ready_sent:
            pipe.send("ready")
            ready_sent = True
        for fd, _ in ep.poll():
            if fd == pipe.fileno():
                if pipe.recv() == "stop":
                    pipe.send(records)
                    for s, _, _ in socks.values():
                        s.close()
                    return
                continue
            s, framer, c = socks[fd]
            while True:
                try:
                    data = s.recv(1 << 20)
                except BlockingIOError:
                    break
                t = clock()
                if not data:
                    ep.unregister(fd)
                    break
                for msg in framer.feed(data):
                    method = msg.get("method")
                    if method == "update3":
                        records += [(kind, k, c, t) for kind, k in _tags(msg)]
                    elif method == "echo":
                        s.setblocking(True)
                        s.sendall(orjson.dumps({"result": msg["params"], "error": None,
                                                "id": msg["id"]}))
                        s.setblocking(False)
                    elif "result" in msg and msg.get("id") == c:
                        if msg.get("error"):
                            raise RuntimeError(f"monitor {c}: {msg['error']}")
                        waiting -= 1


# --- the writer -------------------------------------------------------------------------------


def write_match(path: str, ids: dict[str, Any], n: int, base: int) -> dict[int, float]:
    """n transactions, DEPTH in flight; k even: a Port_Binding, odd: a Logical_Flow. Returns
    the send time of each mark."""
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    f = Framer()
    sent: dict[int, float] = {}
    ports, flows = ids["ports"], ids["flows"]

    def send(k: int) -> None:
        mark = base + k
        table, rows = ("Port_Binding", ports) if k % 2 == 0 else ("Logical_Flow", flows)
        u = rows[(k // 2 * 7919) % len(rows)]
        op = {"op": "update", "table": table, "where": [["_uuid", "==", ["uuid", u]]],
              "row": {"external_ids": ["map", [["bench", str(mark)]]]}}
        sent[mark] = time.perf_counter()
        s.sendall(orjson.dumps({"method": "transact", "params": [DB, op], "id": mark}))

    nxt = 0
    while nxt < min(n, DEPTH):
        send(nxt)
        nxt += 1
    done = 0
    while done < n:
        data = s.recv(1 << 20)
        if not data:
            raise ConnectionError("server closed the writer's connection")
        for msg in f.feed(data):
            if "result" not in msg:
                continue
            if msg.get("error") or any(isinstance(r, dict) and "error" in r for r in msg["result"]):
                raise RuntimeError(f"transaction failed: {msg}")
            done += 1
            if nxt < n:
                send(nxt)
                nxt += 1
    s.close()
    return sent


def write_all(path: str, ids: dict[str, Any], n: int, gap: float) -> dict[int, float]:
    """n transactions one at a time, each setting SB_Global.nb_cfg, ``gap`` seconds apart."""
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    f = Framer()
    sent: dict[int, float] = {}
    for k in range(1, n + 1):
        op = {"op": "update", "table": "SB_Global",
              "where": [["_uuid", "==", ["uuid", ids["sb_global"]]]], "row": {"nb_cfg": k}}
        sent[k] = time.perf_counter()
        _transact(s, f, [op], k)
        time.sleep(gap)
    s.close()
    return sent


# --- one server -------------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))]


def run_one(kind: str, chassis: int, txns: int, all_txns: int, clients: int,
            verbose: bool) -> dict[str, Any]:
    d = Path(tempfile.mkdtemp(prefix=f"sbfan-{kind}-"))
    srv = ServerProcess(d, [SB], real=kind == "real",
                        extra=[] if kind == "real" else ["--no-fsync"])
    procs: list[Any] = []
    pipes: list[Any] = []
    try:
        srv.start()
        assert srv.proc is not None
        pid = srv.proc.pid
        t0 = time.perf_counter()
        ids = populate(srv.sock, chassis)
        if verbose:
            print(f"  [{kind}] populated in {time.perf_counter() - t0:.1f} s", flush=True)
        ctx = mp.get_context("fork")
        for w in range(clients):
            conns = [(c, monitor_request(c, ids)) for c in range(w, chassis, clients)]
            a, b = ctx.Pipe()
            p = ctx.Process(target=client_main, args=(srv.sock, conns, b), daemon=True)
            p.start()
            procs.append(p)
            pipes.append(a)
        t0 = time.perf_counter()
        for a in pipes:
            if not a.poll(300) or a.recv() != "ready":
                raise RuntimeError("monitor clients did not start")
        if verbose:
            print(f"  [{kind}] {chassis} monitors open in {time.perf_counter() - t0:.1f} s",
                  flush=True)
        # warm-up, not measured
        write_match(srv.sock, ids, 200, 1_000_000)
        time.sleep(0.2)
        c0 = cpu_seconds(pid)
        sent_m = write_match(srv.sock, ids, txns, 0)
        time.sleep(0.3)
        c1 = cpu_seconds(pid)
        gap = max(0.005, chassis * 25e-6)
        sent_a = write_all(srv.sock, ids, all_txns, gap)
        time.sleep(0.3)
        c2 = cpu_seconds(pid)
        records: list[tuple[str, int, int, float]] = []
        for a in pipes:
            a.send("stop")
        for a in pipes:
            if not a.poll(120):
                raise RuntimeError("a monitor client did not answer")
            records += a.recv()
        got_m: dict[int, list[float]] = {}
        got_a: dict[int, list[float]] = {}
        for tag, k, _c, t in records:
            if tag == "m" and k in sent_m:
                got_m.setdefault(k, []).append(t - sent_m[k])
            elif tag == "a" and k in sent_a:
                got_a.setdefault(k, []).append(t - sent_a[k])
        missing_m = [k for k in sent_m if len(got_m.get(k, ())) != 1]
        missing_a = [k for k in sent_a if len(got_a.get(k, ())) != chassis]
        if missing_m or missing_a:
            raise RuntimeError(f"{kind}: {len(missing_m)} match and {len(missing_a)} broadcast "
                               "transactions were not seen by exactly the expected monitors")
        match_ms = [v[0] * 1e3 for v in got_m.values()]
        last_ms = [max(v) * 1e3 for v in got_a.values()]
        mid_ms = [statistics.median(v) * 1e3 for v in got_a.values()]
        return {
            "server": kind, "chassis": chassis, "match_txns": txns, "all_txns": all_txns,
            "match_median_ms": statistics.median(match_ms), "match_p99_ms": pct(match_ms, 0.99),
            "all_last_median_ms": statistics.median(last_ms),
            "all_last_p99_ms": pct(last_ms, 0.99),
            "all_mid_median_ms": statistics.median(mid_ms),
            "match_cpu_us_per_txn": (c1 - c0) / txns * 1e6,
            "all_cpu_us_per_txn": (c2 - c1) / all_txns * 1e6,
        }
    finally:
        for a in pipes:
            with contextlib.suppress(OSError):
                a.close()
        for p in procs:
            p.join(5)
            if p.is_alive():
                p.kill()
                p.join()
        srv.stop()
        shutil.rmtree(d, ignore_errors=True)


def environment() -> dict[str, Any]:
    ver = None
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        ver = subprocess.run(["ovsdb-server", "--version"], capture_output=True, text=True,
                             timeout=10).stdout.splitlines()[0]
    return {"python": platform.python_version(), "machine": platform.machine(),
            "cpus": os.cpu_count(), "ovsdb-server": ver}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--chassis", default="200,1000", help="monitor counts, comma-separated")
    ap.add_argument("--txns", type=int, default=2000, help="transactions in the match phase")
    ap.add_argument("--all-txns", type=int, default=200,
                    help="transactions in the all-monitors phase")
    ap.add_argument("--quick", action="store_true",
                    help="a small run: 200 chassis, 500 + 50 transactions")
    ap.add_argument("--only", default="real,pyovn", help="servers to run: real, pyovn")
    ap.add_argument("--clients", type=int, default=4, help="monitor client processes")
    ap.add_argument("--repeat", type=int, default=1, help="runs per server (medians reported)")
    ap.add_argument("--json", metavar="FILE", help="write the results as JSON")
    args = ap.parse_args()
    counts = [200] if args.quick else [int(x) for x in args.chassis.split(",") if x]
    txns, all_txns = (500, 50) if args.quick else (args.txns, args.all_txns)
    kinds = [k for k in args.only.split(",") if k]
    if "real" in kinds and not shutil.which("ovsdb-server"):
        print("real ovsdb-server not installed: pyovn only, no ratios")
        kinds.remove("real")
    keys = ("match_median_ms", "match_p99_ms", "all_last_median_ms", "all_last_p99_ms",
            "all_mid_median_ms", "match_cpu_us_per_txn", "all_cpu_us_per_txn")
    results: list[dict[str, Any]] = []
    for n in counts:
        by_kind: dict[str, dict[str, Any]] = {}
        for _ in range(args.repeat):
            for kind in kinds:     # interleaved, so both see the same machine
                r = run_one(kind, n, txns, all_txns, args.clients, verbose=True)
                by_kind.setdefault(kind, {"runs": []})["runs"].append(r)
        for kind in kinds:
            runs = by_kind[kind]["runs"]
            med = {k: statistics.median(r[k] for r in runs) for k in keys}
            results.append({"server": kind, "chassis": n, **med, "runs": runs})
            print(f"{n:5} chassis {kind:6} match: median {med['match_median_ms']:6.2f} ms "
                  f"p99 {med['match_p99_ms']:6.2f} ms  cpu {med['match_cpu_us_per_txn']:7.0f} us/txn"
                  f" | all (last monitor): median {med['all_last_median_ms']:6.2f} ms "
                  f"p99 {med['all_last_p99_ms']:6.2f} ms  cpu {med['all_cpu_us_per_txn']:7.0f} "
                  "us/txn", flush=True)
        if "real" in kinds and "pyovn" in kinds:
            real = next(r for r in results if r["server"] == "real" and r["chassis"] == n)
            py = next(r for r in results if r["server"] == "pyovn" and r["chassis"] == n)
            print(f"{n:5} chassis pyovn/real: match median {py['match_median_ms'] / real['match_median_ms']:.2f}"
                  f" p99 {py['match_p99_ms'] / real['match_p99_ms']:.2f}"
                  f" cpu {py['match_cpu_us_per_txn'] / real['match_cpu_us_per_txn']:.2f}"
                  f" | all median {py['all_last_median_ms'] / real['all_last_median_ms']:.2f}"
                  f" p99 {py['all_last_p99_ms'] / real['all_last_p99_ms']:.2f}"
                  f" cpu {py['all_cpu_us_per_txn'] / real['all_cpu_us_per_txn']:.2f}", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps({"environment": environment(), "results": results},
                                              indent=2) + "\n")
        print(f"\nJSON: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
