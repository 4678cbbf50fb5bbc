# Several DGPs (gateway_port given, inferred, undeterminable), an HA chassis group DGP with redirect-type=bridged, a gateway router with a gateway_chassis port.
ovn-nbctl lr-add lr1
ovn-nbctl lrp-add lr1 lr1-pubA 00:00:00:00:a1:01 172.16.1.1/24 -- lrp-set-gateway-chassis lr1-pubA ch1 10
ovn-nbctl lrp-add lr1 lr1-pubB 00:00:00:00:a1:02 172.16.2.1/24 -- lrp-set-gateway-chassis lr1-pubB ch2 10
ovn-nbctl lrp-add lr1 lr1-int 00:00:00:00:a1:03 10.1.0.1/24
ovn-nbctl lr-nat-add lr1 snat 172.16.1.10 10.1.0.0/24
ovn-nbctl lr-nat-add lr1 snat 172.16.2.10 10.1.0.0/24
ovn-nbctl --id=@n create NAT type=dnat_and_snat external_ip=172.16.9.10 logical_ip=10.1.0.9 -- add Logical_Router lr1 nat @n
ovn-nbctl --id=@p get Logical_Router_Port lr1-pubB -- --id=@n create NAT type=dnat_and_snat external_ip=172.16.1.11 logical_ip=10.1.0.11 gateway_port=@p -- add Logical_Router lr1 nat @n
ovn-nbctl --id=@p get Logical_Router_Port lr1-int -- --id=@n create NAT type=dnat_and_snat external_ip=172.16.1.12 logical_ip=10.1.0.12 gateway_port=@p -- add Logical_Router lr1 nat @n
ovn-nbctl lr-add lr2
ovn-nbctl ha-chassis-group-add hag1 -- ha-chassis-group-add-chassis hag1 ch1 20 -- ha-chassis-group-add-chassis hag1 ch2 10
ovn-nbctl lrp-add lr2 lr2-pub 00:00:00:00:a2:01 172.17.0.1/24 -- --id=@g get HA_Chassis_Group hag1 -- set Logical_Router_Port lr2-pub ha_chassis_group=@g options:redirect-type=bridged
ovn-nbctl lrp-add lr2 lr2-int 00:00:00:00:a2:02 10.2.0.1/24
ovn-nbctl ls-add ls2 -- lsp-add ls2 ls2-lr2 -- lsp-set-type ls2-lr2 router -- lsp-set-addresses ls2-lr2 router -- lsp-set-options ls2-lr2 router-port=lr2-int
ovn-nbctl lsp-add ls2 vm2 -- lsp-set-addresses vm2 "50:54:00:00:a2:03 10.2.0.3"
ovn-nbctl lr-nat-add lr2 snat 172.17.0.1 10.2.0.0/24
ovn-nbctl lr-nat-add lr2 snat 172.17.0.1 10.2.1.0/24
ovn-nbctl lr-nat-add lr2 snat 172.17.0.5 10.2.2.0/24
ovn-nbctl lr-nat-add lr2 dnat_and_snat 172.17.0.5 10.2.2.5
ovn-nbctl lr-nat-add lr2 dnat_and_snat 172.17.0.3 10.2.0.3 vm2 30:54:00:00:a2:03
ovn-nbctl set Logical_Router lr2 options:lb_force_snat_ip=router_ip options:dnat_force_snat_ip=172.17.0.1
ovn-nbctl lr-add lr3 -- set Logical_Router lr3 options:chassis=ch3
ovn-nbctl lrp-add lr3 lr3-pub 00:00:00:00:a3:01 172.18.0.1/24 -- lrp-set-gateway-chassis lr3-pub ch1 10
ovn-nbctl lr-nat-add lr3 snat 172.18.0.10 10.3.0.0/24
