"""Port security checks; they moved to ``pyovn.pipeline.portsec`` (shared with the datapath)."""

from pyovn.pipeline.portsec import in_port_sec, out_port_sec, parse_port_security

__all__ = ["in_port_sec", "out_port_sec", "parse_port_security"]
