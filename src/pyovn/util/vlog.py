"""Logging in Open vSwitch's format, so scripts that wait for log lines work unchanged.

File lines look like ``2026-11-24T04:34:06.725Z|00001|ovsdb_server|INFO|message`` and console
lines like ``2026-11-24T04:34:06Z|00001|ovsdb_server|INFO|message``, as ovs's vlog writes them. The
``-v``/``--verbose`` specs (``-vconsole:off``, ``-vfile:info``, ``-vdbg``) are understood for the
destinations pyovn has (console and file); the per-module part is accepted and applied globally.
"""

from __future__ import annotations

import logging
import sys
import time
from typing import TextIO

LEVELS = {"emer": logging.CRITICAL, "err": logging.ERROR, "warn": logging.WARNING,
          "info": logging.INFO, "dbg": logging.DEBUG, "off": logging.CRITICAL + 10}
_seq = 0


class _OvsFormatter(logging.Formatter):
    def __init__(self, millis: bool):
        super().__init__()
        self.millis = millis

    def format(self, record: logging.LogRecord) -> str:
        global _seq
        _seq += 1
        t = time.gmtime(record.created)
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", t)
        if self.millis:
            stamp += f".{int(record.msecs):03d}Z"
        else:
            stamp += "Z"
        level = {logging.CRITICAL: "EMER", logging.ERROR: "ERR", logging.WARNING: "WARN",
                 logging.INFO: "INFO", logging.DEBUG: "DBG"}.get(record.levelno, "INFO")
        module = record.name.rsplit(".", 1)[-1]
        msg = record.getMessage()
        if record.exc_info:
            msg += "\n" + self.formatException(record.exc_info)
        return f"{stamp}|{_seq:05d}|{module}|{level}|{msg}"


class Vlog:
    """The console and file destinations of one process."""

    def __init__(self) -> None:
        self.console_level = logging.WARNING  # OVS daemons log warnings to the console by default
        self.file_level = logging.INFO
        self.root = logging.getLogger("pyovn")
        self.root.setLevel(logging.DEBUG)
        self.root.propagate = False
        self._console = logging.StreamHandler(sys.stderr)
        self._console.setFormatter(_OvsFormatter(millis=False))
        self._console.setLevel(self.console_level)
        self.root.addHandler(self._console)
        self._file: logging.Handler | None = None
        self.file_name: str | None = None

    def set_spec(self, spec: str) -> None:
        """Apply one ``-v`` spec: ``[destination:][module:]level`` pieces separated by ':'."""
        dests = {"console", "file", "syslog", "any"}
        words = [w for w in spec.replace(",", ":").split(":") if w] if spec else ["dbg"]
        dest = "any"
        level: int | None = None
        for w in words:
            if w in dests:
                dest = w
            elif w in LEVELS:
                level = LEVELS[w]
        if level is None:
            level = logging.DEBUG
        if dest in ("console", "any"):
            self.console_level = level
            self._console.setLevel(level)
        if dest in ("file", "any"):
            self.file_level = level
            if self._file:
                self._file.setLevel(level)

    def open_file(self, name: str) -> None:
        if self._file:
            self.root.removeHandler(self._file)
            self._file.close()
        handler = logging.FileHandler(name, mode="a", delay=False)
        handler.setFormatter(_OvsFormatter(millis=True))
        handler.setLevel(self.file_level)
        self._file = handler
        self.file_name = name
        self.root.addHandler(handler)
        logging.getLogger("pyovn.vlog").info("opened log file %s", name)

    def reopen(self) -> None:
        if self.file_name:
            self.open_file(self.file_name)

    def redirect_console(self, stream: TextIO) -> None:
        self._console.setStream(stream)


VLOG = Vlog()


def get_logger(module: str) -> logging.Logger:
    """A logger whose lines carry ``module`` as OVS's module name (e.g. ``ovsdb_server``)."""
    return logging.getLogger(f"pyovn.{module}")
