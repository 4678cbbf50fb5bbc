"""The pyovn sandbox: a whole OVN (databases, northd, a chassis) under one directory.

Layout:

* ``layout`` — the directory's files and sockets, the processes' command lines, the tools'
  environment;
* ``localdb`` — the local Open_vSwitch row (``ovs-vsctl init`` and the chassis' external_ids)
  and the integration bridge;
* ``supervisor`` — starts the processes, merges their logs (prefixed by part), stops them in
  order, sweeps what a killed sandbox left;
* ``cluster`` — clustered central databases (``--db-model=clustered``): real ovsdb-server
  Raft clusters, their files made with ovsdb-tool, their formation waited for;
* ``rootless`` — re-execution in a user + network + mount namespace for unprivileged users;
* ``demo`` — OVN's tutorial run for real (``--demo``);
* ``run`` — one sandbox's life, from files to stop.

The command line is ``pyovn.cli.sandbox``.
"""
