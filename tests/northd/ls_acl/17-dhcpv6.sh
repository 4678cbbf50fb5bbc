# DHCPv6 options on ports: stateful (IA_NA) and stateless, with DNS servers and a domain search list.
ovn-nbctl ls-add sw6
ovn-nbctl --id=@d create DHCP_Options cidr='"fd00:60::/64"' \
  options='"server_id"="00:00:00:10:00:01" "dns_server"="{fd00:60::53}" "domain_search"="example.org"' \
  -- lsp-add sw6 p1 -- lsp-set-addresses p1 "50:54:00:00:06:01 fd00:60::11" \
  -- set Logical_Switch_Port p1 dhcpv6_options=@d
ovn-nbctl --id=@d create DHCP_Options cidr='"fd00:60::/64"' \
  options='"server_id"="00:00:00:10:00:02" "dhcpv6_stateless"="true" "dns_server"="{fd00:60::53}"' \
  -- lsp-add sw6 p2 -- lsp-set-addresses p2 "50:54:00:00:06:02 fd00:60::12" \
  -- set Logical_Switch_Port p2 dhcpv6_options=@d
ovn-nbctl lsp-add sw6 p3 -- lsp-set-addresses p3 "50:54:00:00:06:03 fd00:60::13 10.6.0.13"
