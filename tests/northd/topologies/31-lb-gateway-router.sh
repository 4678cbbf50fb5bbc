# Load balancers on a gateway router (options:chassis), with lb_force_snat_ip, skip_snat and a router-port VIP.
ovn-nbctl lr-add gw0 -- set Logical_Router gw0 options:chassis=gw-chassis-1 options:lb_force_snat_ip="172.31.0.2 fd00:31::2"
ovn-nbctl lrp-add gw0 gw0-int 00:00:00:00:31:01 10.31.0.1/24 fd00:31:1::1/64
ovn-nbctl lrp-add gw0 gw0-ext 00:00:00:00:31:02 172.31.0.2/24 fd00:31::2/64
ovn-nbctl ls-add int -- lsp-add int int-gw0 -- lsp-set-type int-gw0 router -- lsp-set-addresses int-gw0 router -- lsp-set-options int-gw0 router-port=gw0-int
ovn-nbctl ls-add ext -- lsp-add ext ext-gw0 -- lsp-set-type ext-gw0 router -- lsp-set-addresses ext-gw0 router -- lsp-set-options ext-gw0 router-port=gw0-ext
ovn-nbctl lsp-add int web1 -- lsp-set-addresses web1 "50:54:00:00:31:11 10.31.0.11 fd00:31:1::11"
ovn-nbctl lsp-add int web2 -- lsp-set-addresses web2 "50:54:00:00:31:12 10.31.0.12"
ovn-nbctl lb-add lb-web 172.31.0.100:80 10.31.0.11:80,10.31.0.12:80 tcp
ovn-nbctl lb-add lb-web6 [fd00:31::100]:80 [fd00:31:1::11]:80 tcp
ovn-nbctl lb-add lb-routerip 172.31.0.2:8080 10.31.0.11:8080 tcp -- set Load_Balancer lb-routerip options:skip_snat=true
ovn-nbctl lr-lb-add gw0 lb-web -- lr-lb-add gw0 lb-web6 -- lr-lb-add gw0 lb-routerip
ovn-nbctl lr-nat-add gw0 snat 172.31.0.2 10.31.0.0/24
