"""Keep credentials out of everything the runtime writes, and make any value safe to write as JSON.

Two nets: a field whose name looks like a credential (``api_key``, ``accessKey``, ``pwd``, ``token``,
``signature`` …) has its value replaced, and any credential value resolved by
:mod:`tradeguard.credentials` in this process is cut out of every string, whatever field it hides in.
The values are held in memory only. Redaction runs before a long string is shortened, so no part of a
secret survives the cut.

:func:`plain` is also what makes hostile values writable: ints too long to print, lone surrogates,
objects whose ``items``, ``__repr__`` or properties raise, cycles and runaway depth all come out as
bounded JSON values, and it never raises.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Mapping
from typing import Optional

REDACTED = "[REDACTED]"
# Names holding one of these anywhere are credentials ("x_api_key", "clientSecret", "authToken").
SECRET_SUBSTRINGS = re.compile(
    r"pass(word|phrase|wd)|secret|token|api_?key|apikey|private_?key|credential|signature|bearer|cookie|"
    r"authori[sz]ation|session",
    re.IGNORECASE,
)
# Short words that are credentials only as a whole word of the name ("pwd", "key", "access_key",
# "accessKey", "sig"), so "monkey" or "signal" are not hidden.
SECRET_WORDS = frozenset({"pwd", "pass", "key", "sig", "auth", "pem", "jwt", "otp", "pin", "mfa", "totp", "hmac"})
WORD_SPLIT = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
# Shorter values would be cut out of innocent text ("USD", "1") too often to be a useful net.
MIN_SECRET_LENGTH = 6
MAX_DEPTH = 8
MAX_NODES = 5000
MAX_TEXT = 4000
# Ints beyond this many bits are written as a description: printing one of 4,300+ digits raises.
MAX_INT_BITS = 256

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


def is_secret_field(name: str) -> bool:
    if SECRET_SUBSTRINGS.search(name):
        return True
    return any(word.lower() in SECRET_WORDS for word in WORD_SPLIT.findall(name))


def plain(value: object) -> object:
    """A JSON-ready copy of ``value`` with credentials redacted; bounded, and it never raises."""
    if type(value) is dict:
        flat = _flat(value, 0)
        if flat is not None:
            return flat
    return _Plain().convert(value, 0)


def _flat(mapping: dict, depth: int, _cached=_field_cache.get, _finite=math.isfinite) -> Optional[dict]:
    """The common case (an order's keyword arguments, a canonical result) in one tight loop:
    a dict of str keys holding plain scalars or such dicts, two levels at most. None: take the
    general walk. (The defaults bind hot globals once: this runs for every audit line.)"""
    converted = {}
    unredacted = not _known_values
    for key, item in mapping.items():
        field = _cached(key) if type(key) is str else None
        if field is None:
            if type(key) is not str:
                return None
            field = _field(key)
        kind = type(item)
        if field[1] and item is not None:
            converted[field[0]] = REDACTED
        elif kind is str:
            converted[field[0]] = item if unredacted and len(item) <= MAX_TEXT else safe_text(item)
        elif item is None or kind is bool or (kind is float and _finite(item)):
            converted[field[0]] = item
        elif kind is int and item.bit_length() <= MAX_INT_BITS:
            converted[field[0]] = item
        elif kind is dict and depth < 2:
            inner = _flat(item, depth + 1)
            if inner is None:
                return None
            converted[field[0]] = inner
        else:
            return None
    return converted


def safe_text(text: str) -> str:
    """``text`` redacted, then bounded."""
    text = redact_text(text)
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + "…"


class _Plain:
    __slots__ = ("nodes",)

    def __init__(self) -> None:
        self.nodes = 0

    def convert(self, value: object, depth: int) -> object:
        self.nodes += 1
        kind = type(value)  # exact types first: this runs for every field of every audit line
        if kind is str:
            return safe_text(value)
        if value is None or kind is bool:
            return value
        if kind is int:
            return value if value.bit_length() <= MAX_INT_BITS else _big_int(value)
        if kind is float:
            return value if math.isfinite(value) else str(value)
        if depth >= MAX_DEPTH or self.nodes > MAX_NODES:
            return "…"
        try:
            return self._convert_other(value, depth)
        except Exception:  # an object whose items, iteration or repr raise
            return f"<unreadable {_type_name(value)}>"

    def _convert_other(self, value: object, depth: int) -> object:
        if isinstance(value, Mapping):
            converted = {}
            for key, item in list(value.items()):
                name, hidden = _field(key)
                converted[name] = REDACTED if hidden and item is not None else self.convert(item, depth + 1)
            return converted
        if isinstance(value, (list, tuple, set, frozenset)):
            return [self.convert(item, depth + 1) for item in list(value)]
        if isinstance(value, bool):
            return bool(value)
        if isinstance(value, int):
            return self.convert(int.__int__(value), depth)
        if isinstance(value, float):
            return self.convert(float.__float__(value), depth)
        if isinstance(value, str):
            return self.convert(str.__str__(value), depth)
        if isinstance(value, (bytes, bytearray)):
            return self.convert(bytes(value).decode("utf-8", "replace"), depth)
        return describe(value)


def _field(key: object) -> tuple[str, bool]:
    """A mapping key as written to the log, and whether the value under it is a credential."""
    if type(key) is str:
        cached = _field_cache.get(key)
        if cached is None:
            cached = (safe_text(key), is_secret_field(key))
            if len(_field_cache) < FIELD_CACHE_SIZE:
                _field_cache[key] = cached
        return cached
    return describe(key), False


def describe(value: object) -> str:
    """A bounded ``repr`` of ``value`` with credentials cut out (before the cut); never raises."""
    if type(value) is int and value.bit_length() > MAX_INT_BITS:
        return _big_int(value)
    try:
        text = repr(value)
    except Exception:
        text = f"<unrepresentable {_type_name(value)}>"
    if type(text) is not str:
        text = f"<unrepresentable {_type_name(value)}>"
    text = redact_text(text)
    return text if len(text) <= 300 else text[:299] + "…"


def _big_int(value: int) -> str:
    return f"<int of {value.bit_length()} bits>"


def _type_name(value: object) -> str:
    try:
        return type(value).__name__
    except Exception:
        return "object"
