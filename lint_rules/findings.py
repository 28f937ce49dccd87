"""The small data objects every part of tradeguard passes around."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem at one place in one file.

    Lines and columns are 1-based; ``end_column`` is exclusive, as in ruff's JSON.
    ``path`` is relative to the working directory and uses ``/``.
    ``kind`` is a finer label some producers add (the secret type for TG301).
    ``fix`` says whether ``--fix`` can fix it: ``"safe"``, ``"unsafe"`` (only with
    ``--unsafe-fixes``) or None.
    """

    code: str
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    message: str
    kind: str | None = None
    fix: str | None = None

    def sort_key(self) -> tuple:
        return (self.path, self.line, self.column, self.code)

    def to_json(self) -> dict:
        return {key: value for key, value in asdict(self).items() if value is not None}

    @classmethod
    def from_json(cls, data: dict) -> Finding:
        return cls(**data)
