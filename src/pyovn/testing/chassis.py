"""A whole OVN on one machine with the real chassis: central databases (the real ovsdb-server),
a northd (the real one or pyovn's), and one chassis made of the real ovs-vswitchd (userspace
datapath, no kernel module) with the real ovn-controller; "VMs" are network namespaces plugged
into br-int by veth pairs.

``OvnStack(directory, northd="pyovn"|"real")`` is :class:`pyovn.testing.stack.Stack` with that
choice of parts (see there for the layout: the chassis' daemons run in a namespace of their own,
so stacks never meet each other's devices); ``stack.vm("vm1", "sw0-port1", mac,
"192.168.0.11/24", gw=...)`` creates a namespace and binds it to a logical port and returns the
namespace's name; ``stack.nbctl(...)`` runs the real ovn-nbctl on the stack's NB. ``close()``
removes every namespace and process it made, also after a failure.  Needs root, the real
OVN/OVS binaries, and ``ip``.
"""

from __future__ import annotations

import os

from pyovn.testing.stack import FLAVOURS, Flavour, Stack, StackError, missing

__all__ = ["OvnStack", "StackError", "missing_for_stack"]


def missing_for_stack() -> str | None:
    """Why an OvnStack cannot run here (None if it can)."""
    return missing(FLAVOURS["all-real"])


class OvnStack(Stack):
    def __init__(self, directory: str | os.PathLike[str], northd: str = "pyovn",
                 chassis: str = "hv1") -> None:
        if northd not in ("real", "pyovn"):
            raise ValueError(f"northd must be 'real' or 'pyovn', not {northd!r}")
        self.northd_kind = northd
        self.chassis = chassis
        flavour = Flavour(f"{northd}-northd", dbs="real", northd=northd,  # type: ignore[arg-type]
                          chassis="real", tools="real")
        super().__init__(directory, flavour, system_id=chassis)
