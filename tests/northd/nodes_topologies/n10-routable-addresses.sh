# Routable addresses (NAT and load balancer options:add_route=true) of a router with two distributed gateway ports (a rule without gateway_port counted on the first), a distributed FIP, an IPv6-only routable VIP; the other routers of the switch (a gateway router, a plain one) route them; a NAT external IP that is also an unreachable LB VIP.
ovn-nbctl lr-add gw -- set Logical_Router gw options:chassis=ch1
ovn-nbctl lrp-add gw gw-p 00:00:00:00:50:01 172.50.0.1/24
ovn-nbctl ls-add pub -- lsp-add pub pub-gw -- lsp-set-type pub-gw router -- lsp-set-addresses pub-gw router -- lsp-set-options pub-gw router-port=gw-p
ovn-nbctl lsp-add pub vm -- lsp-set-addresses vm "50:54:00:00:00:09 172.50.0.9"
ovn-nbctl lr-nat-add gw dnat 172.77.0.5 10.50.0.5
ovn-nbctl lb-add lb0 172.77.0.5:80 10.50.0.10:80 -- lr-lb-add gw lb0
ovn-nbctl lr-add d
ovn-nbctl lrp-add d d-a 00:00:00:00:60:01 172.50.0.2/24 -- lrp-set-gateway-chassis d-a ch1 10
ovn-nbctl lrp-add d d-b 00:00:00:00:60:02 172.60.2.1/24 -- lrp-set-gateway-chassis d-b ch2 10
ovn-nbctl lsp-add pub pub-d -- lsp-set-type pub-d router -- lsp-set-addresses pub-d router -- lsp-set-options pub-d router-port=d-a
ovn-nbctl --id=@n create NAT type=dnat_and_snat external_ip=172.60.2.10 logical_ip=10.60.0.11 options:add_route=true -- add Logical_Router d nat @n
ovn-nbctl --id=@n create NAT type=dnat_and_snat external_ip=172.99.0.10 logical_ip=10.60.0.12 options:add_route=true -- add Logical_Router d nat @n
ovn-nbctl --id=@n create NAT type=dnat_and_snat external_ip=172.50.0.77 logical_ip=10.60.0.13 options:add_route=true logical_port=vmx external_mac='"00:00:00:00:77:77"' -- add Logical_Router d nat @n
ovn-nbctl lb-add lb6 [fd00::5]:80 [fd01::5]:80 -- set Load_Balancer lb6 options:add_route=true -- lr-lb-add d lb6
ovn-nbctl lb-add lb4 172.88.0.5:80 10.60.0.5:80 -- set Load_Balancer lb4 options:add_route=true -- lr-lb-add d lb4
ovn-nbctl lr-add e
ovn-nbctl lrp-add e e-p 00:00:00:00:70:01 172.50.0.3/24
ovn-nbctl lsp-add pub pub-e -- lsp-set-type pub-e router -- lsp-set-addresses pub-e router -- lsp-set-options pub-e router-port=e-p
