"""ovn-trace(8) rebuilt on pyovn's logical flow language.

Modules:
  sbmodel    the Southbound rows trace reads, as typed objects; flows compiled lazily
  microflow  the MICROFLOW argument -> one packet (Flow); OVS flow syntax for the header line
  walk       the pipeline walk: actions interpreted one by one into a trace tree
  nodes      the trace tree's node types
  output     --detailed / --summary / --minimal, printed from one tree
  portsec    check_in_port_sec / check_out_port_sec from Port_Binding.port_security
  explain    --explain: which configuration dropped or diverted the packet

The command line is ``pyovn.cli.trace``.
"""
