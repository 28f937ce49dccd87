"""Operations telemetry: the daily report, its HTML page and the store of daily aggregates."""
