"""`tradeguard rule CODE`: print a rule's documentation; `tradeguard rule --all` lists them."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from lint_rules.rules import documented_rules, rule_by_code

HELP = "print the documentation of a rule, e.g. `tradeguard rule TG101`"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tradeguard rule", description="Show the documentation of a rule.")
    parser.add_argument("code", nargs="?", help="a rule code, e.g. TG101")
    parser.add_argument("--all", action="store_true", help="list every rule with its one-line summary")
    args = parser.parse_args(argv)
    if args.all or not args.code:
        for rule in documented_rules():
            print(f"{rule.code}  {rule.name:<28} {rule.summary()}")
        return 0
    rule = rule_by_code(args.code)
    if rule is None:
        print(f"tradeguard: unknown rule {args.code!r}; `tradeguard rule --all` lists them", file=sys.stderr)
        return 2
    sys.stdout.write(rule.documentation())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
