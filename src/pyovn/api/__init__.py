"""pyovn.api: OVSDB commands in the shape of ovsdbapp, on pyovn's own OVSDB client.

Layout (each module's docstring says how it works):

* ``base`` — :class:`Command`, :class:`Api`, transactions (per thread/task by construction),
  commit with retry on TRY_AGAIN, the verb registry.
* ``errors`` — the error table (InvalidArgument, RowNotFound, AlreadyExists, CommitFailed).
* ``checks`` — argument checks and the command shapes many verbs share.
* ``db`` — the generic db_* verbs (every database).
* ``nb`` (+ ``nb_switch``, ``nb_acl``, ``nb_router``, ``nb_misc``) — :class:`OvnNbApi`.
* ``sb`` — :class:`OvnSbApi`;  ``ovs`` — :class:`OvsApi`.

Use::

    from pyovn.api import OvnNbApi

    api = OvnNbApi("unix:/run/ovn/ovnnb_db.sock")
    with api.transaction(check_error=True) as txn:
        sw = txn.add(api.ls_add("sw0"))
        txn.add(api.lsp_add("sw0", "p1", addresses=["00:00:00:00:00:01 10.0.0.1"]))
    print(sw.result.uuid)
    api.acl_add("sw0", "to-lport", 1001, "ip4", "drop").execute(check_error=True)
"""

from pyovn.api.base import Api, ApiTransaction, Command, RunContext, verb
from pyovn.api.errors import (
    AlreadyExists,
    ApiError,
    CommitFailed,
    DuplicateRow,
    InvalidArgument,
    NotUnique,
    RowNotFound,
)
from pyovn.api.nb import OvnNbApi
from pyovn.api.ovs import OvsApi
from pyovn.api.sb import OvnSbApi

__all__ = [
    "AlreadyExists",
    "Api",
    "ApiError",
    "ApiTransaction",
    "Command",
    "CommitFailed",
    "DuplicateRow",
    "InvalidArgument",
    "NotUnique",
    "OvnNbApi",
    "OvnSbApi",
    "OvsApi",
    "RowNotFound",
    "RunContext",
    "verb",
]
