"""Cython sources (`.pyx`, `.pxd`): LibCST cannot parse them, so TG101 reads them as text.

hummingbot's classic strategies and nautilus_trader's `Strategy` are Cython. Their order calls
are found by a token scan: comments and string literals are blanked first (positions kept),
then each `receiver.place_order(` is a call; the class around it, known from `class` /
`cdef class` lines and indentation, decides as in Python files whether `self.place_order(...)`
is the class's own business (see ``ClassScope``). What Python-only rules need (a syntax tree)
Cython files never get: no other rule reads them, and no fix rewrites them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lint_rules.context import FileContext
from lint_rules.findings import Finding

CYTHON_SUFFIXES = (".pyx", ".pxd")

_CLASS = re.compile(
    r"^(?P<indent>[ \t]*)(?:cdef[ \t]+(?:(?:public|api|extern|final)[ \t]+)*)?class[ \t]+(?P<name>\w+)"
    r"[ \t]*(?:\((?P<bases>[^)]*)\))?[ \t]*:",
    re.M,
)
# `def m(`, `cpdef object m(`, `cdef inline str c_m(`: the last word before the `(`.
_DEF = re.compile(
    r"^(?P<indent>[ \t]*)(?:async[ \t]+)?(?:def|cdef|cpdef)\b(?![ \t]+(?:\w+[ \t]+)*class\b)"
    r"[^(\n=:]*?\b(?P<name>\w+)[ \t]*\(",
    re.M,
)
# The receiver written right before `.place_order(`: `self`, `super()`, `self.markets[name]`.
_RECEIVER = re.compile(r"(?<![\w.\])])(?:\w+|super\(\s*\))(?:\.\w+|\[[^\]\n]*\])*[ \t]*$")
_STRING_OR_COMMENT = re.compile(
    r"""[rRbBuUfF]{0,2}(?:'''[\s\S]*?'''|\"\"\"[\s\S]*?\"\"\"|'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*")|#[^\n]*"""
)


def is_cython(rel_path: str) -> bool:
    return rel_path.endswith(CYTHON_SUFFIXES)


def blank_strings_and_comments(text: str) -> str:
    """``text`` with string literals and comments replaced by spaces (newlines kept), so that
    offsets, lines and columns stay where they were."""
    return _STRING_OR_COMMENT.sub(lambda match: re.sub(r"[^\n]", " ", match.group()), text)


@dataclass(frozen=True)
class CythonClass:
    name: str
    bases: list[str]
    methods: list[str]
    start: int      # offset of the `class` line
    end: int        # offset where its body ends
    indent: int


def cython_classes(code: str) -> list[CythonClass]:
    """The classes of blanked Cython ``code``, with their direct methods and extents."""
    found = []
    for match in _CLASS.finditer(code):
        indent = len(match.group("indent").expandtabs())
        end = _block_end(code, match.end(), indent)
        body = code[match.end():end]
        methods = [
            definition.group("name") for definition in _DEF.finditer(body)
            if len(definition.group("indent").expandtabs()) == _body_indent(body)
        ]
        bases = [base.strip().split("[")[0] for base in (match.group("bases") or "").split(",")]
        found.append(CythonClass(match.group("name"), [b for b in bases if b and "=" not in b], methods,
                                 match.start(), end, indent))
    return found


def _block_end(code: str, start: int, indent: int) -> int:
    """Where the block opened before ``start`` ends: the first non-blank line at ``indent`` or less."""
    for line in re.finditer(r"^([ \t]*)(\S)", code[start:], re.M):
        if line.start() == 0:
            continue  # the rest of the `class ...:` line
        if len(line.group(1).expandtabs()) <= indent:
            return start + line.start()
    return len(code)


def _body_indent(body: str) -> int:
    first = re.search(r"^([ \t]*)\S", body[body.find("\n") + 1:], re.M)
    return len(first.group(1).expandtabs()) if first else 0


def summarize_cython(text: str) -> dict:
    """The index entry of a Cython file: its classes (for class chains across files) and
    top-level functions; imports are not read (no Cython rule needs them)."""
    code = blank_strings_and_comments(text)
    return {
        "imports": {},
        # the index's ClassSummary: decorators and held classes are not read from Cython
        "classes": [
            {"name": cls.name, "bases": cls.bases, "methods": cls.methods, "kinds": {}, "uses": []}
            for cls in cython_classes(code)
        ],
        "functions": [match.group("name") for match in _DEF.finditer(code) if not match.group("indent")],
    }


def check_cython(context: FileContext) -> list[Finding]:
    """TG101 findings of a Cython file (before suppressions)."""
    from lint_rules.rules._orders import class_scope
    from lint_rules.rules.tg101_order_call import OrderMethodCall

    rule = OrderMethodCall
    if not context.config.is_code_enabled(rule.code) or not rule.applies_to(context):
        return []
    code = blank_strings_and_comments(context.text)
    classes = cython_classes(code)
    names = "|".join(map(re.escape, context.config.order_methods))
    findings = []
    for match in re.finditer(rf"\.[ \t]*(?P<method>{names})[ \t]*\(", code):
        line_start = code.rfind("\n", 0, match.start()) + 1
        written = _RECEIVER.search(code, line_start, match.start())
        receiver = written.group().strip() if written else ""
        enclosing = [cls for cls in classes if cls.start < match.start() < cls.end]
        if enclosing:
            cls = max(enclosing, key=lambda item: item.indent)
            scope = class_scope(context, cls.name, cls.bases, frozenset(cls.methods))
            via = "self" if receiver in ("self", "cls") else "super" if receiver.startswith("super") else None
            if scope.routes_own_method(via, match.group("method")):
                continue
        start = written.start() if written else match.start()
        line = code.count("\n", 0, start) + 1
        column = start - line_start + 1
        findings.append(Finding(
            rule.code, context.rel_path, line, column, line, match.end() - line_start + 1,
            rule.message.format(callee=f"{receiver or '…'}.{match.group('method')}"),
        ))
    return findings
