# gateway_mtu_bypass with a distributed FIP; gateway_mtu on a gateway router (no FIP ICMP flows); dnat_force_snat_ip with only an IPv6 address and an IPv4 DNAT rule.
ovn-nbctl lr-add lr0
ovn-nbctl lrp-add lr0 lr0-pub 00:00:20:20:12:13 172.168.0.100/24 -- lrp-set-gateway-chassis lr0-pub ch1 10 -- set Logical_Router_Port lr0-pub options:gateway_mtu=1400 options:gateway_mtu_bypass=tcp
ovn-nbctl lrp-add lr0 lr0-sw0 00:00:00:00:ff:01 10.0.0.1/24
ovn-nbctl --id=@n create NAT type=dnat_and_snat external_ip=172.168.0.40 logical_ip=10.0.0.40 logical_port=vm1 external_mac='"00:00:00:00:00:40"' -- add Logical_Router lr0 nat @n
ovn-nbctl lr-add gw1 -- set Logical_Router gw1 options:chassis=ch1
ovn-nbctl lrp-add gw1 gw1-pub 00:00:20:20:12:14 172.169.0.100/24 -- set Logical_Router_Port gw1-pub options:gateway_mtu=1400
ovn-nbctl lrp-add gw1 gw1-in 00:00:20:20:12:15 10.1.0.1/24
ovn-nbctl lr-nat-add gw1 dnat_and_snat 172.169.0.40 10.1.0.40
ovn-nbctl --id=@n create NAT type=dnat_and_snat external_ip=172.169.0.41 logical_ip=10.1.0.41 logical_port=vm1 external_mac='"00:00:00:00:00:41"' -- add Logical_Router gw1 nat @n
ovn-nbctl lr-add gw2 -- set Logical_Router gw2 options:chassis=ch2 options:dnat_force_snat_ip=fd00::2
ovn-nbctl lrp-add gw2 gw2-pub 00:00:20:20:12:16 172.170.0.100/24 fd00::2/64
ovn-nbctl lr-nat-add gw2 dnat 172.170.0.40 10.2.0.40
ovn-nbctl lr-nat-add gw2 dnat_and_snat fd00::40 fd02::40
