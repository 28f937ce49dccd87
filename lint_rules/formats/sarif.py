"""SARIF 2.1.0 for GitHub code scanning.

One run whose driver lists every code tradeguard reports (id, name, descriptions, help from the
code's page, as the caller's ``RenderContext.pages`` give them; the rule catalog's by default);
results point at paths relative to ``%SRCROOT%``, the working directory (the repository root in
CI), and carry the baseline fingerprint as a partial fingerprint, so GitHub tracks a finding
across commits that shift it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote

from lint_rules import __version__
from lint_rules.baseline import fingerprints
from lint_rules.findings import Finding
from lint_rules.output import RenderContext
from lint_rules.rules import RulePage, known_codes, rule_pages

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SOURCE_ROOT = "%SRCROOT%"
FINGERPRINT_KEY = "tradeguard/v1"


def _section(documentation: str, title: str) -> str | None:
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", documentation, re.M | re.S)
    return match.group(1).strip() if match else None


def _rule_descriptors(pages: Sequence[RulePage], codes_reported: set[str]) -> list[dict]:
    page_of = {page.code: page for page in pages}
    return [_descriptor(code, page_of.get(code)) for code in sorted({*known_codes(), *page_of, *codes_reported})]


def _descriptor(code: str, page: RulePage | None) -> dict:
    if page is None:  # a code documented nowhere the caller could reach
        return {"id": code, "shortDescription": {"text": f"tradeguard {code}"}, "defaultConfiguration": {"level": "error"}}
    return {
        "id": code,
        "name": page.name,
        "shortDescription": {"text": page.summary},
        "fullDescription": {"text": _section(page.text, "What it does") or page.summary},
        "help": {"text": page.text, "markdown": page.text},
        "defaultConfiguration": {"level": "error"},
    }


def _result(finding: Finding, rule_index: int, fingerprint: str) -> dict:
    return {
        "ruleId": finding.code,
        "ruleIndex": rule_index,
        "level": "error",
        "message": {"text": finding.message},
        "locations": [{
            "physicalLocation": {
                "artifactLocation": {"uri": quote(finding.path, safe="/"), "uriBaseId": SOURCE_ROOT},
                "region": {
                    "startLine": finding.line,
                    "startColumn": finding.column,
                    "endLine": finding.end_line,
                    "endColumn": finding.end_column,
                },
            },
        }],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
    }


def sarif_log(findings: Sequence[Finding], pages: Sequence[RulePage] = ()) -> dict:
    rules = _rule_descriptors(pages or rule_pages(), {finding.code for finding in findings})
    index_of = {rule["id"]: index for index, rule in enumerate(rules)}
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "tradeguard",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": rules,
            }},
            "originalUriBaseIds": {SOURCE_ROOT: {"uri": Path.cwd().as_uri().rstrip("/") + "/"}},
            "columnKind": "unicodeCodePoints",
            "results": [
                _result(finding, index_of[finding.code], fingerprint)
                for finding, fingerprint in zip(findings, fingerprints(findings, Path.cwd()))
            ],
        }],
    }


def render_sarif(findings: Sequence[Finding], context: RenderContext) -> str:
    return json.dumps(sarif_log(findings, context.pages), indent=2) + "\n"
