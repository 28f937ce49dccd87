"""The cheap first look: can this text hold a credential at all?

Most files of a repository hold nothing secret-shaped. This module decides that with a few
substring searches (C speed) before the detectors are even imported: the words every credential
name holds, the client-call names, command-line options, every searched pattern's triggers from the providers' table,
and one scan for runs that open like a known token format (the same scan the token detectors
use). A property test holds that the precheck never hides a finding.
"""

from __future__ import annotations

from hooks.secrets.providers import TRIGGERS
from hooks.secrets.runs import has_token_run

# Lower-case substrings; the most frequent first so a typical hit returns early.
WORDS: tuple[str, ...] = (
    "key", "token", "secret", "pass", "pwd", "auth", "credential", "bearer", "://", "client", "rest", "api",
    "stream", "login", "spot", "futures",
    # Command lines (`curl -u user:pw`, `mysql -pPW`) and URLs, whose detectors search for these
    # literals themselves, unguarded by triggers.
    "-u", "-p",
)
TOKENS: tuple[str, ...] = tuple(dict.fromkeys(WORDS + TRIGGERS))


def could_hold_secret(text: str, lowered: str) -> bool:
    return any(token in lowered for token in TOKENS) or has_token_run(text)
