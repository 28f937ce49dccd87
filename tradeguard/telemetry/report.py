"""The daily operations report: one day of audit events reduced to the numbers an operator reads.

``build_report(events, day)`` makes a plain dict (the JSON twin of the HTML page): orders by venue,
mode and outcome; fill, deny and fail rates; submit and broker latency percentiles; the slowest
attempts; halts, armings and breaker trips with who and why; decision latency; the heartbeat (was
the bot alive, and its longest silence). Trends over earlier days come from the telemetry store.

Percentiles are nearest-rank (the value at rank ceil(q·n) of the sorted sample), so every number
in the report is one that was measured, and a hand count over the log gives the same value.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Optional

SCHEMA = 1
OPERATOR_KINDS = ("halt", "resume", "arm", "disarm", "breaker_trip", "breaker_reset")
MAIN_OUTCOMES = ("filled", "denied", "failed")
QUANTILES = (("p50", 0.50), ("p95", 0.95), ("p99", 0.99))
SLOWEST = 10
# A silence longer than this between the day's first and last record is called out.
HEARTBEAT_GAP_SECONDS = 3600.0


def day_bounds(day: date) -> tuple[float, float]:
    """The epoch seconds where ``day`` (UTC) starts and ends."""
    start = datetime.combine(day, time(), timezone.utc).timestamp()
    return start, start + 86400.0


def percentile(ordered: list[float], q: float) -> Optional[float]:
    """Nearest-rank percentile of an ascending list (None for an empty one)."""
    if not ordered:
        return None
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def distribution(values: list[float]) -> dict[str, Any]:
    ordered = sorted(values)
    summary: dict[str, Any] = {"count": len(ordered)}
    for label, q in QUANTILES:
        summary[label] = percentile(ordered, q)
    summary["max"] = ordered[-1] if ordered else None
    return summary


class _Tally:
    """What one pass over the day's events collects."""

    def __init__(self) -> None:
        self.by_group: dict[tuple[str, str], dict[str, int]] = {}
        self.submit: list[float] = []
        self.broker: list[float] = []
        self.decisions: dict[str, list[float]] = {}
        self.denials: dict[str, int] = {}
        self.hourly = [dict.fromkeys(MAIN_OUTCOMES, 0) | {"other": 0} for _ in range(24)]
        self.slowest: list[tuple[float, int, Any]] = []  # a min-heap of the SLOWEST largest
        self.operator: list[Any] = []
        self.intents: set[str] = set()
        self.finished: set[str] = set()
        self.times: list[float] = []

    def add(self, event: Any, start: float) -> None:
        self.times.append(event.ts)
        if event.kind == "order":
            if event.phase == "intent":
                if event.attempt_id:
                    self.intents.add(event.attempt_id)
            else:
                self._order(event, start)
        elif event.kind in OPERATOR_KINDS:
            self.operator.append(event)

    def _order(self, event: Any, start: float) -> None:
        outcome = event.outcome or "unknown"
        group = self.by_group.setdefault((str(event.venue), str(event.mode)), {})
        group[outcome] = group.get(outcome, 0) + 1
        hour = self.hourly[min(23, int((event.ts - start) // 3600))]
        hour[outcome if outcome in hour else "other"] += 1
        if event.attempt_id:
            self.finished.add(event.attempt_id)
        if outcome == "denied":
            code = (event.error or {}).get("code") or "unknown"
            self.denials[code] = self.denials.get(code, 0) + 1
        if event.broker_seconds is not None:
            self.broker.append(event.broker_seconds)
        if event.submit_seconds is not None:
            self.submit.append(event.submit_seconds)
            entry = (event.submit_seconds, len(self.submit), event)
            if len(self.slowest) < SLOWEST:
                heapq.heappush(self.slowest, entry)
            elif entry > self.slowest[0]:
                heapq.heapreplace(self.slowest, entry)
        for name, seconds in (event.decisions or {}).items():
            self.decisions.setdefault(name, []).append(seconds)


def build_report(events: Iterable[Any], day: date, *, bot: str = "", damaged: int = 0,
                 trend: Iterable[dict] = ()) -> dict:
    """The report of ``day`` (UTC) from audit ``events`` (events of other days are skipped)."""
    start, end = day_bounds(day)
    tally = _Tally()
    for event in events:
        if start <= event.ts < end:
            tally.add(event, start)
    groups = [
        {"venue": venue, "mode": mode, **_counts(outcomes)}
        for (venue, mode), outcomes in sorted(tally.by_group.items())
    ]
    return {
        "schema": SCHEMA,
        "bot": bot,
        "day": day.isoformat(),
        "generated_at": _iso(datetime.now(timezone.utc).timestamp()),
        "totals": _counts(_merged(tally.by_group.values())),
        "by_venue_mode": groups,
        "denials": dict(sorted(tally.denials.items(), key=lambda item: (-item[1], item[0]))),
        "unfinished": sorted(tally.intents - tally.finished),
        "latency": {"submit": distribution(tally.submit), "broker": distribution(tally.broker)},
        "slowest": [_attempt(event) for _, _, event in sorted(tally.slowest, reverse=True)],
        "operator_events": [_operator(event) for event in sorted(tally.operator, key=lambda e: e.ts)],
        "decisions": [{"name": name, **distribution(values)} for name, values in sorted(tally.decisions.items())],
        "hourly": [{"hour": hour, **counts} for hour, counts in enumerate(tally.hourly)],
        "heartbeat": heartbeat(sorted(tally.times), day),
        "damaged_lines": damaged,
        "trend": list(trend),
    }


def _merged(groups: Iterable[dict[str, int]]) -> dict[str, int]:
    merged: dict[str, int] = {}
    for outcomes in groups:
        for outcome, count in outcomes.items():
            merged[outcome] = merged.get(outcome, 0) + count
    return merged


def _counts(outcomes: dict[str, int]) -> dict[str, Any]:
    orders = sum(outcomes.values())
    counts: dict[str, Any] = {"orders": orders}
    for outcome in MAIN_OUTCOMES:
        counts[outcome] = outcomes.get(outcome, 0)
        counts[f"{outcome}_rate"] = counts[outcome] / orders if orders else None
    counts["outcomes"] = dict(sorted(outcomes.items()))
    return counts


def _attempt(event: Any) -> dict:
    order = event.order or {}
    return {
        "time": _iso(event.ts), "venue": event.venue, "mode": event.mode, "outcome": event.outcome,
        "submit_seconds": event.submit_seconds, "broker_seconds": event.broker_seconds,
        "attempt_id": event.attempt_id, "symbol": order.get("symbol"),
        "error": (event.error or {}).get("code"),
    }


def _operator(event: Any) -> dict:
    return {"time": _iso(event.ts), "kind": event.kind, "actor": event.actor, "reason": event.reason,
            "venue": event.venue, "arming_id": event.arming_id}


def heartbeat(times: list[float], day: date) -> dict:
    """Was the bot alive on ``day``: first and last record, and the longest silence between records."""
    if not times:
        return {"status": "missing", "first": None, "last": None, "longest_gap_seconds": None,
                "line": f"Missing heartbeat: no audit record on {day.isoformat()}."}
    gap, after = max(((later - earlier, earlier) for earlier, later in zip(times, times[1:])), default=(0.0, times[0]))
    status = "gap" if gap > HEARTBEAT_GAP_SECONDS else "ok"
    line = f"{len(times)} records from {_iso(times[0])} to {_iso(times[-1])}; longest silence {_duration(gap)}"
    if status == "gap":
        line += f" from {_iso(after)}: a missing heartbeat"
    return {"status": status, "first": _iso(times[0]), "last": _iso(times[-1]),
            "longest_gap_seconds": gap, "longest_gap_from": _iso(after), "line": line + "."}


def summary_row(report: dict) -> dict:
    """The numbers of one day the store keeps as columns (and the trend chart draws)."""
    totals, latency = report["totals"], report["latency"]
    return {
        "day": report["day"], "orders": totals["orders"], "filled": totals["filled"],
        "denied": totals["denied"], "failed": totals["failed"],
        "submit_p50": latency["submit"]["p50"], "submit_p99": latency["submit"]["p99"],
        "broker_p99": latency["broker"]["p99"],
        "halts": sum(1 for event in report["operator_events"] if event["kind"] == "halt"),
        "breaker_trips": sum(1 for event in report["operator_events"] if event["kind"] == "breaker_trip"),
    }


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    if seconds < 3600:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


def previous_days(day: date, count: int) -> tuple[date, date]:
    """The first and last day of the ``count`` days ending with ``day``."""
    return day - timedelta(days=count - 1), day
