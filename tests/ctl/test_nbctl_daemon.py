"""`pyovn nbctl` daemon mode (``--detach``, ``OVN_NB_DAEMON``): the daemon's life, commands
through it giving what direct mode gives (output, errors, exit codes), a database restart, the
client's imports, and interop with the real ovn-nbctl both ways (client and daemon)."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pyovn.testing.real import OvsdbServerProcess, require_real

PY = [sys.executable, "-m", "pyovn"]
PY_NBCTL = [*PY, "nbctl"]


def _env(directory: Path, remote: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("OVN_NB_DAEMON", "OVN_SB_DAEMON")}
    env.update(OVN_RUNDIR=str(directory), OVN_NB_DB=remote, **extra)
    return env


def run(argv: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    res = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60)
    return res.returncode, res.stdout, _strip_vlog_stamps(res.stderr)


def _strip_vlog_stamps(text: str) -> str:
    return re.sub(r"^\d{4}-\d\d-\d\dT[\d:.]+Z\|\d+\|", "", text, flags=re.M)


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    for _ in range(100):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


@contextlib.contextmanager
def nb_daemon(prefix: list[str], directory: Path, remote: str, name: str = "nbd",
              extra: tuple[str, ...] = ()) -> Iterator[tuple[str, Path]]:
    """``<prefix> --pidfile=... --detach``: yields (control socket, pidfile); always stopped."""
    pidfile = directory / f"{name}.pid"
    env = _env(directory, remote)
    res = subprocess.run([*prefix, f"--pidfile={pidfile}", "--detach", *extra],
                         capture_output=True, text=True, env=env, timeout=60)
    pid = int(pidfile.read_text()) if pidfile.exists() else None
    try:
        assert res.returncode == 0, res.stderr
        path = res.stdout.strip()
        assert path and os.path.exists(path), res
        yield path, pidfile
    finally:
        if pid is not None:
            _kill(pid)


@pytest.fixture
def nb(tmp_path: Path) -> Iterator[OvsdbServerProcess]:
    server = OvsdbServerProcess(tmp_path, "OVN_Northbound", argv_prefix=[*PY, "ovsdb-server"],
                                tool_prefix=[*PY, "ovsdb-tool"]).start()
    try:
        yield server
    finally:
        server.stop()


def _through(path: str, tmp_path: Path, remote: str) -> dict[str, str]:
    return _env(tmp_path, remote, OVN_NB_DAEMON=path)


# Steps: ("both", argv) runs direct and through the daemon and compares everything (reads, and
# writes that fail or change nothing); ("daemon"/"direct", argv) changes the database one way.
STEPS: list[tuple[str, list[str]]] = [
    ("both", ["show"]),
    ("daemon", ["ls-add", "sw0"]),
    ("both", ["ls-add", "sw0"]),
    ("both", ["--may-exist", "ls-add", "sw0"]),
    ("daemon", ["lsp-add", "sw0", "p1", "--", "lsp-set-addresses", "p1",
                "00:00:00:00:00:01 10.0.0.1"]),
    ("both", ["show"]),
    ("both", ["show", "sw0"]),
    ("both", ["ls-list"]),
    ("both", ["lsp-list", "sw0"]),
    ("both", ["--columns=name,addresses", "list", "Logical_Switch_Port"]),
    ("both", ["-f", "csv", "--columns=name", "find", "Logical_Switch", "name=sw0"]),
    ("both", ["--bare", "--columns=name", "list", "Logical_Switch"]),
    ("both", ["--oneline", "lsp-get-addresses", "p1"]),
    ("both", ["lsp-add", "sw0", "p1"]),
    ("both", ["lsp-add", "nosuch", "p2"]),
    ("both", ["--if-exists", "ls-del", "nosuch"]),
    ("both", ["ls-del", "nosuch"]),
    ("both", ["--if-exists", "lsp-del", "nosuch"]),
    ("both", ["get", "Logical_Switch", "sw0", "nosuch"]),
    ("both", ["nosuchcommand"]),
    ("both", ["--bogus-option", "ls-list"]),
    ("both", ["ls-add", "a", "b"]),
    ("both", ["--wait=maybe", "ls-list"]),
    ("both", ["--dry-run", "ls-add", "sw9"]),
    ("both", ["ls-list"]),
    ("direct", ["ls-add", "sw1", "--", "lsp-add", "sw1", "q1"]),  # the daemon must follow
    ("both", ["show", "sw1"]),
    ("both", ["ls-list"]),
    ("daemon", ["lsp-del", "q1", "--", "ls-del", "sw1"]),
    ("both", ["ls-list"]),
    ("both", ["wait-until", "Logical_Switch", "sw0", "name=sw0"]),
]


def _compare_steps(direct_prefix: list[str], client_prefix: list[str], env_direct: dict[str, str],
                   env_daemon: dict[str, str]) -> None:
    for how, argv in STEPS:
        if how == "both":
            want = run([*direct_prefix, *argv], env_direct)
            got = run([*client_prefix, *argv], env_daemon)
            assert got == want, argv
        elif how == "daemon":
            rc, out, err = run([*client_prefix, *argv], env_daemon)
            assert (rc, err) == (0, ""), (argv, err)
        else:
            rc, out, err = run([*direct_prefix, *argv], env_direct)
            assert (rc, err) == (0, ""), (argv, err)


def test_commands_through_daemon_equal_direct(nb: OvsdbServerProcess, tmp_path: Path) -> None:
    with nb_daemon(PY_NBCTL, tmp_path, nb.remote) as (path, _):
        _compare_steps(PY_NBCTL, PY_NBCTL, _env(tmp_path, nb.remote),
                       _through(path, tmp_path, nb.remote))


def test_start_exit_and_sigterm(nb: OvsdbServerProcess, tmp_path: Path) -> None:
    from pyovn.service.unixctl import UnixctlError, call

    with nb_daemon(PY_NBCTL, tmp_path, nb.remote) as (path, pidfile):
        pid = int(pidfile.read_text())
        assert path == str(tmp_path / f"ovn-nbctl.{pid}.ctl")  # the real default name
        assert "run" in call(path, "list-commands")
        assert call(path, "version").startswith("ovn-nbctl 23.03.1\n")
        assert call(path, "run", "ls-list") == ""
        with pytest.raises(UnixctlError, match="unrecognized option '--db=x'"):
            call(path, "run", "--db=x", "ls-list")
        assert call(path, "exit") == ""
        _wait_gone(pid)
        assert not pidfile.exists() and not os.path.exists(path)
    with nb_daemon(PY_NBCTL, tmp_path, nb.remote, extra=("-u", str(tmp_path / "my.ctl"))) \
            as (path, pidfile):
        assert path == str(tmp_path / "my.ctl")
        rc, out, err = run([*PY_NBCTL, "-u", path, "ls-list"], _env(tmp_path, "unix:/nowhere"))
        assert (rc, out, err) == (0, "", "")
        pid = int(pidfile.read_text())
        os.kill(pid, signal.SIGTERM)
        _wait_gone(pid)
        assert not pidfile.exists() and not os.path.exists(path)


def _wait_gone(pid: int) -> None:
    for _ in range(200):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    raise AssertionError(f"daemon {pid} did not exit")


def test_warnings_go_to_the_daemon_log(nb: OvsdbServerProcess, tmp_path: Path) -> None:
    logfile = tmp_path / "nbd.log"
    with nb_daemon(PY_NBCTL, tmp_path, nb.remote, extra=(f"--log-file={logfile}",)) \
            as (path, _):
        rc, out, err = run([*PY_NBCTL, "--", "--id=@x", "create", "Logical_Switch_Port",
                            "name=zz"], _through(path, tmp_path, nb.remote))
        assert (rc, err) == (0, "") and re.fullmatch(r"[0-9a-f-]{36}\n", out)
        text = logfile.read_text()
        assert "|ovn_dbctl|INFO|Running command run -- --id=@x create" in text
        assert ('|db_ctl_base|WARN|row id "@x" was created but no reference to it was inserted, '
                "so it will not actually appear in the database") in text


def test_client_errors(nb: OvsdbServerProcess, tmp_path: Path) -> None:
    missing = str(tmp_path / "missing.ctl")
    env = _through(missing, tmp_path, nb.remote)
    rc, out, err = run([*PY_NBCTL, "ls-list"], env)
    assert rc == 1 and out == ""
    assert err == (f"unixctl|WARN|failed to connect to {missing}\n"
                   f"ovn_dbctl|ERR|{missing}: could not connect to ovn-nbctl daemon (No such file "
                   "or directory); unset OVN_NB_DAEMON to avoid using daemon\n"
                   f"ovn-nbctl: {missing}: could not connect to ovn-nbctl daemon (No such file or "
                   "directory); unset OVN_NB_DAEMON to avoid using daemon\n")
    # --db: run directly, with the real tool's warning
    rc, out, err = run([*PY_NBCTL, f"--db={nb.remote}", "ls-list"], env)
    assert (rc, out) == (0, "")
    assert err == "ovn_dbctl|WARN|not using ovn-nbctl daemon because of db option\n"
    assert run([*PY_NBCTL, "-t", "0", "ls-list"], env) == (
        1, "", "ovn-nbctl: value 0 on -t or --timeout is invalid\n")
    rc, out, _ = run([*PY_NBCTL, "--version"], env)
    assert rc == 0 and out.startswith("ovn-nbctl 23.03.1")
    rc, _, err = run([*PY_NBCTL, "--detach", "ls-list"], _env(tmp_path, nb.remote))
    assert (rc, err) == (1, "ovn-nbctl: non-option arguments not supported with --detach "
                            "(use --help for help)\n")


def test_daemon_survives_database_restart(nb: OvsdbServerProcess, tmp_path: Path) -> None:
    with nb_daemon(PY_NBCTL, tmp_path, nb.remote) as (path, _):
        env = _through(path, tmp_path, nb.remote)
        assert run([*PY_NBCTL, "ls-add", "sw0"], env)[0] == 0
        nb.stop()
        # a command sent while the database is down waits for the daemon to reconnect
        waiting = subprocess.Popen([*PY_NBCTL, "ls-add", "sw9"], env=env, text=True,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        again = OvsdbServerProcess(tmp_path, "OVN_Northbound", argv_prefix=[*PY, "ovsdb-server"],
                                   db_file=nb.db_path)
        try:
            time.sleep(0.5)
            again.start()
            assert waiting.communicate(timeout=60) == ("", "")
            assert waiting.returncode == 0
            run([*PY_NBCTL, f"--db={nb.remote}", "ls-add", "sw1"], _env(tmp_path, nb.remote))
            rc, out, err = run([*PY_NBCTL, "--columns=name", "--bare", "list", "Logical_Switch"],
                               env)
            assert (rc, sorted(out.split()), err) == (0, ["sw0", "sw1", "sw9"], "")
            assert run([*PY_NBCTL, "ls-add", "sw2"], env)[0] == 0
            assert "sw2" in run([*PY_NBCTL, "ls-list"], _env(tmp_path, nb.remote))[1]
        finally:
            if waiting.poll() is None:
                waiting.kill()
                waiting.wait()
            again.stop()


def test_client_timeout(tmp_path: Path) -> None:
    """-t: the client's own alarm, as the real client's (a daemon that never answers)."""
    import socket

    path = str(tmp_path / "silent.ctl")
    with socket.socket(socket.AF_UNIX) as listener:
        listener.bind(path)
        listener.listen()
        rc, out, err = run([*PY_NBCTL, "-t", "1", "ls-list"],
                           _through(path, tmp_path, "unix:/nowhere"))
    assert (rc, out) == (-signal.SIGALRM, "")
    assert err == "fatal_signal|WARN|terminating with signal 14 (Alarm clock)\n"


def test_client_imports_nothing_of_the_ctl_core(nb: OvsdbServerProcess, tmp_path: Path) -> None:
    with nb_daemon(PY_NBCTL, tmp_path, nb.remote) as (path, _):
        res = subprocess.run([sys.executable, "-X", "importtime", "-m", "pyovn", "nbctl",
                              "ls-list"], capture_output=True, text=True, timeout=60,
                             env=_through(path, tmp_path, nb.remote))
        assert res.returncode == 0, res.stderr
        modules = {line.split("|")[-1].strip() for line in res.stderr.splitlines()
                   if line.startswith("import time:")}
        # (importlib.import_module's imports, pyovn.cli.nbctl here, are not in the list)
        pyovn = sorted(m for m in modules if m.startswith("pyovn"))
        assert pyovn == ["pyovn", "pyovn.cli", "pyovn.cli.ctl_client", "pyovn.cli.main"], pyovn
        assert "json" not in modules and "asyncio" not in modules and "typing" not in modules


def test_client_option_tables_follow_the_registries() -> None:
    from pyovn.cli import ctl_client
    from pyovn.ctl.nbctl import GLOBAL_OPTIONS
    from pyovn.ctl.nbctl import TOOL as NB
    from pyovn.ctl.options import COMMON_OPTIONS
    from pyovn.ctl.sbctl import TOOL as SB

    # An option that takes a value must be known, or "--opt VALUE" would be misread; a flag
    # that is not known is only forwarded as written (the daemon expands prefixes itself).
    for tool in (NB, SB):
        for opt in tool.all_command_options():
            name = opt[2:]
            assert ctl_client._ARG.get(name, False) == tool.option_arg(opt), opt
    for name, takes in {**COMMON_OPTIONS, **GLOBAL_OPTIONS}.items():
        assert name in ctl_client._KNOWN, name
        if takes is True:
            assert ctl_client._ARG.get(name) is True, name


def test_client_params() -> None:
    from pyovn.cli.ctl_client import client_params, wants_daemon

    assert wants_daemon(["--db", "unix:x", "-t", "5", "--pidfile", "--detach"])
    assert not wants_daemon(["ls-list", "--detach"])
    assert not wants_daemon(["--", "--detach"])

    assert client_params(["-t", "5", "-f", "csv", "--no-leader-only", "--may-exist", "ls-add",
                          "x", "--", "ls-list"]) == (
        ["--format=csv", "--may-exist", "--", "ls-add", "x", "--", "ls-list"], None, 5.0)
    assert client_params(["-u", "/s", "--id=@a", "--", "create", "T"]) == (
        ["--id=@a", "--", "create", "T"], "/s", 0.0)
    assert client_params(["--columns", "name", "--may", "list", "T"]) == (
        ["--columns=name", "--may-exist", "--", "list", "T"], None, 0.0)


def test_sbctl_daemon(tmp_path: Path) -> None:
    sb = OvsdbServerProcess(tmp_path, "OVN_Southbound", argv_prefix=[*PY, "ovsdb-server"],
                            tool_prefix=[*PY, "ovsdb-tool"]).start()
    try:
        with nb_daemon([*PY, "sbctl", f"--db={sb.remote}"], tmp_path, sb.remote) as (path, _):
            env = _env(tmp_path, sb.remote, OVN_SB_DAEMON=path, OVN_SB_DB=sb.remote)
            direct = _env(tmp_path, sb.remote, OVN_SB_DB=sb.remote)
            assert run([*PY, "sbctl", "chassis-add", "ch0", "geneve", "1.2.3.4"], env)[0] == 0
            for argv in (["show"], ["--columns=name", "list", "Chassis"],
                         ["chassis-add", "ch0", "geneve", "1.2.3.4"]):
                assert run([*PY, "sbctl", *argv], env) == run([*PY, "sbctl", *argv], direct)
    finally:
        sb.stop()


@pytest.mark.interop
def test_real_client_on_pyovn_daemon(nb: OvsdbServerProcess, tmp_path: Path) -> None:
    reason = require_real("ovn-nbctl")
    if reason:
        print(f"skipped: {reason}")
        pytest.skip(reason)
    with nb_daemon(PY_NBCTL, tmp_path, nb.remote) as (path, _):
        _compare_steps(PY_NBCTL, ["ovn-nbctl"], _env(tmp_path, nb.remote),
                       _through(path, tmp_path, nb.remote))


@pytest.mark.interop
def test_pyovn_client_on_real_daemon(tmp_path: Path) -> None:
    reason = require_real("ovn-nbctl", "ovsdb-server", "ovsdb-tool")
    if reason:
        print(f"skipped: {reason}")
        pytest.skip(reason)
    server = OvsdbServerProcess(tmp_path, "OVN_Northbound").start()
    try:
        with nb_daemon(["ovn-nbctl"], tmp_path, server.remote, name="real") as (path, _):
            _compare_steps(["ovn-nbctl"], PY_NBCTL, _env(tmp_path, server.remote),
                           _through(path, tmp_path, server.remote))
    finally:
        server.stop()
