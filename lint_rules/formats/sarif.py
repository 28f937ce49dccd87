"""SARIF 2.1.0 for GitHub code scanning.

One run whose driver lists every documented rule (id, name, descriptions, help from the rule's
own page) and every code reported without one; results point at paths relative to
``%SRCROOT%``, the working directory (the repository root in CI), and carry the baseline
fingerprint as a partial fingerprint, so GitHub tracks a finding across commits that shift it.
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
from lint_rules.rules import documented_rules

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SOURCE_ROOT = "%SRCROOT%"
FINGERPRINT_KEY = "tradeguard/v1"


def _section(documentation: str, title: str) -> str | None:
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", documentation, re.M | re.S)
    return match.group(1).strip() if match else None


def _rule_descriptors(codes_reported: set[str]) -> list[dict]:
    descriptors = []
    for rule in documented_rules():
        documentation = rule.documentation()
        descriptors.append({
            "id": rule.code,
            "name": rule.name,
            "shortDescription": {"text": rule.summary()},
            "fullDescription": {"text": _section(documentation, "What it does") or rule.summary()},
            "help": {"text": documentation, "markdown": documentation},
            "defaultConfiguration": {"level": "error"},
        })
    documented = {descriptor["id"] for descriptor in descriptors}
    for code in sorted(codes_reported - documented):
        descriptors.append({"id": code, "shortDescription": {"text": f"tradeguard {code}"}})
    return descriptors


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


def sarif_log(findings: Sequence[Finding]) -> dict:
    rules = _rule_descriptors({finding.code for finding in findings})
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


def render_sarif(findings: Sequence[Finding]) -> str:
    return json.dumps(sarif_log(findings), indent=2) + "\n"
