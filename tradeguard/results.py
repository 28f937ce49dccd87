"""The canonical connector result and the helpers that build, check and repair it.

Every connector returns ``{"success": bool, "error": Optional[str], "data": {...}}``: the broker's
payload lives under ``data``, and ``success`` never contradicts ``error`` (True goes with None,
False with a message). :func:`normalize` turns whatever a real connector hands back into that shape;
it never raises and never produces a contradiction, whatever it is given.
"""

from __future__ import annotations

import dataclasses
import json
import math
import types
from collections.abc import Iterator, Mapping
from typing import Any, Optional, TypedDict

from tradeguard import replies

CANONICAL_KEYS = frozenset(("success", "error", "data"))
# What a connector hands back by mistake (a generator it forgot to run, a coroutine it forgot to
# await, a module or class instead of an instance): never an order's success.
NOT_RESULTS = (Iterator, types.ModuleType, types.CoroutineType, types.AsyncGeneratorType, type)
# Long enough for any broker's message, short enough that a runaway repr cannot flood a log.
MAX_ERROR_CHARS = 2000


class CanonicalResult(TypedDict):
    success: bool
    error: Optional[str]
    data: dict


def ok(data: Optional[Mapping] = None) -> CanonicalResult:
    """A success carrying ``data`` (a mapping; ``None`` means no payload)."""
    return {"success": True, "error": None, "data": _as_data(data)}


def fail(error: object, data: Optional[Mapping] = None) -> CanonicalResult:
    """A failure; ``error`` becomes a non-empty message even when it is empty or not a string."""
    return {"success": False, "error": error_text(error), "data": _as_data(data)}


def is_canonical(value: object) -> bool:
    """True when ``value`` is exactly the canonical shape and does not contradict itself."""
    if not isinstance(value, dict) or value.keys() != CANONICAL_KEYS:
        return False
    success, error = value["success"], value["error"]
    if not isinstance(success, bool) or not isinstance(value["data"], dict):
        return False
    if success:
        return error is None
    return isinstance(error, str) and error != ""


def normalize(raw: object) -> CanonicalResult:
    """Turn what a connector returned (or raised) into a canonical result; never raises."""
    try:
        return _normalize(raw)
    except Exception as exc:  # an odd object whose attributes or repr blow up
        return fail(f"unreadable connector result of type {_type_name(raw)} ({_type_name(exc)})")


def error_text(error: object) -> str:
    """A non-empty, bounded message for ``error``, whatever its type."""
    if isinstance(error, BaseException):
        text = _exception_text(error)
    elif isinstance(error, Mapping):
        text = _message_from_mapping(error) or _json_text(error)
    else:
        text = _safe_str(error)
    text = text.strip()
    if not text:
        text = "unknown error"
    return text if len(text) <= MAX_ERROR_CHARS else text[: MAX_ERROR_CHARS - 1] + "…"


def _normalize(raw: object) -> CanonicalResult:
    if isinstance(raw, BaseException):
        return fail(raw, {"exception": _type_name(raw)})
    if raw is None:
        return fail("connector returned None instead of a result")
    if isinstance(raw, bool):
        return ok() if raw else fail("connector returned False")
    if isinstance(raw, Mapping):
        return _from_mapping(raw)
    verdict = replies.judge_object(raw)
    if verdict is not None:
        return _from_verdict(verdict)
    if isinstance(raw, tuple) and hasattr(raw, "_asdict"):
        return _from_mapping(raw._asdict())
    if isinstance(raw, (tuple, list)):
        if len(raw) == 2 and isinstance(raw, tuple):
            return ok({"id": raw[0], "timestamp": raw[1]})
        return ok({"items": list(raw)})
    if isinstance(raw, float) and not math.isfinite(raw):
        return fail(f"connector returned {raw!r} instead of a result")
    if isinstance(raw, (str, bytes, int, float, complex)):
        return ok({"value": raw})
    if isinstance(raw, NOT_RESULTS) or callable(raw):
        return fail(f"connector returned a {_type_name(raw)} instead of a result (was the call awaited or finished?)")
    attributes = _attributes(raw)
    if attributes:
        return _from_mapping(attributes)
    return fail(f"connector returned a {_type_name(raw)} with nothing to read in it")


def _from_mapping(raw: Mapping) -> CanonicalResult:
    verdict = replies.judge_mapping(raw)
    if verdict is not None:
        return _from_verdict(verdict)
    if "success" in raw:
        return _repair(raw)
    error = raw.get("error")
    if error not in (None, "", False):
        return fail(error, _without(raw, ("error",)))
    return ok(raw)


def _from_verdict(verdict: replies.Verdict) -> CanonicalResult:
    success, error, data = verdict
    return ok(data) if success else fail(error, data)


def _repair(raw: Mapping) -> CanonicalResult:
    """Check a result that claims to be canonical, resolving any contradiction towards failure."""
    data = _as_data(raw.get("data"))
    for key, value in raw.items():  # broker payload left at the top level moves under data
        if key not in CANONICAL_KEYS:
            data.setdefault(_key(key), value)
    success = _truth(raw["success"])
    error = raw.get("error")
    has_error = error not in (None, "", False)
    if success is None:
        reason = f"connector returned a non-boolean success value ({_type_name(raw['success'])})"
        return fail(error_text(error) + f"; {reason}" if has_error else reason, data)
    if has_error:
        # A reported error outweighs a reported success: acting on a fill that never happened
        # costs more than re-checking one that did.
        return fail(error, data)
    if success:
        return ok(data)
    return fail(_message_from_mapping(data) or "connector reported failure without an error message", data)


def _truth(value: object) -> Optional[bool]:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


def _as_data(data: object) -> dict:
    if data is None:
        return {}
    if type(data) is dict and all(type(key) is str for key in data):
        return data.copy()
    if isinstance(data, Mapping):
        return {_key(key): value for key, value in data.items()}
    return {"value": data}


def _key(key: object) -> Any:
    return key if isinstance(key, (str, int, float, bool)) or key is None else _safe_str(key)


def _without(raw: Mapping, keys: tuple[str, ...]) -> dict:
    return {key: value for key, value in raw.items() if key not in keys}


def _attributes(raw: object) -> Optional[dict]:
    """The public attributes of a plain object (dataclass, slots or ``__dict__``), one level deep."""
    if dataclasses.is_dataclass(raw) and not isinstance(raw, type):
        return {field.name: getattr(raw, field.name, None) for field in dataclasses.fields(raw)}
    to_dict = getattr(type(raw), "to_dict", None)
    if callable(to_dict):
        converted = to_dict(raw)
        if isinstance(converted, Mapping):
            return dict(converted)
    names: list[str] = []
    for klass in type(raw).__mro__:
        slots = klass.__dict__.get("__slots__", ())
        names.extend([slots] if isinstance(slots, str) else slots)
    found = {name: getattr(raw, name) for name in names if not name.startswith("_") and hasattr(raw, name)}
    instance_dict = getattr(raw, "__dict__", None)
    if isinstance(instance_dict, Mapping):
        found.update((k, v) for k, v in instance_dict.items() if isinstance(k, str) and not k.startswith("_"))
    if found or instance_dict is not None:
        return found
    return None


def _message_from_mapping(payload: Mapping) -> str:
    for key in ("message", "errorMessage", "error_message", "reason", "detail", "error_details"):
        value = payload.get(key)
        if isinstance(value, str) and value.strip():
            return value
    return ""


def _exception_text(exc: BaseException) -> str:
    detail = _safe_str(exc).strip()
    return f"{_type_name(exc)}: {detail}" if detail else _type_name(exc)


def _json_text(value: object) -> str:
    try:
        return json.dumps(value, sort_keys=True, default=_safe_str)[:MAX_ERROR_CHARS]
    except Exception:
        return _safe_str(value)


def _safe_str(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    try:
        return str(value)
    except Exception:
        return f"<unprintable {_type_name(value)}>"


def _type_name(value: object) -> str:
    return type(value).__name__
