"""The order gateway: the one path every order takes, PAPER by default, LIVE only when armed.

For each attempt, in order: the connector's order method is found and the arguments bound to it;
the kill switch is checked (every mode); in LIVE the arming record is checked; the pre-trade limits
admit or deny; then the paper broker fills it (PAPER) or the connector's order method sends it
(LIVE). The outcome is normalized to a canonical result, fed to the circuit breaker, and written to
the audit log before ``submit`` returns. Broker errors come back as failures, never as exceptions.
"""

from __future__ import annotations

import inspect
import os
import threading
import time
import uuid
from collections.abc import Mapping, Sequence
from typing import Any, Callable, Optional, Union

from tradeguard.audit import AuditLog
from tradeguard.breaker import BreakerSettings, CircuitBreaker
from tradeguard.config import ConfigError, order_methods
from tradeguard.limits import LimitBook, Limits
from tradeguard.orders import OrderView, bind_arguments, method_signature, read_order
from tradeguard.paper import PaperBroker, PriceSource, price_lookup
from tradeguard.results import CanonicalResult, fail, normalize
from tradeguard.state import StateFolder, iso_time

PAPER, LIVE = "PAPER", "LIVE"
MODE_ENV = "TRADEGUARD_MODE"
AUDIT_FILE = "audit.log"
Alert = Callable[[dict], Any]


def requested_mode(mode: Optional[str] = None) -> str:
    """``mode`` if given, else ``TRADEGUARD_MODE``, else PAPER; anything else is a ConfigError."""
    source = "mode" if mode is not None else MODE_ENV
    value = mode if mode is not None else os.environ.get(MODE_ENV) or PAPER
    if not isinstance(value, str) or value.strip().upper() not in (PAPER, LIVE):
        raise ConfigError(f"{source}: unknown trading mode {value!r} (expected PAPER or LIVE)")
    return value.strip().upper()


class _Attempt:
    """One submit on its way through the gateway; what the audit line is made of."""

    __slots__ = ("venue", "method_name", "fields", "order", "price", "arming_id", "result", "started", "broker_seconds")

    def __init__(self, venue: str, started: float) -> None:
        self.venue = venue
        self.started = started
        self.method_name: Optional[str] = None
        self.fields: dict = {}
        self.order: Optional[OrderView] = None
        self.price: Optional[float] = None
        self.arming_id: Optional[str] = None
        self.result: Optional[CanonicalResult] = None
        self.broker_seconds: Optional[float] = None

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
    ) -> None:
        """``limits=None`` reads ``[tool.tradeguard.limits]`` (pass ``Limits()`` for none);
        ``audit_fsync=None`` forces every audit line to disk in LIVE only (see tradeguard.audit)."""
        self.connectors = dict(connectors or {})
        self._mode = requested_mode(mode)
        self.state = StateFolder(home)
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
        self._methods: dict[type, tuple[Optional[str], Optional[inspect.Signature], bool]] = {}
        self._audit_problem: Optional[str] = None
        self._lock = threading.Lock()

    @property
    def mode(self) -> str:
        return self._mode

    # -- sending -------------------------------------------------------------------------------
    def submit(self, venue: str, /, **order: Any) -> CanonicalResult:
        """Send ``order`` (the keyword arguments of the connector's order method) to ``venue``."""
        connector = self.connectors.get(venue)
        if connector is None:
            attempt = _Attempt(str(venue), time.perf_counter())
            attempt.fields = dict(order)
            known = ", ".join(sorted(map(str, self.connectors))) or "none"
            attempt.deny("unknown_venue", f"no connector for venue {venue!r} (known: {known})", self._mode)
            return self._finish(attempt)
        return self._send(str(venue), connector, (), order)

    def send(self, connector: object, /, *args: Any, **kwargs: Any) -> Any:
        """Send an order through ``connector``, with the arguments its order method takes.

        Returns the canonical result; for a connector whose order method is ``async``, returns an
        awaitable of it, so ``await connector.place_order(...)`` becomes ``await route(connector, ...)``.
        """
        venue = next((name for name, known in self.connectors.items() if known is connector), None)
        return self._send(venue or _venue_name(connector), connector, args, kwargs)

    def _send(self, venue: str, connector: object, args: tuple, kwargs: dict) -> Any:
        attempt = _Attempt(venue, time.perf_counter())
        name, signature, is_async = self._order_method(connector)
        if is_async:
            return self._send_async(attempt, connector, name, signature, args, kwargs)
        self._admit(attempt, connector, name, signature, args, kwargs)
        if attempt.result is None:
            if self._mode == PAPER:
                attempt.result = self.paper.execute(venue, attempt.order, attempt.price)
            else:
                try:
                    raw = getattr(connector, name)(*args, **kwargs)
                except Exception as exc:  # a broker error is a result
                    raw = exc
                except BaseException as exc:  # KeyboardInterrupt, SystemExit: audited, then they go on
                    self._interrupted(attempt, exc)
                    raise
                attempt.result = normalize(raw)
            self._settle(attempt)
        return self._finish(attempt)

    async def _send_async(self, attempt: _Attempt, connector: object, name, signature, args, kwargs) -> CanonicalResult:
        self._admit(attempt, connector, name, signature, args, kwargs)
        if attempt.result is None:
            if self._mode == PAPER:
                attempt.result = self.paper.execute(attempt.venue, attempt.order, attempt.price)
            else:
                try:
                    raw = await getattr(connector, name)(*args, **kwargs)
                except Exception as exc:
                    raw = exc
                except BaseException as exc:  # also the task being cancelled
                    self._interrupted(attempt, exc)
                    raise
                attempt.result = normalize(raw)
            self._settle(attempt)
        return self._finish(attempt)

    def _admit(self, attempt: _Attempt, connector, name, signature, args: tuple, kwargs: dict) -> None:
        """Run every gate before the broker; leaves ``attempt.result`` set when one refuses."""
        mode = self._mode
        if name is None:
            attempt.fields = {"args": list(args), **kwargs}
            wanted = " or ".join(self.order_methods)
            attempt.deny("no_order_method", f"{type(connector).__name__} has no order method {wanted}", mode)
            return
        attempt.method_name = name
        try:
            attempt.fields = bind_arguments(signature, args, kwargs)
        except TypeError as exc:
            attempt.fields = {"args": list(args), **kwargs}
            where = f"{type(connector).__name__}.{name}{signature}"
            attempt.deny("bad_arguments", f"arguments do not fit {where}: {exc}", mode)
            return
        halt = self.state.halt_record()
        if halt is not None:
            attempt.deny("halted", f"trading is halted: {halt.get('reason') or 'no reason given'}", mode)
            return
        if self._audit_problem is not None:
            attempt.deny("audit_unavailable", f"the audit log cannot be written: {self._audit_problem}", mode)
            return
        if mode == LIVE:
            problem, record = self.state.arming_status()
            if record is None:
                attempt.deny("not_armed", f"LIVE refused: {problem}", mode)
                return
            attempt.arming_id = record["id"]
        order = attempt.order = read_order(attempt.fields)
        attempt.price = order.price if order.price is not None or order.symbol is None else self._quote(order.symbol)
        denial = self.limits.admit(attempt.venue, order, attempt.price)
        if denial is not None:
            attempt.deny(denial.code, f"limit: {denial.message}", mode)
            return
        attempt.broker_seconds = time.perf_counter()  # the broker's clock starts now

    def _settle(self, attempt: _Attempt) -> None:
        """After the broker answered: release what a failed order reserved, feed the breaker."""
        attempt.broker_seconds = time.perf_counter() - attempt.broker_seconds
        success = attempt.result["success"]
        if not success:
            self.limits.release(attempt.venue, attempt.order)
        trip = self.breaker.observe(success, attempt.broker_seconds)
        if trip is not None:
            self._trip(trip, attempt.venue)

    def _interrupted(self, attempt: _Attempt, exc: BaseException) -> None:
        attempt.broker_seconds = time.perf_counter() - attempt.broker_seconds
        message = f"interrupted by {type(exc).__name__} while sending; the order may have reached the broker"
        attempt.result = fail(message, {"interrupted": True})
        self._finish(attempt)

    def _finish(self, attempt: _Attempt) -> CanonicalResult:
        result = attempt.result
        now = time.time()
        data = result["data"]
        record = {
            "ts": now,
            "time": iso_time(now),
            "event": "submit",
            "attempt": uuid.uuid4().hex,
            "mode": self._mode,
            "venue": attempt.venue,
            "method": attempt.method_name,
            "order": attempt.fields,
            "result": result,
            "latency_ms": round((time.perf_counter() - attempt.started) * 1000, 3),
            "broker_latency_ms": None if attempt.broker_seconds is None else round(attempt.broker_seconds * 1000, 3),
            "arming_id": attempt.arming_id,
            "denial": data.get("denial") if not result["success"] else None,
            "pid": os.getpid(),
        }
        try:
            self._write(record)
        except OSError as exc:
            # The order may have gone out: say so, and refuse further orders until resume().
            self._audit_problem = f"{type(exc).__name__}: {exc.strerror or exc}"
            data["audit_error"] = self._audit_problem
        return result

    # -- operator controls ---------------------------------------------------------------------
    def halt(self, reason: str) -> None:
        """Turn the kill switch on (for every process sharing this state folder)."""
        record = self.state.halt(reason)
        self._write({"event": "halt", "reason": reason, "by": record["by"], **_now()})

    def resume(self) -> None:
        """Turn the kill switch off and clear a remembered audit failure."""
        self.state.resume()
        self._audit_problem = None
        self._write({"event": "resume", **_now()})

    def positions(self) -> dict[str, dict[str, float]]:
        """PAPER positions by venue and symbol, from the paper broker's fills."""
        return self.paper.positions()

    def _trip(self, reason: str, venue: str) -> None:
        self.state.halt(reason, by="circuit-breaker")
        event = {"event": "halt", "reason": reason, "by": "circuit-breaker", "venue": venue, "mode": self._mode}
        event.update(_now())
        if self.alert is not None:
            try:
                self.alert(dict(event))
            except Exception as exc:  # a broken alert hook must not hide the halt
                event["alert_error"] = type(exc).__name__
        self._write(event)

    # -- helpers -------------------------------------------------------------------------------
    def _order_method(self, connector: object) -> tuple[Optional[str], Optional[inspect.Signature], bool]:
        kind = type(connector)
        cached = self._methods.get(kind)
        if cached is not None and (cached[0] is None or cached[0] not in getattr(connector, "__dict__", ())):
            return cached
        found: tuple[Optional[str], Optional[inspect.Signature], bool] = (None, None, False)
        for name in self.order_methods:
            method = getattr(connector, name, None)
            if callable(method):
                found = (name, method_signature(method), inspect.iscoroutinefunction(method))
                break
        with self._lock:
            self._methods[kind] = found
        return found

    def _write(self, record: dict) -> None:
        if self.audit is not None:
            self.audit.write(record)

    def _audit_log(self, audit: Union[bool, os.PathLike, str, AuditLog], fsync: bool) -> Optional[AuditLog]:
        if isinstance(audit, AuditLog):
            return audit
        if audit is False or audit is None:
            if self._mode == LIVE:
                raise ConfigError("audit: LIVE trading needs an audit log (audit=False is for PAPER only)")
            return None
        path = self.state.home / AUDIT_FILE if audit is True else audit
        return AuditLog(path, fsync=fsync)


def _venue_name(connector: object) -> str:
    venue = getattr(connector, "venue", None)
    return venue if isinstance(venue, str) and venue else type(connector).__name__


def _now() -> dict:
    now = time.time()
    return {"ts": now, "time": iso_time(now), "pid": os.getpid()}


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
