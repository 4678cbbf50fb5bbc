"""The Southbound model trace reads; it lives in ``pyovn.pipeline.sbmodel`` (shared with the
datapath, its objects in ``pyovn.pipeline.sbtypes``), re-exported here for trace's users."""

from pyovn.pipeline.sbmodel import SbModel, load_sb
from pyovn.pipeline.sbtypes import hmap_mask

_hmap_mask = hmap_mask  # the name trace's tests know

__all__ = ["SbModel", "load_sb"]
