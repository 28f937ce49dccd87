"""tradeguard.audit: every attempt once, valid JSON, no credentials, rotation and retention, durability, the chain."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

from tradeguard import Limits, OrderGateway
from tradeguard.archive import archive_rotated
from tradeguard.audit import AuditEvent, AuditLog, order_values, read_events, rotated_files, verify
from tradeguard.credentials import resolve
from tradeguard.redact import REDACTED, plain

from .helpers import RecordingConnector

THREADS, PER_THREAD = 8, 150
PROCESSES, PER_PROCESS = 2, 300
ROTATION = {"max_bytes": 64 * 1024, "keep_files": 10_000}

WORKER = textwrap.dedent(
    """
    import sys
    from tradeguard import Limits, OrderGateway
    from tradeguard.audit import AuditLog
    from tradeguard.credentials import resolve

    class Connector:
        def place_order(self, symbol, side, quantity, price=None, **extra):
            raise AssertionError("PAPER never calls the broker")

    name, count, log = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    token = resolve("broker_token")
    gateway = OrderGateway({"fx": Connector()}, limits=Limits(),
                           audit=AuditLog(log, max_bytes=64 * 1024, keep_files=10_000))
    for index in range(count):
        gateway.submit("fx", symbol="EUR_USD", side="buy", quantity=1, price=1.1, client_id=f"{name}-{index}",
                       api_key=token.reveal(), memo="signed with " + token.reveal())
    """
)


def synthetic_token() -> str:
    return "fake-" + "7e" * 14  # obviously not a real key


def test_threads_and_processes_each_attempt_exactly_once_without_credentials(home, monkeypatch):
    token_value = synthetic_token()
    monkeypatch.setenv("TRADEGUARD_SECRET_BROKER_TOKEN", token_value)
    log = home / "audit.log"
    processes = [
        subprocess.Popen([sys.executable, "-c", WORKER, f"proc{n}", str(PER_PROCESS), str(log)])
        for n in range(PROCESSES)
    ]
    token = resolve("broker_token")
    gateway = OrderGateway({"fx": RecordingConnector()}, limits=Limits(), audit=AuditLog(log, **ROTATION))

    def trade(name: str) -> None:
        for index in range(PER_THREAD):
            gateway.submit("fx", symbol="EUR_USD", side="sell", quantity=2, price=1.1, client_id=f"{name}-{index}",
                           api_key=token.reveal(), memo="signed with " + token.reveal())

    threads = [threading.Thread(target=trade, args=(f"thread{n}",)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(p.wait(timeout=120) == 0 for p in processes)

    files = [*rotated_files(log), log]
    assert len(files) > 3  # rotation happened while everyone was writing
    lines = [line for file in files for line in file.read_text().splitlines()]
    records = [AuditEvent.from_json(line) for line in lines]  # every line is a whole event
    ids = [r.order["client_id"] for r in records]
    expected = {f"thread{n}-{i}" for n in range(THREADS) for i in range(PER_THREAD)}
    expected |= {f"proc{n}-{i}" for n in range(PROCESSES) for i in range(PER_PROCESS)}
    assert len(ids) == len(expected) and set(ids) == expected
    assert len({r.attempt_id for r in records}) == len(records)
    assert all(r.order["api_key"] == REDACTED and r.order["memo"] == f"signed with {REDACTED}" for r in records)
    assert not any(token_value in file.read_text() for file in files)
    checked = verify(log)  # one chain across threads, processes and rotated files
    assert checked.intact, checked.problem
    assert checked.lines == len(expected) and checked.files == len(files)


def probe(who: str, number: int, **details) -> AuditEvent:
    return AuditEvent(ts=time.time(), kind="probe", actor=who, details={"n": number, **details})


def _child_writes(path: str) -> None:
    log = _shared_log[0]
    for index in range(200):
        log.write(probe("child", index))


_shared_log: list[AuditLog] = []


def test_a_forked_child_gets_its_own_descriptors(home):
    log = AuditLog(home / "audit.log", max_bytes=8 * 1024, keep_files=10_000)
    log.write(probe("parent", -1))
    _shared_log[:] = [log]
    child = multiprocessing.get_context("fork").Process(target=_child_writes, args=(str(home),))
    child.start()
    for index in range(200):
        log.write(probe("parent", index))
    child.join(timeout=60)
    assert child.exitcode == 0
    records = list(read_events(home / "audit.log"))
    child_lines = sorted((r.actor, r.details["n"]) for r in records if r.actor == "child")
    assert child_lines == [("child", n) for n in range(200)]
    assert len([r for r in records if r.actor == "parent"]) == 201
    assert verify(home / "audit.log").intact


def test_rotation_by_time_keeps_unarchived_files_and_prunes_archived_ones(home):
    path = home / "audit.log"
    log = AuditLog(path, rotate_seconds=0.05, keep_files=2)
    for index in range(5):
        log.write(probe("t", index))
        time.sleep(0.06)
    assert len(rotated_files(path)) == 4  # nothing archived yet: nothing deleted
    assert [entry.lines for entry in archive_rotated(path)] == [1] * 4
    log.write(probe("t", 5))  # rotates again, and now may prune what the archive holds
    kept = rotated_files(path)
    assert len(kept) == 2
    assert [r.details["n"] for r in read_events(path)] == [0, 1, 2, 3, 4, 5]  # archived files are read too
    assert [r.details["n"] for r in read_events(path, archived=False)] == [3, 4, 5]
    assert verify(path).intact


def test_retention_by_age_only_after_archiving(home, tmp_path):
    path = home / "audit.log"
    log = AuditLog(path, max_bytes=300, keep_days=1)
    log.write(probe("t", 0, pad="x" * 150))
    log.write(probe("t", 1, pad="y" * 150))  # rotates the first away
    (old,) = rotated_files(path)
    two_days_ago = time.time() - 2 * 86400
    os.utime(old, (two_days_ago, two_days_ago))
    log.write(probe("t", 2, pad="z" * 150))  # rotates again: the old file is not archived, so it stays
    assert old in rotated_files(path)
    elsewhere = tmp_path / "vault"
    archive_rotated(path, str(elsewhere))
    os.utime(old, (two_days_ago, two_days_ago))
    log.write(probe("t", 3, pad="w" * 150))
    assert old not in rotated_files(path)
    assert (elsewhere / f"{old.name}.gz").is_file()
    sums = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=elsewhere, capture_output=True, text=True)
    assert sums.returncode == 0, sums.stdout + sums.stderr
    assert [r.details["n"] for r in read_events(path)] == [0, 1, 2, 3]
    assert verify(path).intact


KILLED = textwrap.dedent(
    """
    import sys
    from tradeguard import Limits, OrderGateway
    from tradeguard.audit import AuditLog

    class Connector:
        def place_order(self, symbol, side, quantity, **extra):
            pass

    name, log = sys.argv[1], sys.argv[2]
    gateway = OrderGateway({"fx": Connector()}, limits=Limits(), audit=AuditLog(log, max_bytes=16 * 1024))
    index = 0
    while True:
        gateway.submit("fx", symbol="EUR_USD", side="buy", quantity=1, client_id=f"{name}-{index}")
        print(index, flush=True)
        index += 1
    """
)


def test_kill_9_of_writers_mid_rotation_loses_no_completed_submit_and_keeps_the_chain(home):
    log = home / "audit.log"
    completed: set[str] = set()
    for round_number in range(3):  # each round's writers continue the chain the killed ones left
        names = [f"r{round_number}p{n}" for n in range(PROCESSES)]
        children = [subprocess.Popen([sys.executable, "-c", KILLED, name, str(log)], stdout=subprocess.PIPE, text=True)
                    for name in names]
        for name, child in zip(names, children):
            completed |= {f"{name}-{int(child.stdout.readline())}" for _ in range(150)}
        for child in children:
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=30)
        checked = verify(log)
        assert checked.intact, checked.problem
    logged = {r.order["client_id"] for r in read_events(log)}
    assert completed <= logged
    assert len(rotated_files(log)) > 2  # the kills landed among rotations


def test_plain_bounds_cycles_and_redacts_credential_fields():
    loop: dict = {"password": "hunter2-but-fake", "nested": {"Authorization": "Bearer x"}, "ok": [1, 2.5, None]}
    loop["self"] = loop
    converted = plain(loop)
    assert converted["password"] == REDACTED and converted["nested"]["Authorization"] == REDACTED
    assert converted["ok"] == [1, 2.5, None]
    json.dumps(converted, allow_nan=False)  # cycles cut, non-finite floats turned into text
    assert plain({"x": float("nan"), b"k": b"v"}) == {"x": "nan", "b'k'": "v"}


def test_order_values_are_the_fields_of_an_order_event_in_order():
    values = order_values(1.5, "outcome", "a-1", "LIVE", "fx", "place_order", {"symbol": "X"}, "filled",
                          {"success": True, "error": None, "data": {}}, None, 0.25, 0.125, "arm-1", 42)
    event = AuditEvent(*values)
    assert (event.kind, event.phase, event.attempt_id, event.mode, event.venue, event.method) == (
        "order", "outcome", "a-1", "LIVE", "fx", "place_order")
    assert (event.outcome, event.submit_seconds, event.broker_seconds, event.arming_id, event.pid) == (
        "filled", 0.25, 0.125, "arm-1", 42)
    assert event.actor is None and event.decisions == {} and event.prev is None
    assert AuditEvent.body_of(values) == event.body()
