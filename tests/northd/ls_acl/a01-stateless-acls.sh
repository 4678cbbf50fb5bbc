# Switches whose ACLs are all stateless (drop, reject, allow, allow-stateless), one each, plus a router port and a localnet port.
ovn-nbctl ls-add s1 -- lsp-add s1 s1p1 -- lsp-set-addresses s1p1 "50:54:00:00:01:01 10.1.0.11"
ovn-nbctl acl-add s1 from-lport 100 'ip4.src == 10.9.0.1' drop
ovn-nbctl ls-add s2 -- lsp-add s2 s2p1 -- lsp-set-addresses s2p1 "50:54:00:00:02:01 10.2.0.11"
ovn-nbctl acl-add s2 to-lport 100 'tcp.dst == 23' reject
ovn-nbctl acl-add s2 from-lport 200 'udp.dst == 69' reject
ovn-nbctl ls-add s3 -- lsp-add s3 s3p1 -- lsp-set-addresses s3p1 "50:54:00:00:03:01 10.3.0.11"
ovn-nbctl --label=77 acl-add s3 to-lport 100 'tcp.dst == 80' allow
ovn-nbctl acl-add s3 from-lport 101 'ip4' allow
ovn-nbctl ls-add s4 -- lsp-add s4 s4p1 -- lsp-set-addresses s4p1 "50:54:00:00:04:01 10.4.0.11"
ovn-nbctl acl-add s4 to-lport 100 'tcp.dst == 80' allow-stateless
ovn-nbctl --log acl-add s4 from-lport 100 'udp' allow-stateless
ovn-nbctl lsp-add s4 s4ln -- lsp-set-type s4ln localnet -- lsp-set-addresses s4ln unknown -- lsp-set-options s4ln network_name=phys
ovn-nbctl lr-add r1 -- lrp-add r1 r1-s4 00:00:00:00:04:ff 10.4.0.1/24
ovn-nbctl lsp-add s4 s4r -- lsp-set-type s4r router -- lsp-set-addresses s4r router -- lsp-set-options s4r router-port=r1-s4
ovn-nbctl lsp-add s1 s1r -- lsp-set-type s1r router -- lsp-set-addresses s1r router -- lsp-set-options s1r router-port=nonexistent
ovn-nbctl lsp-add s1 s1ln -- lsp-set-type s1ln localnet -- lsp-set-addresses s1ln unknown -- lsp-set-options s1ln network_name=phys
