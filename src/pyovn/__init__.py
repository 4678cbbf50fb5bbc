"""pyovn: OVN (Open Virtual Network) in Python.

Sub-packages: ``ovsdb`` (the OVSDB database, server and client; knows nothing of OVN),
``logical`` (the logical flow language), ``pipeline`` (the logical pipelines and their executor),
``northd``, ``controller``, ``datapath``, ``trace`` (ovn-northd, ovn-controller with its packet
datapath, ovn-trace), ``ctl`` (the core of nbctl/sbctl/vsctl), ``api`` (ovsdbapp-shaped
commands), ``lint``, ``sandbox``, ``testing``, ``util``, ``cli`` (the ``pyovn`` command).
docs/DESIGN.md describes the architecture as built.
"""

__version__ = "0.1.0"
