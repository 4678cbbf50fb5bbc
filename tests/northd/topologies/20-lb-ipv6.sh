# IPv6 load balancers on a switch (TCP, UDP and SCTP), and a dual-stack switch carrying both families.
ovn-nbctl ls-add sw6
ovn-nbctl lsp-add sw6 p1 -- lsp-set-addresses p1 "50:54:00:00:66:01 10.66.0.11 fd00:66::11"
ovn-nbctl lsp-add sw6 p2 -- lsp-set-addresses p2 "50:54:00:00:66:02 10.66.0.12 fd00:66::12"
ovn-nbctl lb-add lb6-tcp [fd00:66::100]:80 [fd00:66::11]:8080,[fd00:66::12]:8080 tcp
ovn-nbctl lb-add lb6-udp [fd00:66::100]:53 [fd00:66::11]:53 udp
ovn-nbctl lb-add lb6-sctp [fd00:66::101]:9000 [fd00:66::12]:9000 sctp
ovn-nbctl lb-add lb4-tcp 10.66.0.100:80 10.66.0.11:8080,10.66.0.12:8080 tcp
ovn-nbctl ls-lb-add sw6 lb6-tcp -- ls-lb-add sw6 lb6-udp -- ls-lb-add sw6 lb6-sctp -- ls-lb-add sw6 lb4-tcp
