"""Fixtures shared by tests in more than one directory."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture
def nobody_home() -> Iterator[Path]:
    """A home directory nobody can reach (pytest's tmp_path is under a root-only directory)."""
    home = Path(tempfile.mkdtemp(prefix="pyovn-nobody-"))
    os.chmod(home, 0o755)
    os.chown(home, 65534, 65534)
    try:
        yield home
    finally:
        shutil.rmtree(home, ignore_errors=True)
