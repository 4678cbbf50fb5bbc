# Router ports: patch pairs, router-type LSPs with nat-addresses, a distributed gateway port (gateway_chassis) and its cr- port, an HA chassis group on an LRP, a gateway router (options:chassis, l3gateway).
ovn-nbctl set NB_Global . options:mac_prefix=0a:58:a8
ovn-nbctl lr-add lr0
ovn-nbctl lrp-add lr0 lr0-sw0 00:00:00:00:ff:01 10.0.0.1/24 fd00::1/64
ovn-nbctl ls-add sw0 -- lsp-add sw0 sw0-lr0 -- lsp-set-type sw0-lr0 router -- lsp-set-addresses sw0-lr0 router \
  -- lsp-set-options sw0-lr0 router-port=lr0-sw0
ovn-nbctl lsp-add sw0 sw0-vm1 -- lsp-set-addresses sw0-vm1 "50:54:00:00:00:11 10.0.0.11"
ovn-nbctl lrp-add lr0 lr0-public 00:00:20:20:12:13 172.168.0.100/24
ovn-nbctl lrp-set-gateway-chassis lr0-public ch1 20
ovn-nbctl lrp-set-gateway-chassis lr0-public ch2 10
ovn-nbctl ls-add public -- lsp-add public public-lr0 -- lsp-set-type public-lr0 router \
  -- lsp-set-addresses public-lr0 router -- lsp-set-options public-lr0 router-port=lr0-public nat-addresses=router
ovn-nbctl lsp-add public ln-public -- lsp-set-type ln-public localnet -- lsp-set-addresses ln-public unknown \
  -- lsp-set-options ln-public network_name=phys
ovn-nbctl lr-nat-add lr0 snat 172.168.0.100 10.0.0.0/24
ovn-nbctl lr-nat-add lr0 dnat_and_snat 172.168.0.110 10.0.0.11 sw0-vm1 30:54:00:00:00:03
ovn-nbctl lr-nat-add lr0 dnat_and_snat 172.168.0.120 10.0.0.12
# A second router with an HA_Chassis_Group on its gateway port.
ovn-nbctl lr-add lr1
ovn-nbctl lrp-add lr1 lr1-ext 00:00:20:20:12:14 172.168.0.101/24
ovn-nbctl --id=@g create HA_Chassis_Group name=hagrp1 -- set Logical_Router_Port lr1-ext ha_chassis_group=@g
ovn-nbctl ha-chassis-group-add-chassis hagrp1 ch1 5
ovn-nbctl ha-chassis-group-add-chassis hagrp1 ch3 15
ovn-nbctl lsp-add public public-lr1 -- lsp-set-type public-lr1 router \
  -- lsp-set-addresses public-lr1 "00:00:20:20:12:14 172.168.0.101" -- lsp-set-options public-lr1 router-port=lr1-ext
# A gateway router and a router-to-router peer pair.
ovn-nbctl lr-add gw0 -- set Logical_Router gw0 options:chassis=ch4
ovn-nbctl lrp-add gw0 gw0-public 00:00:20:20:12:15 172.168.0.102/24
ovn-nbctl lsp-add public public-gw0 -- lsp-set-type public-gw0 router -- lsp-set-addresses public-gw0 router \
  -- lsp-set-options public-gw0 router-port=gw0-public
ovn-nbctl lrp-add gw0 gw0-lr0 00:00:00:00:aa:01 100.64.0.1/30 peer=lr0-gw0
ovn-nbctl lrp-add lr0 lr0-gw0 00:00:00:00:aa:02 100.64.0.2/30 peer=gw0-lr0
