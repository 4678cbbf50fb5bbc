# LBs on gateway routers: lb_force_snat_ip (router_ip, IPv4, IPv6), skip_snat, affinity, VIPs equal to NAT external or router IPs.
ovn-nbctl lr-add gw1 -- set Logical_Router gw1 options:chassis=ch1 options:lb_force_snat_ip=router_ip
ovn-nbctl lrp-add gw1 gw1-a 00:00:00:00:02:01 10.1.0.1/24 10.1.1.1/24 fd01::1/64 fd01:1::1/64
ovn-nbctl lrp-add gw1 gw1-b 00:00:00:00:02:02 172.16.0.1/24
ovn-nbctl lb-add lb1 172.16.0.100:80 10.1.0.11:80,10.1.0.12:80 tcp
ovn-nbctl lb-add lb-skip 172.16.0.101:80 10.1.0.11:80 tcp -- set Load_Balancer lb-skip options:skip_snat=true
ovn-nbctl lb-add lb-aff 172.16.0.102:80 10.1.0.11:80 tcp -- set Load_Balancer lb-aff options:affinity_timeout=10
ovn-nbctl lb-add lb-affskip 172.16.0.103:80 10.1.0.11:80 tcp -- set Load_Balancer lb-affskip options:affinity_timeout=10 options:skip_snat=true
ovn-nbctl lb-add lb-np 172.16.0.104 10.1.0.11
ovn-nbctl lb-add lb-natip 172.16.0.200:8080 10.1.0.11:8080 tcp
ovn-nbctl lb-add lb-natip2 172.16.0.200 10.1.0.11
ovn-nbctl lb-add lb-rtrip 172.16.0.1:443 10.1.0.11:443 tcp
ovn-nbctl lb-add lb6 [fd01::100]:80 [fd01::11]:80 tcp
ovn-nbctl lr-nat-add gw1 snat 172.16.0.200 10.1.0.0/24
ovn-nbctl lr-nat-add gw1 dnat_and_snat 172.16.0.201 10.1.0.13
ovn-nbctl lr-lb-add gw1 lb1 -- lr-lb-add gw1 lb-skip -- lr-lb-add gw1 lb-aff -- lr-lb-add gw1 lb-affskip -- lr-lb-add gw1 lb-np -- lr-lb-add gw1 lb-natip -- lr-lb-add gw1 lb-natip2 -- lr-lb-add gw1 lb-rtrip -- lr-lb-add gw1 lb6
ovn-nbctl lr-add gw2 -- set Logical_Router gw2 options:chassis=ch2 options:lb_force_snat_ip=192.168.9.9 options:snat-ct-zone=7
ovn-nbctl lrp-add gw2 gw2-a 00:00:00:00:03:01 192.168.9.1/24
ovn-nbctl lb-add lb2 192.168.9.100:80 10.3.0.11:80 udp -- lr-lb-add gw2 lb2
ovn-nbctl lr-add gw3 -- set Logical_Router gw3 options:chassis=ch3
ovn-nbctl lrp-add gw3 gw3-a 00:00:00:00:04:01 192.168.10.1/24
ovn-nbctl lb-add lb3 192.168.10.100:80 10.3.0.11:80 tcp -- lr-lb-add gw3 lb3
ovn-nbctl lr-add gw4 -- set Logical_Router gw4 options:chassis=ch4 options:lb_force_snat_ip=fd09::9
ovn-nbctl lrp-add gw4 gw4-a 00:00:00:00:05:01 192.168.11.1/24
ovn-nbctl lb-add lb4 192.168.11.100:80 10.3.0.11:80 tcp -- lr-lb-add gw4 lb4
