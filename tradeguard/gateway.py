"""The order gateway: the one path every order takes, PAPER by default, LIVE only when armed.

For each attempt, in order: the connector's order method is found and the arguments bound to it;
the kill switch is checked (every mode); in LIVE the arming record is checked; the order is read
and the pre-trade limits admit or deny it; then the paper broker fills it (PAPER), or (LIVE) the
intent is written to the audit log and forced to disk, and only then the connector's order method
sends it. The outcome is normalized to a canonical result, fed to the circuit breaker, and written
to the audit log before ``submit`` returns.

``submit`` never raises for anything the order, the connector or its reply holds: a hostile value
is made safe for JSON before anything is sent, and a failure anywhere becomes a canonical failure
with its audit line. Only ``KeyboardInterrupt`` and ``SystemExit`` (and, in async code, the task's
cancellation) go on, after their outcome is audited.
"""

from __future__ import annotations

import asyncio
import inspect
import itertools
import os
import threading
import time
from collections.abc import Mapping, Sequence
from typing import Any, Callable, Optional, Union

from tradeguard.audit import AuditEvent, AuditLog, order_values, process_id
from tradeguard.breaker import BreakerSettings, CircuitBreaker
from tradeguard.config import ConfigError, LivePolicy, order_methods
from tradeguard.limits import DENIAL_CODES, LimitBook, Limits
from tradeguard.orders import Binder, Denial, OrderView, method_signature, read_order
from tradeguard.paper import PaperBroker, PriceSource, price_lookup
from tradeguard.redact import describe, plain
from tradeguard.results import CanonicalResult, error_text, fail, normalize
from tradeguard.state import StateFolder, operator_name
from tradeguard.tracing import submit_span, take_decisions

PAPER, LIVE = "PAPER", "LIVE"
MODE_ENV = "TRADEGUARD_MODE"
AUDIT_FILE = "audit.log"
Alert = Callable[[dict], Any]
Observer = Callable[[AuditEvent], Any]
# What submit lets through, after auditing it: the operator or the interpreter ending the process.
PASS_THROUGH = (KeyboardInterrupt, SystemExit)
ASYNC_PASS_THROUGH = (*PASS_THROUGH, asyncio.CancelledError)


def requested_mode(mode: Optional[str] = None) -> str:
    """``mode`` if given, else ``TRADEGUARD_MODE``, else PAPER; anything else is a ConfigError."""
    source = "mode" if mode is not None else MODE_ENV
    value = mode if mode is not None else os.environ.get(MODE_ENV) or PAPER
    if not isinstance(value, str) or value.strip().upper() not in (PAPER, LIVE):
        raise ConfigError(f"{source}: unknown trading mode {value!r} (expected PAPER or LIVE)")
    return value.strip().upper()


class _Attempt:
    """One submit on its way through the gateway; what its audit lines are made of."""

    __slots__ = (
        "id", "venue", "method_name", "fields", "safe_fields", "order", "price", "arming_id", "result",
        "started", "broker_started", "broker_seconds", "sent", "trip",
    )

    def __init__(self, attempt_id: str, venue: str, started: float) -> None:
        self.id = attempt_id
        self.venue = venue
        self.started = started
        self.method_name: Optional[str] = None
        self.fields: dict = {}
        self.safe_fields: Optional[object] = None
        self.order: Optional[OrderView] = None
        self.price: Optional[float] = None
        self.arming_id: Optional[str] = None
        self.result: Optional[CanonicalResult] = None
        self.broker_started = 0.0
        self.broker_seconds: Optional[float] = None
        self.sent = False  # the connector was called: limits stay reserved unless it failed
        self.trip: Optional[str] = None  # why this outcome trips the breaker (halted after its line)

    def deny(self, code: str, message: str, mode: str) -> None:
        self.result = fail(message, {"denial": code, "mode": mode})


class OrderGateway:
    def __init__(
        self,
        connectors: Optional[Mapping[str, object]] = None,
        mode: Optional[str] = None,
        home: Optional[os.PathLike | str] = None,
        limits: Union[Limits, Mapping, None] = None,
        price_source: Optional[PriceSource] = None,
        audit: Union[bool, os.PathLike, str, AuditLog] = True,
        order_method: Union[str, Sequence[str]] = "place_order",
        breaker: Union[BreakerSettings, CircuitBreaker, None] = None,
        alert: Optional[Alert] = None,
        audit_fsync: Optional[bool] = None,
        observers: Sequence[Observer] = (),
        live_policy: Optional[LivePolicy] = None,
        metrics: Any = False,
    ) -> None:
        """``limits=None`` reads ``[tool.tradeguard.limits]`` (pass ``Limits()`` for none);
        ``live_policy=None`` reads ``[tool.tradeguard.live]``; ``audit_fsync=None`` forces every
        audit line to disk in LIVE only; each of ``observers`` is called with every audit event
        after it is written (one that raises is ignored); ``metrics=True`` adds the Prometheus metrics
        of :mod:`tradeguard.metrics` (the ``[metrics]`` extra), or pass a ``GatewayMetrics``."""
        self.connectors = dict(connectors or {})
        self._mode = requested_mode(mode)
        self.state = StateFolder(home, policy=live_policy or LivePolicy.from_pyproject())
        if limits is None:
            limits = Limits.from_pyproject()
        elif isinstance(limits, Mapping):
            limits = Limits.from_mapping(limits)
        self.limits = LimitBook(limits)
        self._quote = price_lookup(price_source)
        self.paper = PaperBroker()
        self.audit = self._audit_log(audit, self._mode == LIVE if audit_fsync is None else audit_fsync)
        self.order_methods = (order_method,) if isinstance(order_method, str) else tuple(order_method)
        self.breaker = breaker if isinstance(breaker, CircuitBreaker) else CircuitBreaker(breaker or BreakerSettings())
        self.alert = alert
        self.observers = (*observers, submit_span, *_metrics_observer(metrics, self.state))
        self._methods: dict[type, tuple[Optional[str], Optional[Binder], bool]] = {}
        self._audit_problem: Optional[str] = None
        self._lock = threading.Lock()
        self._ids = _AttemptIds()
        self.state.beat(self._mode, force=True)

    @property
    def mode(self) -> str:
        return self._mode

    # -- sending -------------------------------------------------------------------------------
    def submit(self, venue: str, /, **order: Any) -> CanonicalResult:
        """Send ``order`` (the keyword arguments of the connector's order method) to ``venue``."""
        connector = self.connectors.get(venue) if isinstance(venue, str) else None
        if connector is None:
            attempt = _Attempt(self._ids.next(), _text(venue), time.perf_counter())
            attempt.fields = dict(order)
            known = ", ".join(sorted(map(_text, self.connectors))) or "none"
            attempt.deny("unknown_venue", f"no connector for venue {describe(venue)} (known: {known})", self._mode)
            return self._finish(attempt)
        return self._send(venue, connector, (), order)

    def send(self, connector: object, /, *args: Any, **kwargs: Any) -> Any:
        """Send an order through ``connector``, with the arguments its order method takes.

        Returns the canonical result; for a connector whose order method is ``async``, returns an
        awaitable of it, so ``await connector.place_order(...)`` becomes ``await route(connector, ...)``.
        """
        venue = next((name for name, known in self.connectors.items() if known is connector), None)
        return self._send(venue or _venue_name(connector), connector, args, kwargs)

    def _send(self, venue: str, connector: object, args: tuple, kwargs: dict) -> Any:
        attempt = _Attempt(self._ids.next(), venue, time.perf_counter())
        try:
            name, binder, is_async = self._order_method(connector)
            if is_async:
                return self._send_async(attempt, connector, name, binder, args, kwargs)
            if self._admit(attempt, connector, name, binder, args, kwargs):
                if self._mode == PAPER:
                    attempt.result = self.paper.execute(venue, attempt.order, attempt.price)
                elif self._write_ahead(attempt):
                    attempt.result = normalize(self._call(attempt, connector, name, args, kwargs))
                self._settle(attempt)
        except PASS_THROUGH:
            raise
        except BaseException as exc:  # a bug, or a hostile value that got past every guard
            self._internal(attempt, exc)
        return self._finish(attempt)

    async def _send_async(self, attempt: _Attempt, connector, name, binder, args, kwargs) -> CanonicalResult:
        try:
            if self._admit(attempt, connector, name, binder, args, kwargs):
                if self._mode == PAPER:
                    attempt.result = self.paper.execute(attempt.venue, attempt.order, attempt.price)
                elif self._write_ahead(attempt):
                    try:
                        raw = await getattr(connector, name)(*args, **kwargs)
                    except ASYNC_PASS_THROUGH as exc:
                        self._interrupted(attempt, exc)
                        raise
                    except BaseException as exc:  # a broker error is a result
                        raw = exc
                    attempt.result = normalize(raw)
                self._settle(attempt)
        except ASYNC_PASS_THROUGH:
            raise
        except BaseException as exc:
            self._internal(attempt, exc)
        return self._finish(attempt)

    def _call(self, attempt: _Attempt, connector: object, name: str, args: tuple, kwargs: dict) -> object:
        """The connector's order method, its exceptions returned as results."""
        try:
            return getattr(connector, name)(*args, **kwargs)
        except PASS_THROUGH as exc:  # audited, then they go on
            self._interrupted(attempt, exc)
            raise
        except BaseException as exc:  # GeneratorExit and friends too: a broker error is a result
            return exc

    def _admit(self, attempt: _Attempt, connector, name, binder, args: tuple, kwargs: dict) -> bool:
        """Run every gate before the broker; True when the order may go, else ``attempt.result`` is set."""
        mode = self._mode
        if name is None:
            attempt.fields = {"args": list(args), **kwargs}
            wanted = " or ".join(self.order_methods)
            attempt.deny("no_order_method", f"{_type_name(connector)} has no order method {wanted}", mode)
            return False
        attempt.method_name = name
        try:
            attempt.fields = binder.bind(args, kwargs)
        except TypeError as exc:
            attempt.fields = {"args": list(args), **kwargs}
            where = f"{_type_name(connector)}.{name}{binder.signature}"
            attempt.deny("bad_arguments", f"arguments do not fit {where}: {error_text(exc)}", mode)
            return False
        refusal = self._refusal()
        if refusal is not None:
            attempt.deny(*refusal, mode)
            return False
        if mode == LIVE:
            problem, record = self.state.arming_status()
            if record is None:
                attempt.deny("not_armed", f"LIVE refused: {problem}", mode)
                return False
            attempt.arming_id = record["id"]
        order = attempt.order = read_order(attempt.fields)
        denial = order.denial() or self._limit_denial(attempt, order)
        if denial is not None:
            attempt.deny(denial.code, f"limit: {denial.message}" if denial.code in DENIAL_CODES else denial.message, mode)
            return False
        attempt.broker_started = time.perf_counter()  # the broker's clock starts now (PAPER: the paper broker's)
        return True

    def _refusal(self) -> Optional[tuple[str, str]]:
        """The kill switch (fail closed) and a remembered audit failure; None when neither refuses."""
        halt = self.state.halt_record()
        if halt is not None:
            return "halted", f"trading is halted: {halt.get('reason') or 'no reason given'}"
        if self._audit_problem is not None:
            return "audit_unavailable", f"the audit log cannot be written: {self._audit_problem}"
        return None

    def _limit_denial(self, attempt: _Attempt, order: OrderView) -> Optional[Denial]:
        quote = self._quote(order.symbol) if order.symbol is not None else None
        attempt.price = order.price if order.price is not None else quote
        return self.limits.admit(attempt.venue, order, quote)

    def _write_ahead(self, attempt: _Attempt) -> bool:
        """Write the intent line (forced to disk) before the broker is called; False refuses the order."""
        intent = order_values(
            time.time(), "intent", attempt.id, self._mode, attempt.venue, attempt.method_name,
            self._safe_fields(attempt), arming_id=attempt.arming_id, pid=process_id(),
        )
        problem = self._write_values(intent)
        if problem is not None:
            attempt.deny("audit_unavailable", f"LIVE refused: the intent could not be audited: {problem}", self._mode)
            self.limits.release(attempt.venue, attempt.order)
            return False
        attempt.sent = True
        attempt.broker_started = time.perf_counter()  # the broker's clock starts now
        return True

    def _settle(self, attempt: _Attempt) -> None:
        """After the broker answered: release what a failed order reserved, feed the breaker."""
        success = attempt.result["success"]
        if not success:
            self.limits.release(attempt.venue, attempt.order)
        if self._mode == LIVE and not attempt.sent:  # refused at the write-ahead: no broker outcome
            return
        attempt.broker_seconds = time.perf_counter() - attempt.broker_started
        attempt.trip = self.breaker.observe(success, attempt.broker_seconds)

    def _interrupted(self, attempt: _Attempt, exc: BaseException) -> None:
        attempt.broker_seconds = time.perf_counter() - attempt.broker_started
        message = f"interrupted by {_type_name(exc)} while sending; the order may have reached the broker"
        attempt.result = fail(message, {"interrupted": True})
        self._finish(attempt)

    def _internal(self, attempt: _Attempt, exc: BaseException) -> None:
        where = "after it was sent" if attempt.sent else "before it was sent"
        message = f"the gateway could not handle this order {where} ({_type_name(exc)})"
        attempt.result = fail(message, {"denial": "internal_error", "mode": self._mode} if not attempt.sent else {})
        if attempt.order is not None and not attempt.sent:
            self.limits.release(attempt.venue, attempt.order)

    def _finish(self, attempt: _Attempt) -> CanonicalResult:
        result = attempt.result
        data = result["data"]
        success = result["success"]
        denial = data.get("denial") if not success else None
        outcome = order_values(
            time.time(), "outcome", attempt.id, self._mode, attempt.venue, attempt.method_name,
            self._safe_fields(attempt), _outcome(result, denial, attempt.sent), plain(result),
            None if success else {"code": denial or _failure_code(data), "message": plain(result["error"])},
            time.perf_counter() - attempt.started, attempt.broker_seconds, attempt.arming_id, process_id(),
            take_decisions(),
        )
        problem = self._write_values(outcome)
        if problem is not None:
            # The order may have gone out: say so, and refuse further orders until resume().
            self._audit_problem = problem
            data["audit_error"] = problem
        if attempt.trip is not None:
            self._trip(attempt.trip, attempt.venue)
        return result

    def _safe_fields(self, attempt: _Attempt) -> object:
        if attempt.safe_fields is None:
            attempt.safe_fields = plain(attempt.fields)
        return attempt.safe_fields

    # -- operator controls ---------------------------------------------------------------------
    def halt(self, reason: str) -> None:
        """Turn the kill switch on (for every process sharing this state folder)."""
        record = self.state.halt(reason)
        self._write(self._event("halt", actor=record["by"], reason=reason))

    def resume(self) -> None:
        """Turn the kill switch off and clear a remembered audit failure."""
        halt = self.state.halt_record()
        self.state.resume()
        self._audit_problem = None
        if halt is not None and halt.get("by") == BREAKER_ACTOR:
            self._write(self._event("breaker_reset", actor=operator_name(), reason=halt.get("reason")))
        self._write(self._event("resume", actor=operator_name()))

    def positions(self) -> dict[str, dict[str, float]]:
        """PAPER positions by venue and symbol, from the paper broker's fills."""
        return self.paper.positions()

    def _trip(self, reason: str, venue: str) -> None:
        self.state.halt(reason, by=BREAKER_ACTOR)
        details: dict = {}
        if self.alert is not None:
            alert = {"event": "halt", "kind": "breaker_trip", "reason": reason, "by": BREAKER_ACTOR, "venue": venue,
                     "mode": self._mode, "ts": time.time()}
            try:
                self.alert(alert)
            except Exception as exc:  # a broken alert hook must not hide the halt
                details["alert_error"] = _type_name(exc)
        self._write(self._event("breaker_trip", actor=BREAKER_ACTOR, reason=reason, venue=venue, details=details))
        self._write(self._event("halt", actor=BREAKER_ACTOR, reason=reason, venue=venue))

    def _event(self, kind: str, **values: Any) -> AuditEvent:
        return AuditEvent(ts=time.time(), kind=kind, mode=self._mode, pid=process_id(), **values)

    # -- helpers -------------------------------------------------------------------------------
    def _order_method(self, connector: object) -> tuple[Optional[str], Optional[Binder], bool]:
        kind = type(connector)
        cached = self._methods.get(kind)
        if cached is not None and (cached[0] is None or cached[0] not in getattr(connector, "__dict__", ())):
            return cached
        found: tuple[Optional[str], Optional[Binder], bool] = (None, None, False)
        for name in self.order_methods:
            method = getattr(connector, name, None)
            if callable(method):
                found = (name, Binder(method_signature(method)), inspect.iscoroutinefunction(method))
                break
        with self._lock:
            self._methods[kind] = found
        return found

    def _write(self, event: AuditEvent) -> Optional[str]:
        """Write ``event`` and tell the observers; what went wrong, or None."""
        return self._write_values(None, event)

    def _write_values(self, values: Optional[tuple], event: Optional[AuditEvent] = None) -> Optional[str]:
        """Write the event (given as an object, or as its field values), then tell the observers."""
        if self.audit is not None:
            try:
                if event is None:
                    self.audit.write_values(values)
                else:
                    self.audit.write(event)
            except (OSError, ValueError) as exc:
                return f"{type(exc).__name__}: {getattr(exc, 'strerror', None) or exc}"
        self.state.beat(self._mode)
        if self.observers:
            self._notify(event if event is not None else AuditEvent(*values))
        return None

    def _notify(self, event: AuditEvent) -> None:
        for observer in self.observers:
            try:
                observer(event)
            except Exception:  # an observer is never allowed to affect an order
                continue

    def _audit_log(self, audit: Union[bool, os.PathLike, str, AuditLog], fsync: bool) -> Optional[AuditLog]:
        if isinstance(audit, AuditLog):
            return audit
        if audit is False or audit is None:
            if self._mode == LIVE:
                raise ConfigError("audit: LIVE trading needs an audit log (audit=False is for PAPER only)")
            return None
        path = self.state.home / AUDIT_FILE if audit is True else audit
        return AuditLog(path, fsync=fsync)


BREAKER_ACTOR = "circuit-breaker"


class _AttemptIds:
    """Unique attempt ids without a system call each: a random per-process prefix and a counter."""

    def __init__(self) -> None:
        self._pid = -1
        self._prefix = ""
        self._counter = itertools.count()

    def next(self) -> str:
        if self._pid != process_id():  # a forked child must not repeat its parent's ids
            self._pid = process_id()
            self._prefix = os.urandom(6).hex()
            self._counter = itertools.count()
        return f"{self._prefix}-{next(self._counter)}"


def _outcome(result: CanonicalResult, denial: Optional[str], sent: bool) -> str:
    if result["success"]:
        return "accepted" if result["data"].get("status") == "accepted" else "filled"
    if denial is not None:
        return "denied"
    if result["data"].get("interrupted"):
        return "interrupted"
    return "failed"


def _failure_code(data: dict) -> str:
    exception = data.get("exception")
    return exception if isinstance(exception, str) else "broker"


def _metrics_observer(metrics: Any, state: StateFolder) -> tuple[Observer, ...]:
    if metrics is True:
        from tradeguard.metrics import GatewayMetrics  # the [metrics] extra, loaded only when asked for

        return (GatewayMetrics(home=state),)
    return (metrics,) if metrics else ()


def _venue_name(connector: object) -> str:
    try:
        venue = getattr(connector, "venue", None)
    except Exception:
        venue = None
    return venue if type(venue) is str and venue else _type_name(connector)


def _type_name(value: object) -> str:
    return type(value).__name__


def _text(value: object) -> str:
    return value if type(value) is str else describe(value)


_default_gateway: Optional[OrderGateway] = None
_default_lock = threading.Lock()


def default_gateway() -> OrderGateway:
    """The process's gateway for :func:`route`: mode from ``TRADEGUARD_MODE``, limits and order
    methods from pyproject.toml, state in ``TRADEGUARD_HOME``; made on first use."""
    global _default_gateway
    with _default_lock:
        if _default_gateway is None:
            _default_gateway = OrderGateway(order_method=order_methods())
        return _default_gateway


def set_default_gateway(gateway: Optional[OrderGateway]) -> None:
    """Use ``gateway`` for :func:`route` (None: make a fresh default on next use)."""
    global _default_gateway
    with _default_lock:
        _default_gateway = gateway


def route(connector: object, /, *args: Any, **kwargs: Any) -> Any:
    """``connector.place_order(*args, **kwargs)``, through the process's default gateway."""
    try:
        gateway = default_gateway()
    except ConfigError as exc:
        return fail(str(exc), {"denial": "config"})
    return gateway.send(connector, *args, **kwargs)
