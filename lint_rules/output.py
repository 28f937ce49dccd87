"""Rendering findings for people and machines: the one registry of output formats, shared by
`tradeguard check` and `tradeguard secrets`. Each format is one function of the findings and of
a ``RenderContext`` (what some formats need besides them: the rule pages, colours, the source).

The CI formats are imported only when asked for, so a pre-commit run's start-up does not pay
for them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import import_module

from lint_rules.findings import Finding
from lint_rules.rules import RulePage


@dataclass(frozen=True)
class RenderContext:
    pages: Sequence[RulePage] = ()   # every code's page, for formats that describe the rules (SARIF)
    colour: bool = False             # ANSI colours, for text on a terminal
    source: Callable[[str], Sequence[str]] | None = None   # a path's lines, to show them (--show-source)


Renderer = Callable[[Sequence[Finding], RenderContext], str]

# ANSI styles, for text on a terminal
BOLD, RED, GREEN, CYAN, _RESET = "\x1b[1m", "\x1b[31m", "\x1b[32m", "\x1b[36m", "\x1b[0m"


def paint(text: str, *styles: str, colour: bool) -> str:
    return f"{''.join(styles)}{text}{_RESET}" if colour else text


def render_text(findings: Sequence[Finding], context: RenderContext) -> str:
    colour = context.colour
    lines = []
    for f in findings:
        where = paint(f"{f.path}:{f.line}:{f.column}:", BOLD, colour=colour)
        lines.append(f"{where} {paint(f.code, BOLD, RED, colour=colour)} {f.message}\n")
        if context.source is not None:
            lines.append(source_excerpt(f, context.source(f.path), colour))
    return "".join(lines)


def source_excerpt(finding: Finding, source: Sequence[str], colour: bool) -> str:
    """The reported line under the finding, its columns marked with carets (as ruff shows them)."""
    if not 1 <= finding.line <= len(source):
        return ""
    text = source[finding.line - 1].rstrip("\r\n").expandtabs(1)
    end = finding.end_column if finding.end_line == finding.line else len(text) + 1
    gutter = " " * len(str(finding.line))
    carets = paint("^" * max(1, end - finding.column), RED, colour=colour)
    bar = paint("|", CYAN, colour=colour)
    return (
        f"{gutter} {bar}\n"
        f"{paint(str(finding.line), CYAN, colour=colour)} {bar} {text}\n"
        f"{gutter} {bar} {' ' * (finding.column - 1)}{carets}\n\n"
    )


def report_row(finding: Finding) -> dict:
    """A finding as the JSON formats show it: the contract's fields, and ``type`` where the
    producer labels the finding (the secret type of TG301)."""
    row = {
        "code": finding.code, "path": finding.path, "line": finding.line, "column": finding.column,
        "end_line": finding.end_line, "end_column": finding.end_column, "message": finding.message,
    }
    if finding.kind is not None:
        row["type"] = finding.kind
    return row


def render_json(findings: Sequence[Finding], context: RenderContext) -> str:
    return json.dumps([report_row(finding) for finding in findings], indent=2) + "\n"


# name -> the renderer, or "module:function" for one imported on first use
RENDERERS: dict[str, Renderer | str] = {
    "text": render_text,
    "json": render_json,
    "sarif": "lint_rules.formats.sarif:render_sarif",
    "github": "lint_rules.formats.github:render_github",
    "gitlab": "lint_rules.formats.gitlab:render_gitlab",
}
FORMATS = tuple(sorted(RENDERERS))


def render(findings: Sequence[Finding], fmt: str, context: RenderContext = RenderContext()) -> str:
    renderer = RENDERERS[fmt]
    if isinstance(renderer, str):
        module, _, function = renderer.partition(":")
        renderer = getattr(import_module(module), function)
    return renderer(findings, context)
