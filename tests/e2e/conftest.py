"""Fixtures shared by the end-to-end tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pyovn.testing.stack import FLAVOURS, Stack, missing


@pytest.fixture(params=list(FLAVOURS))
def stack(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Stack]:
    """A one-chassis OVN of each stack flavour (pyovn.testing.stack.FLAVOURS); a flavour that
    cannot run here is skipped with the reason printed.  (test_northd_with_real_controller has
    its own ``stack``: the real chassis under pyovn's or the real northd.)"""
    why = missing(request.param)
    if why:
        print(f"skipped ({request.param}): {why}")
        pytest.skip(why)
    s = Stack(tmp_path / "ovn", request.param)
    try:
        yield s
    finally:
        s.close()
