# Which ports get the DHCP-reply ACL flows: disabled, router-type, no addresses, address outside the cidr, dynamic, options incomplete, bad DHCPv6 server_id, localport, with a stateful ACL.
ovn-nbctl ls-add sw
ovn-nbctl --id=@d create DHCP_Options cidr=10.40.0.0/24 \
  options='"server_id"="10.40.0.1" "server_mac"="fa:16:3e:00:40:01" "lease_time"="3600" "router"="10.40.0.1"' \
  -- lsp-add sw d1 -- lsp-set-addresses d1 "fa:16:3e:40:00:11 10.40.0.11" -- set Logical_Switch_Port d1 dhcpv4_options=@d \
  -- lsp-add sw d2 -- lsp-set-addresses d2 "fa:16:3e:40:00:12 10.40.0.12" -- set Logical_Switch_Port d2 dhcpv4_options=@d enabled=false \
  -- lsp-add sw d3 -- set Logical_Switch_Port d3 dhcpv4_options=@d \
  -- lsp-add sw d4 -- lsp-set-addresses d4 "fa:16:3e:40:00:14 10.41.0.14" -- set Logical_Switch_Port d4 dhcpv4_options=@d \
  -- lsp-add sw d5 -- lsp-set-addresses d5 "fa:16:3e:40:00:15" -- set Logical_Switch_Port d5 dhcpv4_options=@d \
  -- lsp-add sw d6 -- lsp-set-type d6 localport -- lsp-set-addresses d6 "fa:16:3e:40:00:16 10.40.0.16" -- set Logical_Switch_Port d6 dhcpv4_options=@d \
  -- lsp-add sw d7 -- lsp-set-type d7 router -- lsp-set-addresses d7 router -- lsp-set-options d7 router-port=nope -- set Logical_Switch_Port d7 dhcpv4_options=@d \
  -- lsp-add sw d8 -- lsp-set-addresses d8 unknown -- set Logical_Switch_Port d8 dhcpv4_options=@d \
  -- lsp-add sw d9 -- lsp-set-type d9 virtual -- lsp-set-addresses d9 "fa:16:3e:40:00:19 10.40.0.19" -- lsp-set-options d9 virtual-ip=10.40.0.19 virtual-parents=d1 -- set Logical_Switch_Port d9 dhcpv4_options=@d
ovn-nbctl --id=@d create DHCP_Options cidr=10.40.0.0/24 options='"server_id"="10.40.0.1" "server_mac"="fa:16:3e:00:40:01" "router"="10.40.0.1"' \
  -- lsp-add sw e1 -- lsp-set-addresses e1 "fa:16:3e:40:00:21 10.40.0.21" -- set Logical_Switch_Port e1 dhcpv4_options=@d
ovn-nbctl --id=@d create DHCP_Options cidr='"fd40::/64"' options='"server_id"="00:00:00:00:40:06"' \
  -- lsp-add sw f1 -- lsp-set-addresses f1 "fa:16:3e:40:00:31 fd40::31" -- set Logical_Switch_Port f1 dhcpv6_options=@d \
  -- lsp-add sw f2 -- lsp-set-addresses f2 "fa:16:3e:40:00:32 fd41::32" -- set Logical_Switch_Port f2 dhcpv6_options=@d \
  -- lsp-add sw f3 -- lsp-set-addresses f3 "fa:16:3e:40:00:33 10.40.0.33" -- set Logical_Switch_Port f3 dhcpv6_options=@d
ovn-nbctl --id=@d create DHCP_Options cidr='"fd40::/64"' options='"server_id"="bogus"' \
  -- lsp-add sw g1 -- lsp-set-addresses g1 "fa:16:3e:40:00:41 fd40::41" -- set Logical_Switch_Port g1 dhcpv6_options=@d
ovn-nbctl acl-add sw to-lport 100 'tcp' allow-related
ovn-nbctl --id=@d create DHCP_Options cidr=10.40.0.0/24 \
  options='"server_id"="10.40.0.1" "server_mac"="fa:16:3e:00:40:01" "lease_time"="3600"' \
  -- lsp-add sw x1 -- lsp-set-type x1 external -- lsp-set-addresses x1 "fa:16:3e:40:00:51 10.40.0.51" -- set Logical_Switch_Port x1 dhcpv4_options=@d \
  -- lsp-add sw x2 -- lsp-set-type x2 vtep -- lsp-set-addresses x2 "fa:16:3e:40:00:52 10.40.0.52" -- lsp-set-options x2 vtep-physical-switch=p vtep-logical-switch=l -- set Logical_Switch_Port x2 dhcpv4_options=@d \
  -- lsp-add sw x3 -- lsp-set-type x3 l2gateway -- lsp-set-addresses x3 "fa:16:3e:40:00:53 10.40.0.53" -- lsp-set-options x3 l2gateway-chassis=c network_name=p -- set Logical_Switch_Port x3 dhcpv4_options=@d \
  -- lsp-add sw x4 -- lsp-set-type x4 remote -- lsp-set-addresses x4 "fa:16:3e:40:00:54 10.40.0.54" -- set Logical_Switch_Port x4 dhcpv4_options=@d \
  -- lsp-add sw x5 -- lsp-set-type x5 localnet -- lsp-set-addresses x5 unknown -- lsp-set-options x5 network_name=p -- set Logical_Switch_Port x5 dhcpv4_options=@d \
  -- lsp-add sw x6 -- set Logical_Switch_Port x6 type=bogus-type addresses="\"fa:16:3e:40:00:56 10.40.0.56\"" dhcpv4_options=@d
