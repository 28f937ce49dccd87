"""The telemetry store on SQLite, on a real PostgreSQL server and on a real PostgreSQL with the
TimescaleDB extension: a week of days round-trips, and writing a day again replaces it (idempotent
per bot and day); with TimescaleDB the table is a hypertable and the weekly continuous aggregate
holds the right sums."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tradeguard.telemetry.store import COLUMNS, PostgresStore, SqliteStore, StoreError, open_store

WEEK = [date(2026, 11, 23) + timedelta(days=offset) for offset in range(7)]  # Monday to Sunday
NEXT_WEEK = [WEEK[-1] + timedelta(days=offset) for offset in (1, 2)]
SUMMED = ("orders", "filled", "denied", "failed", "halts", "breaker_trips")


def day_row(day: date, orders: int) -> tuple[dict, dict]:
    row = {"day": day.isoformat(), "orders": orders, "filled": orders - 3, "denied": 2, "failed": 1,
           "submit_p50": 0.0004 * orders, "submit_p99": 0.002, "broker_p99": 0.0015, "halts": orders % 2,
           "breaker_trips": 0}
    return row, {"day": row["day"], "totals": {"orders": orders}, "note": "ünïcode ✓"}


def fresh_store(url: str) -> PostgresStore:
    """A store on an empty database (the table and its weekly view of an earlier test dropped)."""
    emptied = open_store(url)
    emptied._db.execute("DROP TABLE IF EXISTS tradeguard_daily CASCADE")
    emptied.close()
    return open_store(url)


@pytest.fixture(params=["sqlite", "postgresql", "timescaledb"])
def store(request, tmp_path):
    if request.param == "sqlite":
        opened = open_store(str(tmp_path / "telemetry.sqlite"))
    else:
        opened = fresh_store(request.getfixturevalue({"postgresql": "postgres_url"}.get(request.param, "timescale_url")))
    yield opened
    opened.close()


@pytest.fixture
def timescale_store(timescale_url):
    opened = fresh_store(timescale_url)
    yield opened
    opened.close()


def weekly(store: PostgresStore) -> dict:
    """The continuous aggregate as {(bot, week's Monday): {column: value}}."""
    cursor = store._db.execute("SELECT * FROM tradeguard_weekly ORDER BY bot, week")
    names = [column.name for column in cursor.description]
    return {(found[0], found[1]): dict(zip(names[2:], found[2:])) for found in cursor.fetchall()}


def hand_sums(rows: list[dict]) -> dict:
    return {**{name: sum(row[name] for row in rows) for name in SUMMED},
            "submit_p99": max(row["submit_p99"] for row in rows), "broker_p99": max(row["broker_p99"] for row in rows)}


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


def test_timescaledb_makes_the_table_a_hypertable_with_a_weekly_aggregate(timescale_store, timescale_url):
    assert timescale_store.timescale is True
    db = timescale_store._db
    assert db.execute("SELECT hypertable_name FROM timescaledb_information.hypertables").fetchall() == [
        ("tradeguard_daily",)]
    assert db.execute("SELECT column_name, column_type::text FROM timescaledb_information.dimensions "
                      "WHERE hypertable_name = 'tradeguard_daily'").fetchall() == [("day", "date")]
    assert db.execute("SELECT view_name, hypertable_name FROM timescaledb_information.continuous_aggregates"
                      ).fetchall() == [("tradeguard_weekly", "tradeguard_daily")]
    timescale_store.close()
    again = open_store(timescale_url)  # opening it again changes nothing
    assert again.timescale and weekly(again) == {}
    again.close()


def test_the_weekly_aggregate_sums_each_bots_weeks_from_monday(timescale_store):
    written = {}
    for number, day in enumerate(WEEK + NEXT_WEEK):
        written[("bot-a", day)] = day_row(day, 10 + number)[0]
        timescale_store.put("bot-a", *day_row(day, 10 + number))
    written[("bot-b", WEEK[3])] = day_row(WEEK[3], 99)[0]
    timescale_store.put("bot-b", *day_row(WEEK[3], 99))
    expected = {
        ("bot-a", WEEK[0]): hand_sums([written["bot-a", day] for day in WEEK]),
        ("bot-a", NEXT_WEEK[0]): hand_sums([written["bot-a", day] for day in NEXT_WEEK]),
        ("bot-b", WEEK[0]): hand_sums([written["bot-b", WEEK[3]]]),
    }
    assert weekly(timescale_store) == expected
    assert expected["bot-a", WEEK[0]]["orders"] == sum(range(10, 17))


def test_a_day_written_again_replaces_its_share_of_the_week(timescale_store):
    for day in WEEK:
        timescale_store.put("bot-a", *day_row(day, 10))
    for orders in (5, 40, 40):
        timescale_store.put("bot-a", *day_row(WEEK[2], orders))
    assert weekly(timescale_store)["bot-a", WEEK[0]]["orders"] == 6 * 10 + 40
    assert len(timescale_store.rows("bot-a", WEEK[0], WEEK[-1])) == 7


def test_rows_of_an_earlier_plain_table_move_into_the_hypertable(timescale_url, monkeypatch):
    with monkeypatch.context() as patched:  # a server without the extension, at first
        patched.setattr(PostgresStore, "_timescale_available", lambda self: False)
        plain = fresh_store(timescale_url)
        assert plain.timescale is False
        for number, day in enumerate(WEEK):
            plain.put("bot-a", *day_row(day, 10 + number))
        plain.close()
    upgraded = open_store(timescale_url)
    try:
        assert upgraded.timescale is True
        assert upgraded.rows("bot-a", WEEK[0], WEEK[-1]) == [day_row(day, 10 + n)[0] for n, day in enumerate(WEEK)]
        assert weekly(upgraded)["bot-a", WEEK[0]]["orders"] == sum(range(10, 17))
        assert upgraded._db.execute("SELECT count(*) FROM timescaledb_information.chunks").fetchone()[0] >= 1
    finally:
        upgraded.close()


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
