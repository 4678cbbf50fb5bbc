"""ovn-trace(8) rebuilt on pyovn's logical flow language and pipeline executor.

Modules:
  walk       the recorder: runs the packet on ``pyovn.pipeline.executor`` (the datapath's
             executor) as its host, and records the trace tree; ``Walker`` is the entry point
  microflow  the MICROFLOW argument -> one packet (Flow); OVS flow syntax for the header line
  nodes      the trace tree's node types
  output     --detailed / --summary / --minimal, printed from one tree
  packets    the packets ovn-trace makes up for packet-building actions
  explain    --explain: which configuration dropped or diverted the packet
  sbmodel    re-exports ``pyovn.pipeline.sbmodel`` (the Southbound model, ``load_sb``)
  portsec    re-exports ``pyovn.pipeline.portsec`` (port security checks)

The command line is ``pyovn.cli.trace``.
"""
