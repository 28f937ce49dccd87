"""The telemetry store: one row of daily aggregates per (bot, day), written again for a re-run day.

SQLite by default (``.tradeguard/telemetry.sqlite``, standard library). For a fleet of bots on
many machines, ``postgresql://…`` (the ``[postgres]`` extra, psycopg 3): the same table, and where
the TimescaleDB extension is installed on the server, the table becomes a hypertable with a weekly
continuous aggregate (``tradeguard_weekly``, weeks from Monday) for long trends, refreshed for the
written day's week on every write.

A row keeps the summary numbers as columns (for SQL and dashboards) and the whole report as JSON.
Writing a (bot, day) that is already there replaces it: re-running a day's report is idempotent.
"""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import date
from pathlib import Path
from typing import Any, Optional
from urllib.parse import urlsplit

TABLE = "tradeguard_daily"
WEEKLY = "tradeguard_weekly"  # the TimescaleDB continuous aggregate
COLUMNS = ("orders", "filled", "denied", "failed", "submit_p50", "submit_p99", "broker_p99", "halts",
           "breaker_trips")
_INTEGER = {"orders", "filled", "denied", "failed", "halts", "breaker_trips"}


class StoreError(Exception):
    """The store cannot be opened or written; the message names it (never its password)."""


def _column_types(integer: str, real: str) -> str:
    return ", ".join(f"{name} {integer if name in _INTEGER else real}" for name in COLUMNS)


class SqliteStore:
    def __init__(self, path: os.PathLike | str) -> None:
        self.where = str(path)
        try:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(path))
            self._db.execute(
                f"CREATE TABLE IF NOT EXISTS {TABLE} (bot TEXT NOT NULL, day TEXT NOT NULL, "
                f"{_column_types('INTEGER', 'REAL')}, report TEXT NOT NULL, PRIMARY KEY (bot, day))"
            )
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"{self.where}: cannot open the SQLite store ({exc})") from None

    def put(self, bot: str, row: dict, report: dict) -> None:
        names = ", ".join(COLUMNS)
        marks = ", ".join("?" * (len(COLUMNS) + 3))
        values = (bot, row["day"], *(row[name] for name in COLUMNS), json.dumps(report))
        try:
            with self._db:
                self._db.execute(f"INSERT OR REPLACE INTO {TABLE} (bot, day, {names}, report) VALUES ({marks})", values)
        except sqlite3.Error as exc:
            raise StoreError(f"{self.where}: cannot write ({exc})") from None

    def rows(self, bot: str, first: date, last: date) -> list[dict]:
        query = f"SELECT day, {', '.join(COLUMNS)} FROM {TABLE} WHERE bot = ? AND day BETWEEN ? AND ? ORDER BY day"
        found = self._db.execute(query, (bot, first.isoformat(), last.isoformat())).fetchall()
        return [dict(zip(("day", *COLUMNS), values)) for values in found]

    def report(self, bot: str, day: date) -> Optional[dict]:
        found = self._db.execute(f"SELECT report FROM {TABLE} WHERE bot = ? AND day = ?", (bot, day.isoformat())).fetchone()
        return json.loads(found[0]) if found else None

    def close(self) -> None:
        self._db.close()


class PostgresStore:
    """The same store on PostgreSQL (one connection, autocommit per statement)."""

    def __init__(self, url: str) -> None:
        self.where = _without_password(url)
        self._password = urlsplit(url).password
        try:
            import psycopg
        except ImportError:
            raise StoreError("a postgresql:// store needs psycopg 3: pip install 'tradeguard[postgres]'") from None
        self._psycopg = psycopg
        try:
            self._db = psycopg.connect(url, autocommit=True)
            self.timescale = self._create()
        except psycopg.Error as exc:
            raise StoreError(f"{self.where}: cannot open the PostgreSQL store ({type(exc).__name__}: "
                             f"{self._first_line(exc)})") from None

    def _create(self) -> bool:
        self._db.execute(
            f"CREATE TABLE IF NOT EXISTS {TABLE} (bot TEXT NOT NULL, day DATE NOT NULL, "
            f"{_column_types('BIGINT', 'DOUBLE PRECISION')}, report JSONB NOT NULL, "
            f"updated_at TIMESTAMPTZ NOT NULL DEFAULT now(), PRIMARY KEY (bot, day))"
        )
        if not self._timescale_available():
            return False
        self._make_hypertable()
        return True

    def _timescale_available(self) -> bool:
        found = self._db.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'").fetchone()
        return found is not None

    def _make_hypertable(self) -> None:
        # Day-partitioned chunks and a weekly roll-up; the rows of an earlier plain table move into both.
        db = self._db
        db.execute("CREATE EXTENSION IF NOT EXISTS timescaledb")
        db.execute(f"SELECT create_hypertable('{TABLE}', 'day', chunk_time_interval => INTERVAL '30 days', "
                   "if_not_exists => TRUE, migrate_data => TRUE)")
        sums = ", ".join(f"sum({name})::bigint AS {name}" for name in COLUMNS if name in _INTEGER)
        db.execute(
            f"CREATE MATERIALIZED VIEW IF NOT EXISTS {WEEKLY} WITH (timescaledb.continuous) AS "
            f"SELECT bot, {_week_of('day')} AS week, {sums}, max(submit_p99) AS submit_p99, "
            f"max(broker_p99) AS broker_p99 FROM {TABLE} GROUP BY bot, week WITH DATA"
        )

    def put(self, bot: str, row: dict, report: dict) -> None:
        names = ", ".join(COLUMNS)
        updates = ", ".join(f"{name} = EXCLUDED.{name}" for name in (*COLUMNS, "report"))
        marks = ", ".join(["%s"] * (len(COLUMNS) + 3))
        values = (bot, row["day"], *(row[name] for name in COLUMNS), json.dumps(report))
        try:
            self._db.execute(
                f"INSERT INTO {TABLE} (bot, day, {names}, report) VALUES ({marks}) "
                f"ON CONFLICT (bot, day) DO UPDATE SET {updates}, updated_at = now()",
                values,
            )
            if self.timescale:
                self._refresh_week(row["day"])
        except self._psycopg.Error as exc:
            raise StoreError(f"{self.where}: cannot write ({type(exc).__name__}: {self._first_line(exc)})") from None

    def _refresh_week(self, day: str) -> None:
        # A continuous aggregate shows only what was refreshed, and nothing refreshes it on its own
        # without a policy and the server's background workers: bring the written day's week up to date.
        week = _week_of("%s::date")
        self._db.execute(f"CALL refresh_continuous_aggregate('{WEEKLY}', {week}, {week} + 7)", (day, day))

    def rows(self, bot: str, first: date, last: date) -> list[dict]:
        query = (f"SELECT day, {', '.join(COLUMNS)} FROM {TABLE} WHERE bot = %s AND day BETWEEN %s AND %s "
                 "ORDER BY day")
        found = self._db.execute(query, (bot, first, last)).fetchall()
        return [{"day": values[0].isoformat(), **dict(zip(COLUMNS, values[1:]))} for values in found]

    def report(self, bot: str, day: date) -> Optional[dict]:
        found = self._db.execute(f"SELECT report FROM {TABLE} WHERE bot = %s AND day = %s", (bot, day)).fetchone()
        return found[0] if found else None

    def close(self) -> None:
        self._db.close()

    def _first_line(self, exc: Exception) -> str:
        # A message may quote the connection string: never let the password through.
        line = (str(exc).strip().splitlines() or [""])[0]
        return line.replace(self._password, "***") if self._password else line


def open_store(where: str) -> Any:
    """A store from ``where``: ``postgresql://…`` / ``postgres://…``, ``sqlite:///path`` or a file path."""
    if where.startswith(("postgresql://", "postgres://")):
        return PostgresStore(where)
    return SqliteStore(where.removeprefix("sqlite://") if where.startswith("sqlite:///") else where)


def _week_of(day: str) -> str:
    """SQL for the first day of ``day``'s week (TimescaleDB buckets dates from a Monday)."""
    return f"time_bucket(INTERVAL '7 days', {day})"


def _without_password(url: str) -> str:
    """``url`` as it may be printed: the password (if any) replaced."""
    scheme, separator, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not at or ":" not in credentials:
        return url
    return f"{scheme}{separator}{credentials.split(':', 1)[0]}:***@{host}"

