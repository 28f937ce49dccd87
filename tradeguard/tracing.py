"""Decision tracing: ``timed("strategy.decide")`` measures a strategy's decision; the next submit
carries it.

    with tradeguard.timed("strategy.decide"):
        signal = strategy.decide(bar)
    gateway.submit("oanda", ...)          # its audit line and metrics hold strategy.decide's seconds

    @tradeguard.timed("risk.size")
    def size(signal): ...

Measured decisions wait in the current context (a ``ContextVar``: per thread, per asyncio task)
until the gateway's next submit takes them, so one strategy's decisions never ride on another
thread's order.

OpenTelemetry, optional: when the application has configured a tracer provider (the ``[otel]``
extra), decisions and submits also become spans (a submit's span is made from its audit event,
so the gateway's path is the same with or without it). This module never imports OpenTelemetry itself:
it looks for it among the loaded modules, so a process that has not configured it pays one
dictionary look-up per span, nothing more.
"""

from __future__ import annotations

import contextlib
import functools
import sys
import time
from contextvars import ContextVar
from typing import Any, Callable, ContextManager, TypeVar

F = TypeVar("F", bound=Callable[..., Any])
TRACER_NAME = "tradeguard"

_NO_SPAN = contextlib.nullcontext()
# Decisions measured since the last submit in this context: ((name, seconds), ...).
_pending: ContextVar[tuple[tuple[str, float], ...]] = ContextVar("tradeguard_pending_decisions", default=())


class timed:
    """Measure the block (or each call of the decorated function) as the decision ``name``."""

    def __init__(self, name: str) -> None:
        if not isinstance(name, str) or not name:
            raise ValueError("timed: a decision needs a non-empty name, e.g. timed('strategy.decide')")
        self.name = name
        # Stacks, so a nested or recursive block of the same object pairs its own start and span.
        self._started: list[float] = []
        self._spans: list[Any] = []

    def __enter__(self) -> "timed":
        opened = span(self.name)
        opened.__enter__()
        self._spans.append(opened)
        self._started.append(time.perf_counter())
        return self

    def __exit__(self, *exc_info: object) -> None:
        seconds = time.perf_counter() - self._started.pop()
        _pending.set((*_pending.get(), (self.name, seconds)))
        self._spans.pop().__exit__(*exc_info)

    def __call__(self, function: F) -> F:  # a fresh instance per call keeps threads apart
        name = self.name

        @functools.wraps(function)
        def measured(*args: Any, **kwargs: Any) -> Any:
            with timed(name):
                return function(*args, **kwargs)

        return measured  # type: ignore[return-value]


def take_decisions() -> dict[str, float]:
    """The decisions measured in this context since the last call, by name (repeats summed)."""
    pending = _pending.get()
    if not pending:
        return {}
    _pending.set(())
    decisions: dict[str, float] = {}
    for name, seconds in pending:
        decisions[name] = decisions.get(name, 0.0) + seconds
    return decisions


def span(name: str, **attributes: Any) -> ContextManager[Any]:
    """An OpenTelemetry span as a ``with`` block when a tracer provider is configured, else a no-op."""
    tracer = _tracer()
    if tracer is None:
        return _NO_SPAN
    return tracer.start_as_current_span(name, attributes=attributes or None)


def submit_span(event: Any) -> None:
    """A gateway observer: each order outcome becomes a ``tradeguard.submit`` span (when a tracer
    provider is configured), timed from the event: it ends at ``ts`` and lasts ``submit_seconds``."""
    if event.kind != "order" or event.phase != "outcome":
        return
    tracer = _tracer()
    if tracer is None:
        return
    end = int(event.ts * 1e9)
    attributes = {"tradeguard.venue": str(event.venue), "tradeguard.mode": str(event.mode),
                  "tradeguard.outcome": str(event.outcome), "tradeguard.attempt_id": str(event.attempt_id)}
    if event.broker_seconds is not None:
        attributes["tradeguard.broker_seconds"] = event.broker_seconds
    if event.error:
        attributes["tradeguard.error"] = str(event.error.get("code"))
    opened = tracer.start_span("tradeguard.submit", start_time=end - int((event.submit_seconds or 0) * 1e9),
                               attributes=attributes)
    if event.outcome == "failed":
        trace = sys.modules["opentelemetry.trace"]
        opened.set_status(trace.Status(trace.StatusCode.ERROR, attributes.get("tradeguard.error")))
    opened.end(end_time=end)


def _tracer() -> Any:
    trace = sys.modules.get("opentelemetry.trace")
    if trace is None:
        return None
    provider = trace.get_tracer_provider()
    # The API's placeholders until an SDK provider is set: spans would be dropped, so skip them.
    if type(provider).__name__ in ("ProxyTracerProvider", "NoOpTracerProvider"):
        return None
    return provider.get_tracer(TRACER_NAME)
