"""The project index: what single-file checks must know about the rest of the project.

Each file is summarised by a cheap pass over the standard ``ast`` (about 10x faster than a LibCST
parse): its imports, its classes and their bases, its top-level functions, and what the returns
of its functions and methods are built from (for the canonical-result rules). The summaries are
cached by content hash (see ``cache.py``), so a pre-commit run on one file still knows which
classes of other files are connectors and which helpers of other files build canonical results.

Where the running Python's ``ast`` rejects syntax that LibCST accepts (3.12 f-strings or type
parameters under 3.11), a line-based reading of imports and classes stands in, so such a file is
neither dropped nor misreported.
"""

from __future__ import annotations

import ast
import hashlib
import marshal
import re
from collections import deque
from dataclasses import dataclass, field
from collections.abc import Callable
from functools import lru_cache
from typing import Any, TypedDict

from lint_rules.config import Config
from lint_rules.rules.results.flow import return_facts

SUMMARY_VERSION = 5

# Decorators that make a method something other than an operation called on the instance.
METHOD_KINDS = frozenset(("property", "cached_property", "setter", "getter", "deleter", "staticmethod", "classmethod"))


class ClassSummary(TypedDict):
    name: str
    bases: list[str]            # dotted, as written (`x.BaseConnector`; `Generic[T]` as `Generic`)
    methods: list[str]          # the methods defined in the class body, in order
    kinds: dict[str, str]       # method -> its decorator, for properties, static and class methods
    uses: list[str]             # capitalised names the body calls or annotates with (`Client(...)`)


class FileSummary(TypedDict, total=False):
    imports: dict[str, str]     # local name -> what it was imported as
    classes: list[ClassSummary]
    functions: list[str]        # top-level functions
    # "f" and "Class.m" -> what their returns hold (see `results.flow.return_facts`)
    returns: dict[str, list[str]]
    syntax_error: dict          # the standard ast's objection, for TG000 if LibCST objects too
    error: str


def summarize_source(text: str) -> FileSummary:
    """The index entry of one file (see ``FileSummary``); ``error`` if it cannot be parsed at all."""
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
    return _summarize_tree(tree, _LINE_BREAK.split(text))


# What ``ast`` counts as the end of a line (a form feed is not one).
_LINE_BREAK = re.compile(r"\r\n?|\n")


def _summarize_tree(tree: ast.Module, lines: list[str]) -> FileSummary:
    imports: dict[str, str] = {}
    classes: list[ClassSummary] = []
    returns: dict[str, list[str]] = {}
    for node in _all_statements(tree):
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
            methods = [item for item in node.body if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))]
            classes.append({
                "name": node.name,
                "bases": [_dotted_name(base) for base in node.bases if _dotted_name(base)],
                "methods": [method.name for method in methods],
                "kinds": {method.name: kind for method in methods if (kind := _method_kind(method))},
                "uses": _class_names_used(node),
            })
            returns.update(_returns_of(f"{node.name}.", methods, lines))
    functions = [node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]
    returns.update(_returns_of("", functions, lines))
    return {
        "imports": imports,
        "classes": classes,
        "functions": [function.name for function in functions],
        "returns": returns,
    }


def _all_statements(tree: ast.Module):
    """Every statement at any depth, nested functions and classes included. Imports and classes
    are statements, and expressions are most of a tree's nodes: walking only statements makes
    this pass several times cheaper than ``ast.walk``, in the same (breadth-first) order."""
    queue = deque(tree.body)
    while queue:
        node = queue.popleft()
        yield node
        for block in ("body", "handlers", "orelse", "finalbody", "cases"):
            queue.extend(getattr(node, block, ()))


# Nodes that hold no call, annotation or function: the walk below does not enter them (names,
# constants and their contexts are half of a tree's nodes).
_NO_CLASS_USES = (ast.Name, ast.Constant, ast.expr_context, ast.operator, ast.unaryop, ast.cmpop, ast.boolop, ast.alias)


@lru_cache(maxsize=None)
def _child_fields(node_type: type) -> tuple[str, ...]:
    return tuple(name for name in node_type._fields if name not in ("ctx", "type_comment", "kind"))


def _class_names_used(node: ast.ClassDef) -> list[str]:
    """The last names of what the class body calls or annotates with, if capitalised (classes,
    by convention): which other classes a class holds."""
    names = set()
    stack: list = [node]
    while stack:  # as ``ast.walk``, without its generators, and in another order (a set is made)
        inner = stack.pop()
        kind = type(inner)
        for name in _child_fields(kind):
            child = getattr(inner, name, None)
            if type(child) is list:
                stack.extend(item for item in child if isinstance(item, ast.AST) and not isinstance(item, _NO_CLASS_USES))
            elif isinstance(child, ast.AST) and not isinstance(child, _NO_CLASS_USES):
                stack.append(child)
        if kind is ast.Call:
            target = inner.func
        elif kind is ast.AnnAssign or kind is ast.arg:
            target = inner.annotation
        elif kind is ast.FunctionDef or kind is ast.AsyncFunctionDef:
            target = inner.returns
        else:
            continue
        while isinstance(target, ast.Subscript):   # Optional[Client]
            target = target.slice if isinstance(target.slice, (ast.Name, ast.Attribute)) else target.value
        name = _dotted_name(target) if isinstance(target, (ast.Name, ast.Attribute)) else None
        if name and name.rsplit(".", 1)[-1][:1].isupper():
            names.add(name.rsplit(".", 1)[-1])
    return sorted(names)


def _method_kind(method: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
    for decorator in method.decorator_list:
        name = (_dotted_name(decorator.func if isinstance(decorator, ast.Call) else decorator) or "").rsplit(".", 1)[-1]
        if name in METHOD_KINDS:
            return name
    return None


def _returns_of(prefix: str, functions: list, lines: list[str]) -> dict[str, list[str]]:
    facts = {}
    for function in functions:
        found = return_facts(function, "\n".join(lines[function.lineno - 1:function.end_lineno]))
        if found and found != ["other"]:  # absent means the same, in a smaller cache
            facts[prefix + function.name] = found
    return facts


def qualify(dotted: str, imports: dict[str, str]) -> str:
    """``dotted`` with its first name replaced by what it was imported as (``ok`` -> ``tradeguard.ok``;
    ``np.mean`` -> ``numpy.mean``; relative imports keep one leading dot per level); names not
    imported are left as they are."""
    head, dot, rest = dotted.partition(".")
    imported = imports.get(head)
    if imported is None:
        return dotted
    level = len(imported) - len(imported.lstrip("."))
    if level and "." not in imported[level:]:
        imported = imported[1:]  # `from . import x` is kept as "..x": as a path it is ".x"
    return f"{imported}{dot}{rest}"


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
            "kinds": {},
            "uses": [],
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
    """The summaries of every file of the project, and generic questions across them: what a
    name written in a file refers to, a class's project ancestors, where a method is defined.
    Rule families derive their own facts from it once per run (``derived``)."""

    connector_bases: tuple[str, ...] = ()
    summaries: dict[str, FileSummary] = field(default_factory=dict)  # relative path -> summary
    connector_paths: tuple[str, ...] = ()
    gateway_paths: tuple[str, ...] = ()
    # Values rules derive from the index once per run (e.g. a text pattern), by the rule's key.
    derived: dict = field(default_factory=dict, repr=False)
    answer_fingerprints: dict = field(default_factory=dict, repr=False)  # see lint_rules.facts
    _modules: dict[str, str] | None = field(default=None, repr=False)
    _classes: dict[str, list[tuple[str, ClassSummary]]] | None = field(default=None, repr=False)

    def derive(self, key: object, compute: Callable[[ProjectIndex], Any]) -> Any:
        """The run-wide value ``key``, computed once by ``compute(index)`` from the whole index.
        (Through :class:`lint_rules.facts.RecordingIndex`, a file that reads it depends on the value
        alone, not on every summary the computation saw.)"""
        if key not in self.derived:
            self.derived[key] = compute(self)
        return self.derived[key]

    @classmethod
    def for_config(cls, config: Config, summaries: dict[str, FileSummary] | None = None) -> ProjectIndex:
        return cls(
            config.connector_bases, summaries or {},
            connector_paths=config.connector_paths, gateway_paths=config.gateway_paths,
        )

    def imports_of(self, rel_path: str) -> dict[str, str]:
        return self.summaries.get(rel_path, {}).get("imports", {})

    # --- names across files ------------------------------------------------------------------
    def qualify(self, rel_path: str, dotted: str) -> str:
        """``dotted`` as written in ``rel_path``, with its first name replaced by what it was
        imported as; relative imports are made absolute (from the config root)."""
        return self._absolute(rel_path, qualify(dotted, self.imports_of(rel_path)))

    def _absolute(self, rel_path: str, qualified: str) -> str:
        """A relative dotted name of ``rel_path`` (``..util.wrap``) made absolute."""
        if not qualified.startswith("."):
            return qualified
        level = len(qualified) - len(qualified.lstrip("."))
        package = rel_path.split("/")[:-1]
        if level - 1 > len(package):
            return qualified
        return ".".join([*package[: len(package) - (level - 1)], qualified[level:]])

    def resolve(self, rel_path: str, dotted: str, kind: str) -> tuple[str, str] | None:
        """``(path, name)`` of the top-level function or class (``kind``: ``"functions"`` or
        ``"classes"``) that ``dotted``, as written in ``rel_path``, names, if the project
        defines it."""
        if dotted.partition(".")[0] not in self.imports_of(rel_path) and "." in dotted:
            return None  # an attribute of a local value, not a module's
        absolute = self.qualify(rel_path, dotted)
        if "." in absolute:
            module, _, name = absolute.rpartition(".")
            rel = self.module_path(module)
            if rel is None:
                return None
        else:
            rel, name = rel_path, absolute
        summary = self.summaries.get(rel, {})
        names = summary.get("functions", ()) if kind == "functions" else [c["name"] for c in summary.get("classes", ())]
        return (rel, name) if name in names else None

    def module_path(self, module: str) -> str | None:
        """The project file of the dotted ``module`` (``bot.util`` -> ``bot/util.py``), also when
        the project sits below the config root (``src/bot/util.py``)."""
        if self._modules is None:
            names: list[list[str]] = []
            for rel in self.summaries:
                parts = rel.rsplit(".", 1)[0].split("/")
                if parts[-1] == "__init__":
                    parts.pop()
                names.append(parts)
            modules: dict[str, str] = {}
            for rel, parts in sorted(zip(self.summaries, names), key=lambda item: len(item[1])):
                for start in range(len(parts)):
                    modules.setdefault(".".join(parts[start:]), rel)
            self._modules = modules
        return self._modules.get(module)

    # --- classes -----------------------------------------------------------------------------
    def classes_named(self, name: str) -> list[tuple[str, ClassSummary]]:
        """``(path, summary)`` of the project's classes called ``name`` (bases are matched by
        their last name: ``x.BaseConnector`` is ``BaseConnector``)."""
        if self._classes is None:
            classes: dict[str, list[tuple[str, ClassSummary]]] = {}
            for rel, summary in self.summaries.items():
                for cls in summary.get("classes", ()):
                    classes.setdefault(cls["name"], []).append((rel, cls))
            self._classes = classes
        return self._classes.get(name, [])

    def class_summary(self, rel_path: str, name: str) -> ClassSummary | None:
        return next((cls for rel, cls in self.classes_named(name) if rel == rel_path), None)

    def ancestors(self, bases: list[str]) -> list[tuple[str, ClassSummary]]:
        """The project classes a class with these ``bases`` derives from, nearest first, each
        once (a name defined in several files gives each of them)."""
        queue = list(bases)
        seen: set[str] = set()
        found: list[tuple[str, ClassSummary]] = []
        while queue:
            base = queue.pop(0).rsplit(".", 1)[-1]
            if base in seen:
                continue
            seen.add(base)
            for entry in self.classes_named(base):
                found.append(entry)
                queue.extend(entry[1]["bases"])
        return found

    def find_method(self, rel_path: str, class_name: str, method: str, inherited_only: bool = False) -> tuple[str, str] | None:
        """``(path, "Class.method")`` where ``method`` of ``class_name`` is defined: the class
        itself (unless ``inherited_only``, as for ``super().m``), else its nearest ancestor."""
        own = self.class_summary(rel_path, class_name)
        if own is None:
            return None
        if not inherited_only and method in own["methods"]:
            return (rel_path, f"{class_name}.{method}")
        for rel, cls in self.ancestors(own["bases"]):
            if method in cls["methods"]:
                return (rel, f"{cls['name']}.{method}")
        return None

    def fingerprint(self) -> str:
        """A hash of the cross-file facts (classes, functions, what their returns hold), for the
        result cache: other edits inside function bodies elsewhere do not invalidate a file's
        cached findings."""
        facts = sorted(
            (path, summary.get("classes", []), summary.get("functions", []), sorted(summary.get("returns", {}).items()))
            for path, summary in self.summaries.items()
        )
        # marshal format 2 has no back-references, so equal facts always give equal bytes
        payload = marshal.dumps([self.connector_bases, facts], 2)
        return hashlib.sha256(payload).hexdigest()[:16]
