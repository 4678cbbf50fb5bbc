"""The logical pipeline stages of OVN 23.03, one ordered declaration.

Each datapath kind (logical switch, logical router) has an ingress and an egress pipeline; a
stage's table number is its position in the list below and is written nowhere else.  northd
emits flows into ``Stage`` objects, trace and ``--explain`` name stages by ``Stage.name``.
The order is ovn-northd(8)'s for 23.03 (checked against the real northd's Southbound).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "INGRESS",
    "EGRESS",
    "Stage",
    "STAGES",
    "STAGES_BY_NAME",
    "stage",
    "stage_name",
]


INGRESS = "ingress"
EGRESS = "egress"


@dataclass(frozen=True, slots=True)
class Stage:
    """One table of a logical pipeline: ``ls_in_acl`` is (switch, ingress, table 8)."""

    name: str
    kind: str  # "ls" (logical switch) or "lr" (logical router)
    pipeline: str  # INGRESS or EGRESS
    table: int

    def __str__(self) -> str:
        return self.name


# The short names, in order; the full stage name is f"{kind}_{in|out}_{short}".
_ORDER: dict[tuple[str, str], tuple[str, ...]] = {
    ("ls", INGRESS): (
        "check_port_sec",
        "apply_port_sec",
        "lookup_fdb",
        "put_fdb",
        "pre_acl",
        "pre_lb",
        "pre_stateful",
        "acl_hint",
        "acl",
        "qos_mark",
        "qos_meter",
        "lb_aff_check",
        "lb",
        "lb_aff_learn",
        "pre_hairpin",
        "nat_hairpin",
        "hairpin",
        "acl_after_lb",
        "stateful",
        "arp_rsp",
        "dhcp_options",
        "dhcp_response",
        "dns_lookup",
        "dns_response",
        "external_port",
        "l2_lkup",
        "l2_unknown",
    ),
    ("ls", EGRESS): (
        "pre_acl",
        "pre_lb",
        "pre_stateful",
        "acl_hint",
        "acl",
        "qos_mark",
        "qos_meter",
        "stateful",
        "check_port_sec",
        "apply_port_sec",
    ),
    ("lr", INGRESS): (
        "admission",
        "lookup_neighbor",
        "learn_neighbor",
        "ip_input",
        "unsnat",
        "defrag",
        "lb_aff_check",
        "dnat",
        "lb_aff_learn",
        "ecmp_stateful",
        "nd_ra_options",
        "nd_ra_response",
        "ip_routing_pre",
        "ip_routing",
        "ip_routing_ecmp",
        "policy",
        "policy_ecmp",
        "arp_resolve",
        "chk_pkt_len",
        "larger_pkts",
        "gw_redirect",
        "arp_request",
    ),
    ("lr", EGRESS): (
        "chk_dnat_local",
        "undnat",
        "post_undnat",
        "snat",
        "post_snat",
        "egr_loop",
        "delivery",
    ),
}


def stage_name(kind: str, pipeline: str, short: str) -> str:
    return f"{kind}_{'in' if pipeline == INGRESS else 'out'}_{short}"


STAGES: dict[tuple[str, str], tuple[Stage, ...]] = {
    key: tuple(
        Stage(stage_name(key[0], key[1], short), key[0], key[1], i) for i, short in enumerate(shorts)
    )
    for key, shorts in _ORDER.items()
}
STAGES_BY_NAME: dict[str, Stage] = {s.name: s for ss in STAGES.values() for s in ss}


def stage(name: str) -> Stage:
    """The stage called ``name`` (e.g. "ls_in_l2_lkup"); KeyError for an unknown name."""
    return STAGES_BY_NAME[name]


# One constant per stage, for the flow builders (generated from the lists above).
LS_IN_CHECK_PORT_SEC = stage("ls_in_check_port_sec")
LS_IN_APPLY_PORT_SEC = stage("ls_in_apply_port_sec")
LS_IN_LOOKUP_FDB = stage("ls_in_lookup_fdb")
LS_IN_PUT_FDB = stage("ls_in_put_fdb")
LS_IN_PRE_ACL = stage("ls_in_pre_acl")
LS_IN_PRE_LB = stage("ls_in_pre_lb")
LS_IN_PRE_STATEFUL = stage("ls_in_pre_stateful")
LS_IN_ACL_HINT = stage("ls_in_acl_hint")
LS_IN_ACL = stage("ls_in_acl")
LS_IN_QOS_MARK = stage("ls_in_qos_mark")
LS_IN_QOS_METER = stage("ls_in_qos_meter")
LS_IN_LB_AFF_CHECK = stage("ls_in_lb_aff_check")
LS_IN_LB = stage("ls_in_lb")
LS_IN_LB_AFF_LEARN = stage("ls_in_lb_aff_learn")
LS_IN_PRE_HAIRPIN = stage("ls_in_pre_hairpin")
LS_IN_NAT_HAIRPIN = stage("ls_in_nat_hairpin")
LS_IN_HAIRPIN = stage("ls_in_hairpin")
LS_IN_ACL_AFTER_LB = stage("ls_in_acl_after_lb")
LS_IN_STATEFUL = stage("ls_in_stateful")
LS_IN_ARP_RSP = stage("ls_in_arp_rsp")
LS_IN_DHCP_OPTIONS = stage("ls_in_dhcp_options")
LS_IN_DHCP_RESPONSE = stage("ls_in_dhcp_response")
LS_IN_DNS_LOOKUP = stage("ls_in_dns_lookup")
LS_IN_DNS_RESPONSE = stage("ls_in_dns_response")
LS_IN_EXTERNAL_PORT = stage("ls_in_external_port")
LS_IN_L2_LKUP = stage("ls_in_l2_lkup")
LS_IN_L2_UNKNOWN = stage("ls_in_l2_unknown")
LS_OUT_PRE_ACL = stage("ls_out_pre_acl")
LS_OUT_PRE_LB = stage("ls_out_pre_lb")
LS_OUT_PRE_STATEFUL = stage("ls_out_pre_stateful")
LS_OUT_ACL_HINT = stage("ls_out_acl_hint")
LS_OUT_ACL = stage("ls_out_acl")
LS_OUT_QOS_MARK = stage("ls_out_qos_mark")
LS_OUT_QOS_METER = stage("ls_out_qos_meter")
LS_OUT_STATEFUL = stage("ls_out_stateful")
LS_OUT_CHECK_PORT_SEC = stage("ls_out_check_port_sec")
LS_OUT_APPLY_PORT_SEC = stage("ls_out_apply_port_sec")
LR_IN_ADMISSION = stage("lr_in_admission")
LR_IN_LOOKUP_NEIGHBOR = stage("lr_in_lookup_neighbor")
LR_IN_LEARN_NEIGHBOR = stage("lr_in_learn_neighbor")
LR_IN_IP_INPUT = stage("lr_in_ip_input")
LR_IN_UNSNAT = stage("lr_in_unsnat")
LR_IN_DEFRAG = stage("lr_in_defrag")
LR_IN_LB_AFF_CHECK = stage("lr_in_lb_aff_check")
LR_IN_DNAT = stage("lr_in_dnat")
LR_IN_LB_AFF_LEARN = stage("lr_in_lb_aff_learn")
LR_IN_ECMP_STATEFUL = stage("lr_in_ecmp_stateful")
LR_IN_ND_RA_OPTIONS = stage("lr_in_nd_ra_options")
LR_IN_ND_RA_RESPONSE = stage("lr_in_nd_ra_response")
LR_IN_IP_ROUTING_PRE = stage("lr_in_ip_routing_pre")
LR_IN_IP_ROUTING = stage("lr_in_ip_routing")
LR_IN_IP_ROUTING_ECMP = stage("lr_in_ip_routing_ecmp")
LR_IN_POLICY = stage("lr_in_policy")
LR_IN_POLICY_ECMP = stage("lr_in_policy_ecmp")
LR_IN_ARP_RESOLVE = stage("lr_in_arp_resolve")
LR_IN_CHK_PKT_LEN = stage("lr_in_chk_pkt_len")
LR_IN_LARGER_PKTS = stage("lr_in_larger_pkts")
LR_IN_GW_REDIRECT = stage("lr_in_gw_redirect")
LR_IN_ARP_REQUEST = stage("lr_in_arp_request")
LR_OUT_CHK_DNAT_LOCAL = stage("lr_out_chk_dnat_local")
LR_OUT_UNDNAT = stage("lr_out_undnat")
LR_OUT_POST_UNDNAT = stage("lr_out_post_undnat")
LR_OUT_SNAT = stage("lr_out_snat")
LR_OUT_POST_SNAT = stage("lr_out_post_snat")
LR_OUT_EGR_LOOP = stage("lr_out_egr_loop")
LR_OUT_DELIVERY = stage("lr_out_delivery")
