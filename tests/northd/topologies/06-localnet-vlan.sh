# Provider networks: localnet ports, one with a VLAN tag, one flat; VIFs behind them.
ovn-nbctl ls-add provnet-vlan100
ovn-nbctl lsp-add provnet-vlan100 provnet-vlan100-ln -- lsp-set-type provnet-vlan100-ln localnet \
  -- lsp-set-addresses provnet-vlan100-ln unknown \
  -- lsp-set-options provnet-vlan100-ln network_name=physnet1 -- set Logical_Switch_Port provnet-vlan100-ln tag_request=100
ovn-nbctl lsp-add provnet-vlan100 vm-a -- lsp-set-addresses vm-a "fa:16:3e:00:01:01 203.0.113.11"
ovn-nbctl ls-add provnet-flat
ovn-nbctl lsp-add provnet-flat provnet-flat-ln -- lsp-set-type provnet-flat-ln localnet \
  -- lsp-set-addresses provnet-flat-ln unknown -- lsp-set-options provnet-flat-ln network_name=physnet2
ovn-nbctl lsp-add provnet-flat vm-b -- lsp-set-addresses vm-b "fa:16:3e:00:02:01 198.51.100.21"
ovn-nbctl lsp-add provnet-flat vm-c -- lsp-set-addresses vm-c "fa:16:3e:00:02:02 198.51.100.22"
