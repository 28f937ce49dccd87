"""Rendering findings for people and machines. Each format is one function of the findings."""

from __future__ import annotations

import json
from collections.abc import Callable

from lint_rules.findings import Finding
from lint_rules.formats.github import render_github
from lint_rules.formats.gitlab import render_gitlab
from lint_rules.formats.sarif import render_sarif


def render_text(findings: list[Finding]) -> str:
    lines = [f"{f.path}:{f.line}:{f.column}: {f.code} {f.message}" for f in findings]
    if findings:
        lines.append(f"Found {len(findings)} finding{'s' if len(findings) != 1 else ''}.")
    return "\n".join(lines) + ("\n" if lines else "")


def render_json(findings: list[Finding]) -> str:
    return json.dumps([finding.to_json() for finding in findings], indent=2) + "\n"


RENDERERS: dict[str, Callable[[list[Finding]], str]] = {
    "text": render_text,
    "json": render_json,
    "sarif": render_sarif,
    "github": render_github,
    "gitlab": render_gitlab,
}


def render(findings: list[Finding], fmt: str) -> str:
    return RENDERERS[fmt](findings)
