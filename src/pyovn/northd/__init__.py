"""pyovn northd: the Northbound compiled into the Southbound, incrementally.

Layout:

* ``model``: derived data (datapaths, ports, tunnel keys, peers, which ACLs and load balancers
  apply where) built from the NB replica and kept up to date by ``changes``' handlers.
* ``registry``: owner kinds (switch, router, port, ACL on a switch, ...) and their builders.
* ``nodes/``: builders of Southbound rows (Datapath_Binding, Port_Binding, groups, ...).
* ``pipelines/``: builders of logical flows, one module per feature of a pipeline (``ls_l2``,
  ``ls_acl``, ``ls_lb``, ``ls_dhcp_dns``, ``lr_in``, ``lr_routes``, ``lr_arp``, ``lr_nat``,
  ``lr_lb``, ``lr_out``; see its docstring); stage tables come from ``pyovn.pipeline.stages``.
* ``changes``: NB row events -> model updates and the dirty owners; ``idlorder``: the real
  northd's IDL row order, where its output depends on it; ``builders`` imports every builder
  module (registration order).
* ``engine``: owners' outputs, rebuilt when dirty; ``output``: the desired flows and rows.
* ``sync``: desired Southbound -> one transaction of differences.
* ``daemon``: the process (IDLs, the ``ovn_northd`` lock, nb_cfg chain); ``pyovn.cli.northd``
  is its command line.
"""
