"""tradeguard.gateway: modes, refusals, the paper broker, route(), broker errors, breaker, audit lines."""

from __future__ import annotations

import asyncio
import json
import time

import pytest

import tradeguard
from tradeguard import Limits, OrderGateway, route
from tradeguard.audit import read_events
from tradeguard.breaker import BreakerSettings
from tradeguard.cli import live
from tradeguard.config import ConfigError
from tradeguard.results import is_canonical

from .helpers import RecordingConnector


def arm(home, ttl="1h"):
    assert live.main(["arm", "--home", str(home), "--approver", "ana", "--approver", "bo", "--ttl", ttl,
                      "--reason", "test", "--no-readiness"]) == 0


def submits(home):
    """The outcome line of every attempt."""
    return [r for r in read_events(home / "audit.log") if r.kind == "order" and r.phase == "outcome"]


def kinds(home):
    return [r.kind if r.kind != "order" else r.phase for r in read_events(home / "audit.log")]


def test_paper_is_the_default_and_never_calls_the_connector(home):
    connector = RecordingConnector()
    gateway = OrderGateway({"fx": connector}, limits=Limits(), price_source={"EUR_USD": 1.1})
    assert gateway.mode == "PAPER"
    limit = gateway.submit("fx", symbol="EUR_USD", side="buy", quantity=1000, price=1.05)
    market = gateway.submit("fx", symbol="EUR_USD", side="sell", quantity=400)
    unpriced = gateway.submit("fx", symbol="GBP_USD", side="buy", quantity=5)
    assert connector.calls == []
    assert limit["data"] | {"order_id": None} == {
        "order_id": None, "status": "filled", "symbol": "EUR_USD", "side": "buy", "quantity": 1000.0,
        "filled_quantity": 1000.0, "fill_price": 1.05, "paper": True,
    }
    assert market["data"]["fill_price"] == 1.1 and market["data"]["status"] == "filled"
    assert unpriced["data"]["status"] == "accepted" and unpriced["data"]["filled_quantity"] == 0.0
    assert gateway.positions() == {"fx": {"EUR_USD": 600.0}}
    assert [r.mode for r in submits(home)] == ["PAPER"] * 3
    assert [r.outcome for r in submits(home)] == ["filled", "filled", "accepted"]


def test_route_takes_the_connectors_own_arguments_without_configuration(home):
    class OandaLike:
        def place_order(self, instrument, units, price=None):
            raise AssertionError("PAPER must not reach the broker")

    connector = OandaLike()
    result = route(connector, "EUR_USD", -250, price=1.2)
    assert result["success"] is True
    assert result["data"]["side"] == "sell" and result["data"]["quantity"] == 250.0
    assert tradeguard.gateway.default_gateway().positions() == {"OandaLike": {"EUR_USD": -250.0}}
    (record,) = submits(home)
    assert record.order == {"instrument": "EUR_USD", "units": -250, "price": 1.2}
    assert record.venue == "OandaLike" and record.method == "place_order"


def test_route_with_an_async_order_method_returns_an_awaitable(home):
    class AsyncConnector:
        async def place_order(self, symbol, side, size):
            raise AssertionError("PAPER must not reach the broker")

    result = asyncio.run(route(AsyncConnector(), "BTC-USD", "BUY", "0.01"))
    assert result["success"] is True and result["data"]["quantity"] == 0.01


def test_refusals_before_the_broker_are_canonical_and_audited(home):
    gateway = OrderGateway({"fx": RecordingConnector()}, limits=Limits())
    unknown = gateway.submit("nowhere", symbol="X", side="buy", quantity=1)
    wrong = gateway.submit("fx", ticker="X")
    no_method = gateway.send(object(), "X")
    assert unknown["data"]["denial"] == "unknown_venue" and "nowhere" in unknown["error"]
    assert wrong["data"]["denial"] == "bad_arguments" and "place_order" in wrong["error"]
    assert no_method["data"]["denial"] == "no_order_method"
    assert all(is_canonical(r) for r in (unknown, wrong, no_method))
    assert [r.error["code"] for r in submits(home)] == ["unknown_venue", "bad_arguments", "no_order_method"]
    assert {r.outcome for r in submits(home)} == {"denied"}


@pytest.mark.parametrize("how", ["argument", "environment"])
def test_live_unarmed_is_refused_and_never_falls_back_to_paper(home, monkeypatch, how):
    connector = RecordingConnector()
    if how == "environment":
        monkeypatch.setenv("TRADEGUARD_MODE", "live")
    gateway = OrderGateway({"fx": connector}, mode="LIVE" if how == "argument" else None, limits=Limits())
    result = gateway.submit("fx", symbol="EUR_USD", side="buy", quantity=1, price=1.0)
    assert gateway.mode == "LIVE"
    assert result == {
        "success": False,
        "error": "LIVE refused: LIVE is not armed (run `tradeguard live arm`)",
        "data": {"denial": "not_armed", "mode": "LIVE"},
    }
    assert connector.calls == [] and gateway.positions() == {}


def test_mode_transitions_arm_halt_resume_disarm(home):
    connector = RecordingConnector()
    gateway = OrderGateway({"fx": connector}, mode="LIVE", limits=Limits())
    order = {"symbol": "EUR_USD", "side": "buy", "quantity": 1, "price": 1.0}

    arm(home)
    armed = gateway.submit("fx", **order)
    assert armed == {"success": True, "error": None, "data": {"order_id": "live-1"}}

    gateway.halt("desk says stop")
    halted = gateway.submit("fx", **order)
    assert halted["data"]["denial"] == "halted" and "desk says stop" in halted["error"]
    paper_halted = OrderGateway({"fx": connector}, limits=Limits()).submit("fx", **order)
    assert paper_halted["data"]["denial"] == "halted"  # the kill switch stops every mode

    gateway.resume()
    assert gateway.submit("fx", **order)["success"] is True

    assert live.main(["disarm", "--home", str(home)]) == 0
    disarmed = gateway.submit("fx", **order)
    assert disarmed["data"]["denial"] == "not_armed"
    assert len(connector.calls) == 2

    records = submits(home)
    arming_id = json.loads((home / "arming.json").read_text())["id"] if (home / "arming.json").exists() else None
    assert arming_id is None
    assert [r.arming_id is not None for r in records] == [True, False, False, True, False]
    assert kinds(home) == [
        "arm", "intent", "outcome", "halt", "outcome", "outcome", "resume", "intent", "outcome", "disarm", "outcome"
    ]


def test_arming_expires(home):
    connector = RecordingConnector()
    gateway = OrderGateway({"fx": connector}, mode="LIVE", limits=Limits())
    arm(home, ttl="1s")
    assert gateway.submit("fx", symbol="A", side="buy", quantity=1, price=1.0)["success"] is True
    time.sleep(1.1)
    expired = gateway.submit("fx", symbol="A", side="buy", quantity=1, price=1.0)
    assert expired["data"]["denial"] == "not_armed" and "expired" in expired["error"]
    assert len(connector.calls) == 1


def test_a_hand_edited_arming_record_with_too_few_approvers_is_refused(home):
    arm(home)
    record = json.loads((home / "arming.json").read_text())
    (home / "arming.json").write_text(json.dumps({**record, "approvers": ["ana", "ANA"]}))
    result = OrderGateway({"fx": RecordingConnector()}, mode="LIVE", limits=Limits()).submit(
        "fx", symbol="A", side="buy", quantity=1, price=1.0
    )
    assert result["error"] == (
        "LIVE refused: the arming record is refused: each approver must be a different person (a name was given twice)"
    )


def test_unknown_modes_are_configuration_errors(monkeypatch):
    with pytest.raises(ConfigError, match="unknown trading mode 'REAL'"):
        OrderGateway({}, mode="REAL")
    monkeypatch.setenv("TRADEGUARD_MODE", "yes-live")
    assert route(RecordingConnector(), "A", "buy", 1) == {
        "success": False,
        "error": "TRADEGUARD_MODE: unknown trading mode 'yes-live' (expected PAPER or LIVE)",
        "data": {"denial": "config"},
    }


def test_live_needs_an_audit_log():
    with pytest.raises(ConfigError, match="LIVE trading needs an audit log"):
        OrderGateway({}, mode="LIVE", audit=False)


def test_broker_errors_become_failures_but_interrupts_propagate(home):
    arm(home)
    failing = OrderGateway({"fx": RecordingConnector(fail_with=ConnectionError("socket closed"))}, mode="LIVE",
                           limits=Limits())
    result = failing.submit("fx", symbol="A", side="buy", quantity=1, price=1.0)
    assert result == {
        "success": False, "error": "ConnectionError: socket closed", "data": {"exception": "ConnectionError"}
    }
    interrupted = OrderGateway({"fx": RecordingConnector(fail_with=KeyboardInterrupt())}, mode="LIVE", limits=Limits())
    with pytest.raises(KeyboardInterrupt):
        interrupted.submit("fx", symbol="A", side="buy", quantity=1, price=1.0)
    last = submits(home)[-1]  # the interrupted attempt is on record too: the order may have gone out
    assert last.result["data"] == {"interrupted": True} and "KeyboardInterrupt" in last.result["error"]
    assert last.outcome == "interrupted" and kinds(home)[-2:] == ["intent", "outcome"]


def test_live_replies_are_normalized(home):
    arm(home)
    reply = {"orderCreateTransaction": {"id": "1"}, "orderCancelTransaction": {"reason": "FIFO_VIOLATION"}}
    gateway = OrderGateway({"oanda": RecordingConnector(reply=reply)}, mode="LIVE", limits=Limits())
    result = gateway.submit("oanda", symbol="EUR_USD", side="buy", quantity=1, price=1.0)
    assert result["error"] == "OANDA order cancelled: FIFO_VIOLATION"
    (record,) = submits(home)
    assert record.result == result and record.arming_id and record.broker_seconds >= 0
    assert record.outcome == "failed" and record.error == {"code": "broker", "message": result["error"]}


def test_circuit_breaker_halts_after_consecutive_failures_and_alerts(home):
    arm(home)
    alerts = []
    gateway = OrderGateway({"fx": RecordingConnector(fail_with=TimeoutError("no reply"))}, mode="LIVE",
                           limits=Limits(), breaker=BreakerSettings(max_consecutive_failures=3), alert=alerts.append)
    outcomes = [gateway.submit("fx", symbol="A", side="buy", quantity=1, price=1.0) for _ in range(4)]
    assert [o["data"].get("denial") for o in outcomes] == [None, None, None, "halted"]
    assert alerts and alerts[0]["reason"] == "circuit breaker: 3 consecutive broker failures"
    assert json.loads((home / "halt.json").read_text())["by"] == "circuit-breaker"


def test_circuit_breaker_halts_when_latency_stays_high(home):
    class Slow(RecordingConnector):
        def place_order(self, *args, **kwargs):
            time.sleep(0.03)
            return super().place_order(*args, **kwargs)

    arm(home)
    alerts = []
    gateway = OrderGateway({"fx": Slow()}, mode="LIVE", limits=Limits(), alert=alerts.append,
                           breaker=BreakerSettings(max_latency_seconds=0.01, slow_submits=2))
    first, second, third = (gateway.submit("fx", symbol="A", side="buy", quantity=1, price=1.0) for _ in range(3))
    assert first["success"] and second["success"]
    assert third["data"]["denial"] == "halted" and "latency above 0.01s for 2 submits" in third["error"]
    assert len(alerts) == 1


def test_a_failing_alert_hook_does_not_hide_the_halt(home):
    def broken(event):
        raise RuntimeError("pager down")

    gateway = OrderGateway({"fx": RecordingConnector()}, limits=Limits(), alert=broken,
                           breaker=BreakerSettings(max_consecutive_failures=1))
    gateway.submit("fx", symbol="A", side="hold", quantity=5)  # the paper broker refuses an order with no side
    (trip,) = [r for r in read_events(home / "audit.log") if r.kind == "breaker_trip"]
    assert trip.details == {"alert_error": "RuntimeError"} and trip.actor == "circuit-breaker"
    assert [r.kind for r in read_events(home / "audit.log")] == ["order", "breaker_trip", "halt"]
    assert (home / "halt.json").exists()


def test_audit_line_holds_every_field_and_redacts_credential_fields(home):
    gateway = OrderGateway({"fx": RecordingConnector()}, limits=Limits())
    token = "fake-" + "0a" * 12
    gateway.submit("fx", symbol="EUR_USD", side="buy", quantity=2, price=1.5, api_key=token, client_id="c-1")
    (line,) = (home / "audit.log").read_text().splitlines()
    assert list(json.loads(line)) == [
        "ts", "kind", "phase", "attempt_id", "mode", "venue", "method", "order", "outcome", "result", "error",
        "submit_seconds", "broker_seconds", "actor", "reason", "arming_id", "decisions", "details", "pid", "prev",
    ]
    (record,) = submits(home)
    assert record.order["api_key"] == "[REDACTED]" and record.order["client_id"] == "c-1"
    assert record.to_json() == line
    assert token not in (home / "audit.log").read_text()


def test_audit_write_failure_refuses_further_orders_until_resume(home):
    gateway = OrderGateway({"fx": RecordingConnector()}, limits=Limits())
    assert gateway.submit("fx", symbol="A", side="buy", quantity=1)["success"]
    (home / "audit.log").unlink()
    (home / "audit.log").mkdir()  # the log's path is no longer a writable file
    first = gateway.submit("fx", symbol="A", side="buy", quantity=1)
    assert "audit_error" in first["data"]
    refused = gateway.submit("fx", symbol="A", side="buy", quantity=1)
    assert refused["data"]["denial"] == "audit_unavailable"


def test_async_connector_in_live_is_awaited_and_normalized(home):
    class AsyncBroker:
        def __init__(self):
            self.calls = 0

        async def place_order(self, symbol, side, size, price=None):
            self.calls += 1
            await asyncio.sleep(0)
            return {"success": True, "success_response": {"order_id": "cb-1"}}

    arm(home)
    broker = AsyncBroker()
    gateway = OrderGateway({"coinbase": broker}, mode="LIVE", limits=Limits())
    result = asyncio.run(gateway.send(broker, "BTC-USD", "BUY", "0.01", price=60000))
    assert broker.calls == 1 and result["data"]["order_id"] == "cb-1"
    assert submits(home)[-1].venue == "coinbase"


def test_route_uses_the_projects_order_methods(tmp_path, home):
    (tmp_path / "pyproject.toml").write_text('[tool.tradeguard]\norder-methods = ["submit_order"]\n')

    class AlpacaLike:
        def submit_order(self, symbol, qty, side, type="market", limit_price=None):
            raise AssertionError("PAPER must not reach the broker")

    result = route(AlpacaLike(), "AAPL", 3, "buy", type="limit", limit_price=190.5)
    assert result["data"]["fill_price"] == 190.5 and result["data"]["quantity"] == 3.0
    assert submits(home)[-1].method == "submit_order"


def test_route_reads_ibkr_contract_and_order_objects(home):
    ib_async = pytest.importorskip("ib_async")

    class IbkrLike:
        def place_order(self, contract, order):
            raise AssertionError("PAPER must not reach the broker")

    limit = route(IbkrLike(), ib_async.Stock("AAPL", "SMART", "USD"), ib_async.LimitOrder("SELL", 10, 150.0))
    market = route(IbkrLike(), ib_async.Stock("MSFT", "SMART", "USD"), ib_async.MarketOrder("BUY", 5))
    assert (limit["data"]["symbol"], limit["data"]["side"], limit["data"]["fill_price"]) == ("AAPL", "sell", 150.0)
    assert (market["data"]["symbol"], market["data"]["status"]) == ("MSFT", "accepted")  # no quote, no unset price
    assert tradeguard.gateway.default_gateway().positions() == {"IbkrLike": {"AAPL": -10.0}}
    assert "Stock(" in json.dumps(submits(home)[0].order["contract"])


def test_coinbase_order_configuration_is_read_for_limits():
    class CoinbaseLike:
        def place_order(self, client_order_id, product_id, side, order_configuration):
            raise AssertionError("PAPER must not reach the broker")

    gateway = OrderGateway({"cb": CoinbaseLike()}, limits=Limits(max_notional=1000), price_source={"BTC-USD": 59000})
    config = {"limit_limit_gtc": {"base_size": "0.02", "limit_price": "60000"}}
    result = gateway.submit("cb", client_order_id="c1", product_id="BTC-USD", side="BUY", order_configuration=config)
    assert result["data"] == {"denial": "max_notional", "mode": "PAPER"}
    assert result["error"] == "limit: notional 1200 is above max-notional 1000"


def test_observers_see_every_event_after_it_is_written_and_cannot_affect_the_order(home):
    seen = []

    def record(event):
        seen.append((event.kind, event.phase, (home / "audit.log").read_text().count("\n")))

    def broken(event):
        raise RuntimeError("observer down")

    arm(home)
    gateway = OrderGateway({"fx": RecordingConnector()}, mode="LIVE", limits=Limits(), observers=[broken, record])
    assert gateway.submit("fx", symbol="EUR_USD", side="buy", quantity=1, price=1.0)["success"] is True
    gateway.halt("observed")
    assert gateway.submit("fx", symbol="EUR_USD", side="buy", quantity=1, price=1.0)["data"]["denial"] == "halted"
    # each event reaches the observer once its line is on disk (the arm line came first)
    assert seen == [("order", "intent", 2), ("order", "outcome", 3), ("halt", None, 4), ("order", "outcome", 5)]
