"""What northd, trace and the datapath share about the logical pipelines.

``stages``: the ordered stage lists of OVN 23.03 (a stage's table number is its position).
"""
