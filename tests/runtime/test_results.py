"""tradeguard.results: the canonical shape, its helpers, and normalize() on what connectors return."""

from __future__ import annotations

import dataclasses
import datetime
from collections import namedtuple

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradeguard import fail, is_canonical, normalize, ok


def test_ok_and_fail_build_canonical_results():
    assert ok({"id": 1}) == {"success": True, "error": None, "data": {"id": 1}}
    assert ok() == {"success": True, "error": None, "data": {}}
    assert fail("rejected") == {"success": False, "error": "rejected", "data": {}}
    assert fail("", {"x": 1}) == {"success": False, "error": "unknown error", "data": {"x": 1}}
    assert fail(ValueError("bad size"))["error"] == "ValueError: bad size"


@pytest.mark.parametrize(
    "value",
    [
        {"success": True, "error": "x", "data": {}},
        {"success": False, "error": None, "data": {}},
        {"success": False, "error": "", "data": {}},
        {"success": 1, "error": None, "data": {}},
        {"success": True, "error": None, "data": []},
        {"success": True, "error": None, "data": {}, "order_id": 3},
        {"success": True, "error": None},
        None,
        (True, None, {}),
    ],
)
def test_is_canonical_rejects_wrong_and_contradictory_shapes(value):
    assert not is_canonical(value)


def test_plain_returns():
    assert normalize(None) == fail("connector returned None instead of a result")
    assert normalize(True) == ok()
    assert normalize(False) == fail("connector returned False")
    assert normalize(("A-17", 1700000000.5)) == ok({"id": "A-17", "timestamp": 1700000000.5})
    assert normalize([1, 2, 3]) == ok({"items": [1, 2, 3]})
    assert normalize("A-17") == ok({"value": "A-17"})
    assert normalize(42) == ok({"value": 42})


def test_dict_payloads():
    assert normalize({"order_id": "9", "filled": 1}) == ok({"order_id": "9", "filled": 1})
    refused = {"error": "insufficient margin", "order_id": "9"}
    assert normalize(refused) == fail("insufficient margin", {"order_id": "9"})


def test_canonical_results_are_checked_and_repaired_towards_failure():
    good = {"success": True, "error": None, "data": {"id": 1}}
    assert normalize(good) == good
    assert normalize({"success": True, "error": "partial", "data": {}}) == fail("partial")
    assert normalize({"success": False, "error": None, "data": {"message": "no liquidity"}}) == fail(
        "no liquidity", {"message": "no liquidity"}
    )
    assert normalize({"success": False, "data": {}})["error"] == "connector reported failure without an error message"
    assert normalize({"success": True, "error": None, "data": {"a": 1}, "order_id": 7}) == ok({"a": 1, "order_id": 7})
    assert normalize({"success": "true", "error": None, "data": None}) == ok()
    weird = normalize({"success": "maybe", "error": None, "data": {}})
    assert weird["success"] is False and "non-boolean success" in weird["error"]
    assert normalize({"success": True, "error": None, "data": [1, 2]}) == ok({"value": [1, 2]})


def test_raised_exceptions_become_failures():
    result = normalize(ConnectionError("broker unreachable"))
    assert result == fail("ConnectionError: broker unreachable", {"exception": "ConnectionError"})
    assert normalize(TimeoutError())["error"] == "TimeoutError"


def test_objects_with_attributes():
    @dataclasses.dataclass
    class Ack:
        order_id: str
        status: str

    class Slotted:
        __slots__ = ("order_id", "_hidden")

        def __init__(self):
            self.order_id = "S1"
            self._hidden = "x"

    class Plain:
        def __init__(self):
            self.success = False
            self.error = "rejected by risk"
            self.order_id = "P1"

    Fill = namedtuple("Fill", "order_id price")
    assert normalize(Ack("D1", "filled")) == ok({"order_id": "D1", "status": "filled"})
    assert normalize(Slotted()) == ok({"order_id": "S1"})
    assert normalize(Plain()) == fail("rejected by risk", {"order_id": "P1"})
    assert normalize(Fill("N1", 1.5)) == ok({"order_id": "N1", "price": 1.5})


# --- real broker reply shapes ------------------------------------------------------------------


def test_oanda_fill_reply_is_success():
    reply = {
        "orderCreateTransaction": {"id": "6", "type": "MARKET_ORDER", "instrument": "EUR_USD", "units": "100"},
        "orderFillTransaction": {"id": "7", "type": "ORDER_FILL", "orderID": "6", "price": "1.10450"},
        "relatedTransactionIDs": ["6", "7"],
        "lastTransactionID": "7",
    }
    assert normalize(reply) == ok(reply)


def test_oanda_create_cancelled_inside_a_2xx_reply_is_failure():
    reply = {
        "orderCreateTransaction": {"id": "6", "type": "MARKET_ORDER", "timeInForce": "FOK"},
        "orderCancelTransaction": {"id": "7", "type": "ORDER_CANCEL", "orderID": "6", "reason": "INSUFFICIENT_MARGIN"},
        "relatedTransactionIDs": ["6", "7"],
        "lastTransactionID": "7",
    }
    assert normalize(reply) == fail("OANDA order cancelled: INSUFFICIENT_MARGIN", reply)


def test_oanda_reply_to_a_cancel_request_is_success():
    reply = {
        "orderCancelTransaction": {"id": "8", "type": "ORDER_CANCEL", "orderID": "6", "reason": "CLIENT_REQUEST"},
        "relatedTransactionIDs": ["8"],
        "lastTransactionID": "8",
    }
    assert normalize(reply)["success"] is True


def test_oanda_error_and_reject_replies_are_failures():
    error = {"errorCode": "INSUFFICIENT_MARGIN", "errorMessage": "Insufficient margin", "lastTransactionID": "9"}
    assert normalize(error) == fail("OANDA INSUFFICIENT_MARGIN: Insufficient margin", error)
    reject = {
        "orderRejectTransaction": {"type": "MARKET_ORDER_REJECT", "rejectReason": "UNITS_INVALID"},
        "lastTransactionID": "10",
    }
    assert normalize(reject)["error"] == "OANDA order rejected: UNITS_INVALID"


def test_oanda_v20_library_response_objects():
    v20 = pytest.importorskip("v20")
    from v20 import transaction
    from v20.response import Response

    context = v20.Context("localhost", 8080, ssl=False)
    create = transaction.MarketOrderTransaction.from_dict(
        {"id": "6", "type": "MARKET_ORDER", "instrument": "EUR_USD", "units": "100", "timeInForce": "FOK"}, context
    )
    cancel = transaction.OrderCancelTransaction.from_dict(
        {"id": "7", "type": "ORDER_CANCEL", "orderID": "6", "reason": "MARKET_HALTED"}, context
    )
    response = Response(None, "POST", "/v3/accounts/001/orders", 201, "Created", {})
    response.body = {"orderCreateTransaction": create, "orderCancelTransaction": cancel, "lastTransactionID": "7"}
    result = normalize(response)
    assert result["success"] is False and result["error"] == "OANDA order cancelled: MARKET_HALTED"
    assert result["data"]["orderCancelTransaction"]["reason"] == "MARKET_HALTED"

    refused = Response(None, "POST", "/v3/accounts/001/orders", 400, "Bad Request", {})
    refused.body = {"errorMessage": "Invalid value specified for 'units'", "errorCode": "UNITS_INVALID"}
    assert normalize(refused)["error"] == "OANDA HTTP 400: Invalid value specified for 'units'"


def _ib_trade(status: str, log_error: tuple[int, str] | None = None):
    ib_async = pytest.importorskip("ib_async")
    log = []
    if log_error is not None:
        now = datetime.datetime.now(datetime.timezone.utc)
        log.append(ib_async.TradeLogEntry(now, status, log_error[1], log_error[0]))
    return ib_async.Trade(
        contract=ib_async.Stock("AAPL", "SMART", "USD"),
        order=ib_async.LimitOrder("BUY", 10, 150.0, orderId=7),
        orderStatus=ib_async.OrderStatus(orderId=7, status=status, filled=10 if status == "Filled" else 0),
        fills=[],
        log=log,
    )


@pytest.mark.parametrize("status", ["Filled", "Submitted", "PreSubmitted", "PendingSubmit"])
def test_ibkr_trades_alive_or_filled_are_success(status):
    result = normalize(_ib_trade(status))
    assert result["success"] is True
    assert result["data"]["order_id"] == 7 and result["data"]["symbol"] == "AAPL" and result["data"]["status"] == status


@pytest.mark.parametrize("status", ["Cancelled", "Inactive", "ApiCancelled"])
def test_ibkr_trades_cancelled_or_inactive_are_failures(status):
    result = normalize(_ib_trade(status))
    assert result == {"success": False, "error": f"IBKR order {status}", "data": result["data"]}


def test_ibkr_failure_carries_the_broker_error_from_the_log():
    result = normalize(_ib_trade("Inactive", (201, "Order rejected - reason: insufficient margin")))
    assert result["error"] == "IBKR 201: Order rejected - reason: insufficient margin"


def test_coinbase_success_reply():
    reply = {
        "success": True,
        "success_response": {
            "order_id": "11111-00000", "product_id": "BTC-USD", "side": "BUY", "client_order_id": "c1"
        },
        "order_configuration": {"market_market_ioc": {"quote_size": "10"}},
    }
    result = normalize(reply)
    assert result["success"] is True and result["error"] is None
    assert result["data"]["order_id"] == "11111-00000"
    assert result["data"]["success_response"]["product_id"] == "BTC-USD"


def test_coinbase_error_reply():
    reply = {
        "success": False,
        "failure_reason": "UNKNOWN_FAILURE_REASON",
        "order_id": "",
        "error_response": {
            "error": "INSUFFICIENT_FUND",
            "message": "Insufficient balance in source account",
            "error_details": "",
            "preview_failure_reason": "PREVIEW_INSUFFICIENT_FUND",
        },
    }
    assert normalize(reply)["error"] == "Coinbase: Insufficient balance in source account"
    only_reason = {
        "success": False, "error_response": {"preview_failure_reason": "PREVIEW_INVALID_BASE_SIZE_TOO_SMALL"}
    }
    assert normalize(only_reason)["error"] == "Coinbase: PREVIEW_INVALID_BASE_SIZE_TOO_SMALL"


def test_coinbase_sdk_response_objects():
    pytest.importorskip("coinbase")
    from coinbase.rest.types.orders_types import CreateOrderResponse

    refused = CreateOrderResponse(
        {"success": False, "failure_reason": "UNKNOWN_FAILURE_REASON", "order_id": "",
         "error_response": {"error": "INVALID_LIMIT_PRICE", "message": "", "preview_failure_reason": ""}}
    )
    result = normalize(refused)
    assert (result["success"], result["error"]) == (False, "Coinbase: INVALID_LIMIT_PRICE")
    accepted = CreateOrderResponse({"success": True, "success_response": {"order_id": "abc", "product_id": "ETH-USD"}})
    assert normalize(accepted)["data"]["order_id"] == "abc"


def test_coinbase_batch_cancel_reply():
    good = {"results": [{"success": True, "failure_reason": "UNKNOWN_CANCEL_FAILURE_REASON", "order_id": "a"}]}
    assert normalize(good)["success"] is True
    mixed = {"results": [good["results"][0], {"success": False, "failure_reason": "ORDER_NOT_FOUND", "order_id": "b"}]}
    assert normalize(mixed)["error"] == "Coinbase: 1 of 2 failed (ORDER_NOT_FOUND)"


# --- properties: whatever the input, the output is canonical -------------------------------------

KEYS = st.sampled_from(
    ["success", "error", "data", "errorMessage", "errorCode", "orderCreateTransaction", "orderCancelTransaction",
     "orderFillTransaction", "success_response", "error_response", "failure_reason", "results", "message",
     "lastTransactionID", "order_id"]
)
SCALARS = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12) | st.binary(max_size=8)
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4)
    | st.tuples(inner, inner)
    | st.dictionaries(KEYS | st.text(max_size=6) | st.integers(), inner, max_size=5),
    max_leaves=25,
)


class Odd:
    """Objects that fight back: raising properties, reprs and string conversions."""

    def __init__(self, payload):
        self.payload = payload
        self.myself = self

    @property
    def boom(self):
        raise RuntimeError("property")

    def __str__(self):
        raise RuntimeError("str")

    __repr__ = __str__


class FakeTradeShape:
    def __init__(self, status):
        self.order = None
        self.orderStatus = type("S", (), {"status": status})()
        self.log = "not a list"


class ExplodingToDict:
    def to_dict(self):
        raise ValueError("nope")


def _odd(value):
    return st.sampled_from([
        Odd(value),
        FakeTradeShape(value if isinstance(value, str) else "Filled"),
        ExplodingToDict(),
        ValueError(value),
        KeyError(Odd(value)),
        type("Resp", (), {"status": 201, "body": value if isinstance(value, dict) else {}})(),
    ])


def _self_referential(value):
    container = {"success": value, "data": {}}
    container["data"]["loop"] = container
    container["error"] = container
    return container


INPUTS = VALUES | VALUES.flatmap(_odd) | VALUES.map(_self_referential)


@settings(max_examples=400, deadline=None)
@given(INPUTS)
def test_normalize_always_returns_a_canonical_result(raw):
    result = normalize(raw)
    assert is_canonical(result)
    if result["success"]:
        assert result["error"] is None
    else:
        assert isinstance(result["error"], str) and result["error"].strip()


@settings(max_examples=200, deadline=None)
@given(VALUES)
def test_normalize_is_idempotent(raw):
    once = normalize(raw)
    twice = normalize(once)
    assert (twice["success"], twice["error"]) == (once["success"], once["error"])
    assert twice["data"].keys() == once["data"].keys()


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=30), VALUES)
def test_fail_and_ok_never_contradict(message, payload):
    assert is_canonical(fail(message, payload if isinstance(payload, dict) else None))
    assert is_canonical(ok(payload if isinstance(payload, dict) else None))
