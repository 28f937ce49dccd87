"""The runtime's settings from ``pyproject.toml``: ``[tool.tradeguard.limits]`` and ``[tool.tradeguard.live]``.

The file is found from a start folder upward, as ruff finds its configuration. Only the runtime's
own tables are read here; the lint settings beside them belong to ``lint_rules``.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Optional


class ConfigError(ValueError):
    """A configuration problem, with a one-line message naming the file and the key."""


def find_pyproject(start: Optional[os.PathLike | str] = None) -> Optional[Path]:
    folder = Path(start or os.getcwd()).resolve()
    for candidate in (folder, *folder.parents):
        path = candidate / "pyproject.toml"
        if path.is_file():
            return path
    return None


def tradeguard_table(pyproject: Optional[Path]) -> Mapping:
    """``[tool.tradeguard]`` of ``pyproject`` (empty when there is no file or no table)."""
    if pyproject is None:
        return {}
    try:
        with open(pyproject, "rb") as handle:
            document = tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{pyproject}: invalid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{pyproject}: cannot read: {exc.strerror}") from None
    table = document.get("tool", {}).get("tradeguard", {})
    if not isinstance(table, Mapping):
        raise ConfigError(f"{pyproject}: [tool.tradeguard] must be a table")
    return table


def runtime_table(name: str, start: Optional[os.PathLike | str] = None) -> tuple[Mapping, str]:
    """``[tool.tradeguard.<name>]`` and a label for messages (``path [tool.tradeguard.name]``)."""
    pyproject = find_pyproject(start)
    table = tradeguard_table(pyproject).get(name, {})
    where = f"{pyproject} [tool.tradeguard.{name}]" if pyproject else f"[tool.tradeguard.{name}]"
    if not isinstance(table, Mapping):
        raise ConfigError(f"{where} must be a table")
    return table, where


def check_keys(table: Mapping, allowed: tuple[str, ...], where: str) -> None:
    for key in table:
        if key not in allowed:
            raise ConfigError(f"{where}: unknown key {key!r} (known: {', '.join(allowed)})")


def required_approvers(start: Optional[os.PathLike | str] = None) -> int:
    """How many distinct approvers ``tradeguard live arm`` needs: ``required-approvers``, default 2."""
    return LivePolicy.from_pyproject(start).required_approvers


def order_methods(start: Optional[os.PathLike | str] = None) -> tuple[str, ...]:
    """The project's order methods (``order-methods`` + ``extend-order-methods``), for ``route``."""
    table = tradeguard_table(find_pyproject(start))
    methods = _string_list(table.get("order-methods", ["place_order"]))
    methods += _string_list(table.get("extend-order-methods"))
    return tuple(dict.fromkeys(methods)) or ("place_order",)


def _string_list(value: object) -> list[str]:
    # lint_rules validates these keys and reports their errors; the runtime only takes what is usable.
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)([smhd])")
DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
LIVE_KEYS = ("required-approvers", "max-ttl")


def parse_duration(text: str) -> float:
    """``8h``, ``90m``, ``1h30m``, ``45s`` or ``2d`` in seconds; ValueError when it is none of them."""
    compact = text.strip().lower()
    parts = DURATION_PART.findall(compact)
    if not compact or "".join(number + unit for number, unit in parts) != compact:
        raise ValueError(f"invalid duration {text!r} (e.g. 8h, 90m, 1h30m)")
    seconds = sum(float(number) * DURATION_UNITS[unit] for number, unit in parts)
    if not 0 < seconds < float("inf"):
        raise ValueError(f"duration {text!r} must be positive")
    return seconds


@dataclass(frozen=True)
class LivePolicy:
    """What an arming needs, from ``[tool.tradeguard.live]`` only: never from the record or the command line."""

    required_approvers: int = 2
    max_ttl_seconds: float = 12 * 3600

    @classmethod
    def from_pyproject(cls, start: Optional[os.PathLike | str] = None) -> "LivePolicy":
        table, where = runtime_table("live", start)
        check_keys(table, LIVE_KEYS, where)
        required = table.get("required-approvers", 2)
        if isinstance(required, bool) or not isinstance(required, int) or required < 1:
            raise ConfigError(f"{where}: required-approvers must be an integer of at least 1, not {required!r}")
        ttl = table.get("max-ttl", "12h")
        try:
            if not isinstance(ttl, str):
                raise ValueError(f"max-ttl must be a duration such as \"12h\", not {ttl!r}")
            seconds = parse_duration(ttl)
        except ValueError as exc:
            raise ConfigError(f"{where}: max-ttl: {exc}") from None
        return cls(required, seconds)
