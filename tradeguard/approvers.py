"""Approver names compared as people, not as strings: one person must not count twice.

``alice``, ``ALICE``, ``ａｌｉｃｅ`` (full-width) are the same approver after Unicode NFKC normalisation
and case folding. A name holding an invisible character (zero-width space, a direction mark, a
control) or letters of more than one script (``аlice`` with a Cyrillic ``а``) is refused outright:
it can only be there to look like someone else.
"""

from __future__ import annotations

import unicodedata
from typing import Optional

# Format, control, separators other than the plain space, private use, unassigned.
INVISIBLE_CATEGORIES = frozenset({"Cf", "Cc", "Co", "Cn", "Zl", "Zp"})
MAX_NAME = 100


def identity(name: str) -> str:
    """The name as compared: NFKC, case folded, inner spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def name_problem(name: object) -> Optional[str]:
    """Why ``name`` cannot be an approver's name, or None."""
    if not isinstance(name, str) or not name.strip():
        return "an approver name is empty"
    if len(name) > MAX_NAME:
        return "an approver name is longer than 100 characters"
    for char in name:
        if unicodedata.category(char) in INVISIBLE_CATEGORIES or (char.isspace() and char != " "):
            return f"approver name {ascii(name)} holds an invisible character (U+{ord(char):04X})"
    scripts = {_script(char) for char in unicodedata.normalize("NFKC", name) if char.isalpha()}
    if len(scripts) > 1:
        return f"approver name {ascii(name)} mixes scripts ({', '.join(sorted(scripts))}): it can imitate another name"
    return None


def approvers_problem(names: object, required: int) -> Optional[str]:
    """Why ``names`` do not make ``required`` distinct approvers, or None."""
    if not isinstance(names, list):
        return "the approvers are not a list of names"
    for name in names:
        problem = name_problem(name)
        if problem:
            return problem
    distinct = {identity(name) for name in names}
    if len(distinct) != len(names):
        return "each approver must be a different person (a name was given twice)"
    if len(distinct) < required:
        return f"{required} distinct approvers required, {len(distinct)} given"
    return None


def _script(char: str) -> str:
    try:
        return unicodedata.name(char).split()[0]
    except ValueError:  # a letter without a name
        return "UNKNOWN"
