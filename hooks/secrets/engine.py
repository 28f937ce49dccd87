"""The scan of one text: precheck, views, detectors, filters, allowlist, excludes -> detections.

The syntax layer, the filters and the detectors load only when a text passes the precheck (a
one-file hook run on a file with nothing secret-shaped imports none of them), and detect-secrets (about 0.1 s to
import, with `requests`) only when a line carries an allowlist pragma, which is then judged by
detect-secrets' own function.
"""

from __future__ import annotations

import hashlib
from functools import cache
from typing import TYPE_CHECKING

from hooks.secrets import precheck
from hooks.secrets.results import CODE, Detection, ExcludePatterns
from lint_rules.findings import Finding

if TYPE_CHECKING:
    from hooks.secrets.detectors import Detector, Match
    from hooks.secrets.views import View

NO_EXCLUDES = ExcludePatterns()
ADVICE = "load it from the environment or a secret store"


@cache
def detectors() -> tuple[Detector, ...]:
    from hooks.secrets.detectors import DETECTORS

    return DETECTORS


def secret_hash(value: str) -> str:
    """detect-secrets' ``hashed_secret``: the SHA-1 of the value, how baselines name secrets."""
    return hashlib.sha1(value.encode("utf-8")).hexdigest()


def allowlisted(path: str, line: str, previous_line: str) -> bool:
    """``# pragma: allowlist secret`` on the line, or ``...allowlist nextline secret`` before it,
    judged by detect-secrets' own function (all its comment styles)."""
    if "pragma" not in line and "pragma" not in previous_line:
        return False
    from detect_secrets.filters.allowlist import is_line_allowlisted
    from detect_secrets.util.code_snippet import CodeSnippet

    return is_line_allowlisted(filename=path, line=line, context=CodeSnippet([previous_line, line], 0, 1))


def scan_text(path: str, text: str) -> list[Finding]:
    """TG301 findings in one in-memory text (for `tradeguard check` and the flake8 plugin)."""
    return [detection.finding for detection in scan_source(path, text)]


def scan_source(path: str, text: str, excludes: ExcludePatterns = NO_EXCLUDES) -> list[Detection]:
    """Detections in one text, reported under `path` (relative, with `/`)."""
    if not precheck.could_hold_secret(text, text.lower()):
        return []
    detections: list[Detection] = []
    from hooks.secrets.views import views

    for view in views(path, text):
        detections.extend(_scan_view(path, text, view, excludes))
    detections.sort(key=lambda detection: detection.finding.sort_key())
    return detections


def _scan_view(path: str, raw: str, view: View, excludes: ExcludePatterns) -> list[Detection]:
    from hooks.secrets import filters
    from hooks.secrets.syntax import Scope

    scope = Scope(view.text, path, is_code=view.is_code)
    kept: list[Match] = []
    detections: list[Detection] = []
    for detector in detectors():
        if not detector.runs_on(scope):
            continue
        for match in detector.find(scope):
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
            if allowlisted(path, text_line, previous_line):
                continue
            kept.append(match)
            message = _message(match, view)
            finding = Finding(CODE, path, line, column, end_line, end_column, message, kind=match.secret_type)
            detections.append(Detection(finding, secret_hash(match.value)))
    if view.declared is not None and not detections:
        detections.extend(_declared(path, raw, view, excludes))
    return detections


# Keys of a Kubernetes Secret's data that name what locates a credential, not the credential.
_IDENTIFIER_KEYS = frozenset({
    "user", "username", "user_name", "login", "email", "host", "hostname", "port", "database", "db", "dbname",
    "namespace", "region", "url", "endpoint", "server", "account", "account_name", "client_id", "name",
})
DECLARED_TYPE = "Kubernetes Secret Value"


def _declared(path: str, raw: str, view: View, excludes: ExcludePatterns) -> list[Detection]:
    """The value a file declares secret, when no detector typed it: reported unless it is a
    stand-in (`changeme`, `${PASSWORD}`) or its key names an identifier."""
    from hooks.secrets import filters

    key, value = view.declared or ("", "")
    value = value.strip()
    if key.lower().replace("-", "_").replace(".", "_") in _IDENTIFIER_KEYS:
        return []
    # A document (JSON, a PEM, an `.env`) is judged by the detectors alone; a word by the filters too.
    single = not any(char.isspace() or char in '{}[]"' for char in value.strip())
    if single and filters.dropped_by(secret=value, line=view.text, filename=path, secret_type=DECLARED_TYPE, name=key):
        return []
    line, column = view.anchor or (1, 1)
    text_line, previous_line = _numbered_line_and_previous(raw, line)
    if excludes.excludes(text_line, value) or allowlisted(path, text_line, previous_line):
        return []
    message = f"{DECLARED_TYPE} in `{key}` ({view.note}) committed in source; {ADVICE}"
    finding = Finding(CODE, path, line, column, line, column + 1, message, kind=DECLARED_TYPE)
    return [Detection(finding, secret_hash(value))]


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
    previous = text[text.rfind("\n", 0, start - 1) + 1: start - 1] if start else ""
    return line, previous


def _numbered_line_and_previous(text: str, number: int) -> tuple[str, str]:
    lines = text.split("\n", number)
    return lines[number - 1], lines[number - 2] if number >= 2 else ""
