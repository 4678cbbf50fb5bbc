"""Rootless sandboxes: the same sandbox inside a user + network + mount namespace of its own.

/dev/net/tun is root-only, but an unprivileged user may create a user namespace in which they
are root (uid 0 mapped to themselves) together with a network and a mount namespace that
namespace owns. ``reexec`` runs ``pyovn sandbox`` again there through util-linux's ``unshare``
(Python 3.11 has no ``os.unshare``), marking the environment so it happens once, and asking the
datapath for veth pairs instead of TAP devices (``PYOVN_DATAPATH_PORTS=veth``, see
docs/DATAPATH.md). Inside, ``setup_inside`` mounts a private tmpfs on /run/netns, so that ``ip
netns add`` can create its bind mounts, mounts a sysfs of the new network namespace on /sys,
and brings ``lo`` up. Everything the sandbox creates
there — devices, namespaces, the veths of the "VMs" — disappears with its last process.

``enter_argv`` gives the ``nsenter`` command that runs a shell (or any command) inside a running
rootless sandbox's namespaces, from outside.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from typing import NoReturn

__all__ = ["MARK", "enter_argv", "inside", "needed", "probe", "reexec", "setup_inside"]

MARK = "PYOVN_SANDBOX_NS"   # set in the re-executed sandbox's environment
PORTS_ENV = "PYOVN_DATAPATH_PORTS"


def inside() -> bool:
    return os.environ.get(MARK) == "1"


def needed(force: bool) -> bool:
    """Should this start re-execute itself in namespaces of its own?"""
    return not inside() and (force or os.geteuid() != 0)


def probe() -> str | None:
    """Why namespaces cannot be made here, or None when they can."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return "'unshare' (util-linux) is not installed"
    r = subprocess.run([unshare, "--user", "--map-root-user", "--net", "--mount", "true"],
                       capture_output=True, text=True)
    if r.returncode != 0:
        return (f"cannot create a user namespace ({r.stderr.strip() or r.returncode}); "
                "unprivileged user namespaces may be disabled (kernel.unprivileged_userns_clone)")
    return None


def reexec(argv: list[str]) -> NoReturn:
    unshare = shutil.which("unshare")
    assert unshare is not None
    env = {**os.environ, MARK: "1", PORTS_ENV: "veth"}
    os.execve(unshare, [unshare, "--user", "--map-root-user", "--net", "--mount", "--",
                        sys.executable, "-m", "pyovn", "sandbox", *argv], env)


def setup_inside() -> None:
    """Private /run/netns and a working loopback, in the fresh namespaces."""
    target = "/run/netns"
    if not os.path.isdir(target):
        try:
            os.makedirs(target)
        except OSError:
            # /run belongs to the real root: cover it with a tmpfs of our own first.
            _mount_tmpfs("/run")
            os.makedirs(target)
    _mount_tmpfs(target)
    # /sys shows the devices of the network namespace that mounted it: a fresh one shows ours.
    subprocess.run(["mount", "-t", "sysfs", "sysfs", "/sys"], check=False, capture_output=True)
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)


def _mount_tmpfs(path: str) -> None:
    subprocess.run(["mount", "-t", "tmpfs", "-o", "mode=755", "tmpfs", path], check=True,
                   capture_output=True, text=True)


def in_other_netns(pid: int) -> bool:
    """Does process ``pid`` live in another network namespace than we do?"""
    try:
        return os.stat(f"/proc/{pid}/ns/net").st_ino != os.stat("/proc/self/ns/net").st_ino
    except OSError:
        return False


def enter_argv(pid: int, command: list[str]) -> list[str]:
    """``nsenter`` into sandbox ``pid``'s user, network and mount namespaces."""
    return ["nsenter", f"--target={pid}", "--user", "--net", "--mount",
            "--preserve-credentials", "--", *command]
