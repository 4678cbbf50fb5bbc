# LBs on a router without gateway: reachable VIPs (neighbor_responder), skip_snat, no port, IPv6, affinity, reject, empty, event, selection_fields.
ovn-nbctl lr-add lr1
ovn-nbctl lrp-add lr1 lr1-a 00:00:00:00:01:01 10.1.0.1/24 fd01::1/64
ovn-nbctl lrp-add lr1 lr1-b 00:00:00:00:01:02 10.2.0.1/24
ovn-nbctl ls-add a -- lsp-add a a-lr1 -- lsp-set-type a-lr1 router -- lsp-set-addresses a-lr1 router -- lsp-set-options a-lr1 router-port=lr1-a
ovn-nbctl lsp-add a a-vm -- lsp-set-addresses a-vm "50:54:00:00:01:11 10.1.0.11"
ovn-nbctl lb-add lb-reach 10.1.0.100:80 10.2.0.11:80,10.2.0.12:80 tcp
ovn-nbctl lb-add lb-unreach 10.9.0.100:80 10.2.0.11:80 tcp
ovn-nbctl lb-add lb-all 10.9.0.101:80 10.2.0.11:80 tcp -- set Load_Balancer lb-all options:neighbor_responder=all
ovn-nbctl lb-add lb-none 10.1.0.102:80 10.2.0.11:80 tcp -- set Load_Balancer lb-none options:neighbor_responder=none
ovn-nbctl lb-add lb-skip 10.1.0.103:80 10.2.0.11:80 tcp -- set Load_Balancer lb-skip options:skip_snat=true
ovn-nbctl lb-add lb-noport 10.1.0.104 10.2.0.11,10.2.0.12
ovn-nbctl lb-add lb6 [fd01::100]:80 [fd02::11]:80 udp
ovn-nbctl lb-add lb6np fd01::101 fd02::11
ovn-nbctl lb-add lb-aff 10.1.0.105:80 10.2.0.11:80,10.2.0.12:80 tcp -- set Load_Balancer lb-aff options:affinity_timeout=30
ovn-nbctl lb-add lb-aff6 [fd01::105]:80 [fd02::11]:80 tcp -- set Load_Balancer lb-aff6 options:affinity_timeout=30
ovn-nbctl lb-add lb-affnp 10.1.0.109 10.2.0.11 -- set Load_Balancer lb-affnp options:affinity_timeout=30
ovn-nbctl --reject lb-add lb-rej 10.1.0.106:80 "" tcp
ovn-nbctl lb-add lb-empty 10.1.0.107:80 "" tcp
ovn-nbctl --event lb-add lb-ev 10.1.0.108:80 "" udp
ovn-nbctl lb-add lb-sel 10.1.0.110:80 10.2.0.11:80 sctp -- set Load_Balancer lb-sel selection_fields=ip_src,tp_dst
ovn-nbctl lb-add lb-hs 10.1.0.111:80 10.2.0.11:80 tcp -- set Load_Balancer lb-hs options:hairpin_snat_ip=1.1.1.1

ovn-nbctl lr-lb-add lr1 lb-reach
ovn-nbctl lr-lb-add lr1 lb-unreach
ovn-nbctl lr-lb-add lr1 lb-all
ovn-nbctl lr-lb-add lr1 lb-none
ovn-nbctl lr-lb-add lr1 lb-skip
ovn-nbctl lr-lb-add lr1 lb-noport
ovn-nbctl lr-lb-add lr1 lb6
ovn-nbctl lr-lb-add lr1 lb6np
ovn-nbctl lr-lb-add lr1 lb-aff
ovn-nbctl lr-lb-add lr1 lb-aff6
ovn-nbctl lr-lb-add lr1 lb-affnp
ovn-nbctl lr-lb-add lr1 lb-rej
ovn-nbctl lr-lb-add lr1 lb-empty
ovn-nbctl lr-lb-add lr1 lb-ev
ovn-nbctl lr-lb-add lr1 lb-sel
ovn-nbctl lr-lb-add lr1 lb-hs
