# Container ports nested in a VM port (parent_name + tag_request), as Kubernetes-on-OpenStack does.
ovn-nbctl ls-add sw0
ovn-nbctl lsp-add sw0 vm-host -- lsp-set-addresses vm-host "50:54:00:00:00:10 192.168.0.10"
ovn-nbctl lsp-add sw0 pod-a vm-host 101 -- lsp-set-addresses pod-a "0a:58:c0:a8:00:65 192.168.0.101"
ovn-nbctl lsp-add sw0 pod-b vm-host 102 -- lsp-set-addresses pod-b "0a:58:c0:a8:00:66 192.168.0.102"
ovn-nbctl lsp-add sw0 pod-c vm-host 0 -- lsp-set-addresses pod-c "0a:58:c0:a8:00:67 192.168.0.103"
ovn-nbctl ls-add sw1 -- lsp-add sw1 pod-d vm-host 103 -- lsp-set-addresses pod-d "0a:58:c0:a8:01:68 192.168.1.104"
