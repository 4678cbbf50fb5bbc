"""A floating IP on one chassis, for every stack flavour (issue 12's third check).

Private switch (10.0.0.0/24, vm1 with a floating IP, vm2 without) behind router lr0, whose
gateway port lr0-public (172.24.4.1, gateway chassis: this one) is on a public switch with a
localnet port (network_name=physnet1); ``ovn-bridge-mappings=physnet1:br-ex`` and br-ex has a
veth whose peer is in an "external" namespace (172.24.4.100). SNAT of the private subnet to
172.24.4.1 and dnat_and_snat 172.24.4.50 <-> vm1. From outside, the FIP answers ARP (with the
gateway port's MAC) and ping and accepts a TCP connection to a listener in vm1 (which sees the
external address); vm1's own connections out arrive from the FIP, vm2's from the SNAT address.
"""

from __future__ import annotations

import pytest

from pyovn.testing.stack import Stack

pytestmark = [pytest.mark.e2e, pytest.mark.interop, pytest.mark.slow, pytest.mark.timeout(300)]


LRP_PUBLIC_MAC = "00:00:00:00:ff:02"
VM1_MAC, VM1_IP = "50:54:00:00:01:11", "10.0.0.11"
VM2_MAC, VM2_IP = "50:54:00:00:01:12", "10.0.0.12"
ROUTER_PUBLIC, FIP, EXT_IP = "172.24.4.1", "172.24.4.50", "172.24.4.100"


def router_port(stack: Stack, switch: str, lrp: str) -> None:
    lsp = f"{switch}-lr0"
    stack.nbctl("lsp-add", switch, lsp, "--", "lsp-set-type", lsp, "router",
                "--", "lsp-set-addresses", lsp, "router",
                "--", "lsp-set-options", lsp, f"router-port={lrp}")


def test_floating_ip(stack: Stack) -> None:
    n = stack.nbctl
    n("ls-add", "private",
      "--", "lsp-add", "private", "vm1", "--", "lsp-set-addresses", "vm1", f"{VM1_MAC} {VM1_IP}",
      "--", "lsp-add", "private", "vm2", "--", "lsp-set-addresses", "vm2", f"{VM2_MAC} {VM2_IP}")
    n("lr-add", "lr0",
      "--", "lrp-add", "lr0", "lr0-private", "00:00:00:00:ff:01", "10.0.0.1/24",
      "--", "lrp-add", "lr0", "lr0-public", LRP_PUBLIC_MAC, f"{ROUTER_PUBLIC}/24",
      "--", "lrp-set-gateway-chassis", "lr0-public", stack.system_id, "20")
    router_port(stack, "private", "lr0-private")
    n("ls-add", "public",
      "--", "lsp-add", "public", "ln-public", "--", "lsp-set-type", "ln-public", "localnet",
      "--", "lsp-set-addresses", "ln-public", "unknown",
      "--", "lsp-set-options", "ln-public", "network_name=physnet1")
    router_port(stack, "public", "lr0-public")
    n("lr-nat-add", "lr0", "snat", ROUTER_PUBLIC, "10.0.0.0/24",
      "--", "lr-nat-add", "lr0", "dnat_and_snat", FIP, VM1_IP)

    stack.add_bridge("br-ex")
    stack.set_external_ids(**{"ovn-bridge-mappings": "physnet1:br-ex"})
    ext = stack.external("ext", "br-ex", f"{EXT_IP}/24")
    vm1 = stack.vm("vm1", "vm1", VM1_MAC, f"{VM1_IP}/24", gw="10.0.0.1")
    vm2 = stack.vm("vm2", "vm2", VM2_MAC, f"{VM2_IP}/24", gw="10.0.0.1")
    stack.sync_hv()
    stack.wait_up("vm1", "vm2")

    # ARP and ping of the FIP from outside; the answer came from the gateway port.
    assert stack.ping_loss(ext, FIP) == 0
    neigh = stack.run("ip", "-n", ext, "neigh", "show", FIP)
    assert f"lladdr {LRP_PUBLIC_MAC}" in neigh, neigh
    assert stack.ping_loss(ext, ROUTER_PUBLIC) == 0

    # Inbound through the FIP: DNAT only, the VM sees the external address.
    stack.listen(vm1, VM1_IP, 8080)
    assert stack.connect(ext, FIP, 8080, nbytes=1 << 20) == EXT_IP
    assert stack.connect(ext, ROUTER_PUBLIC, 8080, timeout=2) is None

    # Outbound: vm1 leaves as its FIP, vm2 as the router's SNAT address.
    stack.listen(ext, EXT_IP, 9090)
    assert stack.connect(vm1, EXT_IP, 9090, nbytes=1 << 20) == FIP
    assert stack.connect(vm2, EXT_IP, 9090) == ROUTER_PUBLIC
    assert stack.ping_loss(vm1, EXT_IP) == 0
