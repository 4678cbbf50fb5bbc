# NB_Global options that change the pipeline: fixed svc_monitor_mac and mac_prefix, ignore_lsp_down, use_ct_inv_match, install_ls_lb_from_router.
ovn-nbctl set NB_Global . options:svc_monitor_mac="0a:00:00:00:00:fe" options:mac_prefix=0a:49:00 \
  options:ignore_lsp_down=false options:use_ct_inv_match=false options:install_ls_lb_from_router=true \
  options:northd_probe_interval=10000
ovn-nbctl ls-add sw0 -- set Logical_Switch sw0 other_config:subnet=10.49.0.0/24
ovn-nbctl lsp-add sw0 vm1 -- lsp-set-addresses vm1 "50:54:00:00:49:11 10.49.0.11"
ovn-nbctl lsp-add sw0 vm2 -- lsp-set-addresses vm2 dynamic
ovn-nbctl lsp-add sw0 vm3 -- lsp-set-addresses vm3 "50:54:00:00:49:13 10.49.0.13" -- lsp-set-enabled vm3 disabled
ovn-nbctl lr-add lr0 -- lrp-add lr0 lr0-sw0 00:00:00:00:49:01 10.49.0.1/24
ovn-nbctl lsp-add sw0 sw0-lr0 -- lsp-set-type sw0-lr0 router -- lsp-set-addresses sw0-lr0 router -- lsp-set-options sw0-lr0 router-port=lr0-sw0
ovn-nbctl lb-add lb0 10.49.0.100:80 10.49.0.11:80 tcp -- lr-lb-add lr0 lb0
ovn-nbctl acl-add sw0 from-lport 1000 'ip4' allow-related
