# Router details: multiple networks, /32, gateway_mtu (+bypass) on a plain router, RA options, policies with pkt_mark, routes with output_port, IPv6 ECMP, copp.
ovn-nbctl meter-add m1 drop 10 pktps
ovn-nbctl copp-add cp1 nd-na m1 -- copp-add cp1 nd-ra-opts m1 -- copp-add cp1 icmp4-error m1 -- copp-add cp1 icmp6-error m1 -- copp-add cp1 nd-ns-resolve m1 -- copp-add cp1 arp-resolve m1 -- copp-add cp1 tcp-reset m1
ovn-nbctl lr-add r1 -- lr-copp-add cp1 r1
ovn-nbctl lrp-add r1 r1-a 00:00:00:00:81:01 10.81.1.1/24 10.81.2.1/24 fd81:1::1/64 fd81:2::1/64 \
  -- set Logical_Router_Port r1-a options:gateway_mtu=1300 options:gateway_mtu_bypass='tcp' \
     ipv6_ra_configs:address_mode=slaac ipv6_ra_configs:mtu=1500 ipv6_ra_configs:router_preference=LOW \
     ipv6_ra_configs:rdnss=fd81:1::53 ipv6_ra_configs:dnssl=a.org ipv6_ra_configs:route_info=HIGH-fd99::/64
ovn-nbctl lrp-add r1 r1-b 00:00:00:00:81:02 10.81.3.1/32 192.168.81.1/24
ovn-nbctl lrp-add r1 r1-c 00:00:00:00:81:03 fd81:3::1/64 -- set Logical_Router_Port r1-c ipv6_ra_configs:address_mode=bogus
ovn-nbctl ls-add s1 -- lsp-add s1 s1-r1 -- lsp-set-type s1-r1 router -- lsp-set-addresses s1-r1 router -- lsp-set-options s1-r1 router-port=r1-a
ovn-nbctl lsp-add s1 v1 -- lsp-set-addresses v1 "50:54:00:00:81:11 10.81.1.11 10.99.0.5 fd81:2::11" "50:54:00:00:81:12 10.81.2.12"
ovn-nbctl ls-add s2 -- lsp-add s2 s2-r1 -- lsp-set-type s2-r1 router -- lsp-set-addresses s2-r1 router -- lsp-set-options s2-r1 router-port=r1-b
ovn-nbctl lsp-add s2 s2-r2 -- lsp-set-type s2-r2 router -- lsp-set-addresses s2-r2 router -- lsp-set-options s2-r2 router-port=r2-s2
ovn-nbctl lr-add r2 -- set Logical_Router r2 options:dynamic_neigh_routers=true
ovn-nbctl lrp-add r2 r2-s2 00:00:00:00:82:01 192.168.81.2/24
ovn-nbctl lr-route-add r1 10.200.0.0/16 172.31.99.1 r1-b
ovn-nbctl --ecmp lr-route-add r1 fd99:1::/64 fd81:1::10
ovn-nbctl --ecmp lr-route-add r1 fd99:1::/64 fd81:1::11
ovn-nbctl --policy=src-ip lr-route-add r1 fd81:2::/64 fd81:1::20
ovn-nbctl --route-table=t9 lr-route-add r1 10.90.0.0/16 192.168.81.2
ovn-nbctl lr-route-add r1 10.91.0.1 192.168.81.2
ovn-nbctl lr-policy-add r1 100 'ip4.src == 10.81.1.0/24' reroute 192.168.81.2 pkt_mark=7
ovn-nbctl lr-policy-add r1 90 'ip6.src == fd81:1::/64' reroute fd81:2::5,fd81:2::6 pkt_mark=8
ovn-nbctl lr-policy-add r1 80 'ip4.src == 10.81.2.0/24' reroute 10.254.0.1
ovn-nbctl lr-policy-add r1 70 'ip4.dst == 10.81.9.9' drop pkt_mark=3
ovn-nbctl lr-add r3 -- set Logical_Router r3 options:mcast_relay=true options:chassis=hv1
ovn-nbctl lrp-add r3 r3-p 00:00:00:00:83:01 10.83.0.1/24 -- set Logical_Router_Port r3-p options:gateway_mtu=1400
ovn-nbctl lrp-add r3 r3-q 00:00:00:00:83:02 10.84.0.1/24
