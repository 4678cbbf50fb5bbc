"""``python -m pyovn northd`` with only the builders whose output test_lb.py compares: the load
balancer modules, the NAT module (it shares router stages with them) and the Datapath_Binding /
SB_Global rows, so that the LB comparison does not depend on the other modules' state."""

from __future__ import annotations

import sys

from pyovn.northd import builders  # noqa: F401  (registers everything)
from pyovn.northd.registry import KINDS

KEEP_MODULES = {
    "pyovn.northd.pipelines.ls_lb",
    "pyovn.northd.pipelines.lr_lb",
    "pyovn.northd.nodes.lb_rows",
    "pyovn.northd.pipelines.lr_nat",
}
KEEP_FUNCTIONS = {"switch_binding", "router_binding", "sb_global"}

for _kind in KINDS.values():
    _kind.builders[:] = [
        b for b in _kind.builders if b.__module__ in KEEP_MODULES or b.__name__ in KEEP_FUNCTIONS
    ]

if __name__ == "__main__":
    from pyovn.cli.main import main

    sys.exit(main())
