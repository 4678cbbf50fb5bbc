"""Imports every builder module, so their ``@builds`` registrations exist (import order is the
order builders run in within an owner kind)."""

from pyovn.northd.nodes import datapaths, groups, ports  # noqa: F401
from pyovn.northd.pipelines import lr_in, lr_out, ls_in, ls_out  # noqa: F401
