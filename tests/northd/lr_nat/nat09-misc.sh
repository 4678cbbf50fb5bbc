# Odd NAT rows: stateless on snat/dnat, 'True', bad port ranges, two IPs, blanks, /32, /0, upper case IPv6, 070 octets; redirect-chassis is no DGP; a disabled DGP.
ovn-nbctl lr-add gw3 -- set Logical_Router gw3 options:chassis=ch1
ovn-nbctl lrp-add gw3 gw3-p 00:00:00:00:50:41 172.70.0.2/24
ovn-nbctl --id=@n create NAT type=snat external_ip=172.70.0.21 logical_ip=10.70.1.0/24 options:stateless=true -- add Logical_Router gw3 nat @n
ovn-nbctl --id=@n create NAT type=dnat external_ip=172.70.0.22 logical_ip=10.70.1.22 options:stateless=true -- add Logical_Router gw3 nat @n
ovn-nbctl --id=@n create NAT type=dnat_and_snat external_ip=172.70.0.23 logical_ip=10.70.1.23 options:stateless=True -- add Logical_Router gw3 nat @n
ovn-nbctl --id=@n create NAT type=dnat_and_snat external_ip=172.70.0.24 logical_ip=10.70.1.24 external_port_range='"bad"' -- add Logical_Router gw3 nat @n
ovn-nbctl --id=@n create NAT type=dnat_and_snat external_ip=172.70.0.25 logical_ip=10.70.1.25 options:stateless=true external_port_range='"10-20"' -- add Logical_Router gw3 nat @n
ovn-nbctl --id=@n create NAT type=dnat_and_snat external_ip='"172.70.0.26 172.70.0.27"' logical_ip=10.70.1.26 -- add Logical_Router gw3 nat @n
ovn-nbctl --id=@n create NAT type=dnat_and_snat external_ip='" 172.70.0.28"' logical_ip='"10.70.1.28 "' -- add Logical_Router gw3 nat @n
ovn-nbctl --id=@n create NAT type=dnat_and_snat external_ip='"172.70.0.29/32"' logical_ip='"10.70.1.29/32"' -- add Logical_Router gw3 nat @n
ovn-nbctl --id=@n create NAT type=snat external_ip='"172.70.0.30"' logical_ip='"10.70.0.0/16"' -- add Logical_Router gw3 nat @n
ovn-nbctl --id=@n create NAT type=snat external_ip='"172.70.0.31"' logical_ip='"0.0.0.0/0"' -- add Logical_Router gw3 nat @n
ovn-nbctl --id=@n create NAT type=snat external_ip='"fdee::32"' logical_ip='"::/0"' -- add Logical_Router gw3 nat @n
ovn-nbctl --id=@n create NAT type=snat external_ip='"FDEE::0033"' logical_ip='"FD00::/64"' -- add Logical_Router gw3 nat @n
ovn-nbctl --id=@n create NAT type=dnat_and_snat external_ip='"172.070.0.34"' logical_ip='"10.70.1.34"' -- add Logical_Router gw3 nat @n
ovn-nbctl lr-add lr5
ovn-nbctl lrp-add lr5 lr5-p 00:00:00:00:55:01 172.55.0.2/24 -- set Logical_Router_Port lr5-p options:redirect-chassis=ch1
ovn-nbctl lr-nat-add lr5 snat 172.55.0.10 10.55.0.0/24
ovn-nbctl lr-add lr6
ovn-nbctl lrp-add lr6 lr6-p 00:00:00:00:56:01 172.56.0.2/24 -- lrp-set-gateway-chassis lr6-p ch1 10
ovn-nbctl --id=@n create NAT type=dnat_and_snat external_ip=172.56.0.10 logical_ip=10.56.0.10 logical_port=vmx external_mac='"00:00:00:00:56:99"' -- add Logical_Router lr6 nat @n
ovn-nbctl --id=@n create NAT type=dnat_and_snat external_ip=172.56.0.11 logical_ip=10.56.0.11 logical_port=vmy external_mac='"00:00:00:00:56:98"' options:stateless=true -- add Logical_Router lr6 nat @n
ovn-nbctl --id=@n create NAT type=dnat_and_snat external_ip="\"fd56::12\"" logical_ip="\"fd55::12\"" logical_port=vmz external_mac='"00:00:00:00:56:97"' -- add Logical_Router lr6 nat @n
ovn-nbctl lrp-set-enabled lr6-p disabled
