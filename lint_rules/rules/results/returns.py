"""The returns of a connector's interface methods, followed to what they hold, as TG201-TG204 judge
them; and the base class of those four rules.

One reading per connector class, shared by the four rules (each reports its own code): for each
interface method (see ``connectors``), every ``return`` followed to its terminals (``flow``), and
whether the method can end without a return. A terminal reached through a variable is reported at
the ``return`` that returns it, and never fixed: a fix rewrites only a ``return`` or the literal
written in it, never an assignment to a local. Generators are not checked (they return iterators
by design), nor are stubs (a body of only a docstring, ``pass`` or ``...``), nor methods declared
``-> None`` (an event-driven interface reports outcomes otherwise, and its callers read nothing).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lint_rules.config import Config, code_matches
from lint_rules.context import FileContext
from lint_rules.lazy import cst
from lint_rules.rule import Report, Rule
from lint_rules.rules._orders import dotted
from lint_rules.rules.results.connectors import connector_model, summary_of_classdef
from lint_rules.rules.results.flow import CstSyntax, follow, scan_cst
from lint_rules.rules.results.helpers import canonical_functions, result_source, returns_canonical


@dataclass(frozen=True)
class Returned:
    """One thing an interface method returns: a terminal of one ``return`` (``value`` None for
    a bare ``return``)."""

    method: str
    statement: object            # the cst.Return
    value: object | None
    via: str | None              # the variable it came through, None if written in the return
    none_rewritable: bool        # the method's annotation does not promise None (or an object)

    @property
    def where(self):
        """Where a finding about it is reported: the value itself when it is written in the
        return, else the return (not the assignment that built it)."""
        return self.statement if self.via or self.value is None else self.value

    @property
    def fixable(self) -> bool:
        return self.via is None

    def at(self, node):
        """``node`` (a part of the value) if the value is written in the return, else the return."""
        return self.statement if self.via else node

    @property
    def says(self) -> str:
        return f"`{self.method}` returns" + (f" `{self.via}`, which holds" if self.via else "")


@dataclass(frozen=True)
class InterfaceMethod:
    name: str
    class_name: str
    node: object                 # the cst.FunctionDef
    returned: tuple[Returned, ...]
    ends_open: bool              # can end without a return (abstract methods and stubs do not count)
    exceptions: frozenset[str]   # names bound by `except ... as name` in the method


class ConnectorResultRule(Rule):
    """Base of TG201-TG204: judges the returns of connector classes' interface methods.

    A connector class can be any class (a subclass of a base defined elsewhere), so no literal
    token marks the files: ``applies_to`` asks the connector model instead whether the file
    defines a connector with an interface, and files that do not are never parsed for these rules.
    """

    @classmethod
    def tokens(cls, config: Config) -> tuple[str, ...]:
        return ()

    @classmethod
    def applies_to(cls, context: FileContext) -> bool:
        if ignored_here(context, cls.code):
            return False
        summary = context.index.summaries.get(context.rel_path)
        if summary is None or "syntax_error" in summary:
            return True  # not indexed, or read line by line (newer syntax): decide after parsing
        return connector_model(context).defines_connector(context.rel_path)

    @classmethod
    def prepare(cls, context: FileContext) -> None:
        canonical_functions(context)

    def visit_ClassDef(self, node) -> None:
        seen: set[tuple[int, str]] = set()
        for method in interface_methods(self.context, node):
            for report in self.judge(method):
                if (id(report.node), report.message) not in seen:  # one finding per place and wording
                    seen.add((id(report.node), report.message))
                    self.reports.append(report)

    def judge(self, method: InterfaceMethod):
        """The rule's reports for one interface method."""
        raise NotImplementedError

    def finding(self, node, message: str, replacement=None, fix_is_safe: bool = False) -> Report:
        return Report(self.code, node, message, replacement, fix_is_safe)


def ignored_here(context: FileContext, code: str) -> bool:
    """Whether `per-file-ignores` silences ``code`` in this file: then it cannot hold a finding,
    and need not be parsed for it."""
    return code_matches(code, context.config.ignored_codes(context.rel_path))


def interface_methods(context: FileContext, class_node) -> tuple[InterfaceMethod, ...]:
    """The interface methods of a connector class, read once per file for the four rules."""
    key = ("connector-interface", id(class_node))
    if key not in context.memo:
        context.memo[key] = tuple(_read_interface(context, class_node))
    return context.memo[key]


def _read_interface(context: FileContext, class_node):
    interface = connector_model(context).interface(context.rel_path, summary_of_classdef(class_node))
    body = class_node.body.body if isinstance(class_node.body, cst.IndentedBlock) else ()
    for method in body:
        if not isinstance(method, cst.FunctionDef) or method.name.value not in interface or _is_stub(method):
            continue
        if _declares_none(method):
            continue  # `-> None`: its outcome is reported otherwise (events, callbacks), by contract
        flow = scan_cst(method)
        if flow.yields:
            continue
        name, rewritable = method.name.value, _may_return_a_result(method)
        returned, through_variables = [], set()
        for statement in flow.returns:
            if statement.value is None:
                returned.append(Returned(name, statement, None, None, rewritable))
                continue
            for value, via in follow(flow, statement.value, CstSyntax).terminals:
                if via is None or id(value) not in through_variables:  # a variable returned twice: once
                    through_variables.add(id(value))
                    returned.append(Returned(name, statement, value, via, rewritable))
        abstract = any(_decorator_name(decorator) == "abstractmethod" for decorator in method.decorators)
        yield InterfaceMethod(
            name, class_node.name.value, method, tuple(returned), ends_open(method.body) and not abstract,
            frozenset(flow.exceptions),
        )


_PROMISES_NONE = re.compile(r"\bNone\b|\bOptional\b|\bNoReturn\b")
_PROMISES_MAPPING = re.compile(r"(?i)dict|mapping|result|any")


def _declares_none(method) -> bool:
    annotation = method.returns.annotation if method.returns is not None else None
    return isinstance(annotation, cst.Name) and annotation.value == "None"


def _may_return_a_result(method) -> bool:
    """Whether a ``None`` the method returns may be rewritten as a failure result: no return
    annotation, or one naming a mapping or result type without None (a method declared
    ``-> Optional[Order]`` has callers that test ``is None``)."""
    if method.returns is None:
        return True
    shown = cst.Module([]).code_for_node(method.returns.annotation)
    return _PROMISES_MAPPING.search(shown) is not None and _PROMISES_NONE.search(shown) is None


def _decorator_name(decorator) -> str:
    expression = decorator.decorator
    if isinstance(expression, cst.Call):
        expression = expression.func
    return (dotted(expression) or "").rsplit(".", 1)[-1]


# --- what a terminal is ----------------------------------------------------------------------------
def builds_canonical(context: FileContext, class_name: str, call) -> bool:
    """Whether a call returned by a connector method gives a canonical result: an interface
    method of the connector, a helper of the project that builds one, the runtime's, or a
    connector result (another connector's interface method, the gateway)."""
    func = call.func
    if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Call) and dotted(func.value.func) == "super":
        callee = f"super.{func.attr.value}"
    else:
        callee = dotted(func)
    if callee and returns_canonical(context, callee, class_name):
        return True
    return result_source(context, call, in_connector=True) is not None


def result_items(node) -> list[tuple[str, object, object]] | None:
    """(key, value, element) of a dict display whose keys are all plain strings, or of
    ``dict(...)`` / ``CanonicalResult(...)`` with keywords only; else None."""
    if isinstance(node, cst.Dict):
        items = []
        for element in node.elements:
            key = string_value(element.key) if isinstance(element, cst.DictElement) else None
            if key is None:
                return None
            items.append((key, element.value, element))
        return items
    if isinstance(node, cst.Call) and (dotted(node.func) or "").rsplit(".", 1)[-1] in ("dict", "CanonicalResult"):
        if not node.args or any(arg.keyword is None for arg in node.args):
            return None
        return [(arg.keyword.value, arg.value, arg) for arg in node.args]
    return None


def is_result(items: list[tuple[str, object, object]]) -> bool:
    """Whether a mapping is meant as a result: it says `success` or `error`. A payload that
    merely has a `data` key (a websocket message `{"op": ..., "data": ...}`) is not one."""
    return any(key in ("success", "error") for key, _, _ in items)


def written_results(method):
    """(returned, items) for each `return` of ``method`` that writes a result as a literal
    mapping (see `result_items` and `is_result`): what TG202-TG204 judge."""
    for returned in method.returned:
        items = result_items(returned.value) if returned.value is not None else None
        if items is not None and is_result(items):
            yield returned, items


def string_value(node) -> str | None:
    """The value of a plain string literal (not an f-string), else None."""
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


_LITERAL_KINDS = {
    "SimpleString": "str", "ConcatenatedString": "str", "FormattedString": "str",
    "Integer": "number", "Float": "number", "Imaginary": "number",
    "Tuple": "tuple", "List": "list", "ListComp": "list", "Set": "set", "SetComp": "set",
    "Dict": "dict", "DictComp": "dict", "GeneratorExp": "generator", "Comparison": "bool",
}
# Calls whose value is always a bool.
_BOOL_CALLS = frozenset(("bool", "isinstance", "issubclass", "callable", "hasattr", "all", "any"))
ARTICLES = {"None": "None", "bool": "a bool", "str": "a string", "number": "a number", "tuple": "a tuple",
            "list": "a list", "set": "a set", "dict": "a dict", "generator": "a generator"}


def literal_kind(node) -> str | None:
    """The type of a value that the text alone settles ("None", "bool", "str", "number", "tuple",
    "list", "set", "dict", "generator"): literals, comparisons (``r.status_code == 204``), ``not
    x``, ``isinstance(...)``; None for anything else."""
    if isinstance(node, cst.Name):
        return {"None": "None", "True": "bool", "False": "bool"}.get(node.value)
    if isinstance(node, cst.UnaryOperation):
        if isinstance(node.operator, cst.Not):
            return "bool"
        return "number" if isinstance(node.operator, cst.Minus) and literal_kind(node.expression) == "number" else None
    if isinstance(node, cst.Call):
        return "bool" if isinstance(node.func, cst.Name) and node.func.value in _BOOL_CALLS else None
    return _LITERAL_KINDS.get(type(node).__name__)


# --- reachability ----------------------------------------------------------------------------------
def _is_stub(method) -> bool:
    body = method.body.body if isinstance(method.body, cst.IndentedBlock) else [method.body]
    for statement in body:
        small = statement.body if isinstance(statement, (cst.SimpleStatementLine, cst.SimpleStatementSuite)) else None
        if small is None:
            return False
        for item in small:
            if isinstance(item, cst.Pass):
                continue
            if isinstance(item, cst.Expr) and isinstance(item.value, (cst.Ellipsis, cst.SimpleString, cst.ConcatenatedString)):
                continue
            return False
    return True


def ends_open(block) -> bool:
    """Whether running ``block`` can reach past its end (so a function would return None)."""
    statements = block.body if isinstance(block, cst.IndentedBlock) else [block]
    if not statements:
        return True
    last = statements[-1]
    if isinstance(last, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
        return not any(isinstance(item, (cst.Return, cst.Raise)) for item in last.body)
    if isinstance(last, cst.If):
        orelse = last.orelse
        if orelse is None:
            return True
        return ends_open(last.body) or (ends_open(orelse.body) if isinstance(orelse, cst.Else) else ends_open(cst.IndentedBlock(body=[orelse])))
    if isinstance(last, (cst.Try, cst.TryStar)):
        if last.finalbody is not None and not ends_open(last.finalbody.body):
            return False
        through_body = ends_open(last.body) and (last.orelse is None or ends_open(last.orelse.body))
        return through_body or any(ends_open(handler.body) for handler in last.handlers)
    if isinstance(last, cst.With):
        return ends_open(last.body)
    if isinstance(last, cst.While):
        forever = isinstance(last.test, cst.Name) and last.test.value == "True"
        return not forever or _contains_break(last.body)
    if isinstance(last, cst.Match):
        irrefutable = any(isinstance(case.pattern, cst.MatchAs) and case.pattern.pattern is None for case in last.cases)
        return not irrefutable or any(ends_open(case.body) for case in last.cases)
    return True


def _contains_break(node) -> bool:
    """Whether a ``break`` of this loop occurs in ``node`` (not in nested loops, functions, classes)."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Break):
            return True
        if isinstance(current, (cst.FunctionDef, cst.ClassDef, cst.Lambda, cst.For, cst.While)) and current is not node:
            continue
        stack.extend(current.children)
    return False
