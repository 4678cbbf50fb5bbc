"""``pyovn vsctl``: ovs-vsctl's command line (see :mod:`pyovn.ctl.vsctl`)."""

from __future__ import annotations


def main(argv: list[str]) -> int:
    from pyovn.ctl.vsctl import main as run

    return run(argv)
