# Switch ACLs in both directions: allow, allow-related, allow-stateless, drop, reject; IPv4 and IPv6.
ovn-nbctl ls-add web
ovn-nbctl lsp-add web web1 -- lsp-set-addresses web1 "50:54:00:00:50:01 10.50.0.11 fd00:50::11"
ovn-nbctl lsp-add web web2 -- lsp-set-addresses web2 "50:54:00:00:50:02 10.50.0.12 fd00:50::12"
ovn-nbctl acl-add web to-lport 1002 'outport == "web1" && ip4 && tcp.dst == 80' allow-related
ovn-nbctl acl-add web to-lport 1002 'outport == "web1" && ip6 && tcp.dst == 443' allow
ovn-nbctl acl-add web from-lport 1001 'inport == "web2" && udp.dst == 53' allow-stateless
ovn-nbctl acl-add web to-lport 1000 'outport == "web2" && ip4.src == 10.99.0.0/16' reject
ovn-nbctl acl-add web from-lport 900 'inport == "web1" && icmp4' allow-related
ovn-nbctl acl-add web to-lport 500 'ip4 && tcp.dst == 22' drop
ovn-nbctl acl-add web from-lport 100 'ip' drop
