"""Prefilter patterns that cost little on the many files they reject.

Python's ``re`` skips ahead fast only to where a literal could start a match; a pattern that may
start at any ``=``, ``:`` or word boundary is tried at nearly every character (on hummingbot's
1,623 files such patterns cost the prefilters about two seconds). So each alternative of a
prefilter is paired with the words every match of it holds, and searched only in texts that hold
one of them: the words are found at the speed of a plain substring search.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Gated:
    """``pattern``, searched only in texts where ``words`` (a regex of literal words) occurs."""

    pattern: re.Pattern[str]
    words: re.Pattern[str]

    def search(self, text: str) -> re.Match[str] | None:
        return self.pattern.search(text) if self.words.search(text) else None


def gated(pattern: str, words: Iterable[str], ignore_case: bool = False) -> Gated:
    """``pattern``, each of whose matches holds one of ``words`` (in any casing if
    ``ignore_case``). No words: searched in every text."""
    return Gated(re.compile(pattern), re.compile(alternatives(words), re.IGNORECASE if ignore_case else 0))


@dataclass(frozen=True)
class AnyOf:
    """The alternatives of one pattern, searched apart: a match of ``a|b`` exists where a match
    of ``a`` or of ``b`` does (the first found is returned, not the leftmost)."""

    parts: tuple[Gated, ...]

    def search(self, text: str) -> re.Match[str] | None:
        for part in self.parts:
            found = part.search(text)
            if found:
                return found
        return None


def alternatives(words: Iterable[str]) -> str:
    """A regex of ``words``. Longest first, then by name: the words may come from sets, whose
    order changes between processes, and cached results depend on patterns being the same."""
    return "|".join(re.escape(word) for word in sorted(set(words), key=lambda word: (-len(word), word)))
