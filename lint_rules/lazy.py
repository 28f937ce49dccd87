"""Import LibCST only when a file actually needs parsing.

`import libcst` costs about 0.15 s, more than checking a small repository whose files hold no
token of any rule. Rule modules say ``from lint_rules.lazy import cst`` and the real import
happens at the first attribute access, i.e. while visiting a parsed tree.
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType


def lazy_import(name: str) -> ModuleType:
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ImportError(f"no module named {name!r}")
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module


cst = lazy_import("libcst")
