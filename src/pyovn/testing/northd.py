"""pyovn northd in a background event loop, driven step by step: for tests, in-process.

``NorthdRunner(nb_remote, sb_remote)`` starts :class:`pyovn.northd.daemon.Northd` in a thread of
its own (an event loop) without its main loop; ``settle()`` waits until northd's replicas have
everything the servers have and runs the engine until the Southbound is written (what one turn
of ``ovn-nbctl --wait=sb`` waits for).  ``check_incremental()`` compares the incrementally kept
desired Southbound with a full recompute over the same replicas and checks that the Southbound
holds exactly that — the property the incremental engine must keep.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

from pyovn.northd.daemon import Northd
from pyovn.northd.engine import Engine

__all__ = ["NorthdRunner"]

T = TypeVar("T")


class NorthdRunner:
    def __init__(self, nb_remote: str, sb_remote: str, timeout: float = 30.0) -> None:
        self.timeout = timeout
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True,
                                        name="northd-runner")
        self._thread.start()
        self.northd = Northd(nb_remote, sb_remote)
        self._run(self._start())

    async def _start(self) -> None:
        await self.northd.start()
        await self.northd.nb.wait_synced(self.timeout)
        await self.northd.sb.wait_synced(self.timeout)

    def _run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(self.timeout)

    def settle(self) -> bool:
        """Run northd until the Southbound is written; True if the run was incremental."""
        return self._run(self._settle())

    async def _settle(self) -> bool:
        n = self.northd
        await n.nb.sync()
        incremental = not n.need_recompute and n.engine is not None
        for _ in range(20):
            await n.run_once()
            await n.nb.sync()
            await n.sb.sync()
            e = n.engine
            if (e is not None and not n.changes and not e.flows.dirty and not e.rows.dirty
                    and not n.need_recompute):
                break
        if n.engine is not None and n.engine.stats.last_kind == "recompute":
            incremental = False
        return incremental

    def recompute(self) -> None:
        self.northd.request_recompute()
        self.settle()

    def check_incremental(self) -> None:
        """Raise AssertionError if incremental state != a full recompute, or SB != desired."""
        self._run(self._check())

    async def _check(self) -> None:
        n = self.northd
        assert n.engine is not None and n.writer is not None
        full = Engine(n.nb.tables, n.sb.tables)
        full.recompute()
        inc_flows, inc_rows = n.engine.snapshot()
        full_flows, full_rows = full.snapshot()
        if inc_flows != full_flows:
            missing = {k: v for k, v in full_flows.items() if inc_flows.get(k) != v}
            extra = {k: v for k, v in inc_flows.items() if full_flows.get(k) != v}
            raise AssertionError(
                f"flows differ from a full recompute: {len(missing)} missing/changed, "
                f"{len(extra)} extra; e.g. missing {_first(missing)} extra {_first(extra)}")
        if inc_rows != full_rows:
            keys = {k for k in set(inc_rows) | set(full_rows) if inc_rows.get(k) != full_rows.get(k)}
            k = sorted(keys, key=repr)[0]
            raise AssertionError(
                f"SB rows differ from a full recompute for {len(keys)} keys; e.g. {k}: "
                f"incremental {inc_rows.get(k)} full {full_rows.get(k)}")
        # The Southbound holds what the engine wants: a full sync would write nothing.
        flows_dirty = set(n.engine.flows.dirty)
        rows_dirty = set(n.engine.rows.dirty)
        ops = n.writer.row_ops(n.engine.rows, True) + n.writer.flow_ops(n.engine.flows, True)
        n.engine.flows.dirty |= flows_dirty
        n.engine.rows.dirty |= rows_dirty
        if ops:
            raise AssertionError(f"Southbound differs from the desired state: {ops[:3]}")

    def close(self) -> None:
        try:
            self._run(self.northd.close())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(5)

    def __enter__(self) -> NorthdRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _first(d: dict[Any, Any]) -> Any:
    for k, v in d.items():
        return (k, v)
    return None
