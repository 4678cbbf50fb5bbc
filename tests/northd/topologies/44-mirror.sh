# Port mirroring: GRE and ERSPAN mirrors attached to VIF ports (NB Mirror -> SB Mirror, Port_Binding.mirror_rules).
ovn-nbctl ls-add sw0
ovn-nbctl lsp-add sw0 vm1 -- lsp-set-addresses vm1 "50:54:00:00:44:11 10.44.0.11"
ovn-nbctl lsp-add sw0 vm2 -- lsp-set-addresses vm2 "50:54:00:00:44:12 10.44.0.12"
ovn-nbctl mirror-add mirror-gre gre 100 to-lport 172.16.100.1
ovn-nbctl mirror-add mirror-erspan erspan 101 from-lport 172.16.100.2
ovn-nbctl lsp-attach-mirror vm1 mirror-gre -- lsp-attach-mirror vm1 mirror-erspan -- lsp-attach-mirror vm2 mirror-erspan
