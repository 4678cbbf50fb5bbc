"""The OVN_Northbound API: ``OvnNbApi(remote_or_syncidl)`` with every NB verb as a method.

How it works: importing the verb modules registers their classes; :class:`OvnNbApi` (an
:class:`~pyovn.api.base.Api`) turns each into a method at class creation. ``lookups`` say which
column names a row of each table (``ls_get("sw0")``); ``indexes`` are the replica indexes the
verbs' duplicate checks use, created when the Api connects.
"""

from __future__ import annotations

from typing import ClassVar

from pyovn.api import db, nb_acl, nb_misc, nb_router, nb_switch  # noqa: F401 - registers verbs
from pyovn.api.base import Api

__all__ = ["OvnNbApi"]


class OvnNbApi(Api):
    """Commands on an OVN_Northbound database (verbs of ovsdbapp's OvnNbApiIdlImpl)."""

    database: ClassVar[str] = "OVN_Northbound"
    lookups: ClassVar[dict[str, str]] = {
        "Logical_Switch": "name",
        "Logical_Switch_Port": "name",
        "Logical_Router": "name",
        "Logical_Router_Port": "name",
        "Port_Group": "name",
        "Address_Set": "name",
        "Load_Balancer": "name",
        "HA_Chassis_Group": "name",
        "Gateway_Chassis": "name",
        "Meter": "name",
        "Logical_Router_Static_Route": "ip_prefix",
    }
    indexes: ClassVar[dict[str, list[tuple[str, ...]]]] = {
        "ACL": [nb_acl.ACL_KEY],
        "Logical_Router_Policy": [("priority", "match")],
        "NAT": [("type", "logical_ip"), ("type", "external_ip")],
        "HA_Chassis": [("chassis_name",)],
    }
