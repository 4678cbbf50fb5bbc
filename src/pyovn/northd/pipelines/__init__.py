"""Logical flow builders, one module per feature of a pipeline (ovn-northd(8) documents them stage
by stage; a module's docstring names the stages it writes):

* switch: ``ls_l2`` (port security, FDB, ARP/ND responder, external ports, L2 lookup, unknown,
  IGMP/MLD), ``ls_dhcp_dns`` (DHCPv4/v6, DNS), ``ls_acl`` (pre-ACL, ACL hints, ACLs, QoS,
  stateful), ``ls_lb`` (pre-LB, LB, affinity, hairpin);
* router: ``lr_in`` (admission, neighbour learning, ip_input, RA, connected routes, gateway
  redirect, MTU checks), ``lr_routes`` (static routes, ECMP, policies), ``lr_arp`` (ARP
  resolve), ``lr_nat`` (SNAT/DNAT/FIPs on gateway routers and distributed gateway ports),
  ``lr_lb`` (router load balancers), ``lr_out`` (delivery); ``lr_common`` and ``lr_nat_ip``
  are their shared helpers.
"""
