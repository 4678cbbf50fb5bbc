"""pyovn northd: the Northbound compiled into the Southbound, incrementally.

Layout:

* ``model``: derived data (datapaths, ports, tunnel keys, peers, which ACLs and load balancers
  apply where) built from the NB replica and kept up to date by ``changes``' handlers.
* ``registry``: owner kinds (switch, router, port, ACL on a switch, ...) and their builders.
* ``nodes/``: builders of Southbound rows (Datapath_Binding, Port_Binding, groups, ...).
* ``pipelines/``: builders of logical flows, one module per pipeline (ls_in, ls_out, lr_in,
  lr_out), in ovn-northd(8)'s stage order; stage tables come from ``pyovn.pipeline.stages``.
* ``engine``: owners' outputs, rebuilt when dirty; ``output``: the desired flows and rows.
* ``sync``: desired Southbound -> one transaction of differences.
* ``daemon``: the process (IDLs, the ``ovn_northd`` lock, nb_cfg chain); ``pyovn.cli.northd``
  is its command line.
"""
