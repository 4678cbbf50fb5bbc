# ACLs with options:apply-after-lb (the ls_in_acl_after_lb stage) next to a switch load balancer.
ovn-nbctl ls-add sw0
ovn-nbctl lsp-add sw0 client -- lsp-set-addresses client "50:54:00:00:60:01 10.60.0.2"
ovn-nbctl lsp-add sw0 srv1 -- lsp-set-addresses srv1 "50:54:00:00:60:11 10.60.0.11"
ovn-nbctl lsp-add sw0 srv2 -- lsp-set-addresses srv2 "50:54:00:00:60:12 10.60.0.12"
ovn-nbctl lb-add lb-web 10.60.0.100:80 10.60.0.11:8080,10.60.0.12:8080 tcp
ovn-nbctl ls-lb-add sw0 lb-web
ovn-nbctl --apply-after-lb acl-add sw0 from-lport 1001 'ip4.dst == 10.60.0.11 && tcp.dst == 8080' allow-related
ovn-nbctl --apply-after-lb acl-add sw0 from-lport 1000 'ip4.dst == 10.60.0.12' drop
ovn-nbctl --apply-after-lb acl-add sw0 from-lport 900 'ip4' reject
ovn-nbctl acl-add sw0 from-lport 1000 'inport == "client" && ip4.dst == 10.60.0.100' allow-related
ovn-nbctl acl-add sw0 to-lport 1000 'outport == "srv1"' allow-related
