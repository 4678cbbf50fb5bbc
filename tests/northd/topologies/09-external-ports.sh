# External ports (baremetal/SR-IOV) bound through an HA chassis group, with a localnet and DHCPv4.
ovn-nbctl ls-add net-ext
ovn-nbctl lsp-add net-ext ln-ext -- lsp-set-type ln-ext localnet -- lsp-set-addresses ln-ext unknown \
  -- lsp-set-options ln-ext network_name=physnet1
ovn-nbctl --id=@g create HA_Chassis_Group name=hagrp-ext \
  -- --id=@d create DHCP_Options cidr=10.30.0.0/24 \
       options='"server_id"="10.30.0.1" "server_mac"="fa:16:3e:00:30:01" "lease_time"="3600" "router"="10.30.0.1"' \
  -- lsp-add net-ext bm1 -- lsp-set-type bm1 external -- lsp-set-addresses bm1 "fa:16:3e:30:00:11 10.30.0.11" \
  -- set Logical_Switch_Port bm1 ha_chassis_group=@g dhcpv4_options=@d \
  -- lsp-add net-ext bm2 -- lsp-set-type bm2 external -- lsp-set-addresses bm2 "fa:16:3e:30:00:12 10.30.0.12" \
  -- set Logical_Switch_Port bm2 ha_chassis_group=@g dhcpv4_options=@d
ovn-nbctl ha-chassis-group-add-chassis hagrp-ext ch-gw1 30
ovn-nbctl ha-chassis-group-add-chassis hagrp-ext ch-gw2 20
ovn-nbctl ha-chassis-group-add-chassis hagrp-ext ch-gw3 10
ovn-nbctl lsp-add net-ext vm1 -- lsp-set-addresses vm1 "fa:16:3e:30:00:21 10.30.0.21"
