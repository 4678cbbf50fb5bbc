"""Tests of the standalone file format: records, torn/corrupt recovery, compaction, policy."""

from __future__ import annotations

import hashlib
import os
import random

import orjson
import pytest

from pyovn.ovsdb import storage

SCHEMA = {
    "name": "Test",
    "version": "1.0.0",
    "tables": {"T": {"columns": {"name": {"type": "string"},
                                  "n": {"type": {"key": "integer", "min": 0, "max": "unlimited"}}},
                     "isRoot": True}},
}
U1 = "11111111-1111-4111-8111-111111111111"
U2 = "22222222-2222-4222-8222-222222222222"


def txn(i: int) -> dict:
    return {"T": {U1: {"name": f"row{i}", "n": ["set", [i, i + 1]]}}, "_date": 1700000000000 + i,
            "_comment": f"txn {i}\nline two", "_is_diff": True}


def make_db(tmp_path, n: int = 3) -> str:
    path = str(tmp_path / "t.db")
    storage.create(path, SCHEMA)
    with storage.LogFile.open(path) as log:
        for i in range(n):
            log.append(txn(i))
        log.commit()
    return path


def read_all(path: str) -> list[dict]:
    return [r.json for r in storage.read_file(path)]


def test_encode_record_format():
    data = storage.encode_record({"a": "x\ny"})
    header, body, rest = data.split(b"\n", 2)
    assert rest == b""
    line = body + b"\n"
    assert header == b"OVSDB JSON %d %s" % (len(line), hashlib.sha1(line).hexdigest().encode())
    assert orjson.loads(body) == {"a": "x\ny"}


def test_round_trip(tmp_path):
    path = make_db(tmp_path, 3)
    records = storage.read_file(path)
    assert [r.json for r in records] == [SCHEMA, txn(0), txn(1), txn(2)]
    assert records[0].offset == 0
    for a, b in zip(records, records[1:]):
        assert a.end == b.offset
    assert records[-1].end == os.path.getsize(path)


def test_offsets_and_counters(tmp_path):
    path = make_db(tmp_path, 3)
    with storage.LogFile.open(path) as log:
        recs = list(log.read())
        assert log.n_read == 4
        assert log.offset == os.path.getsize(path)
        assert log.base == recs[1].end     # ovsdb-server marks the base after the first txn
        log.append(txn(9))
        assert log.n_written == 1
    assert read_all(path)[-1] == txn(9)


def test_create_refuses_existing_file(tmp_path):
    path = make_db(tmp_path, 0)
    with pytest.raises(storage.StorageIOError, match=r"t\.db: create failed \(File exists\)"):
        storage.create(path, SCHEMA)


def test_torn_last_record_is_truncated_on_next_write(tmp_path):
    path = make_db(tmp_path, 3)
    full = os.path.getsize(path)
    good_end = storage.read_file(path)[-2].end
    os.truncate(path, full - 10)           # tear the last record
    with storage.LogFile.open(path) as log:
        got = [r.json for r in log.read()]
        assert got == [SCHEMA, txn(0), txn(1)]
        assert log.damage is not None and log.damage.tail
        assert log.damage.offset == good_end
        assert "error reading" in str(log.damage) and "End of file" in str(log.damage)
        assert os.path.getsize(path) == full - 10      # reading alone changes nothing
        log.append(txn(7))
        log.commit()
    assert read_all(path) == [SCHEMA, txn(0), txn(1), txn(7)]


def test_torn_header_is_recovered(tmp_path):
    path = make_db(tmp_path, 2)
    with open(path, "ab") as f:
        f.write(b"OVSDB JSON 12")             # crash while writing a header
    with storage.LogFile.open(path) as log:
        assert len(list(log.read())) == 3
        assert log.damage is not None and log.damage.tail
        assert "parse error at offset" in str(log.damage)
        log.append(txn(5))
    assert read_all(path) == [SCHEMA, txn(0), txn(1), txn(5)]


def _flip(path: str, offset: int) -> None:
    with open(path, "r+b") as f:
        f.seek(offset)
        b = f.read(1)
        f.seek(offset)
        f.write(bytes([b[0] ^ 0x01]))


def test_corrupt_checksum_of_last_record_is_tail_damage(tmp_path):
    path = make_db(tmp_path, 2)
    last = storage.read_file(path)[-1]
    _flip(path, last.end - 5)
    with pytest.raises(storage.CorruptRecordError, match="have SHA-1 hash .* but should have"):
        storage.read_file(path)
    with storage.LogFile.open(path) as log:
        assert len(list(log.read())) == 2
        assert log.damage.tail and log.damage.offset == last.offset
        assert log.damage.kind == "syntax error"


def test_corrupt_record_in_the_middle_is_an_error(tmp_path):
    path = make_db(tmp_path, 3)
    second = storage.read_file(path)[1]
    _flip(path, second.end - 5)
    with storage.LogFile.open(path) as log, pytest.raises(storage.CorruptRecordError) as ei:
        list(log.read())
    e = ei.value
    assert not e.tail and e.offset == second.offset
    assert str(e).startswith(f"{path}: ")
    # ovsdb-server's own behaviour, on request: keep what reads cleanly, drop the rest.
    with storage.LogFile.open(path, recover="all") as log:
        assert [r.json for r in log.read()] == [SCHEMA]
        log.append(txn(4))
    assert read_all(path) == [SCHEMA, txn(4)]


def test_record_not_an_object(tmp_path):
    path = make_db(tmp_path, 0)
    data = b"[1,2]\n"
    with open(path, "ab") as f:
        f.write(b"OVSDB JSON %d %s\n" % (len(data), hashlib.sha1(data).hexdigest().encode()))
        f.write(data)
    with pytest.raises(storage.CorruptRecordError, match="are not a JSON object"):
        storage.read_file(path)


def test_invalid_json_with_good_checksum(tmp_path):
    path = make_db(tmp_path, 0)
    data = b"{nope\n"
    with open(path, "ab") as f:
        f.write(b"OVSDB JSON %d %s\n" % (len(data), hashlib.sha1(data).hexdigest().encode()))
        f.write(data)
    with pytest.raises(storage.CorruptRecordError, match="are not valid JSON"):
        storage.read_file(path)


def test_clustered_file_is_refused(tmp_path):
    path = str(tmp_path / "c.db")
    with open(path, "wb") as f:
        f.write(storage.encode_record({"name": "X"}, magic="CLUSTER"))
    with pytest.raises(storage.ClusteredDatabaseError,
                       match=r"c\.db: clustered databases are not supported"):
        storage.LogFile.open(path)
    assert storage.read_magic(path) == "CLUSTER"


def test_not_an_ovsdb_file(tmp_path):
    path = str(tmp_path / "g.db")
    with open(path, "wb") as f:
        f.write(b"hello\n")
    with pytest.raises(storage.FileFormatError, match="unexpected file format"):
        storage.LogFile.open(path)
    open(path, "wb").close()
    with pytest.raises(storage.FileFormatError, match="cannot identify file type"):
        storage.LogFile.open(path)
    with pytest.raises(storage.StorageIOError, match="open failed"):
        storage.LogFile.open(str(tmp_path / "missing.db"))


def test_truncate_at(tmp_path):
    path = make_db(tmp_path, 3)
    with storage.LogFile.open(path) as log:
        recs = list(log.read())
        log.truncate_at(recs[2].end)
        log.append(txn(8))
    assert read_all(path) == [SCHEMA, txn(0), txn(1), txn(8)]


def test_append_without_read_keeps_existing_records(tmp_path):
    path = make_db(tmp_path, 2)
    with storage.LogFile.open(path) as log:
        log.append(txn(3))
    assert read_all(path) == [SCHEMA, txn(0), txn(1), txn(3)]


def test_read_only_log_refuses_writes(tmp_path):
    path = make_db(tmp_path, 1)
    with storage.LogFile.open(path, read_only=True) as log:
        list(log.read())
        with pytest.raises(storage.StorageError, match="read-only"):
            log.append(txn(2))


def test_lock_excludes_a_second_writer(tmp_path):
    path = make_db(tmp_path, 0)
    # fcntl locks are per process; a child process holds the lock while we try to take it.
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:   # pragma: no cover - child
        os.close(r)
        try:
            log = storage.LogFile.open(path)
            os.write(w, b"x")
            import time
            time.sleep(30)   # killed by the parent
            log.close()
        finally:
            os._exit(0)
    os.close(w)
    try:
        assert os.read(r, 1) == b"x"
        with pytest.raises(storage.StorageIOError, match="failed to lock lockfile"):
            storage.LogFile.open(path)
        storage.LogFile.open(path, read_only=True).close()    # readers need no lock
    finally:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
    assert os.path.exists(storage.lock_file_name(path))
    assert os.path.basename(storage.lock_file_name(path)) == ".t.db.~lock~"


def test_replace_compacts_and_log_stays_usable(tmp_path):
    path = make_db(tmp_path, 50)
    snapshot = {"T": {U1: {"name": "row49", "n": ["set", [49, 50]]}}, "_date": 1,
                "_comment": "compacting database online"}
    with storage.LogFile.open(path) as log:
        list(log.read())
        before = log.offset
        log.replace([SCHEMA, snapshot])
        assert log.offset == log.base == os.path.getsize(path) < before
        assert not os.path.exists(path + ".tmp")
        log.append(txn(99))
        log.commit()
    assert read_all(path) == [SCHEMA, snapshot, txn(99)]


def test_replace_through_symlink_replaces_target(tmp_path):
    path = make_db(tmp_path, 2)
    link = str(tmp_path / "link.db")
    os.symlink(path, link)
    with storage.LogFile.open(link) as log:
        list(log.read())
        log.replace([SCHEMA])
    assert os.path.islink(link)
    assert read_all(path) == [SCHEMA]


def test_commit_sync_modes(tmp_path):
    path = make_db(tmp_path, 0)
    with storage.LogFile.open(path, sync=False) as log:
        list(log.read())
        log.append(txn(1))
        log.commit()
        assert log._synced_seq == 0          # relaxed: no fsync unless durable
        log.commit(durable=True)
        assert log._synced_seq == 1


def test_compaction_with_engine_preserves_content(tmp_path):
    from pyovn.ovsdb.database import Database
    from pyovn.ovsdb.schema import DatabaseSchema

    path = str(tmp_path / "e.db")
    schema = DatabaseSchema.from_json(SCHEMA)
    storage.create(path, schema.to_json())
    db = Database(schema)
    with storage.LogFile.open(path) as log:
        list(log.read())
        for i in range(20):
            res = db.transact([{"op": "insert", "table": "T",
                                "row": {"name": f"r{i}", "n": ["set", [i]]}},
                               {"op": "update", "table": "T", "where": [["name", "==", "r0"]],
                                "row": {"n": ["set", [i, 100]]}}], now_ms=0)
            log.append(db.record_of(res.changes, date_ms=i))
            db.commit(res.changes)
        log.replace([schema.to_json(), db.snapshot_record(date_ms=1)])
    replayed = Database(DatabaseSchema.from_json(storage.read_file(path)[0].json))
    for rec in storage.read_file(path)[1:]:
        replayed.apply_record(rec.json)

    def content(d):
        return {u: {k: v for k, v in r.items() if k != "_version"}
                for u, r in d.tables["T"].rows.items()}
    assert content(replayed) == content(db)
    assert len(content(db)) == 20


def test_grew_lots():
    mib = 1024 * 1024
    assert not storage.grew_lots(9 * mib, 0)
    assert storage.grew_lots(11 * mib, 5 * mib)
    assert not storage.grew_lots(11 * mib, 6 * mib)


def test_should_compact_policy():
    rng = random.Random(1)
    s = storage.CompactionSchedule.start(0, rng=rng)
    assert 10 * 60_000 <= s.next_min_ms < 20 * 60_000
    assert s.next_max_ms == 24 * 3600_000
    big, small = 30 * 1024 * 1024, 1024
    # too early, whatever the size
    assert not storage.should_compact(s, s.next_min_ms - 1, n_records=1000, size=big, base=0)
    # after the minimum: needs 100 records and a log that grew a lot
    assert storage.should_compact(s, s.next_min_ms, n_records=100, size=big, base=0)
    assert not storage.should_compact(s, s.next_min_ms, n_records=99, size=big, base=0)
    assert not storage.should_compact(s, s.next_min_ms, n_records=1000, size=small, base=0)
    # after a day: any record at all
    assert storage.should_compact(s, s.next_max_ms, n_records=1, size=small, base=small)
    assert not storage.should_compact(s, s.next_max_ms, n_records=0, size=small, base=small)
    s.reschedule(1000, quick=True, rng=rng)
    assert 1000 + 60_000 <= s.next_min_ms < 1000 + 120_000
    assert s.next_max_ms == 24 * 3600_000     # a quick retry keeps the deadline
