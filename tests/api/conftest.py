"""Fixtures: pyovn's (and, interop-marked, the real) ovsdb-server with an Api connected to it.

One server per module and database kind keeps the suite fast; every test starts from an empty
database (all root rows deleted with one raw transaction, so non-root rows are collected too).
``nb_any`` runs a test on pyovn's server and, marked interop, on the real ovsdb-server.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from pyovn import schemas
from pyovn.api import Api, OvnNbApi, OvnSbApi, OvsApi
from pyovn.testing.wire import ServerProcess

REAL_MISSING = [b for b in ("ovsdb-server", "ovsdb-tool") if shutil.which(b) is None]
REAL_SKIP = "real OVS binaries not installed: " + ", ".join(REAL_MISSING)


def require_real() -> None:
    if REAL_MISSING:
        print(REAL_SKIP)
        pytest.skip(REAL_SKIP)


class Served:
    """A server process plus an Api on it; ``fresh()`` empties the database."""

    def __init__(self, d: Path, api_cls: type[Api], real: bool):
        schema = str(schemas.path(api_cls.database))
        extra = [] if real else ["--no-fsync"]
        self.server = ServerProcess(d, [schema], real=real, extra=extra).start()
        self.remote = f"unix:{self.server.sock}"
        self.api = api_cls(self.remote, timeout=20)
        self.api_cls = api_cls

    def fresh(self) -> Api:
        api = self.api
        ops = [{"op": "delete", "table": t, "where": []}
               for t, ts in api.schema.tables.items() if ts.is_root]
        api.idl.transact(ops)
        api.idl.sync()
        if self.api_cls is OvsApi:
            api.idl.transact([{"op": "insert", "table": "Open_vSwitch", "row": {}}])
            api.idl.sync()
        return api

    def close(self) -> None:
        self.api.close()
        self.server.stop()


def _served(tmp_path_factory: pytest.TempPathFactory, api_cls: type[Api],
            real: bool) -> Iterator[Served]:
    if real:
        require_real()
    s = Served(tmp_path_factory.mktemp(f"{api_cls.database}-{'real' if real else 'py'}"),
               api_cls, real)
    yield s
    s.close()


@pytest.fixture(scope="module")
def nb_served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    yield from _served(tmp_path_factory, OvnNbApi, False)


@pytest.fixture(scope="module")
def nb_real_served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    yield from _served(tmp_path_factory, OvnNbApi, True)


@pytest.fixture
def nb(nb_served: Served) -> OvnNbApi:
    """An OvnNbApi on pyovn's server, empty database."""
    return nb_served.fresh()  # type: ignore[return-value]


@pytest.fixture(params=["pyovn", pytest.param("real", marks=pytest.mark.interop)])
def nb_any(request: pytest.FixtureRequest) -> OvnNbApi:
    """An OvnNbApi on pyovn's server, and (interop) on the real ovsdb-server."""
    name = "nb_served" if request.param == "pyovn" else "nb_real_served"
    return request.getfixturevalue(name).fresh()


@pytest.fixture(scope="module")
def sb_served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    yield from _served(tmp_path_factory, OvnSbApi, False)


@pytest.fixture(scope="module")
def sb_real_served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    yield from _served(tmp_path_factory, OvnSbApi, True)


@pytest.fixture(params=["pyovn", pytest.param("real", marks=pytest.mark.interop)])
def sb_any(request: pytest.FixtureRequest) -> OvnSbApi:
    name = "sb_served" if request.param == "pyovn" else "sb_real_served"
    return request.getfixturevalue(name).fresh()


@pytest.fixture(scope="module")
def ovs_served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    yield from _served(tmp_path_factory, OvsApi, False)


@pytest.fixture(scope="module")
def ovs_real_served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    yield from _served(tmp_path_factory, OvsApi, True)


@pytest.fixture(params=["pyovn", pytest.param("real", marks=pytest.mark.interop)])
def ovs_any(request: pytest.FixtureRequest) -> OvsApi:
    name = "ovs_served" if request.param == "pyovn" else "ovs_real_served"
    return request.getfixturevalue(name).fresh()
