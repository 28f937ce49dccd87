"""The cheap first look: can this text hold a credential at all?

Most files of a repository hold nothing secret-shaped. This module decides that with a few
substring searches (C speed) before the plugins, and detect-secrets under them, are even
imported. Every plugin's own `triggers` contain one of `TOKENS` (a test holds them together),
and the two credential shapes with no literal part are matched by `SHAPES`.
"""

from __future__ import annotations

import re

# Lower-case substrings; the most frequent first so a typical hit returns early.
TOKENS: tuple[str, ...] = (
    "key", "token", "secret", "pass", "pwd", "auth", "credential", "://", "client", "rest", "api",
    "stream", "login", "spot", "futures", "oanda", "akia", "asia", "abia", "acca", "a3t", "aiza", "xox", ":aa",
    "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_",
)

# OANDA v20 tokens (32 hex, dash, 32 hex) and Alpaca key ids (PK/AK + 18) carry no literal.
# Two patterns, not one alternation: each keeps the regex engine's fast scan for its first character.
SHAPES = (re.compile(r"[AP]K[0-9A-Z]{18}"), re.compile(r"[0-9a-fA-F]{32}-[0-9a-fA-F]{32}"))


def could_hold_secret(text: str, lowered: str) -> bool:
    return any(token in lowered for token in TOKENS) or any(shape.search(text) for shape in SHAPES)
