# add_route NATs, IPv6 FIP with gateway_mtu.
ovn-nbctl lr-add lr0
ovn-nbctl lrp-add lr0 lr0-pub 00:00:20:20:12:13 172.168.0.100/24 fd00:ee::100/64 -- lrp-set-gateway-chassis lr0-pub ch1 10 -- set Logical_Router_Port lr0-pub options:gateway_mtu=1400
ovn-nbctl lrp-add lr0 lr0-sw0 00:00:00:00:ff:01 10.0.0.1/24 fd00::1/64
ovn-nbctl ls-add pub -- lsp-add pub pub-lr0 -- lsp-set-type pub-lr0 router -- lsp-set-addresses pub-lr0 router -- lsp-set-options pub-lr0 router-port=lr0-pub
ovn-nbctl lr-add lr1
ovn-nbctl lrp-add lr1 lr1-pub 00:00:20:20:12:14 172.168.0.101/24
ovn-nbctl lsp-add pub pub-lr1 -- lsp-set-type pub-lr1 router -- lsp-set-addresses pub-lr1 router -- lsp-set-options pub-lr1 router-port=lr1-pub
ovn-nbctl --id=@n create NAT type=dnat_and_snat external_ip=172.168.0.50 logical_ip=10.0.0.50 options:add_route=true -- add Logical_Router lr0 nat @n
ovn-nbctl --id=@n create NAT type=dnat_and_snat external_ip=192.168.9.51 logical_ip=10.0.0.51 options:add_route=true logical_port=vm1 external_mac='"00:00:00:00:00:51"' -- add Logical_Router lr0 nat @n
ovn-nbctl --id=@n create NAT type=dnat_and_snat external_ip='"fd00:ee::52"' logical_ip='"fd00::52"' logical_port=vm2 external_mac='"00:00:00:00:00:52"' -- add Logical_Router lr0 nat @n
ovn-nbctl --id=@n create NAT type=dnat external_ip=172.168.0.53 logical_ip=10.0.0.53 options:add_route=true -- add Logical_Router lr0 nat @n
ovn-nbctl --id=@n create NAT type=snat external_ip=172.168.0.54 logical_ip=10.0.0.0/24 options:add_route=true -- add Logical_Router lr0 nat @n
