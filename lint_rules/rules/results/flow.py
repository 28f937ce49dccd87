"""Following a returned value to the expressions that build it: one reading, on two syntax trees.

The project index reads every file with the standard ``ast`` (cheap, for facts across files); the
rules read the files they check with LibCST (to report and fix). Both ask the same question of a
function, "what do its returns hold?", and answer it here with one walk (``follow``) over the
facts of one scan of the function body (``Flow``); only the scans and the few node kinds differ,
and a test runs both readings over every rule example and requires the same answer.

A value is followed through ``await``, both branches of ``x if c else y`` and of ``and`` / ``or``,
``(name := value)``, and local variables by every assignment in the function. A variable is not
followed at all (the whole value is unknown) when one of its bindings is not followed: a
parameter, a loop or ``with`` target, an exception, an augmented assignment, unpacking, or
in-place changes (``result["data"] = ...``, ``result.update(...)``). Returns, bindings and
``yield`` inside nested functions, lambdas and classes belong to those.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from functools import lru_cache

from lint_rules.lazy import cst

# Methods that change a mapping in place: a variable they are called on is built piecewise.
MUTATORS = frozenset(("update", "setdefault", "pop", "popitem", "clear", "__setitem__", "__delitem__"))
NOT_FOLLOWED = None  # a binding whose value is not read (a parameter, a loop variable, ...)
# Calls that build a mapping from keyword arguments: `dict(success=..., error=..., data=...)`.
MAPPING_BUILDERS = frozenset(("dict", "CanonicalResult"))


@dataclass
class Flow:
    """One function body as the follower needs it."""

    returns: list = field(default_factory=list)     # the return statements, in order
    bindings: dict = field(default_factory=dict)    # name -> assigned values (NOT_FOLLOWED: unknown)
    mutated: set = field(default_factory=set)       # names changed in place
    exceptions: set = field(default_factory=set)    # names bound by `except ... as name`
    yields: bool = False

    def bind(self, name: str, value) -> None:
        self.bindings.setdefault(name, []).append(value)


@dataclass(frozen=True)
class Followed:
    """What one return holds: the terminal expressions, each with the variable it came through
    (None: written in the return itself). ``complete`` is False when some part could not be
    followed, so the terminals are not all of it."""

    terminals: tuple[tuple[object, str | None], ...]
    complete: bool


def follow(flow: Flow, value, syntax: type[_Syntax]) -> Followed:
    """The terminals of ``value`` (an expression of the function ``flow`` was scanned from)."""
    terminals: list[tuple[object, str | None]] = []
    complete = _walk(flow, value, syntax, None, frozenset(), terminals)
    return Followed(tuple(terminals), complete)


def _walk(flow: Flow, node, syntax, via: str | None, seen: frozenset[str], out: list) -> bool:
    kind, parts = syntax.shape(node)
    if kind == "branches":
        results = [_walk(flow, part, syntax, via, seen, out) for part in parts]
        return all(results)
    if kind == "name":
        values = flow.bindings.get(parts)
        if not values or NOT_FOLLOWED in values or parts in flow.mutated or parts in seen:
            return False
        found: list = []
        if not all([_walk(flow, value, syntax, parts, seen | {parts}, found) for value in values]):
            return False
        out.extend(found)
        return True
    out.append((node, via))
    return True


class _Syntax:
    @staticmethod
    def shape(node) -> tuple[str, object]:
        """("branches", [parts]) for what the value is one of; ("name", id) for a variable;
        ("leaf", None) for anything else (a terminal)."""
        raise NotImplementedError


# --- the standard ast ----------------------------------------------------------------------------
class AstSyntax(_Syntax):
    @staticmethod
    def shape(node):
        if isinstance(node, ast.Await):
            return "branches", [node.value]
        if isinstance(node, ast.NamedExpr):
            return "branches", [node.value]
        if isinstance(node, ast.IfExp):
            return "branches", [node.body, node.orelse]
        if isinstance(node, ast.BoolOp):
            return "branches", list(node.values)
        if isinstance(node, ast.Name):
            return "name", node.id
        return "leaf", None


_NESTED_AST = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


# The facts of a function body that expressions hold (`yield`, `x := v`, `x.update(...)`); all the
# others are statements. A function whose text holds none of these words is scanned by statements.
_EXPRESSION_FACTS = re.compile(r"yield|:=|\b(?:" + "|".join(sorted(MUTATORS)) + r")\b")
# Statement fields that hold statements (or the handlers, cases and `with` items around them).
_STATEMENT_BLOCKS = ("body", "orelse", "handlers", "finalbody", "cases", "items")


def scan_ast(function: ast.FunctionDef | ast.AsyncFunctionDef, statements_only: bool = False) -> Flow:
    """The flow of ``function``. ``statements_only``: the caller knows that no expression of the
    body holds a ``yield``, a ``:=`` or a mutator call, so only statements are read (a fifth of
    the nodes) and the flow is the same."""
    flow = Flow()
    arguments = function.args
    for arg in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs, arguments.vararg, arguments.kwarg):
        if arg is not None:
            flow.bind(arg.arg, NOT_FOLLOWED)
    stack = list(reversed(function.body))
    while stack:
        node = stack.pop()
        if isinstance(node, _NESTED_AST):
            continue
        _scan_ast_node(flow, node)
        if statements_only:
            for block in _STATEMENT_BLOCKS:
                stack.extend(reversed(getattr(node, block, ())))
            continue
        children = [child for child in ast.iter_child_nodes(node) if not isinstance(child, ast.comprehension)]
        if isinstance(node, _COMPREHENSIONS):  # their targets are their own; `:=` inside is not
            children += [part for generator in node.generators for part in (generator.iter, *generator.ifs)]
        stack.extend(reversed(children))
    return flow


def _scan_ast_node(flow: Flow, node) -> None:
    if isinstance(node, ast.Return):
        flow.returns.append(node)
    elif isinstance(node, (ast.Yield, ast.YieldFrom)):
        flow.yields = True
    elif isinstance(node, ast.Assign):
        for target in node.targets:
            _bind_ast(flow, target, node.value)
    elif isinstance(node, ast.AnnAssign) and node.value is not None:
        _bind_ast(flow, node.target, node.value)
    elif isinstance(node, (ast.AugAssign, ast.For, ast.AsyncFor)):
        _bind_ast(flow, node.target, NOT_FOLLOWED)
    elif isinstance(node, ast.NamedExpr):
        _bind_ast(flow, node.target, node.value)
    elif isinstance(node, ast.withitem) and node.optional_vars is not None:
        _bind_ast(flow, node.optional_vars, NOT_FOLLOWED)
    elif isinstance(node, ast.ExceptHandler) and node.name:
        flow.bind(node.name, NOT_FOLLOWED)
        flow.exceptions.add(node.name)
    elif isinstance(node, ast.Delete):
        for target in node.targets:
            _bind_ast(flow, target, NOT_FOLLOWED)
    elif isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in MUTATORS and isinstance(func.value, ast.Name):
            flow.mutated.add(func.value.id)


def _bind_ast(flow: Flow, target, value) -> None:
    if isinstance(target, ast.Name):
        flow.bind(target.id, value)
    elif isinstance(target, (ast.Tuple, ast.List)):
        for element in target.elts:
            _bind_ast(flow, element, NOT_FOLLOWED)
    elif isinstance(target, ast.Starred):
        _bind_ast(flow, target.value, NOT_FOLLOWED)
    elif isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
        flow.mutated.add(target.value.id)


def return_facts(function: ast.FunctionDef | ast.AsyncFunctionDef, source: str | None = None) -> list[str]:
    """What the function's returns hold, for the project index, as sorted strings:
    ``"none"`` (a bare ``return`` or ``None``), ``"dict:k1,k2"`` (a dict display or
    ``dict(k=...)`` with those plain string keys), ``"call:a.b"`` (a call of a plain name as
    written, ``self.m``, ``cls.m`` or ``super.m``), ``"other"`` (anything else, or not followed).
    Empty for a function without a return of a value, and for generators.

    ``source``, the function's text (or any text holding it), lets the index skip the expressions
    of most functions (see ``scan_ast``): the reading of every function costs more than ``ast.parse``."""
    flow = scan_ast(function, statements_only=source is not None)
    if source is not None and _returns_value(flow) and _EXPRESSION_FACTS.search(source):
        flow = scan_ast(function)   # returns are statements: only a function returning values needs this
    if flow.yields or not _returns_value(flow):
        return []
    facts: set[str] = set()
    for statement in flow.returns:
        if statement.value is None:
            facts.add("none")
            continue
        followed = follow(flow, statement.value, AstSyntax)
        if not followed.complete:
            facts.add("other")
        facts.update(_ast_fact(node) for node, _ in followed.terminals)
    return sorted(facts)


def _returns_value(flow: Flow) -> bool:
    return any(statement.value is not None for statement in flow.returns)


def _ast_fact(node) -> str:
    if isinstance(node, ast.Constant) and node.value is None:
        return "none"
    if isinstance(node, ast.Dict):
        keys = [key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else None for key in node.keys]
        return "other" if None in keys else "dict:" + ",".join(sorted(keys))
    if isinstance(node, ast.Call):
        callee = _ast_callee(node.func)
        if callee is None:
            return "other"
        if callee.rsplit(".", 1)[-1] in MAPPING_BUILDERS:
            keywords = [keyword.arg for keyword in node.keywords]
            return "other" if node.args or None in keywords else "dict:" + ",".join(sorted(keywords))
        return f"call:{callee}"
    return "other"


def _ast_callee(func) -> str | None:
    """``a.b.c`` for a plain callee; ``super.m`` for ``super().m``."""
    if (
        isinstance(func, ast.Attribute) and isinstance(func.value, ast.Call)
        and isinstance(func.value.func, ast.Name) and func.value.func.id == "super"
    ):
        return f"super.{func.attr}"
    parts = []
    while isinstance(func, ast.Attribute):
        parts.append(func.attr)
        func = func.value
    if not isinstance(func, ast.Name):
        return None
    return ".".join([func.id, *reversed(parts)])


# --- LibCST --------------------------------------------------------------------------------------
class CstSyntax(_Syntax):
    @staticmethod
    def shape(node):
        if isinstance(node, cst.Await):
            return "branches", [node.expression]
        if isinstance(node, cst.NamedExpr):
            return "branches", [node.value]
        if isinstance(node, cst.IfExp):
            return "branches", [node.body, node.orelse]
        if isinstance(node, cst.BooleanOperation):
            return "branches", [node.left, node.right]
        if isinstance(node, cst.Name) and node.value not in ("None", "True", "False"):
            return "name", node.value
        return "leaf", None


def scan_cst(function) -> Flow:
    flow = Flow()
    params = function.params
    for param in (*params.posonly_params, *params.params, *params.kwonly_params, params.star_arg, params.star_kwarg):
        if isinstance(param, cst.Param):
            flow.bind(param.name.value, NOT_FOLLOWED)
    function.body.visit(_cst_scanner()(flow))
    return flow


@lru_cache(maxsize=1)
def _cst_scanner():
    """Built on first use so that importing this module does not import LibCST."""

    class Scanner(cst.CSTVisitor):
        def __init__(self, flow: Flow) -> None:
            super().__init__()
            self.flow = flow

        def _bind(self, target, value) -> None:
            if isinstance(target, cst.Name):
                self.flow.bind(target.value, value)
            elif isinstance(target, (cst.Tuple, cst.List)):
                for element in target.elements:
                    self._bind(element.value, NOT_FOLLOWED)
            elif isinstance(target, cst.StarredElement):
                self._bind(target.value, NOT_FOLLOWED)
            elif isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name):
                self.flow.mutated.add(target.value.value)

        def visit_FunctionDef(self, node) -> bool:
            return False

        def visit_ClassDef(self, node) -> bool:
            return False

        def visit_Lambda(self, node) -> bool:
            return False

        def visit_CompFor(self, node) -> bool:
            # the target is the comprehension's own; `:=` in its iterable and conditions is not
            node.iter.visit(self)
            for condition in node.ifs:
                condition.visit(self)
            if node.inner_for_in is not None:
                node.inner_for_in.visit(self)
            return False

        def visit_Return(self, node) -> None:
            self.flow.returns.append(node)

        def visit_Yield(self, node) -> None:
            self.flow.yields = True

        def visit_Assign(self, node) -> None:
            for target in node.targets:
                self._bind(target.target, node.value)

        def visit_AnnAssign(self, node) -> None:
            if node.value is not None:
                self._bind(node.target, node.value)

        def visit_AugAssign(self, node) -> None:
            self._bind(node.target, NOT_FOLLOWED)

        def visit_NamedExpr(self, node) -> None:
            self._bind(node.target, node.value)

        def visit_For(self, node) -> None:
            self._bind(node.target, NOT_FOLLOWED)

        def visit_WithItem(self, node) -> None:
            if node.asname is not None:
                self._bind(node.asname.name, NOT_FOLLOWED)

        def visit_ExceptHandler(self, node) -> None:
            if node.name is not None and isinstance(node.name.name, cst.Name):
                self._bind(node.name.name, NOT_FOLLOWED)
                self.flow.exceptions.add(node.name.name.value)

        def visit_Del(self, node) -> None:
            self._bind(node.target, NOT_FOLLOWED)

        def visit_Call(self, node) -> None:
            func = node.func
            if isinstance(func, cst.Attribute) and func.attr.value in MUTATORS and isinstance(func.value, cst.Name):
                self.flow.mutated.add(func.value.value)

    return Scanner
