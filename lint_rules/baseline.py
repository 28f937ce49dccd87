"""Fingerprints that survive unrelated edits, and baseline files built from them.

A finding's fingerprint is a hash of its code, its path (relative to a root: the baseline's
folder, or the working directory for SARIF and GitLab reports), the source text of its lines
with whitespace collapsed, and an occurrence counter that tells identical findings of one file
apart. Lines above it may come and go, and the code may move within the file, without changing
the fingerprint; a second identical violation beside a baselined one gets a new counter, so it
is new.

A baseline file records the fingerprints of today's findings; ``--baseline`` then reports only
the others. The file is sorted JSON, so that its diffs are easy to review.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from lint_rules.findings import Finding

FORMAT_VERSION = 1


class BaselineError(Exception):
    """A baseline file that cannot be used; the message names the file and says why."""


def fingerprints(findings: Sequence[Finding], root: Path, texts: Mapping[str, str] | None = None) -> list[str]:
    """One fingerprint per finding, in the order given.

    Finding paths are relative to the working directory; ``root`` is the folder the
    fingerprinted path is made relative to. Source lines are read from the files, or from
    ``texts`` (by finding path: an editor's unsaved buffer).
    """
    lines_of: dict[str, list[str]] = {path: text.splitlines() for path, text in (texts or {}).items()}
    occurrences: Counter[tuple[str, str, str]] = Counter()
    result = [""] * len(findings)
    for position in sorted(range(len(findings)), key=lambda i: findings[i].sort_key()):
        finding = findings[position]
        if finding.path not in lines_of:
            lines_of[finding.path] = _source_lines(finding.path)
        lines = lines_of[finding.path][finding.line - 1 : max(finding.line, finding.end_line)]
        key = (finding.code, _relative(finding.path, root), "\n".join(" ".join(line.split()) for line in lines))
        payload = "\0".join((*key, str(occurrences[key])))
        occurrences[key] += 1
        result[position] = hashlib.sha256(payload.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return result


def _source_lines(path: str) -> list[str]:
    try:
        data = Path(path).read_bytes()
    except OSError:
        return []
    return data.decode("utf-8", "replace").splitlines()


def _relative(path: str, root: Path) -> str:
    return Path(os.path.relpath(os.path.abspath(path), root.resolve())).as_posix()


def write_baseline(path: Path, findings: Sequence[Finding]) -> None:
    """Record ``findings`` in ``path``; raises ``OSError`` if it cannot be written."""
    root = path.resolve().parent
    entries = sorted(
        (
            {"code": finding.code, "path": _relative(finding.path, root), "message": finding.message, "fingerprint": fingerprint}
            for finding, fingerprint in zip(findings, fingerprints(findings, root))
        ),
        key=lambda entry: (entry["path"], entry["code"], entry["fingerprint"]),
    )
    document = {"tradeguard_baseline": FORMAT_VERSION, "findings": entries}
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


@dataclass(frozen=True)
class Baseline:
    """The findings a baseline file records, as (code, path relative to the folder holding it,
    fingerprint). All three must match: an entry labelled with another code or file must not
    silence a finding (reviewers read the labels, not the hashes)."""

    root: Path
    known: frozenset[tuple[str, str, str]]

    def new_findings(self, findings: Sequence[Finding], texts: Mapping[str, str] | None = None) -> list[Finding]:
        """The findings the baseline does not record (``texts``: see ``fingerprints``)."""
        return [
            finding for finding, fingerprint in zip(findings, fingerprints(findings, self.root, texts))
            if (finding.code, _relative(finding.path, self.root), fingerprint) not in self.known
        ]


def load_baseline(path: Path) -> Baseline:
    """The baseline in ``path``; raises ``BaselineError`` for anything that is not one."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise BaselineError(f"cannot read baseline {path}: {error.strerror}") from None
    except (UnicodeDecodeError, ValueError) as error:
        raise BaselineError(f"baseline {path} is not valid JSON ({error})") from None
    if not isinstance(document, dict) or "tradeguard_baseline" not in document:
        raise BaselineError(f"{path} is not a tradeguard baseline (write one with --write-baseline)")
    if document.get("tradeguard_baseline") != FORMAT_VERSION:
        raise BaselineError(
            f"baseline {path} has format {document['tradeguard_baseline']!r}; this tradeguard reads format {FORMAT_VERSION}"
        )
    entries = document.get("findings")
    if not isinstance(entries, list) or not all(
        isinstance(entry, dict) and all(isinstance(entry.get(key), str) for key in _ENTRY_KEYS) for entry in entries
    ):
        raise BaselineError(
            f"baseline {path} is damaged: `findings` must be a list of entries with a code, a path and a fingerprint"
        )
    return Baseline(path.resolve().parent, frozenset(tuple(entry[key] for key in _ENTRY_KEYS) for entry in entries))


_ENTRY_KEYS = ("code", "path", "fingerprint")
