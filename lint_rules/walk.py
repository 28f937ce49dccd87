"""A read-only walk of a LibCST tree: every rule's ``visit_X`` / ``leave_X`` in one pass.

``module.visit()`` rebuilds (and re-validates) every node it passes, even for a visitor that
changes nothing: on hummingbot's connectors that cost 2.3x the parse itself. This walk only reads
attributes. It visits the children of a node in the order LibCST's own visit does (lexical
order: decorators before the name, the body of ``a if c else b`` before its test), read once per
node type from LibCST's ``_visit_and_replace_children`` (its bytecode, not its source: reading
source costs a one-file run 40 ms). It is iterative, so a deep tree cannot
exhaust the interpreter's stack, and it does not enter whitespace, comments and punctuation,
which no rule visits.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from functools import lru_cache

from lint_rules.lazy import cst

# Fields that only ever hold layout (whitespace, comments, brackets, separators).
_LAYOUT_FIELDS = frozenset((
    "lpar", "rpar", "lbracket", "rbracket", "lbrace", "rbrace", "comma", "semicolon", "colon",
    "leading_lines", "lines_after_decorators", "trailing_whitespace", "leading_whitespace",
    "header", "footer", "equal", "first_colon", "second_colon", "whitespace_before_colon",
))


def walk(module, visits: dict[str, list[Callable]], leaves: dict[str, list[Callable]]) -> None:
    """Call ``visits[T]`` entering and ``leaves[T]`` leaving each node of type name T, depth first."""
    is_node = _node_types()
    stack: list = [module]
    pop, push = stack.pop, stack.append
    while stack:
        item = pop()
        if type(item) is tuple:  # (node,): its subtree is done
            node = item[0]
            for method in leaves[type(node).__name__]:
                method(node)
            continue
        cls = type(item)
        name = cls.__name__
        for method in visits.get(name, ()):
            method(item)
        if name in leaves:
            push((item,))
        for field in reversed(child_fields(cls)):
            value = getattr(item, field)
            kind = type(value)
            if kind is list or kind is tuple:
                stack.extend(reversed([child for child in value if is_node[type(child)]]))
            elif is_node[kind]:
                push(value)


class _NodeTypes(dict):
    """Whether a type is a LibCST node type, by type: ``isinstance`` of ``CSTNode``, an abstract
    base class, took a fifth of the walk."""

    def __missing__(self, kind: type) -> bool:
        self[kind] = issubclass(kind, cst.CSTNode)
        return self[kind]


@lru_cache(maxsize=1)
def _node_types() -> _NodeTypes:
    return _NodeTypes()


@lru_cache(maxsize=None)
def child_fields(cls: type) -> tuple[str, ...]:
    """The fields of a node type that may hold rule-visible children, in LibCST's visiting order."""
    names = _visiting_order(cls)
    return tuple(name for name in names if name not in _LAYOUT_FIELDS and not name.startswith("whitespace"))


def _visiting_order(cls: type) -> list[str]:
    """The keyword order of the constructor call ``_visit_and_replace_children`` returns (it visits
    each child as it builds that argument), read from the method's constants, where CPython keeps
    a call's keyword names as one tuple; the dataclass field order where there is none."""
    fields = [field.name for field in dataclasses.fields(cls)]
    method = next((klass.__dict__["_visit_and_replace_children"] for klass in cls.__mro__
                   if "_visit_and_replace_children" in klass.__dict__), None)
    names = [
        constant for constant in getattr(getattr(method, "__code__", None), "co_consts", ())
        if isinstance(constant, tuple) and constant and all(isinstance(name, str) and name in fields for name in constant)
    ]
    ordered = list(max(names, key=len)) if names else []
    return ordered + [name for name in fields if name not in ordered]
