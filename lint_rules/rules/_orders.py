"""What the order-routing rules (TG101, TG102) share: which names are order methods, and
which code is exempt because it belongs to a connector."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import ClassVar

from lint_rules.config import Config
from lint_rules.context import FileContext
from lint_rules.lazy import cst
from lint_rules.rule import Rule
from lint_rules.rules.results.connectors import connector_model


def dotted(node) -> str | None:
    """``a.b.c`` for a Name/Attribute chain, else None."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        inner = dotted(node.value)
        return f"{inner}.{node.attr.value}" if inner else None
    return None


def describe(node) -> str:
    """A short human name for a callee or receiver, for messages (never the full source)."""
    name = dotted(node)
    if name:
        return name
    if isinstance(node, cst.Attribute):
        return f"{describe(node.value)}.{node.attr.value}"
    if isinstance(node, cst.Subscript):
        return f"{describe(node.value)}[…]"
    if isinstance(node, cst.Call):
        return f"{describe(node.func)}()"
    return "…"


def imported_order_function(context: FileContext, local_name: str) -> bool:
    """Whether ``local_name`` was imported as a function with an order-method name."""
    qualified = context.imports.get(local_name)
    return qualified is not None and qualified.rsplit(".", 1)[-1] in context.config.order_methods


def is_self_or_super(node) -> bool:
    if isinstance(node, cst.Name):
        return node.value in ("self", "cls")
    return (
        isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value == "super"
    )


@dataclass(frozen=True)
class ClassScope:
    """What the order-routing rules know about the class the walk is in."""

    is_connector: bool
    is_gateway: bool                      # a `gateway-classes` class or a subclass of one
    own_methods: frozenset[str]           # defined in its body
    inherited_methods: frozenset[str]     # defined in the project classes it derives from

    def routes_own_method(self, via: str | None, method: str) -> bool:
        """Whether ``self.method`` (``via="self"``) or ``super().method`` (``via="super"``) is
        the class's own business: the connector's own order method, the gateway class's
        inherited one, or a method the project defines in this class or a base, whose body
        this rule checks where it is. Any other receiver (``via=None``) is not."""
        if via is None:
            return False
        if self.is_connector or self.is_gateway or method in self.inherited_methods:
            return True
        return via == "self" and method in self.own_methods  # super() skips the class's own


def class_scope(context: FileContext, name: str, bases: list[str], own_methods: frozenset[str]) -> ClassScope:
    ancestors = [cls for _, cls in context.index.ancestors(bases)]
    # the names of every class in the chain, those outside the project (a library's) too
    chain = {name, *(base.rsplit(".", 1)[-1] for base in (*bases, *(base for cls in ancestors for base in cls["bases"])))}
    return ClassScope(
        is_connector=connector_model(context).is_connector(
            context.rel_path, {"name": name, "bases": list(bases), "methods": sorted(own_methods), "kinds": {}, "uses": []},
        ),
        is_gateway=bool(chain & set(context.config.gateway_classes)),
        own_methods=own_methods,
        inherited_methods=frozenset(method for cls in ancestors for method in cls["methods"]),
    )


def receiver_kind(node) -> str | None:
    """``"self"`` for ``self`` / ``cls``, ``"super"`` for ``super()``, else None."""
    if isinstance(node, cst.Name) and node.value in ("self", "cls"):
        return "self"
    return "super" if is_self_or_super(node) else None


class ClassScopeTracker:
    """Mixin for rules: knows the class the walk is in (see ``ClassScope``)."""

    def visit_ClassDef(self, node) -> None:
        bases = [dotted(arg.value) or "" for arg in node.bases]
        own = frozenset(statement.name.value for statement in node.body.body if isinstance(statement, cst.FunctionDef))
        self.__dict__.setdefault("_class_stack", []).append(class_scope(self.context, node.name.value, bases, own))

    def leave_ClassDef(self, node) -> None:
        self._class_stack.pop()

    def routes_own_method(self, receiver, method: str) -> bool:
        stack = self.__dict__.get("_class_stack")
        return bool(stack) and stack[-1].routes_own_method(receiver_kind(receiver), method)


class OrderRoutingRule(Rule):
    """TG101–TG103: orders may leave only through gateway and connector paths."""

    @classmethod
    def applies_to(cls, context: FileContext) -> bool:
        return not (context.is_gateway or context.is_connector)


class OrderMethodRule(ClassScopeTracker, OrderRoutingRule):
    """TG101, TG102: about the configured order methods, so their names are the tokens; each
    rule names the text around them that a finding needs (a call, a reference), checked before
    the file is parsed: a file that only defines `place_order` or only calls it is parsed for
    one of the two rules, not both."""

    # A regex per order method, with `{name}` for the name and `{start}` after it for `\b` before
    # it: a pattern that starts with the name is searched ten times faster than one starting with
    # `\b` or a look-behind, which are tried at every character.
    needed_text: ClassVar[str]

    @classmethod
    def tokens(cls, config: Config) -> tuple[str, ...]:
        return config.order_methods

    @classmethod
    def applies_to(cls, context: FileContext) -> bool:
        pattern = _needed_pattern(cls.needed_text, context.config.order_methods)
        return super().applies_to(context) and pattern.search(context.text) is not None


@lru_cache(maxsize=16)
def _needed_pattern(template: str, order_methods: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(
        template.format(name=re.escape(name), start=_word_start_behind(name)) for name in order_methods
    ) or "(?!)")


def _word_start_behind(name: str) -> str:
    """What ``\b`` before ``name`` says, as a look-behind from the end of ``name``."""
    if re.match(r"\w", name):
        return rf"(?<!\w{re.escape(name)})"
    return rf"(?<=\w{re.escape(name)})"
