"""The Southbound model trace reads; it lives in ``pyovn.pipeline.sbmodel`` (shared with the
datapath), re-exported here for trace's users."""

from pyovn.pipeline.sbmodel import (
    TABLES,
    Chassis,
    LoadBalancer,
    LogicalDatapath,
    LogicalFlow,
    MacBinding,
    McGroup,
    PortBinding,
    SbModel,
    hmap_mask,
    load_sb,
)

_hmap_mask = hmap_mask  # the name trace's tests know

__all__ = [
    "TABLES",
    "Chassis",
    "LogicalDatapath",
    "LoadBalancer",
    "LogicalFlow",
    "MacBinding",
    "McGroup",
    "PortBinding",
    "SbModel",
    "load_sb",
]
