"""Test helpers that speak OVSDB's wire protocol directly, and run a pyovn or real server.

``RawClient`` is a blocking JSON-RPC client over a unix socket: ``call`` sends a request and
returns its reply, keeping notifications that arrive meanwhile in ``notifications``. It is what
protocol tests need: no IDL in between, every byte visible.

``ServerProcess`` starts ``pyovn ovsdb-server`` (or the real ``ovsdb-server``) on fresh database
files in a directory, in the foreground in its own process group, and stops it for sure.
"""

from __future__ import annotations

import contextlib
import json
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

from pyovn.ovsdb import storage
from pyovn.ovsdb.jsonrpc import Framer


class RawClient:
    def __init__(self, path: str, timeout: float = 10.0):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.framer = Framer()
        self.inbox: list[Any] = []
        self.notifications: list[Any] = []
        self._id = 0

    def send(self, msg: Any) -> None:
        self.sock.sendall(orjson.dumps(msg) if not isinstance(msg, bytes) else msg)

    def _fill(self) -> bool:
        data = self.sock.recv(1 << 20)
        if not data:
            return False
        self.inbox.extend(self.framer.feed(data))
        return True

    def recv(self) -> Any:
        """Next message (notification or reply), in arrival order."""
        while not self.inbox:
            if not self._fill():
                raise ConnectionError("connection closed by server")
        return self.inbox.pop(0)

    def call(self, method: str, params: list, id: Any = None) -> Any:
        """Send a request; return the reply message, keeping notifications aside."""
        if id is None:
            self._id += 1
            id = self._id
        self.send({"method": method, "params": params, "id": id})
        while True:
            msg = self.recv()
            if msg.get("method") == "echo" and msg.get("id") is not None:
                self.send({"result": msg["params"], "error": None, "id": msg["id"]})
                continue
            if "method" in msg:
                self.notifications.append(msg)
                continue
            if msg.get("id") == id:
                return msg
            self.notifications.append(msg)

    def transact(self, db: str, *ops: Any) -> list[Any]:
        reply = self.call("transact", [db, *ops])
        if reply.get("error"):
            raise RuntimeError(f"transact error: {reply['error']}")
        return reply["result"]

    def closed_by_peer(self, timeout: float = 5.0) -> bool:
        """True once the server closes the connection (reading and discarding until then)."""
        self.sock.settimeout(timeout)
        try:
            while self._fill():
                pass
            return True
        except TimeoutError:
            return False
        except OSError:
            return True

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.close()


class ServerProcess:
    """One ovsdb-server process (pyovn's or the real one) in directory ``d``."""

    def __init__(self, d: Path, schemas: list[str], *, real: bool = False, extra: list[str] | None = None,
                 create: bool = True):
        self.dir = Path(d)
        self.real = real
        self.sock = str(self.dir / "db.sock")
        self.dbs = [str(self.dir / f"db{i}.db") for i in range(len(schemas))]
        self.extra = extra or []
        self.proc: subprocess.Popen[bytes] | None = None
        if create:
            for db, schema in zip(self.dbs, schemas):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(db)
                if real:
                    subprocess.run(["ovsdb-tool", "create", db, schema], check=True)
                else:
                    storage.create(db, orjson.loads(Path(schema).read_bytes()))

    def argv(self) -> list[str]:
        prefix = ["ovsdb-server"] if self.real else [sys.executable, "-m", "pyovn", "ovsdb-server"]
        return prefix + [f"--remote=punix:{self.sock}", f"--unixctl={self.dir}/ctl", "--no-chdir",
                         "-vconsole:off", f"--log-file={self.dir}/log", *self.extra, *self.dbs]

    def start(self, timeout: float = 15.0) -> ServerProcess:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.sock)
        self.proc = subprocess.Popen(self.argv(), start_new_session=True,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if os.path.exists(self.sock):
                try:
                    c = socket.socket(socket.AF_UNIX)
                    c.connect(self.sock)
                    c.close()
                    return self
                except OSError:
                    pass
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode() if self.proc.stderr else ""
                raise RuntimeError(f"server exited with {self.proc.returncode}: {err}")
            time.sleep(0.02)
        self.kill()
        raise RuntimeError("server did not start listening")

    def client(self) -> RawClient:
        return RawClient(self.sock)

    def stop(self) -> int | None:
        if self.proc is None:
            return None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            rc = self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.kill()
            rc = None
        self.proc = None
        return rc

    def kill(self) -> None:
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        self.proc = None

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def have(binary: str) -> bool:
    return shutil.which(binary) is not None


class RecordingTransport:
    """An asyncio transport stand-in for a server session under test: what the session writes
    is kept in ``chunks``; it never has a backlog and never closes anything."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.chunks.append(data)

    def get_write_buffer_size(self) -> int:
        return 0

    def get_extra_info(self, key: str) -> None:
        return None

    def set_write_buffer_limits(self, high: int) -> None:
        pass

    def close(self) -> None:
        pass

    def messages(self) -> list[Any]:
        """The JSON-RPC messages written since the last call, decoded (then forgotten)."""
        out: list[Any] = []
        decoder = json.JSONDecoder()
        for chunk in self.chunks:
            text = chunk.decode()
            i = 0
            while i < len(text):
                msg, i = decoder.raw_decode(text, i)
                out.append(msg)
        self.chunks.clear()
        return out
