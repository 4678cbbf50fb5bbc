# Router port options northd derives for IPv6: prefix delegation flags and the periodic RA settings (ipv6_ra_configs send_periodic).
ovn-nbctl lr-add lr0
ovn-nbctl lrp-add lr0 p-a 00:00:00:00:0a:01 10.0.1.1/24 -- set Logical_Router_Port p-a options:prefix_delegation=true options:prefix=true
ovn-nbctl lrp-add lr0 p-b 00:00:00:00:0a:02 10.0.2.1/24 -- set Logical_Router_Port p-b options:prefix_delegation=true -- lrp-set-enabled p-b disabled
ovn-nbctl lrp-add lr0 p-c 00:00:00:00:0a:03 fd00:c::1/64 fd00:cc::1/64 -- set Logical_Router_Port p-c ipv6_ra_configs:send_periodic=true \
  ipv6_ra_configs:address_mode=dhcpv6_stateful ipv6_ra_configs:mtu=1000 ipv6_ra_configs:router_preference=LOW ipv6_ra_configs:route_info=HIGH-fd00:1::/64 \
  ipv6_ra_configs:max_interval=2000 ipv6_ra_configs:min_interval=1
ovn-nbctl lrp-add lr0 p-d 00:00:00:00:0a:04 10.0.4.1/24 -- set Logical_Router_Port p-d ipv6_ra_configs:send_periodic=true ipv6_ra_configs:address_mode=slaac
ovn-nbctl lrp-add lr0 p-e 00:00:00:00:0a:05 fd00:e::1/64 -- set Logical_Router_Port p-e ipv6_ra_configs:send_periodic=false ipv6_ra_configs:address_mode=slaac options:prefix=false
ovn-nbctl lrp-add lr0 p-f 00:00:00:00:0a:06 fd00:f::1/64 -- set Logical_Router_Port p-f ipv6_ra_configs:send_periodic=true ipv6_ra_configs:address_mode=bogus
ovn-nbctl ls-add s-a -- lsp-add s-a s-a-lr0 -- lsp-set-type s-a-lr0 router -- lsp-set-addresses s-a-lr0 router -- lsp-set-options s-a-lr0 router-port=p-a
ovn-nbctl ls-add s-b -- lsp-add s-b s-b-lr0 -- lsp-set-type s-b-lr0 router -- lsp-set-addresses s-b-lr0 router -- lsp-set-options s-b-lr0 router-port=p-b
ovn-nbctl ls-add s-c -- lsp-add s-c s-c-lr0 -- lsp-set-type s-c-lr0 router -- lsp-set-addresses s-c-lr0 router -- lsp-set-options s-c-lr0 router-port=p-c
ovn-nbctl ls-add s-d -- lsp-add s-d s-d-lr0 -- lsp-set-type s-d-lr0 router -- lsp-set-addresses s-d-lr0 router -- lsp-set-options s-d-lr0 router-port=p-d
ovn-nbctl ls-add s-e -- lsp-add s-e s-e-lr0 -- lsp-set-type s-e-lr0 router -- lsp-set-addresses s-e-lr0 router -- lsp-set-options s-e-lr0 router-port=p-e
ovn-nbctl ls-add s-f -- lsp-add s-f s-f-lr0 -- lsp-set-type s-f-lr0 router -- lsp-set-addresses s-f-lr0 router -- lsp-set-options s-f-lr0 router-port=p-f
ovn-nbctl lrp-add lr0 p-g 00:00:00:00:0a:07 fd00:7::1/64 -- set Logical_Router_Port p-g ipv6_ra_configs:send_periodic=true ipv6_ra_configs:address_mode=slaac options:prefix_delegation=true
