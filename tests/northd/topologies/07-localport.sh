# A localport (the OpenStack metadata port) next to VIFs.
ovn-nbctl ls-add net1
ovn-nbctl lsp-add net1 metadata-net1 -- lsp-set-type metadata-net1 localport \
  -- lsp-set-addresses metadata-net1 "fa:16:3e:aa:bb:cc 10.10.0.2"
ovn-nbctl lsp-add net1 vm1 -- lsp-set-addresses vm1 "fa:16:3e:00:00:11 10.10.0.11" \
  -- lsp-set-port-security vm1 "fa:16:3e:00:00:11 10.10.0.11"
ovn-nbctl lsp-add net1 vm2 -- lsp-set-addresses vm2 "fa:16:3e:00:00:12 10.10.0.12"
