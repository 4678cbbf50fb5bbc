"""northd: the real ovn-northd and ``python -m pyovn northd``, same Northbound, same run.

Shapes (one switch, N ports, each with addresses "MAC IP"):
  pg   every port in one port group that carries 8 ACLs (inport/outport == @pg0 && tcp.dst)
  acl  each port with 8 ACLs of its own on the switch (inport/outport == "pN" && tcp.dst)

For each northd, shape and N, on fresh real ovsdb-servers (NB and SB): the NB is filled in bulk
(a few large transactions through pyovn's client, the last one setting NB_Global.nb_cfg), then
northd starts and the clock runs until NB_Global.sb_cfg reaches that nb_cfg: the *full
recompute time* (process start-up included, as an operator sees it). Then 20 single changes,
each ONE transaction that adds a port with addresses (to the port group in the pg shape; with
its 8 ACLs in the acl shape) and mutates nb_cfg += 1 (what ``ovn-nbctl --wait=sb`` sends), each
timed from sending it until sb_cfg reaches the new value, watched through pyovn's IDL (no
polling). Reported: the full recompute time, northd's CPU seconds for it, the median, first
and worst change latency, northd's resident memory (VmRSS, and the peak VmHWM) after the run,
pyovn/real ratios, and as a sanity check the Southbound's Logical_Flow count when sb_cfg first
said "done" and at the end: a northd that acknowledges nb_cfg before its flows are written is
flagged, since its recompute time then does not measure a complete Southbound.

A northd that does not reach sb_cfg within the timeouts (or dies) is reported as such, with the
tail of its log, and the run goes on. Every process and temp directory is removed at the end.

    .venv/bin/python bench/northd.py [--n 2000,10000 | --quick] [--shapes pg,acl] [--floor]
                                     [--only real,pyovn] [--servers real|pyovn] [--json FILE]

``--floor`` also times each change transaction alone (no northd) until a client monitoring the
whole Northbound has it: the part of a change the servers charge whatever northd runs.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ipaddress
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from pyovn.ovsdb.client import Idl
from pyovn.testing.real import (
    DaemonError,
    NorthdProcess,
    OvsdbServerProcess,
    RealOvsdbServer,
    find_binary,
    require_real,
)

NB_DB = "OVN_Northbound"
ACLS = 8
CHANGES = 20
CHUNK = 500  # ports per population transaction
PG = "pg0"

NORTHDS: dict[str, tuple[str, list[str]]] = {
    # label: (description, command prefix)
    "real": ("real ovn-northd", ["ovn-northd"]),
    "pyovn": ("python -m pyovn northd", [sys.executable, "-m", "pyovn", "northd"]),
}


# --- the Northbound's rows ------------------------------------------------------------------------


def port(i: int) -> tuple[str, str]:
    """Name and "MAC IP" of port i (10.0.0.2 upwards: no network or broadcast address)."""
    mac = f"0a:00:00:{(i >> 16) & 255:02x}:{(i >> 8) & 255:02x}:{i & 255:02x}"
    return f"p{i}", f"{mac} {ipaddress.IPv4Address(0x0A000002 + i)}"


def acl_row(k: int, target: str) -> dict[str, Any]:
    """ACL k of 8: even ones from-lport on inport, odd ones to-lport on outport."""
    direction, key = ("to-lport", "outport") if k % 2 else ("from-lport", "inport")
    return {"direction": direction, "priority": 1000 + k, "action": "allow-related",
            "match": f"{key} == {target} && tcp.dst == {8000 + k}"}


def uuid_set(names: list[str]) -> list[Any]:
    return ["set", [["named-uuid", n] for n in names]]


def insert(table: str, name: str, row: dict[str, Any]) -> dict[str, Any]:
    return {"op": "insert", "table": table, "uuid-name": name, "row": row}


def add_to(table: str, uuid: str, column: str, names: list[str]) -> dict[str, Any]:
    return {"op": "mutate", "table": table, "where": [["_uuid", "==", ["uuid", uuid]]],
            "mutations": [[column, "insert", uuid_set(names)]]}


def bump_nb_cfg(nbg: str) -> dict[str, Any]:
    return {"op": "mutate", "table": "NB_Global", "where": [["_uuid", "==", ["uuid", nbg]]],
            "mutations": [["nb_cfg", "+=", 1]]}


def setup_ops(shape: str) -> list[dict[str, Any]]:
    """NB_Global, the switch, and (pg shape) the port group with its 8 ACLs."""
    ops = [insert("NB_Global", "nbg", {}), insert("Logical_Switch", "ls", {"name": "sw0"})]
    if shape == "pg":
        names = [f"acl{k}" for k in range(ACLS)]
        ops += [insert("ACL", names[k], acl_row(k, f"@{PG}")) for k in range(ACLS)]
        ops.append(insert("Port_Group", "pg", {"name": PG, "acls": uuid_set(names)}))
    return ops


def port_ops(shape: str, first: int, last: int, ls: str, pg: str | None) -> list[dict[str, Any]]:
    """Ports first..last-1: the LSP rows, then their switch (and port group) membership, and in
    the acl shape their 8 ACLs each."""
    ops: list[dict[str, Any]] = []
    lsps: list[str] = []
    acls: list[str] = []
    for i in range(first, last):
        name, addresses = port(i)
        lsps.append(f"lsp{i}")
        ops.append(insert("Logical_Switch_Port", f"lsp{i}",
                          {"name": name, "addresses": addresses}))
        if shape == "acl":
            for k in range(ACLS):
                acls.append(f"acl{i}_{k}")
                ops.append(insert("ACL", acls[-1], acl_row(k, f'"{name}"')))
    ops.append(add_to("Logical_Switch", ls, "ports", lsps))
    if acls:
        ops.append(add_to("Logical_Switch", ls, "acls", acls))
    if shape == "pg":
        assert pg is not None
        ops.append(add_to("Port_Group", pg, "ports", lsps))
    return ops


def check_reply(result: list[Any]) -> list[Any]:
    for r in result:
        if isinstance(r, dict) and "error" in r:
            raise RuntimeError(f"transaction failed: {r}")
    return result


# --- one run --------------------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def proc_status_kb(pid: int, key: str) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


async def count_rows(remote: str, db: str, table: str) -> int | None:
    """Rows in a table (a sanity figure: two northds that time the same work write about as
    many flows)."""
    idl = Idl(remote, db, tables={"SB_Global": None} if db == "OVN_Southbound" else None)
    try:
        await idl.start(timeout=30)
        reply = await idl.transact([{"op": "select", "table": table, "where": [],
                                     "columns": ["_uuid"]}])
        return len(reply[0]["rows"])
    except Exception:
        return None
    finally:
        await idl.close()


class NotReached(Exception):
    """northd did not bring sb_cfg to the wanted value (timeout, or it exited)."""


async def wait_sb_cfg(idl: Idl, target: int, northd: NorthdProcess, timeout: float) -> None:
    """Until NB_Global.sb_cfg >= target: event-driven (the IDL wakes us on each update); the
    northd process is checked for life every half second meanwhile."""

    def reached() -> bool:
        return any(g.sb_cfg >= target for g in idl.tables["NB_Global"].all())

    deadline = time.perf_counter() + timeout
    while True:
        left = deadline - time.perf_counter()
        if left <= 0:
            raise NotReached(f"sb_cfg did not reach {target} within {timeout:g}s")
        try:
            await idl.wait_until(reached, min(0.5, left))
            return
        except TimeoutError:
            if not northd.running:
                rc = northd.proc.poll() if northd.proc is not None else None
                raise NotReached(f"northd exited (status {rc}) before sb_cfg reached "
                                 f"{target}") from None


def log_tail(northd: NorthdProcess, lines: int = 8) -> str:
    out = []
    for path in (northd.log_path, northd.out_path):
        with contextlib.suppress(OSError):
            text = Path(path).read_text(errors="replace").strip()
            if text:
                out += text.splitlines()[-lines:]
    return "\n".join(out[-lines:])


def database_server(kind: str, d: Path, schema: str, name: str) -> OvsdbServerProcess:
    """The real ovsdb-server (the issue's measurement), or pyovn's (``--servers pyovn``: northd's
    own scaling without the real server's O(n) cost per large-set mutation, bench/set_mutation.py).
    """
    if kind == "real":
        return RealOvsdbServer(d, schema, name=name)
    return OvsdbServerProcess(d, schema, name=name, extra_args=["--no-fsync"],
                              argv_prefix=[sys.executable, "-m", "pyovn", "ovsdb-server"])


async def floor_case(shape: str, n: int, args: argparse.Namespace) -> float:
    """The part of a change no northd can avoid: the change's own transaction on the NB server,
    until a client monitoring the whole Northbound (as northd does) has it — median ms, with no
    northd running. Its growth from 2,000 to 10,000 ports is the servers' (the real
    ovsdb-server's cost of a mutation grows with the set: Logical_Switch.ports, .acls)."""
    d = Path(tempfile.mkdtemp(prefix=f"bench-northd-floor-{shape}-"))
    nb = database_server(args.servers, d, "OVN_Northbound", "nb").start()
    idl = Idl(nb.remote, NB_DB, tables={"NB_Global": None}, request_timeout=300)
    watcher = Idl(nb.remote, NB_DB, request_timeout=300)
    try:
        await idl.start(timeout=30)
        await watcher.start(timeout=60)
        uuids = check_reply(await idl.transact(setup_ops(shape)))
        nbg, ls = uuids[0]["uuid"][1], uuids[1]["uuid"][1]
        pg = uuids[-1]["uuid"][1] if shape == "pg" else None
        for first in range(0, n, CHUNK):
            check_reply(await idl.transact(port_ops(shape, first, min(n, first + CHUNK), ls, pg)))
        lat = []
        for j in range(args.changes):
            ops = port_ops(shape, n + j, n + j + 1, ls, pg) + [bump_nb_cfg(nbg)]
            t = time.perf_counter()
            check_reply(await idl.transact(ops))
            await watcher.wait_until(
                lambda k=j + 1: any(g.nb_cfg >= k for g in watcher.tables["NB_Global"].all()),
                args.change_timeout)
            lat.append((time.perf_counter() - t) * 1000)
        return statistics.median(lat)
    finally:
        for c in (watcher, idl):
            with contextlib.suppress(Exception):
                await c.close()
        nb.stop()
        shutil.rmtree(d, ignore_errors=True)


async def run_case(kind: str, shape: str, n: int, args: argparse.Namespace) -> dict[str, Any]:
    desc, prefix = NORTHDS[kind]
    res: dict[str, Any] = {"northd": kind, "desc": desc, "shape": shape, "n": n,
                           "recompute_s": None, "recompute_cpu_s": None, "changes_ms": [],
                           "median_change_ms": None, "max_change_ms": None,
                           "rss_kb": None, "hwm_kb": None, "sb_lflows_at_recompute": None,
                           "sb_lflows": None, "error": None}
    d = Path(tempfile.mkdtemp(prefix=f"bench-northd-{kind}-{shape}-"))
    servers: list[OvsdbServerProcess] = []
    northd: NorthdProcess | None = None
    idl: Idl | None = None
    try:
        nb = database_server(args.servers, d, "OVN_Northbound", "nb").start()
        servers.append(nb)
        sb = database_server(args.servers, d, "OVN_Southbound", "sb").start()
        servers.append(sb)
        idl = Idl(nb.remote, NB_DB, tables={"NB_Global": None}, request_timeout=300)
        await idl.start(timeout=30)

        t = time.perf_counter()
        uuids = check_reply(await idl.transact(setup_ops(shape)))
        nbg, ls = uuids[0]["uuid"][1], uuids[1]["uuid"][1]
        pg = uuids[-1]["uuid"][1] if shape == "pg" else None
        for first in range(0, n, CHUNK):
            ops = port_ops(shape, first, min(n, first + CHUNK), ls, pg)
            if first + CHUNK >= n:
                ops.append(bump_nb_cfg(nbg))
            check_reply(await idl.transact(ops))
        if n == 0:
            check_reply(await idl.transact([bump_nb_cfg(nbg)]))
        cfg = 1
        res["populate_s"] = time.perf_counter() - t

        northd = NorthdProcess(nb.remote, sb.remote, d, argv_prefix=prefix,
                               extra_args=["--no-chdir", "-vconsole:off"], ready_timeout=60)
        t0 = time.perf_counter()
        await asyncio.to_thread(northd.start)
        assert northd.pid is not None
        try:
            timeout = args.recompute_timeout or max(60.0, n / 20)
            await wait_sb_cfg(idl, cfg, northd, timeout)
        except NotReached as e:
            res["error"] = f"full recompute: {e}"
            return res
        res["recompute_s"] = time.perf_counter() - t0
        res["recompute_cpu_s"] = cpu_seconds(northd.pid)
        # What the Southbound held when sb_cfg said "done": a northd that confirmed early
        # would show fewer flows here than the other one.
        res["sb_lflows_at_recompute"] = await count_rows(sb.remote, "OVN_Southbound",
                                                         "Logical_Flow")

        lat: list[float] = []
        # CPU of northd and of the two ovsdb-servers over the changes: what the latency is made
        # of (northd's own work against the servers' — a mutate of a 10,000-element set costs
        # the server O(n), whichever northd sent it).
        cpu0 = cpu_seconds(northd.pid)
        srv0 = [cpu_seconds(s.pid) for s in servers]
        for j in range(args.changes):
            ops = port_ops(shape, n + j, n + j + 1, ls, pg) + [bump_nb_cfg(nbg)]
            cfg += 1
            t = time.perf_counter()
            check_reply(await idl.transact(ops))
            try:
                await wait_sb_cfg(idl, cfg, northd, args.change_timeout)
            except NotReached as e:
                res["error"] = f"change {j + 1}/{args.changes}: {e}"
                break
            lat.append((time.perf_counter() - t) * 1000)
        res["changes_ms"] = lat
        cpu1 = cpu_seconds(northd.pid)
        srv1 = [cpu_seconds(s.pid) for s in servers]
        if lat and cpu0 is not None and cpu1 is not None:
            res["northd_cpu_ms_per_change"] = (cpu1 - cpu0) * 1000 / len(lat)
        if lat and None not in srv0 and None not in srv1:
            res["servers_cpu_ms_per_change"] = (
                sum(srv1) - sum(srv0)) * 1000 / len(lat)  # type: ignore[arg-type]
        res["sb_lflows"] = await count_rows(sb.remote, "OVN_Southbound", "Logical_Flow")
        if lat:
            res["median_change_ms"] = statistics.median(lat)
            res["max_change_ms"] = max(lat)
        res["sb_cfg_early"] = confirmed_early(res)
        return res
    except (DaemonError, RuntimeError, OSError, TimeoutError) as e:
        res["error"] = f"{type(e).__name__}: {e}"
        return res
    finally:
        if northd is not None and northd.pid is not None:
            res["rss_kb"] = proc_status_kb(northd.pid, "VmRSS")
            res["hwm_kb"] = proc_status_kb(northd.pid, "VmHWM")
            if res["error"]:
                res["log_tail"] = log_tail(northd)
            northd.stop()
        if idl is not None:
            with contextlib.suppress(Exception):
                await idl.close()
        for s in reversed(servers):
            s.stop()
        shutil.rmtree(d, ignore_errors=True)


# --- report ---------------------------------------------------------------------------------------


def fmt(v: float | None, spec: str) -> str:
    width = int(spec.split(".")[0].rstrip("fd"))
    return f"{'-':>{width}}" if v is None else format(v, spec)


def ratio(a: float | None, b: float | None) -> str:
    return "-" if not a or not b else f"{a / b:.2f}x"


def ok(r: dict[str, Any], key: str) -> float | None:
    """A measurement usable in a ratio: the run completed (memory of a northd stuck in a
    failure loop says nothing about the other's)."""
    return None if r["error"] else r[key]


def confirmed_early(r: dict[str, Any]) -> bool:
    """sb_cfg reached while the Southbound held under half the flows expected of N ports (the
    count at the end, scaled down by the ports the changes added): the northd acknowledged the
    configuration before writing it, so its recompute time is not the time to a complete
    Southbound (the first change absorbs the rest)."""
    at, end = r.get("sb_lflows_at_recompute"), r.get("sb_lflows")
    if at is None or not end:
        return False
    n = r["n"]
    expected = end * n / (n + len(r["changes_ms"])) if n else end
    return at < 0.5 * expected


def print_table(results: list[dict[str, Any]], changes: int, servers: str) -> None:
    owner = "real" if servers == "real" else "pyovn's"
    print(f"\nnorthd: full recompute (start -> sb_cfg), then {changes} single-port changes "
          f"(send -> sb_cfg), {owner} ovsdb-servers")
    print(f"{'shape':<5} {'N':>6} {'northd':<7} {'recompute s':>11} {'cpu s':>7} "
          f"{'change med ms':>13} {'1st ms':>8} {'max ms':>8} {'RSS MiB':>8} {'peak MiB':>8} "
          f"{'lflows@recompute':>16} {'lflows@end':>10} {'cpu/chg ms':>10} "
          f"{'srv cpu/chg':>11}  note")
    for r in results:
        rss = r["rss_kb"] / 1024 if r["rss_kb"] else None
        hwm = r["hwm_kb"] / 1024 if r["hwm_kb"] else None
        first = r["changes_ms"][0] if r["changes_ms"] else None
        note = r["error"] or ""
        if confirmed_early(r):
            note = "sb_cfg confirmed before the flows were written " + note
        print(f"{r['shape']:<5} {r['n']:>6} {r['northd']:<7} {fmt(r['recompute_s'], '11.2f')} "
              f"{fmt(r['recompute_cpu_s'], '7.2f')} {fmt(r['median_change_ms'], '13.1f')} "
              f"{fmt(first, '8.1f')} {fmt(r['max_change_ms'], '8.1f')} {fmt(rss, '8.0f')} "
              f"{fmt(hwm, '8.0f')} {fmt(r['sb_lflows_at_recompute'], '16d')} "
              f"{fmt(r['sb_lflows'], '10d')} {fmt(r.get('northd_cpu_ms_per_change'), '10.2f')} "
              f"{fmt(r.get('servers_cpu_ms_per_change'), '11.2f')}  {note}")
    pairs: dict[tuple[str, int], dict[str, dict[str, Any]]] = {}
    for r in results:
        pairs.setdefault((r["shape"], r["n"]), {})[r["northd"]] = r
    lines = []
    for (shape, n), by in pairs.items():
        if "real" in by and "pyovn" in by:
            p, q = by["pyovn"], by["real"]
            rec = ratio(p["recompute_s"], q["recompute_s"])
            if confirmed_early(p) or confirmed_early(q):
                rec += " (not comparable: sb_cfg early)"
            lines.append(f"  {shape:<5} N={n:<6} recompute {rec}"
                         f"   change median {ratio(p['median_change_ms'], q['median_change_ms'])}"
                         f"   RSS {ratio(ok(p, 'rss_kb'), ok(q, 'rss_kb'))}")
    if lines:
        print("\nratio pyovn/real (above 1: pyovn slower or bigger; '-': not measured):")
        print("\n".join(lines))
    # How each northd scales: its figures at the largest N over those at the smallest.
    scale = []
    for name in ("pyovn", "real"):
        for shape in ("pg", "acl"):
            rs = sorted((r for r in results if r["northd"] == name and r["shape"] == shape
                         and r.get("median_change_ms")), key=lambda r: r["n"])
            if len(rs) >= 2:
                lo, hi = rs[0], rs[-1]
                scale.append(
                    f"  {name:<6} {shape:<4} N={hi['n']} / N={lo['n']}: change median "
                    f"{ratio(hi['median_change_ms'], lo['median_change_ms'])}, northd CPU per "
                    f"change {ratio(hi.get('northd_cpu_ms_per_change'), lo.get('northd_cpu_ms_per_change'))}"
                    f", servers' CPU per change "
                    f"{ratio(hi.get('servers_cpu_ms_per_change'), lo.get('servers_cpu_ms_per_change'))}")
    if scale:
        print("\nscaling (largest N over smallest):")
        print("\n".join(scale))
    for r in results:
        if r.get("log_tail"):
            print(f"\n{r['northd']} {r['shape']} N={r['n']}: {r['error']}; its log ends:")
            print("  " + r["log_tail"].replace("\n", "\n  "))


def environment() -> dict[str, Any]:
    def version(cmd: list[str]) -> str | None:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            return subprocess.run(cmd, capture_output=True, text=True,
                                  timeout=10).stdout.splitlines()[0]
        return None

    return {"python": platform.python_version(), "machine": platform.machine(),
            "cpus": os.cpu_count(), "ovn-northd": version([find_binary("ovn-northd") or
                                                           "ovn-northd", "--version"]),
            "ovsdb-server": version([find_binary("ovsdb-server") or "ovsdb-server",
                                     "--version"])}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", default="2000,10000", help="port counts, comma-separated")
    ap.add_argument("--quick", action="store_true", help="a small run: N=200")
    ap.add_argument("--shapes", default="pg,acl")
    ap.add_argument("--only", default="real,pyovn", help="northds to run: real, pyovn")
    ap.add_argument("--changes", type=int, default=CHANGES)
    ap.add_argument("--floor", action="store_true",
                    help="also time each shape's change transaction alone (no northd)")
    ap.add_argument("--servers", choices=("real", "pyovn"), default="real",
                    help="whose ovsdb-servers hold NB and SB (the targets are on the real ones)")
    ap.add_argument("--recompute-timeout", type=float, default=None,
                    help="seconds for the full recompute to reach sb_cfg (default: N/20, at "
                         "least 60)")
    ap.add_argument("--change-timeout", type=float, default=60.0,
                    help="seconds for one change to reach sb_cfg (default 60)")
    ap.add_argument("--json", metavar="FILE", help="write the results as JSON")
    args = ap.parse_args()

    reason = require_real("ovsdb-server", "ovsdb-tool")
    if reason is not None:
        print(f"cannot run: {reason}", file=sys.stderr)
        return 2
    kinds = [k for k in args.only.split(",") if k]
    for k in kinds:
        if k not in NORTHDS:
            ap.error(f"unknown northd {k!r} (real, pyovn)")
    if "real" in kinds and find_binary("ovn-northd") is None:
        print("real ovn-northd not installed: pyovn only, no ratios", file=sys.stderr)
        kinds.remove("real")
    ns = [200] if args.quick else [int(x) for x in args.n.split(",") if x]
    shapes = [s for s in args.shapes.split(",") if s]
    for s in shapes:
        if s not in ("pg", "acl"):
            ap.error(f"unknown shape {s!r} (pg, acl)")

    results = []
    for n in ns:
        for shape in shapes:
            for kind in kinds:
                print(f"running {kind} northd, shape {shape}, N={n} ...", file=sys.stderr,
                      flush=True)
                r = asyncio.run(run_case(kind, shape, n, args))
                status = r["error"] or (f"recompute {r['recompute_s']:.2f}s, change median "
                                        f"{r['median_change_ms']:.1f}ms")
                print(f"  {status}", file=sys.stderr, flush=True)
                results.append(r)
    print_table(results, args.changes, args.servers)
    if args.floor:
        print("\nfloor: the change's own NB transaction until a full-NB monitor has it, no northd"
              " (median ms)")
        for shape in shapes:
            floors = {n: asyncio.run(floor_case(shape, n, args)) for n in ns}
            cells = "  ".join(f"N={n}: {v:.2f}" for n, v in floors.items())
            growth = (f"  growth {floors[ns[-1]] - floors[ns[0]]:+.2f} ms"
                      if len(ns) > 1 else "")
            print(f"  {shape:<4} {cells}{growth}")
    if args.json:
        Path(args.json).write_text(json.dumps({"environment": environment(),
                                               "changes": args.changes, "results": results},
                                              indent=2) + "\n")
        print(f"\nJSON: {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
