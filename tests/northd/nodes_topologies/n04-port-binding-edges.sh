# Edge cases of Port_Binding: odd router ports, ha_chassis_group on a VIF, names, DGP with ha group and gateway_chassis, redirect-type, gateway router with a DGP.
ovn-nbctl set NB_Global . options:mac_prefix=0a:58:a8
ovn-nbctl ls-add sw0
ovn-nbctl lsp-add sw0 r-bad -- lsp-set-type r-bad router -- lsp-set-addresses r-bad router -- lsp-set-options r-bad router-port=nonexistent
ovn-nbctl lsp-add sw0 r-none -- lsp-set-type r-none router -- lsp-set-addresses r-none router
ovn-nbctl lsp-add sw0 foo1 -- set Logical_Switch_Port foo1 type=foo -- lsp-set-addresses foo1 "50:54:00:00:00:09 10.0.0.9" -- lsp-set-options foo1 a=b
ovn-nbctl --id=@g create HA_Chassis_Group name=grp-vif -- lsp-add sw0 vif1 -- lsp-set-addresses vif1 "50:54:00:00:00:01 10.0.0.1" unknown \
  -- set Logical_Switch_Port vif1 ha_chassis_group=@g external_ids:neutron\\:port_name=nice-name -- lsp-set-enabled vif1 disabled
ovn-nbctl ha-chassis-group-add-chassis grp-vif ch9 1
ovn-nbctl lsp-add sw0 lp1 -- lsp-set-type lp1 localport -- lsp-set-addresses lp1 "50:54:00:00:00:02 10.0.0.2" unknown
ovn-nbctl lsp-add sw0 ext1 -- lsp-set-type ext1 external -- lsp-set-addresses ext1 "50:54:00:00:00:03 10.0.0.3"
ovn-nbctl lr-add lr0
ovn-nbctl --id=@g create HA_Chassis_Group name=grp-lr0 -- lrp-add lr0 lr0-p1 00:00:00:00:01:01 10.1.0.1/24 \
  -- set Logical_Router_Port lr0-p1 ha_chassis_group=@g external_ids:k=v options:redirect-type=bridged
ovn-nbctl ha-chassis-group-add-chassis grp-lr0 ch1 1
ovn-nbctl lrp-set-gateway-chassis lr0-p1 ch2 5
ovn-nbctl lrp-add lr0 lr0-p2 00:00:00:00:01:02 10.2.0.1/24 -- set Logical_Router_Port lr0-p2 options:redirect-chassis=ch7
ovn-nbctl lrp-add lr0 lr0-p3 00:00:00:00:01:03 10.3.0.1/24 -- set Logical_Router_Port lr0-p3 options:prefix_delegation=true options:prefix=true
ovn-nbctl lr-add gw0 -- set Logical_Router gw0 options:chassis=ch4
ovn-nbctl lrp-add gw0 gw0-p1 00:00:00:00:02:01 10.4.0.1/24 -- lrp-set-gateway-chassis gw0-p1 ch3 5
ovn-nbctl lsp-add sw0 sw0-gw0 -- lsp-set-type sw0-gw0 router -- lsp-set-addresses sw0-gw0 router -- lsp-set-options sw0-gw0 router-port=gw0-p1 nat-addresses=router
ovn-nbctl lsp-add sw0 sw0-lr0 -- lsp-set-type sw0-lr0 router -- lsp-set-addresses sw0-lr0 "00:00:00:00:01:01 10.1.0.1" -- lsp-set-options sw0-lr0 router-port=lr0-p1 nat-addresses="00:00:00:00:01:01 10.1.0.50"
ovn-nbctl lr-nat-add gw0 snat 10.4.0.100 192.168.0.0/24
ovn-nbctl lr-nat-add gw0 dnat_and_snat 10.4.0.101 192.168.0.5 vif1 00:00:00:00:09:09
ovn-nbctl lb-add lb0 10.4.0.200:80 192.168.0.5:80 -- lr-lb-add gw0 lb0
