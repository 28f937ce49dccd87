"""Each attack of issue 13 on the LIVE path, tried as an adversary would; every one failed before the fix.

The audit log is read as the raw JSON lines on disk, so these tests judge the file, not our reader.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
import types

import pytest

from tradeguard import Limits, OrderGateway, is_canonical, normalize
from tradeguard import signing
from tradeguard.audit import line_hash
from tradeguard.cli import live
from tradeguard.credentials import resolve
from tradeguard.redact import MAX_TEXT, REDACTED, plain

from .helpers import RecordingConnector, run_cli

ORDER = {"symbol": "EUR_USD", "side": "buy", "quantity": 1, "price": 1.0}


def arm(home, *extra):
    assert live.main(["arm", "--home", str(home), "--approver", "ana", "--approver", "bo", "--ttl", "1h",
                      "--reason", "test", "--no-readiness", *extra]) == 0


def lines(home) -> list[dict]:
    text = (home / "audit.log").read_text(encoding="utf-8")
    assert text.endswith("\n")
    return [json.loads(line) for line in text.splitlines()]


def order_lines(home) -> list[dict]:
    return [line for line in lines(home) if line["kind"] == "order"]


def live_gateway(connector, **options) -> OrderGateway:
    return OrderGateway({"fx": connector}, mode="LIVE", limits=Limits(), **options)


# -- a LIVE order reached the broker, then submit raised and nothing was audited --------------------
@pytest.mark.parametrize(
    "reply",
    [
        {"success": True, "error": None, "data": {"order_id": 10**5000}},
        {"success": True, "error": None, "data": {"note": "\ud800 lone surrogate"}},
        {"success": False, "error": "\udfff", "data": {}},
        {"success": False, "error": 10**5000, "data": {}},
    ],
    ids=["huge-int-reply", "surrogate-reply", "surrogate-error", "huge-int-error"],
)
def test_a_hostile_reply_is_audited_and_returned(home, reply):
    arm(home)
    connector = RecordingConnector(reply=reply)
    result = live_gateway(connector).submit("fx", **ORDER)
    assert is_canonical(result) and len(connector.calls) == 1
    intent, outcome = order_lines(home)
    assert (intent["phase"], outcome["phase"]) == ("intent", "outcome")
    assert intent["attempt_id"] == outcome["attempt_id"] and outcome["outcome"] in ("filled", "failed")


@pytest.mark.parametrize(
    "field",
    [{"memo": "\ud800"}, {"client_id": 10**5000}, {"tag": b"\xff\xfe"}],
    ids=["surrogate", "huge-int", "bytes"],
)
def test_hostile_order_fields_are_made_safe_before_anything_is_sent(home, field):
    arm(home)
    connector = RecordingConnector()
    result = live_gateway(connector).submit("fx", **ORDER, **field)
    assert result["success"] is True and len(connector.calls) == 1
    intent, outcome = order_lines(home)
    assert intent["order"] == outcome["order"] and set(field) <= set(intent["order"])


class RaisingProperty:
    @property
    def symbol(self):
        raise RuntimeError("boom")


class RaisingCompare:
    def __ne__(self, other):
        raise RuntimeError("no comparing me")

    __eq__ = __ne__
    __hash__ = object.__hash__


class RaisingMapping(dict):
    def items(self):
        raise RuntimeError("no items")


@pytest.mark.parametrize(
    "order",
    [
        {"symbol": "EUR_USD", "side": "buy", "quantity": 10**400, "price": 1.0},
        {"contract": RaisingProperty(), "side": "buy", "quantity": 1},
        {"symbol": RaisingCompare(), "side": "buy", "quantity": 1},
        {"symbol": "EUR_USD", "side": "buy", "quantity": 1, "meta": RaisingMapping(a=1)},
    ],
    ids=["qty-10**400", "raising-property", "raising-ne", "raising-items"],
)
@pytest.mark.parametrize("mode", ["PAPER", "LIVE"])
def test_hostile_orders_never_make_submit_raise(home, order, mode):
    if mode == "LIVE":
        arm(home)
    result = OrderGateway({"fx": RecordingConnector()}, mode=mode, limits=Limits()).submit("fx", **order)
    assert is_canonical(result)
    assert order_lines(home)[-1]["phase"] == "outcome"


@pytest.mark.parametrize("raised", [GeneratorExit(), StopIteration(), RecursionError("deep")])
def test_a_connector_raising_any_exception_but_interrupts_is_a_failure(home, raised):
    arm(home)
    result = live_gateway(RecordingConnector(fail_with=raised)).submit("fx", **ORDER)
    assert result["success"] is False and result["data"]["exception"] == type(raised).__name__
    assert [line["phase"] for line in order_lines(home)] == ["intent", "outcome"]


def test_state_folder_that_is_a_file_refuses_and_never_raises(tmp_path, monkeypatch):
    not_a_folder = tmp_path / "home-file"
    not_a_folder.write_text("x")
    monkeypatch.setenv("TRADEGUARD_HOME", str(not_a_folder))
    connector = RecordingConnector()
    for mode in ("PAPER", "LIVE"):
        result = OrderGateway({"fx": connector}, mode=mode, limits=Limits()).submit("fx", **ORDER)
        assert result["success"] is False and result["data"]["denial"] == "halted"
        assert "cannot be checked (NotADirectoryError)" in result["error"]
    assert connector.calls == []


# -- a hand-written arming.json turned LIVE on ---------------------------------------------------------
def hand_written(home, **fields) -> None:
    signing.load_key(create=True)  # the key exists: the forger just does not have it
    now = time.time()
    record = {"id": "forged", "approvers": ["mallory"], "required_approvers": 1, "armed_at": now - 5,
              "expires_at": now + 3600, "reason": "forged"} | fields
    home.mkdir(parents=True, exist_ok=True)
    (home / "arming.json").write_text(json.dumps(record))
    os.chmod(home / "arming.json", 0o600)


@pytest.mark.parametrize(
    "fields, reason",
    [
        ({}, "2 distinct approvers required, 1 given"),
        ({"approvers": ["mallory", "trent"]}, "signature does not match"),
        ({"approvers": ["mallory", "trent"], "expires_at": float("nan")}, "not valid JSON"),
        ({"approvers": ["mallory", "trent"], "expires_at": float("inf")}, "not valid JSON"),
        ({"approvers": ["mallory", "trent"], "expires_at": 253402300799.0}, "beyond max-ttl"),
        ({"approvers": ["mallory", "trent"], "armed_at": float("nan")}, "not valid JSON"),
    ],
    ids=["one-approver", "unsigned", "nan-expiry", "infinite-expiry", "year-9999", "nan-armed-at"],
)
def test_a_hand_written_arming_record_arms_nothing(home, fields, reason):
    hand_written(home, **fields)
    connector = RecordingConnector()
    result = live_gateway(connector).submit("fx", **ORDER)
    assert result["data"]["denial"] == "not_armed" and reason in result["error"]
    assert connector.calls == []


def test_a_signed_record_edited_by_hand_arms_nothing(home):
    arm(home)
    record = json.loads((home / "arming.json").read_text())
    for edit in ({"expires_at": record["expires_at"] + 60}, {"approvers": ["ana", "eve"]}, {"id": "other"}):
        (home / "arming.json").write_text(json.dumps(record | edit))
        result = live_gateway(RecordingConnector()).submit("fx", **ORDER)
        assert "signature does not match" in result["error"], edit


def test_an_arming_record_writable_by_others_arms_nothing(home):
    arm(home)
    os.chmod(home / "arming.json", 0o666)
    result = live_gateway(RecordingConnector()).submit("fx", **ORDER)
    assert result["data"]["denial"] == "not_armed" and "is writable by others" in result["error"]


def test_a_key_inside_the_state_folder_or_project_signs_nothing(home, tmp_path, monkeypatch):
    monkeypatch.setenv("TRADEGUARD_ARMING_KEY", str(home / "arming.key"))
    done = run_cli("live", "arm", "--approver", "ana", "--approver", "bo", "--ttl", "1h", "--reason", "r", "--no-readiness")
    assert done.returncode == 1 and "is inside" in done.stderr and not (home / "arming.json").exists()
    (tmp_path / "pyproject.toml").write_text("")
    monkeypatch.setenv("TRADEGUARD_ARMING_KEY", str(tmp_path / "keys" / "arming.key"))
    done = run_cli("live", "arm", "--approver", "ana", "--approver", "bo", "--ttl", "1h", "--reason", "r", "--no-readiness")
    assert done.returncode == 1 and "keep it outside the project" in done.stderr


def test_required_approvers_come_from_config_not_from_the_record(home, tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.tradeguard.live]\nrequired-approvers = 3\n")
    arm_three = ["arm", "--home", str(home), "--approver", "ana", "--approver", "bo", "--approver", "cy",
                 "--ttl", "1h", "--reason", "r", "--no-readiness"]
    assert live.main(arm_three) == 0
    (tmp_path / "pyproject.toml").write_text("[tool.tradeguard.live]\nrequired-approvers = 4\n")
    result = live_gateway(RecordingConnector()).submit("fx", **ORDER)  # policy raised after arming
    assert "4 distinct approvers required, 3 given" in result["error"]


# -- the kill switch failed open -------------------------------------------------------------------
@pytest.mark.parametrize("content", ["null", "[]", "{not json", '"halt"', ""])
def test_a_malformed_kill_switch_halts(home, content):
    home.mkdir(parents=True)
    (home / "halt.json").write_text(content)
    result = OrderGateway({"fx": RecordingConnector()}, limits=Limits()).submit("fx", **ORDER)
    assert result["data"]["denial"] == "halted" and "kill switch file" in result["error"]


def test_a_dangling_kill_switch_link_halts(home):
    home.mkdir(parents=True)
    (home / "halt.json").symlink_to(home / "gone.json")
    result = OrderGateway({"fx": RecordingConnector()}, limits=Limits()).submit("fx", **ORDER)
    assert result["data"]["denial"] == "halted" and "is a dangling link" in result["error"]
    assert "kill switch: ON" in run_cli("live", "status").stdout


# -- one person met the two-approver rule ----------------------------------------------------------
@pytest.mark.parametrize(
    "second, message",
    [
        ("\u0430lice", "mixes scripts"),  # Cyrillic а
        ("al\u200bice", "invisible character (U+200B)"),  # zero-width space
        ("ＡＬＩＣＥ", "a name was given twice"),  # full-width: NFKC makes it alice
        ("Alice\u2060", "invisible character"),  # word joiner
    ],
)
def test_one_person_cannot_be_two_approvers(home, second, message):
    done = run_cli("live", "arm", "--approver", "alice", "--approver", second, "--ttl", "1h", "--reason", "r",
                   "--no-readiness")
    assert done.returncode == 2 and message in done.stderr
    assert not (home / "arming.json").exists()


def test_ttl_is_capped_by_max_ttl(home, tmp_path):
    done = run_cli("live", "arm", "--approver", "ana", "--approver", "bo", "--ttl", "36500d", "--reason", "r",
                   "--no-readiness")
    assert done.returncode == 2 and "longer than max-ttl 43200s" in done.stderr
    (tmp_path / "pyproject.toml").write_text('[tool.tradeguard.live]\nmax-ttl = "30m"\n')
    done = run_cli("live", "arm", "--approver", "ana", "--approver", "bo", "--ttl", "1h", "--reason", "r",
                   "--no-readiness")
    assert done.returncode == 2 and "longer than max-ttl 1800s" in done.stderr
    assert not (home / "arming.json").exists()


def test_re_arming_over_a_valid_arming_needs_replace_and_is_audited(home):
    arm(home)
    first = json.loads((home / "arming.json").read_text())["id"]
    done = run_cli("live", "arm", "--approver", "cy", "--approver", "di", "--ttl", "1h", "--reason", "r",
                   "--no-readiness")
    assert done.returncode == 1 and f"LIVE is already armed (id {first}" in done.stderr
    assert json.loads((home / "arming.json").read_text())["id"] == first
    arm(home, "--replace")
    second = json.loads((home / "arming.json").read_text())
    assert second["replaces"] == first
    (event,) = [line for line in lines(home) if line["kind"] == "arm" and line["details"]["replaces"]]
    assert event["details"]["replaces"] == first and event["arming_id"] == second["id"]


# -- secrets survived in the audit log -------------------------------------------------------------
def test_redaction_runs_before_truncation(home, monkeypatch):
    secret = "fake-" + "5c" * 20
    monkeypatch.setenv("TRADEGUARD_SECRET_LONG_TOKEN", secret)
    resolve("long_token")
    straddling = "x" * (MAX_TEXT - 10) + secret  # the cut falls inside the secret
    OrderGateway({"fx": RecordingConnector()}, limits=Limits()).submit("fx", **ORDER, memo=straddling)
    text = (home / "audit.log").read_text()
    assert secret[:10] not in text and REDACTED in text


@pytest.mark.parametrize("name", ["pwd", "key", "accessKey", "secret_key", "x-api-key", "authToken", "passphrase",
                                  "signature", "client_secret", "sessionToken", "PASSWORD"])
def test_credential_like_field_names_are_redacted(name):
    assert plain({name: "fake-value-123", "symbol": "EUR_USD", "monkey": "m", "signal": "s"}) == {
        name: REDACTED, "symbol": "EUR_USD", "monkey": "m", "signal": "s",
    }


# -- a full disk -------------------------------------------------------------------------------------
FULL_DISK = textwrap.dedent(
    """
    import json, resource, signal, sys
    from tradeguard import Limits, OrderGateway

    class Connector:
        calls = 0
        def place_order(self, symbol, side, quantity, price=None, **extra):
            Connector.calls += 1
            return {"success": True, "error": None, "data": {"order_id": Connector.calls}}

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG, like ENOSPC
    gateway = OrderGateway({"fx": Connector()}, mode="LIVE", limits=Limits())
    resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[1]), int(sys.argv[1])))
    outcomes = [gateway.submit("fx", symbol="EUR_USD", side="buy", quantity=1, price=1.0, pad="p" * 300)
                for _ in range(40)]
    print(json.dumps({"calls": Connector.calls, "ok": sum(o["success"] for o in outcomes),
                      "denials": sorted({o["data"].get("denial") for o in outcomes} - {None})}))
    """
)


def test_a_full_disk_leaves_no_torn_line_and_no_unaudited_live_order(home):
    arm(home)
    start = (home / "audit.log").stat().st_size
    done = subprocess.run([sys.executable, "-c", FULL_DISK, str(start + 5000)], capture_output=True, text=True,
                          timeout=60, env=os.environ)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["denials"] == ["audit_unavailable"]
    orders = order_lines(home)  # every line whole: the file ends in a newline, every line is JSON
    intents = [line for line in orders if line["phase"] == "intent"]
    assert 0 < report["calls"] == len(intents)  # the broker never saw an order the disk did not hold first
    audit = run_cli("live", "audit")
    assert audit.returncode == 0 and audit.stderr == ""
    assert run_cli("live", "audit", "--verify").returncode == 0


def test_a_torn_last_line_is_named_not_fatal(home):
    OrderGateway({"fx": RecordingConnector()}, limits=Limits()).submit("fx", **ORDER)
    with open(home / "audit.log", "a") as log:
        log.write('{"ts": 1.0, "kind": "order", "pha')  # the machine died mid-write
    audit = run_cli("live", "audit")
    assert audit.returncode == 0 and "filled" in audit.stdout
    assert "line 2 is damaged (not an audit event), cut short" in audit.stderr
    verified = run_cli("live", "audit", "--verify")
    assert verified.returncode == 1 and "audit.log line 2: cut short" in verified.stdout
    for _ in range(2):  # goes on after it, the chain unbroken from there
        OrderGateway({"fx": RecordingConnector()}, limits=Limits()).submit("fx", **ORDER)
    assert run_cli("live", "audit").stdout.count(" filled") == 3
    raw = (home / "audit.log").read_bytes().splitlines()
    assert raw[1].startswith(b'{"ts": 1.0') and json.loads(raw[3])["prev"] == line_hash(raw[2])


# -- normalize called non-results a success ---------------------------------------------------------
@pytest.mark.parametrize(
    "raw",
    [(n for n in range(3)), types, float("nan"), float("inf"), object(), type("Empty", (), {})(), iter([1]), len],
    ids=["generator", "module", "nan", "inf", "object", "attribute-less", "iterator", "function"],
)
def test_normalize_refuses_what_is_not_a_result(raw):
    result = normalize(raw)
    assert is_canonical(result) and result["success"] is False


# -- a halt from the wrong folder ------------------------------------------------------------------
def test_halt_from_a_subfolder_reaches_the_projects_gateway(tmp_path, monkeypatch):
    monkeypatch.delenv("TRADEGUARD_HOME")
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'bot'\n")
    gateway = OrderGateway({"fx": RecordingConnector()}, limits=Limits())  # started in the project root
    assert gateway.submit("fx", **ORDER)["success"] is True
    sub = tmp_path / "bot" / "strategies"
    sub.mkdir(parents=True)
    done = subprocess.run([sys.executable, "-m", "tradeguard.cli", "live", "halt", "--reason", "from a subfolder"],
                          cwd=sub, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"state folder: {tmp_path / '.tradeguard'}\n")
    assert f"gateways using this folder: pid {os.getpid()}" in done.stdout
    assert gateway.submit("fx", **ORDER)["data"]["denial"] == "halted"


def test_halt_outside_any_project_is_refused(tmp_path, monkeypatch):
    monkeypatch.delenv("TRADEGUARD_HOME")
    done = run_cli("live", "halt", "--reason", "wrong folder")
    assert done.returncode == 2 and "no pyproject.toml found" in done.stderr
    assert not (tmp_path / ".tradeguard").exists()


def test_halt_with_no_gateway_on_the_folder_warns(home):
    done = run_cli("live", "halt", "--reason", "nobody listening")
    assert done.returncode == 0 and "warning: no running gateway uses this folder" in done.stdout


def test_an_async_connector_with_hostile_replies_never_makes_submit_raise(home):
    import asyncio

    class AsyncBroker:
        def __init__(self, outcome):
            self.outcome, self.calls = outcome, 0

        async def place_order(self, symbol, side, quantity, price=None):
            self.calls += 1
            if isinstance(self.outcome, BaseException):
                raise self.outcome
            return self.outcome

    arm(home)
    for outcome in ({"success": True, "error": None, "data": {"n": 10**5000}}, GeneratorExit(), float("nan")):
        broker = AsyncBroker(outcome)
        result = asyncio.run(live_gateway(broker).send(broker, "EUR_USD", "buy", 1, price=1.0))
        assert is_canonical(result) and broker.calls == 1
    phases = [line["phase"] for line in order_lines(home)]
    assert phases == ["intent", "outcome"] * 3
