"""Daemon plumbing shared by pyovn's long-running processes (ovsdb-server, northd, controller,
ovsdb-client's monitors, the sandbox): :mod:`pyovn.service.daemon` (``--detach``, pidfiles,
signals, the event loop) and :mod:`pyovn.service.unixctl` (the ``ovs-appctl`` control socket).
They sit above :mod:`pyovn.ovsdb` (unixctl speaks its JSON-RPC framing); the leaf utilities
below everything are in :mod:`pyovn.util` (logging, OVS hash order)."""
