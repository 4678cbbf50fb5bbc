# Debug drop sampling: NB_Global debug_drop_collector_set/debug_drop_domain_id turn every drop into a sample() action.
ovn-nbctl set NB_Global . options:debug_drop_collector_set=42 options:debug_drop_domain_id=7
ovn-nbctl ls-add sw0
ovn-nbctl lsp-add sw0 vm1 -- lsp-set-addresses vm1 "50:54:00:00:51:11 10.51.0.11" -- lsp-set-port-security vm1 "50:54:00:00:51:11 10.51.0.11"
ovn-nbctl acl-add sw0 to-lport 1000 'tcp.dst == 23' drop
ovn-nbctl lr-add lr0 -- lrp-add lr0 lr0-sw0 00:00:00:00:51:01 10.51.0.1/24
ovn-nbctl lsp-add sw0 sw0-lr0 -- lsp-set-type sw0-lr0 router -- lsp-set-addresses sw0-lr0 router -- lsp-set-options sw0-lr0 router-port=lr0-sw0
