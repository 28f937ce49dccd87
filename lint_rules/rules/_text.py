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


# Up to this many words are looked for one by one (a substring search is about twenty times
# faster than a regex of the same words, which costs about the same for 2 words as for 40).
_WORDS_SEARCHED_APART = 12


@dataclass(frozen=True)
class Words:
    """Literal words, one of which a text must hold (in any casing if ``ignore_case``: then the
    words are lower-case)."""

    words: tuple[str, ...]
    ignore_case: bool = False
    any_word: re.Pattern[str] | None = None   # for many words

    @classmethod
    def of(cls, words: Iterable[str], ignore_case: bool = False) -> Words:
        """``words`` (in any casing if ``ignore_case``: the casing ``str.lower`` knows, which for
        ``s``, ``k`` and ``i`` is not all that ``re.IGNORECASE`` matches; leave those letters out
        of such words). No words: every text holds one."""
        words = tuple(sorted({word.lower() if ignore_case else word for word in words})) or ("",)
        many = len(words) > _WORDS_SEARCHED_APART
        return cls(words, ignore_case, re.compile(alternatives(words), re.IGNORECASE if ignore_case else 0) if many else None)

    def occur_in(self, text: str) -> bool:
        if self.any_word is not None:
            return self.any_word.search(text) is not None
        haystack = text.lower() if self.ignore_case else text
        return any(word in haystack for word in self.words)


@dataclass(frozen=True)
class Gated:
    """``pattern``, searched only in texts that hold one of ``words``."""

    pattern: re.Pattern[str]
    words: Words

    def search(self, text: str) -> re.Match[str] | None:
        return self.pattern.search(text) if self.words.occur_in(text) else None


def gated(pattern: str, words: Iterable[str], ignore_case: bool = False) -> Gated:
    """``pattern``, each of whose matches holds one of ``words`` (see ``Words.of``)."""
    return Gated(re.compile(pattern), Words.of(words, ignore_case))


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
