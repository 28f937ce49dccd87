"""Console scripts and the flake8 entry point, through ``_bootstrap`` so that tradeguard's own
``hooks`` package is imported even from a folder holding a ``hooks/`` package of its own.

Nothing is imported until it is used: the flake8 checker class is looked up on first access.
"""

from __future__ import annotations

from collections.abc import Sequence

from tradeguard._bootstrap import load


def __getattr__(name: str) -> object:
    if name == "TradeguardChecker":
        return load("hooks.flake8_plugin").TradeguardChecker
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def fix_hook(argv: Sequence[str] | None = None) -> int:
    """The `tradeguard-fix` pre-commit hook."""
    return load("hooks.fix_hook").main(argv)


def secrets_hook(argv: Sequence[str] | None = None) -> int:
    """The `tradeguard-secrets` pre-commit hook."""
    return load("hooks.secrets_hook").main(argv)


def artifacts_hook(argv: Sequence[str] | None = None) -> int:
    """The `tradeguard-artifacts` pre-commit hook."""
    return load("hooks.artifacts_hook").main(argv)
