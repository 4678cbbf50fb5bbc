"""``pyovn sandbox``: an OVN playground under one directory, from one command.

    pyovn sandbox [start] [--dir DIR] [--detach] [--demo [--keep]] [--chassis NAME]
                  [--encap-ip IP] [--no-northd] [--no-controller] [--no-fsync] [--rootless]
                  [--db-model=standalone|clustered] [--nbdb-model=M] [--sbdb-model=M]
    pyovn sandbox stop [--dir DIR]
    pyovn sandbox env [--dir DIR]
    pyovn sandbox shell [--dir DIR] [-- COMMAND...]

``start`` runs the Northbound, Southbound and local Open_vSwitch ovsdb-servers, ``pyovn
northd`` and ``pyovn controller`` (the chassis: ovn-controller and ovs-vswitchd's part), each a
process of its own with its pidfile, control socket and log in DIR; their logs are merged on
the console, each line prefixed by its part. It prints the environment that points pyovn's and
the real tools at DIR (``env`` prints it again). ``--demo`` then runs OVN's tutorial — one
switch, two ports, two namespaces pinging each other — and exits 0 when both pings lose
nothing. Without root, the sandbox runs in a user + network + mount namespace of its own (the
datapath then uses veth pairs); ``shell`` runs a command (default: $SHELL) in there.
``--db-model=clustered`` (or ``--nbdb-model``/``--sbdb-model`` for one of them, as OVN's
ovn-sandbox) makes the central databases 3-member Raft clusters of the real ovsdb-server,
which must be installed; the tools' remotes then list all three members.
The implementation is the package ``pyovn.sandbox``.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys

from pyovn.cli import plain_doc
from pyovn.sandbox import rootless
from pyovn.sandbox.layout import MODELS, SandboxDir, all_programs, env_text
from pyovn.sandbox.supervisor import pidfile_owner, sweep

PROGRAMS = all_programs()


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="pyovn sandbox", description=plain_doc(__doc__),
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("action", nargs="?", choices=["start", "stop", "env", "shell"],
                   default="start",
                   help="start (the default), stop, print the environment (env) or run a "
                        "command inside (shell)")
    p.add_argument("command", nargs="*",
                   help="for 'shell': the command to run (default: $SHELL); put '--' before "
                        "a command that has options")
    p.add_argument("--dir", default=os.environ.get("PYOVN_SANDBOX", "sandbox"),
                   help="the sandbox's directory (default: $PYOVN_SANDBOX, else ./sandbox)")
    p.add_argument("--detach", action="store_true",
                   help="run in the background once everything is up")
    p.add_argument("--demo", action="store_true",
                   help="run the tutorial (two namespaces ping over a logical switch), stop")
    p.add_argument("--keep", action="store_true",
                   help="with --demo: keep the sandbox and the demo's namespaces running")
    p.add_argument("--chassis", help="the chassis name (external_ids:system-id; "
                                     "default: kept, else chassis-1)")
    p.add_argument("--encap-ip", help="external_ids:ovn-encap-ip (default 127.0.0.1)")
    p.add_argument("--no-northd", action="store_true", help="do not start northd")
    p.add_argument("--no-controller", action="store_true", help="do not start the controller")
    p.add_argument("--no-fsync", action="store_true",
                   help="the databases do not fsync (as the real ovsdb-server)")
    p.add_argument("--rootless", action="store_true",
                   help="run in namespaces of its own even as root (the default for others)")
    p.add_argument("--db-model", choices=MODELS,
                   help="the Northbound and Southbound databases: one pyovn ovsdb-server each "
                        "(standalone, the default) or 3-member Raft clusters of the real "
                        "ovsdb-server (clustered)")
    p.add_argument("--nbdb-model", choices=MODELS, help="the Northbound's model alone")
    p.add_argument("--sbdb-model", choices=MODELS, help="the Southbound's model alone")
    p.add_argument("-v", "--verbose", action="store_true",
                   help="the parts log at info level on the console (default in the "
                        "foreground without --demo)")
    return p


def main(argv: list[str]) -> int:
    tail: list[str] = []
    if "--" in argv:
        i = argv.index("--")
        argv, tail = argv[:i], argv[i + 1:]
    args = _parser().parse_args(argv)
    args.command += tail
    sandbox = SandboxDir(args.dir)
    if args.command and args.action != "shell":
        _parser().error(f"unexpected arguments: {' '.join(args.command)}")
    if args.action == "stop":
        return stop(sandbox)
    if args.action == "env":
        print(env_text(sandbox), end="")
        return 0
    if args.action == "shell":
        return shell(sandbox, args.command)
    if args.keep and not args.demo:
        _parser().error("--keep goes with --demo")
    models = {"nb": args.nbdb_model or args.db_model or "standalone",
              "sb": args.sbdb_model or args.db_model or "standalone"}
    if "clustered" in models.values():
        from pyovn.sandbox.cluster import missing_binaries

        missing = missing_binaries()
        if missing:
            print(f"pyovn sandbox: a clustered database needs the real Open vSwitch "
                  f"ovsdb-server, ovsdb-tool and ovs-appctl (not installed: "
                  f"{', '.join(missing)}); pyovn has no multi-server Raft of its own. Install "
                  "Open vSwitch (e.g. Debian's openvswitch-switch), or use "
                  "--db-model=standalone", file=sys.stderr)
            return 1
    if rootless.needed(args.rootless):
        why = rootless.probe()
        if why:
            print(f"pyovn sandbox: not root, and {why}: run it as root", file=sys.stderr)
            return 1
        # The same command again, with the directory made absolute (the cwd stays).
        rootless.reexec([a for a in argv if a != "--rootless"] + ["--dir", sandbox.path])
    from pyovn.sandbox.run import Options, start

    return start(Options(dir=sandbox.path, detach=args.detach, fsync=not args.no_fsync,
                         northd=not args.no_northd, controller=not args.no_controller,
                         chassis=args.chassis, encap_ip=args.encap_ip, demo=args.demo,
                         keep=args.keep, verbose=args.verbose, models=models))


def stop(sandbox: SandboxDir) -> int:
    """Stop the supervisor (which stops its parts), then anything left over."""
    import signal
    import time

    pid = pidfile_owner(sandbox.pidfile)
    if pid is not None:
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 30
        while pidfile_owner(sandbox.pidfile) == pid and time.monotonic() < deadline:
            time.sleep(0.05)
        if pidfile_owner(sandbox.pidfile) == pid:
            print(f"pyovn sandbox: pid {pid} did not exit in 30 s: killed", file=sys.stderr)
            os.kill(pid, signal.SIGKILL)
    leftovers = sweep(sandbox, PROGRAMS)
    if leftovers:
        print(f"pyovn sandbox: stopped leftover {', '.join(leftovers)}", file=sys.stderr)
    if os.path.exists(sandbox.pidfile):
        os.unlink(sandbox.pidfile)
    if pid is None and not leftovers:
        print(f"pyovn sandbox: no sandbox running in {sandbox.path}", file=sys.stderr)
        return 1
    return 0


def shell(sandbox: SandboxDir, command: list[str]) -> int:
    """Run COMMAND with the sandbox's environment, inside its namespaces if it has its own."""
    command = command or [os.environ.get("SHELL", "/bin/sh")]
    env = {**os.environ, **sandbox.env()}
    pid = pidfile_owner(sandbox.pidfile)
    if pid is None:
        print(f"pyovn sandbox: no sandbox running in {sandbox.path}", file=sys.stderr)
        return 1
    if rootless.in_other_netns(pid):
        command = rootless.enter_argv(pid, command)
    try:
        os.execvpe(command[0], command, env)
    except OSError as e:
        print(f"pyovn sandbox: {shlex.join(command)}: {e}", file=sys.stderr)
        return 127
