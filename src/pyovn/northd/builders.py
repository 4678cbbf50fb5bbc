"""Imports every builder module, so their ``@builds`` registrations exist (import order is the
order builders run in within an owner kind)."""

from pyovn.northd.nodes import datapaths, groups, misc, ports, sets  # noqa: F401
from pyovn.northd.pipelines import lr_in, lr_out, ls_dhcp_dns, ls_in, ls_l2, ls_out  # noqa: F401
from pyovn.northd.pipelines import ls_lb  # noqa: F401
from pyovn.northd.nodes import lb_rows  # noqa: F401
from pyovn.northd.pipelines import lr_lb  # noqa: F401
from pyovn.northd.pipelines import lr_nat  # noqa: F401
from pyovn.northd.pipelines import ls_acl  # noqa: F401
