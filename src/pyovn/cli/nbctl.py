"""``pyovn nbctl``: ovn-nbctl's command line (see :mod:`pyovn.ctl.nbctl`)."""

from __future__ import annotations


def main(argv: list[str]) -> int:
    from pyovn.ctl.nbctl import main as run

    return run(argv)
