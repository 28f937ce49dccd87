"""Readers for the reply shapes of real brokers, where HTTP success does not mean order success.

Each reader returns a verdict ``(success, error, data)`` for a reply it recognises, or ``None`` so
that :mod:`tradeguard.results` falls back to its generic rules. Only shapes documented by the brokers
are recognised: OANDA v20 (transactions inside a 2xx reply, ``errorMessage``), IBKR (``Trade``
objects of ib_async / ib_insync and their ``orderStatus.status``) and Coinbase Advanced Trade
(``success`` with ``success_response`` / ``error_response``, and batch cancel ``results``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Optional

Verdict = tuple[bool, Optional[str], dict]

# ib_async's OrderStatus: states of an order that is alive or done well, and those that end it unfilled.
IBKR_ACCEPTED = frozenset({"PendingSubmit", "ApiPending", "PreSubmitted", "Submitted", "Filled"})
IBKR_REFUSED = frozenset({"Cancelled", "ApiCancelled", "Inactive", "PendingCancel", "ValidationError"})

OANDA_MARKERS = ("lastTransactionID", "relatedTransactionIDs", "errorCode")
COINBASE_ERROR_FIELDS = ("message", "error", "preview_failure_reason", "new_order_failure_reason", "error_details")


def judge_object(raw: object) -> Optional[Verdict]:
    """A verdict for a broker SDK object (IBKR ``Trade``, OANDA v20 ``Response``), else None."""
    status = getattr(getattr(raw, "orderStatus", None), "status", None)
    if isinstance(status, str) and hasattr(raw, "order"):
        return _ibkr_trade(raw, status)
    http_status, body = getattr(raw, "status", None), getattr(raw, "body", None)
    if isinstance(http_status, int) and not isinstance(http_status, bool) and isinstance(body, Mapping):
        return _oanda_response(http_status, body, getattr(raw, "reason", None))
    return None


def judge_mapping(raw: Mapping) -> Optional[Verdict]:
    """A verdict for an OANDA or Coinbase reply given as a mapping, else None."""
    if "success_response" in raw or "error_response" in raw or ("success" in raw and "failure_reason" in raw):
        return _coinbase_order(raw)
    results = raw.get("results")
    if isinstance(results, list) and results and all(isinstance(r, Mapping) and "success" in r for r in results):
        return _coinbase_batch(raw, results)
    if "success" in raw:
        return None  # a canonical result (or one claiming to be): results.py checks it
    if any(key in raw for key in OANDA_MARKERS) or any(str(key).endswith("Transaction") for key in raw):
        return _oanda_body(raw)
    return None


def _ibkr_trade(trade: object, status: str) -> Verdict:
    order, order_status = getattr(trade, "order", None), getattr(trade, "orderStatus", None)
    data = {
        "order_id": getattr(order, "orderId", None),
        "perm_id": getattr(order_status, "permId", None) or getattr(order, "permId", None),
        "status": status,
        "symbol": getattr(getattr(trade, "contract", None), "symbol", None),
        "action": getattr(order, "action", None),
        "quantity": getattr(order, "totalQuantity", None),
        "filled": getattr(order_status, "filled", None),
        "remaining": getattr(order_status, "remaining", None),
        "avg_fill_price": getattr(order_status, "avgFillPrice", None),
    }
    if status in IBKR_ACCEPTED:
        return True, None, data
    if status in IBKR_REFUSED:
        return False, _ibkr_error(trade) or f"IBKR order {status}", data
    return False, f"IBKR order in unknown status {status!r}", data


def _ibkr_error(trade: object) -> str:
    """The last broker error in the trade's log, e.g. ``IBKR 201: Order rejected - …``."""
    log = getattr(trade, "log", None)
    for entry in reversed(log if isinstance(log, list) else []):
        code, message = getattr(entry, "errorCode", 0), getattr(entry, "message", "")
        if code and isinstance(message, str) and message:
            return f"IBKR {code}: {message}"
    advanced = getattr(trade, "advancedError", "")
    return f"IBKR: {advanced}" if isinstance(advanced, str) and advanced else ""


def _oanda_response(http_status: int, body: Mapping, reason: object) -> Verdict:
    if http_status >= 400:
        message = body.get("errorMessage") or reason or "request failed"
        return False, f"OANDA HTTP {http_status}: {message}", _plain_entities(body)
    return _oanda_body(body) or (True, None, _plain_entities(body))


def _oanda_body(body: Mapping) -> Verdict:
    """A v20 reply body; its transactions may be dicts (REST, oandapyV20) or v20 model objects."""
    data = _plain_entities(body)
    if body.get("errorMessage"):
        code = body.get("errorCode")
        return False, f"OANDA {code}: {body['errorMessage']}" if code else f"OANDA: {body['errorMessage']}", data
    for key, transaction in data.items():
        if str(key).endswith("RejectTransaction") and isinstance(transaction, Mapping):
            return False, f"OANDA order rejected: {transaction.get('rejectReason') or key}", data
    cancel = data.get("orderCancelTransaction")
    # A create that comes back cancelled (FOK not filled, margin, market halted) is a 2xx failure;
    # a reply holding only the cancel answers a cancel request and is its success.
    if isinstance(cancel, Mapping) and "orderCreateTransaction" in data and "orderFillTransaction" not in data:
        return False, f"OANDA order cancelled: {cancel.get('reason') or 'no reason given'}", data
    return True, None, data


def _plain_entities(body: Mapping) -> dict:
    """The body with v20 model objects (``BaseEntity``) turned into their dicts."""
    plain = {}
    for key, value in body.items():
        as_dict = getattr(value, "dict", None)
        if callable(as_dict) and not isinstance(value, Mapping):
            converted = as_dict()
            value = converted if isinstance(converted, Mapping) else value
        plain[key] = value
    return plain


def _coinbase_order(raw: Mapping) -> Verdict:
    data = {key: value for key, value in raw.items() if key != "success"}
    success_response = raw.get("success_response")
    if isinstance(success_response, Mapping) and success_response.get("order_id"):
        data.setdefault("order_id", success_response["order_id"])
    error_response = raw.get("error_response")
    message = _first_text(error_response, COINBASE_ERROR_FIELDS) if isinstance(error_response, Mapping) else ""
    if raw.get("success") is True and not message:
        return True, None, data
    reason = message or _first_text(raw, ("failure_reason", "message", "error")) or "order not accepted"
    return False, f"Coinbase: {reason}", data


def _coinbase_batch(raw: Mapping, results: list) -> Verdict:
    data = dict(raw)
    failed = [r for r in results if r.get("success") is not True]
    if not failed:
        return True, None, data
    reasons = sorted({str(r.get("failure_reason") or "unknown reason") for r in failed})
    return False, f"Coinbase: {len(failed)} of {len(results)} failed ({', '.join(reasons)})", data


def _first_text(payload: Mapping, keys: tuple[str, ...]) -> str:
    for key in keys:
        value = payload.get(key)
        if isinstance(value, str) and value.strip() and not value.startswith("UNKNOWN_"):
            return value.strip()
    return ""
