"""Logging in Open vSwitch's format, so scripts that wait for log lines work unchanged.

File lines look like ``2026-11-24T04:34:06.725Z|00001|ovsdb_server|INFO|message`` and console
lines like ``2026-11-24T04:34:06Z|00001|ovsdb_server|INFO|message``, as ovs's vlog writes them. The
``-v``/``--verbose`` specs (``-vconsole:off``, ``-vfile:info``, ``-vdbg``,
``-vsocket_util:console:info``) are understood for the destinations pyovn has (console and file),
per module as in OVS: a spec naming a module sets that module's level, one naming none sets every
module's. A message carries one sequence number whichever destinations it goes to.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
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
        seq = getattr(record, "ovs_seq", None)
        if seq is None:  # the first destination to write the message numbers it
            _seq += 1
            seq = record.ovs_seq = _seq
        t = time.gmtime(record.created)
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", t)
        if self.millis:
            stamp += f".{int(record.msecs):03d}Z"
        else:
            stamp += "Z"
        level = {logging.CRITICAL: "EMER", logging.ERROR: "ERR", logging.WARNING: "WARN",
                 logging.INFO: "INFO", logging.DEBUG: "DBG"}.get(record.levelno, "INFO")
        module = _module(record)
        msg = record.getMessage()
        if record.exc_info:
            msg += "\n" + self.formatException(record.exc_info)
        return f"{stamp}|{seq:05d}|{module}|{level}|{msg}"


def _module(record: logging.LogRecord) -> str:
    return record.name.rsplit(".", 1)[-1]


class Vlog:
    """The console and file destinations of one process."""

    def __init__(self) -> None:
        # Per destination: the level of every module, then the modules set apart from it.
        self._default = {"console": logging.WARNING, "file": logging.INFO}
        self._modules: dict[str, dict[str, int]] = {"console": {}, "file": {}}
        self.root = logging.getLogger("pyovn")
        self.root.setLevel(logging.DEBUG)
        self.root.propagate = False
        self._console = logging.StreamHandler(sys.stderr)
        self._console.setFormatter(_OvsFormatter(millis=False))
        self._console.addFilter(self._admits("console"))
        self.root.addHandler(self._console)
        self._file: logging.Handler | None = None
        self.file_name: str | None = None

    @property
    def console_level(self) -> int:
        return self._default["console"]

    @property
    def file_level(self) -> int:
        return self._default["file"]

    def level(self, dest: str, module: str) -> int:
        """The level at which ``module``'s messages reach ``dest`` ("console" or "file")."""
        return self._modules[dest].get(module, self._default[dest])

    def _admits(self, dest: str) -> Callable[[logging.LogRecord], bool]:
        def admits(record: logging.LogRecord) -> bool:
            return record.levelno >= self.level(dest, _module(record))

        return admits

    def set_spec(self, spec: str) -> None:
        """Apply one ``-v`` spec: ``[destination:][module:]level`` pieces separated by ':'."""
        dests = {"console", "file", "syslog", "any"}
        words = [w for w in spec.replace(",", ":").split(":") if w] if spec else ["dbg"]
        if words and words[0].lower() == "pattern":
            return  # PATTERN:DESTINATION:PATTERN: pyovn keeps OVS's default line format
        dest = "any"
        module: str | None = None
        level: int | None = None
        for w in words:
            if w.lower() in dests:
                dest = w.lower()
            elif w.lower() in LEVELS:
                level = LEVELS[w.lower()]
            else:
                module = w
        if level is None:
            level = logging.DEBUG
        for d in ("console", "file"):
            if dest not in (d, "any"):
                continue
            if module is None:
                self._default[d] = level
                self._modules[d].clear()
            else:
                self._modules[d][module] = level

    def open_file(self, name: str) -> None:
        if self._file:
            self.root.removeHandler(self._file)
            self._file.close()
        handler = logging.FileHandler(name, mode="a", delay=False)
        handler.setFormatter(_OvsFormatter(millis=True))
        handler.addFilter(self._admits("file"))
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
