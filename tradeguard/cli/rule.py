"""`tradeguard rule CODE`: print a code's documentation; `tradeguard rule --all` lists them."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from lint_rules.rules import known_codes
from tradeguard.cli._pages import rule_page, rule_pages

HELP = "print the documentation of a rule, e.g. `tradeguard rule TG101`"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tradeguard rule", description="Show the documentation of a rule.")
    parser.add_argument("code", nargs="?", help="a rule code, e.g. TG101")
    parser.add_argument("--all", action="store_true", help="list every code with its one-line summary")
    args = parser.parse_args(argv)
    if args.all or not args.code:
        summaries = {page.code: f"{page.name:<28} {page.summary}" for page in rule_pages()}
        for code in sorted({*known_codes(), *summaries}):
            print(f"{code}  {summaries.get(code, '(no page yet)')}")
        return 0
    page = rule_page(args.code)
    if page is None:
        print(f"tradeguard: unknown rule {args.code!r}; `tradeguard rule --all` lists them", file=sys.stderr)
        return 2
    sys.stdout.write(page.text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
