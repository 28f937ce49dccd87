"""The operator's view of the audit log (``tradeguard live audit``): filters, and one row per attempt.

A LIVE order has two lines (the intent written before the broker was called, the outcome after);
the table shows one row per attempt, from its outcome, and an intent left without an outcome
(the process died while sending) as a row of its own: that order may be at the broker.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

from tradeguard.audit import AuditEvent, read_events
from tradeguard.config import parse_duration
from tradeguard.orders import read_order

COLUMNS = ("TIME", "KIND", "MODE", "VENUE", "SYMBOL", "SIDE", "QTY", "PRICE", "FILL", "LATENCY", "BROKER", "OUTCOME",
           "WHO / WHY")
WIDTHS = (24, 13, 5, 10, 10, 4, 10, 10, 10, 9, 9, 11, 0)
OUTCOME = COLUMNS.index("OUTCOME")
FILL_FIELDS = ("fill_price", "avg_fill_price", "average_filled_price", "price")


def add_filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--since", type=_moment, metavar="TIME", help="from this time: 2026-12-01, 2026-12-01T09:30Z, or 2h (ago)")
    parser.add_argument("--until", type=_moment, metavar="TIME", help="up to this time (same forms)")
    parser.add_argument("--venue", help="only this venue")
    parser.add_argument("--mode", type=str.upper, choices=("PAPER", "LIVE"), help="only this mode")
    parser.add_argument("--outcome", help="only orders with this outcome: filled, accepted, denied, failed, interrupted, "
                        "'no outcome' (sent, never answered)")
    parser.add_argument("--arming-id", help="only the session armed with this id, from its `arm` line on")
    parser.add_argument("--last", type=int, metavar="N", help="only the last N rows (with --json: lines)")
    parser.add_argument("--json", action="store_true", help="print the audit lines as stored (JSON lines)")


def show_events(log: Path, args: argparse.Namespace) -> int:
    """Print the log's events through the filters of ``args``; damaged lines are named on stderr."""
    damaged: list[str] = []
    events = _filtered(read_events(log, on_damage=damaged.append), args)
    wanted = args.outcome.lower() if args.outcome else None
    if args.json:  # with --outcome: the outcome lines that have it
        lines = [event.to_json() for event in events if wanted is None or event.outcome == wanted]
    else:
        lines = [_format(row) for row in attempt_rows(events) if wanted is None or row[OUTCOME] == wanted]
    if args.last is not None:
        lines = lines[-args.last:] if args.last > 0 else []
    if not args.json and lines:
        lines.insert(0, _format(COLUMNS))
    for line in lines:
        print(line)
    for message in damaged:
        print(f"warning: {message}", file=sys.stderr)
    return 0


def _filtered(events: Iterable[AuditEvent], args: argparse.Namespace) -> Iterator[AuditEvent]:
    if args.arming_id:
        events = _session(events, args.arming_id)
    for event in events:
        if args.since is not None and event.ts < args.since:
            continue
        if args.until is not None and event.ts > args.until:
            continue
        if args.venue is not None and event.venue != args.venue:
            continue
        if args.mode is not None and event.mode != args.mode:
            continue
        yield event


def _session(events: Iterable[AuditEvent], arming_id: str) -> Iterator[AuditEvent]:
    """The events of one arming: from its `arm` line to the next `arm`, plus any carrying its id."""
    inside = False
    for event in events:
        if event.kind == "arm":
            inside = event.arming_id == arming_id
        if inside or event.arming_id == arming_id:
            yield event


def attempt_rows(events: Iterable[AuditEvent]) -> list[tuple[str, ...]]:
    """One row per attempt or operator action, in time order."""
    rows: list[tuple[float, tuple[str, ...]]] = []
    intents: dict[str, AuditEvent] = {}
    for event in events:
        if event.kind == "order" and event.phase == "intent":
            intents[str(event.attempt_id)] = event
        elif event.kind == "order":
            intents.pop(str(event.attempt_id), None)
            rows.append((event.ts, _order_row(event, event.outcome or "")))
        else:
            rows.append((event.ts, _action_row(event)))
    for intent in intents.values():  # sent, and never answered: find out at the broker
        rows.append((intent.ts, _order_row(intent, "no outcome", "sent; no outcome recorded (process died?)")))
    rows.sort(key=lambda item: item[0])
    return [row for _, row in rows]


def _order_row(event: AuditEvent, outcome: str, why: Optional[str] = None) -> tuple[str, ...]:
    order = _view(event)
    result = event.result if isinstance(event.result, dict) else {}
    data = result.get("data") if isinstance(result.get("data"), dict) else {}
    fill = next((data[name] for name in FILL_FIELDS if data.get(name) is not None), None)
    if why is None:
        error = event.error if isinstance(event.error, dict) else {}
        why = f"{error.get('code')}: {error.get('message')}" if error else ""
    return (
        event.time, "order", event.mode or "", event.venue or "", _text(order.get("symbol")), _text(order.get("side")),
        _number(order.get("quantity")), _number(order.get("price")), _number(fill), _ms(event.submit_seconds),
        _ms(event.broker_seconds), outcome, why,
    )


def _action_row(event: AuditEvent) -> tuple[str, ...]:
    details = event.details or {}
    parts = [f"by {event.actor}" if event.actor else "", event.reason or ""]
    if event.kind == "arm":
        parts.append(f"id {event.arming_id}, approvers {', '.join(map(str, details.get('approvers', [])))}, "
                     f"until {details.get('expires_at')}")
        if details.get("replaces"):
            parts.append(f"replaces {details['replaces']}")
    why = "; ".join(part for part in parts if part)
    return (event.time, event.kind, event.mode or "", event.venue or "", "", "", "", "", "", "", "", "", why)


def _view(event: AuditEvent) -> dict:
    """Symbol, side, quantity and price of the logged order, whatever the connector called them."""
    fields = event.order if isinstance(event.order, dict) else {}
    order = read_order(fields)
    return {"symbol": order.symbol, "side": order.side, "quantity": order.quantity, "price": order.price}


def _format(row: tuple[str, ...]) -> str:
    cells = [cell.ljust(width) if width else cell for cell, width in zip(row, WIDTHS)]
    return "  ".join(cells).rstrip()


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _number(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return _text(value)
    return f"{value:g}"


def _ms(seconds: Optional[float]) -> str:
    return "" if not isinstance(seconds, (int, float)) else f"{seconds * 1000:.2f}ms"


def _moment(text: str) -> float:
    """An ISO date or time (UTC unless it says otherwise), or a duration meaning that long ago."""
    try:
        return time.time() - parse_duration(text)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid time {text!r} (e.g. 2026-12-01, 2026-12-01T09:30Z, 2h)") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()
