# External ports on a switch with a router (IPv4+IPv6) and a localnet: the ls_in_external_port drops; DHCPv6 for external ports.
ovn-nbctl ls-add net-ext
ovn-nbctl lsp-add net-ext ln-ext -- lsp-set-type ln-ext localnet -- lsp-set-addresses ln-ext unknown -- lsp-set-options ln-ext network_name=physnet1
ovn-nbctl lsp-add net-ext ln-ext2 -- lsp-set-type ln-ext2 localnet -- lsp-set-addresses ln-ext2 unknown -- lsp-set-options ln-ext2 network_name=physnet2
ovn-nbctl --id=@g create HA_Chassis_Group name=hagrp-ext \
  -- --id=@d6 create DHCP_Options cidr='"fd00:30::/64"' options='"server_id"="00:00:00:00:30:06"' \
  -- lsp-add net-ext bm1 -- lsp-set-type bm1 external -- lsp-set-addresses bm1 "fa:16:3e:30:00:11 10.30.0.11 fd00:30::11" \
  -- set Logical_Switch_Port bm1 ha_chassis_group=@g dhcpv6_options=@d6
ovn-nbctl lsp-add net-ext bm2 -- lsp-set-type bm2 external -- lsp-set-addresses bm2 "fa:16:3e:30:00:12 10.30.0.12"
ovn-nbctl lsp-add net-ext bm3 -- lsp-set-type bm3 external -- lsp-set-addresses bm3 "fa:16:3e:30:00:13 10.30.0.13" "fa:16:3e:30:00:23 10.30.0.23" -- lsp-set-enabled bm3 disabled
ovn-nbctl lr-add lr0 -- lrp-add lr0 lr0-ext 00:00:00:00:30:01 10.30.0.1/24 fd00:30::1/64
ovn-nbctl lsp-add net-ext ext-lr0 -- lsp-set-type ext-lr0 router -- lsp-set-addresses ext-lr0 router -- lsp-set-options ext-lr0 router-port=lr0-ext
ovn-nbctl lr-add lr1 -- lrp-add lr1 lr1-ext 00:00:00:00:30:02 10.30.0.2/24
ovn-nbctl lsp-add net-ext ext-lr1 -- lsp-set-type ext-lr1 router -- lsp-set-addresses ext-lr1 router -- lsp-set-options ext-lr1 router-port=lr1-ext
