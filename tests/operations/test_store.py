"""The telemetry store on SQLite and on a real PostgreSQL server: a week of days round-trips, and
writing a day again replaces it (idempotent per bot and day)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tradeguard.telemetry.store import COLUMNS, PostgresStore, SqliteStore, StoreError, open_store

WEEK = [date(2026, 11, 23) + timedelta(days=offset) for offset in range(7)]


def day_row(day: date, orders: int) -> tuple[dict, dict]:
    row = {"day": day.isoformat(), "orders": orders, "filled": orders - 3, "denied": 2, "failed": 1,
           "submit_p50": 0.0004 * orders, "submit_p99": 0.002, "broker_p99": 0.0015, "halts": orders % 2,
           "breaker_trips": 0}
    return row, {"day": row["day"], "totals": {"orders": orders}, "note": "ünïcode ✓"}


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    if request.param == "sqlite":
        opened = open_store(str(tmp_path / "telemetry.sqlite"))
    else:
        url = request.getfixturevalue("postgres_url")
        opened = open_store(url)
        opened._db.execute("DROP TABLE IF EXISTS tradeguard_daily")
        opened.close()
        opened = open_store(url)
    yield opened
    opened.close()


def test_a_week_of_days_round_trips(store):
    for number, day in enumerate(WEEK):
        store.put("bot-a", *day_row(day, 10 + number))
    store.put("bot-b", *day_row(WEEK[3], 99))
    rows = store.rows("bot-a", WEEK[0], WEEK[-1])
    assert [row["day"] for row in rows] == [day.isoformat() for day in WEEK]
    assert rows == [day_row(day, 10 + number)[0] for number, day in enumerate(WEEK)]
    assert store.report("bot-a", WEEK[2]) == day_row(WEEK[2], 12)[1]
    assert store.rows("bot-b", WEEK[0], WEEK[-1]) == [day_row(WEEK[3], 99)[0]]
    assert store.rows("bot-a", WEEK[2], WEEK[3]) == [day_row(WEEK[2], 12)[0], day_row(WEEK[3], 13)[0]]


def test_writing_a_day_again_replaces_it(store):
    for _ in range(3):
        store.put("bot-a", *day_row(WEEK[0], 5))
    store.put("bot-a", *day_row(WEEK[0], 7))
    assert store.rows("bot-a", WEEK[0], WEEK[0]) == [day_row(WEEK[0], 7)[0]]
    assert store.report("bot-a", WEEK[0])["totals"] == {"orders": 7}


def test_sqlite_store_survives_reopening(tmp_path):
    path = tmp_path / "deep" / "telemetry.sqlite"
    first = SqliteStore(path)
    first.put("bot", *day_row(WEEK[0], 4))
    first.close()
    again = open_store(f"sqlite://{path}")
    assert again.rows("bot", WEEK[0], WEEK[0])[0]["orders"] == 4
    assert set(again.rows("bot", WEEK[0], WEEK[0])[0]) == {"day", *COLUMNS}


def test_postgres_without_timescale_is_a_plain_table(postgres_url):
    store = PostgresStore(postgres_url)
    try:
        extension = store._db.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'").fetchone()
        assert store.timescale is (extension is not None)
    finally:
        store.close()


def test_an_unreachable_server_is_one_line_without_the_password(tmp_path):
    with pytest.raises(StoreError) as caught:
        PostgresStore(f"postgresql://bot:s3cr3t-pw@/telemetry?host={tmp_path}&connect_timeout=2")
    message = str(caught.value)
    assert "s3cr3t-pw" not in message and "\n" not in message
    assert message.startswith("postgresql://bot:***@/telemetry") and "cannot open the PostgreSQL store" in message


def test_an_unwritable_sqlite_path_is_a_store_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError, match="cannot open the SQLite store"):
        SqliteStore(blocker / "telemetry.sqlite")
