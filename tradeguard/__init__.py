"""tradeguard's runtime: canonical results and the order gateway (standard library only).

The names below load on first use, so the `tradeguard` command (a subpackage of this one)
starts without importing the gateway it may never need.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

_EXPORTS = {
    "CanonicalResult": "tradeguard.results",
    "fail": "tradeguard.results",
    "is_canonical": "tradeguard.results",
    "normalize": "tradeguard.results",
    "ok": "tradeguard.results",
    "Limits": "tradeguard.limits",
    "OrderGateway": "tradeguard.gateway",
    "route": "tradeguard.gateway",
    "timed": "tradeguard.tracing",
}
__all__ = ["CanonicalResult", "Limits", "OrderGateway", "fail", "is_canonical", "normalize", "ok", "route", "timed"]

if TYPE_CHECKING:
    from tradeguard.gateway import OrderGateway, route
    from tradeguard.limits import Limits
    from tradeguard.results import CanonicalResult, fail, is_canonical, normalize, ok
    from tradeguard.tracing import timed


def __getattr__(name: str):
    if name == "__version__":  # written once, in lint_rules/__init__.py; read from the metadata
        from importlib.metadata import version

        return version("tradeguard")
    if name not in _EXPORTS:
        raise AttributeError(f"module 'tradeguard' has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
