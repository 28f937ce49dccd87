"""What the order-routing rules (TG101, TG102) share: which names are order methods, and
which code is exempt because it belongs to a connector."""

from __future__ import annotations

from lint_rules.config import Config
from lint_rules.context import FileContext
from lint_rules.lazy import cst
from lint_rules.rule import Rule


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


class ConnectorClassTracker:
    """Mixin for rules: knows whether the walk is inside a connector class (by the project index),
    where a connector calling or passing on its own order method is its own business."""

    def visit_ClassDef(self, node) -> None:
        from lint_rules.rules.results.connectors import connector_model, summary_of_classdef  # one model of connectors

        stack = self.__dict__.setdefault("_class_stack", [])
        stack.append(connector_model(self.context).is_connector(self.context.rel_path, summary_of_classdef(node)))

    def leave_ClassDef(self, node) -> None:
        self._class_stack.pop()

    def in_connector_class(self) -> bool:
        stack = self.__dict__.get("_class_stack")
        return bool(stack) and stack[-1]


class OrderRoutingRule(Rule):
    """TG101–TG103: orders may leave only through gateway and connector paths."""

    @classmethod
    def applies_to(cls, context: FileContext) -> bool:
        return not (context.is_gateway or context.is_connector)


class OrderMethodRule(ConnectorClassTracker, OrderRoutingRule):
    """TG101, TG102: about the configured order methods, so their names are the tokens."""

    @classmethod
    def tokens(cls, config: Config) -> tuple[str, ...]:
        return config.order_methods
