"""Every code's documentation page, in one lookup: `tradeguard rule`, `rule --all` and SARIF's
rule table (for `check` and `secrets`) all read ``rule_pages()``.

The rule catalog documents its rules itself; a code reported elsewhere is documented beside
its producer, by a function returning its page as text (``# CODE (name)``, a one-line summary,
then the sections), named here.
"""

from __future__ import annotations

import re
from functools import lru_cache

from lint_rules.rules import RulePage
from lint_rules.rules import rule_pages as catalog_pages
from tradeguard._bootstrap import load

# code -> "module:function" returning its page
DOCUMENTED_ELSEWHERE: dict[str, str] = {"TG301": "hooks.secrets.docs:rule_doc"}

_HEADING = re.compile(r"#\s*(?P<code>TG\d+)\s*\((?P<name>[^)]+)\)\s*\n+(?P<summary>[^\n]+)")


@lru_cache(maxsize=1)
def rule_pages() -> tuple[RulePage, ...]:
    """Every documented code's page, in code order."""
    pages = [*catalog_pages(), *(_page(code, target) for code, target in DOCUMENTED_ELSEWHERE.items())]
    return tuple(sorted(pages, key=lambda page: page.code))


def rule_page(code: str) -> RulePage | None:
    return next((page for page in rule_pages() if page.code == code.upper()), None)


def _page(code: str, target: str) -> RulePage:
    module, _, function = target.partition(":")
    text = getattr(load(module), function)()
    heading = _HEADING.match(text)
    name = heading["name"].strip() if heading else code
    summary = heading["summary"].strip() if heading else text.strip().splitlines()[0]
    return RulePage(code, name, summary, text if text.endswith("\n") else text + "\n")
