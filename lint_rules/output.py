"""Rendering findings for people and machines: the one registry of output formats, shared by
`tradeguard check` and `tradeguard secrets`. Each format is one function of the findings.

The CI formats are imported only when asked for, so a pre-commit run's start-up does not pay
for them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from importlib import import_module

from lint_rules.findings import Finding

Renderer = Callable[[Sequence[Finding]], str]


def render_text(findings: Sequence[Finding]) -> str:
    return "".join(f"{f.path}:{f.line}:{f.column}: {f.code} {f.message}\n" for f in findings)


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


def render_json(findings: Sequence[Finding]) -> str:
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


def render(findings: Sequence[Finding], fmt: str) -> str:
    renderer = RENDERERS[fmt]
    if isinstance(renderer, str):
        module, _, function = renderer.partition(":")
        renderer = getattr(import_module(module), function)
    return renderer(findings)
