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

from lint_rules.config import Config, matches_any

SUMMARY_VERSION = 3

# The keys of a canonical connector result, and the runtime's functions that return one.
CANONICAL_KEYS = frozenset(("success", "error", "data"))
ROUTE_FUNCTIONS = frozenset(("tradeguard.route", "tradeguard.gateway.route"))
RUNTIME_RESULT_FUNCTIONS = ROUTE_FUNCTIONS | {
    f"{module}.{name}" for module in ("tradeguard", "tradeguard.results") for name in ("ok", "fail", "normalize")
}
# Calls that build a mapping from keyword arguments: `dict(success=..., error=..., data=...)`.
MAPPING_BUILDERS = frozenset(("dict", "CanonicalResult"))


def summarize_source(text: str) -> dict:
    """The index entry of one file: ``imports``, ``classes``, ``functions``, ``returns`` (for
    functions and ``Class.method``, see ``_return_facts``) and, if it cannot be parsed at all,
    ``error``."""
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
    class_methods: list[tuple[str, list]] = []
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
            class_methods.append((node.name, methods))
            classes.append({
                "name": node.name,
                "bases": [_dotted_name(base) for base in node.bases if _dotted_name(base)],
                "methods": [method.name for method in methods],
            })
    functions = [node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]
    # After the walk, when every import of the module is known.
    returns = _returns_of("", functions, imports)
    for class_name, methods in class_methods:
        returns.update(_returns_of(f"{class_name}.", methods, imports))
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


def _returns_of(prefix: str, functions: list, imports: dict[str, str]) -> dict[str, list[str]]:
    """``_return_facts`` of the functions that have them, by ``prefix`` + name."""
    facts = {}
    for function in functions:
        refs = _return_facts(function, imports)
        if refs is not None:
            facts[prefix + function.name] = refs
    return facts


def _return_facts(function: ast.FunctionDef | ast.AsyncFunctionDef, imports: dict[str, str]) -> list[str] | None:
    """What the function's results are built from, if each may be a canonical result.

    ``None`` unless the function has a ``return`` with a value and every such value (through
    ``await``, both branches of ``x if c else y`` and of ``and`` / ``or``, and local variables by
    all their assignments) is a literal with exactly the keys ``success``, ``error`` and ``data``,
    or a call. The calls are listed by the dotted name of the callee as this module imports it
    (``self.m``, ``cls.m`` and ``super.m`` for the class's own methods): whether they build
    canonical results is decided across the project by ``ProjectIndex``. Returns inside nested
    functions and lambdas belong to those.
    """
    returns: list[ast.expr] = []
    bindings: dict[str, list[ast.expr | None]] = {}  # None: bound to something not followed
    for arg in (*function.args.posonlyargs, *function.args.args, *function.args.kwonlyargs,
                function.args.vararg, function.args.kwarg):
        if arg is not None:
            bindings[arg.arg] = [None]
    for node in _own_statements(function):
        if isinstance(node, ast.Return) and node.value is not None:
            returns.append(node.value)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                _bind(bindings, target, node.value if isinstance(target, ast.Name) else None)
        elif isinstance(node, ast.AnnAssign):
            _bind(bindings, node.target, node.value)
        elif isinstance(node, (ast.AugAssign, ast.For, ast.AsyncFor)):
            _bind(bindings, node.target, None)
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                _bind(bindings, item.optional_vars, None)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bindings.setdefault(node.name, []).append(None)
    if not returns:
        return None
    refs: set[str] = set()
    if all(_built_canonically(value, bindings, imports, refs, frozenset()) for value in returns):
        return sorted(refs)
    return None


def _own_statements(function: ast.AST):
    """The statements of a function's body at any depth, without those of nested functions and
    classes. Expressions are not entered (most of a tree's nodes; a name bound only by ``:=`` is
    therefore not followed)."""
    stack = list(function.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        yield node
        for block in ("body", "orelse", "finalbody", "handlers", "cases"):
            stack.extend(getattr(node, block, ()))


def _bind(bindings: dict[str, list[ast.expr | None]], target: ast.expr | None, value: ast.expr | None) -> None:
    if isinstance(target, ast.Name):
        bindings.setdefault(target.id, []).append(value)
    elif isinstance(target, (ast.Tuple, ast.List, ast.Starred)):
        for element in ast.iter_child_nodes(target):
            _bind(bindings, element, None)


def _built_canonically(
    value: ast.expr, bindings: dict, imports: dict[str, str], refs: set[str], seen: frozenset[str]
) -> bool:
    if isinstance(value, ast.Await):
        return _built_canonically(value.value, bindings, imports, refs, seen)
    if isinstance(value, ast.IfExp):
        branches = [value.body, value.orelse]
    elif isinstance(value, ast.BoolOp):
        branches = value.values
    else:
        branches = None
    if branches is not None:
        return all(_built_canonically(branch, bindings, imports, refs, seen) for branch in branches)
    if isinstance(value, ast.Dict):
        keys = [key.value if isinstance(key, ast.Constant) else None for key in value.keys]
        return len(keys) == len(CANONICAL_KEYS) and set(keys) == CANONICAL_KEYS
    if isinstance(value, ast.Call):
        callee = _callee_name(value.func)
        if callee in MAPPING_BUILDERS or (callee or "").endswith(".CanonicalResult"):
            keywords = [keyword.arg for keyword in value.keywords]
            return not value.args and len(keywords) == len(CANONICAL_KEYS) and set(keywords) == CANONICAL_KEYS
        head = (callee or "").partition(".")[0]
        if callee is None or ("." in callee and head not in imports and head not in ("self", "cls", "super")):
            return False  # a method of a local value (`resp.json()`): not followed
        refs.add(qualify(callee, imports))
        return True
    if isinstance(value, ast.Name) and value.id in bindings and value.id not in seen:
        return all(
            assigned is not None and _built_canonically(assigned, bindings, imports, refs, seen | {value.id})
            for assigned in bindings[value.id]
        )
    return False


def _callee_name(func: ast.expr) -> str | None:
    """``a.b.c`` for a plain callee; ``super.m`` for ``super().m``."""
    if (
        isinstance(func, ast.Attribute) and isinstance(func.value, ast.Call)
        and isinstance(func.value.func, ast.Name) and func.value.func.id == "super"
    ):
        return f"super.{func.attr}"
    return _dotted_name(func) if isinstance(func, (ast.Name, ast.Attribute)) else None


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
    connector_paths: tuple[str, ...] = ()
    gateway_paths: tuple[str, ...] = ()
    # Values rules derive from the index once per run (e.g. a text pattern), by the rule's key.
    derived: dict = field(default_factory=dict, repr=False)
    _connector_classes: frozenset[str] | None = None
    _canonical_functions: frozenset[tuple[str, str]] | None = field(default=None, repr=False)
    _modules: dict[str, str] | None = field(default=None, repr=False)
    _classes: dict[str, list[tuple[str, dict]]] | None = field(default=None, repr=False)

    @classmethod
    def for_config(cls, config: Config, summaries: dict[str, dict] | None = None) -> ProjectIndex:
        return cls(
            config.connector_bases, summaries or {},
            connector_paths=config.connector_paths, gateway_paths=config.gateway_paths,
        )

    def imports_of(self, rel_path: str) -> dict[str, str]:
        return self.summaries.get(rel_path, {}).get("imports", {})

    @property
    def connector_classes(self) -> frozenset[str]:
        """Names of the configured connector bases and of classes that derive, directly or through
        other project classes, from one of them, from a class named ``*Connector`` or from a
        class defined in a connector path (bases are matched by their last name:
        ``x.BaseConnector``)."""
        if self._connector_classes is None:
            bases_of: dict[str, set[str]] = {}
            roots = set(self.connector_bases)
            for rel, summary in self.summaries.items():
                in_connector_path = matches_any(rel, self.connector_paths)
                for cls in summary.get("classes", ()):
                    bases_of.setdefault(cls["name"], set()).update(b.rsplit(".", 1)[-1] for b in cls["bases"])
                    if in_connector_path or cls["name"].endswith("Connector"):
                        roots.add(cls["name"])
            known = set(self.connector_bases)
            changed = True
            while changed:
                changed = False
                for name, bases in bases_of.items():
                    if name not in known and bases & (known | roots):
                        known.add(name)
                        changed = True
            self._connector_classes = frozenset(known)
        return self._connector_classes

    def is_connector_class(self, name: str, bases: list[str] | tuple[str, ...] = ()) -> bool:
        if name.endswith("Connector") or name in self.connector_classes:
            return True
        return any(base.rsplit(".", 1)[-1] in self.connector_classes for base in bases)

    def defines_connector(self, rel_path: str, class_name: str) -> bool:
        """Whether the class ``class_name`` of ``rel_path`` is a connector: it lives in a connector
        path, or ``is_connector_class`` says so by its name and bases."""
        if matches_any(rel_path, self.connector_paths):
            return True
        bases = next(
            (cls["bases"] for cls in self.summaries.get(rel_path, {}).get("classes", ()) if cls["name"] == class_name),
            (),
        )
        return self.is_connector_class(class_name, bases)

    def names_connector_class(self, rel_path: str, dotted: str) -> bool:
        """Whether ``dotted``, as written in ``rel_path`` (``OandaConnector``, ``conn.Oanda``),
        names a connector class of the project."""
        if self.is_connector_class(dotted.rsplit(".", 1)[-1]):
            return True
        found = self._resolve(rel_path, dotted, "classes")
        return found is not None and matches_any(found[0], self.connector_paths)

    # --- canonical results and gateway functions across files --------------------------------
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

    def returns_canonical(self, rel_path: str, callee: str, class_name: str | None = None) -> bool:
        """Whether calling ``callee`` (a dotted name as written in ``rel_path``; ``self.m``,
        ``cls.m`` or ``super.m`` inside class ``class_name``) returns a canonical result: the
        runtime's ``ok`` / ``fail`` / ``normalize`` / ``route``, a public method of a connector
        (checked itself), or a project function or method whose every return is built, through
        any depth of such calls across files, from canonical results."""
        target = self._call_target(rel_path, callee, class_name, written=True)
        return target is True or (target is not None and target in self.canonical_functions)

    def is_gateway_function(self, rel_path: str, callee: str) -> bool:
        """Whether ``callee`` (as written in ``rel_path``) names a top-level function defined in a
        gateway path."""
        found = self._resolve(rel_path, callee, "functions")
        return found is not None and matches_any(found[0], self.gateway_paths)

    @property
    def canonical_functions(self) -> frozenset[tuple[str, str]]:
        """``(path, "function")`` and ``(path, "Class.method")`` of the project's functions that
        build canonical results: the largest set in which every call a function's returns are
        built from is the runtime's, a connector's public method, or a member (so helpers that
        call each other recursively still count)."""
        if self._canonical_functions is None:
            targets = {
                (rel, name): [self._call_target(rel, ref, name.rpartition(".")[0] or None, written=False) for ref in refs]
                for rel, summary in self.summaries.items()
                for name, refs in summary.get("returns", {}).items()
            }
            alive = set(targets)
            changed = True
            while changed:
                changed = False
                for key in list(alive):
                    if not all(target is True or target in alive for target in targets[key]):
                        alive.discard(key)
                        changed = True
            self._canonical_functions = frozenset(alive)
        return self._canonical_functions

    def _call_target(self, rel_path: str, callee: str, class_name: str | None, *, written: bool):
        """True for a call known to return a canonical result whatever the project holds; else the
        project function or method it calls, as a key of ``canonical_functions``, or None.
        ``callee`` is as written in the file, or (not ``written``) as the summary keeps it:
        already qualified through the file's imports."""
        head, _, method = callee.partition(".")
        if head in ("self", "cls", "super") and class_name and method and "." not in method:
            if not method.startswith("_") and self.defines_connector(rel_path, class_name):
                return True
            return self._method_key(rel_path, class_name, method, inherited_only=head == "super")
        if written:
            if head not in self.imports_of(rel_path) and "." in callee:
                return None  # a method of a local value, not a module's function
            absolute = self.qualify(rel_path, callee)
        else:
            absolute = self._absolute(rel_path, callee)
        if absolute in RUNTIME_RESULT_FUNCTIONS:
            return True
        return self._find(rel_path, absolute, "functions")

    def _resolve(self, rel_path: str, dotted: str, kind: str) -> tuple[str, str] | None:
        """``_find`` for ``dotted`` as written in ``rel_path``."""
        if dotted.partition(".")[0] not in self.imports_of(rel_path) and "." in dotted:
            return None  # an attribute of a local value, not a module's
        return self._find(rel_path, self.qualify(rel_path, dotted), kind)

    def _find(self, rel_path: str, absolute: str, kind: str) -> tuple[str, str] | None:
        """``(path, name)`` of the top-level function or class (``kind``: ``"functions"`` or
        ``"classes"``) an absolute dotted name (or a plain name of ``rel_path``) names, if it is
        defined in the project."""
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

    def _method_key(self, rel_path: str, class_name: str, method: str, inherited_only: bool) -> tuple[str, str] | None:
        """Where ``method`` of ``class_name`` (or, first found, of its project base classes) is defined."""
        classes = self._classes_by_name()
        own = [entry for entry in classes.get(class_name, ()) if entry[0] == rel_path] or classes.get(class_name, [])
        queue = [(entry, inherited_only) for entry in own]
        seen: set[str] = set()
        while queue:
            (rel, cls), skip = queue.pop(0)
            if not skip and method in cls["methods"]:
                return (rel, f"{cls['name']}.{method}")
            for base in cls["bases"]:
                name = base.rsplit(".", 1)[-1]
                if name not in seen:
                    seen.add(name)
                    queue.extend((entry, False) for entry in classes.get(name, ()))
        return None

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

    def ancestor_classes(self, bases: list[str] | tuple[str, ...]) -> list[dict]:
        """The project's classes a class with ``bases`` derives from, directly or not (matched by
        their last name, as ``connector_classes`` does), nearest first."""
        classes = self._classes_by_name()
        queue = [base.rsplit(".", 1)[-1] for base in bases]
        seen: set[str] = set()
        found: list[dict] = []
        while queue:
            name = queue.pop(0)
            if name in seen:
                continue
            seen.add(name)
            for _, cls in classes.get(name, ()):
                found.append(cls)
                queue.extend(base.rsplit(".", 1)[-1] for base in cls["bases"])
        return found

    def _classes_by_name(self) -> dict[str, list[tuple[str, dict]]]:
        if self._classes is None:
            classes: dict[str, list[tuple[str, dict]]] = {}
            for rel, summary in self.summaries.items():
                for cls in summary.get("classes", ()):
                    classes.setdefault(cls["name"], []).append((rel, cls))
            self._classes = classes
        return self._classes

    def fingerprint(self) -> str:
        """A hash of the cross-file facts (classes, functions, which of them build canonical
        results), for the result cache: other edits inside function bodies elsewhere do not
        invalidate a file's cached findings."""
        facts = sorted(
            (path, summary.get("classes", []), summary.get("functions", []))
            for path, summary in self.summaries.items()
        )
        # marshal format 2 has no back-references, so equal facts always give equal bytes
        payload = marshal.dumps([self.connector_bases, facts, sorted(self.canonical_functions)], 2)
        return hashlib.sha256(payload).hexdigest()[:16]
