"""`tradeguard report daily`: its numbers equal a hand count over the same audit log (live, rotated
and archived files, a torn last line), the HTML page is self-contained, and the store keeps the trend."""

from __future__ import annotations

import json
import math
import random
import re
import sqlite3
from xml.etree import ElementTree
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tradeguard.audit import AuditEvent, AuditLog
from tradeguard.telemetry.report import build_report, summary_row

DAY = date(2026, 11, 30)
START = datetime(2026, 11, 30, tzinfo=timezone.utc).timestamp()


def order(ts, venue="oanda", mode="LIVE", outcome="filled", submit=0.012, broker=0.011, code=None, decisions=None,
          attempt=None, symbol="EUR_USD"):
    return AuditEvent(ts=ts, kind="order", phase="outcome", attempt_id=attempt or f"a{ts}", mode=mode, venue=venue,
                      method="place_order", order={"symbol": symbol, "side": "buy", "qty": 1}, outcome=outcome,
                      error={"code": code, "message": code} if code else None, submit_seconds=submit,
                      broker_seconds=broker, decisions=decisions or {})


def operator(ts, kind, actor, reason=None, venue=None, arming_id=None):
    return AuditEvent(ts=ts, kind=kind, actor=actor, reason=reason, venue=venue, arming_id=arming_id, mode="LIVE")


# A day an operator can count on their fingers: submit seconds, sorted, are
# 0.0001 0.0002 0.010 0.011 0.012 0.013 0.014 0.015 0.020 1.8
SMALL_DAY = [
    operator(START - 60, "halt", "alice", "yesterday's event"),  # the day before: not counted
    operator(START + 3600 * 8, "arm", "alice", "release 1.4", arming_id="arm-1"),
    order(START + 3600 * 9, submit=0.010, broker=0.009, decisions={"strategy.decide": 0.004}),
    order(START + 3600 * 9 + 1, submit=0.012, broker=0.011, decisions={"strategy.decide": 0.002}),
    order(START + 3600 * 9 + 2, submit=0.011, broker=0.010),
    order(START + 3600 * 10, submit=0.013, broker=0.012, outcome="failed", code="broker"),
    order(START + 3600 * 10 + 5, submit=0.015, broker=0.014, outcome="failed", code="broker"),
    order(START + 3600 * 10 + 9, submit=0.014, broker=0.013),
    order(START + 3600 * 11, submit=1.8, broker=1.79, attempt="the-slow-one", decisions={"strategy.decide": 0.009}),
    operator(START + 3600 * 11 + 1, "breaker_trip", "circuit-breaker", "circuit breaker: 5 failures", venue="oanda"),
    operator(START + 3600 * 11 + 1, "halt", "circuit-breaker", "circuit breaker: 5 failures", venue="oanda"),
    order(START + 3600 * 11 + 2, submit=0.0001, broker=None, outcome="denied", code="halted"),
    operator(START + 3600 * 13, "resume", "bob"),
    order(START + 3600 * 14, venue="coinbase", mode="PAPER", submit=0.0002, broker=0.00005),
    order(START + 3600 * 15, venue="coinbase", mode="PAPER", submit=0.020, broker=None, outcome="denied",
          code="max_notional"),
    AuditEvent(ts=START + 3600 * 16, kind="order", phase="intent", attempt_id="lost", mode="LIVE", venue="oanda"),
    order(START + 86400 + 5),  # the next day: not counted
]


def test_a_small_day_counted_by_hand():
    report = build_report(SMALL_DAY, DAY, bot="eu-fx-1")
    totals = report["totals"]
    assert (totals["orders"], totals["filled"], totals["denied"], totals["failed"]) == (10, 6, 2, 2)
    assert (totals["filled_rate"], totals["denied_rate"], totals["failed_rate"]) == (0.6, 0.2, 0.2)
    assert [(g["venue"], g["mode"], g["orders"], g["filled"], g["denied"], g["failed"]) for g in report["by_venue_mode"]] \
        == [("coinbase", "PAPER", 2, 1, 1, 0), ("oanda", "LIVE", 8, 5, 1, 2)]
    assert report["denials"] == {"halted": 1, "max_notional": 1}
    submit = report["latency"]["submit"]
    assert (submit["count"], submit["p50"], submit["p95"], submit["p99"], submit["max"]) == (10, 0.012, 1.8, 1.8, 1.8)
    broker = report["latency"]["broker"]  # 8 answers: 0.00005 0.009 0.010 0.011 0.012 0.013 0.014 1.79
    assert (broker["count"], broker["p50"], broker["p95"], broker["p99"]) == (8, 0.011, 1.79, 1.79)
    assert report["slowest"][0]["attempt_id"] == "the-slow-one" and report["slowest"][0]["submit_seconds"] == 1.8
    assert [item["submit_seconds"] for item in report["slowest"]] == sorted(
        [0.010, 0.012, 0.011, 0.013, 0.015, 0.014, 1.8, 0.0001, 0.0002, 0.020], reverse=True)
    assert [(e["kind"], e["actor"], e["reason"]) for e in report["operator_events"]] == [
        ("arm", "alice", "release 1.4"), ("breaker_trip", "circuit-breaker", "circuit breaker: 5 failures"),
        ("halt", "circuit-breaker", "circuit breaker: 5 failures"), ("resume", "bob", None)]
    assert report["decisions"] == [{"name": "strategy.decide", "count": 3, "p50": 0.004, "p95": 0.009, "p99": 0.009,
                                    "max": 0.009}]
    assert report["unfinished"] == ["lost"]
    assert report["hourly"][9] == {"hour": 9, "filled": 3, "denied": 0, "failed": 0, "other": 0}
    assert report["hourly"][10] == {"hour": 10, "filled": 1, "denied": 0, "failed": 2, "other": 0}
    beat = report["heartbeat"]
    assert beat["status"] == "gap" and beat["first"] == "2026-11-30T08:00:00.000Z" and beat["last"] == "2026-11-30T16:00:00.000Z"
    assert beat["longest_gap_seconds"] == 3600 * 2 - 2  # 11:00:02 to 13:00:00: over an hour
    assert "longest silence 2.0 h from 2026-11-30T11:00:02.000Z: a missing heartbeat" in beat["line"]


def test_a_day_without_records_is_a_missing_heartbeat():
    report = build_report(SMALL_DAY, date(2026, 11, 20))
    assert report["totals"]["orders"] == 0 and report["totals"]["filled_rate"] is None
    assert report["heartbeat"]["status"] == "missing"
    assert "Missing heartbeat: no audit record on 2026-11-20" in report["heartbeat"]["line"]


def nearest_rank(values, q):
    ordered = sorted(values)
    return ordered[math.ceil(q * len(ordered)) - 1]


@pytest.fixture
def busy_day(tmp_path):
    """A state folder whose audit log for DAY spans archived, rotated and live files, ends in a torn line."""
    home = tmp_path / "state"
    rng = random.Random(11)
    events = []
    for number in range(3000):
        venue, mode = rng.choice([("oanda", "LIVE"), ("ibkr", "LIVE"), ("coinbase", "PAPER")])
        outcome = rng.choices(["filled", "denied", "failed", "accepted"], [80, 10, 7, 3])[0]
        broker = None if outcome == "denied" else rng.choice([rng.uniform(0.01, 0.015), rng.uniform(1.5, 2.0)])
        events.append(order(START + 20 * number + rng.random(), venue, mode, outcome,
                            submit=(broker or 0) + rng.uniform(1e-5, 1e-4), broker=broker,
                            code={"denied": "max_notional", "failed": "broker"}.get(outcome),
                            decisions={"strategy.decide": rng.uniform(0, 0.02)} if number % 3 else None))
        if number % 700 == 0:
            events.append(operator(START + 20 * number + 1.5, "halt", "alice", f"drill {number}"))
    log = AuditLog(home / "audit.log", max_bytes=200_000)
    for event in [operator(START - 30, "arm", "alice", "the day before"), *events]:
        log.write(event)
    log.close()
    rotated = sorted(home.glob("audit.log.2*"))
    assert len(rotated) >= 3
    archived = run_cli("archive", "--home", home)
    assert archived.returncode == 0, archived.stderr
    for old in rotated[:2]:  # retention removed these after archiving: only the archive holds them now
        old.unlink()
    with open(home / "audit.log", "ab") as handle:
        handle.write(b'{"ts": 1764500000, "kind": "ord')  # a crash mid-line
    return home, events


def test_the_report_command_equals_a_hand_count_over_every_file(busy_day, tmp_path):
    home, events = busy_day
    done = run_cli("report", "daily", "--date", DAY.isoformat(), "--home", home, "--bot", "bot-7",
                   "--html", tmp_path / "out" / "report.html", "--json", tmp_path / "out" / "report.json")
    assert done.returncode == 0, done.stderr
    assert "damaged" in done.stderr and "cut short" in done.stderr
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    orders = [event for event in events if event.kind == "order"]
    count = {outcome: sum(1 for e in orders if e.outcome == outcome) for outcome in ("filled", "denied", "failed")}
    assert report["totals"]["orders"] == len(orders) == 3000
    assert {key: report["totals"][key] for key in count} == count
    assert report["totals"]["outcomes"]["accepted"] == sum(1 for e in orders if e.outcome == "accepted")
    for group in report["by_venue_mode"]:
        mine = [e for e in orders if (e.venue, e.mode) == (group["venue"], group["mode"])]
        assert group["orders"] == len(mine)
        assert group["failed"] == sum(1 for e in mine if e.outcome == "failed")
    submits = [e.submit_seconds for e in orders]
    brokers = [e.broker_seconds for e in orders if e.broker_seconds is not None]
    for label, q in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99)):
        assert report["latency"]["submit"][label] == nearest_rank(submits, q)
        assert report["latency"]["broker"][label] == nearest_rank(brokers, q)
    decided = [e.decisions["strategy.decide"] for e in orders if e.decisions]
    assert report["decisions"][0]["count"] == len(decided) == 2000
    assert report["decisions"][0]["p99"] == nearest_rank(decided, 0.99)
    assert [item["submit_seconds"] for item in report["slowest"]] == sorted(submits, reverse=True)[:10]
    halts = [e for e in events if e.kind == "halt"]
    assert [(e["actor"], e["reason"]) for e in report["operator_events"]] == [(e.actor, e.reason) for e in halts]
    assert report["damaged_lines"] == 1
    assert report["trend"][-1]["day"] == DAY.isoformat() and report["trend"][-1]["orders"] == 3000
    assert f"{DAY.isoformat()}: 3000 orders, {count['filled']} filled" in done.stdout


def test_the_page_is_self_contained_and_escapes_what_operators_wrote(tmp_path):
    hostile = [*SMALL_DAY, operator(START + 3600 * 17, "halt", "<script>alert(1)</script>", "a & b <img src=x>")]
    from tradeguard.telemetry import html

    trend = [summary_row(build_report(SMALL_DAY, DAY))]
    page = html.render(build_report(hostile, DAY, bot="bot<1>", trend=trend))
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "a &amp; b &lt;img src=x&gt;" in page and "bot&lt;1&gt;" in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page), "the page loads nothing from the network"
    charts = re.findall(r"<svg.*?</svg>", page)
    assert len(charts) == 3 and "<link" not in page
    for chart in charts:  # well-formed SVG: an attribute or tag gone wrong hides a chart's parts
        assert ElementTree.fromstring(chart).tag == "{http://www.w3.org/2000/svg}svg"
    assert "Missing heartbeat" not in page and "a missing heartbeat" in page


def test_the_trend_grows_day_by_day_and_a_rerun_replaces_its_day(tmp_path):
    home = tmp_path / "state"
    log = AuditLog(home / "audit.log")
    for offset in range(3):
        for number in range(offset + 1):
            log.write(order(START + offset * 86400 + 3600 + number))
    log.close()
    for day in ("2026-11-30", "2026-12-01", "2026-12-02", "2026-12-01"):
        done = run_cli("report", "daily", "--date", day, "--home", home, "--bot", "b")
        assert done.returncode == 0, done.stderr
    report = json.loads((home / "reports" / "2026-12-02.json").read_text())
    assert [(row["day"], row["orders"]) for row in report["trend"]] == [
        ("2026-11-30", 1), ("2026-12-01", 2), ("2026-12-02", 3)]
    with sqlite3.connect(home / "telemetry.sqlite") as db:
        assert db.execute("SELECT count(*) FROM tradeguard_daily").fetchone() == (3,)
    db.close()
    assert (home / "reports" / "2026-12-01.html").read_text().startswith("<!doctype html>")


def test_the_report_goes_to_postgresql(tmp_path, postgres_url):
    home = tmp_path / "state"
    log = AuditLog(home / "audit.log")
    log.write(order(START + 60))
    log.close()
    done = run_cli("report", "daily", "--date", DAY.isoformat(), "--home", home, "--bot", "pg-bot", "--store", postgres_url)
    assert done.returncode == 0, done.stderr
    import psycopg

    with psycopg.connect(postgres_url) as db:
        assert db.execute("SELECT orders, report->'totals'->>'filled' FROM tradeguard_daily WHERE bot = 'pg-bot'"
                          ).fetchall() == [(1, "1")]


def test_bad_input_is_one_line(tmp_path):
    done = run_cli("report", "daily", "--date", "30/11/2026", "--home", tmp_path)
    assert done.returncode == 2 and "--date: '30/11/2026' is not YYYY-MM-DD" in done.stderr
    assert "Traceback" not in done.stderr
    blocked = tmp_path / "file"
    blocked.write_text("")
    done = run_cli("report", "daily", "--home", tmp_path / "state", "--store", blocked / "telemetry.sqlite")
    assert done.returncode == 2 and "cannot open the SQLite store" in done.stderr
    missing = run_cli("report", "daily", "--home", tmp_path / "empty", "--no-store")
    assert missing.returncode == 0 and "no audit log at" in missing.stdout and "Missing heartbeat" in missing.stdout


def test_files_rotated_before_the_day_are_not_read(tmp_path):
    from tradeguard.telemetry.reader import read_day

    home = tmp_path / "state"
    for offset in range(3):  # one rotated file per day, rotated a second after the day's last order
        log = AuditLog(home / "audit.log")
        for number in range(offset + 2):
            log.write(order(START + offset * 86400 + 3600 * (number + 1)))
        log.close()
        rotated_at = datetime.fromtimestamp(START + offset * 86400 + 3600 * (offset + 2) + 1, timezone.utc)
        (home / "audit.log").rename(home / f"audit.log.{rotated_at.strftime('%Y%m%dT%H%M%S%fZ')}")
        with open(sorted(home.glob("audit.log.2*"))[-1], "ab") as handle:
            handle.write(b"damaged beyond reading\n")  # each file's own damage: seen only if it is read
    AuditLog(home / "audit.log").write(order(START + 3 * 86400 + 60))
    for offset, expected in ((0, 2), (1, 3), (2, 4), (3, 1)):
        events, damaged = read_day(home / "audit.log", date.fromordinal(DAY.toordinal() + offset))
        assert len(events) == expected
        assert len(damaged) == 3 - offset, (offset, damaged)  # the files of earlier days were not opened
