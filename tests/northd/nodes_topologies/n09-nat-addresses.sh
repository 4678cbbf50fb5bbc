# nat_addresses of router-type switch ports: several load balancer VIPs (hash order), exclude-lb-vips-from-garp, two distributed gateway ports with NAT gateway_port, reside-on-redirect-chassis, an explicit nat-addresses string.
ovn-nbctl lr-add lr0
ovn-nbctl lrp-add lr0 lr0-ext1 00:00:00:00:99:01 172.99.1.1/24 -- lrp-set-gateway-chassis lr0-ext1 ch1 10
ovn-nbctl lrp-add lr0 lr0-ext2 00:00:00:00:99:02 172.99.2.1/24 2001:db8:99::1/64 -- lrp-set-gateway-chassis lr0-ext2 ch2 10
ovn-nbctl lrp-add lr0 lr0-in 00:00:00:00:99:03 10.99.0.1/24 -- set Logical_Router_Port lr0-in options:reside-on-redirect-chassis=true
ovn-nbctl ls-add ext1 -- lsp-add ext1 ext1-lr0 -- lsp-set-type ext1-lr0 router -- lsp-set-addresses ext1-lr0 router -- lsp-set-options ext1-lr0 router-port=lr0-ext1 nat-addresses=router
ovn-nbctl ls-add ext2 -- lsp-add ext2 ext2-lr0 -- lsp-set-type ext2-lr0 router -- lsp-set-addresses ext2-lr0 router -- lsp-set-options ext2-lr0 router-port=lr0-ext2 nat-addresses=router exclude-lb-vips-from-garp=true
ovn-nbctl ls-add in -- lsp-add in in-lr0 -- lsp-set-type in-lr0 router -- lsp-set-addresses in-lr0 router -- lsp-set-options in-lr0 router-port=lr0-in nat-addresses="00:00:00:00:99:03 10.99.0.100"
ovn-nbctl lsp-add in vm1 -- lsp-set-addresses vm1 "50:54:00:00:99:11 10.99.0.11"
ovn-nbctl --id=@p get Logical_Router_Port lr0-ext1 -- --id=@n create NAT type=snat external_ip=172.99.1.10 logical_ip=10.99.0.0/24 gateway_port=@p -- add Logical_Router lr0 nat @n
ovn-nbctl --id=@p get Logical_Router_Port lr0-ext2 -- --id=@n create NAT type=dnat_and_snat external_ip=172.99.2.11 logical_ip=10.99.0.11 gateway_port=@p -- add Logical_Router lr0 nat @n
ovn-nbctl --id=@p get Logical_Router_Port lr0-ext1 -- --id=@n create NAT type=dnat_and_snat external_ip=172.99.1.11 logical_ip=10.99.0.11 gateway_port=@p logical_port=vm1 external_mac='"00:00:00:00:99:aa"' -- add Logical_Router lr0 nat @n
ovn-nbctl lr-add gw -- set Logical_Router gw options:chassis=ch3
ovn-nbctl lrp-add gw gw-p 00:00:00:00:99:10 172.99.3.1/24
ovn-nbctl ls-add ext3 -- lsp-add ext3 ext3-gw -- lsp-set-type ext3-gw router -- lsp-set-addresses ext3-gw router -- lsp-set-options ext3-gw router-port=gw-p nat-addresses=router
ovn-nbctl lsp-add ext3 ln3 -- lsp-set-type ln3 localnet -- lsp-set-addresses ln3 unknown -- lsp-set-options ln3 network_name=phys
ovn-nbctl lr-nat-add gw snat 172.99.3.1 10.0.0.0/8
ovn-nbctl lr-nat-add gw dnat_and_snat 172.99.3.20 10.1.0.20
ovn-nbctl lr-nat-add gw dnat 172.99.3.20 10.1.0.21
ovn-nbctl lb-add lb1 172.99.3.100:80 10.1.0.20:80 -- lb-add lb2 172.99.3.101:80 10.1.0.21:80 -- lb-add lb3 172.99.3.99 10.1.0.22
ovn-nbctl lb-add lb4 [2001:db8:99::100]:80 [fd00::1]:80 -- lb-add lb5 172.99.3.102:8080 10.1.0.23:80
ovn-nbctl lr-lb-add gw lb1 -- lr-lb-add gw lb2 -- lr-lb-add gw lb3 -- lr-lb-add gw lb4 -- lr-lb-add gw lb5
ovn-nbctl lb-add lb6 172.99.2.100:80 10.99.0.11:80 -- lr-lb-add lr0 lb6
