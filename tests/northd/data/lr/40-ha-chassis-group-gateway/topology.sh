# A distributed gateway port bound through an HA_Chassis_Group (instead of Gateway_Chassis rows), with SNAT.
ovn-nbctl ha-chassis-group-add hagrp-gw
ovn-nbctl ha-chassis-group-add-chassis hagrp-gw gw-chassis-1 30
ovn-nbctl ha-chassis-group-add-chassis hagrp-gw gw-chassis-2 20
ovn-nbctl lr-add lr0
ovn-nbctl --id=@g create HA_Chassis_Group name=hagrp-lr0 \
  -- lrp-add lr0 lr0-public 00:00:20:20:12:14 172.169.0.100/24 -- set Logical_Router_Port lr0-public ha_chassis_group=@g
ovn-nbctl ha-chassis-group-add-chassis hagrp-lr0 gw-chassis-3 15
ovn-nbctl ha-chassis-group-add-chassis hagrp-lr0 gw-chassis-4 25
ovn-nbctl lrp-add lr0 lr0-sw0 00:00:00:00:ff:01 10.0.0.1/24
ovn-nbctl ls-add sw0 -- lsp-add sw0 sw0-lr0 -- lsp-set-type sw0-lr0 router -- lsp-set-addresses sw0-lr0 router -- lsp-set-options sw0-lr0 router-port=lr0-sw0
ovn-nbctl lsp-add sw0 vm1 -- lsp-set-addresses vm1 "50:54:00:00:00:03 10.0.0.3"
ovn-nbctl ls-add public -- lsp-add public public-lr0 -- lsp-set-type public-lr0 router -- lsp-set-addresses public-lr0 router -- lsp-set-options public-lr0 router-port=lr0-public
ovn-nbctl lsp-add public ln-public -- lsp-set-type ln-public localnet -- lsp-set-addresses ln-public unknown -- lsp-set-options ln-public network_name=public
ovn-nbctl lr-nat-add lr0 snat 172.169.0.100 10.0.0.0/24
