# Drop sampling (NB_Global debug_drop_collector_set / debug_drop_domain_id) on router flows.
ovn-nbctl set NB_Global . options:debug_drop_collector_set=123 options:debug_drop_domain_id=5
ovn-nbctl lr-add r4 -- lrp-add r4 r4-p 00:00:00:00:84:01 10.84.0.1/24
ovn-nbctl lr-route-add r4 10.85.0.0/16 discard
ovn-nbctl lr-policy-add r4 10 'ip4.src == 1.1.1.1' drop
