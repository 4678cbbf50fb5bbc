"""The client half of ``ovn-nbctl``/``ovn-sbctl`` daemon mode, kept cheap to import.

When ``OVN_NB_DAEMON`` (``OVN_SB_DAEMON`` for sbctl) names a control socket, or ``-u SOCKET`` /
``--unixctl=SOCKET`` is given, the tool does not talk to the database itself: it sends its
options and commands to a daemon started with ``--detach`` (:mod:`pyovn.ctl.daemon`, or the real
``ovn-nbctl --detach``) as one unixctl request, ``{"method": "run", "params": [OPTIONS..., "--",
COMMANDS...]}``, and prints the reply: the ``result`` text on stdout (status 0) or
``<prog>: <error>`` on stderr (status 1). That is what the real client sends and prints (observed
against the real daemon through a proxy socket).

Options, as the real client treats them:

* forwarded, long form (``-f csv`` becomes ``--format=csv``): ``--wait``, ``--no-wait``,
  ``--print-wait-time``, ``--dry-run``, ``--oneline``, the table formatting options and every
  command option given before the first command (``--may-exist``, ``--id=@x``, ...); options
  nobody knows are forwarded too, and the daemon rejects them with the same words;
* kept here: ``-t``/``--timeout`` (this process's alarm), logging (``-v``, ``--log-file``,
  syslog), SSL and remote options, ``--[no-]leader-only``, the daemon options (``--pidfile``,
  ``-u``/``--unixctl``, ...);
* ``--db`` makes the tool run directly (with the real tool's warning); ``--help``,
  ``--version``, ``--commands``, ``--options`` and ``--detach`` are answered by the full tool.

Only the standard library (``os``, ``socket``, ``signal``, ``time``, the C half of ``json``) is
imported, so a call through the daemon costs an interpreter start and one round trip: this module
is reached from :func:`pyovn.cli.main.main` before anything else of pyovn is imported.
``tests/ctl/test_nbctl_daemon.py`` checks the option tables below against the tools' registries.
"""

from __future__ import annotations

import os
import sys

__all__ = ["DAEMON_ENV", "maybe_run", "client_params", "wants_daemon"]

# tool (as pyovn names it) -> (program name, environment variable naming the daemon's socket)
DAEMON_ENV = {"nbctl": ("ovn-nbctl", "OVN_NB_DAEMON"), "sbctl": ("ovn-sbctl", "OVN_SB_DAEMON")}

# Long options that take a value (True: required, "opt": only as --opt=value), for both tools:
# the global ones and the command options that may come before the first command.
_ARG: dict[str, bool | str] = {
    # global
    "db": True, "timeout": True, "format": True, "data": True, "syslog-method": True,
    "syslog-target": True, "private-key": True, "certificate": True, "ca-cert": True,
    "bootstrap-ca-cert": True, "ssl-protocols": True, "ssl-ciphers": True,
    "peer-ca-cert": True, "wait": True, "user": True, "unixctl": True,
    "verbose": "opt", "log-file": "opt", "pidfile": "opt",
    # command options (pyovn.ctl registries: Tool.option_arg)
    "columns": True, "gateway-port": True, "id": True, "inactivity-probe": True,
    "label": True, "meter": True, "name": True, "policy": True, "route-table": True,
    "severity": True, "type": True, "bfd": "opt",
}
# Options this process applies itself and does not send.
_LOCAL = {
    "timeout", "verbose", "log-file", "no-syslog", "syslog-method", "syslog-target",
    "private-key", "certificate", "ca-cert", "bootstrap-ca-cert", "ssl-protocols",
    "ssl-ciphers", "peer-ca-cert", "leader-only", "no-leader-only", "shuffle-remotes",
    "no-shuffle-remotes", "unixctl", "pidfile", "monitor", "no-chdir", "overwrite-pidfile",
    "user", "no-self-confinement",
}
# Options only the full tool answers (the caller falls back to it).
_FULL_TOOL = {"help", "version", "commands", "options", "detach"}
_SHORT = {"t": "timeout", "f": "format", "d": "data", "h": "help", "V": "version",
          "v": "verbose", "p": "private-key", "c": "certificate", "C": "ca-cert", "u": "unixctl"}
# Every long option name the two tools know (for getopt_long's unique-prefix matching).
_KNOWN = set(_ARG) | _LOCAL | _FULL_TOOL | {
    "dry-run", "oneline", "no-headings", "pretty", "bare", "no-wait", "print-wait-time",
    "add-duplicate", "add-route", "all", "apply-after-lb", "bootstrap", "ecmp",
    "ecmp-symmetric-reply", "event", "fair", "if-exists", "is-exempted", "liveness", "log",
    "may-exist", "portrange", "reject", "stateless", "template", "ovs", "stats", "uuid", "vflows",
}


class _Fallback(Exception):
    """Run the full tool instead (direct mode, or an option only it answers)."""


class _Usage(Exception):
    """A command-line error the client reports itself (status 1)."""


def _expand(name: str) -> str:
    if name in _KNOWN:
        return name
    cands = [k for k in _KNOWN if k.startswith(name)]
    return cands[0] if len(cands) == 1 else name


def client_params(argv: list[str]) -> tuple[list[str], str | None, float]:
    """The ``run`` request's params for ``argv``, the ``-u``/``--unixctl`` socket if given, and
    the ``--timeout`` (0 = none). Raises _Fallback or _Usage."""
    params: list[str] = []
    socket_path: str | None = None
    timeout = 0.0
    i = 0
    n = len(argv)
    while i < n:
        arg = argv[i]
        if arg == "--":
            i += 1
            break
        if not arg.startswith("-") or arg == "-":
            break
        opts: list[tuple[str, str | None]] = []
        if arg.startswith("--"):
            name, eq, value = arg[2:].partition("=")
            name = _expand(name)
            takes = _ARG.get(name, False)
            if takes is True and not eq:
                if i + 1 >= n:
                    raise _Usage(f"option '--{name}' requires an argument")
                i += 1
                value = argv[i]
            opts.append((name, value if (eq or takes is True) else None))
        else:
            j = 1
            while j < len(arg):
                c = arg[j]
                name = _SHORT.get(c, "")
                if not name:
                    raise _Usage(f"invalid option -- '{c}'")
                takes = _ARG.get(name, False)
                if takes is True:
                    value = arg[j + 1:]
                    if not value:
                        if i + 1 >= n:
                            raise _Usage(f"option requires an argument -- '{c}'")
                        i += 1
                        value = argv[i]
                    opts.append((name, value))
                    break
                if takes == "opt":
                    opts.append((name, arg[j + 1:] or None))
                    break
                opts.append((name, None))
                j += 1
        i += 1
        for name, value in opts:
            if name in _FULL_TOOL:
                raise _Fallback
            if name == "db":
                raise _Fallback("db")
            if name == "timeout":
                try:
                    timeout = float(value or "")
                    if timeout <= 0:
                        raise ValueError
                except ValueError:
                    raise _Usage(f"value {value} on -t or --timeout is invalid") from None
            elif name == "unixctl":
                socket_path = value
            elif name not in _LOCAL:
                params.append(f"--{name}" if value is None else f"--{name}={value}")
    params.append("--")
    params.extend(argv[i:])
    return params, socket_path, timeout


def wants_daemon(argv: list[str]) -> bool:
    """``--detach`` among the global options (before the first command): start a daemon."""
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--" or not arg.startswith("-") or arg == "-":
            return False
        if arg.startswith("--"):
            name, eq, _ = arg[2:].partition("=")
            name = _expand(name)
            if name == "detach":
                return True
            if not eq and _ARG.get(name) is True:
                i += 1  # its value
        elif _ARG.get(_SHORT.get(arg[-1], "")) is True and len(arg) == 2:
            i += 1
        i += 1
    return False


def _vlog(seq: int, module: str, level: str, msg: str) -> None:
    import time

    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    sys.stderr.write(f"{stamp}|{seq:05d}|{module}|{level}|{msg}\n")


def _on_alarm(signum: int, frame: object) -> None:
    import signal

    _vlog(1, "fatal_signal", "WARN", "terminating with signal 14 (Alarm clock)")
    sys.stderr.flush()
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGALRM)


def _loads(data: bytes) -> object:
    """A unixctl reply: a flat object of strings, numbers, booleans and nulls, read with the C
    string scanner of the stdlib's json (``json`` itself pulls in ``re``, ``orjson`` even
    ``dataclasses`` and ``inspect``: tens of milliseconds); anything else goes to ``json``.
    Raises ValueError for an incomplete reply."""
    from _json import scanstring

    text = data.decode()
    n = len(text)
    ws = " \t\r\n"

    def skip(i: int) -> int:
        while i < n and text[i] in ws:
            i += 1
        return i

    try:
        i = skip(0)
        if text[i] != "{":
            raise _Complex
        out: dict[str, object] = {}
        i = skip(i + 1)
        if text[i] == "}":
            return out
        while True:
            if text[i] != '"':
                raise _Complex
            key, i = scanstring(text, i + 1)
            i = skip(i)
            if text[i] != ":":
                raise _Complex
            i = skip(i + 1)
            c = text[i]
            value: object
            if c == '"':
                value, i = scanstring(text, i + 1)
            elif text.startswith("null", i):
                value, i = None, i + 4
            elif text.startswith("true", i):
                value, i = True, i + 4
            elif text.startswith("false", i):
                value, i = False, i + 5
            elif c in "-0123456789":
                j = i + 1
                while j < n and text[j] in "0123456789.eE+-":
                    j += 1
                num = text[i:j]
                value = float(num) if any(x in num for x in ".eE") else int(num)
                i = j
            else:
                raise _Complex
            out[key] = value
            i = skip(i)
            if text[i] == "}":
                return out
            if text[i] != ",":
                raise _Complex
            i = skip(i + 1)
    except IndexError:
        raise ValueError("incomplete") from None
    except _Complex:
        import json

        return json.loads(text)


class _Complex(Exception):
    """Not the flat reply object _loads reads itself."""


def _dumps(obj: dict[str, object]) -> bytes:
    """The request object (strings, an int, a list of strings) as JSON."""
    from _json import encode_basestring_ascii as quote

    parts = []
    for key, value in obj.items():
        if isinstance(value, list):
            text = "[" + ",".join(quote(str(v)) for v in value) + "]"
        elif isinstance(value, int):
            text = str(value)
        else:
            text = quote(str(value))
        parts.append(f"{quote(key)}:{text}")
    return ("{" + ",".join(parts) + "}").encode()


def transact(path: str, method: str, params: list[str]) -> tuple[str | None, str | None]:
    """One unixctl request on a blocking socket: (result, error); OSError if unreachable."""
    import socket

    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.connect(path)
        s.sendall(_dumps({"id": 0, "method": method, "params": params}))
        buf = bytearray()
        while True:
            data = s.recv(1 << 20)
            if not data:
                raise ConnectionResetError(0, "connection closed before the reply")
            buf += data
            if buf.rstrip().endswith(b"}"):
                try:
                    msg = _loads(bytes(buf))
                except ValueError:
                    continue  # a '}' inside a string at a read boundary: read on
                if isinstance(msg, dict) and "id" in msg:
                    err = msg.get("error")
                    res = msg.get("result")
                    return (None if res is None else str(res),
                            None if err is None else str(err))


def maybe_run(tool: str, argv: list[str]) -> int | None:
    """Run ``argv`` through the tool's daemon when daemon mode applies; None when it does not
    (the caller then runs the full tool)."""
    prog, env = DAEMON_ENV[tool]
    try:
        params, socket_path, timeout = client_params(argv)
    except _Fallback as fb:
        if str(fb) == "db" and (os.environ.get(env) or _has_unixctl(argv)):
            _vlog(1, "ovn_dbctl", "WARN", f"not using {prog} daemon because of db option")
        return None
    except _Usage as exc:
        if not (os.environ.get(env) or _has_unixctl(argv)):
            return None  # direct mode: the full tool reports it
        sys.stderr.write(f"{prog}: {exc}\n")
        return 1
    path = socket_path or os.environ.get(env)
    if not path:
        return None
    if timeout:
        import signal

        signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        result, error = transact(path, "run", params)
    except OSError as exc:
        why = os.strerror(exc.errno) if exc.errno else "connection closed"
        _vlog(1, "unixctl", "WARN", f"failed to connect to {path}")
        msg = (f"{path}: could not connect to {prog} daemon ({why}); "
               f"unset {env} to avoid using daemon")
        _vlog(2, "ovn_dbctl", "ERR", msg)
        sys.stderr.write(f"{prog}: {msg}\n")
        return 1
    if error is not None:
        sys.stdout.flush()
        sys.stderr.write(f"{prog}: {error}" + ("" if error.endswith("\n") else "\n"))
        return 1
    if result:
        sys.stdout.write(result)
        sys.stdout.flush()
    return 0


def _has_unixctl(argv: list[str]) -> bool:
    return any(a == "-u" or a.startswith(("--unixctl", "-u")) for a in argv)
