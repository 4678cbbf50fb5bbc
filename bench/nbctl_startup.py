"""What one ``nbctl`` call costs a script: wall time of ``pyovn nbctl`` and the real ``ovn-nbctl``,
directly and through their daemons (``--detach`` + ``OVN_NB_DAEMON``), on a small Northbound
and on one of 10,000 ports (issue 14).

One real ovsdb-server serves both databases (so only the client differs). The large one has
``--switches`` switches of ``--ports`` ports each (10,000 by default), written in one
transaction. Per database, per mode — pyovn direct, pyovn through its daemon, real direct, real
through its daemon — each command runs ``--runs`` times as a fresh process (stdout to
/dev/null; one warm-up run first, with bytecode caches written even when
PYTHONDONTWRITEBYTECODE is set, as an installed pyovn has them) and the median wall time is
printed, with the ratios pyovn / real and direct / daemon. Commands: ``show`` (the whole database: 30,000 lines at 10,000 ports), ``show sw0``
(one switch), ``ls-list``, and ``lsp-add sw0 <new port>`` (a write; a new name every run).

    .venv/bin/python bench/nbctl_startup.py [--runs 15] [--switches 100] [--ports 100]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from pyovn.ovsdb.client.sync import SyncIdl
from pyovn.testing.real import OvsdbServerProcess, require_real

PYOVN = str(Path(sys.executable).with_name("pyovn"))
COMMANDS = ("show", "show sw0", "ls-list", "lsp-add")


def populate(remote: str, switches: int, ports: int) -> None:
    """``switches`` switches sw0.. with ``ports`` ports each, one transaction."""
    ops: list[object] = []
    for s in range(switches):
        names = []
        for p in range(ports):
            name = f"lsp{s}_{p}"
            names.append(["named-uuid", f"p{s}_{p}"])
            mac = f"0a:00:00:{(s >> 8) & 255:02x}:{s & 255:02x}:{p & 255:02x}"
            ops.append({"op": "insert", "table": "Logical_Switch_Port", "uuid-name": f"p{s}_{p}",
                        "row": {"name": name,
                                "addresses": ["set", [f"{mac} 10.{s >> 8}.{s & 255}.{p + 2}"]]}})
        ops.append({"op": "insert", "table": "Logical_Switch",
                    "row": {"name": f"sw{s}", "ports": ["set", names]}})
    with SyncIdl(remote, "OVN_Northbound", tables={"NB_Global": None}) as client:
        results = client.transact(ops)
    errors = [r for r in results if isinstance(r, dict) and r.get("error")]
    if errors:
        raise RuntimeError(errors[0])


@contextlib.contextmanager
def daemon(prefix: list[str], remote: str, directory: Path, name: str) -> Iterator[str]:
    pidfile = directory / f"{name}.pid"
    env = dict(os.environ, OVN_RUNDIR=str(directory), OVN_NB_DB=remote)
    env.pop("OVN_NB_DAEMON", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    res = subprocess.run([*prefix, f"--pidfile={pidfile}", "--detach"], capture_output=True,
                         text=True, env=env, timeout=120)
    try:
        if res.returncode != 0:
            raise RuntimeError(f"{prefix} --detach: {res.stderr}")
        yield res.stdout.strip()
    finally:
        if pidfile.exists():
            with contextlib.suppress(ProcessLookupError, ValueError):
                os.kill(int(pidfile.read_text()), signal.SIGTERM)


def median_ms(argv_for: object, env: dict[str, str], runs: int) -> float:
    times = []
    for i in range(-1, runs):  # run -1 warms up (and writes bytecode caches)
        argv = argv_for(i)  # type: ignore[operator]
        t0 = time.perf_counter()
        res = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
                             timeout=300)
        if i >= 0:
            times.append(time.perf_counter() - t0)
        if res.returncode != 0:
            raise RuntimeError(f"{argv}: {res.stderr.decode()}")
    return statistics.median(times) * 1000


def measure(label: str, remote: str, directory: Path, runs: int, tag: str
            ) -> dict[tuple[str, str], float]:
    env = dict(os.environ, OVN_RUNDIR=str(directory), OVN_NB_DB=remote)
    env.pop("OVN_NB_DAEMON", None)
    # as installed: modules come from their bytecode caches, not compiled at every start
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    out: dict[tuple[str, str], float] = {}
    tools = {"pyovn": [PYOVN, "nbctl"], "real": ["ovn-nbctl"]}
    for tool, prefix in tools.items():
        with daemon(prefix, remote, directory, f"{tool}-{tag}") as sock:
            denv = dict(env, OVN_NB_DAEMON=sock)
            # the daemon's first answer waits for its replica: not part of the steady state
            subprocess.run([*prefix, "ls-list"], env=denv, stdout=subprocess.DEVNULL, timeout=300)
            for mode, menv in (("direct", env), ("daemon", denv)):
                for cmd in COMMANDS:
                    if cmd == "lsp-add":
                        def argv(i: int, p: list[str] = prefix, m: str = f"{tool}-{mode}"
                                 ) -> list[str]:
                            return [*p, "lsp-add", "sw0", f"new-{m}-{tag}-{i}"]
                    else:
                        def argv(i: int, p: list[str] = prefix, c: str = cmd) -> list[str]:
                            return [*p, *c.split()]
                    ms = median_ms(argv, menv, runs)
                    out[(f"{tool} {mode}", cmd)] = ms
                    print(f"  {label:>12} {tool:>5} {mode:>6} {cmd:<9} {ms:8.1f} ms",
                          file=sys.stderr, flush=True)
    return out


def table(label: str, res: dict[tuple[str, str], float]) -> str:
    modes = ("pyovn direct", "pyovn daemon", "real direct", "real daemon")
    lines = [f"{label}: median wall time per call, ms",
             f"{'command':<10}" + "".join(f"{m:>14}" for m in modes)
             + f"{'py/real dir':>13}{'py/real dmn':>13}{'py dir/dmn':>12}"]
    for cmd in COMMANDS:
        v = [res[(m, cmd)] for m in modes]
        lines.append(f"{cmd:<10}" + "".join(f"{x:14.1f}" for x in v)
                     + f"{v[0] / v[2]:13.1f}{v[1] / v[3]:13.1f}{v[0] / v[1]:12.1f}")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--switches", type=int, default=100)
    ap.add_argument("--ports", type=int, default=100)
    args = ap.parse_args()
    reason = require_real("ovsdb-server", "ovsdb-tool", "ovn-nbctl")
    if reason:
        print(f"skipped: {reason}")
        return 0
    with tempfile.TemporaryDirectory(prefix="nbctl-startup-") as d:
        directory = Path(d)
        reports = []
        for tag, (switches, ports) in (("small", (1, 1)), ("large", (args.switches, args.ports))):
            sub = directory / tag
            server = OvsdbServerProcess(sub, "OVN_Northbound").start()
            try:
                t0 = time.perf_counter()
                populate(server.remote, switches, ports)
                n = switches * ports
                print(f"{tag}: {n} ports written in {time.perf_counter() - t0:.1f} s",
                      file=sys.stderr, flush=True)
                label = f"{n} port{'s' if n > 1 else ''}"
                reports.append(table(label, measure(label, server.remote, sub, args.runs, tag)))
            finally:
                server.stop()
        print(f"\n{args.runs} runs per cell; load average {os.getloadavg()[0]:.1f}\n")
        print("\n\n".join(reports))
    return 0


if __name__ == "__main__":
    sys.exit(main())
