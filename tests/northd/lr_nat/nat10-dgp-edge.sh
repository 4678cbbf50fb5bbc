# DGP edge cases: upper-case external_mac, gateway_mtu with FIPs, stateless FIP with allowed_ext_ips, dnat port range, force SNAT IPs on a DGP router.
ovn-nbctl create Address_Set name=as1 addresses='"203.0.113.0/24"'
ovn-nbctl lr-add lr0
ovn-nbctl lrp-add lr0 lr0-pub 00:00:20:20:12:13 172.168.0.100/24 -- lrp-set-gateway-chassis lr0-pub ch1 10 -- set Logical_Router_Port lr0-pub options:gateway_mtu=1400
ovn-nbctl lrp-add lr0 lr0-sw0 00:00:00:00:ff:01 10.0.0.1/24
ovn-nbctl --id=@n create NAT type=dnat_and_snat external_ip=172.168.0.40 logical_ip=10.0.0.40 logical_port=vm1 external_mac='"AA:BB:CC:00:00:40"' -- add Logical_Router lr0 nat @n
ovn-nbctl --id=@n create NAT type=dnat_and_snat external_ip='"172.168.0.041"' logical_ip=10.0.0.41 -- add Logical_Router lr0 nat @n
ovn-nbctl --id=@n create NAT type=dnat external_ip=172.168.0.42 logical_ip=10.0.0.42 external_port_range='"5-10"' -- add Logical_Router lr0 nat @n
ovn-nbctl --id=@n create NAT type=snat external_ip=172.168.0.43 logical_ip=bogus -- add Logical_Router lr0 nat @n
ovn-nbctl --id=@as get Address_Set as1 -- --id=@n create NAT type=dnat_and_snat external_ip=172.168.0.44 logical_ip=10.0.0.44 logical_port=vm2 external_mac='"00:00:00:00:00:44"' options:stateless=true allowed_ext_ips=@as -- add Logical_Router lr0 nat @n
ovn-nbctl --id=@n create NAT type=snat external_ip=172.168.0.45 logical_ip=10.0.0.0/24 options:stateless=true -- add Logical_Router lr0 nat @n
ovn-nbctl lr-add lr1 -- set Logical_Router lr1 options:dnat_force_snat_ip=172.169.0.100 options:lb_force_snat_ip=172.169.0.101
ovn-nbctl lrp-add lr1 lr1-pub 00:00:20:20:12:14 172.169.0.100/24 172.169.0.101/24 -- lrp-set-gateway-chassis lr1-pub ch1 10
