"""`tradeguard report daily`: the day's operations report from the audit log (rotated and archived
files too), as a self-contained HTML page and its JSON twin, with the day's aggregates kept in the
telemetry store for the trend.

    tradeguard report daily                                  # today (UTC), state folder's audit log
    tradeguard report daily --date yesterday --store postgresql://bots@db/telemetry --bot eu-fx-1
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sys
from collections.abc import Sequence
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from tradeguard.state import resolve_home
from tradeguard.telemetry import html
from tradeguard.telemetry.reader import read_day
from tradeguard.telemetry.report import build_report, previous_days, summary_row
from tradeguard.telemetry.store import StoreError, open_store

HELP = "the day's operations report (HTML and JSON) from the audit log, kept in the telemetry store"
BOT_ENV = "TRADEGUARD_BOT"
STORE_FILE = "telemetry.sqlite"


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        day = parse_day(args.date)
    except ValueError as exc:
        parser.error(str(exc))
    home = resolve_home(args.home)
    audit = Path(args.audit) if args.audit else home / "audit.log"
    bot = args.bot or os.environ.get(BOT_ENV) or socket.gethostname()
    events, damaged = read_day(audit, day)
    report = build_report(events, day, bot=bot, damaged=len(damaged))
    for problem in damaged:
        print(f"tradeguard report: {problem}", file=sys.stderr)
    try:
        report["trend"] = _store_and_trend(args, home, bot, report)
    except StoreError as exc:
        print(f"tradeguard report: {exc}", file=sys.stderr)
        return 2
    return _write(args, home, report, audit)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tradeguard report", description=HELP)
    parser.add_argument("what", choices=["daily"], help="the report to make")
    parser.add_argument("--date", default="today", metavar="DAY", help="YYYY-MM-DD, today or yesterday (UTC; default today)")
    parser.add_argument("--html", type=Path, metavar="FILE", help="the HTML page (default <state folder>/reports/DAY.html)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="the JSON twin (default <state folder>/reports/DAY.json)")
    parser.add_argument("--store", metavar="URL", help=f"postgresql://… or an SQLite file (default <state folder>/{STORE_FILE})")
    parser.add_argument("--no-store", action="store_true", help="keep nothing; no trend")
    parser.add_argument("--trend-days", type=int, default=30, metavar="N", help="stored days the trend shows (default 30)")
    parser.add_argument("--bot", metavar="NAME", help=f"this bot's name in the store (default ${BOT_ENV}, else the host name)")
    parser.add_argument("--home", metavar="DIR",
                        help="the state folder (default $TRADEGUARD_HOME, else .tradeguard/ in the project root)")
    parser.add_argument("--audit", metavar="FILE", help="the audit log (default <state folder>/audit.log)")
    return parser


def parse_day(text: str) -> date:
    today = datetime.now(timezone.utc).date()
    if text == "today":
        return today
    if text == "yesterday":
        return today - timedelta(days=1)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"--date: {text!r} is not YYYY-MM-DD, today or yesterday") from None


def _store_and_trend(args: argparse.Namespace, home: Path, bot: str, report: dict) -> list[dict]:
    if args.no_store:
        return []
    store = open_store(args.store or str(home / STORE_FILE))
    try:
        store.put(bot, summary_row(report), report)
        day = date.fromisoformat(report["day"])
        return store.rows(bot, *previous_days(day, max(1, args.trend_days)))
    finally:
        store.close()


def _write(args: argparse.Namespace, home: Path, report: dict, audit: Path) -> int:
    reports = home / "reports"
    page = args.html or reports / f"{report['day']}.html"
    twin = args.json or reports / f"{report['day']}.json"
    try:
        for path, text in ((page, html.render(report)), (twin, json.dumps(report, indent=2) + "\n")):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    except OSError as exc:
        print(f"tradeguard report: {exc.filename}: cannot write ({exc.strerror})", file=sys.stderr)
        return 2
    totals = report["totals"]
    if not audit.exists():
        print(f"no audit log at {audit}")
    print(report["heartbeat"]["line"])
    print(f"{report['day']}: {totals['orders']} orders, {totals['filled']} filled, {totals['denied']} denied, "
          f"{totals['failed']} failed")
    print(f"wrote {page}\nwrote {twin}")
    return 0
