"""The runtime's settings from ``pyproject.toml``: ``[tool.tradeguard.limits]`` and ``[tool.tradeguard.live]``.

The file is found from a start folder upward, as ruff finds its configuration. Only the runtime's
own tables are read here; the lint settings beside them belong to ``lint_rules``.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
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
    table, where = runtime_table("live", start)
    check_keys(table, ("required-approvers",), where)
    value = table.get("required-approvers", 2)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"{where}: required-approvers must be an integer of at least 1, not {value!r}")
    return value


def order_methods(start: Optional[os.PathLike | str] = None) -> tuple[str, ...]:
    """The project's order methods (``order-methods`` + ``extend-order-methods``), for ``route``."""
    table = tradeguard_table(find_pyproject(start))
    methods = _string_list(table.get("order-methods", ["place_order"]))
    methods += _string_list(table.get("extend-order-methods"))
    return tuple(dict.fromkeys(methods)) or ("place_order",)


def _string_list(value: object) -> list[str]:
    # lint_rules validates these keys and reports their errors; the runtime only takes what is usable.
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []
