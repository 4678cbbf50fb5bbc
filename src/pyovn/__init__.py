"""pyovn: OVN (Open Virtual Network) in Python.

Sub-packages: ``ovsdb`` (the OVSDB database, server and client; knows nothing of OVN),
``logical`` (the logical flow language), ``api`` (ovsdbapp-shaped commands), ``cli`` (the
``pyovn`` command). See docs/DESIGN.md.
"""

__version__ = "0.1.0"
