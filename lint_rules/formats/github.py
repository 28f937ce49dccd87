"""GitHub Actions workflow annotations: one ``::error`` command per finding.

GitHub parses ``::error PROPERTIES::MESSAGE``; ``%``, CR and LF are escaped everywhere, and ``:``
and ``,`` too inside property values. Columns are 1-based and ``endColumn`` is inclusive; they
may only be given when the annotation starts and ends on the same line.
"""

from __future__ import annotations

from collections.abc import Sequence

from lint_rules.findings import Finding
from lint_rules.output import RenderContext


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding) -> str:
    properties = [("file", finding.path), ("line", finding.line)]
    if finding.end_line == finding.line:
        properties += [("col", finding.column), ("endColumn", max(finding.column, finding.end_column - 1))]
    else:
        properties.append(("endLine", finding.end_line))
    properties.append(("title", f"tradeguard {finding.code}"))
    rendered = ",".join(f"{name}={escape_property(str(value))}" for name, value in properties)
    return f"::error {rendered}::{escape_data(f'{finding.code} {finding.message}')}"


def render_github(findings: Sequence[Finding], context: RenderContext) -> str:
    return "".join(f"{annotation(finding)}\n" for finding in findings)
