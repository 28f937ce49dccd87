"""GitLab Code Quality reports: a JSON array of issues, each with a stable fingerprint.

GitLab compares the fingerprints of the merge request's report with those of the target
branch to show what a change adds or fixes, so they are the baseline fingerprints (see
``baseline.py``), made relative to the working directory: the repository root in a CI job.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from lint_rules.baseline import fingerprints
from lint_rules.findings import Finding
from lint_rules.output import RenderContext

SECRET_CODE = "TG301"


def severity(code: str) -> str:
    """A committed credential is critical; every other finding blocks as a major issue."""
    return "critical" if code == SECRET_CODE else "major"


def render_gitlab(findings: Sequence[Finding], context: RenderContext) -> str:
    issues = [
        {
            "description": f"{finding.code} {finding.message}",
            "check_name": finding.code,
            "fingerprint": fingerprint,
            "severity": severity(finding.code),
            "location": {"path": finding.path, "lines": {"begin": finding.line, "end": finding.end_line}},
        }
        for finding, fingerprint in zip(findings, fingerprints(findings, Path.cwd()))
    ]
    return json.dumps(issues, indent=2) + "\n"
