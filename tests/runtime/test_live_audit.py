"""`tradeguard live audit` through the real CLI: the operator's table, filters, --json, --verify; `tradeguard archive`."""

from __future__ import annotations

import json
import re
import time

from tradeguard import Limits, OrderGateway
from tradeguard.audit import AuditEvent, AuditLog
from tradeguard.cli import live

from .helpers import RecordingConnector, run_cli


def arm(home):
    assert live.main(["arm", "--home", str(home), "--approver", "ana", "--approver", "bo", "--ttl", "1h",
                      "--reason", "CHG-7", "--no-readiness"]) == 0


def rows(done) -> list[str]:
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("state folder: ")
    return lines[2:] if len(lines) > 1 else []  # after the column header


def trade(home):
    """A PAPER fill on fx, a LIVE fill and a LIVE broker failure on fx2, a halt, a denial."""
    OrderGateway({"fx": RecordingConnector()}, limits=Limits(), price_source={"EUR_USD": 1.25}).submit(
        "fx", symbol="EUR_USD", side="buy", quantity=1000)
    arm(home)
    reply = {"success": True, "error": None, "data": {"order_id": "L-1", "avg_fill_price": 1.2345}}
    OrderGateway({"fx2": RecordingConnector(reply=reply)}, mode="LIVE", limits=Limits()).submit(
        "fx2", symbol="GBP_USD", side="sell", quantity=5, price=1.23)
    OrderGateway({"fx2": RecordingConnector(fail_with=TimeoutError("no reply"))}, mode="LIVE", limits=Limits()).submit(
        "fx2", symbol="GBP_USD", side="buy", quantity=2, price=1.3)
    assert run_cli("live", "halt", "--reason", "spread too wide").returncode == 0
    OrderGateway({"fx": RecordingConnector()}, limits=Limits()).submit("fx", symbol="EUR_USD", side="buy", quantity=1)


def test_the_table_shows_what_an_operator_reads(home):
    trade(home)
    done = run_cli("live", "audit")
    header = done.stdout.splitlines()[1]
    assert header.split() == ["TIME", "KIND", "MODE", "VENUE", "SYMBOL", "SIDE", "QTY", "PRICE", "FILL", "LATENCY",
                              "BROKER", "OUTCOME", "WHO", "/", "WHY"]
    paper, arm_row, live_fill, live_fail, halt, denied = rows(done)
    assert re.search(r"order\s+PAPER\s+fx\s+EUR_USD\s+buy\s+1000\s+1\.25\s+[\d.]+ms\s+[\d.]+ms\s+filled$", paper)
    assert re.search(r"arm\s+by \S+; CHG-7; id \w+, approvers ana, bo, until ", arm_row)
    assert re.search(r"order\s+LIVE\s+fx2\s+GBP_USD\s+sell\s+5\s+1\.23\s+1\.2345\s+[\d.]+ms\s+[\d.]+ms\s+filled$", live_fill)
    assert re.search(r"LIVE\s+fx2\s+GBP_USD\s+buy\s+2\s+1\.3\s.*failed\s+TimeoutError: TimeoutError: no reply$", live_fail)
    assert re.search(r"halt\s+by \S+; spread too wide$", halt)
    assert denied.endswith("denied       halted: trading is halted: spread too wide")


def test_filters(home):
    trade(home)
    assert [r.split()[1] for r in rows(run_cli("live", "audit", "--venue", "fx2"))] == ["order", "order"]
    assert [r.split()[2] for r in rows(run_cli("live", "audit", "--mode", "paper"))] == ["PAPER", "PAPER"]
    failed = rows(run_cli("live", "audit", "--outcome", "failed"))
    assert len(failed) == 1 and "TimeoutError" in failed[0]
    assert len(rows(run_cli("live", "audit", "--outcome", "denied"))) == 1
    (failed_line,) = run_cli("live", "audit", "--outcome", "failed", "--json").stdout.splitlines()
    assert json.loads(failed_line)["error"]["code"] == "TimeoutError"
    assert rows(run_cli("live", "audit", "--since", "2h", "--until", "2099-01-01")) == rows(run_cli("live", "audit"))
    assert rows(run_cli("live", "audit", "--until", "2020-01-01")) == []
    assert rows(run_cli("live", "audit", "--since", "2099-01-01T00:00Z")) == []
    bad = run_cli("live", "audit", "--since", "yesterday-ish")
    assert bad.returncode == 2 and "invalid time 'yesterday-ish'" in bad.stderr


def test_json_prints_the_lines_as_stored(home):
    trade(home)
    done = run_cli("live", "audit", "--json")
    assert done.stderr.startswith("state folder: ")  # stdout stays JSON
    stored = (home / "audit.log").read_text().splitlines()
    assert done.stdout.splitlines() == stored
    assert [AuditEvent.from_json(line).to_json() for line in stored] == stored
    live_lines = run_cli("live", "audit", "--json", "--venue", "fx2").stdout.splitlines()
    assert [json.loads(line)["phase"] for line in live_lines] == ["intent", "outcome", "intent", "outcome"]


def test_an_intent_without_outcome_is_shown(home):
    log = AuditLog(home / "audit.log")
    log.write(AuditEvent(ts=time.time(), kind="order", phase="intent", attempt_id="a-1", mode="LIVE", venue="fx",
                         order={"symbol": "EUR_USD", "side": "buy", "quantity": 3}))
    (row,) = rows(run_cli("live", "audit"))
    assert "no outcome" in row and "sent; no outcome recorded (process died?)" in row


def test_verify_reports_the_first_broken_line(home):
    trade(home)
    assert run_cli("live", "audit", "--verify").stdout.splitlines()[1].startswith("audit log intact: 8 lines in 1 file(s)")
    lines = (home / "audit.log").read_text().splitlines(keepends=True)
    lines[3] = lines[3].replace('"quantity":5', '"quantity":50')
    (home / "audit.log").write_text("".join(lines))
    done = run_cli("live", "audit", "--verify")
    assert done.returncode == 1
    assert done.stdout.splitlines()[1] == (
        "audit log NOT intact: audit.log line 5: the chain is broken (the line before it was edited, removed or reordered)"
    )


def test_status_names_the_running_gateways(home):
    gateway = OrderGateway({"fx": RecordingConnector()}, limits=Limits())
    gateway.submit("fx", symbol="EUR_USD", side="buy", quantity=1, price=1.0)
    text = run_cli("live", "status").stdout
    assert "running gateways: 1\n" in text and "(PAPER)" in text
    report = json.loads(run_cli("live", "status", "--json").stdout)
    assert [g["pid"] for g in report["gateways"]] == [__import__("os").getpid()]


def test_archive_command_compresses_rotated_files_with_a_manifest(home, tmp_path):
    log = AuditLog(home / "audit.log", max_bytes=300)
    for number in range(6):
        log.write(AuditEvent(ts=time.time(), kind="probe", details={"n": number, "pad": "x" * 120}))
    target = tmp_path / "vault"
    done = run_cli("archive", "--to", str(target))
    assert done.returncode == 0, done.stderr
    archived = [line for line in done.stdout.splitlines() if line.startswith("archived ")]
    assert len(archived) == 5 and done.stdout.rstrip().endswith("5 file(s) archived")
    manifest = [json.loads(line) for line in (home / "archive" / "manifest.jsonl").read_text().splitlines()]
    assert len(manifest) == 5 and all(len(entry["sha256"]) == 64 and entry["lines"] == 1 for entry in manifest)
    assert sorted(p.name for p in target.glob("*.gz")) == sorted(entry["gz"] for entry in manifest)
    again = run_cli("archive", "--to", str(target))
    assert again.stdout.rstrip().endswith("nothing to archive")
    missing = run_cli("archive", "--to", "s3://")
    assert missing.returncode == 2 and "tradeguard archive: " in missing.stderr


def test_archive_outside_a_project_or_without_a_state_folder_is_refused(tmp_path, monkeypatch):
    monkeypatch.delenv("TRADEGUARD_HOME")
    outside = run_cli("archive")
    assert outside.returncode == 2 and "no pyproject.toml found" in outside.stderr
    missing = run_cli("archive", "--home", str(tmp_path / "nowhere"))
    assert missing.returncode == 2 and "no state folder at" in missing.stderr
    assert not (tmp_path / ".tradeguard").exists() and not (tmp_path / "nowhere").exists()
