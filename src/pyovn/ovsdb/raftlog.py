"""The clustered (Raft) database file format of ovsdb(5), for a cluster of one server.

A clustered file is a sequence of records like a standalone one (see :mod:`storage`) but with
the magic ``CLUSTER``.  The first record is the *header*: the server's id (``server_id``), the
cluster's (``cluster_id``), the database ``name``, the server's ``local_address`` and the
snapshot the log starts from: ``prev_index``, ``prev_term``, ``prev_eid``, ``prev_servers``
(server id -> address), ``prev_data`` (``[schema | null, data | null]``) and optionally
``prev_election_timer``.  Every later record is one of

* a log entry ``{"term", "index", ["data", "eid"], ["servers"], ["election_timer"]}`` where
  ``data`` is ``[schema | null, transaction record | null]`` and ``eid`` the transaction's id;
* a term ``{"term"}``, a vote ``{"term", "vote": sid}``, a leader ``{"term", "leader": sid}``;
* ``{"commit_index"}`` or a ``{"note"}``, any of them with an optional ``comment``.

:class:`Header` and :class:`RaftRecord` parse these (with ovsdb-server's error texts) and write
them back; :class:`RaftState` replays the records as ovsdb-server does when it reads its log
(term and vote bookkeeping, log truncation by a record that rewrites an index, commit index
checks).  A single server is always its own leader, so no election or network traffic is needed:
:class:`RaftStorage` opens the file for a server, makes sure it has exactly one server, starts a
new term as ovsdb-server does (vote for itself, leader record, an empty entry, commit index), then
appends one entry (plus its commit index) per transaction, and compacts by writing a new header
that holds the whole database as its snapshot.  It implements :class:`storage.Storage`, the
interface the server uses (``storage.open_database`` opens a file of either format).
:func:`load` replays a clustered file into a :class:`Database` whose history of transactions
(their ids are the entries' eids) is bounded as ovsdb-server bounds a clustered database's, so
monitor_cond_since can resume across a restart.
"""

from __future__ import annotations

import uuid as uuidlib
from dataclasses import dataclass, field
from typing import Any

from pyovn.ovsdb import storage
from pyovn.ovsdb.database import Database
from pyovn.ovsdb.schema import DatabaseSchema

__all__ = ["RAFT_MAGIC", "HISTORY_LIMIT", "DEFAULT_ELECTION_TIMER", "RaftFormatError",
           "Header", "RaftRecord", "RaftEntry", "RaftState", "RaftStorage", "validate_address",
           "create_cluster", "read_header", "read_log", "load"]

RAFT_MAGIC = storage.CLUSTER_MAGIC
HISTORY_LIMIT = 100              # ovsdb-server keeps at most 100 transactions of history
DEFAULT_ELECTION_TIMER = 1000    # ms, ovsdb-server's default


class RaftFormatError(storage.StorageError):
    """A clustered file whose content is not valid (``kind`` "syntax error" or "ovsdb error")."""

    def __init__(self, message: str, *, path: str | None = None,
                 kind: str = "ovsdb error") -> None:
        super().__init__(message, path=path)
        self.kind = kind


def _is_uuid(s: Any) -> bool:
    if not isinstance(s, str) or len(s) != 36:
        return False
    try:
        uuidlib.UUID(s)
    except ValueError:
        return False
    return True


def new_uuid() -> str:
    return str(uuidlib.uuid4())


class _ObjectParser:
    """Members of one JSON object, checked as OVS's ovsdb_parser checks them: the first problem
    is kept ("Parsing <what> failed: ..."), members nobody asked for are an error at the end."""

    def __init__(self, json: Any, what: str) -> None:
        self.json = json if isinstance(json, dict) else {}
        self.what = what
        self.used: set[str] = set()
        self.error: str | None = None
        if not isinstance(json, dict):
            self.fail("Type mismatch for member 'record'.")

    def fail(self, message: str) -> None:
        if self.error is None:
            self.error = f"Parsing {self.what} failed: {message}"

    def member(self, name: str, types: tuple[type, ...], optional: bool) -> Any:
        if name not in self.json:
            if not optional:
                self.fail(f"Required '{name}' member is missing.")
            return None
        value = self.json[name]
        if isinstance(value, bool) or not isinstance(value, types):
            self.fail(f"Type mismatch for member '{name}'.")
            return None
        self.used.add(name)
        return value

    def uint64(self, name: str, optional: bool = True) -> int:
        v = self.member(name, (int,), optional)
        return v if v is not None else 0

    def string(self, name: str, optional: bool = False) -> str | None:
        return self.member(name, (str,), optional)

    def uuid(self, name: str, optional: bool = False) -> str | None:
        s = self.string(name, optional)
        if s is None:
            return None
        if not _is_uuid(s):
            self.fail(f"{name} is not a valid UUID")
            return None
        return s.lower()

    def servers(self, name: str, optional: bool) -> dict[str, str] | None:
        v = self.member(name, (dict,), optional)
        if v is not None:
            err = servers_error(v)
            if err:
                self.fail(err)
        return v

    def finish(self) -> None:
        if self.error is None:
            unused = [k for k in self.json if k not in self.used]
            if len(unused) == 1:
                self.fail(f"Member '{unused[0]}' is present but not allowed here.")
            elif unused:
                n = len(unused) - 1
                self.fail(f"Member '{unused[0]}' and {n} other member{'s' if n > 1 else ''} "
                          "are present but not allowed here.")
        if self.error is not None:
            raise RaftFormatError(self.error, kind="syntax error")


def servers_error(servers: Any) -> str | None:
    """Why a ``servers`` object (server id -> address) is invalid, or None."""
    if not isinstance(servers, dict):
        return "servers must be JSON object"
    if not servers:
        return "must have at least one server"
    for sid, address in servers.items():
        if not _is_uuid(sid):
            return f"{sid} is not a UUID"
        if not isinstance(address, str):
            return "address is not a JSON string"
        err = address_error(address)
        if err:
            return err
    return None


def address_error(address: str) -> str | None:
    """ovsdb-server's check of a Raft address (``unix:PATH``, ``tcp:HOST:PORT``, ``ssl:...``)."""
    if address.startswith("unix:"):
        return None
    if address.startswith(("tcp:", "ssl:")):
        rest = address[4:]
        host, sep, port = rest.rpartition(":")
        if rest.startswith("[") and "]" in rest:
            host, _, tail = rest[1:].partition("]")
            sep, port = ":" if tail.startswith(":") else "", tail[1:]
        if not rest or (sep and port and not port.isdigit()):
            return f"{address}: syntax error in address"
        return None
    return f'{address}: expected "tcp" or "ssl" address'


def validate_address(address: str) -> None:
    """Raise RaftFormatError unless 'address' is a valid Raft address."""
    err = address_error(address)
    if err:
        raise RaftFormatError(err)


# ---------------------------------------------------------------------------------------------
# Header and records
# ---------------------------------------------------------------------------------------------

@dataclass(slots=True)
class Header:
    """The first record of a clustered file."""

    sid: str
    name: str
    local_address: str
    cid: str | None = None                     # None until a joining server learns it
    remote_addresses: list[str] | None = None  # set only while joining
    snap_index: int = 0
    snap_term: int = 0
    snap_eid: str | None = None
    snap_servers: dict[str, str] | None = None
    snap_data: Any = None                      # [schema | None, data | None]
    snap_election_timer: int = 0

    @property
    def joining(self) -> bool:
        return self.remote_addresses is not None

    @classmethod
    def from_json(cls, json: Any) -> Header:
        p = _ObjectParser(json, "raft header")
        sid = p.uuid("server_id")
        name = p.string("name")
        local = p.string("local_address")
        h = cls(sid or "", name or "", local or "")
        remotes = p.member("remote_addresses", (list,), True)
        if remotes is not None:
            addrs = []
            for a in remotes:
                if not isinstance(a, str):
                    p.fail("address is not a JSON string")
                    break
                err = address_error(a)
                if err:
                    p.fail(err)
                    break
                if a != local and a not in addrs:
                    addrs.append(a)
            if not addrs and p.error is None:
                p.fail("at least one remote address (other than the local address) is "
                       "required")
            h.remote_addresses = addrs
        else:
            h.snap_servers = p.servers("prev_servers", False)
            h.snap_index = p.uint64("prev_index")
            if h.snap_index:
                h.snap_data = p.member("prev_data", (dict, list, str, int, float, type(None)),
                                       False)
                h.snap_eid = p.uuid("prev_eid")
                h.snap_term = p.uint64("prev_term", optional=False)
                h.snap_election_timer = p.uint64("prev_election_timer")
        h.cid = p.uuid("cluster_id", optional=h.joining)
        p.finish()
        return h

    def to_json(self) -> dict[str, Any]:
        j: dict[str, Any] = {"server_id": self.sid}
        if self.cid:
            j["cluster_id"] = self.cid
        j["local_address"] = self.local_address
        j["name"] = self.name
        if self.remote_addresses:
            j["remote_addresses"] = list(self.remote_addresses)
        if self.snap_servers is not None:
            j["prev_servers"] = dict(self.snap_servers)
        if self.snap_index:
            j["prev_index"] = self.snap_index
            j["prev_term"] = self.snap_term
            if self.snap_data is not None:
                j["prev_data"] = self.snap_data
            j["prev_eid"] = self.snap_eid or ZERO_UUID
            if self.snap_election_timer:
                j["prev_election_timer"] = self.snap_election_timer
        return j


ZERO_UUID = "00000000-0000-0000-0000-000000000000"

ENTRY, TERM, VOTE, NOTE, COMMIT_INDEX, LEADER = (
    "entry", "term", "vote", "note", "commit_index", "leader")


@dataclass(slots=True)
class RaftRecord:
    """A record after the header: ``kind`` is one of entry, term, vote, note, commit_index,
    leader."""

    kind: str
    term: int = 0
    index: int = 0
    data: Any = None
    eid: str | None = None
    servers: dict[str, str] | None = None
    election_timer: int = 0
    sid: str | None = None          # vote / leader
    note: str | None = None
    commit_index: int = 0
    comment: str | None = None

    @classmethod
    def from_json(cls, json: Any) -> RaftRecord:
        p = _ObjectParser(json, "raft log record")
        comment = p.string("comment", optional=True)
        note = p.string("note", optional=True)
        if note is not None:
            r = cls(NOTE, note=note, comment=comment)
            p.finish()
            return r
        ci = p.uint64("commit_index")
        if ci:
            r = cls(COMMIT_INDEX, commit_index=ci, comment=comment)
            p.finish()
            return r
        term = p.uint64("term", optional=False)
        r = cls(TERM, term=term, comment=comment)
        leader = p.uuid("leader", optional=True)
        vote = None if leader else p.uuid("vote", optional=True)
        if leader is not None:
            r.kind, r.sid = LEADER, leader
            if leader == ZERO_UUID:
                p.fail("record says leader is all-zeros SID")
        elif vote is not None:
            r.kind, r.sid = VOTE, vote
            if vote == ZERO_UUID:
                p.fail("record votes for all-zeros SID")
        else:
            r.index = p.uint64("index")
            if r.index:
                r.kind = ENTRY
                r.servers = p.servers("servers", True)
                r.election_timer = p.uint64("election_timer")
                r.data = p.member("data", (dict, list), True)
                if r.data is not None:
                    r.eid = p.uuid("eid")
        p.finish()
        return r

    def to_json(self) -> dict[str, Any]:
        j: dict[str, Any] = {}
        if self.comment:
            j["comment"] = self.comment
        k = self.kind
        if k == ENTRY:
            j["term"] = self.term
            j["index"] = self.index
            if self.data is not None:
                j["data"] = self.data
            if self.servers is not None:
                j["servers"] = self.servers
            if self.election_timer:
                j["election_timer"] = self.election_timer
            if self.eid and self.eid != ZERO_UUID:
                j["eid"] = self.eid
        elif k == TERM:
            j["term"] = self.term
        elif k in (VOTE, LEADER):
            j["term"] = self.term
            j[k] = self.sid
        elif k == NOTE:
            j["note"] = self.note
        elif k == COMMIT_INDEX:
            j["commit_index"] = self.commit_index
        return j


def entry_record(term: int, index: int, data: Any = None, eid: str | None = None) -> dict:
    """The JSON of a log entry record (``data`` None: an entry without data, e.g. a new
    leader's first)."""
    j: dict[str, Any] = {"term": term, "index": index}
    if data is not None:
        j["data"] = data
        j["eid"] = eid or new_uuid()
    return j


@dataclass(slots=True)
class RaftEntry:
    """One entry of the in-memory log."""

    term: int
    data: Any = None
    eid: str | None = None
    servers: dict[str, str] | None = None
    election_timer: int = 0


# ---------------------------------------------------------------------------------------------
# Replaying a log
# ---------------------------------------------------------------------------------------------

@dataclass
class RaftState:
    """The state a server rebuilds from its clustered file."""

    header: Header
    term: int = 0
    vote: str | None = None
    commit_index: int = 0
    log_start: int = 1
    entries: list[RaftEntry] = field(default_factory=list)
    n_records: int = 1    # records read, the header included

    @classmethod
    def from_header(cls, h: Header) -> RaftState:
        state = cls(h)
        if not h.joining:
            state.log_start = h.snap_index + 1
            state.commit_index = h.snap_index
            state.term = h.snap_term
        return state

    @property
    def log_end(self) -> int:
        return self.log_start + len(self.entries)

    def apply(self, rec_idx: int, r: RaftRecord) -> None:
        """Apply one record as ovsdb-server does when it reads its log."""
        if r.term > self.term:
            self.term = r.term
            self.vote = None
        if r.kind == ENTRY:
            if r.index < self.commit_index:
                raise RaftFormatError(
                    f"record {rec_idx} attempts to truncate log from {self.log_end} to "
                    f"{r.index} entries, but commit index is already {self.commit_index}")
            if r.index > self.log_end:
                raise RaftFormatError(f"record {rec_idx} with index {r.index} skips past "
                                      f"expected index {self.log_end}")
            if r.index < self.log_end:
                del self.entries[r.index - self.log_start:]
            prev_term = self.entries[-1].term if self.entries else self.header.snap_term
            if r.term < prev_term:
                raise RaftFormatError(f"record {rec_idx} with index {r.index} term {r.term} "
                                      f"precedes previous entry's term {prev_term}")
            self.entries.append(RaftEntry(r.term, r.data, r.eid, r.servers, r.election_timer))
        elif r.kind == VOTE:
            if r.term < self.term:
                raise RaftFormatError(f"record {rec_idx} votes for term {r.term} but current "
                                      f"term is {self.term}")
            if self.vote is not None and self.vote != r.sid:
                raise RaftFormatError(
                    f"record {rec_idx} votes for {self.vote[:4]} in term {r.term} but a "
                    f"previous record for the same term voted for {(r.sid or '')[:4]}")
            self.vote = r.sid
        elif r.kind == NOTE:
            if r.note == "left":
                raise RaftFormatError(
                    f"record {rec_idx} indicates server has left the cluster; it cannot be "
                    'added back (use "ovsdb-tool join-cluster" to add a new server)')
        elif r.kind == COMMIT_INDEX:
            if r.commit_index < self.commit_index:
                raise RaftFormatError(f"record {rec_idx} regresses commit index from "
                                      f"{self.commit_index} to {r.commit_index}")
            if r.commit_index >= self.log_end:
                raise RaftFormatError(f"record {rec_idx} advances commit index to "
                                      f"{r.commit_index} but last log index is "
                                      f"{self.log_end - 1}")
            self.commit_index = r.commit_index

    def servers(self) -> dict[str, str]:
        """The latest server configuration (the last entry that has one, else the snapshot's)."""
        for e in reversed(self.entries):
            if e.servers is not None:
                return e.servers
        return self.header.snap_servers or {}

    def election_timer(self) -> int:
        for e in reversed(self.entries):
            if e.election_timer:
                return e.election_timer
        return self.header.snap_election_timer or DEFAULT_ELECTION_TIMER

    def last_eid(self) -> str:
        """The eid of the last entry with data (or the snapshot's): the database's version."""
        for e in reversed(self.entries):
            if e.data is not None:
                return e.eid or ZERO_UUID
        return self.header.snap_eid or ZERO_UUID

    def last_term(self) -> int:
        return self.entries[-1].term if self.entries else self.header.snap_term

    def commits(self) -> list[tuple[Any, Any, str]]:
        """What the database replays, in order: (schema | None, transaction | None, eid) for the
        snapshot and for every entry with data."""
        out: list[tuple[Any, Any, str]] = []
        h = self.header
        items: list[tuple[Any, str | None]] = []
        if h.snap_index and h.snap_data is not None:
            items.append((h.snap_data, h.snap_eid))
        items.extend((e.data, e.eid) for e in self.entries if e.data is not None)
        for data, eid in items:
            if not isinstance(data, list) or len(data) != 2:
                raise RaftFormatError("invalid commit format")
            schema, txn = data
            if schema is None and txn is None:
                continue
            out.append((schema, txn, eid or ZERO_UUID))
        return out


def read_header(path: str) -> Header:
    """The header of clustered file 'path' (FileFormatError "not a clustered database" for a
    standalone file)."""
    storage.check_magic(path, RAFT_MAGIC)
    with open(path, "rb") as f:
        for rec in storage.iter_records(f, path, magic=RAFT_MAGIC):
            return _header(rec.json, path)
    raise storage.FileFormatError(f"{path}: cannot identify file type", path=path)


def _header(json: Any, path: str) -> Header:
    try:
        return Header.from_json(json)
    except RaftFormatError as e:
        e.path = path
        raise


def read_log(records: Any, path: str) -> RaftState:
    """Replay the records of a clustered file (an iterable of storage.Record, header first)."""
    it = iter(records)
    first = next(it, None)
    if first is None:
        raise storage.FileFormatError(f"{path}: cannot identify file type", path=path)
    h = _header(first.json, path)
    state = RaftState.from_header(h)
    for i, rec in enumerate(it, 1):
        state.n_records += 1
        try:
            state.apply(i, RaftRecord.from_json(rec.json))
        except RaftFormatError as e:
            raise RaftFormatError(f"error reading record {i} from {h.name} log: {e.message}",
                                  path=path, kind=e.kind) from None
    return state


# ---------------------------------------------------------------------------------------------
# Creating a cluster
# ---------------------------------------------------------------------------------------------

def create_cluster(path: str, name: str, local_address: str, snapshot: list[Any], *,
                   election_timer: int = 0, sid: str | None = None,
                   cid: str | None = None) -> Header:
    """Create clustered file 'path' for a new one-server cluster whose log starts with
    'snapshot' (``[schema, data]``) at index 1, term 1, as ``ovsdb-tool create-cluster``
    does.  Fails if the file exists."""
    validate_address(local_address)
    if election_timer:
        check_election_timer(election_timer)
    sid = sid or new_uuid()
    h = Header(sid=sid, cid=cid or new_uuid(), name=name, local_address=local_address,
               snap_index=1, snap_term=1, snap_eid=new_uuid(),
               snap_servers={sid: local_address}, snap_data=snapshot)
    storage.create(path, h.to_json(), magic=RAFT_MAGIC)
    if election_timer:
        with storage.LogFile.open(path, magic=RAFT_MAGIC) as log:
            log.append(RaftRecord(ENTRY, term=1, index=2,
                                  election_timer=election_timer).to_json())
            log.commit(durable=True)
    return h


def check_election_timer(ms: int) -> None:
    """ovsdb-server's limits on the election timer."""
    if ms < 100 or ms > 600000:
        raise RaftFormatError("election timer must be between 100 and 600000, in msec.")


# ---------------------------------------------------------------------------------------------
# The file as a one-server cluster's leader uses it
# ---------------------------------------------------------------------------------------------

class RaftStorage:
    """An open clustered file of a one-server cluster, with :class:`storage.LogFile`'s interface
    for the server.  Open it with :meth:`open`, replay :meth:`commits`, then :meth:`start`
    (a new term in which this server leads) before the first :meth:`append`."""

    n_written = 0    # see n_read

    def __init__(self, log: storage.LogFile, state: RaftState) -> None:
        self.log = log
        self.path = log.path
        self.state = state
        h = state.header
        self.sid = h.sid
        self.cid = h.cid
        self.name = h.name
        self.local_address = h.local_address
        self.damage = log.damage
        self._last_eid = state.last_eid()
        self._last_term = state.last_term()
        self._servers = state.servers()
        self._election_timer = state.election_timer()
        self._log_start = state.log_start
        self._log_end = state.log_end

    @classmethod
    def open(cls, path: str, *, sync: bool = True) -> RaftStorage:
        """Open and replay clustered file 'path'; raises StorageError unless it is a valid
        clustered file of a one-server cluster this server belongs to."""
        log = storage.LogFile.open(path, sync=sync, magic=RAFT_MAGIC)
        header_end = 0

        def read() -> Any:
            nonlocal header_end
            for rec in log.read():
                if not header_end:
                    header_end = rec.end
                yield rec
        try:
            state = read_log(read(), path)
            log.base = header_end    # ovsdb-server's base for "grew lots": after the header
            h = state.header
            if h.joining:
                raise storage.StorageError(
                    f"pyovn serves only single-server clusters: {path} has not joined its "
                    "cluster yet", path=path)
            servers = state.servers()
            if len(servers) != 1:
                raise storage.StorageError(
                    f"pyovn serves only single-server clusters: {path} has {len(servers)} "
                    "servers", path=path)
            if h.sid not in servers:
                raise storage.StorageError(
                    f"{path}: server {h.sid[:4]} is not a member of its cluster", path=path)
        except BaseException:
            log.close()
            raise
        return cls(log, state)

    # -- reading ----------------------------------------------------------------------------------
    def commits(self) -> list[tuple[Any, Any, str]]:
        return self.state.commits()

    @property
    def term(self) -> int:
        return self.state.term

    @property
    def applied_index(self) -> int:
        """The index of the last entry (all of them are committed and applied)."""
        return self._log_end - 1

    # -- writing ----------------------------------------------------------------------------------
    def start(self) -> None:
        """Begin a new term led by this server, as ovsdb-server does when it starts: vote for
        itself, record itself as leader, append an entry without data and commit it."""
        term = self.state.term + 1
        index = self._log_end
        self.log.append_records([
            RaftRecord(VOTE, term=term, sid=self.sid).to_json(),
            RaftRecord(LEADER, term=term, sid=self.sid).to_json(),
            entry_record(term, index),
            {"commit_index": index},
        ])
        self.log.commit(durable=True)
        self.state.term = term
        self.state.vote = self.sid
        self._last_term = term
        self._log_end = index + 1
        self.state.entries = []    # replayed already; only counters are kept from here on
        self.state.log_start = self._log_end

    def append(self, record: dict[str, Any], *, txn_id: str | None = None) -> int:
        """Append one transaction (a standalone-format record) as a log entry with eid
        'txn_id', and its commit index; returns the entry's offset."""
        index = self._log_end
        eid = txn_id or new_uuid()
        offset = self.log.append_records([
            entry_record(self.state.term, index, [None, record], eid),
            {"commit_index": index},
        ])
        self._log_end = index + 1
        self._last_eid = eid
        self._last_term = self.state.term
        return offset

    def append_records(self, records: list[dict[str, Any]], *,
                       txn_ids: list[str | None] | None = None) -> int:
        """Append several transactions, one entry each (eids from 'txn_ids'); returns the
        offset of the first."""
        offset = -1
        for i, record in enumerate(records):
            at = self.append(record, txn_id=txn_ids[i] if txn_ids is not None else None)
            if offset < 0:
                offset = at
        return offset

    def commit(self, *, durable: bool = False) -> None:
        self.log.commit(durable=durable)

    def compact(self, schema: dict[str, Any], snapshot: dict[str, Any]) -> None:
        """``Storage.compact``: a new header with the database as its snapshot."""
        self.replace([schema, snapshot])

    def history(self, db: Database, requested: int) -> tuple[bool, str]:
        """``Storage.history``: the history :func:`load` bounded as ovsdb-server bounds a
        clustered database's, whatever the server asks; its ids are the entries' eids."""
        return True, db.last_txn_id or ZERO_UUID

    def server_columns(self) -> dict[str, Any]:
        return {"model": "clustered", "cid": ["uuid", self.cid], "sid": ["uuid", self.sid],
                "index": self.applied_index}

    def live_server_columns(self) -> dict[str, Any]:
        return {"index": self.applied_index}

    def replace(self, records: list[dict[str, Any]]) -> None:
        """Compaction: 'records' is ``[schema, snapshot]`` (as for a standalone file); the new
        file is a header holding them as the snapshot at the last index, and the vote."""
        schema, data = records[0], (records[1] if len(records) > 1 else {})
        new = Header(sid=self.sid, cid=self.cid, name=self.name,
                     local_address=self.local_address, snap_index=self._log_end - 1,
                     snap_term=self._last_term, snap_eid=self._last_eid,
                     snap_servers=dict(self._servers), snap_data=[schema, data],
                     snap_election_timer=self._election_timer)
        state_rec = (RaftRecord(VOTE, term=self.state.term, sid=self.state.vote)
                     if self.state.vote else RaftRecord(TERM, term=self.state.term))
        self.log.replace([new.to_json(), state_rec.to_json()])
        self.state.header = new
        self._log_start = self._log_end

    # -- sizes, for the compaction policy ---------------------------------------------------------
    @property
    def n_read(self) -> int:
        """Entries in the log since the snapshot (ovsdb-server's log length; with
        ``n_written`` always 0 here, ``n_read + n_written`` is that length)."""
        return self._log_end - self._log_start

    @property
    def offset(self) -> int:
        return self.log.offset

    @property
    def base(self) -> int:
        return self.log.base

    def size(self) -> int:
        return self.log.size()

    def grew_lots(self) -> bool:
        return storage.grew_lots(self.log.offset, self.log.base)

    def close(self) -> None:
        self.log.close()


def load(path: str, *, sync: bool = True, start: bool = True) -> tuple[Database, RaftStorage]:
    """Open clustered file 'path', replay it into a Database (history on, bounded as
    ovsdb-server bounds it, the transaction ids being the entries' eids) and, with 'start',
    begin this server's term.  Returns the database and the open storage."""
    rs = RaftStorage.open(path, sync=sync)
    try:
        db = replay(rs.commits(), rs.name, path)
        if start:
            rs.start()
    except BaseException:
        rs.close()
        raise
    return db, rs


def replay(commits: list[tuple[Any, Any, str]], name: str | None, path: str) -> Database:
    """Build the database from (schema | None, transaction | None, eid) commits."""
    db: Database | None = None
    for schema_json, txn, eid in commits:
        if schema_json is not None:
            schema = DatabaseSchema.from_json(schema_json)
            if name is not None and schema.name != name:
                raise RaftFormatError(f"name {name} in header does not match name "
                                      f"{schema.name} in schema", path=path)
            db = Database(schema)
            db.set_history_limit(HISTORY_LIMIT, by_atoms=True)
            db.defer_prune = True
        if txn is not None:
            if db is None:
                raise RaftFormatError(f"{path}: data without schema", path=path)
            db.apply_record(txn, txn_id=eid)
    if db is None:
        raise RaftFormatError(f"{path}: database has no schema", path=path)
    db.defer_prune = False
    db.prune_history()
    return db
