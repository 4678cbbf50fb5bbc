"""pyovn.util.vlog: OVS's -v specs per module and destination, one sequence number per message."""

from __future__ import annotations

import io
import logging
from pathlib import Path

from pyovn.util.vlog import Vlog


def _vlog(tmp_path: Path, *specs: str) -> tuple[Vlog, io.StringIO]:
    v = Vlog()
    console = io.StringIO()
    v.redirect_console(console)
    for spec in specs:
        v.set_spec(spec)
    v.open_file(str(tmp_path / "log"))
    return v, console


def _strip(text: str, base: int) -> list[str]:
    """Lines without their time stamp, sequence numbers counted from ``base``."""
    out = []
    for line in text.splitlines():
        _, seq, rest = line.split("|", 2)
        out.append(f"{int(seq) - base}|{rest}")
    return out


def _close(v: Vlog) -> None:
    for h in (v._console, v._file):
        if h is not None:
            v.root.removeHandler(h)
            h.close()


def test_module_spec_sets_only_that_module(tmp_path: Path) -> None:
    # ovsdbapp's fixture: -vconsole:off -vsocket_util:console:info
    v, console = _vlog(tmp_path, "console:off", "socket_util:console:info")
    try:
        logging.getLogger("pyovn.socket_util").info("0: listening on port 1234")
        logging.getLogger("pyovn.ovsdb_server").warning("not on the console")
        file_lines = (tmp_path / "log").read_text()
        base = int(file_lines.split("|")[1])  # "opened log file"
        assert _strip(console.getvalue(), base) == ["1|socket_util|INFO|0: listening on port 1234"]
        assert _strip(file_lines, base) == [
            f"0|vlog|INFO|opened log file {tmp_path / 'log'}",
            "1|socket_util|INFO|0: listening on port 1234",
            "2|ovsdb_server|WARN|not on the console",
        ]
        assert v.level("console", "socket_util") == logging.INFO
        assert v.level("console", "other") > logging.CRITICAL
        # a spec without a module resets every module of its destination
        v.set_spec("console:warn")
        assert v.level("console", "socket_util") == logging.WARNING
        assert v.level("file", "socket_util") == logging.INFO
        v.set_spec("ANY:file:dbg")
        assert v.level("file", "x") == logging.DEBUG
    finally:
        _close(v)
