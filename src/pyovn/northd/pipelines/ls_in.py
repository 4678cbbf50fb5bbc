"""Logical flows of the ls_in pipeline (ovn-northd(8)), stage by stage."""

from __future__ import annotations
