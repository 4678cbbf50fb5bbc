# A switch with a load balancer but no ACLs; one with an LB without VIPs; a stateless ACL next to an LB; allow-stateless on an LB switch.
ovn-nbctl ls-add sw1 -- lsp-add sw1 p1 -- lsp-set-addresses p1 "50:54:00:00:06:01 10.6.0.11"
ovn-nbctl lb-add lb1 10.6.0.100:80 10.6.0.11:80 tcp -- ls-lb-add sw1 lb1
ovn-nbctl lsp-add sw1 ln1 -- lsp-set-type ln1 localnet -- lsp-set-addresses ln1 unknown -- lsp-set-options ln1 network_name=phys
ovn-nbctl ls-add sw2 -- lsp-add sw2 p2 -- lsp-set-addresses p2 "50:54:00:00:06:02 10.7.0.11"
ovn-nbctl --id=@l create Load_Balancer name=lb-empty protocol=tcp -- add Logical_Switch sw2 load_balancer @l
ovn-nbctl ls-add sw3 -- lsp-add sw3 p3 -- lsp-set-addresses p3 "50:54:00:00:06:03 10.8.0.11"
ovn-nbctl lb-add lb3 10.8.0.100:80 10.8.0.11:80 tcp -- ls-lb-add sw3 lb3
ovn-nbctl acl-add sw3 from-lport 100 'udp' drop
ovn-nbctl acl-add sw3 from-lport 200 'udp.dst == 53' allow-stateless
ovn-nbctl acl-add sw3 to-lport 200 'udp.src == 53' allow-stateless
ovn-nbctl acl-add sw3 to-lport 100 'tcp' reject
ovn-nbctl acl-add sw3 to-lport 150 'tcp.dst == 80' allow
ovn-nbctl --id=@dns create DNS records='"a.org"="10.8.0.11"' -- add Logical_Switch sw3 dns_records @dns
