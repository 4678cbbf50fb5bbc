# DGP with localnet on its switch; reside-on-redirect with a localnet peer switch.
ovn-nbctl lr-add d1
ovn-nbctl lrp-add d1 d1-g1 00:00:00:00:91:01 172.91.1.1/24 fd91:1::1/64 -- lrp-set-gateway-chassis d1-g1 hv1 10
ovn-nbctl lrp-add d1 d1-g2 00:00:00:00:91:02 172.91.2.1/24 -- set Logical_Router_Port d1-g2 options:redirect-chassis=hv2
ovn-nbctl lrp-add d1 d1-in 00:00:00:00:91:03 10.91.0.1/24 -- set Logical_Router_Port d1-in options:reside-on-redirect-chassis=true
ovn-nbctl --id=@p create Logical_Router_Port name=d1-empty mac="00\:00\:00\:00\:91\:04" -- add Logical_Router d1 ports @p
ovn-nbctl ls-add g1 -- lsp-add g1 g1-d1 -- lsp-set-type g1-d1 router -- lsp-set-addresses g1-d1 router -- lsp-set-options g1-d1 router-port=d1-g1
ovn-nbctl lsp-add g1 g1-vm -- lsp-set-addresses g1-vm "50:54:00:00:91:11 172.91.1.11 fd91:1::11"
ovn-nbctl lsp-add g1 g1-off -- lsp-set-addresses g1-off "50:54:00:00:91:12 172.91.1.12" -- lsp-set-enabled g1-off disabled
ovn-nbctl lb-add lbr 10.91.0.1:80 10.91.0.10:80 tcp -- lr-lb-add d1 lbr
ovn-nbctl lr-route-add d1 0.0.0.0/0 172.91.1.254
ovn-nbctl lr-route-add d1 10.92.0.0/16 10.91.0.254 d1-empty
ovn-nbctl lr-add gwd -- set Logical_Router gwd options:chassis=hv3
ovn-nbctl lrp-add gwd gwd-p 00:00:00:00:92:01 172.92.0.1/24 -- lrp-set-gateway-chassis gwd-p hv1 10
ovn-nbctl lr-add off -- set Logical_Router off enabled=false
ovn-nbctl lrp-add off off-p 00:00:00:00:93:01 172.93.0.1/24
ovn-nbctl lsp-add g1 g1-ln -- lsp-set-type g1-ln localnet -- lsp-set-addresses g1-ln unknown -- lsp-set-options g1-ln network_name=phys
ovn-nbctl ls-add in1 -- lsp-add in1 in1-d1 -- lsp-set-type in1-d1 router -- lsp-set-addresses in1-d1 router -- lsp-set-options in1-d1 router-port=d1-in
ovn-nbctl lsp-add in1 in1-ln -- lsp-set-type in1-ln localnet -- lsp-set-addresses in1-ln unknown -- lsp-set-options in1-ln network_name=phys
