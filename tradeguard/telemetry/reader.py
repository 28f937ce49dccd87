"""The audit events of one day, from the log and its rotated and archived files.

A rotated file is named after the moment it was rotated (``audit.log.<UTC time>``, and its archive
``<that name>.gz``), and every line in it was written before then. So a file rotated before the day
began holds none of the day and is not opened: a daily run over months of logs reads the files
from that day on, not the months.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Optional

from tradeguard.audit import log_files, read_events
from tradeguard.telemetry.report import day_bounds

STAMP = "%Y%m%dT%H%M%S%fZ"
# Processes on one machine share a clock, but give a file rotated just before midnight some slack.
SLACK_SECONDS = 300.0


def read_day(path: os.PathLike | str, day: date) -> tuple[list[Any], list[str]]:
    """(the events of ``day`` in time order, the damaged lines skipped on the way)."""
    start, end = day_bounds(day)
    damaged: list[str] = []
    events = []
    for file in files_for(Path(path), start):
        for event in read_events(file, rotated=False, archived=False, on_damage=damaged.append):
            if start <= event.ts < end:
                events.append(event)
    return events, damaged


def files_for(path: Path, start: float) -> Iterator[Path]:
    """The files of the log at ``path`` (oldest first) that may hold events from ``start`` on."""
    for file in log_files(path):
        rotated_at = rotation_time(path, file)
        if rotated_at is None or rotated_at >= start - SLACK_SECONDS:
            yield file


def rotation_time(path: Path, file: Path) -> Optional[float]:
    """When ``file`` (a rotated or archived file of the log at ``path``) was rotated; None for the live log."""
    name = file.name.removesuffix(".gz")
    if file == path or not name.startswith(path.name + "."):
        return None
    try:
        stamp = datetime.strptime(name[len(path.name) + 1:], STAMP)
    except ValueError:
        return None  # a name we did not make: read it
    return stamp.replace(tzinfo=timezone.utc).timestamp()
