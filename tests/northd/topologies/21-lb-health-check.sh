# LB health checks: Load_Balancer_Health_Check + ip_port_mappings give Service_Monitor rows and the svc_monitor flows.
ovn-nbctl ls-add sw0
ovn-nbctl lsp-add sw0 sw0-p1 -- lsp-set-addresses sw0-p1 "50:54:00:00:00:03 10.0.0.3"
ovn-nbctl lsp-add sw0 sw0-p2 -- lsp-set-addresses sw0-p2 "50:54:00:00:00:04 10.0.0.4"
ovn-nbctl lsp-add sw0 sw0-p3 -- lsp-set-addresses sw0-p3 "50:54:00:00:00:05 10.0.0.5"
ovn-nbctl lb-add lb1 10.0.0.10:80 10.0.0.3:80,10.0.0.4:80 tcp
ovn-nbctl lb-add lb-udp 10.0.0.10:53 10.0.0.4:53,10.0.0.5:53 udp
ovn-nbctl set Load_Balancer lb1 ip_port_mappings:10.0.0.3=sw0-p1:10.0.0.2 ip_port_mappings:10.0.0.4=sw0-p2:10.0.0.2
ovn-nbctl set Load_Balancer lb-udp ip_port_mappings:10.0.0.4=sw0-p2:10.0.0.2 ip_port_mappings:10.0.0.5=sw0-p3:10.0.0.2
ovn-nbctl --id=@hc create Load_Balancer_Health_Check vip="10.0.0.10\:80" \
  options:interval=5 options:timeout=20 options:success_count=3 options:failure_count=3 \
  -- add Load_Balancer lb1 health_check @hc
ovn-nbctl --id=@hc create Load_Balancer_Health_Check vip="10.0.0.10\:53" -- add Load_Balancer lb-udp health_check @hc
ovn-nbctl ls-lb-add sw0 lb1 -- ls-lb-add sw0 lb-udp
