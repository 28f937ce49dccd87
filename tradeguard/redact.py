"""Keep credentials out of everything the runtime writes: audit lines, status output, errors.

Two nets: a field whose name looks like a credential (``api_key``, ``token``, ``password`` …) has
its value replaced, and any credential value resolved by :mod:`tradeguard.credentials` in this
process is cut out of every string, whatever field it hides in. The values are held in memory only.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Mapping

REDACTED = "[REDACTED]"
SECRET_FIELD = re.compile(
    r"pass(word|phrase|wd)?|secret|token|api[_-]?key|apikey|private[_-]?key|auth|credential|signature|"
    r"session|cookie|bearer|pem|jwt",
    re.IGNORECASE,
)
# Shorter values would be cut out of innocent text ("USD", "1") too often to be a useful net.
MIN_SECRET_LENGTH = 6
MAX_DEPTH = 8
MAX_NODES = 5000
MAX_TEXT = 4000

# Replaced whole (never mutated) so readers iterate without a lock; longest first, so a value that
# contains another is cut out before the shorter one can break it up.
_known_values: tuple[str, ...] = ()
_known_lock = threading.Lock()
# Field name -> (name as written, whether its value is hidden). The same few names recur in every
# audit line, so this keeps redaction off the hot path; cleared when a new secret is registered.
_field_cache: dict[str, tuple[str, bool]] = {}
FIELD_CACHE_SIZE = 4096


def register_secret(value: str) -> None:
    """Remember a credential value so that it is cut out of whatever the runtime writes."""
    global _known_values
    if isinstance(value, str) and len(value) >= MIN_SECRET_LENGTH:
        with _known_lock:
            if value not in _known_values:
                _known_values = tuple(sorted((*_known_values, value), key=len, reverse=True))
                _field_cache.clear()


def redact_text(text: str) -> str:
    if not _known_values:
        return text
    for value in _known_values:
        if value in text:
            text = text.replace(value, REDACTED)
    return text


def plain(value: object) -> object:
    """A JSON-ready copy of ``value`` with credentials redacted; cycles, depth and size bounded."""
    return _Plain().convert(value, 0)


class _Plain:
    __slots__ = ("nodes",)

    def __init__(self) -> None:
        self.nodes = 0

    def convert(self, value: object, depth: int) -> object:
        self.nodes += 1
        kind = type(value)  # exact types first: this runs for every field of every audit line
        if kind is str:
            return redact_text(value if len(value) <= MAX_TEXT else value[:MAX_TEXT] + "…")
        if value is None or kind is int or kind is bool:
            return value
        if kind is float:
            return value if math.isfinite(value) else str(value)
        if depth >= MAX_DEPTH or self.nodes > MAX_NODES:
            return "…"
        if kind is dict or isinstance(value, Mapping):
            converted = {}
            for key, item in list(value.items()):
                name, hidden = _field(key)
                converted[name] = REDACTED if hidden and item is not None else self.convert(item, depth + 1)
            return converted
        if kind is list or isinstance(value, (list, tuple, set, frozenset)):
            return [self.convert(item, depth + 1) for item in list(value)]
        if isinstance(value, bool):
            return bool(value)
        if isinstance(value, int):
            return int(value)
        if isinstance(value, float):
            return self.convert(float(value), depth)
        if isinstance(value, str):
            return self.convert(str(value), depth)
        if isinstance(value, bytes):
            return self.convert(value.decode("utf-8", "replace"), depth)
        return self.convert(_describe(value), depth)


def _field(key: object) -> tuple[str, bool]:
    """A mapping key as written to the log, and whether the value under it is a credential."""
    if isinstance(key, str):
        cached = _field_cache.get(key)
        if cached is None:
            cached = (redact_text(key), SECRET_FIELD.search(key) is not None)
            if len(_field_cache) < FIELD_CACHE_SIZE:
                _field_cache[key] = cached
        return cached
    return redact_text(_describe(key)), False


def _describe(value: object) -> str:
    try:
        text = repr(value)
    except Exception:
        text = f"<unrepresentable {type(value).__name__}>"
    return text if len(text) <= 300 else text[:299] + "…"
