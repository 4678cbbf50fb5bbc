"""The standalone database file format of ovsdb(5): read, append, compact, fsync.

A file is a sequence of records, each two lines::

    OVSDB JSON <length> <sha1 hex of the second line, LF included>\\n
    <one JSON object, no raw LF inside>\\n

The first record is the schema, every later one a transaction
``{table: {uuid: row | null}, "_date": ms, "_comment": str, "_is_diff": true}`` (see
docs/CONTRACTS.md).  This module works on raw JSON dicts only; ``pyovn.ovsdb.database`` turns them
into change sets and back.

Reading (:func:`iter_records`) checks every header, length and SHA-1 and stops at the first damaged
record with a :class:`CorruptRecordError` that says where the intact data ends and whether the
damage is at the tail of the file (a torn write: nothing after it) or in the middle.
:class:`LogFile` is the file as ovsdb-server uses it: it reads the records, keeps the offset of
the end of the last good one, and truncates there before its first append, as ovsdb-server does.
Damage at the tail is recovered that way; damage in the middle raises unless the caller asks for
ovsdb-server's own behaviour (``recover="all"``: keep what reads cleanly, drop the rest).

Compaction (:meth:`LogFile.replace`) writes the new records to ``<file>.tmp`` in the same
directory, fsyncs it, renames it over the original and fsyncs the directory, so a crash leaves
either the old or the new file.  The writer holds ovsdb-server's lock file (``.<name>.~lock~``,
an fcntl write lock) so pyovn and the real ovsdb-server / ovsdb-tool never write one file at the
same time.
:func:`should_compact` is ovsdb-server's automatic compaction policy as a pure function.

:class:`Storage` is what a server needs of a database file of either format (append, fsync,
compact, the transaction history for monitor_cond_since, its ``_Server.Database`` columns);
:class:`LogFile` implements it for a standalone file, :class:`pyovn.ovsdb.raftlog.RaftStorage`
for a clustered one, and :func:`open_database` opens a file of either format (reading its magic) and
replays it into a :class:`~pyovn.ovsdb.database.Database`.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import os
import random
import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, BinaryIO, Literal, Protocol

import orjson

if TYPE_CHECKING:
    from pyovn.ovsdb.database import Database

MAGIC = "JSON"
CLUSTER_MAGIC = "CLUSTER"
ZERO_UUID = "00000000-0000-0000-0000-000000000000"

# A header is ~60 bytes; anything much longer is not a header (ovsdb-server reads at most 127).
_MAX_HEADER = 128
_HEADER_RE = re.compile(rb"OVSDB ([^ \n]+) ([0-9]+) ([0-9a-fA-F]{40})\n\Z")

# ovsdb-server's compaction policy (ovsdb-server(1) "ovsdb-server/compact", storage facts of 3.1).
COMPACT_MIN_BYTES = 10 * 1024 * 1024
COMPACT_MIN_RECORDS = 100
COMPACT_BASE_MS = 10 * 60 * 1000
COMPACT_RANGE_MS = 10 * 60 * 1000
COMPACT_MAX_MS = 24 * 60 * 60 * 1000


class StorageError(Exception):
    """A database file problem.  ``kind`` is the ovsdb error class the real tools print
    ("I/O error", "syntax error", "ovsdb error"); ``str()`` is the message with the file name."""

    kind = "ovsdb error"

    def __init__(self, message: str, *, path: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path


class StorageIOError(StorageError):
    kind = "I/O error"

    def __init__(self, message: str, *, path: str | None = None, err: int | None = None) -> None:
        if err is not None:
            message = f"{message} ({os.strerror(err)})"
        super().__init__(message, path=path)
        self.errno = err


class FileFormatError(StorageError):
    """Not an OVSDB file at all (bad first line, empty file)."""


class ClusteredDatabaseError(StorageError):
    """The file is in the clustered (Raft) format where a standalone file is expected (pyovn
    serves one-server clusters through pyovn.ovsdb.raftlog)."""

    def __init__(self, path: str) -> None:
        super().__init__(f"{path}: clustered databases are not supported", path=path)


class CorruptRecordError(StorageError):
    """A record that cannot be read.  ``offset`` is where it starts, i.e. where the intact part of
    the file ends; ``tail`` is true when nothing follows it (a torn last write)."""

    def __init__(self, message: str, *, path: str, offset: int, tail: bool, kind: str) -> None:
        super().__init__(message, path=path)
        self.offset = offset
        self.tail = tail
        self.kind = kind


@dataclass(frozen=True, slots=True)
class Record:
    """One record: its JSON object and where it lies in the file (``offset`` of its header,
    ``end`` just past its data line)."""

    offset: int
    end: int
    json: dict[str, Any]


def encode_record(record: dict[str, Any], magic: str = MAGIC) -> bytes:
    """The bytes of one record, header and data line."""
    data = orjson.dumps(record, option=orjson.OPT_APPEND_NEWLINE)
    sha1 = hashlib.sha1(data).hexdigest()
    return f"OVSDB {magic} {len(data)} {sha1}\n".encode() + data


def read_magic(path: str) -> str:
    """The magic word of the file's first header ("JSON" or "CLUSTER").

    Raises StorageIOError if the file cannot be opened, FileFormatError if it is empty or its
    first line is not an OVSDB record header."""
    try:
        with open(path, "rb") as f:
            line = f.readline(_MAX_HEADER)
    except OSError as e:
        raise StorageIOError(f"{path}: open failed", path=path, err=e.errno) from None
    if not line:
        raise FileFormatError(f"{path}: cannot identify file type", path=path)
    m = _HEADER_RE.match(line)
    if not m or int(m.group(2)) == 0:
        raise FileFormatError(f"{path}: unexpected file format", path=path)
    return m.group(1).decode("ascii", "replace")


def _tail_has_header(stream: BinaryIO, start: int) -> bool:
    """Whether any later line of the file looks like a record header (so damage at 'start' is in
    the middle of the file, not a torn last write)."""
    stream.seek(start)
    rest = stream.read()
    return any(_HEADER_RE.match(line + b"\n") for line in rest.split(b"\n")[1:])


def iter_records(
    stream: BinaryIO, path: str, *, magic: str = MAGIC, start: int = 0
) -> Iterator[Record]:
    """Yield the records of 'stream' from offset 'start', checking each one.

    Raises CorruptRecordError at the first record that is torn, has a bad header, a wrong SHA-1,
    invalid JSON or is not a JSON object; the messages are ovsdb-server's."""
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(start)
    offset = start
    while True:
        header = stream.readline(_MAX_HEADER)
        if not header:
            return
        m = _HEADER_RE.match(header)
        if not m or m.group(1).decode("ascii", "replace") != magic or int(m.group(2)) == 0:
            shown = header.split(b"\n", 1)[0].decode("utf-8", "replace")
            tail = not header.endswith(b"\n") or not _tail_has_header(stream, offset)
            raise CorruptRecordError(
                f'{path}: parse error at offset {offset} in header line "{shown}"',
                path=path, offset=offset, tail=tail, kind="syntax error",
            )
        length = int(m.group(2))
        data_offset = offset + len(header)
        end = data_offset + length
        data = stream.read(length)
        if len(data) < length:
            raise CorruptRecordError(
                f"{path}: error reading {length} bytes starting at offset {data_offset}"
                " (End of file)",
                path=path, offset=offset, tail=True, kind="I/O error",
            )
        tail = end >= size
        actual = hashlib.sha1(data).hexdigest()
        expected = m.group(3).decode().lower()
        if actual != expected:
            raise CorruptRecordError(
                f"{path}: {length} bytes starting at offset {data_offset} have SHA-1 hash"
                f" {actual} but should have hash {expected}",
                path=path, offset=offset, tail=tail, kind="syntax error",
            )
        try:
            value = orjson.loads(data)
        except orjson.JSONDecodeError as e:
            raise CorruptRecordError(
                f"{path}: {length} bytes starting at offset {data_offset} are not valid JSON"
                f" ({e})",
                path=path, offset=offset, tail=tail, kind="syntax error",
            ) from None
        if not isinstance(value, dict):
            raise CorruptRecordError(
                f"{path}: {length} bytes starting at offset {data_offset} are not a JSON object",
                path=path, offset=offset, tail=tail, kind="syntax error",
            )
        yield Record(offset, end, value)
        offset = end


def read_file(path: str) -> list[Record]:
    """All records of the standalone database 'path'; any damage raises (as ovsdb-tool does)."""
    check_standalone(path)
    with open(path, "rb") as f:
        return list(iter_records(f, path))


def check_standalone(path: str) -> None:
    """Raise unless 'path' is a standalone database file (ClusteredDatabaseError for a clustered
    one, FileFormatError / StorageIOError otherwise)."""
    magic = read_magic(path)
    if magic == CLUSTER_MAGIC:
        raise ClusteredDatabaseError(path)
    if magic != MAGIC:
        raise FileFormatError(f"{path}: cannot identify file type", path=path)


def check_magic(path: str, magic: str) -> None:
    """Raise unless the records of 'path' carry 'magic' (see :func:`check_standalone`; a
    standalone file where a clustered one is expected is "not a clustered database")."""
    if magic == MAGIC:
        check_standalone(path)
        return
    actual = read_magic(path)
    if actual != magic:
        what = "not a clustered database" if magic == CLUSTER_MAGIC else "unexpected file format"
        raise FileFormatError(f"{path}: {what}", path=path)


def lock_file_name(path: str) -> str:
    """ovsdb-server's lock file for 'path': ``.<name>.~lock~`` next to the symlink's target."""
    real = os.path.realpath(path)
    head, tail = os.path.split(real)
    return os.path.join(head, f".{tail}.~lock~")


def acquire_lock(path: str) -> int:
    """Take ovsdb-server's write lock for 'path' without waiting; returns the lock file's fd
    (close it to unlock).  Raises StorageIOError if another process holds it."""
    name = lock_file_name(path)
    fd = os.open(name, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        # fcntl(F_SETLK, F_WRLCK) on the whole file: the same lock ovsdb-server and ovsdb-tool take.
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as e:
        os.close(fd)
        err = errno.EAGAIN if e.errno == errno.EACCES else e.errno
        raise StorageIOError(f"{path}: failed to lock lockfile", path=path, err=err) from None
    return fd


def fsync_dir(path: str) -> None:
    """fsync the directory holding 'path', so a create or rename in it is durable."""
    fd = os.open(os.path.dirname(os.path.abspath(path)) or ".", os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def create(path: str, schema_json: dict[str, Any], *, lock: bool = True,
           magic: str = MAGIC) -> None:
    """Create standalone database 'path' holding only 'schema_json' (an empty database).
    Fails if the file exists, like ``ovsdb-tool create``.  (With ``magic=CLUSTER_MAGIC`` the
    one record is a clustered file's header instead: see pyovn.ovsdb.raftlog.)"""
    lock_fd = acquire_lock(path) if lock else None
    try:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o640)
        except OSError as e:
            raise StorageIOError(f"{path}: create failed", path=path, err=e.errno) from None
        try:
            write_all(fd, encode_record(schema_json, magic))
            os.fsync(fd)
        finally:
            os.close(fd)
        fsync_dir(path)
    finally:
        if lock_fd is not None:
            os.close(lock_fd)


def write_all(fd: int, data: bytes) -> None:
    """os.write until all of 'data' is written (a write may be short)."""
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


class Storage(Protocol):
    """An open database file as the server uses it, whatever its format.

    Records are the standalone format's (docs/CONTRACTS.md "Storage records"), whichever way the
    file stores them.  ``append_records`` writes several transactions in one go (``txn_ids``:
    their transaction ids, which a clustered file keeps as its entries' eids); nothing is
    durable before ``commit`` (fsync when the file was opened with ``sync`` or ``durable``
    asks).  ``compact(schema, snapshot)`` replaces the file by the database as it is now;
    ``offset``, ``base`` and ``n_read + n_written`` feed :func:`should_compact`.  ``history``
    sets up the transactions the database keeps for monitor_cond_since (``requested``: the
    server's own limit, for a file that has none) and says whether the server uses them and
    the transaction id to announce first.  ``server_columns`` are the file's columns of its
    ``_Server.Database`` row (``model``, and for a cluster ``cid``, ``sid``, ``index``);
    ``live_server_columns`` those of them that change with every write (empty: none).
    ``damage``: a damaged tail found on reading (and dropped), to report."""

    path: str
    damage: Any

    @property
    def offset(self) -> int: ...
    @property
    def base(self) -> int: ...
    @property
    def n_read(self) -> int: ...
    @property
    def n_written(self) -> int: ...

    def append_records(self, records: list[dict[str, Any]], *,
                       txn_ids: list[str | None] | None = None) -> int: ...
    def commit(self, *, durable: bool = False) -> None: ...
    def compact(self, schema: dict[str, Any], snapshot: dict[str, Any]) -> None: ...
    def history(self, db: Database, requested: int) -> tuple[bool, str]: ...
    def server_columns(self) -> dict[str, Any]: ...
    def live_server_columns(self) -> dict[str, Any]: ...
    def close(self) -> None: ...


def memory_history(db: Database, requested: int) -> tuple[bool, str]:
    """``Storage.history`` of a standalone file or a database without one: the server's limit
    (``--txn-history``; none by default, as ovsdb-server keeps none for such a database)."""
    db.history = deque(db.history, maxlen=requested)
    return requested > 0, ZERO_UUID


def open_database(path: str, *, sync: bool = True) -> tuple[Database, Storage]:
    """Open database file 'path' of either format (its magic says which), replay it and return
    the database and the open file, ready to append to.  A clustered file must be one of a
    one-server cluster (:func:`pyovn.ovsdb.raftlog.load`, which starts this server's term).
    Raises StorageError."""
    if read_magic(path) == CLUSTER_MAGIC:
        from pyovn.ovsdb import raftlog
        return raftlog.load(path, sync=sync)
    from pyovn.ovsdb.database import Database
    from pyovn.ovsdb.schema import DatabaseSchema
    log = LogFile.open(path, sync=sync)
    try:
        records = log.read()
        first = next(records, None)
        if first is None:
            raise StorageError(f"{path}: cannot read schema: file is empty", path=path)
        db = Database(DatabaseSchema.from_json(first.json))
        for rec in records:
            db.apply_record(rec.json)
    except BaseException:
        log.close()
        raise
    return db, log


class LogFile:
    """An open standalone database file.

    Typical use, as a server does it::

        log = LogFile.open(path)             # locks, checks the magic
        for rec in log.read():               # records[0] is the schema
            ...
        log.append(txn_record); log.commit() # truncates a damaged tail first
        log.replace([schema, snapshot])      # compaction

    ``sync``: when true (the default) :meth:`commit` fdatasyncs every time; when false only when
    asked (``commit(durable=True)``), which is what ovsdb-server does (it syncs only for
    transactions with a durable ``commit`` operation)."""

    def __init__(self, path: str, fd: int, lock_fd: int | None, *, sync: bool,
                 recover: Literal["tail", "all"], read_only: bool,
                 magic: str = MAGIC) -> None:
        self.path = path
        self.magic = magic         # MAGIC, or CLUSTER_MAGIC for pyovn.ovsdb.raftlog
        self._fd = fd
        self._lock_fd = lock_fd
        self.sync = sync
        self.recover = recover
        self.read_only = read_only
        self.offset = 0            # end of the last good record read or written
        self.base = 0              # size after the first transaction record / last compaction
        self.damage: CorruptRecordError | None = None
        self.n_read = 0            # records read (schema included), as ovsdb-server counts
        self.n_written = 0         # records appended since open
        # Appends counted vs. appends known durable; a counter, not a flag, because commit() may
        # run in another thread while the event loop appends (a flag cleared after an fsync
        # could hide an append made during it).
        self._written_seq = 0
        self._synced_seq = 0
        self._needs_truncate = False
        self._read_done = False
        # True while our own last append ended the file at self.offset: the next append then
        # needs no fstat (a system call per transaction) to know where the file ends.
        self._at_end = False

    @classmethod
    def open(cls, path: str, *, read_only: bool = False, lock: bool | None = None,
             sync: bool = True, recover: Literal["tail", "all"] = "tail",
             magic: str = MAGIC) -> LogFile:
        """Open existing standalone database 'path'.  Raises ClusteredDatabaseError for a
        clustered file, FileFormatError for a non-OVSDB file, StorageIOError if it cannot be
        opened or is locked by another writer.  ``magic=CLUSTER_MAGIC`` opens a clustered file
        instead (its records are read and written the same way; pyovn.ovsdb.raftlog gives them
        their meaning)."""
        if lock is None:
            lock = not read_only
        lock_fd = acquire_lock(path) if lock else None
        try:
            check_magic(path, magic)
            try:
                fd = os.open(path, os.O_RDONLY if read_only else os.O_RDWR)
            except OSError as e:
                raise StorageIOError(f"{path}: open failed", path=path, err=e.errno) from None
        except BaseException:
            if lock_fd is not None:
                os.close(lock_fd)
            raise
        return cls(path, fd, lock_fd, sync=sync, recover=recover, read_only=read_only,
                   magic=magic)

    def __enter__(self) -> LogFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def read(self) -> Iterator[Record]:
        """Yield the records from the start of the file.  At a damaged record: if it is at the
        tail (or ``recover == "all"``), remember it in ``self.damage`` and stop, so the next append
        truncates the file there; otherwise raise the CorruptRecordError."""
        self.offset = 0
        self.n_read = 0
        self.damage = None
        self._at_end = False
        with os.fdopen(os.dup(self._fd), "rb") as stream:
            try:
                for rec in iter_records(stream, self.path, magic=self.magic):
                    self.offset = rec.end
                    self.n_read += 1
                    if self.n_read == 2:
                        self.base = rec.end
                    yield rec
            except CorruptRecordError as e:
                if not e.tail and self.recover != "all":
                    raise
                self.damage = e
        self._needs_truncate = True
        self._read_done = True

    def schema(self) -> dict[str, Any]:
        """The schema record (reads only the first record)."""
        with os.fdopen(os.dup(self._fd), "rb") as stream:
            for rec in iter_records(stream, self.path, magic=self.magic):
                return rec.json
        raise FileFormatError(f"{self.path}: database file is empty", path=self.path)

    def _prepare_write(self) -> None:
        if self.read_only:
            raise StorageError(f"{self.path}: database is open read-only", path=self.path)
        if self._at_end:
            return
        if not self._read_done:
            # The end of the last good record is only known after reading them all.
            for _ in self.read():
                pass
        if self._needs_truncate or os.fstat(self._fd).st_size != self.offset:
            # Drop a damaged or unread tail before writing after it, as ovsdb-server does.
            os.ftruncate(self._fd, self.offset)
            self._needs_truncate = False

    def append(self, record: dict[str, Any], *, txn_id: str | None = None) -> int:
        """Append one record; returns its offset.  Not durable until :meth:`commit`.
        'txn_id' is accepted for the interface clustered storage shares
        (:class:`pyovn.ovsdb.raftlog.RaftStorage` stores it); a standalone file has no place
        for it."""
        return self.append_records([record])

    def append_records(self, records: list[dict[str, Any]], *,
                       txn_ids: list[str | None] | None = None) -> int:
        """Append several records in one write; returns the offset of the first.  ('txn_ids'
        as for :meth:`append`.)"""
        self._prepare_write()
        if len(records) == 1:
            data = encode_record(records[0], self.magic)
        else:
            data = b"".join([encode_record(r, self.magic) for r in records])
        offset = self.offset
        self._at_end = False
        try:
            # pwrite: one system call, and no shared file position to set first (read() and
            # schema() read through dup()s of this descriptor, which share it).
            n = os.pwrite(self._fd, data, offset)
            if n < len(data):
                view = memoryview(data)
                while n < len(data):
                    n += os.pwrite(self._fd, view[n:], offset + n)
        except OSError as e:
            # Remove a partial record so the file stays readable.
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, offset)
            raise StorageIOError(f"{self.path}: write failed", path=self.path,
                                 err=e.errno) from None
        self.offset = offset + len(data)
        self._at_end = True
        self.n_written += len(records)
        self._written_seq += 1
        return offset

    def commit(self, *, durable: bool = False) -> None:
        """Make the appended records durable (fdatasync) if ``sync`` or 'durable' asks for it."""
        target = self._written_seq
        if target > self._synced_seq and (self.sync or durable):
            try:
                os.fdatasync(self._fd)
            except OSError as e:
                raise StorageIOError(f"{self.path}: fsync failed", path=self.path,
                                     err=e.errno) from None
            self._synced_seq = max(self._synced_seq, target)

    def truncate_at(self, offset: int) -> None:
        """Cut the file at 'offset' (a record boundary); later appends go there."""
        if self.read_only:
            raise StorageError(f"{self.path}: database is open read-only", path=self.path)
        os.ftruncate(self._fd, offset)
        self.offset = offset
        self._at_end = False
        self._needs_truncate = False
        self._read_done = True
        self.damage = None

    def replace(self, records: list[dict[str, Any]]) -> None:
        """Compaction: atomically replace the whole file by 'records' (schema + snapshot).

        The new content goes to ``<file>.tmp`` next to the real file (the symlink's target), is
        fsynced, renamed over the original and the directory fsynced.  The LogFile then appends
        to the new file."""
        if self.read_only:
            raise StorageError(f"{self.path}: database is open read-only", path=self.path)
        real = os.path.realpath(self.path)
        tmp = real + ".tmp"
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        except OSError as e:
            raise StorageIOError(f"failed to remove {tmp}", err=e.errno) from None
        try:
            fd = os.open(tmp, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o640)
        except OSError as e:
            raise StorageIOError(f"{tmp}: create failed", path=tmp, err=e.errno) from None
        try:
            write_all(fd, b"".join(encode_record(r, self.magic) for r in records))
            os.fsync(fd)
            os.rename(tmp, real)
        except OSError as e:
            os.close(fd)
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise StorageIOError(f'failed to rename "{tmp}" to "{real}"', path=self.path,
                                 err=e.errno) from None
        fsync_dir(real)
        os.close(self._fd)
        self._at_end = False
        self._fd = fd
        self.offset = self.base = os.fstat(fd).st_size
        self.damage = None
        self._synced_seq = self._written_seq
        self._needs_truncate = False
        self._read_done = True

    def compact(self, schema: dict[str, Any], snapshot: dict[str, Any]) -> None:
        """``Storage.compact``: the file becomes the schema and one snapshot record."""
        self.replace([schema, snapshot])

    def history(self, db: Database, requested: int) -> tuple[bool, str]:
        """``Storage.history``: a standalone file keeps no transaction ids."""
        return memory_history(db, requested)

    def server_columns(self) -> dict[str, Any]:
        return {"model": "standalone"}

    def live_server_columns(self) -> dict[str, Any]:
        return {}

    def size(self) -> int:
        return os.fstat(self._fd).st_size

    def grew_lots(self) -> bool:
        """ovsdb-server's test: the file passed 10 MiB and doubled since the last compaction."""
        return grew_lots(self.offset, self.base)

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None


def grew_lots(size: int, base: int) -> bool:
    """Whether a log of 'size' bytes that was 'base' bytes after its last compaction is worth
    compacting (ovsdb-server: over 10 MiB and more than twice the base)."""
    return size > COMPACT_MIN_BYTES and size // 2 > base


@dataclass(slots=True)
class CompactionSchedule:
    """When ovsdb-server may next compact: not before ``next_min_ms`` (10 to 20 minutes after the
    last compaction or start), and at the latest after ``next_max_ms`` (one day)."""

    next_min_ms: float
    next_max_ms: float

    @classmethod
    def start(cls, now_ms: float, rng: random.Random | None = None) -> CompactionSchedule:
        s = cls(0, 0)
        s.reschedule(now_ms, rng=rng)
        return s

    def reschedule(self, now_ms: float, *, quick: bool = False,
                   rng: random.Random | None = None) -> None:
        """After a compaction (or a failed one: 'quick', retry in 1 to 2 minutes)."""
        base, spread = COMPACT_BASE_MS, COMPACT_RANGE_MS
        if quick:
            base //= 10
            spread //= 10
        r = (rng or random).randrange(spread)
        self.next_min_ms = now_ms + base + r
        if not quick:
            self.next_max_ms = now_ms + COMPACT_MAX_MS


def should_compact(schedule: CompactionSchedule, now_ms: float, *, n_records: int,
                   size: int, base: int) -> bool:
    """ovsdb-server's automatic compaction decision.

    'n_records' counts records read at start plus records written since (ovsdb-server never
    resets it), 'size' is the log's length and 'base' its length after the last compaction."""
    if now_ms < schedule.next_min_ms:
        return False
    if now_ms < schedule.next_max_ms:
        return n_records >= COMPACT_MIN_RECORDS and grew_lots(size, base)
    return n_records > 0
