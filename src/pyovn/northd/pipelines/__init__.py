"""Logical flow builders, one module per pipeline, in ovn-northd(8)'s stage order."""
