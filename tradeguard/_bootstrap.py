"""Import tradeguard's own ``hooks`` and ``lint_rules`` even from a folder that has its own.

``hooks`` and ``lint_rules`` are generic names: a user's repository often holds a ``hooks/``
folder, and when the working directory is on ``sys.path`` (``python -m flake8``) that folder
would shadow ours. The console script and the flake8 entry point go through here.
"""

from __future__ import annotations

import importlib
import os
import sys
from types import ModuleType

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _is_ours(module: ModuleType) -> bool:
    origin = getattr(module, "__file__", None) or ""
    return os.path.dirname(os.path.dirname(os.path.abspath(origin))) == _ROOT


# The generic top-level names tradeguard ships beside `tradeguard` itself.
_OWN_PACKAGES = ("hooks", "lint_rules")


def load(name: str) -> ModuleType:
    """Import ``name`` (e.g. ``tradeguard.cli.check``) with tradeguard's own ``hooks`` and
    ``lint_rules`` first on the path, whatever the working directory holds."""
    for top in _OWN_PACKAGES:
        loaded = sys.modules.get(top)
        if loaded is not None and not _is_ours(loaded):
            raise ImportError(
                f"another package named {top!r} ({getattr(loaded, '__file__', '?')}) was imported "
                "before tradeguard's own"
            )
    if not sys.path or sys.path[0] != _ROOT:
        sys.path.insert(0, _ROOT)
    return importlib.import_module(name)
