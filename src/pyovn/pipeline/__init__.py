"""What northd, trace and the datapath share about the logical pipelines.

Modules:
  stages     the ordered stage lists of OVN 23.03 (a stage's table number is its position)
  sbtypes    the Southbound objects the pipelines read (datapaths, ports, flows, groups...)
  sbmodel    ``SbModel``: those objects built from rows or kept up to date from IDL events,
             indexed, with a record of what changed
  sbindex    ``SbIndexes``, ``SbModel``'s base: its indexes and how each table's row events
             update them
  tables     ``LogicalTables``: each (datapath, pipeline, table) compiled and indexed for lookup;
             what tables and flows read (the flow cache's key)
  shapes     flows compiled by shape (one parse for flows that differ only in constants)
  executor   ``Executor``: ``ActionContext`` with the pipeline semantics (next, ingress ->
             egress, patch ports, multicast groups, chassisredirect, localnet, loopback) over a
             ``Host`` (the datapath, trace) and an optional ``Recorder`` (trace)
  portsec    ``check_in_port_sec``/``check_out_port_sec`` from Port_Binding.port_security

The contract is docs/CONTRACTS.md, "pipeline (pyovn.pipeline)"; docs/DATAPATH.md shows how the
datapath and the controller use it.
"""
