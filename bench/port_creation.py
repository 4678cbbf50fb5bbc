"""Port creation at scale: pyovn.api on pyovn's ovsdb-server vs ovsdbapp + python-ovs on the real
ovsdb-server, same work, same run.

N ports, one transaction each: the port (addresses + port security) on switch sw0, its IP added
to an address set, and
  variant a: 8 ACLs for the port on the switch, through acl_add (each checks for a duplicate);
  variant b: the port added to a port group that carries 8 ACLs.
Per-port latency medians per 100-port bucket show how the cost grows with N; ports/s overall,
the first and last bucket medians and their ratio, and the pyovn/ovsdbapp speed ratio are
printed, and a PNG plot of latency against N is written (matplotlib).

pyovn's server runs with --no-fsync: the real ovsdb-server does not fsync either.
``--baseline-n`` caps the baseline's N (ovsdbapp's variant a grows O(N) per port); the output
says so. ``--also-pyovn-on-real`` adds pyovn.api on the real server (client cost alone).

    .venv/bin/python bench/port_creation.py [--n 10000] [--baseline-n 2000] [--variants a,b]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pyovn import schemas
from pyovn.testing.wire import ServerProcess

NB = str(schemas.path("OVN_Northbound"))
BUCKET = 100
ACLS = 8


def names(i: int) -> tuple[str, str, str]:
    mac = f"0a:00:00:{(i >> 16) & 255:02x}:{(i >> 8) & 255:02x}:{i & 255:02x}"
    ip = f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}"
    return f"p{i}", mac, ip


def acl_spec(k: int, port: str | None) -> tuple[str, int, str, str]:
    direction = "to-lport" if k % 2 else "from-lport"
    key = "outport" if k % 2 else "inport"
    target = f'"{port}"' if port else "@pg_ports"
    return direction, 1000 + k, f"{key} == {target} && tcp.dst == {8000 + k}", "allow-related"


# --- the two clients, same steps -------------------------------------------------------------


def workload(api: Any, variant: str) -> Callable[[int], None]:
    """Set up the switch (and port group) and return the per-port transaction. The same code
    drives pyovn.api and ovsdbapp: their verbs have the same names and arguments."""
    with api.transaction(check_error=True) as txn:
        txn.add(api.ls_add("sw0"))
        txn.add(api.address_set_add("as_ports"))
        if variant == "b":
            txn.add(api.pg_add("pg_ports"))
    if variant == "b":
        with api.transaction(check_error=True) as txn:
            for k in range(ACLS):
                txn.add(api.pg_acl_add("pg_ports", *acl_spec(k, None)))

    def one(i: int) -> None:
        port, mac, ip = names(i)
        with api.transaction(check_error=True) as txn:
            lsp = txn.add(api.lsp_add("sw0", port, addresses=[f"{mac} {ip}"],
                                      port_security=[f"{mac} {ip}"]))
            txn.add(api.address_set_add_addresses("as_ports", [ip]))
            if variant == "a":
                for k in range(ACLS):
                    txn.add(api.acl_add("sw0", *acl_spec(k, port)))
            else:
                txn.add(api.pg_add_ports("pg_ports", lsp))

    return one


def pyovn_runner(remote: str, variant: str) -> tuple[Callable[[int], None], Callable[[], None]]:
    from pyovn.api import OvnNbApi

    api = OvnNbApi(remote, timeout=120)
    one = workload(api, variant)

    return one, api.close


def ovsdbapp_runner(remote: str, variant: str) -> tuple[Callable[[int], None], Callable[[], None]]:
    from ovsdbapp.backend.ovs_idl import connection
    from ovsdbapp.schema.ovn_northbound import impl_idl

    idl = connection.OvsdbIdl.from_server(remote, "OVN_Northbound")
    conn = connection.Connection(idl=idl, timeout=120)
    api = impl_idl.OvnNbApiIdlImpl(conn)
    one = workload(api, variant)

    def close() -> None:
        conn.stop()

    return one, close


CONFIGS: dict[str, tuple[str, bool, Callable[..., Any]]] = {
    # label: (description, real server?, runner)
    "pyovn": ("pyovn.api + pyovn ovsdb-server", False, pyovn_runner),
    "ovsdbapp": ("ovsdbapp + python-ovs + real ovsdb-server", True, ovsdbapp_runner),
    "pyovn-on-real": ("pyovn.api + real ovsdb-server", True, pyovn_runner),
}


def time_ports(one: Callable[[int], None], n: int,
               progress: str | None = None) -> tuple[list[float], float]:
    """Ports 0..n-1 through ``one``: each one's latency (s) and the total (s); ``progress``
    labels a line on stderr every 1,000 ports."""
    lat: list[float] = []
    t0 = time.perf_counter()
    for i in range(n):
        s = time.perf_counter()
        one(i)
        lat.append(time.perf_counter() - s)
        if progress and (i + 1) % 1000 == 0:
            print(f"  {progress}: {i + 1}/{n} ({(i + 1) / (time.perf_counter() - t0):.0f} ports/s)",
                  file=sys.stderr, flush=True)
    return lat, time.perf_counter() - t0


def run_one(label: str, variant: str, n: int, progress: bool) -> dict[str, Any]:
    desc, real, runner = CONFIGS[label]
    with tempfile.TemporaryDirectory(prefix="pyovn-bench-") as d:
        server = ServerProcess(Path(d), [NB], real=real,
                               extra=[] if real else ["--no-fsync"]).start()
        try:
            one, close = runner(f"unix:{server.sock}", variant)
            try:
                lat, total = time_ports(one, n, f"{label}/{variant}" if progress else None)
            finally:
                close()
        finally:
            server.stop()
    buckets = [statistics.median(lat[j:j + BUCKET]) for j in range(0, len(lat), BUCKET)]
    return {"label": label, "desc": desc, "variant": variant, "n": n, "total": total,
            "rate": n / total, "buckets": buckets}


def plot(results: list[dict[str, Any]], path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    variants = sorted({r["variant"] for r in results})
    fig, axes = plt.subplots(1, len(variants), figsize=(7 * len(variants), 5), squeeze=False)
    for ax, v in zip(axes[0], variants):
        for r in results:
            if r["variant"] != v:
                continue
            xs = [(j + 1) * BUCKET for j in range(len(r["buckets"]))]
            ax.plot(xs, [b * 1000 for b in r["buckets"]], label=r["desc"])
        ax.set_title(f"variant {v}: " + ("8 ACLs per port on the switch (acl_add)" if v == "a"
                                          else "port added to a port group with 8 ACLs"))
        ax.set_xlabel("ports created (N)")
        ax.set_ylabel(f"median latency per port, ms (buckets of {BUCKET})")
        ax.set_yscale("log")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10000, help="ports for pyovn (default 10000)")
    ap.add_argument("--baseline-n", type=int, default=None,
                    help="cap the ovsdbapp baseline's N (default: --n)")
    ap.add_argument("--variants", default="a,b")
    ap.add_argument("--only", default="pyovn,ovsdbapp",
                    help="configurations: pyovn, ovsdbapp, pyovn-on-real")
    ap.add_argument("--plot", default="port_creation.png", help="PNG output path")
    ap.add_argument("--quiet", action="store_true")
    ap.add_argument("--worker", nargs=3, metavar=("CONFIG", "VARIANT", "N"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        label, v, n = args.worker
        print(json.dumps(run_one(label, v, int(n), not args.quiet)))
        return 0
    base_n = args.n if args.baseline_n is None else min(args.n, args.baseline_n)
    results = []
    for v in args.variants.split(","):
        for label in args.only.split(","):
            n = base_n if label == "ovsdbapp" else args.n
            if not args.quiet:
                print(f"running {label} variant {v}, N={n} ...", file=sys.stderr, flush=True)
            # Each run in its own process: a fresh interpreter and client library state (ovsdbapp
            # keeps its connection in class attributes).
            argv = [sys.executable, __file__, "--worker", label, v, str(n)]
            if args.quiet:
                argv.append("--quiet")
            out = subprocess.run(argv, check=True, stdout=subprocess.PIPE, text=True).stdout
            results.append(json.loads(out.strip().splitlines()[-1]))

    print(f"\nport creation, one transaction per port, latency medians per {BUCKET}-port bucket")
    if base_n != args.n:
        print(f"NOTE: the ovsdbapp baseline ran N={base_n} (--baseline-n), pyovn N={args.n}; "
              f"speed ratios compare ports/s over each one's own N")
    hdr = f"{'config':<44} {'var':>3} {'N':>6} {'ports/s':>8} {'first ms':>9} {'last ms':>9} " \
          f"{'last/first':>10}"
    print(hdr)
    for r in results:
        f, last = r["buckets"][0], r["buckets"][-1]
        print(f"{r['desc']:<44} {r['variant']:>3} {r['n']:>6} {r['rate']:>8.0f} "
              f"{f * 1000:>9.3f} {last * 1000:>9.3f} {last / f:>10.2f}")
    for v in args.variants.split(","):
        by = {r["label"]: r for r in results if r["variant"] == v}
        if "pyovn" in by and "ovsdbapp" in by:
            p, o = by["pyovn"], by["ovsdbapp"]
            print(f"variant {v}: pyovn/ovsdbapp speed ratio (ports/s) = "
                  f"{p['rate'] / o['rate']:.2f}x  (pyovn N={p['n']}, ovsdbapp N={o['n']})")
    try:
        plot(results, args.plot)
    except ImportError as e:
        print(f"no plot: {e} (pip install matplotlib)")
    else:
        print(f"plot: {args.plot}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
