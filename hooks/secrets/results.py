"""The small typed records of a secret scan. None of them holds a secret value."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from lint_rules.findings import Finding

CODE = "TG301"


class ScanError(Exception):
    """What stops a scan (a broken baseline, an unreadable history); the message is one line
    naming what and where, and never quotes file content."""


@dataclass(frozen=True, slots=True)
class Detection:
    """A TG301 finding and the SHA-1 of its secret, which is how baselines name a secret
    (detect-secrets' ``hashed_secret``)."""

    finding: Finding
    secret_hash: str

    @property
    def path(self) -> str:
        return self.finding.path


@dataclass(frozen=True, slots=True)
class Note:
    """A file that was not scanned, or not scanned fully, and why. Errors make the run exit 2."""

    path: str
    reason: str
    is_error: bool = False

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass(frozen=True)
class ExcludePatterns:
    """Regex excludes as detect-secrets keeps them in a baseline's ``filters_used``: on file
    paths (``--exclude-files``), on lines (``--exclude-lines``) and on secrets (``--exclude-secrets``)."""

    files: tuple[str, ...] = ()
    lines: tuple[str, ...] = ()
    secrets: tuple[str, ...] = ()

    def first_invalid(self) -> str | None:
        """A one-line description of the first pattern that is not a valid regex, if any."""
        for pattern in self.files + self.lines + self.secrets:
            try:
                re.compile(pattern)
            except re.error as error:
                return f"invalid regex {pattern!r}: {error}"
        return None

    @cached_property
    def _compiled(self) -> tuple[tuple[re.Pattern[str], ...], ...]:
        return tuple(tuple(re.compile(pattern) for pattern in group) for group in (self.files, self.lines, self.secrets))

    def excludes_file(self, path: str) -> bool:
        return any(pattern.search(path) for pattern in self._compiled[0])

    def excludes(self, line: str, secret: str) -> bool:
        return any(pattern.search(line) for pattern in self._compiled[1]) or any(
            pattern.search(secret) for pattern in self._compiled[2]
        )

    def merged(self, other: ExcludePatterns) -> ExcludePatterns:
        def union(mine: tuple[str, ...], theirs: tuple[str, ...]) -> tuple[str, ...]:
            return mine + tuple(pattern for pattern in theirs if pattern not in mine)

        return ExcludePatterns(
            union(self.files, other.files), union(self.lines, other.lines), union(self.secrets, other.secrets)
        )


@dataclass
class ScanReport:
    detections: list[Detection] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    # Paths (as findings name them) of the files or blobs that were read.
    scanned: list[str] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return any(note.is_error for note in self.notes)
