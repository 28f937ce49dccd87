"""``# noqa: TG101 -- reason`` comments, per-file ignores, and TG001 for reasonless suppressions.

Only exact codes silence a finding (as ruff does): a bare ``# noqa`` or ``# noqa: TG1`` does
not silence TG codes in ``tradeguard check``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lint_rules.context import FileContext
from lint_rules.findings import Finding
from lint_rules.rules.tg001_noqa_reason import NoqaWithoutReason

_NOQA = re.compile(
    r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:\s*,\s*[A-Z]+[0-9]+|\s+[A-Z]+[0-9]+)*))?(?P<rest>.*)",
    re.IGNORECASE,
)
_REASON = re.compile(r"\s*--\s*\S")

NOQA_REASON_CODE = NoqaWithoutReason.code


@dataclass(frozen=True)
class Suppression:
    line: int
    column: int
    codes: frozenset[str]
    has_reason: bool


def suppressions(text: str) -> dict[int, Suppression]:
    """The ``# noqa: CODES`` comments of a file, by line (bare ``# noqa`` is left out)."""
    found: dict[int, Suppression] = {}
    if "noqa" not in text and "NOQA" not in text:
        return found
    for number, line in enumerate(text.splitlines(), start=1):
        position = line.find("#")
        if position == -1:
            continue
        match = _NOQA.search(line, position)
        if match and match.group("codes"):
            codes = frozenset(code.upper() for code in re.split(r"[\s,]+", match.group("codes")))
            found[number] = Suppression(
                number, match.start() + 1, codes, bool(_REASON.match(match.group("rest")))
            )
    return found


def unsuppressed(findings: list[Finding], context: FileContext) -> list[Finding]:
    """The findings neither ignored for this path nor silenced on their line."""
    ignored = context.config.ignored_codes(context.rel_path)
    comments = suppressions(context.text)
    return [
        finding
        for finding in findings
        if not any(finding.code.startswith(prefix) for prefix in ignored)
        and not (finding.line in comments and finding.code in comments[finding.line].codes)
    ]


def apply(findings: list[Finding], context: FileContext) -> list[Finding]:
    """Drop findings ignored for this path or silenced on their line; add TG001 where required."""
    config = context.config
    ignored = config.ignored_codes(context.rel_path)
    comments = suppressions(context.text)
    kept = unsuppressed(findings, context)
    if config.require_noqa_reason and config.is_code_enabled(NOQA_REASON_CODE) and NOQA_REASON_CODE not in ignored:
        for comment in comments.values():
            if not comment.has_reason and any(code.startswith("TG") for code in comment.codes):
                kept.append(Finding(
                    NOQA_REASON_CODE, context.rel_path, comment.line, comment.column, comment.line,
                    comment.column, NoqaWithoutReason.message,
                ))
    return sorted(kept, key=Finding.sort_key)
