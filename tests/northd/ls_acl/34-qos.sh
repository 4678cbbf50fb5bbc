# QoS rules on a switch: DSCP marking and rate limiting (meters with burst), both directions.
ovn-nbctl ls-add sw0
ovn-nbctl lsp-add sw0 vm1 -- lsp-set-addresses vm1 "50:54:00:00:00:11 10.0.0.11"
ovn-nbctl lsp-add sw0 vm2 -- lsp-set-addresses vm2 "50:54:00:00:00:12 10.0.0.12"
ovn-nbctl qos-add sw0 from-lport 100 'inport == "vm1" && ip4' dscp=46
ovn-nbctl qos-add sw0 from-lport 200 'inport == "vm2" && udp' rate=10000 burst=1000
ovn-nbctl qos-add sw0 to-lport 100 'outport == "vm1" && tcp.dst == 80' rate=50000 burst=5000 dscp=10
ovn-nbctl qos-add sw0 to-lport 50 'outport == "vm2"' rate=20000
