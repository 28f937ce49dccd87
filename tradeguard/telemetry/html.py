"""The daily report as one self-contained HTML page: inline CSS and SVG charts, no script, no CDN,
so it opens offline, attaches to an e-mail and archives as it is.

Every value from the audit log is escaped: venue names, reasons and actors are operator input.
"""

from __future__ import annotations

from html import escape
from typing import Any, Iterable, Optional

COLOURS = {"filled": "#2e7d32", "denied": "#f9a825", "failed": "#c62828", "other": "#78909c"}
STYLE = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px auto;max-width:1100px;
color:#1c2430;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px;border-bottom:1px solid #dde3ea;
padding-bottom:4px}.sub{color:#5b6b7c}.cards{display:flex;flex-wrap:wrap;gap:10px;margin:16px 0}
.card{border:1px solid #dde3ea;border-radius:8px;padding:10px 14px;min-width:120px}
.card b{display:block;font-size:20px}.card span{color:#5b6b7c;font-size:12px}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{text-align:left;padding:4px 8px;
border-bottom:1px solid #eef1f4}th{color:#5b6b7c;font-weight:600}td.n,th.n{text-align:right;
font-variant-numeric:tabular-nums}.beat{padding:8px 12px;border-radius:6px;margin-top:12px}
.ok{background:#e8f5e9}.gap,.missing{background:#fdecea}.charts{display:flex;flex-wrap:wrap;gap:24px}
.legend span{display:inline-block;margin-right:12px;font-size:12px}.legend i{display:inline-block;
width:10px;height:10px;margin-right:4px;border-radius:2px}svg text{font-size:11px;fill:#5b6b7c}
.empty{color:#5b6b7c;font-style:italic}
"""


def render(report: dict) -> str:
    """The HTML page of ``report`` (from :func:`tradeguard.telemetry.report.build_report`)."""
    title = f"tradeguard daily report {report['day']}" + (f" · {report['bot']}" if report["bot"] else "")
    parts = [
        f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{escape(title)}</title>",
        f"<meta name=viewport content='width=device-width,initial-scale=1'><style>{STYLE}</style></head><body>",
        f"<h1>{escape(title)}</h1><div class=sub>generated {escape(report['generated_at'])} · all times UTC</div>",
        _heartbeat(report["heartbeat"], report["damaged_lines"]),
        _cards(report),
        "<h2>Orders per hour</h2>", _legend(), _hourly_chart(report["hourly"]),
        "<div class=charts>",
        _section("Latency (ms)", _latency_chart(report["latency"])),
        _section("Trend over the stored days", _trend_charts(report["trend"])),
        "</div>",
        "<h2>By venue and mode</h2>", _venue_table(report["by_venue_mode"]),
        "<h2>Denials by reason</h2>", _table(("reason", "count"), report["denials"].items(), numeric={1}),
        "<h2>Slowest attempts</h2>", _slowest_table(report["slowest"]),
        "<h2>Halts, armings and breaker trips</h2>", _operator_table(report["operator_events"]),
        "<h2>Decision latency (tradeguard.timed)</h2>", _decision_table(report["decisions"]),
    ]
    if report["unfinished"]:
        parts += ["<h2>Intents without an outcome</h2>",
                  _table(("attempt",), ((attempt,) for attempt in report["unfinished"]))]
    parts.append("</body></html>\n")
    return "".join(parts)


def _section(title: str, body: str) -> str:
    return f"<div><h2>{escape(title)}</h2>{body}</div>"


def _heartbeat(beat: dict, damaged: int) -> str:
    extra = f" {damaged} damaged audit line(s) were skipped." if damaged else ""
    return f"<div class='beat {escape(beat['status'])}'>{escape(beat['line'] + extra)}</div>"


def _cards(report: dict) -> str:
    totals, latency = report["totals"], report["latency"]
    kinds = [event["kind"] for event in report["operator_events"]]
    cards = [
        ("orders", str(totals["orders"])),
        ("filled", _percent(totals["filled_rate"])),
        ("denied", _percent(totals["denied_rate"])),
        ("failed", _percent(totals["failed_rate"])),
        ("submit p99", _ms(latency["submit"]["p99"])),
        ("broker p99", _ms(latency["broker"]["p99"])),
        ("halts", str(kinds.count("halt"))),
        ("breaker trips", str(kinds.count("breaker_trip"))),
    ]
    body = "".join(f"<div class=card><b>{escape(value)}</b><span>{escape(label)}</span></div>" for label, value in cards)
    return f"<div class=cards>{body}</div>"


def _legend() -> str:
    return "<div class=legend>" + "".join(
        f"<span><i style='background:{colour}'></i>{name}</span>" for name, colour in COLOURS.items()
    ) + "</div>"


def _hourly_chart(hourly: list[dict]) -> str:
    width, height, left, bottom = 1060, 180, 40, 20
    peak = max((sum(hour[name] for name in COLOURS) for hour in hourly), default=0) or 1
    slot = (width - left) / 24
    shapes = [_axis(left, width, height, bottom, peak)]
    for hour in hourly:
        x, base = left + hour["hour"] * slot + 2, height - bottom
        for name, colour in COLOURS.items():
            size = hour[name] / peak * (height - bottom - 10)
            if size > 0:
                base -= size
                shapes.append(f"<rect x='{x:.1f}' y='{base:.1f}' width='{slot - 4:.1f}' height='{size:.1f}' "
                              f"fill='{colour}'><title>{hour['hour']:02d}:00 {name}: {hour[name]}</title></rect>")
        shapes.append(f"<text x='{x + slot / 2 - 2:.1f}' y='{height - 5}' text-anchor='middle'>{hour['hour']:02d}</text>")
    return _svg(width, height, shapes, "orders per hour by outcome")


def _latency_chart(latency: dict) -> str:
    width, height, left, bottom = 500, 200, 50, 36
    bars = [(source, label, latency[source][label]) for source in ("submit", "broker") for label in ("p50", "p95", "p99")]
    peak = max((value or 0) * 1000 for _, _, value in bars) or 1
    top = 24  # room above the tallest bar for its value
    shapes = [_axis(left, width, height, bottom, peak, unit=" ms", top=top)]
    slot = (width - left) / len(bars)
    for index, (source, label, value) in enumerate(bars):
        x = left + index * slot + 6
        size = (value or 0) * 1000 / peak * (height - bottom - top)
        colour = "#1565c0" if source == "submit" else "#6a1b9a"
        shapes.append(f"<rect x='{x:.1f}' y='{height - bottom - size:.1f}' width='{slot - 12:.1f}' "
                      f"height='{size:.1f}' fill='{colour}'><title>{source} {label}: {_ms(value)}</title></rect>")
        shapes.append(f"<text x='{x + (slot - 12) / 2:.1f}' y='{height - bottom + 14}' text-anchor='middle'>{label}</text>")
        shapes.append(f"<text x='{x + (slot - 12) / 2:.1f}' y='{height - bottom - size - 3:.1f}' "
                      f"text-anchor='middle'>{escape(_ms(value))}</text>")
    for index, source in enumerate(("gateway submit", "broker")):
        shapes.append(f"<text x='{left + (index * 3 + 1.5) * slot:.1f}' y='{height - 4}' text-anchor='middle'>{source}</text>")
    return _svg(width, height, shapes, "latency percentiles")


def _trend_charts(trend: list[dict]) -> str:
    if not trend:
        return "<p class=empty>No stored days yet: the store fills as daily reports run.</p>"
    width, height, left, bottom = 500, 200, 50, 36
    peak = max(row["orders"] for row in trend) or 1
    slot = (width - left) / len(trend)
    shapes = [_axis(left, width, height, bottom, peak)]
    points = []
    p99_peak = max((row["submit_p99"] or 0) for row in trend) or 1
    for index, row in enumerate(trend):
        x = left + index * slot
        size = row["orders"] / peak * (height - bottom - 10)
        shapes.append(f"<rect x='{x + 3:.1f}' y='{height - bottom - size:.1f}' width='{max(slot - 6, 1):.1f}' "
                      f"height='{size:.1f}' fill='#90caf9'><title>{escape(row['day'])}: {row['orders']} orders, "
                      f"submit p99 {escape(_ms(row['submit_p99']))}</title></rect>")
        points.append(f"{x + slot / 2:.1f},{height - bottom - (row['submit_p99'] or 0) / p99_peak * (height - bottom - 10):.1f}")
        if len(trend) <= 10 or index % max(1, len(trend) // 7) == 0:
            shapes.append(f"<text x='{x + slot / 2:.1f}' y='{height - bottom + 14}' text-anchor='middle'>"
                          f"{escape(row['day'][5:])}</text>")
    shapes.append(f"<polyline points='{' '.join(points)}' fill='none' stroke='#c62828' stroke-width='2'/>")
    shapes.append(f"<text x='{left}' y='{height - 4}'>bars: orders · line: submit p99 (peak {escape(_ms(p99_peak))})</text>")
    return _svg(width, height, shapes, "orders and submit p99 per day")


def _axis(left: float, width: float, height: float, bottom: float, peak: float, unit: str = "", top: float = 10) -> str:
    label = f"{peak:.3g}{unit}"
    return (f"<line x1='{left}' y1='{height - bottom}' x2='{width}' y2='{height - bottom}' stroke='#b0bec5'/>"
            f"<line x1='{left}' y1='{top}' x2='{width}' y2='{top}' stroke='#eceff1'/>"
            f"<text x='{left - 4}' y='{top + 4}' text-anchor='end'>{escape(label)}</text>"
            f"<text x='{left - 4}' y='{height - bottom}' text-anchor='end'>0</text>")


def _svg(width: int, height: int, shapes: list[str], label: str) -> str:
    return (f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width} {height}' width='{width}' "
            f"height='{height}' role='img' aria-label='{escape(label)}'>{''.join(shapes)}</svg>")


def _venue_table(groups: list[dict]) -> str:
    rows = [(group["venue"], group["mode"], group["orders"], group["filled"], group["denied"], group["failed"],
             _percent(group["filled_rate"]), _percent(group["failed_rate"])) for group in groups]
    return _table(("venue", "mode", "orders", "filled", "denied", "failed", "fill rate", "fail rate"), rows,
                  numeric={2, 3, 4, 5, 6, 7})


def _slowest_table(slowest: list[dict]) -> str:
    rows = [(item["time"], item["venue"], item["mode"], item["symbol"], item["outcome"], _ms(item["submit_seconds"]),
             _ms(item["broker_seconds"]), item["error"], item["attempt_id"]) for item in slowest]
    return _table(("time", "venue", "mode", "symbol", "outcome", "submit", "broker", "error", "attempt"), rows,
                  numeric={5, 6})


def _operator_table(events: list[dict]) -> str:
    rows = [(event["time"], event["kind"], event["actor"], event["reason"], event["venue"], event["arming_id"])
            for event in events]
    return _table(("time", "what", "who", "why", "venue", "arming"), rows)


def _decision_table(decisions: list[dict]) -> str:
    rows = [(item["name"], item["count"], _ms(item["p50"]), _ms(item["p95"]), _ms(item["p99"]), _ms(item["max"]))
            for item in decisions]
    return _table(("decision", "count", "p50", "p95", "p99", "max"), rows, numeric={1, 2, 3, 4, 5})


def _table(header: tuple[str, ...], rows: Iterable[tuple], numeric: Optional[set[int]] = None) -> str:
    numeric = numeric or set()
    body = "".join(
        "<tr>" + "".join(f"<td{' class=n' if index in numeric else ''}>{escape(_text(cell))}</td>"
                         for index, cell in enumerate(row)) + "</tr>"
        for row in rows
    )
    if not body:
        return "<p class=empty>None.</p>"
    head = "".join(f"<th{' class=n' if index in numeric else ''}>{escape(name)}</th>" for index, name in enumerate(header))
    return f"<table><tr>{head}</tr>{body}</table>"


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _ms(seconds: Optional[float]) -> str:
    if seconds is None:
        return "–"
    milliseconds = seconds * 1000
    return f"{milliseconds:.3f} ms" if milliseconds < 1 else f"{milliseconds:.1f} ms"


def _percent(rate: Optional[float]) -> str:
    return "–" if rate is None else f"{rate * 100:.1f}%"
