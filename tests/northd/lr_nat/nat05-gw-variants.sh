# Gateway router NAT variants: allowed/exempted address sets, stateless, IPv6, port ranges, malformed rows.
ovn-nbctl lr-add gw0 -- set Logical_Router gw0 options:chassis=ch1
ovn-nbctl lrp-add gw0 gw0-int 00:00:00:00:46:01 10.46.0.1/24 fd46::1/64
ovn-nbctl lrp-add gw0 gw0-ext 00:00:00:00:46:02 172.46.0.2/24 fdee::2/64
ovn-nbctl create Address_Set name=as1 addresses='"203.0.113.0/24"'
ovn-nbctl create Address_Set name=as6 addresses='"2001:db8::/64"'
ovn-nbctl --id=@as get Address_Set as1 -- --id=@n create NAT type=snat external_ip=172.46.0.20 logical_ip=10.46.0.0/26 allowed_ext_ips=@as -- add Logical_Router gw0 nat @n
ovn-nbctl --id=@as get Address_Set as1 -- --id=@n create NAT type=dnat external_ip=172.46.0.21 logical_ip=10.46.0.21 exempted_ext_ips=@as -- add Logical_Router gw0 nat @n
ovn-nbctl --id=@as get Address_Set as1 -- --id=@n create NAT type=dnat_and_snat external_ip=172.46.0.22 logical_ip=10.46.0.22 allowed_ext_ips=@as -- add Logical_Router gw0 nat @n
ovn-nbctl --id=@as get Address_Set as1 -- --id=@n create NAT type=dnat_and_snat external_ip=172.46.0.23 logical_ip=10.46.0.23 exempted_ext_ips=@as -- add Logical_Router gw0 nat @n
ovn-nbctl --id=@as get Address_Set as1 -- --id=@n create NAT type=dnat_and_snat external_ip=172.46.0.24 logical_ip=10.46.0.24 exempted_ext_ips=@as allowed_ext_ips=@as -- add Logical_Router gw0 nat @n
ovn-nbctl --id=@as get Address_Set as1 -- --id=@n create NAT type=dnat_and_snat external_ip=172.46.0.25 logical_ip=10.46.0.25 allowed_ext_ips=@as options:stateless=true -- add Logical_Router gw0 nat @n
ovn-nbctl --id=@as get Address_Set as6 -- --id=@n create NAT type=dnat_and_snat external_ip="\"fdee::26\"" logical_ip="\"fd46::26\"" exempted_ext_ips=@as -- add Logical_Router gw0 nat @n
ovn-nbctl lr-nat-add gw0 snat fdee::27 fd46::/64
ovn-nbctl lr-nat-add gw0 dnat fdee::28 fd46::28
ovn-nbctl --stateless lr-nat-add gw0 dnat_and_snat fdee::29 fd46::29
ovn-nbctl --id=@n create NAT type=dnat_and_snat external_ip=172.46.0.30 logical_ip=10.46.0.30 external_port_range='"100-200"' -- add Logical_Router gw0 nat @n
ovn-nbctl lr-nat-add gw0 snat 172.46.0.31 10.46.0.31
ovn-nbctl lr-nat-add gw0 snat 172.46.0.2 10.46.0.128/25
ovn-nbctl lr-nat-add gw0 snat 172.46.0.2 10.46.0.64/26
ovn-nbctl --id=@n create NAT type=dnat external_ip=172.46.0.32 logical_ip=10.46.0.0/24 -- add Logical_Router gw0 nat @n
ovn-nbctl --id=@n create NAT type=snat external_ip=172.46.0.33/24 logical_ip=10.46.0.0/24 -- add Logical_Router gw0 nat @n
ovn-nbctl --id=@n create NAT type=snat external_ip=bogus logical_ip=10.46.0.0/24 -- add Logical_Router gw0 nat @n
ovn-nbctl --id=@n create NAT type=snat external_ip=172.46.0.34 logical_ip=bogus -- add Logical_Router gw0 nat @n
ovn-nbctl --id=@n create NAT type=dnat_and_snat external_ip=172.46.0.35 logical_ip=10.46.0.35 external_mac="\"00:00:00:01:02:03\"" logical_port=foo -- add Logical_Router gw0 nat @n
ovn-nbctl --id=@n create NAT type=snat external_ip=172.46.0.36 logical_ip=10.46.0.0/255.255.255.0 -- add Logical_Router gw0 nat @n
ovn-nbctl --id=@n create NAT type=snat external_ip=172.46.0.37 logical_ip=10.46.0.5/24 -- add Logical_Router gw0 nat @n
ovn-nbctl --id=@n create NAT type=dnat_and_snat external_ip=172.46.0.38 logical_ip="\"fd46::38\"" -- add Logical_Router gw0 nat @n
