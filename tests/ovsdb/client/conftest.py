"""Fixtures: real ovsdb-server processes in temp dirs (standalone or clustered), and dumps.

Each server runs in the foreground of its own process group, on a unix socket under the test's
temp dir; ``stop`` kills it, ``start`` brings it back on the same socket and file. ``dump`` reads
the whole database with the real ``ovsdb-client dump -f json`` and returns it in the canonical
form of docs/CONTRACTS.md, to compare with a replica.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import orjson
import pytest

from pyovn.ovsdb.data import datum_from_json
from pyovn.ovsdb.schema import DatabaseSchema

_PATH = os.environ.get("PATH", "") + ":/usr/sbin:/sbin"
OVSDB_SERVER = shutil.which("ovsdb-server", path=_PATH)
OVSDB_TOOL = shutil.which("ovsdb-tool", path=_PATH)
OVSDB_CLIENT = shutil.which("ovsdb-client", path=_PATH)
NB_SCHEMA = Path(__file__).resolve().parents[3] / "src/pyovn/schemas/ovn-nb.ovsschema"

MISSING = [
    n
    for n, p in (
        ("ovsdb-server", OVSDB_SERVER),
        ("ovsdb-tool", OVSDB_TOOL),
        ("ovsdb-client", OVSDB_CLIENT),
    )
    if p is None
]
SKIP_REASON = "real OVS binaries not installed: " + ", ".join(MISSING)


def require_real() -> None:
    if MISSING:
        print(SKIP_REASON)
        pytest.skip(SKIP_REASON)


def _wait_socket(path: Path, proc: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"ovsdb-server exited with {proc.returncode}")
        if path.exists():
            with socket.socket(socket.AF_UNIX) as s:
                try:
                    s.connect(str(path))
                    return
                except OSError:
                    pass
        time.sleep(0.01)
    raise RuntimeError(f"timed out waiting for {path}")


class RealServer:
    """One real ovsdb-server on ``unix:<dir>/<name>.sock``."""

    def __init__(self, directory: Path, name: str = "db", schema: Path = NB_SCHEMA,
                 kind: str = "real"):
        self.kind = kind  # "real" ovsdb-server, or "pyovn"'s
        self.dir = directory
        self.name = name
        self.schema_path = schema
        self.schema_json = orjson.loads(schema.read_bytes())
        self.db_name = self.schema_json["name"]
        self.db = directory / f"{name}.db"
        self.sock = directory / f"{name}.sock"
        self.raft: Path | None = None
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def remote(self) -> str:
        return f"unix:{self.sock}"

    def create(self) -> RealServer:
        tool = [OVSDB_TOOL] if self.kind == "real" else [sys.executable, "-m", "pyovn", "ovsdb-tool"]
        subprocess.run([*tool, "create", str(self.db), str(self.schema_path)], check=True)
        return self

    def create_cluster(self) -> RealServer:
        self.raft = self.dir / f"{self.name}.raft"
        subprocess.run(
            [
                OVSDB_TOOL,
                "create-cluster",
                str(self.db),
                str(self.schema_path),
                f"unix:{self.raft}",
            ],
            check=True,
        )
        return self

    def join_cluster(self, other: RealServer) -> RealServer:
        assert other.raft is not None
        self.raft = self.dir / f"{self.name}.raft"
        subprocess.run(
            [
                OVSDB_TOOL,
                "join-cluster",
                str(self.db),
                self.db_name,
                f"unix:{self.raft}",
                f"unix:{other.raft}",
            ],
            check=True,
        )
        return self

    def start(self) -> RealServer:
        server = [OVSDB_SERVER] if self.kind == "real" else [
            sys.executable, "-m", "pyovn", "ovsdb-server", "--no-fsync"]
        argv = [
            *server,
            f"--remote=punix:{self.sock}",
            f"--unixctl={self.dir / (self.name + '.ctl')}",
            f"--log-file={self.dir / (self.name + '.log')}",
            "--no-chdir",
            str(self.db),
        ]
        self.proc = subprocess.Popen(
            argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        _wait_socket(self.sock, self.proc)
        return self

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(5)
        self.sock.unlink(missing_ok=True)

    def restart(self) -> None:
        self.stop()
        self.start()

    def client(self, *args: str) -> str:
        out = subprocess.run([OVSDB_CLIENT, *args], check=True, capture_output=True)
        return out.stdout.decode()

    def transact(self, *ops: Any) -> Any:
        text = self.client("transact", self.remote, orjson.dumps([self.db_name, *ops]).decode())
        return orjson.loads(text)

    def dump(self, tables: list[str] | None = None) -> dict[str, dict[str, dict[str, Any]]]:
        """table -> uuid -> {column: canonical value, "_uuid": uuid} via ovsdb-client dump."""
        schema = DatabaseSchema.from_json(self.schema_json)
        text = self.client("dump", "-f", "json", self.remote, self.db_name, *(tables or []))
        out: dict[str, dict[str, dict[str, Any]]] = {}
        for line in text.splitlines():
            line = line.strip()
            if not line:
                continue
            obj = orjson.loads(line)
            tname = obj["caption"].removesuffix(" table")
            cols = obj["headings"]
            table = schema.tables[tname]
            rows = out.setdefault(tname, {})
            for data in obj["data"]:
                row: dict[str, Any] = {}
                for c, j in zip(cols, data):
                    if c == "_uuid":
                        row["_uuid"] = j[1]
                    elif c != "_version":
                        row[c] = datum_from_json(table.columns[c].type, j)
                rows[row["_uuid"]] = row
        return out


@pytest.fixture(params=["real", "pyovn"])
def real_server(tmp_path: Path, request: pytest.FixtureRequest):
    """A fresh standalone OVN_Northbound server: the real ovsdb-server, and pyovn's (the real
    ovsdb-client reads both back). Skips without the real binaries."""
    require_real()
    server = RealServer(tmp_path, kind=request.param).create().start()
    yield server
    server.stop()


@pytest.fixture
def make_server(tmp_path: Path):
    """Factory for more servers (clustered ones too); all stopped at the end."""
    require_real()
    made: list[RealServer] = []

    def make(name: str = "db", schema: Path = NB_SCHEMA) -> RealServer:
        s = RealServer(tmp_path, name, schema)
        made.append(s)
        return s

    yield make
    for s in made:
        s.stop()


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory):
    """One standalone OVN_Northbound server for a whole module (e.g. many hypothesis examples)."""
    require_real()
    server = RealServer(tmp_path_factory.mktemp("shared")).create().start()
    yield server
    server.stop()
