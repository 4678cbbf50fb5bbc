"""pyovn's ovn-controller: the chassis' control plane over pyovn's datapath.

Layout (each module's docstring says how it works):

* ``dpif`` — the :class:`~pyovn.controller.dpif.Datapath` protocol: what the controller needs
  from the packet datapath (ports, bindings, the Southbound model it feeds, readiness,
  learning);
* ``config`` — the chassis configuration from the Open_vSwitch row's external_ids, and the
  Chassis.other_config it implies;
* ``ovs`` — ovn-controller's own writes to the local database (integration bridge,
  ovn-installed, ovn-nb-cfg);
* ``vswitch`` — ovs-vswitchd's part of the local database, played for the datapath
  (interfaces -> datapath ports, ofport/error/status, cur_cfg);
* ``chassis`` — Chassis, Encap and Chassis_Private rows;
* ``binding`` — which Port_Bindings are bound here, claims and releases, local datapaths;
* ``monitor`` — the Southbound monitor conditions for the local datapaths;
* ``learn`` — MAC_Binding / FDB rows from what the datapath learnt;
* ``ops`` — raw OVSDB operation builders;
* ``memo`` — what was derived from a row snapshot, kept while the snapshot is unchanged;
* ``daemon`` — :class:`~pyovn.controller.daemon.Controller`, the main loop over both IDLs.

Everything but ``daemon`` is pure: replicas in, operations out (the vswitchd role also calls
the datapath).  ``pyovn controller`` (``pyovn.cli.controller``) is the command line.
"""

from pyovn.controller.daemon import Controller
from pyovn.controller.dpif import Datapath, LearntFdb, LearntMacBinding, LearntVirtualParent

__all__ = ["Controller", "Datapath", "LearntFdb", "LearntMacBinding", "LearntVirtualParent"]
