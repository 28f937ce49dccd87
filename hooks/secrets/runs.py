"""Runs of token characters: the one scan that the precheck and every token detector share.

A token format (`sk_live_...`, `ghp_...`, `AKIA...`) starts a run of token characters; the runs
are listed by the regex engine (`findall`, no match objects), filtered on their first three
characters against the prefixes of the providers' table, and only the few that pass are located
in the text. OANDA tokens (32 hex, a dash, 32 hex) have no prefix and are found from the dash.
"""

from __future__ import annotations

import re

from hooks.secrets.providers import PREFIXES

TOKEN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.~")
_HEX = frozenset("0123456789abcdefABCDEF")
# Runs worth a look: the shortest token format has 20 characters.
_RUN_RE = re.compile(r"[A-Za-z0-9_\-.~]{12,}")
# Led by the literal dash: the 32 hex before it are checked in Python.
_OANDA_TAIL_RE = re.compile(r"-[0-9a-fA-F]{32}(?![0-9A-Za-z-])")


def _heads3() -> frozenset[str]:
    """The first three characters of every prefix; a two-character prefix (`PK`, `SK`) with
    each token character after it."""
    heads: set[str] = set()
    for prefix in PREFIXES:
        heads.update([prefix[:3]] if len(prefix) >= 3 else (prefix + char for char in TOKEN_CHARS))
    return frozenset(heads)


_HEADS3 = _heads3()


def runs_by_head(text: str) -> dict[str, list[tuple[int, str]]]:
    """(start, run) of the runs that open like a known token format, by their first two characters."""
    runs: dict[str, list[tuple[int, str]]] = {}
    cursor = 0
    for value in [run for run in _RUN_RE.findall(text) if run[:3] in _HEADS3]:
        start = text.find(value, cursor)
        while start > 0 and text[start - 1] in TOKEN_CHARS:  # inside a longer run: the next one
            start = text.find(value, start + 1)
        if start < 0:
            continue
        cursor = start + len(value)
        runs.setdefault(value[:2], []).append((start, value))
    return runs


def oanda_starts(text: str) -> list[int]:
    """Where OANDA-shaped runs (32 hex, a dash, 32 hex) start."""
    starts = []
    for found in _OANDA_TAIL_RE.finditer(text):
        start = found.start() - 32
        if start >= 0 and _HEX.issuperset(text[start: found.start()]) and (start == 0 or text[start - 1] not in TOKEN_CHARS):
            starts.append(start)
    return starts


def has_token_run(text: str) -> bool:
    """Whether the text holds a run that opens like a known token format (for the precheck)."""
    return any(run[:3] in _HEADS3 for run in _RUN_RE.findall(text)) or bool(oanda_starts(text))
