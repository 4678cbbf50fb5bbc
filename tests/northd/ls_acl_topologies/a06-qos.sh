# QoS rules: burst without rate, dscp 0, both marking and metering, rules on two switches, external_ids.
ovn-nbctl ls-add q1 -- lsp-add q1 qp1 -- lsp-set-addresses qp1 "50:54:00:00:09:01 10.11.0.11"
ovn-nbctl qos-add q1 from-lport 10 'ip4' dscp=0
ovn-nbctl --id=@q create QoS direction=to-lport priority=20 match='"ip4"' bandwidth:burst=100 -- add Logical_Switch q1 qos_rules @q
ovn-nbctl qos-add q1 to-lport 30 'ip6' rate=1 burst=4294967295 dscp=63
ovn-nbctl --id=@q create QoS direction=from-lport priority=32767 match='"udp"' bandwidth:rate=5 external_ids:foo=bar -- add Logical_Switch q1 qos_rules @q
ovn-nbctl ls-add q2 -- lsp-add q2 qp2 -- lsp-set-addresses qp2 "50:54:00:00:09:02 10.11.1.11"
ovn-nbctl qos-add q2 from-lport 0 '1' rate=100
