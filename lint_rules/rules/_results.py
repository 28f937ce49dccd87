"""What the canonical-result rules (TG201-TG205) share.

TG201-TG204 judge the returns of connector methods. One analysis per connector class finds every
problem of the four codes (each rule reports its own), so a file is read once however many of
them are enabled. TG201 and TG205 share the knowledge of which calls return connector results.

A connector method's return is followed to what builds it: through ``await``, both branches of
``x if c else y`` and of ``and`` / ``or``, and local variables by all their assignments. A
variable that is bound to something not followed (a parameter, a loop variable) or built up
piecewise (``result["data"] = ...``, ``result.update(...)``) is not judged; neither are
attributes, subscripts and other expressions whose value cannot be known from the file. Returns
in nested functions and lambdas belong to them. Generators are not checked (they return
iterators by design), nor are stubs (a body of only a docstring, ``pass`` or ``...``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from lint_rules.config import Config
from lint_rules.context import FileContext
from lint_rules.index import CANONICAL_KEYS, MAPPING_BUILDERS, ROUTE_FUNCTIONS
from lint_rules.lazy import cst
from lint_rules.rule import Report, Rule
from lint_rules.rules._orders import describe, dotted

# Decorators after which a method is not a connector operation: attribute-like or class-level.
_NOT_OPERATIONS = frozenset(("property", "cached_property", "setter", "getter", "deleter", "staticmethod", "classmethod"))
# Methods that change a mapping in place: a variable they are called on is built piecewise.
_MUTATORS = frozenset(("update", "setdefault", "pop", "popitem", "clear", "__setitem__", "__delitem__"))
_GATEWAY_CLASSES = frozenset(("tradeguard.OrderGateway", "tradeguard.gateway.OrderGateway"))
# The error message of a result the fixes invent, as the runtime words an empty error.
FALLBACK_ERROR = "unknown error"


class ConnectorResultRule(Rule):
    """Base of TG201-TG204: reports the problems of its own code found in connector classes.

    A connector class can be any class (a subclass of a base defined elsewhere), so no literal
    token marks the files: ``applies_to`` asks the project index instead whether the file defines
    a connector class, and files that do not are never parsed for these rules.
    """

    @classmethod
    def tokens(cls, config: Config) -> tuple[str, ...]:
        return ()

    @classmethod
    def applies_to(cls, context: FileContext) -> bool:
        return defines_connector_class(context)

    def visit_ClassDef(self, node) -> None:
        # The family is analysed once per class; each rule keeps the reports of its own code.
        self.reports.extend(report for report in class_problems(self.context, node) if report.code == self.code)


def defines_connector_class(context: FileContext) -> bool:
    """Whether the file defines a class that is a connector, by the project index (no parsing)."""
    if "defines-connector" not in context.memo:
        summary = context.index.summaries.get(context.rel_path)
        if summary is None:  # not indexed (a caller without a project): decide after parsing
            found = True
        else:
            classes = summary.get("classes", ())
            found = bool(classes) and (
                context.is_connector
                or any(context.index.is_connector_class(cls["name"], cls["bases"]) for cls in classes)
            )
        context.memo["defines-connector"] = found
    return context.memo["defines-connector"]


def is_connector_classdef(context: FileContext, node) -> bool:
    bases = [dotted(arg.value) or "" for arg in node.bases]
    return context.is_connector or context.index.is_connector_class(node.name.value, bases)


def class_problems(context: FileContext, node) -> list[Report]:
    """Every TG201-TG204 problem of the class's own checked methods (computed once per file)."""
    key = ("connector-class-problems", id(node))
    if key not in context.memo:
        problems: list[Report] = []
        if is_connector_classdef(context, node):
            for method in checked_methods(node):
                problems.extend(_MethodCheck(context, node.name.value, method).problems())
        context.memo[key] = problems
    return context.memo[key]


def checked_methods(class_node) -> list:
    """Public methods that are operations: not ``_private``, dunder, property, static or class methods."""
    body = class_node.body.body if isinstance(class_node.body, cst.IndentedBlock) else ()
    return [
        statement for statement in body
        if isinstance(statement, cst.FunctionDef)
        and not statement.name.value.startswith("_")
        and not any(_decorator_name(decorator) in _NOT_OPERATIONS for decorator in statement.decorators)
    ]


def _decorator_name(decorator) -> str:
    expression = decorator.decorator
    if isinstance(expression, cst.Call):
        expression = expression.func
    return (dotted(expression) or "").rsplit(".", 1)[-1]


# --- calls whose value is a connector result (TG201 and TG205) --------------------------------
def result_source(context: FileContext, call, *, in_connector: bool, instance_kind=None) -> str | None:
    """Why ``call`` returns a connector result ("order method `place_order`", "connector method
    `quote`", "the gateway", "gateway function `submit_order`"), or None if it is not known to.

    ``instance_kind(receiver)`` may tell what the receiver holds ("connector", "gateway"), as far
    as the caller tracks it; receivers are also recognised by name (see ``kind_by_name``). Inside
    connector code (``in_connector``) an order method called on anything else is taken for the
    broker SDK's, whose reply is raw.
    """
    func = call.func
    if isinstance(func, cst.Attribute):
        method = func.attr.value
        if method in context.config.order_methods and not in_connector:
            return f"order method `{method}`"
        kind = (instance_kind(func.value) if instance_kind else None) or kind_by_name(func.value)
        if kind == "connector" and not method.startswith("_"):
            return f"connector method `{method}`"
        if kind == "gateway" and method == "submit":
            return "the gateway"
    callee = dotted(func)
    if callee is None:
        return None
    if context.index.qualify(context.rel_path, callee) in ROUTE_FUNCTIONS:
        return "the gateway"
    if context.index.is_gateway_function(context.rel_path, callee):
        return f"gateway function `{callee}`"
    return None


def kind_by_name(node) -> str | None:
    """"connector" or "gateway" for receivers named as such: ``connector``, ``self.oanda_connector``,
    ``self.connectors[venue]``, ``connectors.get(venue)``, ``gateway``, ``self.gateway``."""
    if isinstance(node, cst.Subscript):
        holder, plural = node.value, True
    elif isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "get":
        holder, plural = node.func.value, True
    else:
        holder, plural = node, False
    if isinstance(holder, cst.Name):
        name = holder.value
    elif isinstance(holder, cst.Attribute):
        name = holder.attr.value
    else:
        return None
    name = name.lower().lstrip("_")
    for kind in ("connector", "gateway"):
        noun = f"{kind}s" if plural else kind
        if name == noun or name.endswith(f"_{noun}"):
            return kind
    return None


def instance_kind_of_class(context: FileContext, dotted_name: str | None) -> str | None:
    """"connector" or "gateway" when ``dotted_name`` names a connector class or the gateway class."""
    if not dotted_name:
        return None
    if context.index.qualify(context.rel_path, dotted_name) in _GATEWAY_CLASSES:
        return "gateway"
    if context.index.names_connector_class(context.rel_path, dotted_name):
        return "connector"
    return None


def unwrap(node):
    """The expression inside ``await``."""
    while isinstance(node, cst.Await):
        node = node.expression
    return node


def string_value(node) -> str | None:
    """The value of a plain string literal (not an f-string), else None."""
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


# --- literals ------------------------------------------------------------------------------
_LITERAL_KINDS = {
    "SimpleString": "str", "ConcatenatedString": "str", "FormattedString": "str",
    "Integer": "number", "Float": "number", "Imaginary": "number",
    "Tuple": "tuple", "List": "list", "ListComp": "list", "Set": "set", "SetComp": "set",
    "Dict": "dict", "DictComp": "dict", "GeneratorExp": "generator",
}
_ARTICLES = {"None": "None", "bool": "a bool", "str": "a string", "number": "a number", "tuple": "a tuple",
             "list": "a list", "set": "a set", "dict": "a dict", "generator": "a generator"}


def literal_kind(node) -> str | None:
    """The type of a literal ("None", "bool", "str", "number", "tuple", "list", "set", "dict",
    "generator"), or None for anything whose type cannot be read from the text."""
    if isinstance(node, cst.Name):
        return {"None": "None", "True": "bool", "False": "bool"}.get(node.value)
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        return "number" if literal_kind(node.expression) == "number" else None
    return _LITERAL_KINDS.get(type(node).__name__)


# --- one connector method ---------------------------------------------------------------------
class _MethodCheck:
    """The TG201-TG204 problems of one public connector method."""

    def __init__(self, context: FileContext, class_name: str, method) -> None:
        self.context = context
        self.class_name = class_name
        self.method = method
        self.name = method.name.value
        self.scan = _scan(method)
        self.found: list[Report] = []
        self.judged: set[int] = set()  # ids of dicts and values already judged (a name may be returned twice)

    def problems(self) -> list[Report]:
        if self.scan.yields or _is_stub(self.method):
            return []
        for statement in self.scan.returns:
            if statement.value is None:
                self.found.append(Report(
                    "TG201", statement, f"`{self.name}` returns None (a bare `return`) instead of a canonical result",
                    replacement=statement.with_changes(
                        value=_failure_result(self.name), whitespace_after_return=cst.SimpleWhitespace(" "),
                    ),
                ))
            else:
                for terminal, via in self._terminals(statement.value, None, frozenset()):
                    self._judge(terminal, via)
        if _ends_open(self.method.body) and not any(_decorator_name(d) == "abstractmethod" for d in self.method.decorators):
            self.found.append(Report(
                "TG201", self.method.name,
                f"`{self.name}` can end without a `return`, so it returns None: return a canonical result on every path",
            ))
        return self.found

    def _terminals(self, node, via: str | None, seen: frozenset[str]):
        """The expressions a returned value is built from, each with the variable it came through."""
        node = unwrap(node)
        if isinstance(node, cst.IfExp):
            yield from self._terminals(node.body, via, seen)
            yield from self._terminals(node.orelse, via, seen)
        elif isinstance(node, cst.BooleanOperation):
            yield from self._terminals(node.left, via, seen)
            yield from self._terminals(node.right, via, seen)
        elif isinstance(node, cst.Name) and node.value not in ("None", "True", "False"):
            values = self.scan.bindings.get(node.value)
            if not values or None in values or node.value in self.scan.mutated or node.value in seen:
                return  # a parameter, a global, or a value not followed: not judged
            for value in values:
                yield from self._terminals(value, node.value, seen | {node.value})
        elif id(node) not in self.judged:
            self.judged.add(id(node))
            yield node, via

    def _judge(self, node, via: str | None) -> None:
        returned = f"`{self.name}` returns" + (f" `{via}`, which holds" if via else "")
        if isinstance(node, cst.Call):
            callee = dotted(node.func)
            if callee in MAPPING_BUILDERS or (callee or "").endswith(".CanonicalResult"):
                items = _keyword_items(node)
                if items is not None:
                    self._judge_items(node, items, returned, fixable=False)
                return
            if not self._builds_canonical(node):
                self.found.append(Report(
                    "TG201", node,
                    f"{returned} `{describe(node.func)}(...)`, not known to be a canonical result: "
                    "wrap it in `tradeguard.normalize(...)` or build one with `ok(...)` / `fail(...)`",
                ))
            return
        kind = literal_kind(node)
        if isinstance(node, cst.Dict):
            items = _dict_items(node)
            if items is not None:
                self._judge_items(node, items, returned, fixable=True)
        elif kind == "None":
            self.found.append(Report(
                "TG201", node, f"{returned} None instead of a canonical result", replacement=_failure_result(self.name),
            ))
        elif kind is not None:
            self.found.append(Report("TG201", node, f"{returned} {_ARTICLES[kind]} instead of a canonical result"))

    def _builds_canonical(self, call) -> bool:
        func = call.func
        if isinstance(func, cst.Attribute) and (
            (isinstance(func.value, cst.Name) and func.value.value == "self")
            or (isinstance(func.value, cst.Call) and dotted(func.value.func) == "super")
        ):
            if not func.attr.value.startswith("_"):
                return True  # another public method of this connector: checked itself
            callee = f"{'self' if isinstance(func.value, cst.Name) else 'super'}.{func.attr.value}"
        else:
            callee = dotted(func)
        if callee and self.context.index.returns_canonical(self.context.rel_path, callee, self.class_name):
            return True
        return result_source(self.context, call, in_connector=True) is not None

    def _judge_items(self, node, items: list[tuple[str, object, object]], returned: str, fixable: bool) -> None:
        keys = {key: (value, element) for key, value, element in items}
        present = CANONICAL_KEYS & keys.keys()
        extra = [key for key, _, _ in items if key not in CANONICAL_KEYS]
        if not present:
            shown = ", ".join(f"`{key}`" for key in extra) or "nothing"
            self.found.append(Report(
                "TG201", node,
                f"{returned} a raw payload ({shown}) instead of a canonical result: wrap it as `ok({{...}})`",
            ))
            return
        missing = sorted(CANONICAL_KEYS - present, key=("success", "error", "data").index)
        quote = _quote_of(items)
        if missing:
            self.found.append(Report(
                "TG201", node,
                f"{returned} a result without {' and '.join(f'`{key}`' for key in missing)}",
                replacement=_add_missing(node, keys, missing, quote) if fixable else None, fix_is_safe=True,
            ))
        if extra:
            self.found.append(Report(
                "TG202", node,
                f"{returned} broker payload at the top level of its result "
                f"({', '.join(f'`{key}`' for key in extra)}): move it under `data`",
                replacement=_move_payload(node, keys, extra, quote) if fixable else None,
            ))
        self._judge_types(keys)
        self._judge_contradiction(keys, quote)

    def _judge_types(self, keys: dict) -> None:
        allowed = {"success": ("bool",), "error": ("str", "None"), "data": ("dict",)}
        wanted = {"success": "a bool", "error": "a string or None", "data": "a mapping"}
        for key in ("success", "error", "data"):
            if key in keys:
                kind = literal_kind(keys[key][0])
                if kind is not None and kind not in allowed[key]:
                    self.found.append(Report(
                        "TG203", keys[key][0], f"`{key}` of `{self.name}`'s result is {_ARTICLES[kind]}, not {wanted[key]}",
                    ))

    def _judge_contradiction(self, keys: dict, quote: str) -> None:
        if "success" not in keys or "error" not in keys:
            return
        success, error = keys["success"][0], keys["error"][0]
        if not isinstance(success, cst.Name) or literal_kind(error) not in ("str", "None"):
            return
        if success.value == "True" and literal_kind(error) == "str":
            self.found.append(Report(
                "TG204", success, f"`{self.name}`'s result says `success` True but carries an `error`",
                replacement=success.with_changes(value="False"),
            ))
        elif success.value == "False" and literal_kind(error) == "None":
            self.found.append(Report(
                "TG204", error, f"`{self.name}`'s result says `success` False but its `error` is None: give the reason",
                replacement=cst.SimpleString(f"{quote}{FALLBACK_ERROR}{quote}"),
            ))


def _dict_items(node) -> list[tuple[str, object, object]] | None:
    """(key, value, element) of a dict display whose keys are all plain strings, else None."""
    items = []
    for element in node.elements:
        key = string_value(element.key) if isinstance(element, cst.DictElement) else None
        if key is None:
            return None
        items.append((key, element.value, element))
    return items


def _keyword_items(call) -> list[tuple[str, object, object]] | None:
    """(key, value, argument) of ``dict(...)`` / ``CanonicalResult(...)`` with keywords only."""
    if not call.args or any(arg.keyword is None for arg in call.args):
        return None
    return [(arg.keyword.value, arg.value, arg) for arg in call.args]


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


def _ends_open(block) -> bool:
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
        return _ends_open(last.body) or (_ends_open(orelse.body) if isinstance(orelse, cst.Else) else _ends_open_if(orelse))
    if isinstance(last, (cst.Try, cst.TryStar)):
        if last.finalbody is not None and not _ends_open(last.finalbody.body):
            return False
        through_body = _ends_open(last.body) and (last.orelse is None or _ends_open(last.orelse.body))
        return through_body or any(_ends_open(handler.body) for handler in last.handlers)
    if isinstance(last, cst.With):
        return _ends_open(last.body)
    if isinstance(last, cst.While):
        forever = isinstance(last.test, cst.Name) and last.test.value == "True"
        return not forever or _contains(last.body, cst.Break)
    if isinstance(last, cst.Match):
        irrefutable = any(isinstance(case.pattern, cst.MatchAs) and case.pattern.pattern is None for case in last.cases)
        return not irrefutable or any(_ends_open(case.body) for case in last.cases)
    return True


def _ends_open_if(node) -> bool:
    """``_ends_open`` for an ``elif`` chain (an ``If`` standing in an ``orelse``)."""
    return _ends_open(cst.IndentedBlock(body=[node]))


# --- fixes -------------------------------------------------------------------------------------
def _failure_result(method_name: str):
    return cst.parse_expression(f'{{"success": False, "error": "{method_name} returned no result", "data": {{}}}}')


def _quote_of(items) -> str:
    for _, _, element in items:
        key = getattr(element, "key", None)
        if isinstance(key, cst.SimpleString):
            return key.quote[-1]
    return '"'


def _element(key: str, value, quote: str):
    return cst.DictElement(cst.SimpleString(f"{quote}{key}{quote}"), value)


def _add_missing(node, keys: dict, missing: list[str], quote: str):
    """The dict with ``"error": None`` and / or ``"data": {}`` added, when that settles it: the
    error can only be None if the literal says the call succeeded."""
    success = keys.get("success", (None,))[0]
    succeeded = isinstance(success, cst.Name) and success.value == "True"
    if "success" in missing or ("error" in missing and not succeeded):
        return None
    defaults = {"error": cst.Name("None"), "data": cst.Dict([])}
    return _with_elements(node, [*node.elements, *(_element(key, defaults[key], quote) for key in missing)])


def _move_payload(node, keys: dict, extra: list[str], quote: str):
    """The dict with its payload keys moved into ``data`` (created if absent, merged if a dict
    display; no fix when ``data`` is some other expression)."""
    moved = [keys[key][1].with_changes(comma=cst.MaybeSentinel.DEFAULT) for key in extra]
    kept = [element for element in node.elements if string_value(element.key) not in extra]
    if "data" not in keys:
        return _with_elements(node, [*kept, _element("data", _with_elements(cst.Dict([]), moved), quote)])
    data_value, data_element = keys["data"]
    if not isinstance(data_value, cst.Dict):
        return None
    merged = data_element.with_changes(value=_with_elements(data_value, [*data_value.elements, *moved]))
    return _with_elements(node, [merged if element is data_element else element for element in kept])


def _with_elements(node, elements: list):
    """``node`` (a dict display) holding ``elements``, laid out as the display was: elements keep
    their own separators, new ones get one like the display's (on a new line in a multi-line
    display), the last element keeps the display's trailing comma, if any, and a comment that
    followed the old last element stays on its line."""
    old = node.elements
    trailing = old[-1].comma if old else cst.MaybeSentinel.DEFAULT
    old_last_key = old[-1].key if old else None
    opening, closing = node.lbrace.whitespace_after, node.rbrace.whitespace_before
    multiline = isinstance(opening, cst.ParenthesizedWhitespace)

    def separator(first_line=None):
        if not multiline:
            return cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
        return cst.Comma(whitespace_after=cst.ParenthesizedWhitespace(
            first_line=first_line or cst.TrailingWhitespace(), indent=opening.indent, last_line=opening.last_line,
        ))

    rbrace = node.rbrace
    laid_out = []
    for element in elements[:-1]:
        if old_last_key is not None and element.key is old_last_key:
            if multiline and isinstance(closing, cst.ParenthesizedWhitespace):
                comma = separator(closing.first_line)
                rbrace = rbrace.with_changes(whitespace_before=closing.with_changes(first_line=cst.TrailingWhitespace()))
            else:
                comma = separator()
        else:
            comma = element.comma if isinstance(element.comma, cst.Comma) else separator()
        laid_out.append(element.with_changes(comma=comma))
    if elements:
        laid_out.append(elements[-1].with_changes(comma=trailing))
    return node.with_changes(elements=laid_out, rbrace=rbrace)


# --- scanning a method body ---------------------------------------------------------------------
@dataclass
class _Scan:
    returns: list
    bindings: dict[str, list]   # name -> values assigned (None: bound to something not followed)
    mutated: set[str]
    yields: bool = False


def _scan(method) -> _Scan:
    scan = _Scan([], {}, set())
    for param in (*method.params.posonly_params, *method.params.params, *method.params.kwonly_params):
        scan.bindings[param.name.value] = [None]
    for param in (method.params.star_arg, method.params.star_kwarg):
        if isinstance(param, cst.Param):
            scan.bindings[param.name.value] = [None]
    method.body.visit(_scanner_class()(scan))
    return scan


def _contains(node, node_type) -> bool:
    """Whether ``node_type`` occurs in ``node`` (outside nested functions and classes)."""
    found = []
    node.visit(_finder_class()(node_type, found))
    return bool(found)


@lru_cache(maxsize=1)
def _finder_class():
    class Finder(cst.CSTVisitor):
        def __init__(self, node_type, found: list) -> None:
            super().__init__()
            self.node_type = node_type
            self.found = found

        def on_visit(self, node) -> bool:
            if isinstance(node, self.node_type):
                self.found.append(node)
            return not self.found and not isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda))

    return Finder


@lru_cache(maxsize=1)
def _scanner_class():
    """Built on first use so that importing this module does not import LibCST."""

    class Scanner(cst.CSTVisitor):
        """Returns, bindings and in-place changes of one function body, not of nested scopes."""

        def __init__(self, scan: _Scan) -> None:
            super().__init__()
            self.scan = scan

        def _bind(self, target, value) -> None:
            if isinstance(target, cst.Name):
                self.scan.bindings.setdefault(target.value, []).append(value)
            elif isinstance(target, (cst.Tuple, cst.List)):
                for element in target.elements:
                    self._bind(element.value, None)
            elif isinstance(target, cst.StarredElement):
                self._bind(target.value, None)
            elif isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name):
                self.scan.mutated.add(target.value.value)

        def visit_FunctionDef(self, node) -> bool:
            return False

        def visit_ClassDef(self, node) -> bool:
            return False

        def visit_Lambda(self, node) -> bool:
            return False

        def visit_Return(self, node) -> None:
            self.scan.returns.append(node)

        def visit_Yield(self, node) -> None:
            self.scan.yields = True

        def visit_Assign(self, node) -> None:
            for target in node.targets:
                self._bind(target.target, node.value if isinstance(target.target, cst.Name) else None)

        def visit_AnnAssign(self, node) -> None:
            if node.value is not None:
                self._bind(node.target, node.value)

        def visit_AugAssign(self, node) -> None:
            self._bind(node.target, None)

        def visit_NamedExpr(self, node) -> None:
            self._bind(node.target, node.value)

        def visit_For(self, node) -> None:
            self._bind(node.target, None)

        def visit_WithItem(self, node) -> None:
            if node.asname is not None:
                self._bind(node.asname.name, None)

        def visit_ExceptHandler(self, node) -> None:
            if node.name is not None:
                self._bind(node.name.name, None)

        def visit_Del(self, node) -> None:
            self._bind(node.target, None)

        def visit_Call(self, node) -> None:
            func = node.func
            if isinstance(func, cst.Attribute) and func.attr.value in _MUTATORS and isinstance(func.value, cst.Name):
                self.scan.mutated.add(func.value.value)

    return Scanner
