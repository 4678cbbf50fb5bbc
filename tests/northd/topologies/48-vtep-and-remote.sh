# Other port types: vtep (hardware VTEP gateway) and remote (interconnection transit switch) ports.
ovn-nbctl ls-add sw-vtep
ovn-nbctl lsp-add sw-vtep vtep-port -- lsp-set-type vtep-port vtep -- lsp-set-addresses vtep-port unknown \
  -- lsp-set-options vtep-port vtep-physical-switch=br-vtep vtep-logical-switch=ls0
ovn-nbctl lsp-add sw-vtep vm1 -- lsp-set-addresses vm1 "50:54:00:00:48:11 10.48.0.11"
ovn-nbctl ls-add ts1 -- set Logical_Switch ts1 other_config:interconn-ts=ts1 other_config:requested-tnl-key=1000
ovn-nbctl lsp-add ts1 ts1-az2 -- lsp-set-type ts1-az2 remote -- lsp-set-addresses ts1-az2 "00:00:00:00:48:02 169.254.100.2/24" \
  -- lsp-set-options ts1-az2 requested-chassis=az2-gw requested-tnl-key=2
ovn-nbctl lr-add lr-az1 -- lrp-add lr-az1 lr-az1-ts1 00:00:00:00:48:01 169.254.100.1/24
ovn-nbctl lsp-add ts1 ts1-lr-az1 -- lsp-set-type ts1-lr-az1 router -- lsp-set-addresses ts1-lr-az1 router \
  -- lsp-set-options ts1-lr-az1 router-port=lr-az1-ts1 requested-tnl-key=1
ovn-nbctl lr-route-add lr-az1 10.200.0.0/16 169.254.100.2
