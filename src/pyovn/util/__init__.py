"""Leaf utilities that import nothing else of pyovn, so every layer may use them:
:mod:`pyovn.util.vlog` (OVS-style logging) and :mod:`pyovn.util.ovshash` (OVS's hash order).
Daemon plumbing is in :mod:`pyovn.service`."""
