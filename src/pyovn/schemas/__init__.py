"""The OVN 23.03 / Open vSwitch 3.1 database schemas, shipped as interface data (see NOTICE)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

FILES = {
    "OVN_Northbound": "ovn-nb.ovsschema",
    "OVN_Southbound": "ovn-sb.ovsschema",
    "Open_vSwitch": "vswitch.ovsschema",
    "_Server": "_server.ovsschema",
}


def path(name: str) -> Path:
    """Filesystem path of the schema of database ``name`` (e.g. ``"OVN_Northbound"``)."""
    return Path(str(resources.files(__name__) / FILES[name]))


def text(name: str) -> str:
    """The schema of database ``name`` as JSON text."""
    return path(name).read_text()
