# Distributed gateway port NAT variants: address sets, stateless, FIPs with and without external_mac, IPv6, external IPs outside the port's subnet.
ovn-nbctl lr-add lr0
ovn-nbctl lrp-add lr0 lr0-pub 00:00:20:20:12:13 172.168.0.100/24 fd00:ee::100/64 -- lrp-set-gateway-chassis lr0-pub ch1 10
ovn-nbctl lrp-add lr0 lr0-sw0 00:00:00:00:ff:01 10.0.0.1/24 fd00::1/64
ovn-nbctl ls-add sw0 -- lsp-add sw0 sw0-lr0 -- lsp-set-type sw0-lr0 router -- lsp-set-addresses sw0-lr0 router -- lsp-set-options sw0-lr0 router-port=lr0-sw0
ovn-nbctl lsp-add sw0 vm1 -- lsp-set-addresses vm1 "50:54:00:00:00:03 10.0.0.3 fd00::3"
ovn-nbctl lsp-add sw0 vm2 -- lsp-set-addresses vm2 "50:54:00:00:00:04 10.0.0.4 fd00::4"
ovn-nbctl create Address_Set name=as1 addresses='"203.0.113.0/24"'
ovn-nbctl create Address_Set name=as6 addresses='"2001:db8::/64"'
ovn-nbctl --id=@as get Address_Set as1 -- --id=@n create NAT type=snat external_ip=172.168.0.20 logical_ip=10.0.0.0/26 allowed_ext_ips=@as -- add Logical_Router lr0 nat @n
ovn-nbctl --id=@as get Address_Set as1 -- --id=@n create NAT type=snat external_ip=172.168.0.19 logical_ip=10.0.0.64/26 exempted_ext_ips=@as -- add Logical_Router lr0 nat @n
ovn-nbctl --id=@as get Address_Set as1 -- --id=@n create NAT type=dnat external_ip=172.168.0.21 logical_ip=10.0.0.21 exempted_ext_ips=@as -- add Logical_Router lr0 nat @n
ovn-nbctl --id=@as get Address_Set as1 -- --id=@n create NAT type=dnat_and_snat external_ip=172.168.0.22 logical_ip=10.0.0.22 allowed_ext_ips=@as -- add Logical_Router lr0 nat @n
ovn-nbctl --id=@as get Address_Set as1 -- --id=@n create NAT type=dnat_and_snat external_ip=172.168.0.23 logical_ip=10.0.0.23 exempted_ext_ips=@as -- add Logical_Router lr0 nat @n
ovn-nbctl --id=@as get Address_Set as1 -- --id=@n create NAT type=dnat_and_snat external_ip=172.168.0.25 logical_ip=10.0.0.25 allowed_ext_ips=@as options:stateless=true -- add Logical_Router lr0 nat @n
ovn-nbctl --id=@as get Address_Set as1 -- --id=@n create NAT type=dnat_and_snat external_ip=172.168.0.24 logical_ip=10.0.0.24 exempted_ext_ips=@as options:stateless=true -- add Logical_Router lr0 nat @n
ovn-nbctl --stateless lr-nat-add lr0 dnat_and_snat 172.168.0.26 10.0.0.26
ovn-nbctl --stateless lr-nat-add lr0 dnat_and_snat 172.168.0.27 10.0.0.3 vm1 30:54:00:00:00:27
ovn-nbctl lr-nat-add lr0 dnat_and_snat 172.168.0.28 10.0.0.4 vm2 30:54:00:00:00:28
ovn-nbctl --id=@n create NAT type=dnat_and_snat external_ip=172.168.0.29 logical_ip=10.0.0.29 logical_port=vm9 -- add Logical_Router lr0 nat @n
ovn-nbctl --id=@n create NAT type=dnat_and_snat external_ip=172.168.0.30 logical_ip=10.0.0.30 external_mac='"30:54:00:00:00:30"' -- add Logical_Router lr0 nat @n
ovn-nbctl --id=@n create NAT type=dnat_and_snat external_ip=172.168.0.31 logical_ip=10.0.0.31 external_mac='"zz:54:00:00:00:30"' logical_port=vm1 -- add Logical_Router lr0 nat @n
ovn-nbctl --id=@n create NAT type=snat external_ip=172.168.0.32 logical_ip=10.0.0.0/24 external_port_range='"1000-2000"' -- add Logical_Router lr0 nat @n
ovn-nbctl lr-nat-add lr0 snat fd00:ee::33 fd00::/64
ovn-nbctl lr-nat-add lr0 dnat_and_snat fd00:ee::34 fd00::3 vm1 30:54:00:00:00:34
ovn-nbctl lr-nat-add lr0 dnat fd00:ee::35 fd00::35
ovn-nbctl lr-nat-add lr0 dnat_and_snat 192.168.77.36 10.0.0.36
ovn-nbctl --id=@n create NAT type=dnat_and_snat external_ip=192.168.77.37 logical_ip=10.0.0.37 options:add_route=true -- add Logical_Router lr0 nat @n
