# IPAM, IPv4: other_config:subnet and exclude_ips; "dynamic", "MAC dynamic" and "dynamic IP" addresses.
ovn-nbctl set NB_Global . options:mac_prefix=0a:58:a8
ovn-nbctl ls-add sw0 -- set Logical_Switch sw0 other_config:subnet=192.168.10.0/24 \
  other_config:exclude_ips="192.168.10.1..192.168.10.9 192.168.10.100"
ovn-nbctl lsp-add sw0 p1 -- lsp-set-addresses p1 dynamic
ovn-nbctl lsp-add sw0 p2 -- lsp-set-addresses p2 "0a:00:00:00:00:02 dynamic"
ovn-nbctl lsp-add sw0 p3 -- lsp-set-addresses p3 "dynamic 192.168.10.50"
ovn-nbctl lsp-add sw0 p4 -- lsp-set-addresses p4 "50:54:00:00:00:04 192.168.10.10"
ovn-nbctl lsp-add sw0 p5 -- lsp-set-addresses p5 dynamic
# A switch without a subnet: dynamic gets only a MAC.
ovn-nbctl ls-add sw1
ovn-nbctl lsp-add sw1 q1 -- lsp-set-addresses q1 dynamic
