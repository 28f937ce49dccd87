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


def register_secret(value: str) -> None:
    """Remember a credential value so that it is cut out of whatever the runtime writes."""
    global _known_values
    if isinstance(value, str) and len(value) >= MIN_SECRET_LENGTH:
        with _known_lock:
            if value not in _known_values:
                _known_values = tuple(sorted((*_known_values, value), key=len, reverse=True))


def redact_text(text: str) -> str:
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
        if value is None or isinstance(value, (bool, int)):
            return value
        if isinstance(value, float):
            return value if math.isfinite(value) else str(value)
        if isinstance(value, str):
            return redact_text(value if len(value) <= MAX_TEXT else value[:MAX_TEXT] + "…")
        if depth >= MAX_DEPTH or self.nodes > MAX_NODES:
            return "…"
        if isinstance(value, Mapping):
            return {
                self._key(key): REDACTED if self._secret_key(key) and item is not None else self.convert(item, depth + 1)
                for key, item in list(value.items())
            }
        if isinstance(value, (list, tuple, set, frozenset)):
            return [self.convert(item, depth + 1) for item in list(value)]
        if isinstance(value, bytes):
            return self.convert(value.decode("utf-8", "replace"), depth)
        return self.convert(_describe(value), depth)

    def _key(self, key: object) -> str:
        return redact_text(key if isinstance(key, str) else _describe(key))

    @staticmethod
    def _secret_key(key: object) -> bool:
        return isinstance(key, str) and SECRET_FIELD.search(key) is not None


def _describe(value: object) -> str:
    try:
        text = repr(value)
    except Exception:
        text = f"<unrepresentable {type(value).__name__}>"
    return text if len(text) <= 300 else text[:299] + "…"
