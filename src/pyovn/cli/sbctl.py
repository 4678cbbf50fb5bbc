"""``pyovn sbctl``: ovn-sbctl's command line (see :mod:`pyovn.ctl.sbctl`).

With ``OVN_SB_DAEMON`` set (or ``-u SOCKET``) the commands go to a daemon
(:mod:`pyovn.cli.ctl_client`); ``--detach`` starts one (:mod:`pyovn.ctl.daemon`).
"""

from __future__ import annotations


def main(argv: list[str]) -> int:
    from pyovn.cli.ctl_client import maybe_run, wants_daemon

    status = maybe_run("sbctl", argv)
    if status is not None:
        return status
    if wants_daemon(argv):
        from pyovn.ctl.daemon import serve
        from pyovn.ctl.sbctl import TOOL

        return serve(TOOL, argv)
    from pyovn.ctl.sbctl import main as run

    return run(argv)
