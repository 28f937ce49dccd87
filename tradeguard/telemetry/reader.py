"""The audit events of one day, from the log and its rotated and archived files."""

from __future__ import annotations

import os
from datetime import date
from typing import Any

from tradeguard.audit import read_events
from tradeguard.telemetry.report import day_bounds


def read_day(path: os.PathLike | str, day: date) -> tuple[list[Any], list[str]]:
    """(the events of ``day`` in time order, the damaged lines skipped on the way)."""
    start, end = day_bounds(day)
    damaged: list[str] = []
    events = [event for event in read_events(path, on_damage=damaged.append) if start <= event.ts < end]
    return events, damaged
