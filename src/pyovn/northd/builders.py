"""Imports every builder module, so their ``@builds`` registrations exist (import order is the
order builders run in within an owner kind)."""

from pyovn.northd.nodes import (  # noqa: F401
    datapaths,
    groups,
    lb_rows,
    misc,
    ports,
    sets,
)
from pyovn.northd.pipelines import (  # noqa: F401
    lr_in,
    lr_lb,
    lr_nat,
    lr_out,
    ls_acl,
    ls_dhcp_dns,
    ls_l2,
    ls_lb,
)
