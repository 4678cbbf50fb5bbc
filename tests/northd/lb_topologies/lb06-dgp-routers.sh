# LBs on routers with distributed gateway ports: undnat, force_snat with addresses, skip_snat, affinity, reject, two DGPs.
ovn-nbctl lr-add lr0 -- set Logical_Router lr0 options:lb_force_snat_ip=router_ip
ovn-nbctl lrp-add lr0 lr0-pub 00:00:20:20:12:13 172.168.0.100/24 fd72::100/64
ovn-nbctl lrp-set-gateway-chassis lr0-pub ch1 20
ovn-nbctl lrp-add lr0 lr0-in 00:00:00:00:ff:01 10.0.0.1/24 fd10::1/64
ovn-nbctl ls-add pub -- lsp-add pub pub-lr0 -- lsp-set-type pub-lr0 router -- lsp-set-addresses pub-lr0 router -- lsp-set-options pub-lr0 router-port=lr0-pub
ovn-nbctl ls-add in -- lsp-add in in-lr0 -- lsp-set-type in-lr0 router -- lsp-set-addresses in-lr0 router -- lsp-set-options in-lr0 router-port=lr0-in
ovn-nbctl lb-add lb1 172.168.0.200:80 10.0.0.3:80,10.0.0.4:80 tcp
ovn-nbctl lb-add lb-np 172.168.0.201 10.0.0.3,10.0.0.4
ovn-nbctl lb-add lb6 [fd72::200]:80 [fd10::3]:80 tcp
ovn-nbctl lb-add lb-skip 172.168.0.202:80 10.0.0.3:80 udp -- set Load_Balancer lb-skip options:skip_snat=true
ovn-nbctl lb-add lb-aff 172.168.0.203:80 10.0.0.3:80 tcp -- set Load_Balancer lb-aff options:affinity_timeout=10
ovn-nbctl lb-add lb-nat 172.168.0.100:8080 10.0.0.3:8080 tcp
ovn-nbctl --reject lb-add lb-rej 172.168.0.204:80 "" tcp
ovn-nbctl lb-add lb-sel 172.168.0.205:80 10.0.0.3:80 tcp -- set Load_Balancer lb-sel selection_fields=ip_dst
ovn-nbctl lr-nat-add lr0 snat 172.168.0.100 10.0.0.0/24
ovn-nbctl lr-lb-add lr0 lb1 -- lr-lb-add lr0 lb-np -- lr-lb-add lr0 lb6 -- lr-lb-add lr0 lb-skip -- lr-lb-add lr0 lb-aff -- lr-lb-add lr0 lb-nat -- lr-lb-add lr0 lb-rej -- lr-lb-add lr0 lb-sel
ovn-nbctl lr-add lr2 -- set Logical_Router lr2 options:lb_force_snat_ip=172.169.0.9
ovn-nbctl lrp-add lr2 lr2-pub 00:00:20:20:12:14 172.169.0.100/24
ovn-nbctl lrp-set-gateway-chassis lr2-pub ch1 20
ovn-nbctl lrp-add lr2 lr2-pub2 00:00:20:20:12:15 172.170.0.100/24
ovn-nbctl lrp-set-gateway-chassis lr2-pub2 ch2 20
ovn-nbctl lb-add lb2 172.169.0.200:80 10.0.0.3:80 tcp -- lr-lb-add lr2 lb2
