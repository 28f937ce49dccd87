"""Rewriting a result literal written in a ``return``, in the literal's own layout.

The fixes of TG201, TG202 and TG204 replace only a ``return`` statement or a literal written in
it (see ``returns``): never an assignment to a local, never a mapping that is not a result.
"""

from __future__ import annotations

from lint_rules.lazy import cst
from lint_rules.rules.results.returns import string_value

# The error message of a result the fixes invent, as the runtime words an empty error.
FALLBACK_ERROR = "unknown error"


def failure_result(method_name: str):
    return cst.parse_expression(f'{{"success": False, "error": "{method_name} returned no result", "data": {{}}}}')


def quote_of(items) -> str:
    for _, _, element in items:
        key = getattr(element, "key", None)
        if isinstance(key, cst.SimpleString):
            return key.quote[-1]
    return '"'


def _element(key: str, value, quote: str):
    return cst.DictElement(cst.SimpleString(f"{quote}{key}{quote}"), value)


def add_missing(node, keys: dict, missing: list[str], quote: str):
    """The dict with ``"error": None`` and / or ``"data": {}`` added, when that settles it: the
    error can only be None if the literal says the call succeeded."""
    success = keys.get("success", (None,))[0]
    succeeded = isinstance(success, cst.Name) and success.value == "True"
    if "success" in missing or ("error" in missing and not succeeded):
        return None
    defaults = {"error": cst.Name("None"), "data": cst.Dict([])}
    return _with_elements(node, [*node.elements, *(_element(key, defaults[key], quote) for key in missing)])


def move_payload(node, keys: dict, extra: list[str], quote: str):
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
