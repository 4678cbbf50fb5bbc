# Load balancers on a switch: TCP and UDP, several VIPs in one LB, a VIP without port, two LBs on one switch.
ovn-nbctl ls-add sw0
ovn-nbctl lsp-add sw0 sw0-port1 -- lsp-set-addresses sw0-port1 "50:54:00:00:00:01 192.168.0.11"
ovn-nbctl lsp-add sw0 sw0-port2 -- lsp-set-addresses sw0-port2 "50:54:00:00:00:02 192.168.0.12"
ovn-nbctl lsp-add sw0 sw0-port3 -- lsp-set-addresses sw0-port3 "50:54:00:00:00:03 192.168.0.13"
ovn-nbctl lb-add lb-tcp 10.0.0.10:80 192.168.0.11:8080,192.168.0.12:8080 tcp
ovn-nbctl lb-add lb-tcp 10.0.0.10:443 192.168.0.11:8443,192.168.0.12:8443 tcp
ovn-nbctl lb-add lb-tcp 10.0.0.11:80 192.168.0.13:80 tcp
ovn-nbctl lb-add lb-udp 10.0.0.53:53 192.168.0.11:53,192.168.0.12:53,192.168.0.13:53 udp
ovn-nbctl lb-add lb-noport 10.0.0.20 192.168.0.11,192.168.0.12
ovn-nbctl ls-lb-add sw0 lb-tcp -- ls-lb-add sw0 lb-udp -- ls-lb-add sw0 lb-noport
# An LB whose VIP has no backend (empty_lb_backends_event off by default).
ovn-nbctl lb-add lb-empty 10.0.0.30:80 "" tcp -- ls-lb-add sw0 lb-empty
