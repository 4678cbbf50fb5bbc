"""Logical flows of the lr_out pipeline (ovn-northd(8)), stage by stage."""

from __future__ import annotations
