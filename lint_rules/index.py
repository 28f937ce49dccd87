"""The project index: what single-file checks must know about the rest of the project.

Each file is summarised by a cheap pass over the standard ``ast`` (about 10x faster than a LibCST
parse): its imports, its classes and their bases, its top-level functions. The summaries are
cached by content hash (see ``cache.py``), so a pre-commit run on one file still knows which
classes of other files are connectors.

Where the running Python's ``ast`` rejects syntax that LibCST accepts (3.12 f-strings or type
parameters under 3.11), a line-based reading of imports and classes stands in, so such a file is
neither dropped nor misreported.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
from dataclasses import dataclass, field

SUMMARY_VERSION = 2


def summarize_source(text: str) -> dict:
    """The index entry of one file: ``imports``, ``classes``, ``functions`` and, if it cannot be
    parsed at all, ``error``."""
    try:
        tree = ast.parse(text)
    except SyntaxError as error:
        summary = _summarize_newer_syntax(text)
        # Kept for TG000 in case LibCST rejects the file too: CPython words errors best.
        summary["syntax_error"] = {
            "reason": f"syntax error: {error.msg}", "line": error.lineno or 1, "column": error.offset or 1,
        }
        return summary
    except (ValueError, RecursionError, MemoryError) as error:  # NUL bytes, absurd nesting
        return {"imports": {}, "classes": [], "functions": [], "error": f"cannot parse: {error}"}
    return _summarize_tree(tree)


def _summarize_tree(tree: ast.Module) -> dict:
    imports: dict[str, str] = {}
    classes: list[dict] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    imports[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    imports[top] = top
        elif isinstance(node, ast.ImportFrom):
            module = ("." * node.level) + (node.module or "")
            for alias in node.names:
                # `from x import *` is kept as "*x": rules that only ask "does it import x" see it
                local = f"*{module}" if alias.name == "*" else alias.asname or alias.name
                imports[local] = f"{module}.{alias.name}"
        elif isinstance(node, ast.ClassDef):
            classes.append({
                "name": node.name,
                "bases": [_dotted_name(base) for base in node.bases if _dotted_name(base)],
                "methods": [
                    item.name for item in node.body if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
                ],
            })
    functions = [
        node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    ]
    return {"imports": imports, "classes": classes, "functions": functions}


def _dotted_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = _dotted_name(node.value)
        return f"{inner}.{node.attr}" if inner else None
    if isinstance(node, ast.Subscript):  # Generic[T], BaseConnector[Config]
        return _dotted_name(node.value)
    return None


_IMPORT_LINE = re.compile(r"^[ \t]*import[ \t]+([\w. \t,]+)", re.M)
_FROM_LINE = re.compile(r"^[ \t]*from[ \t]+([\w.]+)[ \t]+import[ \t]+\(?([\w \t,\n*]+)\)?", re.M)
_CLASS_LINE = re.compile(r"^[ \t]*class[ \t]+(\w+)(?:\[[^\]]*\])?[ \t]*(?:\(([^)]*)\))?[ \t]*:", re.M)
_DEF_LINE = re.compile(r"^(?:async[ \t]+)?def[ \t]+(\w+)", re.M)


def _summarize_newer_syntax(text: str) -> dict:
    """A line-based reading for files this Python's ``ast`` cannot parse.

    Whether the file parses at all is decided later by LibCST, which knows newer grammar
    (the runner parses every file whose summary holds ``syntax_error``).
    """
    imports: dict[str, str] = {}
    for match in _IMPORT_LINE.finditer(text):
        for part in match.group(1).split(","):
            words = part.split()
            if len(words) == 3 and words[1] == "as":
                imports[words[2]] = words[0]
            elif words:
                imports[words[0].split(".")[0]] = words[0].split(".")[0]
    for match in _FROM_LINE.finditer(text):
        for part in match.group(2).split(","):
            words = part.split()
            if len(words) == 3 and words[1] == "as":
                imports[words[2]] = f"{match.group(1)}.{words[0]}"
            elif len(words) == 1:
                local = f"*{match.group(1)}" if words[0] == "*" else words[0]
                imports[local] = f"{match.group(1)}.{words[0]}"
    classes = [
        {
            "name": match.group(1),
            "bases": [
                base.strip().split("[")[0]
                for base in (match.group(2) or "").split(",")
                if base.strip() and "=" not in base
            ],
            "methods": [],
        }
        for match in _CLASS_LINE.finditer(text)
    ]
    return {
        "imports": imports,
        "classes": classes,
        "functions": _DEF_LINE.findall(text),
    }


@dataclass
class ProjectIndex:
    """The summaries of every file of the project, and what follows from them across files."""

    connector_bases: tuple[str, ...] = ()
    summaries: dict[str, dict] = field(default_factory=dict)  # relative path -> summary
    _connector_classes: frozenset[str] | None = None

    def imports_of(self, rel_path: str) -> dict[str, str]:
        return self.summaries.get(rel_path, {}).get("imports", {})

    @property
    def connector_classes(self) -> frozenset[str]:
        """Names of classes that derive, directly or through other project classes, from a
        configured connector base (bases are matched by their last name: ``x.BaseConnector``)."""
        if self._connector_classes is None:
            bases_of: dict[str, set[str]] = {}
            for summary in self.summaries.values():
                for cls in summary.get("classes", ()):
                    bases_of.setdefault(cls["name"], set()).update(b.rsplit(".", 1)[-1] for b in cls["bases"])
            known = set(self.connector_bases)
            changed = True
            while changed:
                changed = False
                for name, bases in bases_of.items():
                    if name not in known and bases & known:
                        known.add(name)
                        changed = True
            self._connector_classes = frozenset(known)
        return self._connector_classes

    def is_connector_class(self, name: str, bases: list[str] | tuple[str, ...] = ()) -> bool:
        if name.endswith("Connector") or name in self.connector_classes:
            return True
        return any(base.rsplit(".", 1)[-1] in self.connector_classes for base in bases)

    def fingerprint(self) -> str:
        """A hash of the cross-file facts (classes, functions), for the result cache: edits
        inside function bodies elsewhere do not invalidate a file's cached findings."""
        facts = sorted(
            (path, summary.get("classes", []), summary.get("functions", []))
            for path, summary in self.summaries.items()
        )
        payload = json.dumps([self.connector_bases, facts], sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]
