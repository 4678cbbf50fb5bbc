# ACLs on port groups with address sets (IPv4 and IPv6) and the generated $pg_ip4/$pg_ip6 sets.
ovn-nbctl ls-add front -- ls-add back
ovn-nbctl lsp-add front fe1 -- lsp-set-addresses fe1 "0a:00:00:01:00:01 10.1.0.11 2001:db8:1::11"
ovn-nbctl lsp-add front fe2 -- lsp-set-addresses fe2 "0a:00:00:01:00:02 10.1.0.12 2001:db8:1::12"
ovn-nbctl lsp-add back be1 -- lsp-set-addresses be1 "0a:00:00:02:00:01 10.2.0.11 2001:db8:2::11"
ovn-nbctl lsp-add back be2 -- lsp-set-addresses be2 "0a:00:00:02:00:02 10.2.0.12"
ovn-nbctl pg-add pg_front fe1 fe2
ovn-nbctl pg-add pg_back be1 be2
ovn-nbctl pg-add pg_empty
ovn-nbctl create Address_Set name=as_admin_v4 addresses='"192.0.2.10", "192.0.2.0/28", "198.51.100.7"'
ovn-nbctl create Address_Set name=as_admin_v6 addresses='"2001:db8:ff::/64", "2001:db8:fe::1"'
ovn-nbctl create Address_Set name=as_empty
ovn-nbctl acl-add pg_front to-lport 1002 'outport == @pg_front && ip4 && tcp.dst == {80, 443}' allow-related
ovn-nbctl acl-add pg_back to-lport 1002 'outport == @pg_back && ip4.src == $pg_front_ip4 && tcp.dst == 5432' allow-related
ovn-nbctl acl-add pg_back to-lport 1002 'outport == @pg_back && ip6.src == $pg_front_ip6 && tcp.dst == 5432' allow-related
ovn-nbctl acl-add pg_front to-lport 1001 'outport == @pg_front && ip4.src == $as_admin_v4 && tcp.dst == 22' allow-related
ovn-nbctl acl-add pg_front to-lport 1001 'outport == @pg_front && ip6.src == $as_admin_v6 && tcp.dst == 22' allow-related
ovn-nbctl acl-add pg_back to-lport 1000 'outport == @pg_back && ip' drop
ovn-nbctl --type=port-group acl-add pg_empty from-lport 1000 'inport == @pg_empty && ip4.dst == $as_empty' drop
