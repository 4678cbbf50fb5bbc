"""``pyovn sbctl``: ovn-sbctl's command line (see :mod:`pyovn.ctl.sbctl`)."""

from __future__ import annotations


def main(argv: list[str]) -> int:
    from pyovn.ctl.sbctl import main as run

    return run(argv)
