"""The scan of one text: precheck, views, plugins, filters, allowlist, excludes -> detections.

The plugins (and detect-secrets under them, about 0.1 s to import) load only when a text
passes the precheck, so a process that meets nothing secret-shaped never pays for them.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from hooks.secrets import filters, precheck
from hooks.secrets.formats import View, views
from hooks.secrets.results import CODE, Detection, ExcludePatterns
from hooks.secrets.syntax import Scope
from lint_rules.findings import Finding

if TYPE_CHECKING:
    from hooks.secrets.plugins import Match

NO_EXCLUDES = ExcludePatterns()
ADVICE = "load it from the environment or a secret store"


@cache
def machinery() -> tuple[Any, Any, Any, Any]:
    """(plugins, allowlist check, detect-secrets' CodeSnippet, secret hasher), imported once."""
    from detect_secrets.core.potential_secret import PotentialSecret
    from detect_secrets.filters.allowlist import is_line_allowlisted
    from detect_secrets.util.code_snippet import CodeSnippet

    from hooks.secrets.plugins import PLUGINS

    return PLUGINS, is_line_allowlisted, CodeSnippet, PotentialSecret.hash_secret


def scan_text(path: str, text: str) -> list[Finding]:
    """TG301 findings in one in-memory text (for `tradeguard check` and the flake8 plugin)."""
    return [detection.finding for detection in scan_source(path, text)]


def scan_source(path: str, text: str, excludes: ExcludePatterns = NO_EXCLUDES) -> list[Detection]:
    """Detections in one text, reported under `path` (relative, with `/`)."""
    if not precheck.could_hold_secret(text, text.lower()):
        return []
    detections: list[Detection] = []
    for view in views(path, text):
        detections.extend(_scan_view(path, text, view, excludes))
    detections.sort(key=lambda detection: detection.finding.sort_key())
    return detections


def _scan_view(path: str, raw: str, view: View, excludes: ExcludePatterns) -> list[Detection]:
    plugins, is_line_allowlisted, code_snippet, hash_secret = machinery()
    scope = Scope(view.text, path, is_code=view.is_code)
    kept: list[Match] = []
    detections: list[Detection] = []
    for plugin in plugins:
        if not plugin.runs_on(scope):
            continue
        for match in plugin.find(scope):
            if any(match.start < other.end and other.start < match.end for other in kept):
                continue
            line, column, end_line, end_column = _position(view, match)
            if line in view.skip_lines:
                continue
            text_line, previous_line = _line_and_previous(view.text, match.start)
            if filters.dropped_by(
                secret=match.value, line=text_line, filename=path, secret_type=match.secret_type, name=match.name
            ):
                continue
            if view.anchor is not None:
                text_line, previous_line = _numbered_line_and_previous(raw, line)
            if excludes.excludes(text_line, match.value):
                continue
            if ("list" in text_line or "list" in previous_line) and is_line_allowlisted(
                filename=path, line=text_line, context=code_snippet([previous_line, text_line], 0, 1)
            ):
                continue
            kept.append(match)
            message = _message(match, view)
            finding = Finding(CODE, path, line, column, end_line, end_column, message, kind=match.secret_type)
            detections.append(Detection(finding, hash_secret(match.value)))
    return detections


def _message(match: Match, view: View) -> str:
    where = f" in `{match.name}`" if match.name else ""
    origin = f" ({view.note})" if view.note else ""
    return f"{match.secret_type}{where}{origin} committed in source; {ADVICE}"


def _position(view: View, match: Match) -> tuple[int, int, int, int]:
    if view.anchor is not None:
        line, column = view.anchor
        return line, column, line, column + 1
    text = view.text
    line = text.count("\n", 0, match.start) + 1
    column = match.start - (text.rfind("\n", 0, match.start) + 1) + 1
    end_line = line + text.count("\n", match.start, match.end)
    end_column = match.end - (text.rfind("\n", 0, match.end) + 1) + 1
    return line, column, end_line, end_column


def _line_and_previous(text: str, offset: int) -> tuple[str, str]:
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    line = text[start: end if end >= 0 else len(text)]
    previous = text[text.rfind("\n", 0, max(start - 1, 0)) + 1: max(start - 1, 0)] if start else ""
    return line, previous


def _numbered_line_and_previous(text: str, number: int) -> tuple[str, str]:
    lines = text.split("\n", number)
    return lines[number - 1], lines[number - 2] if number >= 2 else ""
