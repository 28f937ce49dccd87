"""Prometheus metrics of the gateway (the ``[metrics]`` extra, prometheus-client).

``OrderGateway(metrics=True)`` adds a :class:`GatewayMetrics` observer: it sees every audit event
the gateway writes and keeps the counters and histograms below. The names are a contract
(DESIGN.md, Operations); the alert rules and the dashboard in ``examples/monitoring/`` use them.

==========================================  =========  =====================================
name                                        type       labels
==========================================  =========  =====================================
tradeguard_orders_total                     counter    venue, mode, outcome
tradeguard_submit_seconds                   histogram  venue, mode (the whole submit)
tradeguard_broker_seconds                   histogram  venue, mode (paper broker or connector)
tradeguard_halted                           gauge      (kill switch on: 1)
tradeguard_armed                            gauge      (a valid arming record: 1)
tradeguard_breaker_open                     gauge      venue
tradeguard_breaker_trips_total              counter    venue
tradeguard_last_submit_timestamp_seconds    gauge      venue
tradeguard_decision_seconds                 histogram  name (``tradeguard.timed``)
==========================================  =========  =====================================

``tradeguard_halted`` and ``tradeguard_armed`` are read from the state folder when scraped, so
they are right even when the operator halts or arms from another shell.

Several processes: set ``PROMETHEUS_MULTIPROC_DIR`` to an empty folder before the processes
start (prometheus-client's multiprocess mode); each writes its values there and ``serve`` (in any
one of them, or a process of its own) adds them up; a supervisor that restarts workers calls
``prometheus_client.multiprocess.mark_process_dead(pid)`` for each one that exits, so its breaker
gauges stop counting. For node_exporter's textfile collector, call ``write_textfile`` from a timer
or after each session.

This module imports only the standard library; prometheus-client is loaded when metrics are made.
"""

from __future__ import annotations

import os
import threading
import weakref
from pathlib import Path
from typing import Any, Optional

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
# Order latency in seconds: a PAPER fill takes tens of microseconds, a broker 10 ms to seconds.
LATENCY_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                   1.0, 2.5, 5.0, 10.0)
DECISION_BUCKETS = (0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0)

# Per registry, made once: prometheus-client refuses a metric name registered twice in one registry.
_instruments: "weakref.WeakKeyDictionary[Any, _Instruments]" = weakref.WeakKeyDictionary()
_state_collectors: "weakref.WeakKeyDictionary[Any, StateCollector]" = weakref.WeakKeyDictionary()
_made = threading.Lock()


def _client() -> Any:
    try:
        import prometheus_client
    except ImportError:
        raise ImportError(
            "metrics need prometheus-client: pip install 'tradeguard[metrics]'"
        ) from None
    return prometheus_client


class _Instruments:
    """The metric objects of one registry."""

    def __init__(self, registry: Any) -> None:
        client = _client()
        latency = {"labelnames": ("venue", "mode"), "buckets": LATENCY_BUCKETS, "registry": registry}
        self.orders = client.Counter(
            "tradeguard_orders", "Order attempts by outcome.", ("venue", "mode", "outcome"), registry=registry
        )
        self.submit = client.Histogram("tradeguard_submit_seconds", "Whole submit, gates to audit.", **latency)
        self.broker = client.Histogram("tradeguard_broker_seconds", "Broker (or paper broker) call.", **latency)
        # Across processes: a breaker is open while any live process has it open.
        self.breaker_open = client.Gauge(
            "tradeguard_breaker_open", "Circuit breaker open (1) or closed (0).", ("venue",),
            registry=registry, multiprocess_mode="livemax",
        )
        self.breaker_trips = client.Counter(
            "tradeguard_breaker_trips", "Circuit breaker trips.", ("venue",), registry=registry
        )
        self.last_submit = client.Gauge(
            "tradeguard_last_submit_timestamp_seconds", "Time of the last order attempt (epoch seconds).",
            ("venue",), registry=registry, multiprocess_mode="max",
        )
        self.decision = client.Histogram(
            "tradeguard_decision_seconds", "Strategy decisions measured with tradeguard.timed.", ("name",),
            buckets=DECISION_BUCKETS, registry=registry,
        )


class GatewayMetrics:
    """An audit-event observer that keeps the gateway's metrics in ``registry``.

    ``home`` is the state folder (a path or the gateway's ``StateFolder``) whose kill switch and
    arming record ``tradeguard_halted`` and ``tradeguard_armed`` report.
    """

    def __init__(self, registry: Any = None, home: Any = None) -> None:
        client = _client()
        self.registry = client.REGISTRY if registry is None else registry
        with _made:
            instruments = _instruments.get(self.registry)
            if instruments is None:
                instruments = _instruments[self.registry] = _Instruments(self.registry)
            if home is not None:
                _register_state(self.registry, home)
        self._instruments = instruments
        # labels() costs a dict look-up under a lock; the children are kept per label values.
        self._children: dict[tuple, tuple] = {}
        self._decisions: dict[str, Any] = {}
        self._opened: set[str] = set()

    def __call__(self, event: Any) -> None:
        kind = event.kind
        if kind == "order":
            if event.phase != "intent":
                self._order(event)
        elif kind == "breaker_trip":
            self._instruments.breaker_trips.labels(event.venue).inc()
            self._instruments.breaker_open.labels(event.venue).set(1)
            self._opened.add(event.venue)
        elif kind in ("breaker_reset", "resume"):
            self._close_breakers()

    def _order(self, event: Any) -> None:
        key = (event.venue, event.mode, event.outcome)
        children = self._children.get(key)
        if children is None:
            m, labels = self._instruments, (str(event.venue), str(event.mode))
            children = self._children[key] = (
                m.orders.labels(*labels, str(event.outcome)), m.submit.labels(*labels),
                m.broker.labels(*labels), m.last_submit.labels(labels[0]),
            )
        orders, submit, broker, last = children
        orders.inc()
        if event.submit_seconds is not None:
            submit.observe(event.submit_seconds)
        if event.broker_seconds is not None:
            broker.observe(event.broker_seconds)
        last.set(event.ts)
        for name, seconds in (event.decisions or {}).items():
            decision = self._decisions.get(name)
            if decision is None:
                decision = self._decisions[name] = self._instruments.decision.labels(name)
            decision.observe(seconds)

    def _close_breakers(self) -> None:
        # A resume clears the kill switch the breaker set (it is one for all venues): every breaker
        # this observer saw open is closed.
        for venue in self._opened:
            self._instruments.breaker_open.labels(venue).set(0)
        self._opened.clear()


def _register_state(registry: Any, home: Any) -> None:
    collector = _state_collectors.get(registry)
    if collector is None:
        collector = _state_collectors[registry] = StateCollector()
        registry.register(collector)
    collector.watch(home)


class StateCollector:
    """``tradeguard_halted`` and ``tradeguard_armed``, read from the state folders at each scrape
    (the highest value when a process has gateways on several folders)."""

    def __init__(self, home: Any = None) -> None:
        self.folders: dict[Path, Any] = {}
        if home is not None:
            self.watch(home)

    def watch(self, home: Any) -> None:
        """Also report the state folder ``home``: a gateway's ``StateFolder`` (its live policy judges
        the arming record), or a path (judged by the project's ``[tool.tradeguard.live]``)."""
        if hasattr(home, "arming_status"):
            self.folders.setdefault(home.home, home)
            return
        path = Path(home).absolute()
        if path not in self.folders:
            from tradeguard.config import LivePolicy
            from tradeguard.state import StateFolder

            self.folders[path] = StateFolder(path, LivePolicy.from_pyproject())

    def collect(self) -> Any:
        from prometheus_client.core import GaugeMetricFamily

        folders = list(self.folders.values())
        halted = any(state.halt_record() is not None for state in folders)
        armed = any(state.arming_status()[1] is not None for state in folders)
        yield GaugeMetricFamily("tradeguard_halted", "Kill switch on (1) or off (0).", value=float(halted))
        yield GaugeMetricFamily("tradeguard_armed", "A valid arming record for LIVE (1) or none (0).",
                                value=float(armed))


def exposition_registry(registry: Any = None, home: Optional[os.PathLike | str] = None) -> Any:
    """The registry to expose: in multiprocess mode a fresh one adding up every process's values
    (and the state folder's gauges: ``home``, default ``TRADEGUARD_HOME``), else ``registry`` or
    the default one."""
    from tradeguard.state import resolve_home

    client = _client()
    if not os.environ.get(MULTIPROC_ENV):
        return client.REGISTRY if registry is None else registry
    from prometheus_client import multiprocess

    combined = client.CollectorRegistry()
    multiprocess.MultiProcessCollector(combined)
    combined.register(StateCollector(resolve_home(home)))
    return combined


def serve(port: int, addr: str = "127.0.0.1", *, registry: Any = None,
          home: Optional[os.PathLike | str] = None) -> Any:
    """Serve ``/metrics`` on ``addr:port`` from a daemon thread; returns the HTTP server
    (``server.server_port`` is the port, also when ``port`` is 0)."""
    server, _thread = _client().start_http_server(port, addr, registry=exposition_registry(registry, home))
    return server


def write_textfile(path: os.PathLike | str, *, registry: Any = None,
                   home: Optional[os.PathLike | str] = None) -> None:
    """Write the metrics for node_exporter's textfile collector (atomically: a temporary file renamed)."""
    _client().write_to_textfile(str(path), exposition_registry(registry, home))

