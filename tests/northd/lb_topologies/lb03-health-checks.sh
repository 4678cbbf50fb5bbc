# LB health checks: ip_port_mappings to ports on this and another switch, missing ports, IPv6 (unsupported), no-port VIP, sctp, affinity.
ovn-nbctl ls-add sw0
ovn-nbctl lsp-add sw0 p1 -- lsp-set-addresses p1 "50:54:00:00:00:03 10.0.0.3 fd00::3"
ovn-nbctl lsp-add sw0 p2 -- lsp-set-addresses p2 "50:54:00:00:00:04 10.0.0.4 fd00::4"
ovn-nbctl ls-add sw1
ovn-nbctl lsp-add sw1 q1 -- lsp-set-addresses q1 "50:54:00:00:01:03 10.0.1.3"
ovn-nbctl lb-add lb1 10.0.0.10:80 10.0.0.3:80,10.0.0.4:80,10.0.0.5:80,10.0.1.3:80 tcp
ovn-nbctl set Load_Balancer lb1 ip_port_mappings:10.0.0.3=p1:10.0.0.2 ip_port_mappings:10.0.0.4=nope:10.0.0.2 ip_port_mappings:10.0.1.3=q1:10.0.1.2
ovn-nbctl --id=@hc create Load_Balancer_Health_Check vip="10.0.0.10\:80" options:interval=5 -- add Load_Balancer lb1 health_check @hc
ovn-nbctl lb-add lb6 [fd00::10]:80 [fd00::3]:80,[FD00::4]:80 tcp
ovn-nbctl set Load_Balancer lb6 'ip_port_mappings:"fd00::3"="p1:[fd00::2]"' 'ip_port_mappings:"FD00::4"="p2:fd00::2"'
ovn-nbctl --id=@hc create Load_Balancer_Health_Check 'vip="[fd00::10]:80"' -- add Load_Balancer lb6 health_check @hc
ovn-nbctl lb-add lbnp 10.0.0.11 10.0.0.3,10.0.0.4
ovn-nbctl set Load_Balancer lbnp ip_port_mappings:10.0.0.3=p1:10.0.0.2
ovn-nbctl --id=@hc create Load_Balancer_Health_Check vip="10.0.0.11" -- add Load_Balancer lbnp health_check @hc
ovn-nbctl lb-add lbsctp 10.0.0.12:80 10.0.0.3:82 sctp
ovn-nbctl set Load_Balancer lbsctp ip_port_mappings:10.0.0.3=p1:10.0.0.2
ovn-nbctl --id=@hc create Load_Balancer_Health_Check vip="10.0.0.12\:80" -- add Load_Balancer lbsctp health_check @hc
ovn-nbctl lb-add lbnone 10.0.0.13:80 10.0.0.5:80 tcp
ovn-nbctl --id=@hc create Load_Balancer_Health_Check vip="10.0.0.13\:80" -- add Load_Balancer lbnone health_check @hc
ovn-nbctl lb-add lbaff 10.0.0.14:80 10.0.0.3:81,10.0.0.4:81 tcp -- set Load_Balancer lbaff options:affinity_timeout=5 ip_port_mappings:10.0.0.3=p1:10.0.0.2 ip_port_mappings:10.0.0.4=p2:10.0.0.2
ovn-nbctl --id=@hc create Load_Balancer_Health_Check vip="10.0.0.14\:80" -- add Load_Balancer lbaff health_check @hc
ovn-nbctl lb-add lbaff6 [FD00::15]:80 [FD00::3]:80 udp -- set Load_Balancer lbaff6 options:affinity_timeout=5
ovn-nbctl ls-lb-add sw0 lb1 -- ls-lb-add sw0 lb6 -- ls-lb-add sw0 lbnp -- ls-lb-add sw0 lbsctp -- ls-lb-add sw0 lbnone -- ls-lb-add sw0 lbaff -- ls-lb-add sw0 lbaff6
