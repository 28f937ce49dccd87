"""`tradeguard live`: arming with approvers and readiness, disarm, halt/resume from another process, status."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from tradeguard import Limits, OrderGateway
from tradeguard.audit import read_events
from tradeguard.cli import live

from .helpers import TRADEGUARD, RecordingConnector, run_cli

ARM = ["live", "arm", "--ttl", "2h", "--reason", "release 1.4", "--no-readiness"]


def test_arm_needs_two_distinct_approvers_by_default(home):
    one = run_cli(*ARM, "--approver", "ana")
    assert one.returncode == 1
    assert one.stderr == "tradeguard live arm: 2 distinct approvers required, 1 given (--approver NAME each)\n"
    twice = run_cli(*ARM, "--approver", "ana", "--approver", " Ana ")
    assert twice.returncode == 2 and "a name was given twice" in twice.stderr
    assert not (home / "arming.json").exists()

    done = run_cli(*ARM, "--approver", "ana", "--approver", "bo")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[1].startswith("LIVE armed until ")
    record = json.loads((home / "arming.json").read_text())
    assert record["approvers"] == ["ana", "bo"] and "required_approvers" not in record  # policy is config only
    assert record["readiness"] == {"ran": False} and record["reason"] == "release 1.4"
    assert 7190 < record["expires_at"] - record["armed_at"] <= 7200
    assert len(record["signature"]) == 64
    (event,) = [r for r in read_events(home / "audit.log") if r.kind == "arm"]
    assert event.arming_id == record["id"] and event.details["approvers"] == ["ana", "bo"]


def test_required_approvers_comes_from_pyproject(tmp_path, home):
    (tmp_path / "pyproject.toml").write_text("[tool.tradeguard.live]\nrequired-approvers = 3\n")
    assert run_cli(*ARM, "--approver", "ana", "--approver", "bo").returncode == 1
    assert run_cli(*ARM, "--approver", "ana", "--approver", "bo", "--approver", "cy").returncode == 0
    assert len(json.loads((home / "arming.json").read_text())["approvers"]) == 3


def test_arming_without_readiness_module_is_refused_with_a_hint(home, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "hooks.readiness_checks", None)  # as when the module is not installed
    code = live.main(["arm", "--approver", "ana", "--approver", "bo", "--ttl", "1h", "--reason", "r"])
    err = capsys.readouterr().err
    assert code == 2
    assert err == (
        "tradeguard live arm: cannot arm: the readiness checks (hooks.readiness_checks) are not available; "
        "pass --no-readiness to arm without them\n"
    )
    assert not (home / "arming.json").exists()


def test_bad_ttl_is_a_usage_error(home):
    done = run_cli("live", "arm", "--approver", "a", "--approver", "b", "--ttl", "8 hours", "--reason", "r")
    assert done.returncode == 2 and "invalid duration '8 hours'" in done.stderr
    assert live.parse_ttl("1h30m") == 5400 and live.parse_ttl("45s") == 45 and live.parse_ttl("2d") == 172800


def test_status_text_and_json(home):
    first = run_cli("live", "status").stdout
    assert first.startswith(f"state folder: {home}\n") and "armed: no (LIVE is not armed" in first
    run_cli(*ARM, "--approver", "ana", "--approver", "bo")
    run_cli("live", "halt", "--reason", "exchange outage")
    text = run_cli("live", "status").stdout
    assert "armed: yes (id " in text and "approvers ana, bo" in text
    assert "kill switch: ON since " in text and "exchange outage" in text
    assert text.rstrip().endswith("LIVE trading: refused")
    report = json.loads(run_cli("live", "status", "--json").stdout)
    assert report["armed"] is True and report["halted"] is True and report["live_allowed"] is False
    assert report["halt"]["reason"] == "exchange outage" and report["home"] == str(home)
    assert run_cli("live", "resume").stdout.splitlines()[:2] == [f"state folder: {home}", "trading resumed (kill switch off)"]
    assert run_cli("live", "disarm").stdout == f"state folder: {home}\nLIVE disarmed\n"
    assert json.loads(run_cli("live", "status", "--json").stdout)["live_allowed"] is False


def test_audit_reads_the_log_by_session_and_tail(home):
    missing = run_cli("live", "audit")
    assert missing.returncode == 1 and "no audit log at" in missing.stderr
    run_cli(*ARM, "--approver", "ana", "--approver", "bo")
    run_cli("live", "halt", "--reason", "drill")
    run_cli("live", "disarm")
    arming_id = json.loads(run_cli("live", "audit", "--json", "--last", "3").stdout.splitlines()[0])["arming_id"]
    run_cli(*ARM, "--approver", "ana", "--approver", "bo")  # a second session: not part of the first
    lines = run_cli("live", "audit", "--arming-id", arming_id).stdout.splitlines()
    assert lines[0] == f"state folder: {home}" and lines[1].split()[:3] == ["TIME", "KIND", "MODE"]
    assert [line.split()[1] for line in lines[2:]] == ["arm", "halt", "disarm"]
    assert [line.split()[1] for line in run_cli("live", "audit", "--last", "1").stdout.splitlines()[2:]] == ["arm"]


def test_home_option_after_the_subcommand(tmp_path):
    other = tmp_path / "elsewhere"
    assert run_cli("live", "halt", "--reason", "x", "--home", str(other)).returncode == 0
    assert (other / "halt.json").exists()


def test_halt_from_another_process_stops_a_running_loop(home):
    assert live.main(["arm", "--approver", "ana", "--approver", "bo", "--ttl", "1h", "--reason", "r",
                      "--no-readiness"]) == 0
    connector = RecordingConnector()
    gateway = OrderGateway({"fx": connector}, mode="LIVE", limits=Limits())
    order = {"symbol": "EUR_USD", "side": "buy", "quantity": 1, "price": 1.0}

    operator = subprocess.Popen([TRADEGUARD, "live", "halt", "--reason", "operator pulled the plug"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    outcomes = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        outcomes.append(gateway.submit("fx", **order))
        if not outcomes[-1]["success"]:
            break
    assert operator.wait(timeout=60) == 0, operator.stderr.read()

    sent = [o for o in outcomes if o["success"]]
    assert outcomes[-1]["data"]["denial"] == "halted"
    assert outcomes[-1]["error"] == "trading is halted: operator pulled the plug"
    assert len(connector.calls) == len(sent) and sent  # the loop was trading until the halt landed
    assert gateway.submit("fx", **order)["data"]["denial"] == "halted"
    assert len(connector.calls) == len(sent)

    assert run_cli("live", "resume").returncode == 0
    assert gateway.submit("fx", **order)["success"] is True


@pytest.mark.parametrize("argv", [[], ["bogus"], ["halt"]])
def test_usage_errors_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as exited:
        live.main(argv)
    assert exited.value.code == 2
